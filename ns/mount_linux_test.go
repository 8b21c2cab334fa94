package ns

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestSymlinkBreakout runs an image whose /proc, /dev, /sys/fs and
// /etc/hosts are symlinks to host paths: every mount lands inside the
// rootfs and the host paths stay untouched.
func TestSymlinkBreakout(t *testing.T) {
	hostDir := t.TempDir()
	marker := filepath.Join(hostDir, "marker")
	if err := os.WriteFile(marker, []byte("host"), 0o644); err != nil {
		t.Fatal(err)
	}
	hostFile := filepath.Join(t.TempDir(), "shadow")
	if err := os.WriteFile(hostFile, []byte("secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	hostDev := t.TempDir()

	cfg := newConfig(t, "sh", "-c", "cat /etc/hosts; test -c /dev/null && echo dev; echo $$ >/etc/hosts2; cat /proc/1/comm >/dev/null && echo proc")
	evil := t.TempDir()
	for link, target := range map[string]string{
		"proc":       hostDir,
		"dev":        hostDev,
		"etc/hosts":  hostFile,
		"etc/hosts2": hostFile,
	} {
		os.MkdirAll(filepath.Dir(filepath.Join(evil, link)), 0o755)
		if err := os.Symlink(target, filepath.Join(evil, link)); err != nil {
			t.Fatal(err)
		}
	}
	cfg.Rootfs.Lower = append([]string{evil}, cfg.Rootfs.Lower...)
	hosts := filepath.Join(t.TempDir(), "hosts")
	if err := os.WriteFile(hosts, []byte("127.0.0.1 localhost\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg.Files = []File{{Source: hosts, Target: "/etc/hosts"}}

	got := run(t, cfg)
	if diff := cmp.Diff(result{Stdout: "127.0.0.1 localhost\ndev\nproc\n"}, got); diff != "" {
		t.Errorf("run (-want +got):\n%s", diff)
	}
	for _, dir := range []string{hostDir, hostDev} {
		assertNotMounted(t, dir)
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		want := []string(nil)
		if dir == hostDir {
			want = []string{"marker"}
		}
		if diff := cmp.Diff(want, names); diff != "" {
			t.Errorf("host dir %s changed (-want +got):\n%s", dir, diff)
		}
	}
	assertNotMounted(t, hostFile)
	if data, err := os.ReadFile(hostFile); err != nil || string(data) != "secret\n" {
		t.Errorf("host file %s = %q, %v; want it untouched", hostFile, data, err)
	}
	// The writes went to the container's own copy of the path.
	if _, err := os.Stat(filepath.Join(cfg.Rootfs.Upper, hostFile)); err != nil {
		t.Errorf("the container's write did not land in its rootfs: %v", err)
	}
}

func TestMounts(t *testing.T) {
	vol := t.TempDir()
	if err := os.WriteFile(filepath.Join(vol, "f"), []byte("data\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "conf")
	if err := os.WriteFile(file, []byte("conf\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		mounts []Mount
		script string
		want   string
		check  func(t *testing.T)
	}{
		{
			name:   "read-only bind",
			mounts: []Mount{{Type: "bind", Source: vol, Target: "/data", Options: []string{"ro"}}},
			script: "cat /data/f; if touch /data/g 2>/dev/null; then echo writable; else echo refused; fi",
			want:   "data\nrefused\n",
		},
		{
			name:   "read-write bind into a missing nested target",
			mounts: []Mount{{Type: "bind", Source: vol, Target: "/a/b/c"}},
			script: "echo hi >/a/b/c/g && echo ok",
			want:   "ok\n",
			check: func(t *testing.T) {
				if data, err := os.ReadFile(filepath.Join(vol, "g")); err != nil || string(data) != "hi\n" {
					t.Errorf("write through bind: %q, %v", data, err)
				}
			},
		},
		{
			name:   "file bind read-only",
			mounts: []Mount{{Type: "bind", Source: file, Target: "/etc/app.conf", Readonly: true}},
			script: "cat /etc/app.conf; if echo x 2>/dev/null >/etc/app.conf; then echo writable; else echo refused; fi",
			want:   "conf\nrefused\n",
		},
		{
			name:   "tmpfs with options",
			mounts: []Mount{{Type: "tmpfs", Target: "/scratch", Options: []string{"size=1m", "mode=1777", "nosuid"}}},
			script: "stat -c %a /scratch; grep ' /scratch ' /proc/mounts | cut -d' ' -f4",
			want:   "1777\nrw,nosuid,relatime,size=1024k\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := newConfig(t, "sh", "-c", tt.script)
			cfg.Mounts = tt.mounts
			got := run(t, cfg)
			if diff := cmp.Diff(result{Stdout: tt.want}, got); diff != "" {
				t.Errorf("run (-want +got):\n%s", diff)
			}
			if tt.check != nil {
				tt.check(t)
			}
			assertNotMounted(t, vol)
		})
	}
}

func TestCgroupV1Mount(t *testing.T) {
	const host = "/sys/fs/cgroup/memory"
	if _, err := os.Stat(filepath.Join(host, "memory.limit_in_bytes")); err != nil {
		t.Skipf("needs a cgroup v1 memory hierarchy: %v", err)
	}
	cfg := newConfig(t, "sh", "-c", "cat /sys/fs/cgroup/memory/memory.limit_in_bytes >/dev/null && echo readable; grep ' /sys/fs/cgroup' /proc/mounts | cut -d' ' -f2-4; mkdir /sys/fs/cgroup/x 2>/dev/null || echo refused")
	cfg.Cgroups = map[string]string{"memory": host}
	got := run(t, cfg)
	if diff := cmp.Diff(result{Stdout: "readable\n/sys/fs/cgroup tmpfs ro,nosuid,nodev,noexec,relatime,mode=755\n/sys/fs/cgroup/memory cgroup ro,nosuid,nodev,noexec,relatime,memory\nrefused\n"}, got); diff != "" {
		t.Errorf("run (-want +got):\n%s", diff)
	}
}
