package build

import (
	"io"
	"time"

	"github.com/google/go-containerregistry/pkg/name"

	"pocket/pull"
)

// Options is `pocket build`'s command line, parsed.
type Options struct {
	Context    string // a directory, or "-": a Dockerfile or a tar on stdin
	Dockerfile string // -f; "" for CONTEXT/Dockerfile, "-" for stdin
	Tags       []name.Reference
	BuildArgs  []string // --build-arg K=V, or K to take it from the environment
	Target     string
	NoCache    bool
	Pull       bool   // --pull: pull every FROM image even when present
	Network    string // bridge|host|none for RUN
	IIDFile    string
	Quiet      bool
	Labels     []string // --label K=V, set on the final image
	Platform   string   // --platform: only the host's is supported
	Epoch      *time.Time
	PullOpts   pull.Options
	// Secrets (--secret) and SSH (--ssh) are what RUN --mount of type
	// secret and ssh reach: BuildKit's session, without a daemon.
	Secrets []Secret
	SSH     []SSH
	// Progress is "tty" for the compact live view (NewProgress) on a
	// terminal TermWidth columns wide; otherwise Docker's classic log.
	Progress  string
	TermWidth int
	// Resolve, when set, turns a FROM or COPY --from image reference into
	// the one to use: pocket.lock's pinned digest under --locked.
	Resolve func(name.Reference) (name.Reference, error)

	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
}
