//go:build !linux

package build

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
)

// memoKey: without Linux's stat fields nothing is remembered.
func memoKey(os.FileInfo) string { return "" }

// hashFile is the sha256 of the file at p, read without following a
// last-component symlink; no memo key.
func hashFile(p string) (sum, key string, err error) {
	f, err := openNoFollow(p)
	if err != nil {
		return "", "", err
	}
	defer f.Close()
	d := sha256.New()
	if _, err := io.Copy(d, f); err != nil {
		return "", "", err
	}
	return hex.EncodeToString(d.Sum(nil)), "", nil
}
