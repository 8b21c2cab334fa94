package build

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/opencontainers/go-digest"
)

// checkChecksum refuses ADD --checksum where BuildKit does: with one
// source only, an HTTP(S) URL or a git repository.
func checkChecksum(c copyCmd) error {
	if c.checksum == "" {
		return nil
	}
	if len(c.sd.SourcePaths)+len(c.sd.SourceContents) != 1 {
		return errors.New("checksum can't be specified for multiple sources")
	}
	if src := c.sd.SourcePaths; len(src) != 1 || !(isURL(src[0]) || isGit(src[0])) {
		return errors.New("checksum requires HTTP(S) or Git sources")
	}
	if isURL(c.sd.SourcePaths[0]) && !isGit(c.sd.SourcePaths[0]) {
		if _, err := digest.Parse(c.checksum); err != nil {
			return fmt.Errorf("invalid checksum %q: %w (hint: sha256:HEX)", c.checksum, err)
		}
	}
	return nil
}

// verifyDownload checks ADD --checksum against the file fetched from
// src, before anything of it reaches a layer.
func verifyDownload(src, file, checksum string) error {
	want, err := digest.Parse(checksum)
	if err != nil {
		return fmt.Errorf("invalid checksum %q: %w", checksum, err)
	}
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	d := want.Algorithm().Digester()
	if _, err := io.Copy(d.Hash(), f); err != nil {
		return err
	}
	if got := d.Digest(); got != want {
		return fmt.Errorf("ADD %s: %w: want %s, got %s", src, ErrChecksum, want, got)
	}
	return nil
}
