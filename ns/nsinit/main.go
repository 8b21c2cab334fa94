// Command nsinit is pocket's container side alone: "init" (ns.Init) and
// "exec-init" (ns.ExecInit), without the CLI, the registry, the store or
// the build. `make` builds it first and embeds it in pocket (the
// pocket_nsinit build tag, see ns/initexe_*.go), and pocket starts every
// container's init from a sealed copy of it instead of from its own
// binary: a Go program starts in the time its package inits and the page
// faults of its binary take, and this one is a seventh of pocket's size
// with a quarter of its package inits (46 against 177): about 18 ms less
// on every run, start, exec and OCI create here. Run by hand it only says so.
//
// As in pocket's main: the Go runtime would keep the cgroup CPU limit
// files open to follow GOMAXPROCS, host files the container could reopen
// through /proc/1/fd of the --init reaper.
//
//go:debug containermaxprocs=0
package main

import (
	"fmt"
	"os"

	"pocket/ns"
	"pocket/trace"
)

func main() {
	trace.Mark("main")
	// As pocket's main: nothing inherited beyond stdio reaches the
	// container's command (CVE-2024-21626).
	if err := ns.CloseOnExec(); err != nil {
		fmt.Fprintf(os.Stderr, "pocket init: %v\n", err)
		os.Exit(125)
	}
	if len(os.Args) > 1 {
		switch os.Args[1] {
		case "init":
			ns.Init()
		case ns.ExecInitCommand:
			ns.ExecInit()
		}
	}
	fmt.Fprintln(os.Stderr, "pocket init: this is the container side of pocket, started by pocket itself; run pocket instead")
	os.Exit(125)
}
