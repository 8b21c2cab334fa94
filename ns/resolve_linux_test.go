package ns

import (
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"golang.org/x/sys/unix"
)

// TestMountpoint: the targets of pocket's own mounts are found without
// following a symlink of the image; a last component that is a symlink or
// a file is replaced by a directory, an earlier one is refused
// (CVE-2019-16884: an image's /proc symlink moved procfs out of reach of
// the masks).
func TestMountpoint(t *testing.T) {
	tests := []struct {
		name    string
		setup   map[string]string // path -> "dir", "file" or "->target" (symlink)
		target  string
		wantErr error
		after   map[string]string // path -> what it is afterwards, as describe says
	}{
		{name: "missing, nested", target: "/sys/fs/cgroup", after: map[string]string{"sys/fs/cgroup": "dir"}},
		{name: "existing directory kept", setup: map[string]string{"proc": "dir", "proc/keep": "file"}, target: "/proc",
			after: map[string]string{"proc": "dir", "proc/keep": "file"}},
		{name: "absolute symlink to the host", setup: map[string]string{"proc": "->HOST"}, target: "/proc", after: map[string]string{"proc": "dir"}},
		{name: "symlink within the rootfs", setup: map[string]string{"proc": "->/tmp/p", "tmp/p": "dir"}, target: "/proc",
			after: map[string]string{"proc": "dir", "tmp/p": "dir"}},
		{name: "symlink through a later mount", setup: map[string]string{"proc": "->/dev/x/../../tmp/p", "dev/x": "dir", "tmp/p": "dir"}, target: "/proc",
			after: map[string]string{"proc": "dir"}},
		{name: "relative symlink", setup: map[string]string{"sys": "->../../../proc/sys"}, target: "/sys", after: map[string]string{"sys": "dir"}},
		{name: "dangling symlink", setup: map[string]string{"dev": "->/nowhere"}, target: "/dev", after: map[string]string{"dev": "dir", "nowhere": "missing"}},
		{name: "regular file", setup: map[string]string{"proc": "file"}, target: "/proc", after: map[string]string{"proc": "dir"}},
		{name: "dotdot cleaned", setup: map[string]string{"proc": "->HOST"}, target: "/../../proc", after: map[string]string{"proc": "dir"}},
		{name: "symlink earlier in the path", setup: map[string]string{"dev": "->/tmp", "tmp": "dir"}, target: "/dev/shm", wantErr: ErrUnsafePath,
			after: map[string]string{"dev": "->/tmp", "tmp/shm": "missing"}},
		{name: "file earlier in the path", setup: map[string]string{"sys": "file"}, target: "/sys/fs/cgroup", wantErr: ErrUnsafePath,
			after: map[string]string{"sys": "file"}},
		{name: "the root itself", target: "/", wantErr: ErrUnsafePath},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			host := t.TempDir()
			dir := t.TempDir()
			keys := slices.Collect(maps.Keys(tt.setup))
			slices.Sort(keys) // parents first
			for _, p := range keys {
				what, full := tt.setup[p], filepath.Join(dir, p)
				if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
					t.Fatal(err)
				}
				var err error
				switch {
				case what == "dir":
					err = os.Mkdir(full, 0o755)
				case what == "file":
					err = os.WriteFile(full, nil, 0o644)
				case what == "->HOST":
					err = os.Symlink(host, full)
				default:
					err = os.Symlink(what[2:], full)
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			r, err := openRoot(dir)
			if err != nil {
				t.Fatal(err)
			}
			defer r.dir.Close()
			h, err := r.mountpoint(tt.target)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr != nil && err == nil) {
				t.Fatalf("mountpoint(%q) = %v, want %v", tt.target, err, tt.wantErr)
			}
			if err == nil {
				defer h.Close()
				var st unix.Stat_t
				if err := unix.Fstat(int(h.Fd()), &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFDIR {
					t.Errorf("handle is not a directory (mode %o, %v)", st.Mode, err)
				}
				want := filepath.Clean("/" + tt.target)
				if rel, err := r.rel(h); err != nil || rel != want {
					t.Errorf("handle is at %q (%v), want %q", rel, err, want)
				}
			}
			got := map[string]string{}
			for p := range tt.after {
				got[p] = describe(filepath.Join(dir, p))
			}
			if diff := cmp.Diff(tt.after, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("rootfs afterwards (-want +got):\n%s", diff)
			}
			if entries, _ := os.ReadDir(host); len(entries) != 0 {
				t.Errorf("the host directory got %v", entries)
			}
		})
	}
}

