#!/bin/bash
# Scale suite: the patched kernel without debug options (DEBUG=0) under
# QEMU's icount (guest time counts guest instructions), one boot running
# bench/scale-guest.sh: containers on one shared rxe port, cgroup depth and
# sibling count, netns create/delete cycles and exclusive-mode moves.
# Writes scale.csv, scale.txt and scale.png (matplotlib) to the run
# directory and copies them to results/ in the checkout.
#   SKIP_BUILD=1                boot the kernel already built
#   SCALE_SUITES, SCALE_CONTAINERS, SCALE_DEPTHS, SCALE_SIBLINGS,
#   SCALE_CYCLES, SCALE_REPS, SCALE_COUNT, SCALE_CM_COUNT
#                               passed to bench/scale-guest.sh
#   SCALE_TIMEOUT=7200          seconds for the guest
set -euo pipefail
. "$(dirname "$0")/common.sh"
export DEBUG=0
OBJ=$WORK/obj-$(variant)	# common.sh set it for DEBUG's default

if [ "${SKIP_BUILD:-0}" = 1 ]; then
	info "SKIP_BUILD=1: booting the kernel already built"
else
	"$TOP/scripts/install-deps.sh"
	[ -d "$TREE/.git" ] || "$TOP/scripts/mktree.sh"
	"$TOP/scripts/build.sh" >/dev/null
fi
bindir=$WORK/bench-bin
mkdir -p "$bindir"
gcc -Wall -O2 -pthread -o "$bindir/verbs_rate" "$TOP/bench/verbs_rate.c" -libverbs
gcc -Wall -O2 -pthread -o "$bindir/cm_rate" "$TOP/bench/cm_rate.c" -lrdmacm -libverbs

out=$WORK/runs/scale-$(date +%Y%m%d-%H%M%S)
mkdir -p "$out"
[ -f "$OBJ/arch/x86/boot/bzImage" ] || die "no kernel in $OBJ; run without SKIP_BUILD"
flock "$OBJ/.build-lock" cp "$OBJ/arch/x86/boot/bzImage" "$out/bzImage"
flock "$OBJ/.build-lock" cp "$OBJ/.config" "$out/config"

export ICOUNT=1 GUEST_CPUS=${GUEST_CPUS:-1} GUEST_MEM=${GUEST_MEM:-4G}
export GUEST_ENV="SCALE_SUITES SCALE_CONTAINERS SCALE_DEPTHS SCALE_SIBLINGS SCALE_CYCLES SCALE_REPS SCALE_COUNT SCALE_CM_COUNT"
start=$(date +%s)
"$TOP/scripts/qemu-run.sh" -t "${SCALE_TIMEOUT:-7200}" -k "$out/bzImage" -d "$out/guest" -- \
	"bash $TOP/bench/scale-guest.sh $bindir" > "$out/scale.raw" ||
	die "scale run failed: $out/guest/console.log"
info "guest took $(( $(date +%s) - start )) s"
commit=$(git -C "$TOP" describe --always --dirty 2>/dev/null || echo unknown)
/usr/bin/python3 "$TOP/bench/scale_report.py" "$out" "$commit" "$(variant)"
mkdir -p "$TOP/results"
cp "$out/scale.csv" "$out/scale.txt" "$TOP/results/"
[ ! -f "$out/scale.png" ] || cp "$out/scale.png" "$TOP/results/"
echo "raw results: $out (copied to results/)"
