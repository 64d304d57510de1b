#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs what dfk-emu needs to build and test, from Debian 12's own packages.
#   ci/deps.sh               build + test dependencies (what `make check` needs)
#   ci/deps.sh --build-only  only what `make run` needs
# As root it runs apt-get; otherwise it prints the exact command and stops.
set -euo pipefail

build_pkgs=(gcc make pkg-config libc6-dev libssl-dev zlib1g-dev libcunit1-dev libusb-1.0-0-dev
            libaravis-dev libglib2.0-dev libpng-dev)
test_pkgs=(clang libclang-rt-14-dev python3 python3-pytest usbip usbutils aravis-tools aravis-tools-cli faketime libfaketime
           libxml2-utils qemu-system-x86 linux-image-amd64 busybox-static kmod tcpdump
           groff-base mandoc    # groff-base, mandoc: lint of man/ (harness/test_manpages.py)
           gstreamer1.0-tools gstreamer1.0-plugins-good gir1.2-aravis-0.8 python3-gi  # harness/test_clients.py
           chromium fonts-dejavu-core  # headless: harness/test_report_html.py renders dfk-drivertest's HTML report
           debhelper dpkg-dev lintian  # make deb, harness/test_deb.py
           socat python3-yaml binutils  # harness/test_container.py: the entry point's I/O relay, compose/k8s, objdump
           v4l-utils   # harness/test_uvc_vm.py: v4l2-ctl against uvcvideo in the guest
           iperf3)  # make bench: the loopback TCP limit the stream is compared with

pkgs=("${build_pkgs[@]}")
if [[ "${1:-}" != "--build-only" ]]; then
	pkgs+=("${test_pkgs[@]}")
fi

missing=()
for p in "${pkgs[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing+=("$p")
	fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
	exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
	echo "ci/deps.sh: missing packages: ${missing[*]}" >&2
	echo "ci/deps.sh: install them with:" >&2
	echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
	exit 1
fi

echo "ci/deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
