package build

import (
	"archive/tar"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path"
	"strconv"
	"strings"
	"time"

	securejoin "github.com/cyphar/filepath-securejoin"
	"golang.org/x/sys/unix"

	"pocket/trace"
)

// copyPlan is a COPY or ADD resolved against the image: what goes where.
type copyPlan struct {
	entries []entry
	dest    string // resolved inside the image, absolute
	parents []tar.Header
	uid     int
	gid     int
	chown   bool
	mode    *int64 // --chmod
	epoch   *time.Time
}

// resolveDest resolves dest (absolute, cleaned) inside the image's
// merged layers without following any symlink out of it: a symlink in
// the image is resolved as if the image's root were "/", as Docker
// does (CVE-2014-6407, CVE-2018-15664: the classic builder's copy
// followed symlinks planted in the image).
func resolveDest(lfs *layerFS, dest string) (string, error) {
	p, err := securejoin.SecureJoinVFS("/", dest, lfs)
	if err != nil {
		return "", fmt.Errorf("resolve %s in the image: %w", dest, err)
	}
	return p, nil
}

// parentHeaders are the directory entries from / down to dir: each as
// the image has it, or a new 0755 root directory.
func parentHeaders(lfs *layerFS, dir string, epoch *time.Time) []tar.Header {
	var hs []tar.Header
	cur := "/"
	for _, part := range strings.Split(strings.Trim(dir, "/"), "/") {
		if part == "" {
			continue
		}
		cur = path.Join(cur, part)
		h := tar.Header{Typeflag: tar.TypeDir, Name: strings.TrimPrefix(cur, "/") + "/", Mode: 0o755, ModTime: clamp(time.Unix(0, 0), epoch)}
		if fi, err := lfs.Lstat(cur); err == nil && fi.IsDir() {
			h.Mode = int64(unixMode(fi))
			h.ModTime = clamp(fi.ModTime(), epoch)
			if st := statT(fi); st != nil {
				h.Uid, h.Gid = int(st.Uid), int(st.Gid)
			}
		}
		hs = append(hs, h)
	}
	return hs
}

// eachHeader calls fn with the final tar header of each of the plan's
// parents (e nil) and entries, in order; h is fn's to change, a copy
// made for the call. Nothing is collected: a plan of thousands of
// entries is neither copied nor kept twice.
func (c *copyPlan) eachHeader(fn func(h *tar.Header, e *entry) error) error {
	// One header for every call: fn's pointer makes it escape, and a
	// copy per entry would be thousands of allocations.
	h := new(tar.Header)
	for i := range c.parents {
		*h = c.parents[i]
		if err := fn(h, nil); err != nil {
			return err
		}
	}
	for i := range c.entries {
		e := &c.entries[i]
		name := c.dest
		if e.rel != "." {
			name = path.Join(c.dest, e.rel)
		}
		if name == "/" {
			continue
		}
		*h = e.hdr
		h.Name = strings.TrimPrefix(name, "/")
		if h.Typeflag == tar.TypeDir {
			h.Name += "/"
		}
		// Docker: copied files belong to 0:0 unless --chown says.
		h.Uid, h.Gid = 0, 0
		if c.chown {
			h.Uid, h.Gid = c.uid, c.gid
		}
		if c.mode != nil && h.Typeflag != tar.TypeSymlink {
			h.Mode = *c.mode
		}
		h.ModTime = clamp(h.ModTime, c.epoch)
		if err := fn(h, e); err != nil {
			return err
		}
	}
	return nil
}

// digest is the cache key part of the sources: paths, types, modes,
// owners, link targets and contents, never times. A plan whose every
// line and every file's identity (device, inode, size, mtime, ctime:
// what the memo keys a content digest by) are those of a plan digested
// before has that plan's digest, remembered by the memo: a no-change
// rebuild reads neither a file nor the per-file memo.
func (c *copyPlan) digest(memo *hashMemo) (string, error) {
	defer trace.Span("build: COPY hash sources")()
	ident := sha256.New()
	ident.Write([]byte("pocket-copy-plan-v1\n"))
	known := true
	buf := make([]byte, 0, 256)
	c.eachHeader(func(hd *tar.Header, e *entry) error {
		buf = appendLine(buf[:0], hd)
		if e != nil && (e.src != "" || e.data != nil) {
			switch {
			case e.data != nil:
				s := sha256.Sum256(e.data)
				buf = hex.AppendEncode(append(buf, " data:"...), s[:])
			case e.memo != "":
				buf = append(append(buf, " file:"...), e.memo...)
			default:
				known = false
			}
		}
		ident.Write(append(buf, '\n'))
		return nil
	})
	var id string
	if known {
		id = hex.EncodeToString(ident.Sum(nil))
		if sum, ok := memo.plan(id, c.entries); ok {
			return sum, nil
		}
	}
	memo.prefetch(c.entries)
	h := sha256.New()
	err := c.eachHeader(func(hd *tar.Header, e *entry) error {
		buf = appendLine(buf[:0], hd)
		if e != nil {
			sum, err := memo.sum(*e)
			if err != nil {
				return err
			}
			buf = append(append(buf, ' '), sum...)
		}
		h.Write(append(buf, '\n'))
		return nil
	})
	if err != nil {
		return "", err
	}
	sum := hex.EncodeToString(h.Sum(nil))
	if known {
		memo.setPlan(id, sum)
	}
	return sum, nil
}

