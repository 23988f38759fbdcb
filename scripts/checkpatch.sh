#!/bin/bash
# checkpatch.pl --strict on every patch of the series.  Errors always fail.
# A warning or check fails unless the patch's changelog justifies it with a
# line "Checkpatch: TYPE: reason" (TYPE as printed by --show-types).
set -euo pipefail
. "$(dirname "$0")/common.sh"
. "$TOP/scripts/series.sh"

[ -d "$TREE/.git" ] || "$TOP/scripts/mktree.sh"
cp="$TREE/scripts/checkpatch.pl"
bad=0
total=0
while read -r p; do
	f=$TOP/patches/$p
	total=$((total + 1))
	out=$(perl "$cp" --no-tree --strict --terse --show-types --no-summary "$f" 2>&1 || true)
	unjustified=""
	while IFS= read -r l; do
		[ -n "$l" ] || continue
		type=$(echo "$l" | sed -n 's/.*: \(ERROR\|WARNING\|CHECK\):\([A-Z_0-9]*\):.*/\1 \2/p')
		level=${type% *}
		name=${type#* }
		if [ "$level" != ERROR ] && grep -q "^Checkpatch: $name:" "$f"; then
			continue
		fi
		unjustified+="$l"$'\n'
	done <<< "$out"
	if [ -n "$unjustified" ]; then
		echo "== $p"
		printf '%s' "$unjustified"
		bad=$((bad + 1))
	fi
done < <(series_patches)
echo "checkpatch --strict: $total patches, $bad with unjustified findings"
[ $bad = 0 ]
