package pull

import (
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
	"golang.org/x/term"
)

// progress reports a pull the way `docker pull` does.
type progress interface {
	// line prints a status line (nothing when quiet).
	line(format string, a ...any)
	// layer starts reporting one layer.
	layer(id string, size int64) layerBar
	// wait flushes live output before the final lines.
	wait()
}

// layerBar follows one layer through its states.
type layerBar interface {
	exists()
	waiting()
	add(n int)
	retry(attempt int, after time.Duration)
	extracted()
	complete()
	fail()
}

// newProgress picks live bars for a terminal, plain lines otherwise, and
// nothing at all when quiet.
func newProgress(out io.Writer, quiet bool) progress {
	if quiet || out == nil {
		return quietProgress{}
	}
	if f, ok := out.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return &barProgress{out: out, p: mpb.New(mpb.WithOutput(out), mpb.WithWidth(40), mpb.WithRefreshRate(150*time.Millisecond))}
	}
	return &plainProgress{out: out}
}

type quietProgress struct{}

func (quietProgress) line(string, ...any)          {}
func (quietProgress) layer(string, int64) layerBar { return quietBar{} }
func (quietProgress) wait()                        {}
func (quietBar) exists()                           {}
func (quietBar) waiting()                          {}
func (quietBar) add(int)                           {}
func (quietBar) retry(int, time.Duration)          {}
func (quietBar) extracted()                        {}
func (quietBar) complete()                         {}
func (quietBar) fail()                             {}

type quietBar struct{}

// plainProgress writes Docker's non-terminal lines: "<id>: Pulling fs
// layer", "<id>: Already exists", "<id>: Pull complete".
type plainProgress struct {
	mu  sync.Mutex
	out io.Writer
}

func (p *plainProgress) line(format string, a ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.out, format+"\n", a...)
}

func (p *plainProgress) layer(id string, _ int64) layerBar { return &plainBar{p: p, id: id} }
func (p *plainProgress) wait()                             {}

type plainBar struct {
	p  *plainProgress
	id string
}

func (b *plainBar) exists()    { b.p.line("%s: Already exists", b.id) }
func (b *plainBar) waiting()   { b.p.line("%s: Pulling fs layer", b.id) }
func (b *plainBar) add(int)    {}
func (b *plainBar) extracted() {}
func (b *plainBar) complete()  { b.p.line("%s: Pull complete", b.id) }
func (b *plainBar) fail()      {}
func (b *plainBar) retry(attempt int, after time.Duration) {
	b.p.line("%s: Retrying in %s", b.id, after.Round(time.Second/10))
}

// barProgress keeps one live line per layer: id, state, bytes and rate.
type barProgress struct {
	out  io.Writer
	p    *mpb.Progress
	done bool
}

// line prints above the bars while they run, and plainly after wait.
func (p *barProgress) line(format string, a ...any) {
	if p.done {
		fmt.Fprintf(p.out, format+"\n", a...)
		return
	}
	fmt.Fprintf(p.p, format+"\n", a...)
}

func (p *barProgress) layer(id string, size int64) layerBar {
	b := &liveBar{size: size}
	b.state.Store("Waiting")
	total := size
	if total <= 0 {
		total = 1
	}
	b.bar = p.p.New(total, mpb.BarStyle().Lbound("[").Rbound("]").Filler("=").Tip(">").Padding(" "),
		mpb.BarFillerClearOnComplete(),
		mpb.PrependDecorators(
			decor.Name(id+": "),
			decor.Any(func(decor.Statistics) string { return b.state.Load().(string) }, decor.WC{W: 18, C: decor.DindentRight}),
		),
		mpb.AppendDecorators(
			decor.OnComplete(decor.Counters(decor.SizeB1000(0), "% .1f / % .1f"), ""),
			decor.OnComplete(decor.AverageSpeed(decor.SizeB1000(0), " % .1f", decor.WCSyncSpace), ""),
		),
	)
	return b
}

func (p *barProgress) wait() {
	if !p.done {
		p.done = true
		p.p.Wait()
	}
}

type liveBar struct {
	bar   *mpb.Bar
	size  int64
	state atomic.Value
}

func (b *liveBar) exists() {
	b.state.Store("Already exists")
	b.bar.SetTotal(-1, true)
}
func (b *liveBar) waiting() { b.state.Store("Waiting") }
func (b *liveBar) add(n int) {
	b.state.Store("Downloading")
	b.bar.IncrBy(n)
}
func (b *liveBar) retry(attempt int, after time.Duration) {
	b.state.Store(fmt.Sprintf("Retrying in %s", after.Round(time.Second/10)))
	b.bar.SetCurrent(0)
}
func (b *liveBar) extracted() { b.state.Store("Extracting") }
func (b *liveBar) complete() {
	b.state.Store("Pull complete")
	b.bar.SetTotal(-1, true)
}
func (b *liveBar) fail() {
	b.state.Store("Failed")
	b.bar.Abort(false)
}
