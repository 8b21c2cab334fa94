package run

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"pocket/ns"
	"pocket/pull"
	"pocket/store"
)

// validName is Docker's container name rule.
var validName = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]+$`)

// checkName validates a --name.
func checkName(name string) error {
	if !validName.MatchString(strings.TrimPrefix(name, "/")) {
		return fmt.Errorf("%w %q: only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", ErrBadName, name)
	}
	return nil
}

// newID is a random 64-hex container ID.
func newID() string {
	b := make([]byte, 32)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// validate checks every option that needs no image, so that nothing is
// pulled or created for a command line that cannot run, and returns the
// security plan it makes on the way.
func validate(o *Options) (ns.Security, error) {
	if o.Name != "" {
		if err := checkName(o.Name); err != nil {
			return ns.Security{}, err
		}
	}
	if err := validateNetwork(o); err != nil {
		return ns.Security{}, err
	}
	sec, err := security(o)
	if err != nil {
		return sec, err
	}
	if err := checkResources(o.Resources); err != nil {
		return sec, err
	}
	if _, err := tmpfsMounts(o.Tmpfs); err != nil {
		return sec, err
	}
	if _, err := planDevices(o); err != nil {
		return sec, err
	}
	if _, err := planMounts(o, nil); err != nil {
		return sec, err
	}
	switch o.Pull {
	case "", "missing", "always", "never":
	default:
		return sec, fmt.Errorf("%w: --pull %q (hint: always, missing or never)", ErrBadOption, o.Pull)
	}
	if o.Workdir != "" {
		if _, err := workdir(o.Workdir, ""); err != nil {
			return sec, err
		}
	}
	return sec, nil
}

// tmpfsMounts parses --tmpfs PATH[:OPTIONS] with Docker's defaults
// noexec,nosuid,nodev, which an exec, suid or dev option lifts.
func tmpfsMounts(flags []string) ([]ns.Mount, error) {
	var out []ns.Mount
	for _, f := range flags {
		p, opts, _ := strings.Cut(f, ":")
		if !filepath.IsAbs(p) {
			return nil, fmt.Errorf("%w: --tmpfs %q: the path must be absolute", ErrBadOption, f)
		}
		m := ns.Mount{Type: "tmpfs", Source: "tmpfs", Target: filepath.Clean(p), Options: []string{"noexec", "nosuid", "nodev"}}
		if opts != "" {
			for _, o := range strings.Split(opts, ",") {
				switch o {
				case "exec", "suid", "dev":
					m.Options = slices.DeleteFunc(m.Options, func(d string) bool { return d == "no"+o })
				case "noexec", "nosuid", "nodev", "rw", "":
				case "ro":
					m.Readonly = true
				default:
					m.Options = append(m.Options, o)
				}
			}
		}
		out = append(out, m)
	}
	return out, nil
}

// image finds the image to run, pulling it as --pull asks. An IMAGE that
// is no reference, or names no stored image, may be an image ID.
func image(ctx context.Context, s *store.Store, o *Options) (*store.Image, error) {
	if o.Ref == nil {
		return s.LookupID(o.Image)
	}
	if o.Pull == "always" {
		return pull.Pull(ctx, s, o.Ref, o.PullOpts)
	}
	img, err := s.LookupImage(o.Ref)
	if errors.Is(err, store.ErrImageUnknown) {
		// Docker's order: a name first, then an ID or ID prefix ("3f2a").
		if byID, ierr := s.LookupID(o.Image); !errors.Is(ierr, store.ErrImageUnknown) {
			return byID, ierr
		}
	}
	if err == nil || !errors.Is(err, store.ErrImageUnknown) {
		return img, err
	}
	if o.Pull == "never" {
		return nil, fmt.Errorf("%w: %s (hint: pull it or use --pull missing)", store.ErrImageUnknown, o.Image)
	}
	if o.PullOpts.Out != nil {
		fmt.Fprintf(o.PullOpts.Out, "Unable to find image '%s' locally\n", o.Image)
	}
	return pull.Pull(ctx, s, o.Ref, o.PullOpts)
}

// create makes a container in the "created" state: its record and
// directory with config.json, state.json and the files init mounts.
func create(ctx context.Context, s *store.Store, o *Options) (_ *container, err error) {
	var mounts *mountPlan
	// Deferred first so it runs after release: removing a volume waits
	// for every Hold.
	defer func() {
		if err != nil {
			mounts.undo(s)
		}
	}()
	sec, err := validate(o)
	if err != nil {
		return nil, err
	}
	img, err := image(ctx, s, o)
	if err != nil {
		return nil, err
	}
	cfg, err := s.Config(img)
	if err != nil {
		return nil, err
	}
	sp, err := newSpec(s, img, cfg.Config, o, sec)
	if err != nil {
		return nil, err
	}

	specs, err := planMounts(o, cfg.Config.Volumes)
	if err != nil {
		return nil, err
	}
	release, err := s.Hold()
	if err != nil {
		return nil, err
	}
	defer release()
	// The image may have been removed between lookup and Hold.
	if _, err := s.ImageByID(img.ID); err != nil {
		return nil, fmt.Errorf("image %s: %w", o.Image, err)
	}
	if err := checkLayers(s, img, o.Image); err != nil {
		return nil, err
	}
	if mounts, err = prepareMounts(s, specs, sp.Init.Rootfs.Lower, sp.Init.Rootfs.UserXattr); err != nil {
		return nil, err
	}
	sp.Init.Mounts = sortMounts(append(sp.Init.Mounts, mounts.mounts...))
	sp.Mounts = mounts.points
	// The store names a container given no --name (one free name, chosen
	// under its lock).
	rec := &store.Container{ID: sp.ID, Name: sp.Name, Image: img.ID, Created: sp.Created, Volumes: mounts.volumes}
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
	for _, f := range files {
		p := filepath.Join(c.dir, f.name)
		if err := os.WriteFile(p, f.data, 0o644); err != nil {
			return err
		}
		sp.Init.Files = append(sp.Init.Files, ns.File{Source: p, Target: f.target})
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
