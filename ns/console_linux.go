package ns

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// setupConsole runs after pivot_root with Process.Terminal, as runc's
// console socket does: the pty comes from the container's own devpts, so
// the command sees its terminal as /dev/pts/N. Init sends the master to
// the parent on ConsoleFD, waits for its go-ahead (the terminal is sized
// by then), and makes the slave its stdio and controlling terminal.
func setupConsole() error {
	sock := os.NewFile(ConsoleFD, "console socket")
	if sock == nil {
		return errors.New("container init: no console socket on fd 5")
	}
	defer sock.Close()
	master, err := unix.Open("/dev/pts/ptmx", unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		return &os.PathError{Op: "open", Path: "/dev/pts/ptmx", Err: err}
	}
	// The command must not hold the master: only the parent does.
	defer unix.Close(master)
	if err := unix.IoctlSetPointerInt(master, unix.TIOCSPTLCK, 0); err != nil {
		return fmt.Errorf("unlock pty: %w", err)
	}
	n, err := unix.IoctlGetUint32(master, unix.TIOCGPTN)
	if err != nil {
		return fmt.Errorf("pty number: %w", err)
	}
	// Our fresh devpts instance: nothing of the image can be at this name.
	name := "/dev/pts/" + strconv.Itoa(int(n))
	slave, err := unix.Open(name, unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		return &os.PathError{Op: "open", Path: name, Err: err}
	}
	defer unix.Close(slave)

	if err := unix.Sendmsg(int(sock.Fd()), []byte(name), unix.UnixRights(master), nil, 0); err != nil {
		return fmt.Errorf("send console: %w", err)
	}
	var ack [1]byte
	if _, err := io.ReadFull(sock, ack[:]); err != nil {
		return fmt.Errorf("console: no answer from pocket: %w", err)
	}

	for fd := 0; fd <= 2; fd++ {
		if err := unix.Dup3(slave, fd, 0); err != nil {
			return fmt.Errorf("console: dup to fd %d: %w", fd, err)
		}
	}
	// A new session with the slave as its controlling terminal, so ^C and
	// job control reach the command.
	if _, err := unix.Setsid(); err != nil {
		return fmt.Errorf("setsid: %w", err)
	}
	if err := unix.IoctlSetInt(0, unix.TIOCSCTTY, 0); err != nil {
		return fmt.Errorf("set controlling terminal: %w", err)
	}
	return nil
}

// ReceiveConsole is the parent's end of ConsoleFD: it reads the pty master
// init sends. The caller sizes the terminal, then writes one byte on sock
// to let init go on.
func ReceiveConsole(sock *os.File) (*os.File, error) {
	buf := make([]byte, 64)
	oob := make([]byte, unix.CmsgSpace(4))
	n, oobn, _, _, err := unix.Recvmsg(int(sock.Fd()), buf, oob, unix.MSG_CMSG_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("receive console: %w", err)
	}
	if n == 0 && oobn == 0 {
		return nil, fmt.Errorf("receive console: %w", io.ErrUnexpectedEOF)
	}
	msgs, err := unix.ParseSocketControlMessage(oob[:oobn])
	if err != nil {
		return nil, fmt.Errorf("receive console: %w", err)
	}
	var fds []int
	for _, m := range msgs {
		f, err := unix.ParseUnixRights(&m)
		if err != nil {
			return nil, fmt.Errorf("receive console: %w", err)
		}
		fds = append(fds, f...)
	}
	if len(fds) != 1 {
		for _, fd := range fds {
			unix.Close(fd)
		}
		return nil, fmt.Errorf("receive console: %d descriptors, want 1", len(fds))
	}
	return os.NewFile(uintptr(fds[0]), string(buf[:n])), nil
}
