#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Summarize a `make scale` run directory.

Reads <dir>/scale.raw, lines "<suite> <size> <metric> <value> <unit>" from
bench/scale-guest.sh (icount: 1 us of guest time = 1,000 instructions).
Repeated figures ("..._repN") drop repetition 1 (warm-up) and are given as
median and spread ((max - min) / median) of the rest.  Writes
<dir>/scale.csv, <dir>/scale.txt (also printed) and <dir>/scale.png.

usage: scale_report.py DIR COMMIT VARIANT
"""
import csv
import os
import re
import statistics
import sys

out, commit, variant = sys.argv[1], sys.argv[2], sys.argv[3]
line_re = re.compile(r"(containers|cgroups|netns|exclusive) ([0-9]+) (\S+) (-?[0-9.]+) (\S+)")
single, reps = {}, {}
for raw in open(os.path.join(out, "scale.raw"), errors="replace"):
    m = line_re.fullmatch(raw.strip())
    if not m:
        continue
    suite, size, metric, val, unit = m.groups()
    size, val = int(size), float(val)
    r = re.fullmatch(r"(.*)_rep([0-9]+)", metric)
    if r:
        if int(r.group(2)) > 1:
            reps.setdefault((suite, size, r.group(1), unit), []).append(val)
    else:
        single[(suite, size, metric, unit)] = val

rows = []	# suite, size, metric, unit, median, spread %, samples
for (suite, size, metric, unit), v in reps.items():
    med = statistics.median(v)
    rows.append((suite, size, metric, unit, med,
                 (max(v) - min(v)) / med * 100 if med else 0.0, len(v)))
for (suite, size, metric, unit), v in single.items():
    rows.append((suite, size, metric, unit, v, None, 1))
suites = ["containers", "cgroups", "netns", "exclusive"]
rows.sort(key=lambda r: (suites.index(r[0]), r[2], r[1]))


def get(suite, metric):
    return sorted((r[1], r[4], r[5]) for r in rows if r[0] == suite and r[2] == metric)


lines = [f"make scale, icount mode (1 ns of guest time = 1 guest instruction)",
         f"commit {commit}, kernel {variant}; repeated figures: median of the"
         f" repetitions after the first, spread = (max - min) / median", "",
         f"{'suite':10} {'size':>6} {'metric':36} {'value':>12} {'unit':5} {'spread':>7}"]
for s, size, metric, unit, med, spread, k in rows:
    sp = f"{spread:6.2f}%" if spread is not None else ""
    lines.append(f"{s:10} {size:>6} {metric:36} {med:>12.1f} {unit:5} {sp:>7}")

# The goals, stated with the figures they rest on.
lines.append("")
conn = get("containers", "connect")
if len(conn) >= 2:
    lines.append(f"rdma_cm connect+disconnect from the newest container: "
                 f"{conn[-1][0]} containers / {conn[0][0]} = {conn[-1][1] / conn[0][1]:.3f}"
                 f" (goal: at most 1.2)")
for label in ("pd", "qpmod"):
    sib = get("cgroups", f"siblings_{label}")
    if len(sib) >= 2:
        lines.append(f"charge cost ({label}) with {sib[-1][0]} siblings / {sib[0][0]}:"
                     f" {sib[-1][1] / sib[0][1]:.3f} (goal: flat)")
    dep = [(d, get("cgroups", f"depth{d}_{label}")) for d in (1, 4, 16)]
    dep = [(d, g[0][1]) for d, g in dep if g]
    if len(dep) >= 2:
        (d0, v0) = dep[0]
        per = [(d, (v - v0) / (d - d0)) for d, v in dep[1:]]
        lines.append(f"charge cost ({label}) per level of depth, from depth {d0}: " +
                     ", ".join(f"to {d}: {p:.0f} ns" for d, p in per) +
                     " (goal: linear, i.e. the same per level)")
for suite in ("netns", "exclusive"):
    allw = sorted((r[2], r[4]) for r in rows if r[0] == suite and r[2].startswith("cycle_window"))
    if len(allw) >= 4:
        # Windows of 100 cycles; a cycle's guest time is mostly waiting
        # (grace periods, netns cleanup), so single windows scatter: compare
        # the median window of the first half with that of the second.
        v = [w[1] for w in allw]
        h = len(v) // 2
        a, b = statistics.median(v[:h]), statistics.median(v[h:])
        lines.append(f"{suite}: time per cycle (mean of 100), windows {min(v) / 1000:.0f}-"
                     f"{max(v) / 1000:.0f} ms; median window, first half {a / 1000:.0f} ms,"
                     f" second half {b / 1000:.0f} ms ({(b / a - 1) * 100:+.0f} %)")
text = "\n".join(lines) + "\n"
print(text, end="")
with open(os.path.join(out, "scale.txt"), "w") as fh:
    fh.write(text)
with open(os.path.join(out, "scale.csv"), "w", newline="") as fh:
    w = csv.writer(fh)
    w.writerow(["suite", "size", "metric", "unit", "value", "spread_pct", "samples",
                "commit", "variant"])
    for s, size, metric, unit, med, spread, k in rows:
        w.writerow([s, size, metric, unit, f"{med:.1f}",
                    f"{spread:.3f}" if spread is not None else "", k, commit, variant])

try:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:
    print("matplotlib not installed: no scale.png", file=sys.stderr)
    sys.exit(0)

f, axes = plt.subplots(2, 2, figsize=(11, 8))
ax = axes[0][0]
if conn:
    # rdma_cm cycle (ns) in us on the left; set-up per container (us), a
    # thousand times longer, in ms on the right.
    ax.plot([c[0] for c in conn], [c[1] / 1000 for c in conn], "o-", label="connect+disconnect (left)")
    ax.set_ylim(0, max(c[1] for c in conn) / 1000 * 1.3)
    ax.set_ylabel("us per rdma_cm cycle (icount: 1 us = 1,000 instructions)", fontsize=8)
    setup = get("containers", "setup_per_container")
    ax2 = ax.twinx()
    ax2.plot([c[0] for c in setup], [c[1] / 1000 for c in setup], "s--", color="tab:orange",
             label="set-up per container (right)")
    ax2.set_ylim(0, max([c[1] for c in setup] or [1]) / 1000 * 1.3)
    ax2.set_ylabel("ms of guest time per container set-up", fontsize=8)
    ax.set_xscale("log")
    ax.set_xlabel("containers on one rxe port")
    ax.legend(loc="lower left", fontsize=8)
    ax2.legend(loc="lower right", fontsize=8)
ax.set_title("containers", fontsize=9)
ax = axes[0][1]
for label, mark in (("pd", "o-"), ("qpmod", "s-")):
    dep = [(d, get("cgroups", f"depth{d}_{label}")) for d in (1, 4, 16)]
    dep = [(d, g[0][1]) for d, g in dep if g]
    if dep:
        ax.plot([d for d, _ in dep], [v / 1000 for _, v in dep], mark, label=f"{label}: by depth")
    sib = get("cgroups", f"siblings_{label}")
    if sib:
        ax.plot([s[0] for s in sib], [s[1] / 1000 for s in sib], mark.replace("-", "--"),
                label=f"{label}: by siblings")
ax.set_xscale("log")
ax.set_xlabel("cgroup depth, or number of siblings")
ax.set_ylabel("us per operation")
ax.legend(fontsize=8)
ax.set_title("charge cost (PD create+destroy, QP INIT->RTR->RTS)", fontsize=9)
for ax, suite in ((axes[1][0], "netns"), (axes[1][1], "exclusive")):
    allw = sorted((r[1], r[4]) for r in rows if r[0] == suite and r[2].startswith("cycle_window"))
    if allw:
        ax.plot([a for a, _ in allw], [v / 1000 for _, v in allw], "o-")
        ax.set_ylim(0, max(v for _, v in allw) / 1000 * 1.15)
    ax.set_xlabel("cycles done")
    ax.set_ylabel("ms per cycle (mean of 100)")
    ax.set_title(f"{suite}: " + ("netns + veth + rxe link, create and delete" if suite == "netns"
                                 else "device to a netns and back"), fontsize=9)
f.suptitle(f"make scale (icount), {commit}, {variant}", fontsize=10)
f.tight_layout()
f.savefig(os.path.join(out, "scale.png"), dpi=100)
