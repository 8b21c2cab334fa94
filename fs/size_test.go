package fs

import "testing"

func TestSize(t *testing.T) {
	d := unpackBytes(t, mkTar(t,
		file("a", "12345"), file("d/b", "123"), hardlink("d/c", "a"),
		symlink("s", "a-long-symlink-target"), dir("e/"),
	), Options{})
	got, err := Size(d)
	if err != nil {
		t.Fatal(err)
	}
	if got != 8 {
		t.Errorf("Size = %d, want 8", got)
	}
}
