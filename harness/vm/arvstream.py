# SPDX-License-Identifier: MIT
"""Build and run harness/vm/arv_stream.c (libaravis streaming + frame_compare) for the guest.

    build()            compile build/vm/arv-stream on the host (gcc, pkg-config aravis-0.8,
                       conformance/lib/framecheck.c); returns its path, raises BuildError
    command(...)       the guest command line
    parse(out)         [{format, frames, errors, fps, mbps, ...}] from its RESULT lines
    parse_camera_test(out)  the figures of `arv-camera-test-0.8` output
    analyze_log(text)  per format: error lines, libusb timeouts (inside a frame or not)
    run_in_guest(guest, binary, formats, name, ...)  -> StreamRun (results, log, info)
"""
import os
import re
import shlex
import subprocess
import time

from . import image

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SRC = os.path.join(HERE, "arv_stream.c")
FRAMECHECK = [os.path.join(ROOT, "conformance", "lib", "framecheck.c"),
              os.path.join(ROOT, "conformance", "lib", "framecheck.h")]

FORMATS = ["BayerRG8", "BayerRG12p", "BayerRG16", "YCbCr422_8", "YCbCr411_8",
           "YCbCr411_8_CbYYCrYY", "BGR8", "Mono8"]

# dfk-emu for streaming in the guest: the bit-exact test pattern, and time scale 0 (device time
# moves only as fast as the guest reads, so a slow TCG guest never makes the camera overrun its
# frame buffer and drop frames); see the README.
PATTERN_SEED = 7
EMU_ARGS = ["--source", "pattern", "--seed", str(PATTERN_SEED), "--time-scale", "0"]


class BuildError(RuntimeError):
    pass


def build(vmdir=None):
    vmdir = vmdir or image.VMDIR
    out = os.path.join(vmdir, "arv-stream")
    srcs = [SRC] + FRAMECHECK
    if os.path.exists(out) and all(os.path.getmtime(out) >= os.path.getmtime(s) for s in srcs):
        return out
    os.makedirs(vmdir, exist_ok=True)
    flags = subprocess.run(["pkg-config", "--cflags", "--libs", "aravis-0.8"], capture_output=True, text=True)
    if flags.returncode != 0:
        raise BuildError("aravis-0.8 development files missing (apt-get install libaravis-dev pkg-config): "
                         + flags.stderr.strip())
    tmp = out + ".tmp"
    cmd = (["gcc", "-O2", "-g", "-std=gnu11", "-Wall", "-Wextra", "-Werror", "-Wno-unused-parameter",
            "-I", os.path.dirname(FRAMECHECK[0]), "-o", tmp, SRC, FRAMECHECK[0]] + flags.stdout.split())
    res = subprocess.run(cmd, capture_output=True, text=True)
    if res.returncode != 0:
        raise BuildError("gcc failed:\n%s\n%s" % (" ".join(cmd), res.stderr.strip()))
    os.replace(tmp, out)
    return out


def command(binary, formats, count=100, width=None, height=None, seed=PATTERN_SEED, check=True,
            buffers=None, timeout=None, usb_mode=None, offset_x=None, offset_y=None, env=""):
    args = [binary, "-c", str(count), "-s", str(seed)]
    for opt, val in (("-W", width), ("-H", height), ("-x", offset_x), ("-y", offset_y),
                     ("-b", buffers), ("-t", timeout), ("-m", usb_mode)):
        if val is not None:
            args += [opt, str(val)]
    if not check:
        args.append("--no-check")
    args += list(formats)
    return (env + " " if env else "") + " ".join(shlex.quote(a) for a in args)


def _num(v):
    try:
        return int(v)
    except ValueError:
        try:
            return float(v)
        except ValueError:
            return v


def parse(out):
    """The RESULT lines of arv-stream as dicts (numbers converted)."""
    rows = []
    for line in out.splitlines():
        if line.startswith("RESULT "):
            rows.append({k: _num(v) for k, v in re.findall(r"(\w+)=(\S+)", line)})
    return rows


def parse_camera_test(out):
    """Figures of `arv-camera-test-0.8` (0.8.26, src/arvcameratest.c): once a second
        " 12 frames/s -    106 MiB/s"          (the "MiB" are 10^6 bytes)
        " 11 frames/s -   97.3 MiB/s - 1 error"
    then the stream's infos ("n_completed_buffers    = 42", n_failures, n_underruns, n_aborted,
    n_transferred_bytes, n_ignored_bytes) and the settings it read ("payload                = N bytes").
    Returns {"seconds": [(frames, MB, errors)...], "frames": sum, "errors": sum, infos..., "payload"}."""
    secs = []
    for m in re.finditer(r"^\s*(\d+) frames?/s\s*-\s*([\d.e+]+) MiB/s(?:\s*-\s*(\d+) errors?)?\s*$", out, re.M):
        secs.append((int(m.group(1)), float(m.group(2)), int(m.group(3) or 0)))
    r = {"seconds": secs, "frames": sum(s[0] for s in secs), "errors": sum(s[2] for s in secs)}
    for m in re.finditer(r"^(n_\w+)\s*=\s*(\d+)\s*$", out, re.M):
        r[m.group(1)] = int(m.group(2))
    for key, pat in (("vendor", r"^vendor name\s*=\s*(.*)$"), ("model", r"^model name\s*=\s*(.*)$"),
                     ("width", r"^image width\s*=\s*(\d+)"), ("height", r"^image height\s*=\s*(\d+)"),
                     ("payload", r"^payload\s*=\s*(\d+)")):
        m = re.search(pat, out, re.M)
        if m:
            r[key] = _num(m.group(1).strip())
    return r


