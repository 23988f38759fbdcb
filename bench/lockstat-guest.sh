#!/bin/bash
# Runs inside the guest for `make bench`'s contention run, on a kernel with
# LOCK_STAT (configs/lockstat.config): LOCKSTAT_PROCS processes, each in a
# cgroup of its own with rdma.max set, create and destroy PDs, CQs, MRs and
# QPs on one rxe device at the same time.  Lock statistics are collected
# for that phase only; one line per lock class of the rdma cgroup (and the
# most contended classes overall, for context):
#   lock <class> <contentions> <waittime-total-us> <acquisitions>
set -euo pipefail
bindir=$1 procs=${LOCKSTAT_PROCS:-8} n=${LOCKSTAT_COUNT:-200}

ip link add bench0 type veth peer name bench1
ip link set bench0 up; ip link set bench1 up
ip addr add 10.88.0.1/24 dev bench0
rdma link add rxel0 type rxe netdev bench0
sleep 1
echo +rdma > /sys/fs/cgroup/cgroup.subtree_control
for ((i = 1; i <= procs; i++)); do
	mkdir "/sys/fs/cgroup/ls$i"
	echo "rxel0 hca_handle=10 hca_object=100000" > "/sys/fs/cgroup/ls$i/rdma.max"
done
# Each process's first charge makes its cgroup's pool (under rdmacg_mutex
# on both kernels): take that out of the measured phase.
for ((i = 1; i <= procs; i++)); do
	bash -c 'echo $$ > "$1/cgroup.procs" && exec "$2" -d rxel0 -n 1 -r 1 -o pd' _ \
		"/sys/fs/cgroup/ls$i" "$bindir/verbs_rate" > /dev/null
done
echo 0 > /proc/lock_stat
echo 1 > /proc/sys/kernel/lock_stat
pids=()
for ((i = 1; i <= procs; i++)); do
	bash -c 'echo $$ > "$1/cgroup.procs" && exec "$2" -d rxel0 -n "$3" -r 1 -o pd,cq,mr,qp' _ \
		"/sys/fs/cgroup/ls$i" "$bindir/verbs_rate" "$n" > /dev/null &
	pids+=($!)
done
rc=0
for p in "${pids[@]}"; do wait "$p" || rc=1; done
echo 0 > /proc/sys/kernel/lock_stat
[ $rc = 0 ] || { echo "# a verbs_rate process failed" >&2; exit 1; }
# Class lines: "<name>: con-bounces contentions waittime-min waittime-max
# waittime-total waittime-avg acq-bounces acquisitions holdtime-...", times
# in us.  A class never taken in the phase may be absent: report it as 0.
awk '
	$1 ~ /:$/ && NF == 13 {
		name = substr($1, 1, length($1) - 1)
		line = "lock " name " " $3 " " $6 " " $9
		if (name ~ /rdmacg/) { print line; seen[name] = 1 }
		else if ($3 > 0) top[++k] = $3 " " line
	}
	END {
		if (!seen["rdmacg_mutex"]) print "lock rdmacg_mutex 0 0 0"
		for (i = 1; i <= k; i++) print top[i]
	}' /proc/lock_stat > /tmp/lockstat.out
grep '^lock ' /tmp/lockstat.out
grep -v '^lock ' /tmp/lockstat.out | sort -rn | head -5 | cut -d' ' -f2- |
	sed 's/^lock /top /'
