# SPDX-License-Identifier: MIT
"""Regressions of an independent attack run against dfk-emu: each test commits
the attack that used to crash, hang or exhaust the emulator, and checks the
defined answer and that everyone else is still served (README, Security)."""
import os
import socket
import struct
import subprocess
import threading
import time

import pytest

from dfk_io import IoChannel
from dfk_testlib import SANITIZED, proc_fd_count, proc_rss_kib
from emu import EMU
from usbip_client import list_devices

MIB = 1024


def _import(e, busid=b"1-1"):
    s = socket.create_connection((e.host, e.port), timeout=10)
    s.sendall(struct.pack(">HHI", 0x0111, 0x8003, 0) + busid.ljust(32, b"\0"))
    rep = b""
    while len(rep) < 8 + 0x138:
        chunk = s.recv(8 + 0x138 - len(rep))
        assert chunk, "import refused"
        rep += chunk
    assert rep[:8] == struct.pack(">HHI", 0x0111, 0x0003, 0)
    return s


def _submit(seq, direction, ep, length, setup=b"\0" * 8):
    return struct.pack(">IIIII", 1, seq, 0x00010002, direction, ep) + \
        struct.pack(">IiiiI", 0, length, 0, 0, 0) + setup


def _recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        assert chunk, "connection closed"
        buf += chunk
    return buf


def _still_serving(e):
    assert [d.busid for d in list_devices(e.host, e.port)] == ["1-1"]


def test_ep0_direction_mismatch_stalls(emu_factory):
    """#1: an IN submit carrying a host-to-device SET_CONFIGURATION with wLength 16
    crashed the emulator (RET_SUBMIT copied 16 bytes from NULL). The setup packet
    decides the direction; the disagreement is answered with a STALL (-EPIPE)."""
    e = emu_factory()
    s = _import(e)
    s.sendall(_submit(7, 1, 0, 16, bytes([0x00, 0x09, 0x01, 0x00, 0x00, 0x00, 0x10, 0x00])))
    rep = _recv_exact(s, 48)
    command, seq, _, _, _, status, actual = struct.unpack(">IIIIIii", rep[:28])
    assert (command, seq, status, actual) == (3, 7, -32, 0)
    # the same connection keeps working: GET_DESCRIPTOR(DEVICE)
    s.sendall(_submit(8, 1, 0, 18, bytes([0x80, 0x06, 0x00, 0x01, 0x00, 0x00, 0x12, 0x00])))
    rep = _recv_exact(s, 48 + 18)
    assert struct.unpack(">IIIIIii", rep[:28])[5:] == (0, 18)
    assert rep[48:50] == b"\x12\x01"
    s.close()
    assert e.alive()
    _still_serving(e)


def test_queued_urbs_without_reading_are_bounded(emu_factory):
    """#2: 1.5 M IN URBs queued without reading cost +50 MB. Past 16384 in flight
    each submit fails with -ENOMEM, and with the replies unread the emulator stops
    parsing: its memory stays flat."""
    e = emu_factory()
    s = _import(e)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    rss0 = proc_rss_kib(e.proc.pid)
    s.sendall(_submit(1, 0, 0, 0, bytes([0x00, 0x09, 0x01, 0, 0, 0, 0, 0])))
    batch = b"".join(_submit(100 + i, 1, 3, 1 << 20) for i in range(4096))
    s.settimeout(0.5)
    sent = 0
    deadline = time.monotonic() + 10
    while sent < 100 and time.monotonic() < deadline:   # up to 409600 URBs, ~20 MB of requests
        try:
            s.sendall(batch)
            sent += 1
        except socket.timeout:
            break                                       # the emulator stopped reading: as it must
    assert sent < 100, "the emulator kept reading a client that never reads its replies"
    time.sleep(0.3)
    grew = proc_rss_kib(e.proc.pid) - rss0
    if not SANITIZED:   # ASan's quarantine holds freed memory: RSS says nothing there
        assert grew < 16 * MIB, "RSS grew by %d KiB after %d batches of 4096 URBs" % (grew, sent)
    # the replies that did come are well formed: first the SET_CONFIGURATION, then -ENOMEM ones
    s.settimeout(10)
    rep = _recv_exact(s, 48)
    assert struct.unpack(">IIIIIii", rep[:28])[:2] == (3, 1)
    s.close()
    assert e.alive()
    _still_serving(e)


