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
	// Reuse is an earlier layer's directory in the store, trusted not to
	// change (a layer is never written once stored). A regular file entry
	// whose path there holds a regular file with the entry's size, mode,
	// owner, modification time and content, and no xattrs on either, is
	// hard-linked from it instead of written: a COPY run again after one
	// source changed writes that one file. The content is compared byte
	// for byte, so a wrong or stale Reuse costs reads, never a wrong
	// layer.
	Reuse string
}

func (o Options) opaqueXattr() string {
	if o.OpaqueXattr == "" {
		return DefaultOpaqueXattr
	}
	return o.OpaqueXattr
}
