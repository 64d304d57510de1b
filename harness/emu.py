"""Start and stop dfk-emu for tests: a black box on a loopback port the OS picks."""
import os
import re
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
        cmd = [EMU, "--listen", "127.0.0.1:0", "--state-dir", self.state_dir] + self.args
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self.log,
                                     env=self.env, text=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError("dfk-emu exited before listening: " + self.tail())
            m = LISTEN_RE.search(line)
            if m:
                self.host, self.port = m.group(1), int(m.group(2))
                return self
        raise RuntimeError("dfk-emu did not report its port in time")

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
        self.proc.stdout.close()
        self.log.close()
        rc = self.proc.returncode
        self.proc = None
        return rc

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
