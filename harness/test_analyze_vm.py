# SPDX-License-Identifier: MIT
"""dfk-drivertest --analyze against the real kernel: usbmon captured in the QEMU guest while a host
talks to dfk-emu through vhci-hcd, analysed offline, compared with the live monitor of the same
session (docs/host-monitor.md, "Offline: usbmon captures").

Each session is captured twice at once: by tcpdump (pcap, LINKTYPE_USB_LINUX_MMAPPED, as libpcap
writes it) and by harness/vm/usbmon_dump.c (the raw usbmon binary records of /dev/usbmon0). Both
files are analysed and must give the live monitor's verdicts, rule by rule (the rules judged
offline; usbip-pending-at-disconnect is left out: the device stays attached while the live
verdicts are read, and a capture does not show a disconnect).

  * test_offline_agrees_with_live_aravis: libaravis (harness/vm/arv_stream.c) configures and
    streams Mono8 frames; the verdicts of both analyses equal the live ones (no error expected).
  * test_offline_flags_bad_host: harness/vm/bad_host.c breaks five rules once each; both analyses
    and the live monitor flag exactly those five, once each.

Run: DFK_BUILD=$PWD/build /usr/bin/python3 -m pytest harness/test_analyze_vm.py -m vm  (root; one boot)
DFK_ANALYZE_KEEP=DIR keeps the captures there (they are kept in $DFK_BUILD/vm/ when a test fails).
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import emu  # noqa: E402
from dfk_io import IoChannel  # noqa: E402
from vm import arvstream  # noqa: E402
from vm.camera import require_emu, revive  # noqa: E402
from vm.guest import GuestError  # noqa: E402

pytest_plugins = ["vm.pytest_plugin"]

_cfg = getattr(pytest.mark, "_config", None)
if _cfg is not None:
    _cfg.addinivalue_line("markers", "vm: end-to-end test in a QEMU guest with the real vhci-hcd")

pytestmark = pytest.mark.vm

DRIVERTEST = os.path.join(emu.BUILD, "dfk-drivertest")
TOOLS_DIR = os.path.join(emu.BUILD, "vm")
BAD_HOST_RULES = {"gencp-read-exceeds-max-ack", "gencp-read-past-end", "gencp-request-id",
                  "gencp-outstanding", "usb-stalled-endpoint-reuse"}
NOT_COMPARED = {"usbip-pending-at-disconnect"}


def _build(name, src, pkgs=()):
    out = os.path.join(TOOLS_DIR, name)
    if os.path.exists(out) and os.path.getmtime(out) >= os.path.getmtime(src):
        return out
    os.makedirs(TOOLS_DIR, exist_ok=True)
    flags = []
    if pkgs:
        r = subprocess.run(["pkg-config", "--cflags", "--libs"] + list(pkgs), capture_output=True, text=True)
        if r.returncode != 0:
            pytest.fail("%s development files missing (ci/deps.sh): %s" % (" ".join(pkgs), r.stderr.strip()),
                        pytrace=False)
        flags = r.stdout.split()
    cmd = ["gcc", "-O2", "-g", "-std=gnu11", "-Wall", "-Wextra", "-Werror", "-o", out + ".tmp", src] + flags
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        pytest.fail("building %s failed:\n%s\n%s" % (name, " ".join(cmd), r.stderr), pytrace=False)
    os.replace(out + ".tmp", out)
    return out


@pytest.fixture(scope="module")
def tools():
    require_emu()
    if not os.path.exists(DRIVERTEST):
        pytest.fail("%s is not built: run `make` first" % DRIVERTEST, pytrace=False)
    r = subprocess.run([DRIVERTEST, "--analyze", "--help"], capture_output=True, text=True)
    if r.returncode != 0 or "--analyze" not in r.stdout:
        pytest.fail("%s has no --analyze:\n%s%s" % (DRIVERTEST, r.stdout, r.stderr), pytrace=False)
    try:
        arv = arvstream.build()
    except arvstream.BuildError as e:
        pytest.fail(str(e), pytrace=False)
    return {
        "arv-stream": arv,
        "bad-host": _build("bad-host", os.path.join(HERE, "vm", "bad_host.c"), ["libusb-1.0"]),
        "usbmon-dump": _build("usbmon-dump", os.path.join(HERE, "vm", "usbmon_dump.c")),
    }


class Capture:
    """tcpdump -i usbmon0 (pcap) and usbmon-dump /dev/usbmon0 (usbmon binary) in the guest, into the
    guest's /tmp (RAM), copied to /run/xfer when stopped."""

    def __init__(self, guest, dump, name):
        self.guest, self.dump, self.name = guest, dump, name
        self.pcap, self.mon = name + ".pcap", name + ".usbmon"

    def start(self):
        rc, out = self.guest.run("modprobe usbmon 2>/dev/null; test -c /dev/usbmon0 && ls /sys/class/net 2>/dev/null; "
                                 "tcpdump -D 2>&1 | grep -c usbmon0", 20)
        if rc != 0:
            pytest.fail("usbmon is not available in the guest (no /dev/usbmon0 or no usbmon0 for tcpdump):\n" + out,
                        pytrace=False)
        script = """
rm -f /tmp/%(p)s /tmp/%(m)s /tmp/%(n)s.tcpdump.err /tmp/%(n)s.dump.err
tcpdump -i usbmon0 -s 0 -B 16384 -U -Z root -w /tmp/%(p)s 2> /tmp/%(n)s.tcpdump.err & echo $! > /tmp/%(n)s.tcpdump.pid
%(dump)s /dev/usbmon0 /tmp/%(m)s > /tmp/%(n)s.dump.out 2> /tmp/%(n)s.dump.err & echo $! > /tmp/%(n)s.dump.pid
i=0
while [ $i -lt 200 ]; do
    grep -q "listening on" /tmp/%(n)s.tcpdump.err 2>/dev/null && grep -q "listening on" /tmp/%(n)s.dump.err 2>/dev/null && exit 0
    sleep 0.05; i=$((i+1))
done
cat /tmp/%(n)s.tcpdump.err /tmp/%(n)s.dump.err
exit 1
""" % dict(p=self.pcap, m=self.mon, n=self.name, dump=self.dump)
        rc, out = self.guest.run(script, 30)
        if rc != 0:
            pytest.fail("the usbmon captures did not start:\n" + out, pytrace=False)
        time.sleep(0.3)

    def stop(self):
        """Stop both; returns (pcap path, usbmon path, notes) on the host."""
        script = """
for p in tcpdump dump; do kill -INT $(cat /tmp/%(n)s.$p.pid) 2>/dev/null; done
for p in tcpdump dump; do
    i=0; while kill -0 $(cat /tmp/%(n)s.$p.pid) 2>/dev/null && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done
done
cp /tmp/%(p)s /tmp/%(m)s /run/xfer/ || exit 1
rm -f /tmp/%(p)s /tmp/%(m)s
echo TCPDUMP; cat /tmp/%(n)s.tcpdump.err; echo DUMP; cat /tmp/%(n)s.dump.out /tmp/%(n)s.dump.err
""" % dict(p=self.pcap, m=self.mon, n=self.name)
        rc, out = self.guest.run(script, 120)
        if rc != 0:
            pytest.fail("the usbmon captures could not be collected:\n" + out, pytrace=False)
        return self.guest.xfer_path(self.pcap), self.guest.xfer_path(self.mon), out


