# SPDX-License-Identifier: MIT
"""USB/IP, USB descriptors and GenCP of dfk-emu, spoken over loopback by harness/usbip_client.py."""
import hashlib
import io
import re
import shutil
import struct
import subprocess
import time
import zipfile
import xml.etree.ElementTree as ET

import pytest

import features as F
import usbip_client as U
from dfk_testlib import SLOW, import_retry, open_camera
from emu import EMU

BUSID = "1-1"
# the identity of the emulator's default model, from its own dump: these tests check the
# wire, test_fixtures.py checks the identity against fixtures/<model>/identity.ini
VID, PID = F.identity()["vendor_id"], F.identity()["product_id"]
DEVID = (1 << 16) | 2
MANUFACTURER = F.identity()["manufacturer"]
PRODUCT = F.identity()["model_name"]
MAX_ACK = 65536
ABRM_SIZE_STRING = 64


@pytest.fixture
def cam(emu):
    """(conn, gencp) on an imported, configured device; checks no wire rule was broken."""
    conn, gencp = open_camera(emu)
    yield conn, gencp
    violations = list(conn.violations)
    conn.close()
    assert not violations, violations


def std_in(conn, bRequest, wValue, wIndex, wLength):
    return conn.control(U.USB_DIR_IN | U.USB_TYPE_STANDARD | U.USB_RECIP_DEVICE, bRequest, wValue, wIndex, wLength)


# ---------------------------------------------------------------------------------------------
# USB/IP operations
# ---------------------------------------------------------------------------------------------

def test_devlist_agrees_with_descriptors(emu):
    devs = U.list_devices(emu.host, emu.port)
    assert len(devs) == 1, devs
    d = devs[0]
    assert d.busid == BUSID
    assert d.raw_busid == BUSID.encode().ljust(32, b"\0")
    assert d.path.startswith("/") and d.raw_path.endswith(b"\0"), d.raw_path
    assert (d.busnum, d.devnum, d.speed) == (1, 2, U.USB_SPEED_SUPER)
    assert d.devid == DEVID
    assert (d.idVendor, d.idProduct) == (VID, PID)

    with U.UsbipConnection(emu.host, emu.port) as conn:
        status, imp = conn.import_device(BUSID)
        assert status == U.ST_OK
        dd = U.parse_device_descriptor(conn.get_descriptor(U.USB_DT_DEVICE, 0, 18))
        total = struct.unpack("<H", conn.get_descriptor(U.USB_DT_CONFIG, 0, 9)[2:4])[0]
        cfg = U.parse_config(conn.get_descriptor(U.USB_DT_CONFIG, 0, total))
        assert not conn.violations

    assert (d.idVendor, d.idProduct, d.bcdDevice) == (dd["idVendor"], dd["idProduct"], dd["bcdDevice"])
    assert dd["bcdDevice"] == 0x0923          # firmware 923, the manual's latest revision (BCD 09.23)
    assert (d.bDeviceClass, d.bDeviceSubClass, d.bDeviceProtocol) == (0xEF, 0x02, 0x01)
    assert (dd["bDeviceClass"], dd["bDeviceSubClass"], dd["bDeviceProtocol"]) == (0xEF, 0x02, 0x01)
    assert d.bNumConfigurations == dd["bNumConfigurations"] == 1
    assert d.bNumInterfaces == cfg["bNumInterfaces"] == 3
    # usbipd reports the active configuration (0 while unconfigured)
    assert d.bConfigurationValue in (0, cfg["bConfigurationValue"])
    alt0 = sorted((i for i in cfg["interfaces"] if i["bAlternateSetting"] == 0), key=lambda i: i["bInterfaceNumber"])
    assert d.interfaces == [(i["bInterfaceClass"], i["bInterfaceSubClass"], i["bInterfaceProtocol"], 0)
                            for i in alt0]
    assert d.interfaces == [(0xEF, 0x05, 0x00, 0), (0xEF, 0x05, 0x01, 0), (0xEF, 0x05, 0x02, 0)]

    # OP_REP_IMPORT carries the same record (without interface records)
    for f in U.UsbipDevice.FIELDS:
        assert getattr(imp, f) == getattr(d, f), f
    assert imp.raw_path == d.raw_path


