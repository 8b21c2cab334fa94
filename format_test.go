package main

import (
	"bytes"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"pocket/run"
)

// Golden output of --format templates, the contract docker/cli's
// formatter tests spell out: table headers by field, `\t` escapes, one
// line a row, the template functions.
func TestPrintContainersTemplate(t *testing.T) {
	created := time.Now().Add(-time.Hour)
	rows := []run.Summary{
		{ID: "0123456789abcdef0123", Name: "web", Image: "busybox", Command: "sleep 100", FullCommand: "sleep 100",
			Created: created, Status: "Up 5 minutes", State: "running", Network: "bridge"},
		{ID: "fedcba98765432100000", Name: "db-long-name", Image: "alpine:3.20", Command: "sh -c 'for i in 1 2…",
			FullCommand: "sh -c 'for i in 1 2 3; do echo $i; done'", Created: created, Status: "Exited (3) 1 minute ago",
			State: "exited", Mounts: []string{"data", "/srv"}},
	}
	for _, tc := range []struct {
		name    string
		o       listOpts
		want    string
		wantErr bool
	}{
		{name: "names and status", o: listOpts{format: `{{.Names}}\t{{.Status}}`},
			want: "web\tUp 5 minutes\ndb-long-name\tExited (3) 1 minute ago\n"},
		{name: "table headers", o: listOpts{format: `table {{.ID}}\t{{.Names}}\t{{.State}}`},
			want: "CONTAINER ID   NAMES          STATE\n" +
				"0123456789ab   web            running\n" +
				"fedcba987654   db-long-name   exited\n"},
		{name: "table RunningFor heads CREATED", o: listOpts{format: `table {{.Names}}\t{{.RunningFor}}`},
			want: "NAMES          CREATED\nweb            About an hour ago\ndb-long-name   About an hour ago\n"},
		{name: "no-trunc", o: listOpts{format: `{{.ID}} {{.Command}}`, noTrunc: true},
			want: "0123456789abcdef0123 \"sleep 100\"\nfedcba98765432100000 \"sh -c 'for i in 1 2 3; do echo $i; done'\"\n"},
		{name: "functions", o: listOpts{format: `{{upper .Names}} {{truncate .ID 4}} {{pad .State 1 1}}|{{json .Mounts}}`},
			want: "WEB 0123  running |\"\"\nDB-LONG-NAME fedc  exited |\"data,/srv\"\n"},
		{name: "local volumes and networks", o: listOpts{format: `{{.Names}}:{{.LocalVolumes}}:{{.Networks}}`},
			want: "web:0:bridge\ndb-long-name:1:\n"},
		{name: "quiet wins over format", o: listOpts{format: `{{.Names}}`, quiet: true},
			want: "0123456789ab\nfedcba987654\n"},
		// docker/cli's containerContext as JSON: every field a string, keys
		// sorted, Command quoted, no HTML escapes.
		{name: "json as docker ps", o: listOpts{format: `json`},
			want: `{"Command":"\"sleep 100\"","CreatedAt":"` + dockerCreated(created) + `","ID":"0123456789ab","Image":"busybox",` +
				`"Labels":"","LocalVolumes":"0","Mounts":"","Names":"web","Networks":"bridge","Ports":"","RunningFor":"About an hour ago",` +
				`"Size":"0B","State":"running","Status":"Up 5 minutes"}` + "\n" +
				`{"Command":"\"sh -c 'for i in 1 2…\"","CreatedAt":"` + dockerCreated(created) + `","ID":"fedcba987654","Image":"alpine:3.20",` +
				`"Labels":"","LocalVolumes":"1","Mounts":"data,/srv","Names":"db-long-name","Networks":"","Ports":"","RunningFor":"About an hour ago",` +
				`"Size":"0B","State":"exited","Status":"Exited (3) 1 minute ago"}` + "\n"},
		{name: "bad template", o: listOpts{format: `{{.Names`}, wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			err := printContainers(&b, append([]run.Summary(nil), rows...), tc.o)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err: %v, want error %v", err, tc.wantErr)
			}
			if diff := cmp.Diff(tc.want, b.String()); !tc.wantErr && diff != "" {
				t.Errorf("printContainers (-want +got):\n%s", diff)
			}
		})
	}
}

// dockerCreated is Docker's CreatedAt: time.Time's String in local time,
// to the second.
func dockerCreated(tm time.Time) string {
	return tm.Local().Format("2006-01-02 15:04:05 -0700 MST")
}

