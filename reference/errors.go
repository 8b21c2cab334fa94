package reference

import "errors"

// ErrBadReference is returned for an image reference Docker would reject.
var ErrBadReference = errors.New("invalid reference format")
