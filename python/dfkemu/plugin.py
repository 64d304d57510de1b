# SPDX-License-Identifier: MIT
"""pytest fixtures for testing your own driver against dfk-emu (docs/pytest.md).

Loaded automatically once installed (entry point `pytest11: dfkemu`), or by
`pytest_plugins = ["dfkemu.plugin"]` in a top-level conftest.py (either way, or both).

    dfk_camera          a started dfk-emu (dfkemu.Emulator) with its I/O side channel:
                        .url() usbip://127.0.0.1:PORT/1-1, .port, .serial, .io_path;
                        options from @pytest.mark.dfk_camera(source="pattern", seed=7, ...)
                        or indirect parametrization (a dict); stopped after the test, and
                        the test fails if it died during it
    dfk_camera_factory  start more: dfk_camera_factory(model="dmk38ux267", ...)
    dfk_io              dfkemu.IoChannel to dfk_camera's side channel (clock, TRIGGER_IN,
                        events, stats)
    dfk_faults          fault injection on dfk_camera: .add(line) -> id, .list(), .clear([id]),
                        .violations(), .errors()
    dfk_attached        dfk_camera attached to this machine's kernel through vhci-hcd
                        (`usbip attach`, root): .port, .busnum, .devnum, .vid, .pid, .url
                        (usb://VID:PID), .sysfs; skipped, with the reason, where the kernel or
                        the user cannot
    dfk_emu_path        the dfk-emu that is run (--dfk-emu PATH, $DFK_EMU, PREFIX/bin, $PATH)
"""
import os
import re
import shutil
import subprocess
import sys
import time

import pytest

from .emulator import Emulator, EmulatorError, find_emulator
from .usbip import parse_usbip_port  # noqa: F401 (part of the plugin's API)

U3V_VID = 0x199E
# the options @pytest.mark.dfk_camera(...) and dfk_camera_factory(...) take (dfkemu.Emulator)
CAMERA_OPTIONS = ("model", "serial", "time_scale", "source", "seed", "faults", "monitor", "host_report",
                  "cameras", "args", "env", "state_dir")
_NAMES = ("dfkemu", "dfkemu.plugin")   # the entry point's name, and the module's


def pytest_addoption(parser):
    group = parser.getgroup("dfkemu", "dfk-emu (software DFK 38UX267 camera)")
    group.addoption("--dfk-emu", dest="dfk_emu", metavar="PATH", default=None,
                    help="the dfk-emu to run (default: $DFK_EMU, the one installed with dfkemu, $PATH)")
    group.addoption("--dfk-start-timeout", dest="dfk_start_timeout", type=float, default=10.0, metavar="S",
                    help="seconds dfk-emu may take to report its port (default 10)")


def pytest_configure(config):
    config.addinivalue_line("markers", "dfk_camera(**options): options of the dfk_camera fixture's dfk-emu "
                            "(model, serial, time_scale, source, seed, faults, monitor, host_report, "
                            "cameras, args)")


@pytest.hookimpl
def pytest_plugin_registered(plugin, manager):
    """Installed (entry point `dfkemu`) and named in `pytest_plugins` ("dfkemu.plugin") is one
    module: block the other name, or pytest would register it twice and stop."""
    if plugin is sys.modules.get(__name__):
        name = manager.get_name(plugin)
        for other in _NAMES:
            if other != name and not manager.has_plugin(other) and not manager.is_blocked(other):
                manager.set_blocked(other)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    if rep.failed:
        for e in getattr(item, "_dfkemu_cameras", ()):
            rep.sections.append(("dfk-emu log (port %s, %s)" % (e.port, e.log_path), e.tail(12000)))


@pytest.fixture(scope="session")
def dfk_emu_path(pytestconfig):
    """The dfk-emu the fixtures run; fails (does not skip) when there is none."""
    try:
        return find_emulator(pytestconfig.getoption("dfk_emu"))
    except EmulatorError as e:
        pytest.fail(str(e), pytrace=False)


