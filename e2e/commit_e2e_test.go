//go:build linux

package e2e

import (
	"archive/tar"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/creack/pty"
	"github.com/google/go-cmp/cmp"
)

// changeScript adds, changes and deletes files in a busybox container.
const changeScript = `mkdir /newdir && echo new > /newdir/file && echo changed >> /etc/motd && rm /bin/vi && touch -d @0 /newdir /newdir/file`

// TestCommitDiff: diff lists A/C/D as Docker (sorted, without /etc/hosts
// and the other files pocket mounts), and commit makes an image that has
// the changes and lacks the deleted file.
func TestCommitDiff(t *testing.T) {
	root := newRoot(t)
	mustPocket(t, root, "run", "--name", "c1", "busybox", "sh", "-c", changeScript)
	got := lines(mustPocket(t, root, "diff", "c1").Stdout)
	want := []string{"C /bin", "D /bin/vi", "C /etc", "A /etc/motd", "A /newdir", "A /newdir/file"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("diff (-want +got):\n%s", diff)
	}

	id := strings.TrimSpace(mustPocket(t, root, "commit", "-m", "msg", "-a", "me", "c1", "committed:v1").Stdout)
	if !strings.HasPrefix(id, "sha256:") || len(id) != 71 {
		t.Fatalf("commit printed %q, want sha256:<id>", id)
	}
	out := mustPocket(t, root, "run", "--rm", "committed:v1", "sh", "-c", "cat /newdir/file /etc/motd; test -e /bin/vi || echo gone").Stdout
	if !strings.Contains(out, "new\n") || !strings.Contains(out, "changed\n") || !strings.Contains(out, "gone\n") {
		t.Errorf("run of the committed image printed %q", out)
	}
	insp := inspectImage(t, root, "committed:v1")
	if insp["Author"] != "me" || insp["Comment"] != "msg" {
		t.Errorf("inspect Author %v Comment %v, want me, msg", insp["Author"], insp["Comment"])
	}

	// save and load give back the same image ID: the layer's tar is
	// rebuilt byte for byte.
	archive := filepath.Join(t.TempDir(), "c.tar")
	mustPocket(t, root, "save", "-o", archive, "committed:v1")
	root2 := newRoot(t)
	mustPocket(t, root2, "load", "-i", archive)
	if got := inspectImage(t, root2, "committed:v1")["Id"]; got != id {
		t.Errorf("loaded image ID %v, want %s", got, id)
	}
}

// TestCommitReproducible: with SOURCE_DATE_EPOCH fixed, committing the
// same container twice gives the same image ID.
func TestCommitReproducible(t *testing.T) {
	root := newRoot(t)
	mustPocket(t, root, "run", "--name", "c1", "busybox", "sh", "-c", "echo x > /x; mkdir -p /d/e; rm -rf /home")
	commit := func() string {
		cmd := pocketCmd(t, root, "commit", "c1")
		cmd.Env = append(cmd.Env, "SOURCE_DATE_EPOCH=1700000000")
		r := runToEnd(t, cmd, "pocket commit")
		if r.Code != 0 {
			t.Fatalf("commit: %s", r)
		}
		return strings.TrimSpace(r.Stdout)
	}
	if a, b := commit(), commit(); a != b {
		t.Errorf("two commits with SOURCE_DATE_EPOCH: %s and %s", a, b)
	}
}

// TestCommitChange: --change sets CMD and ENV of the new image, which
// run then uses.
func TestCommitChange(t *testing.T) {
	root := newRoot(t)
	mustPocket(t, root, "run", "--name", "c1", "busybox", "true")
	mustPocket(t, root, "commit", "--change", `CMD ["sh","-c","echo $GREETING"]`, "--change", "ENV GREETING=hi", "c1", "changed")
	cfg := inspectImage(t, root, "changed")["Config"].(map[string]any)
	if diff := cmp.Diff([]any{"sh", "-c", "echo $GREETING"}, cfg["Cmd"]); diff != "" {
		t.Errorf("Cmd (-want +got):\n%s", diff)
	}
	if out := mustPocket(t, root, "run", "--rm", "changed").Stdout; out != "hi\n" {
		t.Errorf("run printed %q, want hi", out)
	}
	if r := pocket(t, root, "commit", "-c", "FROM x", "c1"); r.Code != 1 {
		t.Errorf("commit with --change FROM: exit %d, want 1", r.Code)
	}
}

