# SPDX-License-Identifier: MIT
"""The installable pytest plugin python/dfkemu (docs/pytest.md): its fixtures used here as a
user's tests use them (dfk_camera, dfk_io, dfk_faults, dfk_camera_factory), and the plugin
loaded from outside the tree in a separate pytest process: by the `pytest11` entry point of a
`make install DESTDIR=... PREFIX=/usr`, by `pytest_plugins`, and both at once. dfk_attached
skips here with its exact reason (this machine cannot load vhci-hcd); test_vm-style guests
are where it attaches (test_pytest_plugin_vm in harness/test_vm.py is not part of this file)."""
import importlib.metadata
import os
import re
import shutil
import stat
import subprocess
import tempfile

import pytest

import dfkemu
import dfk_io
import emu as emu_mod
import usbip_client as U
from dfk_testlib import SLOW, open_camera
from dfkemu import plugin as dfk_plugin
from dfkemu.emulator import EmulatorError, find_emulator

ROOT = emu_mod.ROOT
PYTHON = "/usr/bin/python3"
MS = 1_000_000

USER_TEST = '''
import os
import pytest


@pytest.mark.dfk_camera(source="pattern", seed=7, serial=12345678)
def test_my_driver(dfk_camera, dfk_io, dfk_faults):
    assert dfk_camera.serial == "12345678"
    assert dfk_camera.url() == "usbip://127.0.0.1:%d/1-1" % dfk_camera.port
    fid = dfk_faults.add("stall ep 0x83 on frame 5")
    assert dfk_faults.list() == [{"id": fid, "line": "stall ep 0x83 on frame 5", "fired": 0}]
    dfk_io.pause()
    t0 = dfk_io.time()
    seq = dfk_io.seq()
    dfk_io.pulse(100000, at="+1000000")
    assert dfk_io.advance(5000000) == t0 + 5000000
    kinds = [(e["kind"], e["t"] - t0) for e in dfk_io.events(seq)]
    assert kinds == [("trigger_in", 1000000), ("trigger_seen", 1000000),
                     ("trigger_rejected", 1000000), ("trigger_in", 1100000)]
    assert dfk_faults.violations() == []
    print("EMU=" + dfk_camera.command()[0])


def test_attached(dfk_attached):
    assert os.path.isdir("/sys/bus/usb/devices/" + dfk_attached.sysfs)
    assert dfk_attached.vid == 0x199e and dfk_attached.url.startswith("usb://199e:")
'''


def run_pytest(cwd, pythonpath, *args, env_extra=None, user=None):
    env = {k: v for k, v in os.environ.items() if k not in ("DFK_EMU", "PYTHONPATH", "PYTEST_ADDOPTS",
                                                             "PYTEST_PLUGINS", "PYTEST_DISABLE_PLUGIN_AUTOLOAD")}
    env["PYTHONPATH"] = pythonpath
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.update(env_extra or {})
    cmd = [PYTHON, "-m", "pytest", "-p", "no:cacheprovider", "-v", "-rsP"] + list(args)
    if user is not None:
        cmd = ["setpriv", "--reuid=%d" % user, "--regid=%d" % user, "--clear-groups"] + cmd
    r = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=120 * SLOW)
    return r.returncode, r.stdout.decode(errors="replace")


def skip_reason(out):
    """The reason of the one SKIPPED line of a `pytest -rs` summary (of test_mydriver.py)."""
    lines = [ln for ln in out.splitlines() if ln.startswith("SKIPPED [1] ")]
    assert len(lines) == 1, out
    m = re.match(r"SKIPPED \[1\] test_mydriver\.py:\d+: (.*)$", lines[0])
    assert m, lines[0]
    return m.group(1)


@pytest.fixture
def public_dir():
    """A directory every user can read (tmp_path is root's 0700 tree)."""
    d = tempfile.mkdtemp(prefix="dfkemu-user-")
    os.chmod(d, 0o755)
    yield d
    shutil.rmtree(d, ignore_errors=True)


# ---- the harness uses the package ----

