package store

import "math/rand/v2"

// Generated container names, adjective_surname as Docker makes them. The
// store is the one place that names containers: CreateContainer picks a
// free one when the caller gives none.
var (
	nameLeft = []string{
		"admiring", "amazing", "bold", "brave", "busy", "clever", "cool", "dazzling", "eager", "elegant",
		"festive", "focused", "gallant", "gifted", "happy", "hopeful", "jolly", "keen", "kind", "loving",
		"lucid", "modest", "nifty", "optimistic", "peaceful", "practical", "quirky", "relaxed", "serene",
		"sharp", "stoic", "tender", "upbeat", "vibrant", "wizardly", "youthful", "zealous",
	}
	nameRight = []string{
		"babbage", "bohr", "curie", "darwin", "dijkstra", "einstein", "euler", "feynman", "galileo", "gauss",
		"goodall", "hopper", "hypatia", "johnson", "kepler", "knuth", "lamarr", "lovelace", "meitner", "newton",
		"noether", "pascal", "pasteur", "ritchie", "shannon", "thompson", "torvalds", "turing", "wozniak",
	}
)

func randomName() string {
	return nameLeft[rand.IntN(len(nameLeft))] + "_" + nameRight[rand.IntN(len(nameRight))]
}
