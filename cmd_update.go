package main

import (
	"errors"
	"fmt"

	"github.com/urfave/cli/v2"

	"pocket/cgroup"
	"pocket/plan"
	"pocket/run"
	"pocket/store"
)

func updateCommand() *cli.Command {
	return &cli.Command{
		Name: "update", Usage: "update configuration of one or more containers", ArgsUsage: "CONTAINER [CONTAINER...]",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "memory", Aliases: []string{"m"}, Usage: "memory limit"},
			&cli.StringFlag{Name: "memory-swap", Usage: "memory plus swap limit; -1 for unlimited swap"},
			&cli.StringFlag{Name: "cpus", Usage: "number of CPUs"},
			&cli.Uint64Flag{Name: "cpu-shares", Aliases: []string{"c"}, Usage: "CPU shares (relative weight)"},
			&cli.Int64Flag{Name: "cpu-period", Usage: "limit CPU CFS period (µs)"},
			&cli.Int64Flag{Name: "cpu-quota", Usage: "limit CPU CFS quota (µs per period)"},
			&cli.StringFlag{Name: "cpuset-cpus", Usage: "CPUs in which to allow execution (0-3, 0,1)"},
			&cli.StringFlag{Name: "cpuset-mems", Usage: "memory nodes in which to allow execution (0-3, 0,1)"},
			&cli.Int64Flag{Name: "pids-limit", Usage: "process limit (-1 for unlimited)"},
			&cli.UintFlag{Name: "blkio-weight", Usage: "block I/O weight, relative (10 to 1000, 0 to disable)"},
			&cli.StringFlag{Name: "restart", Usage: "restart policy to apply when the container exits: no, on-failure[:N], always, unless-stopped"},
		},
		Action: action(1, func(c *cli.Context, s *store.Store) error {
			if c.NumFlags() == 0 {
				return errors.New("you must provide one or more flags when using this command")
			}
			u, err := updateOptions(c)
			if err != nil {
				return err
			}
			return forEach(c, func(id string) ([]string, error) { return echo(id, run.Update(s, id, u)) })
		}),
	}
}

// updateOptions reads the flags given, in Docker's grammar.
func updateOptions(c *cli.Context) (run.UpdateOptions, error) {
	var u run.UpdateOptions
	size := func(name, flag string) (*int64, error) {
		if !c.IsSet(name) {
			return nil, nil
		}
		v := c.String(name)
		if v == "-1" && name == "memory-swap" {
			n := int64(-1)
			return &n, nil
		}
		n, err := cgroup.ParseSize(v)
		if err != nil {
			return nil, fmt.Errorf("invalid argument %q for %q flag: %w", v, flag, err)
		}
		return &n, nil
	}
	var err error
	if u.Memory, err = size("memory", "-m, --memory"); err != nil {
		return u, err
	}
	if u.MemorySwap, err = size("memory-swap", "--memory-swap"); err != nil {
		return u, err
	}
	if c.IsSet("cpus") {
		v := c.String("cpus")
		n, err := cgroup.ParseCPUs(v)
		if err != nil {
			return u, fmt.Errorf("invalid argument %q for \"--cpus\" flag: %w", v, err)
		}
		u.CPUs = &n
	}
	if c.IsSet("cpu-shares") {
		n := c.Uint64("cpu-shares")
		u.CPUShares = &n
	}
	for name, dst := range map[string]**int64{"cpu-period": &u.CPUPeriod, "cpu-quota": &u.CPUQuota, "pids-limit": &u.PidsLimit} {
		if c.IsSet(name) {
			n := c.Int64(name)
			*dst = &n
		}
	}
	for name, dst := range map[string]**string{"cpuset-cpus": &u.CpusetCpus, "cpuset-mems": &u.CpusetMems} {
		if c.IsSet(name) {
			v := c.String(name)
			*dst = &v
		}
	}
	if c.IsSet("restart") {
		p, err := plan.ParseRestart(c.String("restart"))
		if err != nil {
			return u, err
		}
		u.Restart = &p
	}
	if c.IsSet("blkio-weight") {
		w := c.Uint("blkio-weight")
		if w > 0xffff {
			return u, fmt.Errorf("invalid argument \"%d\" for \"--blkio-weight\" flag: value out of range", w)
		}
		v := uint16(w)
		u.BlkioWeight = &v
	}
	return u, nil
}
