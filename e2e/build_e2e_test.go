//go:build linux

package e2e

import (
	"archive/tar"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// writeContext writes files (path → content; a content "->target" makes
// a symlink) under a new directory and returns it.
func writeContext(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "ctx")
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if target, ok := strings.CutPrefix(content, "->"); ok {
			if err := os.Symlink(target, p); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

var stepLine = regexp.MustCompile(`(?m)^Step (\d+)/(\d+) : (.*)$`)

// cachedSteps lists the step numbers a build printed " ---> Using cache"
// for, and ranSteps those it did not.
func cachedSteps(out string) (cached, ran []string) {
	parts := stepLine.FindAllStringSubmatchIndex(out, -1)
	for i, p := range parts {
		end := len(out)
		if i+1 < len(parts) {
			end = parts[i+1][0]
		}
		n := out[p[2]:p[3]]
		if strings.HasPrefix(out[p[6]:p[7]], "FROM") {
			continue
		}
		if strings.Contains(out[p[1]:end], " ---> Using cache") {
			cached = append(cached, n)
		} else {
			ran = append(ran, n)
		}
	}
	return cached, ran
}

func builtID(t *testing.T, out string) string {
	t.Helper()
	m := regexp.MustCompile(`Successfully built ([0-9a-f]{12})`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no 'Successfully built' in:\n%s", out)
	}
	return m[1]
}

// TestBuildInstructions: a Dockerfile with every instruction builds an
// image whose configuration and files are what the Dockerfile says, and
// which runs under pocket.
func TestBuildInstructions(t *testing.T) {
	root := newRoot(t)
	ctx := writeContext(t, map[string]string{
		"Dockerfile": `# escape=\
ARG BASE=busybox
FROM ${BASE} AS base
LABEL org.example.a="one" b=two
ENV GREETING=hello PATHX=/opt
ARG WHO=world
RUN echo "$GREETING $WHO" > /greeting && mkdir -p /data && echo gone > /data/old
RUN rm /data/old /home/app/owned
WORKDIR /app
COPY --chown=app:app --chmod=640 a.txt ./
COPY dir/ /copied/
ADD files.tar /unpacked/
EXPOSE 8080 53/udp
VOLUME /data
USER app
SHELL ["/bin/sh", "-c"]
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=5s CMD true
ONBUILD RUN echo triggered > /tmp/triggered
ENTRYPOINT ["/bin/sh", "-c"]
CMD ["cat /greeting"]
`,
		"a.txt":         "a\n",
		"dir/sub/b.txt": "b\n",
	})
	writeTar(t, filepath.Join(ctx, "files.tar"), map[string]string{"x/in-tar": "tar\n"})
	r := mustPocket(t, root, "build", "-t", "built:v1", "-t", "built:v2", "--label", "extra=yes", ctx)
	for _, want := range []string{"Step 1/20 : FROM ${BASE} AS base", "Successfully tagged built:v1", "Successfully tagged built:v2"} {
		if !strings.Contains(r.Stdout, want) {
			t.Errorf("build output lacks %q:\n%s", want, r.Stdout)
		}
	}
	out := mustPocket(t, root, "run", "--rm", "built:v1").Stdout
	if out != "hello world\n" {
		t.Errorf("run printed %q, want the greeting", out)
	}
	out = mustPocket(t, root, "run", "--rm", "--entrypoint", "sh", "built:v2", "-c",
		"id -u; pwd; stat -c '%U:%G %a' a.txt; cat /copied/sub/b.txt /unpacked/x/in-tar; test -e /data/old || echo old-gone").Stdout
	want := "1000\n/app\napp:app 640\nb\ntar\nold-gone\n"
	if out != want {
		t.Errorf("run printed %q, want %q", out, want)
	}
	insp := inspectImage(t, root, "built:v1")
	cfg := insp["Config"].(map[string]any)
	for k, want := range map[string]any{
		"User": "app", "WorkingDir": "/app", "StopSignal": "SIGTERM",
		"Entrypoint": []any{"/bin/sh", "-c"}, "Cmd": []any{"cat /greeting"},
		"ExposedPorts": map[string]any{"8080/tcp": map[string]any{}, "53/udp": map[string]any{}},
		"Volumes":      map[string]any{"/data": map[string]any{}},
		"Labels":       map[string]any{"org.example.a": "one", "b": "two", "extra": "yes"},
	} {
		if diff := cmp.Diff(want, cfg[k]); diff != "" {
			t.Errorf("Config.%s (-want +got):\n%s", k, diff)
		}
	}
	if env := cfg["Env"].([]any); !contains(env, "GREETING=hello") || contains(env, "WHO=world") {
		t.Errorf("Config.Env %v: want GREETING, not the build arg WHO", env)
	}
	hist := mustPocket(t, root, "history", "--no-trunc", "built:v1").Stdout
	if !strings.Contains(hist, "/bin/sh -c #(nop)  ENV GREETING=hello PATHX=/opt") || !strings.Contains(hist, "|1 WHO=world /bin/sh -c rm /data/old /home/app/owned") {
		t.Errorf("history lacks Docker's created-by lines:\n%s", hist)
	}

	// ONBUILD: a build FROM the image runs the trigger first.
	child := writeContext(t, map[string]string{"Dockerfile": "FROM built:v1\nUSER root\n"})
	r = mustPocket(t, root, "build", "-t", "child", child)
	if !strings.Contains(r.Stdout, "# Executing 1 build trigger") {
		t.Errorf("child build did not run the trigger:\n%s", r.Stdout)
	}
	out = mustPocket(t, root, "run", "--rm", "--entrypoint", "cat", "child", "/tmp/triggered").Stdout
	if out != "triggered\n" {
		t.Errorf("trigger wrote %q", out)
	}
	if ob := inspectImage(t, root, "child")["Config"].(map[string]any)["OnBuild"]; ob != nil {
		t.Errorf("child inherits OnBuild %v", ob)
	}
}

func contains(list []any, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// writeTar writes a tar of regular files (with their parent directories).
func writeTar(t *testing.T, p string, files map[string]string) {
	t.Helper()
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tw := tar.NewWriter(f)
	for name, content := range files {
		if d := filepath.Dir(name); d != "." {
			tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: d + "/", Mode: 0o755})
		}
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: 0o644, Size: int64(len(content))}); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(content))
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
}

