# SPDX-License-Identifier: MIT
"""Client side of USB/IP and of GenCP over USB3 Vision, in pure Python (struct only).

This is the second, independent implementation that the pytest harness speaks to dfk-emu with.
It is written from the wire specifications (Linux Documentation/usb/usbip_protocol.rst, the
USB 3.2 chapter 9 descriptor layouts, the GenCP / USB3 Vision control protocol), summarised in
docs/protocols.md (sections 1, 2 and 4), and deliberately not from the emulator's C code, so a bug that is symmetric in
the emulator's pack and unpack helpers still shows up here.

Layers:
    list_devices(host, port)            OP_REQ_DEVLIST -> [UsbipDevice]
    UsbipConnection(host, port)         one TCP connection; .import_device(busid) -> OP_REP_IMPORT,
                                        then URBs: .submit() / .unlink() / .wait() / .poll(),
                                        with a model of every URB still in flight
    GenCP(conn)                         READMEM / WRITEMEM with request ids and PENDING_ACK
                                        handling over bulk OUT 0x01 / bulk IN 0x81

Byte order: USB/IP headers are big-endian; the 8-byte setup packet, USB descriptors and GenCP
are little-endian.
"""
import select
import socket
import struct
import time

# ---------------------------------------------------------------------------------------------
# USB/IP: user-space operations (op_common + bodies), tools/usb/usbip/src/usbip_network.h
# ---------------------------------------------------------------------------------------------

USBIP_VERSION = 0x0111
USBIP_PORT = 3240

OP_REQUEST = 0x8000
OP_REPLY = 0x0000
OP_IMPORT = 0x03
OP_DEVLIST = 0x05
OP_REQ_IMPORT = OP_REQUEST | OP_IMPORT      # 0x8003
OP_REP_IMPORT = OP_REPLY | OP_IMPORT        # 0x0003
OP_REQ_DEVLIST = OP_REQUEST | OP_DEVLIST    # 0x8005
OP_REP_DEVLIST = OP_REPLY | OP_DEVLIST      # 0x0005

ST_OK, ST_NA, ST_DEV_BUSY, ST_DEV_ERR, ST_NODEV, ST_ERROR = range(6)
ST_NAMES = {ST_OK: "ST_OK", ST_NA: "ST_NA", ST_DEV_BUSY: "ST_DEV_BUSY", ST_DEV_ERR: "ST_DEV_ERR",
            ST_NODEV: "ST_NODEV", ST_ERROR: "ST_ERROR"}

OP_COMMON = struct.Struct(">HHI")           # version, code, status
OP_COMMON_SIZE = OP_COMMON.size             # 8
USB_DEVICE_SIZE = 0x138                     # struct usbip_usb_device
USB_DEVICE_TAIL = struct.Struct(">III HHH BBBBBB")   # from offset 0x120 (busnum..bNumInterfaces)
USB_INTERFACE = struct.Struct(">BBBB")     # class, subclass, protocol, padding
SYSFS_PATH_MAX = 256
SYSFS_BUS_ID_SIZE = 32

# USB speeds (linux/usb/ch9.h enum usb_device_speed)
USB_SPEED_UNKNOWN, USB_SPEED_LOW, USB_SPEED_FULL, USB_SPEED_HIGH, USB_SPEED_WIRELESS, \
    USB_SPEED_SUPER, USB_SPEED_SUPER_PLUS = range(7)

# ---------------------------------------------------------------------------------------------
# USB/IP: URB phase, drivers/usb/usbip/usbip_common.h (48-byte header: basic 20 + union 28)
# ---------------------------------------------------------------------------------------------

USBIP_CMD_SUBMIT = 0x0001
USBIP_CMD_UNLINK = 0x0002
USBIP_RET_SUBMIT = 0x0003
USBIP_RET_UNLINK = 0x0004
USBIP_DIR_OUT = 0
USBIP_DIR_IN = 1

URB_HEADER_SIZE = 48
HDR_BASIC = struct.Struct(">IIIII")         # command, seqnum, devid, direction, ep
HDR_CMD_SUBMIT = struct.Struct(">Iiiii8s")  # transfer_flags, transfer_buffer_length, start_frame,
#                                            number_of_packets, interval, raw setup packet
HDR_RET_SUBMIT = struct.Struct(">iiiii8s")  # status, actual_length, start_frame, npackets, errors
HDR_CMD_UNLINK = struct.Struct(">I24s")     # unlink_seqnum, padding
HDR_RET_UNLINK = struct.Struct(">i24s")     # status, padding
ISO_PACKET_DESC = struct.Struct(">IIIi")    # offset, length, actual_length, status

# transfer_flags (linux/usbip.h)
URB_SHORT_NOT_OK = 0x0001
URB_ISO_ASAP = 0x0002
URB_ZERO_PACKET = 0x0040
URB_NO_INTERRUPT = 0x0080
URB_DIR_IN = 0x0200

# negative errno values carried in status fields (asm-generic/errno*.h)
ENOENT, EPIPE, ENODEV, EINVAL, EOVERFLOW, ECONNRESET, ESHUTDOWN = 2, 32, 19, 22, 75, 104, 108
EPROTO, EREMOTEIO = 71, 121

# ---------------------------------------------------------------------------------------------
# USB chapter 9
# ---------------------------------------------------------------------------------------------

USB_DIR_OUT, USB_DIR_IN = 0x00, 0x80
USB_TYPE_STANDARD, USB_TYPE_CLASS, USB_TYPE_VENDOR = 0x00, 0x20, 0x40
USB_RECIP_DEVICE, USB_RECIP_INTERFACE, USB_RECIP_ENDPOINT = 0x00, 0x01, 0x02

