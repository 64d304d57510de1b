# SPDX-License-Identifier: MIT
"""A host program under libfaketime sees the same time as dfk-emu at the same speed factor.

dfk-emu's --time-scale X makes device time run at X times the host's monotonic clock (the
Timestamp register, leader timestamps, exposure and frame periods). A client run under
`faketime -f '+0 xX'` has its own clocks, sleeps and timeouts slowed by the same factor, so
the two agree, and a client that computes its timeouts for a real-time camera keeps working
against a slow-motion one.

The configuration that works (Debian faketime/libfaketime 0.9.10, Python 3.11):

    LC_ALL=C.UTF-8 faketime -f '+0 x0.1' /usr/bin/python3 harness/faketime/ft_client.py ...

  * `-f` is required for the speed modifier, and "x" needs an explicit offset first ("+0 x0.1";
    "x0.1" alone is not a speed factor). The fraction is parsed with atof() in the program's
    numeric locale: "." in C/C.UTF-8 (Python never sets LC_NUMERIC); a program that did
    setlocale(LC_ALL, "") in a de_DE locale would need "x0,1". With the wrong separator
    Python's time.sleep() fails with EINVAL.
  * CLOCK_MONOTONIC must stay faked (the default). With FAKETIME_DONT_FAKE_MONOTONIC=1 (what
    `faketime --exclude-monotonic` sets) Python's time.sleep() raises OSError(EINVAL): Python
    3.11 sleeps with clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME) up to a deadline taken from
    the real monotonic clock, and libfaketime 0.9.10 converts every absolute deadline from faked
    time (an epoch-based value for a "+0" offset) to real time, which lands before the boot.
    time.monotonic() itself is faked: it then counts from the epoch-based faked start, so only
    differences are meaningful (which is all a client uses).
  * With the monotonic clock faked, libfaketime also scales nanosleep/clock_nanosleep (relative
    and absolute), select/poll/ppoll/epoll_wait timeouts, sem_timedwait and
    pthread_cond_timedwait: Python's time.sleep, select.select (harness/usbip_client.py waits on
    its socket with select) and socket timeouts all last 10x longer in real time.
  * FAKETIME_NO_CACHE is not needed: the cache only decides how often FAKETIME is parsed again
    (every 10 s), and re-parsing a "+0 x0.1" relative offset keeps the same start time, so the
    faked clock stays continuous (libfaketime's fake_clock_gettime/parse_ft_string; a 13 s run
    of 0.5 s sleeps under "+0 x0.5" reads 0.500 s for each, across the expiry). It matters when
    the spec comes from a file that changes (FAKETIME_TIMESTAMP_FILE); FAKETIME_XRESET only
    when the rate changes.
  * Child processes restart the speed factor at their own start (each process has its own
    ftpl_starttime), so intervals are consistent within a process, not across processes.

Each test starts its own dfk-emu (`--source pattern`, so rendering costs nothing) and runs the
client (harness/faketime/ft_client.py) as a subprocess; the module takes about 15 s.
"""
import json
import os
import shutil
import subprocess
import sys
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
CLIENT = os.path.join(HERE, "faketime", "ft_client.py")
SPEED = 0.1
SPEC = "+0 x%g" % SPEED               # faketime's advanced format: offset 0, clock speed x0.1
TOLERANCE = 0.10                      # the two clocks agree within 10 %


def faketime_path():
    path = shutil.which("faketime")
    if not path:
        pytest.fail("faketime is not installed: apt-get install faketime libfaketime", pytrace=False)
    return path


