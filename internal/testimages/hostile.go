package testimages

import (
	"archive/tar"
	"sync"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Host paths the hostile images point at. A test creates them (or checks
// they stay absent) and asserts that pulling and running left them alone.
const (
	HostileProcTarget  = "/tmp/pocket-hostile/proc"        // a host directory
	HostileHostsTarget = "/tmp/pocket-hostile/hosts"       // a host file
	HostileEscapeName  = "pocket-hostile-escaped"          // files no unpack may create outside its dir
	HostileEscapeDir   = "/tmp/pocket-hostile/escape-here" // where an absolute symlink tries to lead
)

// HostileCase is an image built to attack the host, and what must not
// happen when it is pulled or run.
type HostileCase struct {
	Name  string // short name, also a fine repository name
	Image v1.Image
	Must  string // what must not happen, for test messages and readers
}

// Hostile returns the hostile images. None may make pocket touch anything
// outside the store and the container: pulling may fail with a clear error
// (exit 125) or succeed with the bad entries contained; running must never
// mount over, write or follow to a host path.
func Hostile() ([]HostileCase, error) { return hostile() }

var hostile = sync.OnceValues(func() ([]HostileCase, error) {
	bb, err := BusyboxEntries()
	if err != nil {
		return nil, err
	}
	var out []HostileCase
	add := func(name, must string, cfg v1.Config, layers ...[]Entry) error {
		var ls []v1.Layer
		for _, es := range layers {
			l, err := Layer(es...)
			if err != nil {
				return err
			}
			ls = append(ls, l)
		}
		img, err := build(Host(), cfg, false, ls...)
		if err != nil {
			return err
		}
		out = append(out, HostileCase{Name: name, Image: img, Must: must})
		return nil
	}
	cfg := busyboxConfig()
	cfg.Cmd = []string{"true"}

	// /proc is an absolute symlink to a host directory: mounting procfs
	// "at /proc" by following it would mount over the host's directory
	// (the class of CVE-2019-19921 and CVE-2019-16884).
	procLink := replace(bb, "proc", Symlink("proc", HostileProcTarget))
	if err := add("hostile-proc", "run must not mount anything on the host's "+HostileProcTarget+
		" (resolve /proc inside the rootfs, or refuse with exit 125)", cfg, procLink); err != nil {
		return nil, err
	}

	// /etc/hosts (and hostname, resolv.conf) are symlinks to a host file:
	// bind-mounting pocket's hosts file over the symlink's target would
	// replace the host file in the host's view.
	hostsLink := append(append([]Entry{}, bb...),
		Symlink("etc/hosts", HostileHostsTarget),
		Symlink("etc/hostname", HostileHostsTarget),
		Symlink("etc/resolv.conf", HostileHostsTarget))
	if err := add("hostile-hosts", "run must not mount over or write "+HostileHostsTarget+
		" (the host file keeps its content and is no mount point)", cfg, hostsLink); err != nil {
		return nil, err
	}

	// A layer that names paths outside its root: ../, absolute and
	// a/../../ names, a hard link to a host file, and a file written
	// through an absolute symlink planted by the same layer (the class of
	// CVE-2018-15664, containerd's TestBreakouts).
	traversal := []Entry{
		File("../"+HostileEscapeName+"-dotdot", "escaped\n", 0o644),
		File("/"+HostileEscapeName+"-abs", "escaped\n", 0o644),
		File("/tmp/"+HostileEscapeName+"-abs-tmp", "escaped\n", 0o644),
		File("a/../../"+HostileEscapeName+"-nested", "escaped\n", 0o644),
		Symlink("evil", HostileEscapeDir),
		File("evil/"+HostileEscapeName+"-via-symlink", "escaped\n", 0o644),
		Symlink("up", "../../../../../../../../tmp/pocket-hostile"),
		File("up/"+HostileEscapeName+"-via-relative-symlink", "escaped\n", 0o644),
		{Name: "passwd-link", Type: tar.TypeLink, Link: "/etc/passwd"},
		{Name: "dotdot-link", Type: tar.TypeLink, Link: "../../../../../../etc/passwd"},
	}
	if err := add("hostile-traversal", "pull must not create "+HostileEscapeName+"* files anywhere outside "+
		"the layer's directory, nor link to or change the host's /etc/passwd or anything under "+
		HostileEscapeDir, cfg, bb, traversal); err != nil {
		return nil, err
	}
	return out, nil
})

// replace returns es with the entry called name swapped for e.
func replace(es []Entry, name string, e Entry) []Entry {
	out := make([]Entry, 0, len(es))
	for _, x := range es {
		if x.Name == name {
			x = e
		}
		out = append(out, x)
	}
	return out
}
