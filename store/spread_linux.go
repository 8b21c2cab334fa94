package store

import "golang.org/x/sys/unix"

// fsTopdirFL is FS_TOPDIR_FL of linux/fs.h (chattr +T), which x/sys does
// not name.
const fsTopdirFL = 0x00020000

// spread marks the new directory dir as the top of directory
// hierarchies (ioctl_iflags(2): FS_TOPDIR_FL, chattr +T), so that ext4's
// Orlov allocator puts each directory made in it, a layer's or a
// container's tree, in a block group of its own choosing instead of its
// parent's. Deleting an image or a container frees thousands of inodes
// in one group, and ext4 without a journal scans past every inode freed
// in the last minutes (recently_deleted) before it allocates one there:
// on such a filesystem a build or pull right after a prune created files
// two to three times slower. A hint: a filesystem without the flag
// (xfs, btrfs, tmpfs) ignores it or refuses it, and nothing depends on it.
func spread(dir string) {
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return
	}
	defer unix.Close(fd)
	flags, err := unix.IoctlGetUint32(fd, unix.FS_IOC_GETFLAGS)
	if err != nil || flags&fsTopdirFL != 0 {
		return
	}
	_ = unix.IoctlSetPointerInt(fd, unix.FS_IOC_SETFLAGS, int(flags|fsTopdirFL))
}