// multiStage has a stage the final one does not need, which fails.
const multiStage = `FROM busybox AS builder
ARG MSG=default
RUN <<EOF
echo "built $MSG" > /out
mkdir -p /outdir/a && echo deep > /outdir/a/f
EOF
COPY <<EOT /heredoc.txt
hello ${MSG}
EOT

FROM busybox AS unused
RUN exit 7

FROM scratch AS final
COPY --from=builder /out /out
COPY --from=builder /outdir /od
COPY --from=builder /bin/busybox /bin/sh
COPY --from=0 /heredoc.txt /
COPY . /ctx/
CMD ["/bin/sh", "-c", "cat /out /od/a/f /heredoc.txt; cd /ctx && find . | sort"]
`

// TestBuildMultiStage: only the stages the target needs are built
// (the failing one is not), COPY --from by name and index, heredocs in
// RUN and COPY, .dockerignore with a `!` exception, and --target.
func TestBuildMultiStage(t *testing.T) {
	root := newRoot(t)
	ctx := writeContext(t, map[string]string{
		"Dockerfile":    multiStage,
		".dockerignore": "ign\n!ign/keep.txt\n*.log\nDockerfile\n",
		"ign/drop.txt":  "x",
		"ign/keep.txt":  "k",
		"a.log":         "l",
		"src/s.txt":     "s",
	})
	r := mustPocket(t, root, "build", "-t", "ms", "--build-arg", "MSG=arg", ctx)
	if strings.Contains(r.Stdout, "exit 7") {
		t.Errorf("the unused stage was built:\n%s", r.Stdout)
	}
	out := mustPocket(t, root, "run", "--rm", "ms").Stdout
	want := "built arg\ndeep\nhello arg\n.\n./.dockerignore\n./ign\n./ign/keep.txt\n./src\n./src/s.txt\n"
	if out != want {
		t.Errorf("run printed %q, want %q", out, want)
	}
	r = mustPocket(t, root, "build", "-q", "--target", "builder", ctx)
	id := strings.TrimSpace(r.Stdout)
	if !strings.HasPrefix(id, "sha256:") || strings.Contains(r.Stdout, "Step") {
		t.Fatalf("build -q printed %q, want only the ID", r.Stdout)
	}
	if out := mustPocket(t, root, "run", "--rm", id, "cat", "/out").Stdout; out != "built default\n" {
		t.Errorf("--target builder image has /out %q", out)
	}
	if r := pocket(t, root, "build", "--target", "nosuch", ctx); r.Code != 1 {
		t.Errorf("--target nosuch: %s, want exit 1", r)
	}
}

