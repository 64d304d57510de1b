# SPDX-License-Identifier: MIT
"""User sets survive crashes (manual 5.12; DEVELOPERS.md: user-set data on disk is
written atomically).

The emulator finishes a UserSetSave like a flash write: PENDING_ACK now, the
file written flash_ms (50 ms) later. Killing it with SIGKILL at seeded random
moments around that write must leave UserSet1 holding either the previous
save or the new one, complete, never a mix or a set that cannot be loaded;
leftovers of a write that did not finish are cleaned at the next start."""
import os
import random
import time

import pytest

import features as F
import usbip_client as U
from dfk_testlib import SANITIZED, kill9, open_camera
from emu import BUILD, Emulator

SERIAL = F.identity()["default_serial"]   # the state directory's name
FLASH_MS = 50


def generation(k):
    """A configuration that differs from the neighbouring generations in every listed feature
    (the saved file also holds the lookup table, its biggest part)."""
    return {"GainAuto": "Off", "Gain": (k % 96) * 0.5, "BlackLevel": k % 200, "ExposureAuto": "Off",
            "ExposureTime": 1000.0 + k, "Gamma": 1.0 + (k % 50) / 100.0, "ReverseX": k % 2}


def apply(gencp, cfg):
    for name, value in cfg.items():
        ack = F.write(gencp, name, value)
        assert ack.status == 0, (name, value, ack)


def observe(gencp):
    return {name: F.read(gencp, name) for name in generation(0)}


def same(seen, cfg):
    return all(abs(seen[n] - v) < 1e-9 if isinstance(v, float) else seen[n] == v for n, v in cfg.items())


def load_set1(emulator):
    conn, gencp = open_camera(emulator)
    with conn:
        assert F.write(gencp, "UserSetSelector", "UserSet1").status == 0
        ack = F.execute(gencp, "UserSetLoad")
        assert ack.status == U.GENCP_SUCCESS, "UserSet1 cannot be loaded after a crash: %r" % ack
        return observe(gencp)


def camera_dir(emulator):
    return os.path.join(emulator.state_dir, SERIAL)


def test_kill9_during_userset_save_leaves_old_or_new(emu_factory):
    rng = random.Random(512)
    emu = emu_factory()
    conn, gencp = open_camera(emu)
    with conn:
        apply(gencp, generation(0))
        assert F.write(gencp, "UserSetSelector", "UserSet1").status == 0
        assert F.execute(gencp, "UserSetSave").status == 0
    assert emu.stop() == 0
    committed, outcomes = 0, {"old": 0, "new": 0}
    state_dir = emu.state_dir
    for k in range(1, 13):
        emu = emu_factory(state_dir=state_dir)
        conn, gencp = open_camera(emu)
        apply(gencp, generation(k))
        assert F.write(gencp, "UserSetSelector", "UserSet1").status == 0
        f = F.table()["UserSetSave"]
        rid = gencp.next_request_id()
        # send the command, do not wait for its acks: die somewhere around the file write
        conn.submit(gencp.out_ep, U.USBIP_DIR_OUT, data=U.writemem_cmd(int(f["address"], 16), b"\1\0\0\0", rid))
        # the first two kill points are certain to land before and after the write, so both
        # outcomes are exercised; the others are seeded random moments around it
        offset_ms = {1: -FLASH_MS + 5.0, 2: 10 * FLASH_MS}.get(k, rng.uniform(-10.0, 15.0))
        time.sleep((FLASH_MS + offset_ms) / 1000.0)
        kill9(emu)
        conn.close()
        after = emu_factory(state_dir=state_dir)
        seen = load_set1(after)
        if same(seen, generation(k)):
            committed = k
            outcomes["new"] += 1
        else:
            assert same(seen, generation(committed)), \
                "UserSet1 is neither the last save (%d) nor the interrupted one (%d): %r" % (committed, k, seen)
            outcomes["old"] += 1
        leftovers = [n for n in os.listdir(camera_dir(after)) if ".tmp." in n]
        assert leftovers == [], leftovers
        assert after.stop() == 0
    print("kill -9 during UserSetSave: %(old)d kept the previous set, %(new)d the new one" % outcomes)
    assert outcomes["old"] >= 1 and outcomes["new"] >= 1, outcomes


def save_set1(gencp):
    assert F.write(gencp, "UserSetSelector", "UserSet1").status == 0
    assert F.execute(gencp, "UserSetSave").status == 0


