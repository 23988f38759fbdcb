#!/bin/bash
# Install every Debian package the workspace needs (idempotent).
# Run as root on Debian 12.  Uses only Debian's archive.
set -euo pipefail
. "$(dirname "$0")/../BASE"

pkgs=(
	"linux-source-6.12=$DEBIAN_VERSION" "linux-config-6.12=$DEBIAN_VERSION"
	build-essential bc bison flex libelf-dev libssl-dev dwarves
	ccache cpio xz-utils kmod git rsync python3
	qemu-system-x86
	rdma-core ibverbs-utils rdmacm-utils perftest infiniband-diags
	libibverbs-dev librdmacm-dev python3-pyverbs
	iproute2 iputils-ping tcpdump procps psmisc util-linux inotify-tools
	runc
)

missing=()
for p in "${pkgs[@]}"; do
	name=${p%%=*}
	want=${p#*=}
	have=$(dpkg-query -W -f='${Status} ${Version}' "$name" 2>/dev/null || true)
	case "$have" in
	"install ok installed "*)
		if [ "$name" != "$p" ] && [ "${have##* }" != "$want" ]; then
			missing+=("$p")
		fi ;;
	*) missing+=("$p") ;;
	esac
done

if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi
echo "install-deps: installing ${missing[*]}"
if [ "$(id -u)" != 0 ]; then
	echo "install-deps: must run as root to install packages" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
