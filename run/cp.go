package run

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/docker/go-units"

	"pocket/cp"
	"pocket/rootfs"
	"pocket/store"
)

// CopyOptions are `pocket cp`'s arguments and flags, parsed.
type CopyOptions struct {
	Container     string // as the user named it
	FromContainer bool   // CONTAINER:SRC DEST, else SRC CONTAINER:DEST
	Src, Dst      string // "-" is a tar on stdin (Src) or stdout (Dst)
	FollowLink    bool   // -L: follow a symlink that is SRC itself
	Archive       bool   // -a: keep the source's uid/gid
	Quiet         bool   // -q, or stdout is not a terminal
}

// ParseCopy splits `pocket cp`'s two arguments as Docker's CLI does: a
// ':' names a container unless the argument is an absolute path or starts
// with '.' ("./file:name" is a local file).
func ParseCopy(src, dst string) (CopyOptions, error) {
	if src == "" {
		return CopyOptions{}, errors.New("source can not be empty")
	}
	if dst == "" {
		return CopyOptions{}, errors.New("destination can not be empty")
	}
	sc, sp := splitCopyArg(src)
	dc, dp := splitCopyArg(dst)
	switch {
	case sc != "" && dc != "":
		return CopyOptions{}, errors.New("copying between containers is not supported")
	case sc != "":
		return CopyOptions{Container: sc, FromContainer: true, Src: sp, Dst: dp}, nil
	case dc != "":
		return CopyOptions{Container: dc, Src: sp, Dst: dp}, nil
	}
	return CopyOptions{}, errors.New("must specify at least one container source")
}

func splitCopyArg(arg string) (container, path string) {
	if strings.HasPrefix(arg, "/") {
		return "", arg
	}
	c, p, ok := strings.Cut(arg, ":")
	if !ok || strings.HasPrefix(c, ".") {
		return "", arg
	}
	return c, p
}

// Copy copies between a container, running or not, and the host, as
// `docker cp`: the same path rules ("dir/." copies the contents, a file
// into a directory keeps its name, a directory to a missing path takes
// that name), a tar on stdout or stdin for "-", and on a terminal the
// "Successfully copied" line on stderr.
func Copy(s *store.Store, o CopyOptions, stdin io.Reader, stdout, stderr io.Writer) error {
	var (
		n       counter
		summary string
		err     error
	)
	if o.FromContainer {
		summary, err = copyFrom(s, o, stdout, &n)
	} else {
		summary, err = copyTo(s, o, stdin, &n)
	}
	if err == nil && !o.Quiet && summary != "" {
		fmt.Fprint(stderr, summary)
	}
	return err
}

// counter counts the bytes of a copy's tar stream and files.
type counter struct {
	tar, content int64
}

func (c *counter) summary(content int64, dest string) string {
	if content != c.tar {
		return fmt.Sprintf("Successfully copied %s (transferred %s) to %s\n",
			units.HumanSizeWithPrecision(float64(content), 3), units.HumanSizeWithPrecision(float64(c.tar), 3), dest)
	}
	return fmt.Sprintf("Successfully copied %s to %s\n", units.HumanSizeWithPrecision(float64(content), 3), dest)
}

type countWriterTo struct {
	w io.Writer
	n *int64
}

func (c countWriterTo) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	*c.n += int64(n)
	return n, err
}

// copyFrom copies SRC in the container to DEST on the host (or stdout).
func copyFrom(s *store.Store, o CopyOptions, stdout io.Writer, n *counter) (string, error) {
	var summary string
	err := withContainerRoot(s, o.Container, false, func(c *container, root *os.File) error {
		src := cp.Clean(o.Src)
		dir, base, info, err := cp.Lstat(root, src)
		if err == nil && !info.Exists {
			dir.Close()
			err = cp.ErrNotFound
		}
		if errors.Is(err, cp.ErrNotFound) {
			return &copyNotFound{o.Src, o.Container}
		}
		if err != nil {
			return err
		}
		defer func() { dir.Close() }()
		name := base
		if o.FollowLink && info.IsLink() {
			// As Docker's CLI: one link, relative to its directory, the
			// archive keeping the link's name.
			target := info.Link
			if !filepath.IsAbs(target) {
				d, _ := cp.Split(src)
				target = filepath.Join(d, target)
			}
			dir.Close()
			dir, base, info, err = cp.Lstat(root, cp.Clean(target))
			if err == nil && !info.Exists {
				dir.Close()
				err = cp.ErrNotFound
			}
			if errors.Is(err, cp.ErrNotFound) {
				dir = nil
				return &copyNotFound{target, o.Container}
			}
			if err != nil {
				return err
			}
		}
		if cp.AssertsDir(src) && !info.IsDir {
			return cp.ErrNotDirectory
		}
		if o.Dst == "-" {
			return cp.WriteTar(stdout, dir, base, name)
		}
		dst, err := filepath.Abs(o.Dst)
		if err != nil {
			return err
		}
		if cp.AssertsDir(o.Dst) {
			dst += "/"
		}
		into, opts, err := hostDestination(dst, info.IsDir, name)
		if err != nil {
			return err
		}
		defer into.Close()
		if err := pipe(n, func(w io.Writer) error { return cp.WriteTar(w, dir, base, name) },
			func(r io.Reader) error { return cp.Extract(r, into, opts) }); err != nil {
			return err
		}
		content := n.tar
		if !info.IsDir {
			content = info.Size
		}
		summary = n.summary(content, dst)
		return nil
	})
	return summary, err
}

