# SPDX-License-Identifier: MIT
"""The reference adapter of dfk-drivertest (dfk-adapter-u3v, docs/drivertest.md "The adapter
contract") against dfk-emu over usbip://, on the host: what it reports for a clean stream,
for every stream fault, for GenCP acks that are busy, pending, late or missing, for a
stalled stream endpoint and for a cable pull; its arguments and control lines.

The camera shows the test pattern at time scale 0 (device time moves only as fast as the
adapter reads: no frame is ever dropped for want of speed), in a small region: Mono8
512 x 256, 131072-byte frames. Faults are armed through the I/O side channel
(docs/faults.md); `on frame N` counts the frames built after arming, which at time scale 0
are block ids 1, 2, ... of the adapter's acquisition.

No VM here: dfk-adapter-aravis needs the kernel's vhci-hcd (harness/vm)."""
import os
import select
import subprocess
import time

import pytest

from dfk_io import IoChannel
from dfk_testlib import SLOW
from emu import BUILD

ADAPTER = os.path.join(BUILD, "dfk-adapter-u3v")
W, H = 512, 256
PAYLOAD = W * H                    # Mono8
MONO8 = 0x01080001                 # PFNC Mono8
SETS = ["--set", "PixelFormat=Mono8", "--set", "Width=%d" % W, "--set", "Height=%d" % H]
FRAME_NS = 33333333                # the power-up frame rate, 30 fps: leader timestamps this far apart


@pytest.fixture(scope="module", autouse=True)
def adapter_built():
    if not os.access(ADAPTER, os.X_OK):
        pytest.fail("%s is missing: make %s" % (ADAPTER, os.path.relpath(ADAPTER)), pytrace=False)


@pytest.fixture
def rig(emu_factory, tmp_path):
    io_path = str(tmp_path / "io.sock")
    e = emu_factory(args=["--io", io_path, "--source", "pattern", "--seed", "7", "--time-scale", "0"])
    with IoChannel(io_path) as io:
        yield e, io


def parse(line):
    """An event line as (word, {key: value}); msg= takes the rest of the line."""
    word, _, rest = line.partition(" ")
    kv = {}
    while rest:
        if rest.startswith("msg="):
            kv["msg"] = rest[4:]
            break
        item, _, rest = rest.partition(" ")
        k, _, v = item.partition("=")
        kv[k] = v
    return word, kv


class Adapter:
    """One adapter process: stdin kept open (end of input means stop), stdout read line by line."""

    def __init__(self, emu, *args, dump=None):
        cmd = [ADAPTER, "--device", emu.url()] + list(args)
        if dump:
            cmd += ["--dump", str(dump)]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, bufsize=1)
        self.lines = []
        self.buf = b""

    def send(self, line):
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def _read_line(self, timeout):
        """The next stdout line, or None at end of file. Reads the pipe itself (a buffered reader
        would hide lines it read ahead from select)."""
        deadline = time.monotonic() + timeout * SLOW
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            r, _, _ = select.select([self.proc.stdout], [], [], max(0.0, left))
            assert r, "no line from the adapter within %.0f s; so far:\n%s" % (timeout, "".join(self.lines))
            chunk = os.read(self.proc.stdout.fileno(), 65536)
            if not chunk:
                if self.buf:
                    break
                return None
            self.buf += chunk
        line, _, self.buf = self.buf.partition(b"\n")
        line = line.decode()
        self.lines.append(line + "\n")
        return line

    def next_line(self, timeout=10.0):
        line = self._read_line(timeout)
        assert line is not None, "the adapter closed stdout; so far:\n%s\nstderr:\n%s" % (
            "".join(self.lines), self.stderr())
        return parse(line)

    def until(self, word, timeout=20.0):
        """Lines up to and including the first `word` line: [(word, kv)]."""
        got = []
        deadline = time.monotonic() + timeout * SLOW
        while True:
            ev = self.next_line(max(0.1, deadline - time.monotonic()))
            got.append(ev)
            if ev[0] == word:
                return got

    def finish(self, timeout=20.0):
        """Closes stdin (end of input = stop); the rest of stdout, the exit status."""
        try:
            self.proc.stdin.close()
        except BrokenPipeError:
            pass
        rest = []
        while True:
            line = self._read_line(timeout)
            if line is None:
                break
            rest.append(parse(line))
        return rest, self.proc.wait(timeout * SLOW)

    def stderr(self):
        return self.proc.stderr.read() if self.proc.poll() is not None else ""

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture
def adapters():
    started = []
    yield started
    for a in started:
        a.kill()


