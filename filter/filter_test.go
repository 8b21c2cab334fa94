package filter

import (
	"errors"
	"testing"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		args    []string
		wantErr error
	}{
		{args: []string{"name=a", "status=exited"}},
		{args: []string{"name"}, wantErr: ErrBadFormat},
		{args: []string{"health=healthy"}, wantErr: ErrInvalidKey},
	} {
		_, err := Parse(tc.args, "name", "status")
		if !errors.Is(err, tc.wantErr) {
			t.Errorf("Parse(%q): %v, want %v", tc.args, err, tc.wantErr)
		}
	}
	if _, err := Parse([]string{"foo=bar"}, "name"); err == nil || err.Error() != "invalid filter 'foo'" {
		t.Errorf("unknown key: %v, want Docker's \"invalid filter 'foo'\"", err)
	}
}

func TestMatch(t *testing.T) {
	f, err := Parse([]string{"name=^web", "name=db", "status=exited", "label=a", "label=b=2"}, "name", "status", "label")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		got    bool
		wanted bool
	}{
		{"regexp anchored", f.Regexp("name", "web1"), true},
		{"regexp ORed", f.Regexp("name", "mydb"), true},
		{"regexp no match", f.Regexp("name", "cache"), false},
		{"exact", f.Exact("status", "exited"), true},
		{"exact no match", f.Exact("status", "running"), false},
		{"absent key matches", f.Exact("id", "x"), true},
		{"labels present and valued", f.Labels("label", map[string]string{"a": "", "b": "2"}), true},
		{"labels ANDed: one missing", f.Labels("label", map[string]string{"a": ""}), false},
		{"labels ANDed: the other missing", f.Labels("label", map[string]string{"b": "2"}), false},
		{"label wrong value", f.Labels("label", map[string]string{"a": "", "b": "3"}), false},
		{"no label filter matches", Args{}.Labels("label", nil), true},
	} {
		if tc.got != tc.wanted {
			t.Errorf("%s: %v, want %v", tc.name, tc.got, tc.wanted)
		}
	}
}

func TestBool(t *testing.T) {
	f, _ := Parse([]string{"dangling=true"}, "dangling")
	if v, given, err := f.Bool("dangling"); !v || !given || err != nil {
		t.Errorf("dangling=true: %v %v %v", v, given, err)
	}
	f, _ = Parse([]string{"dangling=maybe"}, "dangling")
	if _, _, err := f.Bool("dangling"); err == nil {
		t.Error("dangling=maybe: no error")
	}
}
