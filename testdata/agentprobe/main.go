// Command agentprobe is the test program the build tests run inside a
// RUN --mount=type=ssh step to reach the forwarded agent (busybox's nc
// has no Unix sockets):
//
//	agentprobe raw    send "ping\n" to $SSH_AUTH_SOCK, print the reply
//	agentprobe list   ask the agent at $SSH_AUTH_SOCK for its keys and
//	                  print each one's comment
//
// It exits 1 with the error when the agent cannot be reached.
package main

import (
	"fmt"
	"io"
	"net"
	"os"

	"golang.org/x/crypto/ssh/agent"
)

func main() {
	if err := probe(); err != nil {
		fmt.Fprintln(os.Stderr, "agentprobe:", err)
		os.Exit(1)
	}
}

func probe() error {
	if len(os.Args) != 2 {
		return fmt.Errorf("usage: agentprobe raw|list")
	}
	c, err := net.Dial("unix", os.Getenv("SSH_AUTH_SOCK"))
	if err != nil {
		return err
	}
	defer c.Close()
	switch os.Args[1] {
	case "raw":
		if _, err := io.WriteString(c, "ping\n"); err != nil {
			return err
		}
		_, err = io.Copy(os.Stdout, c)
		return err
	case "list":
		keys, err := agent.NewClient(c).List()
		if err != nil {
			return err
		}
		for _, k := range keys {
			fmt.Println(k.Comment, k.Format)
		}
		return nil
	}
	return fmt.Errorf("unknown mode %q", os.Args[1])
}
