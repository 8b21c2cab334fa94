package build

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// walkTree calls fn for top (whose lstat is fi) and everything below it
// in filepath.WalkDir's order: each directory before its entries, the
// entries by name, each with its lstat; fn returning filepath.SkipDir
// for a directory skips what it holds. The tree is listed first on a
// few goroutines, each directory opened without following a link and
// its entries stat'ed through its descriptor (fstatat), so that a
// no-change rebuild's walk of a context of thousands of files costs a
// few milliseconds rather than a path lookup per file in a row. skip
// tells the listing which directories fn will skip (it may be called
// from several goroutines at once, never for top); a directory it
// left out that fn enters after all is listed then. sized, when not
// nil, is told how many files were listed before fn is first called.
func walkTree(top string, fi os.FileInfo, skip func(p string) bool, sized func(n int), fn func(p string, fi os.FileInfo) error) error {
	root := &walkNode{fi: fi}
	if fi.IsDir() {
		l := &lister{skip: skip, sem: make(chan struct{}, 2*runtime.GOMAXPROCS(0))}
		l.list(root, top)
		l.wg.Wait()
		if sized != nil {
			sized(int(l.n.Load()) + 1)
		}
	}
	err := visit(root, top, fn)
	if errors.Is(err, filepath.SkipDir) || errors.Is(err, filepath.SkipAll) {
		return nil
	}
	return err
}

// walkNode is a file of the tree, with its entries once listed.
type walkNode struct {
	name   string
	fi     os.FileInfo
	kids   []*walkNode
	listed bool
	err    error // listing the directory failed
}

type lister struct {
	skip func(p string) bool
	sem  chan struct{}
	wg   sync.WaitGroup
	n    atomic.Int64 // entries listed
}

// list reads directory n at p and goes on into its subdirectories, on
// a new goroutine while fewer than sem's capacity run, else in place.
func (l *lister) list(n *walkNode, p string) {
	n.listed = true
	n.kids, n.err = listDir(p, n.fi)
	l.n.Add(int64(len(n.kids)))
	for _, k := range n.kids {
		if !k.fi.IsDir() {
			continue
		}
		kp := filepath.Join(p, k.name)
		if l.skip != nil && l.skip(kp) {
			continue
		}
		select {
		case l.sem <- struct{}{}:
			l.wg.Add(1)
			go func() {
				defer l.wg.Done()
				defer func() { <-l.sem }()
				l.list(k, kp)
			}()
		default:
			l.list(k, kp)
		}
	}
}

// listDir opens directory p, refusing a link or a directory other than
// the one lstat saw (swapped since), and stats its entries by name.
func listDir(p string, want os.FileInfo) ([]*walkNode, error) {
	fd, err := unix.Open(p, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: p, Err: err}
	}
	f := os.NewFile(uintptr(fd), p)
	defer f.Close()
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return nil, &fs.PathError{Op: "fstat", Path: p, Err: err}
	}
	if w := statT(want); w != nil && (uint64(w.Dev) != uint64(st.Dev) || w.Ino != st.Ino) {
		return nil, &fs.PathError{Op: "open", Path: p, Err: errors.New("directory changed during the walk")}
	}
	names, err := f.Readdirnames(-1)
	if err != nil {
		return nil, err
	}
	slices.Sort(names)
	// One allocation of each per directory, not per file.
	nodes := make([]walkNode, len(names))
	infos := make([]statInfo, len(names))
	kids := make([]*walkNode, 0, len(names))
	for i, name := range names {
		if err := unix.Fstatat(fd, name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
			if errors.Is(err, unix.ENOENT) {
				continue // removed since it was listed, as WalkDir skips it
			}
			return nil, &fs.PathError{Op: "lstat", Path: filepath.Join(p, name), Err: err}
		}
		infos[i].set(name, &st)
		nodes[i] = walkNode{name: name, fi: &infos[i]}
		kids = append(kids, &nodes[i])
	}
	return kids, nil
}

// visit calls fn for n at p and then, for a directory, for its entries.
func visit(n *walkNode, p string, fn func(p string, fi os.FileInfo) error) error {
	if err := fn(p, n.fi); err != nil {
		if errors.Is(err, filepath.SkipDir) && n.fi.IsDir() {
			return nil
		}
		return err
	}
	if !n.fi.IsDir() {
		return nil
	}
	if !n.listed {
		n.listed = true
		n.kids, n.err = listDir(p, n.fi)
	}
	if n.err != nil {
		return n.err
	}
	for _, k := range n.kids {
		if err := visit(k, filepath.Join(p, k.name), fn); err != nil {
			return err
		}
	}
	return nil
}

// statInfo is an lstat result as os.Lstat gives it: Sys is a
// *syscall.Stat_t.
type statInfo struct {
	name string
	st   syscall.Stat_t
}

func (s *statInfo) set(name string, st *unix.Stat_t) {
	*s = statInfo{name: name, st: syscall.Stat_t{
		Dev: st.Dev, Ino: st.Ino, Nlink: st.Nlink, Mode: st.Mode, Uid: st.Uid, Gid: st.Gid,
		Rdev: st.Rdev, Size: st.Size, Blksize: st.Blksize, Blocks: st.Blocks,
		Atim: syscall.Timespec{Sec: st.Atim.Sec, Nsec: st.Atim.Nsec},
		Mtim: syscall.Timespec{Sec: st.Mtim.Sec, Nsec: st.Mtim.Nsec},
		Ctim: syscall.Timespec{Sec: st.Ctim.Sec, Nsec: st.Ctim.Nsec},
	}}
}

func (s *statInfo) Name() string       { return s.name }
func (s *statInfo) Size() int64        { return s.st.Size }
func (s *statInfo) ModTime() time.Time { return time.Unix(s.st.Mtim.Sec, s.st.Mtim.Nsec) }
func (s *statInfo) IsDir() bool        { return s.Mode().IsDir() }
func (s *statInfo) Sys() any           { return &s.st }

// Mode is the mode os.Lstat would give.
func (s *statInfo) Mode() fs.FileMode {
	m := fs.FileMode(s.st.Mode & 0o777)
	switch s.st.Mode & syscall.S_IFMT {
	case syscall.S_IFBLK:
		m |= fs.ModeDevice
	case syscall.S_IFCHR:
		m |= fs.ModeDevice | fs.ModeCharDevice
	case syscall.S_IFDIR:
		m |= fs.ModeDir
	case syscall.S_IFIFO:
		m |= fs.ModeNamedPipe
	case syscall.S_IFLNK:
		m |= fs.ModeSymlink
	case syscall.S_IFSOCK:
		m |= fs.ModeSocket
	}
	if s.st.Mode&syscall.S_ISGID != 0 {
		m |= fs.ModeSetgid
	}
	if s.st.Mode&syscall.S_ISUID != 0 {
		m |= fs.ModeSetuid
	}
	if s.st.Mode&syscall.S_ISVTX != 0 {
		m |= fs.ModeSticky
	}
	return m
}
