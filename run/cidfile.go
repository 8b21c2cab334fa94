package run

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// cidFile is --cidfile: made, empty, before the container is created so
// that a file already there (another container's) fails the run before
// anything is made, as Docker's CLI does; the ID is written once known,
// and the file removed if the container never was.
type cidFile struct {
	f *os.File
}

func newCIDFile(path string) (*cidFile, error) {
	if path == "" {
		return &cidFile{}, nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("container ID file found, make sure the other container isn't running or delete %s", path)
	}
	if err != nil {
		return nil, fmt.Errorf("create the container ID file: %w", err)
	}
	return &cidFile{f: f}, nil
}

// write records id, or with an empty id (no container) removes the file.
func (c *cidFile) write(id string) error {
	if c.f == nil {
		return nil
	}
	defer c.f.Close()
	if id == "" {
		return os.Remove(c.f.Name())
	}
	if _, err := c.f.WriteString(id); err != nil {
		return fmt.Errorf("write the container ID file: %w", err)
	}
	return nil
}
