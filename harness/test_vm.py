# SPDX-License-Identifier: MIT
"""End-to-end tests of dfk-emu against the real Linux USB stack, in a QEMU guest.

The guest boots Debian's own kernel (TCG) with usbcore + vhci-hcd, reaches dfk-emu on the host
at 10.0.2.2:<port> through slirp, and runs the host's own usbip, lsusb and arv-tool-0.8 in a
chroot of the host's root. Run:

    /usr/bin/python3 -m pytest harness/test_vm.py -m vm

These tests skip only when qemu itself cannot start (with a loud reason); a missing dfk-emu or
missing Debian packages make them fail.
"""
import os
import re
import shlex
import signal
import subprocess
import sys
import tempfile
import time

import warnings

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import emu  # noqa: E402
from dfk_io import IoChannel  # noqa: E402
from vm import arvstream, image  # noqa: E402
from vm.guest import HOST_FROM_GUEST, GuestError  # noqa: E402
from vm.klog import kernel_problems  # noqa: E402
from vm.camera import EMU_ARGS, require_emu, revive  # noqa: E402
from vm.usbip_stub import StubProcess  # noqa: E402

pytest_plugins = ["vm.pytest_plugin"]

_cfg = getattr(pytest.mark, "_config", None)  # register the mark before it is first used
if _cfg is not None:
    _cfg.addinivalue_line("markers", "vm: end-to-end test in a QEMU guest with the real vhci-hcd")

pytestmark = pytest.mark.vm

ARV = "arv-tool-0.8"
MODEL = "DFK 38UX267"


@pytest.fixture(autouse=True)
def _vm_test_guards(usbmon_capture, kernel_log):
    """usbmon capture (kept when the test fails) and the kernel-oops check, for every test."""
    yield


def arv_ids(guest):
    rc, out, err = guest.run_split(ARV, 90)
    assert rc == 0, "arv-tool-0.8 failed: %s%s" % (out, err)
    return [l[:-len(" (USB3)")] for l in out.splitlines() if l.endswith(" (USB3)")], out + err


def arv_control(guest, dev_id, *features, timeout=90):
    """Run `arv-tool-0.8 -n ID control F[=V]...`; return ({feature: value text}, raw output)."""
    cmd = "%s -n %s control %s" % (ARV, shlex.quote(dev_id), " ".join(shlex.quote(f) for f in features))
    rc, out, err = guest.run_split(cmd, timeout)
    vals = {}
    for line in out.splitlines():
        m = re.match(r"^(\S+) = (.*)$", line)
        if m:
            vals[m.group(1)] = m.group(2)
    return vals, "rc=%d\nstdout:\n%s\nstderr:\n%s" % (rc, out, err)


def the_id(guest):
    ids, raw = arv_ids(guest)
    assert len(ids) == 1, "arv-tool-0.8 should list exactly one USB3 camera:\n" + raw
    return ids[0]


# ---- the harness itself, with a stand-in USB/IP server (no dfk-emu needed) ------------------------

def test_harness_selftest_stub_device(guest, camera_session):
    """Boot, usbip attach at SuperSpeed, lsusb, disconnect on SIGKILL: proves the harness works,
    so a failure in the dfk-emu tests below is about dfk-emu."""
    camera_session.detach_all()
    mark = guest.dmesg_mark()
    with StubProcess() as stub:
        a = guest.attach(stub.port)
        rc, speed = guest.run("cat /sys/bus/usb/devices/%s/speed" % a.sysfs)
        assert speed.strip() == "5000"
        rc, out = guest.run("lsusb -v -d 199e:", 60)
        assert re.search(r"bDeviceClass\s+239", out) and "SuperSpeed USB Device Capability" in out, out
        stub.stop(signal.SIGKILL)
        guest.wait_gone(10)
    guest.attached = []
    log = guest.dmesg_since(mark)
    assert "new SuperSpeed USB device" in log, log
    bad = kernel_problems(log)
    assert not bad, "kernel complained with the stub device:\n" + "\n".join(bad)


