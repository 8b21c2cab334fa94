package ns

import (
	"errors"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestValidateCaps(t *testing.T) {
	for _, ok := range [][]string{nil, {"NET_ADMIN"}, {"cap_net_admin"}, {"ALL"}, {"all", "Sys_Admin"}} {
		if err := ValidateCaps(ok); err != nil {
			t.Errorf("ValidateCaps(%q) = %v, want nil", ok, err)
		}
	}
	err := ValidateCaps([]string{"NET_ADMIN", "FOO"})
	if !errors.Is(err, ErrUnknownCap) {
		t.Fatalf("ValidateCaps(FOO) = %v, want ErrUnknownCap", err)
	}
	if want := `capability "FOO": unknown capability (hint: see capabilities(7) for the names)`; err.Error() != want {
		t.Errorf("error = %q, want %q", err, want)
	}
}

func TestCapNames(t *testing.T) {
	defaults := slices.Sorted(slices.Values(DefaultCaps))
	without := func(drop ...string) []string {
		return slices.DeleteFunc(slices.Clone(defaults), func(c string) bool { return slices.Contains(drop, c) })
	}
	tests := []struct {
		name string
		sec  Security
		want []string
	}{
		{"defaults", Security{}, defaults},
		{"drop one", Security{CapDrop: []string{"net_raw"}}, without("CAP_NET_RAW")},
		{"add one", Security{CapAdd: []string{"CAP_NET_ADMIN"}}, slices.Sorted(slices.Values(append(slices.Clone(DefaultCaps), "CAP_NET_ADMIN")))},
		{"drop all add one", Security{CapDrop: []string{"ALL"}, CapAdd: []string{"NET_ADMIN"}}, []string{"CAP_NET_ADMIN"}},
		{"drop all", Security{CapDrop: []string{"all"}}, nil},
		{"add existing", Security{CapAdd: []string{"CHOWN"}}, defaults},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Capabilities(tt.sec)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Capabilities (-want +got):\n%s", diff)
			}
		})
	}

	all, err := Capabilities(Security{Privileged: true})
	if err != nil {
		t.Fatal(err)
	}
	addAll, err := Capabilities(Security{CapAdd: []string{"ALL"}, CapDrop: []string{"SYS_ADMIN"}})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(all, "CAP_SYS_ADMIN") || slices.Contains(addAll, "CAP_SYS_ADMIN") || len(addAll) != len(all)-1 {
		t.Errorf("privileged = %v\nadd ALL drop SYS_ADMIN = %v", all, addAll)
	}
	if _, err := Capabilities(Security{CapAdd: []string{"BOGUS"}}); !errors.Is(err, ErrUnknownCap) {
		t.Errorf("Capabilities(BOGUS) = %v, want ErrUnknownCap", err)
	}
}

func TestAllCaps(t *testing.T) {
	for _, tt := range []struct {
		sec  Security
		want bool
	}{
		{Security{}, false},
		{Security{Privileged: true}, true},
		{Security{CapAdd: []string{"all"}}, true},
		{Security{CapAdd: []string{"NET_ADMIN"}}, false},
		{Security{CapDrop: []string{"ALL"}}, false},
	} {
		if got := allCaps(tt.sec); got != tt.want {
			t.Errorf("allCaps(%+v) = %v, want %v", tt.sec, got, tt.want)
		}
	}
}