def test_import_ok_and_device_usable(emu):
    with U.UsbipConnection(emu.host, emu.port) as conn:
        status, dev = conn.import_device(BUSID)
        assert status == U.ST_OK
        assert dev.busid == BUSID and dev.devid == DEVID and dev.speed == U.USB_SPEED_SUPER
        assert dev.interfaces == []
        conn.set_configuration(1)
        assert U.GenCP(conn).read_string(U.ABRM_MODEL_NAME) == PRODUCT
        assert not conn.violations


def test_second_import_busy_until_first_disconnects(emu):
    first, gencp = open_camera(emu)
    try:
        with U.UsbipConnection(emu.host, emu.port) as second:
            status, dev = second.import_device(BUSID, check=False)
            assert status == U.ST_DEV_BUSY
            assert dev is None
            # the reply ends after the 8-byte header (usbipd then closes the connection)
            assert second.wait_closed(2.0 * SLOW)
            assert bytes(second.reader.buf) == b""
        # the refused import did not disturb the first client
        assert gencp.read_string(U.ABRM_MANUFACTURER_NAME) == MANUFACTURER
        assert not first.violations
    finally:
        first.close()
    third = import_retry(emu, BUSID, timeout=3.0)
    try:
        assert U.GenCP(third).read_string(U.ABRM_MANUFACTURER_NAME) == MANUFACTURER
    finally:
        third.close()


@pytest.mark.parametrize("busid", ["9-9", "1-2", "1-1.1", "", "1-11"])
def test_import_unknown_busid_refused(emu, busid):
    with U.UsbipConnection(emu.host, emu.port) as conn:
        status, dev = conn.import_device(busid, check=False)
        assert status != U.ST_OK and dev is None
        assert conn.wait_closed(2.0 * SLOW)
        assert bytes(conn.reader.buf) == b""
    # the camera itself is still importable
    import_retry(emu).close()


# ---------------------------------------------------------------------------------------------
# Descriptors (the kernel's enumeration sequence)
# ---------------------------------------------------------------------------------------------

def test_device_descriptor_8_then_18(cam):
    conn, _ = cam
    d8 = conn.get_descriptor(U.USB_DT_DEVICE, 0, 8)
    d18 = conn.get_descriptor(U.USB_DT_DEVICE, 0, 18)
    assert len(d8) == 8 and len(d18) == 18
    assert d18[:8] == d8
    dd = U.parse_device_descriptor(d18)
    assert dd["bLength"] == 18 and dd["bDescriptorType"] == U.USB_DT_DEVICE
    assert dd["bcdUSB"] >= 0x0300
    assert dd["bMaxPacketSize0"] == 9
    assert (dd["idVendor"], dd["idProduct"]) == (VID, PID)
    assert (dd["bDeviceClass"], dd["bDeviceSubClass"], dd["bDeviceProtocol"]) == (0xEF, 0x02, 0x01)
    assert dd["bNumConfigurations"] == 1
    assert 0 not in (dd["iManufacturer"], dd["iProduct"], dd["iSerialNumber"])
    # asking for more returns the descriptor length only
    assert conn.get_descriptor(U.USB_DT_DEVICE, 0, 64) == d18