def check_no_drops(notes):
    m = re.search(r"(\d+) packets? dropped by kernel", notes)
    assert m and int(m.group(1)) == 0, "tcpdump lost events: the capture cannot be compared\n" + notes
    m = re.search(r"events=(\d+) dropped=(\d+)", notes)
    assert m and int(m.group(1)) > 0 and int(m.group(2)) == 0, \
        "usbmon-dump lost events: the capture cannot be compared\n" + notes


def analyze(path, *extra):
    """dfk-drivertest --analyze PATH: (exit status, summary text, {rule: count}, report JSON)."""
    fd, js = tempfile.mkstemp(suffix=".json", prefix="dfk-analyze-")
    os.close(fd)
    try:
        r = subprocess.run([DRIVERTEST, "--analyze", path, "--json", js] + list(extra),
                           capture_output=True, text=True, timeout=300)
        report = None
        if r.returncode in (0, 1):
            with open(js) as f:
                report = json.load(f)
    finally:
        os.unlink(js)
    assert r.returncode in (0, 1), "dfk-drivertest --analyze %s failed (%d):\n%s%s" % (
        path, r.returncode, r.stdout, r.stderr)
    counts = {rule["id"]: rule["count"] for rule in report["rules"]
              if rule["offline"] and rule["id"] not in NOT_COMPARED}
    return r.returncode, r.stdout, counts, report


def live_counts(io_path):
    """The live monitor's verdicts so far (I/O `violations`): ({rule: count}, the lines)."""
    with IoChannel(io_path) as io:
        lines = io.lines("violations")
    counts = {}
    for line in lines:
        rule = line.split()[2]
        counts[rule] = counts.get(rule, 0) + 1
    return counts, lines


