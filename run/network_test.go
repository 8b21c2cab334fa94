package run

import (
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"pocket/network"
	"pocket/store"
)

func TestApplyDNS(t *testing.T) {
	host := "# comment\nnameserver 10.0.0.2\nsearch lan\noptions edns0\n"
	tests := []struct {
		name string
		d    netSpec
		want string
	}{
		// Docker's resolvconf.Build: search, nameservers, options, in
		// that order, nothing else.
		{name: "servers replaced", d: netSpec{DNS: []string{"1.1.1.1", "9.9.9.9"}},
			want: "search lan\nnameserver 1.1.1.1\nnameserver 9.9.9.9\noptions edns0\n"},
		{name: "search replaced", d: netSpec{DNSSearch: []string{"a.test", "b.test"}},
			want: "search a.test b.test\nnameserver 10.0.0.2\noptions edns0\n"},
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

// TestOwnerAlive: network allocations are reclaimed by pocket processes of
// any store, which judge a container by its own store's monitor lock.
func TestOwnerAlive(t *testing.T) {
	s, err := store.Open(filepath.Join(t.TempDir(), "root"))
	if err != nil {
		t.Fatal(err)
	}
	const running, exited = "aaaa", "bbbb"
	unlock, err := s.Lock(monitorLock(running))
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	// A monitor that ran and ended leaves its lock file behind, free.
	done, err := s.Lock(monitorLock(exited))
	if err != nil {
		t.Fatal(err)
	}
	done()
	tests := []struct {
		name string
		o    network.Owner
		want bool
	}{
		{"monitor holds its lock", owner(s, running), true},
		{"monitor ended", owner(s, exited), false},
		{"never started", owner(s, "cccc"), false},
		{"store gone", network.Owner{Root: filepath.Join(t.TempDir(), "gone"), ID: running}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ownerAlive(tt.o); got != tt.want {
				t.Errorf("ownerAlive(%s) = %v, want %v", tt.o, got, tt.want)
			}
		})
	}
}
