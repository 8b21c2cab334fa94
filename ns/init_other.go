//go:build !linux

package ns

import (
	"encoding/json"
	"os"
)

// Init is "pocket init": it never returns. Off Linux it reports
// ErrUnsupported to the parent and exits 125.
func Init() {
	f := os.NewFile(ErrorFD, "error pipe")
	_ = json.NewEncoder(f).Encode(&Error{Code: codeSetup, Message: "pocket init: " + ErrUnsupported.Error()})
	os.Exit(codeSetup)
}

// ExecInit is "pocket exec-init"; off Linux it fails as Init does.
func ExecInit() { Init() }
