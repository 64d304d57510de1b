# SPDX-License-Identifier: MIT
"""dfk-uvc-map (uvcmap/) without a device: the mapping file it installs against the manual's
V4L2 names (fixtures/dfk38ux267/v4l2.ini), --list, and the reader's refusals (file:line: why,
exit 2, nothing mapped). The mappings on a real uvcvideo are test_uvc_vm.py's."""
import os
import re
import subprocess

import pytest

import uvcfix
from emu import BUILD, ROOT

LOADER = os.path.join(BUILD, "dfk-uvc-map")
MAP = os.path.join(ROOT, "uvcmap", "dfk38ux267.ini")
GUID = "0aba49de-5c0b-49d5-8f71-0be40f94a67a"


def run(*args):
    if not os.access(LOADER, os.X_OK):
        pytest.fail("%s is not built: run `make` first" % LOADER, pytrace=False)
    return subprocess.run([LOADER] + list(args), capture_output=True, text=True, timeout=30)


def test_every_manual_name_is_mapped_or_standard():
    """The 50 names of the manual: 45 in the map's extension unit, 5 standard processing-unit ones."""
    fx, mp = uvcfix.fixture(), uvcfix.mapping()
    mapped = [s for s in mp.sections() if s != "xu"]
    assert sorted(mapped + list(uvcfix.STANDARD_NAMES)) == sorted(fx.sections())
    assert len(mapped) == 45
    assert mp["xu"]["guid"] == GUID and int(mp["xu"]["unit"], 0) == 3


@pytest.mark.parametrize("name", [s for s in uvcfix.mapping().sections() if s != "xu"])
def test_map_entry_fits_the_manual(name):
    fx, e = uvcfix.fixture()[name], uvcfix.mapping()[name]
    assert e["feature"].replace("[", "[BalanceRatioSelector=") == fx["feature"] or e["feature"] == fx["feature"]
    kind = {"integer": "int", "boolean": "bool", "menu": "menu", "button": "button"}[e["v4l2_type"]]
    assert kind in uvcfix.v4l2_kinds(fx), "%s: %s for a manual %s" % (name, kind, fx["type"])
    if kind == "menu":
        names = [item.partition(":")[2] for item in e["menu"].split(";")]
        assert sorted(map(uvcfix.norm, names)) == sorted(map(uvcfix.norm, uvcfix.entries(fx))), name
    if kind == "bool" and fx["type"] == "Enumeration":
        # 1 is the first entry (the manual's True row)
        values = dict(v.split(":") for v in e["values"].split(";"))
        assert values["1"] == uvcfix.entries(fx)[0] and values["0"] == uvcfix.entries(fx)[1], name
    if kind == "int":
        # the value's bits hold the manual's whole range in V4L2 units
        lo, hi, _ = uvcfix.expected_range(fx)
        size = int(e["size"])
        if e["data_type"] == "signed":
            assert -(1 << (size - 1)) <= lo and hi < (1 << (size - 1)), name
        else:
            assert 0 <= lo and hi < (1 << size), name
        assert int(e["scale"]) == uvcfix.scale(fx), name
    assert int(e["offset"]) + int(e["size"]) <= 8 * int(e["selector_len"]), name


def test_list_prints_every_mapping():
    r = run("--map", MAP, "--list")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "xu %s unit 3, 45 controls" % GUID
    mp = uvcfix.mapping()
    by_name = {re.search(r'"(.*)"', l).group(1): l for l in lines[1:]}
    assert sorted(by_name) == sorted(s for s in mp.sections() if s != "xu")
    for name, line in by_name.items():
        e = mp[name]
        m = re.match(r"0x([0-9a-f]{8}) selector 0x([0-9a-f]{2}) bits (\d+)@(\d+) (\w+) (\w+) ", line)
        assert m, line
        assert int(m.group(1), 16) == int(e["id"], 0) and int(m.group(2), 16) == int(e["selector"], 0)
        assert (int(m.group(3)), int(m.group(4))) == (int(e["size"]), int(e["offset"]))
        assert (m.group(5), m.group(6)) == (e["v4l2_type"], e["data_type"])
        if "menu" in e:
            assert line.endswith(" menu " + e["menu"]), line
    assert 'menu 0:RisingEdge;1:FallingEdge' in by_name["Trigger Polarity"]


def test_default_map_is_the_installed_one(tmp_path):
    r = run("--help")
    assert r.returncode == 0
    default = re.search(r"--map FILE\s+the mapping file \(default (\S+)\)", r.stdout).group(1)
    assert default.endswith("/share/dfk-emu/uvcmap/dfk38ux267.ini"), default
    # the binary was built for some PREFIX (make deb builds for /usr in the same build
    # directory): `make install` for that PREFIX puts the map where the binary looks
    prefix = default[:-len("/share/dfk-emu/uvcmap/dfk38ux267.ini")]
    n = subprocess.run(["make", "-s", "-n", "-C", ROOT, "install", "BUILD=" + BUILD, "PREFIX=" + prefix,
                        "DESTDIR=" + str(tmp_path)],
                       capture_output=True, text=True, timeout=60)
    assert n.returncode == 0, n.stderr
    assert re.search(r"install -m 0644 uvcmap/\*\.ini \S*%s/" % re.escape(os.path.dirname(default)), n.stdout), \
        n.stdout
    assert run("--version").stdout.startswith("dfk-uvc-map ")


