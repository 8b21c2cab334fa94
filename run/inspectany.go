package run

import (
	"errors"
	"fmt"

	"pocket/pull"
	"pocket/store"
)

// InspectAny is `pocket inspect`: the details of the container ref names,
// else of the image, as Docker's inspect tries each kind of object in turn.
// Neither is Docker's "no such object".
func InspectAny(s *store.Store, ref string) (any, error) {
	v, err := Inspect(s, ref)
	if !errors.Is(err, store.ErrContainerUnknown) {
		return v, err
	}
	if v, err := pull.Inspect(s, ref); err == nil {
		return v, nil
	}
	return nil, fmt.Errorf("no such object: %s", ref)
}
