#!/bin/bash
# Bisectability: build the guest kernel and the rdma selftests after each
# patch of the series, in a separate worktree (the working tree is left
# alone).  ccache makes every step after the first incremental.
set -euo pipefail
. "$(dirname "$0")/common.sh"

[ -d "$TREE/.git" ] || "$TOP/scripts/mktree.sh"
bt=$WORK/linux-bisect
if [ ! -e "$bt/.git" ]; then
	rm -rf "$bt"
	git -C "$TREE" worktree prune
	git -C "$TREE" worktree add -q --detach "$bt" "$BASE_TAG"
fi
export DEBUG=${DEBUG:-0}
# MODULAR=1: the RDMA stack as modules (configs/modular.config), and each
# patch builds its modules too, so that modpost checks every export.
obj=$WORK/obj-bisect
targets=(bzImage)
frags=("$TOP/configs/guest.config")
[ "$DEBUG" = 1 ] && frags+=("$TOP/configs/debug.config")
if [ "${MODULAR:-0}" = 1 ]; then
	obj=$WORK/obj-bisect-modular
	frags+=("$TOP/configs/modular.config")
	targets+=(modules)
fi
mkdir -p "$obj"
cat "${frags[@]}" > "$obj/fragment.config"
start=$(date +%s)
n=0
for c in $(git -C "$TREE" rev-list --reverse "$BASE_TAG..series"); do
	n=$((n + 1))
	git -C "$bt" checkout -q --detach "$c"
	info "[$n] $(git -C "$bt" log -1 --format=%s)"
	m=(make -s -C "$bt" O="$obj" -j"$(nproc)" CC="ccache gcc" HOSTCC="ccache gcc")
	"${m[@]}" KCONFIG_ALLCONFIG="$obj/fragment.config" allnoconfig >/dev/null
	"${m[@]}" olddefconfig >/dev/null
	"${m[@]}" "${targets[@]}" || die "build fails after patch $n: $(git -C "$bt" log -1 --format=%s)"
	if [ -d "$bt/tools/testing/selftests/rdma" ]; then
		make -s -C "$bt/tools/testing/selftests" TARGETS=rdma O="$obj-ksft" >/dev/null ||
			die "selftests fail to build after patch $n"
	fi
done
echo "bisect check: $n patches, each builds ($(( $(date +%s) - start )) s)"
