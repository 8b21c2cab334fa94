package pull

import (
	"time"

	"pocket/store"
)

// HistoryEntry is one step of an image's history, newest first, as
// `docker history` lists it.
type HistoryEntry struct {
	ID        string // the image ID on the newest step, "<missing>" below
	Created   time.Time
	CreatedBy string
	Size      int64 // of the layer the step made; 0 for an empty layer
	Comment   string
}

// History lists the history of the image arg names (see store.FindImage),
// newest step first; each step that made a layer is given the next layer's
// size, as Docker does.
func History(s *store.Store, arg string) ([]HistoryEntry, error) {
	img, err := s.FindImage(arg)
	if err != nil {
		return nil, err
	}
	cfg, err := s.Config(img)
	if err != nil {
		return nil, err
	}
	out := make([]HistoryEntry, 0, len(cfg.History))
	layer := 0
	for _, h := range cfg.History {
		e := HistoryEntry{ID: "<missing>", Created: h.Created.Time, CreatedBy: h.CreatedBy, Comment: h.Comment}
		if !h.EmptyLayer && layer < len(img.Layers) {
			if e.Size, err = s.LayerSize(img.Layers[layer]); err != nil {
				return nil, err
			}
			layer++
		}
		out = append(out, e)
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	if len(out) > 0 {
		out[0].ID = img.ID.String()
	}
	return out, nil
}
