package run

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestApplyDNS(t *testing.T) {
	host := "search lan\nnameserver 10.0.0.2\noptions edns0\n"
	tests := []struct {
		name string
		d    netSpec
		want string
	}{
		{name: "nothing given", d: netSpec{}, want: host},
		{name: "servers replaced", d: netSpec{DNS: []string{"1.1.1.1", "9.9.9.9"}},
			want: "search lan\noptions edns0\nnameserver 1.1.1.1\nnameserver 9.9.9.9\n"},
		{name: "search replaced", d: netSpec{DNSSearch: []string{"a.test", "b.test"}},
			want: "nameserver 10.0.0.2\noptions edns0\nsearch a.test b.test\n"},
		{name: "dot clears search", d: netSpec{DNSSearch: []string{"."}},
			want: "nameserver 10.0.0.2\noptions edns0\n"},
		{name: "options replaced", d: netSpec{DNSOptions: []string{"ndots:2"}},
			want: "search lan\nnameserver 10.0.0.2\noptions ndots:2\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, string(applyDNS([]byte(host), tt.d))); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestSplitHost(t *testing.T) {
	tests := []struct {
		in, host, ip string
		bad          bool
	}{
		{in: "db:10.0.0.5", host: "db", ip: "10.0.0.5"},
		{in: "db=10.0.0.5", host: "db", ip: "10.0.0.5"},
		{in: "v6:fe80::1", host: "v6", ip: "fe80::1"},
		{in: "v6:[fe80::1]", host: "v6", ip: "fe80::1"},
		{in: "gw:host-gateway", host: "gw", ip: "host-gateway"},
		{in: "db", bad: true},
		{in: ":10.0.0.5", bad: true},
		{in: "db:nothing", bad: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			host, ip, err := splitHost(tt.in)
			if (err != nil) != tt.bad || host != tt.host || ip != tt.ip {
				t.Errorf("splitHost(%q) = %q, %q, %v", tt.in, host, ip, err)
			}
		})
	}
}
