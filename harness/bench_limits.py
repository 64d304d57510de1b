#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""How close dfk-emu comes to the machine's limits, and to what users would run instead
(docs/performance.md). Figures only, never assertions; part of `make bench` (harness/bench.py
calls run()), or on its own:

    DFK_BUILD=$PWD/build /usr/bin/python3 harness/bench_limits.py [--only 1,2,3,4,5] [--seconds S]

 1. one camera as fast as the host reads (--time-scale 0, test pattern, 4096x2160), every pixel
    format, each row next to a loopback TCP stream (iperf3 -l 1M, pinned like the stream: sender
    on CPU 0, receiver on CPU 1) measured just before it: the ratio, and the bytes copied and
    rendered per payload byte (the emulator's I/O request `perf`);
 2. latency at time scale 1: per frame, device time from its readout end plus its link time to
    its last byte handed to the socket (I/O `perf`), p50/p99/max, pattern and scene;
 3. many cameras: (a) 4 cameras streaming BayerRG8 4096x2160 at the manual's rate at once, one
    dfk-bench each; (b) 64 cameras at 640x480, 30 fps: the emulator's CPU and memory;
    and the memory of idle cameras (1 against 64);
 4. side by side at 1024x1024 and 2048x2048 Mono8: Aravis's fake GigE Vision camera
    (arv-fake-gv-camera-0.8 on lo, read by arv-camera-test-0.8 --no-packet-socket), dfk-emu (the
    monochrome model) through dfk-bench, and the loopback TCP limit;
 5. the control path: GenCP READMEM round trips (dfk-bench --control-probe) while a 4096x2160
    BayerRG8 stream runs on the same camera at full rate (time scale 1) and as fast as the host
    reads (time scale 0).
Every run first waits for a quiet host (bench.wait_quiet) and names the other load it ran beside.
"""
import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import bench as B  # noqa: E402
import emu as emu_mod  # noqa: E402
from dfk_testlib import proc_rss_kib  # noqa: E402

BENCH = B.BENCH
FAKE_GV = "arv-fake-gv-camera-0.8"
ARV_TEST = "arv-camera-test-0.8"
PINNED = len(os.sched_getaffinity(0)) >= 2 if hasattr(os, "sched_getaffinity") else False


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def preexec_pin(cpu):
    return (lambda: B.pin(0, cpu)) if PINNED else None


def busy_pct(b0, t0):
    return (B.host_busy_ticks() - b0) / B.CLK_TCK / max(time.monotonic() - t0, 1e-6) * 100.0


# ---- the loopback TCP limit ----

def tcp_limit(seconds):
    """MB/s (10^6) of one loopback TCP stream, iperf3 -l 1M, sender CPU 0, receiver CPU 1; None
    without iperf3."""
    iperf = shutil.which("iperf3")
    if not iperf:
        return None
    port = str(free_port())
    srv = subprocess.Popen([iperf, "-s", "-1", "-p", port], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, preexec_fn=preexec_pin(1))
    try:
        out = None
        for _ in range(50):               # the server needs a moment to listen
            time.sleep(0.05)
            p = subprocess.run([iperf, "-c", "127.0.0.1", "-p", port, "-l", "1M", "-t", "%g" % seconds, "-J"],
                               capture_output=True, text=True, preexec_fn=preexec_pin(0))
            if p.returncode == 0:
                out = p.stdout
                break
        if out is None:
            return None
        end = json.loads(out)["end"]
        return end["sum_received"]["bits_per_second"] / 8 / 1e6
    finally:
        try:
            srv.wait(timeout=5)
        except subprocess.TimeoutExpired:
            srv.kill()
            srv.wait()


# ---- one emulator, one or more dfk-bench clients ----

def perf_counters(e):
    """The I/O request `perf` of camera 1 as a dict of ints ({} from an emulator without it)."""
    try:
        with e.io() as io:
            words = io.request("perf").split()
    except Exception:   # noqa: BLE001 - an older dfk-emu (a before/after comparison) has no `perf`
        return {}
    return {k: int(v) for k, v in (w.split("=") for w in words)}


def run_stream(tmp, tag, emu_options, bench_args, seconds, warmup=0.5, busid="1-1"):
    """A fresh dfk-emu (with an I/O channel), one dfk-bench. Returns a dict: the dfk-bench row
    (bench.parse_row), emu_cpu (% of a core over the window), others, perf (I/O `perf`), control
    (the --control-probe line), error."""
    res = {}
    state = os.path.join(tmp, "state-" + tag)
    os.makedirs(state)
    e = emu_mod.Emulator(state_dir=state, io=True, **emu_options)
    try:
        e.start()
        pid = e.proc.pid
        if PINNED:
            B.pin(pid, 0)
        cmd = [BENCH, "--device", e.url(busid), "--seconds", str(seconds), "--warmup", str(warmup), "--marks",
               "--no-header"] + bench_args
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1,
                             preexec_fn=preexec_pin(1))
        start = end = None
        out = []
        for line in p.stdout:
            if line.startswith("@stream-"):
                sample = (time.monotonic(), B.cpu_ticks(pid), B.cpu_ticks(p.pid), B.host_busy_ticks())
                if line.startswith("@stream-start"):
                    start = sample
                    try:
                        with e.io() as io:      # the delays of the measured window only
                            io.request("perf clear")
                    except Exception:   # noqa: BLE001 - an older dfk-emu has no `perf`
                        pass
                else:
                    end = sample
            else:
                out.append(line.rstrip("\n"))
        err = p.stderr.read()
        rc = p.wait()
        for line in out:
            row = B.parse_row(line)
            if row:
                res.update(row)
            m = re.match(r"control: n=(\d+) failed=(\d+) p50_us=([\d.]+) p99_us=([\d.]+) max_us=([\d.]+)", line)
            if m:
                res["control"] = {"n": int(m.group(1)), "failed": int(m.group(2)), "p50": float(m.group(3)),
                                  "p99": float(m.group(4)), "max": float(m.group(5))}
        if start and end and end[0] > start[0]:
            wall = end[0] - start[0]
            pct = [(end[i] - start[i]) / B.CLK_TCK / wall * 100.0 for i in (1, 2, 3)]
            res["emu_cpu"] = pct[0]
            res["others"] = max(0.0, pct[2] - pct[0] - pct[1])
        if rc != 0 and "error" not in res:
            res["error"] = "dfk-bench exit %d: %s" % (rc, (err.strip().splitlines() or out or [""])[-1])
        if e.alive():
            res["perf"] = perf_counters(e)
        else:
            res["error"] = "dfk-emu died: " + e.tail(300)
    except Exception as ex:   # noqa: BLE001 - a row reports what went wrong, the rest go on
        res["error"] = "%s: %s" % (type(ex).__name__, ex)
    finally:
        e.stop()
    return res


def quiet(args):
    return B.wait_quiet(args.busy_limit, args.quiet_wait)


def best_of(args, fn):
    """Run fn() after a quiet wait; again (at most args.busy_retries times) when it ran beside
    more other load than args.busy_limit or failed; keep the run with the least other load."""
    quiet(args)
    r = fn()
    for _ in range(args.busy_retries):
        if "error" not in r and r.get("others", 0.0) <= args.busy_limit:
            break
        quiet(args)
        again = fn()
        if ("error" in r and "error" not in again) or \
                (("error" in r) == ("error" in again) and again.get("others", 0.0) < r.get("others", 0.0)):
            r = again
    return r


def fmt(v, spec="%.1f", none="-"):
    return spec % v if v is not None else none


# ---- 1. one camera against the loopback TCP limit ----

def section_ratio(tmp, args):
    print("\n1. one camera as fast as the host reads (time scale 0, pattern, %dx%d) against one loopback "
          "TCP stream (iperf3 -l 1M) measured just before each row; %s"
          % (B.WIDTH, B.HEIGHT, "dfk-emu / iperf3 sender on CPU 0, dfk-bench / receiver on CPU 1" if PINNED
             else "not pinned"), flush=True)
    rows = []
    for i, f in enumerate(B.FORMATS):
        quiet(args)
        tcp = tcp_limit(args.tcp_seconds)
        r = best_of(args, lambda: run_stream(tmp, "ratio%d-%d" % (i, time.monotonic_ns()),
                                             {"time_scale": 0, "source": "pattern"},
                                             ["--format", f, "--width", str(B.WIDTH), "--height", str(B.HEIGHT)],
                                             args.seconds))
        # the limit before and after the row, the better of the two: other load on a shared
        # host only ever lowers it, and a ratio against a lowered limit would flatter the stream
        after = tcp_limit(args.tcp_seconds)
        tcp = max(x for x in (tcp, after, 0.0) if x is not None) or None
        pf = r.get("perf", {})
        sent = pf.get("copied", 0) + pf.get("referenced", 0)
        made = pf.get("rendered", 0) + pf.get("reused", 0) + pf.get("frame_copied", 0)
        rows.append([f, fmt(r.get("mbps")), fmt(tcp, "%.0f"),
                     "%.2f" % (r["mbps"] / tcp) if tcp and "mbps" in r else "-",
                     fmt(r.get("fps"), "%.1f"), fmt(r.get("emu_cpu"), "%.0f%%"),
                     "%.4f" % ((pf["copied"] + pf.get("frame_copied", 0)) / sent) if sent else "-",
                     "%.3f" % (pf["rendered"] / made) if made else "-",
                     "%d/%d" % (r.get("incomplete", 0), r.get("lost", 0)) if "fps" in r else "-",
                     fmt(r.get("others"), "%.0f%%"), r.get("error", "")])
    B.print_table(["format", "MB/s", "TCP MB/s", "ratio", "fps", "emu CPU", "copied/B", "rendered/B",
                   "incmpl/lost", "others", "note"], rows, "lrrrrrrrrrl")
    print("ratio = stream payload MB/s / loopback TCP MB/s (target >= 0.9); copied/B = bytes the emulator "
          "copied in user space per payload byte sent\n(frames go out by writev straight from frame memory, the "
          "kernel copying each byte once into the socket; a test pattern's colour frame\ncopies most rows from the "
          "frame before); rendered/B = payload bytes rendered per payload byte made (the rest reused or copied)")
    sys.stdout.flush()


# ---- 2. latency at time scale 1 ----

def section_latency(tmp, args):
    print("\n2. latency at time scale 1 (%dx%d, AcquisitionFrameRate at its maximum): per frame, device time "
          "from readout end + link time to its trailer handed to the socket (I/O `perf`)"
          % (B.WIDTH, B.HEIGHT), flush=True)
    rows = []
    for source in ("pattern", "scene"):
        for f in ("BayerRG8", "BGR8"):
            r = best_of(args, lambda: run_stream(tmp, "lat-%s-%s-%d" % (source, f, time.monotonic_ns()),
                                                 {"time_scale": 1, "source": source},
                                                 ["--format", f], args.seconds))
            pf = r.get("perf", {})
            rows.append([source, f, fmt(r.get("fps"), "%.2f"), "%.2f" % (pf["link"] / 1e6) if pf else "-",
                         "%.2f" % (pf["p50"] / 1e6) if pf else "-", "%.2f" % (pf["p99"] / 1e6) if pf else "-",
                         "%.2f" % (pf["max"] / 1e6) if pf else "-", str(pf.get("frames", "-")),
                         fmt(r.get("emu_cpu"), "%.0f%%"), fmt(r.get("others"), "%.0f%%"), r.get("error", "")])
    B.print_table(["source", "format", "fps", "link ms", "p50 ms", "p99 ms", "max ms", "frames", "emu CPU",
                   "others", "note"], rows, "llrrrrrrrrl")
    print("p50/p99/max: delay above the frame's link time over the measured window (target p99 <= 1 ms)")
    sys.stdout.flush()


# ---- 3. many cameras ----

def many_cameras(tmp, tag, n, bench_args, seconds, warmup, fps_note):
    """n cameras in one dfk-emu, n dfk-bench processes (not pinned). Returns a dict."""
    state = os.path.join(tmp, "state-" + tag)
    os.makedirs(state)
    e = emu_mod.Emulator(state_dir=state, time_scale=1, source="pattern", cameras=n)
    res = {"n": n}
    procs = []
    try:
        e.start()
        pid = e.proc.pid
        time.sleep(0.3)
        res["rss_idle"] = proc_rss_kib(pid)
        for i in range(n):
            cmd = [BENCH, "--device", e.url("1-%d" % (i + 1)), "--seconds", str(seconds), "--warmup", str(warmup),
                   "--marks", "--no-header"] + bench_args
            procs.append(subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                          bufsize=1))
        # wait until every client's window is open, then sample the emulator over a common stretch
        started = 0
        outs = [[] for _ in procs]
        for i, p in enumerate(procs):
            for line in p.stdout:
                outs[i].append(line)
                if line.startswith("@stream-start"):
                    started += 1
                    break
        if started == n:
            c0, b0, t0 = B.cpu_ticks(pid), B.host_busy_ticks(), time.monotonic()
            time.sleep(min(3.0, seconds / 2))
            wall = time.monotonic() - t0
            res["emu_cpu"] = (B.cpu_ticks(pid) - c0) / B.CLK_TCK / wall * 100.0
            res["host_cpu"] = (B.host_busy_ticks() - b0) / B.CLK_TCK / wall * 100.0
            res["rss_streaming"] = proc_rss_kib(pid)
        rows = []
        for i, p in enumerate(procs):
            rest, err = p.communicate(timeout=seconds + warmup + 120)
            outs[i] += rest.splitlines()
            row = None
            for line in outs[i]:
                row = B.parse_row(line) or row
            rows.append(row or {"error": (err.strip().splitlines() or ["no row"])[-1]})
        res["rows"] = rows
        if not e.alive():
            res["error"] = "dfk-emu died: " + e.tail(300)
    except Exception as ex:   # noqa: BLE001
        res["error"] = "%s: %s" % (type(ex).__name__, ex)
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        e.stop()
    return res


def idle_rss(tmp, n):
    state = os.path.join(tmp, "state-idle%d" % n)
    os.makedirs(state)
    e = emu_mod.Emulator(state_dir=state, cameras=n)
    try:
        e.start()
        time.sleep(0.5)
        return proc_rss_kib(e.proc.pid)
    except emu_mod.EmulatorError as ex:
        print("idle, %d cameras: %s" % (n, str(ex).strip().splitlines()[-1]))
        return None
    finally:
        e.stop()


def section_cameras(tmp, args):
    print("\n3. many cameras per process (time scale 1, pattern, not pinned: %d CPUs)" % os.cpu_count(), flush=True)
    rss1, rss64 = idle_rss(tmp, 1), idle_rss(tmp, 64)
    if rss1 and rss64:
        print("idle: VmRSS %d KiB with 1 camera, %d KiB with 64: %.0f KiB per camera beyond the first "
              "(target <= 2048)" % (rss1, rss64, (rss64 - rss1) / 63.0))
    table = []
    for tag, n, bench_args, seconds, warmup, what in (
            ("cams4", 4, ["--format", "BayerRG8"], args.seconds, 1.0, "BayerRG8 4096x2160 at its maximum rate"),
            ("cams64", 64, ["--format", "BayerRG8", "--width", "640", "--height", "480", "--fps", "30"],
             max(args.seconds, 20.0), 1.0, "BayerRG8 640x480 at 30 fps")):
        quiet(args)
        b0, t0 = B.host_busy_ticks(), time.monotonic()
        r = many_cameras(tmp, tag + str(time.monotonic_ns()), n, bench_args, seconds, warmup, what)
        rows = r.get("rows", [])
        ok = [x for x in rows if "fps" in x]
        table.append([str(n), what,
                      "%d/%d" % (len(ok), n),
                      "%.2f" % min(x["fps"] for x in ok) if ok else "-",
                      "%.2f" % max(x["fps_set"] for x in ok) if ok else "-",
                      "%.0f" % sum(x["mbps"] for x in ok) if ok else "-",
                      str(sum(x.get("incomplete", 0) for x in ok)), str(sum(x.get("lost", 0) for x in ok)),
                      fmt(r.get("emu_cpu"), "%.0f%%"), fmt(r.get("host_cpu"), "%.0f%%"),
                      "%.0f" % ((r["rss_streaming"] - rss1) / max(n - 1, 1)) if "rss_streaming" in r and rss1
                      else "-",
                      "; ".join([r["error"]] if "error" in r else []
                                + sorted({x["error"] for x in rows if "error" in x})[:2])])
        del b0, t0
    B.print_table(["cameras", "stream", "clients ok", "fps min", "fps set", "MB/s total", "incmpl", "lost",
                   "emu CPU", "host CPU", "KiB/cam", "note"], table, "llrrrrrrrrrl")
    print("emu CPU / host CPU: over a common stretch once every client's window is open, % of one core "
          "(host: every process, the clients included);\nKiB/cam: the emulator's VmRSS while streaming, "
          "beyond the first camera's idle figure, per further camera")
    sys.stdout.flush()


# ---- 4. side by side: Aravis's fake GigE Vision camera ----

ARV_RATE_RE = re.compile(r"^\s*(\d+) frames/s -\s+([\d.]+) MiB/s(?: - (\d+) errors?)?")


def aravis_fake(size, seconds):
    """arv-fake-gv-camera-0.8 on lo (CPU 0), arv-camera-test-0.8 --no-packet-socket (CPU 1)."""
    fake, test = shutil.which(FAKE_GV), shutil.which(ARV_TEST)
    if not fake or not test:
        return {"error": "%s or %s missing (aravis-tools, aravis-tools-cli)" % (FAKE_GV, ARV_TEST)}
    serial = "DFKB%05d" % (os.getpid() % 100000)
    srv = subprocess.Popen([fake, "-i", "lo", "-s", serial], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           preexec_fn=preexec_pin(0))
    res = {}
    try:
        time.sleep(0.5)
        c0, b0, t0 = B.cpu_ticks(srv.pid), B.host_busy_ticks(), time.monotonic()
        p = subprocess.run([test, "-n", "Aravis-Fake-" + serial, "--no-packet-socket", "-a", "-w", str(size),
                            "-h", str(size), "-f", "1000", "--duration", "%d" % max(2, round(seconds + 1))],
                           capture_output=True, text=True, timeout=seconds + 60, preexec_fn=preexec_pin(1))
        wall = time.monotonic() - t0
        res["emu_cpu"] = (B.cpu_ticks(srv.pid) - c0) / B.CLK_TCK / wall * 100.0
        res["host_cpu"] = (B.host_busy_ticks() - b0) / B.CLK_TCK / wall * 100.0
        rates = [m for m in (ARV_RATE_RE.match(x) for x in p.stdout.splitlines()) if m]
        rates = rates[1:] or rates          # the first second includes the start
        if not rates:
            res["error"] = "no rate lines: %s" % (p.stdout + p.stderr).strip().splitlines()[-1:]
            return res
        res["fps"] = statistics.mean(int(m.group(1)) for m in rates)
        res["mbps"] = statistics.mean(float(m.group(2)) for m in rates) * 1.048576
        for key in ("n_completed_buffers", "n_failures"):
            m = re.search(r"%s\s*=\s*(\d+)" % key, p.stdout)
            if m:
                res[key] = int(m.group(1))
    except subprocess.TimeoutExpired:
        res["error"] = "arv-camera-test-0.8 did not finish"
    finally:
        srv.terminate()
        try:
            srv.wait(timeout=5)
        except subprocess.TimeoutExpired:
            srv.kill()
            srv.wait()
    return res


def section_peers(tmp, args):
    print("\n4. side by side, Mono8: Aravis's fake GigE Vision camera (%s -i lo, read by %s --no-packet-socket "
          "-a -f 1000: auto socket buffer, as fast as it goes) and dfk-emu --model dmk38ux267 (dfk-bench); server on CPU 0, reader on CPU 1"
          % (FAKE_GV, ARV_TEST), flush=True)
    rows = []
    for size in (1024, 2048):
        quiet(args)
        tcp = tcp_limit(args.tcp_seconds)
        quiet(args)
        a = aravis_fake(size, args.seconds)
        tcp = max(x for x in (tcp, tcp_limit(args.tcp_seconds), 0.0) if x is not None) or None
        emu = {}
        for ts in (0, 1):
            emu[ts] = best_of(args, lambda: run_stream(
                tmp, "peer%d-%d-%d" % (size, ts, time.monotonic_ns()),
                {"time_scale": ts, "source": "pattern", "model": "dmk38ux267"},
                ["--format", "Mono8", "--width", str(size), "--height", str(size)], args.seconds))
        rows.append(["%dx%d" % (size, size), "aravis fake GV", fmt(a.get("fps")), fmt(a.get("mbps"), "%.0f"),
                     "%s" % a.get("n_failures", "-"), fmt(a.get("emu_cpu"), "%.0f%%"),
                     "%.2f" % (a["mbps"] / tcp) if tcp and "mbps" in a else "-", "1.00" if "mbps" in a else "-",
                     a.get("error", "")])
        for ts in (0, 1):
            r = emu[ts]
            rows.append(["", "dfk-emu ts %d" % ts, fmt(r.get("fps")), fmt(r.get("mbps"), "%.0f"),
                         "%d" % (r.get("incomplete", 0) + r.get("lost", 0)) if "fps" in r else "-",
                         fmt(r.get("emu_cpu"), "%.0f%%"),
                         "%.2f" % (r["mbps"] / tcp) if tcp and "mbps" in r else "-",
                         "%.1f" % (r["mbps"] / a["mbps"]) if "mbps" in r and a.get("mbps") else "-",
                         r.get("error", "") or ("as fast as the host reads" if ts == 0 else "the manual's rate")])
        rows.append(["", "loopback TCP", "", fmt(tcp, "%.0f"), "", "", "1.00" if tcp else "-", "",
                     "" if tcp else "iperf3 missing (ci/deps.sh)"])
    B.print_table(["size", "what", "fps", "MB/s", "failed", "server CPU", "/TCP", "/aravis", "note"], rows,
                  "llrrrrrrl")
    print("failed: aravis n_failures (frames given up), dfk-emu incomplete + lost frames; server CPU: the camera "
          "process, % of one core")
    sys.stdout.flush()


# ---- 5. the control path under a full stream ----

def section_control(tmp, args):
    print("\n5. GenCP READMEM round trip while a %dx%d BayerRG8 stream runs on the same camera (dfk-bench "
          "--control-probe: one read after each frame, 8 x 1 MiB stream transfers stay in flight)"
          % (B.WIDTH, B.HEIGHT), flush=True)
    rows = []
    for ts in (1, 0):
        r = best_of(args, lambda: run_stream(tmp, "ctl%d-%d" % (ts, time.monotonic_ns()),
                                             {"time_scale": ts, "source": "pattern"},
                                             ["--format", "BayerRG8", "--control-probe"], max(args.seconds, 5.0)))
        c = r.get("control", {})
        rows.append(["%d" % ts, fmt(r.get("fps"), "%.2f"), fmt(r.get("mbps"), "%.0f"), str(c.get("n", "-")),
                     str(c.get("failed", "-")), fmt(c.get("p50")), fmt(c.get("p99")), fmt(c.get("max")),
                     fmt(r.get("others"), "%.0f%%"), r.get("error", "")])
    B.print_table(["ts", "fps", "MB/s", "reads", "failed", "p50 us", "p99 us", "max us", "others", "note"], rows,
                  "rrrrrrrrrl")
    print("target p99 <= 1000 us at time scale 1 (the stream at the manual's rate)")
    sys.stdout.flush()


SECTIONS = {"1": section_ratio, "2": section_latency, "3": section_cameras, "4": section_peers,
            "5": section_control}


def add_arguments(ap):
    ap.add_argument("--limits", default="4,5,3,1,2", help="which sections of bench_limits, in this order")
    ap.add_argument("--limit-seconds", dest="limit_seconds", type=float, default=3.0,
                    help="measured window per run of bench_limits")
    ap.add_argument("--tcp-seconds", type=float, default=2.0, help="each loopback TCP measurement")


def run(tmp, args):
    if not os.access(BENCH, os.X_OK):
        print("\nlimits: %s is missing: run `make` first (skipped)" % BENCH)
        return
    args.seconds = args.limit_seconds
    for s in args.limits.split(","):
        if s.strip() in SECTIONS:
            SECTIONS[s.strip()](tmp, args)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--busy-limit", type=float, default=20.0)
    ap.add_argument("--busy-retries", type=int, default=2)
    ap.add_argument("--quiet-wait", type=float, default=10.0)
    add_arguments(ap)
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="dfk-limits-")
    try:
        run(tmp, args)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
