package store

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

func TestMain(m *testing.M) {
	if root := os.Getenv("POCKET_STORE_TEST_CHILD"); root != "" {
		killedWriterChild(root)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func newStore(t *testing.T) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "root"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// reopen is a second handle on the same root, as another process has.
func reopen(t *testing.T, s *Store) *Store {
	t.Helper()
	s2, err := Open(s.Root())
	if err != nil {
		t.Fatal(err)
	}
	return s2
}

func sha(data string) v1.Hash {
	sum := sha256.Sum256([]byte(data))
	return v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(sum[:])}
}

// fillWith writes one file of content into the layer and claims the
// diffID sha(content), as a real unpacker computes it from the stream.
func fillWith(content string) func(string, io.Writer) (v1.Hash, error) {
	return func(dir string, meta io.Writer) (v1.Hash, error) {
		if err := os.WriteFile(filepath.Join(dir, "file"), []byte(content), 0o644); err != nil {
			return v1.Hash{}, err
		}
		if _, err := io.WriteString(meta, `{"type":1}`); err != nil {
			return v1.Hash{}, err
		}
		return sha(content), nil
	}
}

func putLayer(t *testing.T, s *Store, content string) v1.Hash {
	t.Helper()
	d := sha(content)
	if err := s.PutLayer(d, fillWith(content)); err != nil {
		t.Fatal(err)
	}
	return d
}

func configFor(t *testing.T, created time.Time, layers ...v1.Hash) []byte {
	t.Helper()
	cfg := v1.ConfigFile{
		Architecture: "amd64",
		OS:           "linux",
		Created:      v1.Time{Time: created},
		RootFS:       v1.RootFS{Type: "layers", DiffIDs: layers},
	}
	data, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	names := []string{}
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestOpenLayout(t *testing.T) {
	s := newStore(t)
	for _, d := range []string{"blobs/sha256", "layers", "containers", "volumes", "locks", "tmp"} {
		if info, err := os.Stat(filepath.Join(s.Root(), d)); err != nil || !info.IsDir() {
			t.Errorf("%s: not a directory (%v)", d, err)
		}
	}
	info, err := os.Stat(s.Root())
	if err != nil {
		t.Fatal(err)
	}
	want := os.FileMode(0o700)
	if os.Geteuid() == 0 {
		want = 0o711
	}
	if got := info.Mode().Perm(); got != want {
		t.Errorf("root mode = %v, want %v", got, want)
	}
	if _, err := Open(""); err == nil {
		t.Error("Open(\"\") succeeded")
	}
}

func TestOpenCleansTmp(t *testing.T) {
	s := newStore(t)
	// A temp whose creator is alive (lock held) must survive Open.
	live, err := s.newTemp()
	if err != nil {
		t.Fatal(err)
	}
	defer live.release()
	if err := os.MkdirAll(filepath.Join(live.path, "diff"), 0o755); err != nil {
		t.Fatal(err)
	}
	// A dead creator's temp: lock file present, nobody holds it.
	dead := filepath.Join(s.Root(), "tmp", "deadbeef")
	if err := os.MkdirAll(filepath.Join(dead, "diff", "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dead+".lock", nil, 0o600); err != nil {
		t.Fatal(err)
	}
	// Debris without a lock and a lock without its object.
	if err := os.WriteFile(filepath.Join(s.Root(), "tmp", "orphan"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(s.Root(), "tmp", "lonely.lock"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	reopen(t, s)
	base := filepath.Base(live.path)
	if diff := cmp.Diff([]string{base, base + ".lock"}, dirNames(t, filepath.Join(s.Root(), "tmp"))); diff != "" {
		t.Errorf("tmp/ after Open (-want +got):\n%s", diff)
	}
}

func TestLockTryLock(t *testing.T) {
	s := newStore(t)
	unlock, err := s.Lock("container-abc")
	if err != nil {
		t.Fatal(err)
	}
	other := reopen(t, s)
	if _, ok, err := other.TryLock("container-abc"); err != nil || ok {
		t.Fatalf("TryLock while held = %v, %v; want false, nil", ok, err)
	}
	unlock()
	u2, ok, err := other.TryLock("container-abc")
	if err != nil || !ok {
		t.Fatalf("TryLock after unlock = %v, %v; want true, nil", ok, err)
	}
	u2()
	if _, err := s.Lock("../escape"); err == nil {
		t.Error("Lock(../escape) succeeded")
	}
}

func TestLockHeld(t *testing.T) {
	s := newStore(t)
	unlock, err := s.Lock("container-abc")
	if err != nil {
		t.Fatal(err)
	}
	gone := filepath.Join(t.TempDir(), "gone")
	tests := []struct {
		name, root, lock string
		want             bool
	}{
		{"held", s.Root(), "container-abc", true},
		{"never taken", s.Root(), "container-def", false},
		{"no such root", gone, "container-abc", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := LockHeld(tt.root, tt.lock)
			if err != nil || got != tt.want {
				t.Errorf("LockHeld(%s, %s) = %v, %v; want %v, nil", tt.root, tt.lock, got, err, tt.want)
			}
		})
	}
	if _, err := os.Stat(gone); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("LockHeld created the root it was asked about: %v", err)
	}
	if _, err := os.Stat(filepath.Join(s.Root(), "locks", "container-def")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("LockHeld created a lock file: %v", err)
	}
	unlock()
	if held, err := LockHeld(s.Root(), "container-abc"); err != nil || held {
		t.Errorf("LockHeld after unlock = %v, %v; want false, nil", held, err)
	}
	if _, err := LockHeld(s.Root(), "../escape"); err == nil {
		t.Error("LockHeld(../escape) succeeded")
	}
}

func TestBlob(t *testing.T) {
	s := newStore(t)
	data := []byte(`{"schemaVersion":2}`)
	d, err := s.PutBlob(data)
	if err != nil {
		t.Fatal(err)
	}
	if want := sha(string(data)); d != want {
		t.Fatalf("PutBlob digest = %s, want %s", d, want)
	}
	got, err := s.Blob(d)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(data), string(got)); diff != "" {
		t.Errorf("Blob (-want +got):\n%s", diff)
	}

	// Corruption on disk is detected on read and repaired by a new put.
	if err := os.WriteFile(s.blobPath(d), []byte(`{"schemaVersion":3}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Blob(d); !errors.Is(err, ErrDigestMismatch) {
		t.Errorf("Blob of corrupted blob: err = %v, want ErrDigestMismatch", err)
	}
	if _, err := s.PutBlob(data); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Blob(d); err != nil {
		t.Errorf("Blob after re-put: %v", err)
	}

	if _, err := s.Blob(sha("absent")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Blob of absent digest: err = %v, want fs.ErrNotExist", err)
	}
	if _, err := s.Blob(v1.Hash{Algorithm: "sha256", Hex: "../../etc/passwd"}); err == nil {
		t.Error("Blob with a path for a digest succeeded")
	}
	if diff := cmp.Diff([]string{}, dirNames(t, filepath.Join(s.Root(), "tmp"))); diff != "" {
		t.Errorf("tmp/ not empty (-want +got):\n%s", diff)
	}
}
