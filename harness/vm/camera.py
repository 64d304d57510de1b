# SPDX-License-Identifier: MIT
"""dfk-emu on the host, attached in the guest: the state the VM tests share."""
import os
import shlex
import sys

import pytest

HARNESS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if HARNESS not in sys.path:
    sys.path.insert(0, HARNESS)

import emu  # noqa: E402  (harness/emu.py)

# Extra dfk-emu arguments for the VM tests, e.g. DFK_VM_EMU_ARGS="--serial 12345678".
EMU_ARGS = shlex.split(os.environ.get("DFK_VM_EMU_ARGS", ""))


def revive(g):
    """A guest that wedged (and was stopped) is booted again for the next test."""
    if not g.alive():
        g.stop()
        g.attached = []
        g.start()


def require_emu():
    if not os.path.exists(emu.EMU):
        pytest.fail("dfk-emu is not built (%s missing): run `make` in %s first"
                    % (emu.EMU, emu.ROOT), pytrace=False)


class CameraSession:
    """The module's dfk-emu and its attachment in the guest."""

    def __init__(self, g):
        self.guest = g
        self.emu = None
        self.attachment = None

    def start_emu(self):
        require_emu()
        self.emu = emu.Emulator(EMU_ARGS).start()
        return self.emu

    def ensure_emu(self):
        revive(self.guest)
        if self.emu is None or not self.emu.alive():
            if self.emu is not None:
                self.emu.stop()
            self.start_emu()
            self.attachment = None
        return self.emu

    def ensure(self):
        """dfk-emu running and attached in the guest; returns the Attachment."""
        self.ensure_emu()
        a = self.attachment
        if a is not None and a in self.guest.attached and self.guest.usb_devices():
            return a
        self.detach_all()
        self.attachment = self.guest.attach(self.emu.port)
        self.attachment.host_port = self.emu.port
        return self.attachment

    def detach_all(self):
        if self.guest.ports() or self.guest.usb_devices():
            self.guest.detach()
        self.attachment = None

    def stop(self):
        try:
            if self.guest.alive():
                self.detach_all()
        finally:
            if self.emu is not None:
                self.emu.stop()
                self.emu = None
