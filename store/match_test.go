package store

import (
	"regexp"
	"testing"
)

// The matchers must say exactly what the regexps they replace said.
func TestMatchers(t *testing.T) {
	inputs := []string{"", "a", "A", "0", "_", ".", "-", "ab", "a_", "a.b-c", "_a", ".a", "-a", "a b", "a/b", "é", "aé",
		"Z9", "x\n", "\na", "abcdef0123456789", "ABCDEF", "abcdeg",
		"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdeF",
		"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0",
		"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde"}
	for _, tc := range []struct {
		name string
		m    interface{ MatchString(string) bool }
		re   string
	}{
		{"sha256", hexRange{64, 64}, `^[a-f0-9]{64}$`},
		{"prefix", hexRange{1, 64}, `^[a-f0-9]{1,64}$`},
		{"name", nameChars{2}, `^[a-zA-Z0-9][a-zA-Z0-9_.-]+$`},
		{"id", nameChars{1}, `^[a-zA-Z0-9][a-zA-Z0-9_.-]*$`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			re := regexp.MustCompile(tc.re)
			for _, in := range inputs {
				if got, want := tc.m.MatchString(in), re.MatchString(in); got != want {
					t.Errorf("MatchString(%q) = %v, want %v (%s)", in, got, want, tc.re)
				}
			}
		})
	}
}
