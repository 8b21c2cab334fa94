package testimages

import (
	"archive/tar"
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/klauspost/compress/gzip"
)

// BigLayers is how many layers Big has.
const BigLayers = 4

// Big is a benchmark image of sizeMB (100 when <= 0) of mostly
// incompressible data, so its compressed size is about sizeMB: layer 1 holds
// many small files (a tenth of the size, 4 KiB each), layers 2-4 large random
// files. Layer blobs are written once to dir (reused when present) and the
// content is the same on every run.
func Big(dir string, sizeMB int) (v1.Image, error) {
	if sizeMB <= 0 {
		sizeMB = 100
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	total := int64(sizeMB) << 20
	small := total / 10
	large := (total - small) / (BigLayers - 1)
	var ls []v1.Layer
	for i := 0; i < BigLayers; i++ {
		p := filepath.Join(dir, fmt.Sprintf("big-%dmb-layer%d.tar.gz", sizeMB, i))
		if _, err := os.Stat(p); err != nil {
			write := func(tw *tar.Writer, rng *rand.ChaCha8) error { return bigLarge(tw, rng, i, large) }
			if i == 0 {
				write = func(tw *tar.Writer, rng *rand.ChaCha8) error { return bigSmall(tw, rng, small) }
			}
			if err := writeBigLayer(p, uint64(i), write); err != nil {
				return nil, fmt.Errorf("write big layer %s: %w", p, err)
			}
		}
		l, err := tarball.LayerFromFile(p)
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
	}
	return build(Host(), v1.Config{Cmd: []string{"/bin/sh"}}, false, ls...)
}

func writeBigLayer(path string, seed uint64, write func(*tar.Writer, *rand.ChaCha8) error) error {
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	bw := bufio.NewWriterSize(f, 1<<20)
	zw, _ := gzip.NewWriterLevel(bw, gzip.BestSpeed)
	tw := tar.NewWriter(zw)
	var s [32]byte
	s[0] = byte(seed + 1)
	err = write(tw, rand.NewChaCha8(s))
	for _, c := range []func() error{tw.Close, zw.Close, bw.Flush, f.Close} {
		if cerr := c(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func bigSmall(tw *tar.Writer, rng *rand.ChaCha8, total int64) error {
	buf := make([]byte, 4096)
	for n := int64(0); n*4096 < total; n++ {
		if n%256 == 0 {
			if err := tw.WriteHeader(&tar.Header{Name: fmt.Sprintf("small/%03d/", n/256), Typeflag: tar.TypeDir, Mode: 0o755, ModTime: Epoch}); err != nil {
				return err
			}
		}
		rng.Read(buf)
		if err := tw.WriteHeader(&tar.Header{Name: fmt.Sprintf("small/%03d/f%05d", n/256, n), Typeflag: tar.TypeReg, Mode: 0o644, Size: 4096, ModTime: Epoch}); err != nil {
			return err
		}
		if _, err := tw.Write(buf); err != nil {
			return err
		}
	}
	return nil
}

func bigLarge(tw *tar.Writer, rng *rand.ChaCha8, layer int, total int64) error {
	const files = 2
	buf := make([]byte, 1<<20)
	for f := 0; f < files; f++ {
		size := total / files
		if err := tw.WriteHeader(&tar.Header{Name: fmt.Sprintf("large/l%d-f%d.bin", layer, f), Typeflag: tar.TypeReg, Mode: 0o644, Size: size, ModTime: Epoch}); err != nil {
			return err
		}
		for left := size; left > 0; {
			n := min(left, int64(len(buf)))
			rng.Read(buf[:n])
			if _, err := tw.Write(buf[:n]); err != nil {
				return err
			}
			left -= n
		}
	}
	return nil
}
