#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The container's entry point: dfk-emu on 0.0.0.0:$DFK_PORT, configured from the environment,
# with the container's arguments appended to dfk-emu's.
#   DFK_PORT         USB/IP port (default 3240)
#   DFK_CAMERAS      cameras exported (bus ids 1-1 .. 1-N; default 1)
#   DFK_SERIAL       8-digit serial of the first camera (camera n adds n-1)
#   DFK_SERIAL_BASE  with DFK_INDEX (default: the number at the end of the host name, as in a
#                    StatefulSet's pod dfk-camera-3): serial = DFK_SERIAL_BASE + DFK_INDEX * DFK_CAMERAS
#   DFK_MODEL        dfk38ux267 (default) or dmk38ux267
#   DFK_TIME_SCALE   device seconds per wall second (default 1; 0 = as fast as the host reads)
#   DFK_SOURCE       scene or pattern;  DFK_SEED  the pattern's and the noise's seed
#   DFK_STATE_DIR    non-volatile memory (user sets); a volume keeps it across restarts
#   DFK_IO_PORT      if set, the I/O side channel (docs/io-protocol.md) on 0.0.0.0:DFK_IO_PORT:
#                    dfk-emu accepts it only on loopback, so socat relays it. It is as open as
#                    USB/IP itself (faults, clock, triggers): private network only.
#   DFK_IO_LOCAL_PORT  the loopback port dfk-emu's side channel listens on behind the relay
#                    (default DFK_IO_PORT + 10000)
#   DFK_EMU          the dfk-emu program (default: dfk-emu on PATH)
set -euo pipefail
emu=${DFK_EMU:-dfk-emu}
port=${DFK_PORT:-3240}
cameras=${DFK_CAMERAS:-1}
state=${DFK_STATE_DIR:-$PWD/state}
args=(--listen "0.0.0.0:$port" --cameras "$cameras" --model "${DFK_MODEL:-dfk38ux267}"
      --time-scale "${DFK_TIME_SCALE:-1}" --state-dir "$state")
serial=${DFK_SERIAL:-}
if [[ -z $serial && -n ${DFK_SERIAL_BASE:-} ]]; then
	index=${DFK_INDEX:-}
	if [[ -z $index && $(hostname) =~ ([0-9]+)$ ]]; then
		index=${BASH_REMATCH[1]}
	fi
	serial=$(printf '%08d' $((10#$DFK_SERIAL_BASE + 10#${index:-0} * cameras)))
fi
[[ -n $serial ]] && args+=(--serial "$serial")
[[ -n ${DFK_SOURCE:-} ]] && args+=(--source "$DFK_SOURCE")
[[ -n ${DFK_SEED:-} ]] && args+=(--seed "$DFK_SEED")
mkdir -p "$state"
if [[ -n ${DFK_IO_PORT:-} ]]; then
	io_local=${DFK_IO_LOCAL_PORT:-$((DFK_IO_PORT + 10000))}
	args+=(--io "tcp:127.0.0.1:$io_local")
	socat "TCP-LISTEN:$DFK_IO_PORT,fork,reuseaddr" "TCP:127.0.0.1:$io_local" &
fi
# the container's arguments last: they add to these and override them
exec "$emu" "${args[@]}" "$@"
