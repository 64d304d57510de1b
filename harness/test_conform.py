# SPDX-License-Identifier: MIT
"""dfk-conform against the emulator over our userspace USB/IP client: every
suite of the tool must pass, and its JUnit report must say so."""
import os
import subprocess
import xml.etree.ElementTree as ET

import pytest

import features as F
from dfk_testlib import fixture_formats
from emu import CONFORM, ROOT, Emulator

# the fixtures of the emulator's default model (the one these tests start)
FIXTURES = os.path.join(ROOT, "fixtures", F.identity()["id"])


def run_conform(emu, *args, timeout=300):
    cmd = [CONFORM, "--device", emu.url(), "--fixtures", FIXTURES] + list(args)
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


def suites():
    out = subprocess.run([CONFORM, "--list"], capture_output=True, text=True, check=True).stdout
    return out.split()


# the suite of the camera's USB Video Class face (dfk-emu --interface uvc); every other suite is
# for its USB3 Vision face
UVC_SUITE = "uvc"


@pytest.mark.parametrize("suite", [s for s in suites() if s != UVC_SUITE])
def test_suite_passes(suite, tmp_path):
    """Every suite against an emulator showing the bit-exact test pattern, with
    the I/O side channel as the rig for the trigger, strobe, imaging and faults suites."""
    junit = tmp_path / "junit.xml"
    io = str(tmp_path / "io.sock")
    frames = tmp_path / "frames"
    with Emulator(["--source", "pattern", "--seed", "7", "--io", io]) as emu:
        r = run_conform(emu, "--suite", suite, "--junit", str(junit), "-v", "--expect-pattern", "7",
                        "--io", io, "--save-frames", str(frames))
        assert r.returncode == 0, "dfk-conform --suite %s failed:\n%s\n%s\nemulator log:\n%s" % (
            suite, r.stdout[-6000:], r.stderr[-2000:], emu.tail())
        assert emu.alive()
    tree = ET.parse(junit)
    cases = tree.findall(".//testcase")
    assert cases, "JUnit report has no test cases"
    failed = [c.get("name") for c in cases if c.find("failure") is not None]
    assert not failed, failed
    assert not [c for c in cases if c.find("skipped") is not None], "suite %s skipped tests" % suite
    if suite == "stream":
        # one PNG per pixel format, decoded to RGB, for a person to look at
        names = sorted(p.name for p in frames.iterdir())
        for fmt in fixture_formats(FIXTURES):
            assert any(n.startswith("format-%s-" % fmt) for n in names), (fmt, names)


def test_rig_suites_skip_without_rig(tmp_path):
    """Without --io the trigger, strobe and faults suites say why they do not run."""
    with Emulator() as emu:
        r = run_conform(emu, "--suite", "trigger,strobe,faults")
    assert r.returncode == 0, r.stdout + r.stderr
    for suite in ("trigger", "strobe", "faults"):
        assert "%s suite skipped: it needs an I/O rig" % suite in r.stdout, r.stdout


def test_unknown_device_exit_codes():
    # a usb:// device that is not there: a clear message and the skip status
    r = subprocess.run([CONFORM, "--device", "usb://199e:ffff"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 77, r.stdout + r.stderr
    assert "SKIPPED" in r.stdout and "199e:ffff" in r.stdout
    # a malformed URL is a usage error
    r = subprocess.run([CONFORM, "--device", "http://x"], capture_output=True, text=True, timeout=60)
    assert r.returncode not in (0, 77)
    r = subprocess.run([CONFORM, "--device", "usbip://127.0.0.1:1/1-1", "--suite", "nosuch"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "unknown suite" in r.stderr


def test_uvc_suite_passes(tmp_path):
    """The uvc suite against dfk-emu --interface uvc over usbip://, frames byte for byte
    (--expect-pattern), the extension-unit mapping from the tree (uvcmap/)."""
    junit = tmp_path / "junit.xml"
    with Emulator(["--interface", "uvc", "--source", "pattern", "--seed", "7"]) as emu:
        r = subprocess.run([CONFORM, "--device", emu.url(), "--junit", str(junit), "-v", "--expect-pattern", "7"],
                           capture_output=True, text=True, timeout=300, cwd=ROOT)
        assert r.returncode == 0, "dfk-conform (uvc) failed:\n%s\n%s\nemulator log:\n%s" % (
            r.stdout[-8000:], r.stderr[-2000:], emu.tail())
        assert emu.alive()
    assert "(USB Video Class)" in r.stdout and "expectations from fixtures/dfk38ux267" in r.stdout, r.stdout[:2000]
    cases = ET.parse(junit).findall(".//testcase")
    listed = subprocess.run([CONFORM, "--list-tests"], capture_output=True, text=True, check=True).stdout
    want = sorted(l.split("/", 1)[1] for l in listed.splitlines() if l.startswith(UVC_SUITE + "/"))
    # a UVC device gets the uvc suite and only it, every test run
    assert sorted(c.get("name") for c in cases) == want
    assert not [c.get("name") for c in cases if c.find("failure") is not None]
    assert not [c for c in cases if c.find("skipped") is not None]


def test_suites_of_the_other_face_refused(tmp_path):
    """Asking for a suite of the other face is a usage error that says why."""
    with Emulator(["--interface", "uvc"]) as emu:
        r = subprocess.run([CONFORM, "--device", emu.url(), "--suite", "gencp"], capture_output=True, text=True,
                           timeout=60, cwd=ROOT)
    assert r.returncode == 2 and "suite 'gencp' does not apply" in r.stderr, r.stdout + r.stderr
    with Emulator() as emu:
        r = subprocess.run([CONFORM, "--device", emu.url(), "--suite", UVC_SUITE], capture_output=True, text=True,
                           timeout=60, cwd=ROOT)
    assert r.returncode == 2 and "the uvc suite needs a USB Video Class device" in r.stderr, r.stdout + r.stderr
