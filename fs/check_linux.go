package fs

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// Check reads a layer's tar (as Reassemble rebuilds it from dir) and
// returns the first entry whose file in dir no longer is what Unpack made
// of it: another type, owner, permission or file mtime, or a lost
// whiteout or opaque marker, as a copy or a CI cache restore by a tool
// that keeps neither ownership nor xattrs nor device nodes leaves it. ""
// means the tree is as Unpack left it. The last entry of a name counts,
// as in Unpack. Paths are resolved inside dir (os.Root), so a tree whose
// directories were replaced by symlinks sends no check outside it.
func Check(dir string, r io.Reader, o Options) (string, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return "", err
	}
	defer root.Close()
	type want struct {
		hdr      *tar.Header
		whiteout bool
		opaque   bool
	}
	entries := map[string]want{}
	var order []string
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", err
		}
		name := strings.TrimPrefix(cleanName(hdr.Name), "/")
		if isAUFSMeta("/"+name) || name == "" {
			continue
		}
		base := path.Base(name)
		w := want{hdr: hdr}
		switch {
		case base == opaqueMarker:
			name, w = path.Dir(name), want{opaque: true}
		case strings.HasPrefix(base, whiteoutPrefix):
			name, w = path.Join(path.Dir(name), base[len(whiteoutPrefix):]), want{whiteout: true}
		}
		if _, seen := entries[name]; !seen {
			order = append(order, name)
		}
		if prev, ok := entries[name]; ok && prev.opaque && w.hdr != nil && w.hdr.Typeflag == tar.TypeDir {
			w.opaque = true // a directory entry after its opaque marker keeps it
		}
		entries[name] = w
	}
	for _, name := range order {
		w := entries[name]
		if name == "." {
			continue
		}
		fi, err := root.Lstat(name)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) && w.hdr != nil && isDevice(w.hdr) && o.Rootless {
				continue // skipped by Unpack
			}
			return name + ": " + err.Error(), nil
		}
		st, _ := fi.Sys().(*syscall.Stat_t)
		if st == nil {
			return "", fmt.Errorf("check %s: no stat", name)
		}
		switch {
		case w.whiteout:
			if st.Mode&unix.S_IFMT != unix.S_IFCHR || st.Rdev != 0 {
				return name + ": whiteout lost", nil
			}
			continue
		case w.opaque && w.hdr == nil:
			if !hasXattr(root, name, o.opaqueXattr()) {
				return name + ": opaque marker lost", nil
			}
			continue
		case w.opaque:
			if !hasXattr(root, name, o.opaqueXattr()) {
				return name + ": opaque marker lost", nil
			}
		}
		if msg := compare(w.hdr, st, o); msg != "" {
			return name + ": " + msg, nil
		}
	}
	return "", nil
}

func isDevice(h *tar.Header) bool {
	return h.Typeflag == tar.TypeChar || h.Typeflag == tar.TypeBlock
}

// compare checks one entry's file against its header.
func compare(h *tar.Header, st *syscall.Stat_t, o Options) string {
	var typ uint32
	switch h.Typeflag {
	case tar.TypeReg, tar.TypeGNUSparse, tar.TypeLink:
		typ = unix.S_IFREG
	case tar.TypeDir:
		typ = unix.S_IFDIR
	case tar.TypeSymlink:
		typ = unix.S_IFLNK
	case tar.TypeFifo:
		typ = unix.S_IFIFO
	case tar.TypeChar:
		typ = unix.S_IFCHR
	case tar.TypeBlock:
		typ = unix.S_IFBLK
	default:
		return ""
	}
	if st.Mode&unix.S_IFMT != typ {
		return fmt.Sprintf("type %o, want %o", st.Mode&unix.S_IFMT, typ)
	}
	if h.Typeflag == tar.TypeLink || h.Typeflag == tar.TypeSymlink {
		return "" // a hard link is its target's; a symlink's mode means nothing
	}
	if !o.Rootless && (int(st.Uid) != h.Uid || int(st.Gid) != h.Gid) {
		return fmt.Sprintf("owner %d:%d, want %d:%d", st.Uid, st.Gid, h.Uid, h.Gid)
	}
	perm := uint32(0o777)
	if !o.Rootless {
		perm = 0o7777
	}
	if st.Mode&perm != uint32(h.Mode)&perm {
		return fmt.Sprintf("mode %o, want %o", st.Mode&perm, uint32(h.Mode)&perm)
	}
	if typ == unix.S_IFREG && st.Mtim.Sec != h.ModTime.Unix() {
		return fmt.Sprintf("mtime %d, want %d", st.Mtim.Sec, h.ModTime.Unix())
	}
	return ""
}

func hasXattr(root *os.Root, name, key string) bool {
	f, err := root.Open(name)
	if err != nil {
		return false
	}
	defer f.Close()
	n, err := unix.Fgetxattr(int(f.Fd()), key, make([]byte, 8))
	return err == nil && n > 0
}
