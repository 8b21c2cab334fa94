package fs

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
)

// TestUnpackDigest: the digest is of all the bytes read, zero blocks after
// the tar's end included (a diffID covers them), and the tree is unpacked.
func TestUnpackDigest(t *testing.T) {
	tarball := append(mkTar(t, file("a", "hello")), make([]byte, 4096)...)
	dir := t.TempDir()
	got, err := UnpackDigest(bytes.NewReader(tarball), dir, nil, OptionsFor(false))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(tarball)
	if want := hex.EncodeToString(sum[:]); got != want {
		t.Errorf("UnpackDigest = %s, want the sha256 of every byte, %s", got, want)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "a")); err != nil || string(b) != "hello" {
		t.Errorf("unpacked a = %q, %v", b, err)
	}
}
