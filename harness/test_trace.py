# SPDX-License-Identifier: MIT
"""dfk-trace diff (docs/traces.md): traces of a scenario compared edge by edge.

A hardware-triggered, strobed scenario is recorded from a real dfk-emu with a paused clock
(event log and VCD), twice with the same settings and once with TriggerDelay 1 us longer:
the rerun compares equal, and the changed run differs at exactly the edges the delay
moved, by exactly +1000 ns. Golden traces built here check the host-side tolerance, and
malformed inputs are refused with their file and line (exit 2)."""
import os
import re
import subprocess

import pytest

import emu as E
import features as F
from dfk_io import IoChannel
from dfk_testlib import SLOW, open_camera

MS = 1_000_000
TRACE = os.path.join(E.BUILD, "dfk-trace")
PULSES = 3
PERIOD = 5 * MS
# the edges a longer TriggerDelay moves: everything from the exposure on
MOVED = {"exposure_start", "exposure_end", "readout_start", "readout_end", "strobe_out", "frame_dropped",
         "frame_delivered"}
BLOCK_KINDS = {"exposure_start", "exposure_end", "readout_start", "readout_end", "frame_dropped",
               "frame_delivered", "frame_sent"}


def dfk_trace(*args):
    if not os.access(TRACE, os.X_OK):
        pytest.fail("%s is missing: make BUILD=... %s" % (TRACE, TRACE), pytrace=False)
    return subprocess.run([TRACE] + list(args), capture_output=True, text=True, timeout=60 * SLOW)


def record(build_dir, tmp, tag, delay_us):
    """One run of the scenario: (event log path, VCD path). Line1 triggers three 100 us
    pulses 5 ms apart in exact device time; exposure 1 ms; strobe = exposure."""
    io_path = str(tmp / ("io-%s.sock" % tag))
    ev_path, vcd_path = str(tmp / ("%s.events" % tag)), str(tmp / ("%s.vcd" % tag))
    e = E.Emulator(args=["--io", io_path, "--source", "pattern"], state_dir=str(tmp / ("state-" + tag)))
    e.start(timeout=10.0 * SLOW)
    try:
        conn, gencp = open_camera(e)
        with conn, IoChannel(io_path) as io:
            for name, value in [("ExposureAuto", "Off"), ("ExposureTime", 1000.0), ("Width", 256), ("Height", 64),
                                ("TriggerOverlap", "Off"), ("IMXLowLatencyMode", 1), ("StrobeEnable", "On"),
                                ("StrobeOperation", "Exposure"), ("StrobePolarity", "ActiveHigh"),
                                ("TriggerMode", "On"), ("TriggerSource", "Line1"), ("TriggerDelay", delay_us)]:
                assert F.write(gencp, name, value).status == 0, name
            assert F.read(gencp, "TriggerDelay") == delay_us
            io.pause()
            io.request("vcd start " + vcd_path)
            assert F.execute(gencp, "AcquisitionStart").status == 0
            t0 = io.time() + MS
            seq = io.seq()
            io.request("line pulse 100000 at %d count %d period %d" % (t0, PULSES, PERIOD))
            io.advance(20 * MS)
            io.request("vcd stop")
            lines = io.lines("events from %d" % seq)
            assert F.execute(gencp, "AcquisitionStop").status == 0
            io.run()
        with open(ev_path, "w") as f:
            f.write("ok %d\n" % len(lines) + "".join(line + "\n" for line in lines))
    finally:
        assert e.stop() == 0
    return ev_path, vcd_path


@pytest.fixture(scope="module")
def runs(build_dir, tmp_path_factory):
    """{tag: (events, vcd)}: base and rerun with TriggerDelay 0, delayed with 1 us."""
    tmp = tmp_path_factory.mktemp("trace")
    return {tag: record(build_dir, tmp, tag, delay) for tag, delay in
            (("base", 0.0), ("rerun", 0.0), ("delayed", 1.0))}


