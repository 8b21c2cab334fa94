package cp

import "testing"

func TestCleanSplit(t *testing.T) {
	for _, tc := range []struct {
		in, clean, dir, base string
		assertsDir           bool
	}{
		{"d/f", "/d/f", "/d", "f", false},
		{"/d/", "/d/", "/", "d", true},
		{"/d/.", "/d/.", "/d", ".", true},
		{"d/../../x", "/x", "/", "x", false},
		{"/", "/", "/", ".", true},
		{".", "/", "/", ".", true},
	} {
		t.Run(tc.in, func(t *testing.T) {
			c := Clean(tc.in)
			dir, base := Split(c)
			if c != tc.clean || dir != tc.dir || base != tc.base || AssertsDir(c) != tc.assertsDir {
				t.Errorf("Clean = %q, Split = %q, %q, AssertsDir = %v; want %q, %q, %q, %v",
					c, dir, base, AssertsDir(c), tc.clean, tc.dir, tc.base, tc.assertsDir)
			}
		})
	}
}

func TestRebase(t *testing.T) {
	for _, tc := range []struct{ name, from, to, want string }{
		{"d", "d", "new", "new"},
		{"d/f", "d", "new", "new/f"},
		{"dd/f", "d", "new", "dd/f"},
		{"./f", ".", "new", "new/f"},
		{"d/f", "", "new", "d/f"},
	} {
		if got := rebase(tc.name, tc.from, tc.to); got != tc.want {
			t.Errorf("rebase(%q, %q, %q) = %q, want %q", tc.name, tc.from, tc.to, got, tc.want)
		}
	}
}