def run_client(e, args, faked, timeout=25.0):
    """Run ft_client.py against emulator e; returns (result dict, real seconds it took)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FAKETIME") and k != "LD_PRELOAD"}
    env["LC_ALL"] = "C.UTF-8"
    cmd = [sys.executable, CLIENT, e.host, str(e.port)] + list(args)
    if faked:
        cmd = [faketime_path(), "-f", SPEC] + cmd
    t0 = time.monotonic()
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout)
    real = time.monotonic() - t0
    assert p.returncode == 0, "%s failed (rc=%d):\n%s%s" % (" ".join(cmd), p.returncode, p.stdout, p.stderr)
    res = json.loads(p.stdout.strip().splitlines()[-1])
    print("%s%s -> %s (%.2f s real)" % ("faketime -f '%s' " % SPEC if faked else "", " ".join(args),
                                         json.dumps(res), real))
    return res, real


def emulator(emu_factory, scale):
    return emu_factory(args=["--source", "pattern", "--time-scale", "%g" % scale])


# ---- the device clock against the client's clock ------------------------------------------------

def test_timestamp_agrees_at_real_time(emu_factory):
    """--time-scale 1, no faketime: a 0.5 s sleep is 0.5 s of device time."""
    e = emulator(emu_factory, 1)
    r, real = run_client(e, ["timestamp", "--sleep", "0.5"], faked=False)
    assert r["increment_ns"] == 1
    assert abs(r["ratio"] - 1) <= TOLERANCE, r
    assert 0.45 <= r["client_s"] and real >= 0.5


def test_timestamp_agrees_under_faketime_at_same_scale(emu_factory):
    """--time-scale 0.1 and faketime x0.1: a 0.3 s (faked) sleep is 0.3 s of device time, and
    took 3 s of real time."""
    e = emulator(emu_factory, SPEED)
    r, real = run_client(e, ["timestamp", "--sleep", "0.3"], faked=True)
    assert r["faketime"] == SPEC
    assert abs(r["ratio"] - 1) <= TOLERANCE, r
    assert abs(r["client_s"] - 0.3) <= 0.3 * TOLERANCE, r
    assert real >= 0.3 / SPEED * (1 - TOLERANCE), "the sleep was not slowed down: faketime not active?"


def test_timestamp_disagrees_without_faketime(emu_factory):
    """The control: --time-scale 0.1 with the client on the real clock sees a device 10x slower."""
    e = emulator(emu_factory, SPEED)
    r, real = run_client(e, ["timestamp", "--sleep", "0.3"], faked=False)
    assert abs(r["ratio"] - SPEED) <= SPEED * TOLERANCE, r


# ---- a frame timeout computed for a real-time camera ---------------------------------------------

N, FPS = 10, 20.0          # 10 frames at 20 Hz: 0.5 s of device time; timeout 10 / 20 * 1.5 + 0.25 = 1 s
FRAME_ARGS = ["frames", "--count", str(N), "--fps", "%g" % FPS, "--margin", "1.5", "--grace", "0.25"]


def check_frames_ok(r):
    assert not r["expired"] and r["frames"] == N, r
    assert r["elapsed_s"] <= r["timeout_s"], r
    # the frames came at the camera's frame period, in the client's clock as in the device's
    assert abs(r["device_frame_period_s"] - 1 / FPS) <= 0.01 / FPS, r
    assert abs(r["elapsed_s"] - (N - 1) / FPS) <= 0.5 * N / FPS, r
    ids = r["block_ids"]
    assert ids == list(range(ids[0], ids[0] + len(ids))), r


def test_frames_within_timeout_at_real_time(emu_factory):
    """The control: at --time-scale 1 the timeout fits the camera's frame rate."""
    e = emulator(emu_factory, 1)
    r, real = run_client(e, FRAME_ARGS, faked=False)
    check_frames_ok(r)


def test_frames_within_timeout_under_faketime(emu_factory):
    """--time-scale 0.1 with faketime x0.1: the same timeout holds (5 s of real time)."""
    e = emulator(emu_factory, SPEED)
    r, real = run_client(e, FRAME_ARGS, faked=True)
    check_frames_ok(r)
    assert real >= (N - 1) / FPS / SPEED * (1 - TOLERANCE), "frames came faster than the slowed camera?"


def test_frames_timeout_expires_without_faketime(emu_factory):
    """--time-scale 0.1 without faketime: the timeout for real speed runs out (after about 2 of
    the 10 frames)."""
    e = emulator(emu_factory, SPEED)
    r, real = run_client(e, FRAME_ARGS, faked=False)
    assert r["expired"] and r["frames"] < N, r
    # in 1 s of real time a camera at 0.1 x 20 Hz = 2 Hz delivers about 2 frames
    assert r["frames"] <= r["timeout_s"] * FPS * SPEED + 1, r
