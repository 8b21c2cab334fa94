package ns

import (
	"os"
	"strconv"
	"time"
)

// TraceEnv, set to 1, makes pocket print a line to stderr at each phase of
// a container's start and end (testdata/bench/trace.sh sums them):
// "pocket-trace: MICROSECONDS PID PHASE", the microseconds of the wall
// clock, shared by the parent and its init. Off, a mark costs one branch.
const TraceEnv = "POCKET_TRACE"

// tracing is read once: init, whose environment is empty, is given
// TraceEnv by its parent only when the parent traces.
var tracing = os.Getenv(TraceEnv) == "1"

// Tracing says whether Trace prints; a parent passes TraceEnv on to the
// init it starts when it does.
func Tracing() bool { return tracing }

// Trace marks a phase of a start, when tracing.
func Trace(phase string) {
	if !tracing {
		return
	}
	b := make([]byte, 0, 64)
	b = append(b, "pocket-trace: "...)
	b = strconv.AppendInt(b, time.Now().UnixMicro(), 10)
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(os.Getpid()), 10)
	b = append(b, ' ')
	b = append(b, phase...)
	b = append(b, '\n')
	os.Stderr.Write(b)
}
