# SPDX-License-Identifier: MIT
"""The HTML reports of dfk-drivertest and dfk-conform, each checked in a real browser.

dfk-drivertest's HTML report (docs/drivertest.md, "Reports"): DIR/index.html, one
self-contained page, checked in a real browser. The reference adapter runs a timing
scenario that fails on purpose (hardware triggers above the limit, `expect accepted ==
99`), a frame scenario that fails bit-exact (a wrapper around the adapter zeroes 32 rows of
one frame and still calls it ok) and a passing one; headless Chromium loads the page from
file://, the test counts the scenario sections, SVG timing diagrams and frame images in
the DOM it rendered, requires a clean console, and keeps a screenshot next to the report
(index.png). A malicious adapter's lines must come out as text, never as markup. Progress
lines appear on a terminal only.

dfk-conform --report DIR (man dfk-conform): a real run of the stream, framerate, trigger and
strobe suites against the emulator showing the test pattern, with two tests made to fail by
faults armed on the emulator just before them (--inject-fault): a frame test (stream/BayerRG12p:
the third frame loses its last 64 KiB) and a timing test (framerate/timestamps_at_max: frame 5's
leader timestamp 5 us late, frame 6's back in step). Chromium renders the page; the test counts
the test sections, timing diagrams, failure marks and frame images in its DOM, requires a clean
console and keeps a screenshot next to the report."""
import html.parser
import os
import pty
import shutil
import struct
import subprocess
import time

import pytest

import emu as emu_mod
import features as F
from dfk_testlib import SLOW

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PY = "/usr/bin/python3"

TIMING_FAIL = """# SPDX-License-Identifier: MIT
describe Hardware trigger pulses <b>above</b> the limit & an expectation that cannot hold
set PixelFormat Mono8
set Width 512
set Height 256
set ExposureAuto Off
set ExposureTime 100
set TriggerMode On
set TriggerSource Line1
clock-scale 1
frames 40
settle-ms 1000
stim line pulse 20000 count 40 period 500000 at +1000000
expect accepted == 99
expect rejected >= 1
"""

FRAME_FAIL = """# SPDX-License-Identifier: MIT
describe BayerRG12p 512x256 through a driver that loses 32 rows of frame 3: bit-exact fails
set PixelFormat BayerRG12p
set Width 512
set Height 256
frames 8
expect ok == 8
expect bit-exact
"""

# The reference adapter behind a "driver" that zeroes rows 96..127 of frame 3's payload (a lost
# DMA block) and still calls the frame ok: deterministic, whatever the host's speed.
LOSSY = """import subprocess, sys, threading
p = subprocess.Popen([%r] + sys.argv[1:], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
def pump():
    try:
        for line in sys.stdin:
            p.stdin.write(line)
            p.stdin.flush()
        p.stdin.close()
    except OSError:
        pass
threading.Thread(target=pump, daemon=True).start()
lossy = "PixelFormat=BayerRG12p" in sys.argv      # the frame scenario only
for line in p.stdout:
    words = line.split()
    if lossy and words and words[0] == "frame" and "id=3" in words and "status=ok" in words:
        f = dict(w.split("=", 1) for w in words[1:] if "=" in w)
        row = 512 * 3 // 2
        with open(f["file"], "r+b") as fh:
            fh.seek(96 * row)
            fh.write(bytes(32 * row))
    sys.stdout.write(line)
    sys.stdout.flush()
sys.exit(p.wait())
"""

# A driver whose every line tries to inject markup into the report.
EVIL = """
out('hello driver=<img/src=x/onerror=console.error(1)> version="><script>console.error(2)</script> mode=\\'x')
out('ready')
sys.stdin.readline()
out('frame id=1 size=10 status=<svg/onload=console.error(3)>')
out('error stage=grab msg=</td></tr></table><iframe src=javascript:console.error(4)></iframe>&amp;')
out('done')
"""


