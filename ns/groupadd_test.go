package ns

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestAddGroups(t *testing.T) {
	group := []groupEntry{{Name: "staff", GID: 50}, {Name: "audio", GID: 29}}
	for _, tc := range []struct {
		name    string
		add     []string
		want    []int
		wantErr error
	}{
		{"none", nil, []int{1000}, nil},
		{"gid", []string{"4321"}, []int{1000, 4321}, nil},
		{"name", []string{"staff", "audio"}, []int{1000, 50, 29}, nil},
		{"already", []string{"1000", "50", "staff"}, []int{1000, 50}, nil},
		{"unknown name", []string{"wheel"}, nil, ErrNoGroup},
		{"out of range", []string{"4294967296"}, nil, ErrIDRange},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := execUser{UID: 1000, GID: 1000, Groups: []int{1000}}
			err := addGroups(&u, tc.add, group)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("addGroups(%v): %v, want %v", tc.add, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, u.Groups); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}