// hostDestination opens where a copy from a container lands on the host
// and how the archive's top entry is renamed (moby's
// CopyInfoDestinationPath and PrepareArchiveCopy). The host's paths are
// the user's and followed; what arrives from the container is not (see
// cp.Extract), and set-id bits and device nodes are dropped: pocket
// writes as root.
func hostDestination(dst string, srcIsDir bool, name string) (*os.File, cp.ExtractOptions, error) {
	o := cp.ExtractOptions{NoChown: true, NoSetID: true, NoDevices: true}
	fi, err := os.Stat(dst)
	exists := err == nil
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, o, err
	}
	parent, base := filepath.Dir(filepath.Clean(dst)), filepath.Base(filepath.Clean(dst))
	if exists {
		// A symlink at DEST is followed, as Docker does.
		if real, err := filepath.EvalSymlinks(dst); err == nil {
			parent, base = filepath.Dir(real), filepath.Base(real)
		}
	}
	into := parent
	switch {
	case exists && fi.IsDir():
		into = dst
	case exists && srcIsDir:
		return nil, o, cp.ErrCannotCopyDir
	case !exists && !srcIsDir && cp.AssertsDir(dst):
		return nil, o, cp.ErrDirNotExists
	default:
		o.From, o.To = name, base
		pfi, err := os.Stat(parent)
		if err != nil {
			return nil, o, err
		}
		if !pfi.IsDir() {
			return nil, o, cp.ErrNotDirectory
		}
	}
	f, err := os.OpenFile(into, os.O_RDONLY|syscall.O_DIRECTORY, 0)
	if err != nil {
		return nil, o, err
	}
	return f, o, nil
}

