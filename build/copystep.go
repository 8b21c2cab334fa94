package build

import (
	"archive/tar"
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"slices"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"

	pfs "pocket/fs"
	"pocket/privilege"
	"pocket/trace"
)

// copyCmd is what COPY and ADD share.
type copyCmd struct {
	text         string
	sd           instructions.SourcesAndDest
	from         string
	chown, chmod string
	add          bool
	exclude      []string // --exclude patterns
	parents      bool     // --parents: sources keep their path
	link         bool     // --link: a layer independent of the image below
	checksum     string   // ADD --checksum
	keepGitDir   bool     // ADD --keep-git-dir
	unpack       *bool    // ADD --unpack: nil for Docker's default (local tars only)
}

// layerFS is st's layers as one tree.
func (b *builder) layerFS(st *state) *layerFS {
	ids := st.diffIDs()
	l := &layerFS{}
	for i := len(ids) - 1; i >= 0; i-- {
		l.dirs = append(l.dirs, b.s.LayerDir(ids[i]))
	}
	return l
}

// copy is a COPY or ADD step: the layer is written directly as a tar of
// the sources at their place in the image; no container runs.
func (b *builder) copy(sr *stageRun, c copyCmd, cmd instructions.Command) error {
	lfs := b.layerFS(sr.st)
	cfg := &sr.st.cfg.Config
	dest := c.sd.DestPath
	destDir := strings.HasSuffix(dest, "/") || dest == "." || strings.HasSuffix(dest, "/.")
	if !path.IsAbs(dest) {
		dest = path.Join("/", cfg.WorkingDir, dest)
	}
	dest = path.Clean(dest)
	var entries []entry
	var fromID string
	var srcDirs int
	nsrc := len(c.sd.SourcePaths) + len(c.sd.SourceContents)
	if nsrc > 1 || c.parents {
		destDir = true
	}
	excl, err := excludeMatcher(c.exclude)
	if err != nil {
		return err
	}
	if c.link && chownByName(c.chown) {
		return fmt.Errorf("--chown=%s: user and group names can't be resolved when used with --link, use numeric uid[:gid] instead", c.chown)
	}
	if err := checkChecksum(c); err != nil {
		return fmt.Errorf("%s: %w", c.text, err)
	}
	for _, src := range c.sd.SourcePaths {
		var es []entry
		var isDir bool
		var err error
		switch {
		case c.parents && c.from != "":
			es, fromID, err = b.fromParents(c.from, src)
		case c.parents && !(c.add && isURL(src)):
			es, err = b.bc.parentsSources(src)
		case c.from != "":
			var id string
			es, isDir, id, err = b.fromSources(c.from, src)
			fromID = id
		case c.add && isGit(src):
			es, err = b.gitSource(src, c.checksum, c.keepGitDir)
			isDir = true
		case c.add && isURL(src):
			es, err = b.download(src)
			if err == nil && c.checksum != "" {
				err = verifyDownload(src, es[0].src, c.checksum)
			}
			if err == nil && c.unpack != nil && *c.unpack {
				// ADD --unpack=true: a downloaded archive is unpacked too.
				var ok bool
				if es, ok, err = b.extract(es[0]); ok {
					isDir = true
				}
			}
		default:
			es, isDir, err = b.bc.contextSources(src)
			if err == nil && c.add && (c.unpack == nil || *c.unpack) && len(es) == 1 && es[0].src != "" {
				var ok bool
				if es, ok, err = b.extract(es[0]); ok {
					isDir = true
				}
			}
		}
		if err != nil {
			return err
		}
		if isDir {
			srcDirs++
		}
		// The source directory itself is not copied, only what it
		// holds: dropped in place, as a lone source's entries become
		// the plan's without a copy of thousands of them.
		es = slices.DeleteFunc(exclude(es, excl), func(e entry) bool { return e.rel == "." && e.hdr.Typeflag == tar.TypeDir })
		if entries == nil {
			entries = es
		} else {
			entries = append(entries, es...)
		}
	}
	for _, sc := range c.sd.SourceContents {
		h := tar.Header{Typeflag: tar.TypeReg, Mode: 0o644, ModTime: b.now()}
		entries = append(entries, entry{rel: ".", base: path.Base(sc.Path), hdr: h, data: []byte(sc.Data)})
	}
	if srcDirs > 0 {
		destDir = true
	}
	// A linked layer reads nothing of the image: its destination is
	// taken as written, its parents are new directories.
	resolved := dest
	if !c.link {
		if resolved, err = resolveDest(lfs, dest); err != nil {
			return err
		}
	}
	if !destDir && !c.link {
		if fi, err := lfs.Lstat(resolved); err == nil && fi.IsDir() {
			destDir = true
		}
	}
	p := &copyPlan{dest: resolved, epoch: b.o.Epoch, entries: entries}
	for i := range p.entries {
		if e := &p.entries[i]; e.rel == "." && destDir {
			e.rel = e.base
		}
	}
	parentDir := resolved
	if !destDir {
		parentDir = path.Dir(resolved)
	}
	if c.link {
		p.parents = linkParents(parentDir, b.o.Epoch)
	} else {
		p.parents = parentHeaders(lfs, parentDir, b.o.Epoch)
	}
	if c.chown != "" {
		if p.uid, p.gid, err = parseChown(lfs, c.chown); err != nil {
			return err
		}
		p.chown = true
	}
	if p.mode, err = parseChmod(c.chmod); err != nil {
		return err
	}
	sum, err := p.digest(b.memo)
	if err != nil {
		return err
	}
	name := "COPY"
	if c.add {
		name = "ADD"
	}
	key := cacheKey(sr.st.key, name, c.sd.DestPath, c.chown, c.chmod, fromID, sum, b.platform())
	if hit, err := b.cached(sr, key); hit || err != nil {
		return err
	}
	var l *layerDesc
	var linkKey string
	if c.link {
		linkKey = cacheKey("", name+" --link", c.sd.DestPath, c.chown, c.chmod, fromID, sum, b.platform())
		l = b.linkedLayer(linkKey)
	}
	if l == nil {
		// The same step's layer of the last build that ran it: what of
		// it did not change is linked, not written again (fs.Options.Reuse).
		stepKey := cacheKey("", name+" files", b.bc.dir, c.text, b.platform())
		if l, err = b.storePlan(p, b.stepLayer(stepKey)); err != nil {
			return fmt.Errorf("%s: %w", c.text, err)
		}
		if err := b.s.SetStepLayer(stepKey, l.DiffID); err != nil {
			return err
		}
		if c.link {
			if err := b.saveLinked(linkKey, l); err != nil {
				return err
			}
		}
	}
	st := sr.st.next()
	st.key = key
	kind := "file"
	if destDir {
		kind = "dir"
	}
	createdBy := fmt.Sprintf("/bin/sh -c #(nop) %s %s:%s in %s ", name, kind, sum, c.sd.DestPath)
	if err := b.commit(st, createdBy, &l.Descriptor, l.DiffID); err != nil {
		return err
	}
	sr.st = st
	return nil
}

