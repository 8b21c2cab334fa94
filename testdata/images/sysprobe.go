package images

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
)

// SysprobeBinary is testdata/sysprobe built static for the host, once a
// process: it makes the raw syscalls the seccomp tests name.
func SysprobeBinary() ([]byte, error) { return sysprobeBinary() }

var sysprobeBinary = sync.OnceValues(func() ([]byte, error) {
	src, err := sourceDir("sysprobe")
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "pocket-sysprobe-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	out := filepath.Join(tmp, "sysprobe")
	cmd := exec.Command(goTool(), "build", "-trimpath", "-ldflags=-s -w", "-o", out, ".")
	cmd.Dir = src
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("go build testdata/sysprobe: %v: %s", err, strings.TrimSpace(string(b)))
	}
	return os.ReadFile(out)
})
