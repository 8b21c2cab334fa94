package pull

import (
	"encoding/json"
	"sort"
	"time"

	"pocket/reference"
	"pocket/store"
)

// ImageInspect is `docker image inspect`'s shape, for the fields pocket
// knows.
type ImageInspect struct {
	ID            string          `json:"Id"`
	RepoTags      []string        `json:"RepoTags"`
	RepoDigests   []string        `json:"RepoDigests"`
	Parent        string          `json:"Parent"`
	Comment       string          `json:"Comment"`
	Created       string          `json:"Created"`
	DockerVersion string          `json:"DockerVersion"`
	Author        string          `json:"Author"`
	Config        InspectConfig   `json:"Config"`
	Architecture  string          `json:"Architecture"`
	Variant       string          `json:"Variant,omitempty"`
	Os            string          `json:"Os"`
	Size          int64           `json:"Size"`
	RootFS        InspectRootFS   `json:"RootFS"`
	Metadata      InspectMetadata `json:"Metadata"`
}

// InspectConfig is the image's run configuration.
type InspectConfig struct {
	User         string              `json:"User"`
	ExposedPorts map[string]struct{} `json:"ExposedPorts,omitempty"`
	Env          []string            `json:"Env"`
	Cmd          []string            `json:"Cmd"`
	Volumes      map[string]struct{} `json:"Volumes"`
	WorkingDir   string              `json:"WorkingDir"`
	Entrypoint   []string            `json:"Entrypoint"`
	Labels       map[string]string   `json:"Labels"`
	StopSignal   string              `json:"StopSignal,omitempty"`
}

// InspectRootFS lists the layers by diffID, base first.
type InspectRootFS struct {
	Type   string   `json:"Type"`
	Layers []string `json:"Layers"`
}

// InspectMetadata is when the image entered the store.
type InspectMetadata struct {
	LastTagTime string `json:"LastTagTime"`
}

// Inspect returns Docker-shaped inspect data for the image arg names (a
// name or an ID, see store.FindImage).
func Inspect(s *store.Store, arg string) (any, error) {
	img, err := s.FindImage(arg)
	if err != nil {
		return nil, err
	}
	cfg, err := s.Config(img)
	if err != nil {
		return nil, err
	}
	out := ImageInspect{
		ID:            img.ID.String(),
		RepoTags:      []string{},
		RepoDigests:   []string{},
		Comment:       configComment(s, img),
		Created:       cfg.Created.UTC().Format(time.RFC3339Nano),
		DockerVersion: cfg.DockerVersion,
		Author:        cfg.Author,
		Architecture:  cfg.Architecture,
		Variant:       cfg.Variant,
		Os:            cfg.OS,
		Size:          img.Size,
		RootFS:        InspectRootFS{Type: "layers", Layers: []string{}},
		Metadata:      InspectMetadata{LastTagTime: img.Added.UTC().Format(time.RFC3339Nano)},
		Config: InspectConfig{
			User: cfg.Config.User, ExposedPorts: cfg.Config.ExposedPorts, Env: cfg.Config.Env,
			Cmd: cfg.Config.Cmd, Volumes: cfg.Config.Volumes, WorkingDir: cfg.Config.WorkingDir,
			Entrypoint: cfg.Config.Entrypoint, Labels: cfg.Config.Labels, StopSignal: cfg.Config.StopSignal,
		},
	}
	for _, n := range img.Names {
		out.RepoTags = append(out.RepoTags, reference.FamiliarString(n))
	}
	for _, d := range img.Digests {
		out.RepoDigests = append(out.RepoDigests, reference.FamiliarString(d))
	}
	sort.Strings(out.RepoDigests)
	for _, l := range img.Layers {
		out.RootFS.Layers = append(out.RootFS.Layers, l.String())
	}
	return out, nil
}

// configComment is the config's "comment" (a commit's message), a field
// go-containerregistry's ConfigFile does not have.
func configComment(s *store.Store, img *store.Image) string {
	raw, err := s.Blob(img.ID)
	if err != nil {
		return ""
	}
	var c struct {
		Comment string `json:"comment"`
	}
	if json.Unmarshal(raw, &c) != nil {
		return ""
	}
	return c.Comment
}