// storePlan writes p as a layer: the tar streams straight into
// fs.Unpack, which trusts no tar, in the directory the store keeps, and
// is hashed on the way for its diffID. It is neither written to a file
// nor compressed (a build's layers are compressed when pushed, as with
// Docker), so the descriptor has no digest.
//
// reuse is an earlier layer to link unchanged files from, or "".
func (b *builder) storePlan(p *copyPlan, reuse string) (*layerDesc, error) {
	diffID, err := b.s.CommitLayer(func(dir string, meta io.Writer) (v1.Hash, error) {
		defer trace.Span("layer: COPY tar into Unpack, tar-split")()
		if err := os.Mkdir(dir, 0o755); err != nil {
			return v1.Hash{}, err
		}
		pr, pw := io.Pipe()
		go func() {
			bw := bufio.NewWriterSize(pw, 64<<10)
			err := p.writeTar(bw)
			if err == nil {
				err = bw.Flush()
			}
			pw.CloseWithError(err)
		}()
		defer pr.Close()
		o := pfs.OptionsFor(privilege.Rootless())
		o.Reuse = reuse
		d, err := pfs.UnpackDigest(pr, dir, meta, o)
		return v1.Hash{Algorithm: "sha256", Hex: d}, err
	})
	if err != nil {
		return nil, err
	}
	return &layerDesc{Descriptor: v1.Descriptor{MediaType: types.DockerLayer}, DiffID: diffID}, nil
}

// stepLayer is the directory of the layer the step stepKey wrote last,
// or "" when there is none or the build is --no-cache: such a build
// writes every file, as it reads no earlier result.
func (b *builder) stepLayer(stepKey string) string {
	if b.o.NoCache {
		return ""
	}
	id, ok := b.s.StepLayer(stepKey)
	if !ok {
		return ""
	}
	return b.s.LayerDir(id)
}

// layerDesc is a stored layer's descriptor and diffID.
type layerDesc struct {
	v1.Descriptor
	DiffID v1.Hash
}

// mkdirLayer is the layer that makes dir (WORKDIR) and its missing
// parents, root-owned 0755 as in Docker, or nil when dir exists.
func (b *builder) mkdirLayer(st *state, dir string) (*v1.Descriptor, v1.Hash, error) {
	lfs := b.layerFS(st)
	resolved, err := resolveDest(lfs, dir)
	if err != nil {
		return nil, v1.Hash{}, err
	}
	if fi, err := lfs.Lstat(resolved); err == nil && fi.IsDir() {
		return nil, v1.Hash{}, nil
	}
	l, err := b.storePlan(&copyPlan{dest: resolved, parents: parentHeaders(lfs, resolved, b.o.Epoch), epoch: b.o.Epoch}, "")
	if err != nil {
		return nil, v1.Hash{}, fmt.Errorf("WORKDIR %s: %w", dir, err)
	}
	return &l.Descriptor, l.DiffID, nil
}