def test_config_descriptor_9_then_full(cam):
    conn, _ = cam
    head = conn.get_descriptor(U.USB_DT_CONFIG, 0, 9)
    assert len(head) == 9 and head[0] == 9 and head[1] == U.USB_DT_CONFIG
    total = struct.unpack("<H", head[2:4])[0]
    full = conn.get_descriptor(U.USB_DT_CONFIG, 0, total)
    assert len(full) == total and full[:9] == head
    assert conn.get_descriptor(U.USB_DT_CONFIG, 0, 4096) == full
    assert sum(len(d) for _, d in U.split_descriptors(full)) == total
    cfg = U.parse_config(full)
    assert cfg["bNumInterfaces"] == 3 and cfg["bConfigurationValue"] == 1

    # one IAD before the interfaces it groups: EF/05/00 starting at the control interface
    assert cfg["sequence"][1] == U.USB_DT_INTERFACE_ASSOCIATION
    assert len(cfg["iads"]) == 1
    iad = cfg["iads"][0]
    assert (iad["bFirstInterface"], iad["bInterfaceCount"]) == (0, 3)
    assert (iad["bFunctionClass"], iad["bFunctionSubClass"], iad["bFunctionProtocol"]) == (0xEF, 0x05, 0x00)

    ifs = cfg["interfaces"]
    assert [(i["bInterfaceNumber"], i["bAlternateSetting"], i["bInterfaceClass"], i["bInterfaceSubClass"],
             i["bInterfaceProtocol"]) for i in ifs] == [(0, 0, 0xEF, 5, 0), (1, 0, 0xEF, 5, 1), (2, 0, 0xEF, 5, 2)]
    for i in ifs:
        assert i["bNumEndpoints"] == len(i["endpoints"])
    eps = {i["bInterfaceNumber"]: [e["bEndpointAddress"] for e in i["endpoints"]] for i in ifs}
    assert eps == {0: [0x01, 0x81], 1: [0x82], 2: [0x83]}
    for i in ifs:
        for e in i["endpoints"]:
            assert e["bmAttributes"] & 3 == 2, e            # bulk
            assert e["wMaxPacketSize"] == 1024, e
            assert e["companion"] is not None, e
    assert ifs[2]["endpoints"][0]["companion"]["bMaxBurst"] == 15

    # the U3V Device Info descriptor follows the control interface directly
    dci = cfg["sequence"].index(U.USB_DT_INTERFACE)
    assert cfg["sequence"][dci + 1] == U.USB_DT_CS_INTERFACE
    assert len(ifs[0]["extra"]) == 1
    info = U.parse_u3v_device_info(ifs[0]["extra"][0])
    assert (info["bLength"], info["bDescriptorType"], info["bDescriptorSubtype"]) == (20, 0x24, 0x01)
    assert info["iDeviceGUID"] != 0
    assert info["bmSpeedSupport"] & 0x08                  # SuperSpeed
    guid = conn.get_string(info["iDeviceGUID"])
    assert len(guid) == 12 and guid[:4].upper() == "%04X" % VID, guid


def test_bos_superspeed_capability(cam):
    conn, _ = cam
    head = conn.get_descriptor(U.USB_DT_BOS, 0, 5)
    assert len(head) == 5 and head[1] == U.USB_DT_BOS
    total = struct.unpack("<H", head[2:4])[0]
    bos = U.parse_bos(conn.get_descriptor(U.USB_DT_BOS, 0, total))
    assert bos["wTotalLength"] == total
    assert bos["bNumDeviceCaps"] == len(bos["caps"])
    ss = [c for c in bos["caps"] if c["bDevCapabilityType"] == U.USB_SS_CAP_TYPE]
    assert len(ss) == 1
    assert ss[0]["bU1DevExitLat"] == 0 and ss[0]["wU2DevExitLat"] == 0
    assert ss[0]["wSpeedsSupported"] == 0x0E               # FS, HS and 5 Gb/s (the controller) ...
    assert ss[0]["bFunctionalitySupport"] == 3             # ... but the camera works only at 5 Gb/s


def test_strings(cam):
    conn, _ = cam
    lang = conn.get_descriptor(U.USB_DT_STRING, 0, 4)
    assert lang == bytes([4, U.USB_DT_STRING]) + struct.pack("<H", U.LANGID_EN_US)
    dd = U.parse_device_descriptor(conn.get_descriptor(U.USB_DT_DEVICE, 0, 18))
    assert conn.get_string(dd["iManufacturer"]) == MANUFACTURER
    assert conn.get_string(dd["iProduct"]) == PRODUCT
    assert re.fullmatch(r"[0-9]{8}", conn.get_string(dd["iSerialNumber"]))
    # a short wLength truncates the descriptor, bLength still says the full size
    short = conn.get_descriptor(U.USB_DT_STRING, dd["iManufacturer"], 6, U.LANGID_EN_US)
    assert len(short) == 6 and short[0] == 2 + 2 * len(MANUFACTURER)


