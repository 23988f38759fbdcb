#!/bin/bash
# Build tools/testing/selftests/rdma from the tree on the host (against the
# host's rdma-core, which the guest sees through its 9p root) and install it
# as a kselftest package.  Prints the install directory.
set -euo pipefail
. "$(dirname "$0")/common.sh"

SRC=$(srcdir)
[ -d "$SRC/tools/testing/selftests/rdma" ] || die "no tools/testing/selftests/rdma in $SRC (SERIES=$SERIES)"
inst=$WORK/kselftest-$(variant)
rm -rf "$inst"
make -s -C "$SRC/tools/testing/selftests" TARGETS="${KSFT_TARGETS:-rdma}" \
	O="$WORK/kselftest-build-$(variant)" INSTALL_PATH="$inst" install >&2
echo "$inst"