@pytest.fixture
def dfk_camera_factory(request, dfk_emu_path, tmp_path):
    """dfk_camera_factory(**options) -> a started dfkemu.Emulator (options: CAMERA_OPTIONS, and
    io=False for none). Each one is stopped after the test; one the test did not stop itself
    must still be running then."""
    cams = []
    request.node._dfkemu_cameras = cams
    timeout = request.config.getoption("dfk_start_timeout")

    def start(**options):
        unknown = set(options) - set(CAMERA_OPTIONS) - {"io"}
        if unknown:
            raise TypeError("dfk_camera: unknown option(s) %s (known: %s)"
                            % (", ".join(sorted(unknown)), ", ".join(CAMERA_OPTIONS)))
        options.setdefault("io", True)
        if options.get("state_dir") is None:
            options["state_dir"] = str(tmp_path / ("dfk-state%d" % len(cams)))
            os.makedirs(options["state_dir"], exist_ok=True)
        cam = Emulator(exe=dfk_emu_path, **options)
        cams.append(cam)
        try:
            cam.start(timeout=timeout)
        except EmulatorError as ex:
            pytest.fail("dfk-emu did not start: %s\n%s" % (ex, cam.tail()), pytrace=False)
        return cam

    yield start

    died = []
    for cam in cams:
        if cam.proc is None:        # the test stopped it itself
            cam.cleanup()
            continue
        alive = cam.alive()
        rc = cam.stop()
        cam.cleanup()
        if not alive:
            died.append("dfk-emu on port %s died during the test (exit status %s)" % (cam.port, rc))
    if died:
        pytest.fail("; ".join(died), pytrace=False)


@pytest.fixture
def dfk_camera(request, dfk_camera_factory):
    """One dfk-emu with its side channel. Options: @pytest.mark.dfk_camera(**options) (the
    closest marker wins) or indirect parametrization with a dict."""
    options = {}
    marker = request.node.get_closest_marker("dfk_camera")
    if marker is not None:
        if marker.args:
            raise TypeError("@pytest.mark.dfk_camera takes keyword options only")
        options.update(marker.kwargs)
    if isinstance(getattr(request, "param", None), dict):
        options.update(request.param)
    return dfk_camera_factory(**options)


@pytest.fixture
def dfk_io(dfk_camera):
    """dfkemu.IoChannel to dfk_camera's side channel."""
    with dfk_camera.io() as io:
        yield io


class Faults:
    """Fault injection on one camera (docs/faults.md), and what the host did wrong
    (the host monitor, docs/host-monitor.md)."""

    def __init__(self, io):
        self.io = io

    def add(self, line):
        """Arm one fault line (`stall ep 0x83 on frame 5`); its id. A bad line raises IoError
        with dfk-emu's reason."""
        return self.io.fault_add(line)

    def add_all(self, text):
        """Arm every line of a scenario text (comments and blank lines skipped); their ids."""
        ids = []
        for line in text.splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                ids.append(self.add(line))
        return ids

    def list(self):
        """[{'id', 'line', 'fired'}] of the faults still armed."""
        return self.io.fault_list()

    def clear(self, fid=None):
        """Remove one fault or all; how many."""
        return self.io.fault_clear(fid)

    def fired(self, fid):
        """How often fault `fid` has fired so far (None once it is used up and removed)."""
        return next((f["fired"] for f in self.list() if f["id"] == fid), None)

    def events(self, since=0):
        """The `fault` events of the log: [{'seq', 't', 'id', 'kind'}] (kind: its index in
        docs/faults.md's table)."""
        return [{"seq": ev["seq"], "t": ev["t"], "id": ev["a"], "kind": ev["b"]}
                for ev in self.io.events(since) if ev["kind"] == "fault"]

    def violations(self, since=0):
        """[{'index', 't', 'rule', 'severity', 'seq', 'detail'}]: every rule the host broke."""
        return self.io.violations(since)

    def errors(self, since=0):
        """The violations of severity error (warnings left out)."""
        return [v for v in self.violations(since) if v["severity"] == "error"]


@pytest.fixture
def dfk_faults(dfk_camera):
    """Fault injection on dfk_camera (its own side channel connection)."""
    with dfk_camera.io() as io:
        yield Faults(io)


# ---- dfk_attached: the kernel's vhci-hcd ----

class Attachment:
    def __init__(self, port, busnum, devnum, vid, pid, sysfs):
        self.port, self.busnum, self.devnum, self.vid, self.pid, self.sysfs = port, busnum, devnum, vid, pid, sysfs
        self.url = "usb://%04x:%04x" % (vid, pid)

    def __repr__(self):
        return "<dfk_attached vhci port %s bus %03d device %03d %s (%s)>" % (
            self.port, self.busnum, self.devnum, self.url, self.sysfs)


