//go:build !linux || !pocket_nsinit || !(amd64 || arm64)

package ns

// initExe is empty in a plain `go build`: containers start from pocket's
// own binary (SealedExe), which works the same, only slower to start.
var initExe string
