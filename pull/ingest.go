package pull

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"pocket/fs"
	"pocket/privilege"
	"pocket/store"
)

// Tunables; tests shorten them.
var (
	stallTimeout  = 60 * time.Second // no bytes for this long cancels a transfer
	layerAttempts = 3                // a failed layer restarts from scratch this often
	parallel      = 3                // layers downloaded at once, as dockerd
)

// unpacks counts layer fills, so tests can see each layer unpacked once.
var unpacks atomic.Int64

// layerJob is one layer to bring into the store.
type layerJob struct {
	diffID v1.Hash
	digest v1.Hash // of the bytes open returns; zero when unknown (docker-save)
	size   int64   // of those bytes, for progress; 0 when unknown
	open   func(ctx context.Context) (io.ReadCloser, error)
}

// shortID is the 12-hex-digit id Docker prints for a layer.
func (j layerJob) shortID() string {
	h := j.digest
	if h.Hex == "" {
		h = j.diffID
	}
	if len(h.Hex) < 12 {
		return h.Hex
	}
	return h.Hex[:12]
}

// ingestLayers stores every missing layer, a few at once, each streamed
// straight from its source through digest checks into fs.Unpack. It returns
// how many layers it had to fetch.
func ingestLayers(ctx context.Context, s *store.Store, jobs []layerJob, prog progress) (int, error) {
	bars := make([]layerBar, len(jobs))
	var todo []int
	for i, j := range jobs {
		bars[i] = prog.layer(j.shortID(), j.size)
		// A layer in the store is used only once it checks out (see
		// store.CheckLayer); a damaged one was removed and is fetched again.
		if s.HasLayer(j.diffID) && s.CheckLayer(j.diffID, fs.OptionsFor(privilege.Rootless())) == nil {
			bars[i].exists()
			continue
		}
		bars[i].waiting()
		todo = append(todo, i)
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	for _, i := range todo {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return
			}
			defer func() { <-sem }()
			if err := ingestLayer(ctx, s, jobs[i], bars[i]); err != nil {
				once.Do(func() { first = err; cancel(err) })
			}
		}()
	}
	wg.Wait()
	if first == nil && ctx.Err() != nil {
		first = context.Cause(ctx)
	}
	return len(todo), first
}

// ingestLayer stores one layer, restarting it from scratch after transient
// failures (reset connections, 5xx, stalls).
func ingestLayer(ctx context.Context, s *store.Store, j layerJob, bar layerBar) error {
	delay := retryBackoff.Duration
	for attempt := 1; ; attempt++ {
		var fillErr error
		err := s.PutLayer(j.diffID, func(dir string, meta io.Writer) (v1.Hash, error) {
			unpacks.Add(1)
			d, err := fill(ctx, j, dir, meta, bar)
			fillErr = err
			return d, err
		})
		if fillErr != nil && errors.Is(err, fillErr) {
			err = fillErr // our own message names the layer well enough
		}
		if err == nil {
			bar.complete()
			return nil
		}
		if ctx.Err() != nil {
			return context.Cause(ctx)
		}
		if attempt >= layerAttempts || !retryable(err) {
			bar.fail()
			return fmt.Errorf("layer %s: %w", j.shortID(), err)
		}
		bar.retry(attempt, delay)
		select {
		case <-time.After(delay):
		case <-ctx.Done():
			return context.Cause(ctx)
		}
		delay = time.Duration(float64(delay) * retryBackoff.Factor)
	}
}

