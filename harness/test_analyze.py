# SPDX-License-Identifier: MIT
"""dfk-drivertest --analyze on real kernel captures, without QEMU (docs/host-monitor.md, "Offline:
usbmon captures").

harness/captures/bad-host.pcap (tcpdump -i usbmon0) and bad-host.usbmon (harness/vm/usbmon_dump.c)
were captured at the same time in the QEMU guest of harness/test_analyze_vm.py while
harness/vm/bad_host.c broke five rules once each against dfk-emu over vhci-hcd (regenerate with
DFK_ANALYZE_KEEP=DIR and that test). The VM test compares the analyses with the live monitor;
these check the command line, the reports and the exit status on the same bytes everywhere.
"""
import json
import os
import subprocess
import xml.etree.ElementTree as ET

import pytest

from emu import BUILD

HERE = os.path.dirname(os.path.abspath(__file__))
CAPTURES = os.path.join(HERE, "captures")
DRIVERTEST = os.path.join(BUILD, "dfk-drivertest")
BAD_HOST_RULES = ["gencp-read-exceeds-max-ack", "gencp-read-past-end", "gencp-request-id",
                  "gencp-outstanding", "usb-stalled-endpoint-reuse"]   # in the order committed


@pytest.fixture(scope="module")
def drivertest():
    if not os.path.exists(DRIVERTEST):
        pytest.fail("%s is not built: run `make` first" % DRIVERTEST, pytrace=False)
    return DRIVERTEST


def run(*args, stdin=None):
    return subprocess.run([DRIVERTEST, "--analyze"] + list(args), capture_output=True, timeout=60,
                          input=stdin)


@pytest.mark.parametrize("name", ["bad-host.pcap", "bad-host.usbmon"])
def test_bad_host_capture_flags_its_five_rules(drivertest, tmp_path, name):
    js, xml = tmp_path / "r.json", tmp_path / "r.xml"
    r = run(os.path.join(CAPTURES, name), "--json", str(js), "--junit", str(xml))
    out = r.stdout.decode()
    assert r.returncode == 1, out + r.stderr.decode()
    assert "device 2:3 (USB3 Vision)" in out and "<- judged" in out, out
    assert out.rstrip().endswith("FAIL: 5 errors, 0 warnings (device 2:3, 35 URBs)"), out
    report = json.loads(js.read_text())
    assert report["schema"] == "dfk-emu/host-monitor/1"
    assert [v["rule"] for v in report["violations"]] == BAD_HOST_RULES, report["violations"]
    assert [v["seq"] for v in report["violations"]] == [21, 23, 27, 30, 34]
    assert [v["ep"] for v in report["violations"]] == ["0x01"] * 4 + ["0x83"]
    assert {x["id"]: x["count"] for x in report["rules"] if x["count"]} == {r_: 1 for r_ in BAD_HOST_RULES}
    suite = ET.parse(str(xml)).getroot()
    assert suite.get("failures") == "5" and suite.get("skipped") == "2", ET.tostring(suite)[:300]


def test_quiet_and_stdin(drivertest):
    path = os.path.join(CAPTURES, "bad-host.pcap")
    r = run(path, "--quiet")
    assert r.returncode == 1 and r.stdout.decode().count("\n") == 1, r.stdout
    with open(path, "rb") as f:
        data = f.read()
    r = run("-", "--device", "2:3", "--quiet", stdin=data)
    assert r.returncode == 1 and b"5 errors" in r.stdout, r.stdout + r.stderr


def test_bad_captures_and_usage_exit_2(drivertest, tmp_path):
    with open(os.path.join(CAPTURES, "bad-host.pcap"), "rb") as f:
        data = f.read()
    cut = tmp_path / "cut.pcap"
    cut.write_bytes(data[:len(data) // 2])
    cases = [
        ([str(cut)], b"truncated"),
        ([os.path.join(CAPTURES, "bad-host.pcap"), "--device", "9:9"], b"no events of device 9:9"),
        ([os.path.join(HERE, "test_analyze.py")], b"not a capture"),
        ([str(tmp_path / "missing.pcap")], b"No such file"),
        ([], b"which capture"),
        ([os.path.join(CAPTURES, "bad-host.pcap"), "--device", "2"], b"BUS:DEV"),
        ([os.path.join(CAPTURES, "bad-host.pcap"), "--bogus"], b"unknown option"),
    ]
    for args, msg in cases:
        r = run(*args)
        assert r.returncode == 2 and msg in r.stderr, (args, r.returncode, r.stdout, r.stderr)
    r = run("--help")
    assert r.returncode == 0 and b"usbmon" in r.stdout
    ethernet = tmp_path / "eth.pcap"
    ethernet.write_bytes(bytes.fromhex("d4c3b2a1020004000000000000000000ffff000001000000"))
    r = run(str(ethernet))
    assert r.returncode == 2 and b"link type 1 is not Linux usbmon" in r.stderr, r.stderr