def events_of(path):
    out = []
    with open(path) as f:
        for line in f.read().splitlines()[1:]:
            w = line.split()
            out.append({"seq": int(w[0]), "t": int(w[1]), "kind": w[2], "a": int(w[3]), "b": int(w[4])})
    return out


def expected_delay_lines(events, shift):
    """What dfk-trace must say for `events` (aligned on the first trigger_in) when every edge
    of MOVED and each trigger_accepted's exposure start moved by `shift` ns."""
    base = next(ev["t"] for ev in events if ev["kind"] == "trigger_in")
    lines, ordinal = [], {}
    for ev in events:
        k = ev["kind"]
        ordinal[k] = ordinal.get(k, 0) + 1
        t = ev["t"] - base
        if k in MOVED:
            key = "block" if k in BLOCK_KINDS else "level"
            lines.append("%s #%d (%s %d): %d -> %d (+%d ns)" % (k, ordinal[k], key, ev["a"], t, t + shift, shift))
        elif k == "trigger_accepted":
            x = ev["b"] - base
            lines.append("trigger_accepted #%d: exposure start %d -> %d (+%d ns)" % (ordinal[k], x, x + shift, shift))
    return lines


def test_event_log_rerun_is_the_same(runs):
    r = dfk_trace("diff", runs["base"][0], runs["rerun"][0], "--align", "trigger_in")
    assert (r.returncode, r.stdout) == (0, ""), r.stdout + r.stderr


def test_event_log_trigger_delay_moves_exactly_its_edges(runs):
    base, delayed = events_of(runs["base"][0]), events_of(runs["delayed"][0])
    # the scenario itself: three accepted line triggers, exposures 1 ms at 0, 5, 10 ms after
    # the first edge without delay, 1 us later with it, strobe over each exposure
    for evs, shift in ((base, 0), (delayed, 1000)):
        t0 = next(ev["t"] for ev in evs if ev["kind"] == "trigger_in")
        assert [ev["t"] - t0 for ev in evs if ev["kind"] == "trigger_accepted"] == [0, PERIOD, 2 * PERIOD]
        assert [ev["t"] - t0 for ev in evs if ev["kind"] == "exposure_start"] == \
            [shift, PERIOD + shift, 2 * PERIOD + shift]
        assert [(ev["t"] - t0, ev["a"]) for ev in evs if ev["kind"] == "strobe_out"] == \
            [(k * PERIOD + shift + d, v) for k in range(PULSES) for d, v in ((0, 1), (MS, 0))]
        assert len([ev for ev in evs if ev["kind"] == "frame_dropped"]) == PULSES
    r = dfk_trace("diff", runs["base"][0], runs["delayed"][0], "--align", "trigger_in")
    assert r.returncode == 1, r.stdout + r.stderr
    got = r.stdout.splitlines()
    want = expected_delay_lines(base, 1000)
    # per pulse: trigger_accepted's exposure start, exposure start/end, readout start/end, two strobe
    # edges, the frame drop: 8 edges, each +1000 ns, nothing else (trigger_in, trigger_seen and the
    # times of trigger_accepted did not move)
    assert len(want) == 8 * PULSES
    assert sorted(got) == sorted(want), "\n".join(got)
    assert not any(re.match(r"trigger_(in|seen)\b", line) for line in got)
    assert "dfk-trace: %d differences" % len(want) in r.stderr
    # ignoring what moved leaves nothing
    args = ["--ignore", "trigger_accepted"] + [x for k in sorted(MOVED) for x in ("--ignore", k)]
    r = dfk_trace("diff", runs["base"][0], runs["delayed"][0], "--align", "trigger_in", *args)
    assert (r.returncode, r.stdout) == (0, ""), r.stdout


