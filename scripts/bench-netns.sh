#!/bin/bash
# rxe bandwidth and latency in a network namespace against init_net, and
# against the unpatched base kernel's init_net, in one run (perftest over
# rdma_cm; the guest side is bench/netns-guest.sh).  Both kernels are built
# from the same config without debug options (DEBUG=0) and booted
# alternately ROUNDS times; each figure is the median over rounds.  The
# ratios are what to quote: absolute numbers under TCG mean little.
#   ROUNDS=3                 boots per kernel
#   SKIP_BUILD=1             boot the kernels already built, as they are
#   QUIET_WAIT=0             seconds to wait at most, before each boot, for
#                            other QEMU guests to end (busy-polling perftest
#                            on a shared 2-core machine measures them too)
#   NETNS_BENCH_MODES, NETNS_BENCH_TESTS, NETNS_BENCH_REPEAT, BW_SIZE,
#   BW_ITERS, LAT_SIZE, LAT_ITERS, PERFTEST_TIMEOUT
#                            passed to the guest (see bench/netns-guest.sh)
set -euo pipefail
. "$(dirname "$0")/common.sh"
export DEBUG=0
ROUNDS=${ROUNDS:-3}
export GUEST_ENV="NETNS_BENCH_MODES NETNS_BENCH_TESTS NETNS_BENCH_REPEAT BW_SIZE BW_ITERS LAT_SIZE LAT_ITERS PERFTEST_TIMEOUT"

if [ "${SKIP_BUILD:-0}" = 1 ]; then
	info "SKIP_BUILD=1: booting the kernels already built"
else
	build_base_and_patched
fi

out=$WORK/runs/bench-netns-$(date +%Y%m%d-%H%M%S)
mkdir -p "$out"
# Every round boots copies: a build during the run cannot change them.
for s in none all; do
	name=$([ $s = none ] && echo base || echo patched)
	obj=$WORK/obj-$(SERIES=$s variant)
	[ -f "$obj/arch/x86/boot/bzImage" ] || die "no kernel in $obj; run without SKIP_BUILD"
	flock "$obj/.build-lock" cp "$obj/arch/x86/boot/bzImage" "$out/bzImage-$name"
done
others() { pgrep -c -f '^qemu-system-x86_64 ' || true; }
start=$(date +%s)
noisy=""
for r in $(seq "$ROUNDS"); do
	for s in none all; do
		name=$([ $s = none ] && echo base || echo patched)
		# Quiet = no other guest in three checks 10 s apart (a script
		# that boots guests back to back leaves gaps of a second).
		for ((w = 0, q = 0; w < ${QUIET_WAIT:-0} && q < 3; w += 10)); do
			if [ "$(others)" = 0 ]; then q=$((q + 1)); else q=0; fi
			[ $q = 3 ] || sleep 10
		done
		info "round $r/$ROUNDS: $name kernel"
		# Note any other guest seen while this one runs.
		n=$(others)
		(while sleep 5 && kill -0 $$ 2>/dev/null; do [ "$(others)" -le 1 ] || { echo x; break; }; done) \
			> "$out/$name-$r.others" &
		sampler=$!
		"$TOP/scripts/qemu-run.sh" -t 900 -k "$out/bzImage-$name" -d "$out/$name-$r" -- \
			"bash $TOP/bench/netns-guest.sh" > "$out/$name-$r.txt" ||
			die "benchmark run failed: $out/$name-$r/console.log"
		kill "$sampler" 2>/dev/null || true  # gone if it saw a guest
		wait "$sampler" 2>/dev/null || true
		[ "$n" = 0 ] && [ ! -s "$out/$name-$r.others" ] || noisy+=" $name-$r"
	done
done
info "guests took $(( $(date +%s) - start )) s"
[ -z "$noisy" ] || info "WARNING: another QEMU guest ran during$noisy: those figures measure the neighbour too"

python3 - "$out" "$ROUNDS" <<'PY'
import glob, re, statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
line = re.compile(r"(init|netns|xnetns) (\S+) ([0-9.]+|n/a) (\S+)")
data, units, seen = {}, {}, set()
for f in sorted(glob.glob(f"{out}/*-[0-9]*.txt")):
    kern = "base" if "/base-" in f else "patched"
    for l in open(f, errors="replace"):
        m = line.fullmatch(l.strip())
        if not m:
            continue
        mode, test, val, unit = m.groups()
        seen.add((kern, mode))
        units[test] = unit
        if val != "n/a":
            data.setdefault((kern, mode, test), []).append(float(val))

def med(kern, mode, test):
    v = data.get((kern, mode, test))
    return statistics.median(v) if v else None

def cell(v, w):
    return f"{v:>{w}.1f}" if v is not None else f"{'n/a':>{w}}"

cols = [(k, m) for k in ("base", "patched") for m in ("init", "netns", "xnetns")
        if (k, m) in seen]
tests = sorted(units, key=lambda t: (units[t] == "usec", t))
n = max((len(v) for v in data.values()), default=0)
print(f"rxe over rdma_cm (perftest -R), TCG guest; median of up to {n} runs"
      f" ({rounds} boot(s) per kernel)")
print(f"{'test':14} {'unit':6}" + "".join(f" {k + '-' + m:>15}" for k, m in cols))
for t in tests:
    print(f"{t:14} {units[t]:6}" + "".join(" " + cell(med(k, m, t), 15) for k, m in cols))
if n > 1:
    print("\nspread over the runs, (max - min) / median, %")
    print(f"{'test':14} {'':6}" + "".join(f" {k + '-' + m:>15}" for k, m in cols))
    for t in tests:
        row = ""
        for k, m in cols:
            v = data.get((k, m, t))
            s = (max(v) - min(v)) / statistics.median(v) * 100 if v and statistics.median(v) else None
            row += " " + cell(s, 15)
        print(f"{t:14} {'':6}" + row)

ratios = [("p-netns/p-init", ("patched", "netns"), ("patched", "init")),
          ("p-init/b-init", ("patched", "init"), ("base", "init")),
          ("p-netns/b-init", ("patched", "netns"), ("base", "init")),
          ("p-xnetns/p-init", ("patched", "xnetns"), ("patched", "init"))]
print("\nratios of the medians, p = patched, b = base"
      " (bandwidth: above 1 is faster; latency: above 1 is slower)")
print(f"{'test':14}" + "".join(f" {r[0]:>16}" for r in ratios))
for t in tests:
    row = ""
    for _, a, b in ratios:
        x, y = med(*a, t), med(*b, t)
        row += f" {x / y:>16.3f}" if x is not None and y else f" {'n/a':>16}"
    print(f"{t:14}" + row)
print("(xnetns crosses a veth between two devices, init and netns are rxe"
      " loopback on one device:\n the last column compares different paths)")
PY
echo "raw results: $out"
