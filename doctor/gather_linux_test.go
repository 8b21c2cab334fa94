package doctor

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

func TestGatherStore(t *testing.T) {
	dir := t.TempDir()
	// A store not made yet is judged by the directory it will be made in.
	s := gatherStore(filepath.Join(dir, "not", "yet"))
	if s.Err != "" || s.FSType == "" || !s.DType || s.Free == 0 || len(s.Options) == 0 {
		t.Errorf("gatherStore = %+v", s)
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("the probe left %v", left)
	}
	info := []byte("1 0 8:1 / / rw,relatime - ext4 /dev/sda1 rw\n" +
		"2 1 0:5 / /srv/ci\\040cache rw,nosuid,noexec - ext4 /dev/sdb1 rw\n" +
		"3 1 0:6 / /srv/ci rw - tmpfs tmpfs rw\n")
	for p, want := range map[string]string{"/var/lib/pocket": "relatime", "/srv/ci cache/pocket": "noexec", "/srv/ci/x": "rw", "/srv/ci cachex": "rw"} {
		if opts := mountOptionsIn(info, p); !slices.Contains(opts, want) {
			t.Errorf("mount options of %s = %v, want %s among them", p, opts, want)
		}
	}
	if got := unescapeMount(`/mnt/a\040b`); got != "/mnt/a b" {
		t.Errorf("unescapeMount = %q", got)
	}
}

func TestProbeRegistries(t *testing.T) {
	rs := probeRegistries(context.Background(), []string{"http://127.0.0.1:1"}, 2*time.Second)
	if len(rs) != 1 || rs[0].Err == "" {
		t.Errorf("a closed port answers: %+v", rs)
	}
}