@pytest.mark.parametrize("step, survivor", [("write", 4), ("fsync", 4), ("rename", 4), ("after-rename", 5)])
def test_crash_at_each_step_of_the_write(emu_factory, step, survivor):
    """Deterministic companion of the test above: build/crashshim.so (LD_PRELOAD) kills the
    emulator at one exact step of writing userset1.conf. Up to the rename the old set must
    survive; from the rename on, the new one."""
    emu = emu_factory()
    conn, gencp = open_camera(emu)
    with conn:
        apply(gencp, generation(4))
        save_set1(gencp)
    assert emu.stop() == 0
    env = dict(os.environ, LD_PRELOAD=os.path.join(BUILD, "crashshim.so"), DFK_CRASH_FILE="userset1.conf",
               DFK_CRASH_AT=step)
    if SANITIZED:
        env["ASAN_OPTIONS"] = env.get("ASAN_OPTIONS", "") + ":verify_asan_link_order=0"
    doomed = emu_factory(state_dir=emu.state_dir, env=env)
    doomed.killed_by_test = True
    conn, gencp = open_camera(doomed)
    apply(gencp, generation(5))
    assert F.write(gencp, "UserSetSelector", "UserSet1").status == 0
    with pytest.raises((U.ProtocolError, OSError, EOFError, TimeoutError)):
        F.execute(gencp, "UserSetSave")       # the process dies before it can answer
    conn.close()
    doomed.proc.wait(10)
    assert doomed.proc.returncode == -9 and "crashshim: SIGKILL at " + step in doomed.tail()
    doomed.stop()
    d = camera_dir(emu)
    temps = [n for n in os.listdir(d) if ".tmp." in n]
    assert bool(temps) == (step != "after-rename"), temps   # the crash left its temporary file
    after = emu_factory(state_dir=emu.state_dir)
    assert same(load_set1(after), generation(survivor))
    assert [n for n in os.listdir(d) if ".tmp." in n] == []


def test_leftover_temp_file_is_removed_and_set_intact(emu_factory):
    emu = emu_factory()
    conn, gencp = open_camera(emu)
    with conn:
        apply(gencp, generation(7))
        assert F.write(gencp, "UserSetSelector", "UserSet1").status == 0
        assert F.execute(gencp, "UserSetSave").status == 0
    assert emu.stop() == 0
    d = camera_dir(emu)
    with open(os.path.join(d, "userset1.conf"), "rb") as f:
        good = f.read()
    # what a writer killed between create and rename leaves: half a file under a temporary name
    stale = os.path.join(d, "userset1.conf.tmp.99999")
    with open(stale, "wb") as f:
        f.write(good[: len(good) // 2])
    after = emu_factory(state_dir=emu.state_dir)
    assert same(load_set1(after), generation(7))
    assert not os.path.exists(stale)
    assert "removed" in after.tail() and "userset1.conf.tmp.99999" in after.tail()


def test_damaged_set_is_refused_whole_and_camera_keeps_serving(emu_factory):
    """A set damaged outside the emulator (a torn copy, a disk error) fails its checksum:
    UserSetLoad answers with an error, changes nothing, and the camera goes on; a damaged
    power-up default set means power-up with the factory configuration."""
    emu = emu_factory()
    conn, gencp = open_camera(emu)
    with conn:
        apply(gencp, generation(3))
        assert F.write(gencp, "UserSetSelector", "UserSet1").status == 0
        assert F.execute(gencp, "UserSetSave").status == 0
        assert F.write(gencp, "UserSetDefault", "UserSet1").status == 0
    assert emu.stop() == 0
    path = os.path.join(camera_dir(emu), "userset1.conf")
    with open(path, "rb") as f:
        good = f.read()
    with open(path, "wb") as f:
        f.write(good[: len(good) * 2 // 3])       # torn: the checksum line is gone
    after = emu_factory(state_dir=emu.state_dir)
    conn, gencp = open_camera(after)
    with conn:
        assert F.read(gencp, "Gain") == 0.0 and F.read(gencp, "BlackLevel") == 240, "factory values expected"
        apply(gencp, generation(11))
        assert F.write(gencp, "UserSetSelector", "UserSet1").status == 0
        ack = gencp.write_ack(int(F.table()["UserSetLoad"]["address"], 16), b"\1\0\0\0")
        assert ack.status == U.GENCP_GENERIC_ERROR, "a damaged set must not load: %r" % ack
        assert same(observe(gencp), generation(11)), "a refused load must change nothing"
    assert after.alive()
    assert "UserSet1 cannot be loaded" in after.tail()
    assert "factory configuration" in after.tail()


def test_second_emulator_on_same_state_dir_is_refused(emu_factory):
    """Two processes writing one camera's user sets would lose each other's saves: the
    second is refused at start, with the first one's pid, and the first keeps serving."""
    first = emu_factory()
    second = Emulator(state_dir=first.state_dir)
    try:
        second.start(timeout=10.0)
    except RuntimeError as e:
        assert "in use by another dfk-emu (pid %d)" % first.proc.pid in str(e), str(e)
        assert second.proc.returncode == 1
    else:
        second.stop()
        raise AssertionError("two emulators shared one state directory")
    assert first.alive()
    conn, gencp = open_camera(first)
    with conn:
        assert F.read(gencp, "Gain") == 0.0
