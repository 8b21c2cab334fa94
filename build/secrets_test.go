package build

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseSecret(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "tok")
	os.WriteFile(file, []byte("x"), 0o600)
	big := filepath.Join(dir, "big")
	os.WriteFile(big, make([]byte, maxSecretSize+1), 0o600)
	t.Setenv("POCKET_TEST_SECRET", "v")
	for _, tc := range []struct {
		spec    string
		want    Secret
		wantErr string
	}{
		{spec: "id=a,src=" + file, want: Secret{ID: "a", Src: file}},
		{spec: "id=a,source=" + file, want: Secret{ID: "a", Src: file}},
		{spec: "id=a,env=HOME", want: Secret{ID: "a", Env: "HOME"}},
		{spec: "type=env,id=a,src=HOME", want: Secret{ID: "a", Env: "HOME"}},
		{spec: "id=POCKET_TEST_SECRET", want: Secret{ID: "POCKET_TEST_SECRET", Env: "POCKET_TEST_SECRET"}},
		{spec: "id=" + file, want: Secret{ID: file, Src: file}},
		{spec: "src=" + file, wantErr: "an id is needed"},
		{spec: "id=a,type=ssh", wantErr: `unsupported secret type "ssh"`},
		{spec: "id=a,bogus=1", wantErr: `unexpected key "bogus"`},
		{spec: "id=a,src", wantErr: "must be a key=value pair"},
		{spec: "id=a,src=/nonexistent", wantErr: "/nonexistent"},
		{spec: "id=a,src=" + big, wantErr: "larger than"},
	} {
		t.Run(tc.spec, func(t *testing.T) {
			got, err := ParseSecret(tc.spec)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("ParseSecret(%q) = %v, want an error with %q", tc.spec, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}
