# SPDX-License-Identifier: MIT
"""dfkemu: dfk-emu (a software DFK 38UX267 USB3 Vision camera on USB/IP) for your own tests.

    Emulator    start and stop one dfk-emu (emulator.py)
    IoChannel   its I/O side channel: device clock, TRIGGER_IN, event log, faults, the
                host monitor's violations (io.py)
    plugin      the pytest fixtures dfk_camera, dfk_io, dfk_faults, dfk_attached (plugin.py;
                loaded by the `pytest11` entry point once installed, or with
                `pytest_plugins = ["dfkemu.plugin"]`)

docs/pytest.md has the details and an example.
"""
from .emulator import Emulator, EmulatorError, find_emulator
from .io import IoChannel, IoError

__version__ = "0.1.0"      # the same as `dfk-emu --version` (harness/test_pytest_plugin.py)

__all__ = ["Emulator", "EmulatorError", "find_emulator", "IoChannel", "IoError", "__version__"]
