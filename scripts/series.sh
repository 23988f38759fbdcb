# shellcheck shell=bash
# Helpers for patches/series.  Sourced.

# Print the patch file names listed in patches/series, in order.
series_patches() {
	sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^$/d' "$TOP/patches/series"
}
