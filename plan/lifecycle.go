package plan

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"

	units "github.com/docker/go-units"
	"golang.org/x/sys/unix"
)

// RestartPolicy is --restart, as inspect shows it in
// HostConfig.RestartPolicy.
type RestartPolicy struct {
	Name              string `json:"Name"` // no, always, on-failure or unless-stopped
	MaximumRetryCount int    `json:"MaximumRetryCount"`
}

// Restart policy names, as Docker's.
const (
	RestartNo            = "no"
	RestartAlways        = "always"
	RestartOnFailure     = "on-failure"
	RestartUnlessStopped = "unless-stopped"
)

// Rlimit is one --ulimit: a resource (unix.RLIMIT_*) and its limits, in
// inspect's HostConfig.Ulimits shape plus the resource number init sets.
type Rlimit struct {
	Name     string `json:"Name"`
	Resource int    `json:"-"`
	Soft     uint64 `json:"Soft"`
	Hard     uint64 `json:"Hard"`
}

// ParseRestart reads `pocket update --restart`, in run's grammar; the
// conflict with --rm is the caller's to check, against the container's
// record.
func ParseRestart(v string) (RestartPolicy, error) { return parseRestart(v, false) }

// parseRestart reads --restart NAME[:N] in the Docker CLI's grammar
// (opts.ParseRestartPolicy) and checks it as the daemon does, in their
// words. "" is "no".
func parseRestart(v string, autoRemove bool) (RestartPolicy, error) {
	p := RestartPolicy{Name: RestartNo}
	if v == "" {
		return p, nil
	}
	name, count, hasCount := strings.Cut(v, ":")
	if hasCount && name == "" {
		return p, fmt.Errorf("%w: invalid restart policy format: no policy provided before colon", ErrBadOption)
	}
	if count != "" {
		n, err := strconv.Atoi(count)
		if err != nil {
			return p, fmt.Errorf("%w: invalid restart policy format: maximum retry count must be an integer", ErrBadOption)
		}
		p.MaximumRetryCount = n
	}
	p.Name = name
	switch {
	case name != RestartNo && name != RestartAlways && name != RestartOnFailure && name != RestartUnlessStopped:
		return p, fmt.Errorf("%w: invalid restart policy: unknown policy '%s'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'", ErrBadOption, name)
	case p.MaximumRetryCount < 0:
		return p, fmt.Errorf("%w: invalid restart policy: maximum retry count cannot be negative", ErrBadOption)
	case p.MaximumRetryCount != 0 && name != RestartOnFailure:
		return p, fmt.Errorf("%w: invalid restart policy: maximum retry count can only be used with 'on-failure'", ErrBadOption)
	case autoRemove && name != RestartNo:
		return p, fmt.Errorf("%w: conflicting options: cannot specify both --restart and --rm", ErrBadOption)
	}
	return p, nil
}

// parseLabels reads --label-file files, then -l flags (which win), as
// Docker's CLI does: KEY=VALUE or KEY (empty value); blank lines and
// lines starting with # are skipped in files.
func parseLabels(flags, files []string) (map[string]string, error) {
	var all []string
	for _, f := range files {
		ls, err := readLabelFile(f)
		if err != nil {
			return nil, err
		}
		all = append(all, ls...)
	}
	all = append(all, flags...)
	if len(all) == 0 {
		return nil, nil
	}
	out := map[string]string{}
	for _, l := range all {
		k, v, _ := strings.Cut(l, "=")
		if strings.TrimSpace(k) == "" {
			return nil, fmt.Errorf("%w: invalid label '%s': empty name", ErrBadOption, l)
		}
		out[k] = v
	}
	return out, nil
}

func readLabelFile(name string) ([]string, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("label file: %w", err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		out = append(out, l)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("label file %s: %w", name, err)
	}
	return out, nil
}

// hostHardLimit is this process's hard limit of resource: what rootless
// pocket, without CAP_SYS_RESOURCE in the initial user namespace, can
// give a container at most.
var hostHardLimit = func(resource int) (uint64, error) {
	var r unix.Rlimit
	if err := unix.Getrlimit(resource, &r); err != nil {
		return 0, err
	}
	return r.Max, nil
}

// parseUlimits reads --ulimit NAME=SOFT[:HARD] (Docker's grammar,
// go-units' ParseUlimit). Rootless, a hard limit above this process's
// own cannot be set (setrlimit(2) needs CAP_SYS_RESOURCE in the initial
// user namespace to raise one): refused here rather than at start.
func parseUlimits(vs []string, rootless bool) ([]Rlimit, error) {
	var out []Rlimit
	seen := map[string]int{}
	for _, v := range vs {
		u, err := units.ParseUlimit(v)
		if err != nil {
			return nil, fmt.Errorf("%w: invalid argument %q for \"--ulimit\" flag: %w", ErrBadOption, v, err)
		}
		rl, err := u.GetRlimit()
		if err != nil {
			return nil, fmt.Errorf("%w: invalid argument %q for \"--ulimit\" flag: %w", ErrBadOption, v, err)
		}
		// -1 is unlimited: RLIM_INFINITY as unsigned.
		r := Rlimit{Name: u.Name, Resource: rl.Type, Soft: uint64(u.Soft), Hard: uint64(u.Hard)}
		if rootless {
			hard, err := hostHardLimit(r.Resource)
			if err == nil && hard != unix.RLIM_INFINITY && r.Hard > hard {
				return nil, fmt.Errorf("%w: --ulimit %s: hard limit %d is above this user's %d, which rootless pocket cannot raise (hint: ask for at most %d, or raise the user's limit in /etc/security/limits.conf)",
					ErrBadOption, v, r.Hard, hard, hard)
			}
		}
		if i, ok := seen[r.Name]; ok {
			out[i] = r // the last one wins, as in Docker
			continue
		}
		seen[r.Name] = len(out)
		out = append(out, r)
	}
	return out, nil
}

// ParseSignal reads a signal as Docker does: a number (1..64), or a name
// with or without "SIG", in any case. It is the one reading of a signal
// for --stop-signal, stop and kill.
func ParseSignal(s string) (unix.Signal, error) {
	if n, err := strconv.Atoi(s); err == nil {
		if n <= 0 || n > 64 {
			return 0, fmt.Errorf("%w: %q", ErrBadSignal, s)
		}
		return unix.Signal(n), nil
	}
	name := strings.ToUpper(s)
	if !strings.HasPrefix(name, "SIG") {
		name = "SIG" + name
	}
	if sig := unix.SignalNum(name); sig != 0 {
		return sig, nil
	}
	return 0, fmt.Errorf("%w: %q (hint: a name like TERM or KILL, or a number)", ErrBadSignal, s)
}