# ARV_DEBUG for the streaming runs: stream (SIRM set-up, statistics), stream-thread (the sync
# thread's "Incomplete image received" and friends; "stream" alone does not include them) and
# sp (every bulk transfer asked for / received, leader and trailer contents, transfer errors).
ARV_DEBUG = "stream:3,stream-thread:3,sp:3"


def analyze_log(text):
    """Split the stderr of arv-stream (with ARV_DEBUG interleaved) by format.

    Returns {format: {"errors": [arv-stream error lines], "timeouts": n, "midframe_timeouts": [line
    numbers]}}: "timeouts" counts Aravis's "USB transfer error" warnings (libusb timeouts of the
    stream reads; harmless while no frame is open, e.g. before the first leader), and
    "midframe_timeouts" those that came between a leader and its trailer: in sync mode Aravis
    0.8.26 ignores the bytes of a bulk transfer that libusb reports as timed out (even when the
    data did arrive), so each one costs the frame (SIZE_MISMATCH at its trailer)."""
    out, cur, frame_open = {}, None, False
    for no, line in enumerate(text.splitlines(), 1):
        m = re.match(r"arv-stream: BEGIN (\S+)", line)
        if m:
            cur, frame_open = m.group(1), False
            out[cur] = {"errors": [], "timeouts": 0, "midframe_timeouts": []}
            continue
        if cur is None:
            continue
        if "packet_type  = leader" in line:
            frame_open = True
        elif "packet_type  = trailer" in line:
            frame_open = False
        elif "USB transfer error" in line:
            out[cur]["timeouts"] += 1
            if frame_open:
                out[cur]["midframe_timeouts"].append(no)
        elif line.startswith("arv-stream: "):
            out[cur]["errors"].append(line)
    return out


def guest_timeout_only(result, info):
    """True when a format's errors are all frames lost to libusb timeouts in the guest (see
    analyze_log): only SIZE_MISMATCH buffers, no more of them than mid-frame timeouts, all
    frames delivered otherwise, no pixel or frame id error."""
    errs = info.get("errors", [])
    if not errs or not result:
        return False
    lost = [e for e in errs if "(SIZE_MISMATCH)" in e]
    return len(lost) == len(errs) == result.get("errors") and len(lost) <= len(info.get("midframe_timeouts", []))


def log_excerpt(text, line_numbers, context=6, limit=4):
    """The lines around the given (1-based) line numbers, for an assertion message."""
    lines = text.splitlines()
    parts = []
    for no in line_numbers[:limit]:
        lo, hi = max(0, no - 1 - context), min(len(lines), no + context)
        parts.append("\n".join("%7d  %s" % (i + 1, lines[i]) for i in range(lo, hi)))
    return "\n   ...\n".join(parts)


class StreamRun:
    """One arv-stream run in the guest: .rc, .results {format: RESULT dict}, .stdout, .log
    (stderr with ARV_DEBUG), .info (analyze_log), .seconds, .cmd."""

    def __init__(self, rc, stdout, log, seconds, cmd):
        self.rc, self.stdout, self.log, self.seconds, self.cmd = rc, stdout, log, seconds, cmd
        self.results = {r["format"]: r for r in parse(stdout)}
        self.info = analyze_log(log)

    def errors(self, fmt):
        return self.info.get(fmt, {}).get("errors", [])

    def summary(self, fmt):
        r = self.results.get(fmt)
        if not r:
            return "%s: no RESULT line" % fmt
        return ("%-20s %4dx%-4d +%d+%d  %3d frames (ids %d..)  %d errors  %6.1f fps  %6.1f MB/s  "
                "check %.1f ms/frame" % (fmt, r["width"], r["height"], r["offset_x"], r["offset_y"], r["frames"],
                                          r["first_id"], r["errors"], r["fps"], r["mbps"], r["check_ms"]))


def run_in_guest(guest, binary, formats, name, count=100, width=None, height=None, timeout=300,
                 debug=True, check=True, seed=PATTERN_SEED, usb_mode=None):
    """Run arv-stream in the guest; stderr (with ARV_DEBUG when debug) goes to /run/xfer/NAME.log."""
    log = "%s.log" % name
    cmd = command(binary, formats, count=count, width=width, height=height, seed=seed, check=check,
                  usb_mode=usb_mode, env="ARV_DEBUG=%s" % ARV_DEBUG if debug else "")
    cmd += " 2> /run/xfer/%s" % log
    t0 = time.monotonic()
    rc, out, _ = guest.run_split(cmd, timeout)
    seconds = time.monotonic() - t0
    try:
        text = guest.get(log).decode(errors="replace")
        os.unlink(guest.xfer_path(log))
    except OSError:
        text = ""
    return StreamRun(rc, out, text, seconds, cmd)


def save_log(run, name):
    """Keep a run's log as build/vm/NAME.log; returns the path."""
    os.makedirs(image.VMDIR, exist_ok=True)
    path = os.path.join(image.VMDIR, name + ".log")
    with open(path, "w") as f:
        f.write("# %s\n# rc=%d, %.1f s\n%s\n%s" % (run.cmd, run.rc, run.seconds, run.stdout, run.log))
    return path
