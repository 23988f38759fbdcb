#!/bin/bash
# Runs inside the guest for `make bench-netns`: rxe (soft-RoCE) bandwidth
# and latency with perftest over rdma_cm (-R), one line per measurement:
#   <mode> <test> <value> <unit>        (value "n/a" when the mode fails)
# Diagnostics go to stderr, prefixed "# ".
#
# Modes (NETNS_BENCH_MODES, default "init netns xnetns"):
#   init    one rxe device on a veth in init_net; server and client on it,
#           the client connects to the device's own address (rxe loopback)
#   netns   the same, built and run entirely inside a new network namespace
#   xnetns  a veth pair split across namespaces A and B, an rxe device on
#           each end, client in A, server in B (real RoCEv2 UDP packets)
# A kernel without per-netns rxe (the unpatched base: its RoCEv2 socket and
# its routing are init_net's) has no UDP port 4791 socket in a namespace
# even with an rxe link there; netns and xnetns then print "n/a" without
# trying traffic.  Once
# a measurement fails (after retries), its mode prints "n/a" from then on.
#
# Tests (NETNS_BENCH_TESTS, default "write_bw send_bw send_lat"):
#   write_bw  ib_write_bw, BW average, MiB/s (perftest's "MB/sec" is MiB)
#   send_bw   ib_send_bw, BW average, MiB/s
#   send_lat  ib_send_lat: send_lat_typ (median) and send_lat_avg, usec
#   write_lat ib_write_lat: write_lat_typ and write_lat_avg, usec
# Sizes and iteration counts are fixed (BW_SIZE, BW_ITERS, LAT_SIZE,
# LAT_ITERS) so that every mode does the same work: about 5 s of traffic
# per run under TCG.  Each test runs NETNS_BENCH_REPEAT times (default 2)
# per mode, the modes interleaved test by test.  PERFTEST_EXTRA is added to
# every test's arguments (the icount bench passes -e, completion events: on
# one vCPU a busy-polling client leaves rxe's deferred work no CPU until the
# next tick, and the figure would measure the scheduler, not rxe).
set -u
modes=${NETNS_BENCH_MODES:-init netns xnetns}
tests=${NETNS_BENCH_TESTS:-write_bw send_bw send_lat}
bw_size=${BW_SIZE:-65536} bw_iters=${BW_ITERS:-5000}
lat_size=${LAT_SIZE:-64} lat_iters=${LAT_ITERS:-20000}
repeat=${NETNS_BENCH_REPEAT:-2}
tmo=${PERFTEST_TIMEOUT:-120}	# hard limit for one perftest process
port=${PERFTEST_PORT:-19000}	# a fresh port for every attempt

tmp=$(mktemp -d /tmp/netns-bench.XXXXXX)
spid=""		# the perftest server running now
declare -A dead

note() { echo "# $*" >&2; }

cleanup() {
	[ -z "$spid" ] || kill "$spid" 2>/dev/null
	wait 2>/dev/null
	rdma link del rxei 2>/dev/null
	ip link del nbi0 2>/dev/null
	ip netns exec rbn rdma link del rxen 2>/dev/null
	ip netns exec rba rdma link del rxea 2>/dev/null
	ip netns exec rbb rdma link del rxeb 2>/dev/null
	ip netns del rbn 2>/dev/null
	ip netns del rba 2>/dev/null
	ip netns del rbb 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

# Does this kernel give a namespace its own RoCEv2 socket?  Asked once the
# namespace has an rxe link: the patched rxe opens a namespace's socket
# with its first link there, the base never opens one outside init_net.
has_roce_socket() {	# netns
	# 4791 = 0x12B7, local address column of /proc/net/udp{,6}
	ip netns exec "$1" cat /proc/net/udp /proc/net/udp6 2>/dev/null |
		awk '$2 ~ /:12B7$/ { f = 1 } END { exit !f }'
}

setup_init() {
	ip link add nbi0 type veth peer name nbi1 &&
	ip link set nbi0 up && ip link set nbi1 up &&
	ip addr add 10.89.1.1/24 dev nbi0 &&
	rdma link add rxei type rxe netdev nbi0
}

setup_netns() {
	ip netns add rbn && ip -n rbn link set lo up || return 1
	ip -n rbn link add nbn0 type veth peer name nbn1 &&
	ip -n rbn link set nbn0 up && ip -n rbn link set nbn1 up &&
	ip -n rbn addr add 10.89.2.1/24 dev nbn0 &&
	ip netns exec rbn rdma link add rxen type rxe netdev nbn0 || return 1
	has_roce_socket rbn || { note "netns: no RoCEv2 UDP socket in the netns"; return 1; }
}

setup_xnetns() {
	ip netns add rba && ip netns add rbb &&
	ip -n rba link set lo up && ip -n rbb link set lo up || return 1
	ip link add nbx0 netns rba type veth peer name nbx1 netns rbb &&
	ip -n rba addr add 10.89.3.1/24 dev nbx0 &&
	ip -n rbb addr add 10.89.3.2/24 dev nbx1 &&
	ip -n rba link set nbx0 up && ip -n rbb link set nbx1 up &&
	ip netns exec rba rdma link add rxea type rxe netdev nbx0 &&
	ip netns exec rbb rdma link add rxeb type rxe netdev nbx1 || return 1
	has_roce_socket rba || { note "xnetns: no RoCEv2 UDP socket in the netns"; return 1; }
}

# Per mode: server netns, server device, client netns, client device, and
# the address the client connects to.  "-" = init_net.
declare -A srv_ns srv_dev cli_ns cli_dev addr
srv_ns[init]=- srv_dev[init]=rxei cli_ns[init]=- cli_dev[init]=rxei addr[init]=10.89.1.1
srv_ns[netns]=rbn srv_dev[netns]=rxen cli_ns[netns]=rbn cli_dev[netns]=rxen addr[netns]=10.89.2.1
srv_ns[xnetns]=rbb srv_dev[xnetns]=rxeb cli_ns[xnetns]=rba cli_dev[xnetns]=rxea addr[xnetns]=10.89.3.2

ns_cmd() {	# netns: the prefix that runs a command there (ip execs it)
	[ "$1" = - ] || echo "ip netns exec $1"
}

# Column N (1-based) of the result line under perftest's "#bytes" header,
# for the column whose name starts with $2.  Header names contain spaces
# ("BW average[MB/sec]"); a name ends at a word that starts with "#" or
# contains "]".
column() {	# file name-prefix
	awk -v want="$2" '
	hdr && $1 ~ /^[0-9]+$/ { print $col; exit }
	/#bytes/ {
		n = 0; name = ""; col = 0
		for (i = 1; i <= NF; i++) {
			name = name == "" ? $i : name " " $i
			if ($i ~ /^#/ || $i ~ /\]/) {
				n++
				if (index(name, want) == 1) col = n
				name = ""
			}
		}
		hdr = col > 0
	}' "$1"
}

