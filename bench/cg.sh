# shellcheck shell=bash
# Sourced by the bench guests (bench/guest.sh, bench/icount-guest.sh).
#
# bench_cg_limits DEV: the cgroup /sys/fs/cgroup/bench with rdma.max for
# DEV, per kind too where the kernel has the keys (the base rejects them).
bench_cg_limits() {
	echo +rdma > /sys/fs/cgroup/cgroup.subtree_control
	mkdir /sys/fs/cgroup/bench
	echo "$1 hca_handle=1000 hca_object=1000000" > /sys/fs/cgroup/bench/rdma.max
	echo "$1 pd=100000 cq=100000 qp=100000 mr=100000" \
		> /sys/fs/cgroup/bench/rdma.max 2>/dev/null || true
}

# bench_cg_policy DEV: an rdma.policy on the bench cgroup that every call
# passes, so that each QP modify and AH is checked against every key
# (GIDs: all DEV has).  The base kernel has no rdma.policy: there the
# cgroup stays as bench_cg_limits left it.  Fails if the kernel has the
# file and the policy did not take.
bench_cg_policy() {
	local gids

	gids=$(cat "/sys/class/infiniband/$1/ports/1/gids/"* 2>/dev/null |
		grep -v '^0000:0000:0000:0000:0000:0000:0000:0000$' | sort -u | paste -sd,)
	# A kernel with rdma.policy must take it: else "policy" would
	# silently measure "limited" again.
	[ -e /sys/fs/cgroup/bench/rdma.policy ] || return 0
	echo "$1 sl=0-7 tclass=0-63 pkey=0xffff gid=$gids" > /sys/fs/cgroup/bench/rdma.policy
	grep -q "^$1 " /sys/fs/cgroup/bench/rdma.policy
}
