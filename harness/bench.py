#!/usr/bin/python3
"""Performance figures of dfk-emu seen from the Python USB/IP client (no assertions).

    DFK_BUILD=$PWD/build /usr/bin/python3 harness/bench.py [--reads 2000] [--starts 5]

Prints: GenCP 4-byte READMEM round trip (bulk OUT command + bulk IN ack) p50/p99 over loopback,
emulator start-up time (process start to its "listening" line, median), and the emulator's VmRSS
idle and after the reads.
"""
import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import emu as emu_mod  # noqa: E402
import usbip_client as U  # noqa: E402
from dfk_testlib import proc_rss_kib  # noqa: E402


def percentile(sorted_vals, p):
    if not sorted_vals:
        return float("nan")
    k = (len(sorted_vals) - 1) * p / 100.0
    lo = int(k)
    hi = min(lo + 1, len(sorted_vals) - 1)
    return sorted_vals[lo] + (sorted_vals[hi] - sorted_vals[lo]) * (k - lo)


def start_emulator(tmp, i):
    state = os.path.join(tmp, "state%d" % i)
    os.makedirs(state)              # emu.Emulator opens its log inside a given state dir
    e = emu_mod.Emulator(state_dir=state)
    t0 = time.perf_counter()
    e.start()
    return e, time.perf_counter() - t0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reads", type=int, default=2000)
    ap.add_argument("--starts", type=int, default=5)
    args = ap.parse_args()
    if not os.access(emu_mod.EMU, os.X_OK):
        sys.exit("bench: %s is missing: run `make build/dfk-emu` first" % emu_mod.EMU)

    tmp = tempfile.mkdtemp(prefix="dfk-bench-")
    try:
        startups = []
        for i in range(args.starts):
            e, dt = start_emulator(tmp, i)
            startups.append(dt)
            e.stop()

        e, _ = start_emulator(tmp, args.starts)
        try:
            pid = e.proc.pid
            time.sleep(0.2)
            rss_idle = proc_rss_kib(pid)
            conn = U.open_device(e.host, e.port)
            gencp = U.GenCP(conn)
            for _ in range(50):                       # warm-up
                gencp.read(U.ABRM_SBRM_ADDRESS, 4)
            rtts = []
            for _ in range(args.reads):
                t0 = time.perf_counter()
                gencp.read(U.ABRM_SBRM_ADDRESS, 4)
                rtts.append(time.perf_counter() - t0)
            rss_after = proc_rss_kib(pid)
            conn.close()
        finally:
            e.stop()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    rtts_us = sorted(x * 1e6 for x in rtts)
    rows = [
        ("GenCP READMEM 4 B round trip p50", "%.1f us" % percentile(rtts_us, 50), "%d reads" % len(rtts_us)),
        ("GenCP READMEM 4 B round trip p99", "%.1f us" % percentile(rtts_us, 99), "%d reads" % len(rtts_us)),
        ("GenCP READMEM 4 B round trip max", "%.1f us" % rtts_us[-1], ""),
        ("start-up to 'listening' (median)", "%.1f ms" % (statistics.median(startups) * 1e3),
         "%d starts, min %.1f / max %.1f ms" % (len(startups), min(startups) * 1e3, max(startups) * 1e3)),
        ("VmRSS idle", "%d KiB" % rss_idle, ""),
        ("VmRSS after reads", "%d KiB" % rss_after, "%+d KiB" % (rss_after - rss_idle)),
    ]
    w0 = max(len(r[0]) for r in rows)
    w1 = max(len(r[1]) for r in rows)
    print("dfk-emu bench (%s, Python client over 127.0.0.1)" % emu_mod.EMU)
    print("%-*s  %*s  %s" % (w0, "metric", w1, "value", "note"))
    print("%s  %s  %s" % ("-" * w0, "-" * w1, "-" * 30))
    for name, val, note in rows:
        print("%-*s  %*s  %s" % (w0, name, w1, val, note))
    return 0


if __name__ == "__main__":
    sys.exit(main())
