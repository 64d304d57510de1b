#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Seeds and dictionary of the usbmon_capture fuzz target (fuzz/fuzz_usbmon_capture.c).

Writes fuzz/corpus/usbmon_capture/*: a mode byte, then a small capture of a U3V camera (bus 2,
devnum 3: a configuration descriptor with the U3V interfaces, GenCP READMEMs, a STALL on the
stream endpoint, a hub's interrupt URB beside it) in each format the reader accepts: pcap
(link types 189 and 220, both byte orders, us and ns), pcapng (both byte orders, if_tsresol,
an Ethernet interface and a custom block to skip) and usbmon binary. Layouts from libpcap's
pcap/usb.h, the pcapng specification and Documentation/usb/usbmon.rst.

    /usr/bin/python3 fuzz/make_usbmon_seeds.py
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus", "usbmon_capture")
DICT = os.path.join(HERE, "dict", "usbmon_capture.dict")
T0 = 1700000000 * 10**9

CFG = bytes([9, 2, 48, 0, 3, 1, 0, 0x80, 50,
             9, 4, 0, 0, 2, 0xEF, 0x05, 0x00, 0, 7, 5, 0x01, 2, 0x00, 0x04, 0, 7, 5, 0x81, 2, 0x00, 0x04, 0,
             9, 4, 1, 0, 1, 0xEF, 0x05, 0x01, 0, 7, 5, 0x82, 2, 0x00, 0x04, 0,
             9, 4, 2, 0, 1, 0xEF, 0x05, 0x02, 0, 7, 5, 0x83, 2, 0x00, 0x04, 0])


def session():
    """[(type, id, xfer, ep, dev, t_ns, setup or None, status, length, data)]"""
    ev, t = [], [0]

    def add(typ, urb, xfer, ep, status, length, data=b"", setup=None, dev=3):
        ev.append((typ, urb, xfer, ep, dev, t[0], setup, -115 if typ == "S" else status, length, data))
        t[0] += 250000

    add("S", 0xFFFF888002000000, 2, 0x80, 0, len(CFG), setup=bytes([0x80, 6, 0, 2, 0, 0, len(CFG), 0]))
    add("C", 0xFFFF888002000000, 2, 0x80, 0, len(CFG), CFG)
    add("S", 0xFFFF888003000000, 1, 0x81, 0, 2, dev=1)
    gid = 0
    for addr, count, status, data in ((0x1D8, 8, 0, struct.pack("<Q", 0x2000)),
                                      (0x2014, 8, 0, struct.pack("<II", 1024, 1024)),
                                      (0, 2000, 0x8003, b""), (0, 4, 0, b"\x01\x00\x00\x00")):
        gid += 1
        cmd = struct.pack("<IHHHHQHH", 0x43563355, 0x4000, 0x0800, 12, gid, addr, 0, count)
        ack = struct.pack("<IHHHH", 0x43563355, status, 0x0801, len(data), gid) + data
        add("S", 0xFFFF888001000100, 3, 0x81, 0, 12 + count + 64)
        add("S", 0xFFFF888001000000, 3, 0x01, 0, len(cmd), cmd)
        add("C", 0xFFFF888001000000, 3, 0x01, 0, len(cmd))
        add("C", 0xFFFF888001000100, 3, 0x81, 0, len(ack), ack)
    add("S", 0xFFFF888004000000, 3, 0x83, 0, 1024)
    add("C", 0xFFFF888004000000, 3, 0x83, -32, 0)
    t[0] += 200 * 10**6
    add("S", 0xFFFF888004000000, 3, 0x83, 0, 1024)
    add("C", 0xFFFF888004000000, 3, 0x83, -2, 0)
    add("C", 0xFFFF888003000000, 1, 0x81, 0, 1, b"\x02", dev=1)
    return ev


def usbmon_hdr(e, hdr, bo):
    typ, urb, xfer, ep, dev, t, setup, status, length, data = e
    a = T0 + t
    flag_data = 0 if data else ord("<" if ep & 0x80 else ">")
    h = struct.pack(bo + "QBBBBHBBqiiII", urb, ord(typ), xfer, ep, dev, 2, 0 if setup else ord("-"), flag_data,
                    a // 10**9, a % 10**9 // 1000, status, length, len(data)) + (setup or bytes(8))
    if hdr == 64:
        h += struct.pack(bo + "iiII", 0, 0, 0, 0)
    return h


def pcap(ev, bo, ns, linktype):
    hdr = 48 if linktype == 189 else 64
    out = struct.pack(bo + "IHHiIII", 0xA1B23C4D if ns else 0xA1B2C3D4, 2, 4, 0, 0, 262144, linktype)
    for e in ev:
        a, data = T0 + e[5], e[9]
        out += struct.pack(bo + "IIII", a // 10**9, a % 10**9 if ns else a % 10**9 // 1000,
                           hdr + len(data), hdr + len(data))
        out += usbmon_hdr(e, hdr, bo) + data
    return out


def block(bo, typ, body):
    body += bytes(-len(body) % 4)
    return struct.pack(bo + "II", typ, 12 + len(body)) + body + struct.pack(bo + "I", 12 + len(body))


def pcapng(ev, bo, tsresol):
    out = block(bo, 0x0A0D0D0A, struct.pack(bo + "IHHq", 0x1A2B3C4D, 1, 0, -1))
    out += block(bo, 1, struct.pack(bo + "HHI", 1, 0, 65535))
    opts = (struct.pack(bo + "HHB3x", 9, 1, tsresol) if tsresol is not None else b"") + struct.pack(bo + "HH", 0, 0)
    out += block(bo, 1, struct.pack(bo + "HHI", 220, 0, 262144) + opts)
    out += block(bo, 6, struct.pack(bo + "IIIII", 0, 0, 0, 14, 14) + b"\xff" * 6 + b"\x00\x01\x02\x03\x04\x05\x08\x00")
    out += block(bo, 0x00000BAD, b"\x00\x00\x7e\xd9skipped")
    for e in ev:
        a = T0 + e[5]
        units = a if tsresol == 9 else a // 1000
        pkt = usbmon_hdr(e, 64, bo) + e[9]
        out += block(bo, 6, struct.pack(bo + "IIIII", 1, units >> 32, units & 0xFFFFFFFF, len(pkt), len(pkt)) + pkt)
    return out


def raw(ev):
    return b"".join(usbmon_hdr(e, 64, "<") + e[9] for e in ev)


def main():
    ev = session()
    seeds = {
        "pcap-le-us-220": b"\x00" + pcap(ev, "<", False, 220),
        "pcap-be-ns-189-named": b"\x01" + pcap(ev, ">", True, 189),
        "pcap-le-tight": b"\x02" + pcap(ev, "<", False, 220),
        "pcapng-le": b"\x00" + pcapng(ev, "<", None),
        "pcapng-be-ns-named": b"\x01" + pcapng(ev, ">", 9),
        "pcapng-reader": b"\x04" + pcapng(ev, "<", 9),
        "usbmon-raw": b"\x00" + raw(ev),
        "usbmon-raw-tight-named": b"\x03" + raw(ev),
        "usbmon-raw-reader": b"\x04" + raw(ev),
    }
    os.makedirs(CORPUS, exist_ok=True)
    for name, data in seeds.items():
        with open(os.path.join(CORPUS, name), "wb") as f:
            f.write(data)
    words = [b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\xc3\xd4", b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d",
             b"\x0a\x0d\x0d\x0a", b"\x4d\x3c\x2b\x1a", b"\x1a\x2b\x3c\x4d", b"\xbd\x00\x00\x00", b"\xdc\x00\x00\x00",
             b"\x01\x00\x00\x00", b"\x06\x00\x00\x00", b"\x03\x00\x00\x00", b"\x02\x00\x00\x00",
             b"\x09\x00\x01\x00", b"S", b"C", b"E", b"U3VC", b"U3VL", b"U3VT", b"\x00\x08", b"\x01\x08",
             b"\xe0\xff\xff\xff", b"\x8d\xff\xff\xff", b"\xfe\xff\xff\xff", b"\x80\x06\x00\x02", b"\xef\x05"]
    with open(DICT, "w") as f:
        f.write("# usbmon_capture: pcap/pcapng magics and block types, usbmon events, U3V prefixes "
                "(fuzz/make_usbmon_seeds.py)\n")
        for i, w in enumerate(words):
            f.write('w%d="%s"\n' % (i, "".join("\\x%02x" % b for b in w)))
    print("wrote %d seeds to %s and %s" % (len(seeds), CORPUS, DICT))


if __name__ == "__main__":
    main()