# ---- (a) attach at SuperSpeed, clean kernel log ------------------------------------------------

def test_attach_enumerates_superspeed(guest, camera_session):
    camera_session.ensure_emu()
    camera_session.detach_all()      # a fresh attach, watched from the start
    mark = guest.dmesg_mark()
    a = camera_session.ensure()
    log = guest.dmesg_since(mark)
    print("attach took %.2f s (host side), enumerated: %s\n%s" % (a.seconds, a.lsusb, log))
    rc, speed = guest.run("cat /sys/bus/usb/devices/%s/speed" % a.sysfs)
    speed = speed.strip()
    assert "new SuperSpeed USB device" in log or speed == "5000", \
        "not enumerated at SuperSpeed (sysfs speed %r):\n%s" % (speed, log)
    assert speed == "5000", "sysfs speed is %r, expected 5000" % speed
    assert a.vid == "199e"
    bad = kernel_problems(log)
    assert not bad, "kernel complained during attach:\n" + "\n".join(bad)


# ---- (b) descriptors as the kernel and lsusb see them ------------------------------------------

def test_lsusb_descriptors(guest, camera):
    rc, out = guest.run("lsusb -v -d 199e:", 60)
    assert rc == 0, out
    assert re.search(r"^\s*idVendor\s+0x199e", out, re.M), out
    assert re.search(r"^\s*bDeviceClass\s+239\b", out, re.M), "bDeviceClass is not 239:\n" + out
    ifaces = []
    for block in re.split(r"\n\s*Interface Descriptor:", out)[1:]:
        cls = re.search(r"bInterfaceClass\s+(\d+)", block)
        sub = re.search(r"bInterfaceSubClass\s+(\d+)", block)
        proto = re.search(r"bInterfaceProtocol\s+(\d+)", block)
        ifaces.append(tuple(int(m.group(1)) if m else None for m in (cls, sub, proto)))
    u3v = sorted(p for c, s, p in ifaces if c == 239 and s == 5)
    assert u3v == [0, 1, 2], "expected three 239/5 interfaces with protocols 0,1,2; got %s:\n%s" % (ifaces, out)
    assert "Binary Object Store Descriptor" in out, "no BOS descriptor:\n" + out
    assert "SuperSpeed USB Device Capability" in out, "BOS has no SuperSpeed capability:\n" + out
    assert "Couldn't" not in out and "can't get" not in out.lower(), out


# ---- (c) Aravis over libusb over vhci ----------------------------------------------------------

def test_arv_tool_lists_camera(guest, camera):
    ids, raw = arv_ids(guest)
    assert len(ids) == 1, "expected one '... (USB3)' line:\n" + raw


def test_arv_tool_identity(guest, camera):
    dev = the_id(guest)
    vals, raw = arv_control(guest, dev, "DeviceModelName", "DeviceSerialNumber")
    assert vals.get("DeviceModelName") == MODEL, raw
    serial = vals.get("DeviceSerialNumber", "")
    assert serial, raw
    # Aravis 0.8.26 builds the id as <manufacturer>-<GUID>-<serial>
    assert dev.endswith("-" + serial), "device id %r does not end with the serial %r" % (dev, serial)
    rc, out = guest.run("lsusb -v -d 199e: | grep -E '^ *iSerial'", 60)
    assert serial in out, "USB iSerial %r differs from DeviceSerialNumber %r" % (out.strip(), serial)


def test_arv_tool_genicam_xml(guest, camera):
    dev = the_id(guest)
    rc, out, err = guest.run_split("%s -n %s genicam" % (ARV, shlex.quote(dev)), 120)
    assert rc == 0, err
    assert "<RegisterDescription" in out, "no GenICam XML in the output:\n" + out[:2000] + err
    assert out.rstrip().endswith("</RegisterDescription>"), "XML looks truncated:\n" + out[-2000:]
    noisy = [l for l in err.splitlines() if re.search(r"(?i)warn|critical|error|fail", l)]
    assert not noisy, "arv-tool printed warnings on stderr:\n" + err
    assert err.strip() == "", "unexpected stderr:\n" + err