SYSFS_USB = "/sys/bus/usb/devices"
SBIN_PATH = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])


def _sysfs_read(dev, name):
    try:
        with open(os.path.join(SYSFS_USB, dev, name)) as f:
            return f.read().strip()
    except OSError:
        return None


def _usb_devices(vid=U3V_VID):
    """{sysfs name: (busnum, devnum, vid, pid)} of the configured devices of this vendor."""
    out = {}
    try:
        names = os.listdir(SYSFS_USB)
    except OSError:
        return out
    for dev in names:
        if ":" in dev:
            continue
        v = _sysfs_read(dev, "idVendor")
        if v is None or int(v, 16) != vid or not _sysfs_read(dev, "bConfigurationValue"):
            continue
        try:
            out[dev] = (int(_sysfs_read(dev, "busnum")), int(_sysfs_read(dev, "devnum")), int(v, 16),
                        int(_sysfs_read(dev, "idProduct"), 16))
        except (TypeError, ValueError):
            continue
    return out


def attach_unavailable():
    """Why this process cannot attach through vhci-hcd (a sentence), or None when it can.
    Loads vhci-hcd when it is not loaded yet (root only)."""
    if os.geteuid() != 0:
        return "dfk_attached needs root (usbip attach through vhci-hcd); running as uid %d" % os.geteuid()
    usbip = shutil.which("usbip", path=SBIN_PATH)
    if usbip is None:
        return "dfk_attached needs the usbip tool (Debian: apt-get install usbip); not found in %s" % SBIN_PATH
    if os.path.isdir("/sys/module/vhci_hcd"):
        return None
    modprobe = shutil.which("modprobe", path=SBIN_PATH)
    if modprobe is None:
        return "dfk_attached cannot load vhci-hcd: no modprobe in %s" % SBIN_PATH
    r = subprocess.run([modprobe, "vhci-hcd"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
    if r.returncode != 0 or not os.path.isdir("/sys/module/vhci_hcd"):
        return "dfk_attached cannot load vhci-hcd: `modprobe vhci-hcd` exited %d: %s" % (
            r.returncode, r.stdout.decode(errors="replace").strip() or "(no output)")
    return None


def _usbip(*args, timeout=30):
    return subprocess.run([shutil.which("usbip", path=SBIN_PATH)] + list(args), stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, timeout=timeout)


def _wait(cond, timeout):
    deadline = time.monotonic() + timeout
    while True:
        v = cond()
        if v or time.monotonic() > deadline:
            return v
        time.sleep(0.05)


@pytest.fixture
def dfk_attached(dfk_camera):
    """dfk_camera attached through this machine's vhci-hcd; detached after the test."""
    why = attach_unavailable()
    if why:
        pytest.skip(why)
    busid = "1-1"
    want = "usbip://%s:%d/%s" % (dfk_camera.host, dfk_camera.port, busid)
    before = set(_usb_devices())
    r = _usbip("--tcp-port", str(dfk_camera.port), "attach", "-r", dfk_camera.host, "-b", busid)
    if r.returncode != 0:
        pytest.fail("usbip attach -r %s -b %s (port %d) failed: %s" % (
            dfk_camera.host, busid, dfk_camera.port, r.stdout.decode(errors="replace").strip()), pytrace=False)

    def ours():
        return parse_usbip_port(_usbip("port").stdout.decode(errors="replace"))

    port = None
    try:
        new = _wait(lambda: {d: v for d, v in _usb_devices().items() if d not in before}, 20.0)
        port = next((p for p, url in ours().items() if url == want), None)
        if not new:
            pytest.fail("the camera did not enumerate within 20 s of usbip attach (%s)" % want, pytrace=False)
        dev, (busnum, devnum, vid, pid) = sorted(new.items())[0]
        yield Attachment(port, busnum, devnum, vid, pid, dev)
    finally:
        for p, url in ours().items():
            if url == want:
                _usbip("detach", "-p", str(p))
        gone = _wait(lambda: not any(d not in before for d in _usb_devices()), 20.0)
        if not gone:
            pytest.fail("the camera (%s) was still on the bus 20 s after usbip detach" % want, pytrace=False)
