package ns

import (
	"errors"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestJoinNamespacesRefused(t *testing.T) {
	for _, typ := range []string{"mount", "user", "pid", "time", ""} {
		err := joinNamespaces([]Namespace{{Type: typ, Path: "/proc/self/ns/mnt"}})
		if !errors.Is(err, ErrNoJoin) {
			t.Errorf("join %q: %v, want %v", typ, err, ErrNoJoin)
		}
	}
}

func TestSetRlimitsUnknown(t *testing.T) {
	if err := setRlimits([]specs.POSIXRlimit{{Type: "RLIMIT_BOGUS", Hard: 1, Soft: 1}}); err == nil {
		t.Error("setRlimits of an unknown type succeeded")
	}
}

func TestRlimitNames(t *testing.T) {
	// Every name the runtime-spec lists for Linux.
	for _, n := range []string{"RLIMIT_AS", "RLIMIT_CORE", "RLIMIT_CPU", "RLIMIT_DATA", "RLIMIT_FSIZE", "RLIMIT_LOCKS",
		"RLIMIT_MEMLOCK", "RLIMIT_MSGQUEUE", "RLIMIT_NICE", "RLIMIT_NOFILE", "RLIMIT_NPROC", "RLIMIT_RSS",
		"RLIMIT_RTPRIO", "RLIMIT_RTTIME", "RLIMIT_SIGPENDING", "RLIMIT_STACK"} {
		if _, ok := rlimitByName[n]; !ok {
			t.Errorf("%s unknown", n)
		}
	}
}
