package plan

import (
	"fmt"
	"regexp"
	"strings"
)

// validName is Docker's container name rule.
var validName = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]+$`)

// checkName validates a --name.
func checkName(name string) error {
	if !validName.MatchString(strings.TrimPrefix(name, "/")) {
		return fmt.Errorf("%w %q: only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", ErrBadName, name)
	}
	return nil
}
