//go:build linux

package main

import (
	"bufio"
	"compress/gzip"
	_ "embed"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"

	"pocket/internal/pocketbuild"
)

// guestInit is the guest's /init.
//
//go:embed init.sh
var guestInit string

// guestModules are the kernel modules pocket needs in the guest (with
// their dependencies, from modules.dep). The tests run with --network
// none, so no veth, bridge or netfilter.
var guestModules = []string{"overlay", "loop"} // loop: the I/O limit tests throttle a loop device

// The guest's users: the ones rootless_e2e_test.go makes with useradd on
// the host, written here directly (the guest has no useradd).
const (
	guestPasswd = `root:x:0:0:root:/root:/bin/sh
pocketuser:x:1000:1000::/home/pocketuser:/bin/sh
pocketnosub:x:1001:1001::/home/pocketnosub:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
`
	guestGroup = `root:x:0:
pocketuser:x:1000:
pocketnosub:x:1001:
nogroup:x:65534:
`
	guestSubIDs = "pocketuser:200000:65536\n"
)

// entry is one file of the initramfs.
type entry struct {
	name     string // without leading "/"
	mode     uint32 // type and permission bits
	uid, gid int
	data     []byte // content, or a symlink's target
}

const (
	sIFDIR = 0o040000
	sIFREG = 0o100000
	sIFLNK = 0o120000
)

// buildInitramfs builds pocket and the e2e tests for the guest and writes
// them, busybox, the modules and /init as a gzipped newc cpio to out.
func buildInitramfs(a arch, k kernel, repo, work, out string) error {
	e2e := filepath.Join(work, "e2e")
	if err := os.MkdirAll(e2e, 0o755); err != nil {
		return err
	}
	if err := pocketbuild.Build(repo, filepath.Join(e2e, "pocket"), a.goarch, "-ldflags=-s -w"); err != nil {
		return err
	}
	env := append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+a.goarch)
	steps := [][]string{
		{"go", "test", "-c", "-trimpath", "-o", filepath.Join(e2e, "e2e.test"), "./e2e"},
	}
	// /e2e/tests lists the test binaries the guest runs, with -test.run.
	tests := "e2e.test\t" + a.run + "\n"
	for _, u := range a.units {
		bin := path.Base(u) + ".test"
		steps = append(steps, []string{"go", "test", "-c", "-trimpath", "-o", filepath.Join(e2e, bin), u})
		tests += bin + "\t.\n"
	}
	if !a.foreign {
		// The hello image is built with the go command, which the guest
		// lacks (internal/testimages.Hello); the others are built in the
		// guest from its own busybox.
		steps = append(steps, []string{"go", "run", "./internal/cmd/mkimage", "-o", filepath.Join(e2e, "hello-world.tar"), "-tag", "hello-world:latest", "hello"})
	}
	for _, s := range steps {
		cmd := exec.Command(s[0], s[1:]...)
		cmd.Dir = repo
		cmd.Env = env
		if s[1] == "run" {
			cmd.Env = os.Environ() // mkimage runs here
		}
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("%s: %v\n%s", strings.Join(s, " "), err, out)
		}
	}

	var es []entry
	dir := func(name string, mode uint32, uid, gid int) {
		es = append(es, entry{name: name, mode: sIFDIR | mode, uid: uid, gid: gid})
	}
	file := func(name string, mode uint32, data []byte) {
		es = append(es, entry{name: name, mode: sIFREG | mode, data: data})
	}
	for _, d := range []string{"bin", "dev", "e2e", "etc", "home", "lib", "newroot", "proc", "root", "run", "sbin", "sys", "usr", "usr/bin", "usr/sbin", "var"} {
		dir(d, 0o755, 0, 0)
	}
	dir("tmp", 0o1777, 0, 0)
	dir("home/pocketuser", 0o755, 1000, 1000)
	dir("home/pocketnosub", 0o755, 1001, 1001)
	file("init", 0o755, []byte(guestInit))
	file("e2e/tests", 0o644, []byte(tests))
	for name, content := range map[string]string{
		"etc/passwd": guestPasswd, "etc/group": guestGroup, "etc/subuid": guestSubIDs, "etc/subgid": guestSubIDs,
		"etc/resolv.conf": "", "etc/hosts": "127.0.0.1 localhost\n", "etc/hostname": "pocket-vm\n",
	} {
		file(name, 0o644, []byte(content))
	}
	if err := addFile(&es, k.busybox, "bin/busybox", 0o755); err != nil {
		return err
	}
	es = append(es, entry{name: "bin/sh", mode: sIFLNK | 0o777, data: []byte("busybox")})
	ents, err := os.ReadDir(e2e)
	if err != nil {
		return err
	}
	for _, f := range ents {
		if err := addFile(&es, filepath.Join(e2e, f.Name()), "e2e/"+f.Name(), 0o755); err != nil {
			return err
		}
	}
	mods, err := moduleOrder(k.modules, guestModules)
	if err != nil {
		return err
	}
	var list []string
	for _, m := range mods {
		name := path.Join("lib/modules", k.version, m)
		if err := addFile(&es, filepath.Join(k.modules, m), name, 0o644); err != nil {
			return err
		}
		list = append(list, "/"+name)
	}
	file("modules", 0o644, []byte(strings.Join(list, "\n")+"\n"))
	if !a.foreign {
		// The rootless tests run pocket as a user through setpriv (from
		// util-linux), a dynamically linked program: copy its libraries.
		if err := addELF(&es, "/usr/bin/setpriv"); err != nil {
			return err
		}
	}
	return writeCpio(out, es)
}

