package rootfs

import "errors"

// ErrOS is returned where preparing a rootfs needs Linux.
var ErrOS = errors.New("containers need Linux")

// doctorHint ends the errors of host conditions `pocket doctor` checks.
const doctorHint = " (run `pocket doctor`)"
