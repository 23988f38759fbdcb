# shellcheck shell=bash
# Shared settings for the workspace scripts.  Sourced, not run.
#
# WORK holds everything that is not in git: the unpacked kernel tree, the
# object directories and the run logs.  It lives outside the checkout so a
# fresh clone finds the previous build again (ccache and make then make it
# cheap), but nothing depends on it for correctness: every script
# re-validates what it finds there.

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../BASE
. "$TOP/BASE"

WORK=${WORK:-/var/tmp/rdma-containers-6.12}
TREE=$WORK/linux		# git tree: base commit + series
BASETREE=$WORK/linux-base	# worktree of the base commit (SERIES=none)
SERIES=${SERIES:-all}		# all | none
DEBUG=${DEBUG:-1}		# 1: debug config (KASAN, lockdep, ...)
MODULAR=${MODULAR:-0}		# 1: RDMA as modules (configs/modular.config)
LOCKSTAT=${LOCKSTAT:-0}		# 1: lock statistics (configs/lockstat.config)

export CCACHE_DIR=${CCACHE_DIR:-$WORK/ccache}
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-10G}
# Make ccache hits survive different source paths (tree vs base worktree).
export CCACHE_BASEDIR=$WORK
export CCACHE_COMPILERCHECK=content
export KBUILD_BUILD_TIMESTAMP=${KBUILD_BUILD_TIMESTAMP:-"Thu Jan  1 00:00:00 UTC 1970"}
export KBUILD_BUILD_USER=rdma
export KBUILD_BUILD_HOST=qemu

BASE_TAG=base-$(echo "$DEBIAN_VERSION" | tr '~:' '__')

variant() {
	local s=patched d=debug
	[ "$SERIES" = none ] && s=base
	[ "$DEBUG" = 1 ] || d=nodebug
	local v=$s-$d
	[ "$MODULAR" = 1 ] && v+=-modular
	[ "$LOCKSTAT" = 1 ] && v+=-lockstat
	echo "$v"
}
OBJ=${OBJ:-$WORK/obj-$(variant)}

srcdir() {
	if [ "$SERIES" = none ]; then echo "$BASETREE"; else echo "$TREE"; fi
}

# The unpatched base and the patched kernel, from the same config (DEBUG,
# MODULAR and LOCKSTAT as set), after the packages and the tree.
build_base_and_patched() {
	"$TOP/scripts/install-deps.sh"
	[ -d "$TREE/.git" ] || "$TOP/scripts/mktree.sh"
	SERIES=none "$TOP/scripts/build.sh" >/dev/null
	SERIES=all "$TOP/scripts/build.sh" >/dev/null
}

die() {
	echo "$(basename "$0"): error: $*" >&2
	exit 1
}
info() {
	echo "==> $*" >&2
}
