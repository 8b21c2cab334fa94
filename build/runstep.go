package build

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"

	securejoin "github.com/cyphar/filepath-securejoin"

	pfs "pocket/fs"
	"pocket/privilege"
	"pocket/run"
)

// run is a RUN step: a pocket container of the current image whose
// changes become the next layer, as Docker's classic builder does.
func (b *builder) run(sr *stageRun, c *instructions.RunCommand) error {
	cfg := &sr.st.cfg.Config
	argv := b.argv(cfg, c.ShellDependantCmdLine)
	args := sr.buildArgEnv()
	mounts := instructions.GetMounts(c)
	mj, _ := json.Marshal(mounts)
	aj, _ := json.Marshal(argv)
	binds, err := b.bindDigests(mounts)
	if err != nil {
		return err
	}
	network := b.o.Network
	if n := instructions.GetNetwork(c); n != instructions.NetworkDefault && n != "" {
		// RUN --network=none|host overrides --network for this step.
		network = n
	}
	key := cacheKey(sr.st.key, "RUN", string(aj), string(mj), binds, strings.Join(args, "\x00"), network, b.platform())
	if hit, err := b.cached(sr, key); hit || err != nil {
		return err
	}
	defer b.prehash(sr)()
	var tmpfs []string
	volumes, err := b.runMounts(sr, mounts, &tmpfs)
	if err != nil {
		return err
	}
	sess, err := b.sessionMounts(mounts, cfg.WorkingDir)
	if err != nil {
		return err
	}
	defer sess.Close()
	var out, errw io.Writer = b.o.Stdout, b.o.Stderr
	var quiet bytes.Buffer
	if b.o.Quiet {
		out, errw = &quiet, &quiet
	}
	zero := ""
	o := run.Options{
		Image: sr.st.id.Hex, Args: argv, Entrypoint: &zero, Env: sess.stepEnv(args, cfg.Env), Network: network,
		Pull: "never", Volumes: volumes, Mounts: sess.mounts, Tmpfs: tmpfs, Stdout: out, Stderr: errw,
	}
	var cid string
	code, layer, err := run.RunStep(b.ctx, b.s, sr.st.image(), *cfg, o, b.o.Epoch, func(id string) {
		cid = id
		fmt.Fprintf(b.out, " ---> Running in %s\n", id[:12])
	})
	if err != nil {
		return err
	}
	if code != 0 {
		if b.o.Quiet && b.o.Stderr != nil {
			b.o.Stderr.Write(quiet.Bytes())
		}
		return &StepError{Command: strings.Join(argv, " "), Code: code}
	}
	if cid != "" {
		fmt.Fprintf(b.out, "Removing intermediate container %s\n", cid[:12])
	}
	st := sr.st.next()
	st.key = key
	createdBy := strings.Join(argv, " ")
	if len(args) > 0 {
		// Docker's classic record of the build args a RUN saw.
		createdBy = fmt.Sprintf("|%d %s %s", len(args), strings.Join(args, " "), createdBy)
	}
	var d *v1.Descriptor
	if !layer.Empty {
		d = &v1.Descriptor{MediaType: types.DockerLayer, Digest: layer.Digest, Size: layer.Size}
	}
	if err := b.commit(st, createdBy, d, layer.DiffID); err != nil {
		return err
	}
	sr.st = st
	return nil
}

// bindDigests is what RUN's bind mounts show, for the cache key: the
// digest of a context source as COPY computes it, or the image ID of a
// stage or image, so that a changed source reruns the step.
func (b *builder) bindDigests(mounts []*instructions.Mount) (string, error) {
	var out []string
	for _, m := range mounts {
		if m.Type != instructions.MountTypeBind {
			continue
		}
		if m.From != "" {
			st, err := b.stateFor(m.From)
			if err != nil {
				return "", err
			}
			out = append(out, st.id.String())
			continue
		}
		es, _, err := b.bc.contextSources(m.Source)
		if err != nil {
			return "", fmt.Errorf("RUN --mount=type=bind,source=%s: %w", m.Source, err)
		}
		sum, err := (&copyPlan{entries: es, dest: "/"}).digest(b.memo)
		if err != nil {
			return "", err
		}
		out = append(out, sum)
	}
	return strings.Join(out, " "), nil
}

// runMounts turns RUN --mount into run's -v and --tmpfs: type=cache a
// directory of the store kept across builds, type=bind a read-only
// directory of the context (or of a stage or image with from=),
// type=tmpfs a tmpfs.
func (b *builder) runMounts(sr *stageRun, mounts []*instructions.Mount, tmpfs *[]string) ([]string, error) {
	var vols []string
	for _, m := range mounts {
		target := m.Target
		if !filepath.IsAbs(target) {
			target = filepath.Join("/", sr.st.cfg.Config.WorkingDir, target)
		}
		switch m.Type {
		case instructions.MountTypeCache:
			id := m.CacheID
			if id == "" {
				id = target
			}
			sum := sha256.Sum256([]byte(id))
			dir := filepath.Join(b.s.Root(), "buildcache-mounts", hex.EncodeToString(sum[:16]))
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return nil, err
			}
			v := dir + ":" + target
			if m.ReadOnly {
				v += ":ro"
			}
			vols = append(vols, v)
		case instructions.MountTypeTmpfs:
			*tmpfs = append(*tmpfs, target)
		case instructions.MountTypeBind:
			dir := b.bc.dir
			if m.From != "" {
				var err error
				if dir, err = b.stageDir(m.From); err != nil {
					return nil, err
				}
			}
			if dir == "" {
				return nil, fmt.Errorf("RUN --mount=type=bind: no build context")
			}
			src, err := cleanSource(m.Source)
			if err != nil {
				return nil, err
			}
			// Resolved inside the context (or the stage's tree): a
			// symlink cannot point the mount out of it.
			host, err := securejoin.SecureJoin(dir, src)
			if err != nil {
				return nil, err
			}
			// Read-only even with rw: BuildKit would discard the
			// writes, pocket would make them in the context.
			vols = append(vols, host+":"+target+":ro")
		case instructions.MountTypeSecret, instructions.MountTypeSSH:
			// sessionMounts
		default:
			return nil, fmt.Errorf("RUN --mount=type=%s: %w", m.Type, ErrUnsupported)
		}
	}
	return vols, nil
}

// stageDir is the merged tree of a stage or image, unpacked once per
// build for RUN --mount=type=bind,from=: written by fs.WriteMerged and
// read back by fs.Unpack, which trusts no tar.
func (b *builder) stageDir(from string) (string, error) {
	if d, ok := b.mountDirs[from]; ok {
		return d, nil
	}
	st, err := b.stateFor(from)
	if err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp(b.tmp, "from-")
	if err != nil {
		return "", err
	}
	pr, pw := io.Pipe()
	go func() {
		pw.CloseWithError(pfs.WriteMerged(pw, b.layerFS(st).dirs, pfs.OptionsFor(privilege.Rootless()).OpaqueXattr))
	}()
	_, err = pfs.Unpack(pr, dir, io.Discard, pfs.OptionsFor(privilege.Rootless()))
	pr.Close()
	if err != nil {
		return "", fmt.Errorf("RUN --mount from=%s: %w", from, err)
	}
	if b.mountDirs == nil {
		b.mountDirs = map[string]string{}
	}
	b.mountDirs[from] = dir
	return dir, nil
}