func TestPrintImagesTemplate(t *testing.T) {
	rows := []imageRow{
		{Repository: "busybox", Tag: "latest", Digest: "<none>", ID: "0123456789ab", fullID: "sha256:0123456789abcdef",
			CreatedAt: "2024-01-01 00:00:00 +0000 UTC", Created: "2 years ago", Size: "4.26MB"},
		{Repository: "<none>", Tag: "<none>", Digest: "<none>", ID: "fedcba987654", fullID: "sha256:fedcba9876543210",
			CreatedAt: "2024-01-01 00:00:00 +0000 UTC", Created: "2 years ago", Size: "1kB"},
	}
	for _, tc := range []struct {
		name string
		o    listOpts
		want string
	}{
		{"repo:tag", listOpts{format: `{{.Repository}}:{{.Tag}}`}, "busybox:latest\n<none>:<none>\n"},
		{"table", listOpts{format: `table {{.Repository}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}`},
			"REPOSITORY   IMAGE ID       CREATED       SIZE\n" +
				"busybox      0123456789ab   2 years ago   4.26MB\n" +
				"<none>       fedcba987654   2 years ago   1kB\n"},
		{"no-trunc", listOpts{format: `{{.ID}}`, noTrunc: true}, "sha256:0123456789abcdef\nsha256:fedcba9876543210\n"},
		{"json of a row", listOpts{format: `{{json .}}`},
			`{"Containers":"N/A","CreatedAt":"2024-01-01 00:00:00 +0000 UTC","CreatedSince":"2 years ago","Digest":"<none>",` +
				`"ID":"0123456789ab","Repository":"busybox","SharedSize":"N/A","Size":"4.26MB","Tag":"latest","UniqueSize":"N/A","VirtualSize":"4.26MB"}` + "\n" +
				`{"Containers":"N/A","CreatedAt":"2024-01-01 00:00:00 +0000 UTC","CreatedSince":"2 years ago","Digest":"<none>",` +
				`"ID":"fedcba987654","Repository":"<none>","SharedSize":"N/A","Size":"1kB","Tag":"<none>","UniqueSize":"N/A","VirtualSize":"1kB"}` + "\n"},
		{"format json is {{json .}}", listOpts{format: `json`},
			`{"Containers":"N/A","CreatedAt":"2024-01-01 00:00:00 +0000 UTC","CreatedSince":"2 years ago","Digest":"<none>",` +
				`"ID":"0123456789ab","Repository":"busybox","SharedSize":"N/A","Size":"4.26MB","Tag":"latest","UniqueSize":"N/A","VirtualSize":"4.26MB"}` + "\n" +
				`{"Containers":"N/A","CreatedAt":"2024-01-01 00:00:00 +0000 UTC","CreatedSince":"2 years ago","Digest":"<none>",` +
				`"ID":"fedcba987654","Repository":"<none>","SharedSize":"N/A","Size":"1kB","Tag":"<none>","UniqueSize":"N/A","VirtualSize":"1kB"}` + "\n"},
		// Docker's default table: columns at least 10 wide ("TAG       ").
		{"default table", listOpts{},
			"REPOSITORY   TAG       IMAGE ID       CREATED       SIZE\n" +
				"busybox      latest    0123456789ab   2 years ago   4.26MB\n" +
				"<none>       <none>    fedcba987654   2 years ago   1kB\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := printImages(&b, append([]imageRow(nil), rows...), tc.o, false); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, b.String()); diff != "" {
				t.Errorf("printImages (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPrintNetworksAndVolumes(t *testing.T) {
	var b bytes.Buffer
	if err := printNetworks(&b, run.NetworkList(nil), listOpts{format: `table {{.Name}}\t{{.Driver}}\t{{.Scope}}`}); err != nil {
		t.Fatal(err)
	}
	want := "NAME      DRIVER    SCOPE\nbridge    bridge    local\nhost      host      local\nnone      null      local\n"
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("network ls (-want +got):\n%s", diff)
	}
	b.Reset()
	vols := []run.VolumeSummary{{Driver: "local", Name: "data", Scope: "local", Labels: "a=b"}}
	if err := printVolumes(&b, vols, false, `table {{.Name}}\t{{.Labels}}\t{{.Scope}}`); err != nil {
		t.Fatal(err)
	}
	want = "VOLUME NAME   LABELS    SCOPE\ndata          a=b       local\n"
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("volume ls (-want +got):\n%s", diff)
	}
	for _, tc := range []struct{ format, want string }{
		// docker volume ls --format json: docker/cli's keys, sorted.
		{"json", `{"Driver":"local","Labels":"a=b","Links":"N/A","Mountpoint":"/v/data","Name":"data","Scope":"local","Size":"N/A"}` + "\n"},
		{"", "DRIVER    VOLUME NAME\nlocal     data\n"},
	} {
		b.Reset()
		vols := []run.VolumeSummary{{Driver: "local", Name: "data", Scope: "local", Labels: "a=b", Links: "N/A", Size: "N/A", Mountpoint: "/v/data"}}
		if err := printVolumes(&b, vols, false, tc.format); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tc.want, b.String()); diff != "" {
			t.Errorf("volume ls --format %q (-want +got):\n%s", tc.format, diff)
		}
	}
}

func TestPrintInspectTemplate(t *testing.T) {
	obj := map[string]any{"State": map[string]any{"Running": false, "ExitCode": 137, "Pid": 123456789},
		"Config": map[string]any{"Env": []string{"A=1", "B=2"}}}
	var b bytes.Buffer
	if err := printInspectTemplate(&b, []any{obj, obj}, `{{.State.Running}} {{.State.ExitCode}} {{.State.Pid}} {{join .Config.Env ","}}`); err != nil {
		t.Fatal(err)
	}
	want := "false 137 123456789 A=1,B=2\nfalse 137 123456789 A=1,B=2\n"
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("inspect -f (-want +got):\n%s", diff)
	}
}
