package plan

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"pocket/ns"
)

// tmpfsMounts parses --tmpfs PATH[:OPTIONS] with Docker's defaults
// noexec,nosuid,nodev, which an exec, suid or dev option lifts.
func tmpfsMounts(flags []string) ([]ns.Mount, error) {
	var out []ns.Mount
	for _, f := range flags {
		p, opts, _ := strings.Cut(f, ":")
		if !filepath.IsAbs(p) {
			return nil, fmt.Errorf("%w: --tmpfs %q: the path must be absolute", ErrBadOption, f)
		}
		m := ns.Mount{Type: "tmpfs", Source: "tmpfs", Target: filepath.Clean(p), Options: []string{"noexec", "nosuid", "nodev"}}
		if opts != "" {
			for _, o := range strings.Split(opts, ",") {
				switch o {
				case "exec", "suid", "dev":
					m.Options = slices.DeleteFunc(m.Options, func(d string) bool { return d == "no"+o })
				case "noexec", "nosuid", "nodev", "rw", "":
				case "ro":
					m.Readonly = true
				default:
					m.Options = append(m.Options, o)
				}
			}
		}
		out = append(out, m)
	}
	return out, nil
}
