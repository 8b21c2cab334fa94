package store

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestContainers(t *testing.T) {
	s := newStore(t)
	img := addImage(t, s, "alpine", 0, "base")
	ida := "abc" + strings.Repeat("1", 61)
	idb := "abd" + strings.Repeat("2", 61)
	a := &Container{ID: ida, Name: "/web", Image: img.ID, Created: t0}
	b := &Container{ID: idb, Name: "db", Image: img.ID, Created: t0.Add(time.Minute)}
	for _, c := range []*Container{a, b} {
		if err := s.CreateContainer(c); err != nil {
			t.Fatal(err)
		}
	}
	if a.Name != "web" {
		t.Errorf("name stored as %q, want web", a.Name)
	}
	if _, err := os.Stat(filepath.Join(s.ContainerDir(ida), "record.json")); err != nil {
		t.Errorf("container dir: %v", err)
	}
	all, err := s.Containers()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]Container{*b, *a}, all); diff != "" {
		t.Errorf("Containers, newest first (-want +got):\n%s", diff)
	}

	err = s.CreateContainer(&Container{Name: "web", Image: img.ID})
	if !errors.Is(err, ErrNameInUse) {
		t.Fatalf("duplicate name: err = %v, want ErrNameInUse", err)
	}
	if want := `conflict: the container name "/web" is already in use by container "` + ida + `"`; !strings.HasPrefix(err.Error(), want) {
		t.Errorf("message %q, want prefix %q", err, want)
	}
	if err := s.CreateContainer(&Container{ID: ida, Name: "other", Image: img.ID}); !errors.Is(err, ErrNameInUse) {
		t.Errorf("duplicate ID: err = %v, want ErrNameInUse", err)
	}
	if err := s.CreateContainer(&Container{Name: "bad name", Image: img.ID}); !errors.Is(err, ErrBadName) {
		t.Errorf("bad name: err = %v, want ErrBadName", err)
	}
	if err := s.CreateContainer(&Container{Name: "noimage", Image: sha("none")}); !errors.Is(err, ErrImageUnknown) {
		t.Errorf("unknown image: err = %v, want ErrImageUnknown", err)
	}
	gen := &Container{Image: img.ID}
	if err := s.CreateContainer(gen); err != nil {
		t.Fatal(err)
	}
	if len(gen.ID) != 64 || gen.Name == "" {
		t.Errorf("generated ID %q, name %q", gen.ID, gen.Name)
	}

	tests := []struct {
		ref     string
		want    string
		wantErr error
		msg     string
	}{
		{ref: ida, want: ida},
		{ref: "web", want: ida},
		{ref: "/web", want: ida},
		{ref: "db", want: idb},
		{ref: "abd", want: idb},
		{ref: "abc1", want: ida},
		{ref: "ab", wantErr: ErrAmbiguous},
		{ref: "nope", wantErr: ErrContainerUnknown, msg: "no such container: nope"},
		{ref: "", wantErr: ErrContainerUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.ref, func(t *testing.T) {
			c, err := s.LookupContainer(tt.ref)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				if tt.msg != "" && err.Error() != tt.msg {
					t.Errorf("message %q, want %q", err, tt.msg)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.ID != tt.want {
				t.Errorf("found %s, want %s", c.ID, tt.want)
			}
		})
	}

	if err := s.RemoveContainer(ida); err != nil {
		t.Fatal(err)
	}
	if _, err := s.LookupContainer("web"); !errors.Is(err, ErrContainerUnknown) {
		t.Errorf("after remove: err = %v, want ErrContainerUnknown", err)
	}
	if _, err := os.Stat(s.ContainerDir(ida)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("container dir still there: %v", err)
	}
	if err := s.RemoveContainer(ida); !errors.Is(err, ErrContainerUnknown) {
		t.Errorf("second remove: err = %v, want ErrContainerUnknown", err)
	}
	// The name is free again.
	if err := s.CreateContainer(&Container{Name: "web", Image: img.ID}); err != nil {
		t.Errorf("reusing a freed name: %v", err)
	}
	if diff := cmp.Diff([]string{}, dirNames(t, filepath.Join(s.Root(), "tmp"))); diff != "" {
		t.Errorf("tmp/ not empty (-want +got):\n%s", diff)
	}
}

func TestCreateContainerConcurrentName(t *testing.T) {
	s := newStore(t)
	img := addImage(t, s, "alpine", 0, "base")
	const n = 10
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		si := reopen(t, s) // separate lock descriptions, as separate processes
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = si.CreateContainer(&Container{Name: "job", Image: img.ID})
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, ErrNameInUse):
			t.Errorf("unexpected error: %v", err)
		}
	}
	if ok != 1 {
		t.Errorf("%d creators got the name, want 1", ok)
	}
	all, _ := s.Containers()
	if len(all) != 1 {
		t.Errorf("%d records, want 1", len(all))
	}
}