// TestBuildHostileContext: a source never leaves the context. `COPY ../x`
// is refused; a symlink of the context pointing out of it is copied as a
// link, never its target; a directory symlink out of the context is
// resolved inside the context, so its outside files are not found.
func TestBuildHostileContext(t *testing.T) {
	root := newRoot(t)
	ctx := writeContext(t, map[string]string{})
	outside := filepath.Join(filepath.Dir(ctx), "outside")
	os.MkdirAll(outside, 0o755)
	os.WriteFile(filepath.Join(outside, "secret"), []byte("secret\n"), 0o644)
	os.MkdirAll(ctx, 0o755)
	os.Symlink(filepath.Join(outside, "secret"), filepath.Join(ctx, "link"))
	os.Symlink(outside, filepath.Join(ctx, "dirlink"))

	os.WriteFile(filepath.Join(ctx, "Dockerfile"), []byte("FROM busybox\nCOPY ../outside/secret /x\n"), 0o644)
	r := pocket(t, root, "build", ctx)
	if r.Code != 1 || !strings.Contains(r.Stderr, "forbidden path outside the build context") {
		t.Errorf("COPY ../x: %s, want exit 1 and the forbidden-path error", r)
	}
	os.WriteFile(filepath.Join(ctx, "Dockerfile"), []byte("FROM busybox\nCOPY dirlink/secret /x\n"), 0o644)
	if r := pocket(t, root, "build", ctx); r.Code != 1 {
		t.Errorf("COPY through a directory symlink out of the context: %s, want exit 1", r)
	}
	os.WriteFile(filepath.Join(ctx, "Dockerfile"), []byte("FROM busybox\nCOPY link /link\nCOPY . /ctx/\n"), 0o644)
	mustPocket(t, root, "build", "-t", "hostile", ctx)
	out := mustPocket(t, root, "run", "--rm", "hostile", "sh", "-c", "readlink /link; readlink /ctx/link; cat /ctx/dirlink/secret 2>&1 || true").Stdout
	ls := lines(out)
	if len(ls) < 2 || ls[0] != filepath.Join(outside, "secret") || ls[1] != ls[0] || slices.Contains(ls, "secret") {
		t.Errorf("image holds %q, want the links, not the outside file", out)
	}
}

// seedApp is the seed example: dependencies first, then sources.
const seedApp = `FROM busybox
COPY package.json /app/
RUN cat /app/package.json > /app/installed && echo installing
ARG FLAVOR=plain
RUN echo "$FLAVOR" > /app/flavor
COPY . /app/
CMD ["cat", "/app/main.js"]
`

