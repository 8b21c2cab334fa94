package fs

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// whiteout turns ".wh.NAME" in directory dir into the overlayfs form: a
// 0/0 character device NAME that hides NAME in lower layers. Whatever this
// layer already has under that name is replaced. dir is resolved like any
// parent, so a whiteout under a symlink lands inside the root.
//
// See the OCI image-spec, layer.md "Whiteouts", and the kernel's
// Documentation/filesystems/overlayfs.rst "whiteouts and opaque
// directories".
func (u *unpacker) whiteout(dir, name string) error {
	if name == "" || name == "." || name == ".." {
		return fmt.Errorf("whiteout of %q: %w", name, ErrInvalidEntry)
	}
	parent, err := u.res.dir(dir, true)
	if err != nil {
		return err
	}
	p := parent + "/" + name
	dev := int(unix.Mkdev(0, 0))
	err = unix.Mknod(p, unix.S_IFCHR, dev)
	if err == unix.EEXIST {
		if err = u.remove(p); err == nil {
			err = unix.Mknod(p, unix.S_IFCHR, dev)
		}
	}
	if err != nil {
		return &os.PathError{Op: "mknod whiteout", Path: p, Err: err}
	}
	return nil
}

// opaque marks directory dir opaque, creating it if the marker comes
// before the directory's own entry (a later directory entry merges and
// keeps the xattr). Files of dir in this layer stay: opaque only hides
// lower layers.
func (u *unpacker) opaque(dir string) error {
	p, err := u.res.dir(dir, true)
	if err != nil {
		return err
	}
	key := u.o.opaqueXattr()
	if err := unix.Lsetxattr(p, key, []byte("y"), 0); err != nil {
		err = &os.PathError{Op: "setxattr " + key, Path: p, Err: err}
		if key == DefaultOpaqueXattr {
			return fmt.Errorf("%w (hint: without CAP_SYS_ADMIN use OpaqueXattr %q and mount overlay with userxattr)", err, "user.overlay.opaque")
		}
		return err
	}
	return nil
}
