package main

// What a --format template sees for each listing: Docker's field names
// (docker/cli cli/command/formatter), so templates written for docker
// work unchanged, and the column each heads in a table.

import (
	"slices"
	"strconv"
	"strings"
	"time"

	units "github.com/docker/go-units"

	"pocket/run"
)

// containerContext is a ps row for a template: {{.ID}}, {{.Names}}, ...
// Its fields are in the alphabetical order of Docker's JSON keys, so that
// {{json .}} and --format json print what docker ps does (docker/cli
// marshals the context through a map, whose keys encoding/json sorts).
type containerContext struct {
	Command      string
	CreatedAt    string
	ID           string
	Image        string
	Labels       string
	LocalVolumes string
	Mounts       string
	Names        string
	Networks     string
	Ports        string
	RunningFor   string
	Size         string
	State        string
	Status       string
}

var containerHeaders = map[string]string{
	"ID": "CONTAINER ID", "Image": "IMAGE", "Command": "COMMAND", "CreatedAt": "CREATED AT",
	"RunningFor": "CREATED", "Ports": "PORTS", "State": "STATE", "Status": "STATUS", "Size": "SIZE",
	"Names": "NAMES", "Labels": "LABELS", "Mounts": "MOUNTS", "Networks": "NETWORKS",
	"LocalVolumes": "LOCAL VOLUMES",
}

func newContainerContext(r run.Summary, noTrunc bool) containerContext {
	c := containerContext{
		ID: r.ID[:12], Image: r.Image, Command: strconv.Quote(r.Command),
		CreatedAt:  r.Created.Local().Format("2006-01-02 15:04:05 -0700 MST"),
		RunningFor: units.HumanDuration(time.Since(r.Created)) + " ago",
		Ports:      r.Ports, State: r.State, Status: r.Status, Size: units.HumanSizeWithPrecision(float64(r.SizeRw), 3),
		Names: r.Name, Mounts: strings.Join(r.Mounts, ","), Networks: r.Network,
	}
	if noTrunc {
		c.ID, c.Command = r.ID, strconv.Quote(r.FullCommand)
	}
	vols := 0
	for _, m := range r.Mounts {
		if !strings.HasPrefix(m, "/") {
			vols++
		}
	}
	c.LocalVolumes = strconv.Itoa(vols)
	var labels []string
	for k, v := range r.Labels {
		labels = append(labels, k+"="+v)
	}
	slices.Sort(labels)
	c.Labels = strings.Join(labels, ",")
	return c
}

// imageContext is an images row for a template, its fields in the
// alphabetical order of Docker's JSON keys as containerContext's.
type imageContext struct {
	Containers   string
	CreatedAt    string
	CreatedSince string
	Digest       string
	ID           string
	Repository   string
	SharedSize   string
	Size         string
	Tag          string
	UniqueSize   string
	VirtualSize  string
}

var imageHeaders = map[string]string{
	"ID": "IMAGE ID", "Repository": "REPOSITORY", "Tag": "TAG", "Digest": "DIGEST",
	"CreatedSince": "CREATED", "CreatedAt": "CREATED AT", "Size": "SIZE", "VirtualSize": "SIZE",
	"SharedSize": "SHARED SIZE", "UniqueSize": "UNIQUE SIZE", "Containers": "CONTAINERS",
}

func newImageContext(r imageRow) imageContext {
	return imageContext{ID: r.ID, Repository: r.Repository, Tag: r.Tag, Digest: r.Digest,
		CreatedSince: r.Created, CreatedAt: r.CreatedAt, Size: r.Size, VirtualSize: r.Size,
		SharedSize: "N/A", UniqueSize: "N/A", Containers: "N/A"}
}

var volumeHeaders = map[string]string{
	"Name": "VOLUME NAME", "Driver": "DRIVER", "Scope": "SCOPE", "Mountpoint": "MOUNTPOINT",
	"Labels": "LABELS", "Links": "LINKS", "Size": "SIZE",
}

// listOpts are what every listing's flags share.
type listOpts struct {
	quiet, noTrunc bool
	format         string
}
