#!/bin/bash
# Runs inside the guest for `make demo`.  Narrates each step.
set -u
export PATH=$inst/rdma:$PATH
B=$(tput bold 2>/dev/null || true); N=$(tput sgr0 2>/dev/null || true)
say() { printf '\n%s== %s%s\n' "$B" "$*" "$N"; }
run() { printf '$ %s\n' "$*"; "$@"; }
pause() { sleep "${DEMO_PAUSE:-0}"; }
# none WHAT CMD...: run CMD, show its output, and say plainly when it is empty.
none() {
	local what=$1 out
	shift
	printf '$ %s\n' "$*"
	out=$("$@" 2>&1)
	if [ -n "$out" ]; then
		printf '%s\n' "$out"
	else
		echo "=> empty: $what"
	fi
}

say "A soft-RoCE (rxe) device on an Ethernet interface"
echo "rxe turns any Ethernet netdev into an RDMA device, so everything below runs"
echo "without RDMA hardware.  The kernel is $(uname -r), built from the series."
run ip link add demo0 type veth peer name demo1
run ip link set demo0 up
run ip link set demo1 up
run ip addr add 10.77.0.1/24 dev demo0
run rdma link add rxe0 type rxe netdev demo0
run rdma link show
run rdma system show
pause

say "rdma_cm: connect and move data over rxe"
echo "A server listens on 10.77.0.1 port 7471; a client connects through rdma_cm,"
echo "sends 8 messages of 4 KiB and writes a buffer with RDMA WRITE; both sides"
echo "check every byte."
rdma_cm_xfer -s -a 10.77.0.1 -p 7471 -t 60 & spid=$!
sleep 1
run rdma_cm_xfer -a 10.77.0.1 -p 7471 -n 4096 -c 8 -t 60 && wait $spid &&
	echo "=> transfer verified on both ends"
pause

say "The rdma cgroup: a container may open one device context and 3 objects"
cg=/sys/fs/cgroup/demo
echo +rdma > /sys/fs/cgroup/cgroup.subtree_control
mkdir -p $cg
run sh -c "echo 'rxe0 hca_handle=1 hca_object=3' > $cg/rdma.max"
run cat $cg/rdma.max
echo "A process in that cgroup allocates protection domains until the kernel says no:"
sh -c "echo \$\$ > $cg/cgroup.procs; exec /usr/bin/python3 -" <<'PY'
import errno
from pyverbs.device import Context
from pyverbs.pd import PD
ctx = Context(name="rxe0")
pds = []
try:
    while True:
        pds.append(PD(ctx))
        print(f"  PD #{len(pds)} allocated")
except Exception as e:
    err = getattr(e, "error_code", None)
    print(f"  PD #{len(pds) + 1} refused: {e}")
print(open("/sys/fs/cgroup/demo/rdma.current").read().strip(), " <- rdma.current while holding them")
PY
echo "After the process exits, everything it held is uncharged:"
run cat $cg/rdma.current
pause

say "A limit per kind of object: at most 2 queue pairs, whatever the total"
echo "With this series rdma.max has a key per kind of verbs object (pd, cq, qp,"
echo "srq, mr, mw, ah, ...), so one container cannot take every QP of a device"
echo "while staying under its hca_object total."
run sh -c "echo 'rxe0 hca_handle=max hca_object=1000 qp=2' > $cg/rdma.max"
sh -c "echo \$\$ > $cg/cgroup.procs; exec /usr/bin/python3 -" <<'PY'
from pyverbs.device import Context
from pyverbs.pd import PD
from pyverbs.cq import CQ
from pyverbs.qp import QP, QPInitAttr, QPCap
import pyverbs.enums as e
ctx = Context(name="rxe0")
pd = PD(ctx)
cq = CQ(ctx, 16)
qps = []
try:
    while True:
        qps.append(QP(pd, QPInitAttr(qp_type=e.IBV_QPT_RC, scq=cq, rcq=cq,
                                     cap=QPCap(max_send_wr=4, max_recv_wr=4))))
        print(f"  QP #{len(qps)} created")
except Exception as ex:
    print(f"  QP #{len(qps) + 1} refused: {ex}")
