#!/bin/bash
# Boot the freshly built guest kernel in QEMU, virtme style, and run one
# command in it.  The guest's root is the host's / (read-only, 9p); it gets
# tmpfs on /tmp and /run, cgroup2 on /sys/fs/cgroup, /dev/infiniband from
# devtmpfs, and unlimited memlock.  A writable scratch share (RUNDIR) carries
# the command in, and the exit status and kernel log out.
#
#   qemu-run.sh [-i] [-t TIMEOUT] [-k BZIMAGE] [-d RUNDIR] -- COMMAND...
#     -i   interactive shell on the console instead of a command
# Exit status: the command's, or 124 on timeout, 125 if the guest died
# without reporting one.  The full console is in RUNDIR/console.log.
#
# ICOUNT=1 runs the guest under TCG with -icount shift=0,sleep=off and one
# host thread for all vCPUs: guest time then advances one nanosecond per
# guest instruction, so a time taken in the guest counts instructions and
# repeats whatever the host does.  For benchmarks (make bench); KVM is not
# used then, and the guest runs slower than plain TCG.
set -euo pipefail
. "$(dirname "$0")/common.sh"

interactive=0
timeout=${TIMEOUT:-600}
kernel=""
rundir=""
while getopts "it:k:d:" o; do
	case $o in
	i) interactive=1 ;;
	t) timeout=$OPTARG ;;
	k) kernel=$OPTARG ;;
	d) rundir=$OPTARG ;;
	*) die "usage: $0 [-i] [-t TIMEOUT] [-k BZIMAGE] [-d RUNDIR] -- COMMAND..." ;;
	esac
done
shift $((OPTIND - 1))
[ "$interactive" = 1 ] || [ $# -gt 0 ] || die "no command given"
kernel=${kernel:-$OBJ/arch/x86/boot/bzImage}
[ -f "$kernel" ] || die "no kernel at $kernel; run 'make build'"
rundir=${rundir:-$WORK/runs/$(date +%Y%m%d-%H%M%S)-$$}
mkdir -p "$rundir"
rm -f "$rundir/exit-status" "$rundir/dmesg.txt"

qemu_cmd() {
	local accel=$1 cpu=host machine
	[ "$accel" = tcg ] && cpu=max
	machine=(-machine q35,accel="$accel")
	if [ "$accel" = icount ]; then
		cpu=max
		machine=(-machine q35 -accel tcg,thread=single
			 -icount shift=0,sleep=off)
	fi
	QEMU=(qemu-system-x86_64 -nodefaults -no-reboot -display none
		"${machine[@]}" -cpu "$cpu" -smp "${GUEST_CPUS:-2}" -m "${GUEST_MEM:-2G}"
		-kernel "$kernel"
		-fsdev local,id=root,path=/,security_model=none,readonly=on,multidevs=remap
		-device virtio-9p-pci,fsdev=root,mount_tag=/dev/root
		-fsdev local,id=scratch,path="$rundir",security_model=none
		-device virtio-9p-pci,fsdev=scratch,mount_tag=scratch
		-device virtio-rng-pci
		-append "root=/dev/root rootfstype=9p rootflags=trans=virtio,version=9p2000.L,msize=262144,cache=loose ro console=ttyS0 init=$TOP/scripts/guest-init.sh panic=-1 loglevel=${GUEST_CONSOLE_LOGLEVEL:-5} log_buf_len=4M kmemleak=on")
}

# KVM only if it really boots here: nested virtualization may expose
# /dev/kvm and then hang.  The probe result is kept for this host boot.
pick_accel() {
	if [ "${ICOUNT:-0}" = 1 ]; then echo icount; return; fi
	if [ -n "${ACCEL:-}" ]; then echo "$ACCEL"; return; fi
	[ -w /dev/kvm ] || { echo tcg; return; }
	local cache=$WORK/kvm-probe boot_id
	boot_id=$(cat /proc/sys/kernel/random/boot_id)
	if [ -f "$cache" ] && [ "$(head -1 "$cache")" = "$boot_id" ]; then
		tail -1 "$cache"; return
	fi
	local p=$WORK/kvm-probe.d result=tcg
	rm -rf "$p"; mkdir -p "$p"
	printf 'GUEST_ACCEL=probe\n' > "$p/env"
	echo 'exit 0' > "$p/cmd"
	local save=$rundir
	rundir=$p
	qemu_cmd kvm
	if timeout 30 "${QEMU[@]}" -serial "file:$p/console.log" >/dev/null 2>&1 &&
		[ "$(cat "$p/exit-status" 2>/dev/null)" = 0 ]; then
		result=kvm
	fi
	rundir=$save
	printf '%s\n%s\n' "$boot_id" "$result" > "$cache"
	echo "$result"
}

accel=$(pick_accel)
if [ "$accel" = kvm ]; then
	info "accelerator: KVM (probe booted a guest)"
elif [ "$accel" = icount ]; then
	info "accelerator: TCG with -icount shift=0,sleep=off (guest time counts instructions)"
else
	info "accelerator: TCG (software emulation; KVM absent or did not boot)"
fi

{
	printf 'GUEST_ACCEL=%q\n' "$accel"
	printf 'GUEST_CWD=%q\n' "$PWD"
	printf 'GUEST_INTERACTIVE=%q\n' "$interactive"
	printf 'GUEST_LOGLEVEL=%q\n' "${GUEST_LOGLEVEL:-4}"
	printf 'export KSFT_MACHINE_SLOW=yes\n'
	for v in ${GUEST_ENV:-}; do printf 'export %s=%q\n' "$v" "${!v-}"; done
} > "$rundir/env"
printf '%q ' "$@" > "$rundir/cmd"
if [ $# -eq 1 ]; then printf '%s\n' "$1" > "$rundir/cmd"; fi

qemu_cmd "$accel"
rc=0
if [ "$interactive" = 1 ]; then
	"${QEMU[@]}" -chardev stdio,id=con,logfile="$rundir/console.log",signal=off \
		-serial chardev:con || rc=$?
else
	timeout --foreground -k 10 "$timeout" "${QEMU[@]}" \
		-chardev stdio,id=con,logfile="$rundir/console.log" -serial chardev:con \
		</dev/null || rc=$?
	if [ $rc = 124 ] || [ $rc = 137 ]; then
		info "guest timed out after ${timeout}s; console: $rundir/console.log"
		exit 124
	fi
fi
if [ ! -f "$rundir/exit-status" ]; then
	info "guest died without an exit status (qemu rc $rc); console: $rundir/console.log"
	exit 125
fi
exit "$(cat "$rundir/exit-status")"
