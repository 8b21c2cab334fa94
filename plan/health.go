package plan

import (
	"errors"
	"fmt"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// HealthOptions are run's --health-* flags and --no-healthcheck; a zero
// field is one not given.
type HealthOptions struct {
	Cmd         string // --health-cmd, run with /bin/sh -c
	Interval    time.Duration
	Timeout     time.Duration
	StartPeriod time.Duration
	Retries     int
	None        bool // --no-healthcheck
}

// healthcheck is the command line's healthcheck as Docker's CLI builds
// it: nil when no flag is given.
func healthcheck(o HealthOptions) (*v1.HealthConfig, error) {
	set := o.Cmd != "" || o.Interval != 0 || o.Timeout != 0 || o.StartPeriod != 0 || o.Retries != 0
	if o.None {
		if set {
			return nil, fmt.Errorf("%w: --no-healthcheck conflicts with --health-* options", ErrBadOption)
		}
		return &v1.HealthConfig{Test: []string{"NONE"}}, nil
	}
	if !set {
		return nil, nil
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"--health-interval", o.Interval}, {"--health-timeout", o.Timeout}, {"--health-start-period", o.StartPeriod}} {
		if d.v < 0 {
			return nil, fmt.Errorf("%w: %s cannot be negative", ErrBadOption, d.name)
		}
		if d.v != 0 && d.v < time.Millisecond {
			return nil, fmt.Errorf("%w: %s cannot be less than 1ms", ErrBadOption, d.name)
		}
	}
	if o.Retries < 0 {
		return nil, fmt.Errorf("%w: --health-retries cannot be negative", ErrBadOption)
	}
	h := &v1.HealthConfig{Interval: o.Interval, Timeout: o.Timeout, StartPeriod: o.StartPeriod, Retries: o.Retries}
	if o.Cmd != "" {
		h.Test = []string{"CMD-SHELL", o.Cmd}
	}
	return h, nil
}

// ErrBadHealthcheck is an image HEALTHCHECK pocket cannot run.
var ErrBadHealthcheck = errors.New("unknown healthcheck type")

// Healthcheck is the container's healthcheck: the command line's over
// the image's, field by field, as Docker's daemon merges them; nil when
// there is none to run (none at all, or NONE).
func (p *Plan) Healthcheck(image *v1.HealthConfig) (*v1.HealthConfig, error) {
	h := p.health
	if h == nil {
		h = image
	} else if image != nil {
		merged := *h
		if len(merged.Test) == 0 {
			merged.Test = image.Test
		}
		if merged.Interval == 0 {
			merged.Interval = image.Interval
		}
		if merged.Timeout == 0 {
			merged.Timeout = image.Timeout
		}
		if merged.StartPeriod == 0 {
			merged.StartPeriod = image.StartPeriod
		}
		if merged.Retries == 0 {
			merged.Retries = image.Retries
		}
		h = &merged
	}
	if h == nil || len(h.Test) == 0 || h.Test[0] == "NONE" {
		return nil, nil
	}
	switch h.Test[0] {
	case "CMD", "CMD-SHELL":
		if len(h.Test) < 2 {
			return nil, fmt.Errorf("%w: %q with no command", ErrBadHealthcheck, h.Test[0])
		}
	default:
		return nil, fmt.Errorf("%w: %q", ErrBadHealthcheck, h.Test[0])
	}
	return h, nil
}
