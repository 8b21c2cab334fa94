package build

import "errors"

var (
	// ErrOutsideContext is returned for a source that leaves the build
	// context (`COPY ../x`).
	ErrOutsideContext = errors.New("forbidden path outside the build context")
	// ErrStepFailed is returned when a RUN command exits non-zero.
	ErrStepFailed = errors.New("build step failed")
	// ErrUnsupported is returned for what pocket build does not do yet.
	ErrUnsupported = errors.New("not supported by pocket build")
	// ErrNoSecret is returned for a required secret or ssh mount that
	// --secret or --ssh does not provide.
	ErrNoSecret = errors.New("not provided")
	// ErrChecksum is returned when ADD --checksum does not match.
	ErrChecksum = errors.New("checksum mismatch")
	// ErrNoStage is returned for a --target or --from naming no stage.
	ErrNoStage = errors.New("no such build stage")
)

// StepError is a RUN that exited non-zero: its message is Docker's.
type StepError struct {
	Command string
	Code    int
}

func (e *StepError) Error() string {
	return "The command '" + e.Command + "' returned a non-zero code: " + itoa(e.Code)
}

func (e *StepError) Unwrap() error { return ErrStepFailed }
