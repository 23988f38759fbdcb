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
pass=0 fail=0 skip=0

# suite DIR KERNEL TIMEOUT MANIFEST PRE KSFT_ARGS KUNIT_MIN: run the
# installed selftests in a guest booted from KERNEL (after the shell
# commands PRE), add its results to pass/fail/skip, and count its manifest
# violations, kernel splats, an abnormal end and fewer than KUNIT_MIN
# passed KUnit cases at boot as failures.
suite() {
	local dir=$1 kernel=$2 tmo=$3 manifest=$4 pre=$5 args=$6 kunit_min=$7
	local ktap=$dir/ktap.txt grc=0 p f s m n splats kp=0 kf=0 ks=0

	mkdir -p "$dir"
	cat > "$dir/check-guest.sh" <<GUEST
set -u
if [ -w /sys/kernel/debug/kmemleak ]; then echo clear > /sys/kernel/debug/kmemleak; fi
$pre
cd "$inst"
./run_kselftest.sh $args 2>&1 | tee /run/scratch/ktap.txt
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
	GUEST_LOGLEVEL=4 "$TOP/scripts/qemu-run.sh" -k "$kernel" -t "$tmo" -d "$dir" -- \
		"bash $dir/check-guest.sh" || grc=$?

	[ -f "$ktap" ] || : > "$ktap"
	# Count leaf results: each script's KTAP "ok N name" lines one level
	# down, and the cases of a KTAP stream nested in a script (two levels
	# down: rdma_cgroup.sh runs a kselftest_harness program), whose
	# parent result is not counted again unless it failed on its own.
	# net/lib.sh-style "TEST: ... [ OK ]" lines count too (the manifest
	# check refuses them).  A top-level test that reported no leaf result
	# counts as one result of its own.
	read -r p f s < <(awk '
		function leaf(res) { n[cur]++; c[res]++ }
		/^(not )?ok [0-9]+ selftests: / {
			top = ($0 ~ /^not ok/) ? "fail" : ($0 ~ /# SKIP/) ? "skip" : "pass"
			if (!n[cur]) c[top]++
			else if (top == "fail" && !f[cur]) c["fail"]++
			cur++; innest = 0; next
		}
		/^# TEST: .*\[ OK \]$/ { leaf("pass"); next }
		/^# TEST: .*\[FAIL\]$/ { leaf("fail"); f[cur]++; next }
		/^# TEST: .*\[XFAIL\]$/ { leaf("pass"); next }
		/^# TEST: .*\[SKIP\]$/ { leaf("skip"); next }
		/^# # TAP version / { innest = 1; kids = 0; kidfail = 0; next }
		innest && /^# # ok [0-9]+ .*# SKIP/ { leaf("skip"); kids++; next }
		innest && /^# # ok [0-9]+ / { leaf("pass"); kids++; next }
		innest && /^# # not ok [0-9]+ / { leaf("fail"); f[cur]++; kids++; kidfail++; next }
		/^# (not )?ok [0-9]+ / {
			parent = innest && kids
			innest = 0
			if (parent) {
				if ($2 == "not" && !kidfail) { leaf("fail"); f[cur]++ }
				next
			}
			if ($2 == "not") { leaf("fail"); f[cur]++ }
			else if ($0 ~ /# SKIP/) leaf("skip")
			else leaf("pass")
			next
		}
		# deeper results are not counted, but a failure there fails
		/^# (# )+not ok [0-9]+ / { leaf("fail"); f[cur]++; next }
		END { printf "%d %d %d\n", c["pass"], c["fail"], c["skip"] }
	' "$ktap")

	# A selection (KSFT_ARGS) that matched no script ran nothing: the
	# KUnit results below must not make that look like a pass.
	if ! grep -qE '^(not )?ok [0-9]+ selftests: ' "$ktap"; then
		echo "FAILED: no selftest script ran ($(head -c 200 "$ktap" | tr '\n' ' '))"
		f=$((f + 1))
	fi

	# KUnit suites run at boot (debug config); their cases are results too.
	if [ "$kunit_min" -gt 0 ]; then
		[ -f "$dir/dmesg.txt" ] &&
		read -r kp kf ks < <(sed -e 's/^\[ *[0-9.]*\] //' "$dir/dmesg.txt" | awk '
			/^    ok [0-9]+ .*# SKIP/ { s++; next }
			/^    ok [0-9]+ / { p++; next }
			/^    not ok [0-9]+ / { f++; print "FAILED: kunit " $0 > "/dev/stderr"; next }
			END { printf "%d %d %d\n", p, f, s }')
		p=$((p + kp)); f=$((f + kf)); s=$((s + ks))
		echo "KUnit: $kp passed, $kf failed, $ks skipped"
		if [ "$kp" -lt "$kunit_min" ]; then
			echo "FAILED: $kp KUnit results passed, at least $kunit_min expected"
			f=$((f + 1))
		fi
	fi

	# Every script of the manifest ran, with enough results and only the
	# allowed skips (a partial run with KSFT_ARGS is not held to it).
	if [ -z "${KSFT_ARGS:-}" ]; then
		if ! m=$("$TOP/scripts/ktap-manifest.sh" "$ktap" "$manifest"); then
			echo "$m"
			n=$(grep -c '^FAILED: manifest:' <<< "$m" || true)
			f=$((f + (n > 0 ? n : 1)))
		fi
	else
		echo "KSFT_ARGS set: the run is not held to ${manifest##*/}"
	fi

	# Each failed result, with the message a script printed before it.
	awk '/^(# )*not ok [0-9]+ |^# TEST: .*\[FAIL\]$/ {
		if (n++ < 50) {
			print "FAILED: " $0
			if (prev ~ /^# # / && prev !~ /ok [0-9]+ /)
				print "FAILED:   " substr(prev, 5)
		}
	}
	{ prev = $0 }' "$ktap"

	# Warnings reach dmesg.txt, not the console (loglevel 4): a log that
	# wrapped may have lost one.
	if [ -s "$dir/dmesg.txt" ] && ! head -n 1 "$dir/dmesg.txt" | grep -q 'Linux version'; then
		echo "FAILED: the kernel log wrapped (dmesg.txt does not start at boot); reports may be lost"
		f=$((f + 1))
	fi

	# Kernel splats fail the run on their own.  A user process that
	# faults makes the kernel print "traps: comm[pid] general protection
	# fault ip:... in lib" or "comm[pid]: segfault at ...": that is the
	# program's crash, reported by its test, and no kernel report.
	splats=$(grep -aE "$splat_re" "$dir/console.log" "$dir/dmesg.txt" "$dir/kmemleak.txt" 2>/dev/null |
		grep -avE "$user_fault_re" |
		grep -v 'kmemleak: Kernel memory leak detector initialized' |
		grep -v 'kmemleak: Automatic memory scanning thread' | head -40 || true)
	if [ -n "$splats" ]; then
		echo "Kernel reports (the run fails even if every test passed):"
		echo "$splats"
		f=$((f + 1))
	fi
	case $grc in
	0|1|4) ;;
	124) echo "The guest timed out"; f=$((f + 1)) ;;
	*) echo "The guest ended abnormally (status $grc); console: $dir/console.log"; f=$((f + 1)) ;;
	esac
	if [ $((p + f + s)) = 0 ]; then
		echo "No test ran"
		f=$((f + 1))
	fi
	echo "${dir##*/}: $p passed, $f failed, $s skipped"
	pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + s))
}

