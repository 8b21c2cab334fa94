package main

// The import direction is the architecture (see STYLE.md): this test fails
// when a package reaches for one it must not know, in the spirit of
// go-containerregistry's pkg/registry/depcheck_test.go.

import (
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// goListDeps maps each pocket package to its transitive imports.
func goListDeps(t *testing.T) map[string][]string {
	t.Helper()
	out, err := exec.Command("go", "list", "-json", "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	deps := map[string][]string{}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p struct {
			ImportPath string
			Deps       []string
		}
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		deps[p.ImportPath] = p.Deps
	}
	return deps
}

func TestImportDirection(t *testing.T) {
	deps := goListDeps(t)
	for _, tc := range []struct {
		pkg       string
		forbidden []string // import path prefixes
		allowed   []string // exceptions to forbidden: leaf packages
	}{
		{pkg: "pocket/reference", forbidden: []string{"pocket/"}},
		{pkg: "pocket/fs", forbidden: []string{"pocket/"}},
		// ns owns the user-namespace re-exec; it asks privilege, the one
		// answer to "rootless?", as everyone else does.
		{pkg: "pocket/ns", forbidden: []string{"pocket/"}, allowed: []string{"pocket/privilege"}},
		{pkg: "pocket/cgroup", forbidden: []string{"pocket/"}},
		{pkg: "pocket/network", forbidden: []string{"pocket/"}},
		{pkg: "pocket/seccomp", forbidden: []string{"pocket/"}},
		{pkg: "pocket/privilege", forbidden: []string{"pocket/"}},
		{pkg: "pocket/version", forbidden: []string{"pocket/"}},
		{pkg: "pocket/filter", forbidden: []string{"pocket/"}},
		{pkg: "pocket/trace", forbidden: []string{"pocket/"}},
		// cp moves files between roots it is handed; it knows no container.
		{pkg: "pocket/cp", forbidden: []string{"pocket/"}},
		{pkg: "pocket/store", forbidden: []string{"pocket/run", "pocket/build", "pocket/ns", "pocket/cgroup", "pocket/network", "pocket/pull",
			"pocket/plan", "pocket/rootfs", "pocket/privilege"}},
		{pkg: "pocket/pull", forbidden: []string{"pocket/run", "pocket/build", "pocket/ns", "pocket/cgroup", "pocket/network",
			"pocket/plan", "pocket/rootfs"}},
		// rootfs mounts and fills what init is told (ns types); it knows no
		// store, plan or running container.
		{pkg: "pocket/rootfs", forbidden: []string{"pocket/"}, allowed: []string{"pocket/ns", "pocket/privilege"}},
		// doctor looks at the host the way the packages that use it do
		// (cgroup.Parent, ns.SubIDs); it runs and stores nothing.
		{pkg: "pocket/doctor", forbidden: []string{"pocket/"}, allowed: []string{"pocket/ns", "pocket/cgroup", "pocket/privilege"}},
		// lockfile is data: pull and build's FROM ask it, it asks no one.
		{pkg: "pocket/lockfile", forbidden: []string{"pocket/"}, allowed: []string{"pocket/reference"}},
		// The OCI runtime is a second front door to the same init: it
		// knows ns, cgroup and seccomp, never images, the store or run.
		{pkg: "pocket/ociruntime", forbidden: []string{"pocket/"},
			allowed: []string{"pocket/ns", "pocket/cgroup", "pocket/seccomp", "pocket/privilege"}},
		// build runs its steps through run, as `pocket run` would; only
		// main reads the command line.
		{pkg: "pocket/build", forbidden: []string{"github.com/urfave/cli"}},
		// plan parses the command line; it knows nothing of running it.
		{pkg: "pocket/plan", forbidden: []string{"pocket/run"}},
		// Test helpers build images and run registries from the outside,
		// as a user's tools would.
		{pkg: "pocket/internal/testimages", forbidden: []string{"pocket/"}},
		{pkg: "pocket/internal/testregistry", forbidden: []string{"pocket/"}},
		{pkg: "pocket/internal/testlimit", forbidden: []string{"pocket/"}},
		{pkg: "pocket/internal/pocketbuild", forbidden: []string{"pocket/"}},
		// The container init binary embedded in pocket is the container
		// side alone: what it links is what every start pays for.
		{pkg: "pocket/ns/nsinit", forbidden: []string{"pocket/"}, allowed: []string{"pocket/ns", "pocket/privilege"}},
	} {
		t.Run(tc.pkg, func(t *testing.T) {
			ds, ok := deps[tc.pkg]
			if !ok {
				t.Fatalf("go list does not know %s", tc.pkg)
			}
			for _, d := range ds {
				// trace, a leaf, may be used anywhere: it marks phases.
				if slices.Contains(tc.allowed, d) || d == "pocket/trace" {
					continue
				}
				for _, f := range tc.forbidden {
					if strings.HasPrefix(d, f) && d != tc.pkg {
						t.Errorf("%s imports %s (the import direction forbids %s*)", tc.pkg, d, f)
					}
				}
			}
		})
	}
	for pkg, ds := range deps {
		for _, d := range ds {
			if pkg != "pocket" && strings.HasPrefix(d, "github.com/urfave/cli") {
				t.Errorf("%s imports %s: only package main may", pkg, d)
			}
			// Test helpers never reach the pocket binary.
			if !strings.HasPrefix(pkg, "pocket/internal/") && strings.HasPrefix(d, "pocket/internal/") {
				t.Errorf("%s imports %s: only tests and internal/cmd may", pkg, d)
			}
		}
	}
}
