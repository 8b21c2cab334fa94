package build

import (
	"archive/tar"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	securejoin "github.com/cyphar/filepath-securejoin"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/moby/patternmatcher"

	pfs "pocket/fs"
	"pocket/privilege"
)

// excludeMatcher is COPY/ADD --exclude's patterns (Docker's
// .dockerignore syntax, `!` exceptions included), or nil for none.
func excludeMatcher(patterns []string) (*patternmatcher.PatternMatcher, error) {
	if len(patterns) == 0 {
		return nil, nil
	}
	pm, err := patternmatcher.New(patterns)
	if err != nil {
		return nil, fmt.Errorf("--exclude: %w", err)
	}
	return pm, nil
}

// exclude drops the entries of one source that --exclude matches, by
// their path below the source, as BuildKit matches them: a directory's
// contents by their path inside it, a file a wildcard matched by its
// name. A source named alone is copied whatever the patterns say.
func exclude(es []entry, pm *patternmatcher.PatternMatcher) []entry {
	if pm == nil {
		return es
	}
	out := es[:0:0]
	for _, e := range es {
		if e.rel != "." {
			if m, err := pm.MatchesOrParentMatches(e.rel); err == nil && m {
				continue
			}
		}
		out = append(out, e)
	}
	return out
}

// parentsSources is COPY --parents SRC: what SRC names in the context,
// each at its path relative to the context (or to the pivot, SRC's part
// before "/./"), with the directories on the way, as BuildKit does.
// Wildcards may stand in any component; each is matched one directory
// at a time, inside the context, never through a symlink.
func (bc *buildContext) parentsSources(src string) ([]entry, error) {
	if bc.dir == "" {
		return nil, fmt.Errorf("COPY %s: no build context (the Dockerfile came from stdin)", src)
	}
	pivot, pattern, ok := strings.Cut(src, "/./")
	if !ok {
		pivot, pattern = ".", src
	}
	pivot, err := cleanSource(pivot)
	if err != nil {
		return nil, err
	}
	if pattern, err = cleanSource(pattern); err != nil {
		return nil, err
	}
	var matches []string
	if err := bc.glob(pivot, ".", strings.Split(pattern, "/"), &matches); err != nil {
		return nil, err
	}
	if len(matches) == 0 {
		if strings.ContainsAny(pattern, "*?[") {
			return nil, nil // BuildKit: an empty wildcard copies nothing
		}
		return nil, fmt.Errorf("COPY --parents %s: file not found in build context or excluded by .dockerignore", src)
	}
	seen := map[string]bool{}
	var out []entry
	add := func(e entry) {
		if !seen[e.rel] {
			seen[e.rel] = true
			out = append(out, e)
		}
	}
	for _, m := range matches {
		// The directories between the pivot and the match, as the
		// context has them.
		dir := path.Dir(m)
		var parts []string
		for ; dir != "."; dir = path.Dir(dir) {
			parts = append(parts, dir)
		}
		slices.Reverse(parts)
		for _, d := range parts {
			fi, err := os.Lstat(filepath.Join(bc.dir, pivot, d))
			if err != nil {
				return nil, err
			}
			e, err := fileEntry(filepath.Join(bc.dir, pivot, d), fi)
			if err != nil {
				return nil, err
			}
			e.rel = d
			add(e)
		}
		es, _, err := bc.contextSources(path.Join(pivot, m))
		if err != nil {
			return nil, err
		}
		for _, e := range es {
			e.rel = path.Join(m, e.rel)
			e.dir = false
			add(e)
		}
	}
	return out, nil
}

// glob expands the pattern's components below dir (relative to the
// pivot), each directory resolved inside the context and listed; what
// .dockerignore excludes is not matched.
func (bc *buildContext) glob(pivot, dir string, comps []string, out *[]string) error {
	if len(comps) == 0 {
		*out = append(*out, dir)
		return nil
	}
	host, err := securejoin.SecureJoin(bc.dir, filepath.Join(pivot, dir))
	if err != nil {
		return err
	}
	if fi, err := os.Lstat(host); err != nil || !fi.IsDir() {
		return nil
	}
	c := comps[0]
	if c == "." {
		return bc.glob(pivot, dir, comps[1:], out)
	}
	var names []string
	if strings.ContainsAny(c, "*?[") {
		des, err := os.ReadDir(host)
		if err != nil {
			return err
		}
		for _, de := range des {
			if ok, _ := path.Match(c, de.Name()); ok {
				names = append(names, de.Name())
			}
		}
	} else if _, err := os.Lstat(filepath.Join(host, c)); err == nil {
		names = []string{c}
	}
	for _, n := range names {
		rel := path.Join(dir, n)
		if bc.ignored(bc.rel(filepath.Join(bc.dir, pivot, rel))) {
			continue
		}
		if err := bc.glob(pivot, rel, comps[1:], out); err != nil {
			return err
		}
	}
	return nil
}