// TestExportImportHistory: export writes the merged filesystem (changes
// on top, deleted files gone), import makes an image of it that runs, and
// history shows a commit's entry on top.
func TestExportImportHistory(t *testing.T) {
	root := newRoot(t)
	mustPocket(t, root, "run", "--name", "c1", "busybox", "sh", "-c", changeScript)
	archive := filepath.Join(t.TempDir(), "rootfs.tar")
	mustPocket(t, root, "export", "-o", archive, "c1")
	names := tarNames(t, archive)
	for _, want := range []string{"newdir/file", "bin/sh", "etc/motd"} {
		if !names[want] {
			t.Errorf("export lacks %s", want)
		}
	}
	if names["bin/vi"] {
		t.Error("export has the deleted /bin/vi")
	}
	for n := range names {
		if strings.Contains(n, ".wh.") {
			t.Errorf("export has whiteout %s", n)
		}
	}

	id := strings.TrimSpace(mustPocket(t, root, "import", "-m", "imported", "--change", `CMD ["cat","/newdir/file"]`, archive, "imported:v1").Stdout)
	if !strings.HasPrefix(id, "sha256:") {
		t.Fatalf("import printed %q", id)
	}
	if out := mustPocket(t, root, "run", "--rm", "imported:v1").Stdout; out != "new\n" {
		t.Errorf("run of the imported image printed %q, want new", out)
	}

	// From a URL, as docker import takes one; a URL that fails names
	// itself and its HTTP status.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/rootfs.tar" {
			http.NotFound(w, r)
			return
		}
		http.ServeFile(w, r, archive)
	}))
	defer srv.Close()
	mustPocket(t, root, "import", "--change", `CMD ["cat","/newdir/file"]`, srv.URL+"/rootfs.tar", "imported:url")
	if out := mustPocket(t, root, "run", "--rm", "imported:url").Stdout; out != "new\n" {
		t.Errorf("run of the image imported from a URL printed %q, want new", out)
	}
	if r := pocket(t, root, "import", srv.URL+"/missing.tar", "imported:gone"); r.Code != 1 || !strings.Contains(r.Stderr, "404 Not Found") {
		t.Errorf("import of a missing URL: exit %d, stderr %q; want 1 naming the 404", r.Code, r.Stderr)
	}

	mustPocket(t, root, "commit", "-m", "my message", "c1", "committed")
	rows := lines(mustPocket(t, root, "history", "committed").Stdout)
	if len(rows) < 3 || !strings.HasPrefix(rows[0], "IMAGE") {
		t.Fatalf("history:\n%s", strings.Join(rows, "\n"))
	}
	top := inspectImage(t, root, "committed")["Id"].(string)
	if !strings.HasPrefix(rows[1], strings.TrimPrefix(top, "sha256:")[:12]) || !strings.Contains(rows[1], "my message") ||
		!strings.Contains(rows[1], "sh -c mkdir /newdir") || !strings.Contains(rows[1], "…") {
		t.Errorf("history's top row %q: want the image ID, the command cut with …, the message", rows[1])
	}
	if !strings.HasPrefix(rows[2], "<missing>") {
		t.Errorf("history's second row %q: want <missing>", rows[2])
	}
	q := lines(mustPocket(t, root, "history", "-q", "--no-trunc", "committed").Stdout)
	if len(q) != len(rows)-1 || q[0] != top {
		t.Errorf("history -q --no-trunc: %q, want %s first", q, top)
	}

	// A failure of export is status 1, as Docker's.
	if r := pocket(t, root, "export", "nosuch"); r.Code != 1 {
		t.Errorf("export of a missing container: exit %d, want 1", r.Code)
	}
}

func tarNames(t *testing.T, p string) map[string]bool {
	t.Helper()
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	names := map[string]bool{}
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return names
		}
		if err != nil {
			t.Fatal(err)
		}
		names[strings.TrimSuffix(h.Name, "/")] = true
	}
}

// TestRootlessCommit: rootless, the upper directory holds ids shifted
// into the user's subordinate range and userxattr opaque markers; the
// committed layer carries the container's own ids (pocket reads it from
// inside its user namespace) and its deletions, and runs again.
func TestRootlessCommit(t *testing.T) {
	e := newRootlessEnv(t, userWithSubIDs)
	e.must(t, "run", "--name", "c1", "busybox", "sh", "-c",
		"echo x > /owned && chown 1000:1000 /owned && rm /bin/vi && rm -rf /home && mkdir /home && touch /home/only")
	got := lines(e.must(t, "diff", "c1").Stdout)
	for _, want := range []string{"A /owned", "D /bin/vi", "C /home", "A /home/only"} {
		if !slices.Contains(got, want) {
			t.Errorf("rootless diff lacks %q: %q", want, got)
		}
	}
	e.must(t, "commit", "c1", "rootless:c")
	out := e.runOut(t, "rootless:c", "sh", "-c", "stat -c %u:%g /owned; test -e /bin/vi || echo gone; ls /home")
	if out != "1000:1000\ngone\nonly" {
		t.Errorf("run of the rootless commit printed %q", out)
	}
}

