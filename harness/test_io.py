# SPDX-License-Identifier: MIT
"""The I/O side channel (docs/io-protocol.md) and the VCD trace: waveforms in,
device-time events and STROBE_OUT out, a trace GTKWave can read; bad requests
get an error and never hurt the emulator."""
import os
import re
import socket
import subprocess

import pytest

import features as F
from dfk_io import IoChannel, IoError
from dfk_testlib import open_camera
from emu import EMU

MS = 1_000_000


@pytest.fixture
def cam(emu_factory, tmp_path):
    io = str(tmp_path / "io.sock")
    e = emu_factory(args=["--io", io, "--source", "pattern"])
    assert oct(os.stat(io).st_mode & 0o777) == "0o600", "the side channel must be private to its user"
    return e, io


def test_clock_and_line(cam):
    e, path = cam
    with IoChannel(path) as io:
        io.pause()
        t0 = io.time()
        assert io.time() == t0, "a paused clock moved"
        seq = io.seq()
        io.request("line pulse 1000 at %d count 3 period 5000" % (t0 + 10_000))
        assert int(io.request("line")) == 0
        assert io.advance(20_000) == t0 + 20_000
        edges = [(ev["t"], ev["a"]) for ev in io.events(seq) if ev["kind"] == "trigger_in"]
        assert edges == [(t0 + 10_000, 1), (t0 + 11_000, 0), (t0 + 15_000, 1), (t0 + 16_000, 0),
                         (t0 + 20_000, 1)][:len(edges)] and len(edges) == 5, edges
        assert int(io.request("line")) == 1   # the third pulse's rising edge is at exactly t0 + 20 us
        # the log in bounded pieces: `max N` gives the first N from SEQ, and the rest follows on
        everything = io.lines("events from %d" % seq)
        assert len(everything) >= 5
        assert io.lines("events from %d max 2" % seq) == everything[:2]
        assert io.lines("events from %d max 1000000" % (seq + 2)) == everything[2:]
        # the camera powered up once, at start; nothing imported it since
        assert re.search(r"\bpower_ups=1$", io.request("stats")), io.request("stats")
        io.run()


@pytest.mark.parametrize("bad", [
    "", "nonsense", "clock scale -1", "clock advance 10", "clock until 0", "line set 2", "line pulse 0",
    "line pulse 10 count 0", "line pulse 10 period 5", "line wave 5 1 3 0", "line wave x 1", "events from -1",
    "source moon", "scene light -3", "scene kelvin 99", "vcd start /nonexistent/dir/x.vcd", "camera 9-9",
    "line set 1 at 0", "\x1b[2K forged", "stats extra", "events max 0", "events from 1 max x",
    "events max 3 from 1",
])
def test_bad_requests_get_errors(cam, bad):
    e, path = cam
    with IoChannel(path) as io:
        if bad == "":
            io.sock.sendall(b"\n")
            assert io.request("time")   # an empty line is ignored
            return
        reply = io.raw(bad)
        assert reply.startswith("error"), (bad, reply)
        assert "\x1b" not in reply
        assert io.time() >= 0
    assert e.alive()


def test_overlong_line_closes_only_that_client(cam):
    e, path = cam
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    s.sendall(b"x" * 20000)
    s.settimeout(5)
    try:
        data = s.recv(100)      # the server answers with an error line or just closes
        while data:
            assert b"error" in data
            data = s.recv(100)
    except ConnectionResetError:
        pass                    # closed while our unread bytes were still queued: a reset
    s.close()
    with IoChannel(path) as io:
        assert io.time() >= 0
    assert e.alive()


def trigger_setup(gencp):
    for name, value in [("ExposureAuto", "Off"), ("ExposureTime", 1000.0), ("Width", 256), ("Height", 64),
                        ("TriggerOverlap", "Off"), ("IMXLowLatencyMode", 1), ("StrobeEnable", "On"),
                        ("StrobeOperation", "Exposure"), ("StrobePolarity", "ActiveHigh"), ("TriggerMode", "On")]:
        assert F.write(gencp, name, value).status == 0, name


VCD_VAR = re.compile(r"\$var (\w+) 1 (\S+) (\S+) \$end")


def parse_vcd(path):
    """{signal name: [(time, value)]} from a VCD file."""
    ids, changes, t = {}, {}, 0
    with open(path) as f:
        text = f.read()
    header, _, body = text.partition("$enddefinitions $end")
    for kind, ident, name in VCD_VAR.findall(header):
        ids[ident] = name
        changes[name] = []
    for tok in body.split():
        if tok.startswith("#"):
            t = int(tok[1:])
        elif tok[0] in "01" and tok[1:] in ids:
            changes[ids[tok[1:]]].append((t, int(tok[0])))
    return changes