def test_unsupported_control_requests_stall(cam):
    conn, gencp = cam
    assert std_in(conn, U.USB_REQ_GET_DESCRIPTOR, 0x2200, 0, 64).status == -U.EPIPE     # HID report
    assert std_in(conn, U.USB_REQ_GET_DESCRIPTOR, (U.USB_DT_STRING << 8) | 0xEE, U.LANGID_EN_US, 255).status \
        == -U.EPIPE
    vendor = conn.control(U.USB_DIR_IN | U.USB_TYPE_VENDOR | U.USB_RECIP_DEVICE, 0x42, 0, 0, 16)
    assert vendor.status == -U.EPIPE and vendor.actual_length == 0
    assert gencp.read_string(U.ABRM_MANUFACTURER_NAME) == MANUFACTURER     # connection kept


def test_ret_pdus_zero_their_unused_fields(cam):
    conn, gencp = cam
    urb = std_in(conn, U.USB_REQ_GET_DESCRIPTOR, U.USB_DT_DEVICE << 8, 0, 18)
    gencp.read(0, 4)
    bulk = conn.answered[max(conn.answered)]
    for h in (urb.ret_header, bulk.ret_header):
        assert (h["devid"], h["direction"], h["ep"]) == (0, 0, 0), h
        assert h["number_of_packets"] in (0, -1) and h["error_count"] == 0, h


# ---------------------------------------------------------------------------------------------
# Unlink
# ---------------------------------------------------------------------------------------------

def test_unlink_pending_stream_urb(cam):
    conn, gencp = cam
    stream = conn.submit(3, U.USBIP_DIR_IN, 1 << 20, flags=U.URB_DIR_IN)
    event = conn.submit(2, U.USBIP_DIR_IN, 1024, flags=U.URB_DIR_IN)
    assert conn.poll(0.3) == []                         # the stream is off: nothing completes
    # several URBs in flight: the control channel keeps working meanwhile
    for _ in range(5):
        assert gencp.read_string(U.ABRM_MODEL_NAME) == PRODUCT
    assert not stream.done and not event.done

    u = conn.unlink(stream)
    conn.wait(u, 2.0 * SLOW)
    assert u.ret_header["seqnum"] == u.seqnum
    assert u.status == -U.ECONNRESET
    assert stream.state == "cancelled"

    # no RET_SUBMIT ever arrives for it (the client raises ProtocolError if one does)
    assert gencp.read_string(U.ABRM_MODEL_NAME) == PRODUCT
    assert conn.poll(0.5) == []
    assert stream.state == "cancelled" and not event.done

    u2 = conn.unlink(event)
    conn.wait(u2, 2.0 * SLOW)
    assert u2.status == -U.ECONNRESET and event.state == "cancelled"

    # a new stream URB is pending again, and can be unlinked again
    again = conn.submit(3, U.USBIP_DIR_IN, 1 << 20, flags=U.URB_DIR_IN)
    assert conn.poll(0.2) == []
    u3 = conn.wait(conn.unlink(again), 2.0 * SLOW)
    assert u3.status == -U.ECONNRESET
    assert conn.poll(0.3) == []
    assert not conn.pending
    assert not conn.violations


def test_unlink_answered_urb(cam):
    conn, gencp = cam
    urb = std_in(conn, U.USB_REQ_GET_DESCRIPTOR, U.USB_DT_DEVICE << 8, 0, 18)
    assert urb.state == "done" and urb.status == 0
    u = conn.wait(conn.unlink(urb), 2.0 * SLOW)
    assert u.status == 0
    assert u.ret_header["seqnum"] == u.seqnum
    # a seqnum the server never saw: usbip-host answers 0 as well
    u = conn.wait(conn.unlink(0x7FFF0000), 2.0 * SLOW)
    assert u.status == 0
    assert gencp.read_string(U.ABRM_MODEL_NAME) == PRODUCT
    assert conn.poll(0.2) == []


