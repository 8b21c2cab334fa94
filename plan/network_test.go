package plan

import "testing"

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
			host, ip, err := SplitHost(tt.in)
			if (err != nil) != tt.bad || host != tt.host || ip != tt.ip {
				t.Errorf("SplitHost(%q) = %q, %q, %v", tt.in, host, ip, err)
			}
		})
	}
}