splat_re='WARNING:|BUG:|KASAN|UBSAN|Oops|Kernel panic|possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU usage|bad unlock balance|held lock freed|ODEBUG|refcount_t:|unreferenced object|kmemleak:|leaked reference|ref_tracker|unregister_netdevice: waiting|INFO: task .* blocked|general protection fault|list_add corruption|list_del corruption|detected stalls|self-detected stall|page allocation failure|netns exit waits|soft lockup'
user_fault_re='traps: [^ ]+\[[0-9]+\] (general protection fault|trap [a-z ]+) ip:[0-9a-f]+ sp:|[^ ]+\[[0-9]+\]: segfault at '

# The debug kernel, RDMA built in: every selftest.  CHECK_BUILTIN=0 leaves
# it out (to repeat the modular run alone).
if [ "${CHECK_BUILTIN:-1}" = 1 ]; then
	suite "$rundir" "$OBJ/arch/x86/boot/bzImage" "${CHECK_TIMEOUT:-3300}" \
		"$TOP/scripts/check.manifest" "" "${KSFT_ARGS:-}" "${KUNIT_MIN:-11}"
fi
t_run=$(date +%s)

# RDMA as modules, as distributions build it (configs/modular.config on a
# kernel without the debug options): modpost checks every cross-module
# call at build time, rdma_modules.sh loads, unloads and reloads the
# modules (with links and contexts in a netns), and the rdma_cm, cgroup
# and netns-mode tests run on top.  rdma_netns.sh runs on the debug
# kernel only: its teardown-with-traffic cases are timing-dependent on
# the faster nodebug kernel (a re-added device reuses QP numbers a peer
# may still send to), which is not understood yet.
t_mod=$t_run
if [ "${CHECK_MODULAR:-1}" = 1 ] && [ -z "${KSFT_ARGS:-}" ]; then
	mobj=$WORK/obj-$(MODULAR=1 DEBUG=0 SERIES=all; variant)
	if ! MODULAR=1 DEBUG=0 OBJ=$mobj "$TOP/scripts/build.sh" >/dev/null; then
		echo "FAILED: the modular kernel does not build (modpost?)"
		fail=$((fail + 1))
	else
		t_mod=$(date +%s)
		# The guest binds the installed modules over /lib/modules, the
		# host's, which it sees read-only: the directory must exist.
		mkdir -p /lib/modules
		export GUEST_ENV=GUEST_MODULES GUEST_MODULES=$mobj/modroot/lib/modules
		suite "$rundir/modular" "$mobj/arch/x86/boot/bzImage" "${CHECK_MODULAR_TIMEOUT:-1500}" \
			"$TOP/scripts/check-modular.manifest" "modprobe -a ib_uverbs rdma_ucm rdma_rxe" \
			"-t rdma:rdma_modules.sh -t rdma:rdma_cm.sh -t rdma:rdma_system.sh -t rdma:rdma_cgroup.sh -t rdma:rdma_runc.sh" 0
		unset GUEST_ENV GUEST_MODULES
	fi
