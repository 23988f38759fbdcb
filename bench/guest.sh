#!/bin/bash
# Runs inside the guest for `make bench`: one line per measurement,
#   <mode> <type> <threads> <ops/s>
# mode: root (no rdma cgroup limit), limited (in a cgroup with rdma.max set)
# or policy (limited, and an rdma.policy that allows what the bench uses)
set -eu
# shellcheck source=cg.sh
. "$(dirname "$0")/cg.sh"
bin=$1 secs=${BENCH_SECONDS:-2}
ip link add bench0 type veth peer name bench1
ip link set bench0 up; ip link set bench1 up
ip addr add 10.88.0.1/24 dev bench0
rdma link add rxeb0 type rxe netdev bench0
sleep 1
cpus=$(nproc)
run() {
	local mode=$1 t
	for t in 1 "$cpus"; do
		"$bin" -d rxeb0 -t "$t" -s "$secs" -o pd,cq,qp,mr,qpmod | sed "s/^/$mode /"
	done
}
run root
bench_cg_limits rxeb0
# bash, not sh: dash drops the exported function from the environment.
export -f run
export bin secs cpus
bash -c 'echo $$ > /sys/fs/cgroup/bench/cgroup.procs; exec bash -c "run limited"'
bench_cg_policy rxeb0
bash -c 'echo $$ > /sys/fs/cgroup/bench/cgroup.procs; exec bash -c "run policy"'
rmdir /sys/fs/cgroup/bench
rdma link del rxeb0
ip link del bench0