def test_vcd_trace_of_triggered_strobe(cam, tmp_path):
    """A trigger/strobe scenario traced to VCD: the trace holds the same device
    times as the event log, and STROBE_OUT covers exactly the exposures."""
    e, path = cam
    vcd = str(tmp_path / "trigger.vcd")
    conn, gencp = open_camera(e)
    with conn, IoChannel(path) as io:
        trigger_setup(gencp)
        io.pause()
        io.request("vcd start " + vcd)
        assert F.execute(gencp, "AcquisitionStart").status == 0
        t0 = io.time() + MS
        seq = io.seq()
        io.request("line pulse 100000 at %d count 3 period %d" % (t0, 5 * MS))
        io.advance(20 * MS)
        io.request("vcd stop")
        events = io.events(seq)
        F.execute(gencp, "AcquisitionStop")
        io.run()
    tr = parse_vcd(vcd)
    assert set(tr) >= {"TRIGGER_IN", "trigger_accepted", "exposure_active", "readout_active", "STROBE_OUT",
                       "frame_delivered", "frame_dropped"}
    # the waveform we sent
    assert [c for c in tr["TRIGGER_IN"] if c[0] >= t0] == [
        (t0 + k * 5 * MS + d, v) for k in range(3) for d, v in ((0, 1), (100_000, 0))]
    # three accepted triggers, exposures of 1 ms starting at each edge (low-latency mode, no delay)
    assert [t for t, _ in tr["trigger_accepted"]] == [t0, t0 + 5 * MS, t0 + 10 * MS]
    exp = [(t0 + k * 5 * MS + d, v) for k in range(3) for d, v in ((0, 1), (MS, 0))]
    assert tr["exposure_active"][-6:] == exp
    assert [c for c in tr["STROBE_OUT"] if c[0] >= t0] == exp, "STROBE_OUT must equal the exposure window"
    # no stream channel is open, so each finished readout is a dropped frame (reason: stream off)
    assert len(tr["frame_dropped"]) == 3 and tr["frame_delivered"] == []
    assert all(t > t0 + k * 5 * MS + MS for k, (t, _) in enumerate(tr["frame_dropped"]))
    # the event log says the same
    starts = [ev["t"] for ev in events if ev["kind"] == "exposure_start"]
    assert starts == [t0, t0 + 5 * MS, t0 + 10 * MS]


def test_vcd_from_command_line(emu_factory, tmp_path):
    vcd = str(tmp_path / "boot.vcd")
    io_path = str(tmp_path / "io.sock")
    e = emu_factory(args=["--io", io_path, "--vcd", vcd])
    with IoChannel(io_path) as io:
        io.request("line set 1")
        io.request("line set 0 at +1000")
    conn, gencp = open_camera(e)   # the import powers the camera up: the trace notes it
    conn.close()
    assert e.stop() == 0
    tr = parse_vcd(vcd)
    assert tr["TRIGGER_IN"][:1] == [(tr["TRIGGER_IN"][0][0], 0)]   # initial value
    assert any(v == 1 for _, v in tr["TRIGGER_IN"])


def test_tcp_side_channel_on_loopback_only(emu_factory):
    """--io tcp:ADDR:PORT is for clients that cannot reach a Unix socket (a VM guest behind
    slirp). It binds loopback addresses only; anything else is refused at start."""
    e = emu_factory(args=["--io", "tcp:127.0.0.1:0", "--source", "pattern"])
    with open(e.out_path) as f:
        m = re.search(r"I/O side channel on (tcp:127\.0\.0\.1:(\d+))", f.read())
    assert m and int(m.group(2)) > 0, "the chosen port must be printed"
    with IoChannel(m.group(1)) as io:
        io.pause()
        t = io.time()
        assert io.advance(MS) == t + MS
        assert io.request("clock").split()[:5] == [str(t + MS), "scale", "1", "paused", "1"]
    for bad in ("tcp:0.0.0.0:0", "tcp:192.0.2.1:0", "tcp:nonsense"):
        r = subprocess.run([EMU, "--listen", "127.0.0.1:0", "--state-dir", str(e.state_dir) + "-x", "--io", bad],
                           capture_output=True, text=True, timeout=10)
        assert r.returncode == 1, (bad, r.returncode, r.stderr)
        assert "I/O side channel" in r.stderr, r.stderr
