package rootfs

import (
	"errors"
	"io"
	"os"
)

// CopyUp asks for the image's content at Target to be copied into Dst, a
// volume's directory, if Dst is still empty.
type CopyUp struct {
	Target string // inside the container
	Dst    string // on the host
}

// isEmptyDir reports whether dir has no entries.
func isEmptyDir(dir string) (bool, error) {
	f, err := os.Open(dir)
	if err != nil {
		return false, err
	}
	defer f.Close()
	_, err = f.Readdirnames(1)
	if errors.Is(err, io.EOF) {
		return true, nil
	}
	return false, err
}
