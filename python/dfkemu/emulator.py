# SPDX-License-Identifier: MIT
"""Start and stop dfk-emu: a black box on a loopback port the OS picks (`--listen HOST:0`;
the port it bound is read from the line it prints), its state in a directory of its own,
optionally its I/O side channel on a Unix socket in a private temporary directory."""
import os
import re
import select
import shutil
import signal
import subprocess
import tempfile
import time

from .io import IoChannel

LISTEN_RE = re.compile(r"listening on ([0-9.]+):(\d+)")
SERIAL_RE = re.compile(r", serial (\d+),")
EXE_NAME = "dfk-emu"


class EmulatorError(RuntimeError):
    """dfk-emu could not be found or did not start."""


def _executable(path):
    return bool(path) and os.path.isfile(path) and os.access(path, os.X_OK)


def _candidates():
    """Where dfk-emu may be, in order, besides an explicit path: $DFK_EMU; next to the package's
    install prefix (PREFIX/lib/python3/dist-packages/dfkemu -> PREFIX/bin); in the source tree
    (python/dfkemu -> $DFK_BUILD or build/); $PATH."""
    out = []
    if os.environ.get("DFK_EMU"):
        out.append(("$DFK_EMU", os.environ["DFK_EMU"]))
    pkg = os.path.dirname(os.path.abspath(__file__))
    parts = pkg.split(os.sep)
    if len(parts) >= 5 and parts[-4] == "lib" and parts[-3].startswith("python3") and \
            parts[-2] in ("dist-packages", "site-packages"):
        prefix = os.sep.join(parts[:-4]) or os.sep
        out.append(("install prefix", os.path.join(prefix, "bin", EXE_NAME)))
    root = os.path.dirname(os.path.dirname(pkg))
    if os.path.basename(os.path.dirname(pkg)) == "python" and os.path.isfile(os.path.join(root, "Makefile")):
        build = os.environ.get("DFK_BUILD", os.path.join(root, "build"))
        out.append(("source tree", os.path.join(build, EXE_NAME)))
    found = shutil.which(EXE_NAME)
    if found:
        out.append(("$PATH", found))
    return out


def find_emulator(path=None):
    """The dfk-emu to run: `path` if given (it must be executable), else $DFK_EMU, else the
    dfk-emu installed with this package (PREFIX/bin), else the source tree's build, else $PATH.
    Raises EmulatorError naming every place looked at."""
    if path:
        if _executable(path):
            return os.path.abspath(path)
        raise EmulatorError("%s: no such executable (the dfk-emu given)" % path)
    env = os.environ.get("DFK_EMU")
    if env and not _executable(env):
        raise EmulatorError("DFK_EMU=%s: no such executable" % env)
    looked = []
    for what, cand in _candidates():
        if _executable(cand):
            return os.path.abspath(cand)
        looked.append("%s (%s)" % (cand, what))
    raise EmulatorError("dfk-emu not found: give its path (pytest --dfk-emu PATH, $DFK_EMU) or put it on "
                        "$PATH; looked at: %s" % (", ".join(looked) or "$PATH only"))


