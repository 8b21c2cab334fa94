package plan

import (
	"errors"
	"testing"
)

func TestCheckName(t *testing.T) {
	for name, ok := range map[string]bool{
		"web": true, "a1": true, "my_app.v2-x": true, "/slash": true, "A": false, "a": false,
		"_lead": false, ".lead": false, "has space": false, "ümlaut": false, "": false, "a/b": false,
	} {
		t.Run(name, func(t *testing.T) {
			err := checkName(name)
			if (err == nil) != ok {
				t.Errorf("checkName(%q) = %v, want ok %v", name, err, ok)
			}
			if err != nil && !errors.Is(err, ErrBadName) {
				t.Errorf("error %v is not ErrBadName", err)
			}
		})
	}
}
