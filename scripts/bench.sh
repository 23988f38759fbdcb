#!/bin/bash
# Benchmarks, the patched kernel against the unpatched base in one run.
# Both are built from the same config without debug options (DEBUG=0) and
# booted alternately ROUNDS times; each figure is the median over rounds.
# Prints ratios (patched / base); absolute numbers under TCG mean little.
set -euo pipefail
. "$(dirname "$0")/common.sh"
export DEBUG=0
ROUNDS=${ROUNDS:-3}

"$TOP/scripts/install-deps.sh"
[ -d "$TREE/.git" ] || "$TOP/scripts/mktree.sh"
SERIES=none "$TOP/scripts/build.sh" >/dev/null
SERIES=all "$TOP/scripts/build.sh" >/dev/null
bindir=$WORK/bench-bin
mkdir -p "$bindir"
gcc -Wall -O2 -pthread -o "$bindir/verbs_rate" "$TOP/bench/verbs_rate.c" -libverbs

out=$WORK/runs/bench-$(date +%Y%m%d-%H%M%S)
mkdir -p "$out"
for r in $(seq "$ROUNDS"); do
	for s in none all; do
		name=$([ $s = none ] && echo base || echo patched)
		info "round $r/$ROUNDS: $name kernel"
		SERIES=$s "$TOP/scripts/qemu-run.sh" -t 900 -d "$out/$name-$r" -- \
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