@pytest.fixture
def io_cam(emu_factory, tmp_path):
    io = str(tmp_path / "io.sock")
    trace = tmp_path / "traces"
    trace.mkdir()
    e = emu_factory(args=["--io", io, "--trace-dir", str(trace), "--source", "pattern"])
    return e, io, trace


def test_io_pipelined_requests_never_read_are_bounded(io_cam):
    """#3: pipelined `help` requests whose replies were never read took 3.3 GB.
    Past 1 MiB of unread replies the emulator stops reading that client."""
    e, path, _ = io_cam
    rss0 = proc_rss_kib(e.proc.pid)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect(path)
    s.settimeout(0.5)
    block = b"help\nevents\n" * 4096
    sent = 0
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and sent < 2000:
        try:
            s.sendall(block)
            sent += 1
        except socket.timeout:
            break
    assert sent < 2000, "the emulator kept reading a client that never reads its replies"
    time.sleep(0.3)
    grew = proc_rss_kib(e.proc.pid) - rss0
    if not SANITIZED:
        assert grew < 16 * MIB, "RSS grew by %d KiB" % grew
    with IoChannel(path) as io:         # everyone else is served meanwhile
        assert io.time() >= 0
    s.close()


def test_io_many_idle_clients_do_not_lock_out(io_cam):
    """#8: 16 idle clients locked everyone else out. At the limit (64) the
    client idle the longest is closed; a new client is always served."""
    e, path, _ = io_cam
    idle = []
    for _ in range(80):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(path)
        idle.append(s)
    time.sleep(0.2)                     # let the emulator accept them all (listen backlog)
    with IoChannel(path) as io:
        assert io.time() >= 0
    # the first ones were evicted, with a reason
    idle[0].settimeout(5)
    assert idle[0].recv(100).startswith(b"error evicted")
    assert proc_fd_count(e.proc.pid) < 64 + 40
    for s in idle:
        s.close()


def test_io_scheduler_handles_100k_edges(io_cam):
    """#4: 50 000 pulses (100 000 pending edges) blocked the event loop for 36 s
    and the following advance for 59 s (a sorted list). With a heap both are
    quick; the limit below only guards against a hang, it is no speed target."""
    e, path, _ = io_cam
    with IoChannel(path, timeout=10) as io:
        io.pause()
        seq = io.seq()
        io.request("line pulse 10 at +1000 count 50000 period 100")
        io.advance(1000 + 50000 * 100 + 10)
        edges = [ev for ev in io.events(seq) if ev["kind"] == "trigger_in"]
        io.run()
    # the event log is a ring: it keeps the newest edges, exactly on the programmed times
    assert edges and edges[-1]["a"] == 0
    assert all(b["t"] - a["t"] == (10 if a["a"] else 90) for a, b in zip(edges, edges[1:]))
    assert e.alive()


def test_io_vcd_paths_are_confined(io_cam, tmp_path):
    """#5: `vcd start PATH` opened any path, truncating and following symlinks.
    With --trace-dir only a plain name in that directory is accepted; a symlink
    is not followed and a file of another user is not truncated."""
    e, path, trace = io_cam
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    (trace / "link.vcd").symlink_to(victim)
    with IoChannel(path) as io:
        for bad in ("vcd start ../victim.txt", "vcd start %s" % victim, "vcd start link.vcd", "vcd start .."):
            assert io.raw(bad).startswith("error"), bad
        assert io.raw("vcd start ok.vcd") == "ok"
        io.request("vcd stop")
        if os.geteuid() == 0:
            other = trace / "other.vcd"
            other.write_text("not yours")
            os.chown(other, 65534, 65534)
            assert io.raw("vcd start other.vcd").startswith("error")
            assert other.read_text() == "not yours"
    assert victim.read_text() == "precious"
    assert (trace / "ok.vcd").read_text().startswith("$date")


def test_io_vcd_over_tcp_needs_trace_dir(emu_factory, tmp_path):
    """#5: over TCP (a VM guest, any local user) `vcd start` writes nowhere unless
    the operator named a trace directory."""
    e = emu_factory(args=["--io", "tcp:127.0.0.1:0"])
    with open(e.out_path) as f:
        addr = [w for w in f.read().split() if w.startswith("tcp:")][0]
    target = tmp_path / "x.vcd"
    with IoChannel(addr) as io:
        reply = io.raw("vcd start %s" % target)
        assert reply.startswith("error") and "trace-dir" in reply
    assert not target.exists()


