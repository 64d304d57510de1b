# SPDX-License-Identifier: MIT
"""Every model (models/, through `dfk-emu --model ID --dump-features`) agrees
with the manual's transcription (fixtures/ID/, made from the manual text alone;
the DMK's derived from the DFK's, see its README): features, pixel formats,
frame-rate table and identity.

The manual prints ranges, defaults and value words, not C types: an Integer
in one and a Float in the other agree when the manual's numbers fit both
(both are "numeric"); everything the manual prints must match exactly."""
import configparser
import os
import subprocess

import pytest

from emu import EMU, ROOT

FIXTURES_ROOT = os.path.join(ROOT, "fixtures")
# a model per fixtures directory: each must be a built-in model of dfk-emu
MODELS = sorted(d for d in os.listdir(FIXTURES_ROOT)
                if os.path.isfile(os.path.join(FIXTURES_ROOT, d, "features.ini")))


def load_ini(text=None, path=None):
    cp = configparser.ConfigParser(interpolation=None, strict=True)
    cp.optionxform = str
    if path:
        with open(path, encoding="utf-8") as f:
            cp.read_file(f)
    else:
        cp.read_string(text)
    return cp


def fixtures(model_id, name):
    return os.path.join(FIXTURES_ROOT, model_id, name)


_dumps = {}


def dump(model_id):
    if model_id not in _dumps:
        out = subprocess.run([EMU, "--model", model_id, "--dump-features"], capture_output=True, text=True,
                             check=True).stdout
        _dumps[model_id] = load_ini(text=out)
    return _dumps[model_id]


@pytest.fixture(params=MODELS)
def model_id(request):
    return request.param


@pytest.fixture
def model(model_id):
    return dump(model_id)


@pytest.fixture
def manual(model_id):
    return load_ini(path=fixtures(model_id, "features.ini"))


NUMERIC = {"Integer", "Float"}


def num(s):
    return float(s)


def test_every_manual_feature_is_in_the_model(manual, model):
    missing = [name for name in manual.sections() if name not in model]
    assert not missing, "features of manual section 5 missing from the model: %s" % missing


def test_default_model_has_fixtures():
    out = subprocess.run([EMU, "--dump-features"], capture_output=True, text=True, check=True).stdout
    assert load_ini(text=out)["@model"]["id"] in MODELS


@pytest.mark.parametrize("model_id,name", [(m, n) for m in MODELS
                                           for n in load_ini(path=fixtures(m, "features.ini")).sections()])
def test_feature_agrees(model_id, name):
    manual, model = load_ini(path=fixtures(model_id, "features.ini")), dump(model_id)
    fx, md = manual[name], model[name]
    ftype, mtype = fx["type"], md["type"]
    if ftype in NUMERIC:
        assert mtype in NUMERIC, "%s: manual %s, model %s" % (name, ftype, mtype)
    else:
        assert mtype == ftype, "%s: manual %s, model %s" % (name, ftype, mtype)
    # access: a command is executed (WO in the manual), its register reads back "done"
    if ftype == "Command":
        assert fx["access"] == "WO"
    else:
        assert md["access"] == fx["access"], "%s access: manual %s, model %s" % (name, fx["access"], md["access"])
    for key in ("min", "max"):
        if key in fx:
            assert num(md[key]) == pytest.approx(num(fx[key]), rel=1e-12, abs=1e-12), \
                "%s %s: manual %s, model %s" % (name, key, fx[key], md[key])
    if "default" in fx:
        assert "default" in md, "%s: the manual gives default %s, the model none" % (name, fx["default"])
        if ftype in NUMERIC:
            assert num(md["default"]) == pytest.approx(num(fx["default"])), name
        else:
            assert md["default"] == fx["default"], "%s default: manual %s, model %s" % (
                name, fx["default"], md["default"])
    if "unit" in fx:
        assert md.get("unit") == fx["unit"], "%s unit: manual %s, model %s" % (name, fx["unit"], md.get("unit"))
    if "entries" in fx:
        # the same values; their order is only how a GUI lists them
        assert sorted(md["entries"].split(";")) == sorted(fx["entries"].split(";")), \
            "%s entries: manual %s, model %s" % (name, fx["entries"], md["entries"])
    for key in fx:
        if key.startswith("entry.") and name != "PixelFormat":
            assert key in md, "%s: the manual gives %s=%s, the model nothing" % (name, key, fx[key])
            lo_f, _, hi_f = fx[key].partition("-")
            lo_m, _, hi_m = md[key].partition("-")
            assert num(lo_m) == num(lo_f) and (hi_f == "" or num(hi_m) == num(hi_f)), \
                "%s %s: manual %s, model %s" % (name, key, fx[key], md[key])


