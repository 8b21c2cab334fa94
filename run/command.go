package run

import (
	"fmt"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"pocket/plan"
)

// defaultPath is Docker's PATH for a Linux container whose image sets none.
const defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// command resolves what to execute with Docker's rules: --entrypoint
// replaces the image's ENTRYPOINT and drops its CMD ("" clears the
// entrypoint), command-line arguments replace CMD, and the process is
// ENTRYPOINT followed by CMD. It returns the effective Entrypoint and Cmd
// (as inspect shows them) and the argv.
func command(img v1.Config, entrypoint *string, args []string) (ep, cmd, argv []string, err error) {
	ep, cmd = img.Entrypoint, img.Cmd
	if entrypoint != nil {
		ep, cmd = nil, nil
		if *entrypoint != "" {
			ep = []string{*entrypoint}
		}
	}
	if len(args) > 0 {
		cmd = args
	}
	argv = append(append([]string{}, ep...), cmd...)
	if len(argv) == 0 {
		return nil, nil, nil, fmt.Errorf("%w (hint: give a command after the image name)", ErrNoCommand)
	}
	return ep, cmd, argv, nil
}

// processEnv is the environment the process starts with: Docker's daemon
// defaults (PATH, HOSTNAME, TERM with a
// tty) overridden by the configured environment.
func processEnv(config []string, hostname string, tty bool) []string {
	// Docker's CreateDaemonEnvironment: PATH, HOSTNAME (and TERM) first,
	// each replaced in place by the configured value, so `env` lists PATH
	// first even when the image sets it.
	env := []string{"PATH=" + defaultPath, "HOSTNAME=" + hostname}
	if tty {
		env = append(env, "TERM=xterm")
	}
	return plan.MergeEnv(env, config)
}
