package testimages

import (
	"archive/tar"
	"fmt"
	"os"
	"os/exec"
	"path"
	"strings"
	"sync"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// BusyboxPath is Debian's busybox-static binary the busybox image is made of.
const BusyboxPath = "/bin/busybox"

// Users of the busybox image (uid == gid for each; app is also in group
// "staff" 50 and "extra" 2000).
const (
	AppUID      = 1000
	ExtraGID    = 2000
	NobodyUID   = 65534
	OwnedByApp  = "/home/app/owned"
	busyboxPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
)

const passwd = `root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
app:x:1000:1000:app:/home/app:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
`

const group = `root:x:0:
daemon:x:1:
staff:x:50:app
app:x:1000:
extra:x:2000:app
nogroup:x:65534:
`

// Busybox is the "busybox" image: /bin/busybox with a symlink per applet
// under /bin, users root, daemon, app (1000) and nobody, /tmp 1777, a file
// /home/app/owned owned by 1000:1000, Cmd ["sh"].
func Busybox() (v1.Image, error) { return busybox() }

var busybox = sync.OnceValues(func() (v1.Image, error) {
	l, err := busyboxLayer()
	if err != nil {
		return nil, err
	}
	return build(Host(), busyboxConfig(), false, l)
})

func busyboxConfig() v1.Config {
	return v1.Config{Cmd: []string{"sh"}, Env: []string{"PATH=" + busyboxPath}}
}

// BusyboxEntries are the busybox image's files, for images built over it.
func BusyboxEntries() ([]Entry, error) {
	bin, err := os.ReadFile(BusyboxPath)
	if err != nil {
		return nil, fmt.Errorf("read busybox: %w (hint: apt-get install busybox-static)", err)
	}
	out, err := exec.Command(BusyboxPath, "--list").Output()
	if err != nil {
		return nil, fmt.Errorf("busybox --list: %w (hint: apt-get install busybox-static)", err)
	}
	es := []Entry{
		Dir("bin", 0o755), Dir("dev", 0o755), Dir("etc", 0o755), Dir("home", 0o755),
		Dir("home/app", 0o755).Owned(AppUID, AppUID), Dir("proc", 0o555), Dir("root", 0o700),
		Dir("sys", 0o555), Dir("tmp", 0o1777), Dir("usr", 0o755), Dir("usr/bin", 0o755),
		Dir("usr/sbin", 0o755), Dir("var", 0o755),
		{Name: "bin/busybox", Type: tar.TypeReg, Mode: 0o755, Data: bin},
		File("etc/passwd", passwd, 0o644), File("etc/group", group, 0o644),
		File("etc/shadow", "root:*:19000:0:99999:7:::\n", 0o640),
		File(strings.TrimPrefix(OwnedByApp, "/"), "app's file\n", 0o644).Owned(AppUID, AppUID),
	}
	for _, a := range strings.Fields(string(out)) {
		if a == "busybox" || strings.Contains(a, "/") {
			continue
		}
		es = append(es, Symlink(path.Join("bin", a), "busybox"))
	}
	return es, nil
}

func busyboxLayer() (v1.Layer, error) {
	es, err := BusyboxEntries()
	if err != nil {
		return nil, err
	}
	return Layer(es...)
}
