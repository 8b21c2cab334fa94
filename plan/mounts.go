package plan

import (
	"fmt"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// MountSpec is one -v, --mount or --tmpfs argument, parsed but not yet
// resolved against the store or the host.
type MountSpec struct {
	Type     string   // "bind", "volume" or "tmpfs"
	Source   string   // host path (bind) or volume name ("" for anonymous)
	Target   string   // absolute path inside the container
	ReadOnly bool     // :ro, readonly
	NoCopy   bool     // nocopy, volume-nocopy: no copy of image content
	Create   bool     // -v creates a missing bind source; --mount refuses
	Options  []string // tmpfs size=/mode=..., bind propagation
	Mode     string   // -v's options as typed, which inspect shows
}

// volumeName is Docker's rule for named volumes.
var volumeName = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]*$`)

// ParseVolume parses -v as Docker does: "/path" (anonymous volume),
// "NAME:/path[:opts]" (named volume) or "/host:/path[:opts]" (bind mount,
// host directory created if missing). opts: ro, rw, nocopy, z/Z (accepted,
// no SELinux here) and the bind propagation modes.
func ParseVolume(spec string) (MountSpec, error) {
	parts := strings.Split(spec, ":")
	bad := func(why string) (MountSpec, error) {
		return MountSpec{}, fmt.Errorf("invalid volume specification %q: %s", spec, why)
	}
	// "-v $UNSET:/x" must not quietly become an anonymous volume.
	if len(parts) > 1 && slices.Contains(parts, "") {
		return MountSpec{}, BadMount("invalid spec: %s: empty section between colons", spec)
	}
	var m MountSpec
	switch len(parts) {
	case 1:
		m = MountSpec{Type: "volume", Target: parts[0]}
	case 2, 3:
		m = MountSpec{Type: "volume", Source: parts[0], Target: parts[1]}
		if len(parts) == 3 {
			m.Mode = parts[2]
			for _, o := range strings.Split(parts[2], ",") {
				switch o {
				case "ro":
					m.ReadOnly = true
				case "rw":
					m.ReadOnly = false
				case "nocopy":
					m.NoCopy = true
				case "z", "Z":
				case "shared", "rshared", "slave", "rslave", "private", "rprivate":
					m.Options = append(m.Options, o)
				default:
					return bad(fmt.Sprintf("unknown option %q (hint: ro, rw, nocopy)", o))
				}
			}
		}
	default:
		return bad("too many colons")
	}
	if err := checkTarget(m.Target); err != nil {
		return bad(err.Error())
	}
	switch {
	case m.Source == "":
	case strings.HasPrefix(m.Source, "/"):
		m.Type, m.Source, m.Create = "bind", path.Clean(m.Source), true
		if m.NoCopy {
			return bad("nocopy applies to volumes, not bind mounts")
		}
	case !volumeName.MatchString(m.Source):
		return bad(fmt.Sprintf("%q includes invalid characters for a local volume name, only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed (hint: a host directory needs an absolute path)", m.Source))
	default:
		if len(m.Options) > 0 {
			return bad("propagation applies to bind mounts, not volumes")
		}
	}
	return m, nil
}

// ParseMount parses --mount's comma-separated key=value form.
func ParseMount(spec string) (MountSpec, error) {
	m := MountSpec{Type: "volume"}
	bad := func(why string) (MountSpec, error) {
		return MountSpec{}, fmt.Errorf("invalid argument %q for --mount: %s", spec, why)
	}
	var size, mode string
	for _, field := range strings.Split(spec, ",") {
		key, val, hasVal := strings.Cut(field, "=")
		key = strings.ToLower(strings.TrimSpace(key))
		flag := func() (bool, error) {
			if !hasVal {
				return true, nil
			}
			return strconv.ParseBool(val)
		}
		var err error
		switch key {
		case "type":
			m.Type = val
		case "source", "src":
			m.Source = val
		case "target", "destination", "dst":
			m.Target = val
		case "readonly", "ro":
			m.ReadOnly, err = flag()
		case "volume-nocopy":
			m.NoCopy, err = flag()
		case "bind-propagation":
			m.Options = append(m.Options, val)
		case "tmpfs-size":
			size = val
		case "tmpfs-mode":
			mode = val
		case "consistency", "bind-nonrecursive":
		default:
			return bad(fmt.Sprintf("unexpected key %q", key))
		}
		if err != nil {
			return bad(fmt.Sprintf("%s: %v", key, err))
		}
	}
	if m.Target == "" {
		return bad("target is required")
	}
	if err := checkTarget(m.Target); err != nil {
		return bad(err.Error())
	}
	switch m.Type {
	case "bind":
		if m.Source == "" {
			return bad("source is required for a bind mount")
		}
		if !strings.HasPrefix(m.Source, "/") {
			return bad("bind source must be an absolute path")
		}
		m.Source = path.Clean(m.Source)
	case "volume":
		if m.Source != "" && !volumeName.MatchString(m.Source) {
			return bad(fmt.Sprintf("invalid volume name %q", m.Source))
		}
	case "tmpfs":
		if m.Source != "" {
			return bad("tmpfs takes no source")
		}
		m.Options = tmpfsOptions(size, mode)
	default:
		return bad(fmt.Sprintf("unknown mount type %q (hint: bind, volume or tmpfs)", m.Type))
	}
	if m.Type != "tmpfs" && (size != "" || mode != "") {
		return bad("tmpfs options apply to type=tmpfs only")
	}
	return m, nil
}

// ParseTmpfs parses --tmpfs PATH[:OPTIONS]; Docker's defaults are
// noexec,nosuid,nodev.
func ParseTmpfs(spec string) (MountSpec, error) {
	target, opts, _ := strings.Cut(spec, ":")
	if err := checkTarget(target); err != nil {
		return MountSpec{}, fmt.Errorf("invalid --tmpfs %q: %v", spec, err)
	}
	m := MountSpec{Type: "tmpfs", Target: path.Clean(target), Options: []string{"noexec", "nosuid", "nodev"}}
	if opts != "" {
		m.Options = append(m.Options, strings.Split(opts, ",")...)
	}
	return m, nil
}

// tmpfsOptions are a --mount type=tmpfs's: noexec,nosuid,nodev first, as
// for --tmpfs (Docker's daemon starts every tmpfs mount with them).
func tmpfsOptions(size, mode string) []string {
	opts := []string{"noexec", "nosuid", "nodev"}
	if size != "" {
		opts = append(opts, "size="+size)
	}
	if mode != "" {
		opts = append(opts, "mode="+mode)
	}
	return opts
}

func checkTarget(t string) error {
	switch {
	case t == "":
		return fmt.Errorf("empty container path")
	case !strings.HasPrefix(t, "/"):
		return fmt.Errorf("container path %q must be absolute", t)
	case path.Clean(t) == "/":
		return fmt.Errorf("cannot mount over /")
	}
	return nil
}
