package ns

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestReadError(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want error
		msg  string
	}{
		{name: "eof", in: ""},
		{name: "error", in: `{"code":127,"message":"exec: \"foo\": executable file not found in $PATH"}` + "\n",
			want: &Error{Code: 127, Message: `exec: "foo": executable file not found in $PATH`}},
		{name: "no code", in: `{"message":"boom"}`, want: &Error{Code: 125, Message: "boom"}},
		{name: "garbage", in: "panic: oops", msg: `container init: unreadable error report "panic: oops"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ReadError(strings.NewReader(tt.in))
			if tt.msg != "" {
				if err == nil || err.Error() != tt.msg {
					t.Fatalf("ReadError = %v, want %q", err, tt.msg)
				}
				return
			}
			if diff := cmp.Diff(tt.want, err); diff != "" {
				t.Errorf("ReadError (-want +got):\n%s", diff)
			}
		})
	}
}
