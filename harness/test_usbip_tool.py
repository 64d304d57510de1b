# SPDX-License-Identifier: MIT
"""The real Linux `usbip` tool (Debian package usbip) lists the exported camera."""
import os
import re
import shutil
import subprocess

import pytest

import features as F
from dfk_testlib import SLOW


def usbip_tool():
    path = shutil.which("usbip", path=os.environ.get("PATH", "") + ":/usr/sbin:/sbin")
    if not path:
        pytest.fail("the usbip tool is missing: apt-get install usbip", pytrace=False)
    return path


def test_usbip_list_remote(emu):
    cmd = [usbip_tool(), "--tcp-port", str(emu.port), "list", "-r", "127.0.0.1"]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=30 * SLOW)
    out = r.stdout
    assert r.returncode == 0, "%s failed (%d):\n%s%s" % (" ".join(cmd), r.returncode, out, r.stderr)
    # "        1-1: The Imaging Source Europe GmbH : unknown product (199e:988e)"
    ids = "%04x:%04x" % (F.identity()["vendor_id"], F.identity()["product_id"])
    assert re.search(r"^\s+1-1: .*\(%s\)\s*$" % ids, out, re.M), out
    # "           : Miscellaneous Device / ? / Interface Association (ef/02/01)"
    assert re.search(r"^\s+: .*\(ef/02/01\)\s*$", out, re.M), out
    ifaces = re.findall(r"^\s+:\s+(\d+) - .*\(([0-9a-f]{2}/[0-9a-f]{2}/[0-9a-f]{2})\)\s*$", out, re.M)
    assert ifaces == [("0", "ef/05/00"), ("1", "ef/05/01"), ("2", "ef/05/02")], out
    assert emu.alive()
