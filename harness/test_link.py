# SPDX-License-Identifier: MIT
"""The USB link and the camera's frame memory, in device time (docs/io-protocol.md,
docs/manual-quirks.md K "Frame memory"): frames leave the frame memory no faster
than the link carries them, so triggers faster than the link fill the memory and
frames that do not fit are dropped, whatever the host does."""
import csv
import os
import struct

import features as F
import usbip_client as U
from dfk_io import IoChannel
from dfk_testlib import open_camera
from faketime.ft_client import LEADER_MAGIC, STREAM_EP, TRAILER_MAGIC, setup_stream

MS = 1_000_000
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def manual_max_fps(fmt, width, height):
    """The manual's frame-rate table (fixtures, transcribed independently of the model)."""
    with open(os.path.join(ROOT, "fixtures", "dfk38ux267", "framerate.tsv")) as f:
        for row in csv.DictReader(f, delimiter="\t"):
            if (row["pixel_format"], int(row["width"]), int(row["height"])) == (fmt, width, height):
                return float(row["max_fps"])
    raise KeyError(fmt)


def test_triggers_faster_than_the_link_fill_the_frame_memory(emu_factory, tmp_path):
    """Triggered at 30 Hz in BGR8 4096x2160, where the manual gives 14 fps: the sensor
    takes every trigger, the link delivers no faster than the manual's rate, the frame
    memory never holds more than its size, and the frames that did not fit are dropped
    (the host sees block-id gaps, never a corrupt frame)."""
    io_path = str(tmp_path / "io.sock")
    e = emu_factory(args=["--io", io_path, "--source", "pattern"])
    conn, gencp = open_camera(e)
    with conn, IoChannel(io_path) as io:
        for name, value in (("PixelFormat", "BGR8"), ("ExposureAuto", "Off"), ("ExposureTime", 1000.0),
                            ("TriggerMode", "On"), ("TriggerSource", "Line1")):
            assert F.write(gencp, name, value).status == 0, name
        setup_stream(gencp)
        io.pause()
        assert F.execute(gencp, "AcquisitionStart").status == 0
        seq = io.seq()
        t0 = io.time() + MS
        pulses, period = 30, 33_333_333
        io.request("line pulse 100000 at %d count %d period %d" % (t0, pulses, period))
        n = io.submitted()
        urbs = [conn.submit(STREAM_EP, U.USBIP_DIR_IN, 1 << 20, flags=U.URB_DIR_IN) for _ in range(48)]
        io.wait_submitted(n + 48)        # the host's transfers wait before device time moves
        leaders, trailers, payload = [], [], 0
        t_end = t0 + pulses * period + 2000 * MS       # time enough for the memory to drain
        while io.time() < t_end:
            io.advance(5 * MS)
            for _ in range(200):                       # collect what this step sent
                done = [u for u in urbs if u.done]
                if not done and not conn.poll(0.01):
                    break
                for u in done:
                    urbs.remove(u)
                    assert u.status == 0, u.status
                    magic = struct.unpack_from("<I", u.data)[0] if len(u.data) >= 4 else None
                    if magic == LEADER_MAGIC:
                        leaders.append(struct.unpack_from("<Q", u.data, 8)[0])
                    elif magic == TRAILER_MAGIC:
                        trailers.append((struct.unpack_from("<Q", u.data, 8)[0],
                                         struct.unpack_from("<H", u.data, 16)[0]))
                    else:
                        payload += len(u.data)
                    urbs.append(conn.submit(STREAM_EP, U.USBIP_DIR_IN, 1 << 20, flags=U.URB_DIR_IN))
        memory = dict(kv.split("=") for kv in io.request("memory").split())
        events = io.events(seq)
        F.execute(gencp, "AcquisitionStop")
        io.run()
    accepted = [ev for ev in events if ev["kind"] == "trigger_accepted"]
    sent = [ev["t"] for ev in events if ev["kind"] == "frame_sent"]
    dropped = [ev for ev in events if ev["kind"] == "frame_dropped" and ev["b"] == 0]
    delivered = [ev for ev in events if ev["kind"] == "frame_delivered"]
    assert len(accepted) == pulses, "the sensor takes 30 Hz triggers (exposure 1 ms + readout < 33 ms)"
    assert len(delivered) + len(dropped) == pulses
    assert dropped, "30 Hz into a 14 fps link must overflow the frame memory"
    # the link: never faster than the manual's rate for BGR8 at full size (14 fps, rounded)
    min_gap = 1e9 / (manual_max_fps("BGR8", 4096, 2160) + 0.5)
    gaps = [b - a for a, b in zip(sent, sent[1:])]
    assert gaps and min(gaps) >= min_gap, (min(gaps), min_gap)
    # the memory never held more than its size
    assert int(memory["max_level"]) <= int(memory["size"])
    # the host got exactly the frames the camera sent, complete, with gaps where frames were dropped
    assert len(sent) == len(delivered) == len(trailers) == len(leaders)
    assert [bid for bid, _ in trailers] == leaders
    assert all(status == 0 for _, status in trailers)
    assert payload == len(trailers) * 4096 * 2160 * 3
    gap_ids = {ev["a"] for ev in dropped}
    assert set(range(leaders[0], leaders[-1] + 1)) - set(leaders) <= gap_ids