def test_vcd_rerun_same_and_delay_moves_exactly_its_edges(runs):
    r = dfk_trace("diff", runs["base"][1], runs["rerun"][1], "--align", "trigger_in")
    assert (r.returncode, r.stdout) == (0, ""), r.stdout + r.stderr
    r = dfk_trace("diff", runs["base"][1], runs["delayed"][1], "--align", "TRIGGER_IN")
    assert r.returncode == 1, r.stderr
    got = r.stdout.splitlines()
    # the same edges as the event log, as the VCD writer shows them: exposure_active, readout_active
    # and STROBE_OUT rise and fall, frame_dropped marks; 7 per pulse, each +1000 ns
    want = []
    for k in range(PULSES):
        t = k * PERIOD
        ro = None
        for line in got:
            m = re.match(r"readout_active #%d \(level 0\): (\d+) -> " % (2 * k + 2), line)
            if m:
                ro = int(m.group(1))
        assert ro is not None and ro > t + MS, got
        for name, n, level, at in (("exposure_active", 2 * k + 1, 1, t), ("exposure_active", 2 * k + 2, 0, t + MS),
                                   ("STROBE_OUT", 2 * k + 1, 1, t), ("STROBE_OUT", 2 * k + 2, 0, t + MS),
                                   ("readout_active", 2 * k + 1, 1, t + MS), ("readout_active", 2 * k + 2, 0, ro)):
            want.append("%s #%d (level %d): %d -> %d (+1000 ns)" % (name, n, level, at, at + 1000))
        want.append("frame_dropped #%d: %d -> %d (+1000 ns)" % (k + 1, ro, ro + 1000))
    assert sorted(got) == sorted(want), "\n".join(got)
    # the event log agrees on the readout end
    base = events_of(runs["base"][0])
    t0 = next(ev["t"] for ev in base if ev["kind"] == "trigger_in")
    assert [ev["t"] - t0 for ev in base if ev["kind"] == "readout_end"] == \
        [int(re.search(r": (\d+) ->", line).group(1)) for line in got if line.startswith("frame_dropped")]


def test_event_log_against_vcd_is_refused(runs):
    r = dfk_trace("diff", runs["base"][0], runs["base"][1])
    assert r.returncode == 2 and "is a VCD" in r.stderr, r.stderr


# ---------------------------------------------------------------------------------------------
# golden traces: the host side within a tolerance
# ---------------------------------------------------------------------------------------------

HOST = [
    (150_000, "hello driver=u3v version=1"),
    (900_000, "ready"),
    (12_100_000, "frame id=1 size=16384 status=ok ts=1000000 width=256 height=64 pixfmt=0x1080001"),
    (17_100_000, "frame id=2 size=16384 status=ok ts=6000000 width=256 height=64 pixfmt=0x1080001"),
    (22_100_000, "frame id=5 size=16384 status=ok ts=11000000 width=256 height=64 pixfmt=0x1080001"),
    (30_000_000, "done"),
]


def golden(tmp_path, name, runs, host=HOST, tolerance=5 * MS, align="trigger_in", dev_from="base", extra=""):
    lines = ["dfk-golden 1", "scenario line1-strobe", "tolerance-ns %d" % tolerance]
    if align:
        lines.append("align " + align)
    lines.append("note adapter=dfk-adapter-u3v")
    with open(runs[dev_from][0]) as f:
        lines += ["dev " + line for line in f.read().splitlines()[1:]]
    lines += ["host %d %s" % (t, text) for t, text in host]
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n" + extra)
    return str(path)


def with_host(changes):
    """HOST with some lines (by their start, e.g. "frame id=5") at another time or with another text."""
    return [changes.get(text.split(" size")[0], (t, text)) for t, text in HOST]


def test_golden_same_and_within_tolerance(tmp_path, runs):
    a = golden(tmp_path, "a.golden", runs)
    b = golden(tmp_path, "b.golden", runs, dev_from="rerun")
    r = dfk_trace("diff", a, b)
    assert (r.returncode, r.stdout) == (0, ""), r.stdout + r.stderr
    # 3 ms later: within the scenario's 5 ms
    late = with_host({"frame id=5": (25_100_000, HOST[4][1])})
    r = dfk_trace("diff", a, golden(tmp_path, "c.golden", runs, host=late))
    assert (r.returncode, r.stdout) == (0, ""), r.stdout
    # a golden trace against the bare event log of a rerun: the device side only
    r = dfk_trace("diff", a, runs["rerun"][0])
    assert (r.returncode, r.stdout) == (0, ""), r.stdout


