package ociruntime

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"pocket/ns"
)

func TestCgroupPath(t *testing.T) {
	for _, tc := range []struct {
		name, path string
		systemd    bool
		want       string
		err        bool
	}{
		{name: "default", path: "", want: "/c1"},
		{name: "absolute", path: "/kubepods/pod1/c1", want: "/kubepods/pod1/c1"},
		{name: "relative is rooted", path: "a/b", want: "/a/b"},
		{name: "climbing is clamped", path: "/../../etc", want: "/etc"},
		{name: "systemd default", systemd: true, want: "/system.slice/c1.scope"},
		{name: "systemd prefix", path: "system.slice:cri-containerd:abc", systemd: true, want: "/system.slice/cri-containerd-abc.scope"},
		{name: "systemd nested slice", path: "kubepods-besteffort-pod1.slice:cri-containerd:abc", systemd: true,
			want: "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1.slice/cri-containerd-abc.scope"},
		{name: "systemd no prefix", path: "user.slice::abc", systemd: true, want: "/user.slice/abc.scope"},
		{name: "systemd root slice", path: "-.slice:p:abc", systemd: true, want: "/p-abc.scope"},
		{name: "systemd bad form", path: "/a/b", systemd: true, err: true},
		{name: "systemd bad slice", path: "a--b.slice:p:n", systemd: true, err: true},
		{name: "systemd slice with slash", path: "a/b.slice:p:n", systemd: true, err: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := cgroupPath(tc.path, "c1", tc.systemd)
			if (err != nil) != tc.err {
				t.Fatalf("cgroupPath(%q) error %v, want error %v", tc.path, err, tc.err)
			}
			if got != tc.want {
				t.Errorf("cgroupPath(%q) = %q, want %q", tc.path, got, tc.want)
			}
		})
	}
}

// baseSpec is runc's default spec with a command.
func baseSpec() *specs.Spec {
	s := DefaultSpec()
	s.Process.Terminal = false
	s.Process.Args = []string{"echo", "hi"}
	return s
}

func TestTranslate(t *testing.T) {
	s := baseSpec()
	oom := 100
	s.Process.OOMScoreAdj = &oom
	s.Process.User = specs.User{UID: 1000, GID: 1000, AdditionalGids: []uint32{10, 20}}
	s.Process.Cwd = "/work"
	s.Linux.Sysctl = map[string]string{"net.ipv4.ip_forward": "1"}
	s.Linux.Namespaces = []specs.LinuxNamespace{
		{Type: specs.PIDNamespace}, {Type: specs.MountNamespace}, {Type: specs.UTSNamespace},
		{Type: specs.NetworkNamespace, Path: "/var/run/netns/pod"}, {Type: specs.IPCNamespace, Path: "/proc/7/ns/ipc"},
	}
	s.Mounts = append(s.Mounts,
		specs.Mount{Destination: "/data", Type: "bind", Source: "data", Options: []string{"rbind", "ro"}},
		specs.Mount{Destination: "/etc/hosts", Type: "none", Source: "/host/hosts", Options: []string{"bind"}},
		specs.Mount{Destination: "/run", Type: "tmpfs", Source: "tmpfs", Options: []string{"size=1m"}},
	)
	p, err := translate(s, "/b", "c1", false)
	if err != nil {
		t.Fatal(err)
	}
	want := ns.Config{
		ID:     "c1",
		Rootfs: ns.Rootfs{Target: "/b/rootfs", Bind: true, ReadOnly: true},
		Process: ns.Process{
			Args: []string{"echo", "hi"}, Env: s.Process.Env, Cwd: "/work",
			Creds:   &ns.Creds{UID: 1000, GID: 1000, AdditionalGids: []uint32{10, 20}},
			Rlimits: s.Process.Rlimits, OOMScoreAdj: &oom,
		},
		Hostname: "pocket",
		Mounts: []ns.Mount{
			{Type: "bind", Source: "/b/data", Target: "/data", Options: []string{"rbind", "ro"}},
			{Type: "bind", Source: "/host/hosts", Target: "/etc/hosts", Options: []string{"bind"}},
			{Type: "tmpfs", Target: "/run", Options: []string{"size=1m"}},
		},
		Security: ns.Security{NoNewPrivileges: true, Caps: s.Process.Capabilities},
		Network:  "",
		Sysctls:  map[string]string{"net.ipv4.ip_forward": "1"},
		Paths:    &ns.Paths{Masked: s.Linux.MaskedPaths, Readonly: s.Linux.ReadonlyPaths},
		Join: []ns.Namespace{
			{Type: "network", Path: "/var/run/netns/pod"}, {Type: "ipc", Path: "/proc/7/ns/ipc"},
		},
	}
	if diff := cmp.Diff(want, p.Init); diff != "" {
		t.Errorf("init config (-want +got):\n%s", diff)
	}
	if got, want := p.Cloneflags, cloneFlags["pid"]|cloneFlags["mount"]|cloneFlags["uts"]; got != want {
		t.Errorf("clone flags %#x, want %#x", got, want)
	}
	if p.CgroupPath != "/c1" || !p.CgroupMount {
		t.Errorf("cgroup %q (mounted %v), want /c1 mounted", p.CgroupPath, p.CgroupMount)
	}
}

