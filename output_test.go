package main

import (
	"bytes"
	"testing"

	"github.com/google/go-cmp/cmp"

	"pocket/run"
)

// Every prune prints through printPruned, in Docker's format.
func TestPrintPruned(t *testing.T) {
	for _, tc := range []struct {
		name string
		r    run.PruneReport
		want string
	}{
		{"nothing, unmeasured", run.PruneReport{}, ""},
		{"nothing, measured", run.PruneReport{Measured: true}, "Total reclaimed space: 0B\n"},
		{"network", run.PruneReport{Networks: []string{"pocket0"}}, "Deleted Networks:\npocket0\n\n"},
		{"containers", run.PruneReport{Containers: []string{"abc", "def"}}, "Deleted Containers:\nabc\ndef\n\n"},
		{"volumes", run.PruneReport{Volumes: []string{"v1"}, Reclaimed: 2048, Measured: true},
			"Deleted Volumes:\nv1\n\nTotal reclaimed space: 2.048kB\n"},
		{"system", run.PruneReport{
			Containers: []string{"abc"}, Networks: []string{"pocket0"}, Images: []string{"sha256:01"},
			Reclaimed: 1500000, Measured: true,
		}, "Deleted Containers:\nabc\n\nDeleted Networks:\npocket0\n\nDeleted Images:\ndeleted: sha256:01\n\nTotal reclaimed space: 1.5MB\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			printPruned(&b, tc.r)
			if diff := cmp.Diff(tc.want, b.String()); diff != "" {
				t.Errorf("printPruned (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPrintLoaded(t *testing.T) {
	var b bytes.Buffer
	printLoaded(&b, []string{"busybox:latest", "sha256:0123"})
	want := "Loaded image: busybox:latest\nLoaded image ID: sha256:0123\n"
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("printLoaded (-want +got):\n%s", diff)
	}
}
