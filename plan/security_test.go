package plan

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSecurityOpt(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// Unknown syscall names are ignored, as Docker does.
	good := write("good.json", `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir","mkdirat","syscall_of_2030"],"action":"SCMP_ACT_ERRNO"}]}`)
	bad := write("bad.json", `{"defaultAction":"SCMP_ACT_ALLOW",`)
	badAction := write("action.json", `{"defaultAction":"SCMP_ACT_PERHAPS"}`)
	for _, tt := range []struct {
		name       string
		o          Options
		nnp        bool
		seccomp    bool
		wantErr    error
		errSays    string
		errOneLine bool
	}{
		{name: "default", seccomp: true},
		{name: "no-new-privileges", o: Options{SecurityOpt: []string{"no-new-privileges"}}, nnp: true, seccomp: true},
		{name: "no-new-privileges:true", o: Options{SecurityOpt: []string{"no-new-privileges:true"}}, nnp: true, seccomp: true},
		{name: "no-new-privileges=true", o: Options{SecurityOpt: []string{"no-new-privileges=true"}}, nnp: true, seccomp: true},
		{name: "no-new-privileges then false", o: Options{SecurityOpt: []string{"no-new-privileges", "no-new-privileges:false"}}, seccomp: true},
		{name: "seccomp=unconfined", o: Options{SecurityOpt: []string{"seccomp=unconfined"}}},
		{name: "seccomp:unconfined", o: Options{SecurityOpt: []string{"seccomp:unconfined"}}},
		{name: "seccomp=builtin", o: Options{SecurityOpt: []string{"seccomp=builtin"}}, seccomp: true},
		{name: "privileged", o: Options{Privileged: true}},
		{name: "privileged with a profile", o: Options{Privileged: true, SecurityOpt: []string{"seccomp=" + good}}, seccomp: true},
		{name: "profile file", o: Options{SecurityOpt: []string{"seccomp=" + good}}, seccomp: true},
		{name: "missing profile", o: Options{SecurityOpt: []string{"seccomp=" + dir + "/none.json"}}, wantErr: ErrBadOption, errSays: "none.json"},
		{name: "bad JSON", o: Options{SecurityOpt: []string{"seccomp=" + bad}}, errSays: bad},
		{name: "bad action", o: Options{SecurityOpt: []string{"seccomp=" + badAction}}, errSays: badAction},
		{name: "bogus", o: Options{SecurityOpt: []string{"bogus"}}, wantErr: ErrBadOption},
		{name: "bad capability", o: Options{CapAdd: []string{"NOPE"}}, errSays: "NOPE"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sec, err := security(&tt.o)
			if tt.wantErr != nil || tt.errSays != "" {
				if err == nil || (tt.wantErr != nil && !errors.Is(err, tt.wantErr)) || !strings.Contains(err.Error(), tt.errSays) {
					t.Fatalf("got %v, want an error (%v) saying %q", err, tt.wantErr, tt.errSays)
				}
				if strings.Contains(err.Error(), "\n") {
					t.Errorf("error has more than one line: %q", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if sec.NoNewPrivileges != tt.nnp {
				t.Errorf("no_new_privs = %v, want %v", sec.NoNewPrivileges, tt.nnp)
			}
			if (sec.Seccomp != nil) != tt.seccomp {
				t.Errorf("seccomp = %v, want a filter: %v", sec.Seccomp != nil, tt.seccomp)
			}
		})
	}
	t.Run("the filter follows the capabilities", func(t *testing.T) {
		def, err := security(&Options{})
		if err != nil {
			t.Fatal(err)
		}
		admin, err := security(&Options{CapAdd: []string{"SYS_ADMIN"}})
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Equal(def.Seccomp.Program, admin.Seccomp.Program) {
			t.Error("--cap-add SYS_ADMIN compiles the same filter as the default")
		}
	})
}
