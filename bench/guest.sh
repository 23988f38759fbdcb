#!/bin/bash
# Runs inside the guest for `make bench`: one line per measurement,
#   <mode> <type> <threads> <ops/s>
# mode: root (no rdma cgroup limit), limited (in a cgroup with rdma.max set)
# or policy (limited, and an rdma.policy that allows what the bench uses)
set -eu
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
echo +rdma > /sys/fs/cgroup/cgroup.subtree_control
mkdir /sys/fs/cgroup/bench
echo "rxeb0 hca_handle=1000 hca_object=1000000" > /sys/fs/cgroup/bench/rdma.max
# Per-kind limits where the kernel has them (the base rejects the keys).
echo "rxeb0 pd=100000 cq=100000 qp=100000 mr=100000" \
	> /sys/fs/cgroup/bench/rdma.max 2>/dev/null || true
# bash, not sh: dash drops the exported function from the environment.
export -f run
export bin secs cpus
bash -c 'echo $$ > /sys/fs/cgroup/bench/cgroup.procs; exec bash -c "run limited"'
# The same with an rdma.policy that every call passes, so that each QP
# modify and AH is checked against every key (GIDs: all the device has).
# The base kernel has no rdma.policy: there this is "limited" again.
gids=$(cat /sys/class/infiniband/rxeb0/ports/1/gids/* 2>/dev/null |
	grep -v '^0000:0000:0000:0000:0000:0000:0000:0000$' | sort -u | paste -sd,)
echo "rxeb0 sl=0-7 tclass=0-63 pkey=0xffff gid=$gids" \
	> /sys/fs/cgroup/bench/rdma.policy 2>/dev/null || true
bash -c 'echo $$ > /sys/fs/cgroup/bench/cgroup.procs; exec bash -c "run policy"'
rmdir /sys/fs/cgroup/bench
rdma link del rxeb0
ip link del bench0