def test_golden_host_beyond_tolerance_and_changed_fields(tmp_path, runs):
    a = golden(tmp_path, "a.golden", runs)
    changed = list(HOST)
    changed[2] = (19_800_000, "frame id=1 size=16000 status=incomplete detail=missing ts=1000000 width=256 "
                              "height=64 pixfmt=0x1080001")
    del changed[4]                                          # frame 5 never came
    changed.insert(4, (23_000_000, "timeout"))
    b = golden(tmp_path, "b.golden", runs, host=changed)
    r = dfk_trace("diff", a, b)
    assert r.returncode == 1, r.stderr
    assert r.stdout.splitlines() == [
        "host frame id=1: arrival 12.1 ms -> 19.8 ms (+7.7 ms > tolerance 5 ms)",
        "host frame id=1: size 16384 -> 16000",
        "host frame id=1: status ok -> incomplete",
        "host frame id=1: detail (none) -> missing",
        "host frame id=5: only in A (arrival 22.1 ms: frame id=5 size=16384 status=ok ts=11000000 width=256 "
        "height=64 pixfmt=0x1080001)",
        "host timeout: only in B (arrival 23 ms: timeout)",
    ], r.stdout
    # a wider tolerance on the command line takes the arrival out, not the fields
    r = dfk_trace("diff", a, b, "--tolerance-ns", "8000000")
    assert r.returncode == 1 and not any("arrival 12.1 ms ->" in x for x in r.stdout.splitlines()), r.stdout
    assert len(r.stdout.splitlines()) == 5
    # leaving the adapter's lines out leaves nothing; leaving out frame lines leaves the timeout
    assert dfk_trace("diff", a, b, "--ignore", "host").returncode == 0
    r = dfk_trace("diff", a, b, "--ignore", "host:frame")
    assert r.returncode == 1 and r.stdout.splitlines() == ["host timeout: only in B (arrival 23 ms: timeout)"]


def test_golden_leader_timestamps_and_device_side(tmp_path, runs):
    a = golden(tmp_path, "a.golden", runs)
    # every ts 2 ms later: the same intervals from the first frame, so no difference
    shifted = [(t, re.sub(r"ts=(\d+)", lambda m: "ts=%d" % (int(m.group(1)) + 2 * MS), text)) for t, text in HOST]
    r = dfk_trace("diff", a, golden(tmp_path, "b.golden", runs, host=shifted))
    assert (r.returncode, r.stdout) == (0, ""), r.stdout
    # frame 5's alone 6 ms later: beyond the 5 ms tolerance
    late = list(HOST)
    late[4] = (late[4][0], late[4][1].replace("ts=11000000", "ts=17000000"))
    r = dfk_trace("diff", a, golden(tmp_path, "c.golden", runs, host=late))
    assert r.stdout.splitlines() == [
        "host frame id=5: ts (from the first frame's) 10000000 -> 16000000 (+6000000 ns > tolerance 5000000 ns)"]
    # the device side of a golden trace compares exactly: the delayed run against the base golden
    r = dfk_trace("diff", a, golden(tmp_path, "d.golden", runs, dev_from="delayed"))
    assert r.returncode == 1
    assert sorted(r.stdout.splitlines()) == sorted(expected_delay_lines(events_of(runs["base"][0]), 1000))
    # the golden trace's own align: without it, absolute device times differ run to run
    r = dfk_trace("diff", golden(tmp_path, "e.golden", runs, align=None),
                  golden(tmp_path, "f.golden", runs, dev_from="rerun", align=None), "--align", "trigger_in")
    assert (r.returncode, r.stdout) == (0, ""), r.stdout


# ---------------------------------------------------------------------------------------------
# malformed input: exit 2, file and line named
# ---------------------------------------------------------------------------------------------

