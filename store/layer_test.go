package store

import (
	"bufio"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

func TestPutLayer(t *testing.T) {
	s := newStore(t)
	d := putLayer(t, s, "hello")
	if !s.HasLayer(d) {
		t.Fatal("HasLayer = false after PutLayer")
	}
	got, err := os.ReadFile(filepath.Join(s.LayerDir(d), "file"))
	if err != nil || string(got) != "hello" {
		t.Errorf("layer file = %q, %v; want hello", got, err)
	}
	if n, err := s.layerBytes(d.Hex); err != nil || n != 5 {
		t.Errorf("layer size = %d, %v; want 5", n, err)
	}
	if diff := cmp.Diff([]string{}, dirNames(t, filepath.Join(s.Root(), "tmp"))); diff != "" {
		t.Errorf("tmp/ not empty (-want +got):\n%s", diff)
	}
	// A second PutLayer finds it present and does not call fill.
	err = s.PutLayer(d, func(string, io.Writer) (v1.Hash, error) {
		t.Error("fill called for a present layer")
		return d, nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestPutLayerFailureLeavesNothing(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name string
		fill func(string, io.Writer) (v1.Hash, error)
		want error
	}{
		{"digest mismatch", fillWith("other content"), ErrDigestMismatch},
		{"fill error", func(dir string, _ io.Writer) (v1.Hash, error) {
			os.WriteFile(filepath.Join(dir, "partial"), []byte("x"), 0o644)
			return v1.Hash{}, boom
		}, boom},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			d := sha("content")
			if err := s.PutLayer(d, tt.fill); !errors.Is(err, tt.want) {
				t.Fatalf("PutLayer err = %v, want %v", err, tt.want)
			}
			if s.HasLayer(d) {
				t.Error("HasLayer = true after a failed PutLayer")
			}
			for _, dir := range []string{"layers", "tmp"} {
				if diff := cmp.Diff([]string{}, dirNames(t, filepath.Join(s.Root(), dir))); diff != "" {
					t.Errorf("%s/ not empty (-want +got):\n%s", dir, diff)
				}
			}
			// The failure does not poison a later, honest attempt.
			putLayer(t, s, "content")
		})
	}
}

func TestPutLayerBadDigest(t *testing.T) {
	s := newStore(t)
	err := s.PutLayer(v1.Hash{Algorithm: "sha256", Hex: "../x"}, fillWith("x"))
	if err == nil {
		t.Fatal("PutLayer with a path for a digest succeeded")
	}
}

func TestPutLayerConcurrent(t *testing.T) {
	s := newStore(t)
	d := sha("shared")
	var calls atomic.Int32
	var wg sync.WaitGroup
	errs := make([]error, 10)
	for i := range errs {
		// Each goroutine has its own Store and so its own lock file
		// descriptions: they contend as separate processes do.
		si := reopen(t, s)
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = si.PutLayer(d, func(dir string, meta io.Writer) (v1.Hash, error) {
				calls.Add(1)
				return fillWith("shared")(dir, meta)
			})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("PutLayer %d: %v", i, err)
		}
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("fill called %d times, want 1", n)
	}
	if !s.HasLayer(d) {
		t.Error("layer absent")
	}
}

// killedWriterChild runs in a re-executed test binary: it starts a
// PutLayer whose fill writes some data, reports, and blocks until killed.
func killedWriterChild(root string) {
	s, err := Open(root)
	if err != nil {
		os.Exit(2)
	}
	s.PutLayer(sha("killed"), func(dir string, meta io.Writer) (v1.Hash, error) {
		os.WriteFile(filepath.Join(dir, "half"), []byte("half"), 0o644)
		io.WriteString(os.Stdout, "ready\n")
		select {}
	})
	os.Exit(3)
}

func TestKilledWriter(t *testing.T) {
	s := newStore(t)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "POCKET_STORE_TEST_CHILD="+s.Root())
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || line != "ready\n" {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("child said %q, %v", line, err)
	}
	// While the writer lives, Open must leave its work alone.
	reopen(t, s)
	if n := len(dirNames(t, filepath.Join(s.Root(), "tmp"))); n != 2 {
		t.Errorf("tmp/ has %d entries while the writer lives, want 2 (object and lock)", n)
	}
	if _, ok, _ := s.TryLock("layer-" + sha("killed").Hex); ok {
		t.Error("layer lock free while the writer lives")
	}

	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()

	s2 := reopen(t, s)
	if diff := cmp.Diff([]string{}, dirNames(t, filepath.Join(s.Root(), "tmp"))); diff != "" {
		t.Errorf("tmp/ after Open (-want +got):\n%s", diff)
	}
	if s2.HasLayer(sha("killed")) {
		t.Error("half-written layer is present")
	}
	putLayer(t, s2, "killed")
}