def start(adapters, emu, *args, dump=None):
    a = Adapter(emu, *args, dump=dump)
    adapters.append(a)
    return a


def grab(adapters, emu, frames, *args, io=None, faults=(), dump=None):
    """hello, ready, then the faults armed, `go`, everything up to `done`: [(word, kv)], stderr."""
    a = start(adapters, emu, *(list(SETS) + ["--frames", str(frames)] + list(args)), dump=dump)
    head = a.until("ready")
    assert [w for w, _ in head] == ["hello", "ready"], head
    assert head[0][1] == {"driver": "u3v", "version": "1.0", "mode": "usbip"}
    for f in faults:
        io.request("fault add " + f)
    a.send("go")
    events = a.until("done", timeout=60)
    rest, rc = a.finish()
    assert rc == 0 and rest == [], (rc, rest)
    return events, a.stderr()


def frames_of(events):
    return [kv for w, kv in events if w == "frame"]


def check_intact(f, block_id=None):
    assert (f["status"], f["detail"], int(f["size"])) == ("ok", "SUCCESS", PAYLOAD), f
    assert (int(f["width"]), int(f["height"]), int(f["pixfmt"], 16)) == (W, H, MONO8), f
    if block_id is not None:
        assert int(f["id"]) == block_id, f


# ---- a clean stream ----

def test_clean_stream_ids_sizes_timestamps_and_dumps(rig, adapters, tmp_path):
    e, io = rig
    dump = tmp_path / "dump"
    dump.mkdir()
    events, _ = grab(adapters, e, 10, dump=dump)
    assert [w for w, _ in events] == ["frame"] * 10 + ["done"]
    frames = frames_of(events)
    for i, f in enumerate(frames):
        check_intact(f, block_id=i + 1)
        assert f["file"] == str(dump / ("frame-%d-%d.raw" % (i + 1, i + 1)))   # line number, block id
        assert os.path.getsize(f["file"]) == PAYLOAD
    ts = [int(f["ts"]) for f in frames]
    # free running at the power-up frame rate: one frame period apart, to the nanosecond (rounded down)
    assert all(FRAME_NS <= b - a <= FRAME_NS + 1 for a, b in zip(ts, ts[1:])), ts
    data = [open(f["file"], "rb").read() for f in frames]
    assert len(set(data)) == len(data), "the pattern moves from frame to frame"


def test_dumps_are_the_same_pattern_on_another_camera(emu_factory, adapters, tmp_path):
    """The test pattern is a function of seed, geometry and block id: two cameras, the same bytes."""
    dumps = []
    for n in range(2):
        e = emu_factory(args=["--source", "pattern", "--seed", "7", "--time-scale", "0"])
        d = tmp_path / ("dump%d" % n)
        d.mkdir()
        grab(adapters, e, 3, dump=d)
        dumps.append([(d / ("frame-%d-%d.raw" % (i, i))).read_bytes() for i in (1, 2, 3)])
    assert dumps[0] == dumps[1]


# ---- stream faults ----

def test_drop_payload_is_incomplete_with_the_bytes_that_came(rig, adapters):
    e, io = rig
    events, _ = grab(adapters, e, 4, io=io, faults=["drop-payload bytes 4096 on frame 2"])
    f = frames_of(events)
    assert [int(x["id"]) for x in f] == [1, 2, 3, 4]
    assert (f[1]["status"], f[1]["detail"], int(f[1]["size"])) == ("incomplete", "DATA_DISCARDED", PAYLOAD - 4096)
    for i in (0, 2, 3):
        check_intact(f[i])
    assert "gap" not in [w for w, _ in events]


