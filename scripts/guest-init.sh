#!/bin/bash
# PID 1 of the test guest.  The root file system is the host's / over
# virtio-9p, read-only; this script gives the guest the writable places a
# test needs, runs the command the host left in the scratch share, saves
# the exit status and the kernel log there, and powers off.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/tmp LANG=C.UTF-8 TERM=${TERM:-linux}

mount -n -t proc proc /proc
mount -n -t sysfs sysfs /sys
mount -n -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /dev/pts /dev/shm
mount -n -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /dev/pts
mount -n -t tmpfs tmpfs /dev/shm
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
for d in /tmp /run /var/log /var/lib/dhcp /var/cache; do
	[ -d "$d" ] && mount -n -t tmpfs -o mode=1777 tmpfs "$d"
done
mount -n -t cgroup2 cgroup2 /sys/fs/cgroup
mount -n -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mkdir -p /run/scratch /run/netns
mount -n -t 9p -o trans=virtio,version=9p2000.L,msize=262144 scratch /run/scratch ||
	{ echo "guest-init: no scratch share" >&2; echo b > /proc/sysrq-trigger; }
hostname rdma-guest
ip link set lo up
ulimit -l unlimited
ulimit -c 0

S=/run/scratch
# shellcheck source=/dev/null
. "$S/env"
echo "guest-init: kernel $(uname -r), $(nproc) vCPUs, accel $GUEST_ACCEL"
# A modular kernel's modules, installed under its object directory.
modules_ok=1
if [ -n "${GUEST_MODULES:-}" ]; then
	if [ ! -d "$GUEST_MODULES/$(uname -r)" ] ||
	   ! mount -n --bind "$GUEST_MODULES" /lib/modules; then
		echo "guest-init: cannot use the modules in $GUEST_MODULES for $(uname -r)" >&2
		modules_ok=0
	fi
fi
cd "${GUEST_CWD:-/}" 2>/dev/null || cd /
dmesg -n "${GUEST_LOGLEVEL:-4}"
if [ "${GUEST_INTERACTIVE:-0}" = 1 ]; then
	setsid -c bash -i </dev/ttyS0 >/dev/ttyS0 2>&1
	rc=$?
elif [ "$modules_ok" = 0 ]; then
	rc=126
else
	bash "$S/cmd" </dev/null
	rc=$?
fi
echo "$rc" > "$S/exit-status.tmp"
dmesg > "$S/dmesg.txt"
mv "$S/exit-status.tmp" "$S/exit-status"
sync
umount /run/scratch
echo b > /proc/sysrq-trigger
