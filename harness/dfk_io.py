# SPDX-License-Identifier: MIT
"""Python client of dfk-emu's I/O side channel (docs/io-protocol.md): drive
TRIGGER_IN, read STROBE_OUT, control the device clock and the scene, read the
event log, start and stop VCD traces.

A thin layer over the installable package python/dfkemu (dfkemu.io, the client users'
tests get from the pytest plugin); run as a program it sends requests and prints replies:
    python3 harness/dfk_io.py SOCKET|tcp:HOST:PORT 'REQUEST' ['REQUEST' ...]"""
import os
import sys

_PY = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "python")
if _PY not in sys.path:
    sys.path.insert(0, _PY)

from dfkemu.io import MULTILINE, IoChannel, IoError, main  # noqa: E402,F401

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
