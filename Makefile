# RDMA containers for Linux 6.12 LTS -- workspace.
# `make help` lists the targets.  Variables: SERIES=all|none, DEBUG=1|0,
# WORK=/var/tmp/rdma-containers-6.12, CMD='...' (for run), TIMEOUT=seconds.

SHELL := /bin/bash
S := scripts

.PHONY: help deps tree export export-dep3 build base boot run shell selftests check demo \
	checkpatch bisect distro-build kconfig-matrix bench bench-netns scale ci clean

help:
	@echo "make demo          build the patched kernel, boot it, show the features"
	@echo "make check         build the debug kernel, run every test, print 'N passed, N failed, N skipped'"
	@echo "make tree          unpack the pinned Debian base, commit it, git am patches/series"
	@echo "make export        git format-patch the tree back into patches/ (no churn)"
	@echo "make export-dep3   write patches/series as quilt patches with DEP-3 headers into out/debian-patches/"
	@echo "make build         build the guest bzImage (SERIES=none for the unpatched base, DEBUG=0 without debug options)"
	@echo "make boot          boot the guest and print what it runs"
	@echo "make run CMD='..'  run a shell command in the freshly built guest; exit status returned"
	@echo "make shell         interactive shell in the guest (exit with Ctrl-D)"
	@echo "make selftests     build and install tools/testing/selftests/rdma on the host"
	@echo "make checkpatch    checkpatch.pl --strict on every patch"
	@echo "make bisect        build the tree after each patch (slow)"
	@echo "make distro-build  build what the series touches with Debian's amd64 config, as modules"
	@echo "make kconfig-matrix build four Kconfig corners (NET=n, RDMA modular, IPV6=n without uverbs, no rdma cgroup)"
	@echo "make bench         benchmarks, patched vs base kernel, under QEMU icount (BENCH_MODE=wall: wall clock)"
	@echo "make scale         scale suite: 10-100 containers, 10-10000 cgroups, 1000 netns and exclusive cycles"
	@echo "make bench-netns   rxe bandwidth/latency in a netns vs init_net, and vs the base kernel"

deps:
	$(S)/install-deps.sh
tree:
	$(S)/mktree.sh
export:
	$(S)/export.sh
export-dep3:
	$(S)/export-dep3.sh
build:
	$(S)/build.sh
base:
	SERIES=none $(S)/build.sh
boot: build
	$(S)/qemu-run.sh -t 300 -- 'uname -a; cat /proc/cmdline; rdma system; rdma link'
run: build
	$(S)/qemu-run.sh -t $${TIMEOUT:-600} -- "$$CMD"
shell: build
	$(S)/qemu-run.sh -i
selftests:
	$(S)/selftests.sh
check:
	$(S)/check.sh
demo:
	$(S)/demo.sh
checkpatch:
	$(S)/checkpatch.sh
bisect:
	$(S)/bisect-check.sh
distro-build:
	$(S)/distro-build.sh
kconfig-matrix:
	$(S)/kconfig-matrix.sh
bench:
	$(S)/bench.sh
bench-netns:
	$(S)/bench-netns.sh
scale:
	$(S)/scale.sh
clean:
	rm -rf $${WORK:-/var/tmp/rdma-containers-6.12}/runs