// appendLine appends the fields of hd the digest covers.
func appendLine(b []byte, hd *tar.Header) []byte {
	b = strconv.AppendQuote(b, hd.Name)
	b = append(b, ' ', hd.Typeflag, ' ')
	b = strconv.AppendInt(b, hd.Mode, 8)
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(hd.Uid), 10)
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(hd.Gid), 10)
	b = append(b, ' ')
	return strconv.AppendQuote(b, hd.Linkname)
}

// writeTar writes the layer: parent directories, then the entries, the
// content of each regular file read through an O_NOFOLLOW open.
func (c *copyPlan) writeTar(w io.Writer) error {
	tw := tar.NewWriter(w)
	err := c.eachHeader(func(hd *tar.Header, e *entry) error {
		hd.Format = tar.FormatPAX
		if hd.Typeflag != tar.TypeReg {
			hd.Size = 0
		}
		var content io.Reader
		if e != nil && hd.Typeflag == tar.TypeReg {
			if e.data != nil {
				content = strings.NewReader(string(e.data))
				hd.Size = int64(len(e.data))
			} else {
				f, err := openNoFollow(e.src)
				if err != nil {
					return err
				}
				defer f.Close()
				fi, err := f.Stat()
				if err != nil {
					return err
				}
				hd.Size = fi.Size()
				content = io.LimitReader(f, hd.Size)
			}
		}
		if err := tw.WriteHeader(hd); err != nil {
			return err
		}
		if content != nil {
			if n, err := io.Copy(tw, content); err != nil {
				return err
			} else if n != hd.Size {
				return fmt.Errorf("copy %s: file changed while read", hd.Name)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return tw.Close()
}

func openNoFollow(p string) (*os.File, error) {
	fd, err := unix.Open(p, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: p, Err: err}
	}
	return os.NewFile(uintptr(fd), p), nil
}

func clamp(t time.Time, epoch *time.Time) time.Time {
	if epoch != nil && (t.After(*epoch) || t.IsZero()) {
		return *epoch
	}
	if t.IsZero() {
		return time.Unix(0, 0)
	}
	return t
}

// parseChmod reads --chmod's octal mode.
func parseChmod(s string) (*int64, error) {
	if s == "" {
		return nil, nil
	}
	n, err := strconv.ParseUint(s, 8, 32)
	if err != nil || n > 0o7777 {
		return nil, fmt.Errorf("invalid --chmod %q: an octal mode is needed", s)
	}
	m := int64(n)
	return &m, nil
}

// parseChown reads --chown USER[:GROUP], names looked up in the image's
// /etc/passwd and /etc/group as Docker does.
func parseChown(lfs *layerFS, s string) (uid, gid int, err error) {
	u, g, hasGroup := strings.Cut(s, ":")
	uid, gidOfUser, err := lookupID(lfs, "/etc/passwd", u, true)
	if err != nil {
		return 0, 0, err
	}
	if !hasGroup {
		return uid, gidOfUser, nil
	}
	gid, _, err = lookupID(lfs, "/etc/group", g, false)
	return uid, gid, err
}

func lookupID(lfs *layerFS, file, name string, user bool) (int, int, error) {
	if n, err := strconv.Atoi(name); err == nil && n >= 0 {
		if user {
			// A numeric user keeps the same group id, as in Docker.
			return n, n, nil
		}
		return n, 0, nil
	}
	p, err := resolveDest(lfs, file)
	if err == nil {
		var data []byte
		if data, err = lfs.readFile(p); err == nil {
			for _, line := range strings.Split(string(data), "\n") {
				f := strings.Split(line, ":")
				if len(f) < 3 || f[0] != name {
					continue
				}
				id, err := strconv.Atoi(f[2])
				if err != nil {
					break
				}
				g := 0
				if user && len(f) > 3 {
					g, _ = strconv.Atoi(f[3])
				}
				return id, g, nil
			}
		}
	}
	return 0, 0, fmt.Errorf("unable to convert uid/gid chown string to host mapping: can't find uid for user %s: no such user: %s", name, name)
}