// TestBuildCache: a rebuild with nothing changed takes every step from
// the cache and gives the same image ID; a changed source reruns only
// from its COPY; a changed build arg only the steps that see it; prune
// empties the cache.
func TestBuildCache(t *testing.T) {
	root := newRoot(t)
	ctx := writeContext(t, map[string]string{"Dockerfile": seedApp, "package.json": "{}", "main.js": "v1"})
	first := mustPocket(t, root, "build", "-t", "app", ctx).Stdout
	_, ran := cachedSteps(first)
	if diff := cmp.Diff([]string{"2", "3", "4", "5", "6", "7"}, ran); diff != "" {
		t.Errorf("first build ran (-want +got):\n%s", diff)
	}
	second := mustPocket(t, root, "build", "-t", "app", ctx).Stdout
	cached, ran := cachedSteps(second)
	if len(ran) != 0 || len(cached) != 6 || builtID(t, first) != builtID(t, second) {
		t.Errorf("rebuild: cached %v ran %v, IDs %s %s; want all cached, same ID", cached, ran, builtID(t, first), builtID(t, second))
	}

	os.WriteFile(filepath.Join(ctx, "main.js"), []byte("v2"), 0o644)
	_, ran = cachedSteps(mustPocket(t, root, "build", "-t", "app", ctx).Stdout)
	if diff := cmp.Diff([]string{"6", "7"}, ran); diff != "" {
		t.Errorf("after a source change, ran (-want +got):\n%s", diff)
	}
	if out := mustPocket(t, root, "run", "--rm", "app").Stdout; out != "v2" {
		t.Errorf("app prints %q, want v2", out)
	}

	_, ran = cachedSteps(mustPocket(t, root, "build", "--build-arg", "FLAVOR=spicy", "-t", "app", ctx).Stdout)
	if diff := cmp.Diff([]string{"5", "6", "7"}, ran); diff != "" {
		t.Errorf("after a build-arg change, ran (-want +got):\n%s", diff)
	}

	// The cache outlives the image until it is pruned.
	mustPocket(t, root, "rmi", "app")
	cached, _ = cachedSteps(mustPocket(t, root, "build", "-t", "app", ctx).Stdout)
	if len(cached) != 6 {
		t.Errorf("after rmi, %d steps cached, want 6", len(cached))
	}
	out := mustPocket(t, root, "builder", "prune", "-f").Stdout
	if !strings.Contains(out, "Deleted build cache objects:") {
		t.Errorf("builder prune printed %q", out)
	}
	cached, _ = cachedSteps(mustPocket(t, root, "build", "-t", "app", ctx).Stdout)
	if len(cached) != 0 {
		t.Errorf("after builder prune, steps %v cached", cached)
	}
	mustPocket(t, root, "system", "prune", "-f")
	cached, _ = cachedSteps(mustPocket(t, root, "build", "-t", "app", ctx).Stdout)
	if len(cached) != 0 {
		t.Errorf("after system prune, steps %v cached", cached)
	}
}

// TestBuildFailingRun: a RUN that fails fails the build with its output
// and Docker's line naming the command and its status.
func TestBuildFailingRun(t *testing.T) {
	root := newRoot(t)
	cmd := pocketCmd(t, root, "build", "-")
	cmd.Stdin = strings.NewReader("FROM busybox\nRUN echo out; exit 3\n")
	r := runToEnd(t, cmd, "pocket build -")
	if r.Code != 1 || !strings.Contains(r.Stdout, "out\n") ||
		!strings.Contains(r.Stderr, "The command '/bin/sh -c echo out; exit 3' returned a non-zero code: 3") {
		t.Errorf("failing RUN: %s", r)
	}
	if ps := mustPocket(t, root, "ps", "-aq").Stdout; ps != "" {
		t.Errorf("the step's container is left: %q", ps)
	}
}

