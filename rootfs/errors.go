package rootfs

import "errors"

// ErrOS is returned where preparing a rootfs needs Linux.
var ErrOS = errors.New("containers need Linux")
