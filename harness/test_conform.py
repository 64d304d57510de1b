"""dfk-conform against the emulator over our userspace USB/IP client: every
suite of the tool must pass, and its JUnit report must say so."""
import os
import subprocess
import xml.etree.ElementTree as ET

import pytest

from emu import CONFORM, ROOT, Emulator

FIXTURES = os.path.join(ROOT, "fixtures", "dfk38ux267")


def run_conform(emu, *args, timeout=300):
    cmd = [CONFORM, "--device", emu.url(), "--fixtures", FIXTURES] + list(args)
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


def suites():
    out = subprocess.run([CONFORM, "--list"], capture_output=True, text=True, check=True).stdout
    return out.split()


@pytest.mark.parametrize("suite", suites())
def test_suite_passes(suite, tmp_path):
    junit = tmp_path / "junit.xml"
    with Emulator() as emu:
        r = run_conform(emu, "--suite", suite, "--junit", str(junit), "-v")
        assert r.returncode == 0, "dfk-conform --suite %s failed:\n%s\n%s\nemulator log:\n%s" % (
            suite, r.stdout[-6000:], r.stderr[-2000:], emu.tail())
        assert emu.alive()
    tree = ET.parse(junit)
    cases = tree.findall(".//testcase")
    assert cases, "JUnit report has no test cases"
    failed = [c.get("name") for c in cases if c.find("failure") is not None]
    assert not failed, failed
    if suite != "usbip":
        assert not [c for c in cases if c.find("skipped") is not None], "suite %s skipped tests" % suite


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
