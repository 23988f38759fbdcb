#!/bin/bash
# Build the guest kernel (bzImage, everything built in) out of tree.
#   SERIES=all|none   patched tree, or the unpatched base (same config)
#   DEBUG=1|0         with or without configs/debug.config
#   MODULAR=1         RDMA as modules (configs/modular.config)
#   LOCKSTAT=1        with lock statistics (configs/lockstat.config)
# Prints the path of the bzImage on success.
set -euo pipefail
. "$(dirname "$0")/common.sh"

"$TOP/scripts/install-deps.sh"
[ -d "$TREE/.git" ] || "$TOP/scripts/mktree.sh"
SRC=$(srcdir)
if [ "$SERIES" = none ]; then
	if [ ! -d "$BASETREE/.git" ] && [ ! -f "$BASETREE/.git" ]; then
		rm -rf "$BASETREE"
		git -C "$TREE" worktree prune
		git -C "$TREE" worktree add -q --detach "$BASETREE" "$BASE_TAG"
	fi
	git -C "$BASETREE" checkout -q --detach "$BASE_TAG"
fi

mkdir -p "$OBJ" "$CCACHE_DIR"
# One build per object dir at a time (a second caller waits).
exec 9>"$OBJ/.build-lock"
flock 9
frags=("$TOP/configs/guest.config")
[ "$DEBUG" = 1 ] && frags+=("$TOP/configs/debug.config")
[ "$MODULAR" = 1 ] && frags+=("$TOP/configs/modular.config")
[ "$LOCKSTAT" = 1 ] && frags+=("$TOP/configs/lockstat.config")
stamp=$(cat "${frags[@]}" | sha256sum | cut -c1-16)
JOBS=${JOBS:-$(nproc)}
kmake() {
	make -s -C "$SRC" O="$OBJ" -j"$JOBS" CC="ccache gcc" HOSTCC="ccache gcc" "$@"
}

# Every requested option is in .config, or it is made again: a build of an
# older commit in the same tree (Kconfig without a symbol of the series)
# silently drops options, e.g. the KUnit suite's.
config_ok() {
	local l
	while IFS= read -r l; do
		case "$l" in CONFIG_*=*) ;; *) continue ;; esac
		grep -qxF "$l" "$OBJ/.config" || return 1
	done < "$OBJ/fragment.config"
}

if [ ! -f "$OBJ/.config" ] || [ "$(cat "$OBJ/.config-stamp" 2>/dev/null)" != "$stamp" ] ||
   [ ! -f "$OBJ/fragment.config" ] || ! config_ok; then
	info "configuring $(variant) (allnoconfig + ${frags[*]##*/})"
	# A later fragment overrides an earlier one: keep each symbol's last line.
	cat "${frags[@]}" | awk '
		{ line[NR] = $0; key[NR] = "" }
		/^CONFIG_[A-Za-z0-9_]+=/ { k = $0; sub(/=.*/, "", k); key[NR] = k; last[k] = NR }
		/^# CONFIG_[A-Za-z0-9_]+ is not set/ { key[NR] = $2; last[$2] = NR }
		END { for (i = 1; i <= NR; i++) if (key[i] == "" || last[key[i]] == i) print line[i] }
	' > "$OBJ/fragment.config"
	kmake KCONFIG_ALLCONFIG="$OBJ/fragment.config" allnoconfig >/dev/null
	kmake olddefconfig >/dev/null
	# Every requested option must have stuck.
	bad=0
	while IFS= read -r l; do
		case "$l" in CONFIG_*=*) ;; *) continue ;; esac
		grep -qxF "$l" "$OBJ/.config" || { echo "config: $l did not stick" >&2; bad=1; }
	done < "$OBJ/fragment.config"
	[ $bad = 0 ] || die "configs/ fragment options missing from the final .config"
	echo "$stamp" > "$OBJ/.config-stamp"
fi

info "building $(variant) kernel in $OBJ (source $SRC)"
start=$(date +%s)
if [ "$MODULAR" = 1 ]; then
	# modpost runs here: a call into another module without an export fails.
	kmake bzImage modules
	rm -rf "$OBJ/modroot"
	kmake INSTALL_MOD_PATH="$OBJ/modroot" INSTALL_MOD_STRIP=1 modules_install >/dev/null
else
	kmake bzImage
fi
info "built $(variant) in $(( $(date +%s) - start )) s"
echo "$OBJ/arch/x86/boot/bzImage"