// TestBuildReproducible: with SOURCE_DATE_EPOCH, two builds without the
// cache give the same image ID; --iidfile records it.
func TestBuildReproducible(t *testing.T) {
	root := newRoot(t)
	ctx := writeContext(t, map[string]string{"Dockerfile": "FROM busybox\nRUN echo x > /x\nCOPY f /f\n", "f": "f"})
	var ids []string
	for i := 0; i < 2; i++ {
		iid := filepath.Join(t.TempDir(), "iid")
		mustPocket(t, root, "build", "--no-cache", "--source-date-epoch", "1700000000", "--iidfile", iid, ctx)
		b, err := os.ReadFile(iid)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, string(b))
	}
	if ids[0] != ids[1] || !strings.HasPrefix(ids[0], "sha256:") {
		t.Errorf("two builds gave %v, want one ID", ids)
	}
}

// TestBuildRunMounts: RUN --mount=type=cache keeps its directory across
// builds; type=bind shows a context directory read-only, and neither
// lands in the layer.
func TestBuildRunMounts(t *testing.T) {
	root := newRoot(t)
	ctx := writeContext(t, map[string]string{
		"Dockerfile": "FROM busybox AS other\nRUN echo from-stage > /marker\n" +
			"FROM busybox\nRUN --mount=type=cache,target=/cache --mount=type=bind,source=src,target=/src " +
			"--mount=type=bind,from=other,source=/marker,target=/m --mount=type=tmpfs,target=/scratch " +
			"cat /src/in >> /cache/log && cp /cache/log /log && (touch /src/w 2>/dev/null || echo ro > /ro) && " +
			"cat /m > /got-marker && touch /scratch/t\n",
		"src/in": "line\n",
	})
	mustPocket(t, root, "build", "-t", "m1", ctx)
	mustPocket(t, root, "build", "--no-cache", "-t", "m2", ctx)
	if out := mustPocket(t, root, "run", "--rm", "m2", "sh", "-c", "cat /log /ro /got-marker; ls /cache /src /m /scratch 2>/dev/null | wc -l").Stdout; out != "line\nline\nro\nfrom-stage\n0\n" {
		t.Errorf("m2 holds %q, want two lines from the kept cache, ro, the stage's marker, no mount contents", out)
	}
	// The bound source is part of the step's cache key.
	_, ran := cachedSteps(mustPocket(t, root, "build", "-t", "m3", ctx).Stdout)
	if len(ran) != 0 {
		t.Errorf("unchanged rebuild ran %v", ran)
	}
	os.WriteFile(filepath.Join(ctx, "src/in"), []byte("changed\n"), 0o644)
	if _, ran = cachedSteps(mustPocket(t, root, "build", "-t", "m3", ctx).Stdout); len(ran) != 1 {
		t.Errorf("after a change of the bound source, ran %v, want the RUN", ran)
	}
}

// TestBuildSavePodmanLoad: a built image saved by pocket loads into
// podman, whose export of it has the files the Dockerfile made and not
// the one a later step deleted: the layers and whiteouts are valid for
// other tools. (Running it under podman needs rlimits the test host may
// refuse; create and export check the same layers.)
func TestBuildSavePodmanLoad(t *testing.T) {
	podman, err := exec.LookPath("podman")
	if err != nil {
		t.Skip("podman is not installed (testdata/setup.sh bench installs it)")
	}
	root := newRoot(t)
	ctx := writeContext(t, map[string]string{
		"Dockerfile": "FROM busybox\nRUN mkdir /made && echo x > /made/f && echo y > /made/del\nRUN rm /made/del /home/app/owned\nCOPY f /made/copied\n",
		"f":          "f",
	})
	mustPocket(t, root, "build", "-t", "forpodman:1", ctx)
	archive := filepath.Join(t.TempDir(), "img.tar")
	mustPocket(t, root, "save", "-o", archive, "forpodman:1")
	pr := t.TempDir()
	podmanCmd := func(args ...string) string {
		t.Helper()
		all := append([]string{"--root", filepath.Join(pr, "root"), "--runroot", filepath.Join(pr, "run"), "--storage-driver", "vfs"}, args...)
		out, err := exec.Command(podman, all...).Output()
		if err != nil {
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				t.Fatalf("podman %s: %v\n%s", strings.Join(args, " "), err, ee.Stderr)
			}
			t.Fatalf("podman %s: %v", strings.Join(args, " "), err)
		}
		return string(out)
	}
	podmanCmd("load", "-i", archive)
	cid := strings.TrimSpace(podmanCmd("create", "forpodman:1"))
	t.Cleanup(func() {
		exec.Command(podman, "--root", filepath.Join(pr, "root"), "--runroot", filepath.Join(pr, "run"), "--storage-driver", "vfs", "rm", "-f", cid).Run()
	})
	exported := filepath.Join(t.TempDir(), "fs.tar")
	podmanCmd("export", "-o", exported, cid)
	names := tarNames(t, exported)
	for _, want := range []string{"made/f", "made/copied", "bin/busybox"} {
		if !names[want] {
			t.Errorf("podman's export lacks %s", want)
		}
	}
	for _, gone := range []string{"made/del", "home/app/owned"} {
		if names[gone] {
			t.Errorf("podman's export has %s, deleted by a later step", gone)
		}
	}
}

