#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Writes the fuzz targets' seed corpora (fuzz/corpus/<target>/) and
dictionaries (fuzz/dict/<target>.dict). Register addresses, feature names,
enumeration entries and formulas are read from the model source, so the seeds
follow the model. Output is deterministic; run from anywhere:

    /usr/bin/python3 fuzz/make_seeds.py
"""
import os
import re
import shutil
import struct

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FUZZ = os.path.join(ROOT, "fuzz")
MODEL = os.path.join(ROOT, "models", "dfk38ux267", "dfk38ux267.c")
SHARED = os.path.join(ROOT, "models", "imx267_38u.h")   # what the DFK shares with the DMK


# ---- the model, read from its source ----

def macro_args(text, i):
    """The arguments of the macro call whose '(' is text[i], and the index after its ')'."""
    args, cur, depth = [], "", 0
    i += 1
    while True:
        c = text[i]
        if c == '"':
            j = i + 1
            while text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            cur, i = cur + text[i:j + 1], j + 1
            continue
        if c == ")" and depth == 0:
            return args + [cur.strip()], i + 1
        if c == "," and depth == 0:
            args, cur = args + [cur.strip()], ""
        else:
            depth += (c in "([{") - (c in ")]}")
            cur += c
        i += 1


def expand(text, macros):
    """text with the calls of `macros` (name: (parameters, body)) replaced by their bodies."""
    call = re.compile(r"\b(%s)\b" % "|".join(macros))
    while True:
        m = call.search(text)
        if not m:
            return text
        params, body = macros[m.group(1)]
        end = m.end()
        if params is not None:
            args, end = macro_args(text, text.index("(", end))
            for p, a in zip(params, args):
                body = re.sub(r"\b%s\b" % p, lambda _: a, body)
        text = text[:m.start()] + body + text[end:]


def read_model():
    shared = open(SHARED, encoding="utf-8").read()
    macros = {m[0]: ([p.strip() for p in m[2].split(",")] if m[1] else None, m[3].replace("\\\n", "\n"))
              for m in re.findall(r"^#define (IMX267_38U_\w+)(\(([^)]*)\))?[ \t]+((?:.*\\\n)*.*)$", shared, re.M)}
    model = expand(open(MODEL, encoding="utf-8").read(), macros)
    defs = shared + model
    bases = {m[0]: int(m[1], 16) for m in re.findall(r"#define\s+(A_\w+)\s+(0x[0-9A-Fa-f]+)u", defs)}
    enums = {}
    for name, body in re.findall(r"static const struct enum_entry (\w+)\[\] = \{(.*?)\n\};", defs, re.S):
        enums[name] = re.findall(r'\{ "(\w+)", (0x[0-9A-Fa-f]+|-?\d+),', body)
    src = model
    feats = []
    table = src[src.index("{ .name = "):]
    for chunk in table.split("{ .name = ")[1:]:
        name = re.match(r'"(\w+)"', chunk).group(1)
        ftype = re.search(r"\.type = (FEAT_\w+)", chunk)
        addr = re.search(r"\.address = (A_\w+)(?: \+ (0x[0-9A-Fa-f]+))?", chunk)
        entries = re.search(r"\.entries = (\w+)", chunk)
        feats.append({
            "name": name,
            "type": ftype.group(1) if ftype else "",
            "address": bases[addr.group(1)] + int(addr.group(2) or "0", 16) if addr else None,
            "entries": [e[0] for e in enums.get(entries.group(1), [])] if entries else [],
            "userset": re.search(r"\bUSERSET\b", chunk) is not None,
        })
    formulas = sorted(set(re.findall(r'_expr = "([^"]*)"', src)))
    return feats, formulas


FEATS, FORMULAS = read_model()


def feat(name):
    return next(f for f in FEATS if f["name"] == name)


# ---- wire formats ----

ABRM, SBRM, SIRM, EIRM, MANIFEST, XML = 0x0, 0x2000, 0x3000, 0x3100, 0x4000, 0x100000
READMEM, WRITEMEM = 0x0800, 0x0802


def gencp(cmd, req_id, scd, flags=0x4000):
    return struct.pack("<IHHHH", 0x43563355, flags, cmd, len(scd), req_id) + scd


def readmem(req_id, addr, count):
    return gencp(READMEM, req_id, struct.pack("<QHH", addr, 0, count))


def writemem(req_id, addr, data):
    return gencp(WRITEMEM, req_id, struct.pack("<Q", addr) + data)


def u32(v):
    return struct.pack("<I", v & 0xFFFFFFFF)


def f64(v):
    return struct.pack("<d", v)


DEVID = 0x00010002   # bus 1, device 2: bus id 1-1


def op_req(code, busid=b""):
    return struct.pack(">HHI", 0x0111, code, 0) + (busid.ljust(32, b"\0") if code == 0x8003 else b"")


def submit(seq, direction, ep, length, setup=b"\0" * 8, data=b"", devid=DEVID):
    return struct.pack(">IIIIIIiiiI", 1, seq, devid, direction, ep, 0x200 if direction else 0, length, 0, 0, 0) \
        + setup + data


def unlink(seq, victim):
    return struct.pack(">IIIIII", 2, seq, DEVID, 0, 0, victim) + b"\0" * 24


GET_DEVICE = bytes([0x80, 0x06, 0x00, 0x01, 0x00, 0x00, 0x12, 0x00])
GET_CONFIG = bytes([0x80, 0x06, 0x00, 0x02, 0x00, 0x00, 0xFF, 0x00])
GET_BOS = bytes([0x80, 0x06, 0x00, 0x0F, 0x00, 0x00, 0xFF, 0x00])
GET_STRING2 = bytes([0x80, 0x06, 0x02, 0x03, 0x09, 0x04, 0xFF, 0x00])
SET_CONFIG = bytes([0x00, 0x09, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00])
GET_STATUS_EP83 = bytes([0x82, 0x00, 0x00, 0x00, 0x83, 0x00, 0x02, 0x00])
SET_HALT_EP83 = bytes([0x02, 0x03, 0x00, 0x00, 0x83, 0x00, 0x00, 0x00])
CLEAR_HALT_EP83 = bytes([0x02, 0x01, 0x00, 0x00, 0x83, 0x00, 0x00, 0x00])


def usbip_gencp(seq, cmd, ack_len=1024):
    """One GenCP command on bulk OUT 1 and the read of its ack on bulk IN 1."""
    return submit(seq, 0, 1, len(cmd), data=cmd) + submit(seq + 1, 1, 1, ack_len)


# ---- corpora ----

def usbip_seeds():
    # byte 0: bits 0-1 prefix (0 none, 1 import, 2 import + SET_CONFIGURATION), bits 2-4 chunk size,
    # bit 5 scene
    whole, small = 7 << 2, 1 << 2
    acq_start = feat("AcquisitionStart")["address"]
    s = {}
    s["devlist"] = bytes([whole]) + op_req(0x8005)
    s["devlist_bytewise"] = bytes([0]) + op_req(0x8005)
    s["import"] = bytes([whole]) + op_req(0x8003, b"1-1")
    s["import_unknown"] = bytes([whole]) + op_req(0x8003, b"9-9")
    s["bad_version"] = bytes([whole]) + b"\x01\x06\x80\x05\x00\x00\x00\x00"
    s["unknown_op"] = bytes([whole]) + b"\x01\x11\x80\x99\x00\x00\x00\x00"
    s["descriptors"] = bytes([whole | 1]) + submit(1, 1, 0, 18, GET_DEVICE) + submit(2, 1, 0, 255, GET_CONFIG) \
        + submit(3, 1, 0, 255, GET_BOS) + submit(4, 1, 0, 255, GET_STRING2) + submit(5, 0, 0, 0, SET_CONFIG)
    s["halt"] = bytes([whole | 2]) + submit(2, 0, 0, 0, SET_HALT_EP83) + submit(3, 1, 0, 2, GET_STATUS_EP83) \
        + submit(4, 0, 0, 0, CLEAR_HALT_EP83)
    s["readmem_abrm"] = bytes([whole | 2]) + usbip_gencp(2, readmem(1, ABRM, 0x200))
    s["readmem_chunked"] = bytes([(3 << 2) | 2]) + usbip_gencp(2, readmem(1, SBRM, 0x44))
    s["writemem_width"] = bytes([whole | 2]) + usbip_gencp(2, writemem(1, feat("Width")["address"], u32(512))) \
        + usbip_gencp(4, readmem(2, feat("Width")["address"], 4))
    s["xml"] = bytes([whole | 2]) + usbip_gencp(2, readmem(1, MANIFEST, 0x48)) + usbip_gencp(4, readmem(2, XML, 512))
    s["stream_frame"] = bytes([whole | 2]) + usbip_gencp(2, writemem(1, SIRM + 0x04, u32(1))) \
        + usbip_gencp(4, writemem(2, acq_start, u32(1))) \
        + submit(6, 1, 3, 1024) + submit(7, 1, 3, 1024) + submit(8, 1, 3, 1024) + submit(9, 1, 3, 1024)
    s["stream_frame_scene"] = bytes([s["stream_frame"][0] | 0x20]) + s["stream_frame"][1:]
    s["device_reset"] = bytes([whole | 2]) + usbip_gencp(2, writemem(1, feat("DeviceReset")["address"], u32(1)))
    s["unlink_pending"] = bytes([whole | 2]) + submit(2, 1, 3, 1024) + unlink(3, 2) + unlink(4, 1)
    s["event_test"] = bytes([whole | 2]) + usbip_gencp(2, writemem(1, EIRM, u32(1))) \
        + usbip_gencp(4, writemem(2, EIRM + 0x08, u32(1))) + submit(6, 1, 2, 1024)
    s["wrong_devid"] = bytes([whole | 1]) + submit(1, 1, 0, 18, GET_DEVICE, devid=0x00020003)
    s["bulk_out_split"] = bytes([small | 2]) + usbip_gencp(2, readmem(1, ABRM + 0x44, 64))
    s["userset_save"] = bytes([whole | 2]) + usbip_gencp(2, writemem(1, feat("UserSetSelector")["address"], u32(1))) \
        + usbip_gencp(4, writemem(2, feat("UserSetSave")["address"], u32(1))) + submit(6, 1, 1, 1024)
    return s


def u3v_seeds():
    def rd(addr, count, req_id=1, flags=1):
        return bytes([1, flags]) + struct.pack("<HQH", req_id, addr, count)

    def wr(addr, data, req_id=1, flags=1):
        return bytes([2, flags]) + struct.pack("<HQB", req_id, addr, len(data)) + data

    def ack(n=1024):
        return bytes([3]) + struct.pack("<H", n)

    def ctl(setup, n=0, data=b""):
        return bytes([6]) + setup + struct.pack("<H", n) + bytes([setup[0] >> 7]) + data

    stream_in = bytes([5]) + struct.pack("<H", 0x8001)   # one KiB
    a = {f["name"]: f["address"] for f in FEATS}
    s = {}
    s["abrm"] = rd(ABRM, 0x200) + ack()
    s["sbrm_sirm"] = rd(SBRM, 0x44) + ack() + rd(SIRM, 0x30, 2) + ack()
    s["manifest_xml"] = rd(MANIFEST, 0x48) + ack() + rd(XML, 0x400, 2) + ack(0x500)
    s["raw_command"] = bytes([0]) + struct.pack("<H", 24) + readmem(7, ABRM + 0x144, 64) + ack()
    s["resend"] = rd(ABRM, 4, 9) + ack() + rd(ABRM, 4, 9, 3) + ack()
    s["width_height"] = wr(a["Width"], u32(1024)) + ack() + wr(a["Height"], u32(64), 2) + ack() \
        + rd(a["Width"], 8, 3) + ack()
    s["exposure_float"] = wr(a["ExposureTime"], f64(2500.0)) + ack() + rd(a["ExposureTime"], 8, 2) + ack()
    s["pixel_format"] = wr(a["PixelFormat"], u32(0x02180015)) + ack()
    s["stream"] = wr(SIRM + 0x04, u32(1)) + ack() + wr(a["AcquisitionStart"], u32(1), 2) + ack() \
        + stream_in * 4 + bytes([7, 8]) + stream_in * 3 + bytes([7, 8]) + wr(a["AcquisitionStop"], u32(1), 3) + ack()
    s["stream_scene"] = bytes([9]) + s["stream"]
    s["trigger_software"] = wr(a["TriggerMode"], u32(1)) + ack() + wr(SIRM + 0x04, u32(1), 2) + ack() \
        + wr(a["AcquisitionStart"], u32(1), 3) + ack() + wr(a["TriggerSoftware"], u32(1), 4) + ack() \
        + bytes([7, 4]) + stream_in * 3
    s["events"] = wr(EIRM, u32(1)) + ack() + wr(EIRM + 0x08, u32(1), 2) + ack() + bytes([4]) + struct.pack("<H", 1024)
    s["userset"] = wr(a["UserSetSelector"], u32(1)) + ack() + wr(a["UserSetSave"], u32(1), 2) + ack() \
        + bytes([7, 0]) + ack() + wr(a["UserSetLoad"], u32(1), 3) + ack()
    s["user_name"] = wr(ABRM + 0x184, b"fuzz camera\0") + ack() + bytes([7, 0]) + ack()
    s["lut"] = wr(a["LUTValueAll"], u32(100) + u32(200)) + ack() + rd(a["LUTValueAll"], 8, 2) + ack()
    s["control_requests"] = ctl(GET_DEVICE, 18) + ctl(GET_CONFIG, 255) + ctl(GET_BOS, 255) + ctl(SET_HALT_EP83) \
        + stream_in + ctl(CLEAR_HALT_EP83)
    s["cancel"] = stream_in + bytes([8, 0]) + ack() + bytes([8, 0])
    s["bad_header"] = bytes([0]) + struct.pack("<H", 12) + b"U3VC\x00\x40\x00\x08\xff\xff\x01\x00" + ack()
    s["device_reset"] = wr(a["DeviceReset"], u32(1)) + ack() + bytes([7, 2]) + rd(ABRM, 4, 2) + ack()
    s["timestamp"] = wr(ABRM + 0x1F8, u32(1)) + ack() + rd(ABRM + 0x1F0, 8, 2) + ack()
    return s


def io_seeds():
    # byte 0: bit 0 scale 1, bit 1 triggered acquisition, bit 2 strobe, bit 3 scene, bits 4-6 chunk size
    s = {}
    s["help"] = b"\x00help\n"
    s["queries"] = b"\x00time\nclock\nline\nstrobe\nseq\nstats\nevents\ncamera 1-1\ncamera 9-9\n"
    s["pulse"] = b"\x02clock pause\nline pulse 100000 at +1000000\nclock advance 5000000\nevents\n"
    s["pulse_train"] = b"\x06line pulse 5000 count 20 period 20000\nclock advance 1000000\nstrobe\nevents from 3\n"
    s["wave"] = b"\x02line wave +10 1 +2000 0 +30000 1 +40000 0\nclock until 50000\nevents\n"
    s["set_at"] = b"\x02line set 1 at +100\nline set 0 at +5000\nclock advance 10000\nline\n"
    s["scale"] = b"\x01clock pause\nclock scale 0.5\nclock run\nclock scale 0\nclock advance 100\n"
    s["scene"] = b"\x00scene light 0.25\nscene kelvin 6500\nscene motion off\nsource pattern seed 7\nsource scene\n"
    s["vcd"] = b"\x06vcd start trace.vcd\nline pulse 1000\nclock advance 10000\nvcd stop\n"
    s["errors"] = b"\x00bogus\nclock advance x\nline set 2\nline pulse 0\nvcd start ../x\nscene light -1\n"
    s["chunked"] = b"\x32clock pause\nline pulse 1000 at +10 count 3\nclock advance 100000\nevents\n"
    s["scene_trigger"] = b"\x0aline set 1\nclock advance 100\nline set 0\nclock advance 100000000\nstats\n"
    # the UVC face (docs/uvc.md): the firmware mode switch and back
    s["interface"] = (b"\x00interface\ninterface uvc\ninterface\nmemory\nstats\ninterface u3v\ninterface u3v\n"
                      b"interface isoc\ninterface uvc extra\n")
    return s


def state_seeds():
    # byte 0: bit 0 append a correct crc32 trailer, bits 1-2 0 kvfile, 1 user set, 2 flash, 3 both
    userset = "\n".join([
        "# dfk-emu user set", "PixelFormat=BayerRG12p", "Width=1024", "Height=512", "OffsetAutoCenter=Off",
        "OffsetX=64", "OffsetY=32", "ExposureTime=2500.5", "Gain=6", "BlackLevel=240", "TriggerMode=On",
        "AcquisitionFrameRate=15", "LUTEnable=1", "LUTValue[0]=0", "LUTValue[1]=300", "BalanceRatio[0]=1.5",
    ]) + "\n"
    s = {}
    s["kvfile"] = b"\x01a=1\nb=two\nempty=\n# comment\nnoequals\nc=x=y\n"
    s["kvfile_bad_crc"] = b"\x00a=1\ncrc32=00000000\n"
    s["kvfile_no_crc"] = b"\x00a=1\n"
    s["userset"] = b"\x03" + userset.encode()
    s["userset_bad_value"] = b"\x03Width=257\nPixelFormat=Nope\n"
    s["userset_default_only"] = b"\x03# nothing\n"
    s["flash"] = b"\x05DeviceUserID=fuzz camera\nUserSetDefault=1\n"
    s["flash_long_name"] = b"\x05DeviceUserID=" + b"N" * 80 + b"\nUserSetDefault=7\n"
    s["both"] = b"\x07DeviceUserID=x\nUserSetDefault=1\nWidth=2048\nGain=12.25\n"
    return s


def expr_seeds():
    s = {}
    for i, f in enumerate(FORMULAS):
        s["model_%02d" % i] = b"\x01" + f.encode()
    s["arith"] = b"\x001 + 2 * 3 - 4 / 5 % 3 ** 2"
    s["int_div"] = b"\x01-7 / 2 + 7 % -3"
    s["bits"] = b"\x01(6 & 3) | (1 << 4) ^ ~5 >> 1"
    s["logic"] = b"\x00Width > 1024 && Height <= 2160 || !Zero ? 1 : 0"
    s["hex_frac"] = b"\x000x1F + .5 - 1e3"
    s["unknown_name"] = b"\x02Width + 1"
    s["edges"] = b"\x01Big % MinusOne + Min / MinusOne"
    return s


# ---- dictionaries ----

def esc(b):
    return "".join(chr(c) if 0x20 <= c < 0x7F and c not in (0x22, 0x5C) else "\\x%02X" % c for c in b)


def write_dict(name, entries):
    seen, lines = set(), ["# fuzz/%s.dict: written by fuzz/make_seeds.py" % name]
    for e in entries:
        b = e.encode() if isinstance(e, str) else e
        if b and b not in seen:
            seen.add(b)
            lines.append('"%s"' % esc(b))
    with open(os.path.join(FUZZ, "dict", name + ".dict"), "w", encoding="ascii") as f:
        f.write("\n".join(lines) + "\n")


def register_words():
    """GenCP addresses (u64 LE) of the bootstrap registers and every feature register."""
    boot = [ABRM, ABRM + 0x184, ABRM + 0x1F0, ABRM + 0x1F8, SBRM, SIRM, SIRM + 0x04, SIRM + 0x1C, EIRM,
            EIRM + 0x08, MANIFEST, XML]
    addrs = boot + sorted({f["address"] for f in FEATS if f["address"] is not None})
    return [struct.pack("<Q", a) for a in addrs]


def gencp_words():
    return [b"U3VC", struct.pack("<H", READMEM), struct.pack("<H", WRITEMEM), struct.pack("<H", 0x4000),
            struct.pack("<H", 0xC000), u32(1), u32(0), u32(0xFFFFFFFF)]


def usb_words():
    return [GET_DEVICE, GET_CONFIG, GET_BOS, GET_STRING2, SET_CONFIG, GET_STATUS_EP83, SET_HALT_EP83,
            CLEAR_HALT_EP83]


def dictionaries():
    write_dict("usbip_conn", [
        b"\x01\x11", b"\x80\x05", b"\x80\x03", b"1-1", struct.pack(">I", 1), struct.pack(">I", 2),
        struct.pack(">I", DEVID), struct.pack(">I", 0x200), struct.pack(">I", 1024), struct.pack(">I", 0xFFFFFFFF),
    ] + usb_words() + gencp_words() + register_words())
    write_dict("u3v_control", gencp_words() + usb_words() + register_words())
    words = ["camera", "time", "clock", "pause", "run", "scale", "advance", "until", "line", "set", "pulse",
             "at", "count", "period", "wave", "strobe", "seq", "events", "from", "source", "pattern", "seed",
             "scene", "light", "kelvin", "motion", "on", "off", "vcd", "start", "stop", "stats", "perf", "clear",
             "help", "1-1",
             " +", "\n", "nan", "inf", "1e308", "0x", "-1", "18446744073709551615", "9223372036854775808"]
    # whole request heads: an argument's edge values are then one insertion away
    heads = ["clock scale ", "clock advance ", "clock until ", "line set 1 at ", "line pulse ", " count ",
             " period ", "line wave ", "events from ", "source pattern seed ", "scene light ", "scene kelvin ",
             "scene motion off", "vcd start ", "camera 1-1"]
    write_dict("io_line", words + heads + ["1e-320", "-0", "1e400", "+1", "nan\n", "inf\n", "-0\n", "1e400\n"])
    names = [f["name"] for f in FEATS if f["userset"]]
    entries = sorted({e for f in FEATS for e in f["entries"]})
    write_dict("state_files", ["crc32=", "DeviceUserID=", "UserSetDefault=", "=", "\n", "# ", "[0]", "[255]",
                               "1e308", "-0", "0x", "nan"] + names + entries)
    write_dict("expr", ["**", "<<", ">>", "<=", ">=", "<>", "&&", "||", "?", ":", "(", ")", "0x", ".5", "e308",
                        "!", "~", "%", "Width", "Height", "Zero", "One", "MinusOne", "Big", "Min", "Huge", "Tiny",
                        "9223372036854775808"])


def main():
    os.makedirs(os.path.join(FUZZ, "dict"), exist_ok=True)
    dictionaries()
    for target, seeds in (("usbip_conn", usbip_seeds()), ("u3v_control", u3v_seeds()), ("io_line", io_seeds()),
                          ("state_files", state_seeds()), ("expr", expr_seeds())):
        d = os.path.join(FUZZ, "corpus", target)
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        for name, data in sorted(seeds.items()):
            with open(os.path.join(d, name), "wb") as f:
                f.write(data)
        print("%s: %d seeds" % (target, len(seeds)))


if __name__ == "__main__":
    main()
