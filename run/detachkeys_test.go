package run

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

func TestParseDetachKeys(t *testing.T) {
	for in, want := range map[string][]byte{
		"ctrl-p,ctrl-q": {16, 17}, "a,b": {'a', 'b'}, "ctrl-@": {0}, "ctrl-[,ctrl-_": {27, 31}, "ctrl-A": {1},
	} {
		got, err := ParseDetachKeys(in)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("ParseDetachKeys(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "ctrl-", "ctrl-1", "ctrl-ab", "shift-a"} {
		if _, err := ParseDetachKeys(bad); err == nil || !strings.Contains(err.Error(), "Invalid detach keys") {
			t.Errorf("ParseDetachKeys(%q): %v", bad, err)
		}
	}
}

func TestEscapeReader(t *testing.T) {
	keys := []byte{16, 17}
	for _, tc := range []struct {
		name, in, want string
		detached       bool
	}{
		{"plain", "hello", "hello", false},
		{"detach", "ab\x10\x11cd", "ab", true},
		{"partial", "a\x10b\x10", "a\x10b\x10", false},
		{"repeat first", "\x10\x10\x11", "\x10", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// One byte a read: a sequence split across reads still counts.
			got, err := io.ReadAll(&escapeReader{r: iotest.OneByteReader(strings.NewReader(tc.in)), keys: keys})
			if string(got) != tc.want || errors.Is(err, errDetached) != tc.detached {
				t.Errorf("read %q, %v; want %q, detached %v", got, err, tc.want, tc.detached)
			}
		})
	}
}
