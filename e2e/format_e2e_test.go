//go:build linux

package e2e

// --format and --filter as Docker's CLI reads them, and the shell lines
// people copy from Docker's docs and scripts, run unchanged with pocket.

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"pocket/cgroup"
)

func TestFormatPs(t *testing.T) {
	root := newRoot(t)
	if r := pocket(t, root, "run", "--name", "done", "--network", "none", "busybox", "sh", "-c", "exit 3"); r.Code != 3 {
		t.Fatalf("run exit 3: %s", r)
	}
	mustPocket(t, root, "run", "-d", "--name", "up", "--network", "none", "busybox", "sleep", "1000")
	t.Cleanup(func() { pocket(t, root, "rm", "-f", "up") })

	r := mustPocket(t, root, "ps", "--format", `{{.Names}}\t{{.Status}}`)
	if l := lines(r.Stdout); len(l) != 1 || !strings.HasPrefix(l[0], "up\tUp ") {
		t.Errorf("ps --format '{{.Names}}\\t{{.Status}}': %q, want one line \"up\\tUp ...\"", r.Stdout)
	}
	r = mustPocket(t, root, "ps", "-a", "--format", `table {{.ID}}\t{{.Names}}`)
	if l := lines(r.Stdout); len(l) != 3 || strings.Join(strings.Fields(l[0]), " ") != "CONTAINER ID NAMES" {
		t.Errorf("ps --format 'table ...': %q, want the header CONTAINER ID NAMES and two rows", r.Stdout)
	}
	for _, tc := range []struct {
		name    string
		filters []string
		want    []string
	}{
		{"name and status", []string{"--filter", "name=do", "--filter", "status=exited"}, []string{"done"}},
		{"name with Docker's slash", []string{"--filter", "name=^/up$"}, []string{"up"}},
		{"name anchored", []string{"--filter", "name=^up$"}, []string{"up"}},
		{"name and other status", []string{"--filter", "name=do", "--filter", "status=running"}, nil},
		{"status ORed", []string{"--filter", "status=exited", "--filter", "status=running"}, []string{"done", "up"}},
		{"exited code", []string{"-f", "exited=3"}, []string{"done"}},
		{"ancestor", []string{"--filter", "ancestor=busybox"}, []string{"done", "up"}},
		{"ancestor other", []string{"--filter", "ancestor=hello-world"}, nil},
		{"since", []string{"--filter", "since=done"}, []string{"up"}},
		{"before", []string{"--filter", "before=up"}, []string{"done"}},
		{"last 1", []string{"-n", "1"}, []string{"up"}},
		{"latest", []string{"-l"}, []string{"up"}},
		{"last 1 exited", []string{"-n", "1", "--filter", "status=exited"}, []string{"done"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"ps", "-a", "--format", "{{.Names}}"}, tc.filters...)
			got := lines(mustPocket(t, root, args...).Stdout)
			slices.Sort(got)
			if !slices.Equal(got, tc.want) {
				t.Errorf("%v: %q, want %q", tc.filters, got, tc.want)
			}
		})
	}
	// Docker: an unknown key is the daemon's "invalid filter" (exit 1), a
	// filter without "=" the CLI's flag error (125).
	if r := pocket(t, root, "ps", "--filter", "bogus=1"); r.Code != 1 || !strings.Contains(r.Stderr, "invalid filter 'bogus'") {
		t.Errorf("ps --filter bogus=1: %s", r)
	}
	if r := pocket(t, root, "ps", "--filter", "status"); r.Code != 125 || !strings.Contains(r.Stderr, "bad format of filter") {
		t.Errorf("ps --filter status: %s", r)
	}

	for _, tc := range []struct{ format, want string }{
		{"{{.State.Running}}", "false"},
		{"{{.State.ExitCode}}", "3"},
		{"{{.Name}} {{.State.Status}}", "/done exited"},
	} {
		if got := strings.TrimSpace(mustPocket(t, root, "inspect", "-f", tc.format, "done").Stdout); got != tc.want {
			t.Errorf("inspect -f %q: %q, want %q", tc.format, got, tc.want)
		}
	}
	if got := strings.TrimSpace(mustPocket(t, root, "container", "inspect", "--format", "{{.State.Running}}", "up").Stdout); got != "true" {
		t.Errorf("container inspect --format {{.State.Running}} up: %q", got)
	}
}

