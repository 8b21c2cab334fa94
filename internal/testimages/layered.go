package testimages

import (
	"sync"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Want is one fact about the merged filesystem of an image.
type Want struct {
	Path     string // absolute, inside the container
	Kind     string // "file", "dir", "symlink" or "absent"
	Content  string // file content
	Link     string // symlink target
	Mode     uint32 // permission bits incl. setuid/setgid/sticky (0: not checked)
	UID, GID int
	SameAs   string // a path this file is a hard link of (same inode)
	NotExist []string
}

// LayeredWant is what the merged root of Layered must look like, after the
// busybox layer and four more: replacement, whiteouts, opaque directories,
// links, setuid and a private directory.
var LayeredWant = []Want{
	{Path: "/data/replaced.txt", Kind: "file", Content: "three\n", Mode: 0o644},
	{Path: "/data/deleted.txt", Kind: "absent"},
	{Path: "/data/dirgone", Kind: "absent"},
	{Path: "/data/kept.txt", Kind: "file", Content: "kept\n"},
	{Path: "/data/kind", Kind: "dir"},
	{Path: "/data/kind/now-a-dir", Kind: "file", Content: "was a file in layer 1\n"},
	{Path: "/data/readded.txt", Kind: "file", Content: "back in layer 4\n"},
	// Opaque marker first in its layer: only the new file is visible.
	{Path: "/opq/old.txt", Kind: "absent"},
	{Path: "/opq/sub", Kind: "absent"},
	{Path: "/opq/new.txt", Kind: "file", Content: "new\n"},
	// Opaque marker after the layer's own files: they stay, lower ones go.
	{Path: "/opq2/old.txt", Kind: "absent"},
	{Path: "/opq2/new.txt", Kind: "file", Content: "new2\n"},
	{Path: "/opq2/newdir/f", Kind: "file", Content: "f\n"},
	{Path: "/links/target.txt", Kind: "file", Content: "link target\n"},
	{Path: "/links/hard", Kind: "file", Content: "link target\n", SameAs: "/links/target.txt"},
	{Path: "/links/rel", Kind: "symlink", Link: "target.txt"},
	{Path: "/links/abs", Kind: "symlink", Link: "/links/target.txt"},
	{Path: "/links/etc", Kind: "symlink", Link: "/etc"},
	{Path: "/links/dangling", Kind: "symlink", Link: "/nonexistent/file"},
	{Path: "/usr/local/bin/suid", Kind: "file", Mode: 0o4755, UID: 0, GID: 0, Content: "#!/bin/sh\nid -u\n"},
	{Path: "/private", Kind: "dir", Mode: 0o700, UID: AppUID, GID: AppUID},
	{Path: "/private/secret.txt", Kind: "file", Mode: 0o600, UID: AppUID, GID: AppUID, Content: "secret\n"},
	{Path: "/bin/busybox", Kind: "file", Mode: 0o755},
	{Path: "/layer4", Kind: "file", Content: "4\n"},
}

// Layered is the "layered" image: busybox plus four layers whose merged
// tree is LayeredWant.
func Layered() (v1.Image, error) { return layered() }

var layered = sync.OnceValues(func() (v1.Image, error) {
	bb, err := Busybox()
	if err != nil {
		return nil, err
	}
	var ls []v1.Layer
	for _, es := range layeredEntries() {
		l, err := Layer(es...)
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
	}
	img, err := appendLayers(bb, ls...)
	if err != nil {
		return nil, err
	}
	cfg := busyboxConfig()
	cfg.WorkingDir = "/data"
	return withConfig(img, cfg)
})

// layeredEntries are the four layers over busybox, in order.
func layeredEntries() [][]Entry {
	return [][]Entry{{
		Dir("data", 0o755),
		File("data/replaced.txt", "one\n", 0o600),
		File("data/deleted.txt", "delete me\n", 0o644),
		File("data/kept.txt", "kept\n", 0o644),
		File("data/readded.txt", "first\n", 0o644),
		Dir("data/dirgone", 0o755),
		File("data/dirgone/inner.txt", "inner\n", 0o644),
		File("data/kind", "a file\n", 0o644),
		Dir("opq", 0o755), File("opq/old.txt", "old\n", 0o644),
		Dir("opq/sub", 0o755), File("opq/sub/old2.txt", "old2\n", 0o644),
		Dir("opq2", 0o755), File("opq2/old.txt", "old\n", 0o644),
		Dir("private", 0o700).Owned(AppUID, AppUID),
		File("private/secret.txt", "secret\n", 0o600).Owned(AppUID, AppUID),
	}, {
		File("data/replaced.txt", "two\n", 0o644),
		File("data/.wh.deleted.txt", "", 0o644),
		File("data/.wh.dirgone", "", 0o644),
		File("data/.wh.readded.txt", "", 0o644),
		// Marker before the layer's own files.
		File("opq/.wh..wh..opq", "", 0o644),
		File("opq/new.txt", "new\n", 0o644),
		// Marker after them (Docker writes it wherever the walk puts it).
		File("opq2/new.txt", "new2\n", 0o644),
		Dir("opq2/newdir", 0o755),
		File("opq2/newdir/f", "f\n", 0o644),
		File("opq2/.wh..wh..opq", "", 0o644),
	}, {
		Dir("links", 0o755),
		File("links/target.txt", "link target\n", 0o644),
		Hardlink("links/hard", "links/target.txt"),
		Symlink("links/rel", "target.txt"),
		Symlink("links/abs", "/links/target.txt"),
		Symlink("links/etc", "/etc"),
		Symlink("links/dangling", "/nonexistent/file"),
		Dir("usr/local", 0o755), Dir("usr/local/bin", 0o755),
		File("usr/local/bin/suid", "#!/bin/sh\nid -u\n", 0o4755),
	}, {
		File("data/replaced.txt", "three\n", 0o644),
		Dir("data/kind", 0o755),
		File("data/kind/now-a-dir", "was a file in layer 1\n", 0o644),
		File("data/readded.txt", "back in layer 4\n", 0o644),
		File("layer4", "4\n", 0o644),
	}}
}
