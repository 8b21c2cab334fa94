package run

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"pocket/ns"
	"pocket/plan"
	"pocket/store"
	"pocket/trace"
)

// newID is a random 64-hex container ID.
func newID() string {
	b := make([]byte, 32)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// create makes a container in the "created" state: its record and
// directory with config.json, state.json and the files init mounts. It
// takes the plan, never the options.
func create(ctx context.Context, s *store.Store, p *plan.Plan) (*container, error) {
	img, err := image(ctx, s, p)
	if err != nil {
		return nil, err
	}
	trace.Mark("image found")
	// For system prune's least-recently-used eviction; a failure to
	// record it costs only an earlier eviction.
	s.TouchImage(img.ID)
	cfg, err := s.Config(img)
	if err != nil {
		return nil, err
	}
	return createFrom(s, p, img, cfg.Config, true)
}

// createFrom makes a container of img with the image configuration cfg.
// indexed says img is in the image index, where it must still be once
// the store is held; a build step's image is not (see RunStep).
func createFrom(s *store.Store, p *plan.Plan, img *store.Image, cfg v1.Config, indexed bool) (_ *container, err error) {
	var mounts *mountPlan
	// Deferred first so it runs after release: removing a volume waits
	// for every Hold.
	defer func() {
		if err != nil {
			mounts.undo(s)
		}
	}()
	sp, err := newSpec(s, img, cfg, p)
	if err != nil {
		return nil, err
	}
	specs := p.Volumes(cfg.Volumes)
	release, err := s.Hold()
	if err != nil {
		return nil, err
	}
	defer release()
	// The image may have been removed between lookup and Hold.
	if _, err := s.ImageByID(img.ID); indexed && err != nil {
		return nil, fmt.Errorf("image %s: %w", p.Flags.Image, err)
	}
	if err := checkLayers(s, img, p.Flags.Image); err != nil {
		return nil, err
	}
	if mounts, err = prepareMounts(s, specs, sp.Init.Rootfs.Lower, sp.Init.Rootfs.UserXattr); err != nil {
		return nil, err
	}
	sp.Init.Mounts = sortMounts(append(sp.Init.Mounts, mounts.mounts...))
	sp.Mounts = mounts.points
	// The store names a container given no --name (one free name, chosen
	// under its lock).
	rec := &store.Container{ID: sp.ID, Name: sp.Name, Image: img.ID, Created: sp.Created, Volumes: mounts.volumes, BuildStep: !indexed}
	if err := s.CreateContainer(rec); err != nil {
		return nil, err
	}
	sp.Name = rec.Name
	c := &container{dir: s.ContainerDir(sp.ID), spec: *sp, state: State{Status: statusCreated}}
	if err := c.prepare(s); err != nil {
		s.RemoveContainer(sp.ID)
		return nil, err
	}
	return c, nil
}

// prepare writes the container directory's files.
func (c *container) prepare(s *store.Store) error {
	sp := &c.spec
	for _, d := range []string{"upper", "work", "rootfs"} {
		if err := os.MkdirAll(filepath.Join(c.dir, d), 0o700); err != nil {
			return err
		}
	}
	// overlayfs gives the container's "/" the upper directory's mode: 0755
	// as in Docker, or no user but root could reach anything in the image.
	if err := os.Chmod(filepath.Join(c.dir, "upper"), 0o755); err != nil {
		return err
	}
	hostHosts, _ := os.ReadFile("/etc/hosts")
	hostResolv, _ := os.ReadFile("/etc/resolv.conf")
	files := []struct {
		name, target string
		data         []byte
	}{
		{"hostname", "/etc/hostname", hostnameFile(sp.Hostname)},
		{"hosts", "/etc/hosts", hostsFile(sp.Network, hostHosts)},
		{"resolv.conf", "/etc/resolv.conf", resolvConf(sp.Network, hostResolv)},
	}
	if sp.netFrom != "" {
		// --network container: shares its target's names and resolvers.
		files[1].data = sharedNetFile(sp.netFrom, "hosts")
		files[2].data = sharedNetFile(sp.netFrom, "resolv.conf")
	}
	for _, f := range files {
		p := filepath.Join(c.dir, f.name)
		if err := os.WriteFile(p, f.data, 0o644); err != nil {
			return err
		}
		sp.Init.Files = append(sp.Init.Files, ns.File{Source: p, Target: f.target, Readonly: sp.ReadOnly})
	}
	sp.Init.Rootfs.Upper = filepath.Join(c.dir, "upper")
	sp.Init.Rootfs.Work = filepath.Join(c.dir, "work")
	sp.Init.Rootfs.Target = filepath.Join(c.dir, "rootfs")
	f, err := os.OpenFile(filepath.Join(c.dir, logFile), os.O_CREATE|os.O_WRONLY, 0o640)
	if err != nil {
		return err
	}
	f.Close()
	if err := writeJSON(c.dir, specFile, sp); err != nil {
		return err
	}
	return c.writeState()
}

// checkLayers makes sure every layer of img is unpacked in the store before
// anything mounts them: a layer deleted behind pocket's back otherwise
// shows only as overlay's "no such file or directory", naming no layer.
func checkLayers(s *store.Store, img *store.Image, ref string) error {
	for _, l := range img.Layers {
		if !s.HasLayer(l) {
			return fmt.Errorf("image %s: layer %s: %w (hint: pocket pull %s fetches it again)", ref, l, store.ErrLayerUnknown, ref)
		}
		if _, err := os.Stat(s.LayerDir(l)); err != nil {
			return fmt.Errorf("image %s: layer %s is damaged: %w (hint: pocket rmi %s, then pocket pull %s)", ref, l, err, ref, ref)
		}
	}
	return nil
}
