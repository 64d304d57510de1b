"""The model's features by name (from `dfk-emu --dump-features`), read and
written over GenCP at their register addresses: a client that knows the
camera's register map without GenICam."""
import configparser
import os
import struct
import subprocess

from emu import EMU

_cache = None


def table():
    global _cache
    if _cache is None:
        cp = configparser.ConfigParser(interpolation=None)
        cp.optionxform = str
        # without a caller's LD_PRELOAD (libfaketime): a sanitizer build refuses to start after it
        env = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD" and not k.startswith("FAKETIME")}
        cp.read_string(subprocess.run([EMU, "--dump-features"], capture_output=True, text=True, check=True,
                                      env=env).stdout)
        _cache = cp
    return _cache


def _encode(f, value):
    t, length = f["type"], int(f["length"])
    if t == "Enumeration" and isinstance(value, str):
        value = int(f["value." + value])
    if t == "Float":
        return struct.pack("<d", float(value))
    if length == 8:
        return struct.pack("<q", int(value))
    return struct.pack("<i" if int(value) < 0 else "<I", int(value))


def write(gencp, name, value):
    f = table()[name]
    return gencp.write(int(f["address"], 16), _encode(f, value))


def read(gencp, name):
    f = table()[name]
    raw = gencp.read(int(f["address"], 16), int(f["length"]))
    if f["type"] == "Float":
        return struct.unpack("<d", raw)[0]
    v = int.from_bytes(raw, "little", signed=False)
    if f["type"] == "Enumeration":
        for k in f:
            if k.startswith("value.") and int(f[k]) == v:
                return k[len("value."):]
    return v


def execute(gencp, name):
    return write(gencp, name, 1)