// linkParents are the directories from / down to dir for a COPY --link
// layer: new 0755 root directories, as BuildKit makes them, since a
// linked layer reads nothing of the image below it.
func linkParents(dir string, epoch *time.Time) []tar.Header {
	var hs []tar.Header
	cur := ""
	for _, part := range strings.Split(strings.Trim(dir, "/"), "/") {
		if part == "" {
			continue
		}
		cur = path.Join(cur, part)
		hs = append(hs, tar.Header{Typeflag: tar.TypeDir, Name: cur + "/", Mode: 0o755, ModTime: clamp(time.Unix(0, 0), epoch)})
	}
	return hs
}

// chownByName reports whether --chown names a user or group rather
// than numbers: --link cannot look names up in an image it does not see.
func chownByName(s string) bool {
	if s == "" {
		return false
	}
	u, g, _ := strings.Cut(s, ":")
	for _, p := range []string{u, g} {
		for _, r := range p {
			if r < '0' || r > '9' {
				return true
			}
		}
	}
	return false
}

// linkedLayer is the layer an earlier COPY --link with the same sources,
// destination and flags made, on whatever image: a linked layer does not
// depend on the layers below it, so it is reused (BuildKit's rebase)
// even when the steps before it changed. nil when there is none.
func (b *builder) linkedLayer(key string) *layerDesc {
	if b.o.NoCache {
		return nil
	}
	e := b.s.Cache(key)
	if e == nil {
		return nil
	}
	st, err := b.fromCache(e, key)
	if err != nil || len(st.diffIDs()) != 1 {
		return nil
	}
	l := &layerDesc{DiffID: st.diffIDs()[0]}
	if _, err := os.Stat(b.s.LayerDir(l.DiffID)); err != nil {
		return nil
	}
	// A build's layers are stored uncompressed (no blob digest until a
	// push): the diffID alone names the layer then.
	if st.known && len(st.layers) == 1 {
		l.Descriptor = st.layers[0]
	}
	return l
}

// saveLinked records l under key as a one-layer image for linkedLayer;
// the cache entry keeps the layer from gc as every step's does.
func (b *builder) saveLinked(key string, l *layerDesc) error {
	st := &state{
		cfg:    &v1.ConfigFile{OS: "linux", RootFS: v1.RootFS{Type: "layers", DiffIDs: []v1.Hash{l.DiffID}}},
		layers: []v1.Descriptor{l.Descriptor}, known: l.Digest.Hex != "", key: key,
	}
	return b.save(st)
}

// fromParents is COPY --from=STAGE --parents SRC: the paths of the
// stage's tree that SRC (with an optional /./ pivot and wildcards in any
// component) names, each kept at its path below the pivot, with the
// directories on the way. The tree is streamed by fs.WriteMerged and
// staged by stageTar as fromSources does: nothing of the other image is
// opened on the host by name.
func (b *builder) fromParents(from, src string) ([]entry, string, error) {
	st, err := b.stateFor(from)
	if err != nil {
		return nil, "", err
	}
	pivot, pattern, ok := strings.Cut(src, "/./")
	if !ok {
		pivot, pattern = "/", src
	}
	pivot = strings.TrimPrefix(path.Clean("/"+pivot), "/")
	pattern = strings.TrimPrefix(path.Clean("/"+pattern), "/")
	pcomps := strings.Split(pattern, "/")
	matches := func(comps []string) bool {
		for i, c := range comps {
			if ok, _ := path.Match(pcomps[i], c); !ok {
				return false
			}
		}
		return true
	}
	pr, pw := io.Pipe()
	go func() {
		pw.CloseWithError(pfs.WriteMerged(pw, b.layerFS(st).dirs, pfs.OptionsFor(privilege.Rootless()).OpaqueXattr))
	}()
	defer pr.Close()
	matched := map[string]bool{} // paths the whole pattern matched
	es, err := b.stageTar(pr, func(name string) (string, bool) {
		name = strings.TrimPrefix(path.Clean("/"+name), "/")
		rel := name
		if pivot != "" {
			var ok bool
			if rel, ok = strings.CutPrefix(name, pivot+"/"); !ok {
				return "", false
			}
		}
		comps := strings.Split(rel, "/")
		if len(comps) < len(pcomps) {
			// A directory on the way to a match, kept if one comes.
			return rel, matches(comps)
		}
		if !matches(comps[:len(pcomps)]) {
			return "", false
		}
		if len(comps) == len(pcomps) {
			matched[rel] = true
		}
		return rel, true
	})
	if err != nil {
		return nil, "", err
	}
	if len(matched) == 0 && !strings.ContainsAny(pattern, "*?[") {
		return nil, "", fmt.Errorf("COPY --from=%s --parents %s: not found", from, src)
	}
	// Keep the directories on the way only where a match lies below.
	out := es[:0:0]
	for _, e := range es {
		keep := false
		for m := range matched {
			if e.rel == m || strings.HasPrefix(e.rel, m+"/") || strings.HasPrefix(m, e.rel+"/") {
				keep = true
				break
			}
		}
		if keep {
			out = append(out, e)
		}
	}
	return out, st.id.String(), nil
}
