# SPDX-License-Identifier: MIT
"""Start and stop dfk-emu for tests: a black box on a loopback port the OS picks.

A thin layer over the installable package python/dfkemu (dfkemu.Emulator, the same class
users' tests get from the pytest plugin): here it always runs the build under test,
$DFK_BUILD/dfk-emu (default build/dfk-emu)."""
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if os.path.join(ROOT, "python") not in sys.path:
    sys.path.insert(0, os.path.join(ROOT, "python"))

import dfkemu.emulator  # noqa: E402
from dfkemu.emulator import LISTEN_RE, EmulatorError  # noqa: E402,F401

BUILD = os.environ.get("DFK_BUILD", os.path.join(ROOT, "build"))
EMU = os.path.join(BUILD, "dfk-emu")
CONFORM = os.path.join(BUILD, "dfk-conform")


class Emulator(dfkemu.emulator.Emulator):
    """One dfk-emu process (dfkemu.Emulator) of the build under test. `port` is the TCP port
    it actually bound."""

    def __init__(self, args=(), state_dir=None, env=None, **options):
        super().__init__(args=args, state_dir=state_dir, env=env, **options)

    def command(self):
        if self.exe is None:
            self.exe = EMU
        return super().command()
