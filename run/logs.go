package run

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"time"

	"pocket/store"
)

// Logs prints a container's recorded output, each line to the stream it
// came from; with Follow it goes on until the container ends.
func Logs(ctx context.Context, s *store.Store, id string, o LogsOptions) error {
	c, err := load(s, id)
	if err != nil {
		return err
	}
	f, err := os.Open(filepath.Join(c.dir, logFile))
	if err != nil {
		return err
	}
	defer f.Close()
	r := bufio.NewReader(f)
	if o.Tail >= 0 {
		if err := skipToTail(f, o.Tail); err != nil {
			return err
		}
		r.Reset(f)
	}
	var partial []byte
	for {
		line, err := r.ReadBytes('\n')
		partial = append(partial, line...)
		if err == nil {
			if !printEntry(partial, o) {
				return nil
			}
			partial = nil
			continue
		}
		if err != io.EOF {
			return err
		}
		if !o.Follow {
			return nil
		}
		// At the end: stop once the container has ended and everything it
		// wrote (the monitor writes before it releases its lock) is read.
		running := monitorAlive(s, c.spec.ID)
		if !running {
			line, _ := io.ReadAll(r)
			for _, l := range bytes.SplitAfter(append(partial, line...), []byte("\n")) {
				if len(l) > 0 {
					printEntry(l, o)
				}
			}
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// printEntry prints one log line as o asks; false means past --until,
// where the log ends for this command.
func printEntry(line []byte, o LogsOptions) bool {
	var e logEntry
	if json.Unmarshal(line, &e) != nil {
		return true
	}
	if !o.Since.IsZero() && e.Time.Before(o.Since) {
		return true
	}
	if !o.Until.IsZero() && e.Time.After(o.Until) {
		return false
	}
	w := o.Stdout
	if e.Stream == "stderr" {
		w = o.Stderr
	}
	if w != nil {
		if o.Timestamps {
			io.WriteString(w, e.Time.UTC().Format(logTimeFormat)+" ")
		}
		io.WriteString(w, e.Log)
	}
	return true
}

// skipToTail positions f at the start of its last n lines.
func skipToTail(f *os.File, n int) error {
	end, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		return err
	}
	if n == 0 {
		return nil
	}
	const chunk = 32 * 1024
	pos, count := end, 0
	buf := make([]byte, chunk)
	for pos > 0 {
		size := int64(chunk)
		if pos < size {
			size = pos
		}
		pos -= size
		if _, err := f.ReadAt(buf[:size], pos); err != nil {
			return err
		}
		for i := size - 1; i >= 0; i-- {
			if buf[i] != '\n' || pos+i == end-1 {
				continue
			}
			if count++; count == n {
				_, err := f.Seek(pos+i+1, io.SeekStart)
				return err
			}
		}
	}
	_, err = f.Seek(0, io.SeekStart)
	return err
}
