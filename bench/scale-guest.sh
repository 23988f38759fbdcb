#!/bin/bash
# Runs inside the guest for `make scale` (patched kernel, icount mode: a
# guest microsecond is a thousand guest instructions).  One line per
# figure:
#   <suite> <size> <metric> <value> <unit>
# Suites (SCALE_SUITES, default "containers cgroups netns exclusive"):
#   containers  SCALE_CONTAINERS (10 50 100) containers on one shared rxe
#               port: a netns each with a macvlan child of the port's netdev
#               and one IPv4 address (no IPv6 link-local: addrgenmode none),
#               so each container is one entry of rxe's 1,024-entry GID
#               table (rxe speaks RoCE v2 only).  Not 1,000: user space
#               names a source GID with 8 bits (sgid_index in the uverbs
#               ABI), so a container whose GID lands above index 255 cannot
#               use it; rdma_cm from the 500th container failed with EINVAL
#               (all 500 GIDs in the table), from the 100th it worked.  With
#               link-locals the table was full at 511 containers.  Per
#               size: set-up time per
#               container, kernel memory per container, and the rdma_cm
#               connect+disconnect cycle from the newest container to a
#               server in init_net (cm_rate -C, SCALE_REPS repetitions)
#   cgroups     charge cost (PD create+destroy, QP INIT->RTR->RTS) in a
#               cgroup at depths SCALE_DEPTHS (1 4 16), every level with
#               rdma.max and rdma.policy set; then with SCALE_SIBLINGS
#               (10 1000 10000) sibling cgroups that all have rdma.max and
#               rdma.policy, and the kernel memory of one rdma pool
#   netns       SCALE_CYCLES (1000) netns create/delete cycles, each with
#               a veth and an rxe link in the netns: time per cycle by
#               windows of 100, and kernel memory before and after
#   exclusive   SCALE_CYCLES moves of an rxe device to a netns and back in
#               the exclusive mode: time per cycle by windows of 100, and
#               memory before and after
# Kernel memory is SUnreclaim + Percpu + KernelStack + PageTables from
# /proc/meminfo, in KiB, read after the guest settles.
set -euo pipefail
bindir=$1
suites=${SCALE_SUITES:-containers cgroups netns exclusive}
reps=${SCALE_REPS:-4} cmn=${SCALE_CM_COUNT:-10} n=${SCALE_COUNT:-100}
cycles=${SCALE_CYCLES:-1000}
CG=/sys/fs/cgroup