def test_the_harness_runs_on_the_package(pytestconfig):
    pm = pytestconfig.pluginmanager
    assert pm.has_plugin("dfkemu.plugin") or pm.has_plugin("dfkemu")
    assert issubclass(emu_mod.Emulator, dfkemu.Emulator)
    assert dfk_io.IoChannel is dfkemu.IoChannel and dfk_io.IoError is dfkemu.IoError
    assert dfkemu.Emulator.__module__ == "dfkemu.emulator"


def test_version_is_dfk_emus(dfk_emu_path):
    r = subprocess.run([dfk_emu_path, "--version"], capture_output=True, text=True, timeout=10)
    assert r.stdout.strip() == "dfk-emu " + dfkemu.__version__


# ---- the fixtures, in this process ----

@pytest.mark.dfk_camera(source="pattern", seed=7, serial=12345678)
def test_camera_io_and_faults(dfk_camera, dfk_io, dfk_faults):
    assert dfk_camera.command()[0] == emu_mod.EMU          # the build under test
    assert dfk_camera.serial == "12345678"
    assert dfk_camera.url() == "usbip://127.0.0.1:%d/1-1" % dfk_camera.port
    # the serial the camera reports over USB/IP and GenCP
    conn, gencp = open_camera(dfk_camera)
    with conn:
        assert gencp.read_string(U.ABRM_SERIAL_NUMBER) == "12345678"
        # the side channel: a TRIGGER_IN pulse in exact device time, rejected (TriggerMode Off)
        dfk_io.pause()
        t0, seq = dfk_io.time(), dfk_io.seq()
        dfk_io.pulse(100000, at="+1000000")
        assert dfk_io.advance(5 * MS) == t0 + 5 * MS
        evs = dfk_io.events(seq)
        assert [(e["kind"], e["t"] - t0, e["a"]) for e in evs] == [
            ("trigger_in", MS, 1), ("trigger_seen", MS, 1), ("trigger_rejected", MS, 1), ("trigger_in", MS + 100000, 0)]
        assert evs[2]["reason"] == "trigger_mode_off"
        assert dfk_io.stats()["rejected"] == 1 and dfk_io.line() == 0 and dfk_io.strobe() == 0
        dfk_io.run()
        assert dfk_io.clock()["paused"] == 0
        # faults: armed, listed in canonical form, refused with dfk-emu's reason, cleared
        stall = dfk_faults.add("stall ep 0x83  on frame 5 count 1  # a comment")
        assert dfk_faults.list() == [{"id": stall, "line": "stall ep 0x83 on frame 5", "fired": 0}]
        with pytest.raises(dfkemu.IoError, match=r"stall: bad ep '0x90' \(an endpoint address 0x00-0x0f or "
                                                 r"0x80-0x8f, or any\)"):
            dfk_faults.add("stall ep 0x90")
        assert dfk_faults.clear(stall) == 1 and dfk_faults.list() == []
        # a control fault fires on the next GenCP command, is logged, and is used up
        seq = dfk_io.seq()
        busy = dfk_faults.add("ack-error status busy")
        assert gencp.read_ack(U.ABRM_SERIAL_NUMBER, 64).status == 0x8007
        assert [f["id"] for f in dfk_faults.events(seq)] == [busy]
        assert dfk_faults.list() == [] and dfk_faults.fired(busy) is None
        assert gencp.read_string(U.ABRM_SERIAL_NUMBER) == "12345678"
        assert dfk_faults.violations() == []
        # the host monitor: a write to a read-only bootstrap register is the host's error
        sbrm = gencp.read_u64(U.ABRM_SBRM_ADDRESS)
        assert gencp.write_ack(sbrm, b"\1\0\0\0").status == 0x8004     # WRITE_PROTECT
        errors = dfk_faults.errors()
    assert [(v["rule"], v["severity"]) for v in errors] == [("gencp-write-readonly", "error")], errors
    assert isinstance(errors[0]["seq"], int) and errors[0]["detail"]


