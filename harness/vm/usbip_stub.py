#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""A tiny stand-in USB/IP server, to test the QEMU harness itself without dfk-emu.

It exports one SuperSpeed device that looks like a U3V camera on the descriptor level (class
EF/02/01, IAD, three EF/05 interfaces with protocols 0/1/2, a Device Info descriptor, BOS with a
SuperSpeed capability) and answers GenCP READMEM on the control endpoints from a small memory map
(ABRM strings), so enumeration, lsusb -v, detach/re-attach, disconnects and a GenCP round-trip
benchmark can be exercised. It is not the emulator: no GenICam XML, no streaming.

    /usr/bin/python3 harness/vm/usbip_stub.py [--port 0]
prints `usbip-stub: listening on 127.0.0.1:PORT (busid 1-1)` and serves until killed.
"""
import argparse
import os
import socket
import struct
import sys
import threading

BUSID = b"1-1"
VID, PID = 0x199E, 0x9FFF
SPEED_SUPER = 5
EPIPE, ECONNRESET = 32, 104

STRINGS = {1: "The Imaging Source Europe GmbH", 2: "USBIP STUB (harness self-test)", 3: "00000042",
           4: "199E00000042"}


def _le16(v):
    return struct.pack("<H", v)


def device_descriptor():
    return bytes([18, 1]) + _le16(0x0320) + bytes([0xEF, 0x02, 0x01, 9]) + \
        _le16(VID) + _le16(PID) + _le16(0x0100) + bytes([1, 2, 3, 1])


def _ep(addr, burst=0):
    return bytes([7, 5, addr, 2]) + _le16(1024) + bytes([0]) + bytes([6, 0x30, burst, 0, 0, 0])


def config_descriptor():
    iad = bytes([8, 0x0B, 0, 3, 0xEF, 0x05, 0x00, 0])
    info = bytes([20, 0x24, 0x01]) + struct.pack("<HHHH", 0, 1, 0, 1) + \
        bytes([4, 1, 2, 0, 0, 0, 3, 0, 0b1000])
    if0 = bytes([9, 4, 0, 0, 2, 0xEF, 0x05, 0x00, 0]) + info + _ep(0x01) + _ep(0x81)
    if1 = bytes([9, 4, 1, 0, 1, 0xEF, 0x05, 0x01, 0]) + _ep(0x82)
    if2 = bytes([9, 4, 2, 0, 1, 0xEF, 0x05, 0x02, 0]) + _ep(0x83, 15)
    body = iad + if0 + if1 + if2
    total = 9 + len(body)
    return bytes([9, 2]) + _le16(total) + bytes([3, 1, 0, 0x80, 112]) + body


def bos_descriptor():
    ss = bytes([10, 0x10, 3, 0]) + _le16(0x000E) + bytes([1, 0]) + _le16(0)
    return bytes([5, 0x0F]) + _le16(5 + len(ss)) + bytes([1]) + ss


def string_descriptor(idx):
    if idx == 0:
        return bytes([4, 3]) + _le16(0x0409)
    s = STRINGS.get(idx)
    if s is None:
        return None
    enc = s.encode("utf-16-le")
    return bytes([2 + len(enc), 3]) + enc


def usbip_device_record():
    path = b"/sys/devices/usbip-stub/1-1".ljust(256, b"\0")
    return path + BUSID.ljust(32, b"\0") + struct.pack(">III", 1, 2, SPEED_SUPER) + \
        struct.pack(">HHH", VID, PID, 0x0100) + bytes([0xEF, 0x02, 0x01, 1, 1, 3])


def memory():
    m = bytearray(0x300)

    def put(addr, s):
        b = s.encode()[:63]
        m[addr:addr + len(b)] = b
    put(0x04, STRINGS[1])
    put(0x44, "USBIP STUB")
    put(0x144, STRINGS[3])
    struct.pack_into("<I", m, 0x1CC, 300)
    return m


def recv_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise EOFError
        buf += chunk
    return buf


class Conn:
    def __init__(self, sock):
        self.sock = sock
        self.mem = memory()
        self.pending = {}   # ep -> [seqnum, ...] of bulk IN URBs waiting for data
        self.queued = {}    # ep -> [bytes, ...] data waiting for an IN URB
        self.lengths = {}   # seqnum -> transfer_buffer_length

    def serve(self):
        hdr = recv_exact(self.sock, 8)
        version, code, _status = struct.unpack(">HHI", hdr)
        if code == 0x8005:
            rec = usbip_device_record()
            ifs = b"".join(bytes([0xEF, 0x05, p, 0]) for p in (0, 1, 2))
            self.sock.sendall(struct.pack(">HHII", 0x0111, 0x0005, 0, 1) + rec + ifs)
            return
        if code != 0x8003:
            return
        busid = recv_exact(self.sock, 32).rstrip(b"\0")
        if busid != BUSID:
            self.sock.sendall(struct.pack(">HHI", 0x0111, 0x0003, 4))
            return
        self.sock.sendall(struct.pack(">HHI", 0x0111, 0x0003, 0) + usbip_device_record())
        while True:
            self.pdu()

    def ret_submit(self, seq, status, data=b"", actual=None):
        """RET_SUBMIT; IN data follows the header, for OUT only actual_length is reported."""
        n = len(data) if actual is None else actual
        hdr = struct.pack(">IIIII", 3, seq, 0, 0, 0) + struct.pack(">iiiii", status, n, 0, 0, 0) + bytes(8)
        self.sock.sendall(hdr + data)

    def pdu(self):
        h = recv_exact(self.sock, 48)
        cmd, seq, devid, direction, ep = struct.unpack(">IIIII", h[:20])
        if cmd == 2:  # CMD_UNLINK
            victim, = struct.unpack(">I", h[20:24])
            status = 0
            for lst in self.pending.values():
                if victim in lst:
                    lst.remove(victim)
                    status = -ECONNRESET
            self.sock.sendall(struct.pack(">IIIII", 4, seq, 0, 0, 0) + struct.pack(">i", status) + bytes(24))
            return
        if cmd != 1:
            raise EOFError
        flags, length, _sf, npk, _iv = struct.unpack(">Iiiii", h[20:40])
        setup = h[40:48]
        data = recv_exact(self.sock, length) if direction == 0 and length > 0 else b""
        if ep == 0:
            status, reply = self.control(setup, data)
            if direction == 1:
                self.ret_submit(seq, status, reply[:length])
            else:
                self.ret_submit(seq, status, b"", len(data) if status == 0 else 0)
            return
        if direction == 0:
            self.ret_submit(seq, 0, b"", len(data))
            if ep == 1:
                self.gencp(data)
            return
        self.lengths[seq] = length
        self.pending.setdefault(ep, []).append(seq)
        self.flush(ep)

    def flush(self, ep):
        while self.pending.get(ep) and self.queued.get(ep):
            seq = self.pending[ep].pop(0)
            d = self.queued[ep].pop(0)
            self.ret_submit(seq, 0, d[:self.lengths.pop(seq, len(d))])

    def gencp(self, data):
        if len(data) < 12:
            return
        prefix, flags, cmd, length, req = struct.unpack_from("<IHHHH", data)
        if prefix != 0x43563355:
            return
        if cmd == 0x0800 and len(data) >= 24:
            addr, _res, count = struct.unpack_from("<QHH", data, 12)
            chunk = bytes(self.mem[addr:addr + count]).ljust(count, b"\0") if addr < len(self.mem) else None
            if chunk is None:
                ack = struct.pack("<IHHHH", 0x43563355, 0x8003, 0x0801, 0, req)
            else:
                ack = struct.pack("<IHHHH", 0x43563355, 0, 0x0801, count, req) + chunk
        elif cmd == 0x0802:
            addr, = struct.unpack_from("<Q", data, 12)
            payload = data[20:]
            if addr + len(payload) <= len(self.mem):
                self.mem[addr:addr + len(payload)] = payload
            ack = struct.pack("<IHHHHHH", 0x43563355, 0, 0x0803, 4, req, 0, len(payload))
        else:
            ack = struct.pack("<IHHHH", 0x43563355, 0x8001, cmd + 1, 0, req)
        self.queued.setdefault(1, []).append(ack)
        self.flush(1)

    def control(self, setup, data):
        rt, req, value, index, wlen = struct.unpack("<BBHHH", setup)
        if rt == 0x80 and req == 6:
            kind, idx = value >> 8, value & 0xFF
            d = {1: device_descriptor, 2: config_descriptor, 0x0F: bos_descriptor}.get(kind)
            d = d() if d else (string_descriptor(idx) if kind == 3 else None)
            return (0, d) if d is not None else (-EPIPE, b"")
        if rt == 0x80 and req == 0:
            return 0, b"\0\0"
        if rt == 0x80 and req == 8:
            return 0, b"\x01"
        if rt in (0x00, 0x01, 0x02) and req in (1, 3, 9, 0x0B, 0x30, 0x31):
            return 0, b""
        if rt in (0x81, 0x82) and req == 0:
            return 0, b"\0\0"
        return -EPIPE, b""


def serve_forever(port):
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", port))
    ls.listen(8)
    print("usbip-stub: listening on 127.0.0.1:%d (busid 1-1)" % ls.getsockname()[1], flush=True)

    def handle(s):
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            Conn(s).serve()
        except (EOFError, OSError):
            pass
        finally:
            s.close()
    while True:
        s, _ = ls.accept()
        threading.Thread(target=handle, args=(s,), daemon=True).start()


class StubProcess:
    """This stub as a child process (so it can be SIGKILLed like dfk-emu); .port, .stop()."""

    def start(self):
        import subprocess
        import re
        self.proc = subprocess.Popen(["/usr/bin/python3", os.path.abspath(__file__)],
                                     stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        m = re.search(r":(\d+) \(busid", line)
        if not m:
            self.stop()
            raise RuntimeError("usbip stub did not start: %r" % line)
        self.port = int(m.group(1))
        return self

    def alive(self):
        return self.proc.poll() is None

    def stop(self, sig=None):
        import signal
        if self.proc.poll() is None:
            self.proc.send_signal(sig or signal.SIGKILL)
        self.proc.wait()
        self.proc.stdout.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=0)
    args = ap.parse_args()
    try:
        serve_forever(args.port)
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
