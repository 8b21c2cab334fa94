package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	units "github.com/docker/go-units"
	"github.com/urfave/cli/v2"

	"pocket/run"
	"pocket/store"
	"pocket/version"
)

func infoCommand() *cli.Command {
	return &cli.Command{
		Name: "info", Usage: "display system-wide information",
		Before: noArgs,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Usage: "format the output with a Go template ({{.CgroupVersion}}), or json"},
		},
		Action: action(0, func(c *cli.Context, s *store.Store) error {
			r := registries(c)
			in, err := run.SystemInfo(s, r.Mirrors, r.Insecure, version.Get().Version)
			if err != nil {
				return err
			}
			return printInfo(os.Stdout, in, c.String("format"))
		}),
	}
}

// printInfo is Docker's info layout for what applies to pocket: one
// section, as there is no daemon to tell from the client; or a template
// over Docker's field names.
func printInfo(w io.Writer, in run.Info, format string) error {
	if format == "json" {
		format = "{{json .}}"
	}
	if format != "" {
		return printTemplate(w, []run.Info{in}, format, nil, func(i run.Info) any { return i })
	}
	p := func(f string, a ...any) { fmt.Fprintf(w, f+"\n", a...) }
	p(" Containers: %d", in.Containers)
	p("  Running: %d", in.ContainersRunning)
	p("  Paused: %d", in.ContainersPaused)
	p("  Stopped: %d", in.ContainersStopped)
	p(" Images: %d", in.Images)
	p(" Server Version: %s", in.ServerVersion)
	p(" Storage Driver: %s", in.Driver)
	p(" Logging Driver: %s", in.LoggingDriver)
	p(" Cgroup Driver: %s", in.CgroupDriver)
	p(" Cgroup Version: %s", in.CgroupVersion)
	p(" Plugins:")
	p("  Volume: %s", strings.Join(in.Plugins.Volume, " "))
	p("  Network: %s", strings.Join(in.Plugins.Network, " "))
	p("  Log: %s", strings.Join(in.Plugins.Log, " "))
	p(" Default Runtime: %s", in.DefaultRuntime)
	if in.DefaultNofile != "" {
		p(" Default Ulimit nofile: %s", in.DefaultNofile)
	}
	p(" Security Options:")
	for _, o := range in.SecurityOptions {
		// "name=seccomp,profile=builtin" prints as Docker's nested lines.
		for i, kv := range strings.Split(o, ",") {
			k, v, _ := strings.Cut(kv, "=")
			if i == 0 {
				p("  %s", v)
			} else {
				p("   %s: %s", strings.ToUpper(k[:1])+k[1:], v)
			}
		}
	}
	p(" Kernel Version: %s", in.KernelVersion)
	p(" Operating System: %s", in.OperatingSystem)
	p(" OSType: %s", in.OSType)
	p(" Architecture: %s", in.Architecture)
	p(" CPUs: %d", in.NCPU)
	p(" Total Memory: %s", units.BytesSize(float64(in.MemTotal)))
	p(" Name: %s", in.Name)
	p(" Docker Root Dir: %s", in.DockerRootDir)
	if len(in.RegistryConfig.InsecureRegistryCIDRs) > 0 {
		p(" Insecure Registries:")
		for _, r := range in.RegistryConfig.InsecureRegistryCIDRs {
			p("  %s", r)
		}
	}
	if len(in.RegistryConfig.Mirrors) > 0 {
		p(" Registry Mirrors:")
		for _, r := range in.RegistryConfig.Mirrors {
			p("  %s", r)
		}
	}
	return nil
}