def test_factory_options(dfk_camera_factory, tmp_path):
    scenario = tmp_path / "faults.txt"
    scenario.write_text("# a scenario\nstall ep 0x83 on frame 5\nack-late by 2000000 on command 3\n")
    cam = dfk_camera_factory(model="dmk38ux267", time_scale=0, monitor=False, faults=str(scenario))
    assert "DMK 38UX267" in cam.stdout()
    with cam.io() as io:
        assert io.clock()["scale"] == 0.0
        assert [f["line"] for f in io.fault_list()] == ["stall ep 0x83 on frame 5",
                                                        "ack-late by 2000000 on command 3"]
        with pytest.raises(dfkemu.IoError, match="the host monitor is off"):
            io.violations()
    quiet = dfk_camera_factory(io=False, args=["--cameras", "2"])
    assert quiet.io_path is None and "busid 1-1" in quiet.stdout()
    with pytest.raises(EmulatorError, match="no I/O side channel"):
        quiet.io()
    with pytest.raises(TypeError, match="unknown option"):
        dfk_camera_factory(colour="red")
    # a camera the test stops itself is not held against it
    assert quiet.stop() == 0


@pytest.mark.parametrize("dfk_camera", [{"serial": 11112222}, {"serial": 33334444, "source": "pattern"}],
                         indirect=True)
def test_indirect_parametrization(request, dfk_camera):
    want = request.node.callspec.params["dfk_camera"]
    assert dfk_camera.serial == "%08d" % want["serial"]
    assert ("--source" in dfk_camera.command()) == ("source" in want)


def test_find_emulator(tmp_path, monkeypatch):
    with pytest.raises(EmulatorError, match="no such executable"):
        find_emulator(str(tmp_path / "nope"))
    assert find_emulator(emu_mod.EMU) == emu_mod.EMU
    monkeypatch.setenv("DFK_EMU", emu_mod.EMU)
    assert find_emulator() == emu_mod.EMU
    monkeypatch.setenv("DFK_EMU", str(tmp_path / "nope"))
    with pytest.raises(EmulatorError, match="DFK_EMU=.*nope: no such executable"):
        find_emulator()


# ---- the plugin from outside the tree, in its own pytest process ----

def test_dfk_attached_skip_reason_is_the_kernels():
    """Here (root, usbip installed, no vhci-hcd module) the reason names modprobe's failure;
    elsewhere it is whatever stands in the way, and nothing when the attach can work."""
    why = dfk_plugin.attach_unavailable()
    if os.geteuid() != 0:
        assert why == "dfk_attached needs root (usbip attach through vhci-hcd); running as uid %d" % os.geteuid()
    elif shutil.which("usbip", path=dfk_plugin.SBIN_PATH) is None:
        assert why.startswith("dfk_attached needs the usbip tool")
    elif not os.path.isdir("/sys/module/vhci_hcd"):
        assert why.startswith("dfk_attached cannot load vhci-hcd: `modprobe vhci-hcd` exited "), why
        assert "vhci" in why.split("exited", 1)[1]      # modprobe's own message
    else:
        assert why is None


