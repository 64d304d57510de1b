# SPDX-License-Identifier: MIT
"""Python client of dfk-emu's I/O side channel (docs/io-protocol.md): drive
TRIGGER_IN, read STROBE_OUT, control the device clock and the scene, read the
event log, start and stop VCD traces."""
import socket
import time


class IoError(Exception):
    pass


class IoChannel:
    def __init__(self, path, timeout=10.0):
        """path: the Unix socket of `dfk-emu --io PATH`, or tcp:HOST:PORT (`--io tcp:...`)."""
        if path.startswith("tcp:"):
            host, _, port = path[4:].rpartition(":")
            self.sock = socket.create_connection((host.strip("[]"), int(port)), timeout)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        else:
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.sock.settimeout(timeout)
            self.sock.connect(path)
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

    # conveniences
    def time(self):
        return int(self.request("time"))

    def seq(self):
        return int(self.request("seq"))

    def pause(self):
        self.request("clock pause")

    def run(self):
        self.request("clock run")

    def advance(self, ns):
        return int(self.request("clock advance %d" % ns))

    def submitted(self):
        """Transfers the emulator's USB/IP server has taken in so far (`urbs`)."""
        return int(dict(kv.split("=") for kv in self.request("urbs").split())["submitted"])

    def wait_submitted(self, count, timeout=10.0):
        """Wait until `count` transfers were taken in: a transfer sent on the USB/IP socket
        and a clock advance sent here race each other otherwise."""
        deadline = time.monotonic() + timeout
        while self.submitted() < count:
            if time.monotonic() > deadline:
                raise IoError("the emulator did not take in %d transfers" % count)
            time.sleep(0.005)

    def events(self, since=0):
        out = []
        for line in self.lines("events from %d" % since):
            w = line.split()
            ev = {"seq": int(w[0]), "t": int(w[1]), "kind": w[2], "a": int(w[3]), "b": int(w[4])}
            if len(w) > 5:
                ev["reason"] = w[5]
            out.append(ev)
        return out


MULTILINE = {"events", "help"}    # requests answered by "ok N" and N lines


def main(argv):
    """dfk_io.py SOCKET REQUEST...: send each request (one argument each), print the replies.
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
            words = req.split()
            if words and words[0] in MULTILINE and reply[3:].strip().isdigit():
                for _ in range(int(reply[3:])):
                    print(io._line())
    return 0


if __name__ == "__main__":
    import sys
    sys.exit(main(sys.argv[1:]))
