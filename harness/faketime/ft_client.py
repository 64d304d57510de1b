#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""A host-side camera client that measures time with its own clock, for runs under libfaketime.

    ft_client.py HOST PORT timestamp [--sleep S]
    ft_client.py HOST PORT frames [--count N] [--fps F] [--margin M] [--grace G]

Speaks USB/IP + GenCP with harness/usbip_client.py (no kernel, no Aravis), so every clock it
reads and every wait it makes goes through libc: clock_gettime(CLOCK_MONOTONIC) for
time.monotonic(), clock_nanosleep() for time.sleep(), select() for the socket waits: the calls
libfaketime intercepts. Prints one JSON line.

timestamp: latches the device clock (ABRM Timestamp Latch 0x1F8 := 1, then ABRM Timestamp
    0x1F0, 8 bytes, times Timestamp Increment 0x1FC ns per tick) twice around time.sleep(S)
    and reports both intervals: "device_s" (device time) and "client_s" (time.monotonic(),
    from just before the first latch to just after the second read, minus the round trips).

frames: sets a tiny region (256 x 4 Mono8), ExposureAuto=Off, ExposureTime 1 ms, TriggerMode
    Off, AcquisitionMode Continuous, AcquisitionFrameRate F, programs the SIRM the way Aravis
    does and starts the acquisition; then waits for N frames (leader + payload + trailer on the
    stream endpoint) with a timeout computed for a camera running in real time:
        timeout = N / F * M + G        (seconds of the client's own clock)
    Reports "frames" received, "expired" (the timeout ran out first), "timeout_s",
    "elapsed_s" (client clock, AcquisitionStart to the last trailer) and the device's frame
    interval from the leaders' timestamps ("device_frame_period_s").
"""
import argparse
import json
import os
import struct
import sys
import time

HARNESS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if HARNESS not in sys.path:
    sys.path.insert(0, HARNESS)

import usbip_client as U  # noqa: E402
import features as F  # noqa: E402

STREAM_EP = 3                 # bulk IN 0x83
LEADER_MAGIC = 0x4C563355     # "U3VL"
TRAILER_MAGIC = 0x54563355    # "U3VT"
SIRM_INFO, SIRM_CONTROL, SIRM_REQ_PAYLOAD, SIRM_REQ_LEADER, SIRM_REQ_TRAILER = 0x00, 0x04, 0x08, 0x10, 0x14
SIRM_MAX_LEADER, SIRM_PAYLOAD_SIZE, SIRM_PAYLOAD_COUNT = 0x18, 0x1C, 0x20
SIRM_FINAL1, SIRM_FINAL2, SIRM_MAX_TRAILER = 0x24, 0x28, 0x2C
URB_LEN = 64 * 1024           # a multiple of 1024: any leader, payload chunk or trailer fits


def open_camera(host, port):
    conn = U.open_device(host, port, timeout=10.0)
    return conn, U.GenCP(conn, timeout=5.0)


def latch(gencp):
    """Device time in ns, and the client's monotonic time just before / just after."""
    t0 = time.monotonic()
    gencp.write_u32(U.ABRM_TIMESTAMP_LATCH, 1)
    ticks = gencp.read_u64(U.ABRM_TIMESTAMP)
    return ticks, t0, time.monotonic()


def cmd_timestamp(args):
    conn, gencp = open_camera(args.host, args.port)
    try:
        inc = gencp.read_u64(U.ABRM_TIMESTAMP_INCREMENT) or 1
        ticks0, a0, b0 = latch(gencp)
        time.sleep(args.sleep)
        ticks1, a1, b1 = latch(gencp)
    finally:
        conn.close()
    # the latch happens somewhere inside each bracket: take the middles
    client = (a1 + b1) / 2 - (a0 + b0) / 2
    device = (ticks1 - ticks0) * inc / 1e9
    return {"mode": "timestamp", "sleep_s": args.sleep, "device_s": device, "client_s": client,
            "ratio": device / client if client > 0 else None, "latch_roundtrip_s": max(b0 - a0, b1 - a1),
            "increment_ns": inc}


def setup_stream(gencp):
    sbrm = gencp.read_u64(U.ABRM_SBRM_ADDRESS)
    sirm = gencp.read_u64(sbrm + U.SBRM_SIRM_ADDRESS)
    align = 1 << (gencp.read_u32(sirm + SIRM_INFO) >> 24)
    req_payload = gencp.read_u64(sirm + SIRM_REQ_PAYLOAD)
    req_leader = gencp.read_u32(sirm + SIRM_REQ_LEADER) or (1 << 20)
    req_trailer = gencp.read_u32(sirm + SIRM_REQ_TRAILER) or (1 << 20)

    def up(v):
        return (v + align - 1) // align * align
    size = min(req_payload, (1 << 20) // align * align)       # arv_uv_stream_start_thread
    count = req_payload // size
    for off, v in ((SIRM_MAX_LEADER, up(req_leader)), (SIRM_MAX_TRAILER, up(req_trailer)),
                   (SIRM_PAYLOAD_SIZE, size), (SIRM_PAYLOAD_COUNT, count),
                   (SIRM_FINAL1, up(req_payload % size)), (SIRM_FINAL2, 0), (SIRM_CONTROL, 1)):
        gencp.write_u32(sirm + off, v)
    return sirm, req_payload


def cmd_frames(args):
    conn, gencp = open_camera(args.host, args.port)
    out = {"mode": "frames", "count": args.count, "fps": args.fps}
    try:
        for name, value in (("TriggerMode", "Off"), ("AcquisitionMode", "Continuous"), ("PixelFormat", "Mono8"),
                            ("Width", 256), ("Height", 4), ("ExposureAuto", "Off"), ("ExposureTime", 1000.0),
                            ("AcquisitionFrameRate", args.fps)):
            F.write(gencp, name, value)
        out["fps_read_back"] = F.read(gencp, "AcquisitionFrameRate")
        sirm, payload = setup_stream(gencp)
        out["payload"] = payload
        timeout = args.count / args.fps * args.margin + args.grace
        out["timeout_s"] = timeout
        t0 = time.monotonic()
        deadline = t0 + timeout
        F.execute(gencp, "AcquisitionStart")
        frames, got, stamps, ids = 0, 0, [], []
        expired = False
        urb = conn.submit(STREAM_EP, U.USBIP_DIR_IN, URB_LEN, flags=U.URB_DIR_IN)
        while frames < args.count:
            left = deadline - time.monotonic()
            if left <= 0:
                expired = True
                break
            try:
                conn.wait(urb, left)
            except TimeoutError:
                expired = True
                break
            data = urb.data
            if urb.status != 0:
                raise U.ProtocolError("stream bulk IN status %d" % urb.status)
            urb = conn.submit(STREAM_EP, U.USBIP_DIR_IN, URB_LEN, flags=U.URB_DIR_IN)
            magic = struct.unpack_from("<I", data)[0] if len(data) >= 4 else None
            if magic == LEADER_MAGIC and len(data) >= 28:
                ids.append(struct.unpack_from("<Q", data, 8)[0])
                stamps.append(struct.unpack_from("<Q", data, 20)[0])
            elif magic == TRAILER_MAGIC:
                frames += 1
                out["elapsed_s"] = time.monotonic() - t0
            else:
                got += len(data)
        # stop: the pending URB is unlinked (a RET_SUBMIT may race the unlink: both are fine)
        u = conn.unlink(urb)
        try:
            conn.wait(u, 2.0)
        except (TimeoutError, U.ProtocolError):
            pass
        F.execute(gencp, "AcquisitionStop")
        gencp.write_u32(sirm + SIRM_CONTROL, 0)
    finally:
        conn.close()
    out.update(frames=frames, expired=expired, payload_bytes=got, block_ids=ids)
    if len(stamps) >= 2:
        out["device_frame_period_s"] = (stamps[-1] - stamps[0]) / (len(stamps) - 1) / 1e9
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("host")
    ap.add_argument("port", type=int)
    sub = ap.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("timestamp")
    t.add_argument("--sleep", type=float, default=0.5)
    f = sub.add_parser("frames")
    f.add_argument("--count", type=int, default=10)
    f.add_argument("--fps", type=float, default=20.0)
    f.add_argument("--margin", type=float, default=1.5)
    f.add_argument("--grace", type=float, default=0.25)
    args = ap.parse_args()
    res = cmd_timestamp(args) if args.cmd == "timestamp" else cmd_frames(args)
    res["faketime"] = os.environ.get("FAKETIME")
    print(json.dumps(res), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