def tool(name):
    path = os.path.join(emu_mod.BUILD, name)
    if not os.path.exists(path):
        pytest.fail("%s is missing: make %s" % (path, os.path.relpath(path, ROOT)))
    return path


def chromium():
    path = shutil.which("chromium")
    if not path:
        pytest.fail("chromium is missing: ci/deps.sh installs it (Debian's `chromium`)")
    return path


def browse(tmp_path, page, *args):
    """Headless Chromium on file://page with its own profile. Returns (stdout, console lines, seconds)."""
    profile = tmp_path / ("chromium-profile-%d" % len(list(tmp_path.glob("chromium-profile-*"))))
    cmd = [chromium(), "--headless", "--disable-gpu", "--no-sandbox", "--no-first-run", "--user-data-dir=%s" % profile,
           "--enable-logging=stderr", "--v=0"] + list(args) + ["file://" + os.path.abspath(page)]
    t0 = time.monotonic()
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=120 * SLOW)
    secs = time.monotonic() - t0
    assert p.returncode == 0, p.stderr[-3000:]
    console = [l for l in p.stderr.splitlines() if ":CONSOLE" in l or "Uncaught" in l]
    return p.stdout, console, secs


class Dom(html.parser.HTMLParser):
    """The elements of the rendered DOM: tag counts, attributes, the sections' text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.attrs, self.sections, self.text = {}, [], [], []
        self._section = None

    def handle_starttag(self, tag, attrs):
        self.tags[tag] = self.tags.get(tag, 0) + 1
        a = dict(attrs)
        self.attrs.append((tag, a))
        if tag == "section" and {"scenario", "test"} & set((a.get("class") or "").split()):
            self._section = {"class": a["class"].split(), "id": a.get("id"), "svg": 0, "img": 0, "failat": 0,
                             "expect": 0, "text": []}
            self.sections.append(self._section)
        elif self._section is not None:
            if tag in ("svg", "img"):
                self._section[tag] += 1
            if tag == "g" and "failat" in (a.get("class") or ""):
                self._section["failat"] += 1
            if tag == "g" and "expect" in (a.get("class") or "").split():
                self._section["expect"] += 1

    def handle_data(self, data):
        self.text.append(data)
        if self._section is not None:
            self._section["text"].append(data)


def parse(dom_text):
    d = Dom()
    d.feed(dom_text)
    return d


def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n", path
    return struct.unpack(">II", head[16:24])


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """One run: the failing timing scenario, the failing frame scenario, a passing one."""
    d = tmp_path_factory.mktemp("html")
    (d / "timing-fail.scenario").write_text(TIMING_FAIL)
    (d / "frame-fail.scenario").write_text(FRAME_FAIL)
    (d / "lossy.py").write_text(LOSSY % tool("dfk-adapter-u3v"))
    rep = d / "report"
    t0 = time.monotonic()
    p = subprocess.run([tool("dfk-drivertest"), "--adapter", "%s %s" % (PY, d / "lossy.py"),
                        "--scenario", str(d / "timing-fail.scenario"), "--scenario", str(d / "frame-fail.scenario"),
                        "--scenario", "format-mono8-roi", "--report", str(rep)],
                       capture_output=True, text=True, timeout=300 * SLOW)
    return d, rep, p, time.monotonic() - t0


def test_run_fails_where_it_should(report):
    d, rep, p, secs = report
    assert p.returncode == 1, p.stdout + p.stderr
    assert "FAIL timing-fail" in p.stdout and "accepted is " in p.stdout
    assert "FAIL frame-fail" in p.stdout and "1 of 8 ok frames are not the test pattern; frame 3:" in p.stdout
    assert "PASS format-mono8-roi" in p.stdout
    assert "[1/3]" not in p.stderr            # no terminal: no progress lines in a CI log
    assert (rep / "index.html").is_file()


def test_page_is_self_contained(report):
    d, rep, p, secs = report
    page = (rep / "index.html").read_text()
    assert len(page) < 2_000_000
    low = page.lower()
    assert "<script" not in low
    for attr in ("src=", "href="):         # nothing from the network: relative files, anchors only
        for piece in low.split(attr)[1:]:
            assert not piece.lstrip("\"'").startswith(("http:", "https:", "//")), piece[:80]
    # the scenario's description is user input: escaped, shown as written
    assert "&lt;b&gt;above&lt;/b&gt; the limit &amp; an expectation" in page


def test_frame_images_written(report):
    d, rep, p, secs = report
    kinds = ("received", "expected", "diff")
    for k in kinds:
        assert png_size(rep / ("scenario-1-%s.png" % k)) == (512, 256)
    assert (rep / "scenario-1-received.png").read_bytes() != (rep / "scenario-1-expected.png").read_bytes()
    # the mismatching frame's bytes outlive the dump directory
    assert (rep / "frame-fail.mismatch.raw").stat().st_size == 512 * 256 * 3 // 2
    for n in (0, 2):
        assert not list(rep.glob("scenario-%d-*.png" % n))


def test_chromium_renders_the_report(report, tmp_path):
    d, rep, p, secs = report
    dom_text, console, t_dom = browse(tmp_path, rep / "index.html", "--dump-dom")
    dom = parse(dom_text)
    assert console == [], console
    assert [s["class"][1] for s in dom.sections] == ["fail", "fail", "pass"]
    assert [s["svg"] for s in dom.sections] == [1, 1, 1]         # a timing diagram per scenario
    assert dom.tags.get("svg") == 3
    assert [s["img"] for s in dom.sections] == [0, 3, 0]         # received, expected, difference
    assert dom.tags.get("img") == 3
    assert "b" not in dom.tags                                    # the description's <b> stayed text
    timing, frame, good = ("".join(s["text"]) for s in dom.sections)
    assert "accepted is " in timing and "expected == 99" in timing
    assert "TRIGGER_IN" in timing and "STROBE_OUT" in timing and "frame memory" in timing
    assert "overlap" in timing                                    # rejected triggers with their reason
    assert "bit-exact" in frame and "not the test pattern" in frame
    # the bit-exact failure is marked in the diagram at the device time its frame left the camera
    assert dom.sections[1]["failat"] == 1 and dom.sections[0]["failat"] == 0
    for tag, a in dom.attrs:
        if tag == "img":
            assert (rep / a["src"]).is_file(), a
    # the screenshot, kept next to the report
    shot = rep / "index.png"
    _, console, t_shot = browse(tmp_path, rep / "index.html", "--screenshot=%s" % shot, "--window-size=1280,2000",
                                "--hide-scrollbars")
    assert console == [], console
    assert png_size(shot) == (1280, 2000)
    assert shot.stat().st_size > 20000                            # drawn, not a blank page
    print("report run %.1f s, chromium --dump-dom %.1f s, --screenshot %.1f s" % (secs, t_dom, t_shot))


def test_malicious_adapter_cannot_inject_markup(tmp_path):
    script = tmp_path / "evil.py"
    script.write_text("import os, sys, time\n"
                      "def out(line):\n"
                      "    sys.stdout.write(line + '\\n'); sys.stdout.flush()\n" + EVIL)
    sc = tmp_path / "short.scenario"
    sc.write_text("describe short\nset PixelFormat Mono8\nframes 2\nlimit 5\n")
    rep = tmp_path / "rep"
    p = subprocess.run([tool("dfk-drivertest"), "--adapter", "%s %s" % (PY, script), "--scenario", str(sc),
                        "--report", str(rep)], capture_output=True, text=True, timeout=120 * SLOW)
    assert p.returncode == 1, p.stdout + p.stderr
    dom_text, console, _ = browse(tmp_path, rep / "index.html", "--dump-dom")
    assert console == [], console
    dom = parse(dom_text)
    for bad in ("script", "iframe", "img"):
        assert bad not in dom.tags, bad
    assert dom.tags.get("svg", 0) <= 1 and len(dom.sections) == 1
    for tag, a in dom.attrs:
        assert not any(k.startswith("on") for k in a), (tag, a)
    text = "".join(dom.text)
    assert "<img/src=x/onerror=console.error(1)>" in text         # shown as text, as the driver wrote it
    assert "status=<svg/onload=console.error(3)>" in text
    assert "</td></tr></table><iframe src=javascript:console.error(4)></iframe>&amp;" in text


def test_progress_on_a_terminal_only(tmp_path):
    """stderr a terminal: `[n/N] name  elapsed`; a pipe (a CI log): nothing."""
    master, slave = pty.openpty()
    p = subprocess.Popen([tool("dfk-drivertest"), "--adapter", tool("dfk-adapter-u3v"), "--scenario",
                          "format-mono8-roi", "--scenario", "format-bgr8-roi"],
                         stdout=subprocess.PIPE, stderr=slave, text=True)
    os.close(slave)
    out, _ = p.communicate(timeout=120 * SLOW)
    tty = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        tty += chunk
    os.close(master)
    assert p.returncode == 0, out
    assert b"[1/2] format-mono8-roi" in tty and b"[2/2] format-bgr8-roi" in tty, tty
    assert b" s" in tty


# ---------------------------------------------------------------- dfk-conform --report

CONFORM_SUITES = ("stream", "framerate", "trigger", "strobe")
CONFORM_FIXTURES = os.path.join(ROOT, "fixtures", F.identity()["id"])
# the faults that make one frame test and one timing test fail (docs/faults.md): 65536 bytes
# of the third frame never sent; frame 5's timestamp 5000 ns late, frame 6's back in step
CONFORM_INJECT = {
    "stream/BayerRG12p": ["drop-payload bytes 65536 on frame 3"],
    "framerate/timestamps_at_max": ["time-jump by 5000 on frame 5", "time-jump by -5000 on frame 6"],
}


def conform_tests():
    out = subprocess.run([tool("dfk-conform"), "--list-tests", "--fixtures", CONFORM_FIXTURES],
                         capture_output=True, text=True, check=True).stdout.split()
    return [t for t in out if t.split("/")[0] in CONFORM_SUITES]


def rule_sentences():
    """{rule id: sentence} of the fixtures' rules.ini, read here on its own."""
    rules, rid = {}, None
    with open(os.path.join(CONFORM_FIXTURES, "rules.ini"), encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line.startswith("[rule.") and line.endswith("]"):
                rid = line[6:-1]
            elif rid and line.startswith("sentence="):
                rules[rid] = line[len("sentence="):]
    return rules


@pytest.fixture(scope="module")
def conform_report(tmp_path_factory):
    d = tmp_path_factory.mktemp("conform-html")
    io = str(d / "io.sock")
    rep = d / "report"
    args = []
    for test, lines in CONFORM_INJECT.items():
        for line in lines:
            args += ["--inject-fault", "%s=%s" % (test, line)]
    t0 = time.monotonic()
    with emu_mod.Emulator(["--source", "pattern", "--seed", "7", "--io", io]) as emu:
        p = subprocess.run([tool("dfk-conform"), "--device", emu.url(), "--fixtures", CONFORM_FIXTURES,
                            "--suite", ",".join(CONFORM_SUITES), "--expect-pattern", "7", "--io", io,
                            "--report", str(rep)] + args,
                           capture_output=True, text=True, timeout=600 * SLOW)
        assert emu.alive(), emu.tail()
    return rep, p, time.monotonic() - t0


def test_conform_run_fails_where_it_should(conform_report):
    rep, p, secs = conform_report
    assert p.returncode == 1, p.stdout[-4000:] + p.stderr
    failed = sorted({l.split()[1].rstrip(":") for l in p.stdout.splitlines() if l.startswith("FAIL ")})
    assert failed == sorted(CONFORM_INJECT), p.stdout[-4000:]
    assert "frame 2 incomplete" in p.stdout                      # the third frame, counted from 0
    assert "2 timestamp deltas off" in p.stdout
    assert "[suite " not in p.stderr                             # no terminal: no progress lines
    assert "report in %s/index.html" % rep in p.stdout
    print("dfk-conform run with --report: %.1f s" % secs)


def test_conform_page_is_self_contained(conform_report):
    rep, p, secs = conform_report
    page = (rep / "index.html").read_text()
    assert len(page) < 5_000_000
    low = page.lower()
    assert "<script" not in low
    for attr in ("src=", "href="):
        for piece in low.split(attr)[1:]:
            assert not piece.lstrip("\"'").startswith(("http:", "https:", "//")), piece[:80]
    pngs = sorted(x.name for x in rep.glob("*.png") if x.name != "index.png")
    assert len(pngs) == 3 and all(n.endswith(("-received.png", "-expected.png", "-diff.png")) for n in pngs), pngs


def test_conform_report_in_chromium(conform_report, tmp_path):
    rep, p, secs = conform_report
    dom_text, console, t_dom = browse(tmp_path, rep / "index.html", "--dump-dom")
    assert console == [], console
    dom = parse(dom_text)
    tests = conform_tests()
    sections = {s["id"]: s for s in dom.sections}
    # every test of the run, once, in a section of its own; the two failures and only they in red
    assert len(dom.sections) == len(tests) == len(sections)
    for t in tests:
        assert "t-" + t.replace("/", "-") in sections, t
    failed = sorted(s["id"] for s in dom.sections if "fail" in s["class"])
    assert failed == sorted("t-" + t.replace("/", "-") for t in CONFORM_INJECT)
    assert all("pass" in s["class"] for s in dom.sections if "fail" not in s["class"])

    # the timing test: its diagram, the two frames whose timestamps were off marked in red at
    # their device times, the 7 in step as expected edges
    timing = sections["t-framerate-timestamps_at_max"]
    assert timing["svg"] == 1 and timing["failat"] == 2 and timing["expect"] == 7
    text = "".join(timing["text"])
    assert "TRIGGER_IN" in text and "STROBE_OUT" in text and "frame memory" in text
    assert "time-jump by 5000 on frame 5" in text                 # the armed fault, named
    # ... and drawn where it acted: when the frame left the camera, which depends on when the host
    # read it, so the two may share a pixel (then one label is drawn)
    assert 1 <= dom_text.count(">time-jump</text>") <= 2
    # the trigger and strobe suites: a diagram for each test that drove the rig (all but the one
    # that only reads features), no failure marks
    rigged = [s for s in dom.sections if s["id"].startswith(("t-trigger-", "t-strobe-"))]
    with_svg = [s for s in rigged if s["svg"]]
    assert [s["id"] for s in rigged if not s["svg"]] == ["t-trigger-low_latency_forces_overlap_off"]
    assert all(s["svg"] <= 1 and s["failat"] == 0 for s in rigged)
    assert sum(s["expect"] for s in rigged) >= 30                  # expected edges drawn
    assert "debounce" in "".join(sections["t-trigger-trigger_debouncer"]["text"])   # a rejection's reason

    # the frame test: received, expected and difference
    frame = sections["t-stream-BayerRG12p"]
    assert frame["img"] == 3 and frame["svg"] == 0
    assert dom.tags.get("img") == 3
    for tag, a in dom.attrs:
        if tag == "img":
            assert png_size(rep / a["src"]) == (1024, 256), a
    # the frame-rate table: a row per row of the manual's tables, and its chart
    charts = [a for tag, a in dom.attrs if tag == "svg" and "chart" in (a.get("class") or "")]
    assert len(charts) == 1
    assert dom.tags.get("svg") == len(with_svg) + 1 + 1            # + the timing test's + the chart
    with open(os.path.join(CONFORM_FIXTURES, "framerate.tsv")) as f:
        manual_rows = sum(1 for line in f if line.strip() and not line.startswith("pixel_format"))
    fr_tables = [a for tag, a in dom.attrs if tag == "table" and a.get("class") == "framerate"]
    assert len(fr_tables) == 1
    assert "%d rows, 0 differ" % manual_rows in "".join(dom.text)

    # each test with the manual's sentence of every rule that names it (rules.ini, read here)
    sentences = rule_sentences()
    debounce = "".join(sections["t-trigger-trigger_debouncer"]["text"])
    assert sentences["trigger-debounce"] in debounce
    assert "5.5.2" in debounce
    assert sentences["bayer12p-packing"] in "".join(frame["text"])
    assert "no reference recorded" not in dom_text                # every test: a rule or a testref.c row
    # a test no rule names still says where its expectation comes from
    assert "not stated by the manual" in "".join(sections["t-stream-slow_reader"]["text"])

    shot = rep / "index.png"
    _, console, t_shot = browse(tmp_path, rep / "index.html", "--screenshot=%s" % shot, "--window-size=1280,2400",
                                "--hide-scrollbars")
    assert console == [], console
    assert png_size(shot) == (1280, 2400)
    assert shot.stat().st_size > 50000
    print("dfk-conform report: %d tests, %d timing diagrams; chromium --dump-dom %.1f s, --screenshot %.1f s"
          % (len(tests), len(with_svg) + 1, t_dom, t_shot))


def test_conform_progress_on_a_terminal_only(tmp_path):
    """stderr a terminal: a line per test with suite n/N, its name, result, time and the elapsed time."""
    io = str(tmp_path / "io.sock")
    with emu_mod.Emulator(["--source", "pattern", "--seed", "7", "--io", io]) as emu:   # as test_conform.py
        master, slave = pty.openpty()
        p = subprocess.Popen([tool("dfk-conform"), "--device", emu.url(), "--fixtures", CONFORM_FIXTURES,
                              "--suite", "strobe,trigger", "--io", io],
                             stdout=subprocess.PIPE, stderr=slave, text=True)
        os.close(slave)
        out, _ = p.communicate(timeout=300 * SLOW)
        tty = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            tty += chunk
        os.close(master)
    assert p.returncode == 0, out[-3000:]
    assert b"[suite 1/2] trigger/trigger_mode_off  pass" in tty, tty[:2000]
    assert b"[suite 2/2] strobe/gpi_reads_trigger_in  pass" in tty, tty[-2000:]
    assert tty.count(b"(elapsed ") == len([t for t in conform_tests() if t.split("/")[0] in ("trigger", "strobe")])
    assert b"[suite" not in out.encode()


def test_conform_inject_fault_names_a_test_of_the_run(tmp_path):
    io = str(tmp_path / "io.sock")
    with emu_mod.Emulator(["--io", io]) as emu:
        r = subprocess.run([tool("dfk-conform"), "--device", emu.url(), "--fixtures", CONFORM_FIXTURES, "--io", io,
                            "--suite", "framerate", "--inject-fault", "stream/Mono8=empty-frame on frame 1"],
                           capture_output=True, text=True, timeout=120 * SLOW)
    assert r.returncode == 2 and "no test stream/Mono8 in this run" in r.stderr, r.stdout + r.stderr


def test_conform_inject_fault_needs_rig():
    r = subprocess.run([tool("dfk-conform"), "--device", "usbip://127.0.0.1:1/1-1", "--inject-fault",
                        "stream/Mono8=empty-frame on frame 1"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "needs the I/O rig" in r.stderr
    r = subprocess.run([tool("dfk-conform"), "--device", "usbip://127.0.0.1:1/1-1", "--inject-fault", "nonsense"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "SUITE/TEST=FAULT" in r.stderr
