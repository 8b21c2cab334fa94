package build

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"pocket/store"
)

// buildTTY is Build with the tty view drawn on o.Stderr.
func buildTTY(ctx context.Context, s *store.Store, o Options) (v1.Hash, error) {
	p := NewProgress(o.Stderr, o.Stdout, o.TermWidth)
	o.Stdout, o.Stderr, o.Progress = p.Stdout(), p.Stderr(), "plain"
	id, err := Build(ctx, s, o)
	p.Close(err)
	return id, err
}

// Progress is --progress's tty view: the classic log pocket writes is
// read back line by line and drawn as BuildKit's compact view, one
// line per step once done ("=> [2/5] RUN make  1.2s", "=> CACHED
// [3/5] COPY ..."), and one line redrawn in place for the running step
// with its last line of output. A failed step's output is printed in
// full (its last maxFailLines lines), as BuildKit does. The closing
// lines (Successfully built/tagged) pass through to Stdout unchanged.
type Progress struct {
	mu      sync.Mutex
	term    io.Writer // where the view is drawn (a terminal)
	stdout  io.Writer // where the closing lines go
	width   int
	start   time.Time
	now     func() time.Time
	step    string // "[2/5] RUN make", "" between steps
	n, m    int
	began   time.Time
	cached  bool
	last    string   // the running step's last output line
	output  []string // its output, for a failure
	partial [2]bytes.Buffer
	drawn   bool
	stop    chan struct{}
	stopped chan struct{}
}

const maxFailLines = 200

var progressStep = regexp.MustCompile(`^Step (\d+)/(\d+) : (.*)$`)

// NewProgress draws on term (width columns, 80 when unknown) and passes
// the closing lines to stdout. Its Stdout and Stderr writers take the
// build's output; Close ends the view, with the failed step's output
// when err is not nil.
func NewProgress(term, stdout io.Writer, width int) *Progress {
	if width <= 0 {
		width = 80
	}
	p := &Progress{term: term, stdout: stdout, width: width, now: time.Now, stop: make(chan struct{}), stopped: make(chan struct{})}
	p.start = p.now()
	go p.tick()
	return p
}

// tick redraws the running step's line so its time moves.
func (p *Progress) tick() {
	defer close(p.stopped)
	t := time.NewTicker(200 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-t.C:
			p.mu.Lock()
			p.draw()
			p.mu.Unlock()
		}
	}
}

// Stdout and Stderr are the writers the build writes its output to.
func (p *Progress) Stdout() io.Writer { return progressWriter{p, 0} }
func (p *Progress) Stderr() io.Writer { return progressWriter{p, 1} }

type progressWriter struct {
	p      *Progress
	stream int
}

func (w progressWriter) Write(b []byte) (int, error) {
	w.p.mu.Lock()
	defer w.p.mu.Unlock()
	buf := &w.p.partial[w.stream]
	buf.Write(b)
	for {
		line, err := buf.ReadString('\n')
		if err != nil {
			// Not a whole line yet: keep it for the next write.
			rest := []byte(line)
			buf.Reset()
			buf.Write(rest)
			break
		}
		w.p.line(strings.TrimRight(line, "\r\n"), w.stream)
	}
	w.p.draw()
	return len(b), nil
}

// line takes one line of the classic log.
func (p *Progress) line(s string, stream int) {
	if stream == 0 {
		if m := progressStep.FindStringSubmatch(s); m != nil {
			p.finish()
			fmt.Sscan(m[1], &p.n)
			fmt.Sscan(m[2], &p.m)
			p.step = fmt.Sprintf("[%s/%s] %s", m[1], m[2], m[3])
			p.began, p.cached, p.last, p.output = p.now(), false, "", nil
			return
		}
		switch {
		case s == " ---> Using cache":
			p.cached = true
			return
		case strings.HasPrefix(s, " ---> "), strings.HasPrefix(s, "Removing intermediate container "):
			return
		case strings.HasPrefix(s, "Successfully built "), strings.HasPrefix(s, "Successfully tagged "), strings.HasPrefix(s, "[Warning] "):
			p.finish()
			p.clear()
			fmt.Fprintln(p.stdout, s)
			return
		}
	}
	if p.step == "" {
		p.clear()
		fmt.Fprintln(p.term, s)
		return
	}
	p.last = s
	p.output = append(p.output, s)
	if len(p.output) > maxFailLines {
		p.output = p.output[len(p.output)-maxFailLines:]
	}
}

// finish prints the running step's line for good.
func (p *Progress) finish() {
	if p.step == "" {
		return
	}
	p.clear()
	if p.cached {
		fmt.Fprintf(p.term, "=> CACHED %s\n", p.fit(p.step, 10))
	} else {
		d := fmt.Sprintf("%.1fs", p.now().Sub(p.began).Seconds())
		fmt.Fprintf(p.term, "=> %s  %s\n", p.fit(p.step, 6+len(d)), d)
	}
	p.step = ""
}

// draw redraws the running step's line in place.
func (p *Progress) draw() {
	if p.step == "" {
		return
	}
	head := fmt.Sprintf("[+] Building %.1fs (%d/%d) => ", p.now().Sub(p.start).Seconds(), p.n, p.m)
	s := head + p.step
	if p.last != "" {
		s += " | " + p.last
	}
	fmt.Fprint(p.term, "\r\033[K"+p.fit(s, 1))
	p.drawn = true
}

// clear erases the line draw drew.
func (p *Progress) clear() {
	if p.drawn {
		fmt.Fprint(p.term, "\r\033[K")
		p.drawn = false
	}
}

// fit cuts s to the width less reserve, counting runes.
func (p *Progress) fit(s string, reserve int) string {
	s = strings.Map(func(r rune) rune {
		if r < ' ' {
			return ' '
		}
		return r
	}, s)
	max := p.width - reserve
	if max < 10 {
		max = 10
	}
	if r := []rune(s); len(r) > max {
		return string(r[:max-1]) + "…"
	}
	return s
}

// Close ends the view. After a failure the failed step's output is
// printed, as BuildKit prints the log of the step that failed.
func (p *Progress) Close(err error) {
	close(p.stop)
	<-p.stopped
	p.mu.Lock()
	defer p.mu.Unlock()
	for i := range p.partial {
		if p.partial[i].Len() > 0 {
			p.line(p.partial[i].String(), i)
			p.partial[i].Reset()
		}
	}
	if err != nil && p.step != "" {
		p.clear()
		fmt.Fprintf(p.term, "=> ERROR %s\n", p.fit(p.step, 9))
		for _, l := range p.output {
			fmt.Fprintf(p.term, "   %s\n", l)
		}
		p.step = ""
		return
	}
	p.finish()
	p.clear()
}
