package testimages

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
)

var programs sync.Map // name -> func() ([]byte, error)

// Program is the Go program in testdata/<name> built static for the host,
// once a process: test programs are built from source, never committed.
func Program(name string) ([]byte, error) {
	f, _ := programs.LoadOrStore(name, sync.OnceValues(func() ([]byte, error) { return goBuild(name) }))
	return f.(func() ([]byte, error))()
}

func goBuild(name string) ([]byte, error) {
	src, err := sourceDir(name)
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "pocket-"+name+"-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	out := filepath.Join(tmp, name)
	cmd := exec.Command(goTool(), "build", "-trimpath", "-ldflags=-s -w", "-o", out, ".")
	cmd.Dir = src
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("go build testdata/%s: %v: %s", name, err, strings.TrimSpace(string(b)))
	}
	return os.ReadFile(out)
}
