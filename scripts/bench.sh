#!/bin/bash
# Benchmarks, the patched kernel against the unpatched base in one run.
# Both are built from the same config without debug options (DEBUG=0) and
# booted alternately ROUNDS times.
#
# BENCH_MODE=icount (the default): QEMU's -icount shift=0,sleep=off, so
#   guest time counts guest instructions and a figure repeats whatever else
#   runs on the host.  The guest (bench/icount-guest.sh) times fixed
#   amounts of work BENCH_REPS times per boot; the first repetition of
#   each boot is warm-up and dropped.  Each figure: median and spread
#   ((max - min) / median) over the kept repetitions of all boots, and the
#   ratio patched / base, quoted only when both spreads are under 1 %.
#   Writes bench.csv, bench.txt and bench.png (matplotlib) to the run
#   directory and copies them to results/ in the checkout.
# BENCH_MODE=wall: the older rate mode (ops/s over BENCH_SECONDS, 1 thread
#   and one per vCPU), for KVM and real machines; under TCG on a shared
#   host its figures spread tens of percent.
# BENCH_LOCKSTAT=1 (the default, icount mode): a contention run as well.
#   Base and patched built again with configs/lockstat.config (LOCK_STAT),
#   booted once each with LOCKSTAT_CPUS (4) vCPUs, run
#   bench/lockstat-guest.sh (plain TCG, or KVM where it boots):
#   LOCKSTAT_PROCS (8) processes in as many
#   cgroups create and destroy objects at once; the contentions and wait
#   time of rdmacg_mutex (the rdma cgroup's only lock) are reported.
#   ROUNDS=2 (icount) or 3 (wall)   boots per kernel (icount: 0 runs the
#                                   contention run alone)
#   SKIP_BUILD=1                    boot the kernels already built
#   BENCH_COUNT, BENCH_CM_COUNT, BENCH_REPS, BENCH_BW_ITERS, BENCH_LAT_ITERS
#                                   passed to bench/icount-guest.sh
set -euo pipefail
. "$(dirname "$0")/common.sh"
# shellcheck source=bench-common.sh
. "$(dirname "$0")/bench-common.sh"
export DEBUG=0
BENCH_MODE=${BENCH_MODE:-icount}
case $BENCH_MODE in
icount) ROUNDS=${ROUNDS:-2} ;;
wall) ROUNDS=${ROUNDS:-3} ;;
*) die "BENCH_MODE must be icount or wall" ;;
esac

[ "${BENCH_REPS:-4}" -ge 2 ] || die "BENCH_REPS must be 2 or more: the first repetition is dropped"
"$TOP/scripts/install-deps.sh"
want_matplotlib
if [ "$BENCH_MODE" = icount ]; then
	# QEMU without icount (or without TCG) cannot give these figures.
	# (a paused guest that is still running after 5 s parsed the options).
	rc=0
	timeout 5 qemu-system-x86_64 -nodefaults -display none -machine q35 \
		-accel tcg,thread=single -icount shift=0,sleep=off -S >/dev/null 2>&1 || rc=$?
	[ $rc = 124 ] ||
		die "this QEMU does not run -icount shift=0,sleep=off; use BENCH_MODE=wall"
fi
if [ "${SKIP_BUILD:-0}" = 1 ]; then
	info "SKIP_BUILD=1: booting the kernels already built"
else
	build_base_and_patched
	if [ "$BENCH_MODE" = icount ] && [ "${BENCH_LOCKSTAT:-1}" = 1 ]; then
		LOCKSTAT=1 build_base_and_patched
	fi
fi
out=$WORK/runs/bench-$BENCH_MODE-$(date +%Y%m%d-%H%M%S)
# The programs of this run, in its own directory: another bench or scale
# run going on meanwhile keeps its own.
bindir=$out/bin
mkdir -p "$bindir"
gcc -Wall -O2 -pthread -o "$bindir/verbs_rate" "$TOP/bench/verbs_rate.c" -libverbs
gcc -Wall -O2 -pthread -o "$bindir/cm_rate" "$TOP/bench/cm_rate.c" -lrdmacm -libverbs
# Every round boots copies: a build during the run cannot change them.
for s in none all; do
	name=$([ $s = none ] && echo base || echo patched)
	obj=$WORK/obj-$(SERIES=$s variant)
	[ -f "$obj/arch/x86/boot/bzImage" ] || die "no kernel in $obj; run without SKIP_BUILD"
	flock "$obj/.build-lock" cp "$obj/arch/x86/boot/bzImage" "$out/bzImage-$name"
	flock "$obj/.build-lock" cp "$obj/.config" "$out/config-$name"
	[ "$BENCH_MODE" = icount ] && [ "${BENCH_LOCKSTAT:-1}" = 1 ] || continue
	obj=$WORK/obj-$(SERIES=$s LOCKSTAT=1 variant)
	[ -f "$obj/arch/x86/boot/bzImage" ] || die "no kernel in $obj; run without SKIP_BUILD"
	flock "$obj/.build-lock" cp "$obj/arch/x86/boot/bzImage" "$out/bzImage-$name-lockstat"