def test_no_device():
    r = run("--map", MAP, "--device", "/nonexistent/video9")
    assert r.returncode == 1
    assert "/nonexistent/video9: No such file or directory" in r.stderr


def test_not_a_uvc_device():
    """/dev/null takes no UVCIOC_CTRL_MAP: one error line per control, exit 1."""
    r = run("--map", MAP, "--device", "/dev/null")
    assert r.returncode == 1
    errors = [l for l in r.stdout.splitlines() if l.startswith("error ")]
    assert len(errors) == 45 and all(l.endswith(": Inappropriate ioctl for device") for l in errors)
    assert r.stdout.splitlines()[-1] == "/dev/null: 0 mapped, 0 already mapped, 45 failed"


HEAD = "[xu]\nguid=%s\nunit=3\n" % GUID
GOOD = "[Trigger Mode]\nid=0x0199e208\nselector=0x05\nsize=1\noffset=0\nv4l2_type=boolean\ndata_type=boolean\n"

BAD = [
    ("no-xu", GOOD, 8, "no [xu] group"),
    ("bad-guid", "[xu]\nguid=0aba49de-5c0b-49d5-8f71-0be40f94a67\nunit=3\n" + GOOD, 2, "guid"),
    ("key-before-group", "id=1\n" + HEAD + GOOD, 1, "before the first group"),
    ("dup-key", HEAD + GOOD + "size=2\n", 11, "size given twice"),
    ("dup-group", HEAD + GOOD + GOOD, 11, "[Trigger Mode] twice"),
    ("missing-key", HEAD + GOOD.replace("offset=0\n", ""), 10, "has no offset"),
    ("size-33", HEAD + GOOD.replace("size=1", "size=33"), 7, "size \"33\": 1..32 bits"),
    ("selector-0", HEAD + GOOD.replace("selector=0x05", "selector=0"), 6, "selector"),
    ("bad-number", HEAD + GOOD.replace("id=0x0199e208", "id=0x1g"), 5, "not a V4L2 control id"),
    ("id-overflow", HEAD + GOOD.replace("id=0x0199e208", "id=4294967296"), 5, "not a V4L2 control id"),
    ("bad-type", HEAD + GOOD.replace("v4l2_type=boolean", "v4l2_type=bitmask"), 9, "v4l2_type"),
    ("menu-without-items", HEAD + GOOD.replace("v4l2_type=boolean", "v4l2_type=menu"), 11, "menu key"),
    ("menu-item-syntax", HEAD + GOOD.replace("v4l2_type=boolean", "v4l2_type=menu") + "menu=0:On;Off\n", 11,
     "menu item \"Off\" is not VALUE:NAME"),
    ("menu-too-long", HEAD + GOOD.replace("v4l2_type=boolean", "v4l2_type=menu")
     + "menu=" + ";".join("%d:x" % i for i in range(33)) + "\n", 11, "more than 32 menu items"),
    ("name-too-long", HEAD + GOOD.replace("[Trigger Mode]", "[" + "N" * 32 + "]"), 4, "1 to 31 characters"),
    ("dup-id", HEAD + GOOD + GOOD.replace("[Trigger Mode]", "[Other]"), 18, "id 0x0199e208 already used"),
    ("long-line", HEAD + GOOD + "note=" + "x" * 1100 + "\n", 11, "line longer than 1024 bytes"),
    ("garbage", HEAD + GOOD + "what is this\n", 11, "neither [group]"),
    ("nul", HEAD + GOOD + "note=a\0b\n", 11, "NUL"),
    ("enum-not-menu", HEAD + GOOD.replace("data_type=boolean", "data_type=enum"), 11, "data_type=enum needs"),
]


@pytest.mark.parametrize("name,text,line,what", BAD, ids=[b[0] for b in BAD])
def test_refused_with_file_and_line(tmp_path, name, text, line, what):
    path = tmp_path / "map.ini"
    path.write_bytes(text.encode())
    r = run("--map", str(path), "--list")
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.startswith("dfk-uvc-map: %s:%d: " % (path, line)), r.stderr
    assert what in r.stderr, r.stderr


def test_too_large(tmp_path):
    path = tmp_path / "map.ini"
    path.write_bytes((HEAD + GOOD + ("# " + "x" * 1000 + "\n") * 1100).encode())
    r = run("--map", str(path), "--list")
    assert r.returncode == 2 and "file larger than 1048576 bytes" in r.stderr


def test_comments_crlf_and_foreign_keys(tmp_path):
    path = tmp_path / "map.ini"
    path.write_bytes((HEAD + "; a comment\n  # another\n\n" + GOOD + "feature=TriggerMode\nscale=1\n")
                     .replace("\n", "\r\n").encode())
    r = run("--map", str(path), "--list")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[1] == '0x0199e208 selector 0x05 bits 1@0 boolean boolean "Trigger Mode"'
