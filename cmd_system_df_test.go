package main

import (
	"bytes"
	"testing"

	"github.com/google/go-cmp/cmp"

	"pocket/run"
	"pocket/store"
)

// system df's summary as docker/cli's formatter prints it: an image in use
// is reclaimable but for its unique part, a running container's layer and
// a used volume are not reclaimable, the build cache shows no percentage.
func TestPrintDiskUsage(t *testing.T) {
	du := &run.DiskUsage{
		LayersSize: 3000,
		Images: []run.ImageUsage{
			{Image: store.Image{Size: 2000}, SharedSize: 1000, Containers: 1},
			{Image: store.Image{Size: 2000}, SharedSize: 1000},
		},
		Containers: []run.Summary{{State: "running", SizeRw: 100}, {State: "exited", SizeRw: 300}},
		Volumes:    []run.VolumeUsage{{Name: "a", Links: 1, Size: 10}, {Name: "b", Size: 30}},
		BuildCache: []run.BuildCacheRecord{{Size: 50, InUse: true}, {Size: 70}},
	}
	for _, tc := range []struct{ name, format, want string }{
		{"table", "",
			"TYPE            TOTAL     ACTIVE    SIZE      RECLAIMABLE\n" +
				"Images          2         1         3kB       2kB (66%)\n" +
				"Containers      2         1         400B      300B (75%)\n" +
				"Local Volumes   2         1         40B       30B (75%)\n" +
				"Build Cache     2         1         120B      70B\n"},
		{"template", "{{.Type}}={{.Active}}/{{.TotalCount}}", "Images=1/2\nContainers=1/2\nLocal Volumes=1/2\nBuild Cache=1/2\n"},
		{"json", "json", `{"Active":"1","Reclaimable":"2kB (66%)","Size":"3kB","TotalCount":"2","Type":"Images"}` + "\n" +
			`{"Active":"1","Reclaimable":"300B (75%)","Size":"400B","TotalCount":"2","Type":"Containers"}` + "\n" +
			`{"Active":"1","Reclaimable":"30B (75%)","Size":"40B","TotalCount":"2","Type":"Local Volumes"}` + "\n" +
			`{"Active":"1","Reclaimable":"70B","Size":"120B","TotalCount":"2","Type":"Build Cache"}` + "\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := printDiskUsage(&b, du, tc.format); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, b.String()); diff != "" {
				t.Errorf("system df (-want +got):\n%s", diff)
			}
		})
	}
}
