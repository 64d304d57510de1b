#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the image with podman and runs the cameras of compose.yaml on an internal podman
# network, then checks them from a client container of the same image: `usbip list` shows each
# service's cameras, the I/O relay answers, dfk-conform passes its descriptors and gencp suites
# over USB/IP. By hand (minutes: the image build); docs/container.md.
#   container/smoke.sh                     BASE defaults to the Containerfile's (debian:12)
#   BASE=localhost/debian:12 container/smoke.sh
#   PODMAN="podman --runtime runc" PODMAN_RUN_ARGS="--ulimit nofile=20000:20000 --ulimit nproc=32768:32768" ...
#     (a sandbox with hybrid cgroups, where crun refuses, and without CAP_SYS_RESOURCE)
# Names camera addresses by IP: podman's CNI network has no DNS without the dnsname plugin.
set -euo pipefail
cd "$(dirname "$0")/.."
read -r -a podman <<<"${PODMAN:-podman}"
read -r -a runargs <<<"${PODMAN_RUN_ARGS:-}"
image=localhost/dfk-emu:latest
net=dfk-smoke-$$
build=("${podman[@]}" build "${runargs[@]}" -f container/Containerfile -t "$image")
[[ -n ${BASE:-} ]] && build+=(--build-arg "BASE=$BASE")
"${build[@]}" .
names=()
cleanup() { "${podman[@]}" rm -f "${names[@]}" >/dev/null 2>&1 || true; "${podman[@]}" network rm -f "$net" >/dev/null 2>&1 || true; }
trap cleanup EXIT
"${podman[@]}" network create --internal "$net" >/dev/null
# service NAME, then its environment as -e KEY=VALUE, one service a line
services=$(python3 -c '
import yaml
for name, s in yaml.safe_load(open("container/compose.yaml"))["services"].items():
    if name.startswith("camera-"):
        print(name, " ".join("-e %s=%s" % kv for kv in s["environment"].items()))')
declare -A cams
while read -r name env; do
	# shellcheck disable=SC2086
	"${podman[@]}" run -d "${runargs[@]}" --name "smoke-$name-$$" --network "$net" $env "$image" >/dev/null
	names+=("smoke-$name-$$")
	cams[$name]=$(sed -n 's/.*DFK_CAMERAS=\([0-9]*\).*/\1/p' <<<"$env")
done <<<"$services"
sleep 2
failed=0
for name in "${!cams[@]}"; do
	ip=$("${podman[@]}" inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "smoke-$name-$$")
	out=$("${podman[@]}" run --rm "${runargs[@]}" --network "$net" --entrypoint sh "$image" -c "
		usbip --tcp-port 3240 list -r $ip; printf 'time\n' | socat -t2 - TCP:$ip:3241;
		dfk-conform --fixtures /usr/share/dfk-emu/fixtures/\$(case \$(usbip --tcp-port 3240 list -r $ip) in *199e:980e*) echo dmk38ux267;; *) echo dfk38ux267;; esac) \
			--device usbip://$ip:3240/1-1 --suite descriptors,gencp" 2>&1) || true
	n=$(grep -Ec '^ +[0-9]+-[0-9]+: The Imaging Source Europe GmbH' <<<"$out" || true)
	if [[ $n == "${cams[$name]}" ]] && grep -q '^ok ' <<<"$out" && grep -Eq 'tests +([0-9]+) +\1 +\1 +0' <<<"$out"; then
		echo "PASS $name ($ip): $n camera(s) listed, I/O relay answers, dfk-conform descriptors,gencp pass"
	else
		echo "FAIL $name ($ip):"; sed 's/^/    /' <<<"$out"; failed=1
	fi
	logs=$("${podman[@]}" logs "smoke-$name-$$" 2>&1)
	grep -q 'no authentication' <<<"$logs" || { echo "FAIL $name: no 0.0.0.0 warning"; failed=1; }
done
exit $failed