def test_installed_plugin_runs_a_users_tests(tmp_path, public_dir):
    """make install DESTDIR=... PREFIX=/usr: pytest finds the plugin by its entry point, and the
    plugin finds the dfk-emu installed next to it; a user's test passes, dfk_attached skips with
    the reason (or attaches where the kernel can)."""
    dest = os.path.join(public_dir, "root")
    r = subprocess.run(["make", "-s", "-C", ROOT, "install", "BUILD=" + emu_mod.BUILD, "DESTDIR=" + dest,
                        "PREFIX=/usr"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=600)
    assert r.returncode == 0, r.stdout.decode()[-3000:]
    site = os.path.join(dest, "usr/lib/python3/dist-packages")
    info = os.path.join(site, "dfkemu-%s.dist-info" % dfkemu.__version__)
    with open(os.path.join(info, "entry_points.txt")) as f:
        assert f.read() == "[pytest11]\ndfkemu = dfkemu.plugin\n"
    dist = [d for d in importlib.metadata.distributions(path=[site]) if d.metadata["Name"] == "dfkemu"]
    assert len(dist) == 1 and dist[0].version == dfkemu.__version__
    assert sorted(os.listdir(os.path.join(site, "dfkemu"))) == ["__init__.py", "emulator.py", "io.py", "plugin.py", "usbip.py"]

    user = os.path.join(public_dir, "mydriver")
    os.makedirs(user)
    with open(os.path.join(user, "test_mydriver.py"), "w") as f:
        f.write(USER_TEST)
    why = dfk_plugin.attach_unavailable()

    def check(rc, out, emu):
        assert "test_mydriver.py::test_my_driver PASSED" in out, out
        assert "EMU=" + emu in out, out
        if why:
            assert rc == 0 and "1 passed, 1 skipped" in out, out
            assert skip_reason(out) == why
        else:
            assert rc == 0 and "2 passed" in out, out

    # 1. the entry point alone; dfk-emu found next to the package (DESTDIR/usr/bin)
    rc, out = run_pytest(user, site, "test_mydriver.py")
    check(rc, out, os.path.join(dest, "usr/bin/dfk-emu"))
    assert "plugins: dfkemu-%s" % dfkemu.__version__ in out, out
    # 2. --dfk-emu, and a conftest naming the plugin too: one registration, no error
    with open(os.path.join(user, "conftest.py"), "w") as f:
        f.write('pytest_plugins = ["dfkemu.plugin"]\n')
    rc, out = run_pytest(user, site, "--dfk-emu", emu_mod.EMU, "test_mydriver.py")
    check(rc, out, emu_mod.EMU)
    # 3. the source tree on PYTHONPATH and pytest_plugins (no entry point); $DFK_EMU
    rc, out = run_pytest(user, os.path.join(ROOT, "python"), "test_mydriver.py",
                         env_extra={"DFK_EMU": emu_mod.EMU})
    check(rc, out, emu_mod.EMU)
    # 4. without the plugin the fixtures do not exist (unless a dfkemu is installed system-wide)
    os.unlink(os.path.join(user, "conftest.py"))
    if not any(d.metadata["Name"] == "dfkemu" for d in importlib.metadata.distributions()):
        rc, out = run_pytest(user, "", "test_mydriver.py")
        assert rc == 1 and "fixture 'dfk_camera' not found" in out, out
    # 5. docs/pytest.md's example, as written there, through the installed plugin and adapter
    with open(os.path.join(ROOT, "docs", "pytest.md")) as f:
        example = re.search(r"```python\n(.*?)```", f.read(), re.S).group(1)
    assert "def test_my_driver_recovers_from_a_stall(dfk_camera, dfk_io, dfk_faults):" in example
    with open(os.path.join(user, "test_example.py"), "w") as f:
        f.write(example)
    rc, out = run_pytest(user, site, "test_example.py",
                         env_extra={"PATH": os.path.join(dest, "usr/bin") + os.pathsep + os.environ["PATH"]})
    assert rc == 0 and "test_example.py::test_my_driver_recovers_from_a_stall PASSED" in out, out
    # 6. not root: dfk_attached says so (only checkable as root: setpriv to nobody)
    if os.geteuid() == 0 and shutil.which("setpriv"):
        for dirpath, dirnames, filenames in os.walk(public_dir):
            for n in dirnames + filenames:
                p = os.path.join(dirpath, n)
                os.chmod(p, os.stat(p).st_mode | stat.S_IROTH | (stat.S_IXOTH if os.path.isdir(p) else 0))
        rc, out = run_pytest(user, site, "--dfk-emu", os.path.join(dest, "usr/bin/dfk-emu"), "test_mydriver.py",
                             user=65534, env_extra={"HOME": public_dir, "TMPDIR": "/tmp"})
        assert rc == 0 and "1 passed, 1 skipped" in out, out
        assert skip_reason(out) == ("dfk_attached needs root (usbip attach through vhci-hcd); "
                                    "running as uid 65534")
