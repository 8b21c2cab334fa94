package run

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"pocket/store"
)

// TestReapMonitorKilledWhileStarting: a monitor killed between starting the
// command and recording "running" (its command already printing) left the
// container "created" for ever; the next command records it exited 137,
// as one killed while running.
func TestReapMonitorKilledWhileStarting(t *testing.T) {
	for _, status := range []string{statusCreated, statusRunning} {
		t.Run(status, func(t *testing.T) {
			s, err := store.Open(filepath.Join(t.TempDir(), "root"))
			if err != nil {
				t.Fatal(err)
			}
			img, err := s.AddImage(nil, []byte(`{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}`))
			if err != nil {
				t.Fatal(err)
			}
			id := "c0ffee" + status
			if err := s.CreateContainer(&store.Container{ID: id, Name: "killed-" + status, Image: img.ID, Created: time.Now()}); err != nil {
				t.Fatal(err)
			}
			c := &container{dir: s.ContainerDir(id), spec: spec{ID: id, Image: img.ID}, state: State{Status: status}}
			if err := os.MkdirAll(c.dir, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := writeJSON(c.dir, specFile, &c.spec); err != nil {
				t.Fatal(err)
			}
			if err := c.writeState(); err != nil {
				t.Fatal(err)
			}
			// What supervise does first; then the monitor "dies" (no lock held).
			if err := s.MarkRunning(id); err != nil {
				t.Fatal(err)
			}
			Reap(s)
			got, err := loadID(s, id)
			if err != nil {
				t.Fatal(err)
			}
			if got.state.Status != statusExited || got.state.ExitCode != 137 {
				t.Errorf("after Reap: %s (exit %d), want exited (137)", got.state.Status, got.state.ExitCode)
			}
			if ids, _ := s.Running(); len(ids) != 0 {
				t.Errorf("still marked running: %v", ids)
			}
		})
	}
}