@pytest.mark.parametrize("bad", ["nan", "NaN", "inf", "-inf", "1e400", "0x1p2000", "-nan"])
def test_non_finite_time_scale_refused(io_cam, bad):
    """#6: `clock scale nan` and `--time-scale nan` were accepted and device time
    jumped to 2^63 ns."""
    e, path, _ = io_cam
    with IoChannel(path) as io:
        t0 = io.time()
        assert io.raw("clock scale %s" % bad).startswith("error")
        t1 = io.time()
        assert 0 <= t1 - t0 < 60 * 10**9
    for arg in (bad, " 1", "1 ", ""):
        r = subprocess.run([EMU, "--time-scale", arg, "--listen", "127.0.0.1:0", "--state-dir", str(e.state_dir)],
                           capture_output=True, text=True, timeout=10)
        assert r.returncode == 2 and "--time-scale" in r.stderr, arg


@pytest.mark.parametrize("bad", [
    "line pulse 1 at 18446744073709551614", "line set 1 at 18446744073709551615",
    "line pulse 10 at +1 count 50000 period 9223372036854775000", "clock advance 18446744073709551615",
    "line set 1 at +18446744073709551615", "line wave 9223372036854775808 1",
])
def test_times_at_the_end_of_time_refused(io_cam, bad):
    """#7: a pulse at 2^64 - 2 put its falling edge on the value meaning "now";
    times and sums past 2^63 ns are refused."""
    e, path, _ = io_cam
    with IoChannel(path) as io:
        io.pause()
        t0 = io.time()
        assert io.raw(bad).startswith("error"), bad
        assert io.time() == t0
        assert io.advance(1000) == t0 + 1000
        io.run()


def test_listening_beyond_loopback_warns(emu_factory):
    """#10: --listen 0.0.0.0:P started without a word although USB/IP has no
    authentication."""
    e = emu_factory(args=[])
    r = subprocess.Popen([EMU, "--listen", "0.0.0.0:0", "--state-dir", str(e.state_dir) + "-any"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = r.stdout.readline()
        assert "listening on 0.0.0.0:" in line
    finally:
        r.terminate()
        _, err = r.communicate(timeout=10)
    assert "no authentication" in err and "0.0.0.0" in err


def test_unread_stream_keeps_memory_flat(emu_factory):
    """#2, the stream: a client that queued 1 MiB stream URBs and never read took
    RSS from 13 MB to 5.3 GB in 40 s. Frames now wait in the camera's frame
    memory only: the emulator's RSS stays within that memory, the 64 MiB send
    queue and the frames it pins, however long the client goes on."""
    import features as F
    from dfk_testlib import open_camera
    from faketime.ft_client import setup_stream
    e = emu_factory(args=["--time-scale", "0", "--source", "pattern"])
    conn, gencp = open_camera(e)
    F.write(gencp, "PixelFormat", "BGR8")                    # 26.5 MB frames at 4096 x 2160
    setup_stream(gencp)
    assert F.execute(gencp, "AcquisitionStart").status == 0
    s = conn.sock
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    rss0 = proc_rss_kib(e.proc.pid)
    s.settimeout(0.5)
    seq = 0x10000
    sent = 0
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        batch = b"".join(_submit(seq + i, 1, 3, 1 << 20) for i in range(256))
        seq += 256
        try:
            s.sendall(batch)
            sent += 256
        except socket.timeout:
            break
    assert sent >= 256
    # before the fix RSS rose by ~70 MiB a second for as long as the client went on
    time.sleep(1)
    mid = proc_rss_kib(e.proc.pid)
    time.sleep(3)
    end = proc_rss_kib(e.proc.pid)
    if not SANITIZED:
        assert end - rss0 < 200 * MIB, "RSS grew by %d MiB after %d URBs" % ((end - rss0) // MIB, sent)
        assert end - mid < 16 * MIB, "RSS still growing: +%d MiB in 3 s" % ((end - mid) // MIB)
    s.close()
    assert e.alive()
    _still_serving(e)
