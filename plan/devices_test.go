package plan

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"pocket/cgroup"
	"pocket/ns"
)

func TestParseDevice(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want DeviceMapping
	}{
		{"/dev/fuse", DeviceMapping{"/dev/fuse", "/dev/fuse", "rwm"}},
		{"/dev/loop0:/dev/xvdc", DeviceMapping{"/dev/loop0", "/dev/xvdc", "rwm"}},
		{"/dev/loop0:r", DeviceMapping{"/dev/loop0", "/dev/loop0", "r"}}, // a valid mode is the mode
		{"/dev/loop0:/dev/xvdc:rw", DeviceMapping{"/dev/loop0", "/dev/xvdc", "rw"}},
		{"/dev/loop0:/dev//x/../xvdc/:mwr", DeviceMapping{"/dev/loop0", "/dev/xvdc", "mwr"}},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := parseDevice(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	for in, want := range map[string]string{
		"":                        "bad format for path",
		":/dev/x":                 "bad format for path",
		"/dev/a:/dev/b:rw:x":      "bad format for path",
		"/dev/a:dev/b":            "dev/b is not an absolute path",
		"/dev/a:rx":               "rx is not an absolute path", // not a mode, so a path
		"/dev/a:/dev/b:rx":        "bad mode specified: rx",
		"/dev/a:/dev/b:rr":        "bad mode specified: rr",
		"/dev/a:/dev/b:":          "bad mode specified: ",
		"relative":                "relative is not an absolute path",
		"/dev/a:/dev/b:rwm:extra": "bad format for path",
	} {
		t.Run("refused "+in, func(t *testing.T) {
			_, err := parseDevice(in)
			if !errors.Is(err, ErrBadOption) || !strings.Contains(err.Error(), want) {
				t.Errorf("parseDevice(%q) = %v, want ErrBadOption with %q", in, err, want)
			}
		})
	}
}

// rules shows device cgroup rules as devices.list does.
func rules(rs []specs.LinuxDeviceCgroup) []string {
	var out []string
	for _, r := range rs {
		out = append(out, cgroup.FormatDeviceRule(r))
	}
	return out
}

func TestPlanDevices(t *testing.T) {
	defaults := rules(cgroup.DeviceRules())
	null := func(path string) ns.Device {
		t.Helper()
		d, err := deviceAt("/dev/null", path)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}

	p, err := planDevices(&Options{}, false)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(defaults, rules(p.Cgroup)); diff != "" {
		t.Errorf("default rules (-want +got):\n%s", diff)
	}
	if len(p.Nodes) != 0 || len(p.Mappings) != 0 {
		t.Errorf("default: nodes %v, mappings %v, want none", p.Nodes, p.Mappings)
	}

	p, err = planDevices(&Options{Devices: []string{"/dev/null:/dev/n:r"}, DeviceCgroupRules: []string{"b 7:* rwm"}}, false)
	if err != nil {
		t.Fatal(err)
	}
	// --device, then --device-cgroup-rule, between Docker's and runc's rules.
	want := slices.Concat(defaults[:8], []string{"c 1:3 r", "b 7:* rwm"}, defaults[8:])
	if diff := cmp.Diff(want, rules(p.Cgroup)); diff != "" {
		t.Errorf("rules (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]ns.Device{null("/dev/n")}, p.Nodes); diff != "" {
		t.Errorf("nodes (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]DeviceMapping{{"/dev/null", "/dev/n", "r"}}, p.Mappings); diff != "" {
		t.Errorf("mappings (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"b 7:* rwm"}, p.Rules); diff != "" {
		t.Errorf("rules for inspect (-want +got):\n%s", diff)
	}

	p, err = planDevices(&Options{Privileged: true, Devices: []string{"/dev/null:/dev/n:r"}}, false)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"a *:* rwm"}, rules(p.Cgroup)); diff != "" {
		t.Errorf("privileged rules (-want +got):\n%s", diff)
	}
	if p.Mappings[0].CgroupPermissions != "rwm" {
		t.Errorf("privileged --device permissions %q, want rwm as Docker", p.Mappings[0].CgroupPermissions)
	}
	paths := map[string]bool{}
	for _, d := range p.Nodes {
		if paths[d.Path] {
			t.Errorf("%s made twice", d.Path)
		}
		paths[d.Path] = true
		if strings.HasPrefix(d.Path, "/dev/pts/") || d.Path == "/dev/console" || d.Path == "/dev/ptmx" {
			t.Errorf("privileged container gets the host's %s", d.Path)
		}
	}
	if !paths["/dev/null"] || !paths["/dev/n"] {
		t.Errorf("privileged nodes %v lack the host's /dev/null or the --device", p.Nodes)
	}

	for _, o := range []Options{
		{Devices: []string{"/dev/null:dev"}},
		{DeviceCgroupRules: []string{"c 1:3"}},
		{Devices: []string{"/etc/passwd"}},
	} {
		if _, err := planDevices(&o, false); !errors.Is(err, ErrBadOption) {
			t.Errorf("planDevices(%+v) = %v, want ErrBadOption", o, err)
		}
	}
}

func TestHostDevices(t *testing.T) {
	got, err := hostDevices("/dev/null", "/dev/x")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Path != "/dev/x" || got[0].Type != "c" || got[0].Major != 1 || got[0].Minor != 3 ||
		*got[0].FileMode != 0o666 || got[0].Source != "/dev/null" {
		t.Errorf("hostDevices(/dev/null) = %+v", got)
	}
	dir := t.TempDir()
	if err := os.Symlink("/dev/null", filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	// A symlink given as the device is followed (/dev/disk/by-id/...).
	if got, err := hostDevices(filepath.Join(dir, "link"), "/dev/x"); err != nil || got[0].Source != "/dev/null" {
		t.Errorf("hostDevices(symlink) = %+v, %v", got, err)
	}
	for _, p := range []string{"/etc/passwd", dir} {
		if _, err := hostDevices(p, "/dev/x"); !errors.Is(err, errNotDevice) {
			t.Errorf("hostDevices(%s) = %v, want errNotDevice", p, err)
		}
	}

	// A directory gives every node below it, symlinks inside not followed.
	if os.Geteuid() != 0 {
		t.Skip("mknod needs root")
	}
	if err := os.MkdirAll(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mknod(filepath.Join(dir, "sub", "zero"), unix.S_IFCHR|0o640, int(unix.Mkdev(1, 5))); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "file"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	got, err = hostDevices(dir, "/dev/snd")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Path != "/dev/snd/sub/zero" || got[0].Major != 1 || got[0].Minor != 5 || *got[0].FileMode != 0o640 {
		t.Errorf("hostDevices(dir) = %+v, want only sub/zero as /dev/snd/sub/zero", got)
	}
}
