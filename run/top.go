package run

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"

	"pocket/cgroup"
	"pocket/store"
)

// TopResult is `pocket top`'s table: ps's titles and the rows of the
// container's processes, as Docker's ContainerTopOKBody.
type TopResult struct {
	Titles    []string   `json:"Titles"`
	Processes [][]string `json:"Processes"`
}

// Top runs the host's ps with psArgs (default -ef) and keeps the rows of
// the container's processes: those in its cgroup, as Docker's daemon
// does, which counts what exec started too.
func Top(s *store.Store, id string, psArgs []string) (*TopResult, error) {
	c, err := load(s, id)
	if err != nil {
		return nil, err
	}
	if c.state.Status != statusRunning {
		return nil, notRunning(c.spec.ID)
	}
	pids, err := askPids(c)
	if err != nil {
		return nil, fmt.Errorf("container %s: list processes: %w", c.spec.ID[:12], err)
	}
	if len(psArgs) == 0 {
		psArgs = []string{"-ef"}
	}
	out, err := exec.Command("ps", psArgs...).Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return nil, fmt.Errorf("ps: %s: %s", err, strings.TrimSpace(string(ee.Stderr)))
		}
		return nil, fmt.Errorf("ps: %w", err)
	}
	return parsePS(string(out), pids)
}

// askPids are c's processes as its monitor lists them; without a
// control socket (an older monitor) they are read here.
func askPids(c *container) ([]int, error) {
	rep, err := request(c.dir, controlRequest{Procs: true})
	if errors.Is(err, errNoControl) {
		cg, _ := loadCgroup(c.spec.ID)
		return containerPids(cg, c.state.Pid)
	}
	var nr *notRunningError
	if errors.As(err, &nr) {
		return nil, notRunning(c.spec.ID)
	}
	if err != nil {
		return nil, err
	}
	return rep.Pids, nil
}

// containerPids are the processes of the container whose PID 1 is pid:
// those in its cgroup cg, or where it has none (rootless without a
// delegated cgroup), those in its PID namespace.
func containerPids(cg *cgroup.Cgroup, pid int) ([]int, error) {
	if cg != nil {
		if pids, err := cg.Procs(); err == nil && len(pids) > 0 {
			return pids, nil
		}
	}
	ns, err := os.Readlink("/proc/" + strconv.Itoa(pid) + "/ns/pid")
	if err != nil {
		return nil, err
	}
	dirs, err := os.ReadDir("/proc")
	if err != nil {
		return nil, err
	}
	var pids []int
	for _, d := range dirs {
		p, err := strconv.Atoi(d.Name())
		if err != nil {
			continue
		}
		if l, err := os.Readlink("/proc/" + d.Name() + "/ns/pid"); err == nil && l == ns {
			pids = append(pids, p)
		}
	}
	return pids, nil
}

// parsePS keeps the rows of ps's output whose PID is one of pids, as
// Docker's daemon/top_unix.go parses it: fields split on blanks, those
// past the last title joined into it (the command), and the thread rows
// ps -m prints under a kept process ("-" for PID) kept with it.
func parsePS(out string, pids []int) (*TopResult, error) {
	lines := strings.Split(out, "\n")
	r := &TopResult{Titles: strings.Fields(lines[0]), Processes: [][]string{}}
	pidCol := slices.Index(r.Titles, "PID")
	if pidCol < 0 {
		return nil, errors.New("couldn't find PID field in ps output")
	}
	kept := false
	for _, line := range lines[1:] {
		fields := strings.Fields(line)
		if len(fields) <= pidCol {
			continue
		}
		if fields[pidCol] == "-" {
			if kept {
				r.Processes = append(r.Processes, topRow(fields, len(r.Titles)))
			}
			continue
		}
		pid, err := strconv.Atoi(fields[pidCol])
		if err != nil {
			return nil, fmt.Errorf("unexpected pid '%s': %w", fields[pidCol], err)
		}
		kept = slices.Contains(pids, pid)
		if kept {
			r.Processes = append(r.Processes, topRow(fields, len(r.Titles)))
		}
	}
	return r, nil
}

func topRow(fields []string, n int) []string {
	if len(fields) <= n {
		return fields
	}
	return append(fields[:n-1:n-1], strings.Join(fields[n-1:], " "))
}
