# SPDX-License-Identifier: MIT
"""Start and stop dfk-emu for tests: a black box on a loopback port the OS picks."""
import os
import re
import select
import shutil
import signal
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("DFK_BUILD", os.path.join(ROOT, "build"))
EMU = os.path.join(BUILD, "dfk-emu")
CONFORM = os.path.join(BUILD, "dfk-conform")

LISTEN_RE = re.compile(r"listening on ([0-9.]+):(\d+)")


class Emulator:
    """One dfk-emu process. `port` is the TCP port it actually bound."""

    def __init__(self, args=(), state_dir=None, env=None):
        self.owns_state = state_dir is None
        self.state_dir = state_dir or tempfile.mkdtemp(prefix="dfk-state-")
        self.args = list(args)
        self.env = env
        self.proc = None
        self.host = None
        self.port = None
        self.log_path = os.path.join(self.state_dir, "emu.log")

    def start(self, timeout=10.0):
        os.makedirs(self.state_dir, exist_ok=True)
        cmd = [EMU, "--listen", "127.0.0.1:0", "--state-dir", self.state_dir] + self.args
        self.log = open(self.log_path, "ab")
        # stdout goes to a file: nothing can block on a pipe nobody reads
        self.out_path = os.path.join(self.state_dir, "emu.stdout")
        self.out = open(self.out_path, "wb")
        self.proc = subprocess.Popen(cmd, stdout=self.out, stderr=self.log, env=self.env)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with open(self.out_path, encoding="utf-8", errors="replace") as f:
                m = LISTEN_RE.search(f.read())
            if m:
                self.host, self.port = m.group(1), int(m.group(2))
                return self
            if self.proc.poll() is not None:
                raise RuntimeError("dfk-emu exited (%s) before listening: %s" % (self.proc.returncode, self.tail()))
            select.select([], [], [], 0.01)
        self.stop(signal.SIGKILL)
        raise RuntimeError("dfk-emu did not report its port within %.0f s" % timeout)

    def url(self, busid="1-1"):
        return "usbip://%s:%d/%s" % (self.host, self.port, busid)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def tail(self, n=4000):
        try:
            with open(self.log_path, "rb") as f:
                return f.read()[-n:].decode(errors="replace")
        except OSError:
            return ""

    def stop(self, sig=signal.SIGTERM, timeout=10.0):
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.out.close()
        self.log.close()
        rc = self.proc.returncode
        self.proc = None
        return rc

    def cleanup(self):
        """Remove the state directory if this object made it."""
        if self.owns_state:
            shutil.rmtree(self.state_dir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        self.cleanup()
