#!/bin/bash
# Runs inside the guest for `make bench` in icount mode: fixed amounts of
# work, each repeated BENCH_REPS times, one line per repetition:
#   <figure> <rep> <value> <unit>
# The guest clock counts instructions there (1 ns = 1 instruction), so a
# value is instructions per operation.  The host drops repetition 1
# (warm-up) and reports median and spread of the rest.
#
# Figures:
#   <cg>/<type>  control path, verbs_rate -n: pd, cq, mr, qp, ah
#                create+destroy, qpmod (one GID query and INIT->RTR->RTS);
#                cm_rate: cm
#                (rdma_cm resolve+connect+disconnect with an RC QP, over
#                rxe loopback).  cg: root (no limit), limited (a cgroup
#                with rdma.max), policy (limited, and an rdma.policy every
#                call passes, so each QP modify and AH is checked)
#   dp/<mode>/<test>  data path, perftest over rdma_cm (bench/netns-guest.sh):
#                send_bw (ns per 64 KiB SEND, completion events: -e);
#                no latency figure: on one vCPU a busy-polling ib_send_lat
#                measures the scheduler tick, and ib_send_lat -e -R hung
#                in perftest 4.5 here; modes init (rxe loopback in init_net) and
#                xnetns (two namespaces, real RoCEv2 packets; the base
#                kernel has no per-netns rxe and prints nothing there)
set -euo pipefail
bindir=$1
here=$(dirname "$0")
# shellcheck source=cg.sh
. "$here/cg.sh"
n=${BENCH_COUNT:-1000} cmn=${BENCH_CM_COUNT:-100} reps=${BENCH_REPS:-4}

ip link add bench0 type veth peer name bench1
ip link set bench0 up; ip link set bench1 up
ip addr add 10.88.0.1/24 dev bench0
rdma link add rxeb0 type rxe netdev bench0
sleep 1

run() {	# cgroup-label
	"$bindir/verbs_rate" -d rxeb0 -n "$n" -r "$reps" -o pd,cq,mr,qp,ah,qpmod |
		awk -v m="$1" '{ print m "/" $1, $2, $3, "ns/op" }'
	"$bindir/cm_rate" -a 10.88.0.1 -n "$cmn" -r "$reps" |
		awk -v m="$1" '{ print m "/" $1, $2, $3, "ns/op" }'
}
in_bench_cg() {
	bash -c 'echo $$ > /sys/fs/cgroup/bench/cgroup.procs && exec "$@"' _ "$@"
}
export -f run
export bindir n cmn reps

run root
bench_cg_limits rxeb0
in_bench_cg bash -c "set -eo pipefail; run limited"
bench_cg_policy rxeb0 || { echo "# rdma.policy did not take" >&2; exit 1; }
in_bench_cg bash -c "set -eo pipefail; run policy"
rmdir /sys/fs/cgroup/bench
rdma link del rxeb0
ip link del bench0

# Data path.  netns-guest.sh prints "<mode> <test> <value> <unit>" once per
# repetition; number the repetitions per (mode, test).
NETNS_BENCH_MODES="init xnetns" NETNS_BENCH_TESTS="send_bw" \
NETNS_BENCH_REPEAT=$reps BW_SIZE=65536 BW_ITERS=${BENCH_BW_ITERS:-1000} \
LAT_SIZE=64 LAT_ITERS=${BENCH_LAT_ITERS:-2000} PERFTEST_EXTRA=-e \
	bash "$here/netns-guest.sh" |
	awk '$3 != "n/a" && $2 != "send_lat_avg" {
		k = $1 "/" $2; r = ++rep[k]
		if ($2 == "send_bw")	# MiB/s -> ns per 64 KiB message
			print "dp/" k, r, 65536 / ($3 * 1048576) * 1e9, "ns/msg"
		else
			print "dp/" k, r, $3, $4
	}'
