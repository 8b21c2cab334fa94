package store

import "testing"

// TestRandomName: every generated name is a valid container name (Docker's
// rule, validName), so CreateContainer never refuses its own choice.
func TestRandomName(t *testing.T) {
	for _, l := range nameLeft {
		for _, r := range nameRight {
			if n := l + "_" + r; !validName.MatchString(n) {
				t.Errorf("generated name %q is invalid", n)
			}
		}
	}
	if n := randomName(); !validName.MatchString(n) {
		t.Errorf("randomName() = %q, invalid", n)
	}
}
