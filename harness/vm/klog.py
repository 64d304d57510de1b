# SPDX-License-Identifier: MIT
"""Reading the guest's kernel log for trouble."""
import re

# A kernel problem anywhere (these never belong in a clean run).
OOPS_RE = re.compile(r"Call Trace|\bBUG\b|Oops|general protection fault|\bWARNING:|cut here|"
                     r"Kernel panic|blocked for more than|hung_task|RIP: |UBSAN|KASAN|refcount_t")
# Error/warning words, counted only on USB / vhci / usbip lines.
ERR_RE = re.compile(r"(?i)\b(error|warn\w*|fail\w*|timeout|timed out|unable|cannot|can't|bad|"
                    r"reset high-speed|not accepting address|device not accepting)\b")
USB_RE = re.compile(r"(?i)\b(usb|vhci|usbip|hub)\b|usb\d|usb \d")
# Lines that contain such words but are expected.
BENIGN_RE = re.compile(r"We don't know the algorithms for LPM for this host")


def kernel_problems(text, usb_only=True):
    """Lines of a kernel log that show a problem: any oops/trace, or an error/warning on USB."""
    bad = []
    for line in text.splitlines():
        if BENIGN_RE.search(line):
            continue
        if OOPS_RE.search(line):
            bad.append(line)
        elif ERR_RE.search(line) and (not usb_only or USB_RE.search(line)):
            bad.append(line)
    return bad
