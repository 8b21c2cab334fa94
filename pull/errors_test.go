package pull

import (
	"fmt"
	"io/fs"
	"net"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
)

func TestRetryable(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"reset", &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}, true},
		{"dial refused", &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}, true},
		{"stalled", fmt.Errorf("layer x: %w", ErrStalled), true},
		{"disk full", fmt.Errorf("unpack: %w", &fs.PathError{Op: "write", Path: "/s/tmp/x", Err: syscall.ENOSPC}), false},
		{"read-only store", &fs.PathError{Op: "open", Path: "/s/tmp/x", Err: syscall.EROFS}, false},
		{"over quota", &fs.PathError{Op: "write", Path: "/s/tmp/x", Err: syscall.EDQUOT}, false},
		{"firewall", &net.OpError{Op: "dial", Net: "tcp", Err: syscall.EACCES}, true},
		{"refused content", fmt.Errorf("%w: unpack \"x\": %w", ErrBadLayer, &fs.PathError{Op: "lstat", Path: "/s/etc", Err: syscall.ENOENT}), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := retryable(tc.err); got != tc.want {
				t.Errorf("retryable(%v) = %v, want %v", tc.err, got, tc.want)
			}
		})
	}
}

func TestDescribeDiskFull(t *testing.T) {
	ref, err := name.ParseReference("registry.example/app:1")
	if err != nil {
		t.Fatal(err)
	}
	err = describe(&fs.PathError{Op: "write", Path: "/s/tmp/x/diff/f", Err: syscall.ENOSPC}, ref)
	if got := err.Error(); !strings.Contains(got, "no space left on device") || !strings.Contains(got, "hint: free space") || strings.Contains(got, "network") {
		t.Errorf("describe(ENOSPC) = %q, want the disk named as the cause and a hint about space", got)
	}
}

func TestDescribeBadLayer(t *testing.T) {
	ref, err := name.ParseReference("app:1")
	if err != nil {
		t.Fatal(err)
	}
	err = describe(fmt.Errorf("layer abc: %w: unpack \"passwd-link\": hardlink target \"/etc/passwd\"", ErrBadLayer), ref)
	if got := err.Error(); !strings.Contains(got, "invalid layer content") || strings.Contains(got, "network") {
		t.Errorf("describe(refused layer) = %q, want the layer named as the cause and no word of the network", got)
	}
}
