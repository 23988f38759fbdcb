#!/bin/bash
# Runs inside the guest for `make bench`: one line per measurement,
#   <mode> <type> <threads> <ops/s>
# mode: root (no rdma cgroup limit) or limited (in a cgroup with rdma.max set)
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
export -f run
export bin secs cpus
sh -c 'echo $$ > /sys/fs/cgroup/bench/cgroup.procs; exec bash -c run\ limited'
rmdir /sys/fs/cgroup/bench
rdma link del rxeb0
ip link del bench0
