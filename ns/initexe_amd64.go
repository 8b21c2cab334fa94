//go:build linux && pocket_nsinit

package ns

import _ "embed"

// initExe is ns/nsinit built for this architecture (Makefile).
//
//go:embed nsinit/pocket-init-linux-amd64
var initExe string
