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


@pytest.mark.parametrize("suite", suites())
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
