package cgroup

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// parseList reads a cpuset list ("0-2,4") into its members, as Docker's
// parsers.ParseUintList does; ok is false for anything else.
func parseList(v string) (map[int]bool, bool) {
	out := map[int]bool{}
	if v == "" {
		return out, true
	}
	for _, part := range strings.Split(v, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.Atoi(lo)
		if err != nil || a < 0 {
			return nil, false
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(hi); err != nil || b < a {
				return nil, false
			}
		}
		if b-a > 1<<16 {
			return nil, false
		}
		for i := a; i <= b; i++ {
			out[i] = true
		}
	}
	return out, true
}

// onlineFiles are where the kernel lists the CPUs and memory nodes that
// exist; a host without NUMA has no node directory and one node, 0.
var onlineFiles = map[string]string{
	"cpus": "/sys/devices/system/cpu/online",
	"mems": "/sys/devices/system/node/online",
}

// checkCpuset refuses a --cpuset-cpus or --cpuset-mems that is not a list,
// or names a CPU or node the host does not have, in Docker's words.
func checkCpuset(kind, v string) error {
	if v == "" {
		return nil
	}
	flag := "--cpuset-" + kind
	want, ok := parseList(v)
	if !ok {
		return invalid(flag, fmt.Sprintf("Invalid value %s for cpuset %s", v, kind))
	}
	avail := "0"
	if raw, err := os.ReadFile(onlineFiles[kind]); err == nil {
		avail = strings.TrimSpace(string(raw))
	}
	have, _ := parseList(avail)
	for n := range want {
		if !have[n] {
			what := "CPUs"
			if kind == "mems" {
				what = "memory nodes"
			}
			return invalid(flag, fmt.Sprintf("Requested %s are not available - requested %s, available: %s", what, v, avail))
		}
	}
	return nil
}
