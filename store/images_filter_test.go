package store

import (
	"slices"
	"testing"
	"time"

	"pocket/filter"
)

func TestFilterImages(t *testing.T) {
	s := newStore(t)
	old := addImage(t, s, "old:1", time.Hour, "a").ID.Hex
	mid := addImage(t, s, "", 2*time.Hour, "b").ID.Hex // dangling
	young := addImage(t, s, "young:1", 3*time.Hour, "c").ID.Hex
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{nil, []string{old, mid, young}},
		{[]string{"dangling=true"}, []string{mid}},
		{[]string{"dangling=false"}, []string{old, young}},
		{[]string{"before=young:1"}, []string{old, mid}},
		{[]string{"since=old:1"}, []string{mid, young}},
		{[]string{"since=old:1", "dangling=false"}, []string{young}},
	} {
		f, err := filter.Parse(tc.args, ImageFilterKeys...)
		if err != nil {
			t.Fatal(err)
		}
		imgs, err := s.FilterImages(f)
		if err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		var got []string
		for _, img := range imgs {
			got = append(got, img.ID.Hex)
		}
		slices.Sort(got)
		want := slices.Clone(tc.want)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%v: %v, want %v", tc.args, got, want)
		}
	}
	f, _ := filter.Parse([]string{"dangling=maybe"}, ImageFilterKeys...)
	if _, err := s.FilterImages(f); err == nil {
		t.Error("dangling=maybe: no error")
	}
}
