package pull

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
)

func TestPullByDigestIsUntagged(t *testing.T) {
	reg := newRegistry(t)
	img := simpleImage(t, "bydigest", 1)
	reg.push(t, "d/img:1", img)
	md, _ := img.Digest()
	ref := reg.host + "/d/img@" + md.String()
	var out bytes.Buffer
	got, err := Pull(context.Background(), openStore(t), mustRef(t, ref), Options{Out: &out})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Names) != 0 || len(got.Digests) != 1 || got.Digests[0] != ref {
		t.Errorf("Names = %v, Digests = %v; want no names and %s", got.Names, got.Digests, ref)
	}
	if !strings.HasSuffix(out.String(), "\n"+ref+"\n") {
		t.Errorf("output does not end with the reference:\n%s", out.String())
	}
}

func TestCancelLeavesNothing(t *testing.T) {
	img := simpleImage(t, "cancel", 2)
	ls, _ := img.Layers()
	d, _ := ls[1].Digest()
	reg := newRegistry(t)
	reg.push(t, "x/img:1", img)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	reg.setHook(func(w http.ResponseWriter, r *http.Request) bool {
		if !strings.HasSuffix(r.URL.Path, "/blobs/"+d.String()) || r.Method != http.MethodGet {
			return false
		}
		w.Header().Set("Content-Length", "100000")
		w.WriteHeader(http.StatusOK)
		w.Write(make([]byte, 100))
		w.(http.Flusher).Flush()
		cancel() // the user presses Ctrl-C mid-layer
		<-r.Context().Done()
		return true
	})
	s := openStore(t)
	_, err := Pull(ctx, s, mustRef(t, reg.host+"/x/img:1"), Options{})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if s.HasLayer(diffIDs(t, img)[1]) {
		t.Error("interrupted layer is in the store")
	}
	if imgs, _ := s.Images(); len(imgs) != 0 {
		t.Errorf("store has images after an interrupted pull: %v", imgs)
	}
}

func TestTerminalProgress(t *testing.T) {
	reg := newRegistry(t)
	reg.push(t, "tty/img:1", simpleImage(t, "tty", 2))
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pty: %v", err)
	}
	defer ptmx.Close()
	pty.Setsize(ptmx, &pty.Winsize{Rows: 40, Cols: 120})
	var out bytes.Buffer
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		io.Copy(&out, ptmx)
	}()
	_, err = Pull(context.Background(), openStore(t), mustRef(t, reg.host+"/tty/img:1"), Options{Out: tty})
	tty.Close()
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		ptmx.Close()
		<-done
	}
	for _, w := range []string{"Pull complete", "Digest: sha256:", reg.host + "/tty/img:1"} {
		if !strings.Contains(out.String(), w) {
			t.Errorf("terminal output lacks %q:\n%q", w, out.String())
		}
	}
}
