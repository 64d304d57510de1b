#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Figures for the QEMU end-to-end path.

    /usr/bin/python3 harness/vm/bench.py [--count 100] [--arv-count 100] [--stream-frames 50] [--stub]

Prints: guest boot time, boot-to-attached time, attach time, detach time; the time per GenCP
READMEM round trip (build/vm/u3v-rtt: libusb -> usbfs -> vhci-hcd -> TCP -> dfk-emu, compiled
on the host from harness/vm/u3v_rtt.c, run in the guest); the time per
`arv-tool-0.8 -n ID control DeviceModelName` (a whole Aravis open + read per call); and what
libaravis receives in the guest: build/vm/arv-stream (harness/vm/arv_stream.c) streaming
BayerRG8 at 4096 x 2160 from a second dfk-emu with `--source pattern --time-scale 0` (frames as
fast as the guest takes them), --stream-frames frames without the pixel check (frames/s and
MB/s, MB = 10^6 bytes, from the first to the last leader's arrival), then the same with every
frame checked against the test pattern (frame_compare in the guest).
--stub uses harness/vm/usbip_stub.py instead of dfk-emu (harness self-check; no Aravis figure).
"""
import argparse
import os
import re
import shlex
import subprocess
import sys
import time

HARNESS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, HARNESS)

from vm import arvstream, image  # noqa: E402
from vm.guest import Guest  # noqa: E402
from vm.usbip_stub import StubProcess  # noqa: E402
import emu  # noqa: E402

RTT_SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "u3v_rtt.c")


def build_rtt():
    out = os.path.join(image.VMDIR, "u3v-rtt")
    if os.path.exists(out) and os.path.getmtime(out) >= os.path.getmtime(RTT_SRC):
        return out, None
    os.makedirs(image.VMDIR, exist_ok=True)
    flags = subprocess.run(["pkg-config", "--cflags", "--libs", "libusb-1.0"],
                           capture_output=True, text=True)
    if flags.returncode != 0:
        return None, "libusb-1.0 development files missing (apt-get install libusb-1.0-0-dev pkg-config)"
    res = subprocess.run(["cc", "-O2", "-Wall", "-o", out, RTT_SRC] + flags.stdout.split(),
                         capture_output=True, text=True)
    if res.returncode != 0:
        return None, "cc failed: " + res.stderr.strip()
    return out, None


def stream_bench(g, args, report):
    """libaravis in the guest receiving BayerRG8 4096x2160 from dfk-emu at time scale 0."""
    try:
        binary = arvstream.build()
    except arvstream.BuildError as e:
        print("arv-stream not built: %s" % e)
        return
    e = emu.Emulator(arvstream.EMU_ARGS).start()
    try:
        g.attach(e.port)
        for check in (False, True):
            run = arvstream.run_in_guest(g, binary, ["BayerRG8"], "bench-stream", count=args.stream_frames,
                                         timeout=60 + 10 * args.stream_frames, debug=False, check=check)
            r = run.results.get("BayerRG8")
            what = "Aravis BayerRG8 4096x2160 ts0" if not check else "same + frame_compare"
            if run.rc != 0 or not r:
                print("%s failed (rc=%d):\n%s\n%s" % (what, run.rc, run.stdout, run.log[-3000:]))
                continue
            report("%s (n=%d)" % (what, r["frames"]), r["mbps"], "MB/s")
            report("%s" % what, r["fps"], "frames/s")
            if check:
                report("frame_compare per 8.8 MB frame (guest)", r["check_ms"], "ms")
        g.detach()
    finally:
        e.stop()
        e.cleanup()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--count", type=int, default=100, help="GenCP round trips")
    ap.add_argument("--arv-count", type=int, default=100, help="arv-tool-0.8 control calls")
    ap.add_argument("--stream-frames", type=int, default=50,
                    help="BayerRG8 4096x2160 frames streamed through libaravis (0: skip)")
    ap.add_argument("--stub", action="store_true", help="use the harness's USB/IP stub, not dfk-emu")
    args = ap.parse_args()

    rtt, why = build_rtt()
    if not args.stub and not os.path.exists(emu.EMU):
        print("dfk-emu not built (%s): run make, or use --stub" % emu.EMU, file=sys.stderr)
        return 2
    img = image.build()
    server = StubProcess().start() if args.stub else emu.Emulator().start()
    results = []

    def report(name, value, unit):
        results.append((name, value, unit))
        print("%-44s %10.3f %s" % (name, value, unit), flush=True)

    try:
        t0 = time.monotonic()
        with Guest(img) as g:
            report("guest boot (%s)" % g.accel_used, g.boot_seconds, "s")
            a = g.attach(server.port)
            report("boot to attached", time.monotonic() - t0, "s")
            report("attach (host view: usbip attach + enumerate)", a.seconds, "s")
            report("attach (guest view)", a.guest_seconds, "s")
            if rtt:
                rc, out = g.run("%s -v 199e -n %d" % (shlex.quote(rtt), args.count), 300)
                m = re.search(r"mean_us=(\d+) median_us=(\d+) p99_us=(\d+)", out)
                if rc == 0 and m:
                    report("GenCP READMEM 64 B round trip, mean (n=%d)" % args.count, int(m.group(1)) / 1000, "ms")
                    report("GenCP READMEM 64 B round trip, median", int(m.group(2)) / 1000, "ms")
                    report("GenCP READMEM 64 B round trip, p99", int(m.group(3)) / 1000, "ms")
                else:
                    print("u3v-rtt failed (rc=%d): %s" % (rc, out.strip()))
            else:
                print("u3v-rtt not built: " + why)
            if not args.stub and args.arv_count > 0:
                rc, out = g.run("arv-tool-0.8", 120)
                ids = [l[:-7] for l in out.splitlines() if l.endswith(" (USB3)")]
                if ids:
                    script = """t0=$(date +%%s.%%N); ok=0
for i in $(seq %d); do
    arv-tool-0.8 -n %s control DeviceModelName 2>&1 | grep -q '^DeviceModelName = ' && ok=$((ok+1))
done
echo "$ok $(date +%%s.%%N) $t0" | awk '{printf "%%d %%.3f\\n", $1, $2-$3}'""" % (args.arv_count, shlex.quote(ids[0]))
                    rc, out = g.run(script, 30 + 10 * args.arv_count)
                    ok, secs = out.split()[-2:]
                    report("arv-tool control DeviceModelName, per call", float(secs) / args.arv_count, "s")
                    print("  (%s of %d calls read the model name)" % (ok, args.arv_count))
                else:
                    print("arv-tool-0.8 lists no camera:\n" + out)
            report("detach (device gone)", g.detach(), "s")
            if not args.stub and args.stream_frames > 0:
                stream_bench(g, args, report)
        report("whole run incl. power-off", time.monotonic() - t0, "s")
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