print(open("/sys/fs/cgroup/demo/rdma.current").read().strip(), " <- rdma.current")
PY
echo "What the container hit, and its high-water mark (rdma.events, rdma.peak):"
run sh -c "tr ' ' '\n' < $cg/rdma.events | grep -E '^(rxe0|qp\.|hca_handle\.)'"
run cat $cg/rdma.peak

say "rdma.policy: a container may not jump the queue with a high-priority DSCP"
echo "The kernel cannot mark RDMA packets, so the traffic class an application"
echo "asks for goes on the wire as is.  Traffic class 184 (DSCP 46, EF) is kept"
echo "for a latency-critical tenant; this container may use classes 0-31 only."
run sh -c "echo 'rxe0 tclass=0-31' > $cg/rdma.policy"
run cat $cg/rdma.policy.effective
rdma_policy_test -t 60 cm-server --addr 10.77.0.1 --port 7472 >/dev/null & spid=$!
sleep 1
echo "An rdma_cm client in the container asks for traffic class 184:"
run rdma_policy_test -g $cg cm-client --addr 10.77.0.1 --port 7472 --tos 184 ||
	echo "=> refused with EACCES before anything was sent"
echo "The same client with traffic class 0 connects and sends:"
run rdma_policy_test -g $cg cm-client --addr 10.77.0.1 --port 7472 --tos 0 &&
	echo "=> allowed"
wait $spid
echo "The refusal is counted per key in rdma.events:"
run sh -c "tr ' ' '\n' < $cg/rdma.events | grep -E '^(rxe0|tclass\.denied)'"
rmdir $cg
rdma link del rxe0
ip link del demo0

say "Two containers (network namespaces) with their own rxe device talk RDMA"
run ip netns add demoA
run ip netns add demoB
ip netns add demoC
run ip link add vA netns demoA type veth peer name vB netns demoB
ip -n demoA link set vA up; ip -n demoB link set vB up
ip -n demoA addr add 10.78.0.1/24 dev vA; ip -n demoB addr add 10.78.0.2/24 dev vB
run ip netns exec demoA rdma link add rxeA type rxe netdev vA
run ip netns exec demoB rdma link add rxeB type rxe netdev vB
ip netns exec demoB rdma_cm_xfer -s -a 10.78.0.2 -p 7471 -t 60 & spid=$!
sleep 1
run ip netns exec demoA rdma_cm_xfer -a 10.78.0.2 -p 7471 -n 4096 -c 4 -t 60 &&
	wait $spid && echo "=> transfer from container A to container B verified"
echo "A third container may not delete A's device:"
run ip netns exec demoC rdma link del rxeA || echo "=> refused"
echo "While B listens, rdma_cm ids are listed in their own container only:"
ip netns exec demoB rdma_cm_xfer -L -a 10.78.0.2 -p 7472 -t 5 >/dev/null & spid=$!
sleep 1
run ip netns exec demoB rdma res show cm_id
none "A sees none of B's rdma_cm ids" ip netns exec demoA rdma res show cm_id
wait $spid
pause

say "Exclusive mode: each container sees its own device, a third sees none"
echo "The mode can be switched with containers running, as long as none of"
echo "them is using a device it would lose."
run rdma system set netns exclusive
run rdma dev set rxeA netns demoA
run rdma dev set rxeB netns demoB
run ip netns exec demoA rdma dev
none "C lists no RDMA device" ip netns exec demoC rdma dev
none "C has no device in sysfs" ip netns exec demoC ls /sys/class/infiniband
ip netns exec demoB rdma_cm_xfer -s -a 10.78.0.2 -p 7473 -t 60 & spid=$!
sleep 1
run ip netns exec demoA rdma_cm_xfer -a 10.78.0.2 -p 7473 -n 4096 -c 4 -t 60 &&
	wait $spid && echo "=> A and B still talk RDMA over their own devices"
run ip netns exec demoA rdma link del rxeA
ip netns exec demoB rdma link del rxeB
ip netns del demoA; ip netns del demoB; ip netns del demoC
run rdma system set netns shared
say "Done.  'make check' runs every test on a debug kernel."
