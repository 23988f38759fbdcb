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
# shellcheck source=bench-common.sh
. "$(dirname "$0")/bench-common.sh"
export DEBUG=0
OBJ=$WORK/obj-$(variant)	# common.sh set it for DEBUG's default

want_matplotlib
if [ "${SKIP_BUILD:-0}" = 1 ]; then
	info "SKIP_BUILD=1: booting the kernel already built"
else
	"$TOP/scripts/install-deps.sh"
	[ -d "$TREE/.git" ] || "$TOP/scripts/mktree.sh"
	"$TOP/scripts/build.sh" >/dev/null
fi
out=$WORK/runs/scale-$(date +%Y%m%d-%H%M%S)
bindir=$out/bin	# this run's own programs
mkdir -p "$bindir"
gcc -Wall -O2 -pthread -o "$bindir/verbs_rate" "$TOP/bench/verbs_rate.c" -libverbs
gcc -Wall -O2 -pthread -o "$bindir/cm_rate" "$TOP/bench/cm_rate.c" -lrdmacm -libverbs

[ -f "$OBJ/arch/x86/boot/bzImage" ] || die "no kernel in $OBJ; run without SKIP_BUILD"
flock "$OBJ/.build-lock" cp "$OBJ/arch/x86/boot/bzImage" "$out/bzImage"
flock "$OBJ/.build-lock" cp "$OBJ/.config" "$out/config"

export ICOUNT=1 GUEST_CPUS=${GUEST_CPUS:-1} GUEST_MEM=${GUEST_MEM:-4G}
export GUEST_ENV="SCALE_SUITES SCALE_CONTAINERS SCALE_DEPTHS SCALE_SIBLINGS SCALE_CYCLES SCALE_REPS SCALE_COUNT SCALE_CM_COUNT"
start=$(date +%s)
rc=0
"$TOP/scripts/qemu-run.sh" -t "${SCALE_TIMEOUT:-7200}" -k "$out/bzImage" -d "$out/guest" -- \
	"bash $TOP/bench/scale-guest.sh $bindir" > "$out/scale.raw" || rc=$?
info "guest took $(( $(date +%s) - start )) s"
# What the suites that ran measured is reported either way.
commit=$(git -C "$TOP" describe --always --dirty 2>/dev/null || echo unknown)
/usr/bin/python3 "$TOP/bench/scale_report.py" "$out" "$commit" "$(variant)"
# Only a complete run replaces the figures in results/.
[ $rc = 0 ] || die "the scale guest failed (exit $rc): $out/guest/console.log; partial figures in $out"
mkdir -p "$TOP/results"
rm -f "$TOP/results/scale.png"
cp "$out/scale.csv" "$out/scale.txt" "$TOP/results/"
[ ! -f "$out/scale.png" ] || cp "$out/scale.png" "$TOP/results/"
echo "raw results: $out (copied to results/)"
