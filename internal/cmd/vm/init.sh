#!/bin/sh
# The guest's /init (internal/cmd/vm): pure cgroup v2, then pocket's e2e tests.
# Output goes to the serial console; the host reads the POCKET-VM-* lines.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
if [ "$1" != stage2 ]; then
	# The initramfs is the kernel's rootfs, which pivot_root cannot leave:
	# copy it to a tmpfs and make that the root (containers pivot_root).
	/bin/busybox --install -s /bin
	mount -t tmpfs -o mode=755 root /newroot
	for d in /*; do
		case "$d" in /newroot|/proc|/sys|/dev) mkdir -p "/newroot$d" ;; *) cp -a "$d" /newroot/ ;; esac
	done
	exec switch_root /newroot /init stage2
fi
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts -o newinstance,ptmxmode=0666 devpts /dev/pts
mount -t tmpfs -o mode=1777 shm /dev/shm
# cgroup v2 alone, mounted and delegated as systemd does.
mount -t cgroup2 -o nsdelegate cgroup2 /sys/fs/cgroup
for c in $(cat /sys/fs/cgroup/cgroup.controllers); do
	echo "+$c" >/sys/fs/cgroup/cgroup.subtree_control
done
while read -r m; do insmod "$m" || echo "POCKET-VM-ERROR insmod $m"; done </modules
echo "POCKET-VM-KERNEL $(uname -srm)"
echo "POCKET-VM-CGROUP $(grep cgroup /proc/mounts) subtree_control: $(cat /sys/fs/cgroup/cgroup.subtree_control)"
hostname pocket-vm
ip link set lo up
cd /e2e || exit 1
echo POCKET-VM-START
status=0
tab=$(printf '\t')
while IFS="$tab" read -r bin run; do
	echo "POCKET-VM-TESTS $bin -test.run $run"
	HOME=/root TMPDIR=/tmp POCKET_E2E_PREBUILT=/e2e "./$bin" -test.v -test.timeout=20m -test.run "$run" 2>&1 </dev/null || status=1
done </e2e/tests
echo "POCKET-VM-RESULT $status"
sync
poweroff -f