func TestTranslateNamespaces(t *testing.T) {
	for _, tc := range []struct {
		name    string
		nss     []specs.LinuxNamespace
		network string
		pidNS   string
		userNS  bool
		flags   uintptr
		err     error
	}{
		{name: "new network brings lo up", nss: []specs.LinuxNamespace{{Type: specs.NetworkNamespace}},
			network: "none", flags: cloneFlags["network"] | cloneFlags["mount"]},
		{name: "no network namespace is the host's", nss: nil, network: "host", flags: cloneFlags["mount"]},
		{name: "pid path is joined by the parent", nss: []specs.LinuxNamespace{{Type: specs.PIDNamespace, Path: "/proc/9/ns/pid"}},
			network: "host", pidNS: "/proc/9/ns/pid", flags: cloneFlags["mount"]},
		{name: "user namespace", nss: []specs.LinuxNamespace{{Type: specs.UserNamespace}},
			network: "host", userNS: true, flags: cloneFlags["user"] | cloneFlags["mount"]},
		{name: "joining a mount namespace is refused", nss: []specs.LinuxNamespace{{Type: specs.MountNamespace, Path: "/proc/9/ns/mnt"}}, err: ErrUnsupported},
		{name: "joining a user namespace is refused", nss: []specs.LinuxNamespace{{Type: specs.UserNamespace, Path: "/proc/9/ns/user"}}, err: ErrUnsupported},
		{name: "time namespace is refused", nss: []specs.LinuxNamespace{{Type: specs.TimeNamespace}}, err: ErrUnsupported},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := baseSpec()
			s.Linux.Namespaces = tc.nss
			s.Linux.UIDMappings = []specs.LinuxIDMapping{{ContainerID: 0, HostID: 100000, Size: 65536}}
			s.Linux.GIDMappings = s.Linux.UIDMappings
			p, err := translate(s, "/b", "c1", false)
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("error %v, want %v", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.Init.Network != tc.network || p.PidNS != tc.pidNS || p.UserNS != tc.userNS || p.Init.UserNS != tc.userNS || p.Cloneflags != tc.flags {
				t.Errorf("network %q pidNS %q userNS %v flags %#x, want %q %q %v %#x",
					p.Init.Network, p.PidNS, p.UserNS, p.Cloneflags, tc.network, tc.pidNS, tc.userNS, tc.flags)
			}
		})
	}
}

func TestTranslateRefuses(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(*specs.Spec)
	}{
		{"no args", func(s *specs.Spec) { s.Process.Args = nil }},
		{"no root", func(s *specs.Spec) { s.Root = nil }},
		{"relative cwd", func(s *specs.Spec) { s.Process.Cwd = "work" }},
		{"relative mount destination", func(s *specs.Spec) { s.Mounts = append(s.Mounts, specs.Mount{Destination: "data", Type: "tmpfs"}) }},
		{"unknown mount type", func(s *specs.Spec) {
			s.Mounts = append(s.Mounts, specs.Mount{Destination: "/x", Type: "nfs", Source: "srv:/x"})
		}},
		{"user namespace without mappings", func(s *specs.Spec) {
			s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: specs.UserNamespace})
		}},
		{"namespace twice", func(s *specs.Spec) {
			s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: specs.PIDNamespace})
		}},
		{"invalid version", func(s *specs.Spec) { s.Version = "invalid" }},
		{"version 2", func(s *specs.Spec) { s.Version = "2.0.0" }},
		{"no version", func(s *specs.Spec) { s.Version = "" }},
		{"unknown capability", func(s *specs.Spec) {
			s.Process.Capabilities.Bounding = append(s.Process.Capabilities.Bounding, "CAP_TEST")
		}},
		{"capability without prefix", func(s *specs.Spec) {
			s.Process.Capabilities.Effective = append(s.Process.Capabilities.Effective, "chown")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := baseSpec()
			tc.change(s)
			if _, err := translate(s, "/b", "c1", false); err == nil {
				t.Fatal("translate succeeded, want an error")
			}
		})
	}
}

