// Command benchreg serves pocket's benchmark images from a loopback
// docker-registry until it is signalled: library/big:latest (testimages.Big)
// and library/busybox:latest. It writes the registry's HOST:PORT to
// DIR/registry.host and the big image's compressed size in bytes to
// DIR/big.bytes, and with -rootfs unpacks busybox there for a runc bundle.
package main

import (
	"archive/tar"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"

	"pocket/internal/testimages"
	"pocket/internal/testregistry"
)

func main() {
	dir := flag.String("dir", ".bench", "work directory")
	mb := flag.Int("mb", 100, "size of the big image in MB")
	rootfs := flag.String("rootfs", "", "unpack busybox into this directory")
	flag.Parse()
	if err := serve(*dir, *mb, *rootfs); err != nil {
		fmt.Fprintln(os.Stderr, "benchreg:", err)
		os.Exit(1)
	}
}

func serve(dir string, mb int, rootfs string) error {
	big, err := testimages.Big(filepath.Join(dir, "layers"), mb)
	if err != nil {
		return err
	}
	bb, err := testimages.Busybox()
	if err != nil {
		return err
	}
	if rootfs != "" {
		if err := unpack(bb, rootfs); err != nil {
			return err
		}
	}
	regDir := filepath.Join(dir, "registry")
	os.RemoveAll(regDir)
	r, err := testregistry.Start(regDir)
	if err != nil {
		return err
	}
	defer r.Stop()
	if err := r.Push("library/big:latest", big); err != nil {
		return err
	}
	if err := r.Push("library/busybox:latest", bb); err != nil {
		return err
	}
	var size int64
	ls, _ := big.Layers()
	for _, l := range ls {
		n, _ := l.Size()
		size += n
	}
	os.WriteFile(filepath.Join(dir, "big.bytes"), fmt.Appendf(nil, "%d\n", size), 0o644)
	if err := os.WriteFile(filepath.Join(dir, "registry.host"), []byte(r.Host+"\n"), 0o644); err != nil {
		return err
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	<-sig
	return nil
}

// unpack writes the flattened image into dir (our own trusted image).
func unpack(img v1.Image, dir string) error {
	os.RemoveAll(dir)
	rc := mutate.Extract(img)
	defer rc.Close()
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		p := filepath.Join(dir, filepath.Clean("/"+h.Name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		switch h.Typeflag {
		case tar.TypeDir:
			err = os.MkdirAll(p, os.FileMode(h.Mode)&os.ModePerm)
		case tar.TypeSymlink:
			err = os.Symlink(h.Linkname, p)
		case tar.TypeReg:
			var f *os.File
			if f, err = os.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, os.FileMode(h.Mode)&os.ModePerm); err == nil {
				_, err = io.Copy(f, tr)
				f.Close()
			}
		}
		if err != nil {
			return fmt.Errorf("unpack %s: %w", h.Name, err)
		}
		os.Lchown(p, h.Uid, h.Gid)
		if h.Typeflag != tar.TypeSymlink {
			os.Chmod(p, os.FileMode(h.Mode)&os.ModePerm|modeBits(h.Mode))
		}
	}
}

func modeBits(m int64) os.FileMode {
	var out os.FileMode
	if m&0o4000 != 0 {
		out |= os.ModeSetuid
	}
	if m&0o2000 != 0 {
		out |= os.ModeSetgid
	}
	if m&0o1000 != 0 {
		out |= os.ModeSticky
	}
	return out
}