class Session:
    """A dfk-emu with its I/O channel, attached in the guest under capture."""

    def __init__(self, guest, tools, name, emu_args):
        self.guest, self.tools, self.name = guest, tools, name
        self.io_dir = tempfile.mkdtemp(prefix="dfk-analyze-io-")
        self.io_path = os.path.join(self.io_dir, "io.sock")
        self.emu = emu.Emulator(list(emu_args) + ["--io", self.io_path]).start()
        self.capture = Capture(guest, tools["usbmon-dump"], name)
        self.attachment = None

    def __enter__(self):
        revive(self.guest)
        if self.guest.ports() or self.guest.usb_devices():
            self.guest.detach()
        self.capture.start()   # before the attachment: the capture sees the enumeration
        self.attachment = self.guest.attach(self.emu.port)
        return self

    def finish(self):
        """Live verdicts (device still attached: no disconnect judged), then the captures."""
        time.sleep(0.5)
        live, lines = live_counts(self.io_path)
        pcap, mon, notes = self.capture.stop()
        return live, lines, pcap, mon, notes

    def __exit__(self, *exc):
        try:
            if self.guest.alive() and (self.guest.ports() or self.guest.usb_devices()):
                self.guest.detach()
        except GuestError:
            pass
        self.guest.attached = []
        self.emu.stop()
        self.emu.cleanup()
        keep_dir = os.environ.get("DFK_ANALYZE_KEEP") or (TOOLS_DIR if exc[0] is not None else None)
        for name in (self.capture.pcap, self.capture.mon):
            p = self.guest.xfer_path(name) if self.guest.tmp else None
            if p and os.path.exists(p):
                if keep_dir:
                    os.makedirs(keep_dir, exist_ok=True)
                    keep = os.path.join(keep_dir, name)
                    shutil.copyfile(p, keep)
                    print("dfk-vm: capture kept as " + keep)
                os.unlink(p)


def compare(live, lines, pcap, mon, attachment):
    """Both captures analysed: the judged device is the attachment, and every rule judged offline
    (but NOT_COMPARED) has as many occurrences as the live monitor found. Returns
    {path: (exit status, {rule: count}, report, summary)} and the live counts over those rules."""
    results, live_sel = {}, {}
    dev = "%d:%d" % (attachment.bus, attachment.devnum)
    for path in (pcap, mon):
        rc, out, counts, report = analyze(path)
        print(out)
        assert ("device %s:" % dev) in out, "the analysis should judge the attached camera (%s):\n%s" % (dev, out)
        # the same device named explicitly gives the same verdicts
        rc2, _, counts2, _ = analyze(path, "--device", dev)
        assert (rc2, counts2) == (rc, counts)
        live_sel = {r: live.get(r, 0) for r in counts}
        diff = {r: (live_sel[r], counts[r]) for r in counts if live_sel[r] != counts[r]}
        assert not diff, ("offline analysis of %s disagrees with the live monitor {rule: (live, offline)}: %s\n"
                          "live:\n%s\noffline:\n%s" % (os.path.basename(path), diff, "\n".join(lines), out))
        results[path] = (rc, counts, report, out)
    return results, live_sel


def test_offline_agrees_with_live_aravis(guest, tools):
    """libaravis configures dfk-emu and streams 30 Mono8 frames: the offline verdicts of both
    captures equal the live monitor's, and there is no error."""
    with Session(guest, tools, "analyze-aravis", arvstream.EMU_ARGS) as s:
        run = arvstream.run_in_guest(guest, tools["arv-stream"], ["Mono8"], "analyze-aravis", count=30,
                                     width=512, height=256, timeout=300, debug=False)
        assert run.rc in (0, 1) and run.results.get("Mono8", {}).get("frames", 0) >= 30, \
            "arv-stream failed (rc=%d):\n%s" % (run.rc, run.stdout)
        live, lines, pcap, mon, notes = s.finish()
        check_no_drops(notes)
        # the live monitor saw Aravis behave (test_vm.py's test_monitor_judges_aravis_correct)
        assert [l for l in lines if l.split()[3] == "error"] == [], "\n".join(lines)
        results, _ = compare(live, lines, pcap, mon, s.attachment)
        for path, (rc, counts, report, out) in results.items():
            assert rc == 0 and report["summary"]["errors"] == 0, out
            assert report["summary"]["urbs"] > 100, "too little traffic judged:\n" + out


def test_offline_flags_bad_host(guest, tools):
    """harness/vm/bad_host.c breaks five rules once each: both captures' analyses and the live
    monitor flag exactly those, once each, and the analysis exits 1."""
    with Session(guest, tools, "analyze-bad-host", ["--time-scale", "1"]) as s:
        rc, out, err = guest.run_split(tools["bad-host"], 120)
        print(out)
        assert rc == 0 and "DONE" in out, "bad-host failed (rc=%d):\n%s%s" % (rc, out, err)
        live, lines, pcap, mon, notes = s.finish()
        check_no_drops(notes)
        flagged = {r: n for r, n in live.items() if r not in NOT_COMPARED}
        assert flagged == {r: 1 for r in BAD_HOST_RULES}, "live monitor: %s\n%s" % (flagged, "\n".join(lines))
        results, _ = compare(live, lines, pcap, mon, s.attachment)
        for path, (rc_a, counts, report, text) in results.items():
            assert rc_a == 1, text
            assert {r: n for r, n in counts.items() if n} == {r: 1 for r in BAD_HOST_RULES}, text
            # the report names the transfers: every violation has a seq and an endpoint
            assert all(v["seq"] is not None for v in report["violations"]), report["violations"]