// TestRootlessBuild: a user without root builds with the same command,
// and the owners in the image are what the Dockerfile says.
func TestRootlessBuild(t *testing.T) {
	e := newRootlessEnv(t, userWithSubIDs)
	ctx := filepath.Join(e.dir, "ctx")
	os.MkdirAll(ctx, 0o755)
	os.WriteFile(filepath.Join(ctx, "Dockerfile"), []byte("FROM busybox\nRUN echo x > /owned && chown 1000:1000 /owned\n"+
		"COPY --chown=1000:2000 f /f\nCOPY f /root-owned\nCOPY src/ /app/\n"), 0o644)
	os.WriteFile(filepath.Join(ctx, "f"), []byte("f"), 0o644)
	os.Mkdir(filepath.Join(ctx, "src"), 0o755)
	os.WriteFile(filepath.Join(ctx, "src/a"), []byte("a"), 0o644)
	os.WriteFile(filepath.Join(ctx, "src/b"), []byte("b1"), 0o644)
	e.must(t, "build", "-t", "rl", ctx)
	out := e.runOut(t, "rl", "stat", "-c", "%u:%g", "/owned", "/f", "/root-owned")
	if out != "1000:1000\n1000:2000\n0:0" {
		t.Errorf("rootless build owners %q, want 1000:1000, 1000:2000, 0:0", out)
	}
	cached, _ := cachedSteps(e.must(t, "build", "-t", "rl", ctx).Stdout)
	if len(cached) != 4 {
		t.Errorf("rootless rebuild cached %v, want all 4 steps", cached)
	}
	// One source changed: the unchanged one is linked from the previous
	// layer (TestBuildCopyReuse), as the user's own files.
	layerOf := func() string {
		var ids []string
		json.Unmarshal([]byte(e.must(t, "image", "inspect", "--format", "{{json .RootFS.Layers}}", "rl").Stdout), &ids)
		if len(ids) == 0 {
			t.Fatal("rl has no layers")
		}
		return filepath.Join(e.store(), "layers", strings.TrimPrefix(ids[len(ids)-1], "sha256:"), "diff", "app")
	}
	first := layerOf()
	os.WriteFile(filepath.Join(ctx, "src/b"), []byte("b2"), 0o644)
	e.must(t, "build", "-t", "rl", ctx)
	if !sameFileOnHost(t, filepath.Join(first, "a"), filepath.Join(layerOf(), "a")) {
		t.Error("rootless rebuild wrote the unchanged src/a again")
	}
	if out := e.runOut(t, "rl", "cat", "/app/a", "/app/b"); out != "ab2" {
		t.Errorf("rootless rebuild holds %q, want ab2", out)
	}
}

