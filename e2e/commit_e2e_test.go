//go:build linux

package e2e

import (
	"path/filepath"
	"strings"
	"testing"

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
