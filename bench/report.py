#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Summarize an icount `make bench` run directory.

Reads <dir>/{base,patched}-<round>.txt, lines "<figure> <rep> <value> <unit>"
from bench/icount-guest.sh.  Repetition 1 of every boot is warm-up and is
dropped.  Per figure and kernel: median, min, max and spread, the spread
being (max - min) / median over the kept repetitions of all boots.  The
ratio patched / base is quoted only when both spreads are under 1 %.

Writes <dir>/bench.csv and <dir>/bench.txt (the table also goes to stdout)
and, when matplotlib is there, <dir>/bench.png.

usage: report.py DIR COMMIT VARIANT
"""
import csv
import glob
import os
import re
import statistics
import sys

QUOTE_SPREAD = 1.0	# percent

out, commit, variant = sys.argv[1], sys.argv[2], sys.argv[3]
line_re = re.compile(r"(\S+) ([0-9]+) ([0-9.]+(?:e[-+]?[0-9]+)?) (\S+)")
data, units, boots = {}, {}, {}
for f in sorted(glob.glob(os.path.join(out, "*-[0-9]*.txt"))):
    kern = "base" if os.path.basename(f).startswith("base-") else "patched"
    boots[kern] = boots.get(kern, 0) + 1
    for raw in open(f, errors="replace"):
        m = line_re.fullmatch(raw.strip())
        if not m:
            continue
        fig, rep, val, unit = m.groups()
        units[fig] = unit
        if int(rep) > 1:
            data.setdefault((fig, kern), []).append(float(val))


def stats(v):
    med = statistics.median(v)
    return med, min(v), max(v), (max(v) - min(v)) / med * 100 if med else float("inf")


def order(fig):
    # control path by cgroup mode, then the data path
    groups = ["root/", "limited/", "policy/", "dp/"]
    g = next((i for i, p in enumerate(groups) if fig.startswith(p)), len(groups))
    return g, fig


rows = []
for fig in sorted(units, key=order):
    b = data.get((fig, "base"))
    p = data.get((fig, "patched"))
    sb = stats(b) if b else None
    sp = stats(p) if p else None
    ratio, note = None, ""
    if sb and sp:
        if sb[3] < QUOTE_SPREAD and sp[3] < QUOTE_SPREAD:
            ratio = sp[0] / sb[0]
        else:
            note = "spread >= 1 %: no ratio"
    elif sp:
        note = "patched only"
    rows.append((fig, units[fig], sb, sp, ratio, note))

hdr = (f"make bench, icount mode (1 ns of guest time = 1 guest instruction)\n"
       f"commit {commit}, kernels {variant} and its base from the same config;"
       f" boots: base {boots.get('base', 0)}, patched {boots.get('patched', 0)};"
       f" first repetition of each boot dropped\n"
       f"value = median; spread = (max - min) / median over the kept repetitions;"
       f" ratio = patched / base, quoted when both spreads < {QUOTE_SPREAD:g} %\n")
lines = [hdr,
         f"{'figure':28} {'unit':7} {'base':>12} {'spread':>7} {'patched':>12}"
         f" {'spread':>7} {'ratio':>7}  note"]


def fmt(s):
    if not s:
        return f"{'-':>12} {'-':>7}"
    return f"{s[0]:>12.1f} {s[3]:>6.2f}%"


for fig, unit, sb, sp, ratio, note in rows:
    r = f"{ratio:>7.4f}" if ratio is not None else f"{'-':>7}"
    lines.append(f"{fig:28} {unit:7} {fmt(sb)} {fmt(sp)} {r}  {note}".rstrip())
# The contention run (LOCK_STAT kernels), when there is one.
lock = {}
for kern in ("base", "patched"):
    f = os.path.join(out, f"lockstat-{kern}.txt")
    if not os.path.exists(f):
        continue
    for raw in open(f, errors="replace"):
        p = raw.split()
        if len(p) == 5 and p[0] in ("lock", "top"):
            lock.setdefault((p[0], p[1]), {})[kern] = (int(p[2]), float(p[3]), int(p[4]))
lock_start = len(lines)
if lock:
    lines += ["", "contention run (LOCK_STAT kernels, plain TCG): processes in cgroups of"
              " their own creating and destroying objects at once",
              f"{'lock class':34} {'base: contentions':>17} {'wait us':>10} {'acquired':>9}"
              f" {'patched: contentions':>20} {'wait us':>10} {'acquired':>9}"]
    for (kind, cls) in sorted(lock, key=lambda k: (k[0] != "lock", k[1])):
        row = f"{cls[:34]:34}"
        for kern, w in (("base", 17), ("patched", 20)):
            v = lock[(kind, cls)].get(kern)
            row += (f" {v[0]:>{w}} {v[1]:>10.1f} {v[2]:>9}" if v
                    else f" {'-':>{w}} {'-':>10} {'-':>9}")
        lines.append(row + ("" if kind == "lock" else "  (most contended)"))

text = "\n".join(lines) + "\n"
print(text, end="")
with open(os.path.join(out, "bench.txt"), "w") as fh:
    fh.write(text)
if lock:
    with open(os.path.join(out, "lockstat.txt"), "w") as fh:
        fh.write(f"commit {commit}\n" + "\n".join(lines[lock_start + 1:]) + "\n")

with open(os.path.join(out, "bench.csv"), "w", newline="") as fh:
    w = csv.writer(fh)
    w.writerow(["figure", "unit", "kernel", "samples", "median", "min", "max",
                "spread_pct", "ratio_patched_base", "commit", "variant"])
    for fig, unit, sb, sp, ratio, note in rows:
        for kern, s in (("base", sb), ("patched", sp)):
            if s:
                w.writerow([fig, unit, kern, len(data[(fig, kern)]),
                            f"{s[0]:.1f}", f"{s[1]:.1f}", f"{s[2]:.1f}", f"{s[3]:.3f}",
                            f"{ratio:.4f}" if ratio is not None else "",
                            commit, variant])

try:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:
    print("matplotlib not installed: no bench.png", file=sys.stderr)
    sys.exit(0)

# One bar per figure with both kernels: patched / base of the medians, the
# error bar spanning the ratios of the extremes (min/max, max/min).
figs = [r for r in rows if r[2] and r[3]]
if figs:
    fig_h = max(4, 0.32 * len(figs) + 1.5)
    f, ax = plt.subplots(figsize=(9, fig_h))
    y = list(range(len(figs)))
    vals = [r[3][0] / r[2][0] for r in figs]
    lo = [v - r[3][1] / r[2][2] for v, r in zip(vals, figs)]
    hi = [r[3][2] / r[2][1] - v for v, r in zip(vals, figs)]
    colors = ["tab:blue" if r[4] is not None else "tab:gray" for r in figs]
    ax.barh(y, [v - 1 for v in vals], left=1, xerr=[lo, hi], color=colors,
            capsize=2)
    ax.axvline(1.0, color="black", linewidth=0.8)
    ax.set_yticks(y)
    ax.set_yticklabels([r[0] for r in figs], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("patched / base (instructions per operation; above 1 costs more)")
    ax.set_title(f"make bench (icount), {commit}\n"
                 "grey: a spread of 1 % or more, ratio not quoted", fontsize=9)
    f.tight_layout()
    f.savefig(os.path.join(out, "bench.png"), dpi=110)