# ---------------------------------------------------------------------------------------------
# GenCP
# ---------------------------------------------------------------------------------------------

def test_gencp_manufacturer_equals_usb_string(cam):
    conn, gencp = cam
    dd = U.parse_device_descriptor(conn.get_descriptor(U.USB_DT_DEVICE, 0, 18))
    raw = gencp.read(U.ABRM_MANUFACTURER_NAME, ABRM_SIZE_STRING)
    assert len(raw) == 64
    name = raw.split(b"\0", 1)[0].decode("ascii")
    assert raw[len(name):] == b"\0" * (64 - len(name))
    assert name == conn.get_string(dd["iManufacturer"]) == MANUFACTURER
    assert gencp.read_string(U.ABRM_MODEL_NAME) == conn.get_string(dd["iProduct"])
    assert gencp.read_string(U.ABRM_SERIAL_NUMBER) == conn.get_string(dd["iSerialNumber"])


def test_gencp_bootstrap_pointers(cam):
    _, gencp = cam
    assert gencp.read_u64(U.ABRM_SBRM_ADDRESS) == 0x2000
    assert gencp.read_u64(U.ABRM_MANIFEST_TABLE_ADDRESS) == 0x4000
    assert gencp.read_u32(0x0208) == 0xFFFFFFFF                      # little-endian protocol
    sbrm = 0x2000
    assert gencp.read_u32(sbrm + U.SBRM_MAX_CMD_TRANSFER) == 65544
    assert gencp.read_u32(sbrm + U.SBRM_MAX_ACK_TRANSFER) == MAX_ACK
    assert gencp.read_u64(sbrm + U.SBRM_SIRM_ADDRESS) == 0x3000
    assert gencp.read_u64(sbrm + 0x2C) == 0x3100                     # EIRM
    assert gencp.read_u32(sbrm + 0x40) == 0x08                       # SuperSpeed


@pytest.mark.parametrize("request_id", [0x0001, 0x1234, 0x7FFF, 0x8000, 0xFFFE, 0xFFFF])
def test_gencp_request_id_echoed(cam, request_id):
    _, gencp = cam
    ack = gencp.read_ack(U.ABRM_MANUFACTURER_NAME, 64, request_id=request_id)
    assert ack.status == U.GENCP_SUCCESS and ack.ack_id == U.READMEM_ACK
    assert ack.request_id == request_id
    assert ack.scd.split(b"\0", 1)[0].decode() == MANUFACTURER
    wack = gencp.write_ack(U.ABRM_USER_DEFINED_NAME, b"rid".ljust(64, b"\0"), request_id=request_id)
    assert wack.status == U.GENCP_SUCCESS and wack.ack_id == U.WRITEMEM_ACK
    assert wack.request_id == request_id



GENCP_ERRORS = [
    # (name, packet(rid), expected status, expected ack command id)
    ("unmapped-address", lambda rid: U.readmem_cmd(0x00F0_0000_0000, 4, rid), U.GENCP_INVALID_ADDRESS, U.READMEM_ACK),
    ("unmapped-gap", lambda rid: U.readmem_cmd(0x1000, 4, rid), U.GENCP_INVALID_ADDRESS, U.READMEM_ACK),
    ("unaligned-4-byte-register", lambda rid: U.readmem_cmd(0x1CD, 4, rid), U.GENCP_BAD_ALIGNMENT, U.READMEM_ACK),
    ("write-read-only", lambda rid: U.writemem_cmd(U.ABRM_MANUFACTURER_NAME, b"EVIL", rid), U.GENCP_WRITE_PROTECT,
     U.WRITEMEM_ACK),
    ("read-count-too-large", lambda rid: U.readmem_cmd(0x100000, MAX_ACK - 12 + 1, rid), U.GENCP_INVALID_PARAMETER,
     U.READMEM_ACK),
    ("unknown-command", lambda rid: U.gencp_header(0x0900, 0, rid), U.GENCP_NOT_IMPLEMENTED, 0x0901),
    ("bad-prefix", lambda rid: U.gencp_header(U.READMEM_CMD, 12, rid, prefix=0x43563354)
     + struct.pack("<QHH", 4, 0, 4), U.GENCP_INVALID_HEADER, U.READMEM_ACK),
]


