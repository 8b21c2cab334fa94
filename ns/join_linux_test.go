package ns

import (
	"errors"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// TestJoin enters a child's UTS and IPC namespaces on a locked thread,
// with its pidfd and through /proc/PID/ns, and refuses a process that is
// gone.
func TestJoin(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root for setns")
	}
	child := exec.Command("sleep", "1000")
	child.SysProcAttr = &syscall.SysProcAttr{Cloneflags: unix.CLONE_NEWUTS | unix.CLONE_NEWIPC}
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { child.Process.Kill(); child.Wait() }()
	pid := child.Process.Pid
	pidfd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(pidfd)
	want := func(kind string) string {
		l, err := os.Readlink("/proc/" + strconv.Itoa(pid) + "/ns/" + kind)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	for _, tt := range []struct {
		name  string
		pidfd int
	}{{"pidfd", pidfd}, {"ns files", -1}} {
		t.Run(tt.name, func(t *testing.T) {
			got := make(chan [2]string, 1)
			fail := make(chan error, 1)
			go func() {
				// Never unlocked: the thread ends in the child's namespaces.
				runtime.LockOSThread()
				if err := Join(tt.pidfd, pid, unix.CLONE_NEWUTS|unix.CLONE_NEWIPC); err != nil {
					fail <- err
					return
				}
				uts, _ := os.Readlink("/proc/thread-self/ns/uts")
				ipc, _ := os.Readlink("/proc/thread-self/ns/ipc")
				got <- [2]string{uts, ipc}
			}()
			select {
			case err := <-fail:
				t.Fatal(err)
			case g := <-got:
				if g[0] != want("uts") || g[1] != want("ipc") {
					t.Errorf("joined %v, want %s %s", g, want("uts"), want("ipc"))
				}
			}
		})
	}
	child.Process.Kill()
	child.Wait()
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		errc <- Join(pidfd, pid, unix.CLONE_NEWUTS)
	}()
	if err := <-errc; !errors.Is(err, ErrProcessGone) {
		t.Errorf("join of a reaped process: %v, want ErrProcessGone", err)
	}
}
