#!/bin/bash
# The newcomer's first command: make the tree from patches/, build the
# patched kernel, boot it in QEMU and show, in plain words, what the series
# gives a container admin.
set -euo pipefail
. "$(dirname "$0")/common.sh"

"$TOP/scripts/install-deps.sh"
[ -d "$TREE/.git" ] || "$TOP/scripts/mktree.sh"
info "building the patched kernel ($(variant)); the first build takes several minutes"
"$TOP/scripts/build.sh" >/dev/null
inst=$("$TOP/scripts/selftests.sh")
info "booting it in QEMU"
GUEST_ENV="inst" inst=$inst "$TOP/scripts/qemu-run.sh" -t 900 -- "bash $TOP/scripts/demo-guest.sh"
