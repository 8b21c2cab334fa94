package store

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	pfs "pocket/fs"
)

// layerChecked records the layer tree that was last found intact: the
// device, inode and change time of its diff directory. A store copied,
// untarred or restored from a CI cache has new inodes (and a chown or
// chmod a new change time), so its layers are checked again on first use;
// an untouched store costs one stat and one small read per layer.
const layerChecked = "checked"

// stamped reports whether the layer was checked (or made) as it is now.
func (s *Store) stamped(hexID string) bool {
	want, err := treeStamp(s.path("layers", hexID))
	if err != nil {
		return false
	}
	got, err := os.ReadFile(s.path("layers", hexID, layerChecked))
	return err == nil && string(got) == want
}

// stamp records the layer in directory dir as checked.
func stamp(dir string) error {
	st, err := treeStamp(dir)
	if err != nil {
		return err
	}
	// Not synced: a stamp lost to a crash costs one more check.
	return os.WriteFile(dir+"/"+layerChecked, []byte(st), 0o600)
}

// CheckLayer makes sure a stored layer is what its diffID says before it
// is used, once per copy of the store: a layer whose tree is not the one
// last checked (see layerChecked) is rebuilt from its tar-split metadata
// and hashed. Content that does not hash to diffID (a file missing,
// truncated or changed) makes the layer removed and ErrLayerDamaged
// returned, so a pull fetches it again; it is never used. Metadata lost on
// the way (owners, modes, mtimes, whiteouts, opaque markers, which a CI
// cache's tar may drop) is restored by unpacking the layer again from its
// own verified tar, with o as a pull would unpack it.
func (s *Store) CheckLayer(diffID v1.Hash, o pfs.Options) error {
	if err := checkHash(diffID); err != nil {
		return fmt.Errorf("check layer: %w", err)
	}
	if !s.HasLayer(diffID) {
		return fmt.Errorf("check layer %s: %w", diffID, ErrLayerUnknown)
	}
	if s.stamped(diffID.Hex) {
		return nil
	}
	unlock, err := s.Lock(layerLockP + diffID.Hex)
	if err != nil {
		return fmt.Errorf("check layer %s: %w", diffID, err)
	}
	defer unlock()
	if s.stamped(diffID.Hex) {
		return nil
	}
	problem, err := s.verifyLayer(diffID, o)
	if err != nil {
		// The content is not the layer's: it must not be used again.
		if rerr := s.dropLayer(diffID.Hex); rerr != nil {
			return fmt.Errorf("check layer %s: %w: %v (and removing it: %v)", diffID, ErrLayerDamaged, err, rerr)
		}
		return fmt.Errorf("check layer %s: %w: %v", diffID, ErrLayerDamaged, err)
	}
	if problem != "" {
		if err := s.rebuildLayer(diffID, o); err != nil {
			return fmt.Errorf("check layer %s: restore %s: %w", diffID, problem, err)
		}
		return nil
	}
	if err := stamp(s.path("layers", diffID.Hex)); err != nil {
		return fmt.Errorf("check layer %s: %w", diffID, err)
	}
	return nil
}

// verifyLayer rebuilds the layer's tar, checks it hashes to diffID (err
// otherwise) and compares the tree with it (problem names what differs).
func (s *Store) verifyLayer(diffID v1.Hash, o pfs.Options) (problem string, err error) {
	rc, err := s.layerTar(diffID, pfs.ReassembleForDigest)
	if err != nil {
		return "", err
	}
	defer rc.Close()
	h := sha256.New()
	tee := io.TeeReader(rc, h)
	problem, err = pfs.Check(s.LayerDir(diffID), tee, o)
	if err != nil {
		return "", err
	}
	if _, err := io.Copy(io.Discard, tee); err != nil {
		return "", err
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != diffID.Hex {
		return "", fmt.Errorf("%w: content is sha256:%s", ErrDigestMismatch, got)
	}
	return problem, nil
}

// rebuildLayer unpacks the layer again from its own tar (verified while
// read) into a new tree and swaps it in. The caller holds the layer lock.
func (s *Store) rebuildLayer(diffID v1.Hash, o pfs.Options) error {
	fill := func(diff string, meta io.Writer) (v1.Hash, error) {
		rc, err := s.LayerTar(diffID)
		if err != nil {
			return v1.Hash{}, err
		}
		defer rc.Close()
		d, err := pfs.UnpackDigest(rc, diff, meta, o)
		return v1.Hash{Algorithm: "sha256", Hex: d}, err
	}
	// The size recorded when the layer was first unpacked stands.
	size := func(diff string) (int64, error) {
		if n, err := s.layerBytes(diffID.Hex); err == nil {
			return n, nil
		}
		return pfs.Size(diff)
	}
	t, err := s.newLayer(diffID, fill, size)
	if err != nil {
		return err
	}
	defer t.release()
	old, err := s.newTemp()
	if err != nil {
		return err
	}
	defer old.release()
	final := s.path("layers", diffID.Hex)
	if err := os.Rename(final, old.path); err != nil {
		return err
	}
	if err := os.Rename(t.path, final); err != nil {
		return err
	}
	return syncDir(s.path("layers"))
}

// dropLayer removes a damaged layer: first out of sight (renamed into
// tmp), then its files.
func (s *Store) dropLayer(hexID string) error {
	t, err := s.newTemp()
	if err != nil {
		return err
	}
	defer t.release()
	if err := os.Rename(s.path("layers", hexID), t.path); err != nil {
		return err
	}
	return syncDir(s.path("layers"))
}
