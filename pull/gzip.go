package pull

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/klauspost/compress/flate"
)

// A layer is gzipped in blocks of gzipBlock bytes, each compressed on its
// own core with the 32 KiB before it as dictionary (as pigz and pgzip do)
// and ended on a byte boundary, so the blocks' deflate output joins into
// one stream. The block size is fixed: the blob depends on the layer's
// bytes only, not on how many cores compressed it.
const (
	gzipBlock = 256 << 10
	gzipDict  = 32 << 10
)

// gzipHeader is gzip's header with no name, no time and no extra field
// (RFC 1952): XFL 4 (fastest), OS 255 (unknown), as pgzip at BestSpeed
// wrote it.
var gzipHeader = []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 4, 255}

// gzBlock is one block of a layer: its dictionary and bytes in in, its
// deflate output in out once done is closed.
type gzBlock struct {
	in   []byte // gzipDict bytes of dictionary room, then the block
	dict int    // dictionary bytes in use, ending at in[gzipDict]
	out  []byte
	err  error
	done chan struct{}
}

func (b *gzBlock) data() []byte { return b.in[gzipDict:] }

func (b *gzBlock) Write(p []byte) (int, error) {
	b.out = append(b.out, p...)
	return len(p), nil
}

// gzip's blocks and compressors outlive a layer: one push compresses
// several layers, and memory reused is memory the kernel does not have to
// fault in and zero again (pgzip's sync.Pools, emptied by every garbage
// collection, made page faults a tenth of a push's time). Compression runs
// on at most GOMAXPROCS blocks at once, whichever layers they belong to.
var (
	gzMu          sync.Mutex
	gzFreeBlocks  []*gzBlock
	gzWriters     chan *gzCompressor
	gzWritersOnce sync.Once
)

func getBlock() *gzBlock {
	gzMu.Lock()
	defer gzMu.Unlock()
	if n := len(gzFreeBlocks); n > 0 {
		b := gzFreeBlocks[n-1]
		gzFreeBlocks = gzFreeBlocks[:n-1]
		return b
	}
	return &gzBlock{in: make([]byte, gzipDict, gzipDict+gzipBlock), out: make([]byte, 0, gzipBlock+gzipBlock/16+1024)}
}

// putBlock keeps b for the next block, up to what a push of maxUploads
// layers at once has in flight; more go to the garbage collector.
func putBlock(b *gzBlock) {
	b.in, b.out, b.dict, b.err, b.done = b.in[:gzipDict], b.out[:0], 0, nil, nil
	gzMu.Lock()
	if len(gzFreeBlocks) < maxUploads*(runtime.GOMAXPROCS(0)+2) {
		gzFreeBlocks = append(gzFreeBlocks, b)
	}
	gzMu.Unlock()
}

// gzCompressor is one core's pair of deflaters.
type gzCompressor struct {
	fast, huff *flate.Writer
}

// compressors hands out one of GOMAXPROCS compressors, waiting for one.
func compressors() chan *gzCompressor {
	gzWritersOnce.Do(func() {
		n := runtime.GOMAXPROCS(0)
		gzWriters = make(chan *gzCompressor, n)
		for range n {
			gzWriters <- &gzCompressor{}
		}
	})
	return gzWriters
}

// gzipProbe is how much of a block the fastest level codes before the
// block's coding is chosen: one of its windows (65535 bytes) and a byte
// more, which makes it code that window.
const gzipProbe = 1 << 16

// errNoRepeats stops the fastest level after a first window it could not
// shrink.
var errNoRepeats = errors.New("no repeats in the block's first window")

// deflate compresses b; last ends the stream. A block gzip's fastest
// level finds no repeats in (random-looking text: base64, hex, hashes)
// would be stored as it is; coded with Huffman codes alone it is still a
// quarter smaller, which costs less to compress than to send, hash and
// store at the registry. The fastest level's first window decides, and
// failing that its whole output: which coding a block gets depends on its
// bytes only, so the blob stays deterministic.
func (b *gzBlock) deflate(last bool) {
	defer close(b.done)
	pool := compressors()
	c := <-pool
	defer func() { pool <- c }()
	b.err = b.deflateWith(&c.fast, flate.BestSpeed, last)
	if b.err == errNoRepeats || (b.err == nil && len(b.out) >= len(b.data())-len(b.data())/64) {
		b.out = b.out[:0]
		b.err = b.deflateWith(&c.huff, flate.HuffmanOnly, last)
	}
}

// deflateWith compresses b into b.out with *fw at level, made on first use.
func (b *gzBlock) deflateWith(fw **flate.Writer, level int, last bool) error {
	dict := b.in[gzipDict-b.dict : gzipDict]
	if *fw == nil {
		w, err := flate.NewWriterDict(b, level, dict)
		if err != nil {
			return err
		}
		*fw = w
	} else {
		(*fw).ResetDict(b, dict)
	}
	data := b.data()
	if level == flate.BestSpeed && len(data) > gzipProbe {
		if _, err := (*fw).Write(data[:gzipProbe]); err != nil {
			return err
		}
		// The first window is out but for the few bytes the bit writer
		// holds back: stored, it is the window and a 5-byte header.
		if len(b.out) >= gzipProbe-gzipProbe/64-256 {
			return errNoRepeats
		}
		data = data[gzipProbe:]
	}
	if _, err := (*fw).Write(data); err != nil {
		return err
	}
	if last {
		return (*fw).Close()
	}
	return (*fw).Flush()
}

