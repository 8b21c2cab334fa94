package network

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParsePorts(t *testing.T) {
	tests := []struct {
		spec    string
		want    []Port
		wantErr string
	}{
		{spec: "80", want: []Port{{ContainerPort: 80, Proto: "tcp"}}},
		{spec: "53/udp", want: []Port{{ContainerPort: 53, Proto: "udp"}}},
		{spec: "8080:80", want: []Port{{HostPort: 8080, ContainerPort: 80, Proto: "tcp"}}},
		{spec: "8080:80/UDP", want: []Port{{HostPort: 8080, ContainerPort: 80, Proto: "udp"}}},
		{spec: "127.0.0.1:8080:80", want: []Port{{HostIP: "127.0.0.1", HostPort: 8080, ContainerPort: 80, Proto: "tcp"}}},
		{spec: "0.0.0.0:8080:80", want: []Port{{HostPort: 8080, ContainerPort: 80, Proto: "tcp"}}},
		{spec: "127.0.0.1::80", want: []Port{{HostIP: "127.0.0.1", ContainerPort: 80, Proto: "tcp"}}},
		{spec: "8000-8001:80-81", want: []Port{
			{HostPort: 8000, ContainerPort: 80, Proto: "tcp"},
			{HostPort: 8001, ContainerPort: 81, Proto: "tcp"},
		}},
		{spec: "80-81/udp", want: []Port{{ContainerPort: 80, Proto: "udp"}, {ContainerPort: 81, Proto: "udp"}}},
		{spec: "abc", wantErr: `invalid port spec "abc": container port: "abc" is not a port number (1-65535)`},
		{spec: "0", wantErr: `invalid port spec "0": container port`},
		{spec: "65536", wantErr: `invalid port spec "65536": container port`},
		{spec: "8080:", wantErr: `invalid port spec "8080:": no container port`},
		{spec: "x:80", wantErr: `invalid port spec "x:80": host port`},
		{spec: "80/sctp", wantErr: `invalid port spec "80/sctp": protocol "sctp" is not tcp or udp`},
		{spec: "host:8080:80", wantErr: `host address "host" is not an IP address`},
		{spec: "[::1]:8080:80", wantErr: "IPv6 host addresses are not supported"},
		{spec: "::1:8080:80", wantErr: "too many colons"},
		{spec: "8000-8002:80-81", wantErr: "differ in size"},
		{spec: "90-80", wantErr: "ends before it starts"},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			got, err := ParsePorts([]string{tt.spec})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParsePorts(%q) error = %v, want one containing %q", tt.spec, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParsePorts(%q): %v", tt.spec, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParsePorts(%q) (-want +got):\n%s", tt.spec, diff)
			}
		})
	}
}

func TestPublishAll(t *testing.T) {
	exposed := map[string]struct{}{"80/tcp": {}, "53/udp": {}, "8080": {}, "443/tcp": {}}
	explicit := []Port{{HostPort: 8443, ContainerPort: 443, Proto: "tcp"}}
	got, err := PublishAll(exposed, explicit)
	if err != nil {
		t.Fatal(err)
	}
	want := []Port{{ContainerPort: 53, Proto: "udp"}, {ContainerPort: 80, Proto: "tcp"}, {ContainerPort: 8080, Proto: "tcp"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("PublishAll (-want +got):\n%s", diff)
	}
	if _, err := PublishAll(map[string]struct{}{"1:80/tcp": {}}, nil); err == nil {
		t.Error("PublishAll accepted an exposed port with a host part")
	}
}

func TestPortString(t *testing.T) {
	for _, tt := range []struct {
		p    Port
		want string
	}{
		{Port{HostPort: 8080, ContainerPort: 80, Proto: "tcp"}, "0.0.0.0:8080->80/tcp"},
		{Port{HostIP: "127.0.0.1", HostPort: 53, ContainerPort: 53, Proto: "udp"}, "127.0.0.1:53->53/udp"},
	} {
		if got := tt.p.String(); got != tt.want {
			t.Errorf("%#v.String() = %q, want %q", tt.p, got, tt.want)
		}
	}
}
