package fs

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc64"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"unicode/utf8"

	"github.com/vbatts/tar-split/tar/storage"
)

// Reassemble rebuilds the tar that Unpack read, from dir and its metadata.
// File contents are read from dir by their tar names, resolved inside dir
// as Unpack resolved them; each file's CRC64, which tar-split recorded at
// unpack, is checked, so a file changed since (or lost to a later entry of
// the same name) fails the read.
func Reassemble(dir string, meta io.Reader) io.ReadCloser {
	root, err := filepath.Abs(dir)
	if err == nil {
		root, err = filepath.EvalSymlinks(root)
	}
	if err != nil {
		pr, pw := io.Pipe()
		pw.CloseWithError(fmt.Errorf("reassemble %s: %w", dir, err))
		return pr
	}
	return &tarStream{fg: &fileGetter{res: newResolver(root)}, up: &metaUnpacker{dec: json.NewDecoder(meta)}}
}

// ReassembleForDigest is Reassemble for a reader that hashes the whole
// stream and compares it with the layer's diffID (the store's check of a
// restored layer): the CRC64 of each file would only prove again,
// in a second pass over every byte, what that digest proves. A file of
// another size than the layer recorded still fails the read. Anything
// else (a push) must use Reassemble: its output is trusted as it is.
func ReassembleForDigest(dir string, meta io.Reader) io.ReadCloser {
	rc := Reassemble(dir, meta)
	if t, ok := rc.(*tarStream); ok {
		t.noCRC = true
	}
	return rc
}

// tarStream is a reassembled tar. Copied with WriteTo (io.Copy does), it
// is written straight into the destination, a compressor for a push;
// read, it goes through a pipe from a goroutine, and WriteTo then copies
// the rest.
type tarStream struct {
	fg    storage.FileGetter
	up    storage.Unpacker
	noCRC bool // ReassembleForDigest

	mu      sync.Mutex
	started bool
	pr      *io.PipeReader // when read
}

var errTarStreamUsed = errors.New("reassemble: tar stream read twice")

func (t *tarStream) WriteTo(w io.Writer) (int64, error) {
	t.mu.Lock()
	if t.started {
		// The rest of a stream being read.
		pr := t.pr
		t.mu.Unlock()
		if pr == nil {
			return 0, errTarStreamUsed
		}
		return io.Copy(w, pr)
	}
	t.started = true
	t.mu.Unlock()
	if _, ok := w.(io.ReaderFrom); ok {
		cw := &countingReaderFrom{countingWriter{w: w}}
		err := t.write(cw)
		return cw.n, err
	}
	cw := &countingWriter{w: w}
	err := t.write(cw)
	return cw.n, err
}

// write writes the tar into w: the segments tar-split kept, and each
// file's bytes read from the tree, checked against the CRC64 tar-split
// recorded (unless noCRC) and against the recorded size. A destination
// that reads for itself (io.ReaderFrom: a push's compressor) reads each
// file straight into its own buffers, in large reads; anything else gets
// the bytes through one buffer of copyBuffer bytes. tar-split's own
// writer (asm.WriteOutputTarStream) copies every byte once more, through
// 32 KiB reads.
func (t *tarStream) write(w io.Writer) error {
	var buf []byte
	rf, _ := w.(io.ReaderFrom)
	if rf == nil {
		buf = make([]byte, copyBuffer)
	}
	var crc *crcReader
	if !t.noCRC {
		crc = &crcReader{table: storage.CRCTable}
	}
	for {
		e, err := t.up.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		switch e.Type {
		case storage.SegmentType:
			if _, err := w.Write(e.Payload); err != nil {
				return err
			}
		case storage.FileType:
			if e.Size == 0 {
				continue
			}
			if err := t.file(w, rf, buf, crc, e); err != nil {
				return err
			}
		}
	}
}

// copyBuffer is the read size of a reassembly into a plain writer.
const copyBuffer = 128 << 10

// file writes entry e's bytes from the tree into w (rf when w reads for
// itself) and checks them.
func (t *tarStream) file(w io.Writer, rf io.ReaderFrom, buf []byte, crc *crcReader, e *storage.Entry) error {
	f, err := t.fg.Get(e.GetName())
	if err != nil {
		return err
	}
	defer f.Close()
	// One byte more than recorded shows a file that grew.
	var r io.Reader = io.LimitReader(f, e.Size+1)
	if crc != nil {
		crc.r, crc.sum = r, 0
		r = crc
	}
	var n int64
	if rf != nil {
		n, err = rf.ReadFrom(r)
	} else {
		n, err = io.CopyBuffer(w, struct{ io.Reader }{r}, buf)
	}
	if err != nil {
		return err
	}
	if n != e.Size {
		return fmt.Errorf("reassemble %q: %d bytes, the layer has %d: %w", e.GetName(), n, e.Size, ErrInvalidEntry)
	}
	if crc != nil && !bytes.Equal(binary.BigEndian.AppendUint64(nil, crc.sum), e.Payload) {
		return fmt.Errorf("reassemble %q: file integrity checksum failed: %w", e.GetName(), ErrInvalidEntry)
	}
	return nil
}

// crcReader is r, whose bytes read it sums with tar-split's CRC64 (ISO).
type crcReader struct {
	r     io.Reader
	table *crc64.Table
	sum   uint64
}

func (c *crcReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.sum = crc64.Update(c.sum, c.table, p[:n])
	return n, err
}

