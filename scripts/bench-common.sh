# shellcheck shell=bash
# Sourced by scripts/bench.sh and scripts/scale.sh after common.sh.

# matplotlib draws the plots; only the bench targets want it, so it is not
# in install-deps.sh.  Without it the reports still come, without a PNG.
want_matplotlib() {
	/usr/bin/python3 -c 'import matplotlib' 2>/dev/null && return 0
	if [ "$(id -u)" = 0 ]; then
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends python3-matplotlib >/dev/null 2>&1 ||
			{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
				apt-get install -y -qq --no-install-recommends \
				python3-matplotlib >/dev/null 2>&1; } || true
	fi
	/usr/bin/python3 -c 'import matplotlib' 2>/dev/null ||
		info "python3-matplotlib is not installed: no plot this time"
}
