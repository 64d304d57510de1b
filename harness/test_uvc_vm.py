# SPDX-License-Identifier: MIT
"""The camera's UVC face through the real Linux stack, in the QEMU guest: dfk-emu --interface uvc,
`usbip attach`, the kernel's uvcvideo, then what a Linux user runs: v4l2-ctl, dfk-uvc-map,
GStreamer's v4l2src.

    DFK_BUILD=$PWD/build /usr/bin/python3 -m pytest harness/test_uvc_vm.py -m vm

One guest boot and one dfk-emu for the module (--source pattern --seed 7 --time-scale 0 --io):
  * uvcvideo binds, /dev/video0 appears;
  * `v4l2-ctl --list-formats-ext`: the manual's UVC formats that Linux 6.1 knows (RGGB, RG16,
    YUYV, BGR3), each with the fixed sizes and discrete intervals (the manual's maximum frame rate,
    then 60, 30, 15, 7.5 fps below it); RGCp and Y411 absent, and dmesg names their GUIDs;
  * dfk-uvc-map, then `v4l2-ctl --list-ctrls-menus` (and VIDIOC_QUERYCTRL for the exact names):
    each of the manual's 50 Video4Linux2 names with the manual's range (fixtures/dfk38ux267/v4l2.ini,
    units converted as harness/uvcfix.py states);
  * `v4l2-ctl --stream-mmap --stream-to` in each format, every frame bit-exact against the test
    pattern (conformance/lib/framecheck.c through harness/vm/uvc_framecheck.c);
  * GStreamer `v4l2src num-buffers=1 ! videoconvert ! pngenc ! filesink`: the PNG is the pattern;
  * Trigger Mode set through V4L2, TRIGGER_IN pulsed through the I/O side channel: frames = pulses.
"""
import json
import os
import re
import struct
import subprocess
import sys
import time
import zlib

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import emu  # noqa: E402
import uvcfix  # noqa: E402
from vm import image  # noqa: E402
from vm.camera import require_emu  # noqa: E402

pytest_plugins = ["vm.pytest_plugin"]

_cfg = getattr(pytest.mark, "_config", None)
if _cfg is not None:
    _cfg.addinivalue_line("markers", "vm: end-to-end test in a QEMU guest with the real vhci-hcd")

pytestmark = pytest.mark.vm

SEED = 7
EMU_ARGS = ["--interface", "uvc", "--source", "pattern", "--seed", str(SEED), "--time-scale", "0"]
UVC_PID = "988e"
VIDEO = "/dev/video0"
LOADER = os.path.join(emu.BUILD, "dfk-uvc-map")
MAP = os.path.join(emu.ROOT, "uvcmap", "dfk38ux267.ini")
FRAMERATE_TSV = os.path.join(emu.ROOT, "fixtures", "dfk38ux267", "framerate.tsv")
CTRLS_PY = os.path.join(HERE, "vm", "v4l2_ctrls.py")
CHECKER_SRC = [os.path.join(HERE, "vm", "uvc_framecheck.c"),
               os.path.join(emu.ROOT, "conformance", "lib", "framecheck.c"),
               os.path.join(emu.ROOT, "conformance", "lib", "framecheck.h")]
ENV = "env HOME=/tmp XDG_CACHE_HOME=/tmp GST_REGISTRY=/tmp/gst-registry.bin"

# The manual's UVC formats (5.1.1) that Linux 6.1's uvcvideo knows, as V4L2 names them, with the
# manual's pixel format (for the frame-rate table) and bits per pixel.
FORMATS = {"RGGB": ("BayerRG8", 8), "RG16": ("BayerRG16", 16), "YUYV": ("YCbCr422_8", 16),
           "BGR3": ("BGR8", 24)}
# RGCp (BayerRG12p) and Y411 (YCbCr411_8_CbYYCrYY): no GUID in Linux 6.1's table. uvcvideo
# prints the GUID as %pUl: the first 4 bytes (the FourCC) as a little-endian u32, so
# 'R','G','C','p' reads 70434752.
UNKNOWN_GUIDS = {"RGCp": "70434752-0000-0010-8000-00aa00389b71",
                 "Y411": "31313459-0000-0010-8000-00aa00389b71"}
