# SPDX-License-Identifier: MIT
"""Every control of a V4L2 device with its exact name, as JSON on stdout (run in the guest:
`python3 harness/vm/v4l2_ctrls.py /dev/video0`). v4l2-ctl prints names folded to
lower_case_words; the manual's names (case, "(us)", commas) need VIDIOC_QUERYCTRL itself.

Layouts (linux/videodev2.h): struct v4l2_queryctrl is u32 id, u32 type, u8 name[32], s32 minimum,
maximum, step, default_value, u32 flags, u32 reserved[2] (68 bytes); struct v4l2_querymenu is
u32 id, u32 index, u8 name[32] (union with s64 value), u32 reserved, packed (44 bytes)."""
import fcntl
import json
import struct
import sys

VIDIOC_QUERYCTRL = 0xC0445624     # _IOWR('V', 36, struct v4l2_queryctrl)
VIDIOC_QUERYMENU = 0xC02C5625     # _IOWR('V', 37, struct v4l2_querymenu)
V4L2_CTRL_FLAG_NEXT_CTRL = 0x80000000
V4L2_CTRL_FLAG_DISABLED = 0x0001
TYPES = {1: "int", 2: "bool", 3: "menu", 4: "button", 6: "ctrl_class"}
QCTRL = struct.Struct("<II32siiiiI8x")
QMENU = struct.Struct("<II32sI")


def controls(fd):
    out, cid = [], 0
    while True:
        buf = bytearray(QCTRL.pack(cid | V4L2_CTRL_FLAG_NEXT_CTRL, 0, b"", 0, 0, 0, 0, 0))
        try:
            fcntl.ioctl(fd, VIDIOC_QUERYCTRL, buf)
        except OSError:
            return out
        cid, typ, name, lo, hi, step, default, flags = QCTRL.unpack(buf)
        c = {"id": cid, "type": TYPES.get(typ, str(typ)), "name": name.split(b"\0")[0].decode(),
             "min": lo, "max": hi, "step": step, "default": default, "flags": flags}
        if typ == 3:
            c["menu"] = {}
            for i in range(lo, hi + 1):
                mb = bytearray(QMENU.pack(cid, i, b"", 0))
                try:
                    fcntl.ioctl(fd, VIDIOC_QUERYMENU, mb)
                except OSError:
                    continue   # an index the driver skips
                c["menu"][i] = QMENU.unpack(mb)[2].split(b"\0")[0].decode()
        if typ != 6:
            out.append(c)


if __name__ == "__main__":
    with open(sys.argv[1], "rb", buffering=0) as f:
        json.dump(controls(f.fileno()), sys.stdout, indent=1)
