package ociruntime

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// runHooks runs hooks in order in the runtime's namespaces, each with the
// container's state as JSON on its stdin (runtime-spec config.md#posix-
// platform-hooks); the first failure stops them.
func runHooks(kind string, hooks []specs.Hook, st specs.State) error {
	if len(hooks) == 0 {
		return nil
	}
	data, err := json.Marshal(st)
	if err != nil {
		return err
	}
	for i, h := range hooks {
		if err := runHook(h, data); err != nil {
			return fmt.Errorf("error running %s hook #%d: %w", kind, i, err)
		}
	}
	return nil
}

// warnHooks runs poststart or poststop hooks: all of them, each failure
// only a warning (runtime-spec runtime.md#lifecycle: the lifecycle
// continues as if the hook had succeeded).
func (r *Runtime) warnHooks(kind string, hooks []specs.Hook, st specs.State) {
	data, err := json.Marshal(st)
	if err != nil {
		r.warn(err)
		return
	}
	for i, h := range hooks {
		if err := runHook(h, data); err != nil {
			r.warn(fmt.Errorf("error running %s hook #%d: %w", kind, i, err))
		}
	}
}

// warn reports what does not fail the command.
func (r *Runtime) warn(err error) {
	if r.Warn != nil {
		r.Warn(err)
	}
}

func runHook(h specs.Hook, state []byte) error {
	ctx := context.Background()
	if h.Timeout != nil && *h.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, time.Duration(*h.Timeout)*time.Second)
		defer cancel()
	}
	cmd := exec.CommandContext(ctx, h.Path)
	if len(h.Args) > 0 {
		cmd.Args = h.Args
	}
	cmd.Env = h.Env
	if cmd.Env == nil {
		cmd.Env = []string{}
	}
	cmd.Stdin = bytes.NewReader(state)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("%s: timed out after %ds", h.Path, *h.Timeout)
		}
		return fmt.Errorf("%s: %w, stdout and stderr: %s", h.Path, err, bytes.TrimSpace(out.Bytes()))
	}
	return nil
}
