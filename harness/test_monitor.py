# SPDX-License-Identifier: MIT
"""The host-behaviour monitor live (docs/host-monitor.md): a correct host produces no
violation at all, a host that breaks a rule is reported as it happens (I/O request
`violations`, event log) and in --host-report's JSON and JUnit at exit."""
import json
import os
import subprocess
import xml.etree.ElementTree as ET

import features as F
import usbip_client as U
from dfk_io import IoChannel
from dfk_testlib import open_camera
from emu import BUILD
from faketime.ft_client import STREAM_EP, setup_stream

CONFORM = os.path.join(BUILD, "dfk-conform")


def violations(io):
    """[(rule, severity, seq)] recorded so far."""
    return [tuple(line.split()[2:5]) for line in io.lines("violations")]


def test_correct_hosts_produce_no_violation(emu_factory, tmp_path):
    """dfk-conform's configuration and stream suites and the Python client streaming are
    correct hosts: the monitor must not judge them wrong (not even a warning)."""
    io_path = str(tmp_path / "io.sock")
    report = str(tmp_path / "host")
    e = emu_factory(args=["--io", io_path, "--source", "pattern", "--host-report", report])
    r = subprocess.run([CONFORM, "--device", e.url(), "--suite", "descriptors,bootstrap,genicam,stream,framerate",
                        "--expect-pattern", "0"], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout[-3000:]
    conn, gencp = open_camera(e)
    with conn:
        for name, value in (("PixelFormat", "Mono8"), ("Width", 256), ("Height", 16)):
            assert F.write(gencp, name, value).status == 0
        setup_stream(gencp)
        assert F.execute(gencp, "AcquisitionStart").status == 0
        for _ in range(30):
            assert conn.transfer(STREAM_EP, U.USBIP_DIR_IN, 1 << 20, flags=U.URB_DIR_IN, timeout=5).status == 0
        assert F.execute(gencp, "AcquisitionStop").status == 0
    # two stream-suite tests do unusual things on purpose, and get a warning for it, nothing
    # else: the slow reader lets the frame memory overrun, the lock check starts an
    # acquisition without opening the stream
    deliberate = {"u3v-frame-lost-host-slow", "u3v-acquisition-stream-disabled"}
    with IoChannel(io_path) as io:
        seen = violations(io)
    assert [v for v in seen if v[0] not in deliberate] == [], seen[:10]
    assert all(v[1] == "warning" for v in seen)
    assert e.stop() == 0
    with open(report + ".json") as f:
        rep = json.load(f)
    assert len(rep["violations"]) == len(seen)
    suite = ET.parse(report + ".xml").getroot()
    assert not list(suite.iter("failure"))


def test_violations_are_reported_live_and_at_exit(emu_factory, tmp_path):
    io_path = str(tmp_path / "io.sock")
    report = str(tmp_path / "host")
    e = emu_factory(args=["--io", io_path, "--source", "pattern", "--host-report", report])
    conn, gencp = open_camera(e)
    with conn, IoChannel(io_path) as io:
        seq = io.seq()
        # GenCP: a write to a read-only register (SBRM U3V Version) is answered WRITE_PROTECT
        sbrm = gencp.read_u64(U.ABRM_SBRM_ADDRESS)
        assert gencp.write_ack(sbrm, b"\1\0\0\0").status == 0x8004   # WRITE_PROTECT
        # the stream enabled before the SIRM sizes were written
        sirm = gencp.read_u64(sbrm + U.SBRM_SIRM_ADDRESS)
        gencp.write_u32(sirm + 0x04, 1)
        gencp.write_u32(sirm + 0x04, 0)
        # a bulk IN on the stream endpoint that is no multiple of the 1024-byte packet
        setup_stream(gencp)
        assert F.execute(gencp, "AcquisitionStart").status == 0
        conn.transfer(STREAM_EP, U.USBIP_DIR_IN, 1 << 20, flags=U.URB_DIR_IN, timeout=5)   # leader
        conn.transfer(STREAM_EP, U.USBIP_DIR_IN, 1000, flags=U.URB_DIR_IN, timeout=5)
        F.execute(gencp, "AcquisitionStop")
        live = violations(io)
        kinds = [ev for ev in io.events(seq) if ev["kind"] == "host_violation"]
    rules = [v[0] for v in live]
    for want in ("gencp-write-readonly", "u3v-stream-enable-before-sirm", "u3v-bulk-in-size"):
        assert want in rules, live
    assert len(kinds) == len(live)
    assert e.stop() == 0
    with open(report + ".json") as f:
        rep = json.load(f)
    assert sorted(v["rule"] for v in rep["violations"]) == sorted(rules)
    failed = {tc.get("name") for tc in ET.parse(report + ".xml").getroot().iter("testcase")
              if tc.find("failure") is not None}
    assert {"gencp-write-readonly", "u3v-stream-enable-before-sirm", "u3v-bulk-in-size"} <= failed


def test_monitor_off(emu_factory, tmp_path):
    io_path = str(tmp_path / "io.sock")
    e = emu_factory(args=["--io", io_path, "--monitor", "off"])
    with IoChannel(io_path) as io:
        assert io.raw("violations").startswith("error")