WRITE_READ_CASES = [
    # feature, value to write, check of the value read, features set first in the same call
    ("Width", "1920", lambda v: v.split()[0] == "1920", []),
    # ExposureAuto is Continuous by default (manual 5.3), which locks ExposureTime
    ("ExposureTime", "10000", lambda v: abs(float(v.split()[0]) - 10000.0) <= 100.0, ["ExposureAuto=Off"]),
    ("TriggerMode", "On", lambda v: v.strip() == "On", []),
    ("TriggerMode", "Off", lambda v: v.strip() == "Off", []),
]


@pytest.mark.parametrize("feature,value,expect,pre", WRITE_READ_CASES,
                         ids=["%s=%s" % (c[0], c[1]) for c in WRITE_READ_CASES])
def test_arv_tool_write_read_back(guest, camera, feature, value, expect, pre):
    dev = the_id(guest)
    touched = [p.split("=")[0] for p in pre] + [feature]
    orig, raw = arv_control(guest, dev, *touched)
    try:
        vals, raw = arv_control(guest, dev, *(pre + ["%s=%s" % (feature, value)]))
        assert "error" not in raw.lower(), "write %s=%s failed:\n%s" % (feature, value, raw)
        assert feature in vals and expect(vals[feature]), "after write: %s" % raw
        vals, raw = arv_control(guest, dev, feature)   # a new process: really read from the device
        assert feature in vals and expect(vals[feature]), "read back %s: %s" % (feature, raw)
    finally:
        # put back what the test changed (the module's dfk-emu serves the later tests too)
        restore = ["%s=%s" % (f, orig[f].split()[0]) for f in reversed(touched) if f in orig
                   and not (f == "ExposureTime" and "ExposureAuto" in touched)]
        if restore:
            arv_control(guest, dev, *restore)


# ---- (d) detach and attach again ---------------------------------------------------------------

def test_detach_then_reattach(guest, camera_session):
    a = camera_session.ensure()
    mark = guest.dmesg_mark()
    assert a.port is not None, "usbip port does not show the attachment"
    gone = guest.detach(a.port)
    camera_session.attachment = None
    print("detach -> device gone in %.2f s" % gone)
    assert guest.usb_devices() == []
    b = camera_session.ensure()
    print("re-attach took %.2f s" % b.seconds)
    ids, raw = arv_ids(guest)
    assert len(ids) == 1, raw
    bad = kernel_problems(guest.dmesg_since(mark))
    assert not bad, "kernel complained during detach/attach:\n" + "\n".join(bad)


# ---- (e) the emulator dies while attached ------------------------------------------------------

def test_emulator_killed_while_attached(guest, camera_session):
    require_emu()
    camera_session.detach_all()
    mark = guest.dmesg_mark()
    victim = emu.Emulator(EMU_ARGS).start()
    try:
        guest.attach(victim.port)
        victim.stop(sig=signal.SIGKILL)
        t0 = time.monotonic()
        gone = guest.wait_gone(timeout=10)
        print("device gone %.2f s after SIGKILL (guest-side poll %.2f s)" % (time.monotonic() - t0, gone))
        rc, out = guest.run("usbip port", 20)
        assert "Port in Use" not in out, "vhci port still in use after the disconnect:\n" + out
        log = guest.dmesg_since(mark)
        print(log)
        bad = kernel_problems(log)
        assert not bad, "kernel complained about the disconnect:\n" + "\n".join(bad)
    finally:
        victim.stop()
    guest.attached = []
    again = emu.Emulator(EMU_ARGS).start()
    try:
        mark = guest.dmesg_mark()
        guest.attach(again.port)
        assert len(guest.usb_devices()) == 1
        ids, raw = arv_ids(guest)
        assert len(ids) == 1, raw
        guest.detach()
        bad = kernel_problems(guest.dmesg_since(mark))
        assert not bad, "kernel complained after restarting dfk-emu:\n" + "\n".join(bad)
    finally:
        again.stop()


# ---- dfk-conform over libusb inside the guest --------------------------------------------------

