package store

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestVolumes(t *testing.T) {
	s := newStore(t)
	named, err := s.CreateVolume("data", false)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(s.Root(), "volumes", "data", "_data"); named.Mountpoint != want {
		t.Errorf("Mountpoint = %q, want %q", named.Mountpoint, want)
	}
	if err := os.WriteFile(filepath.Join(named.Mountpoint, "f"), []byte("12345"), 0o644); err != nil {
		t.Fatal(err)
	}
	again, err := s.CreateVolume("data", false)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(named, again); diff != "" {
		t.Errorf("existing volume (-want +got):\n%s", diff)
	}
	anon, err := s.CreateVolume("", true)
	if err != nil {
		t.Fatal(err)
	}
	if !sha256Hex.MatchString(anon.Name) || !anon.Anonymous {
		t.Errorf("anonymous volume %+v", anon)
	}
	for _, bad := range []string{"a", "-x", "x/y", "../etc", "with space"} {
		if _, err := s.CreateVolume(bad, false); !errors.Is(err, ErrBadName) {
			t.Errorf("CreateVolume(%q) err = %v, want ErrBadName", bad, err)
		}
	}
	if _, err := s.Volume("nope"); !errors.Is(err, ErrVolumeUnknown) {
		t.Errorf("Volume(nope) err = %v, want ErrVolumeUnknown", err)
	}
	vols, err := s.Volumes()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, v := range vols {
		names = append(names, v.Name)
	}
	if diff := cmp.Diff(sorted([]string{"data", anon.Name}), names); diff != "" {
		t.Errorf("Volumes (-want +got):\n%s", diff)
	}

	cid := strings.Repeat("c", 64)
	if err := s.CreateContainer(&Container{ID: cid, Name: "user", Image: addImage(t, s, "", 0, "x").ID, Volumes: []string{"data"}}); err != nil {
		t.Fatal(err)
	}
	err = s.RemoveVolume("data", false)
	if !errors.Is(err, ErrVolumeInUse) || !strings.Contains(err.Error(), cid[:12]) {
		t.Errorf("RemoveVolume in use: err = %v, want ErrVolumeInUse naming %s", err, cid[:12])
	}
	if err := s.RemoveVolume("nope", false); !errors.Is(err, ErrVolumeUnknown) {
		t.Errorf("RemoveVolume(nope) err = %v, want ErrVolumeUnknown", err)
	}
	if err := s.RemoveVolume("nope", true); err != nil {
		t.Errorf("RemoveVolume(nope, force) err = %v, want nil", err)
	}
}

func TestPruneVolumes(t *testing.T) {
	tests := []struct {
		name      string
		all       bool
		wantNames []string
		wantBytes int64
	}{
		{"anonymous only", false, []string{"ANON"}, 3},
		{"all", true, []string{"ANON", "named"}, 8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			anon, _ := s.CreateVolume("", true)
			named, _ := s.CreateVolume("named", false)
			used, _ := s.CreateVolume("", true)
			os.WriteFile(filepath.Join(anon.Mountpoint, "f"), []byte("abc"), 0o644)
			os.WriteFile(filepath.Join(named.Mountpoint, "f"), []byte("12345"), 0o644)
			if err := s.CreateContainer(&Container{Name: "user", Image: addImage(t, s, "", 0, "x").ID, Volumes: []string{used.Name}}); err != nil {
				t.Fatal(err)
			}
			got, freed, err := s.PruneVolumes(tt.all, nil)
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, n := range tt.wantNames {
				want = append(want, strings.ReplaceAll(n, "ANON", anon.Name))
			}
			if diff := cmp.Diff(sorted(want), sorted(got)); diff != "" {
				t.Errorf("pruned (-want +got):\n%s", diff)
			}
			if freed != tt.wantBytes {
				t.Errorf("freed = %d, want %d", freed, tt.wantBytes)
			}
			if _, err := s.Volume(used.Name); err != nil {
				t.Errorf("the used volume was pruned: %v", err)
			}
			if err := s.RemoveVolume(used.Name, true); err != nil {
				t.Errorf("forced removal of a used volume: %v", err)
			}
			if _, err := s.Volume(used.Name); !errors.Is(err, ErrVolumeUnknown) {
				t.Errorf("after forced removal: %v", err)
			}
		})
	}
}

// TestFillVolume: a volume is filled only while no running container uses
// it, and users wait for a fill under way.
func TestFillVolume(t *testing.T) {
	s := newStore(t)
	release, ok, err := s.FillVolume("data")
	if err != nil || !ok {
		t.Fatalf("FillVolume of an unused volume = %v, %v; want ok", ok, err)
	}
	used := make(chan func())
	go func() {
		r, err := s.UseVolume("data")
		if err != nil {
			t.Error(err)
		}
		used <- r
	}()
	release()
	r1 := <-used
	r2, err := s.UseVolume("data") // users share it
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, err := s.FillVolume("data"); ok || err != nil {
		t.Errorf("FillVolume of a volume in use = %v, %v; want not ok", ok, err)
	}
	r1()
	r2()
	release, ok, err = s.FillVolume("data")
	if err != nil || !ok {
		t.Fatalf("FillVolume once its users are gone = %v, %v; want ok", ok, err)
	}
	release()
}
