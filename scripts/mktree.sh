#!/bin/bash
# Build the working kernel tree: unpack Debian's linux-source-6.12, commit
# it as the base, and apply patches/series on top with `git am`.
#
# Fails loudly if the tarball is not the pinned one, or if any patch does
# not apply exactly (git am applies with zero fuzz and no 3-way merge).
# Refuses to throw away commits in an existing tree that were not exported
# to patches/ (set FORCE=1 to discard them).
set -euo pipefail
. "$(dirname "$0")/common.sh"
. "$TOP/scripts/series.sh"

"$TOP/scripts/install-deps.sh"

[ -r "$TARBALL" ] || die "$TARBALL missing (apt-get install $DEBIAN_PACKAGE=$DEBIAN_VERSION)"
have_ver=$(dpkg-query -W -f='${Version}' "$DEBIAN_PACKAGE")
[ "$have_ver" = "$DEBIAN_VERSION" ] ||
	die "installed $DEBIAN_PACKAGE is $have_ver, the series is pinned to $DEBIAN_VERSION (see BASE)"

mkdir -p "$WORK"
git_t() { git -C "$TREE" "$@"; }

if [ -d "$TREE/.git" ] && git_t rev-parse -q --verify "refs/tags/$BASE_TAG" >/dev/null; then
	# Existing tree: do not lose work that is not in patches/.
	if [ "${FORCE:-0}" != 1 ]; then
		if [ -n "$(git_t status --porcelain --untracked-files=no)" ]; then
			die "$TREE has uncommitted changes; commit and 'make export', or FORCE=1"
		fi
		tmp=$(mktemp -d)
		trap 'rm -rf "$tmp"' EXIT
		OUT=$tmp "$TOP/scripts/export.sh" >/dev/null 2>&1 || true
		if ! diff -rq -x cover-letter.in -x series "$TOP/patches" "$tmp" >/dev/null 2>&1; then
			die "$TREE has commits that differ from patches/; 'make export' them first, or FORCE=1 to discard"
		fi
	fi
	info "reusing base commit $BASE_TAG in $TREE"
	git_t am --abort >/dev/null 2>&1 || true
	git_t checkout -q -f -B series "$BASE_TAG"
else
	info "verifying $TARBALL"
	echo "$TARBALL_SHA256  $TARBALL" | sha256sum -c --quiet - ||
		die "sha256 of $TARBALL differs from BASE: a new Debian upload; rebase the series deliberately"
	rm -rf "$TREE" "$BASETREE"
	mkdir -p "$TREE"
	info "unpacking $TARBALL into $TREE"
	tar -C "$TREE" --strip-components=1 -xJf "$TARBALL"
	git_t init -q -b series
	git_t config core.autocrlf false
	git_t config gc.auto 0
	git_t config user.name "$(git -C "$TOP" config user.name || echo rdma)"
	git_t config user.email "$(git -C "$TOP" config user.email || echo rdma@localhost)"
	info "committing the base (takes a minute)"
	git_t add -f -A .
	GIT_AUTHOR_DATE="1970-01-01T00:00:00Z" GIT_COMMITTER_DATE="1970-01-01T00:00:00Z" \
		git_t commit -q -m "Debian $DEBIAN_PACKAGE $DEBIAN_VERSION" \
		-m "Unpacked from $TARBALL, sha256 $TARBALL_SHA256."
	git_t tag "$BASE_TAG"
fi

n=0
while read -r p; do
	[ -f "$TOP/patches/$p" ] || die "patches/series lists $p, which does not exist"
	if ! git_t am -q --no-3way --whitespace=nowarn "$TOP/patches/$p"; then
		git_t am --abort || true
		die "patches/$p does not apply to $DEBIAN_PACKAGE $DEBIAN_VERSION (no fuzz allowed)"
	fi
	n=$((n + 1))
done < <(series_patches)
info "applied $n patches on $BASE_TAG; tree is $TREE (branch 'series')"
