#!/bin/bash
# Build what the series touches (drivers/infiniband, kernel/cgroup, the
# rdma selftests) with Debian's own amd64 kernel config, as modules, the
# way distributions ship it.  Signing keys and debug info are switched off
# (they need Debian's build infrastructure, not our code).
set -euo pipefail
. "$(dirname "$0")/common.sh"

"$TOP/scripts/install-deps.sh"
[ -d "$TREE/.git" ] || "$TOP/scripts/mktree.sh"
cfg=/usr/src/linux-config-6.12/config.amd64_none_amd64.xz
[ -r "$cfg" ] || die "$cfg missing (apt-get install linux-config-6.12)"
# Build the committed series in a worktree of its own, so work in progress
# in the tree is neither built nor disturbed.
src=$WORK/linux-distro
if [ ! -e "$src/.git" ]; then
	rm -rf "$src"
	git -C "$TREE" worktree prune
	git -C "$TREE" worktree add -q --detach "$src" series
fi
git -C "$src" checkout -q --detach series
obj=$WORK/obj-distro
mkdir -p "$obj" "$CCACHE_DIR"
xz -dc "$cfg" > "$obj/debian.config"
if ! cmp -s "$obj/debian.config" "$obj/debian.config.used" 2>/dev/null || [ ! -f "$obj/.config" ]; then
	cp "$obj/debian.config" "$obj/.config"
	"$src/scripts/config" --file "$obj/.config" \
		--set-str SYSTEM_TRUSTED_KEYS "" --set-str SYSTEM_REVOCATION_KEYS "" \
		--disable MODULE_SIG_ALL --disable DEBUG_INFO_BTF \
		--disable DEBUG_INFO_DWARF5 --enable DEBUG_INFO_NONE
	cp "$obj/debian.config" "$obj/debian.config.used"
fi
m=(make -s -C "$src" O="$obj" -j"$(nproc)" CC="ccache gcc" HOSTCC="ccache gcc")
start=$(date +%s)
"${m[@]}" olddefconfig >/dev/null
grep -q '^CONFIG_INFINIBAND=m' "$obj/.config" || die "Debian config no longer builds INFINIBAND as a module"
grep -q '^CONFIG_RDMA_RXE=m' "$obj/.config" || die "Debian config no longer builds RDMA_RXE as a module"
"${m[@]}" prepare >/dev/null
"${m[@]}" drivers/infiniband/ kernel/cgroup/
make -s -C "$src/tools/testing/selftests" TARGETS=rdma O="$obj/ksft" >/dev/null
echo "distro build: drivers/infiniband and kernel/cgroup built with Debian's config in $(( $(date +%s) - start )) s"