@pytest.mark.parametrize("name,packet,status,ack_id", GENCP_ERRORS, ids=[e[0] for e in GENCP_ERRORS])
def test_gencp_errors(cam, name, packet, status, ack_id):
    _, gencp = cam
    rid = 0x4242
    ack = gencp.transact(packet(rid), rid)
    assert ack.status == status, ack
    assert ack.prefix == U.U3V_PREFIX
    assert ack.ack_id == ack_id, ack
    assert ack.request_id == rid, ack
    assert ack.length == 0 and ack.scd == b"", ack            # error acks are header only
    # the channel works afterwards, and the read-only register is unchanged
    assert gencp.read_string(U.ABRM_MANUFACTURER_NAME) == MANUFACTURER


def test_gencp_largest_read_allowed(cam):
    _, gencp = cam
    data = gencp.read(0x100000, MAX_ACK - 12)
    assert len(data) == MAX_ACK - 12


def test_manifest_sha1_matches_xml(cam):
    _, gencp = cam
    table = gencp.read_u64(U.ABRM_MANIFEST_TABLE_ADDRESS)
    assert table == 0x4000
    count = gencp.read_u64(table)
    assert count >= 1
    entry = gencp.read(table + 8, 64)
    version, fmt, address, size = struct.unpack("<IIQQ", entry[:24])
    sha1 = entry[24:44]
    assert fmt & 0x7 == 0                                 # device XML
    assert address == 0x100000
    assert 0 < size < 16 << 20
    assert sha1 != b"\0" * 20
    blob = gencp.read_large(address, size)
    assert hashlib.sha1(blob).digest() == sha1
    compression = (fmt >> 10) & 0x3F
    if compression == 0:
        root = ET.fromstring(blob)
        assert root.tag.endswith("RegisterDescription")
    else:
        assert compression == 1 and blob[:4] == b"PK\x03\x04"


def test_timestamp_latch(cam):
    _, gencp = cam
    inc = gencp.read_u64(U.ABRM_TIMESTAMP_INCREMENT)
    assert inc > 0

    def latch():
        before = time.monotonic()
        gencp.write_u32(U.ABRM_TIMESTAMP_LATCH, 1)
        after = time.monotonic()
        return gencp.read_u64(U.ABRM_TIMESTAMP), before, after

    t1, b1, a1 = latch()
    assert t1 != 0
    assert gencp.read_u64(U.ABRM_TIMESTAMP) == t1        # the register holds the latched value
    time.sleep(0.05)
    t2, b2, a2 = latch()
    assert t2 > t1
    # time scale 1: device time runs with the wall clock
    dev_s = (t2 - t1) * inc / 1e9
    lo, hi = (b2 - a1), (a2 - b1)
    assert lo * 0.98 - 0.005 <= dev_s <= hi * 1.02 + 0.005, (dev_s, lo, hi)


# ---------------------------------------------------------------------------------------------
# Standard requests the usbip-host stub would intercept, and endpoint halt
# ---------------------------------------------------------------------------------------------