// fill streams one layer: source -> compressed digest -> fs.Decompress ->
// diffID hash -> fs.Unpack, with a watchdog that cancels a stalled source.
func fill(ctx context.Context, j layerJob, dir string, meta io.Writer, bar layerBar) (v1.Hash, error) {
	lctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	timer := time.AfterFunc(stallTimeout, func() { cancel(ErrStalled) })
	defer timer.Stop()
	stalled := func(err error) error {
		if errors.Is(context.Cause(lctx), ErrStalled) {
			return fmt.Errorf("%w: no data for %s (hint: check the network, or retry)", ErrStalled, stallTimeout)
		}
		return err
	}

	rc, err := j.open(lctx)
	if err != nil {
		return v1.Hash{}, stalled(err)
	}
	defer rc.Close()
	src := &watchdog{r: rc, timer: timer, bar: bar, ctx: lctx}
	blob := sha256.New()
	tee := io.TeeReader(src, blob)
	tarStream, err := fs.Decompress(tee)
	if err != nil {
		return v1.Hash{}, stalled(badContent(mismatch(err, src, tee, blob, j), err, src))
	}
	defer tarStream.Close()
	diffID, err := fs.UnpackDigest(tarStream, dir, meta, fs.OptionsFor(privilege.Rootless()))
	if err == nil {
		// The compression trailer is part of the digested blob: read it.
		_, err = io.Copy(io.Discard, tee)
	}
	if err != nil {
		return v1.Hash{}, stalled(badContent(mismatch(err, src, tee, blob, j), err, src))
	}
	if err := checkDigest(blob, j); err != nil {
		return v1.Hash{}, err
	}
	bar.extracted()
	return v1.Hash{Algorithm: "sha256", Hex: diffID}, nil
}

// mismatch reports a corrupted blob as a digest error rather than as the
// decompression or tar error it caused: when the source itself read fine,
// the rest of the blob is read and its digest checked.
func mismatch(err error, src *watchdog, tee io.Reader, blob hash.Hash, j layerJob) error {
	if src.err != nil {
		if strings.Contains(src.err.Error(), "error verifying") {
			if derr := checkDigest(blob, j); derr != nil {
				return derr
			}
			return fmt.Errorf("%w: blob %s: %v", store.ErrDigestMismatch, j.digest, src.err)
		}
		return err
	}
	if j.digest.Hex == "" {
		return err
	}
	if _, cerr := io.Copy(io.Discard, tee); cerr != nil {
		if strings.Contains(cerr.Error(), "error verifying") {
			if derr := checkDigest(blob, j); derr != nil {
				return derr
			}
			return fmt.Errorf("%w: blob %s: %v", store.ErrDigestMismatch, j.digest, cerr)
		}
		return err
	}
	if derr := checkDigest(blob, j); derr != nil {
		return derr
	}
	return err
}

func checkDigest(blob hash.Hash, j layerJob) error {
	if j.digest.Hex == "" {
		return nil
	}
	if got := hex.EncodeToString(blob.Sum(nil)); got != j.digest.Hex {
		return fmt.Errorf("%w: blob %s has sha256:%s", store.ErrDigestMismatch, j.digest, got)
	}
	return nil
}

// watchdog feeds progress and re-arms the stall timer on every byte.
// badContent marks as ErrBadLayer an unpack error that is the layer's own
// fault: the source delivered every byte it was asked for, the blob's
// digest did not contradict it (err is still the unpack error) and the
// disk did not fail. Such a layer is refused again on every retry, and the
// network is not to blame.
func badContent(err, unpackErr error, src *watchdog) error {
	if err != unpackErr || src.err != nil || localFault(err) || src.ctx.Err() != nil {
		return err
	}
	return fmt.Errorf("%w: %w", ErrBadLayer, err)
}

type watchdog struct {
	r     io.Reader
	timer *time.Timer
	bar   layerBar
	ctx   context.Context
	err   error // the source's own failure, if any (not io.EOF)
}

func (w *watchdog) Read(p []byte) (int, error) {
	if w.ctx.Err() != nil {
		w.err = context.Cause(w.ctx)
		return 0, w.err
	}
	n, err := w.r.Read(p)
	if n > 0 {
		w.timer.Reset(stallTimeout)
		w.bar.add(n)
	}
	if err != nil && err != io.EOF {
		w.err = err
		if errors.Is(context.Cause(w.ctx), ErrStalled) {
			w.err = ErrStalled
		}
	}
	return n, err
}