func TestFormatImages(t *testing.T) {
	root := newRoot(t)
	mustPocket(t, root, "pull", "busybox")
	mustPocket(t, root, "run", "--name", "user", "--network", "none", "hello-world")
	if got := lines(mustPocket(t, root, "images", "--filter", "dangling=true", "-q").Stdout); len(got) != 0 {
		t.Errorf("images --filter dangling=true before rmi: %q", got)
	}
	id := strings.TrimSpace(mustPocket(t, root, "inspect", "-f", "{{.Id}}", "hello-world").Stdout)
	// A forced rmi of an image in use leaves it dangling.
	mustPocket(t, root, "rmi", "-f", "hello-world")
	r := mustPocket(t, root, "images", "--filter", "dangling=true", "--format", "{{.ID}} {{.Repository}}:{{.Tag}}")
	if want := strings.TrimPrefix(id, "sha256:")[:12] + " <none>:<none>"; strings.TrimSpace(r.Stdout) != want {
		t.Errorf("images --filter dangling=true: %q, want %q", r.Stdout, want)
	}
	r = mustPocket(t, root, "images", "--filter", "dangling=false", "--format", "{{.Repository}}:{{.Tag}}")
	if strings.TrimSpace(r.Stdout) != "busybox:latest" {
		t.Errorf("images --filter dangling=false: %q", r.Stdout)
	}
	r = mustPocket(t, root, "images", "--filter", "reference=busy*", "--format", "table {{.Repository}}\t{{.Tag}}")
	if l := lines(r.Stdout); len(l) != 2 || strings.Fields(l[0])[0] != "REPOSITORY" || strings.Fields(l[1])[0] != "busybox" {
		t.Errorf("images --filter reference=busy* table: %q", r.Stdout)
	}
	if got := strings.TrimSpace(mustPocket(t, root, "image", "inspect", "-f", "{{.Os}}/{{.Architecture}}", "busybox").Stdout); !strings.HasPrefix(got, "linux/") {
		t.Errorf("image inspect -f: %q", got)
	}
}

func TestFormatVolumes(t *testing.T) {
	root := newRoot(t)
	mustPocket(t, root, "volume", "create", "used")
	mustPocket(t, root, "volume", "create", "spare")
	mustPocket(t, root, "run", "--name", "c1", "--network", "none", "-v", "used:/data", "busybox", "true")
	for _, tc := range []struct {
		filter string
		want   []string
	}{
		{"dangling=true", []string{"spare"}},
		{"dangling=false", []string{"used"}},
		{"name=sp", []string{"spare"}},
		{"driver=local", []string{"spare", "used"}},
	} {
		got := lines(mustPocket(t, root, "volume", "ls", "--filter", tc.filter, "--format", "{{.Name}}").Stdout)
		if !slices.Equal(got, tc.want) {
			t.Errorf("volume ls --filter %s: %q, want %q", tc.filter, got, tc.want)
		}
	}
	if got := strings.TrimSpace(mustPocket(t, root, "volume", "inspect", "-f", "{{.Driver}}", "used").Stdout); got != "local" {
		t.Errorf("volume inspect -f {{.Driver}}: %q", got)
	}
}

func TestFormatInfoAndNetworks(t *testing.T) {
	root := newRoot(t)
	want := "1"
	if cgroup.Unified() {
		want = "2"
	}
	if got := strings.TrimSpace(mustPocket(t, root, "info", "--format", "{{.CgroupVersion}}").Stdout); got != want {
		t.Errorf("info --format {{.CgroupVersion}}: %q, want %q", got, want)
	}
	r := mustPocket(t, root, "info")
	for _, s := range []string{" Containers: 0", " Storage Driver: overlay", " Docker Root Dir: " + root, " Cgroup Version: " + want} {
		if !strings.Contains(r.Stdout, s) {
			t.Errorf("info lacks %q:\n%s", s, r.Stdout)
		}
	}
	r = mustPocket(t, root, "network", "ls")
	l := lines(r.Stdout)
	if len(l) != 4 || strings.Join(strings.Fields(l[0]), " ") != "NETWORK ID NAME DRIVER SCOPE" {
		t.Fatalf("network ls: %q", r.Stdout)
	}
	var names []string
	for _, row := range l[1:] {
		names = append(names, strings.Join(strings.Fields(row)[1:], " "))
	}
	if !slices.Equal(names, []string{"bridge bridge local", "host host local", "none null local"}) {
		t.Errorf("network ls rows: %q", names)
	}
	if got := lines(mustPocket(t, root, "network", "ls", "-q", "--filter", "name=none").Stdout); len(got) != 1 || len(got[0]) != 12 {
		t.Errorf("network ls -q --filter name=none: %q", got)
	}
	if got := strings.TrimSpace(mustPocket(t, root, "network", "inspect", "-f", "{{.Name}} {{.Driver}}", "bridge").Stdout); got != "bridge bridge" {
		t.Errorf("network inspect -f: %q", got)
	}
	if r := pocket(t, root, "network", "inspect", "nope"); r.Code != 1 || !strings.Contains(r.Stderr, "network nope not found") {
		t.Errorf("network inspect nope: %s", r)
	}
}