# One perftest run: server in the background, then the client; the client
# is retried when it fails fast (server not listening yet).
run_perftest() {	# mode binary args...
	local mode=$1 bin=$2 attempt rc t0 t1 i srv cli
	shift 2
	srv=$(ns_cmd "${srv_ns[$mode]}") cli=$(ns_cmd "${cli_ns[$mode]}")
	for attempt in 1 2 3; do
		port=$((port + 1))
		# $! is then timeout itself, which passes a kill on.
		$srv timeout -k 5 "$tmo" stdbuf -oL \
			"$bin" "$@" -d "${srv_dev[$mode]}" -p "$port" \
			>"$tmp/srv.out" 2>&1 &
		spid=$!
		for ((i = 0; i < 100; i++)); do
			grep -q "Waiting for client" "$tmp/srv.out" 2>/dev/null && break
			kill -0 "$spid" 2>/dev/null || break
			sleep 0.2
		done
		t0=$(date +%s.%N)
		$cli timeout -k 5 "$tmo" \
			"$bin" "$@" -d "${cli_dev[$mode]}" -p "$port" "${addr[$mode]}" \
			>"$tmp/cli.out" 2>&1
		rc=$?
		t1=$(date +%s.%N)
		# The server ends with the client; give it 10 s, not $tmo.
		for ((i = 0; rc == 0 && i < 50; i++)); do
			kill -0 "$spid" 2>/dev/null || break
			sleep 0.2
		done
		kill "$spid" 2>/dev/null
		wait "$spid" 2>/dev/null
		spid=""
		if [ $rc = 0 ]; then
			note "$mode $bin: $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s"
			return 0
		fi
		note "$mode $bin attempt $attempt failed (rc $rc) after $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s; client:"
		sed 's/^/#   /' "$tmp/cli.out" | tail -8 >&2
		note "server:"
		sed 's/^/#   /' "$tmp/srv.out" | tail -8 >&2
		# Only a fast failure is a start-up race worth retrying.
		awk -v a="$t0" -v b="$t1" 'BEGIN { exit !(b - a < 15) }' || return 1
		sleep 1
	done
	return 1
}

# Runs one test in one mode and prints its lines.
measure() {	# mode test
	local mode=$1 test=$2 v names=() units=() cols=() bin args=() i ok=1
	case $test in
	write_bw | send_bw)
		bin=ib_${test}
		# shellcheck disable=SC2206 # PERFTEST_EXTRA is a list of options
		args=(-s "$bw_size" -n "$bw_iters" ${PERFTEST_EXTRA:-})
		names=("$test"); units=(MiB/s); cols=("BW average") ;;
	send_lat | write_lat)
		bin=ib_${test}
		# shellcheck disable=SC2206
		args=(-s "$lat_size" -n "$lat_iters" ${PERFTEST_EXTRA:-})
		names=("${test}_typ" "${test}_avg"); units=(usec usec)
		cols=(t_typical t_avg) ;;
	*) note "unknown test $test"; return ;;
	esac
	if [ -z "${dead[$mode]:-}" ] && run_perftest "$mode" "$bin" -R -F "${args[@]}"; then
		for i in "${!names[@]}"; do
			v=$(column "$tmp/cli.out" "${cols[$i]}")
			[[ $v =~ ^[0-9]+(\.[0-9]+)?$ ]] || { ok=0; break; }
			# perftest sometimes reports 0.00 with exit status 0
			# (seen once for ib_send_bw across namespaces): drop
			# that run, keep the mode.
			[[ $v =~ [1-9] ]] || { note "$mode $test: perftest reported $v"; ok=zero; }
		done
	else
		ok=0
	fi
	for i in "${!names[@]}"; do
		v=n/a
		[ $ok = 1 ] && v=$(column "$tmp/cli.out" "${cols[$i]}")
		echo "$mode ${names[$i]} $v ${units[$i]}"
	done
	[ $ok != 0 ] || dead[$mode]=1
}

note "kernel $(uname -r); modes: $modes; tests: $tests; repeat: $repeat"
for m in $modes; do
	if ! "setup_$m"; then
		note "$m: set-up failed, not measured"
		dead[$m]=1
	fi
done
sleep 1		# GIDs of the new devices
for ((r = 0; r < repeat; r++)); do
	for t in $tests; do
		for m in $modes; do
			measure "$m" "$t"
		done
	done
done
splats=$(dmesg | grep -cE 'WARNING:|BUG:|Oops|refcount_t:')
[ "$splats" = 0 ] || note "kernel log: $splats warning/BUG lines"
exit 0