def test_dfk_conform_over_vhci(guest, camera_session):
    """dfk-conform through libusb in the guest, every suite as over usbip:// on the host: the
    I/O rig over the side channel's loopback TCP port (the guest reaches the host's 127.0.0.1
    as 10.0.2.2), frames checked byte for byte against the test pattern."""
    conform = emu.CONFORM
    if not os.path.exists(conform):
        pytest.fail("dfk-conform is not built (%s missing): run `make`" % conform, pytrace=False)
    camera_session.detach_all()
    e = emu.Emulator(["--source", "pattern", "--seed", "7", "--io", "tcp:127.0.0.1:0"]).start()
    try:
        with open(e.out_path) as f:
            m = re.search(r"I/O side channel on tcp:127\.0\.0\.1:(\d+)", f.read())
        assert m, "dfk-emu did not print its I/O port"
        attachment = guest.attach(e.port)
        junit = "/run/xfer/dfk-conform-junit.xml"
        cmd = "cd %s && %s --device usb://199e:%s --io tcp:%s:%s --expect-pattern 7 --junit %s" % (
            shlex.quote(emu.ROOT), shlex.quote(conform), attachment.pid, HOST_FROM_GUEST, m.group(1), junit)
        # DeviceReset makes dfk-emu drop the connection (the camera re-enumerates); re-plug it
        # like a real USB port would, so dfk-conform's reconnect finds it again.
        guest.start_reattach(e.port)
        try:
            rc, out = guest.run(cmd, 420)
        finally:
            log = guest.stop_reattach()
            if guest.ports() or guest.usb_devices():
                guest.detach()
    finally:
        e.stop()
        e.cleanup()
    print(out)
    if log:
        print("re-attach log:\n" + log)
    try:
        data = guest.get("dfk-conform-junit.xml")
        os.makedirs(image.VMDIR, exist_ok=True)
        with open(os.path.join(image.VMDIR, "dfk-conform-junit.xml"), "wb") as f:
            f.write(data)
    except OSError:
        pass
    assert rc == 0, "dfk-conform failed in the guest (rc=%d):\n%s" % (rc, out[-6000:])
    summary = re.search(r"tests\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)", out)
    assert summary, out[-3000:]
    total, ran, passed, failed, inactive = map(int, summary.groups())
    # only the usbip suite (it speaks USB/IP itself) cannot run through libusb
    listed = subprocess.run([conform, "--list-tests"], capture_output=True, text=True, check=True).stdout
    usbip_only = sum(1 for line in listed.splitlines() if line.startswith("usbip/"))
    assert failed == 0 and inactive == usbip_only and ran == total - usbip_only, \
        "every suite but usbip must run in the guest (the I/O rig included): %s" % summary.group(0)


# ---- streaming through libaravis: every pixel format, bit-exact --------------------------------
#
# dfk-emu runs with the bit-exact test pattern at --time-scale 0 (arvstream.EMU_ARGS): device time
# then moves only as fast as the guest takes the frames, so a TCG guest that receives 10-40 MB/s
# never makes the camera overrun its 16-frame buffer. At --time-scale 1 with AcquisitionFrameRate
# at its maximum (143 fps at 1024x512, 35 fps at 4096x2160) the camera drops frames whenever the
# guest is slower, and the frame ids jump (+8..+12 per 16 frames when tried): not robust.

STREAM_W, STREAM_H = 512, 256         # the region for all 8 formats (centred: OffsetAutoCenter)
STREAM_FRAMES = 100


