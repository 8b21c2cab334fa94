package store

import "errors"

var (
	// ErrImageUnknown is returned when no image matches a reference.
	ErrImageUnknown = errors.New("no such image")
	// ErrAmbiguous is returned when an ID prefix names more than one object.
	ErrAmbiguous = errors.New("ambiguous reference")
	// ErrImageInUse is returned when removing an image a container uses.
	ErrImageInUse = errors.New("image is being used by a container")
	// ErrContainerUnknown is returned when no container matches.
	ErrContainerUnknown = errors.New("no such container")
	// ErrNameInUse is returned when a container name is taken.
	ErrNameInUse = errors.New("name is already in use")
	// ErrVolumeUnknown is returned when no volume has the name.
	ErrVolumeUnknown = errors.New("no such volume")
	// ErrVolumeInUse is returned when removing a volume a container references.
	ErrVolumeInUse = errors.New("volume is in use")
	// ErrDigestMismatch is returned when content does not hash to what was promised.
	ErrDigestMismatch = errors.New("digest mismatch")
)

var (
	// ErrLayerDamaged is returned for a stored layer whose content no
	// longer hashes to its diffID; the layer has been removed.
	ErrLayerDamaged = errors.New("layer damaged")
	// ErrLayerUnknown is returned when an image needs a layer the store lacks.
	ErrLayerUnknown = errors.New("layer not in the store")
	// ErrConflict is returned when removing an image needs force.
	ErrConflict = errors.New("conflict")
	// ErrBadName is returned for an invalid container or volume name.
	ErrBadName = errors.New("invalid name")
)
