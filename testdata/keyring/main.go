// Command keyring is the test program the hardening tests run inside a
// container to reach the kernel keyrings (busybox has no keyctl):
//
//	keyring read DESC      print the payload of user key DESC found from
//	                       the session keyring
//	keyring read-id ID     print the payload of the key with serial ID
//	keyring add DESC DATA  add user key DESC to the session keyring
//
// It exits 1 with the kernel's error when the key cannot be reached.
package main

import (
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "keyring:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	switch {
	case len(args) == 2 && args[0] == "read":
		id, err := unix.KeyctlSearch(unix.KEY_SPEC_SESSION_KEYRING, "user", args[1], 0)
		if err != nil {
			return fmt.Errorf("search %s: %w", args[1], err)
		}
		return read(id)
	case len(args) == 2 && args[0] == "read-id":
		id, err := strconv.Atoi(args[1])
		if err != nil {
			return err
		}
		return read(id)
	case len(args) == 3 && args[0] == "add":
		_, err := unix.AddKey("user", args[1], []byte(args[2]), unix.KEY_SPEC_SESSION_KEYRING)
		if err != nil {
			return fmt.Errorf("add %s: %w", args[1], err)
		}
		return nil
	}
	return fmt.Errorf("usage: keyring read DESC | read-id ID | add DESC DATA")
}

func read(id int) error {
	buf := make([]byte, 4096)
	n, err := unix.KeyctlBuffer(unix.KEYCTL_READ, id, buf, 0)
	if err != nil {
		return fmt.Errorf("read key %d: %w", id, err)
	}
	fmt.Printf("%s\n", buf[:min(n, len(buf))])
	return nil
}
