package testimages

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// HelloOutput is the first line the hello image prints.
const HelloOutput = "Hello from pocket!"

// Hello is the "hello-world" image: a static /hello built from
// testdata/hello with `go build`, Cmd ["/hello"].
func Hello() (v1.Image, error) { return hello() }

var hello = sync.OnceValues(func() (v1.Image, error) {
	bin, err := HelloBinary()
	if err != nil {
		return nil, err
	}
	l, err := Layer(File("hello", string(bin), 0o755))
	if err != nil {
		return nil, err
	}
	return build(Host(), v1.Config{Cmd: []string{"/hello"}, Env: []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}}, false, l)
})

// HelloBinary is testdata/hello built static for the host, once a process.
func HelloBinary() ([]byte, error) { return Program("hello") }

// sourceDir finds testdata/<name> at the module's root (two levels above
// this package's source), or via `go list` when the source path was
// trimmed.
func sourceDir(name string) (string, error) {
	if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
		dir := filepath.Join(filepath.Dir(file), "..", "..", "testdata", name)
		if _, err := os.Stat(dir); err == nil {
			return dir, nil
		}
	}
	b, err := exec.Command(goTool(), "list", "-f", "{{.Dir}}", "pocket/testdata/"+name).Output()
	if err != nil {
		return "", fmt.Errorf("find testdata/%s: %w (hint: run from inside the pocket module)", name, err)
	}
	return strings.TrimSpace(string(b)), nil
}

// goTool is the go command: on PATH, or in this binary's GOROOT.
func goTool() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	for _, p := range []string{filepath.Join(runtime.GOROOT(), "bin", "go"), "/usr/local/go/bin/go"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return "go"
}
