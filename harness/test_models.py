# SPDX-License-Identifier: MIT
"""The second built-in model, the monochrome DMK 38UX267 (`dfk-emu --model dmk38ux267`):
its identity on the wire, and dfk-conform's suites that apply to a monochrome camera
running green against it, with the expectations dfk-conform finds by itself from the
device's model name (fixtures/dmk38ux267/, derived from the DFK's: see its README).

Not run against it: `dependencies` and `imaging`, which check white balance, hue,
saturation and the colour formats by name (a DMK has none of them)."""
import os
import subprocess
import xml.etree.ElementTree as ET

import pytest

import features as F
import usbip_client as U
from dfk_testlib import fixture_formats
from emu import CONFORM, ROOT, Emulator

MODEL = "dmk38ux267"
FIXTURES = os.path.join(ROOT, "fixtures", MODEL)
SUITES = ["usbip", "descriptors", "gencp", "bootstrap", "genicam", "features", "usersets", "stream", "framerate",
          "trigger", "strobe"]


def test_identity_on_the_wire(emu_factory):
    """USB/IP device list, device descriptor, strings and ABRM say DMK 38UX267, 199e:980e, its serial."""
    ident = F.identity(MODEL)
    e = emu_factory(args=["--model", MODEL])
    devs = U.list_devices(e.host, e.port)
    assert [(d.idVendor, d.idProduct) for d in devs] == [(0x199E, 0x980E)]
    with U.UsbipConnection(e.host, e.port) as conn:
        status, _ = conn.import_device("1-1")
        assert status == U.ST_OK
        dd = U.parse_device_descriptor(conn.get_descriptor(U.USB_DT_DEVICE, 0, 18))
        assert (dd["idVendor"], dd["idProduct"]) == (ident["vendor_id"], ident["product_id"])
        assert conn.get_string(dd["iProduct"]) == "DMK 38UX267"
        assert conn.get_string(dd["iSerialNumber"]) == ident["default_serial"]
        conn.set_configuration(1)
        gencp = U.GenCP(conn)
        assert gencp.read_string(U.ABRM_MODEL_NAME) == "DMK 38UX267"
        assert gencp.read_string(U.ABRM_SERIAL_NUMBER) == ident["default_serial"]
        assert not conn.violations


def test_no_colour_features():
    """The DMK's feature table is the DFK's without white balance, hue and saturation."""
    dfk, dmk = F.table(), F.table(MODEL)
    colour = {"BalanceWhiteAuto", "BalanceWhiteMode", "BalanceWhiteAutoPreset", "BalanceRatioSelector",
              "BalanceRatio", "BalanceWhiteTemperature", "BalanceWhiteTemperaturePreset", "Hue", "Saturation"}
    assert colour <= set(dfk.sections())
    assert set(dmk.sections()) == set(dfk.sections()) - colour
    assert dmk["PixelFormat"]["entries"].split(";") == ["Mono8", "Mono12p", "Mono16"]
    assert dmk["@model"]["colour_filter"] == "none"


@pytest.mark.parametrize("suite", SUITES)
def test_suite_passes(suite, tmp_path):
    """Each suite against a fresh DMK showing the bit-exact test pattern, the I/O side channel as
    the rig; dfk-conform runs in the source tree and picks fixtures/dmk38ux267 itself."""
    junit = tmp_path / "junit.xml"
    io = str(tmp_path / "io.sock")
    frames = tmp_path / "frames"
    with Emulator(["--model", MODEL, "--source", "pattern", "--seed", "7", "--io", io]) as emu:
        r = subprocess.run([CONFORM, "--device", emu.url(), "--suite", suite, "--junit", str(junit), "-v",
                            "--expect-pattern", "7", "--io", io, "--save-frames", str(frames)],
                           capture_output=True, text=True, timeout=600, cwd=ROOT)
        assert r.returncode == 0, "dfk-conform --suite %s failed:\n%s\n%s\nemulator log:\n%s" % (
            suite, r.stdout[-6000:], r.stderr[-2000:], emu.tail())
        assert emu.alive()
    assert "expectations from fixtures/%s" % MODEL in r.stdout, r.stdout[:2000]
    cases = ET.parse(junit).findall(".//testcase")
    assert cases, "JUnit report has no test cases"
    assert not [c.get("name") for c in cases if c.find("failure") is not None]
    assert not [c for c in cases if c.find("skipped") is not None], "suite %s skipped tests" % suite
    if suite == "stream":
        names = {c.get("name") for c in cases}
        for fmt in fixture_formats(FIXTURES):
            assert fmt in names, (fmt, names)
            assert any(p.name.startswith("format-%s-" % fmt) for p in frames.iterdir()), fmt


def test_stream_catches_a_wrong_pattern(tmp_path):
    """The frame checker really compares Mono frames: a seed the emulator does not use fails every format."""
    with Emulator(["--model", MODEL, "--source", "pattern", "--seed", "7"]) as emu:
        r = subprocess.run([CONFORM, "--device", emu.url(), "--suite", "stream", "--expect-pattern", "8"],
                           capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert r.returncode == 1, r.stdout[-3000:]
    for fmt in fixture_formats(FIXTURES):
        assert "FAIL stream/%s: " % fmt in r.stdout, (fmt, r.stdout[-3000:])


def test_fixtures_options(tmp_path):
    """--model picks fixtures/ID, --fixtures a directory, not both; a device without fixtures is a usage error."""
    with Emulator(["--model", MODEL]) as emu:
        r = subprocess.run([CONFORM, "--device", emu.url(), "--suite", "genicam", "--model", MODEL],
                           capture_output=True, text=True, timeout=300, cwd=ROOT)
        assert r.returncode == 0, r.stdout + r.stderr
        assert "expectations from fixtures/%s" % MODEL in r.stdout
        r = subprocess.run([CONFORM, "--device", emu.url(), "--model", MODEL, "--fixtures", FIXTURES],
                           capture_output=True, text=True, timeout=60, cwd=ROOT)
        assert r.returncode == 2 and "give one" in r.stderr, r.stdout + r.stderr
        # outside the source tree there is no fixtures/<model>: say so instead of testing without
        r = subprocess.run([CONFORM, "--device", emu.url(), "--suite", "genicam"],
                           capture_output=True, text=True, timeout=60, cwd=str(tmp_path))
        assert r.returncode == 2 and "no fixtures for DMK 38UX267" in r.stderr, r.stdout + r.stderr
