package run

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"golang.org/x/term"

	"pocket/fs"
	"pocket/pull"
	"pocket/store"
)

// Export writes a container's filesystem, its image's layers and its
// changes merged, as one tar to w, as `docker export`. The layers and the
// upper directory are read as overlay would show them, never through the
// container's symlinks.
func Export(s *store.Store, idOrName string, w io.Writer) error {
	c, err := load(s, idOrName)
	if err != nil {
		return err
	}
	// The container's layers must outlive the read.
	release, err := s.Hold()
	if err != nil {
		return err
	}
	defer release()
	o := c.diffOptions(nil)
	dirs := append([]string{c.spec.Init.Rootfs.Upper}, c.spec.Init.Rootfs.Lower...)
	if err := fs.WriteMerged(w, dirs, o.OpaqueXattr); err != nil {
		return fmt.Errorf("export %s: %w", c.spec.Name, err)
	}
	return nil
}

// ExportFile is Export to path (written whole, then renamed into place),
// or to stdout when path is "", which must not be a terminal.
func ExportFile(s *store.Store, idOrName, path string) error {
	if path == "" {
		if term.IsTerminal(int(os.Stdout.Fd())) {
			return pull.ErrTerminal
		}
		return Export(s, idOrName, os.Stdout)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("export to %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	if err := Export(s, idOrName, tmp); err != nil {
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("export to %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("export to %s: %w", path, err)
	}
	return nil
}
