package run

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/klauspost/compress/gzip"

	"pocket/fs"
	"pocket/privilege"
	"pocket/store"
	"pocket/trace"
)

// CommitOptions are `pocket commit`'s flags, parsed.
type CommitOptions struct {
	Author  string
	Comment string
	Changes []Change       // --change, parsed by ParseChanges
	Ref     name.Reference // REPO[:TAG], or nil
	// Epoch is SOURCE_DATE_EPOCH when set: the image's created time and
	// the clamp of every mtime, so a commit can be reproduced.
	Epoch *time.Time
	// Pause freezes a running container while its changes are read (-p,
	// Docker's default), so that the layer is one moment of it.
	Pause bool
}

// hiddenFiles are the files pocket bind-mounts over the container's own:
// what the container wrote there went to the container directory, and
// the upper directory only holds the stub mounted on, as in Docker. The
// /etc/mtab symlink init makes is Docker's init layer's, which neither
// diff nor commit shows either.
var hiddenFiles = []string{"/etc/hosts", "/etc/resolv.conf", "/etc/hostname", "/etc/mtab"}

// diffOptions tell fs how to read this container's upper directory.
func (c *container) diffOptions(epoch *time.Time) fs.DiffOptions {
	o := fs.DiffOptions{Lower: c.spec.Init.Rootfs.Lower, Hidden: hiddenFiles, Epoch: epoch}
	if c.spec.Init.Rootfs.UserXattr {
		o.OpaqueXattr = fs.UserOpaqueXattr
	}
	o.Stubs = []string{"/proc", "/sys", "/dev"}
	for _, m := range c.spec.Init.Mounts {
		o.Stubs = append(o.Stubs, m.Target)
	}
	return o
}

// Diff lists a container's changes to its image, as `docker diff`.
func Diff(s *store.Store, idOrName string) ([]fs.Change, error) {
	c, err := load(s, idOrName)
	if err != nil {
		return nil, err
	}
	ch, err := fs.Diff(c.spec.Init.Rootfs.Upper, c.diffOptions(nil))
	if err != nil {
		return nil, fmt.Errorf("diff %s: %w", c.spec.Name, err)
	}
	return ch, nil
}

// Commit makes a new image of a container's image plus its changes, as
// `docker commit`, and returns its ID. A running container is paused
// meanwhile with Pause (a container already paused stays so); one without
// a cgroup to freeze (rootless without delegation) is read as it is.
func Commit(s *store.Store, idOrName string, o CommitOptions) (v1.Hash, error) {
	c, err := load(s, idOrName)
	if err != nil {
		return v1.Hash{}, err
	}
	if o.Pause && c.state.Status == statusRunning {
		if cg, err := loadCgroup(c.spec.ID); err == nil && cg != nil && !cg.Frozen() {
			if err := cg.Freeze(); err != nil {
				return v1.Hash{}, fmt.Errorf("commit %s: %w", c.spec.Name, err)
			}
			defer cg.Thaw()
		}
	}
	id, err := commit(s, c, o)
	if err != nil {
		return v1.Hash{}, fmt.Errorf("commit %s: %w", c.spec.Name, err)
	}
	return id, nil
}

func commit(s *store.Store, c *container, o CommitOptions) (v1.Hash, error) {
	release, err := s.Hold()
	if err != nil {
		return v1.Hash{}, err
	}
	defer release()
	img, err := s.ImageByID(c.spec.Image)
	if err != nil {
		return v1.Hash{}, err
	}
	base, err := s.Config(img)
	if err != nil {
		return v1.Hash{}, err
	}
	layer, err := writeLayer(s, c, o.Epoch)
	if err != nil {
		return v1.Hash{}, err
	}
	cfg := base.DeepCopy()
	created := time.Now().UTC()
	if o.Epoch != nil {
		created = o.Epoch.UTC()
	}
	// Docker commits the container's configuration, not the image's:
	// what `run` gave it (command, environment) is the new image's.
	cfg.Config.Cmd = c.spec.Cmd
	cfg.Config.Entrypoint = c.spec.Entrypoint
	cfg.Config.Env = c.spec.Env
	cfg.Config.WorkingDir = c.spec.WorkingDir
	cfg.Config.User = c.spec.User
	if err := applyChanges(&cfg.Config, o.Changes); err != nil {
		return v1.Hash{}, err
	}
	cfg.Created = v1.Time{Time: created}
	cfg.Author = o.Author
	cfg.Container = ""
	h := v1.History{
		Created:   v1.Time{Time: created},
		CreatedBy: strings.Join(c.spec.Cmd, " "), // as Docker: the command only
		Author:    o.Author,
		Comment:   o.Comment,
	}
	if layer.empty {
		h.EmptyLayer = true
	} else {
		cfg.RootFS.DiffIDs = append(cfg.RootFS.DiffIDs, layer.diffID)
	}
	cfg.History = append(cfg.History, h)
	// Docker records the message as the config's "comment", which
	// go-containerregistry's ConfigFile does not know.
	raw, err := json.Marshal(struct {
		*v1.ConfigFile
		Comment string `json:"comment,omitempty"`
	}{cfg, o.Comment})
	if err != nil {
		return v1.Hash{}, err
	}
	man := manifest(s, img, raw, layer)
	if _, err := s.AddImage(man, raw, o.Ref); err != nil {
		return v1.Hash{}, err
	}
	sum := sha256.Sum256(raw)
	return v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(sum[:])}, nil
}