EV_OK = "ok 2\n5 1000 trigger_in 1 0\n6 1100 trigger_in 0 0\n"
VCD_HEAD = "$timescale 1ns $end\n$scope module m $end\n$var wire 1 t TRIGGER_IN $end\n$upscope $end\n" \
           "$enddefinitions $end\n"


@pytest.mark.parametrize("text,line,message", [
    ("", None, "empty file"),
    ("hello\n", 1, "not an event log"),
    ("error unknown request\n", 1, "an error reply"),
    ("ok 3\n5 1000 trigger_in 1 0\n", 2, "'ok 3' announced 3 events, the file has 1"),
    ("5 1000 trigger_in x 0\n", 1, "bad value 'x'"),
    ("5 0x10 trigger_in 1 0\n", 1, "bad time '0x10'"),
    ("5 +10 trigger_in 1 0\n", 1, "bad time '+10'"),
    ("5 9223372036854775808 trigger_in 1 0\n", 1, "bad time"),
    ("5 10 trigger_in 1 99999999999999999999\n", 1, "bad value"),
    ("5 10 trigger_in 1 0\n4 11 trigger_in 0 0\n", 2, "SEQ 4 does not follow 5"),
    ("5 10 trigger_in 1 0 mask extra\n", 1, "SEQ T KIND A B [REASON]"),
    ("5 10 trigger_in 1\n", 1, "SEQ T KIND A B [REASON]"),
    ("5 10 trig/ger 1 0\n", 1, "bad event kind"),
    ("5 10 trigger_in 1 0\n6 " + "1" * 5000 + "\n", 2, "line longer than 4096 bytes"),
    ("5 10 trigger_in 1 0\n6 11 trigger\x00in 0 0\n", 2, "control character 0x00"),
    ("dfk-golden 2\n", 1, "version '2'"),
    ("dfk-golden 1\ntolerance-ns 5\ntolerance-ns 6\n", 3, "a second 'tolerance-ns'"),
    ("dfk-golden 1\ntolerance-ns -5\n", 2, "bad tolerance"),
    ("dfk-golden 1\nframe id=1\n", 2, "unknown line 'frame'"),
    ("dfk-golden 1\nhost 12.5 ready\n", 2, "bad arrival time '12.5'"),
    ("dfk-golden 1\ndev 5 10 trigger_in\n", 2, "SEQ T KIND A B"),
    ("$timescale 1ps $end\n$enddefinitions $end\n", 1, "$timescale '1ps'"),
    (VCD_HEAD + "#10\n1q\n", 7, "unknown identifier code 'q'"),
    (VCD_HEAD + "#10\n1t\n#5\n0t\n", 8, "time #5 goes backwards"),
    (VCD_HEAD + "#10\nr1.5 t\n", 7, "real values are not supported"),
    ("$timescale 1ns $end\n$var wire 1 t TRIGGER_IN $end\n", 2, "no $enddefinitions"),
    ("$timescale 1ns $end\n$var wire 1 t A $end\n$var wire 1 t B $end\n", 3, "declared twice"),
    ("$timescale 1ns $end\n$var wire 99 t A $end\n", 2, "size '99'"),
    ("$comment never ends\n", 1, "without its $end"),
])
def test_malformed_inputs_are_refused(tmp_path, text, line, message):
    bad = tmp_path / "bad.trace"
    bad.write_bytes(text.encode())
    good = tmp_path / "good.events"
    good.write_text(EV_OK)
    for args in (("diff", str(good), str(bad)), ("diff", str(bad), str(good))):
        r = dfk_trace(*args)
        assert r.returncode == 2, (args, r.returncode, r.stdout, r.stderr)
        assert r.stdout == ""
        where = "%s:%d: " % (bad, line) if line else "%s: " % bad
        assert r.stderr.startswith("dfk-trace: " + where), r.stderr
        assert message in r.stderr, r.stderr


