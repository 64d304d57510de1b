# SPDX-License-Identifier: MIT
"""The Python client's codecs against the byte offsets of the specifications (no emulator)."""
import struct

import pytest

import usbip_client as U


def test_op_common_and_import_request():
    assert U.pack_op_common(U.OP_REQ_DEVLIST) == bytes.fromhex("0111 8005 00000000")
    req = U.pack_op_req_import("1-1")
    assert len(req) == 8 + 32
    assert req[:8] == bytes.fromhex("0111 8003 00000000")
    assert req[8:] == b"1-1" + b"\0" * 29


def test_usb_device_record_offsets():
    d = U.UsbipDevice(path="/sys/devices/x/1-1", busid="1-1", busnum=1, devnum=2, speed=5, idVendor=0x199E,
                      idProduct=0x988E, bcdDevice=0x0102, bDeviceClass=0xEF, bDeviceSubClass=2, bDeviceProtocol=1,
                      bConfigurationValue=1, bNumConfigurations=1, bNumInterfaces=3)
    raw = d.pack()
    assert len(raw) == 0x138
    assert raw[0x100:0x104] == b"1-1\0"
    assert raw[0x120:0x12C] == bytes.fromhex("00000001 00000002 00000005")
    assert raw[0x12C:0x132] == bytes.fromhex("199e 988e 0102")
    assert raw[0x132:0x138] == bytes([0xEF, 2, 1, 1, 1, 3])
    back = U.UsbipDevice.unpack(raw)
    assert back.as_dict() == dict(d.as_dict())
    assert back.devid == 0x00010002


def test_cmd_submit_offsets():
    setup = U.setup_packet(0x80, 6, 0x0100, 0, 18)
    assert setup == bytes.fromhex("8006 0001 0000 1200")        # little-endian, not swapped
    pdu = U.pack_cmd_submit(0x11223344, 0x00010002, 1, 3, 0x200, 1 << 20, setup, 0, 0, 0)
    assert len(pdu) == 48
    w = struct.unpack(">10I", pdu[:40])
    assert w == (1, 0x11223344, 0x00010002, 1, 3, 0x200, 1 << 20, 0, 0, 0)
    assert pdu[0x28:] == setup
    neg = U.pack_cmd_submit(1, 2, 0, 0, 0, -1)
    assert neg[0x18:0x1C] == b"\xff\xff\xff\xff"


def test_cmd_unlink_and_ret_decoding():
    pdu = U.pack_cmd_unlink(7, 0x00010002, 5)
    assert len(pdu) == 48
    assert struct.unpack(">6I", pdu[:24]) == (2, 7, 0x00010002, 0, 0, 5)
    assert pdu[24:] == b"\0" * 24
    ret = struct.pack(">5Ii", 4, 7, 0, 0, 0, -104) + b"\0" * 24
    h = U.unpack_urb_header(ret)
    assert (h["command"], h["seqnum"], h["status"]) == (U.USBIP_RET_UNLINK, 7, -U.ECONNRESET)
    ret = struct.pack(">5I5i", 3, 9, 0, 0, 0, -32, 0, 0, 0, 0) + b"\0" * 8
    h = U.unpack_urb_header(ret)
    assert (h["command"], h["seqnum"], h["status"], h["actual_length"]) == (U.USBIP_RET_SUBMIT, 9, -U.EPIPE, 0)
    with pytest.raises(U.ProtocolError):
        U.unpack_urb_header(ret[:47])


def test_gencp_packets():
    rd = U.readmem_cmd(0x1D8, 8, 0x1234)
    assert len(rd) == 24
    assert rd == b"U3VC" + bytes.fromhex("0040 0008 0c00 3412") + struct.pack("<Q", 0x1D8) + bytes.fromhex("0000 0800")
    wr = U.writemem_cmd(0x184, b"abcd", 0xFFFF)
    assert len(wr) == 12 + 8 + 4
    assert wr[:12] == b"U3VC" + bytes.fromhex("0040 0208 0c00 ffff")
    ack = U.GenCPAck(b"U3VC" + bytes.fromhex("0000 0508 0400 3412") + bytes.fromhex("0000 2c01"))
    assert (ack.status, ack.ack_id, ack.length, ack.request_id) == (0, U.PENDING_ACK, 4, 0x1234)
    assert struct.unpack("<HH", ack.scd) == (0, 300)


def test_request_id_wraps_skipping_zero():
    g = U.GenCP(conn=None, first_request_id=0xFFFE)
    assert [g.next_request_id() for _ in range(4)] == [0xFFFE, 0xFFFF, 1, 2]


def test_descriptor_parsers_reject_bad_lengths():
    with pytest.raises(U.ProtocolError):
        U.split_descriptors(bytes([9, 2, 9, 0]))                 # bLength beyond the buffer
    with pytest.raises(U.ProtocolError):
        U.split_descriptors(bytes([0, 2]))                       # bLength 0
    cfg = bytes([9, 2, 25, 0, 1, 1, 0, 0x80, 50]) + bytes([9, 4, 0, 0, 1, 0xEF, 5, 0, 0]) + \
        bytes([7, 5, 0x81, 2, 0, 4, 0])
    c = U.parse_config(cfg)
    assert c["interfaces"][0]["endpoints"][0]["wMaxPacketSize"] == 1024
