# SPDX-License-Identifier: MIT
"""dfk_attached for real: in the QEMU guest (harness/vm/: Debian's kernel, vhci-hcd loaded,
root, the host's / as its root), a user's pytest run with the plugin from python/dfkemu starts
dfk-emu, attaches it through vhci-hcd, sees the camera in sysfs with the serial dfk-emu exports,
and detaches it at teardown (the camera is gone for the next test). This machine cannot load
vhci-hcd, which harness/test_pytest_plugin.py checks from the other side (the skip reason).

Run: DFK_BUILD=$PWD/build /usr/bin/python3 -m pytest harness/test_pytest_plugin_vm.py -m vm  (one boot)
"""
import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import emu  # noqa: E402
from vm.camera import require_emu  # noqa: E402

pytest_plugins = ["vm.pytest_plugin"]
pytestmark = pytest.mark.vm

USER_TEST = r'''
import os
import subprocess

import pytest

SYSFS = "/sys/bus/usb/devices"


def ours():
    found = []
    for d in os.listdir(SYSFS):
        try:
            with open(os.path.join(SYSFS, d, "idVendor")) as f:
                if f.read().strip() == "199e":
                    found.append(d)
        except OSError:
            pass
    return found


@pytest.mark.dfk_camera(serial=27182818)
def test_attached(dfk_camera, dfk_attached, dfk_io):
    assert ours() == [dfk_attached.sysfs]
    with open(os.path.join(SYSFS, dfk_attached.sysfs, "serial")) as f:
        assert f.read().strip() == "27182818" == dfk_camera.serial
    with open(os.path.join(SYSFS, dfk_attached.sysfs, "speed")) as f:
        assert f.read().strip() == "5000"
    assert dfk_attached.url == "usb://199e:%04x" % dfk_attached.pid
    lsusb = subprocess.run(["lsusb", "-d", "199e:"], capture_output=True, text=True).stdout
    assert "Bus %03d Device %03d: ID 199e:%04x" % (dfk_attached.busnum, dfk_attached.devnum, dfk_attached.pid) in lsusb
    assert isinstance(dfk_attached.port, int)
    assert dfk_io.urbs()["submitted"] > 0          # the kernel enumerated it over USB/IP
    print("ATTACHED", dfk_attached)


def test_detached_after_the_test():
    assert ours() == []
'''


def test_dfk_attached_in_the_guest(guest):
    require_emu()
    script = """
set -e
d=$(mktemp -d)
cat > $d/test_user.py <<'END_OF_TEST'
%(test)s
END_OF_TEST
cd $d
PYTHONPATH=%(py)s PYTHONDONTWRITEBYTECODE=1 \\
    python3 -m pytest -p no:cacheprovider -p dfkemu.plugin -v -rsP --dfk-emu %(emu)s test_user.py
""" % dict(test=USER_TEST, py=os.path.join(emu.ROOT, "python"), emu=emu.EMU)
    rc, out = guest.run(script, timeout=300)
    print(out)
    assert rc == 0, out
    assert "test_user.py::test_attached PASSED" in out, out
    assert "test_user.py::test_detached_after_the_test PASSED" in out, out
    assert "2 passed" in out and "ATTACHED <dfk_attached vhci port" in out, out
