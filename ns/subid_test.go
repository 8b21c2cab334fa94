package ns

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSubIDs(t *testing.T) {
	const file = `# comment
alice:100000:65536
1001:300000:1000
bob:165536:65536

alice:500000:10
alice:bad:10
alice:1:0
alice:1:2:3
alice:4294967295:2
`
	tests := []struct {
		name string
		user string
		id   int
		want []IDRange
	}{
		{"by name, every range in order", "alice", 1000, []IDRange{{100000, 65536}, {500000, 10}}},
		{"by uid", "carol", 1001, []IDRange{{300000, 1000}}},
		{"name and uid both match", "bob", 1001, []IDRange{{300000, 1000}, {165536, 65536}}},
		{"none", "dave", 1002, nil},
		{"prefix of a name is not a match", "al", 1003, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := SubIDs(strings.NewReader(file), tt.user, tt.id)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("SubIDs(%q, %d) (-want +got):\n%s", tt.user, tt.id, diff)
			}
		})
	}
}

func TestIDMapArgs(t *testing.T) {
	tests := []struct {
		name   string
		ranges []IDRange
		want   []string
	}{
		{"own id only", nil, []string{"0", "1000", "1"}},
		{"one range", []IDRange{{100000, 65536}}, []string{"0", "1000", "1", "1", "100000", "65536"}},
		{"ranges follow each other", []IDRange{{100000, 10}, {500000, 5}},
			[]string{"0", "1000", "1", "1", "100000", "10", "11", "500000", "5"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, idMapArgs(1000, tt.ranges)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestFreeSubIDRange(t *testing.T) {
	for _, tc := range []struct {
		name           string
		subuid, subgid string
		want           IDRange
	}{
		{"empty", "", "", IDRange{100000, 65536}},
		{"first taken", "alice:100000:65536\n", "alice:100000:65536\n", IDRange{165536, 65536}},
		{"overlap in subgid only", "", "bob:150000:10\n", IDRange{165536, 65536}},
		{"gap used", "a:100000:65536\nb:231072:65536\n", "", IDRange{165536, 65536}},
		{"junk ignored", "# comment\nx:y:z\n", "", IDRange{100000, 65536}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := FreeSubIDRange([]byte(tc.subuid), []byte(tc.subgid)); got != tc.want {
				t.Errorf("FreeSubIDRange = %v, want %v", got, tc.want)
			}
		})
	}
}