def test_stream_fault_kinds(rig, adapters):
    """Each frame fault as its status: ids 1..10, the faulty ones named by what is wrong."""
    e, io = rig
    faults = ["corrupt field trailer.status value 0x1234 on frame 2",
              "drop-payload bytes 4096 status overrun on frame 3",
              "empty-frame on frame 4",
              "corrupt field leader.size value 40 on frame 5",
              "corrupt field trailer.magic value 0 on frame 6",
              "corrupt field leader.block_id value 99 on frame 7",
              "corrupt field trailer.valid_payload_size value 100 on frame 8",
              "corrupt field leader.magic value 0 on frame 9"]
    events, _ = grab(adapters, e, 10, io=io, faults=faults)
    got = [(int(f["id"]), f["status"], f["detail"], int(f["size"])) for f in frames_of(events)]
    assert got == [
        (1, "ok", "SUCCESS", PAYLOAD),
        (2, "incomplete", "STATUS_0x1234", PAYLOAD),
        (3, "incomplete", "DATA_OVERRUN", PAYLOAD - 4096),
        (4, "incomplete", "DATA_DISCARDED", 0),
        (5, "bad", "BAD_LEADER", PAYLOAD),          # the id from the trailer
        (6, "bad", "BAD_TRAILER", PAYLOAD),
        (99, "bad", "BLOCK_ID_MISMATCH", PAYLOAD),  # the leader's id, as the driver saw it
        (8, "incomplete", "VALID_SIZE_MISMATCH", PAYLOAD),
        (9, "bad", "BAD_LEADER", PAYLOAD),
        (10, "ok", "SUCCESS", PAYLOAD),
    ], got
    # 99 jumps ahead of 6: ids 7..98 "never arrived"; 8 after 99 goes back, no gap
    gaps = [(int(kv["from"]), int(kv["to"])) for w, kv in events if w == "gap"]
    assert gaps == [(7, 99)]
    # a malformed leader gives no geometry or timestamp; a good one does
    f = frames_of(events)
    assert "ts" not in f[4] and "width" not in f[4] and "ts" in f[5]


def test_skipped_ids_are_a_gap(rig, adapters):
    e, io = rig
    events, _ = grab(adapters, e, 5, io=io, faults=["skip-ids by 5 on frame 3"])
    assert [int(f["id"]) for f in frames_of(events)] == [1, 2, 8, 9, 10]
    assert [(w, kv) for w, kv in events if w == "gap"] == [("gap", {"from": "3", "to": "8"})]
    assert all(f["status"] == "ok" for f in frames_of(events))


def test_transfer_errors_are_retried_and_lose_nothing(rig, adapters):
    """error and babble on the stream pipe leave the camera's data queued (docs/faults.md): the
    transfer asked for again gets it, and every frame is whole."""
    e, io = rig
    events, err = grab(adapters, e, 6, io=io, faults=["error ep 0x83 status EPROTO on frame 2",
                                                     "babble ep 0x83 on frame 4"])
    frames = frames_of(events)
    assert [int(f["id"]) for f in frames] == [1, 2, 3, 4, 5, 6] and "gap" not in [w for w, _ in events]
    for f in frames:
        check_intact(f)
    assert "Protocol error" in err and "Value too large" in err, err
    assert io.lines("fault list") == []


