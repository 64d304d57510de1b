# SPDX-License-Identifier: MIT
"""QEMU harness: boot Debian's kernel with vhci-hcd in a TCG guest and drive dfk-emu through it.

    from vm import Guest
    with Guest() as g:
        g.attach(emulator_port)          # usbip attach -r 10.0.2.2 ... in the guest
        rc, out = g.run("lsusb -v -d 199e:")
"""
from .deps import MissingDependencies, ensure as ensure_deps, missing as missing_deps
from .image import build as build_image, VMDIR
from .guest import Guest, GuestError, QemuUnavailable, Attachment, probe_kvm, HOST_FROM_GUEST

__all__ = ["Guest", "GuestError", "QemuUnavailable", "Attachment", "MissingDependencies",
           "build_image", "ensure_deps", "missing_deps", "probe_kvm", "VMDIR", "HOST_FROM_GUEST"]
