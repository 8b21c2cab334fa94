package version

import (
	"runtime"
	"runtime/debug"
	"time"
)

// Stamped at build time by the Makefile (-ldflags -X
// pocket/version.Version=...); empty in a plain `go build`, which Get
// fills from the build information Go records in the binary instead.
var (
	Version   string
	GitCommit string
	BuildTime string // RFC 3339
)

// Docker's CLI says the same when it was built without them.
const (
	unknownVersion   = "unknown-version"
	unknownCommit    = "unknown-commit"
	unknownBuildTime = "unknown-buildtime"
)

// Info is the Client part of `pocket version`, with the fields and JSON
// names of Docker's, so templates written for `docker version` work.
type Info struct {
	Version   string
	GitCommit string
	GoVersion string
	Os        string
	Arch      string
	BuildTime string // as Docker prints it: time.ANSIC
}

// Get is this binary's Info.
func Get() Info {
	bi, _ := debug.ReadBuildInfo()
	return resolve(Info{Version: Version, GitCommit: GitCommit, BuildTime: BuildTime}, bi)
}

// resolve completes what the Makefile stamped with what the toolchain
// recorded (bi may be nil), then with Docker's "unknown-..." words.
func resolve(stamped Info, bi *debug.BuildInfo) Info {
	v := stamped
	v.GoVersion, v.Os, v.Arch = runtime.Version(), runtime.GOOS, runtime.GOARCH
	if bi != nil {
		// `go build` in a git checkout records the commit (vcs.revision)
		// and a version from its tags or a pseudo-version from it.
		if v.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v.Version = bi.Main.Version
		}
		if v.GitCommit == "" {
			v.GitCommit = commit(bi.Settings)
		}
	}
	if v.Version == "" {
		v.Version = unknownVersion
	}
	if v.GitCommit == "" {
		v.GitCommit = unknownCommit
	}
	if v.BuildTime == "" {
		v.BuildTime = unknownBuildTime
	} else if t, err := time.Parse(time.RFC3339Nano, v.BuildTime); err == nil {
		v.BuildTime = t.Format(time.ANSIC)
	}
	return v
}

// commit is the short commit Docker prints (git rev-parse --short's 7
// characters), marked -dirty when the tree had changes.
func commit(settings []debug.BuildSetting) string {
	var rev, modified string
	for _, s := range settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if len(rev) > 7 {
		rev = rev[:7]
	}
	if rev != "" && modified == "true" {
		rev += "-dirty"
	}
	return rev
}