def test_stalled_stream_endpoint_is_cleared_and_streaming_goes_on(rig, adapters):
    """stall on the stream pipe after frame 3 was built: the camera discards what it had queued
    (the halt), the adapter clears the halt and reads on; the frames lost show as one gap.
    Where the stall lands depends on when the camera's scheduler built frame 3: between two
    blocks (no frame cut) or within block 2 or later (that block is `incomplete`,
    ENDPOINT_HALT, with the bytes that came before the stall)."""
    e, io = rig
    events, err = grab(adapters, e, 10, io=io, faults=["stall ep 0x83 on frame 3"])
    frames = frames_of(events)
    assert len(frames) == 10
    cut = [f for f in frames if f["status"] != "ok"]
    assert len(cut) <= 1 and all(f["status"] == "incomplete" and f["detail"] == "ENDPOINT_HALT" and
                                 int(f["size"]) <= PAYLOAD for f in cut), frames
    ids = [int(f["id"]) for f in frames]
    gaps = [(int(kv["from"]), int(kv["to"])) for w, kv in events if w == "gap"]
    assert len(gaps) == 1 and gaps[0][1] >= 4, gaps
    i = ids.index(gaps[0][1])
    assert ids[:i] == list(range(1, i + 1)) and gaps[0][0] == ids[i - 1] + 1, (ids, gaps)
    assert ids[i:] == list(range(ids[i], ids[i] + 10 - i)), ids
    assert [int(f["id"]) for f in cut] in ([], [ids[i - 1]]), (cut, ids)
    assert "stream endpoint 0x83 stalled; CLEAR_FEATURE(ENDPOINT_HALT): done" in err, err
    assert io.lines("fault list") == []


# ---- GenCP ----

def ready_adapter(adapters, e, *args):
    """Ready to grab, with ExposureAuto Off: ExposureTime is then writable (ACCESS_DENIED otherwise)."""
    a = start(adapters, e, *(list(SETS) + ["--set", "ExposureAuto=Off"] + list(args)))
    assert [w for w, _ in a.until("ready")] == ["hello", "ready"]
    return a


def test_busy_ack_is_an_error_and_the_next_command_works(rig, adapters):
    e, io = rig
    a = ready_adapter(adapters, e, "--frames", "2")
    io.request("fault add ack-error status busy on command 1")
    a.send("set ExposureTime=20000")
    a.send("set ExposureTime=20000")   # the second write goes through
    a.send("go")
    events = a.until("done")
    words = [w for w, _ in events]
    assert words == ["error", "frame", "frame", "done"], events
    assert events[0][1]["stage"] == "set" and "BUSY" in events[0][1]["msg"], events[0]
    assert all(kv["status"] == "ok" for kv in frames_of(events))
    assert a.finish()[1] == 0


def test_missing_ack_times_out_and_the_next_command_works(rig, adapters):
    """ack-drop: no ack within MaxDeviceResponseTime, `error`; the next command is answered."""
    e, io = rig
    a = ready_adapter(adapters, e, "--frames", "2")
    io.request("fault add ack-drop on command 1")
    t0 = time.monotonic()
    a.send("set ExposureTime=20000")
    w, kv = a.next_line(timeout=10)
    assert (w, kv["stage"]) == ("error", "set") and kv["msg"].endswith("transport: Connection timed out"), (w, kv)
    assert time.monotonic() - t0 >= 0.2, "answered before any response time could pass"
    a.send("set ExposureTime=30000")
    a.send("go")
    events = a.until("done")
    assert [w for w, _ in events] == ["frame", "frame", "done"], events
    assert a.finish()[1] == 0


def test_late_ack_times_out_and_the_next_command_works(emu_factory, adapters, tmp_path):
    """ack-late by 3 s, in real time (time scale 1: at 0 device time would jump to the ack):
    `error` after the response time; the next command works (the late ack, stale, is skipped)."""
    io_path = str(tmp_path / "io1.sock")
    e = emu_factory(args=["--io", io_path, "--source", "pattern", "--seed", "7", "--time-scale", "1"])
    with IoChannel(io_path) as io:
        a = ready_adapter(adapters, e, "--frames", "2")
        io.request("fault add ack-late by 3000000000 on command 1")
        t0 = time.monotonic()
        a.send("set ExposureTime=20000")
        w, kv = a.next_line(timeout=10)
        took = time.monotonic() - t0
        assert (w, kv["stage"]) == ("error", "set") and kv["msg"].endswith("transport: Connection timed out"), (w, kv)
        assert 0.2 <= took < 3.0, took
        a.send("set ExposureTime=30000")
        a.send("go")
        events = a.until("done")
        assert [w for w, _ in events] == ["frame", "frame", "done"], events
        assert a.finish()[1] == 0


