//go:build linux

package e2e

// Shell snippets as people write them for Docker, run unchanged by sh
// with `docker` a shell function that calls pocket.

import (
	"os/exec"
	"strings"
	"testing"
)

func TestSnippets(t *testing.T) {
	root := newRoot(t)
	prelude := `docker() { "$POCKET" --root "$ROOT" --registry-mirror "$MIRROR" "$@"; }` + "\n"
	sh := func(script string) result {
		t.Helper()
		cmd := exec.Command("sh", "-ec", prelude+script)
		cmd.Env = append(testEnv(), "POCKET="+pocketBin, "ROOT="+root, "MIRROR="+testRegistry.URL)
		return runToEnd(t, cmd, script)
	}
	for _, tc := range []struct{ script, want string }{
		{`docker pull busybox | tail -1`, "docker.io/library/busybox:latest"},
		{`docker pull busybox | grep Status`, "Status: Image is up to date for busybox:latest"},
		{`docker run --rm -e X=1 busybox sh -c 'echo $X'`, "1"},
		{`id=$(docker run -d busybox sh -c 'echo hi from $HOSTNAME')
docker wait "$id" >/dev/null
docker logs "$id" | sed "s/$(echo $id | cut -c1-12)/ID/"
docker rm -f "$id" >/dev/null`, "hi from ID"},
		{`docker run -d --name web busybox sleep 60 >/dev/null
docker ps --format '{{.Names}}' --filter name=web
docker rm -f web >/dev/null`, "web"},
		{`docker run --name failed busybox sh -c 'exit 3' || echo "run exited $?"
docker inspect -f '{{.State.ExitCode}}' failed
docker rm failed >/dev/null`, "run exited 3\n3"},
		{`docker images -q | wc -l`, "1"},
		{`docker volume create data >/dev/null
docker run --rm -v data:/d busybox sh -c 'echo kept > /d/f'
docker run --rm -v data:/d busybox cat /d/f`, "kept"},
		{`if docker inspect nosuch >/dev/null 2>&1; then echo found; else echo "missing $?"; fi`, "missing 1"},
		{`docker save busybox | tar -t | grep -x -e repositories -e manifest.json | sort`, "manifest.json\nrepositories"},
		{`docker system df --format '{{.Type}} {{.TotalCount}}'`, "Images 1\nContainers 0\nLocal Volumes 1\nBuild Cache 0"},
		// Without -f docker asks, on a terminal or not; "n" keeps the image.
		{`echo n | docker image prune -a | tail -1; docker images -q | wc -l`, "Are you sure you want to continue? [y/N] Total reclaimed space: 0B\n1"},
		{`docker run --name old busybox true; docker container prune -f >/dev/null; docker ps -aq | wc -l`, "0"},
		{`docker rmi busybox >/dev/null && docker images -q | wc -l`, "0"},
	} {
		r := sh(tc.script)
		if r.Code != 0 {
			t.Errorf("%s\n%s", tc.script, r)
			continue
		}
		if got := strings.TrimSpace(r.Stdout); got != tc.want {
			t.Errorf("%s\ngot  %q\nwant %q\nstderr: %s", tc.script, got, tc.want, r.Stderr)
		}
	}
}