def test_standard_requests(emu):
    with U.UsbipConnection(emu.host, emu.port) as conn:
        conn.import_device(BUSID)
        # bulk traffic needs a configuration
        assert conn.transfer(1, U.USBIP_DIR_OUT, 24, U.readmem_cmd(4, 4, 1)).status == -U.EPIPE
        assert std_in(conn, U.USB_REQ_GET_CONFIGURATION, 0, 0, 1).data == b"\x00"
        conn.set_configuration(1)
        assert std_in(conn, U.USB_REQ_GET_CONFIGURATION, 0, 0, 1).data == b"\x01"
        st = std_in(conn, U.USB_REQ_GET_STATUS, 0, 0, 2)
        assert st.status == 0 and len(st.data) == 2
        assert conn.control(0x00, U.USB_REQ_SET_ISOCH_DELAY, 40, 0, 0).status == 0
        for intf in range(3):
            assert conn.control(0x01, U.USB_REQ_SET_INTERFACE, 0, intf, 0).status == 0
        assert conn.control(0x01, U.USB_REQ_SET_INTERFACE, 0, 3, 0).status == -U.EPIPE
        assert conn.control(0x01, U.USB_REQ_SET_INTERFACE, 1, 0, 0).status == -U.EPIPE
        # endpoints that do not exist, or used in the wrong direction, stall
        assert conn.transfer(3, U.USBIP_DIR_OUT, 4, b"abcd").status == -U.EPIPE
        assert conn.transfer(5, U.USBIP_DIR_IN, 64, flags=U.URB_DIR_IN).status == -U.EPIPE
        assert U.GenCP(conn).read_string(U.ABRM_MODEL_NAME) == PRODUCT
        assert not conn.violations


def test_stream_endpoint_halt_and_clear(cam):
    """Aravis 0.8.26 resets the stream EP at open: SET_FEATURE(HALT), then CLEAR_FEATURE(HALT)."""
    conn, gencp = cam
    ep_status = lambda: conn.control(0x82, U.USB_REQ_GET_STATUS, 0, 0x83, 2).data   # noqa: E731
    assert ep_status() == b"\x00\x00"
    assert conn.control(0x02, U.USB_REQ_SET_FEATURE, U.USB_ENDPOINT_HALT, 0x83, 0).status == 0
    assert ep_status() == b"\x01\x00"
    halted = conn.wait(conn.submit(3, U.USBIP_DIR_IN, 1 << 20, flags=U.URB_DIR_IN), 2.0 * SLOW)
    assert halted.status == -U.EPIPE and halted.actual_length == 0
    assert conn.control(0x02, U.USB_REQ_CLEAR_FEATURE, U.USB_ENDPOINT_HALT, 0x83, 0).status == 0
    assert ep_status() == b"\x00\x00"
    idle = conn.submit(3, U.USBIP_DIR_IN, 1 << 20, flags=U.URB_DIR_IN)
    assert conn.poll(0.2) == []                         # back to "pending until data exists"
    assert conn.wait(conn.unlink(idle), 2.0 * SLOW).status == -U.ECONNRESET
    assert conn.control(0x02, U.USB_REQ_SET_FEATURE, U.USB_ENDPOINT_HALT, 0x85, 0).status == -U.EPIPE
    assert gencp.read_string(U.ABRM_MODEL_NAME) == PRODUCT


# ---------------------------------------------------------------------------------------------
# The ack endpoint: pending IN URBs, unlinks, stale acks
# ---------------------------------------------------------------------------------------------

def _ack_in(conn):
    return conn.submit(1, U.USBIP_DIR_IN, MAX_ACK, flags=U.URB_DIR_IN)


def _cmd_out(conn, packet):
    urb = conn.wait(conn.submit(1, U.USBIP_DIR_OUT, len(packet), packet), 2.0 * SLOW)
    assert urb.status == 0 and urb.actual_length == len(packet)


def test_ack_urbs_submitted_early_complete_in_order(cam):
    conn, _ = cam
    first, second = _ack_in(conn), _ack_in(conn)
    assert conn.poll(0.2) == []                         # no ack without a command
    _cmd_out(conn, U.readmem_cmd(U.ABRM_MANUFACTURER_NAME, 8, 0x0B))
    conn.wait(first, 2.0 * SLOW)
    assert U.GenCPAck(first.data).request_id == 0x0B
    assert conn.poll(0.2) == [] and not second.done
    _cmd_out(conn, U.readmem_cmd(U.ABRM_MODEL_NAME, 8, 0x0C))
    conn.wait(second, 2.0 * SLOW)
    ack = U.GenCPAck(second.data)
    assert (ack.request_id, ack.scd) == (0x0C, PRODUCT.encode()[:8])


