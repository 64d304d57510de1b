# SPDX-License-Identifier: MIT
"""The UVC face's stream stop as Linux's uvcvideo does it over vhci-hcd, with our own USB/IP
client on the host: COMMIT, five bulk IN URBs kept in flight (resubmitted as they complete),
then every pending URB unlinked at once (usb_kill_urb at STREAMOFF).

The USB/IP protocol (Linux Documentation/usb/usbip_protocol.rst) answers a CMD_UNLINK with
-ECONNRESET when the URB was still pending (it is then never answered) and with 0 when its
RET_SUBMIT was sent already, so, over one ordered TCP stream, a RET_UNLINK with status 0 may only
follow the target's RET_SUBMIT. vhci-hcd holds the server to that: a RET_UNLINK gives the URB
back, and a RET_SUBMIT for it afterwards ("cannot find a urb of seqnum N") makes it drop the
device. The stop is repeated, because the order of a completion and an unlink is a race."""
import struct
import time

import pytest

from emu import Emulator
from usbip_client import URB_DIR_IN, USBIP_DIR_IN, open_device

UVC_SET_CUR, UVC_GET_CUR = 0x01, 0x81
VS_PROBE, VS_COMMIT = 0x01, 0x02
ROUNDS = 20
URBS = 5


def vs_interface_and_endpoint(conn):
    """(VS interface number, bulk IN endpoint) from the configuration descriptor."""
    head = conn.get_descriptor(0x02, 0, 9)
    cfg = conn.get_descriptor(0x02, 0, struct.unpack_from("<H", head, 2)[0])
    vs_if, ep, cur = None, None, None
    off = 0
    while off + 2 <= len(cfg) and cfg[off] >= 2:
        d = cfg[off:off + cfg[off]]
        if d[1] == 0x04:
            cur = (d[2], d[5], d[6])
            if d[5] == 0x0E and d[6] == 0x02 and vs_if is None:
                vs_if = d[2]
        elif d[1] == 0x05 and cur and cur[1:] == (0x0E, 0x02) and ep is None and d[2] & 0x80 and d[3] & 3 == 2:
            ep = d[2]
        off += cfg[off]
    assert vs_if is not None and ep is not None, "no VideoStreaming interface with a bulk IN endpoint"
    return vs_if, ep


def class_request(conn, req, selector, intf, data_or_len):
    if req & 0x80:
        return conn.control(0xA1, req, selector << 8, intf, data_or_len)
    return conn.control(0x21, req, selector << 8, intf, len(data_or_len), data=data_or_len)


@pytest.mark.parametrize("time_scale", ["1", "0"])
def test_stream_stop_by_unlink_keeps_the_protocol(tmp_path, time_scale):
    with Emulator(["--interface", "uvc", "--source", "pattern", "--seed", "7", "--time-scale", time_scale]) as emu:
        conn = open_device("127.0.0.1", emu.port)
        try:
            vs_if, ep = vs_interface_and_endpoint(conn)
            probe = class_request(conn, UVC_GET_CUR, VS_PROBE, vs_if, 48)
            assert probe.status == 0 and len(probe.data) in (26, 34, 48), probe
            size = len(probe.data)
            max_payload = struct.unpack_from("<I", probe.data, 22)[0]
            # uvcvideo's bulk URB: min(ceil(payload / packet), 32) packets of 1024 bytes
            urb_len = min((max_payload + 1023) // 1024, 32) * 1024
            problems, completed = [], 0
            for rnd in range(ROUNDS):
                commit = class_request(conn, UVC_SET_CUR, VS_COMMIT, vs_if, probe.data[:size])
                assert commit.status == 0, commit
                urbs = [conn.submit(ep & 0x0F, USBIP_DIR_IN, urb_len, flags=URB_DIR_IN) for _ in range(URBS)]
                t_end = time.monotonic() + 0.05 + 0.01 * rnd     # a different moment each round
                while time.monotonic() < t_end:
                    for done in conn.poll(0.005):
                        if done in urbs:
                            urbs.remove(done)
                            completed += 1
                            assert done.status == 0, done
                            urbs.append(conn.submit(ep & 0x0F, USBIP_DIR_IN, urb_len, flags=URB_DIR_IN))
                # usb_kill_urb: one URB after the other, each unlink awaited
                for target in list(urbs):
                    if target.state == "done":
                        continue
                    ul = conn.unlink(target)
                    conn.wait(ul, 5.0)
                    if ul.status == 0 and target.state != "done":
                        problems.append("round %d: RET_UNLINK status 0 for seqnum %d before its RET_SUBMIT"
                                        % (rnd, target.seqnum))
                    elif ul.status not in (0, -104):
                        problems.append("round %d: RET_UNLINK status %d" % (rnd, ul.status))
                conn.poll(0.05)   # a RET_SUBMIT after -ECONNRESET is a ProtocolError in the client
                # the stop itself: CLEAR_FEATURE(ENDPOINT_HALT) on the video endpoint
                r = conn.control(0x02, 0x01, 0, ep, 0)
                assert r.status == 0, r
            assert completed > 0, "no bulk IN transfer completed: the stream never ran"
            assert not problems, "\n".join(problems[:10])
            assert not conn.violations, conn.violations
        finally:
            conn.close()
        assert emu.alive()