func (t *tarStream) Read(p []byte) (int, error) {
	t.mu.Lock()
	if !t.started {
		t.started = true
		pr, pw := io.Pipe()
		go func() { pw.CloseWithError(t.write(pw)) }()
		t.pr = pr
	}
	pr := t.pr
	t.mu.Unlock()
	if pr == nil {
		return 0, errTarStreamUsed
	}
	return pr.Read(p)
}

// Close stops a read stream (its goroutine ends on the closed pipe).
func (t *tarStream) Close() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.started = true
	if t.pr != nil {
		return t.pr.Close()
	}
	return nil
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// countingReaderFrom is a countingWriter whose destination reads for
// itself.
type countingReaderFrom struct{ countingWriter }

func (c *countingReaderFrom) ReadFrom(r io.Reader) (int64, error) {
	n, err := c.w.(io.ReaderFrom).ReadFrom(r)
	c.n += n
	return n, err
}

// fileGetter opens layer files by tar name. storage.NewPathFileGetter
// would filepath.Join the hostile names.
type fileGetter struct{ res *resolver }

func (g *fileGetter) Get(name string) (io.ReadCloser, error) {
	clean := cleanName(name)
	if clean == "/" {
		return nil, fmt.Errorf("reassemble %q: %w", name, ErrInvalidEntry)
	}
	p, err := g.res.entry(clean, false)
	if err != nil {
		return nil, fmt.Errorf("reassemble %q: %w", name, err)
	}
	f, err := os.OpenFile(p, os.O_RDONLY|syscall.O_NOFOLLOW, 0)
	if err != nil {
		return nil, fmt.Errorf("reassemble %q: %w", name, err)
	}
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("reassemble %q: %w", name, ErrInvalidEntry)
	}
	return f, nil
}

// metaPacker writes tar-split's JSON lines exactly as storage.NewJSONPacker
// does, without its refusal of duplicate names: a later entry replacing an
// earlier one is legal in a layer (see Unpack).
type metaPacker struct {
	w     io.Writer
	pos   int
	buf   []byte
	sizes map[string]int64 // each name's last size: the tree's files
}

func newMetaPacker(w io.Writer) *metaPacker {
	return &metaPacker{w: w, sizes: map[string]int64{}}
}

// treeSize is the bytes of the regular files the tar leaves in a tree
// (a later entry of a name replacing an earlier one; directories,
// links and whiteouts have no size), as Size would count them.
func (p *metaPacker) treeSize() int64 {
	var n int64
	for _, s := range p.sizes {
		n += s
	}
	return n
}

// SizeRecorder is a metadata writer that wants the size of the tree
// Unpack or AdoptUpper made, Size's count of it, told once they have
// succeeded, so that the store need not walk the tree for it.
type SizeRecorder interface {
	RecordSize(int64)
}

// recordSize tells meta the tree's size if it asks for it.
func recordSize(meta io.Writer, p *metaPacker) {
	if r, ok := meta.(SizeRecorder); ok {
		r.RecordSize(p.treeSize())
	}
}

// AddEntry writes the line json.Encoder writes for e, byte for byte,
// without reflection: a layer of thousands of small files has three
// entries per file, and encoding/json took a tenth of a build step's
// time on them.
func (p *metaPacker) AddEntry(e storage.Entry) (int, error) {
	if e.Name != "" && !utf8.ValidString(e.Name) {
		e.NameRaw, e.Name = []byte(e.Name), ""
	}
	e.Position = p.pos
	if e.Type == storage.FileType {
		if e.Name != "" {
			p.sizes[e.Name] = e.Size
		} else {
			p.sizes[string(e.NameRaw)] = e.Size
		}
	}
	b := append(p.buf[:0], `{"type":`...)
	b = strconv.AppendInt(b, int64(e.Type), 10)
	if e.Name != "" {
		b = append(b, `,"name":`...)
		b = appendJSONString(b, e.Name)
	}
	if len(e.NameRaw) > 0 {
		b = append(b, `,"name_raw":"`...)
		b = base64.StdEncoding.AppendEncode(b, e.NameRaw)
		b = append(b, '"')
	}
	if e.Size != 0 {
		b = append(b, `,"size":`...)
		b = strconv.AppendInt(b, e.Size, 10)
	}
	if e.Payload == nil {
		b = append(b, `,"payload":null`...)
	} else {
		b = append(b, `,"payload":"`...)
		b = base64.StdEncoding.AppendEncode(b, e.Payload)
		b = append(b, '"')
	}
	b = append(b, `,"position":`...)
	b = strconv.AppendInt(b, int64(e.Position), 10)
	b = append(b, "}\n"...)
	p.buf = b
	if _, err := p.w.Write(b); err != nil {
		return -1, err
	}
	p.pos++
	return e.Position, nil
}

// appendJSONString appends s as encoding/json writes it (HTML-safe
// escapes included): plain ASCII directly, anything else through
// json.Marshal.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s)
			return append(b, q...)
		}
	}
	return append(append(append(b, '"'), s...), '"')
}

// metaUnpacker reads what metaPacker wrote (and what storage.NewJSONPacker
// writes), again allowing duplicate names.
type metaUnpacker struct{ dec *json.Decoder }

func (u *metaUnpacker) Next() (*storage.Entry, error) {
	var e storage.Entry
	if err := u.dec.Decode(&e); err != nil {
		return nil, err
	}
	return &e, nil
}
