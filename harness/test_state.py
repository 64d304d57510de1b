# SPDX-License-Identifier: MIT
"""DeviceUserID (ABRM User Defined Name, 0x184, 64 bytes) is non-volatile."""
import random

import usbip_client as U
from dfk_testlib import kill9, open_camera

NAME_SIZE = 64


def _name(rng, n):
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_ ."
    return "".join(rng.choice(alphabet) for _ in range(n))


def write_name(emulator, name):
    """Write the name over GenCP (NUL-padded to 64 bytes): expect PENDING_ACK, then success."""
    raw = name.encode("ascii").ljust(NAME_SIZE, b"\0")
    conn, gencp = open_camera(emulator)
    with conn:
        ack = gencp.write(U.ABRM_USER_DEFINED_NAME, raw)
        assert ack.status == U.GENCP_SUCCESS
        assert ack.pending, "a non-volatile write should announce itself with PENDING_ACK: %r" % ack
        assert all(0 < ms <= 5000 for ms in ack.pending), ack
        assert gencp.read(U.ABRM_USER_DEFINED_NAME, NAME_SIZE) == raw
        assert not conn.violations
    return raw


def read_name(emulator):
    conn, gencp = open_camera(emulator)
    with conn:
        return gencp.read(U.ABRM_USER_DEFINED_NAME, NAME_SIZE)


def test_user_name_survives_restart(emu_factory):
    rng = random.Random(184)
    first = emu_factory()
    raw = write_name(first, "bench-cam " + _name(rng, 12))
    assert first.stop() == 0
    second = emu_factory(state_dir=first.state_dir)
    assert read_name(second) == raw


def test_user_name_survives_kill9_after_write(emu_factory):
    rng = random.Random(0x9)
    first = emu_factory()
    raw = write_name(first, "kill-9 " + _name(rng, 20))
    kill9(first)                                  # right after the write was acknowledged
    second = emu_factory(state_dir=first.state_dir)
    assert read_name(second) == raw


def test_user_name_63_characters_round_trip(emu_factory):
    rng = random.Random(63)
    name = _name(rng, 63)
    first = emu_factory()
    raw = write_name(first, name)
    assert raw == name.encode() + b"\0"
    conn, gencp = open_camera(first)
    with conn:
        assert gencp.read_string(U.ABRM_USER_DEFINED_NAME) == name
    assert first.stop() == 0
    second = emu_factory(state_dir=first.state_dir)
    assert read_name(second) == raw


def test_user_name_rewrite_replaces_old_value(emu_factory):
    first = emu_factory()
    write_name(first, "x" * 63)
    raw = write_name(first, "short")
    kill9(first)
    second = emu_factory(state_dir=first.state_dir)
    assert read_name(second) == raw
