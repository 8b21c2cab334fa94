package store

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

var sha256Hex = hexRange{64, 64}

// checkHash refuses anything but sha256:<64 hex>, so a digest from hostile
// input can never name a path outside the store.
func checkHash(h v1.Hash) error {
	if h.Algorithm != "sha256" || !sha256Hex.MatchString(h.Hex) {
		return fmt.Errorf("digest %q: want sha256:<64 hex digits>", h.String())
	}
	return nil
}

func hashOf(data []byte) v1.Hash {
	sum := sha256.Sum256(data)
	return v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(sum[:])}
}

func (s *Store) blobPath(d v1.Hash) string { return s.path("blobs", "sha256", d.Hex) }

// PutBlob stores a manifest or config and returns its sha256 digest.
func (s *Store) PutBlob(data []byte) (v1.Hash, error) {
	d := hashOf(data)
	p := s.blobPath(d)
	if got, err := os.ReadFile(p); err == nil && hashOf(got) == d {
		return d, nil
	}
	// A missing or corrupt copy is replaced.
	if err := s.writeFile(p, data, 0o600); err != nil {
		return v1.Hash{}, fmt.Errorf("store blob %s: %w", d, err)
	}
	return d, nil
}

// Blob reads a stored blob, verifying its digest.
func (s *Store) Blob(d v1.Hash) ([]byte, error) {
	if err := checkHash(d); err != nil {
		return nil, fmt.Errorf("read blob: %w", err)
	}
	data, err := os.ReadFile(s.blobPath(d))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("read blob %s: %w", d, fs.ErrNotExist)
		}
		return nil, fmt.Errorf("read blob %s: %w", d, err)
	}
	if got := hashOf(data); got != d {
		return nil, fmt.Errorf("read blob %s: %w (content is %s; hint: pull the image again)", d, ErrDigestMismatch, got)
	}
	return data, nil
}
