#!/bin/bash
# Write the series as quilt patches with DEP-3 headers, ready to drop into
# the debian/patches/ of a Debian kernel source package:
#
#   $DEP3_OUT/rdma-containers/NNNN-*.patch   one file per patch in patches/series
#   $DEP3_OUT/series                         rdma-containers/NNNN-*.patch, in order
#
# It reads patches/*.patch (not the kernel tree), so it works on a fresh
# clone.  Each header is made from the patch's own mail headers and
# changelog; Last-Update is the patch's Date:, never today, so an unchanged
# series exports to byte-identical files.
set -euo pipefail
. "$(dirname "$0")/common.sh"
. "$TOP/scripts/series.sh"

OUT=${DEP3_OUT:-$TOP/out/debian-patches}
SUBDIR=rdma-containers
PROJECT=rdma-containers-6.12

# OUT is replaced whole.  Refuse to wipe a directory that holds anything
# other than an earlier export.
if [ -e "$OUT" ]; then
	[ -d "$OUT" ] || die "$OUT exists and is not a directory"
	stray=$(find "$OUT" -mindepth 1 -maxdepth 1 ! -name "$SUBDIR" ! -name series -printf '%f\n')
	[ -z "$stray" ] || die "$OUT holds more than an earlier export (${stray//$'\n'/ }); remove it or set DEP3_OUT"
fi

mapfile -t names < <(series_patches)
[ "${#names[@]}" -gt 0 ] || die "patches/series lists no patches"
for n in "${names[@]}"; do
	[ -f "$TOP/patches/$n" ] || die "patches/series lists $n, which is not in patches/"
done

mkdir -p "$(dirname "$OUT")"
tmp=$(mktemp -d "$(dirname "$OUT")/.dep3.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/$SUBDIR"

python3 - "$TOP/patches" "$tmp/$SUBDIR" "$PROJECT" "${names[@]}" <<'EOF'
import email.header
import email.utils
import re
import sys

src_dir, dst_dir, project = sys.argv[1:4]


def fail(name, msg):
    sys.exit(f"export-dep3.sh: error: {name}: {msg}")


def unfold(lines):
    """Mail header lines -> {lower-case name: value}, continuations joined."""
    fields = {}
    last = None
    for line in lines:
        if line[:1] in (" ", "\t") and last:
            fields[last] = fields[last].rstrip() + " " + line.strip()
            continue
        name, sep, value = line.partition(":")
        if not sep:
            continue
        last = name.strip().lower()
        fields[last] = value.strip()
    for key, value in fields.items():
        if "=?" in value:  # RFC 2047, e.g. a non-ASCII author name
            value = str(email.header.make_header(email.header.decode_header(value)))
        fields[key] = value
    return fields


def convert(name):
    # Bytes that are not UTF-8 pass through unchanged (surrogateescape).
    with open(f"{src_dir}/{name}", encoding="utf-8", errors="surrogateescape", newline="") as f:
        lines = f.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()

    i = 0
    if lines and re.match(r"From [0-9a-f]{40} ", lines[0]):
        i = 1  # the mbox separator
    start = i
    while i < len(lines) and lines[i] != "":
        i += 1
    fields = unfold(lines[start:i])
    for key in ("from", "date", "subject"):
        if key not in fields:
            fail(name, f"no {key.capitalize()}: header")

    # The changelog ends at the first "---" line (as for git am); the diff
    # starts at the first "diff --git" line after it.
    end = i
    while end < len(lines) and lines[end] != "---" and not lines[end].startswith("diff --git "):
        end += 1
    body = lines[i:end]
    while body and not body[0].strip():
        body.pop(0)
    while body and not body[-1].strip():
        body.pop()
    diff = end
    while diff < len(lines) and not lines[diff].startswith("diff --git "):
        diff += 1
    if diff == len(lines):
        fail(name, "no 'diff --git' line")
    hunks = lines[diff:]
    # Drop git's version signature ("-- " and "2.39.5"), if any.
    if len(hunks) >= 2 and hunks[-2] == "-- " and re.fullmatch(r"[0-9]+(\.[0-9]+)+.*", hunks[-1]):
        hunks = hunks[:-2]

    subject = re.sub(r"^\[PATCH[^\]]*\]\s*", "", fields["subject"])
    date = email.utils.parsedate_tz(fields["date"])
    if not date:
        fail(name, f"cannot parse Date: {fields['date']}")
    # The calendar day as written in the header (its own time zone), so the
    # result does not depend on the TZ of the machine that exports.
    last_update = "%04d-%02d-%02d" % date[:3]

    out = [f"Description: {subject}"]
    out += [" ." if not l.strip() else " " + l for l in body]
    out += [
        f"Author: {fields['from']}",
        f"Origin: other, {project} series, patches/{name}",
        "Forwarded: no",
        f"Last-Update: {last_update}",
        "---",
    ]
    out += hunks
    with open(f"{dst_dir}/{name}", "w", encoding="utf-8", errors="surrogateescape", newline="") as f:
        f.write("\n".join(out) + "\n")


for name in sys.argv[4:]:
    convert(name)
EOF

for n in "${names[@]}"; do echo "$SUBDIR/$n"; done > "$tmp/series"

rm -rf "$OUT"
mv "$tmp" "$OUT"
chmod 755 "$OUT"
trap - EXIT
info "exported ${#names[@]} patches with DEP-3 headers to $OUT"