# the manual's four sizes of each frame-rate table, and two common ones
SIZES = {(4096, 2160), (3840, 2160), (1920, 1080), (640, 480), (1280, 720), (2048, 1080)}
STEP_FPS = (60.0, 30.0, 15.0, 7.5)
SENSOR_W, SENSOR_H = 4096, 2160
CAPTURE_W, CAPTURE_H = 640, 480


def manual_max_fps():
    """{(pixel format, w, h): max fps} from the manual's tables (fixtures framerate.tsv)."""
    out = {}
    with open(FRAMERATE_TSV, encoding="utf-8") as f:
        for line in f.read().splitlines()[1:]:
            if line:
                fmt, w, h, fps = line.split("\t")
                out[(fmt, int(w), int(h))] = float(fps)
    return out


def name2var(name):
    """v4l2-ctl's short name of a control: lower case, each run of other characters one '_'."""
    words = re.findall(r"[A-Za-z0-9]+", name)
    return "_".join(w.lower() for w in words)


# ---- parsers of v4l2-ctl's output ------------------------------------------------------------

def parse_formats(text):
    """{fourcc: {(w, h): [fps, ...]}} from `v4l2-ctl --list-formats-ext`."""
    out, fmt, size = {}, None, None
    for line in text.splitlines():
        m = re.match(r"\s*\[\d+\]: '(.{4})'", line)
        if m:
            fmt = m.group(1)
            out[fmt] = {}
            continue
        m = re.match(r"\s*Size: Discrete (\d+)x(\d+)", line)
        if m and fmt:
            size = (int(m.group(1)), int(m.group(2)))
            out[fmt][size] = []
            continue
        m = re.match(r"\s*Interval: Discrete [0-9.]+s \(([0-9.]+) fps\)", line)
        if m and fmt and size:
            out[fmt][size].append(float(m.group(1)))
            continue
        if re.match(r"\s*(Size|Interval): ", line):
            out.setdefault("!other", []).append(line.strip())
    return out


def parse_ctrls(text):
    """{short name: {id, type, min, max, step, default, value, flags, menu}} from
    `v4l2-ctl --list-ctrls-menus`."""
    out, cur = {}, None
    for line in text.splitlines():
        m = re.match(r"\s*(\w+) 0x([0-9a-f]{8}) \((\w+)\)\s*:(.*)$", line)
        if m:
            cur = {"id": int(m.group(2), 16), "type": m.group(3), "menu": {}}
            for k, v in re.findall(r"(\w+)=(\S+)", m.group(4)):
                cur[k] = v if k == "flags" else int(v)
            out[m.group(1)] = cur
            continue
        m = re.match(r"\s+(\d+): (.*)$", line)
        if m and cur is not None:
            cur["menu"][int(m.group(1))] = m.group(2).strip()
    return out


