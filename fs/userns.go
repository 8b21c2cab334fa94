package fs

// UserOpaqueXattr marks an overlay opaque directory on a mount made with
// the userxattr option, the only kind a user namespace may mount (Linux
// 5.11+): trusted.* xattrs need CAP_SYS_ADMIN in the initial namespace.
const UserOpaqueXattr = "user.overlay.opaque"

// OptionsFor are the Unpack options for a process that is rootless (in a
// user namespace, as rootless pocket is root in one) or real root. fs
// decides nothing about the host: the caller asks once (pocket asks
// privilege.Rootless) and passes the answer down, so that the layers are
// unpacked in the form the overlay mount of the same caller reads
// (userxattr, see ns.Rootfs.UserXattr). Rootless, device nodes cannot be
// made, ids outside the mapping cannot be given, and opaque directories
// use UserOpaqueXattr; as real root, the defaults.
func OptionsFor(rootless bool) Options {
	if rootless {
		return Options{Rootless: true, OpaqueXattr: UserOpaqueXattr}
	}
	return Options{}
}