done

if [ "$BENCH_MODE" = icount ]; then
	# One vCPU: QEMU 7.2's icount with two vCPUs on one thread left a vCPU
	# spinning on a spinlock the other held (an RCU stall, seen with
	# perftest over rdma_cm; plain TCG runs the same fine).
	export ICOUNT=1 GUEST_CPUS=${GUEST_CPUS:-1}
	export GUEST_ENV="BENCH_COUNT BENCH_CM_COUNT BENCH_REPS BENCH_BW_ITERS BENCH_LAT_ITERS"
	start=$(date +%s)
	for r in $(seq "$ROUNDS"); do
		for name in base patched; do
			info "round $r/$ROUNDS: $name kernel (icount)"
			"$TOP/scripts/qemu-run.sh" -t 1800 -k "$out/bzImage-$name" -d "$out/$name-$r" -- \
				"bash $TOP/bench/icount-guest.sh $bindir" > "$out/$name-$r.txt" ||
				die "benchmark run failed: $out/$name-$r/console.log"
		done
	done
	if [ "${BENCH_LOCKSTAT:-1}" = 1 ]; then
		for name in base patched; do
			info "contention run: $name kernel with LOCK_STAT"
			ICOUNT=0 GUEST_CPUS=${LOCKSTAT_CPUS:-4} GUEST_ENV="LOCKSTAT_PROCS LOCKSTAT_COUNT" \
				"$TOP/scripts/qemu-run.sh" -t 1800 -k "$out/bzImage-$name-lockstat" \
				-d "$out/lockstat-$name" -- "bash $TOP/bench/lockstat-guest.sh $bindir" \
				> "$out/lockstat-$name.txt" ||
				info "WARNING: contention run failed, no lock figures: $out/lockstat-$name/console.log"
		done
	fi
	info "guests took $(( $(date +%s) - start )) s"
	commit=$(git -C "$TOP" describe --always --dirty 2>/dev/null || echo unknown)
	/usr/bin/python3 "$TOP/bench/report.py" "$out" "$commit" "$(SERIES=all variant)"
	mkdir -p "$TOP/results"
	# ROUNDS=0 (the contention run alone) leaves the last figures there.
	if [ "$ROUNDS" -gt 0 ]; then
		rm -f "$TOP/results/bench.png"
		cp "$out/bench.csv" "$out/bench.txt" "$TOP/results/"
		[ ! -f "$out/bench.png" ] || cp "$out/bench.png" "$TOP/results/"
	fi
	[ ! -f "$out/lockstat.txt" ] || cp "$out/lockstat.txt" "$TOP/results/"
	echo "raw results: $out (copied to results/)"
	exit 0
fi

for r in $(seq "$ROUNDS"); do
	for s in none all; do
		name=$([ $s = none ] && echo base || echo patched)
		info "round $r/$ROUNDS: $name kernel"
		"$TOP/scripts/qemu-run.sh" -t 900 -k "$out/bzImage-$name" -d "$out/$name-$r" -- \
			"bash $TOP/bench/guest.sh $bindir/verbs_rate" > "$out/$name-$r.txt" ||
			die "benchmark run failed: $out/$name-$r/console.log"
	done
done

python3 - "$out" "$ROUNDS" <<'PY'
import statistics, sys, glob, re
out, rounds = sys.argv[1], int(sys.argv[2])
data = {}
for f in glob.glob(f"{out}/*-[0-9]*.txt"):
    kern = "base" if "/base-" in f else "patched"
    for line in open(f):
        p = line.split()
        if len(p) == 4 and re.fullmatch(r"[0-9.]+", p[3]):
            data.setdefault((p[0], p[1], int(p[2])), {}).setdefault(kern, []).append(float(p[3]))
print(f"verbs create+destroy rate, median of {rounds} boots each, ops/s (TCG guest)")
print(f"{'cgroup':8} {'object':6} {'threads':>7} {'base':>10} {'patched':>10} {'ratio':>6}")
for k in sorted(data):
    b = statistics.median(data[k].get("base", [0])) or float("nan")
    p = statistics.median(data[k].get("patched", [0]))
    print(f"{k[0]:8} {k[1]:6} {k[2]:>7} {b:>10.0f} {p:>10.0f} {p / b:>6.3f}")
PY
echo "raw results: $out"
