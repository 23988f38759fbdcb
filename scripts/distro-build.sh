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
# Any compiler warning in these directories fails the build: with
# Debian's config and Debian's compiler the base has none there, so a
# warning is the series' (in a file it touches, or from a header it
# changed).  Every object is compiled again each run, so that a warning
# cannot hide in an object left by an earlier run; ccache replays cached
# compiles with their warnings, which keeps this cheap.
find "$obj/drivers/infiniband" "$obj/kernel/cgroup" -name '*.o' -delete 2>/dev/null || true
"${m[@]}" drivers/infiniband/ kernel/cgroup/ 2>&1 | tee "$obj/build.log"
w=$(grep -E '(warning|error):' "$obj/build.log" | head -5 || true)
[ -z "$w" ] || die "compiler warnings with Debian's config: $w"

# modpost over the RDMA modules, as `make modules` runs it (but with -E:
# a section mismatch fails here too): every symbol a
# module uses must be exported by an RDMA module of this build, by
# Debian's own kernel of the same version (the Module.symvers of its
# linux-headers package) or by the series' rdma cgroup controller, which
# is built in (its exports are taken from its source here, since this
# build links no vmlinux).  An export the series forgot, or one a module
# uses under an option only Debian's config sets, fails here.
abi=${DEBIAN_VERSION%%-*}+deb${DEBIAN_VERSION##*~deb}
abi=${abi%u*}
hdr=/usr/src/linux-headers-$abi-amd64
if [ ! -r "$hdr/Module.symvers" ]; then
	apt-get install -y -qq --no-install-recommends "linux-headers-$abi-amd64" >/dev/null ||
		die "cannot install linux-headers-$abi-amd64 for its Module.symvers"
fi
# Debian's exports, less what this build makes again: the RDMA modules,
# and the rdma cgroup controller's (all named rdmacg_*).
awk -F'\t' '$3 !~ /^drivers\/infiniband\// && !($3 == "vmlinux" && $2 ~ /^rdmacg_/)' \
	"$hdr/Module.symvers" > "$obj/distro-in.symvers"
# The series' exports of the built-in controller, read from its object.
nm "$obj/kernel/cgroup/rdma.o" | sed -n 's/.* __export_symbol_\(rdmacg_[a-z0-9_]*\)$/\1/p' |
	while read -r sym; do
		kind=EXPORT_SYMBOL
		grep -q "^EXPORT_SYMBOL_GPL($sym);" "$src/kernel/cgroup/rdma.c" && kind=EXPORT_SYMBOL_GPL
		printf '0x00000000\t%s\tvmlinux\t%s\t\n' "$sym" "$kind"
	done >> "$obj/distro-in.symvers"
grep -q 'rdmacg_try_charge' "$obj/distro-in.symvers" ||
	die "no rdmacg_* export found in kernel/cgroup/rdma.o"
[ -s "$obj/drivers/infiniband/modules.order" ] || die "no drivers/infiniband/modules.order"
if ! (cd "$obj" && ./scripts/mod/modpost -M -m -E -i distro-in.symvers \
	-o distro-out.symvers -T drivers/infiniband/modules.order) > "$obj/modpost.log" 2>&1; then
	cat "$obj/modpost.log" >&2
	die "modpost failed over the RDMA modules with Debian's config"
fi
if grep -q 'WARNING' "$obj/modpost.log"; then
	cat "$obj/modpost.log" >&2
	die "modpost warned over the RDMA modules with Debian's config"
fi
echo "distro build: modpost: $(wc -l < "$obj/drivers/infiniband/modules.order") RDMA modules, every symbol resolved"
make -s -C "$src/tools/testing/selftests" TARGETS=rdma O="$obj/ksft" >/dev/null
echo "distro build: drivers/infiniband and kernel/cgroup built with Debian's config in $(( $(date +%s) - start )) s"