fi
t_end=$(date +%s)

# The Kconfig corners (scripts/kconfig-matrix.sh): each built corner is a
# result.  CHECK_MATRIX=0 leaves them out.
t_mat=$t_end
if [ "${CHECK_MATRIX:-1}" = 1 ] && [ -z "${KSFT_ARGS:-}" ]; then
	mout=$("$TOP/scripts/kconfig-matrix.sh" 2>&1) || true
	mp=$(grep -c '^ok ' <<< "$mout" || true)
	mf=$(grep -c '^FAILED ' <<< "$mout" || true)
	grep -E '^(ok|FAILED) |^       ' <<< "$mout" | sed 's/^/kconfig-matrix: /' || true
	if [ $((mp + mf)) = 0 ]; then
		echo "FAILED: the Kconfig matrix did not run: $(tail -3 <<< "$mout" | tr '\n' ' ')"
		mf=1
	fi
	pass=$((pass + mp)); fail=$((fail + mf))
	t_mat=$(date +%s)
fi

echo "Logs: $rundir (console.log, ktap.txt, dmesg.txt, kmemleak.txt; modular/ for the modular run)"
echo "Time: build $((t_build - t0)) s, guest $((t_run - t_build)) s, modular build $((t_mod - t_run)) s, modular guest $((t_end - t_mod)) s, Kconfig matrix $((t_mat - t_end)) s"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
