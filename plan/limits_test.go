package plan

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"pocket/cgroup"
)

func TestParseNamespaces(t *testing.T) {
	for _, tt := range []struct {
		name    string
		o       Options
		h       Host
		unified bool
		want    Namespaces
		errSays string
	}{
		{name: "defaults on v1", want: Namespaces{IpcMode: "private", CgroupnsMode: "host"}},
		{name: "defaults on v2", unified: true, want: Namespaces{IpcMode: "private", CgroupnsMode: "private"}},
		{name: "join", o: Options{PidMode: "container:a", IpcMode: "container:b", Network: "container:c"},
			want: Namespaces{PidMode: "container:a", IpcMode: "container:b", CgroupnsMode: "host", JoinPid: "a", JoinIPC: "b", JoinNet: "c"}},
		{name: "host", o: Options{PidMode: "host", IpcMode: "host", UTSMode: "host", UsernsMode: "host", CgroupnsMode: "host"},
			want: Namespaces{PidMode: "host", IpcMode: "host", UTSMode: "host", UsernsMode: "host", CgroupnsMode: "host"}},
		{name: "shareable", o: Options{IpcMode: "shareable"}, want: Namespaces{IpcMode: "shareable", CgroupnsMode: "host"}},
		{name: "bad pid", o: Options{PidMode: "container:"}, errSays: "--pid: invalid PID mode"},
		{name: "bad ipc", o: Options{IpcMode: "public"}, errSays: "--ipc: invalid IPC mode"},
		{name: "bad uts", o: Options{UTSMode: "private"}, errSays: "--uts: invalid UTS mode"},
		{name: "bad userns", o: Options{UsernsMode: "keep-id"}, errSays: "--userns: invalid USER mode"},
		{name: "bad cgroupns", o: Options{CgroupnsMode: "none"}, errSays: "--cgroupns: invalid CGROUP mode"},
		{name: "uts host and hostname", o: Options{UTSMode: "host", Hostname: "x"}, errSays: "conflicting options: hostname and the UTS mode"},
		{name: "rootless join", o: Options{PidMode: "container:a"}, h: Host{Rootless: true}, errSays: "rootless pocket cannot join another container's namespaces"},
		{name: "rootless network join", o: Options{Network: "container:a"}, h: Host{Rootless: true}, errSays: "--network container:a: rootless"},
		{name: "rootless pid host", o: Options{PidMode: "host"}, h: Host{Rootless: true}, errSays: "--pid host: rootless pocket cannot mount the host's /proc"},
		{name: "rootless userns host", o: Options{UsernsMode: "host"}, h: Host{Rootless: true}, errSays: "--userns host: rootless"},
		{name: "rootless uts and ipc host", o: Options{UTSMode: "host", IpcMode: "host"}, h: Host{Rootless: true},
			want: Namespaces{UTSMode: "host", IpcMode: "host", CgroupnsMode: "host"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseNamespaces(&tt.o, tt.h, tt.unified)
			if tt.errSays != "" {
				if err == nil || !strings.Contains(err.Error(), tt.errSays) || !errors.Is(err, ErrBadOption) {
					t.Fatalf("err = %v, want ErrBadOption saying %q", err, tt.errSays)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestSysctls: Docker's list and runc's host-namespace checks; a key that
// is no plain dotted name is refused, as it would name another file than
// the namespaced sysctl (e.g. the host-wide kernel.core_pattern, whose
// pipe runs a program as root on the host).
func TestSysctls(t *testing.T) {
	for _, tt := range []struct {
		vals    []string
		ns      Namespaces
		net     string
		want    map[string]string
		errSays string
	}{
		{vals: []string{"net.ipv4.ip_forward=1", "kernel.shmmax=4096", "fs.mqueue.msg_max=20", "kernel.sem=1 2 3 4"},
			want: map[string]string{"net.ipv4.ip_forward": "1", "kernel.shmmax": "4096", "fs.mqueue.msg_max": "20", "kernel.sem": "1 2 3 4"}},
		{vals: []string{"net.core.somaxconn=a=b"}, want: map[string]string{"net.core.somaxconn": "a=b"}},
		{vals: []string{"kernel.hostname=x"}, errSays: `invalid argument "kernel.hostname=x" for "--sysctl" flag: sysctl 'kernel.hostname=x' is not whitelisted`},
		{vals: []string{"kernel.domainname=x"}, errSays: "sysctl 'kernel.domainname=x' is not whitelisted"},
		{vals: []string{"kernel.shm_next_id=1"}, errSays: "is not whitelisted"},
		{vals: []string{"vm.overcommit_memory=1"}, errSays: "is not whitelisted"},
		{vals: []string{"net.ipv4.ip_forward"}, errSays: "is not whitelisted"},
		{vals: []string{"net.ipv4/../../kernel/core_pattern=|/x"}, errSays: "is not whitelisted"},
		{vals: []string{"net..kernel.core_pattern=x"}, errSays: "is not whitelisted"},
		{vals: []string{"net.=x"}, errSays: "is not whitelisted"},
		{vals: []string{"net.ipv4.ip_forward=1"}, net: NetHost, errSays: `sysctl "net.ipv4.ip_forward" not allowed in host network namespace`},
		{vals: []string{"kernel.msgmax=1"}, ns: Namespaces{IpcMode: "host"}, errSays: `sysctl "kernel.msgmax" is not allowed in the hosts ipc namespace`},
	} {
		got, err := sysctls(tt.vals, tt.ns, tt.net)
		if tt.errSays != "" {
			if err == nil || !strings.Contains(err.Error(), tt.errSays) {
				t.Errorf("%v: err = %v, want %q", tt.vals, err, tt.errSays)
			}
			continue
		}
		if err != nil {
			t.Errorf("%v: %v", tt.vals, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%v (-want +got):\n%s", tt.vals, diff)
		}
	}
}

func TestBlkioDevices(t *testing.T) {
	// /dev/null is a character device: the numbers come from a block one
	// only; the grammar is checked first, in Docker's words.
	for _, tt := range []struct {
		o       Options
		errSays string
	}{
		{Options{DeviceWriteBps: []string{"/dev/sda"}}, `invalid argument "/dev/sda" for "--device-write-bps" flag: bad format: /dev/sda`},
		{Options{DeviceWriteBps: []string{":1mb"}}, "bad format: :1mb"},
		{Options{DeviceReadBps: []string{"sda:1mb"}}, "bad format for device path: sda:1mb"},
		{Options{DeviceReadBps: []string{"/dev/sda:-1"}}, "invalid rate for device: /dev/sda:-1. The correct format is <device-path>:<number>[<unit>]. Number must be a positive integer. Unit is optional and can be kb, mb, or gb"},
		{Options{DeviceWriteIOps: []string{"/dev/sda:1k"}}, "invalid rate for device: /dev/sda:1k. The correct format is <device-path>:<number>. Number must be a positive integer"},
		{Options{BlkioWeightDevice: []string{"/dev/sda:5"}}, "invalid weight for device: /dev/sda:5"},
		{Options{BlkioWeightDevice: []string{"/dev/sda:x"}}, "invalid weight for device: /dev/sda:x"},
		{Options{DeviceReadIOps: []string{"/dev/null:10"}}, "/dev/null is not a block device"},
		{Options{DeviceReadIOps: []string{"/dev/pocket-none:10"}}, "stat /dev/pocket-none"},
	} {
		var r cgroup.Resources
		err := blkioDevices(&tt.o, &r)
		if err == nil || !strings.Contains(err.Error(), tt.errSays) || !errors.Is(err, ErrBadOption) {
			t.Errorf("%+v: err = %v, want ErrBadOption saying %q", tt.o, err, tt.errSays)
		}
	}
}

func TestShmSize(t *testing.T) {
	for v, want := range map[string]int64{"": 64 << 20, "128m": 128 << 20, "1g": 1 << 30, "65536k": 64 << 20} {
		if got, err := shmSize(v); err != nil || got != want {
			t.Errorf("shmSize(%q) = %d, %v; want %d", v, got, err, want)
		}
	}
	for _, v := range []string{"lots", "-1", "0"} {
		if _, err := shmSize(v); err == nil {
			t.Errorf("shmSize(%q) accepted", v)
		}
	}
}

func TestWarnings(t *testing.T) {
	sw := int64(10)
	r := cgroup.Resources{KernelMemory: 1 << 20, MemorySwappiness: &sw, OomKillDisable: true}
	got := warnings(&r, true)
	want := []string{
		"Specifying a kernel memory limit is deprecated and will be removed in a future release.",
		"Your kernel does not support memory swappiness capabilities or the cgroup is not mounted. Memory swappiness discarded.",
		"Your kernel does not support OomKillDisable. OomKillDisable discarded.",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("v2 (-want +got):\n%s", diff)
	}
	if r.MemorySwappiness != nil || r.OomKillDisable {
		t.Errorf("v2 kept what it discards: %+v", r)
	}
	r = cgroup.Resources{MemorySwappiness: &sw, OomKillDisable: true}
	got = warnings(&r, false)
	want = []string{"Disabling the OOM killer on containers without setting a '-m/--memory' limit may be dangerous."}
	if diff := cmp.Diff(want, got); diff != "" || r.MemorySwappiness == nil || !r.OomKillDisable {
		t.Errorf("v1 (-want +got):\n%s, %+v", diff, r)
	}
}

func TestOomScoreAdj(t *testing.T) {
	for _, v := range []int{-1000, 0, 1000} {
		if err := oomScoreAdj(v); err != nil {
			t.Errorf("%d: %v", v, err)
		}
	}
	if err := oomScoreAdj(-1001); err == nil || !strings.Contains(err.Error(), "Invalid value -1001, range for oom score adj is [-1000, 1000]") {
		t.Errorf("-1001: %v", err)
	}
}

func TestParseNetworkContainer(t *testing.T) {
	for _, tt := range []struct {
		o       Options
		errSays string
	}{
		{Options{Network: "container:db"}, ""},
		{Options{Network: "container:"}, "network container: is not supported"},
		{Options{Network: "container:db", Hostname: "x"}, "conflicting options: hostname and the network mode"},
		{Options{Network: "container:db", DNS: []string{"1.1.1.1"}}, "conflicting options: dns and the network mode"},
		{Options{Network: "container:db", AddHost: []string{"a:1.2.3.4"}}, "conflicting options: custom host-to-IP mapping and the network mode"},
		{Options{Network: "container:db", Publish: []string{"80"}}, "conflicting options: port publishing"},
	} {
		p, err := Parse(tt.o, Host{Cgroup: true})
		if tt.errSays == "" {
			if err != nil || p.Network.Mode != "container:db" || p.Namespaces.JoinNet != "db" {
				t.Errorf("%+v: %v, %+v", tt.o, err, p)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.errSays) {
			t.Errorf("%+v: err = %v, want %q", tt.o, err, tt.errSays)
		}
	}
}
