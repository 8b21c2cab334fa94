package ociruntime

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// procStat reads a process's state letter and start time (clock ticks
// since boot) from /proc/PID/stat. The command name may hold spaces and
// parentheses: fields are counted after the last ')'.
func procStat(pid int) (state byte, start uint64, err error) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, 0, err
	}
	return parseStat(data, pid)
}

func parseStat(data []byte, pid int) (state byte, start uint64, err error) {
	i := bytes.LastIndexByte(data, ')')
	if i < 0 || i+2 >= len(data) {
		return 0, 0, fmt.Errorf("/proc/%d/stat: unexpected format", pid)
	}
	f := bytes.Fields(data[i+2:])
	// f[0] is field 3 (state); field 22 (starttime) is f[19].
	if len(f) < 20 {
		return 0, 0, fmt.Errorf("/proc/%d/stat: unexpected format", pid)
	}
	start, err = strconv.ParseUint(string(f[19]), 10, 64)
	if err != nil {
		return 0, 0, fmt.Errorf("/proc/%d/stat: %w", pid, err)
	}
	return f[0][0], start, nil
}

// alive reports whether the record's init is still the process it was
// (same pid, same start time) and not a zombie.
func (rec *record) alive() bool {
	if rec.Pid <= 0 {
		return false
	}
	st, start, err := procStat(rec.Pid)
	return err == nil && start == rec.StartTime && st != 'Z' && st != 'X'
}

// pidfd opens the record's init as a pidfd and checks, after opening, that
// it is still the process created: a pid recycled since can then never be
// signalled by mistake, whatever happens after the check.
func (rec *record) pidfd() (int, error) {
	fd, err := unix.PidfdOpen(rec.Pid, 0)
	if errors.Is(err, unix.ESRCH) {
		return -1, ErrNotRunning
	}
	if err != nil {
		return -1, fmt.Errorf("pidfd_open %d: %w", rec.Pid, err)
	}
	if !rec.alive() {
		unix.Close(fd)
		return -1, ErrNotRunning
	}
	return fd, nil
}

// signal sends sig to the record's init through a verified pidfd.
func (rec *record) signal(sig unix.Signal) error {
	fd, err := rec.pidfd()
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	if err := unix.PidfdSendSignal(fd, sig, nil, 0); err != nil {
		if errors.Is(err, unix.ESRCH) {
			return ErrNotRunning
		}
		return fmt.Errorf("signal %d: %w", rec.Pid, err)
	}
	return nil
}
