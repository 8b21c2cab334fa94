package store

import (
	"crypto/rand"
	"math/big"
)

// Generated container names, adjective_noun as Docker makes them.
var (
	nameLeft = []string{
		"admiring", "brave", "clever", "dazzling", "eager", "focused", "gallant",
		"happy", "jolly", "keen", "lucid", "modest", "nifty", "optimistic",
		"peaceful", "quirky", "relaxed", "serene", "tender", "upbeat", "vibrant",
		"wizardly", "youthful", "zealous",
	}
	nameRight = []string{
		"babbage", "curie", "darwin", "einstein", "feynman", "galileo", "hopper",
		"hypatia", "johnson", "kepler", "lovelace", "meitner", "newton", "noether",
		"pasteur", "ritchie", "shannon", "thompson", "turing", "wozniak",
	}
)

func pick(list []string) string {
	n, err := rand.Int(rand.Reader, big.NewInt(int64(len(list))))
	if err != nil {
		panic(err)
	}
	return list[n.Int64()]
}

func randomName() string { return pick(nameLeft) + "_" + pick(nameRight) }
