package pull

import (
	"encoding/json"
	"sort"
	"strings"
	"time"

	"pocket/reference"
	"pocket/store"
)

// ImageInspect is `docker image inspect`'s shape (API ImageInspect), keys
// in Docker's order, for the fields pocket knows.
type ImageInspect struct {
	ID              string          `json:"Id"`
	RepoTags        []string        `json:"RepoTags"`
	RepoDigests     []string        `json:"RepoDigests"`
	Parent          string          `json:"Parent"`
	Comment         string          `json:"Comment"`
	Created         string          `json:"Created"`
	Container       string          `json:"Container"`
	ContainerConfig InspectConfig   `json:"ContainerConfig"`
	DockerVersion   string          `json:"DockerVersion"`
	Author          string          `json:"Author"`
	Config          InspectConfig   `json:"Config"`
	Architecture    string          `json:"Architecture"`
	Variant         string          `json:"Variant,omitempty"`
	Os              string          `json:"Os"`
	Size            int64           `json:"Size"`
	VirtualSize     int64           `json:"VirtualSize"`
	GraphDriver     GraphDriver     `json:"GraphDriver"`
	RootFS          InspectRootFS   `json:"RootFS"`
	Metadata        InspectMetadata `json:"Metadata"`
}

// InspectConfig is the image's run configuration (Docker's container
// Config, keys in its order).
type InspectConfig struct {
	Hostname     string              `json:"Hostname"`
	Domainname   string              `json:"Domainname"`
	User         string              `json:"User"`
	AttachStdin  bool                `json:"AttachStdin"`
	AttachStdout bool                `json:"AttachStdout"`
	AttachStderr bool                `json:"AttachStderr"`
	ExposedPorts map[string]struct{} `json:"ExposedPorts,omitempty"`
	Tty          bool                `json:"Tty"`
	OpenStdin    bool                `json:"OpenStdin"`
	StdinOnce    bool                `json:"StdinOnce"`
	Env          []string            `json:"Env"`
	Cmd          []string            `json:"Cmd"`
	Image        string              `json:"Image"`
	Volumes      map[string]struct{} `json:"Volumes"`
	WorkingDir   string              `json:"WorkingDir"`
	Entrypoint   []string            `json:"Entrypoint"`
	OnBuild      []string            `json:"OnBuild"`
	Labels       map[string]string   `json:"Labels"`
	StopSignal   string              `json:"StopSignal,omitempty"`
}

// GraphDriver is where the image's layers live, as Docker's overlay2
// reports them: the top layer as UpperDir, the others below it.
type GraphDriver struct {
	Data map[string]string `json:"Data"`
	Name string            `json:"Name"`
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
		// Docker's VirtualSize is Size since API 1.44 and equal to it for
		// every image without a shared parent before.
		VirtualSize: img.Size,
		GraphDriver: GraphDriver{Name: "overlay2", Data: map[string]string{}},
		RootFS:      InspectRootFS{Type: "layers", Layers: []string{}},
		Metadata:    InspectMetadata{LastTagTime: img.Added.UTC().Format(time.RFC3339Nano)},
		Config: InspectConfig{
			User: cfg.Config.User, ExposedPorts: cfg.Config.ExposedPorts, Env: cfg.Config.Env,
			Cmd: cfg.Config.Cmd, Volumes: cfg.Config.Volumes, WorkingDir: cfg.Config.WorkingDir,
			Entrypoint: cfg.Config.Entrypoint, Labels: cfg.Config.Labels, StopSignal: cfg.Config.StopSignal,
			OnBuild: cfg.Config.OnBuild, Image: cfg.Config.Image, Hostname: cfg.Config.Hostname,
			Domainname: cfg.Config.Domainname, Tty: cfg.Config.Tty, OpenStdin: cfg.Config.OpenStdin,
			StdinOnce: cfg.Config.StdinOnce, AttachStdin: cfg.Config.AttachStdin,
			AttachStdout: cfg.Config.AttachStdout, AttachStderr: cfg.Config.AttachStderr,
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
	var lower []string
	for i := len(img.Layers) - 1; i >= 0; i-- {
		if i == len(img.Layers)-1 {
			out.GraphDriver.Data["UpperDir"] = s.LayerDir(img.Layers[i])
		} else {
			lower = append(lower, s.LayerDir(img.Layers[i]))
		}
	}
	if len(lower) > 0 {
		out.GraphDriver.Data["LowerDir"] = strings.Join(lower, ":")
	}
	// ContainerConfig is the config of the container the image was
	// committed from; pocket keeps none, so it is Docker's empty one.
	out.ContainerConfig = InspectConfig{}
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