USB_REQ_GET_STATUS = 0x00
USB_REQ_CLEAR_FEATURE = 0x01
USB_REQ_SET_FEATURE = 0x03
USB_REQ_SET_ADDRESS = 0x05
USB_REQ_GET_DESCRIPTOR = 0x06
USB_REQ_GET_CONFIGURATION = 0x08
USB_REQ_SET_CONFIGURATION = 0x09
USB_REQ_GET_INTERFACE = 0x0A
USB_REQ_SET_INTERFACE = 0x0B
USB_REQ_SET_SEL = 0x30
USB_REQ_SET_ISOCH_DELAY = 0x31
USB_ENDPOINT_HALT = 0

USB_DT_DEVICE = 0x01
USB_DT_CONFIG = 0x02
USB_DT_STRING = 0x03
USB_DT_INTERFACE = 0x04
USB_DT_ENDPOINT = 0x05
USB_DT_INTERFACE_ASSOCIATION = 0x0B
USB_DT_BOS = 0x0F
USB_DT_DEVICE_CAPABILITY = 0x10
USB_DT_SS_ENDPOINT_COMP = 0x30
USB_DT_CS_INTERFACE = 0x24       # class-specific interface (the U3V Device Info descriptor)
USB_SS_CAP_TYPE = 0x03

LANGID_EN_US = 0x0409

SETUP = struct.Struct("<BBHHH")  # bmRequestType, bRequest, wValue, wIndex, wLength


def setup_packet(bmRequestType, bRequest, wValue=0, wIndex=0, wLength=0):
    """The raw 8-byte USB setup packet (little-endian, never swapped by USB/IP)."""
    return SETUP.pack(bmRequestType, bRequest, wValue, wIndex, wLength)


class ProtocolError(Exception):
    """The peer broke a wire rule (bad version, unknown seqnum, too much data...)."""


class UsbipError(Exception):
    """An OP_REP_* came back with a non-zero status."""

    def __init__(self, msg, status=None):
        super().__init__(msg)
        self.status = status


# ---------------------------------------------------------------------------------------------
# Codecs
# ---------------------------------------------------------------------------------------------

def pack_op_common(code, status=0, version=USBIP_VERSION):
    return OP_COMMON.pack(version, code, status)


def unpack_op_common(buf):
    """(version, code, status) of an 8-byte op_common header."""
    return OP_COMMON.unpack(bytes(buf[:OP_COMMON_SIZE]))


def pack_op_req_import(busid, version=USBIP_VERSION):
    if isinstance(busid, str):
        busid = busid.encode()
    return pack_op_common(OP_REQ_IMPORT, 0, version) + busid[:SYSFS_BUS_ID_SIZE].ljust(SYSFS_BUS_ID_SIZE, b"\0")


def _cstr(b):
    return bytes(b).split(b"\0", 1)[0].decode("ascii", "replace")


class UsbipDevice:
    """struct usbip_usb_device (+ the interface records of OP_REP_DEVLIST)."""

    FIELDS = ("path", "busid", "busnum", "devnum", "speed", "idVendor", "idProduct", "bcdDevice",
              "bDeviceClass", "bDeviceSubClass", "bDeviceProtocol", "bConfigurationValue",
              "bNumConfigurations", "bNumInterfaces")

    def __init__(self, **kw):
        for f in self.FIELDS:
            setattr(self, f, kw.get(f))
        self.raw_path = kw.get("raw_path", b"")
        self.raw_busid = kw.get("raw_busid", b"")
        self.interfaces = list(kw.get("interfaces", []))   # [(class, subclass, protocol, padding)]

    @property
    def devid(self):
        """(busnum << 16) | devnum, as usbip attach computes it (both cast to uint8_t first)."""
        return ((self.busnum & 0xFF) << 16) | (self.devnum & 0xFF)

    @classmethod
    def unpack(cls, buf):
        if len(buf) < USB_DEVICE_SIZE:
            raise ProtocolError("usbip_usb_device needs %d bytes, got %d" % (USB_DEVICE_SIZE, len(buf)))
        buf = bytes(buf[:USB_DEVICE_SIZE])
        raw_path, raw_busid = buf[:SYSFS_PATH_MAX], buf[SYSFS_PATH_MAX:SYSFS_PATH_MAX + SYSFS_BUS_ID_SIZE]
        vals = USB_DEVICE_TAIL.unpack(buf[0x120:])
        names = cls.FIELDS[2:]
        kw = dict(zip(names, vals))
        kw.update(path=_cstr(raw_path), busid=_cstr(raw_busid), raw_path=raw_path, raw_busid=raw_busid)
        return cls(**kw)

    def pack(self):
        path = self.raw_path or self.path.encode().ljust(SYSFS_PATH_MAX, b"\0")
        busid = self.raw_busid or self.busid.encode().ljust(SYSFS_BUS_ID_SIZE, b"\0")
        return path + busid + USB_DEVICE_TAIL.pack(*(getattr(self, f) for f in self.FIELDS[2:]))

    def as_dict(self):
        d = {f: getattr(self, f) for f in self.FIELDS}
        d["interfaces"] = list(self.interfaces)
        return d

    def __repr__(self):
        return "UsbipDevice(%s)" % ", ".join("%s=%r" % (f, getattr(self, f)) for f in self.FIELDS)


