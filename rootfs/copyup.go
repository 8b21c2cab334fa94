package run

// copyUp asks for the image's content at target to be copied into dst, a
// volume's directory, if dst is still empty.
type copyUp struct {
	target string // inside the container
	dst    string // on the host
}
