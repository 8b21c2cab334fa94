package run

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestResolvConf(t *testing.T) {
	tests := []struct {
		name, network, host, want string
	}{
		{name: "keeps remote servers", network: "none",
			host: "search example.com\nnameserver 10.0.0.2\n", want: "search example.com\nnameserver 10.0.0.2\n"},
		{name: "drops loopback", network: "none",
			host: "nameserver 127.0.0.53\nnameserver 1.1.1.1\noptions edns0\n", want: "nameserver 1.1.1.1\noptions edns0\n"},
		{name: "only loopback gets defaults", network: "none",
			host: "nameserver 127.0.0.53\nnameserver ::1\nsearch lan\n", want: "search lan\nnameserver 8.8.8.8\nnameserver 8.8.4.4\n"},
		{name: "all of 127/8", network: "none",
			host: "nameserver 127.1.2.3\n", want: "nameserver 8.8.8.8\nnameserver 8.8.4.4\n"},
		{name: "ipv6 remote kept", network: "none",
			host: "nameserver 2001:db8::1\n", want: "nameserver 2001:db8::1\n"},
		{name: "empty host file", network: "none",
			host: "", want: "nameserver 8.8.8.8\nnameserver 8.8.4.4\n"},
		{name: "host network shares the host's", network: "host",
			host: "nameserver 127.0.0.53\n", want: "nameserver 127.0.0.53\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, string(resolvConf(tt.network, []byte(tt.host)))); diff != "" {
				t.Errorf("resolv.conf (-want +got):\n%s", diff)
			}
		})
	}
}

func TestHostsFile(t *testing.T) {
	host := []byte("127.0.0.1 localhost\n10.1.1.1 myhost\n")
	if diff := cmp.Diff(string(host), string(hostsFile("host", host))); diff != "" {
		t.Errorf("host network (-want +got):\n%s", diff)
	}
	got := string(hostsFile("none", host))
	want := "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("network none (-want +got):\n%s", diff)
	}
	if got := string(hostnameFile("abc")); got != "abc\n" {
		t.Errorf("hostname = %q", got)
	}
}