def test_pending_ack_is_waited_for(rig, adapters):
    e, io = rig
    a = ready_adapter(adapters, e, "--frames", "1")
    io.request("fault add ack-pending for 300000000 on command 1")
    a.send("set ExposureTime=20000")
    a.send("go")
    events = a.until("done")
    assert [w for w, _ in events] == ["frame", "done"], events
    assert a.finish()[1] == 0
    assert io.lines("fault list") == []


def test_bad_feature_values_are_config_and_set_errors(rig, adapters):
    e, io = rig
    a = start(adapters, e, "--set", "PixelFormat=NoSuchFormat", "--set", "Width=12x", "--set", "NoSuchFeature=1",
              "--set", "ReverseX=maybe", "--set", "Width=%d" % W, "--frames", "1")
    events = a.until("ready")
    errors = [kv for w, kv in events if w == "error"]
    assert [kv["stage"] for kv in errors] == ["config"] * 4, events
    assert errors[1]["msg"] == "Width=12x: Width: '12x' is not an integer"
    assert errors[2]["msg"] == "NoSuchFeature=1: NoSuchFeature: no such feature"
    a.send("exec Width")
    a.send("set AcquisitionFrameRate=fast")
    w1, kv1 = a.next_line()
    w2, kv2 = a.next_line()
    assert (w1, kv1["stage"], kv1["msg"]) == ("error", "exec", "Width: not a command")
    assert kv2["msg"].startswith("AcquisitionFrameRate=fast: AcquisitionFrameRate: 'fast' is not a number"), kv2
    assert (w2, kv2["stage"]) == ("error", "set")
    a.send("stop")
    assert [w for w, _ in a.until("done")] == ["done"]
    assert a.finish() == ([], 0)


# ---- triggers, timeouts, control lines ----

def test_timeout_then_software_trigger(rig, adapters):
    e, io = rig
    a = start(adapters, e, *(SETS + ["--set", "TriggerMode=On", "--set", "TriggerSource=Software",
                                     "--timeout-ms", "300", "--frames", "2"]))
    assert [w for w, _ in a.until("ready")] == ["hello", "ready"]
    a.send("go")
    assert a.next_line(timeout=5)[0] == "timeout"
    assert a.next_line(timeout=5)[0] == "timeout"
    a.send("exec TriggerSoftware")
    w, kv = a.next_line(timeout=5)
    while w == "timeout":
        w, kv = a.next_line(timeout=5)
    assert w == "frame" and kv["status"] == "ok" and kv["id"] == "1", (w, kv)
    a.send("exec TriggerSoftware")
    events = a.until("done")
    assert [kv["id"] for w, kv in events if w == "frame"] == ["2"]
    assert a.finish()[1] == 0


def test_stop_and_end_of_input(rig, adapters):
    e, io = rig
    a = ready_adapter(adapters, e)
    a.send("go")
    assert a.next_line()[0] == "frame"
    a.send("stop")
    events = a.until("done")
    assert all(w == "frame" for w, _ in events[:-1])
    assert a.finish() == ([], 0)
    # end of input before go: done at once
    b = ready_adapter(adapters, e)
    assert b.finish() == ([("done", {})], 0)


def test_bad_control_lines_are_skipped(rig, adapters):
    e, io = rig
    a = ready_adapter(adapters, e, "--frames", "1")
    a.send("frobnicate")
    a.send("x" * 5000)
    a.send("set =1")
    a.send("exec")
    a.send("go")
    events = a.until("done")
    assert [w for w, _ in events] == ["frame", "done"]
    rest, rc = a.finish()
    err = a.stderr()
    assert rc == 0 and "unknown control line ignored: 'frobnicate'" in err and "longer than" in err, err


