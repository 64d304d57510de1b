# SPDX-License-Identifier: MIT
"""pytest fixtures for the QEMU guest (loaded by harness/test_vm.py through `pytest_plugins`).

    guest      module scope: one booted guest; .run(cmd, timeout) -> (rc, out), .attach(port),
               .detach(), .dmesg(); skipped (loudly) only when qemu itself cannot start
    camera_session  module scope: CameraSession (vm/camera.py): dfk-emu on 127.0.0.1:<OS port>
               (harness/emu.py) and its attachment in the guest
    camera     function scope: the module's dfk-emu attached in the guest (re-attached if needed);
               an Attachment (.port, .bus, .devnum, .vid, .pid, .sysfs, .seconds)
    usbmon_capture  function scope: text usbmon of all buses for the test's duration, saved as
               build/vm/usbmon-<test>.txt when the test fails
    kernel_log function scope: dmesg mark at test start; fails the test at teardown on an oops/
               Call Trace/BUG, and prints the test's kernel log when the test failed
"""
import os
import re
import sys
import warnings

import pytest

from . import deps, image
from .guest import Guest, QemuUnavailable
from .klog import OOPS_RE
from .camera import CameraSession, revive as _revive


def pytest_configure(config):
    config.addinivalue_line("markers", "vm: end-to-end test in a QEMU guest with the real vhci-hcd")


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, "vm_rep_" + rep.when, rep)


def _failed(node):
    return any(getattr(getattr(node, "vm_rep_" + w, None), "failed", False)
               for w in ("setup", "call"))


@pytest.fixture(scope="module")
def guest():
    try:
        deps.ensure(install=True)
    except deps.MissingDependencies as e:
        pytest.fail(str(e), pytrace=False)
    img = image.build()
    g = Guest(img)
    try:
        g.start()
    except QemuUnavailable as e:
        msg = "QEMU CANNOT START: VM TESTS NOT RUN: %s" % e
        warnings.warn(pytest.PytestWarning(msg))
        print("\n*** dfk-vm: " + msg + "\n", file=sys.stderr, flush=True)
        pytest.skip(msg)
    print("\ndfk-vm: guest %s booted in %.2f s (%s%s)" % (
        g.kernel, g.boot_seconds, g.accel_used, ": " + g.accel_why if g.accel_why else ""), flush=True)
    try:
        yield g
    finally:
        g.stop()


@pytest.fixture(scope="module")
def camera_session(guest):
    s = CameraSession(guest)
    try:
        yield s
    finally:
        s.stop()


@pytest.fixture
def camera(camera_session):
    return camera_session.ensure()


@pytest.fixture
def usbmon_capture(request, guest):
    """Capture usbmon text (all buses: the SuperSpeed vhci bus is not bus 1) while the test runs."""
    _revive(guest)
    rc, _ = guest.run("test -e /sys/kernel/debug/usb/usbmon/0u", 10)
    if rc != 0:
        yield None
        return
    guest.run("rm -f /run/xfer/usbmon.txt; "
              "cat /sys/kernel/debug/usb/usbmon/0u > /run/xfer/usbmon.txt 2>/dev/null & "
              "echo $! > /tmp/usbmon.pid", 10)
    try:
        yield guest.xfer_path("usbmon.txt")
    finally:
        if guest.alive():
            guest.run("kill $(cat /tmp/usbmon.pid) 2>/dev/null; rm -f /tmp/usbmon.pid", 10)
        src = guest.xfer_path("usbmon.txt") if guest.tmp else None
        if src and os.path.exists(src):
            if _failed(request.node) and os.path.getsize(src) > 0:
                name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
                dst = os.path.join(image.VMDIR, "usbmon-%s.txt" % name)
                os.makedirs(image.VMDIR, exist_ok=True)
                with open(src, "rb") as f, open(dst, "wb") as o:
                    o.write(f.read())
                print("dfk-vm: usbmon capture saved to " + dst)
            os.unlink(src)


@pytest.fixture
def kernel_log(request, guest):
    """Mark dmesg at the start; at the end print the test's kernel log when it failed, and fail
    on any oops / Call Trace / BUG it produced."""
    _revive(guest)
    mark = guest.dmesg_mark()
    yield mark
    if not guest.alive():
        return
    text = guest.dmesg_since(mark)
    if _failed(request.node):
        print("---- guest kernel log during %s ----\n%s" % (request.node.name, text))
    oops = [l for l in text.splitlines() if OOPS_RE.search(l)]
    if oops:
        pytest.fail("kernel trouble during the test:\n" + "\n".join(oops), pytrace=False)