// addFile adds the host file src as name with mode.
func addFile(es *[]entry, src, name string, mode uint32) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	*es = append(*es, entry{name: name, mode: sIFREG | mode, data: b})
	return nil
}

// addELF adds a host program and the shared libraries ldd lists for it, at
// the paths ldd names (symlinks resolved to their content).
func addELF(es *[]entry, prog string) error {
	out, err := exec.Command("ldd", prog).Output()
	if err != nil {
		return fmt.Errorf("ldd %s: %w", prog, err)
	}
	files := []string{prog}
	for _, l := range strings.Split(string(out), "\n") {
		f := strings.Fields(l)
		switch {
		case len(f) >= 3 && f[1] == "=>" && strings.HasPrefix(f[2], "/"):
			files = append(files, f[2])
		case len(f) >= 1 && strings.HasPrefix(f[0], "/"):
			files = append(files, f[0])
		}
	}
	for _, f := range files {
		if err := addFile(es, f, strings.TrimPrefix(f, "/"), 0o755); err != nil {
			return err
		}
	}
	return nil
}

// moduleOrder is the modules (paths relative to dir) to insmod for names,
// dependencies first, from dir/modules.dep. A module built into the
// kernel (in modules.builtin) needs nothing.
func moduleOrder(dir string, names []string) ([]string, error) {
	deps := map[string][]string{} // path -> its dependencies
	byName := map[string]string{} // "overlay" -> "kernel/fs/overlayfs/overlay.ko"
	f, err := os.Open(filepath.Join(dir, "modules.dep"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		mod, rest, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		deps[mod] = strings.Fields(rest)
		base := strings.TrimSuffix(path.Base(mod), path.Ext(mod))
		byName[strings.TrimSuffix(base, ".ko")] = mod
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	builtin, _ := os.ReadFile(filepath.Join(dir, "modules.builtin"))
	var order []string
	seen := map[string]bool{}
	var visit func(m string)
	visit = func(m string) {
		if seen[m] {
			return
		}
		seen[m] = true
		for _, d := range deps[m] {
			visit(d)
		}
		order = append(order, m)
	}
	for _, n := range names {
		m, ok := byName[n]
		if !ok {
			if strings.Contains(string(builtin), "/"+n+".ko\n") {
				continue
			}
			return nil, fmt.Errorf("module %s: not in %s/modules.dep", n, dir)
		}
		visit(m)
	}
	return order, nil
}

// writeCpio writes es as a gzipped cpio archive in the "newc" format the
// kernel unpacks into its initial root.
func writeCpio(out string, es []entry) error {
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	defer f.Close()
	zw, err := gzip.NewWriterLevel(f, gzip.BestSpeed)
	if err != nil {
		return err
	}
	// The kernel creates no missing parent directories: add them first.
	have := map[string]bool{}
	var all []entry
	for _, e := range es {
		var parents []string
		for d := path.Dir(e.name); d != "." && !have[d]; d = path.Dir(d) {
			parents = append(parents, d)
			have[d] = true
		}
		for i := len(parents) - 1; i >= 0; i-- {
			all = append(all, entry{name: parents[i], mode: sIFDIR | 0o755})
		}
		if e.mode&0o170000 == sIFDIR {
			if have[e.name] {
				continue
			}
			have[e.name] = true
		}
		all = append(all, e)
	}
	for i, e := range append(all, entry{name: "TRAILER!!!"}) {
		if err := cpioEntry(zw, i+1, e); err != nil {
			return err
		}
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return f.Close()
}

func cpioEntry(w io.Writer, ino int, e entry) error {
	nlink := 1
	if e.mode&0o170000 == sIFDIR {
		nlink = 2
	}
	name := e.name + "\x00"
	hdr := fmt.Sprintf("070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		ino, e.mode, e.uid, e.gid, nlink, 0, len(e.data), 0, 0, 0, 0, len(name), 0)
	pad := func(n int) []byte { return make([]byte, (4-n%4)%4) }
	for _, b := range [][]byte{[]byte(hdr), []byte(name), pad(len(hdr) + len(name)), e.data, pad(len(e.data))} {
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	return nil
}