@pytest.mark.parametrize("args,message", [
    ((), "a command is needed"),
    (("show",), "unknown command 'show'"),
    (("diff", "a"), "diff takes two traces"),
    (("diff", "a", "b", "c"), "one trace too many"),
    (("diff", "a", "b", "--tolerance-ns", "5ms"), "--tolerance-ns '5ms'"),
    (("diff", "a", "b", "--align"), "--align needs a value"),
    (("diff", "a", "b", "--frobnicate"), "unknown option '--frobnicate'"),
    (("diff", "/nonexistent/a", "/nonexistent/b"), "/nonexistent/a: No such file or directory"),
])
def test_usage_errors(args, message):
    r = dfk_trace(*args)
    assert r.returncode == 2 and message in r.stderr, (r.returncode, r.stderr)


def test_help_and_version():
    r = dfk_trace("--help")
    assert r.returncode == 0 and "dfk-trace diff A B" in r.stdout
    for opt in ("--tolerance-ns", "--align", "--ignore", "--max-lines"):
        assert opt in r.stdout
    r = dfk_trace("--version")
    assert r.returncode == 0 and re.fullmatch(r"dfk-trace \d+\.\d+\.\d+\n", r.stdout)


def test_max_lines_counts_all(tmp_path, runs):
    r = dfk_trace("diff", runs["base"][0], runs["delayed"][0], "--align", "trigger_in", "--max-lines", "5")
    lines = r.stdout.splitlines()
    assert r.returncode == 1 and len(lines) == 6 and lines[-1] == "... %d more differences not shown" % (8 * PULSES - 5)


def test_align_missing_on_one_side_is_a_difference(tmp_path, runs):
    no_trigger = tmp_path / "no-trigger.events"
    with open(runs["base"][0]) as f:
        lines = [line for line in f.read().splitlines()[1:] if " trigger_in " not in line]
    no_trigger.write_text("ok %d\n" % len(lines) + "\n".join(lines) + "\n")
    r = dfk_trace("diff", str(no_trigger), runs["base"][0], "--align", "trigger_in")
    out = r.stdout.splitlines()
    assert r.returncode == 1 and out[0] == "align trigger_in: none in A; device times compared as recorded", out
    # as recorded, the same log minus its trigger_in edges: exactly those are missing
    assert sorted(out[1:]) == sorted("trigger_in #%d (level %d): only in B (t=%d)" % (i + 1, ev["a"], ev["t"])
                                     for i, ev in enumerate(e for e in events_of(runs["base"][0])
                                                            if e["kind"] == "trigger_in"))


def test_power_cycles_restart_seq_and_align_each(tmp_path):
    """After a power_up the log restarts (SEQ and device time at 0): each power cycle is aligned
    on its own first trigger_in."""
    a = ("0 0 power_up 1 0\n1 500 acquisition 1 0\n2 1000 trigger_in 1 0\n3 1500 exposure_start 1 0\n"
         "0 0 power_up 2 0\n1 700 acquisition 1 0\n2 2000 trigger_in 1 0\n3 2500 exposure_start 1 0\n")
    # the first cycle's trigger 100 ns later (everything after it with it), the second's exposure 100 ns later
    b = a.replace("2 1000 trigger_in", "2 1100 trigger_in").replace("3 1500 exp", "3 1600 exp") \
         .replace("3 2500 exp", "3 2600 exp")
    (tmp_path / "a.events").write_text(a)
    (tmp_path / "b.events").write_text(b)
    r = dfk_trace("diff", str(tmp_path / "a.events"), str(tmp_path / "b.events"), "--align", "trigger_in")
    assert r.returncode == 1 and r.stdout.splitlines() == [
        "power_up #1: -1000 -> -1100 (-100 ns)",
        "acquisition #1 (level 1): -500 -> -600 (-100 ns)",
        "exposure_start #2 (block 1) [power cycle 2]: 500 -> 600 (+100 ns)",
    ], r.stdout
    r = dfk_trace("diff", str(tmp_path / "a.events"), str(tmp_path / "a.events"), "--align", "trigger_in")
    assert (r.returncode, r.stdout) == (0, "")
