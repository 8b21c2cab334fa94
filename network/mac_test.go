package network

import (
	"net"
	"testing"
)

func TestMAC(t *testing.T) {
	for _, tc := range []struct{ ip, want string }{
		{"172.17.0.2", "02:42:ac:11:00:02"}, // Docker's first container on docker0
		{"10.88.0.5", "02:42:0a:58:00:05"},
		{"::1", ""},
	} {
		if got := MAC(net.ParseIP(tc.ip)).String(); got != tc.want {
			t.Errorf("MAC(%s) = %q, want %q", tc.ip, got, tc.want)
		}
	}
}
