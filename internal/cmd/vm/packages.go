//go:build linux

package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// kernel is the guest's kernel and where its files are on the host.
type kernel struct {
	version string // "6.1.0-48-amd64"
	image   string // vmlinuz
	modules string // /lib/modules/<version>
	busybox string // a static busybox for the guest
}

// ensurePackages installs the emulator and unpacks the guest's kernel and
// busybox from their Debian packages into cache (for a foreign
// architecture after adding it to dpkg). They are not installed: a kernel
// package's initramfs trigger takes minutes, and busybox-static:arm64
// would replace the host's busybox.
func ensurePackages(a arch, cache string) (kernel, error) {
	if err := install(a.packages...); err != nil {
		return kernel{}, err
	}
	if a.foreign {
		if err := addArch(a.goarch); err != nil {
			return kernel{}, err
		}
	}
	root := filepath.Join(cache, "root")
	if k, err := hostKernel(root, a.goarch); err == nil {
		return k, nil
	}
	img, err := dependency("linux-image-"+a.goarch+":"+a.goarch, "linux-image-")
	if err != nil {
		return kernel{}, err
	}
	if err := os.RemoveAll(root); err != nil {
		return kernel{}, err
	}
	if err := unpack(cache, root, img+":"+a.goarch, "busybox-static:"+a.goarch); err != nil {
		return kernel{}, err
	}
	// modules.dep is made at install time; depmod reads foreign modules.
	version := strings.TrimPrefix(img, "linux-image-")
	if out, err := exec.Command("depmod", "-b", root, version).CombinedOutput(); err != nil {
		return kernel{}, fmt.Errorf("depmod -b %s %s: %v: %s", root, version, err, out)
	}
	return hostKernel(root, a.goarch)
}

// hostKernel finds the newest kernel for goarch under root.
func hostKernel(root, goarch string) (kernel, error) {
	images, _ := filepath.Glob(filepath.Join(root, "boot", "vmlinuz-*-"+goarch))
	if len(images) == 0 {
		return kernel{}, fmt.Errorf("no Debian %s kernel in %s/boot", goarch, root)
	}
	sort.Slice(images, func(i, j int) bool { return versionLess(images[i], images[j]) })
	img := images[len(images)-1]
	v := strings.TrimPrefix(filepath.Base(img), "vmlinuz-")
	k := kernel{version: v, image: img, modules: filepath.Join(root, "lib", "modules", v), busybox: filepath.Join(root, "bin", "busybox")}
	for _, p := range []string{filepath.Join(k.modules, "modules.dep"), k.busybox} {
		if _, err := os.Stat(p); err != nil {
			return kernel{}, err
		}
	}
	return k, nil
}

// versionLess orders "vmlinuz-6.1.0-9-amd64" before "vmlinuz-6.1.0-48-amd64".
func versionLess(a, b string) bool {
	num := regexp.MustCompile(`\d+`)
	na, nb := num.FindAllString(a, -1), num.FindAllString(b, -1)
	for i := 0; i < len(na) && i < len(nb); i++ {
		if len(na[i]) != len(nb[i]) {
			return len(na[i]) < len(nb[i])
		}
		if na[i] != nb[i] {
			return na[i] < nb[i]
		}
	}
	return len(na) < len(nb)
}

// install apt-gets the missing packages, updating the lists only when the
// install fails on stale ones (as testdata/setup.sh does).
func install(pkgs ...string) error {
	var missing []string
	for _, p := range pkgs {
		out, _ := exec.Command("dpkg-query", "-W", "-f=${Status}", p).Output()
		if !strings.Contains(string(out), "ok installed") {
			missing = append(missing, p)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	fmt.Println("vm: installing", strings.Join(missing, " "))
	args := append([]string{"install", "-y", "-qq", "--no-install-recommends"}, missing...)
	if apt(args...) != nil {
		if err := apt("update", "-qq"); err != nil {
			return err
		}
		return apt(args...)
	}
	return nil
}

func apt(args ...string) error {
	cmd := exec.Command("apt-get", args...)
	cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("apt-get %s: %v\n%s", strings.Join(args, " "), err, tail(string(out), 10))
	}
	return nil
}

// addArch makes dpkg know a foreign architecture (for apt-get download).
func addArch(goarch string) error {
	out, err := exec.Command("dpkg", "--print-foreign-architectures").Output()
	if err != nil {
		return fmt.Errorf("dpkg --print-foreign-architectures: %w", err)
	}
	if strings.Contains(" "+strings.Join(strings.Fields(string(out)), " ")+" ", " "+goarch+" ") {
		return nil
	}
	fmt.Println("vm: adding the", goarch, "architecture to dpkg")
	if out, err := exec.Command("dpkg", "--add-architecture", goarch).CombinedOutput(); err != nil {
		return fmt.Errorf("dpkg --add-architecture %s: %v: %s", goarch, err, out)
	}
	return apt("update", "-qq")
}

// dependency is the package pkg (a metapackage) depends on whose name
// starts with prefix: linux-image-arm64 -> linux-image-6.1.0-48-arm64.
func dependency(pkg, prefix string) (string, error) {
	out, err := exec.Command("apt-cache", "depends", pkg).Output()
	if err != nil {
		return "", fmt.Errorf("apt-cache depends %s: %w", pkg, err)
	}
	for _, l := range strings.Split(string(out), "\n") {
		if d, ok := strings.CutPrefix(strings.TrimSpace(l), "Depends: "); ok && strings.HasPrefix(d, prefix) {
			name, _, _ := strings.Cut(d, ":")
			return name, nil
		}
	}
	return "", fmt.Errorf("apt-cache depends %s: no %s* dependency", pkg, prefix)
}

// unpack downloads pkgs into cache and extracts them below root.
func unpack(cache, root string, pkgs ...string) error {
	debs := filepath.Join(cache, "debs")
	if err := os.RemoveAll(debs); err != nil {
		return err
	}
	if err := os.MkdirAll(debs, 0o755); err != nil {
		return err
	}
	fmt.Println("vm: downloading", strings.Join(pkgs, " "))
	cmd := exec.Command("apt-get", append([]string{"download", "-qq"}, pkgs...)...)
	cmd.Dir = debs
	if out, err := cmd.CombinedOutput(); err != nil {
		cmd = exec.Command("apt-get", "update", "-qq")
		if out2, err2 := cmd.CombinedOutput(); err2 != nil {
			return fmt.Errorf("apt-get download: %v: %s; apt-get update: %v: %s", err, out, err2, out2)
		}
		cmd = exec.Command("apt-get", append([]string{"download", "-qq"}, pkgs...)...)
		cmd.Dir = debs
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("apt-get download %s: %v: %s", strings.Join(pkgs, " "), err, out)
		}
	}
	files, err := filepath.Glob(filepath.Join(debs, "*.deb"))
	if err != nil {
		return err
	}
	for _, f := range files {
		if out, err := exec.Command("dpkg-deb", "-x", f, root).CombinedOutput(); err != nil {
			return fmt.Errorf("dpkg-deb -x %s: %v: %s", f, err, out)
		}
	}
	return nil
}

func tail(s string, n int) string {
	ls := strings.Split(strings.TrimSpace(s), "\n")
	if len(ls) > n {
		ls = ls[len(ls)-n:]
	}
	return strings.Join(ls, "\n")
}