note() { echo "# $*" >&2; }
out() { echo "$*"; }
now_us() { echo "${EPOCHREALTIME/./}"; }
kmem() {	# KiB of unreclaimable kernel memory
	awk '/^(SUnreclaim|Percpu|KernelStack|PageTables):/ { s += $2 } END { print s }' /proc/meminfo
}
settle() {	# let deferred frees (RCU, netns cleanup) run
	local i
	for i in 1 2 3; do
		sleep 1
		echo 1 > /proc/sys/vm/drop_caches 2>/dev/null || true
	done
}
gid_count() {	# DEV PATTERN: GID entries of DEV port 1 that match
	cat /sys/class/infiniband/"$1"/ports/1/gids/* 2>/dev/null | grep -c "$2" || true
}

# IPv6 off for the host's devices here, so that the port's table holds
# only what the suites add.  (New namespaces copying these defaults was
# not enough for the containers' macvlans: each still got a link-local
# GID, hence addrgenmode none where they are made.)
sysctl -qw net.core.devconf_inherit_init_net=1
sysctl -qw net.ipv6.conf.default.disable_ipv6=1 net.ipv6.conf.all.disable_ipv6=1

ip link add vs0 type veth peer name vs1
ip link set vs0 up
ip link set vs1 up
rdma link add rxes0 type rxe netdev vs0

suite_containers() {
	local sizes=${SCALE_CONTAINERS:-10 50 100} size made=0 t0 t1 m0 m1 i want spid
	# The host's server sits on a child of its own: a macvlan's lower
	# device does not talk to its children.
	ip link add link vs0 name sc_h type macvlan mode bridge
	ip addr add 10.90.0.1/16 dev sc_h
	ip link set sc_h up
	"$bindir/cm_rate" -S -a 10.90.0.1 -p 19950 > /tmp/scale-srv.out 2>&1 &
	spid=$!
	for i in $(seq 100); do
		grep -q listening /tmp/scale-srv.out && break
		sleep 0.1
	done
	for size in $sizes; do
		settle
		m0=$(kmem)
		t0=$(now_us)
		for ((i = made + 1; i <= size; i++)); do
			ip netns add "sc$i"
			ip link add link vs0 name mv netns "sc$i" type macvlan mode bridge
			ip -n "sc$i" addr add "10.90.$((i / 250 + 1)).$((i % 250 + 1))/16" dev mv
			# no IPv6 link-local address: it would be a second GID
			ip -n "sc$i" link set mv addrgenmode none up
		done
		# Set up means usable: every container's GID is in the table.
		want=$((size + 1))
		for ((i = 0; i < 600; i++)); do
			[ "$(gid_count rxes0 ':ffff:0a5a:')" -ge "$want" ] && break
			sleep 0.1
		done
		t1=$(now_us)
		[ "$(gid_count rxes0 ':ffff:0a5a:')" -ge "$want" ] ||
			{ note "containers $size: only $(gid_count rxes0 ':ffff:0a5a:') GIDs"; return 1; }
		settle
		m1=$(kmem)
		out "containers $size setup_per_container $(((t1 - t0) / (size - made))) us"
		out "containers $size kmem_per_container $(((m1 - m0) / (size - made))) KiB"
		out "containers $size gids $(gid_count rxes0 ':ffff:0a5a:') entries"
		made=$size
		ip netns exec "sc$size" "$bindir/cm_rate" -C -a 10.90.0.1 -p 19950 \
			-n "$cmn" -r "$reps" |
			awk -v s="$size" '{ print "containers", s, "connect_rep" $2, $3, "ns" }'
	done
	kill "$spid"
	wait "$spid" 2>/dev/null || true
	t0=$(now_us)
	for ((i = 1; i <= made; i++)); do
		ip netns del "sc$i"
	done
	for ((i = 0; i < 600; i++)); do
		[ "$(gid_count rxes0 ':ffff:0a5a:')" -le 1 ] && break
		sleep 0.1
	done
	t1=$(now_us)
	out "containers $made delete_per_container $(((t1 - t0) / made)) us"
	ip link del sc_h
}

# charge DIR LABEL SIZE: charge cost of a process in cgroup DIR
charge() {
	bash -c 'echo $$ > "$1/cgroup.procs" && shift && exec "$@"' _ "$1" \
		"$bindir/verbs_rate" -d rxes0 -n "$n" -r "$reps" -o pd,qpmod |
		awk -v l="$2" -v s="$3" '{ print "cgroups", s, l "_" $1 "_rep" $2, $3, "ns" }'
}

limits() {	# DIR
	echo "rxes0 hca_handle=100 hca_object=100000" > "$1/rdma.max"
	echo "rxes0 sl=0-7 tclass=0-63 pkey=0xffff gid=$gids" > "$1/rdma.policy"
}

suite_cgroups() {
	local d dir depth k m0 m1 m2 i
	ip addr add 10.91.0.1/24 dev vs0	# a GID for the QPs' address vector
	for ((i = 0; i < 100; i++)); do
		[ "$(gid_count rxes0 ':ffff:0a5b:0001')" = 1 ] && break
		sleep 0.1
	done
	gids=$(cat /sys/class/infiniband/rxes0/ports/1/gids/* |
		grep -v '^0000:0000:0000:0000:0000:0000:0000:0000$' | sort -u | paste -sd,)
	echo +rdma > "$CG/cgroup.subtree_control"
	"$bindir/verbs_rate" -d rxes0 -n "$n" -r "$reps" -o pd,qpmod |
		awk '{ print "cgroups", 0, "root_" $1 "_rep" $2, $3, "ns" }'
	for depth in ${SCALE_DEPTHS:-1 4 16}; do
		dir=$CG/scd
		for ((d = 1; d <= depth; d++)); do
			mkdir -p "$dir"
			limits "$dir"
			[ $d = "$depth" ] || echo +rdma > "$dir/cgroup.subtree_control"
			[ $d = "$depth" ] || dir=$dir/l$d
		done
		charge "$dir" "depth$depth" "$depth"
		# deepest first
		while [ "$dir" != "$CG" ]; do
			rmdir "$dir"
			dir=${dir%/*}
		done
	done
	mkdir "$CG/scs"
	echo +rdma > "$CG/scs/cgroup.subtree_control"
	k=0
	for size in ${SCALE_SIBLINGS:-10 1000 10000}; do
		settle
		m0=$(kmem)
		# shellcheck disable=SC2046 # one mkdir for all the names
		mkdir $(seq -f "$CG/scs/s%.0f" $((k + 1)) "$size")
		settle
		m1=$(kmem)
		for ((i = k + 1; i <= size; i++)); do
			limits "$CG/scs/s$i"
		done
		settle
		m2=$(kmem)
		out "cgroups $size kmem_per_cgroup $(((m1 - m0) / (size - k))) KiB"
		out "cgroups $size kmem_per_rdma_pool_bytes $(((m2 - m1) * 1024 / (size - k))) B"
		k=$size
		charge "$CG/scs/s$size" "siblings" "$size"
	done
	# shellcheck disable=SC2046
	rmdir $(seq -f "$CG/scs/s%.0f" 1 "$k")
	rmdir "$CG/scs"
	ip addr del 10.91.0.1/24 dev vs0
}

cycle_windows() {	# suite label: reads "us" per cycle on stdin
	awk -v s="$1" -v l="$2" '{ w = int((NR - 1) / 100); sum[w] += $1; c[w]++ }
		END { for (i in sum) printf "%s %d %s_window%03d %.0f us\n", s, (i + 1) * 100, l, i, sum[i] / c[i] }' |
		sort -k2,2n
}

suite_netns() {
	local i t m0 m1
	settle
	m0=$(kmem)
	for ((i = 1; i <= cycles; i++)); do
		t=$(now_us)
		ip netns add scn
		ip link add scv0 netns scn type veth peer name scv1 netns scn
		ip -n scn link set scv0 up
		ip netns exec scn rdma link add rxescn type rxe netdev scv0
		ip netns del scn
		echo $(($(now_us) - t))
	done | cycle_windows netns cycle
	settle
	# wait for the last netns cleanup before reading the memory
	for ((i = 0; i < 100; i++)); do
		[ "$(ls /sys/class/infiniband)" = rxes0 ] && break
		sleep 0.2
	done
	m1=$(kmem)
	out "netns $cycles kmem_delta_after_cycles $((m1 - m0)) KiB"
}

suite_exclusive() {
	local i t m0 m1
	rdma link del rxes0
	# Namespaces of the earlier suites may still be on their way out.
	for ((i = 0; i < 100; i++)); do
		rdma system set netns exclusive 2>/dev/null && break
		sleep 0.3
	done
	[ "$(rdma system show | grep -o 'netns [a-z]*')" = "netns exclusive" ] ||
		{ note "exclusive: cannot switch the mode"; return 1; }
	ip netns add sce
	ip netns attach sc_init 1
	ip link add sxe0 type veth peer name sxe1
	ip link set sxe0 up
	rdma link add rxesx type rxe netdev sxe0
	settle
	m0=$(kmem)
	for ((i = 1; i <= cycles; i++)); do
		t=$(now_us)
		rdma dev set rxesx netns sce
		ip netns exec sce rdma dev set rxesx netns sc_init
		echo $(($(now_us) - t))
	done | cycle_windows exclusive cycle
	settle
	m1=$(kmem)
	out "exclusive $cycles kmem_delta_after_cycles $((m1 - m0)) KiB"
	rdma link del rxesx
	ip link del sxe0
	ip netns del sce
	ip netns del sc_init
	rdma system set netns shared
}

failed=""
for s in $suites; do
	note "suite $s"
	t=$(now_us)
	# A suite that fails does not stop the others.  In the background,
	# not in an || list, the subshell keeps errexit.
	( "suite_$s" ) &
	wait $! || failed+=" $s"
	note "suite $s took $((($(now_us) - t) / 1000000)) s of guest time"
done
dmesg | grep -E 'WARNING:|BUG:|Oops|refcount_t:|unreferenced object' >&2 || true
[ -z "$failed" ] || { note "failed suites:$failed"; exit 1; }
