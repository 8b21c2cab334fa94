package plan

import (
	"fmt"
	"path"
)

// workdir checks -w, which must be absolute as Docker requires.
func workdir(flag string) (string, error) {
	if !path.IsAbs(flag) {
		return "", fmt.Errorf("%w: the working directory %q is invalid, it needs to be an absolute path", ErrBadOption, flag)
	}
	return path.Clean(flag), nil
}

// WorkingDir is -w, else the image's WorkingDir, else "/". An image's
// relative WorkingDir is taken from "/".
func (p *Plan) WorkingDir(image string) string {
	switch {
	case p.Workdir != "":
		return p.Workdir
	case image != "":
		return path.Join("/", image)
	}
	return "/"
}
