//go:build linux

// Command vm runs pocket's end-to-end tests inside a Debian kernel booted
// under qemu (TCG, no KVM) with pure cgroup v2: the hosts most users have,
// which the CI machine (cgroup v1 with a hybrid v2 mount) is not.
//
//	go run ./internal/cmd/vm                 # amd64: cgroup v2 limits, rootless delegation
//	go run ./internal/cmd/vm -arch arm64     # arm64 under qemu-system-aarch64
//
// It installs what it needs (apt-get), builds pocket and the e2e test
// binary static for the guest, packs them with busybox and the kernel
// modules into an initramfs, boots it, and reads the guest's result from
// marker lines on the serial console. It exits non-zero on any failure
// and then prints the guest's output. `make test-vm` runs it as root.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// arch is what differs between the guests.
type arch struct {
	goarch   string
	qemu     string   // the emulator binary
	machine  []string // machine and CPU flags
	console  string   // the serial console's device
	packages []string // host packages (qemu)
	// foreign is a guest architecture other than the host's: dpkg must
	// know it, and the host's own programs (setpriv) and the go-built
	// hello image do not run there.
	foreign bool
	// run is the end-to-end tests the guest runs (go test -run).
	run string
	// units are packages whose unit tests the guest runs too (all of them).
	units []string
}

var arches = map[string]arch{
	"amd64": {
		goarch: "amd64", qemu: "qemu-system-x86_64", machine: []string{"-M", "q35"}, console: "ttyS0",
		packages: []string{"qemu-system-x86", "util-linux"},
		run:      "^(TestCgroup.*|TestResourceCgroup.*|TestUpdateCgroup|TestRunLimits|TestRunKilledMonitor|TestRootlessCgroup|TestPause|TestRootlessPause|TestRestartPolicy|TestExec|TestExecLifecycle|TestExecCgroup|TestExecRootless|TestLoadMultiarchRun|TestPullMultiarch|TestDevicesDefault|TestDevicesRefused|TestStats.*|TestOCIRuntime(Lifecycle|Run|Config|Hooks|UserNS|Console))$",
		units:    []string{"./cgroup"},
	},
	"arm64": {
		goarch: "arm64", qemu: "qemu-system-aarch64", machine: []string{"-M", "virt", "-cpu", "cortex-a57"}, console: "ttyAMA0",
		packages: []string{"qemu-system-arm"}, foreign: true,
		// Rootless would need setpriv and its libraries for arm64.
		run:   "^(TestCgroup.*|TestResourceCgroup.*|TestUpdateCgroup|TestRunLimits|TestRunKilledMonitor|TestPause|TestRestartPolicy|TestExec|TestExecLifecycle|TestExecCgroup|TestLoadMultiarchRun|TestPullMultiarch|TestDevicesDefault|TestDevicesRefused|TestStats.*|TestOCIRuntime(Lifecycle|Run|Config|Hooks|UserNS|Console))$",
		units: []string{"./cgroup"},
	},
}

func main() {
	archName := flag.String("arch", "amd64", "guest architecture: amd64 or arm64")
	run := flag.String("run", "", "end-to-end tests to run in the guest (go test -run; default: the cgroup v2 set)")
	timeout := flag.Duration("timeout", 25*time.Minute, "give up on the guest after this long")
	keep := flag.Bool("keep", false, "keep the work directory (initramfs, guest log)")
	flag.Parse()
	a, ok := arches[*archName]
	if !ok {
		fmt.Fprintf(os.Stderr, "vm: unknown -arch %q (amd64 or arm64)\n", *archName)
		os.Exit(2)
	}
	if *run != "" {
		a.run = *run
	}
	if err := vm(a, *timeout, *keep); err != nil {
		fmt.Fprintln(os.Stderr, "vm:", err)
		os.Exit(1)
	}
}

func vm(a arch, timeout time.Duration, keep bool) error {
	if os.Geteuid() != 0 {
		return fmt.Errorf("needs root (apt-get, and the initramfs's owners) (hint: sudo make test-vm)")
	}
	start := time.Now()
	repo, err := os.Getwd()
	if err != nil {
		return err
	}
	cache := filepath.Join(repo, ".vm", a.goarch)
	k, err := ensurePackages(a, cache)
	if err != nil {
		return err
	}
	work, err := os.MkdirTemp("", "pocket-vm-")
	if err != nil {
		return err
	}
	if keep {
		fmt.Println("vm: work directory", work)
	} else {
		defer os.RemoveAll(work)
	}
	initrd := filepath.Join(work, "initrd.gz")
	if err := buildInitramfs(a, k, repo, work, initrd); err != nil {
		return err
	}
	built := time.Now()
	fmt.Printf("vm: %s guest, kernel %s, prepared in %v\n", a.goarch, k.version, built.Sub(start).Round(time.Second))
	res, err := boot(a, k, initrd, filepath.Join(work, "guest.log"), timeout)
	fmt.Printf("vm: %s guest ran %v (total %v)\n", a.goarch, time.Since(built).Round(time.Second), time.Since(start).Round(time.Second))
	if err != nil {
		fmt.Println(indent(res.output))
		return err
	}
	for _, l := range strings.Split(res.output, "\n") {
		if strings.HasPrefix(l, "--- ") || strings.HasPrefix(l, "ok") || strings.HasPrefix(l, "PASS") || strings.HasPrefix(l, "FAIL") {
			fmt.Println(l)
		}
	}
	if res.code != 0 {
		fmt.Println("vm: the guest's output:")
		fmt.Println(indent(res.output))
		return fmt.Errorf("%s guest: tests failed (exit %d)", a.goarch, res.code)
	}
	fmt.Printf("vm: %s guest: all tests passed\n", a.goarch)
	return nil
}

func indent(s string) string {
	return "    " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n    ")
}
