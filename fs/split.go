package fs

import (
	"bufio"
	"errors"
	"io"

	"github.com/vbatts/tar-split/archive/tar"
	"github.com/vbatts/tar-split/tar/storage"
)

// splitBuffer is how much of the tar the splitter hands on at once.
const splitBuffer = 256 << 10

// splitTar is asm.NewInputTarStreamWithDone with a buffered hand-off:
// the returned reader yields r's bytes unchanged while a goroutine
// records the tar's layout to p (tar-split metadata, each file's CRC64
// as tar-split's discarding FilePutter computes it). tar-split's own
// tee writes every small read of its tar reader (a 512-byte header, a
// file's few kB) into an unbuffered pipe, so each one waits for the
// consumer: three goroutine switches per file, which cost more than
// writing the file when a build step's layer holds thousands of small
// files. Here the bytes pass in chunks of splitBuffer. done gets the
// goroutine's result once it has read r to its end (the padding after
// the tar's end included); closing the reader early stops it.
func splitTar(r io.Reader, p storage.Packer) (io.ReadCloser, <-chan error) {
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		bw := bufio.NewWriterSize(pw, splitBuffer)
		err := disassemble(io.TeeReader(r, bw), p, storage.NewDiscardFilePutter())
		if err == nil {
			err = bw.Flush()
		}
		pw.CloseWithError(err)
		done <- err
	}()
	return pr, done
}

// disassemble reads the tar in r and adds to p, in order, the raw
// bytes of headers and padding as segments and each file as an entry
// with its name, size and checksum, then reads r to its end.
func disassemble(r io.Reader, p storage.Packer, fp storage.FilePutter) error {
	segment := func(b []byte) error {
		if len(b) == 0 {
			return nil
		}
		_, err := p.AddEntry(storage.Entry{Type: storage.SegmentType, Payload: b})
		return err
	}
	tr := tar.NewReader(r)
	tr.RawAccounting = true
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) || (err == nil && hdr == nil) {
			// The end-of-archive blocks read so far.
			if err := segment(tr.RawBytes()); err != nil {
				return err
			}
			break
		}
		if err != nil {
			return err
		}
		if err := segment(tr.RawBytes()); err != nil {
			return err
		}
		var sum []byte
		if hdr.Size > 0 {
			if _, sum, err = fp.Put(hdr.Name, tr); err != nil {
				return err
			}
		}
		e := storage.Entry{Type: storage.FileType, Size: hdr.Size, Payload: sum}
		e.SetName(hdr.Name)
		if _, err := p.AddEntry(e); err != nil {
			return err
		}
		if err := segment(tr.RawBytes()); err != nil {
			return err
		}
	}
	// Whatever follows the end of the archive is part of the layer's
	// bytes, hence of its metadata.
	buf := make([]byte, 32<<10)
	for {
		n, err := r.Read(buf)
		if n > 0 {
			if err := segment(buf[:n]); err != nil {
				return err
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return err
		}
	}
}