def read_png_rgb8(data):
    """(w, h, rows) of an 8-bit RGB PNG (what pngenc writes from RGB caps)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, ihdr = 8, b"", None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    w, h, depth, colour = ihdr[:4]
    assert (depth, colour) == (8, 2), "pngenc wrote depth %d colour type %d, expected 8-bit RGB" % (depth, colour)
    raw, stride, bpp = zlib.decompress(idat), w * 3, 3
    rows, prev = [], bytearray(stride)
    for y in range(h):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b, c = prev[x], prev[x - bpp] if x >= bpp else 0
            if f == 1:
                line[x] = (line[x] + a) & 255
            elif f == 2:
                line[x] = (line[x] + b) & 255
            elif f == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return w, h, rows


# ---- the module's camera ---------------------------------------------------------------------

def build_checker():
    out = os.path.join(image.VMDIR, "uvc-framecheck")
    if os.path.exists(out) and all(os.path.getmtime(out) >= os.path.getmtime(s) for s in CHECKER_SRC):
        return out
    os.makedirs(image.VMDIR, exist_ok=True)
    cmd = ["gcc", "-O2", "-std=c11", "-D_GNU_SOURCE", "-Wall", "-Wextra", "-Werror",
           "-I", os.path.dirname(CHECKER_SRC[1]), "-o", out + ".tmp", CHECKER_SRC[0], CHECKER_SRC[1]]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        pytest.fail("building uvc-framecheck failed:\n%s" % r.stderr, pytrace=False)
    os.replace(out + ".tmp", out)
    return out


class UvcCamera:
    """dfk-emu --interface uvc on the host, attached in the guest, /dev/video0 there."""

    def __init__(self, guest):
        self.guest = guest
        self.emu = emu.Emulator(EMU_ARGS, io=True).start()
        self.attach_seconds = None
        self.mapped = None

    def attach(self):
        if self.guest.usb_devices():
            self.guest.detach()
        a = self.guest.attach(self.emu.port)
        self.attach_seconds = a.seconds
        assert (a.vid, a.pid) == ("199e", UVC_PID), a
        # uvcvideo registers the video node after the device is configured
        rc, out = self.guest.run("i=0; while [ ! -e %s ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done; "
                                 "ls -l %s" % (VIDEO, VIDEO), 30)
        return rc, out, a

    def io(self):
        return self.emu.io()

    def map_controls(self):
        return self.guest.run("%s --device %s --map %s" % (LOADER, VIDEO, MAP), 60)

    def ensure(self):
        """The camera attached with /dev/video0 and its controls mapped; after the device left
        (the kernel dropped it), attach it again. Returns True when it had to."""
        rc, _ = self.guest.run("test -e %s" % VIDEO, 10)
        if rc == 0 and self.guest.usb_devices():
            return False
        if not self.emu.alive():
            self.emu.stop()
            self.emu = emu.Emulator(EMU_ARGS, io=True).start()
        rc, out, _ = self.attach()
        assert rc == 0, "no %s after attaching again:\n%s" % (VIDEO, out)
        if self.mapped is not None:
            rc, out = self.map_controls()
            assert rc == 0, out
        return True

    def still_there(self, since):
        """Fails the test when the device left the bus since dmesg mark `since`."""
        log = self.guest.dmesg_since(since)
        gone = [l for l in log.splitlines() if "USB disconnect" in l or "cannot find a urb" in l]
        assert not gone, "the kernel dropped the camera:\n" + "\n".join(log.splitlines()[-25:])

    def close(self):
        try:
            if self.guest.alive() and self.guest.usb_devices():
                self.guest.detach()
        finally:
            self.emu.stop()


@pytest.fixture(scope="module")
def uvc(guest):
    require_emu()
    cam = UvcCamera(guest)
    try:
        cam.attach_result = cam.attach()
        yield cam
    finally:
        cam.close()


@pytest.fixture(scope="module")
def mapped(guest, uvc):
    """dfk-uvc-map run once (the next tests need the XU controls); its output."""
    if not os.access(LOADER, os.X_OK):
        pytest.fail("%s is not built: run `make` first" % LOADER, pytrace=False)
    rc, out = uvc.map_controls()
    uvc.mapped = (rc, out)
    return rc, out


@pytest.fixture(scope="module")
def controls(guest, mapped):
    """(v4l2-ctl's list, the exact VIDIOC_QUERYCTRL list) after the mapping."""
    rc, out = guest.run("v4l2-ctl -d %s --list-ctrls-menus" % VIDEO, 60)
    assert rc == 0, out
    rc2, js, err = guest.run_split("/usr/bin/python3 %s %s" % (CTRLS_PY, VIDEO), 60)
    assert rc2 == 0, err
    return parse_ctrls(out), {c["name"]: c for c in json.loads(js)}, out


@pytest.fixture(autouse=True)
def _vm_test_guards(kernel_log):
    """every test: its kernel log printed when it fails, and no oops allowed"""


# ---- the tests ---------------------------------------------------------------------------------

def test_uvcvideo_binds_and_video0_appears(guest, uvc):
    rc, out, a = uvc.attach_result
    assert rc == 0, "no %s after attach:\n%s\n%s" % (VIDEO, out, guest.dmesg()[-3000:])
    assert out.split()[0].startswith("c"), out
    # both interfaces of the camera (VideoControl 0, VideoStreaming 1) belong to uvcvideo
    for intf in ("1.0", "1.1"):
        rc, drv = guest.run("basename $(readlink /sys/bus/usb/devices/%s:%s/driver)" % (a.sysfs, intf), 20)
        assert drv.strip() == "uvcvideo", (intf, drv)
    rc, info = guest.run("v4l2-ctl -d %s --info" % VIDEO, 30)
    assert rc == 0 and re.search(r"Driver name\s*: uvcvideo", info), info
    assert re.search(r"Card type\s*: DFK 38UX267", info), info
    dmesg = guest.dmesg()
    assert re.search(r"Found UVC 1\.[15]0 device .*\(199e:%s\)" % UVC_PID, dmesg), dmesg[-3000:]


def test_formats_sizes_and_intervals(guest, uvc):
    rc, out = guest.run("v4l2-ctl -d %s --list-formats-ext" % VIDEO, 60)
    assert rc == 0, out
    got = parse_formats(out)
    assert "!other" not in got, "stepwise/continuous sizes or intervals: %s" % got["!other"]
    assert set(got) == set(FORMATS), "formats: %s" % sorted(got)
    table = manual_max_fps()
    for fourcc, (pixfmt, _) in FORMATS.items():
        assert set(got[fourcc]) == SIZES, (fourcc, sorted(got[fourcc]))
        for size, fps in got[fourcc].items():
            assert fps == sorted(fps, reverse=True) and len(set(fps)) == len(fps), (fourcc, size, fps)
            top = table.get((pixfmt,) + size)
            if top is not None:
                # the manual's tables print whole frames per second, rounded down
                assert int(fps[0]) == top, (fourcc, size, fps, top)
            assert fps[1:] == [f for f in STEP_FPS if f < fps[0]], (fourcc, size, fps)


def test_unknown_formats_absent_and_logged(guest, uvc):
    rc, out = guest.run("v4l2-ctl -d %s --list-formats" % VIDEO, 60)
    for fourcc in UNKNOWN_GUIDS:
        assert "'%s'" % fourcc not in out
    dmesg = guest.dmesg()
    for fourcc, guid in UNKNOWN_GUIDS.items():
        assert re.search(r"Unknown video format %s" % guid, dmesg), \
            "%s: uvcvideo did not log its GUID %s:\n%s" % (fourcc, guid, dmesg[-3000:])


def test_dfk_uvc_map_maps_every_control(guest, uvc, mapped):
    rc, out = mapped
    assert rc == 0, out
    names = [s for s in uvcfix.mapping(MAP).sections() if s != "xu"]
    for name in names:
        assert re.search(r'^mapped\s+0x[0-9a-f]{8} "%s"$' % re.escape(name), out, re.M), (name, out)
    assert out.splitlines()[-1] == "%s: %d mapped, 0 already mapped, 0 failed" % (VIDEO, len(names))
    # a second run: every one already there (EEXIST), still success
    rc, out = guest.run("%s --device %s --map %s" % (LOADER, VIDEO, MAP), 60)
    assert rc == 0 and out.splitlines()[-1] == "%s: 0 mapped, %d already mapped, 0 failed" % (VIDEO, len(names)), out


def test_dfk_uvc_map_reports_kernel_errors(guest, uvc, mapped):
    """A map the device does not fit: the kernel's refusals, one line each with the errno text,
    exit status 1; a mapping already there still counts as already mapped."""
    uvc.ensure()
    head = "[xu]\nguid=0aba49de-5c0b-49d5-8f71-0be40f94a67a\nunit=3\n"
    bad = (head + "[Trigger Mode]\nid=0x0199e208\nselector=0x05\nsize=1\noffset=0\nv4l2_type=boolean\n"
           "data_type=boolean\n"
           # a selector the extension unit's bmControls does not list
           "[No Such Control]\nid=0x0199e2ff\nselector=0xf0\nsize=8\noffset=0\nv4l2_type=integer\n"
           "data_type=unsigned\n")
    other_guid = bad.replace("0aba49de-5c0b", "0aba49de-5c0c").replace("0x0199e208", "0x0199e2fe")
    path = guest.put("bad-map.ini", bad)
    rc, out = guest.run("%s --device %s --map %s" % (LOADER, VIDEO, path), 60)
    assert rc == 1, out
    assert re.search(r'^already mapped\s+0x0199e208 "Trigger Mode"$', out, re.M), out
    assert re.search(r'^error\s+0x0199e2ff "No Such Control": \S', out, re.M), out
    assert out.splitlines()[-1] == "%s: 0 mapped, 1 already mapped, 1 failed" % VIDEO, out
    path = guest.put("other-guid.ini", other_guid)
    rc, out = guest.run("%s --device %s --map %s" % (LOADER, VIDEO, path), 60)
    assert rc == 1 and out.splitlines()[-1] == "%s: 0 mapped, 0 already mapped, 2 failed" % VIDEO, out


def shared_selector(name):
    mp = uvcfix.mapping(MAP)
    if name not in mp:
        return False
    sel = int(mp[name]["selector"], 0)
    return any(int(mp[s]["selector"], 0) == sel for s in mp.sections() if s not in ("xu", name))


def test_controls_have_the_manuals_names_and_ranges(controls):
    listed, exact, raw = controls
    fx = uvcfix.fixture()
    problems = []
    for name in fx.sections():
        f = fx[name]
        q = exact.get(name)
        c = listed.get(name2var(name))
        if q is None or c is None:
            problems.append("%s: not listed (v4l2-ctl: %s, VIDIOC_QUERYCTRL: %s)" % (name, c is not None, q is not None))
            continue
        if q["id"] != c["id"] or q["type"] != c["type"]:
            problems.append("%s: v4l2-ctl and VIDIOC_QUERYCTRL disagree: %s / %s" % (name, c, q))
        if c["type"] not in uvcfix.v4l2_kinds(f):
            problems.append("%s: V4L2 %s for a manual %s" % (name, c["type"], f["type"]))
            continue
        if c["type"] == "int" and "min" in f:
            lo, hi, default = uvcfix.expected_range(f)
            if (c["min"], c["max"]) != (lo, hi):
                problems.append("%s: range %d..%d, the manual's %s..%s is %d..%d" % (
                    name, c["min"], c["max"], f["min_text"], f["max_text"], lo, hi))
            if default is not None and c["default"] != default:
                problems.append("%s: default %d, the manual's is %d" % (name, c["default"], default))
        if c["type"] == "menu":
            got = sorted(uvcfix.norm(v) for v in c["menu"].values())
            want = sorted(uvcfix.norm(v) for v in uvcfix.entries(f))
            if got != want:
                problems.append("%s: menu %s, the manual's %s" % (name, list(c["menu"].values()), uvcfix.entries(f)))
        # uvcvideo takes read-only from GET_INFO of the whole selector: only a control with a
        # selector of its own can show it (GPIN shares The Imaging Source's 0x08 with GPOUT)
        if f["access"] == "RO" and not shared_selector(name) and "read-only" not in c.get("flags", ""):
            problems.append("%s: the manual's value is read-only, flags %s" % (name, c.get("flags")))
    assert not problems, "\n".join(problems) + "\n\nv4l2-ctl --list-ctrls-menus:\n" + raw


def test_control_round_trip(guest, uvc, mapped):
    """A value written through V4L2 reads back (the camera's feature, not a cache in uvcvideo:
    uvcvideo reads GET_CUR again for a control the device may change itself)."""
    uvc.ensure()
    rc, out = guest.run("v4l2-ctl -d {v} -c auto_shutter=0 && v4l2-ctl -d {v} -c exposure_time_us=1234 && "
                        "v4l2-ctl -d {v} -C exposure_time_us && v4l2-ctl -d {v} -c gamma=250 && "
                        "v4l2-ctl -d {v} -C gamma && v4l2-ctl -d {v} -c gamma=100".format(v=VIDEO), 60)
    assert rc == 0, out
    assert "exposure_time_us: 1234" in out and "gamma: 250" in out, out
    # out of the manual's range: refused (ERANGE from the device, or clamped by V4L2's range check)
    rc, out = guest.run("v4l2-ctl -d %s -c gamma=501; v4l2-ctl -d %s -C gamma" % (VIDEO, VIDEO), 60)
    assert "gamma: 100" in out or "gamma: 500" in out, out


def offsets(guest):
    rc, out = guest.run("v4l2-ctl -d %s -C roi_offset_x,roi_offset_y" % VIDEO, 30)
    assert rc == 0, out
    vals = dict(re.findall(r"(roi_offset_[xy]): (\d+)", out))
    return int(vals["roi_offset_x"]), int(vals["roi_offset_y"])


def check_frames(path, fourcc, w, h, ox, oy):
    checker = build_checker()
    r = subprocess.run([checker, path, fourcc, str(w), str(h), str(ox), str(oy), str(SEED)],
                       capture_output=True, text=True, timeout=300)
    return r.returncode, (r.stdout + r.stderr).strip()


@pytest.mark.parametrize("fourcc", sorted(FORMATS))
def test_capture_bit_exact(guest, uvc, mapped, kernel_log, fourcc):
    uvc.ensure()
    mark = guest.dmesg_mark()
    n = 4
    name = "cap-%s.raw" % fourcc
    rc, out = guest.run("rm -f /run/xfer/{n}; v4l2-ctl -d {v} --set-fmt-video=width={w},height={h},pixelformat={f} "
                        "--stream-mmap --stream-count {c} --stream-to /run/xfer/{n}"
                        .format(n=name, v=VIDEO, w=CAPTURE_W, h=CAPTURE_H, f=fourcc, c=n), 180)
    assert rc == 0, out
    rc, fmt = guest.run("v4l2-ctl -d %s --get-fmt-video" % VIDEO, 30)
    assert re.search(r"Width/Height\s*: %d/%d" % (CAPTURE_W, CAPTURE_H), fmt), fmt
    assert "'%s'" % fourcc in fmt, fmt
    ox, oy = offsets(guest)
    # OffsetAutoCenter (the factory default): the window is the sensor's centre
    assert (ox, oy) == ((SENSOR_W - CAPTURE_W) // 2, (SENSOR_H - CAPTURE_H) // 2)
    path = guest.xfer_path(name)
    size = os.path.getsize(path)
    frame = CAPTURE_W * CAPTURE_H * FORMATS[fourcc][1] // 8
    assert size == n * frame, "%d bytes for %d frames of %d" % (size, n, frame)
    rc, msg = check_frames(path, fourcc, CAPTURE_W, CAPTURE_H, ox, oy)
    assert rc == 0, msg
    assert re.match(r"frames %d first_block \d+$" % n, msg), msg
    os.unlink(path)
    uvc.still_there(mark)


def test_gstreamer_v4l2src_png(guest, uvc, mapped, kernel_log):
    """GStreamer's v4l2src (gstreamer1.0-plugins-good): one BGR frame, videoconvert to RGB, pngenc:
    the PNG's pixels are the test pattern (back to B,G,R and through the frame checker), and the
    camera is still there afterwards."""
    uvc.ensure()
    mark = guest.dmesg_mark()
    rc, out = guest.run("rm -f /run/xfer/uvc.png; %s gst-launch-1.0 -q v4l2src device=%s num-buffers=1 ! "
                        "video/x-raw,format=BGR,width=%d,height=%d ! videoconvert ! video/x-raw,format=RGB ! "
                        "pngenc ! filesink location=/run/xfer/uvc.png"
                        % (ENV, VIDEO, CAPTURE_W, CAPTURE_H), 180)
    assert rc == 0, out
    w, h, rows = read_png_rgb8(guest.get("uvc.png"))
    assert (w, h) == (CAPTURE_W, CAPTURE_H)
    bgr = bytearray()
    for row in rows:
        for x in range(0, len(row), 3):
            bgr += bytes((row[x + 2], row[x + 1], row[x]))
    path = guest.xfer_path("uvc-png.bgr")
    with open(path, "wb") as f:
        f.write(bgr)
    uvc.still_there(mark)
    ox, oy = offsets(guest)
    rc, msg = check_frames(path, "BGR3", w, h, ox, oy)
    assert rc == 0, msg


def test_trigger_mode_frames_equal_pulses(guest, uvc, mapped):
    """Trigger Mode on through V4L2; a capture of N frames waits for TRIGGER_IN; N pulses through
    the I/O side channel (device time paused, advanced by hand) give exactly N frames, and the
    camera accepted exactly N triggers."""
    pulses = 3
    uvc.ensure()
    rc, out = guest.run("v4l2-ctl -d {v} -c auto_shutter=0 -c exposure_time_us=1000 -c trigger_mode=1 && "
                        "v4l2-ctl -d {v} -C trigger_mode".format(v=VIDEO), 60)
    assert rc == 0 and "trigger_mode: 1" in out, out
    io = uvc.io()
    try:
        io.pause()
        before = io.stats()
        sub0 = io.submitted()
        rc, out = guest.run("rm -f /run/xfer/trig.raw /run/xfer/trig.rc; sh -c 'v4l2-ctl -d %s "
                            "--set-fmt-video=width=%d,height=%d,pixelformat=RGGB --stream-mmap --stream-count %d "
                            "--stream-to /run/xfer/trig.raw > /run/xfer/trig.log 2>&1; echo $? > /run/xfer/trig.rc' "
                            "> /dev/null 2>&1 < /dev/null & echo $! > /tmp/trig.pid"
                            % (VIDEO, CAPTURE_W, CAPTURE_H, pulses), 30)
        assert rc == 0, out
        # streaming has started once uvcvideo queued its bulk URBs (after SET_CUR(COMMIT))
        io.wait_submitted(sub0 + 2, timeout=60)
        io.advance(500000000)          # half a second without a pulse: no frame
        time.sleep(1.0)
        assert io.stats()["delivered"] == before["delivered"], "a frame without a trigger"
        for _ in range(pulses):
            io.pulse(100000, at="+1000000")
            io.advance(50000000)
        deadline = time.monotonic() + 120
        while not os.path.exists(guest.xfer_path("trig.rc")) and time.monotonic() < deadline:
            io.advance(10000000)
            time.sleep(0.2)
        after = io.stats()
    finally:
        try:
            io.run()
            io.scale(0)
        finally:
            io.close()
            # the capture, if it still waits: the shell started above and its v4l2-ctl
            guest.run("p=$(cat /tmp/trig.pid); pkill -P $p; kill $p; v4l2-ctl -d %s -c trigger_mode=0" % VIDEO, 30)
    assert os.path.exists(guest.xfer_path("trig.rc")), "the capture did not end: %s" % guest.get("trig.log")
    assert guest.get("trig.rc").strip() == b"0", guest.get("trig.log")
    assert after["accepted"] - before["accepted"] == pulses, (before, after)
    assert after["delivered"] - before["delivered"] == pulses, (before, after)
    path = guest.xfer_path("trig.raw")
    assert os.path.getsize(path) == pulses * CAPTURE_W * CAPTURE_H
    ox, oy = offsets(guest)
    rc, msg = check_frames(path, "RGGB", CAPTURE_W, CAPTURE_H, ox, oy)
    assert rc == 0, msg


def test_dfk_conform_uvc_over_libusb(guest, uvc, kernel_log):
    """dfk-conform's uvc suite through libusb in the guest (usb://199e:988e; libusb takes the
    interfaces from uvcvideo and gives them back), frames byte for byte."""
    uvc.ensure()
    junit = "/run/xfer/dfk-conform-uvc.xml"
    rc, out = guest.run("cd %s && %s --device usb://199e:%s --expect-pattern %d --junit %s"
                        % (emu.ROOT, emu.CONFORM, UVC_PID, SEED, junit), 300)
    assert rc == 0, "dfk-conform --device usb:// (uvc) failed in the guest (rc=%d):\n%s" % (rc, out[-6000:])
    assert "(USB Video Class)" in out, out[:2000]
    summary = re.search(r"tests\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)", out)
    assert summary, out[-3000:]
    total, ran, passed, failed, inactive = map(int, summary.groups())
    assert total == ran == passed and failed == inactive == 0 and total >= 13, summary.group(0)
