# SPDX-License-Identifier: MIT
"""The manual's Video4Linux2 names (fixtures/<model>/v4l2.ini) as V4L2 controls must show them,
for the UVC tests (test_uvcmap.py, test_uvc_vm.py).

v4l2.ini keeps the manual's ranges in the manual's units. A V4L2 control is an integer; the
conversion is stated here, once:
  * times: microseconds ("Exposure Time (us)", "Trigger Debounce Time (us)", and the other times
    of the manual's tables, which it also prints in us or s);
  * gains: hundredths of a dB ("Gain (db/100)", and the auto gain limits);
  * colour temperature: kelvin;
  * Gamma: x100 (UVC's gamma control counts hundredths; the manual's 0.01..5.0 is 1..500);
  * the white balance ratios: x64 (the manual's maximum 3.984375 is 255/64).
Booleans are 0/1; an enumeration is a V4L2 menu of the manual's entries (compared without
spaces and punctuation: "Gray World" is "GrayWorld"), or, when it has exactly two entries, a
V4L2 boolean whose 1 is the first entry (the manual's "True" row where it prints one)."""
import configparser
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

V4L2_SCALE_BY_UNIT = {"us": 1, "dB": 100, "K": 1}
V4L2_SCALE_BY_FEATURE = {"Gamma": 100, "BalanceRatio": 64}
# the names uvcvideo itself gives the processing unit's standard controls (no XU mapping)
STANDARD_NAMES = ("Brightness", "Gamma", "Hue", "Saturation", "White Balance Temperature")


def load_ini(path):
    cp = configparser.ConfigParser(interpolation=None, strict=True)
    cp.optionxform = str
    with open(path, encoding="utf-8") as f:
        cp.read_file(f)
    return cp


def fixture(model="dfk38ux267"):
    return load_ini(os.path.join(ROOT, "fixtures", model, "v4l2.ini"))


def mapping(path=None):
    return load_ini(path or os.path.join(ROOT, "uvcmap", "dfk38ux267.ini"))


def feature_base(feature):
    return feature.partition("[")[0]


def scale(entry):
    """V4L2 integer per manual unit for one v4l2.ini group."""
    if "unit" in entry:
        return V4L2_SCALE_BY_UNIT[entry["unit"]]
    return V4L2_SCALE_BY_FEATURE.get(feature_base(entry["feature"]), 1)


def v4l2_value(entry, manual_value):
    return int(round(float(manual_value) * scale(entry)))


def expected_range(entry):
    """(min, max, default or None) as V4L2 integers, for a numeric v4l2.ini group."""
    lo, hi = v4l2_value(entry, entry["min"]), v4l2_value(entry, entry["max"])
    default = v4l2_value(entry, entry["default"]) if "default" in entry else None
    return lo, hi, default


def norm(word):
    """A menu entry compared without spaces and punctuation."""
    return re.sub(r"[^A-Za-z0-9]", "", word)


def entries(entry):
    return entry["entries"].split(";")


def v4l2_kinds(entry):
    """The V4L2 control types the manual's value table allows for this group."""
    t = entry["type"]
    if t in ("Integer", "Float"):
        return {"int"}
    if t == "Boolean":
        return {"bool"}
    if t == "Command":
        return {"button"}
    return {"menu", "bool"} if len(entries(entry)) == 2 else {"menu"}
