# SPDX-License-Identifier: MIT
"""Fault injection (docs/faults.md), seen from the host: each fault armed through
the I/O side channel (or --faults) shows on the wire exactly as documented, is
logged with its device time, and the camera serves normally afterwards. The same checks
through dfk-conform's own transport: conformance/suites/suite_faults.c (`--suite faults`)."""
import struct
import time

import pytest

import features as F
import usbip_client as U
from dfk_io import IoChannel
from dfk_testlib import open_camera
from faketime.ft_client import LEADER_MAGIC, STREAM_EP, TRAILER_MAGIC, setup_stream
from usbip_client import list_devices

MS = 1_000_000
W, H = 256, 16                     # Mono8: 4096-byte frames, cheap to render and read


@pytest.fixture
def rig(emu_factory, tmp_path):
    io_path = str(tmp_path / "io.sock")
    e = emu_factory(args=["--io", io_path, "--source", "pattern"])
    return e, io_path


def small_stream(gencp, fps=100.0):
    for name, value in (("PixelFormat", "Mono8"), ("Width", W), ("Height", H), ("ExposureAuto", "Off"),
                        ("ExposureTime", 1000.0), ("AcquisitionFrameRate", fps)):
        assert F.write(gencp, name, value).status == 0, name
    setup_stream(gencp)


def read_frames(conn, n, timeout=10.0):
    """n frames from the stream endpoint: [(leader bytes, payload bytes, trailer bytes)]."""
    frames, cur = [], None
    deadline = time.monotonic() + timeout
    while len(frames) < n:
        urb = conn.transfer(STREAM_EP, U.USBIP_DIR_IN, 1 << 20, flags=U.URB_DIR_IN,
                            timeout=max(0.1, deadline - time.monotonic()))
        assert urb.status == 0, urb.status
        magic = struct.unpack_from("<I", urb.data)[0] if len(urb.data) >= 4 else None
        if magic == LEADER_MAGIC:
            cur = [urb.data, b""]
        elif magic == TRAILER_MAGIC:
            assert cur is not None, "trailer without leader"
            frames.append((cur[0], cur[1], urb.data))
            cur = None
        elif cur is not None:
            cur[1] += urb.data
    return frames


def leader_id(l):
    return struct.unpack_from("<Q", l, 8)[0]


def leader_ts(l):
    return struct.unpack_from("<Q", l, 20)[0]


def trailer_fields(t):
    """(block id, status, valid payload size, size y)"""
    return (struct.unpack_from("<Q", t, 8)[0], struct.unpack_from("<H", t, 16)[0],
            struct.unpack_from("<Q", t, 20)[0], struct.unpack_from("<I", t, 28)[0])


def fault_events(io, seq):
    return [ev for ev in io.events(seq) if ev["kind"] == "fault"]


def test_fault_requests_and_errors(rig):
    e, io_path = rig
    with IoChannel(io_path) as io:
        fid = int(io.request("fault add stall ep 0x83 on transfer 3 count 2"))
        lines = io.lines("fault list")
        assert lines == ["%d stall ep 0x83 on transfer 3 count 2 # fired 0" % fid]
        for bad in ("fault add", "fault add stall", "fault add stall ep 0x83 at nan", "fault add warp ep 1",
                    "fault add drop-payload bytes 0", "fault clear 999", "fault frob"):
            assert io.raw(bad).startswith("error"), bad
        assert io.request("fault clear") == "1"
        assert io.lines("fault list") == []


