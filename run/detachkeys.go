package run

import (
	"fmt"
	"io"
	"strings"
)

// DefaultDetachKeys are Docker's: ctrl-p then ctrl-q.
const DefaultDetachKeys = "ctrl-p,ctrl-q"

// ParseDetachKeys reads --detach-keys as Docker does: comma-separated
// keys, each a single character or ctrl-X for X in a-z, @, [, \, ], ^
// or _.
func ParseDetachKeys(v string) ([]byte, error) {
	var out []byte
	for _, k := range strings.Split(v, ",") {
		if len(k) == 1 {
			out = append(out, k[0])
			continue
		}
		c, ok := strings.CutPrefix(strings.ToLower(k), "ctrl-")
		if !ok || len(c) != 1 {
			return nil, fmt.Errorf("Invalid detach keys (%s) provided", v)
		}
		switch b := c[0]; {
		case b >= 'a' && b <= 'z':
			out = append(out, b-'a'+1)
		case b == '@':
			out = append(out, 0)
		case b >= '[' && b <= '_':
			out = append(out, b-'['+27)
		default:
			return nil, fmt.Errorf("Invalid detach keys (%s) provided", v)
		}
	}
	return out, nil
}

// errDetached is the user typing the detach keys.
var errDetached = fmt.Errorf("read escape sequence")

// escapeReader passes r through until keys arrive in a row, then fails
// with errDetached; a partial match is held back and passed on once it
// turns out to be none (Docker's term.EscapeProxy).
type escapeReader struct {
	r       io.Reader
	keys    []byte
	matched int
	pending []byte
}

func (e *escapeReader) Read(p []byte) (int, error) {
	if len(e.pending) > 0 {
		n := copy(p, e.pending)
		e.pending = e.pending[n:]
		return n, nil
	}
	buf := make([]byte, len(p))
	n, err := e.r.Read(buf)
	var out []byte
	for _, b := range buf[:n] {
		if b == e.keys[e.matched] {
			e.matched++
			if e.matched == len(e.keys) {
				return 0, errDetached
			}
			continue
		}
		out = append(out, e.keys[:e.matched]...)
		e.matched = 0
		if b == e.keys[0] {
			e.matched = 1
			continue
		}
		out = append(out, b)
	}
	if err != nil {
		// The end: a partial match was input after all.
		out = append(out, e.keys[:e.matched]...)
		e.matched = 0
	}
	c := copy(p, out)
	e.pending = append(e.pending, out[c:]...)
	if len(e.pending) > 0 && err != nil {
		err = nil // told once pending is out
	}
	if c == 0 && err == nil && n > 0 {
		// Everything read was held back: read on rather than report 0.
		return e.Read(p)
	}
	return c, err
}