class PatternCamera:
    """The pattern dfk-emu and its attachment; ensure() puts it (back) on the guest's port."""

    def __init__(self, guest, session, binary):
        self.guest, self.session, self.binary = guest, session, binary
        self.emu = None
        self.attachment = None
        # the I/O side channel: the host-behaviour monitor's verdicts on what Aravis did
        self.io_dir = tempfile.mkdtemp(prefix="dfk-vm-io-")
        self.io_path = os.path.join(self.io_dir, "io.sock")

    def ensure(self):
        revive(self.guest)
        if self.emu is None or not self.emu.alive():
            if self.emu is not None:
                self.emu.stop()
                self.emu.cleanup()
            self.emu = emu.Emulator(list(arvstream.EMU_ARGS) + ["--io", self.io_path]).start()
            self.attachment = None
        if self.attachment is not None and self.attachment in self.guest.attached and self.guest.usb_devices():
            return self.attachment
        self.session.detach_all()       # the module's camera, or a stale attachment
        self.attachment = self.guest.attach(self.emu.port)
        return self.attachment

    def close(self):
        try:
            if self.guest.alive() and self.attachment in self.guest.attached:
                self.guest.detach()
        except GuestError:
            pass
        self.guest.attached = [a for a in self.guest.attached if a is not self.attachment]
        self.attachment = None
        if self.emu is not None:
            self.emu.stop()
            self.emu.cleanup()
            self.emu = None

    def stream(self, formats, name, **kw):
        """arv-stream for these formats; a format that lost frames only to libusb timeouts in the
        guest (arvstream.guest_timeout_only) is streamed once more, with a warning. Returns
        ({format: (StreamRun, note)}, [runs])."""
        self.ensure()
        run = arvstream.run_in_guest(self.guest, self.binary, formats, name, **kw)
        runs = [run]
        out = {f: (run, "") for f in formats}
        again = [f for f in formats if run.results.get(f, {}).get("errors")
                 and arvstream.guest_timeout_only(run.results[f], run.info.get(f, {}))]
        if again and run.rc in (0, 1):
            path = arvstream.save_log(run, name)
            note = ("%s lost frames to libusb timeouts of the stream reads in the guest (Aravis 0.8.26 "
                    "sync mode drops a bulk transfer that times out after %d ms even when its data "
                    "arrived), not to dfk-emu; streamed again. First run's log: %s"
                    % (", ".join(again), 500, path))
            warnings.warn(pytest.PytestWarning(note))
            print("dfk-vm: " + note)
            rerun = arvstream.run_in_guest(self.guest, self.binary, again, name + "-again", **kw)
            runs.append(rerun)
            for f in again:
                out[f] = (rerun, note)
        return out, runs


@pytest.fixture(scope="module")
def pattern_camera(guest, camera_session):
    """dfk-emu --source pattern --time-scale 0, attached in the guest in place of the module's
    camera (which the later tests re-attach by themselves)."""
    require_emu()
    try:
        binary = arvstream.build()
    except arvstream.BuildError as e:
        pytest.fail(str(e), pytrace=False)
    cam = PatternCamera(guest, camera_session, binary)
    try:
        cam.ensure()
        yield cam
    finally:
        cam.close()


def _stream_failure(run, fmt, guest=None):
    lines = ["arv-stream %s (rc=%d, %.1f s): %s" % (fmt, run.rc, run.seconds, run.cmd),
             run.stdout.strip()]
    info = run.info.get(fmt, {})
    if info.get("errors"):
        lines.append("errors:\n" + "\n".join(info["errors"][:20]))
    if info.get("midframe_timeouts"):
        lines.append("libusb timeouts inside a frame (Aravis log):\n"
                     + arvstream.log_excerpt(run.log, info["midframe_timeouts"]))
    lines.append("full log: " + arvstream.save_log(run, "arv-stream-failed-" + fmt))
    if guest is not None and guest.alive():
        lines.append("dmesg tail:\n" + "\n".join(guest.dmesg().splitlines()[-25:]))
    return "\n".join(lines)


