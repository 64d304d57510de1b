"""The model (models/, through `dfk-emu --dump-features`) agrees with the
manual's transcription (fixtures/, made from the manual text alone).

The manual prints ranges, defaults and value words, not C types: an Integer
in one and a Float in the other agree when the manual's numbers fit both
(both are "numeric"); everything the manual prints must match exactly."""
import configparser
import os
import subprocess

import pytest

from emu import EMU, ROOT

FIXTURES = os.path.join(ROOT, "fixtures", "dfk38ux267")


def load_ini(text=None, path=None):
    cp = configparser.ConfigParser(interpolation=None, strict=True)
    cp.optionxform = str
    if path:
        with open(path, encoding="utf-8") as f:
            cp.read_file(f)
    else:
        cp.read_string(text)
    return cp


@pytest.fixture(scope="module")
def model():
    out = subprocess.run([EMU, "--dump-features"], capture_output=True, text=True, check=True).stdout
    return load_ini(text=out)


@pytest.fixture(scope="module")
def manual():
    return load_ini(path=os.path.join(FIXTURES, "features.ini"))


NUMERIC = {"Integer", "Float"}


def num(s):
    return float(s)


def test_every_manual_feature_is_in_the_model(manual, model):
    missing = [name for name in manual.sections() if name not in model]
    assert not missing, "features of manual section 5 missing from the model: %s" % missing


@pytest.mark.parametrize("name", load_ini(path=os.path.join(FIXTURES, "features.ini")).sections())
def test_feature_agrees(name, manual, model):
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
    out = subprocess.run([EMU, "--dump-features"], capture_output=True, text=True, check=True).stdout
    assert "[PixelFormat]" in out
    bits = {k[len("entry."):]: int(v) for k, v in fx.items() if k.startswith("entry.")}
    md = model["PixelFormat"]
    for name, b in bits.items():
        assert num(md["entry." + name]) == b, name
        # PFNC codes carry the bits per pixel in bits 16..23
        assert (int(md["value." + name]) >> 16) & 0xFF == b, name


def test_framerate_fixture_is_the_manual_table():
    rows = [l.split("\t") for l in open(os.path.join(FIXTURES, "framerate.tsv")).read().splitlines()[1:] if l]
    assert len(rows) == 32
    assert {r[0] for r in rows} == {"BayerRG8", "BayerRG12p", "BayerRG16", "YCbCr422_8", "YCbCr411_8",
                                    "YCbCr411_8_CbYYCrYY", "BGR8", "Mono8"}
