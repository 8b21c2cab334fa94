//go:build linux

package e2e

import (
	"slices"
	"strings"
	"testing"
)

// container prune --filter label=/label!= removes only what matches,
// until= spares what is newer, and the report ends with Docker's total.
func TestContainerPruneFilters(t *testing.T) {
	root := newRoot(t)
	mustPocket(t, root, "create", "--name", "ci", "-l", "env=ci", "busybox", "true")
	mustPocket(t, root, "create", "--name", "keep", "-l", "env=ci", "-l", "keep", "busybox", "true")
	mustPocket(t, root, "run", "--name", "wrote", "busybox", "sh", "-c", "head -c 100000 /dev/zero > /big")

	if r := mustPocket(t, root, "container", "prune", "-f", "--filter", "until=1h"); r.Stdout != "Total reclaimed space: 0B\n" {
		t.Errorf("prune until=1h removed what is newer:\n%s", r.Stdout)
	}
	r := mustPocket(t, root, "container", "prune", "-f", "--filter", "label=env=ci", "--filter", "label!=keep")
	if !strings.HasPrefix(r.Stdout, "Deleted Containers:\n") || strings.Count(r.Stdout, "\n") != 4 || !strings.HasSuffix(r.Stdout, "\nTotal reclaimed space: 0B\n") {
		t.Errorf("prune label=env=ci label!=keep:\n%s", r.Stdout)
	}
	if got := psNames(t, root); !slices.Equal(got, []string{"keep", "wrote"}) {
		t.Errorf("left %q, want keep and wrote", got)
	}
	r = mustPocket(t, root, "container", "prune", "-f", "--filter", "label!=keep")
	if !strings.Contains(r.Stdout, "Total reclaimed space: 100kB\n") {
		t.Errorf("prune of a container that wrote 100000 bytes:\n%s", r.Stdout)
	}
	if got := psNames(t, root); !slices.Equal(got, []string{"keep"}) {
		t.Errorf("left %q, want keep", got)
	}
	if r := pocket(t, root, "container", "prune", "-f", "--filter", "name=keep"); r.Code != 1 || !strings.Contains(r.Stderr, "invalid filter 'name'") {
		t.Errorf("unknown key: %d %q", r.Code, r.Stderr)
	}
}

// volume prune --filter label!= spares what carries the label (anonymous
// volumes carry Docker's com.docker.volume.anonymous); system prune
// --volumes removes anonymous volumes no container uses once the stopped
// containers are gone, never named ones, and refuses until= as Docker's CLI.
func TestSystemPruneVolumes(t *testing.T) {
	root := newRoot(t)
	mustPocket(t, root, "volume", "create", "named")
	mustPocket(t, root, "run", "--rm", "-v", "/data", "busybox", "true")
	mustPocket(t, root, "run", "--name", "anon", "-v", "/data", "busybox", "true")
	mustPocket(t, root, "rm", "anon") // its anonymous volume is now unused
	r := mustPocket(t, root, "volume", "prune", "-f", "-a", "--filter", "label!=com.docker.volume.anonymous")
	if r.Stdout != "Deleted Volumes:\nnamed\n\nTotal reclaimed space: 0B\n" {
		t.Errorf("volume prune -a label!=anonymous:\n%s", r.Stdout)
	}
	if got := volumeNames(t, root); len(got) != 1 || got[0] == "named" {
		t.Fatalf("volumes left %q, want the anonymous one", got)
	}
	mustPocket(t, root, "volume", "create", "named")
	mustPocket(t, root, "run", "--name", "holder", "-v", "/held", "busybox", "true")
	if r := pocket(t, root, "system", "prune", "-f", "--volumes", "--filter", "until=1h"); r.Code != 1 || !strings.Contains(r.Stderr, `The "until" filter is not supported with "--volumes"`) {
		t.Errorf("--volumes with until: %d %q", r.Code, r.Stderr)
	}
	r = mustPocket(t, root, "system", "prune", "-f", "--volumes")
	if !strings.Contains(r.Stdout, "Deleted Containers:\n") || !strings.Contains(r.Stdout, "Deleted Volumes:\n") {
		t.Errorf("system prune --volumes:\n%s", r.Stdout)
	}
	if got := volumeNames(t, root); !slices.Equal(got, []string{"named"}) {
		t.Errorf("volumes left %q, want named", got)
	}
}

func psNames(t *testing.T, root string) []string {
	t.Helper()
	names := strings.Fields(mustPocket(t, root, "ps", "-a", "--format", "{{.Names}}").Stdout)
	slices.Sort(names)
	return names
}

// image prune -a --filter reads the image config's labels and creation
// time: label= removes only the labelled image, until= spares a new one.
func TestImagePruneFilters(t *testing.T) {
	root := newRoot(t)
	mustPocket(t, root, "run", "--name", "src", "busybox", "true")
	mustPocket(t, root, "commit", "-c", "LABEL env=ci", "src", "labelled:1")
	mustPocket(t, root, "commit", "src", "plain:1")
	if r := mustPocket(t, root, "image", "prune", "-a", "-f", "--filter", "until=1h"); r.Stdout != "Total reclaimed space: 0B\n" {
		t.Errorf("image prune until=1h removed a new image:\n%s", r.Stdout)
	}
	r := mustPocket(t, root, "image", "prune", "-a", "-f", "--filter", "label=env=ci")
	if !strings.HasPrefix(r.Stdout, "Deleted Images:\ndeleted: sha256:") || strings.Count(r.Stdout, "deleted: ") != 1 {
		t.Errorf("image prune label=env=ci:\n%s", r.Stdout)
	}
	refs := strings.Fields(mustPocket(t, root, "images", "--format", "{{.Repository}}").Stdout)
	slices.Sort(refs)
	if !slices.Equal(refs, []string{"busybox", "plain"}) {
		t.Errorf("images left %q, want busybox and plain", refs)
	}
}