def test_pixel_format_bits(manual, model):
    """5.1.1's bits per pixel: the model's payload arithmetic uses them."""
    fx = manual["PixelFormat"]
    assert "PixelFormat" in model
    bits = {k[len("entry."):]: int(v) for k, v in fx.items() if k.startswith("entry.")}
    md = model["PixelFormat"]
    for name, b in bits.items():
        assert num(md["entry." + name]) == b, name
        # PFNC codes carry the bits per pixel in bits 16..23
        assert (int(md["value." + name]) >> 16) & 0xFF == b, name


def table_rows(path):
    with open(path, encoding="utf-8") as f:
        return [line.split("\t") for line in f.read().splitlines()[1:] if line]


def test_framerate_fixture_is_the_manual_table(model_id, manual):
    """4 sizes for each format of 5.1.1 (the DFK's 32 rows; the DMK's 12, derived)."""
    rows = table_rows(fixtures(model_id, "framerate.tsv"))
    formats = [r[0] for r in table_rows(fixtures(model_id, "pixelformats.tsv"))]
    assert len(rows) == 4 * len(formats)
    assert {r[0] for r in rows} == set(formats)
    assert manual["PixelFormat"]["entries"].split(";") == formats


def test_identity_agrees(model_id, model):
    """The model's identity and sensor (the dump's [@model]) are those of identity.ini."""
    want = load_ini(path=fixtures(model_id, "identity.ini"))["identity"]
    got = model["@model"]
    assert got["id"] == model_id
    for key in ("model_name", "colour_filter"):
        assert got[key] == want[key], key
    for key in ("vendor_id", "product_id", "sensor_width", "sensor_height"):
        assert int(got[key], 0) == int(want[key], 0), key


# ---- v4l2.ini: the manual's Video4Linux2 names (fixtures/README.md, "v4l2.ini keys") ----

V4L2_MODELS = [m for m in MODELS if os.path.isfile(fixtures(m, "v4l2.ini"))]
V4L2_KEYS = {"section", "title", "feature", "type", "access", "unit", "min", "max", "min_text", "max_text",
             "default", "default_text", "default_section", "entries", "entries_manual", "alt_values",
             "name_row", "note"}


def v4l2_feature(name):
    """'BalanceRatio[BalanceRatioSelector=Red]' -> ('BalanceRatio', 'Red')."""
    base, _, sel = name.partition("[")
    return base, sel.rstrip("]").partition("=")[2] or None


def test_v4l2_fixture_has_the_manuals_50_names():
    """50 parameter tables of section 5 carry a Video4Linux2 (or UVC) row."""
    assert V4L2_MODELS == ["dfk38ux267"]
    v4l2 = load_ini(path=fixtures("dfk38ux267", "v4l2.ini"))
    assert len(v4l2.sections()) == 50
    for name in v4l2.sections():
        # a V4L2 control name is at most 31 characters (struct v4l2_queryctrl name[32])
        assert 0 < len(name) <= 31, name
        assert set(v4l2[name]) <= V4L2_KEYS, (name, set(v4l2[name]) - V4L2_KEYS)
        assert "\\" not in name and all("\\" not in v for v in v4l2[name].values()), name
    assert [n for n in v4l2.sections() if "name_row" in v4l2[n]] == ["Exposure Auto Upper Limit Auto"]


@pytest.mark.parametrize("model_id", V4L2_MODELS)
def test_v4l2_fixture_agrees_with_features(model_id):
    """Two transcriptions of the same tables: the feature each V4L2 name pairs with is a
    features.ini group with the same section, title, type, access, range and default."""
    v4l2 = load_ini(path=fixtures(model_id, "v4l2.ini"))
    feats = load_ini(path=fixtures(model_id, "features.ini"))
    for name in v4l2.sections():
        v = v4l2[name]
        base, sel = v4l2_feature(v["feature"])
        assert base in feats, "%s: feature %s not in features.ini" % (name, base)
        f = feats[base]
        if sel:
            assert f.get("selector") == base + "Selector", name
            assert v["title"] in f["title"].split(";"), name
        else:
            assert v["title"] == f["title"], name
        assert v["section"] == f["section"], name
        for key in ("type", "access", "unit", "min", "max", "min_text", "max_text", "default", "default_text",
                    "entries", "entries_manual", "alt_values"):
            assert v.get(key) == f.get(key), "%s %s: v4l2.ini %r, features.ini %r" % (
                name, key, v.get(key), f.get(key))