# ---- device loss ----

def test_unplug_with_reopen(rig, adapters):
    """The cable is pulled after frame 4: lost, then the camera comes back at power-up
    defaults; the adapter writes the settings again and goes on (block ids start over)."""
    e, io = rig
    events, _ = grab(adapters, e, 8, "--reopen", "--reopen-ms", "5000", io=io, faults=["unplug on frame 4"])
    words = [w for w, _ in events]
    assert "lost" in words and "reopened" in words, events
    i_lost, i_reopened = words.index("lost"), words.index("reopened")
    assert i_reopened == i_lost + 1
    before = frames_of(events[:i_lost])
    after = frames_of(events[i_reopened:])
    assert [int(f["id"]) for f in before] == list(range(1, len(before) + 1)) and 1 <= len(before) <= 4, before
    assert [int(f["id"]) for f in after] == list(range(1, len(after) + 1)), after
    assert len(before) + len(after) == 8
    for f in before + after:
        check_intact(f)   # Mono8 512 x 256 again: the settings were written after the power-up


def test_unplug_without_reopen(rig, adapters):
    e, io = rig
    a = ready_adapter(adapters, e)
    io.request("fault add unplug on frame 3")
    a.send("go")
    events = a.until("lost")
    assert [w for w, _ in events[:-1]] == ["frame"] * len(events[:-1]) and 1 <= len(events) - 1 <= 3
    a.send("exec TriggerSoftware")
    w, kv = a.next_line()
    assert (w, kv["stage"]) == ("error", "exec") and "gone" in kv["msg"]
    a.send("stop")
    assert a.until("done")[-1][0] == "done"
    assert a.finish() == ([], 0)


def test_open_failure(adapters, tmp_path):
    class Nowhere:
        def url(self):
            return "usbip://127.0.0.1:1/1-1"
    a = start(adapters, Nowhere())
    w, kv = a.next_line()
    assert w == "hello"
    w, kv = a.next_line()
    assert (w, kv["stage"]) == ("error", "open") and "127.0.0.1:1" in kv["msg"], kv
    assert a.finish() == ([("done", {})], 0)


# ---- arguments ----

@pytest.mark.parametrize("args", [
    [],                                               # no --device
    ["--device", "usbip://127.0.0.1:1/1-1", "--frobnicate"],
    ["--device", "usbip://127.0.0.1:1/1-1", "extra"],
    ["--device", "usbip://127.0.0.1:1/1-1", "--set", "Width"],
    ["--device", "usbip://127.0.0.1:1/1-1", "--set", "1Width=3"],
    ["--device", "usbip://127.0.0.1:1/1-1", "--frames", "0"],
    ["--device", "usbip://127.0.0.1:1/1-1", "--frames", "ten"],
    ["--device", "usbip://127.0.0.1:1/1-1", "--timeout-ms", "-5"],
    ["--device", "usbip://127.0.0.1:1/1-1", "--reopen=yes"],
    ["--device", "usbip://127.0.0.1:1/1-1", "--dump"],
    ["--device", "usbip://127.0.0.1:1/1-1", "--mode", "sync"],   # Aravis's option, not this adapter's
])
def test_bad_arguments_exit_2(args):
    r = subprocess.run([ADAPTER] + args, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=10)
    assert r.returncode == 2 and r.stdout == "" and "usage:" in r.stderr, r


def test_x_arguments_are_ignored(rig, adapters):
    e, io = rig
    a = start(adapters, e, "--x-runner-hint=1", "--x-flag", "--frames=1", *SETS)
    assert [w for w, _ in a.until("ready")] == ["hello", "ready"]
    a.send("go")
    assert [w for w, _ in a.until("done")] == ["frame", "done"]
    assert a.finish() == ([], 0)