func TestTranslateCapabilitiesNone(t *testing.T) {
	s := baseSpec()
	s.Process.Capabilities = nil
	p, err := translate(s, "/b", "c1", false)
	if err != nil {
		t.Fatal(err)
	}
	// No capabilities named: none kept, never pocket run's defaults.
	if diff := cmp.Diff(&specs.LinuxCapabilities{}, p.Init.Security.Caps); diff != "" {
		t.Errorf("caps (-want +got):\n%s", diff)
	}
}

func TestTranslateDevices(t *testing.T) {
	s := baseSpec()
	s.Linux.Devices = []specs.LinuxDevice{{Path: "/dev/fuse", Type: "c", Major: 10, Minor: 229}, {Path: "/dev/p", Type: "p"}}
	p, err := translate(s, "/b", "c1", false)
	if err != nil {
		t.Fatal(err)
	}
	rules := p.Resources.Devices
	// Deny all first, the spec's (completed), the device's allow, runc's.
	if r := rules[0]; r.Allow || r.Type != "a" || *r.Major != -1 || *r.Minor != -1 {
		t.Errorf("first rule %+v, want deny a *:*", r)
	}
	if r := rules[1]; r.Allow || r.Type != "a" || r.Major == nil || r.Minor == nil {
		t.Errorf("spec's rule %+v, want completed deny a *:*", r)
	}
	if r := rules[2]; !r.Allow || r.Type != "c" || *r.Major != 10 || *r.Minor != 229 {
		t.Errorf("device rule %+v, want allow c 10:229", r)
	}
	if got := len(p.Init.Devices); got != 2 || p.Init.Devices[0].Source != "/dev/fuse" {
		t.Errorf("init devices %+v", p.Init.Devices)
	}
}

func TestStateJSON(t *testing.T) {
	rec := &record{
		ID: "c1", Bundle: "/b", Rootfs: "/b/rootfs", Pid: 42, Owner: "root",
		Created:     time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC),
		Annotations: map[string]string{"a": "b"},
	}
	for _, tc := range []struct {
		status string
		want   string
	}{
		{Running, `{"ociVersion":"` + specs.Version + `","id":"c1","pid":42,"status":"running","bundle":"/b","rootfs":"/b/rootfs","created":"2026-01-02T03:04:05.000000006Z","owner":"root","annotations":{"a":"b"}}`},
		{Stopped, `{"ociVersion":"` + specs.Version + `","id":"c1","pid":0,"status":"stopped","bundle":"/b","rootfs":"/b/rootfs","created":"2026-01-02T03:04:05.000000006Z","owner":"root","annotations":{"a":"b"}}`},
	} {
		t.Run(tc.status, func(t *testing.T) {
			got, err := json.Marshal(rec.state(tc.status))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, string(got)); diff != "" {
				t.Errorf("state (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCheckID(t *testing.T) {
	for id, ok := range map[string]bool{
		"abc": true, "a-b_c.d+e": true, "": false, ".": false, "..": false, "a/b": false, "a b": false, "../x": false,
	} {
		if err := checkID(id); (err == nil) != ok {
			t.Errorf("checkID(%q) = %v, want ok %v", id, err, ok)
		}
	}
}

// TestTranslateBlockIOWeightZero: Docker's weight 0 (no --blkio-weight)
// is no weight, as runc reads it; a real one is kept.
func TestTranslateBlockIOWeightZero(t *testing.T) {
	for _, tc := range []struct {
		weight uint16
		want   *uint16
	}{{0, nil}, {500, ptr(uint16(500))}} {
		s := baseSpec()
		w := tc.weight
		s.Linux.Resources = &specs.LinuxResources{BlockIO: &specs.LinuxBlockIO{Weight: &w, LeafWeight: &w}}
		p, err := translate(s, "/b", "c1", false)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tc.want, p.Resources.BlockIO.Weight); diff != "" {
			t.Errorf("weight %d (-want +got):\n%s", tc.weight, diff)
		}
		if diff := cmp.Diff(tc.want, p.Resources.BlockIO.LeafWeight); diff != "" {
			t.Errorf("leaf weight %d (-want +got):\n%s", tc.weight, diff)
		}
	}
}

func ptr[T any](v T) *T { return &v }