// fromSources reads src from a stage or an image (COPY --from): the
// image's merged tree is streamed by fs.WriteMerged and the entries at
// or below src are staged as files, so no path of the other image is
// ever opened on the host by name.
func (b *builder) fromSources(from, src string) ([]entry, bool, string, error) {
	st, err := b.stateFor(from)
	if err != nil {
		return nil, false, "", err
	}
	lfs := b.layerFS(st)
	want, err := resolveDest(lfs, path.Clean("/"+src))
	if err != nil {
		return nil, false, "", err
	}
	want = strings.TrimPrefix(want, "/")
	fi, err := lfs.Lstat("/" + want)
	if err != nil {
		return nil, false, "", fmt.Errorf("COPY --from=%s %s: not found", from, src)
	}
	pr, pw := io.Pipe()
	go func() {
		pw.CloseWithError(pfs.WriteMerged(pw, lfs.dirs, pfs.OptionsFor(privilege.Rootless()).OpaqueXattr))
	}()
	defer pr.Close()
	es, err := b.stageTar(pr, func(name string) (string, bool) {
		name = strings.TrimSuffix(strings.TrimPrefix(path.Clean("/"+name), "/"), "/")
		if name == want {
			return ".", true
		}
		if want == "" {
			return name, true
		}
		if strings.HasPrefix(name, want+"/") {
			return strings.TrimPrefix(name, want+"/"), true
		}
		return "", false
	})
	for i := range es {
		es[i].base = path.Base("/" + want)
	}
	return es, fi.IsDir(), st.id.String(), err
}

// stateFor is a built stage (by name or index) or an image.
func (b *builder) stateFor(from string) (*state, error) {
	if i := b.stageIndex(from); i >= 0 && b.done[i] != nil {
		return b.done[i], nil
	}
	img, err := b.image(from)
	if err != nil {
		return nil, err
	}
	return stateOf(b.s, img)
}

// stageTar copies the tar entries pick selects to files under the
// build's temporary directory, named by their order, never by their
// path.
func (b *builder) stageTar(r io.Reader, pick func(name string) (string, bool)) ([]entry, error) {
	var es []entry
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return es, nil
		} else if err != nil {
			return nil, err
		}
		rel, ok := pick(hdr.Name)
		if !ok {
			continue
		}
		e := entry{rel: rel, hdr: *hdr}
		e.hdr.Uname, e.hdr.Gname, e.hdr.PAXRecords = "", "", nil
		switch hdr.Typeflag {
		case tar.TypeReg:
			f, err := os.CreateTemp(b.tmp, "src-")
			if err != nil {
				return nil, err
			}
			_, err = io.Copy(f, tr)
			f.Close()
			if err != nil {
				return nil, err
			}
			e.src = f.Name()
		case tar.TypeDir, tar.TypeSymlink:
		case tar.TypeLink:
			// A hard link inside the copied tree becomes a copy of
			// its content: its target may lie outside what is copied.
			continue
		default:
			continue
		}
		es = append(es, e)
	}
}

// extract is ADD's local tar auto-extraction: a tar (plain, gzip, bzip2,
// xz or zstd) is unpacked into the destination. Its entries' names are
// cleaned into relative paths; fs.Unpack, which trusts no tar, writes
// the layer later.
func (b *builder) extract(e entry) ([]entry, bool, error) {
	f, err := openNoFollow(e.src)
	if err != nil {
		return nil, false, err
	}
	defer f.Close()
	r, err := pfs.Decompress(f)
	if err != nil {
		return []entry{e}, false, nil
	}
	defer r.Close()
	br := bufio.NewReader(r)
	if !isTar(br) {
		return []entry{e}, false, nil
	}
	es, err := b.stageTar(br, func(name string) (string, bool) {
		n := strings.TrimPrefix(path.Clean("/"+name), "/")
		return n, n != ""
	})
	return es, true, err
}

func isURL(s string) bool {
	return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://")
}

// download is ADD URL: the file is fetched to the destination with mode
// 0600, its mtime the Last-Modified header, as in Docker.
func (b *builder) download(src string) ([]entry, error) {
	u, err := url.Parse(src)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(b.ctx, http.MethodGet, src, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("ADD %s: %w", src, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("ADD %s: %s", src, resp.Status)
	}
	f, err := os.CreateTemp(b.tmp, "url-")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if _, err := io.Copy(f, resp.Body); err != nil {
		return nil, err
	}
	mt := time.Unix(0, 0)
	if t, err := http.ParseTime(resp.Header.Get("Last-Modified")); err == nil {
		mt = t
	}
	base := path.Base(u.Path)
	if base == "/" || base == "." {
		base = "index.html"
	}
	return []entry{{rel: ".", base: base, src: f.Name(), hdr: tar.Header{Typeflag: tar.TypeReg, Mode: 0o600, ModTime: mt}}}, nil
}