// Lines from Docker's docs and everyday scripts, run by sh unchanged but
// for the name of the binary.
func TestFormatDockerSnippets(t *testing.T) {
	root := newRoot(t)
	bin := t.TempDir()
	wrapper := "#!/bin/sh\nexec " + pocketBin + " --root " + root + " --registry-mirror " + testRegistry.URL + " \"$@\"\n"
	if err := os.WriteFile(filepath.Join(bin, "pocket"), []byte(wrapper), 0o755); err != nil {
		t.Fatal(err)
	}
	if r := pocket(t, root, "run", "--name", "c1", "--network", "none", "busybox", "sh", "-c", "exit 7"); r.Code != 7 {
		t.Fatalf("run exit 7: %s", r)
	}
	mustPocket(t, root, "run", "--name", "d1", "--network", "none", "busybox", "true")
	sh := func(script string) string {
		t.Helper()
		script = strings.ReplaceAll(script, "docker", "pocket")
		cmd := exec.Command("sh", "-ec", script)
		cmd.Env = append(testEnv(), "PATH="+bin+":"+os.Getenv("PATH"))
		r := runToEnd(t, cmd, script)
		if r.Code != 0 {
			t.Fatalf("%s: %s", script, r)
		}
		return strings.TrimSpace(r.Stdout)
	}
	for _, tc := range []struct{ script, want string }{
		{`docker inspect -f '{{.State.ExitCode}}' c1`, "7"},
		{`docker images --format '{{.Repository}}:{{.Tag}}'`, "busybox:latest"},
		{`docker ps -a --filter "name=^c1$" --format '{{.Names}} {{.State}}'`, "c1 exited"},
		{`[ "$(docker inspect --format '{{.State.Running}}' d1)" = false ] && echo stopped`, "stopped"},
		{`docker ps -aq --filter status=exited | xargs -r docker rm >/dev/null; docker ps -aq | wc -l`, "0"},
		{`docker volume create v1 >/dev/null; docker volume ls -q --filter dangling=true | xargs -r docker volume rm`, "v1"},
		{`docker info --format '{{json .Images}}'`, "1"},
		{`docker rmi $(docker images -q --filter reference=busybox) >/dev/null; docker images -q | wc -l`, "0"},
	} {
		if got := sh(tc.script); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.script, got, tc.want)
		}
	}
}

// psFormat and imagesFormat of Docker's config file are the default
// formats, as for docker ps and docker images; --format still wins.
func TestFormatConfigFile(t *testing.T) {
	root := newRoot(t)
	mustPocket(t, root, "run", "--name", "cf", "--network", "none", "busybox", "true")
	dir := t.TempDir()
	conf := `{"psFormat": "ps:{{.Names}}", "imagesFormat": "img:{{.Repository}}"}`
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) string {
		t.Helper()
		cmd := pocketCmd(t, root, args...)
		cmd.Env = append(cmd.Env, "DOCKER_CONFIG="+dir)
		r := runToEnd(t, cmd, strings.Join(args, " "))
		if r.Code != 0 {
			t.Fatalf("%v: %s", args, r)
		}
		return strings.TrimSpace(r.Stdout)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"ps", "-a"}, "ps:cf"},
		{[]string{"images"}, "img:busybox"},
		{[]string{"ps", "-a", "--format", "{{.State}}"}, "exited"},
	} {
		if got := run(tc.args...); got != tc.want {
			t.Errorf("%v with psFormat/imagesFormat: %q, want %q", tc.args, got, tc.want)
		}
	}
}
