package ns

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const testPasswd = `# comment
root:x:0:0:root:/root:/bin/sh
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
		{spec: "-1", msg: `user "-1": uid must not be negative`},
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
