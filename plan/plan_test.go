package plan

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"pocket/cgroup"
	"pocket/network"
)

func TestParseNetwork(t *testing.T) {
	noTool := network.ErrNoRootlessTool
	for _, tt := range []struct {
		name     string
		o        Options
		h        Host
		mode     string
		rootless bool
		errSays  string
	}{
		{name: "root default", h: Host{Cgroup: true}, mode: NetBridge},
		{name: "default is bridge", o: Options{Network: "default"}, mode: NetBridge},
		{name: "rootless with pasta", h: Host{Rootless: true}, mode: NetBridge, rootless: true},
		{name: "rootless without a tool", h: Host{Rootless: true, UserNet: noTool}, mode: NetNone},
		{name: "rootless bridge asked without a tool", o: Options{Network: "bridge"}, h: Host{Rootless: true, UserNet: noTool},
			errSays: "network bridge: rootless networking needs pasta"},
		{name: "host", o: Options{Network: "host"}, mode: NetHost},
		{name: "unknown", o: Options{Network: "macvlan"}, errSays: "network macvlan is not supported yet"},
		{name: "publish without bridge", o: Options{Network: "none", Publish: []string{"80"}}, errSays: "conflicting options"},
		{name: "host-gateway rootless", o: Options{AddHost: []string{"gw:host-gateway"}}, h: Host{Rootless: true},
			errSays: "host-gateway needs the bridge network as root"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			o := tt.o
			p, err := Parse(o, tt.h)
			if tt.errSays != "" {
				if err == nil || !strings.Contains(err.Error(), tt.errSays) {
					t.Fatalf("Parse = %v, want an error saying %q", err, tt.errSays)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.Network.Mode != tt.mode || p.Network.Rootless != tt.rootless {
				t.Errorf("network %+v, want mode %s rootless %v", p.Network, tt.mode, tt.rootless)
			}
			// Parse decides; it never writes its answer back.
			if o.Network != tt.o.Network || p.Flags.Network != tt.o.Network {
				t.Errorf("--network %q became %q", tt.o.Network, p.Flags.Network)
			}
		})
	}
}

// TestParseOrder: of several bad options the first in Docker's order is
// reported, as before anything is pulled.
func TestParseOrder(t *testing.T) {
	for _, tt := range []struct {
		name    string
		o       Options
		h       Host
		want    error
		errSays string
	}{
		{name: "name before network", o: Options{Name: "-x", Network: "macvlan"}, want: ErrBadName},
		{name: "network before security", o: Options{Network: "macvlan", SecurityOpt: []string{"bogus"}}, want: ErrNetworkUnsupported},
		{name: "security before tmpfs", o: Options{SecurityOpt: []string{"bogus"}, Tmpfs: []string{"rel"}}, errSays: "--security-opt"},
		{name: "overlay is an invalid option", h: Host{Cgroup: true, overlayErr: errors.New("no overlay")}, want: ErrBadOption, errSays: "invalid option: no overlay"},
		{name: "no cgroup for a limit", o: Options{Resources: cgroup.Resources{PidsLimit: 5}}, h: Host{Rootless: true}, want: cgroup.ErrUnavailable, errSays: "--pids-limit"},
		{name: "tmpfs before mounts", o: Options{Tmpfs: []string{"rel"}, Volumes: []string{"a:b:c:d"}}, errSays: "--tmpfs"},
		{name: "mounts before pull", o: Options{Volumes: []string{"a:b:c:d"}, Pull: "sometimes"}, errSays: "too many colons"},
		{name: "pull before workdir", o: Options{Pull: "sometimes", Workdir: "rel"}, errSays: "--pull"},
		{name: "workdir before env", o: Options{Workdir: "rel", Env: []string{"=x"}}, errSays: "working directory"},
		{name: "env", o: Options{Env: []string{"=x"}}, errSays: "no variable name"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := tt.h
			if h == (Host{}) {
				h.Cgroup = true // root
			}
			_, err := Parse(tt.o, h)
			if err == nil || (tt.want != nil && !errors.Is(err, tt.want)) || !strings.Contains(err.Error(), tt.errSays) {
				t.Fatalf("Parse = %v, want %v saying %q", err, tt.want, tt.errSays)
			}
		})
	}
}

// TestRootlessDevices: rootless pocket has no device cgroup; what only one
// could enforce is refused, never ignored.
func TestRootlessDevices(t *testing.T) {
	p, err := planDevices(&Options{}, true)
	if err != nil {
		t.Fatal(err)
	}
	if p.Cgroup != nil {
		t.Errorf("rootless device cgroup rules %v, want none", p.Cgroup)
	}
	for _, o := range []Options{
		{DeviceCgroupRules: []string{"c 1:3 rwm"}},
		{Devices: []string{"/dev/null:/dev/n:r"}},
	} {
		if _, err := planDevices(&o, true); !errors.Is(err, ErrBadOption) || !strings.Contains(err.Error(), "rootless pocket has no device cgroup") {
			t.Errorf("planDevices(%+v, rootless) = %v, want ErrBadOption", o, err)
		}
	}
}

// -v splits as Docker's CLI splits it: with a source (host path or volume
// name) into HostConfig.Binds, without one into Config.Volumes, as typed.
func TestBindsAndAnonVolumes(t *testing.T) {
	o := Options{Volumes: []string{"/src:/dst:ro", "/data/", "named:/n", "/cache"}, Mounts: []string{"type=volume,target=/m"}}
	p, err := Parse(o, Host{Cgroup: true})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"/src:/dst:ro", "named:/n"}, p.Binds); diff != "" {
		t.Errorf("Binds (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"/data/", "/cache"}, p.AnonVolumes); diff != "" {
		t.Errorf("AnonVolumes (-want +got):\n%s", diff)
	}
}
