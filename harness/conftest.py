# SPDX-License-Identifier: MIT
"""pytest fixtures for the black-box tests of dfk-emu.

    build_dir    the build directory (DFK_BUILD or ./build); fails (never skips) when
                 build/dfk-emu is missing
    emu_factory  call it to start a dfk-emu on 127.0.0.1:<OS port> (harness/emu.py), optionally
                 with state_dir=... to reuse an earlier instance's state; every instance is
                 stopped after the test, and each one the test did not stop or kill itself must
                 still be alive then and must exit with status 0 on SIGTERM
    emu          one started emulator (emu_factory())

and, from the installable pytest plugin python/dfkemu (docs/pytest.md), loaded here as users
load it: dfk_camera, dfk_camera_factory, dfk_io, dfk_faults, dfk_attached, run on the build
under test (dfk_emu_path below; harness/test_pytest_plugin.py). harness/emu.py and
harness/dfk_io.py are thin layers over the same package, so every test here goes through it.

When a test fails, the log of every emulator it started is attached to the report.
"""
import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)
PYTHON_DIR = os.path.join(os.path.dirname(HERE), "python")
if PYTHON_DIR not in sys.path:
    sys.path.insert(0, PYTHON_DIR)

# the users' plugin (also fine when an installed dfkemu's entry point loaded it already)
pytest_plugins = ["dfkemu.plugin"]

import emu as emu_mod  # noqa: E402
from dfk_testlib import SLOW  # noqa: E402


def pytest_configure(config):
    config.addinivalue_line("markers", "vm: end-to-end test in a QEMU guest with the real vhci-hcd")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    if rep.failed:
        for e in getattr(item, "_dfk_emus", ()):
            rep.sections.append(("dfk-emu log (port %s, %s)" % (e.port, e.log_path), e.tail(12000)))


@pytest.fixture(scope="session")
def build_dir():
    exe = emu_mod.EMU
    if not (os.path.isfile(exe) and os.access(exe, os.X_OK)):
        pytest.fail("%s is missing: build it first with `cd %s && make build/dfk-emu` (or set DFK_BUILD)"
                    % (exe, emu_mod.ROOT), pytrace=False)
    return emu_mod.BUILD


@pytest.fixture(scope="session")
def dfk_emu_path(pytestconfig, build_dir):
    """The plugin's fixtures run the build under test (or --dfk-emu PATH), never an installed one."""
    return pytestconfig.getoption("dfk_emu") or emu_mod.EMU


@pytest.fixture
def emu_factory(request, build_dir, tmp_path):
    emus = []
    request.node._dfk_emus = emus

    def start(state_dir=None, args=(), env=None):
        if state_dir is None:
            state_dir = str(tmp_path / ("state%d" % len(emus)))
        os.makedirs(state_dir, exist_ok=True)
        e = emu_mod.Emulator(args=args, state_dir=state_dir, env=env)
        e.killed_by_test = False
        emus.append(e)
        try:
            e.start(timeout=10.0 * SLOW)
        except Exception as ex:
            e.stop()
            pytest.fail("dfk-emu did not start: %s\n%s" % (ex, e.tail()), pytrace=False)
        return e

    yield start

    problems = []
    for e in emus:
        if e.proc is None:                  # the test stopped it itself
            continue
        if e.killed_by_test:
            e.stop()
            continue
        alive = e.alive()
        rc = e.stop()
        if not alive:
            problems.append("dfk-emu on port %s died during the test (exit status %s)" % (e.port, rc))
        elif rc != 0:
            problems.append("dfk-emu on port %s exited with status %s on SIGTERM (expected 0)" % (e.port, rc))
    if problems:
        pytest.fail("; ".join(problems), pytrace=False)


@pytest.fixture
def emu(emu_factory):
    return emu_factory()
