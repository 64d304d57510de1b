# SPDX-License-Identifier: MIT
"""dfk-drivertest (docs/drivertest.md) on this machine, without a VM: the reference
adapter (dfk-adapter-u3v, over USB/IP) passes the whole catalogue; adapters that lie,
hang, crash or break the line protocol are caught, each for its own reason, and never
stop the run; golden traces report exactly the edges a changed setting moved; a "real
camera" run (no side channel) skips what only the emulator can tell. The same catalogue
through the real kernel with Aravis: test_drivertest_vm.py."""
import json
import os
import subprocess
import xml.etree.ElementTree as ET

import pytest

import emu as emu_mod
from dfk_testlib import SLOW

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CATALOGUE = os.path.join(ROOT, "drivertest", "scenarios")
PY = "/usr/bin/python3"


def tool(name):
    path = os.path.join(emu_mod.BUILD, name)
    if not os.path.exists(path):
        pytest.fail("%s is missing: make %s" % (path, os.path.relpath(path, ROOT)))
    return path


def run(args, timeout=600):
    p = subprocess.run([tool("dfk-drivertest")] + args, capture_output=True, text=True, timeout=timeout * SLOW)
    return p.returncode, p.stdout, p.stderr


def catalogue():
    """The scenario names in the runner's order (by file name)."""
    return [f[:-9] for f in sorted(os.listdir(CATALOGUE)) if f.endswith(".scenario")]


def write(path, text):
    path.write_text(text)
    return str(path)


def fake_adapter(tmp_path, name, body):
    """A Python adapter: `body` runs with `args` (the runner's arguments) and helpers out() / stdin."""
    script = tmp_path / name
    script.write_text("import os, sys, time, signal\n"
                      "args = sys.argv[1:]\n"
                      "def out(line):\n"
                      "    sys.stdout.write(line + '\\n'); sys.stdout.flush()\n" + body)
    return "%s %s" % (PY, script)


def test_catalogue_parses_and_lists():
    files = [os.path.join(CATALOGUE, n + ".scenario") for n in catalogue()]
    assert len(files) >= 30
    rc, out, err = run(["--check"] + files)
    assert rc == 0, err
    rc, out, err = run(["--list"])
    assert rc == 0, err
    names = [l.split()[0] for l in out.splitlines()]
    assert names == catalogue()
    # every pixel format of the camera, full frame and a small ROI
    for fmt in ("bayerrg8", "bayerrg12p", "bayerrg16", "ycbcr422-8", "ycbcr411-8", "ycbcr411-8-cbyycryy", "bgr8",
                "mono8"):
        assert "format-%s-full" % fmt in names and "format-%s-roi" % fmt in names


@pytest.mark.parametrize("text, message", [
    ("expect sharpness >= 3\n", "2: expect: unknown counter 'sharpness'"),
    ("fault stall ep 0x90\n", "2: stall: bad ep '0x90'"),
    ("frames 0\n", "2: frames: '0' is not a number from 1"),
    ("set Width\n", "2: set NAME VALUE"),
    ("stim repeat 3\n", "2: stim: exec NAME"),
    ("expect ok >= many\n", "2: expect ok: 'many' is not a number"),
    ("golden-align Trigger-In\n", "2: golden-align: an event kind"),
    ("bogus\n", "2: unknown or malformed line 'bogus'"),
])
def test_bad_scenario_refused_with_line(tmp_path, text, message):
    path = write(tmp_path / "bad.scenario", "# a comment\n" + text)
    rc, out, err = run(["--check", path])
    assert rc == 1
    assert message in err, err


def test_reference_adapter_passes_the_catalogue(tmp_path):
    """The reference adapter reads the stream as USB3 Vision 1.0 says: every scenario passes."""
    report, junit = tmp_path / "report", tmp_path / "junit.xml"
    rc, out, err = run(["--adapter", tool("dfk-adapter-u3v"), "--report", str(report), "--junit", str(junit)])
    assert rc == 0, out + err
    suite = ET.parse(junit).getroot().find("testsuite")
    assert int(suite.get("tests")) == len(catalogue())
    assert suite.get("failures") == "0" and suite.get("skipped") == "0"
    summary = json.loads((report / "summary.json").read_text())
    assert [s["scenario"] for s in summary["scenarios"]] == catalogue()
    # what the judgement rests on, for a few scenarios, in numbers
    slow = json.loads((report / "slow-host.json").read_text())
    assert slow["counters"]["dropped"] >= 1 and slow["counters"]["unreported-gaps"] == 0
    assert slow["counters"]["gap-ids"] >= slow["counters"]["dropped"]
    cut = json.loads((report / "incomplete-frame.json").read_text())
    assert cut["counters"]["sent-faulted"] == 1 and cut["counters"]["incomplete"] == 1
    assert cut["counters"]["false-ok"] == 0 and cut["driver"]["name"] == "u3v"
    fmt = json.loads((report / "format-bgr8-roi.json").read_text())
    exact = [e for e in fmt["expectations"] if e["expect"] == "bit-exact"][0]
    assert exact["result"] == "passed" and exact["reason"] == "8 frames, every byte"
    replug = json.loads((report / "unplug-replug.json").read_text())
    assert replug["counters"]["lost"] >= 1 and replug["counters"]["reopened"] >= 1
    assert (report / "stall-stream.events").read_text().count(" fault ") == 1


LIAR = """
# the reference adapter, but frames it was told were incomplete come out as good
import subprocess
p = subprocess.Popen([%r] + args, stdin=sys.stdin, stdout=subprocess.PIPE, text=True)
for line in p.stdout:
    out(line.rstrip('\\n').replace('status=incomplete', 'status=ok').replace('status=bad', 'status=ok'))
sys.exit(p.wait())
"""


