package cgroup

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// dockerList is devices.list in a default Docker container on cgroup v1
// (moby's default spec, then runc's AllowedDevices), the kernel's form.
var dockerList = []string{
	"a *:* rwm deny",
	"c 1:5 rwm", "c 1:3 rwm", "c 1:9 rwm", "c 1:8 rwm", "c 5:0 rwm", "c 5:1 rwm",
	"c 10:229 rwm deny",
	"c *:* m", "b *:* m",
	"c 1:3 rwm", "c 1:8 rwm", "c 1:7 rwm", "c 5:0 rwm", "c 1:5 rwm", "c 1:9 rwm",
	"c 136:* rwm", "c 5:2 rwm", "c 10:200 rwm",
}

func list(rules []specs.LinuxDeviceCgroup) []string {
	var out []string
	for _, r := range rules {
		s := FormatDeviceRule(r)
		if !r.Allow {
			s += " deny"
		}
		out = append(out, s)
	}
	return out
}

func TestDeviceRules(t *testing.T) {
	for _, tc := range []struct {
		name  string
		rules []specs.LinuxDeviceCgroup
		want  []string
	}{{
		name:  "docker's defaults",
		rules: DeviceRules(),
		want:  dockerList,
	}, {
		name:  "extra rules between docker's and runc's",
		rules: DeviceRules(rule(true, "b", 7, 3, "rw"), rule(true, "c", 10, wildcard, "r")),
		want:  append(append(append([]string{}, dockerList[:8]...), "b 7:3 rw", "c 10:* r"), dockerList[8:]...),
	}, {
		name:  "privileged",
		rules: AllDevices(),
		want:  []string{"a *:* rwm"},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, list(tc.rules)); diff != "" {
				t.Errorf("rules (-want +got):\n%s", diff)
			}
			if err := (Resources{Devices: tc.rules}).Validate(); err != nil {
				t.Errorf("Validate: %v", err)
			}
		})
	}
	// Each call is a fresh list: callers may append to it.
	a := DeviceRules()
	*a[1].Major = 99
	if got := *DeviceRules()[1].Major; got != 1 {
		t.Errorf("DeviceRules shares its numbers between calls: major %d", got)
	}
}

func TestParseDeviceRule(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want specs.LinuxDeviceCgroup
	}{
		{"c 1:3 rwm", rule(true, "c", 1, 3, "rwm")},
		{"b 7:* rwm", rule(true, "b", 7, wildcard, "rwm")},
		{"a *:* r", rule(true, "a", wildcard, wildcard, "r")},
		{"c *:5 mw", rule(true, "c", wildcard, 5, "mw")},
		{"b 259:0 rr", rule(true, "b", 259, 0, "rr")}, // Docker's grammar allows repeats
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseDeviceRule(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if s := FormatDeviceRule(got); s != tc.in {
				t.Errorf("FormatDeviceRule = %q, want %q", s, tc.in)
			}
		})
	}
	for _, in := range []string{
		"", "c 1:3", "c 1:3 ", " c 1:3 rwm", "x 1:3 rwm", "c 1 rwm", "c 1:3 rwmx", "c 1:3 rwx",
		"c -1:3 rwm", "c a:3 rwm", "c 1:3  rwm", "c 1:3 rwmm", "C 1:3 rwm",
	} {
		t.Run("refused "+in, func(t *testing.T) {
			_, err := ParseDeviceRule(in)
			if !errors.Is(err, ErrInvalidDeviceRule) || !strings.Contains(err.Error(), "invalid device cgroup format '"+in+"'") {
				t.Errorf("ParseDeviceRule(%q) = %v, want Docker's invalid device cgroup format", in, err)
			}
		})
	}
	if _, err := ParseDeviceRule("c 99999999999:0 rwm"); !errors.Is(err, ErrInvalidDeviceRule) {
		t.Errorf("major beyond 32 bits: %v, want ErrInvalidDeviceRule", err)
	}
}

func TestValidDeviceAccess(t *testing.T) {
	for in, want := range map[string]bool{
		"r": true, "w": true, "m": true, "rw": true, "mwr": true, "rwm": true,
		"": false, "rr": false, "rwmr": false, "x": false, "rx": false, "R": false,
	} {
		if got := ValidDeviceAccess(in); got != want {
			t.Errorf("ValidDeviceAccess(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestValidateDeviceRules(t *testing.T) {
	for _, r := range []specs.LinuxDeviceCgroup{
		rule(true, "p", 1, 3, "rwm"),
		rule(true, "c", 1, 3, ""),
		rule(true, "c", 1, 3, "rwx"),
	} {
		if err := (Resources{Devices: []specs.LinuxDeviceCgroup{r}}).Validate(); !errors.Is(err, ErrInvalidLimit) {
			t.Errorf("Validate(%+v) = %v, want ErrInvalidLimit", r, err)
		}
	}
}
