//go:build linux

package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// TestOCIRuntimeConcurrentDelete: runtime commands on one container take
// its lock. Six `delete --force` at once: one deletes it and runs the
// poststop hook, the others then find it gone (which --force accepts, as
// runc). Without the lock several load the same state, each kills and
// removes it, and the hook runs as many times.
func TestOCIRuntimeConcurrentDelete(t *testing.T) {
	r := newOCIRuntime(t)
	log := filepath.Join(t.TempDir(), "poststop")
	bundle := newBundle(t, r, []string{"sleep", "1000"}, func(s *specs.Spec) {
		s.Hooks = &specs.Hooks{Poststop: []specs.Hook{{Path: "/bin/sh", Args: []string{"sh", "-c", "echo x >> " + log}}}}
	})
	id := ociID(t)
	r.must(t, "create", "--bundle", bundle, id)
	t.Cleanup(func() { r.run(t, "delete", "--force", id) })
	r.must(t, "start", id)

	const n = 6
	outs := make([]string, n)
	codes := make([]int, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := exec.Command(r.bin, "--root", r.root, "delete", "--force", id)
			<-start
			out, _ := cmd.CombinedOutput()
			outs[i], codes[i] = string(out), cmd.ProcessState.ExitCode()
		}()
	}
	close(start)
	wg.Wait()
	for i := range n {
		// runc's delete --force of a container already gone succeeds.
		if codes[i] != 0 {
			t.Errorf("delete %d: exit %d: %s", i, codes[i], outs[i])
		}
	}
	if b, _ := os.ReadFile(log); string(b) != "x\n" {
		t.Errorf("poststop hook ran %d times, want once", strings.Count(string(b), "x"))
	}
}

// TestOCIRuntimeExecSignals: a foreground exec passes the signals its
// client receives on to the process, as runc's signal proxy does: the
// shell's TERM trap runs and its exit status comes back.
func TestOCIRuntimeExecSignals(t *testing.T) {
	r := newOCIRuntime(t)
	bundle := newBundle(t, r, []string{"sleep", "1000"}, nil)
	id := ociID(t)
	r.must(t, "create", "--bundle", bundle, id)
	t.Cleanup(func() { r.run(t, "delete", "--force", id) })
	r.must(t, "start", id)

	// A file, not a pipe: the backgrounded sleep keeps its stdout.
	out, err := os.Create(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	cmd := exec.Command(r.bin, "--root", r.root, "exec", id,
		"sh", "-c", `trap "echo got; exit 3" TERM; echo ready; sleep 100 & wait`)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	read := func() string { b, _ := os.ReadFile(out.Name()); return string(b) }
	deadline := time.Now().Add(commandTimeout)
	for !strings.Contains(read(), "ready") {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("exec never got ready: %q", read())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-done:
	case <-time.After(commandTimeout):
		cmd.Process.Kill()
		<-done
		t.Fatalf("exec still running after SIGTERM: %q", read())
	}
	if code := cmd.ProcessState.ExitCode(); code != 3 || !strings.Contains(read(), "got") {
		t.Errorf("exec after SIGTERM: exit %d (%v), output %q; want exit 3 and \"got\"", code, cmd.ProcessState, read())
	}
}
