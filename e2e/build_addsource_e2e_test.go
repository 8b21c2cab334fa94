//go:build linux

package e2e

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestBuildAddChecksum: ADD --checksum verifies a URL's content; a
// mismatch fails naming the URL and both digests; a checksum on a
// context file is refused as BuildKit does.
func TestBuildAddChecksum(t *testing.T) {
	const body = "payload\n"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, body) }))
	defer srv.Close()
	sum := sha256.Sum256([]byte(body))
	good := "sha256:" + hex.EncodeToString(sum[:])
	bad := "sha256:" + strings.Repeat("0", 64)
	root := newRoot(t)
	ctx := writeContext(t, map[string]string{"Dockerfile": "FROM busybox\nADD --checksum=" + good + " " + srv.URL + "/f.txt /d/\n", "local": "x"})
	mustPocket(t, root, "build", "-t", "ck", ctx)
	if out := mustPocket(t, root, "run", "--rm", "ck", "cat", "/d/f.txt").Stdout; out != body {
		t.Errorf("/d/f.txt: %q", out)
	}
	for _, tc := range []struct{ dockerfile, want string }{
		{"FROM busybox\nADD --checksum=" + bad + " " + srv.URL + "/f.txt /d/\n", "ADD " + srv.URL + "/f.txt: checksum mismatch: want " + bad + ", got " + good},
		{"FROM busybox\nADD --checksum=" + good + " local /d/\n", "checksum requires HTTP(S) or Git sources"},
		{"FROM busybox\nADD --checksum=" + good + " " + srv.URL + "/a " + srv.URL + "/b /d/\n", "checksum can't be specified for multiple sources"},
	} {
		os.WriteFile(filepath.Join(ctx, "Dockerfile"), []byte(tc.dockerfile), 0o644)
		if r := pocket(t, root, "build", ctx); r.Code != 1 || !strings.Contains(r.Stderr, tc.want) {
			t.Errorf("%q: %s, want exit 1 and %q", tc.dockerfile, r, tc.want)
		}
	}
}

// gitRepo makes a repository with two commits (tag v1 on the first)
// served by the dumb HTTP transport, as BuildKit's own test serves one,
// and returns its URL and v1's commit.
func gitRepo(t *testing.T, files1, files2 map[string]string) (string, string) {
	t.Helper()
	dir := t.TempDir()
	git := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@t", "-c", "init.defaultBranch=main"}, args...)...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	write := func(files map[string]string) {
		for name, content := range files {
			p := filepath.Join(dir, name)
			os.MkdirAll(filepath.Dir(p), 0o755)
			if target, ok := strings.CutPrefix(content, "->"); ok {
				os.Symlink(target, p)
				continue
			}
			os.WriteFile(p, []byte(content), 0o644)
		}
	}
	git("init", "-q")
	write(files1)
	git("add", "-A")
	git("commit", "-q", "-m", "one")
	git("tag", "v1")
	commit := git("rev-parse", "HEAD")
	write(files2)
	git("add", "-A")
	git("commit", "-q", "-m", "two")
	git("update-server-info")
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	t.Cleanup(srv.Close)
	return srv.URL + "/.git", commit
}

// TestBuildAddGit: ADD of a git repository (REF, REF:SUBDIR, HEAD) with
// the host's git, .git left out unless --keep-git-dir, --checksum
// checking the commit. The repository is hostile: its symlink to a host
// path is copied as a link, and no hook runs, not even one the user's
// git configuration or templates name.
func TestBuildAddGit(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Fatal("the host has no git: ADD of a repository needs it")
	}
	hostDir := t.TempDir()
	marker := filepath.Join(hostDir, "hook-ran")
	repo, v1 := gitRepo(t,
		map[string]string{"README": "v1\n", "sub/file.txt": "sub\n", "link": "->" + filepath.Join(hostDir, "target")},
		map[string]string{"README": "v2\n"})
	hooks := filepath.Join(hostDir, "hooks")
	os.MkdirAll(hooks, 0o755)
	for _, h := range []string{"post-checkout", "reference-transaction", "post-index-change"} {
		os.WriteFile(filepath.Join(hooks, h), []byte("#!/bin/sh\ntouch "+marker+"\n"), 0o755)
	}
	gitconfig := filepath.Join(hostDir, "gitconfig")
	os.WriteFile(gitconfig, []byte("[core]\n\thooksPath = "+hooks+"\n"), 0o644)

	root := newRoot(t)
	ctx := writeContext(t, map[string]string{"Dockerfile": "FROM busybox\n" +
		"ADD " + repo + "#v1 /src/\n" +
		"ADD " + repo + "#v1:sub /sub/\n" +
		"ADD --keep-git-dir=true " + repo + " /kept/\n" +
		"ADD --checksum=" + v1 + " " + repo + "#v1 /ck/\n"})
	build := pocketCmd(t, root, "build", "-t", "gitimg", ctx)
	build.Env = append(build.Env, "GIT_CONFIG_GLOBAL="+gitconfig, "GIT_TEMPLATE_DIR="+hostDir)
	if r := runToEnd(t, build, "pocket build"); r.Code != 0 {
		t.Fatalf("build: %s", r)
	}
	out := mustPocket(t, root, "run", "--rm", "gitimg", "sh", "-c",
		"cat /src/README /sub/file.txt /kept/README /ck/README; readlink /src/link; echo $(ls -A /src) $(ls -A /sub); test -d /kept/.git && echo kept").Stdout
	want := "v1\nsub\nv2\nv1\n" + filepath.Join(hostDir, "target") + "\nREADME link sub file.txt\nkept\n"
	if out != want {
		t.Errorf("image holds %q, want %q", out, want)
	}
	if _, err := os.Lstat(marker); err == nil {
		t.Error("a git hook ran on the host")
	}
	if _, err := os.Lstat(filepath.Join(hostDir, "target")); err == nil {
		t.Error("the repository's link was followed on the host")
	}
	os.WriteFile(filepath.Join(ctx, "Dockerfile"), []byte("FROM busybox\nADD --checksum=0000000000 "+repo+"#v1 /ck/\n"), 0o644)
	if r := pocket(t, root, "build", ctx); r.Code != 1 || !strings.Contains(r.Stderr, "checksum mismatch: want commit 0000000000, got "+v1) {
		t.Errorf("wrong commit checksum: %s, want exit 1 naming both", r)
	}
}