def test_new_command_drops_undelivered_ack(cam):
    conn, gencp = cam
    _cmd_out(conn, U.readmem_cmd(U.ABRM_MANUFACTURER_NAME, 8, 0x21))
    _cmd_out(conn, U.readmem_cmd(U.ABRM_MODEL_NAME, 8, 0x22))
    urb = conn.wait(_ack_in(conn), 2.0 * SLOW)
    ack = U.GenCPAck(urb.data)
    assert ack.request_id == 0x22 and ack.scd == PRODUCT.encode()[:8]
    idle = _ack_in(conn)
    assert conn.poll(0.3) == []                         # the first ack is gone
    assert conn.wait(conn.unlink(idle), 2.0 * SLOW).status == -U.ECONNRESET
    assert gencp.read_string(U.ABRM_MODEL_NAME) == PRODUCT


def test_unlinked_ack_urb_keeps_the_ack_queued(cam):
    """Aravis unlinks the ack URB on timeout; the final ack must reach the next IN URB."""
    conn, gencp = cam
    _cmd_out(conn, U.writemem_cmd(U.ABRM_USER_DEFINED_NAME, b"queued".ljust(64, b"\0"), 0x31))
    pend = U.GenCPAck(conn.wait(_ack_in(conn), 2.0 * SLOW).data)
    assert pend.ack_id == U.PENDING_ACK and pend.request_id == 0x31
    timeout_ms = struct.unpack("<HH", pend.scd)[1]
    urb = _ack_in(conn)
    u = conn.wait(conn.unlink(urb), 2.0 * SLOW)          # "timed out" at once
    if u.status == -U.ECONNRESET:
        assert urb.state == "cancelled"
        urb = conn.wait(_ack_in(conn), timeout_ms / 1000.0 + 0.5 * SLOW)
    else:                                                # the ack won the race: answered already
        assert u.status == 0 and urb.state == "done"
    final = U.GenCPAck(urb.data)
    assert (final.status, final.ack_id, final.request_id) == (0, U.WRITEMEM_ACK, 0x31)
    assert gencp.read_string(U.ABRM_USER_DEFINED_NAME) == "queued"


def test_ack_does_not_leak_into_next_session(emu):
    conn, _ = open_camera(emu)
    with conn:
        _cmd_out(conn, U.readmem_cmd(U.ABRM_MANUFACTURER_NAME, 8, 0x41))   # never read its ack
    nxt = import_retry(emu)
    with nxt:
        idle = _ack_in(nxt)
        assert nxt.poll(0.3) == []
        assert nxt.wait(nxt.unlink(idle), 2.0 * SLOW).status == -U.ECONNRESET
        assert U.GenCP(nxt).read_string(U.ABRM_MODEL_NAME) == PRODUCT
        assert not nxt.violations


def test_served_xml_is_the_model_dump_and_well_formed(cam):
    """The XML the device serves is `dfk-emu --dump-xml` byte for byte (the model is the one
    source), the dump is reproducible, and libxml2's xmllint finds it well-formed (no XSD is
    available offline; libaravis loading every node is the genicam suite's job)."""
    _, gencp = cam
    table = gencp.read_u64(U.ABRM_MANIFEST_TABLE_ADDRESS)
    version, fmt, address, size = struct.unpack("<IIQQ", gencp.read(table + 8, 24))
    blob = gencp.read_large(address, size)
    if (fmt >> 10) & 0x3F == 1:
        with zipfile.ZipFile(io.BytesIO(blob)) as z:
            blob = z.read(z.namelist()[0])
    dump = subprocess.run([EMU, "--dump-xml"], capture_output=True, check=True).stdout
    assert blob == dump
    assert subprocess.run([EMU, "--dump-xml"], capture_output=True, check=True).stdout == dump
    xmllint = shutil.which("xmllint")
    assert xmllint, "xmllint missing: ci/deps.sh installs libxml2-utils"
    r = subprocess.run([xmllint, "--noout", "-"], input=dump, capture_output=True)
    assert r.returncode == 0, r.stderr.decode()