// TestBuildStdin: a tar on stdin is the context (Dockerfile inside); a
// platform other than the host's is refused clearly.
func TestBuildStdin(t *testing.T) {
	root := newRoot(t)
	archive := filepath.Join(t.TempDir(), "ctx.tar")
	writeTar(t, archive, map[string]string{"Dockerfile": "FROM busybox\nCOPY in.txt /\n", "in.txt": "from tar\n"})
	f, err := os.Open(archive)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cmd := pocketCmd(t, root, "build", "-t", "fromtar", "-")
	cmd.Stdin = f
	if r := runToEnd(t, cmd, "pocket build - < ctx.tar"); r.Code != 0 {
		t.Fatalf("build from a tar on stdin: %s", r)
	}
	if out := mustPocket(t, root, "run", "--rm", "fromtar", "cat", "/in.txt").Stdout; out != "from tar\n" {
		t.Errorf("in.txt holds %q", out)
	}
	r := pocket(t, root, "build", "--platform", "linux/s390x", t.TempDir())
	if r.Code != 1 || !strings.Contains(r.Stderr, "host's platform") {
		t.Errorf("--platform linux/s390x: %s, want exit 1 naming the host's platform", r)
	}
}

// TestBuildManyLayers: an image of 100+ layers builds and runs, though
// their paths do not fit in one overlay mount's option page (4096
// bytes): the layers are named by short links, as Docker's l/ links.
func TestBuildManyLayers(t *testing.T) {
	root := newRoot(t)
	var df strings.Builder
	df.WriteString("FROM busybox\n")
	for i := range 110 {
		fmt.Fprintf(&df, "COPY f /l/%d\n", i)
	}
	df.WriteString("RUN ls /l | wc -l > /count\n")
	ctx := writeContext(t, map[string]string{"Dockerfile": df.String(), "f": "x"})
	mustPocket(t, root, "build", "-q", "-t", "many", ctx)
	if out := strings.TrimSpace(mustPocket(t, root, "run", "--rm", "many", "cat", "/count").Stdout); out != "110" {
		t.Errorf("the image of 112 layers counts %q files, want 110", out)
	}
}

// TestBuildConcurrent: builds sharing one store at the same time (CI
// jobs on one cache) all succeed, and with SOURCE_DATE_EPOCH agree on
// the image; a later build finds every step cached.
func TestBuildConcurrent(t *testing.T) {
	root := newRoot(t)
	ctx := writeContext(t, map[string]string{"Dockerfile": "FROM busybox\nRUN echo a > /a\nCOPY f /f\nRUN cat /f > /g\n", "f": "f"})
	mustPocket(t, root, "pull", "busybox")
	const n = 3
	results := make(chan result, n)
	for range n {
		go func() {
			cmd := pocketCmd(t, root, "build", "-q", "--source-date-epoch", "1700000000", ctx)
			var stdout, stderr strings.Builder
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			code := 0
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				code = ee.ExitCode()
			} else if err != nil {
				code = -1
			}
			results <- result{Stdout: stdout.String(), Stderr: stderr.String(), Code: code}
		}()
	}
	var ids []string
	for range n {
		r := <-results
		if r.Code != 0 {
			t.Errorf("concurrent build: %s", r)
			continue
		}
		ids = append(ids, strings.TrimSpace(r.Stdout))
	}
	for _, id := range ids {
		if id != ids[0] {
			t.Errorf("concurrent builds gave %v, want one ID", ids)
			break
		}
	}
	cached, ran := cachedSteps(mustPocket(t, root, "build", "--source-date-epoch", "1700000000", ctx).Stdout)
	if len(ran) != 0 || len(cached) != 3 {
		t.Errorf("after concurrent builds: cached %v ran %v, want all cached", cached, ran)
	}
}

