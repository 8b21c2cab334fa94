// Package pocketbuild builds pocket for the tests as the Makefile's
// pocket target does: first the container init (ns/nsinit) for the
// target architecture, then pocket with it embedded (the pocket_nsinit
// tag). Tests that run containers then start them as users' pocket does.
package pocketbuild

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// Tags are the build tags of a pocket built by make.
const Tags = "urfave_cli_no_docs,pocket_nsinit"

// Build writes pocket, built from the module at repo for linux/goarch, to
// out, with the extra go build flags given (e.g. "-ldflags=-s -w").
func Build(repo, out, goarch string, flags ...string) error {
	env := append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+goarch)
	init := filepath.Join("ns", "nsinit", "pocket-init-linux-"+goarch)
	steps := [][]string{
		append(append([]string{"build", "-trimpath"}, flags...), "-o", init, "./ns/nsinit"),
		append(append([]string{"build", "-trimpath", "-tags", Tags}, flags...), "-o", out, "."),
	}
	for _, s := range steps {
		cmd := exec.Command("go", s...)
		cmd.Dir, cmd.Env = repo, env
		if b, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("go %v: %v\n%s", s, err, b)
		}
	}
	return nil
}