// copyTo copies SRC on the host (or a tar on stdin) to DEST in the
// container.
func copyTo(s *store.Store, o CopyOptions, stdin io.Reader, n *counter) (string, error) {
	var (
		srcDir           *os.File
		srcBase, srcName string
		srcIsDir         bool
		content          int64
		contentKnown     bool
	)
	if o.Src != "-" {
		src, err := filepath.Abs(o.Src)
		if err != nil {
			return "", err
		}
		if strings.HasSuffix(o.Src, "/.") || o.Src == "." {
			src += "/."
		}
		fi, err := os.Lstat(src)
		if err != nil {
			return "", err
		}
		d, b := cp.Split(src)
		srcName = b
		if o.FollowLink && fi.Mode()&os.ModeSymlink != 0 {
			real, err := filepath.EvalSymlinks(src)
			if err != nil {
				return "", err
			}
			d, b = cp.Split(real)
			if fi, err = os.Lstat(real); err != nil {
				return "", err
			}
		}
		if srcDir, err = os.OpenFile(d, os.O_RDONLY|syscall.O_DIRECTORY, 0); err != nil {
			return "", err
		}
		defer srcDir.Close()
		srcBase, srcIsDir = b, fi.IsDir()
		content, contentKnown = localSize(filepath.Join(d, b)), true
	}
	var summary string
	err := withContainerRoot(s, o.Container, true, func(c *container, root *os.File) error {
		dst := cp.Clean(o.Dst)
		// As Docker's CLI: a symlink at DEST is followed once, relative
		// to its directory; inside the container's root, like every path.
		d, _, info, err := cp.Lstat(root, dst)
		if err == nil {
			d.Close()
			if info.IsLink() {
				target := info.Link
				if !filepath.IsAbs(target) {
					p, _ := cp.Split(dst)
					target = filepath.Join(p, target)
				}
				dst = cp.Clean(target)
				if d, _, info, err = cp.Lstat(root, dst); err == nil {
					d.Close()
				}
			}
		}
		if err != nil {
			info = cp.Info{}
		}
		if info.Exists && !info.IsDir && info.Mode&0o170000 != 0o100000 {
			return fmt.Errorf("destination \"%s:%s\" must be a directory or a regular file", o.Container, o.Dst)
		}
		into, base := cp.Split(dst)
		opts := cp.ExtractOptions{}
		if !o.Archive {
			opts.Owner = &[2]int{0, 0} // the container's root, as Docker
		}
		switch {
		case o.Src == "-":
			if !info.IsDir {
				return fmt.Errorf("destination \"%s:%s\" must be a directory", o.Container, o.Dst)
			}
			into = dst
		case info.Exists && info.IsDir:
			into = dst
		case info.Exists && srcIsDir:
			return cp.ErrCannotCopyDir
		case !info.Exists && !srcIsDir && cp.AssertsDir(dst):
			return cp.ErrDirNotExists
		default:
			opts.From, opts.To = srcName, base
		}
		dir, err := cp.OpenDir(root, into)
		if errors.Is(err, os.ErrNotExist) {
			return &copyNotFound{into, o.Container}
		}
		if errors.Is(err, syscall.ENOTDIR) {
			return errors.New("extraction point is not a directory")
		}
		if err != nil {
			return err
		}
		defer dir.Close()
		if err := checkWritable(c, dir); err != nil {
			return err
		}
		if o.Src == "-" {
			return cp.Extract(stdin, dir, opts)
		}
		if err := pipe(n, func(w io.Writer) error { return cp.WriteTar(w, srcDir, srcBase, srcName) },
			func(r io.Reader) error { return cp.Extract(r, dir, opts) }); err != nil {
			return err
		}
		if !contentKnown {
			content = n.tar
		}
		summary = n.summary(content, o.Container+":"+dst)
		return nil
	})
	return summary, err
}

// pipe runs a tar writer and reader together, counting the stream.
func pipe(n *counter, write func(io.Writer) error, read func(io.Reader) error) error {
	pr, pw := io.Pipe()
	errc := make(chan error, 1)
	go func() {
		err := write(countWriterTo{pw, &n.tar})
		pw.CloseWithError(err)
		errc <- err
	}()
	rerr := read(pr)
	pr.CloseWithError(errors.New("copy stopped"))
	werr := <-errc
	if rerr != nil {
		return rerr
	}
	return werr
}

// localSize sums the regular files at p, as Docker's CLI reports them.
func localSize(p string) int64 {
	var total int64
	filepath.WalkDir(p, func(_ string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				total += fi.Size()
			}
		}
		return nil
	})
	return total
}

// withContainerRoot calls fn with the container's root directory open:
// a running container's through its init's /proc/PID/root (its own mount
// namespace, volumes included), a stopped one's mounted privately, volumes
// and bind mounts too, for the call while the container is kept from
// starting.
func withContainerRoot(s *store.Store, idOrName string, write bool, fn func(c *container, root *os.File) error) error {
	for range 2 {
		c, err := load(s, idOrName)
		if err != nil {
			return err
		}
		if c.state.Status == statusRunning {
			root, err := runningRoot(s, c)
			if errors.Is(err, ErrNotRunning) {
				continue // it ended meanwhile: copy as for a stopped one
			}
			if err != nil {
				return err
			}
			defer root.Close()
			return fn(c, root)
		}
		// The monitor's lock: no start begins while the upper
		// directory is mounted here (overlay must not mount it twice).
		unlock, ok, err := s.TryLock(monitorLock(c.spec.ID))
		if err != nil {
			return err
		}
		if !ok {
			continue // starting: copy through the running container
		}
		defer unlock()
		if write && c.spec.ReadOnly {
			return errors.New("container rootfs is marked read-only")
		}
		release, err := s.Hold()
		if err != nil {
			return err
		}
		defer release()
		// Its volumes, as a start holds them: no volume rm meanwhile.
		releaseVolumes, err := useVolumes(s, c.spec.Mounts)
		if err != nil {
			return err
		}
		defer releaseVolumes()
		return rootfs.WithContainer(c.spec.Init.Rootfs, c.spec.Init.Mounts, func(root *os.File) error { return fn(c, root) })
	}
	return fmt.Errorf("container %s: started or stopped during the copy, try again", idOrName)
}
