# SPDX-License-Identifier: MIT
"""Python client of dfk-emu's I/O side channel (docs/io-protocol.md, dfk-emu-io(7)): drive
TRIGGER_IN, read STROBE_OUT, control the device clock and the scene, read the event log,
arm faults (docs/faults.md), read the host monitor's violations, start and stop VCD traces.

Run as a program: python3 -m dfkemu.io SOCKET|tcp:HOST:PORT 'REQUEST' ... prints each reply."""
import socket
import time


class IoError(Exception):
    pass


# requests answered by "ok N" and N lines: the first word(s) of the request
MULTILINE = {"events", "help", "violations", "fault list"}


def _is_multiline(request):
    w = request.split()
    return bool(w) and (w[0] in MULTILINE or " ".join(w[:2]) in MULTILINE)


def _at(at):
    """The `at` words of a request: None (now), an int (absolute device time) or "+N"."""
    if at is None:
        return ""
    return " at %s" % (at if isinstance(at, str) else "%d" % at)


def _keyvals(text):
    return {k: int(v) for k, v in (kv.split("=", 1) for kv in text.split())}


class IoChannel:
    def __init__(self, path, timeout=10.0):
        """path: the Unix socket of `dfk-emu --io PATH`, or tcp:HOST:PORT (`--io tcp:...`)."""
        path = str(path)
        if path.startswith("tcp:"):
            host, _, port = path[4:].rpartition(":")
            self.sock = socket.create_connection((host.strip("[]"), int(port)), timeout)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        else:
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.sock.settimeout(timeout)
            try:
                self.sock.connect(path)
            except OSError:
                self.sock.close()
                raise
        self.sock.settimeout(timeout)
        self.buf = b""

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _line(self):
        while b"\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise IoError("side channel closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line.decode()

    def raw(self, request):
        """Send one line, return the reply line as it came (for protocol tests)."""
        self.sock.sendall(request.encode() + b"\n")
        return self._line()

    def request(self, request):
        """Send one line; return the words after 'ok', or raise IoError with the error text."""
        reply = self.raw(request)
        if reply == "ok" or reply.startswith("ok "):
            return reply[3:]
        raise IoError("%s: %s" % (request, reply))

    def lines(self, request):
        """A request answered by 'ok N' and N lines."""
        n = int(self.request(request))
        return [self._line() for _ in range(n)]

    # ---- the device clock ----
    def time(self):
        """Device time now (ns since power-up)."""
        return int(self.request("time"))

    def clock(self):
        """{'t', 'scale', 'paused', 'waits', 'waited_ms'}"""
        w = self.request("clock").split()
        d = {"t": int(w[0])}
        for k, v in zip(w[1::2], w[2::2]):
            d[k] = float(v) if k == "scale" else int(v)
        return d

    def pause(self):
        self.request("clock pause")

    def run(self):
        self.request("clock run")

    def scale(self, x):
        self.request("clock scale %r" % float(x))

    def advance(self, ns):
        """Paused clock (or scale 0): run every event up to now + ns; the device time after it."""
        return int(self.request("clock advance %d" % ns))

    def until(self, t):
        """Likewise, up to device time t."""
        return int(self.request("clock until %d" % t))

    def seq(self):
        """The sequence number the next logged event will get."""
        return int(self.request("seq"))

    # ---- TRIGGER_IN and STROBE_OUT ----
    def line(self):
        """TRIGGER_IN level now."""
        return int(self.request("line"))

    def line_set(self, level, at=None):
        self.request("line set %d%s" % (level, _at(at)))

    def pulse(self, width, at=None, count=None, period=None):
        """`count` high pulses of `width` ns, `period` ns apart, the first at `at` (None: now;
        an int: device time; "+N": N ns from now)."""
        req = "line pulse %d%s" % (width, _at(at))
        if count is not None:
            req += " count %d" % count
        if period is not None:
            req += " period %d" % period
        self.request(req)

    line_pulse = pulse

    def wave(self, changes):
        """changes: [(T, level), ...] at increasing device times."""
        self.request("line wave " + " ".join("%d %d" % (t, lv) for t, lv in changes))

    line_wave = wave

    def strobe(self):
        """STROBE_OUT level now."""
        return int(self.request("strobe"))

    # ---- the event log and counters ----
    def events(self, since=0, max=None):
        """The event log from sequence number `since` (at most `max` events): dicts seq, t, kind,
        a, b (and reason of a trigger_rejected)."""
        out = []
        for line in self.lines("events from %d%s" % (since, "" if max is None else " max %d" % max)):
            w = line.split()
            ev = {"seq": int(w[0]), "t": int(w[1]), "kind": w[2], "a": int(w[3]), "b": int(w[4])}
            if len(w) > 5:
                ev["reason"] = w[5]
            out.append(ev)
        return out

    def stats(self):
        """{'started', 'delivered', 'dropped', 'discarded', 'accepted', 'rejected', 'power_ups'}"""
        return _keyvals(self.request("stats"))

    def memory(self):
        """{'level', 'frames', 'max_level', 'size', 'max_frames'}: the frame memory."""
        return _keyvals(self.request("memory"))

    def urbs(self):
        return _keyvals(self.request("urbs"))

    def submitted(self):
        """Transfers the emulator's USB/IP server has taken in so far (`urbs`)."""
        return self.urbs()["submitted"]

    def wait_submitted(self, count, timeout=10.0):
        """Wait until `count` transfers were taken in: a transfer sent on the USB/IP socket
        and a clock advance sent here race each other otherwise."""
        deadline = time.monotonic() + timeout
        while self.submitted() < count:
            if time.monotonic() > deadline:
                raise IoError("the emulator did not take in %d transfers" % count)
            time.sleep(0.005)

    # ---- the scene, the camera, traces ----
    def camera(self, busid):
        self.request("camera %s" % busid)

    def source(self, name, seed=None):
        self.request("source %s%s" % (name, "" if seed is None else " seed %d" % seed))

    def vcd_start(self, path):
        self.request("vcd start %s" % path)

    def vcd_stop(self):
        self.request("vcd stop")

    # ---- faults (docs/faults.md) and the host monitor (docs/host-monitor.md) ----
    def fault_add(self, line):
        """Arm a fault; its id. IoError carries dfk-emu's reason for a bad line."""
        return int(self.request("fault add " + line))

    def fault_list(self):
        """The armed faults: dicts id, line (canonical form), fired."""
        out = []
        for text in self.lines("fault list"):
            fid, _, rest = text.partition(" ")
            line, _, fired = rest.rpartition(" # fired ")
            out.append({"id": int(fid), "line": line, "fired": int(fired)})
        return out

    def fault_clear(self, fid=None):
        """Remove one fault (by id) or all; how many were removed."""
        return int(self.request("fault clear" if fid is None else "fault clear %d" % fid))

    def violations(self, since=0):
        """What the host did wrong so far: dicts index, t, rule, severity, seq (None for a
        device fact), detail. IoError with `--monitor off`."""
        out = []
        for text in self.lines("violations from %d" % since if since else "violations"):
            w = text.split(" ", 5)
            out.append({"index": int(w[0]), "t": int(w[1]), "rule": w[2], "severity": w[3],
                        "seq": None if w[4] == "-" else int(w[4]), "detail": w[5] if len(w) > 5 else ""})
        return out

    def help(self):
        return self.lines("help")


def main(argv):
    """SOCKET REQUEST...: send each request (one argument each), print the replies.
    Exit 1 at the first error reply."""
    if len(argv) < 2:
        print("usage: dfk_io.py SOCKET|tcp:HOST:PORT 'REQUEST' ['REQUEST' ...]   (requests: dfk_io.py SOCKET help)")
        return 2
    with IoChannel(argv[0]) as io:
        for req in argv[1:]:
            reply = io.raw(req)
            print(reply)
            if not reply.startswith("ok"):
                return 1
            if _is_multiline(req) and reply[3:].strip().isdigit():
                for _ in range(int(reply[3:])):
                    print(io._line())
    return 0


if __name__ == "__main__":
    import sys
    sys.exit(main(sys.argv[1:]))