// gzipWriter gzips what is written to it into w, blocks compressed in
// parallel and written in order. At most maxAhead blocks of one layer are
// in flight, so a slow reader of w holds back the writer, not memory.
type gzipWriter struct {
	w      io.Writer
	cur    *gzBlock
	flight []*gzBlock
	crc    uint32
	size   uint32
	header bool
	err    error
	active bool // counted in gzActive
}

// gzActive is how many layers are being compressed at once.
var gzActive atomic.Int32

func newGzipWriter(w io.Writer) *gzipWriter {
	gzActive.Add(1)
	return &gzipWriter{w: w, cur: getBlock(), active: true}
}

// maxAhead is how many blocks of this layer may be in flight: the cores'
// share of it. Layers compressed at once share the cores, and a block
// more in flight than there are cores to compress it is only memory (see
// send). One layer alone has every core.
func (z *gzipWriter) maxAhead() int {
	return max(1, runtime.GOMAXPROCS(0)/max(1, int(gzActive.Load())))
}

// end stops counting the writer among the active ones.
func (z *gzipWriter) end() {
	if z.active {
		z.active = false
		gzActive.Add(-1)
	}
}

var errGzipClosed = errors.New("gzip: write after close")

func (z *gzipWriter) Write(p []byte) (int, error) {
	if z.err != nil {
		return 0, z.err
	}
	n := len(p)
	for len(p) > 0 {
		room := gzipDict + gzipBlock - len(z.cur.in)
		k := min(room, len(p))
		z.cur.in = append(z.cur.in, p[:k]...)
		p = p[k:]
		if k == room {
			if err := z.send(false); err != nil {
				return n - len(p), err
			}
		}
	}
	return n, nil
}

// ReadFrom reads r to its end straight into the blocks, up to a block at
// a read: a layer's files go from the page cache into the compressor's
// buffers with no copy between (Write's caller has copied them once
// already), in a quarter of the reads. The blocks are the ones Write
// makes of the same bytes.
func (z *gzipWriter) ReadFrom(r io.Reader) (int64, error) {
	var total int64
	for {
		if z.err != nil {
			return total, z.err
		}
		in := z.cur.in
		n, err := r.Read(in[len(in) : gzipDict+gzipBlock])
		z.cur.in = in[:len(in)+n]
		total += int64(n)
		if len(z.cur.in) == gzipDict+gzipBlock {
			if err := z.send(false); err != nil {
				return total, err
			}
		}
		if err == io.EOF {
			return total, nil
		}
		if err != nil {
			return total, err
		}
	}
}

// send starts compressing the current block and begins the next, whose
// dictionary is this block's end.
func (z *gzipWriter) send(last bool) error {
	b := z.cur
	z.crc = crc32.Update(z.crc, crc32.IEEETable, b.data())
	z.size += uint32(len(b.data()))
	b.done = make(chan struct{})
	go b.deflate(last)
	z.flight = append(z.flight, b)
	z.cur = nil
	if last {
		return nil
	}
	// The oldest blocks go out before the next is taken, which can then
	// be one of theirs: a block is half a megabyte the kernel faults in
	// page by page when it is new, a tenth of a push's time with one
	// block more per layer. b, the newest, stays in flight (maxAhead is
	// at least 1) and gives the next block its dictionary.
	for len(z.flight) > z.maxAhead() {
		if err := z.flushOne(); err != nil {
			return err
		}
	}
	next := getBlock()
	d := b.data()
	if len(d) > gzipDict {
		d = d[len(d)-gzipDict:]
	}
	next.dict = copy(next.in[gzipDict-len(d):gzipDict], d)
	z.cur = next
	return nil
}

// flushOne writes out the oldest block in flight.
func (z *gzipWriter) flushOne() error {
	b := z.flight[0]
	<-b.done
	z.flight = z.flight[1:]
	err := b.err
	if err == nil && !z.header {
		z.header = true
		_, err = z.w.Write(gzipHeader)
	}
	if err == nil {
		_, err = z.w.Write(b.out)
	}
	putBlock(b)
	if err != nil {
		z.fail(err)
	}
	return err
}

// fail ends the writer with err once the blocks in flight are done.
func (z *gzipWriter) fail(err error) {
	z.end()
	z.err = err
	for _, b := range z.flight {
		<-b.done
		putBlock(b)
	}
	z.flight = nil
	if z.cur != nil {
		putBlock(z.cur)
		z.cur = nil
	}
}

// Close compresses what is left, writes every block and gzip's trailer.
// It does not close w.
func (z *gzipWriter) Close() error {
	if z.err != nil {
		if z.err == errGzipClosed {
			return nil
		}
		return z.err
	}
	if err := z.send(true); err != nil {
		return err
	}
	for len(z.flight) > 0 {
		if err := z.flushOne(); err != nil {
			return err
		}
	}
	z.end()
	var trailer [8]byte
	binary.LittleEndian.PutUint32(trailer[:4], z.crc)
	binary.LittleEndian.PutUint32(trailer[4:], z.size)
	z.err = errGzipClosed
	_, err := z.w.Write(trailer[:])
	return err
}
