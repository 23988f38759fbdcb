#!/bin/bash
# Export the commits on top of the base back into patches/ with
# git format-patch.  The output is deterministic: an unchanged tree exports
# to byte-identical files (zero commit hashes, no signature, fixed cover
# letter date), so `git status` shows only real changes.
set -euo pipefail
. "$(dirname "$0")/common.sh"
. "$TOP/scripts/series.sh"

OUT=${OUT:-$TOP/patches}
[ -d "$TREE/.git" ] || die "no tree at $TREE; run 'make tree'"
git_t() { git -C "$TREE" "$@"; }
[ -z "$(git_t status --porcelain --untracked-files=no)" ] ||
	die "$TREE has uncommitted changes; commit (or fold with --fixup and rebase) first"

mkdir -p "$OUT"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

git_t -c core.abbrev=12 -c diff.noprefix=false format-patch -q --zero-commit --no-signature \
	--no-numbered --full-index --no-renames -o "$tmp" "$BASE_TAG..HEAD" >/dev/null

# Cover letter: hand-written text (patches/cover-letter.in) plus a shortlog
# and diffstat generated here.
if [ -f "$TOP/patches/cover-letter.in" ]; then
	{
		echo "From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001"
		echo "From: $(git_t config user.name) <$(git_t config user.email)>"
		echo "Date: Thu, 1 Jan 1970 00:00:00 +0000"
		cat "$TOP/patches/cover-letter.in"
		echo
		echo "Base: $DEBIAN_PACKAGE $DEBIAN_VERSION"
		echo "sha256: $TARBALL_SHA256"
		echo
		git_t shortlog --no-merges "$BASE_TAG..HEAD"
		git_t diff --stat=72 --summary "$BASE_TAG" HEAD
	} > "$tmp/0000-cover-letter.patch"
fi

# Rewrite the series file: keep its comments and sections and match the
# exported patches to the old entries by name (without the number).  A new
# patch goes right before the next patch that matched, i.e. into that
# patch's section; unmatched patches at the end go under a marker.
old_series=$TOP/patches/series
[ -f "$old_series" ] || printf '# patches/series\n' > "$old_series"
(cd "$tmp" && ls -1 [0-9][0-9][0-9][0-9]-*.patch | grep -v '^0000-') |
	python3 -c '
import re, sys
new = [l.strip() for l in sys.stdin if l.strip()]
key = lambda n: re.sub(r"^[0-9]{4}-", "", n)
idx = {key(n): i for i, n in enumerate(new)}
done = 0
out = []
for line in open(sys.argv[1]):
    entry = line.split("#", 1)[0].strip()
    if line.startswith("# New patches (move them"):
        continue
    if not entry:
        out.append(line.rstrip("\n"))
        continue
    i = idx.get(key(entry))
    if i is None or i < done:
        continue
    out.extend(new[done:i + 1])
    done = i + 1
if done < len(new):
    out += ["", "# New patches (move them into their section)"] + new[done:]
while out and not out[-1].strip():
    out.pop()
print("\n".join(out))
' "$old_series" > "$tmp/series"

# Replace the patches in OUT, keeping the hand-written cover-letter.in.
find "$OUT" -maxdepth 1 -name '*.patch' -delete
cp "$tmp"/*.patch "$OUT"/ 2>/dev/null || true
cp "$tmp/series" "$OUT/series"
info "exported $(grep -c . <(sed -e "s/#.*//" -e "/^[[:space:]]*$/d" "$OUT/series")) patches to $OUT"