// TestBuildAddURL: ADD of a URL fetches the file (mode 0600, named by
// the URL's last element in a directory destination); its content is
// part of the cache key.
func TestBuildAddURL(t *testing.T) {
	body := "v1\n"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, body) }))
	defer srv.Close()
	root := newRoot(t)
	ctx := writeContext(t, map[string]string{"Dockerfile": "FROM busybox\nADD " + srv.URL + "/dl/file.txt /d/\n"})
	mustPocket(t, root, "build", "-t", "addurl", ctx)
	if out := mustPocket(t, root, "run", "--rm", "addurl", "sh", "-c", "stat -c %a /d/file.txt; cat /d/file.txt").Stdout; out != "600\nv1\n" {
		t.Errorf("ADD URL gave %q", out)
	}
	body = "v2\n"
	if _, ran := cachedSteps(mustPocket(t, root, "build", "-t", "addurl", ctx).Stdout); len(ran) != 1 {
		t.Errorf("after the URL's content changed, ran %v, want the ADD", ran)
	}
}

// TestBuildWorkdir: WORKDIR makes its directory in the image even when
// nothing later uses it.
func TestBuildWorkdir(t *testing.T) {
	root := newRoot(t)
	ctx := writeContext(t, map[string]string{"Dockerfile": "FROM busybox\nWORKDIR /w/x\nWORKDIR /\n"})
	mustPocket(t, root, "build", "-t", "wd", ctx)
	if out := mustPocket(t, root, "run", "--rm", "wd", "stat", "-c", "%U %a", "/w/x").Stdout; out != "root 755\n" {
		t.Errorf("/w/x: %q, want a root directory 755", out)
	}
}

// TestBuildCopyReuse: a COPY run again because one source changed links
// the unchanged files from the same step's previous layer instead of
// writing them again; the image is the one a fresh build gives (same ID
// with a fixed epoch) and shows the changed file.
func TestBuildCopyReuse(t *testing.T) {
	root := newRoot(t)
	ctx := writeContext(t, map[string]string{"Dockerfile": "FROM busybox\nCOPY src/ /app/\n", "src/a": "a", "src/b": "b1", "src/c/d": "d"})
	build := func(root string, args ...string) string {
		iid := filepath.Join(t.TempDir(), "iid")
		mustPocket(t, root, append([]string{"build", "--source-date-epoch", "1700000000", "--iidfile", iid, "-t", "app"}, append(args, ctx)...)...)
		b, err := os.ReadFile(iid)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	copyLayer := func() string {
		var ids []string
		out := mustPocket(t, root, "image", "inspect", "--format", "{{json .RootFS.Layers}}", "app").Stdout
		if err := json.Unmarshal([]byte(out), &ids); err != nil || len(ids) == 0 {
			t.Fatalf("layers of app: %q", out)
		}
		return filepath.Join(root, "layers", strings.TrimPrefix(ids[len(ids)-1], "sha256:"), "diff", "app")
	}
	build(root)
	first := copyLayer()
	os.WriteFile(filepath.Join(ctx, "src/b"), []byte("b2"), 0o644)
	id := build(root)
	second := copyLayer()
	if first == second {
		t.Fatal("the COPY layer did not change with its source")
	}
	for name, linked := range map[string]bool{"a": true, "c/d": true, "b": false} {
		if got := sameFileOnHost(t, filepath.Join(first, name), filepath.Join(second, name)); got != linked {
			t.Errorf("%s shared with the previous layer: %v, want %v", name, got, linked)
		}
	}
	if out := mustPocket(t, root, "run", "--rm", "app", "cat", "/app/a", "/app/b", "/app/c/d").Stdout; out != "ab2d" {
		t.Errorf("the image holds %q, want ab2d", out)
	}
	if fresh := build(newRoot(t), "--no-cache"); fresh != id {
		t.Errorf("rebuilt image %s, a fresh build gives %s", id, fresh)
	}
}

func sameFileOnHost(t *testing.T, a, b string) bool {
	t.Helper()
	fa, err := os.Lstat(a)
	if err != nil {
		t.Fatal(err)
	}
	fb, err := os.Lstat(b)
	if err != nil {
		t.Fatal(err)
	}
	return os.SameFile(fa, fb)
}