class SockReader:
    """Exact-size reads from a socket with deadlines; partial data survives a timeout."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = bytearray()
        self.eof = False

    def fill(self, n, deadline):
        """Make the buffer hold at least n bytes. Raises TimeoutError or EOFError."""
        while len(self.buf) < n:
            if self.eof:
                raise EOFError("connection closed by peer after %d of %d bytes" % (len(self.buf), n))
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                raise TimeoutError("timed out waiting for %d bytes (have %d)" % (n, len(self.buf)))
            r, _, _ = select.select([self.sock], [], [], remaining)
            if not r:
                continue
            try:
                chunk = self.sock.recv(max(65536, n - len(self.buf)))
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                self.eof = True
                continue
            self.buf += chunk

    def read(self, n, deadline):
        self.fill(n, deadline)
        out = bytes(self.buf[:n])
        del self.buf[:n]
        return out

    def peek(self, n, deadline):
        self.fill(n, deadline)
        return bytes(self.buf[:n])

    def wait_eof(self, timeout):
        """True when the peer closes within timeout (any data received meanwhile is discarded)."""
        deadline = time.monotonic() + timeout
        while not self.eof:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            r, _, _ = select.select([self.sock], [], [], remaining)
            if not r:
                continue
            try:
                chunk = self.sock.recv(65536)
            except (ConnectionResetError, OSError):
                chunk = b""
            if not chunk:
                self.eof = True
            else:
                self.buf += chunk
        return True


def _connect(host, port, timeout):
    s = socket.create_connection((host, port), timeout=timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.settimeout(None)   # reads go through select() with their own deadlines
    return s


def recv_op_common(reader, expect_code, deadline):
    """Read an op_common header; check version and code as usbip_net_recv_op_common does."""
    version, code, status = unpack_op_common(reader.read(OP_COMMON_SIZE, deadline))
    if version != USBIP_VERSION:
        raise ProtocolError("op_common version 0x%04x, expected 0x%04x" % (version, USBIP_VERSION))
    if code != expect_code:
        raise ProtocolError("op_common code 0x%04x, expected 0x%04x" % (code, expect_code))
    return status


def list_devices(host, port, timeout=5.0):
    """OP_REQ_DEVLIST on a fresh connection. Returns [UsbipDevice] (with .interfaces)."""
    deadline = time.monotonic() + timeout
    with _connect(host, port, timeout) as s:
        s.sendall(pack_op_common(OP_REQ_DEVLIST))
        r = SockReader(s)
        status = recv_op_common(r, OP_REP_DEVLIST, deadline)
        if status != ST_OK:
            raise UsbipError("OP_REP_DEVLIST status %d" % status, status)
        (ndev,) = struct.unpack(">I", r.read(4, deadline))
        if ndev > 256:
            raise ProtocolError("implausible device count %d" % ndev)
        devs = []
        for _ in range(ndev):
            d = UsbipDevice.unpack(r.read(USB_DEVICE_SIZE, deadline))
            for _ in range(d.bNumInterfaces):
                d.interfaces.append(USB_INTERFACE.unpack(r.read(USB_INTERFACE.size, deadline)))
            devs.append(d)
        # usbipd closes after the reply; anything more would be a framing error.
        r.wait_eof(min(1.0, max(0.0, deadline - time.monotonic())))
        if r.buf:
            raise ProtocolError("%d unexpected bytes after OP_REP_DEVLIST" % len(r.buf))
        return devs


# ---------------------------------------------------------------------------------------------
# URB model
# ---------------------------------------------------------------------------------------------

class Urb:
    """One CMD_SUBMIT and, once it arrives, its RET_SUBMIT."""

    def __init__(self, seqnum, devid, direction, ep, flags, length, data, setup):
        self.seqnum = seqnum
        self.devid = devid
        self.direction = direction
        self.ep = ep
        self.flags = flags
        self.length = length
        self.out_data = data
        self.setup = setup
        self.state = "pending"          # pending -> done | cancelled
        self.status = None
        self.actual_length = None
        self.data = b""
        self.ret_header = None
        self.submitted_at = time.monotonic()
        self.completed_at = None

    @property
    def done(self):
        return self.state != "pending"

    def __repr__(self):
        return "Urb(seq=%d ep=%d dir=%d len=%d state=%s status=%s actual=%s)" % (
            self.seqnum, self.ep, self.direction, self.length, self.state, self.status, self.actual_length)


class Unlink:
    """One CMD_UNLINK and, once it arrives, its RET_UNLINK."""

    def __init__(self, seqnum, target_seqnum):
        self.seqnum = seqnum
        self.target_seqnum = target_seqnum
        self.state = "pending"
        self.status = None
        self.ret_header = None

    @property
    def done(self):
        return self.state != "pending"

    def __repr__(self):
        return "Unlink(seq=%d of=%d state=%s status=%s)" % (self.seqnum, self.target_seqnum, self.state,
                                                            self.status)


def pack_cmd_submit(seqnum, devid, direction, ep, transfer_flags=0, transfer_buffer_length=0,
                    setup=b"\0" * 8, start_frame=0, number_of_packets=0, interval=0):
    return HDR_BASIC.pack(USBIP_CMD_SUBMIT, seqnum, devid, direction, ep) + HDR_CMD_SUBMIT.pack(
        transfer_flags, transfer_buffer_length, start_frame, number_of_packets, interval, setup)


def pack_cmd_unlink(seqnum, devid, unlink_seqnum):
    return HDR_BASIC.pack(USBIP_CMD_UNLINK, seqnum, devid, 0, 0) + HDR_CMD_UNLINK.pack(unlink_seqnum, b"\0" * 24)


def unpack_urb_header(buf):
    """Decode a 48-byte URB header into a dict (keys named after the kernel's fields)."""
    if len(buf) != URB_HEADER_SIZE:
        raise ProtocolError("URB header must be 48 bytes, got %d" % len(buf))
    command, seqnum, devid, direction, ep = HDR_BASIC.unpack(buf[:20])
    h = dict(command=command, seqnum=seqnum, devid=devid, direction=direction, ep=ep)
    rest = buf[20:]
    if command == USBIP_CMD_SUBMIT:
        f, tl, sf, np_, iv, st = HDR_CMD_SUBMIT.unpack(rest)
        h.update(transfer_flags=f, transfer_buffer_length=tl, start_frame=sf, number_of_packets=np_,
                 interval=iv, setup=st)
    elif command == USBIP_RET_SUBMIT:
        stt, al, sf, np_, ec, pad = HDR_RET_SUBMIT.unpack(rest)
        h.update(status=stt, actual_length=al, start_frame=sf, number_of_packets=np_, error_count=ec,
                 padding=pad)
    elif command == USBIP_CMD_UNLINK:
        us, pad = HDR_CMD_UNLINK.unpack(rest)
        h.update(unlink_seqnum=us, padding=pad)
    elif command == USBIP_RET_UNLINK:
        stt, pad = HDR_RET_UNLINK.unpack(rest)
        h.update(status=stt, padding=pad)
    return h


class UsbipConnection:
    """One TCP connection to a USB/IP server.

    Before import: devlist()/import_device(). After a successful import the connection carries
    URBs: submit() sends CMD_SUBMIT and returns an Urb that stays in .pending until its
    RET_SUBMIT arrives; unlink() sends CMD_UNLINK; wait(obj) reads PDUs until obj is answered,
    routing every other PDU to its own Urb/Unlink. Rule violations by the server (RET_SUBMIT for
    an unknown, unlinked or already answered seqnum, more IN data than requested) are recorded in
    .violations and raised as ProtocolError.
    """

    def __init__(self, host, port, timeout=5.0):
        self.host, self.port = host, port
        self.timeout = timeout
        self.sock = _connect(host, port, timeout)
        self.reader = SockReader(self.sock)
        self.devid = None
        self.device = None
        self.next_seqnum = 1
        self.pending = {}        # seqnum -> Urb or Unlink awaiting an answer
        self.cancelled = {}      # seqnum -> Urb unlinked while pending (must never be answered)
        self.answered = {}       # seqnum -> Urb answered (kept to detect duplicate RET_SUBMITs)
        self.unlinks = {}        # seqnum -> Unlink (all)
        self.violations = []
        self.closed = False

    # -- plumbing ---------------------------------------------------------------------------
    def close(self):
        if not self.closed:
            self.closed = True
            try:
                self.sock.close()
            except OSError:
                pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def send_raw(self, data):
        self.sock.sendall(data)

    def wait_closed(self, timeout=2.0):
        """True if the server closes the connection within timeout."""
        return self.reader.wait_eof(timeout)

    def _deadline(self, timeout):
        return time.monotonic() + (self.timeout if timeout is None else timeout)

    def alloc_seqnum(self):
        s = self.next_seqnum
        self.next_seqnum = (self.next_seqnum + 1) & 0xFFFFFFFF or 1
        return s

    # -- operation phase --------------------------------------------------------------------
    def import_device(self, busid="1-1", timeout=None, check=True):
        """OP_REQ_IMPORT. Returns (status, UsbipDevice or None). With check, raises on status != 0."""
        deadline = self._deadline(timeout)
        self.send_raw(pack_op_req_import(busid))
        status = recv_op_common(self.reader, OP_REP_IMPORT, deadline)
        dev = None
        if status == ST_OK:
            dev = UsbipDevice.unpack(self.reader.read(USB_DEVICE_SIZE, deadline))
            want = busid.encode() if isinstance(busid, str) else busid
            if _cstr(dev.raw_busid) != _cstr(want[:SYSFS_BUS_ID_SIZE]):   # usbip attach: strncmp(32)
                raise ProtocolError("OP_REP_IMPORT busid %r, requested %r" % (dev.busid, busid))
            self.device = dev
            self.devid = dev.devid
        elif check:
            raise UsbipError("OP_REP_IMPORT status %d (%s)" % (status, ST_NAMES.get(status, "?")), status)
        return status, dev

    # -- URB phase --------------------------------------------------------------------------
    def submit(self, ep, direction, length=0, data=b"", setup=b"\0" * 8, flags=0, devid=None, seqnum=None,
               start_frame=0, number_of_packets=0, interval=0, send_data=True):
        """Send CMD_SUBMIT (plus OUT data). Returns the pending Urb."""
        if direction == USBIP_DIR_OUT and data and length == 0:
            length = len(data)
        if seqnum is None:
            seqnum = self.alloc_seqnum()
        if devid is None:
            devid = self.devid
        urb = Urb(seqnum, devid, direction, ep, flags, length, bytes(data), bytes(setup))
        pdu = pack_cmd_submit(seqnum, devid, direction, ep, flags, length, setup, start_frame,
                              number_of_packets, interval)
        if direction == USBIP_DIR_OUT and send_data:
            pdu += bytes(data)
        self.pending[seqnum] = urb
        self.send_raw(pdu)
        return urb

    def unlink(self, urb, devid=None):
        """Send CMD_UNLINK for urb (an Urb or a seqnum). Returns the pending Unlink."""
        target = urb.seqnum if isinstance(urb, Urb) else int(urb)
        seq = self.alloc_seqnum()
        u = Unlink(seq, target)
        self.pending[seq] = u
        self.unlinks[seq] = u
        self.send_raw(pack_cmd_unlink(seq, self.devid if devid is None else devid, target))
        return u

    def _violation(self, msg):
        self.violations.append(msg)
        raise ProtocolError(msg)

    def _read_pdu(self, deadline):
        """Read and route one PDU. Returns the Urb/Unlink it completed."""
        hdr = unpack_urb_header(self.reader.peek(URB_HEADER_SIZE, deadline))
        cmd, seq = hdr["command"], hdr["seqnum"]
        if cmd == USBIP_RET_SUBMIT:
            urb = self.pending.get(seq)
            if not isinstance(urb, Urb):
                urb = self.cancelled.get(seq) or self.answered.get(seq)
                why = ("for a URB that was unlinked (RET_UNLINK -ECONNRESET already received)"
                       if seq in self.cancelled else
                       "a second time" if seq in self.answered else "for an unknown seqnum")
                if urb is None:
                    self.reader.read(URB_HEADER_SIZE, deadline)
                    self._violation("RET_SUBMIT seqnum %d %s: %r" % (seq, why, hdr))
                n = hdr["actual_length"] if urb.direction == USBIP_DIR_IN and hdr["actual_length"] > 0 else 0
                self.reader.read(URB_HEADER_SIZE + min(n, urb.length), deadline)
                self._violation("RET_SUBMIT seqnum %d %s: %r" % (seq, why, hdr))
            al = hdr["actual_length"]
            if al < 0 or al > max(urb.length, 0):
                self.reader.read(URB_HEADER_SIZE, deadline)
                self._violation("RET_SUBMIT seqnum %d actual_length %d > transfer_buffer_length %d"
                                % (seq, al, urb.length))
            data = b""
            if urb.direction == USBIP_DIR_IN and al:
                self.reader.fill(URB_HEADER_SIZE + al, deadline)
                data = self.reader.read(URB_HEADER_SIZE + al, deadline)[URB_HEADER_SIZE:]
            else:
                self.reader.read(URB_HEADER_SIZE, deadline)
            del self.pending[seq]
            urb.state = "done"
            urb.status = hdr["status"]
            urb.actual_length = al
            urb.data = data
            urb.ret_header = hdr
            urb.completed_at = time.monotonic()
            self.answered[seq] = urb
            return urb
        if cmd == USBIP_RET_UNLINK:
            self.reader.read(URB_HEADER_SIZE, deadline)
            u = self.pending.get(seq)
            if not isinstance(u, Unlink):
                self._violation("RET_UNLINK for seqnum %d, which is no pending CMD_UNLINK: %r" % (seq, hdr))
            del self.pending[seq]
            u.state = "done"
            u.status = hdr["status"]
            u.ret_header = hdr
            target = self.pending.get(u.target_seqnum)
            if u.status == -ECONNRESET and isinstance(target, Urb):
                del self.pending[u.target_seqnum]
                target.state = "cancelled"
                target.status = -ECONNRESET
                self.cancelled[target.seqnum] = target
            return u
        self.reader.read(URB_HEADER_SIZE, deadline)
        self._violation("unexpected PDU command 0x%08x from the server: %r" % (cmd, hdr))

    def wait(self, obj, timeout=None):
        """Read PDUs until obj (Urb or Unlink) is answered; return obj. TimeoutError if not in time."""
        deadline = self._deadline(timeout)
        while not obj.done:
            self._read_pdu(deadline)
        return obj

    def poll(self, timeout=0.0):
        """Process every PDU that arrives within timeout; return the list of completed objects."""
        deadline = time.monotonic() + timeout
        out = []
        while True:
            try:
                out.append(self._read_pdu(deadline))
            except TimeoutError:
                return out

    def transfer(self, ep, direction, length=0, data=b"", timeout=None, **kw):
        """submit + wait. On timeout the URB is unlinked (as libusb does) and TimeoutError raised."""
        urb = self.submit(ep, direction, length, data, **kw)
        try:
            return self.wait(urb, timeout)
        except TimeoutError:
            u = self.unlink(urb)
            try:
                self.wait(u, 2.0)
            except (TimeoutError, EOFError):
                pass
            raise

    # -- control transfers ------------------------------------------------------------------
    def control(self, bmRequestType, bRequest, wValue=0, wIndex=0, wLength=None, data=b"", timeout=None,
                length=None):
        """A control transfer on ep 0. Returns the completed Urb (.status, .data)."""
        direction = USBIP_DIR_IN if bmRequestType & USB_DIR_IN else USBIP_DIR_OUT
        if wLength is None:
            wLength = len(data)
        setup = setup_packet(bmRequestType, bRequest, wValue, wIndex, wLength)
        if length is None:
            length = wLength
        flags = URB_DIR_IN if direction == USBIP_DIR_IN else 0
        return self.transfer(0, direction, length, data, timeout=timeout, setup=setup, flags=flags)

    def get_descriptor(self, dtype, index=0, length=255, langid=0, timeout=None):
        urb = self.control(USB_DIR_IN | USB_TYPE_STANDARD | USB_RECIP_DEVICE, USB_REQ_GET_DESCRIPTOR,
                           (dtype << 8) | index, langid, length, timeout=timeout)
        if urb.status != 0:
            raise UsbipError("GET_DESCRIPTOR(0x%02x, %d) status %d" % (dtype, index, urb.status), urb.status)
        return urb.data

    def get_string(self, index, langid=LANGID_EN_US, length=255):
        d = self.get_descriptor(USB_DT_STRING, index, length, langid)
        if len(d) < 2 or d[1] != USB_DT_STRING or d[0] > len(d):
            raise ProtocolError("bad string descriptor %r" % d)
        return d[2:d[0]].decode("utf-16-le")

    def set_configuration(self, value=1, timeout=None):
        """SET_CONFIGURATION as usbcore sends it: control OUT, no data stage."""
        urb = self.control(USB_DIR_OUT | USB_TYPE_STANDARD | USB_RECIP_DEVICE, USB_REQ_SET_CONFIGURATION,
                           value, 0, 0, timeout=timeout)
        if urb.status != 0:
            raise UsbipError("SET_CONFIGURATION(%d) status %d" % (value, urb.status), urb.status)
        return urb

    def bulk_out(self, ep, data, timeout=None):
        return self.transfer(ep & 0x0F, USBIP_DIR_OUT, len(data), data, timeout=timeout)

    def bulk_in(self, ep, length, timeout=None):
        return self.transfer(ep & 0x0F, USBIP_DIR_IN, length, timeout=timeout, flags=URB_DIR_IN)


def open_device(host, port, busid="1-1", configure=True, timeout=5.0):
    """Connect, import busid and (by default) SET_CONFIGURATION(1). Returns the UsbipConnection."""
    c = UsbipConnection(host, port, timeout)
    try:
        c.import_device(busid)
        if configure:
            c.set_configuration(1)
    except BaseException:
        c.close()
        raise
    return c


# ---------------------------------------------------------------------------------------------
# USB descriptors (little-endian)
# ---------------------------------------------------------------------------------------------

DEVICE_DESC = struct.Struct("<BBHBBBBHHHBBBB")
CONFIG_DESC = struct.Struct("<BBHBBBBB")
INTERFACE_DESC = struct.Struct("<BBBBBBBBB")
ENDPOINT_DESC = struct.Struct("<BBBBHB")
IAD_DESC = struct.Struct("<BBBBBBBB")
SS_EP_COMP_DESC = struct.Struct("<BBBBH")
BOS_DESC = struct.Struct("<BBHB")
SS_CAP_DESC = struct.Struct("<BBBBHBBH")
U3V_DEVICE_INFO = struct.Struct("<BBBHHHHBBBBBBBBB")   # 20 bytes


def parse_device_descriptor(d):
    if len(d) < 18:
        raise ProtocolError("device descriptor of %d bytes" % len(d))
    names = ("bLength", "bDescriptorType", "bcdUSB", "bDeviceClass", "bDeviceSubClass", "bDeviceProtocol",
             "bMaxPacketSize0", "idVendor", "idProduct", "bcdDevice", "iManufacturer", "iProduct",
             "iSerialNumber", "bNumConfigurations")
    return dict(zip(names, DEVICE_DESC.unpack(bytes(d[:18]))))


def split_descriptors(buf):
    """Split a descriptor blob into [(bDescriptorType, bytes)], checking each bLength."""
    out, i = [], 0
    while i < len(buf):
        if len(buf) - i < 2:
            raise ProtocolError("trailing byte at offset %d" % i)
        ln, ty = buf[i], buf[i + 1]
        if ln < 2 or i + ln > len(buf):
            raise ProtocolError("descriptor at offset %d has bLength %d (%d bytes left)" % (i, ln, len(buf) - i))
        out.append((ty, bytes(buf[i:i + ln])))
        i += ln
    return out


def parse_config(buf):
    """Parse a full configuration descriptor into a dict with 'interfaces' (in order), 'iads'.

    Each interface: dict of its fields plus 'extra' (class-specific descriptors that follow it
    before the first endpoint, in order) and 'endpoints' (each with an optional 'companion').
    """
    descs = split_descriptors(buf)
    if not descs or descs[0][0] != USB_DT_CONFIG:
        raise ProtocolError("configuration blob does not start with a CONFIG descriptor")
    c = dict(zip(("bLength", "bDescriptorType", "wTotalLength", "bNumInterfaces", "bConfigurationValue",
                  "iConfiguration", "bmAttributes", "bMaxPower"), CONFIG_DESC.unpack(descs[0][1][:9])))
    c["interfaces"], c["iads"], c["sequence"] = [], [], [d[0] for d in descs]
    cur, last_ep = None, None
    for ty, d in descs[1:]:
        if ty == USB_DT_INTERFACE:
            cur = dict(zip(("bLength", "bDescriptorType", "bInterfaceNumber", "bAlternateSetting",
                            "bNumEndpoints", "bInterfaceClass", "bInterfaceSubClass", "bInterfaceProtocol",
                            "iInterface"), INTERFACE_DESC.unpack(d[:9])))
            cur["extra"], cur["endpoints"] = [], []
            c["interfaces"].append(cur)
            last_ep = None
        elif ty == USB_DT_ENDPOINT:
            if cur is None:
                raise ProtocolError("endpoint before any interface")
            last_ep = dict(zip(("bLength", "bDescriptorType", "bEndpointAddress", "bmAttributes",
                                "wMaxPacketSize", "bInterval"), ENDPOINT_DESC.unpack(d[:7])))
            last_ep["companion"] = None
            cur["endpoints"].append(last_ep)
        elif ty == USB_DT_SS_ENDPOINT_COMP:
            if last_ep is None:
                raise ProtocolError("SS endpoint companion without an endpoint")
            last_ep["companion"] = dict(zip(("bLength", "bDescriptorType", "bMaxBurst", "bmAttributes",
                                             "wBytesPerInterval"), SS_EP_COMP_DESC.unpack(d[:6])))
        elif ty == USB_DT_INTERFACE_ASSOCIATION:
            c["iads"].append(dict(zip(("bLength", "bDescriptorType", "bFirstInterface", "bInterfaceCount",
                                       "bFunctionClass", "bFunctionSubClass", "bFunctionProtocol",
                                       "iFunction"), IAD_DESC.unpack(d[:8]))))
        else:
            if cur is not None and not cur["endpoints"]:
                cur["extra"].append(d)
            elif cur is not None:
                cur.setdefault("ep_extra", []).append(d)
    return c


def parse_u3v_device_info(d):
    if len(d) < 20:
        raise ProtocolError("U3V device info descriptor of %d bytes" % len(d))
    v = U3V_DEVICE_INFO.unpack(bytes(d[:20]))
    names = ("bLength", "bDescriptorType", "bDescriptorSubtype", "GenCPVersionMinor", "GenCPVersionMajor",
             "U3VVersionMinor", "U3VVersionMajor", "iDeviceGUID", "iVendorName", "iModelName", "iFamilyName",
             "iDeviceVersion", "iManufacturerInfo", "iSerialNumber", "iUserDefinedName", "bmSpeedSupport")
    return dict(zip(names, v))


def parse_bos(buf):
    descs = split_descriptors(buf)
    if not descs or descs[0][0] != USB_DT_BOS:
        raise ProtocolError("BOS blob does not start with a BOS descriptor")
    _, _, total, ncaps = BOS_DESC.unpack(descs[0][1][:5])
    caps = []
    for ty, d in descs[1:]:
        if ty != USB_DT_DEVICE_CAPABILITY:
            raise ProtocolError("BOS holds a descriptor of type 0x%02x" % ty)
        cap = {"bDevCapabilityType": d[2], "raw": d}
        if d[2] == USB_SS_CAP_TYPE and len(d) >= 10:
            cap.update(zip(("bLength", "bDescriptorType", "bDevCapabilityType", "bmAttributes",
                            "wSpeedsSupported", "bFunctionalitySupport", "bU1DevExitLat", "wU2DevExitLat"),
                           SS_CAP_DESC.unpack(d[:10])))
        caps.append(cap)
    return {"wTotalLength": total, "bNumDeviceCaps": ncaps, "caps": caps}


# ---------------------------------------------------------------------------------------------
# GenCP over the U3V control interface (all little-endian)
# ---------------------------------------------------------------------------------------------

U3V_PREFIX = 0x43563355      # "U3VC"
GENCP_HEADER = struct.Struct("<IHHHH")   # prefix, flags|status, command|ack id, length, request|ack id
GENCP_HEADER_SIZE = 12
GENCP_FLAG_REQUEST_ACK = 0x4000
GENCP_FLAG_RESEND = 0x8000

READMEM_CMD, READMEM_ACK = 0x0800, 0x0801
WRITEMEM_CMD, WRITEMEM_ACK = 0x0802, 0x0803
PENDING_ACK = 0x0805
EVENT_CMD, EVENT_ACK = 0x0C00, 0x0C01

GENCP_SUCCESS = 0x0000
GENCP_NOT_IMPLEMENTED = 0x8001
GENCP_INVALID_PARAMETER = 0x8002
GENCP_INVALID_ADDRESS = 0x8003
GENCP_WRITE_PROTECT = 0x8004
GENCP_BAD_ALIGNMENT = 0x8005
GENCP_ACCESS_DENIED = 0x8006
GENCP_BUSY = 0x8007
GENCP_MSG_TIMEOUT = 0x800B
GENCP_INVALID_HEADER = 0x800E
GENCP_WRONG_CONFIG = 0x800F
GENCP_GENERIC_ERROR = 0x8FFF

GENCP_STATUS_NAMES = {
    0x0000: "SUCCESS", 0x8001: "NOT_IMPLEMENTED", 0x8002: "INVALID_PARAMETER", 0x8003: "INVALID_ADDRESS",
    0x8004: "WRITE_PROTECT", 0x8005: "BAD_ALIGNMENT", 0x8006: "ACCESS_DENIED", 0x8007: "BUSY",
    0x800B: "MSG_TIMEOUT", 0x800E: "INVALID_HEADER", 0x800F: "WRONG_CONFIG", 0x8FFF: "GENERIC_ERROR",
    0xA001: "RESEND_NOT_SUPPORTED", 0xA002: "STREAM_ENDPOINT_HALTED", 0xA003: "PAYLOAD_SIZE_NOT_ALIGNED",
    0xA004: "INVALID_SI_STATE", 0xA005: "EVENT_ENDPOINT_HALTED",
}


def gencp_header(command_id, length, request_id, flags=GENCP_FLAG_REQUEST_ACK, prefix=U3V_PREFIX):
    return GENCP_HEADER.pack(prefix, flags, command_id, length, request_id)


def readmem_cmd(address, count, request_id, flags=GENCP_FLAG_REQUEST_ACK):
    return gencp_header(READMEM_CMD, 12, request_id, flags) + struct.pack("<QHH", address, 0, count)


def writemem_cmd(address, data, request_id, flags=GENCP_FLAG_REQUEST_ACK):
    return gencp_header(WRITEMEM_CMD, 8 + len(data), request_id, flags) + struct.pack("<Q", address) + bytes(data)


class GenCPAck:
    """One decoded acknowledge (the final one; .pending lists the PENDING_ACK timeouts seen)."""

    def __init__(self, raw):
        if len(raw) < GENCP_HEADER_SIZE:
            raise ProtocolError("GenCP ack of %d bytes" % len(raw))
        self.raw = bytes(raw)
        self.prefix, self.status, self.ack_id, self.length, self.request_id = GENCP_HEADER.unpack(raw[:12])
        self.scd = self.raw[12:]
        self.pending = []

    def __repr__(self):
        return "GenCPAck(status=0x%04x %s, ack_id=0x%04x, length=%d, request_id=0x%04x, pending=%r)" % (
            self.status, GENCP_STATUS_NAMES.get(self.status, "?"), self.ack_id, self.length, self.request_id,
            self.pending)


class GenCPError(Exception):
    def __init__(self, ack, what=""):
        super().__init__("%s: GenCP status 0x%04x (%s)" % (what, ack.status, GENCP_STATUS_NAMES.get(ack.status, "?")))
        self.ack = ack
        self.status = ack.status


class GenCP:
    """GenCP client over the U3V control endpoints of an imported, configured device.

    Each transaction: bulk OUT the command, then bulk IN (max_ack bytes) for the ack, as Aravis
    does. A PENDING_ACK with the right request id makes the client submit another bulk IN and
    wait the announced timeout (plus `slack` seconds for scheduling) for the final ack.
    """

    def __init__(self, conn, out_ep=0x01, in_ep=0x81, max_ack=65536, timeout=2.0, slack=0.25,
                 first_request_id=1):
        self.conn = conn
        self.out_ep, self.in_ep = out_ep, in_ep
        self.max_ack = max_ack
        self.timeout = timeout
        self.slack = slack
        self.request_id = first_request_id
        self.pending_seen = 0

    def next_request_id(self):
        rid = self.request_id
        self.request_id = rid + 1 if rid < 0xFFFF else 1     # skip 0, wrap 0xFFFF -> 1 (Aravis)
        return rid

    def recv_ack(self, request_id=None, timeout=None):
        """Read acks on the IN endpoint until a final one; follow PENDING_ACKs for request_id."""
        timeout = self.timeout if timeout is None else timeout
        pendings = []
        while True:
            urb = self.conn.bulk_in(self.in_ep, self.max_ack, timeout=timeout)
            if urb.status != 0:
                raise ProtocolError("ack bulk IN status %d" % urb.status)
            ack = GenCPAck(urb.data)
            if ack.prefix != U3V_PREFIX:
                raise ProtocolError("ack prefix 0x%08x" % ack.prefix)
            if ack.length != len(ack.scd):
                raise ProtocolError("ack length field %d but %d SCD bytes" % (ack.length, len(ack.scd)))
            if ack.ack_id == PENDING_ACK and (request_id is None or ack.request_id == request_id):
                if ack.length != 4:
                    raise ProtocolError("PENDING_ACK with length %d" % ack.length)
                _, ms = struct.unpack("<HH", ack.scd)
                pendings.append(ms)
                self.pending_seen += 1
                if len(pendings) > 16:
                    raise ProtocolError("more than 16 PENDING_ACKs in a row")
                timeout = ms / 1000.0 + self.slack
                continue
            ack.pending = pendings
            return ack

    def transact(self, packet, request_id=None, timeout=None):
        """Send one raw command packet and return its final GenCPAck (no status check)."""
        if request_id is None:
            request_id = GENCP_HEADER.unpack(packet[:12])[4]
        urb = self.conn.bulk_out(self.out_ep, packet, timeout=timeout or self.timeout)
        if urb.status != 0:
            raise ProtocolError("command bulk OUT status %d" % urb.status)
        if urb.actual_length != len(packet):
            raise ProtocolError("command bulk OUT took %d of %d bytes" % (urb.actual_length, len(packet)))
        return self.recv_ack(request_id, timeout)

    def _check(self, ack, rid, expect_ack_id, what):
        if ack.request_id != rid:
            raise ProtocolError("%s: ack id 0x%04x for request id 0x%04x" % (what, ack.request_id, rid))
        if ack.ack_id != expect_ack_id:
            raise ProtocolError("%s: ack command 0x%04x, expected 0x%04x" % (what, ack.ack_id, expect_ack_id))
        if ack.status != GENCP_SUCCESS:
            raise GenCPError(ack, what)
        return ack

    def read_ack(self, address, count, request_id=None, timeout=None):
        rid = self.next_request_id() if request_id is None else request_id
        return self.transact(readmem_cmd(address, count, rid), rid, timeout)

    def write_ack(self, address, data, request_id=None, timeout=None):
        rid = self.next_request_id() if request_id is None else request_id
        return self.transact(writemem_cmd(address, data, rid), rid, timeout)

    def read(self, address, count, timeout=None):
        rid = self.next_request_id()
        ack = self._check(self.read_ack(address, count, rid, timeout), rid, READMEM_ACK,
                          "READMEM 0x%x+%d" % (address, count))
        if len(ack.scd) != count:
            raise ProtocolError("READMEM 0x%x: asked %d bytes, got %d" % (address, count, len(ack.scd)))
        return ack.scd

    def write(self, address, data, timeout=None):
        rid = self.next_request_id()
        ack = self._check(self.write_ack(address, data, rid, timeout), rid, WRITEMEM_ACK,
                          "WRITEMEM 0x%x+%d" % (address, len(data)))
        if ack.length == 4:
            _, written = struct.unpack("<HH", ack.scd)
            if written != len(data):
                raise ProtocolError("WRITEMEM 0x%x: wrote %d of %d bytes" % (address, written, len(data)))
        return ack

    def read_u32(self, address):
        return struct.unpack("<I", self.read(address, 4))[0]

    def read_u64(self, address):
        return struct.unpack("<Q", self.read(address, 8))[0]

    def write_u32(self, address, value):
        return self.write(address, struct.pack("<I", value))

    def read_string(self, address, size=64):
        return self.read(address, size).split(b"\0", 1)[0].decode("ascii", "replace")

    def read_large(self, address, size, chunk=None):
        chunk = chunk or (self.max_ack - GENCP_HEADER_SIZE)
        out = bytearray()
        while len(out) < size:
            n = min(chunk, size - len(out))
            out += self.read(address + len(out), n)
        return bytes(out)


# ABRM / SBRM offsets (USB3 Vision bootstrap registers)
ABRM_GENCP_VERSION = 0x0000
ABRM_MANUFACTURER_NAME = 0x0004
ABRM_MODEL_NAME = 0x0044
ABRM_FAMILY_NAME = 0x0084
ABRM_DEVICE_VERSION = 0x00C4
ABRM_MANUFACTURER_INFO = 0x0104
ABRM_SERIAL_NUMBER = 0x0144
ABRM_USER_DEFINED_NAME = 0x0184
ABRM_DEVICE_CAPABILITY = 0x01C4
ABRM_MAX_DEVICE_RESPONSE_TIME = 0x01CC
ABRM_MANIFEST_TABLE_ADDRESS = 0x01D0
ABRM_SBRM_ADDRESS = 0x01D8
ABRM_DEVICE_CONFIGURATION = 0x01E0
ABRM_TIMESTAMP = 0x01F0
ABRM_TIMESTAMP_LATCH = 0x01F8
ABRM_TIMESTAMP_INCREMENT = 0x01FC
SBRM_MAX_CMD_TRANSFER = 0x14
SBRM_MAX_ACK_TRANSFER = 0x18
SBRM_SIRM_ADDRESS = 0x20
