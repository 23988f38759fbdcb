#!/bin/bash
# Build the patched tree in the Kconfig corners a randconfig bot or a
# distro hits first.  Each corner is allnoconfig plus a few lines, built
# to vmlinux (and modules, so modpost checks the exports, where RDMA is
# modular).  A corner fails when a requested option does not stick, when
# the build fails, or when the compiler warns in a file the series
# touches.
#   MATRIX="net-off ib-modules ..."   only these corners
# Prints one line per corner and "matrix: N passed, N failed".
set -euo pipefail
. "$(dirname "$0")/common.sh"

"$TOP/scripts/install-deps.sh"
[ -d "$TREE/.git" ] || "$TOP/scripts/mktree.sh"
SRC=$TREE
JOBS=${JOBS:-$(nproc)}
mkdir -p "$CCACHE_DIR"

# Name, then the fragment's lines.  Every corner is a 64-bit x86 kernel
# with CGROUPS; the rest is what each one is about.
corner() {
	printf '%s\n' CONFIG_64BIT=y CONFIG_CGROUPS=y
	case $1 in
	net-off)
		# CGROUP_RDMA does not depend on NET: rdma.policy's GID parser
		# must build without the inet helpers (and its KUnit tests too).
		printf '%s\n' CONFIG_CGROUP_RDMA=y '# CONFIG_NET is not set' \
			CONFIG_KUNIT=y CONFIG_CGROUP_RDMA_KUNIT_TEST=y ;;
	ib-modules)
		# Distro layout: the RDMA core, verbs, rdma_cm and rxe as
		# modules, the controller built in, IPv6 a module too.
		printf '%s\n' CONFIG_CGROUP_RDMA=y CONFIG_MODULES=y \
			CONFIG_MODULE_UNLOAD=y CONFIG_NET=y CONFIG_INET=y \
			CONFIG_IPV6=m CONFIG_PCI=y CONFIG_NAMESPACES=y \
			CONFIG_NET_NS=y CONFIG_INFINIBAND=m \
			CONFIG_INFINIBAND_USER_ACCESS=m \
			CONFIG_INFINIBAND_USER_MAD=m CONFIG_RDMA_RXE=m ;;
	ipv6-off)
		# No IPv6, no network namespaces, and no uverbs (kernel users
		# only, so no policy checks from user space).
		printf '%s\n' CONFIG_CGROUP_RDMA=y CONFIG_NET=y CONFIG_INET=y \
			'# CONFIG_IPV6 is not set' '# CONFIG_NET_NS is not set' \
			CONFIG_PCI=y CONFIG_INFINIBAND=y \
			'# CONFIG_INFINIBAND_USER_ACCESS is not set' \
			CONFIG_RDMA_RXE=y ;;
	cgroup-rdma-off)
		# Everything else on, the controller off: the IB stack's
		# calls into it must compile to nothing.
		printf '%s\n' '# CONFIG_CGROUP_RDMA is not set' CONFIG_NET=y \
			CONFIG_INET=y CONFIG_IPV6=y CONFIG_PCI=y \
			CONFIG_NAMESPACES=y CONFIG_NET_NS=y CONFIG_INFINIBAND=y \
			CONFIG_INFINIBAND_USER_ACCESS=y \
			CONFIG_INFINIBAND_USER_MAD=y CONFIG_RDMA_RXE=y ;;
	*)
		return 1 ;;
	esac
}

ALL="net-off ib-modules ipv6-off cgroup-rdma-off"
read -r -a corners <<< "${MATRIX:-$ALL}"

# The files the series touches: a warning in one of them fails a corner.
base=$(git -C "$SRC" rev-parse --verify -q "$BASE_TAG") ||
	die "$SRC has no $BASE_TAG"
touched=$(git -C "$SRC" diff --name-only "$base" HEAD -- '*.c' '*.h' |
	grep -v '^tools/' || true)

npass=0 nfail=0
for c in "${corners[@]}"; do
	obj=$WORK/obj-matrix-$c
	mkdir -p "$obj"
	frag=$obj/fragment.config
	corner "$c" > "$frag" || die "unknown corner $c (known: $ALL)"
	log=$obj/build.log
	start=$(date +%s)
	why=""
	kmake() {
		make -s -C "$SRC" O="$obj" -j"$JOBS" CC="ccache gcc" \
			HOSTCC="ccache gcc" "$@"
	}
	if ! kmake KCONFIG_ALLCONFIG="$frag" allnoconfig >"$log" 2>&1; then
		why="allnoconfig failed"
	else
		while IFS= read -r l; do
			case $l in
			CONFIG_*=*) grep -qxF "$l" "$obj/.config" || why+="$l did not stick; " ;;
			"# CONFIG_"*) s=${l#\# }; s=${s%% *}
				! grep -q "^$s=" "$obj/.config" || why+="$s is set; " ;;
			esac
		done < "$frag"
	fi
	if [ -z "$why" ]; then
		targets=(vmlinux)
		grep -qx 'CONFIG_MODULES=y' "$obj/.config" && targets+=(modules)
		kmake "${targets[@]}" >>"$log" 2>&1 || why="build failed (${targets[*]})"
	fi
	if [ -z "$why" ] && [ -n "$touched" ]; then
		w=$(grep -E '(warning|error):' "$log" | grep -F -f <(echo "$touched") | head -5 || true)
		[ -z "$w" ] || why="warnings in the series' files: $w"
	fi
	secs=$(( $(date +%s) - start ))
	if [ -z "$why" ]; then
		echo "ok     $c (${secs} s)"
		npass=$((npass + 1))
	else
		echo "FAILED $c (${secs} s): $why"
		grep -E '(warning|error):|undefined' "$log" | head -20 | sed 's/^/       /'
		echo "       log: $log"
		nfail=$((nfail + 1))
	fi
done
echo "matrix: $npass passed, $nfail failed"
[ "$nfail" = 0 ]