func describe(p string) string {
	fi, err := os.Lstat(p)
	switch {
	case err != nil:
		return "missing"
	case fi.Mode()&os.ModeSymlink != 0:
		l, _ := os.Readlink(p)
		return "->" + l
	case fi.IsDir():
		return "dir"
	}
	return "file"
}

// TestKernelFS: masked paths are found only inside the verified procfs or
// sysfs: a symlink, a mount on top or the wrong filesystem is an error,
// only a path the kernel lacks is "not there". Read-only, on the host's
// own /proc and /sys.
func TestKernelFS(t *testing.T) {
	r, err := openRoot("/")
	if err != nil {
		t.Fatal(err)
	}
	defer r.dir.Close()
	proc, err := r.openKernelFS("/proc", unix.PROC_SUPER_MAGIC)
	if err != nil {
		t.Fatal(err)
	}
	defer proc.dir.Close()
	sys, err := r.openKernelFS("/sys", unix.SYSFS_MAGIC)
	if err != nil {
		t.Fatal(err)
	}
	defer sys.dir.Close()

	tests := []struct {
		name string
		fs   *kernelFS
		path string
		want error // nil: found
	}{
		{name: "file", fs: proc, path: "/proc/sys/kernel/core_pattern"},
		{name: "directory", fs: sys, path: "/sys/kernel"},
		{name: "absent from the kernel", fs: proc, path: "/proc/no-such-file", want: os.ErrNotExist},
		{name: "symlink", fs: proc, path: "/proc/self/status", want: ErrUnsafePath},
		{name: "another filesystem mounted on top", fs: sys, path: "/sys/fs/cgroup", want: ErrUnsafePath},
		{name: "not under this filesystem", fs: proc, path: "/sys/firmware", want: ErrUnsafePath},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := tt.fs.open(tt.path)
			if !errors.Is(err, tt.want) || (tt.want != nil && err == nil) {
				t.Fatalf("open(%q) = %v, want %v", tt.path, err, tt.want)
			}
			if h != nil {
				h.Close()
			}
		})
	}

	for _, tt := range []struct {
		name  string
		magic int64
	}{{"/proc", unix.SYSFS_MAGIC}, {"/sys", unix.PROC_SUPER_MAGIC}, {"/tmp", unix.PROC_SUPER_MAGIC}} {
		if fs, err := r.openKernelFS(tt.name, tt.magic); !errors.Is(err, ErrUnsafePath) {
			if fs != nil {
				fs.dir.Close()
			}
			t.Errorf("openKernelFS(%s, %#x) = %v, want %v", tt.name, tt.magic, err, ErrUnsafePath)
		}
	}
}

func TestCheckProcMount(t *testing.T) {
	tests := []struct {
		rel, source, fstype string
		ok                  bool
	}{
		{rel: "/data", source: "/tmp", fstype: "bind", ok: true},
		{rel: "/procfoo", source: "tmpfs", fstype: "tmpfs", ok: true},
		{rel: "/proc", source: "tmpfs", fstype: "tmpfs"},
		{rel: "/proc", source: "/tmp", fstype: "bind"},
		{rel: "/proc", source: "/proc", fstype: "bind", ok: true},
		{rel: "/proc", source: "/proc/self", fstype: "bind"},
		{rel: "/proc/sys", source: "tmpfs", fstype: "tmpfs"},
		{rel: "/proc/sys/kernel/core_pattern", source: "/etc/hostname", fstype: "bind"},
		{rel: "/proc/cpuinfo", source: "/etc/hostname", fstype: "bind", ok: true},
		{rel: "/proc/sys/kernel/ns_last_pid", source: "/etc/hostname", fstype: "bind", ok: true},
	}
	for _, tt := range tests {
		err := checkProcMount(tt.rel, tt.source, "/x", tt.fstype)
		if (err == nil) != tt.ok || (err != nil && !errors.Is(err, ErrProcMount)) {
			t.Errorf("checkProcMount(%s, %s %s) = %v, want ok=%v", tt.rel, tt.fstype, tt.source, err, tt.ok)
		}
	}
}