def test_drop_payload_ends_the_frame_incomplete(rig):
    """drop-payload: the last K bytes never arrive; the trailer says DATA_DISCARDED (0xA100)
    and its valid payload size is what was sent."""
    e, io_path = rig
    conn, gencp = open_camera(e)
    with conn, IoChannel(io_path) as io:
        small_stream(gencp)
        seq = io.seq()
        io.request("fault add drop-payload bytes 1000 on frame 2")
        assert F.execute(gencp, "AcquisitionStart").status == 0
        frames = read_frames(conn, 3)
        F.execute(gencp, "AcquisitionStop")
        ev = fault_events(io, seq)
    sizes = [len(p) for _, p, _ in frames]
    assert sizes == [W * H, W * H - 1000, W * H]
    bid, status, valid, size_y = trailer_fields(frames[1][2])
    assert (status, valid, size_y) == (0xA100, W * H - 1000, (W * H - 1000) // W)
    assert trailer_fields(frames[0][2])[1:3] == (0, W * H)
    assert len(ev) == 1 and ev[0]["a"] >= 1


def test_skip_ids_time_jump_corrupt_and_empty_frame(rig):
    e, io_path = rig
    conn, gencp = open_camera(e)
    with conn, IoChannel(io_path) as io:
        small_stream(gencp)
        for line in ("skip-ids by 5 on frame 2", "time-jump by 1000000000 on frame 3",
                     "corrupt field trailer.status value 0x1234 on frame 4", "empty-frame on frame 5"):
            io.request("fault add " + line)
        assert F.execute(gencp, "AcquisitionStart").status == 0
        frames = read_frames(conn, 6)
        F.execute(gencp, "AcquisitionStop")
    ids = [leader_id(l) for l, _, _ in frames]
    assert ids[1] - ids[0] == 6 and all(b - a == 1 for a, b in zip(ids[1:], ids[2:]))
    assert [trailer_fields(t)[0] for _, _, t in frames] == ids
    ts = [leader_ts(l) for l, _, _ in frames]
    assert ts[2] - ts[1] >= 1_000_000_000 and ts[3] - ts[2] < 1_000_000_000
    assert trailer_fields(frames[3][2])[1] == 0x1234
    assert trailer_fields(frames[4][2])[1:3] == (0xA100, 0) and frames[4][1] == b""
    assert trailer_fields(frames[5][2])[1:3] == (0, W * H)


def test_unplug_and_replug(rig):
    """unplug: the host sees the connection go; replug for D: the camera is gone from the
    device list until D of device time has passed, then importable again."""
    e, io_path = rig
    conn, gencp = open_camera(e)
    with IoChannel(io_path) as io:
        seq = io.seq()
        io.request("fault add replug for 300000000")
        assert conn.wait_closed(2.0), "the host must see the cable go"
        conn.close()
        assert list_devices(e.host, e.port) == []
        deadline = time.monotonic() + 10
        while not list_devices(e.host, e.port) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [d.busid for d in list_devices(e.host, e.port)] == ["1-1"]
        kinds = [ev["b"] for ev in fault_events(io, seq)]
    assert len(kinds) == 1
    conn2, gencp2 = open_camera(e)
    with conn2:
        assert F.read(gencp2, "Width") > 0


def test_fault_clear_plugs_a_pulled_cable_back(rig):
    """`fault clear` undoes what the faults left: a camera a replug fault unplugged (for an
    hour of device time here) is on the bus again at once, so the next test starts clean."""
    e, io_path = rig
    conn, gencp = open_camera(e)
    with IoChannel(io_path) as io:
        io.request("fault add replug for 3600000000000")
        assert conn.wait_closed(2.0), "the host must see the cable go"
        conn.close()
        assert list_devices(e.host, e.port) == []
        io.request("fault clear")      # raises on an error reply
        assert [d.busid for d in list_devices(e.host, e.port)] == ["1-1"]
    conn2, gencp2 = open_camera(e)
    with conn2:
        assert F.read(gencp2, "Width") > 0


def test_link_rate_cap_slows_frames(rig):
    """rate bytes-per-second B: a capped link (a USB 2.0 rate, say) carries each frame in
    len / B of device time: frames arrive that far apart, intact."""
    e, io_path = rig
    conn, gencp = open_camera(e)
    with conn, IoChannel(io_path) as io:
        small_stream(gencp, fps=100.0)
        io.request("fault add rate bytes-per-second 40960")   # 4096-byte frames: 100 ms each
        io.pause()                     # device time moves only when we say: every edge is exact
        assert F.execute(gencp, "AcquisitionStart").status == 0
        seq = io.seq()
        n = io.submitted()
        urbs = [conn.submit(STREAM_EP, U.USBIP_DIR_IN, 1 << 20, flags=U.URB_DIR_IN) for _ in range(8)]
        io.wait_submitted(n + 8)
        got = []
        for _ in range(100):           # 500 ms of device time in 5 ms steps
            io.advance(5 * MS)
            conn.poll(0.02)
            for u in [u for u in urbs if u.done]:
                urbs.remove(u)
                got.append(u)
                urbs.append(conn.submit(STREAM_EP, U.USBIP_DIR_IN, 1 << 20, flags=U.URB_DIR_IN))
        F.execute(gencp, "AcquisitionStop")
        sent = [ev["t"] for ev in io.events(seq) if ev["kind"] == "frame_sent"]
        io.run()
    payloads = [len(u.data) for u in got if u.status == 0 and len(u.data) == W * H]
    assert len(sent) >= 4 and len(payloads) >= 4
    gaps = [b - a for a, b in zip(sent, sent[1:])]
    # back to back on the capped link: exactly len / rate apart (100 ms), not the 10 ms frame period
    assert gaps == [100 * MS] * len(gaps), gaps


def test_faults_file(emu_factory, tmp_path):
    """--faults FILE arms a scenario at start; a bad line refuses to start with its line number."""
    good = tmp_path / "good.faults"
    good.write_text("# a scenario\nskip-ids by 3 on frame 1\n\nempty-frame on frame 2\n")
    e = emu_factory(args=["--faults", str(good), "--source", "pattern"])
    conn, gencp = open_camera(e)
    with conn:
        small_stream(gencp)
        assert F.execute(gencp, "AcquisitionStart").status == 0
        frames = read_frames(conn, 2)
        F.execute(gencp, "AcquisitionStop")
    assert frames[1][1] == b""
    bad = tmp_path / "bad.faults"
    bad.write_text("skip-ids by 3\nwarp drive\n")
    import subprocess
    from emu import EMU
    r = subprocess.run([EMU, "--faults", str(bad), "--listen", "127.0.0.1:0", "--state-dir", str(tmp_path / "s")],
                       capture_output=True, text=True, timeout=10)
    assert r.returncode == 2 and "line 2" in r.stderr, r.stderr


def test_transfer_faults_on_the_wire(rig):
    """stall / short / babble / error on an endpoint, as a real device and link show them:
    the URB status (-EPIPE, -EOVERFLOW, the errno given) or the byte count, and a stalled
    bulk endpoint stays halted until CLEAR_FEATURE(ENDPOINT_HALT)."""
    e, io_path = rig
    conn, gencp = open_camera(e)
    with conn, IoChannel(io_path) as io:
        seq = io.seq()
        for line in ("short ep 0x81 len 4 on transfer 1", "babble ep 0x81 on transfer 2",
                     "error ep 0x81 status -71 on transfer 3"):
            io.request("fault add " + line)
        got = []
        for _ in range(3):
            rid = gencp.next_request_id()
            assert conn.bulk_out(0x01, U.readmem_cmd(0x0, 4, rid), timeout=5).status == 0
            u = conn.transfer(1, U.USBIP_DIR_IN, 1024, flags=U.URB_DIR_IN, timeout=5)
            got.append((u.status, len(u.data)))
        assert got[0] == (0, 4)                 # 16 bytes of ack cut to 4
        assert got[1] == (-75, 0)
        assert got[2] == (-71, 0)
        assert len(fault_events(io, seq)) == 3
        # a STALL halts the stream endpoint until the host clears it
        io.request("fault add stall ep 0x83")
        assert conn.transfer(STREAM_EP, U.USBIP_DIR_IN, 1024, flags=U.URB_DIR_IN, timeout=5).status == -32
        assert conn.control(0x82, U.USB_REQ_GET_STATUS, 0, 0x83, 2).data == b"\1\0"
        assert conn.transfer(STREAM_EP, U.USBIP_DIR_IN, 1024, flags=U.URB_DIR_IN, timeout=5).status == -32
        assert conn.control(0x02, U.USB_REQ_CLEAR_FEATURE, 0, 0x83, 0).status == 0
        assert conn.control(0x82, U.USB_REQ_GET_STATUS, 0, 0x83, 2).data == b"\0\0"
        assert F.read(gencp, "Width") > 0       # the control channel serves on


def test_delay_and_nak_in_device_time(rig):
    """delay ep E by D / nak ep E for D: the transfer completes at exactly D of device
    time later, not before (the clock is paused and advanced by hand)."""
    e, io_path = rig
    conn, gencp = open_camera(e)
    with conn, IoChannel(io_path) as io:
        io.pause()
        for line, d in (("delay ep 0x81 by 5000000", 5 * MS), ("nak ep 0x81 for 7000000", 7 * MS)):
            io.request("fault add " + line + " on transfer 1")
            rid = gencp.next_request_id()
            assert conn.bulk_out(0x01, U.readmem_cmd(0x0, 4, rid), timeout=5).status == 0
            n = io.submitted()
            u = conn.submit(1, U.USBIP_DIR_IN, 1024, flags=U.URB_DIR_IN)
            io.wait_submitted(n + 1)
            io.advance(d - 1)
            conn.poll(0.2)
            assert not u.done, line
            io.advance(1)
            conn.wait(u, 5)
            assert u.status == 0 and len(u.data) == 16, line
        io.run()


def test_gencp_ack_faults(rig):
    """ack-pending / ack-error / ack-wrong-id / ack-drop on the control channel."""
    e, io_path = rig
    conn, gencp = open_camera(e)
    with conn, IoChannel(io_path) as io:
        def command():
            rid = gencp.next_request_id()
            assert conn.bulk_out(0x01, U.readmem_cmd(0x0, 4, rid), timeout=5).status == 0
            return rid

        def ack(timeout=5):
            u = conn.transfer(1, U.USBIP_DIR_IN, 1024, flags=U.URB_DIR_IN, timeout=timeout)
            status, cmd, length, ack_id = struct.unpack_from("<HHHH", u.data, 4)
            return status, cmd, ack_id

        io.request("fault add ack-error status busy on command 1")
        rid = command()
        assert ack() == (0x8007, 0x0801, rid)
        io.request("fault add ack-wrong-id id 77 on command 1")
        command()
        assert ack() == (0, 0x0801, 77)
        io.request("fault add ack-pending for 300000000 on command 1")
        rid = command()
        status, cmd, ack_id = ack()
        assert (status, cmd, ack_id) == (0, 0x0805, rid)          # PENDING_ACK first
        t0 = time.monotonic()
        assert ack(timeout=10) == (0, 0x0801, rid)                 # the real ack, 300 ms later
        assert time.monotonic() - t0 > 0.2
        io.request("fault add ack-drop on command 1")
        command()
        with pytest.raises(TimeoutError):
            ack(timeout=0.5)
        assert F.read(gencp, "Width") > 0                          # the next command works


@pytest.mark.parametrize("kind", ["unplug", "reset"])
def test_unplug_and_reset_end_the_session(rig, kind):
    """unplug / reset: the host sees its connection go (as vhci sees a disconnect) and the
    camera can be imported again at once, powered up afresh."""
    e, io_path = rig
    conn, gencp = open_camera(e)
    with IoChannel(io_path) as io:
        seq = io.seq()
        io.request("fault add " + kind)
        assert conn.wait_closed(2.0), "the host must see the camera go"
        conn.close()
        assert [ev["b"] for ev in fault_events(io, seq)] and [d.busid for d in list_devices(e.host, e.port)] == ["1-1"]
    conn2, gencp2 = open_camera(e)
    with conn2:
        assert F.read(gencp2, "Width") > 0


def test_ack_late_and_link_latency(rig):
    """ack-late by D: the ack is held D of device time (the host has timed out by then);
    latency by D: every transfer completes D later while the setting is on."""
    e, io_path = rig
    conn, gencp = open_camera(e)
    with conn, IoChannel(io_path) as io:
        io.pause()
        for line, d in (("ack-late by 4000000 on command 1", 4 * MS), ("latency by 3000000", 3 * MS)):
            io.request("fault add " + line)
            rid = gencp.next_request_id()
            n = io.submitted()
            out = conn.submit(1, U.USBIP_DIR_OUT, data=U.readmem_cmd(0x0, 4, rid))
            io.wait_submitted(n + 1)
            if line.startswith("latency"):
                io.advance(d)                     # the command itself is delayed too
            conn.wait(out, 5)
            u = conn.submit(1, U.USBIP_DIR_IN, 1024, flags=U.URB_DIR_IN)
            io.wait_submitted(n + 2)
            io.advance(d - 1)
            conn.poll(0.2)
            assert not u.done, line
            io.advance(1)
            conn.wait(u, 5)
            assert u.status == 0 and struct.unpack_from("<H", u.data, 10)[0] == rid, line
            io.request("fault clear")
        io.run()
