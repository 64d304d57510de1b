# SPDX-License-Identifier: MIT
"""Small helpers shared by the black-box tests (process statistics, timing factors, kill -9,
a model's fixtures)."""
import os
import signal
import time

import usbip_client as U

# Sanitizer builds (make asan sets DFK_SANITIZED=1) run several times slower and keep freed
# memory in quarantine: scale timeouts, and memory bounds where a test says so.
SANITIZED = os.environ.get("DFK_SANITIZED", "") not in ("", "0")
SLOW = 5.0 if SANITIZED else 1.0


def proc_fd_count(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


def proc_status_kib(pid, field):
    """A 'kB' field of /proc/PID/status (VmRSS, VmHWM...) in KiB."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)


def proc_rss_kib(pid):
    return proc_status_kib(pid, "VmRSS")


def settled_fd_count(pid, timeout=2.0, stable_reads=5, interval=0.02):
    """The fd count once it has stayed the same for `stable_reads` reads (closing sockets takes
    the server one event-loop turn after our close)."""
    deadline = time.monotonic() + timeout * SLOW
    last, same = proc_fd_count(pid), 0
    while time.monotonic() < deadline:
        time.sleep(interval)
        n = proc_fd_count(pid)
        same = same + 1 if n == last else 0
        last = n
        if same >= stable_reads:
            break
    return last


def kill9(emulator):
    """SIGKILL the emulator and reap it; the emu fixture then does not expect it alive."""
    emulator.killed_by_test = True
    os.kill(emulator.proc.pid, signal.SIGKILL)
    emulator.proc.wait(10)
    return emulator.stop()


def open_camera(emulator, busid="1-1"):
    """(UsbipConnection, GenCP) on a freshly imported and configured device."""
    conn = U.open_device(emulator.host, emulator.port, busid, timeout=5.0 * SLOW)
    return conn, U.GenCP(conn, timeout=2.0 * SLOW, slack=0.25 * SLOW)


def import_retry(emulator, busid="1-1", timeout=3.0):
    """Import on a new connection, retrying while the server still reports ST_DEV_BUSY (it may
    not have seen the previous client's close yet). Returns the connection (imported, configured)."""
    deadline = time.monotonic() + timeout * SLOW
    while True:
        conn = U.UsbipConnection(emulator.host, emulator.port, 5.0 * SLOW)
        status, _ = conn.import_device(busid, check=False)
        if status == U.ST_OK:
            conn.set_configuration(1)
            return conn
        conn.close()
        if status != U.ST_DEV_BUSY or time.monotonic() > deadline:
            raise U.UsbipError("import of %s: status %d" % (busid, status), status)
        time.sleep(0.01)


def fixture_formats(fixtures):
    """The pixel format names of a model's fixtures (DIR/pixelformats.tsv), in the manual's order."""
    with open(os.path.join(fixtures, "pixelformats.tsv"), encoding="utf-8") as f:
        return [line.split("\t")[0] for line in f.read().splitlines()[1:] if line]