class Emulator:
    """One dfk-emu process. `port` is the TCP port it actually bound, `url()` its
    usbip://HOST:PORT/BUSID, `serial` the serial number it exports, `io_path` its side channel.

    Options (None: dfk-emu's default): model, serial, time_scale, source ("scene" or
    "pattern"), seed, faults (a scenario file, docs/faults.md), monitor (True/False),
    host_report (PATH: PATH.json and PATH.xml at exit), cameras, io (True: a Unix socket in a
    private temporary directory; a str: that path or tcp:HOST:PORT), args (more arguments,
    appended as given), state_dir (default: a temporary directory removed by cleanup()),
    exe (default: find_emulator()), env, listen_host."""

    def __init__(self, args=(), state_dir=None, env=None, exe=None, model=None, serial=None,
                 time_scale=None, source=None, seed=None, faults=None, monitor=None, host_report=None,
                 cameras=None, io=None, listen_host="127.0.0.1"):
        self.owns_state = state_dir is None
        self.state_dir = state_dir or tempfile.mkdtemp(prefix="dfk-state-")
        self.args = list(args)
        self.env = env
        self.exe = exe
        self.options = dict(model=model, serial=serial, time_scale=time_scale, source=source, seed=seed,
                            faults=faults, monitor=monitor, host_report=host_report, cameras=cameras)
        self.io_request = io
        self.io_path = None
        self._io_dir = None
        self.listen_host = listen_host
        self.proc = None
        self.host = None
        self.port = None
        self.log_path = os.path.join(self.state_dir, "emu.log")
        self.out_path = os.path.join(self.state_dir, "emu.stdout")

    def option_args(self):
        """The command-line arguments of the options (not the extra args)."""
        o, a = self.options, []
        if o["model"] is not None:
            a += ["--model", str(o["model"])]
        if o["serial"] is not None:
            a += ["--serial", "%08d" % o["serial"] if isinstance(o["serial"], int) else str(o["serial"])]
        if o["time_scale"] is not None:
            a += ["--time-scale", repr(float(o["time_scale"]))]
        if o["source"] is not None:
            a += ["--source", str(o["source"])]
        if o["seed"] is not None:
            a += ["--seed", str(int(o["seed"]))]
        if o["faults"] is not None:
            a += ["--faults", os.fspath(o["faults"])]
        if o["monitor"] is not None:
            a += ["--monitor", "on" if o["monitor"] else "off"]
        if o["host_report"] is not None:
            a += ["--host-report", os.fspath(o["host_report"])]
        if o["cameras"] is not None:
            a += ["--cameras", str(int(o["cameras"]))]
        if self.io_path is not None:
            a += ["--io", self.io_path]
        return a

    def command(self):
        exe = self.exe or find_emulator()
        return [exe, "--listen", "%s:0" % self.listen_host, "--state-dir", self.state_dir] + \
            self.option_args() + self.args

    def start(self, timeout=10.0):
        os.makedirs(self.state_dir, exist_ok=True)
        if self.io_request is True and self.io_path is None:
            # a Unix socket path is at most 107 bytes: a short private directory, not the state dir
            self._io_dir = tempfile.mkdtemp(prefix="dfkemu-io-")
            self.io_path = os.path.join(self._io_dir, "io.sock")
        elif isinstance(self.io_request, (str, os.PathLike)):
            self.io_path = os.fspath(self.io_request)
        cmd = self.command()
        self.log = open(self.log_path, "ab")
        # stdout goes to a file: nothing can block on a pipe nobody reads
        self.out = open(self.out_path, "wb")
        self.proc = subprocess.Popen(cmd, stdout=self.out, stderr=self.log, env=self.env)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            m = LISTEN_RE.search(self.stdout())
            if m:
                self.host, self.port = m.group(1), int(m.group(2))
                return self
            if self.proc.poll() is not None:
                raise EmulatorError("dfk-emu exited (%s) before listening: %s" % (self.proc.returncode, self.tail()))
            select.select([], [], [], 0.01)
        self.stop(signal.SIGKILL)
        raise EmulatorError("dfk-emu did not report its port within %.0f s" % timeout)

    def stdout(self):
        """What dfk-emu printed on stdout so far (its banner)."""
        try:
            with open(self.out_path, encoding="utf-8", errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    @property
    def serial(self):
        """The serial number of the (first) camera, as dfk-emu printed it."""
        deadline = time.monotonic() + 5.0
        while True:
            m = SERIAL_RE.search(self.stdout())
            if m:
                return m.group(1)
            if time.monotonic() > deadline or not self.alive():
                return None
            time.sleep(0.01)

    def url(self, busid="1-1"):
        return "usbip://%s:%d/%s" % (self.host, self.port, busid)

    def io(self, timeout=10.0):
        """A new connection to the side channel (needs io=...); close it, or use `with`."""
        if self.io_path is None:
            raise EmulatorError("this dfk-emu has no I/O side channel (start it with io=True)")
        deadline = time.monotonic() + timeout
        while True:     # the socket exists once the banner is out, but be patient with a slow host
            try:
                return IoChannel(self.io_path, timeout)
            except (FileNotFoundError, ConnectionRefusedError):
                if time.monotonic() > deadline or not self.alive():
                    raise
                time.sleep(0.01)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def tail(self, n=4000):
        try:
            with open(self.log_path, "rb") as f:
                return f.read()[-n:].decode(errors="replace")
        except OSError:
            return ""

    def stop(self, sig=signal.SIGTERM, timeout=10.0):
        """Stop it (SIGTERM, then SIGKILL after `timeout` s); its exit status (negative: a signal)."""
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
        """Remove the state directory if this object made it, and the side channel's directory."""
        if self.owns_state:
            shutil.rmtree(self.state_dir, ignore_errors=True)
        if self._io_dir:
            shutil.rmtree(self._io_dir, ignore_errors=True)
            self._io_dir = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        self.cleanup()