// TestDiffHidesMountStubs: the files pocket mounts and the empty targets
// it made for -v and --tmpfs are no change of the container's.
func TestDiffHidesMountStubs(t *testing.T) {
	root := newRoot(t)
	vol := t.TempDir()
	mustPocket(t, root, "run", "--name", "c1", "--tmpfs", "/scratch", "-v", vol+":/data", "busybox", "true")
	if got := lines(mustPocket(t, root, "diff", "c1").Stdout); len(got) != 0 {
		t.Errorf("diff of a container that changed nothing: %q", got)
	}
	if out := mustPocket(t, root, "commit", "c1", "stubs").Stdout; !strings.HasPrefix(out, "sha256:") {
		t.Fatalf("commit printed %q", out)
	}
	if out := mustPocket(t, root, "run", "--rm", "stubs", "sh", "-c", "test -e /scratch || test -e /data || echo clean").Stdout; out != "clean\n" {
		t.Errorf("the committed image has the mount stubs: %q", out)
	}
}

// TestExportRefusesTerminal: export to a terminal is refused in Docker's
// words, with status 1.
func TestExportRefusesTerminal(t *testing.T) {
	root := newRoot(t)
	mustPocket(t, root, "run", "--name", "c1", "busybox", "true")
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer ptmx.Close()
	defer tty.Close()
	cmd := pocketCmd(t, root, "export", "c1")
	var stderr strings.Builder
	cmd.Stdout, cmd.Stderr = tty, &stderr
	err = cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Fatalf("export to a terminal: %v, want exit status 1", err)
	}
	if !strings.Contains(stderr.String(), "cowardly refusing to save to a terminal. Use the -o flag or redirect") {
		t.Errorf("stderr %q", stderr.String())
	}
}

// TestImportHostileTar: import unpacks like any pulled layer: an entry
// named "../../.." or written through a symlink to "/" stays inside the
// image (the CVE-2018-15664/CVE-2019-14271 class of tar breakouts).
func TestImportHostileTar(t *testing.T) {
	root := newRoot(t)
	victim := filepath.Join(t.TempDir(), "victim")
	archive := filepath.Join(t.TempDir(), "evil.tar")
	f, err := os.Create(archive)
	if err != nil {
		t.Fatal(err)
	}
	tw := tar.NewWriter(f)
	entries := []*tar.Header{
		{Name: "../../../../../../.." + victim, Typeflag: tar.TypeReg, Mode: 0o644, Size: 1},
		{Name: "escape", Typeflag: tar.TypeSymlink, Linkname: "/", Mode: 0o777},
		{Name: "escape" + victim + "2", Typeflag: tar.TypeReg, Mode: 0o644, Size: 1},
	}
	for _, h := range entries {
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Size > 0 {
			tw.Write([]byte("x"))
		}
	}
	tw.Close()
	f.Close()
	pocket(t, root, "import", archive, "evil")
	for _, p := range []string{victim, victim + "2"} {
		if _, err := os.Lstat(p); err == nil {
			t.Errorf("import wrote %s on the host", p)
		}
	}
}

// TestCommitRunning: a running container is committed as it is (pocket
// has no freezer; -p is accepted).
func TestCommitRunning(t *testing.T) {
	root := newRoot(t)
	mustPocket(t, root, "run", "-d", "--name", "c1", "busybox", "sh", "-c", "echo live > /live; exec sleep 1000")
	defer pocket(t, root, "rm", "-f", "c1")
	eventually(t, "the container writes /live", func() bool {
		return slices.Contains(lines(mustPocket(t, root, "diff", "c1").Stdout), "A /live")
	})
	mustPocket(t, root, "commit", "-p", "c1", "live")
	if out := mustPocket(t, root, "run", "--rm", "live", "cat", "/live").Stdout; out != "live\n" {
		t.Errorf("run of a running container's commit printed %q", out)
	}
}
