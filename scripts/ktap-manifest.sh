#!/bin/bash
# Hold a run's KTAP output (run_kselftest.sh) against scripts/check.manifest:
# every script named there ran and reported at least its minimum number of
# results, no script ran that the manifest does not name, the plan line
# matches the results, and the only skips are the allowed ones.  A script
# that skips as a whole (exit 4) fails, with or without results before it.
# Each script's own KTAP is checked too: its results are numbered 1, 2, ...
# and its plan, which comes last, counts them.
#
# A script listed as "skipped" must skip as a whole (it does not apply to
# the kernel of this run).
#
#   ktap-manifest.sh KTAP [MANIFEST]
# Prints one "FAILED: manifest: ..." line per violation; exit 1 if any.
set -euo pipefail

ktap=$1
manifest=${2:-$(dirname "$0")/check.manifest}
[ -r "$ktap" ] || { echo "FAILED: manifest: no KTAP output ($ktap)"; exit 1; }
[ -r "$manifest" ] || { echo "FAILED: manifest: $manifest missing"; exit 1; }

awk -v manifest="$manifest" '
function bad(msg) { print "FAILED: manifest: " msg; nbad++ }
# The name of a skipped result: the test name of a "# ok N name # SKIP
# reason" line, one or two levels down.
function skipname(line,    t) {
	t = line
	sub(/^# (# )?ok [0-9]+ /, "", t)
	sub(/ # SKIP.*$/, "", t)
	return t
}
function allowed(script, line,    i, name) {
	name = skipname(line)
	for (i = 1; i <= nallow; i++)
		if (allow_s[i] == script && index(name, allow_p[i])) {
			used[i] = 1
			return 1
		}
	return 0
}
BEGIN {
	while ((getline l < manifest) > 0) {
		sub(/#.*/, "", l)
		sub(/^[ \t]+/, "", l)
		sub(/[ \t]+$/, "", l)
		if (l == "")
			continue
		n = split(l, f, /[ \t]+/)
		if (f[1] == "results" && n == 3) {
			min[f[2]] = f[3] + 0
			order[++nscripts] = f[2]
		} else if (f[1] == "skipped" && n >= 3) {
			whole[f[2]] = 1
			min[f[2]] = 0
			order[++nscripts] = f[2]
		} else if (f[1] == "skip" && n >= 4) {
			allow_s[++nallow] = f[2]
			allow_p[nallow] = f[3]
		} else {
			print "FAILED: manifest: bad line in " manifest ": " l
			nbad++
		}
	}
	close(manifest)
	cur = ""
}
/^1\.\.[0-9]+$/ && !plan { plan = substr($0, 4) + 0; next }
/^# selftests: [^ ]+: / {
	cur = $4; leaves[cur] = 0; next_no = 1; kplan = ""; innest = 0; kids = 0
	next
}
# Every script prints KTAP (lib.sh); a net/lib.sh-style line means a
# script lost that.
/^# TEST: / { bad(cur ": a result that is not KTAP: " substr($0, 3)); next }
# A KTAP stream nested in a script (rdma_cgroup.sh runs a
# kselftest_harness program): its cases are results of the script, and
# the one result the script gives the program is not counted again.
/^# # TAP version / { innest = 1; kids = 0; next }
innest && /^# # (not )?ok [0-9]+ / {
	kids++
	leaves[cur]++
	if ($0 ~ /# SKIP/ && !allowed(cur, $0))
		bad(cur ": a skip that is not allowed: " substr($0, 3))
	next
}
# The KTAP of each script: results numbered 1, 2, ... (a result logged in
# a subshell would repeat a number), none after the plan, which comes last
# and counts them.
/^# (not )?ok [0-9]+ / {
	if (kplan != "")
		bad(cur ": a KTAP result after the plan: " substr($0, 3))
	no = ($2 == "not") ? $4 : $3
	if (no != next_no)
		bad(cur ": KTAP result numbered " no ", expected " next_no)
	next_no = no + 1
	if (!(innest && kids))
		leaves[cur]++
	innest = 0
	kids = 0
	if ($0 ~ /# SKIP/ && !allowed(cur, $0))
		bad(cur ": a skip that is not allowed: " substr($0, 3))
	next
}
/^# 1\.\.[0-9]+( # .*)?$/ {
	if (kplan != "")
		bad(cur ": a second KTAP plan")
	kplan = $2
	sub(/^1\.\./, "", kplan)
	if (kplan + 0 != next_no - 1)
		bad(cur ": KTAP plan 1.." kplan " after " next_no - 1 " results")
	next
}
/^(not )?ok [0-9]+ selftests: / {
	name = ($1 == "not") ? $6 : $5
	if (name in ran)
		bad(name ": ran twice")
	ran[name] = 1
	tops++
	if ($0 ~ /# SKIP/ && !(name in whole))
		bad(name ": skipped as a whole, after " leaves[name] + 0 " results")
	else if ($0 !~ /# SKIP/ && (name in whole))
		bad(name ": ran, but this run expects it to skip as a whole")
	if (!(name in min))
		bad(name ": ran, but is not in the manifest")
	if (kplan == "" && name in min)
		bad(name ": no KTAP plan")
	cur = ""
	next
}
END {
	for (i = 1; i <= nscripts; i++) {
		s = order[i]
		if (!(s in ran))
			bad(s ": did not run")
		else if (leaves[s] < min[s])
			bad(s ": " leaves[s] + 0 " results, the manifest expects at least " min[s])
	}
	if (plan != tops)
		bad("the plan announced " plan + 0 " scripts, " tops + 0 " reported")
	for (i = 1; i <= nallow; i++)
		if (!used[i] && (allow_s[i] in ran))
			bad(allow_s[i] ": the allowed skip \"" allow_p[i] "\" did not happen; drop it from the manifest")
	exit nbad ? 1 : 0
}
' "$ktap"