// committedLayer is the layer a commit made.
type committedLayer struct {
	diffID v1.Hash
	digest v1.Hash // of its deterministic gzip
	size   int64   // of its gzip
	empty  bool    // no changes: Docker records an empty layer
}

// writeLayer writes the container's changes as a layer tar to a
// temporary file, then stores it the way pull does: unpacked by
// fs.Unpack (which trusts no tar) with tar-split metadata, so save
// rebuilds the same bytes.
func writeLayer(s *store.Store, c *container, epoch *time.Time) (committedLayer, error) {
	var l committedLayer
	opts := c.diffOptions(epoch)
	endWalk := trace.Span("layer: RUN diff walk of upper")
	changes, err := fs.Diff(c.spec.Init.Rootfs.Upper, opts)
	endWalk()
	if err != nil {
		return l, err
	}
	if len(changes) == 0 {
		l.empty = true
		return l, nil
	}
	f, err := os.CreateTemp(c.dir, ".commit-*.tar")
	if err != nil {
		return l, err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	diff := sha256.New()
	// The gzip digest a registry would see, for the manifest: fixed
	// header (no name, no time), so it is reproducible too.
	blob := sha256.New()
	cw := &countWriter{w: blob}
	zw, err := gzip.NewWriterLevel(cw, gzip.DefaultCompression)
	if err != nil {
		return l, err
	}
	endTar := trace.Span("layer: RUN tar+sha256+gzip")
	if err := fs.WriteDiff(io.MultiWriter(f, diff, zw), c.spec.Init.Rootfs.Upper, opts); err != nil {
		return l, err
	}
	if err := zw.Close(); err != nil {
		return l, err
	}
	endTar()
	l.diffID = v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(diff.Sum(nil))}
	l.digest = v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(blob.Sum(nil))}
	l.size = cw.n
	err = s.PutLayer(l.diffID, unpackTar(f))
	return l, err
}

// unpackTar is a store.PutLayer writer that unpacks the layer tar in f
// (read from its start) as pull does: by fs.Unpack, which trusts no tar,
// with tar-split metadata so that save gives back the same bytes. It
// returns the digest of all of f, tar padding included.
func unpackTar(f *os.File) func(dir string, meta io.Writer) (v1.Hash, error) {
	return func(dir string, meta io.Writer) (v1.Hash, error) {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return v1.Hash{}, err
		}
		d, err := fs.UnpackDigest(f, dir, meta, fs.OptionsFor(privilege.Rootless()))
		return v1.Hash{Algorithm: "sha256", Hex: d}, err
	}
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// manifest is the new image's manifest: the base image's layers plus the
// committed one, or nil when the base's manifest is not known.
func manifest(s *store.Store, base *store.Image, config []byte, l committedLayer) []byte {
	var layers []v1.Descriptor
	if base.Manifest.Hex != "" {
		raw, err := s.Blob(base.Manifest)
		if err != nil {
			return nil
		}
		m, err := v1.ParseManifest(bytes.NewReader(raw))
		if err != nil || len(m.Layers) != len(base.Layers) {
			return nil
		}
		layers = m.Layers
	} else if len(base.Layers) > 0 {
		return nil
	}
	if !l.empty {
		layers = append(layers, v1.Descriptor{MediaType: types.DockerLayer, Size: l.size, Digest: l.digest})
	}
	sum := sha256.Sum256(config)
	m := v1.Manifest{
		SchemaVersion: 2,
		MediaType:     types.DockerManifestSchema2,
		Config: v1.Descriptor{
			MediaType: types.DockerConfigJSON, Size: int64(len(config)),
			Digest: v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(sum[:])},
		},
		Layers: layers,
	}
	raw, err := json.Marshal(m)
	if err != nil {
		return nil
	}
	return raw
}

// SourceDateEpoch reads SOURCE_DATE_EPOCH (reproducible-builds.org):
// nil when unset.
func SourceDateEpoch() (*time.Time, error) {
	v := os.Getenv("SOURCE_DATE_EPOCH")
	if v == "" {
		return nil, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return nil, fmt.Errorf("SOURCE_DATE_EPOCH %q: not a number of seconds", v)
	}
	t := time.Unix(n, 0).UTC()
	return &t, nil
}