def test_arv_camera_test_streams(guest, pattern_camera):
    """arv-camera-test-0.8 with Aravis's defaults (the camera's own settings, 50 buffers, sync
    USB mode) for 4 s: frames every second, no failed buffer."""
    pattern_camera.ensure()
    mark = guest.dmesg_mark()
    rc, out, err = guest.run_split("arv-camera-test-0.8 --duration 4", 120)
    r = arvstream.parse_camera_test(out)
    print(out)
    print("arv-camera-test: %d frames in %d s (%s frames/s), %.1f MB/s mean, %d errors; %s" % (
        r["frames"], len(r["seconds"]), "/".join(str(s[0]) for s in r["seconds"]),
        sum(s[1] for s in r["seconds"]) / max(1, len(r["seconds"])), r["errors"],
        " ".join("%s=%s" % (k, v) for k, v in r.items() if k.startswith("n_"))))
    raw = "rc=%d\nstdout:\n%s\nstderr:\n%s\ndmesg:\n%s" % (rc, out, err, guest.dmesg_since(mark))
    assert rc == 0, raw
    assert r.get("model") == MODEL, raw
    assert r["payload"] == r["width"] * r["height"], "BayerRG8 payload should be width x height:\n" + raw
    assert len(r["seconds"]) >= 3, "expected a line per second for 4 s:\n" + raw
    assert r["frames"] > 0 and r["errors"] == 0, raw
    assert r.get("n_completed_buffers", 0) >= r["frames"] and r.get("n_failures") == 0, raw
    assert r.get("n_underruns", 0) == 0, raw
    assert not kernel_problems(guest.dmesg_since(mark)), raw


@pytest.fixture(scope="module")
def stream_formats(pattern_camera):
    """One arv-stream run over the 8 formats at STREAM_W x STREAM_H (the tests below check each)."""
    return pattern_camera.stream(arvstream.FORMATS, "arv-stream-formats", count=STREAM_FRAMES,
                                 width=STREAM_W, height=STREAM_H, timeout=300)


@pytest.mark.parametrize("fmt", arvstream.FORMATS)
def test_arv_stream_format_bit_exact(guest, stream_formats, fmt):
    """100 frames through libaravis in the guest: status SUCCESS, consecutive frame ids, received
    size == PayloadSize, leader geometry == features, and every pixel == the test pattern."""
    per_format, runs = stream_formats
    run, note = per_format[fmt]
    r = run.results.get(fmt)
    print(run.summary(fmt) + (" (second run)" if note else ""))
    assert r is not None and run.rc in (0, 1), _stream_failure(run, fmt, guest)
    assert r["frames"] >= STREAM_FRAMES and r["errors"] == 0 and not run.errors(fmt), _stream_failure(run, fmt, guest)
    assert (r["width"], r["height"]) == (STREAM_W, STREAM_H), run.stdout
    assert r["underruns"] == 0, _stream_failure(run, fmt, guest)


def test_monitor_judges_aravis_correct(guest, stream_formats, pattern_camera):
    """libaravis through the kernel's vhci-hcd, streaming every format: the host-behaviour
    monitor (docs/host-monitor.md) must not find a single error in what it did."""
    with IoChannel(pattern_camera.io_path) as io:
        seen = io.lines("violations")
    print("monitor after arv-stream: %d violation(s)" % len(seen))
    for line in seen[:20]:
        print("  " + line)
    assert [line for line in seen if line.split()[3] == "error"] == [], "\n".join(seen[:20])


def test_arv_stream_full_resolution_bayerrg8(guest, pattern_camera):
    """BayerRG8 at 4096 x 2160 (8.8 MB a frame), 100 frames, bit-exact."""
    mark = guest.dmesg_mark()
    per_format, runs = pattern_camera.stream(["BayerRG8"], "arv-stream-full", count=STREAM_FRAMES, timeout=420)
    run, note = per_format["BayerRG8"]
    r = run.results.get("BayerRG8")
    print(run.summary("BayerRG8") + (" (second run)" if note else ""))
    assert r is not None and run.rc in (0, 1), _stream_failure(run, "BayerRG8", guest)
    assert r["frames"] >= STREAM_FRAMES and r["errors"] == 0 and not run.errors("BayerRG8"), \
        _stream_failure(run, "BayerRG8", guest)
    assert (r["width"], r["height"], r["payload"]) == (4096, 2160, 4096 * 2160), run.stdout
    bad = kernel_problems(guest.dmesg_since(mark))
    assert not bad, "kernel complained while streaming:\n" + "\n".join(bad)
