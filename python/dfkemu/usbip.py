# SPDX-License-Identifier: MIT
"""What the usbip tools print, read back (no pytest needed: the QEMU harness imports it too)."""

import re


def parse_usbip_port(text):
    """{vhci port number: remote url} from the output of `usbip port`."""
    ports, cur = {}, None
    for line in text.splitlines():
        m = re.match(r"\s*Port (\d+):", line)
        if m:
            cur = int(m.group(1))
            ports[cur] = ""
        m = re.search(r"->\s*(usbip://\S+)", line)
        if m and cur is not None:
            ports[cur] = m.group(1)
    return ports
