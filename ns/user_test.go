package ns

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const testPasswd = `# comment
root:x:0:0:root:/root:/bin/sh
wraps:x:4294967296:0::/:/bin/sh
wrapsgid:x:1:4294967296::/:/bin/sh
app:x:1000:1000:app:/home/app:/bin/sh
nohome:x:1001:1001:::/bin/sh
broken:x:notanumber:0::/:/bin/sh

nobody:x:65534:65534:nobody:/nonexistent:/bin/false
`

const testGroup = `root:x:0:
wheel:x:10:app,nohome
audio:x:29: app , nobody
app:x:1000:
bad:x:-1:app
wraps:x:4294967296:app
nogroup:x:65534:
`

func TestParsePasswd(t *testing.T) {
	got, err := parsePasswd(strings.NewReader(testPasswd))
	if err != nil {
		t.Fatal(err)
	}
	want := []passwdEntry{
		{Name: "root", UID: 0, GID: 0, Home: "/root"},
		{Name: "app", UID: 1000, GID: 1000, Home: "/home/app"},
		{Name: "nohome", UID: 1001, GID: 1001},
		{Name: "nobody", UID: 65534, GID: 65534, Home: "/nonexistent"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("parsePasswd (-want +got):\n%s", diff)
	}
}

func TestParseGroup(t *testing.T) {
	got, err := parseGroup(strings.NewReader(testGroup))
	if err != nil {
		t.Fatal(err)
	}
	want := []groupEntry{
		{Name: "root", GID: 0},
		{Name: "wheel", GID: 10, Members: []string{"app", "nohome"}},
		{Name: "audio", GID: 29, Members: []string{"app", "nobody"}},
		{Name: "app", GID: 1000},
		{Name: "nogroup", GID: 65534},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("parseGroup (-want +got):\n%s", diff)
	}
}

func TestResolveUser(t *testing.T) {
	passwd, _ := parsePasswd(strings.NewReader(testPasswd))
	group, _ := parseGroup(strings.NewReader(testGroup))
	tests := []struct {
		spec    string
		want    execUser
		wantErr error
		msg     string
	}{
		{spec: "", want: execUser{UID: 0, GID: 0, Groups: []int{0}, Home: "/root"}},
		{spec: "root", want: execUser{UID: 0, GID: 0, Groups: []int{0}, Home: "/root"}},
		{spec: "app", want: execUser{UID: 1000, GID: 1000, Groups: []int{1000, 10, 29}, Home: "/home/app"}},
		{spec: "1000", want: execUser{UID: 1000, GID: 1000, Groups: []int{1000, 10, 29}, Home: "/home/app"}},
		{spec: "1000:10", want: execUser{UID: 1000, GID: 10, Groups: []int{10}, Home: "/home/app"}},
		{spec: "app:audio", want: execUser{UID: 1000, GID: 29, Groups: []int{29}, Home: "/home/app"}},
		{spec: "1000:audio", want: execUser{UID: 1000, GID: 29, Groups: []int{29}, Home: "/home/app"}},
		{spec: "app:", want: execUser{UID: 1000, GID: 1000, Groups: []int{1000, 10, 29}, Home: "/home/app"}},
		{spec: "nohome", want: execUser{UID: 1001, GID: 1001, Groups: []int{1001, 10}, Home: "/"}},
		{spec: "4242", want: execUser{UID: 4242, GID: 0, Groups: []int{0}, Home: "/"}},
		{spec: "4242:4243", want: execUser{UID: 4242, GID: 4243, Groups: []int{4243}, Home: "/"}},
		{spec: "foo", wantErr: ErrNoUser, msg: "unable to find user foo: no matching entries in passwd file"},
		{spec: "app:foo", wantErr: ErrNoGroup, msg: "unable to find group foo: no matching entries in group file"},
		{spec: "-1", wantErr: ErrIDRange, msg: `invalid user or group "-1": uids and gids must be in range 0-2147483647`},
		{spec: "2147483647", want: execUser{UID: 2147483647, GID: 0, Groups: []int{0}, Home: "/"}},
		// Truncated to 32 bits this would be root.
		{spec: "4294967296", wantErr: ErrIDRange, msg: `invalid user or group "4294967296": uids and gids must be in range 0-2147483647`},
		{spec: "2147483648", wantErr: ErrIDRange, msg: `invalid user or group "2147483648": uids and gids must be in range 0-2147483647`},
		{spec: "99999999999999999999", wantErr: ErrIDRange, msg: `invalid user or group "99999999999999999999": uids and gids must be in range 0-2147483647`},
		{spec: "0:4294967296", wantErr: ErrIDRange, msg: `invalid user or group "4294967296": uids and gids must be in range 0-2147483647`},
		{spec: "app:-1", wantErr: ErrIDRange, msg: `invalid user or group "-1": uids and gids must be in range 0-2147483647`},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			got, err := resolveUser(tt.spec, passwd, group)
			if tt.msg != "" {
				if err == nil || err.Error() != tt.msg {
					t.Fatalf("resolveUser(%q) error = %v, want %q", tt.spec, err, tt.msg)
				}
				if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
					t.Errorf("error %v is not %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("resolveUser(%q) (-want +got):\n%s", tt.spec, diff)
			}
		})
	}
}

func TestResolveUserNoFiles(t *testing.T) {
	got, err := resolveUser("", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(execUser{Groups: []int{0}, Home: "/"}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if _, err := resolveUser("app", nil, nil); !errors.Is(err, ErrNoUser) {
		t.Errorf("resolveUser(app) with no passwd = %v, want ErrNoUser", err)
	}
}

func TestCheckUser(t *testing.T) {
	tests := []struct {
		spec string
		ok   bool
	}{
		{"", true}, {"app", true}, {"1000", true}, {"1000:1000", true}, {"app:staff", true},
		{"0:0", true}, {"2147483647:2147483647", true}, {"+5", true}, {"--5", true},
		{"-1", false}, {"4294967296", false}, {"0:4294967296", false}, {"1000:-1", false},
		{"2147483648", false}, {"18446744073709551616", false},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			err := CheckUser(tt.spec)
			if tt.ok && err != nil {
				t.Errorf("CheckUser(%q) = %v, want nil", tt.spec, err)
			}
			if !tt.ok && !errors.Is(err, ErrIDRange) {
				t.Errorf("CheckUser(%q) = %v, want ErrIDRange", tt.spec, err)
			}
		})
	}
}
