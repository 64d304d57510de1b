# SPDX-License-Identifier: MIT
"""The model's features by name (from `dfk-emu --dump-features`), read and
written over GenCP at their register addresses: a client that knows the
camera's register map without GenICam. identity() is the dump's [@model]
group: the id, USB ids, model name and default serial the tests expect of the
emulator they start (the default model unless they pass --model)."""
import configparser
import os
import struct
import subprocess

from emu import EMU

_cache = {}


def table(model=None):
    """The dump of `model` (None: dfk-emu's default model) as a ConfigParser."""
    if model not in _cache:
        cp = configparser.ConfigParser(interpolation=None)
        cp.optionxform = str
        # without a caller's LD_PRELOAD (libfaketime): a sanitizer build refuses to start after it
        env = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD" and not k.startswith("FAKETIME")}
        cmd = [EMU, "--dump-features"] + (["--model", model] if model else [])
        cp.read_string(subprocess.run(cmd, capture_output=True, text=True, check=True, env=env).stdout)
        _cache[model] = cp
    return _cache[model]


def identity(model=None):
    """{id, model_name, manufacturer, vendor_id, product_id (ints), default_serial, sensor_width,
    sensor_height (ints), colour_filter} of `model` (None: the default one)."""
    m = dict(table(model)["@model"])
    for k in ("vendor_id", "product_id", "sensor_width", "sensor_height"):
        m[k] = int(m[k], 0)
    return m


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
