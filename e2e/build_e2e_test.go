//go:build linux

package e2e

import (
	"archive/tar"
	"os"
	"path/filepath"
	"regexp"
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
RUN rm /data/old
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
ONBUILD RUN echo triggered > /triggered
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
		"OnBuild":      []any{"RUN echo triggered > /triggered"},
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
	if !strings.Contains(hist, "/bin/sh -c #(nop)  ENV GREETING=hello PATHX=/opt") || !strings.Contains(hist, "|1 WHO=world /bin/sh -c rm /data/old") {
		t.Errorf("history lacks Docker's created-by lines:\n%s", hist)
	}

	// ONBUILD: a build FROM the image runs the trigger first.
	child := writeContext(t, map[string]string{"Dockerfile": "FROM built:v1\nUSER root\n"})
	r = mustPocket(t, root, "build", "-t", "child", child)
	if !strings.Contains(r.Stdout, "# Executing 1 build trigger") {
		t.Errorf("child build did not run the trigger:\n%s", r.Stdout)
	}
	out = mustPocket(t, root, "run", "--rm", "--entrypoint", "cat", "child", "/triggered").Stdout
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
