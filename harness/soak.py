#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Soak: one dfk-emu streaming at the manual's full rate for a long time, through the userspace
client (build/dfk-bench over USB/IP), with seeded random imports and disconnects; the emulator's
RSS and open fds are sampled every minute and their growth printed. Benchmarks print, they never
judge: this is part of `make bench`, not of `make check`.

    DFK_BUILD=$PWD/build /usr/bin/python3 harness/soak.py [--minutes 30] [--seed 1] [--format BayerRG8]

Each session: dfk-bench imports the camera, streams 4096x2160 at AcquisitionFrameRate's maximum
for a random 5..40 s, and then either ends cleanly (unlink, AcquisitionStop, close) or is killed
with SIGKILL mid-stream (the host vanishes: a cable pull). Every 7th session also opens a second,
raw connection that imports while the camera is busy (ST_DEV_BUSY) and one that sends garbage.
Printed: one line per minute (elapsed, sessions, kills, frames, incomplete, lost, RSS KiB, fds)
and a summary with RSS and fd growth from the first sample to the last.
"""
import argparse
import os
import random
import signal
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import emu as emu_mod  # noqa: E402
from dfk_testlib import proc_fd_count, proc_rss_kib  # noqa: E402

BENCH = os.path.join(emu_mod.BUILD, "dfk-bench")


def parse_rows(text):
    """dfk-bench's rows: (frames, incomplete, lost) summed over formats."""
    frames = incomplete = lost = 0
    for line in text.splitlines():
        words = line.split()
        # format size fps_max frames fps MB/s payload incmpl gaps lost start cli_cpu lag_ms
        if len(words) < 13 or not words[0][0].isalpha() or words[0] == "format":
            continue
        try:
            frames += int(words[3])
            incomplete += int(words[7])
            lost += int(words[9])
        except (ValueError, IndexError):
            continue
    return frames, incomplete, lost


def side_attacks(e):
    """A busy import and a garbage stream while the camera is in use: both must be refused."""
    with socket.create_connection((e.host, e.port), timeout=5) as s:
        s.sendall(bytes.fromhex("011180030000000031 2d31".replace(" ", "")).ljust(40, b"\0"))
        s.recv(8)
    with socket.create_connection((e.host, e.port), timeout=5) as s:
        s.sendall(os.urandom(4096))
        try:
            s.recv(64)
        except OSError:
            pass


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=30.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--format", default="BayerRG8")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    e = emu_mod.Emulator(args=["--source", "pattern", "-q"])
    e.start()
    url = "usbip://%s:%d/1-1" % (e.host, e.port)
    t0 = time.monotonic()
    end = t0 + args.minutes * 60
    samples = []
    sessions = kills = frames = incomplete = lost = 0
    next_sample = t0

    def sample():
        samples.append((time.monotonic() - t0, proc_rss_kib(e.proc.pid), proc_fd_count(e.proc.pid)))
        el, rss, fds = samples[-1]
        print("soak: %6.1f min  sessions %4d  kills %3d  frames %7d  incomplete %d  lost %d  rss %d KiB  fds %d"
              % (el / 60, sessions, kills, frames, incomplete, lost, rss, fds), flush=True)

    try:
        while time.monotonic() < end and e.alive():
            if time.monotonic() >= next_sample:
                sample()
                next_sample += 60
            seconds = min(rng.uniform(5, 40), max(1.0, end - time.monotonic()))
            kill = rng.random() < 0.4
            p = subprocess.Popen([BENCH, "--device", url, "--format", args.format, "--seconds", "%.1f" % seconds,
                                  "--warmup", "0.2", "--no-header"], stdout=subprocess.PIPE,
                                 stderr=subprocess.DEVNULL, text=True)
            sessions += 1
            if sessions % 7 == 0:
                time.sleep(1.0)
                side_attacks(e)
            if kill:
                time.sleep(rng.uniform(0.5, seconds))
                p.send_signal(signal.SIGKILL)
                p.communicate()
                kills += 1
            else:
                out, _ = p.communicate(timeout=seconds + 60)
                f, i, lo = parse_rows(out)
                frames, incomplete, lost = frames + f, incomplete + i, lost + lo
            time.sleep(rng.uniform(0.0, 0.5))
        time.sleep(1.0)       # let the last disconnect be handled
        sample()
    finally:
        alive = e.alive()
        e.stop()
    first, last = samples[0], samples[-1]
    warm = samples[1] if len(samples) > 2 else first     # after the first minute: frame memory and pools in use
    print("soak: %.1f min, %d sessions (%d killed mid-stream), %d frames in clean sessions, %d incomplete, "
          "%d lost; emulator %s" % (last[0] / 60, sessions, kills, frames, incomplete, lost,
                                    "alive to the end" if alive else "DIED"))
    print("soak: RSS %d -> %d KiB (%+d KiB), fds %d -> %d (%+d)"
          % (first[1], last[1], last[1] - first[1], first[2], last[2], last[2] - first[2]))
    print("soak: after the first minute: RSS %d -> %d KiB (%+d KiB), fds %+d"
          % (warm[1], last[1], last[1] - warm[1], last[2] - warm[2]))
    return 0 if alive else 1


if __name__ == "__main__":
    sys.exit(main())
