package fs

// DefaultOpaqueXattr marks an overlay directory opaque on a mount made
// without the userxattr option.
const DefaultOpaqueXattr = "trusted.overlay.opaque"

// Options tune Unpack.
type Options struct {
	// Rootless: skip device nodes silently and do not chown to ids the
	// process cannot map; set when not running as real root.
	Rootless bool
	// OpaqueXattr is the xattr that marks an overlay opaque directory:
	// "trusted.overlay.opaque" (default) or "user.overlay.opaque" for
	// overlay mounted with userxattr inside a user namespace.
	OpaqueXattr string
}

func (o Options) opaqueXattr() string {
	if o.OpaqueXattr == "" {
		return DefaultOpaqueXattr
	}
	return o.OpaqueXattr
}
