package run

import (
	"context"
	"errors"
	"fmt"
	"io"
	"syscall"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"pocket/fs"
	"pocket/plan"
	"pocket/privilege"
	"pocket/store"
	"pocket/trace"
)

// StepLayer is the layer a build step's container made.
type StepLayer struct {
	DiffID v1.Hash
	Digest v1.Hash // of its deterministic gzip
	Size   int64   // of its gzip
	Empty  bool    // the step changed nothing
}

// RunStep runs one build step as Docker's classic builder does: a
// container of img (whose layers and config are in the store, but which
// need not be in the image index) with cfg as its image configuration,
// and o as its command line; created, when not nil, is told the
// container's ID before it starts (Docker's "Running in"). It returns the command's exit status and,
// when that is 0, the container's changes stored as a layer (the upper
// directory's diff, as commit makes it). The container is removed in
// every case. An error is pocket's own.
func RunStep(ctx context.Context, s *store.Store, img *store.Image, cfg v1.Config, o Options, epoch *time.Time, created func(id string)) (int, StepLayer, error) {
	endCreate := trace.Span("run step: create container")
	reap()
	// The builder mounts no volume the image declares: what RUN writes
	// there is dropped, as in Docker.
	cfg.Volumes = nil
	o.Detach, o.Interactive, o.TTY, o.Remove = false, false, false, false
	p, err := plan.Parse(o, plan.Probe())
	if err != nil {
		return 0, StepLayer{}, err
	}
	c, err := createFrom(s, p, img, cfg, false)
	if err != nil {
		return 0, StepLayer{}, err
	}
	endCreate()
	defer func() {
		defer trace.Span("run step: remove container")()
		anon := anonymousVolumes(s, c.spec.ID)
		if err := removeFiles(s, c.spec.ID); err == nil {
			removeVolumes(s, anon)
		}
	}()
	if created != nil {
		created(c.spec.ID)
	}
	endRun := trace.Span("run step: start, run, stop")
	code, err := supervise(s, c, streams{stdout: o.Stdout, stderr: o.Stderr}, nil)
	endRun()
	if err != nil || code != 0 {
		return code, StepLayer{}, err
	}
	if adoptable(c) {
		l, err := adoptLayer(s, c, epoch)
		if err != nil {
			return 0, StepLayer{}, fmt.Errorf("store step layer: %w", err)
		}
		return 0, l, nil
	}
	l, err := writeLayer(s, c, epoch)
	if err != nil {
		return 0, StepLayer{}, fmt.Errorf("store step layer: %w", err)
	}
	return 0, StepLayer{DiffID: l.diffID, Digest: l.digest, Size: l.size, Empty: l.empty}, nil
}

// adoptable: the container's upper directory is in the form the store
// keeps layers in (a kernel overlay mounted by real root: 0/0 device
// whiteouts, trusted.overlay.opaque), so it can become the layer.
func adoptable(c *container) bool {
	r := c.spec.Init.Rootfs
	return !privilege.Rootless() && !r.UserXattr && !r.Premounted
}

// adoptLayer stores the exited step container's upper directory as its
// layer in place (fs.AdoptUpper), as Docker's overlay2 keeps a
// container's diff: the step's files are written once, neither unpacked
// again from a tar nor deleted with the container. The layer is not
// compressed: a build's layers are compressed when pushed (Docker keeps
// them uncompressed too), so Digest and Size stay zero.
func adoptLayer(s *store.Store, c *container, epoch *time.Time) (StepLayer, error) {
	opts := c.diffOptions(epoch)
	changed, err := fs.HasChanges(c.spec.Init.Rootfs.Upper, opts)
	if err != nil || !changed {
		return StepLayer{Empty: !changed}, err
	}
	diffID, err := s.CommitLayer(func(dir string, meta io.Writer) (v1.Hash, error) {
		defer trace.Span("layer: RUN adopt upper, tar-split")()
		sum, err := fs.AdoptUpper(c.spec.Init.Rootfs.Upper, dir, meta, opts)
		if err != nil {
			return v1.Hash{}, err
		}
		return v1.Hash{Algorithm: "sha256", Hex: sum}, nil
	})
	if errors.Is(err, syscall.EXDEV) {
		// The container's directory is on another filesystem than the
		// layers: written from a tar as commit does.
		l, err := writeLayer(s, c, epoch)
		return StepLayer{DiffID: l.diffID, Digest: l.digest, Size: l.size, Empty: l.empty}, err
	}
	return StepLayer{DiffID: diffID}, err
}