def test_lying_driver_is_caught(tmp_path):
    """A driver that calls an incomplete frame good fails with the frame named."""
    adapter = fake_adapter(tmp_path, "liar.py", LIAR % tool("dfk-adapter-u3v"))
    report = tmp_path / "r"
    rc, out, err = run(["--adapter", adapter, "--scenario", "incomplete-frame", "--scenario", "empty-frame",
                        "--report", str(report)])
    assert rc == 1, out
    assert "FAIL incomplete-frame" in out and "FAIL empty-frame" in out
    assert "false-ok is 1, expected == 0: frame 4 reported ok: the camera sent it damaged, trailer status 0xa100, " \
           "payload cut short" in out, out
    res = json.loads((report / "incomplete-frame.json").read_text())
    assert res["result"] == "failed" and res["counters"]["false-ok"] == 1


HANG = """
out('hello driver=hang version=0 mode=none')
out('ready')
time.sleep(3600)
"""
CRASH = """
out('ready')
sys.stdin.readline()
os.kill(os.getpid(), signal.SIGSEGV)
"""
GARBLE = """
out('ready')
sys.stdin.readline()
out('frame id=1 size=10 status=fine')
out('done')
"""
NEVER_READY = """
time.sleep(3600)
"""


@pytest.mark.parametrize("name, body, reason", [
    ("hang", HANG, "exit done: hung: killed at the 3 s limit"),
    ("crash", CRASH, "exit done: no done line, exit status %d" % (128 + 11)),
    ("garble", GARBLE, "protocol: 1 malformed adapter lines, the first: 'frame id=1 size=10 status=fine': "
                       "frame: status 'fine' is not ok, incomplete or bad"),
    ("never-ready", NEVER_READY, "ready: the adapter never printed ready (killed at the 3 s limit)"),
])
def test_broken_adapter_fails_its_scenario_not_the_run(tmp_path, name, body, reason):
    """A hung, crashed or garbling driver fails its scenario, with the reason; the next scenario still runs."""
    sc = write(tmp_path / "short.scenario", "describe short\nset PixelFormat Mono8\nframes 2\nlimit 3\n")
    sc2 = write(tmp_path / "short2.scenario", "describe short too\nset PixelFormat BGR8\nframes 1\nlimit 3\n")
    adapter = fake_adapter(tmp_path, name + ".py", body)
    rc, out, err = run(["--adapter", adapter, "--scenario", sc, "--scenario", sc2], timeout=60)
    assert rc == 1
    assert "FAILED  " + reason in out, out
    assert "2 scenarios: 0 passed, 2 failed" in out     # the second ran, and failed for the same driver


GOLDEN = """describe golden trace test: five hardware triggers at fixed device times
set PixelFormat Mono8
set Width 512
set Height 256
set ExposureAuto Off
set ExposureTime {exposure}
set TriggerMode On
set TriggerSource Line1
clock-scale 1
frames 5
stim line pulse 20000 count 5 period 5000000 at 1500000000
golden-align none
golden-ignore acquisition
"""


def test_golden_trace_reports_the_moved_edges(tmp_path):
    """Recorded, rerun unchanged: no difference; ExposureTime + 1 us: exactly the edges after
    each exposure's end moved, each by +1000 ns, and nothing else."""
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    same = write(a / "golden-trigger.scenario", GOLDEN.format(exposure=100))
    longer = write(b / "golden-trigger.scenario", GOLDEN.format(exposure=101))
    gold = tmp_path / "gold"
    adapter = tool("dfk-adapter-u3v")
    rc, out, err = run(["--adapter", adapter, "--scenario", same, "--record", str(gold)])
    assert rc == 0, out + err
    assert (gold / "golden-trigger.golden").read_text().startswith("dfk-golden 1\nscenario golden-trigger\n")
    rc, out, err = run(["--adapter", adapter, "--scenario", same, "--compare", str(gold)])
    assert rc == 0, out
    report = tmp_path / "r"
    rc, out, err = run(["--adapter", adapter, "--scenario", longer, "--compare", str(gold), "--report", str(report)])
    assert rc == 1
    assert "matches the golden trace: 20 differences" in out, out
    diff = (report / "golden-trigger.golden-diff").read_text().splitlines()
    assert len(diff) == 20
    for block in range(1, 6):
        for kind in ("exposure_end", "readout_start", "readout_end", "frame_delivered"):
            assert [l for l in diff if l.startswith("%s #%d (block %d): " % (kind, block, block))
                    and l.endswith("(+1000 ns)")], (kind, block, diff)


def test_real_camera_mode_judges_by_the_manual_alone(emu_factory, tmp_path):
    """--device: no side channel. Fault scenarios are skipped (they need the emulator), the
    rest run and only the expectations about the camera's own records are skipped."""
    e = emu_factory(args=["--source", "pattern", "--seed", "7", "--time-scale", "0"])
    report = tmp_path / "r"
    rc, out, err = run(["--adapter", tool("dfk-adapter-u3v"), "--device", e.url(),
                        "--scenario", "format-mono8-roi", "--scenario", "stall-stream", "--report", str(report)])
    assert rc == 0, out + err
    assert "SKIP stall-stream" in out and "needs the emulator" in out
    res = json.loads((report / "format-mono8-roi.json").read_text())
    assert res["result"] == "passed"
    by = {x["expect"]: x for x in res["expectations"]}
    assert by["ok == 8"]["result"] == "passed"
    assert by["bit-exact"]["result"] == "skipped" and by["missed == 0"]["result"] == "skipped"
    assert "sent" not in res["counters"]
