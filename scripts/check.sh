#!/bin/bash
# The test command: build the debug kernel from patches/ on the pinned base,
# run every selftest in tools/testing/selftests/rdma inside the guest, and
# fail on any failed test or any kernel splat (WARNING, BUG, KASAN, lockdep,
# kmemleak, debugobjects, refcount), even if every test passed.
# The last line is "N passed, N failed, N skipped".
set -euo pipefail
. "$(dirname "$0")/common.sh"
export DEBUG=1 SERIES=all

t0=$(date +%s)
"$TOP/scripts/install-deps.sh"

# The tree must be exactly patches/ on the base.
tree_matches() {
	[ -d "$TREE/.git" ] || return 1
	git -C "$TREE" rev-parse -q --verify "refs/tags/$BASE_TAG" >/dev/null || return 1
	[ -z "$(git -C "$TREE" status --porcelain --untracked-files=no)" ] || return 1
	local tmp rc=0
	tmp=$(mktemp -d)
	OUT=$tmp "$TOP/scripts/export.sh" >/dev/null 2>&1 || rc=1
	[ $rc = 0 ] && diff -rq -x cover-letter.in -x series "$TOP/patches" "$tmp" >/dev/null || rc=1
	rm -rf "$tmp"
	return $rc
}
if ! tree_matches; then
	if [ "${CI:-}" = true ]; then
		FORCE=1 "$TOP/scripts/mktree.sh"
	else
		"$TOP/scripts/mktree.sh"
	fi
fi

"$TOP/scripts/build.sh" >/dev/null
inst=$("$TOP/scripts/selftests.sh")
t_build=$(date +%s)

rundir=$WORK/runs/check-$(date +%Y%m%d-%H%M%S)
mkdir -p "$rundir"
cat > "$rundir/check-guest.sh" <<GUEST
set -u
echo clear > /sys/kernel/debug/kmemleak 2>/dev/null
cd "$inst"
./run_kselftest.sh ${KSFT_ARGS:-} 2>&1 | tee /run/scratch/ktap.txt
rc=\${PIPESTATUS[0]}
# Leaks: objects freed by RCU or workqueues need a moment; scan twice.
if [ -w /sys/kernel/debug/kmemleak ]; then
	sleep 5; echo scan > /sys/kernel/debug/kmemleak
	sleep 5; echo scan > /sys/kernel/debug/kmemleak
	cat /sys/kernel/debug/kmemleak > /run/scratch/kmemleak.txt
	if [ -s /run/scratch/kmemleak.txt ]; then
		echo "kmemleak: unreferenced objects after the tests:"
		head -60 /run/scratch/kmemleak.txt
	fi
fi
exit \$rc
GUEST
grc=0
GUEST_LOGLEVEL=4 "$TOP/scripts/qemu-run.sh" -t "${CHECK_TIMEOUT:-3300}" -d "$rundir" -- \
	"bash $rundir/check-guest.sh" || grc=$?
t_run=$(date +%s)

ktap=$rundir/ktap.txt
[ -f "$ktap" ] || : > "$ktap"
# Count leaf results: net/lib.sh-style "TEST: ... [ OK ]" lines and
# kselftest_harness "ok N name" lines one level down.  A top-level test
# that reported no leaf result counts as one result of its own.
read -r pass fail skip < <(awk '
	function leaf(res) { n[cur]++; c[res]++ }
	/^(not )?ok [0-9]+ selftests: / {
		top = ($0 ~ /^not ok/) ? "fail" : ($0 ~ /# SKIP/) ? "skip" : "pass"
		if (!n[cur]) c[top]++
		else if (top == "fail" && !f[cur]) c["fail"]++
		cur++; next
	}
	/^# TEST: .*\[ OK \]$/ { leaf("pass"); next }
	/^# TEST: .*\[FAIL\]$/ { leaf("fail"); f[cur]++; next }
	/^# TEST: .*\[XFAIL\]$/ { leaf("pass"); next }
	/^# TEST: .*\[SKIP\]$/ { leaf("skip"); next }
	/^# ok [0-9]+ .*# SKIP/ { leaf("skip"); next }
	/^# ok [0-9]+ / { leaf("pass"); next }
	/^# not ok [0-9]+ / { leaf("fail"); f[cur]++; next }
	END { printf "%d %d %d\n", c["pass"], c["fail"], c["skip"] }
' "$ktap")

# KUnit suites run at boot (debug config); their cases are results too.
if [ -f "$rundir/dmesg.txt" ]; then
	read -r kp kf ks < <(sed -e 's/^\[ *[0-9.]*\] //' "$rundir/dmesg.txt" | awk '
		/^    ok [0-9]+ .*# SKIP/ { s++; next }
		/^    ok [0-9]+ / { p++; next }
		/^    not ok [0-9]+ / { f++; print "FAILED: kunit " $0 > "/dev/stderr"; next }
		END { printf "%d %d %d\n", p, f, s }')
	pass=$((pass + kp)); fail=$((fail + kf)); skip=$((skip + ks))
	echo "KUnit: $kp passed, $kf failed, $ks skipped"
fi

echo
for t in $(grep -E '^# (not )?ok [0-9]+ |^# TEST: ' "$ktap" | grep -E 'not ok|\[FAIL\]' | tr ' ' '_' | head -50); do
	echo "FAILED: ${t//_/ }"
done

# Kernel splats fail the run on their own.
splat_re='WARNING:|BUG:|KASAN|UBSAN|Oops|Kernel panic|possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU usage|bad unlock balance|held lock freed|ODEBUG|refcount_t:|unreferenced object|kmemleak:|leaked reference|ref_tracker|unregister_netdevice: waiting|INFO: task .* blocked|general protection fault|list_add corruption|list_del corruption|detected stalls|self-detected stall|page allocation failure|netns exit waits|soft lockup'
# A user process that faults makes the kernel print "traps: comm[pid] general
# protection fault ip:... in lib" or "comm[pid]: segfault at ...".  That is the
# program's crash, reported by its test; it is no kernel report.
user_fault_re='traps: [^ ]+\[[0-9]+\] (general protection fault|trap [a-z ]+) ip:[0-9a-f]+ sp:|[^ ]+\[[0-9]+\]: segfault at '
splats=$(grep -aE "$splat_re" "$rundir/console.log" "$rundir/dmesg.txt" "$rundir/kmemleak.txt" 2>/dev/null |
	grep -avE "$user_fault_re" |
	grep -v 'kmemleak: Kernel memory leak detector initialized' |
	grep -v 'kmemleak: Automatic memory scanning thread' | head -40 || true)
if [ -n "$splats" ]; then
	echo "Kernel reports (the run fails even if every test passed):"
	echo "$splats"
	fail=$((fail + 1))
fi
case $grc in
0|1|4) ;;
124) echo "The guest timed out"; fail=$((fail + 1)) ;;
*) echo "The guest ended abnormally (status $grc); console: $rundir/console.log"; fail=$((fail + 1)) ;;
esac
if [ $((pass + fail + skip)) = 0 ]; then
	echo "No test ran"
	fail=$((fail + 1))
fi

echo "Logs: $rundir (console.log, ktap.txt, dmesg.txt, kmemleak.txt)"
echo "Time: build $((t_build - t0)) s, guest $((t_run - t_build)) s"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
