#!/bin/sh
# SPDX-License-Identifier: MIT
# The timing engines sit below the camera: they know the scheduler, the event log,
# the sensor's timing and their own ops tables, never the camera. Fails when one of
# them (or its header) includes a camera header or the device layer again.
cd "$(dirname "$0")/.." || exit 2
status=0
for f in emulator/camera/acquisition emulator/camera/trigger emulator/camera/strobe emulator/camera/autofunc; do
	for src in "$f.c" "$f.h"; do
		if [ ! -f "$src" ]; then
			echo "check-layers: $src is missing" >&2
			status=1
			continue
		fi
		if grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]([^">]*/)?(camera(_[a-z]+)?|device)\.h[">]' "$src" >&2; then
			echo "check-layers: $src includes the camera or the device layer: it must reach them through its ops table" >&2
			status=1
		fi
	done
done
[ "$status" -eq 0 ] && echo "check-layers: the timing engines include no camera header"
exit "$status"
