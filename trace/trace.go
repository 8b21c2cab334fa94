// Package trace shows where a command's time goes when POCKET_TRACE is
// set, in two views: Span sums phases that repeat (a build's steps) into
// a table printed at the end; Mark prints a timestamped line at each
// phase of a container's start, from the parent and its init alike
// (testdata/bench/trace.sh takes medians of them). Off, either costs one
// branch.
package trace

import (
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"strconv"
	"sync"
	"time"
)

// Env turns tracing on. A container's init, whose environment is empty,
// is given Env=1 by its parent only when the parent traces.
const Env = "POCKET_TRACE"

// On is whether tracing is on: callers may skip work only a trace needs.
var On = os.Getenv(Env) != ""

// Mark prints "pocket-trace: MICROSECONDS PID PHASE" to stderr: the
// wall clock, which the parent and its init share.
func Mark(phase string) {
	if !On {
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

var (
	mu     sync.Mutex
	start  = time.Now()
	order  []string
	totals = map[string]*phase{}
)

type phase struct {
	d time.Duration
	n int
}

// Add counts d against phase.
func Add(name string, d time.Duration) {
	if !On {
		return
	}
	mu.Lock()
	defer mu.Unlock()
	p := totals[name]
	if p == nil {
		p = &phase{}
		totals[name] = p
		order = append(order, name)
	}
	p.d += d
	p.n++
}

// Span starts timing phase; the returned func ends it:
// `defer trace.Span("build: parse")()`.
func Span(name string) func() {
	if !On {
		return func() {}
	}
	t0 := time.Now()
	return func() { Add(name, time.Since(t0)) }
}

// Print writes the phases in the order first seen, each with its total
// and count, and the time since the process started.
func Print(w io.Writer) {
	if !On {
		return
	}
	mu.Lock()
	defer mu.Unlock()
	fmt.Fprintf(w, "trace: %-34s %9s %6s\n", "phase", "ms", "count")
	for _, name := range order {
		p := totals[name]
		fmt.Fprintf(w, "trace: %-34s %9.1f %6d\n", name, float64(p.d.Microseconds())/1000, p.n)
	}
	fmt.Fprintf(w, "trace: %-34s %9.1f\n", "total since process start", float64(time.Since(start).Microseconds())/1000)
}

// PrintStderr is Print to stderr.
func PrintStderr() { Print(os.Stderr) }

// CPUProfile writes a CPU profile of what runs until the returned func
// is called to the file POCKET_CPUPROFILE names, for `go tool pprof`.
func CPUProfile() func() {
	path := os.Getenv("POCKET_CPUPROFILE")
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintf(os.Stderr, "trace: cpu profile: %v\n", err)
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		fmt.Fprintf(os.Stderr, "trace: cpu profile: %v\n", err)
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}
