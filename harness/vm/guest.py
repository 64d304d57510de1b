# SPDX-License-Identifier: MIT
"""Boot the test guest under QEMU and run commands in it.

One boot serves many commands. Each command is written to a shared 9p folder, announced on a
virtio-serial port ("run ID TIMEOUT"), run by the guest's init inside a chroot of the host's own
root (so the guest uses the host's usbip, lsusb, arv-tool-0.8, dfk-conform), and answered with
"DONE ID STATUS"; stdout and stderr come back as files in the same folder.

qemu always runs under `timeout -k` (a watchdog), dies with its parent (PR_SET_PDEATHSIG), and is
stopped by Guest.stop(), by the context manager, and at interpreter exit."""
import atexit
import ctypes
import json
import os
import re
import select
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import weakref

from . import deps, image

QEMU = "qemu-system-x86_64"
TIMEOUT = "/usr/bin/timeout"  # coreutils: the watchdog around qemu
# the checkout (harness/..), shared into the guest at the same path
PROJECT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if any(c.isspace() for c in PROJECT):
    raise RuntimeError("harness/vm: the project path must not contain white space: %r" % PROJECT)
if os.path.join(PROJECT, "python") not in sys.path:
    sys.path.insert(0, os.path.join(PROJECT, "python"))
from dfkemu.usbip import parse_usbip_port  # noqa: E402
HOST_FROM_GUEST = "10.0.2.2"  # slirp's alias for the host's 127.0.0.1
U3V_VID = "199e"

_live = weakref.WeakSet()


class GuestError(RuntimeError):
    pass


class QemuUnavailable(GuestError):
    """qemu itself could not start (the only reason a VM test may skip)."""


def _log(msg):
    print("dfk-vm: " + msg, flush=True)


def _pdeathsig():
    # The `timeout` wrapper gets SIGTERM when the Python process dies, and passes it on to qemu.
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:
        pass


def _qemu_path():
    q = os.environ.get("DFK_VM_QEMU") or shutil.which(QEMU, path=deps._PATH)
    if not q:
        raise QemuUnavailable("%s not found; install with:\n    %s"
                              % (QEMU, deps.apt_command(["qemu-system-x86"])))
    return q


def _boot_id():
    try:
        with open("/proc/sys/kernel/random/boot_id") as f:
            return f.read().strip()
    except OSError:
        return "?"


def probe_kvm(img, vmdir=None, timeout=10):
    """Boot the guest with KVM just to its init (which prints PROBE-OK and powers off).

    /dev/kvm may exist and still fail (e.g. "failed to set MSR 0x10a", or a hang), so only a
    boot that really reaches init counts. The verdict is cached per host boot."""
    if not os.path.exists("/dev/kvm") or not os.access("/dev/kvm", os.R_OK | os.W_OK):
        return False, "no usable /dev/kvm"
    vmdir = vmdir or image.VMDIR
    cache = os.path.join(vmdir, "kvm-probe.json")
    key = "%s %s %s" % (_boot_id(), img.release, os.path.getsize(_qemu_path()))
    try:
        with open(cache) as f:
            c = json.load(f)
        if c.get("key") == key:
            return c["ok"], c["why"]
    except (OSError, ValueError, KeyError):
        pass
    tmp = tempfile.mkdtemp(prefix="dfkvm-probe-")
    con = os.path.join(tmp, "console.log")
    cmd = [TIMEOUT, "-k", "2", str(timeout), _qemu_path(), "-nodefaults", "-no-user-config",
           "-display", "none", "-vga", "none", "-machine", "pc", "-accel", "kvm", "-cpu", "host",
           "-smp", "1", "-m", "256", "-no-reboot", "-kernel", img.vmlinux, "-initrd", img.initramfs,
           "-append", "console=ttyS0 panic=-1 quiet dfkvm.probe",
           "-chardev", "file,id=con,path=" + con, "-serial", "chardev:con"]
    t0 = time.monotonic()
    try:
        res = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                             preexec_fn=_pdeathsig)
        try:
            with open(con, errors="replace") as f:
                text = f.read()
        except OSError:
            text = ""
        ok = res.returncode == 0 and "PROBE-OK" in text
        if ok:
            why = "KVM boot reached init in %.1f s" % (time.monotonic() - t0)
        elif res.returncode == 124:
            why = "KVM boot hung (killed after %d s)" % timeout
        else:
            why = "KVM boot failed (rc=%d): %s" % (res.returncode, (res.stderr.strip() or text.strip())[-300:])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    try:
        os.makedirs(vmdir, exist_ok=True)
        with open(cache, "w") as f:
            json.dump({"key": key, "ok": ok, "why": why}, f)
    except OSError:
        pass
    return ok, why


def _sweep_stale_tmp():
    """Remove work folders of guests whose Python process was killed (SIGKILL leaves them)."""
    tmpdir = tempfile.gettempdir()
    for name in os.listdir(tmpdir):
        if not name.startswith("dfkvm-"):
            continue
        path = os.path.join(tmpdir, name)
        try:
            with open(os.path.join(path, "owner.pid")) as f:
                pid = int(f.read().strip())
        except (OSError, ValueError):
            continue
        if pid == os.getpid():
            continue
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            shutil.rmtree(path, ignore_errors=True)
        except OSError:
            pass


class Attachment:
    def __init__(self, port, bus, devnum, vid, pid, seconds, lsusb):
        self.port, self.bus, self.devnum = port, bus, devnum
        self.vid, self.pid, self.seconds, self.lsusb = vid, pid, seconds, lsusb

    def __repr__(self):
        return ("Attachment(port=%s, bus=%s, dev=%s, id=%s:%s, %.2f s)"
                % (self.port, self.bus, self.devnum, self.vid, self.pid, self.seconds))


class Guest:
    def __init__(self, img=None, accel=None, smp=2, mem_mib=1024, watchdog=3600,
                 vmdir=None, append=""):
        self.vmdir = vmdir or image.VMDIR
        self.img = img
        self.accel = accel or os.environ.get("DFK_VM_ACCEL", "auto")
        self.smp, self.mem_mib, self.watchdog = smp, mem_mib, watchdog
        self.append = append
        self.proc = None
        self.sock = None
        self.rbuf = b""
        self.seq = 0
        self.tmp = None
        self.boot_seconds = None
        self.kernel = None
        self.attached = []
        self.accel_used = None
        self.accel_why = ""
        self._dmesg_mark = 0
        self.busy = False  # a command is running in the guest (its loop would not read "quit")

    # ---- lifecycle -------------------------------------------------------------------------
    def start(self, boot_timeout=240):
        if self.img is None:
            self.img = image.build(self.vmdir)
        accel = self.accel
        if accel == "auto":
            ok, why = probe_kvm(self.img, self.vmdir)
            accel = "kvm" if ok else "tcg"
            self.accel_why = why
        self.accel_used = accel
        self.rbuf, self.busy, self.attached = b"", False, []
        _sweep_stale_tmp()
        self.tmp = tempfile.mkdtemp(prefix="dfkvm-")
        with open(os.path.join(self.tmp, "owner.pid"), "w") as f:
            f.write(str(os.getpid()))
        self.xfer = os.path.join(self.tmp, "xfer")
        os.mkdir(self.xfer)
        self.console = os.path.join(self.tmp, "console.log")
        self.qemu_log = os.path.join(self.tmp, "qemu.log")
        ctl = os.path.join(self.tmp, "ctl.sock")
        cpu = ["-accel", "kvm", "-cpu", "host"] if accel == "kvm" else ["-accel", "tcg", "-cpu", "max"]
        cmd = [TIMEOUT, "-k", "5", str(self.watchdog), _qemu_path(),
               "-nodefaults", "-no-user-config", "-display", "none", "-vga", "none",
               "-machine", "pc"] + cpu + [
               "-smp", str(self.smp), "-m", str(self.mem_mib), "-no-reboot",
               "-kernel", self.img.vmlinux, "-initrd", self.img.initramfs,
               "-append", ("console=ttyS0 panic=-1 quiet 8250.nr_uarts=1 dfkvm.project=%s %s"
                           % (PROJECT, self.append)).strip(),
               "-chardev", "file,id=con,path=" + self.console, "-serial", "chardev:con",
               "-nic", "user,model=virtio-net-pci,ipv6=off",
               "-virtfs", "local,path=/,mount_tag=hostroot,security_model=none,multidevs=remap,readonly=on",
               "-virtfs", "local,path=%s,mount_tag=xfer,security_model=none" % self.xfer,
               # the project tree again, on its own: the guest puts tmpfs over /tmp, /run and
               # /var/tmp, and a CI checkout may live there (init.sh mounts it back in place)
               "-virtfs", "local,path=%s,mount_tag=project,security_model=none,multidevs=remap,readonly=on"
               % PROJECT.replace(",", ",,"),
               "-device", "virtio-serial-pci",
               "-chardev", "socket,id=ctl,path=%s,server=on,wait=off" % ctl,
               "-device", "virtserialport,chardev=ctl,name=dfkctl"]
        self.cmdline = cmd
        t0 = time.monotonic()
        with open(self.qemu_log, "wb") as qlog:
            try:
                self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=qlog,
                                             stderr=subprocess.STDOUT, preexec_fn=_pdeathsig)
            except OSError as e:
                self._cleanup()
                raise QemuUnavailable("cannot run qemu: %s" % e)
        _live.add(self)
        try:
            self._connect(ctl, t0 + 30)
            self._send("hello")
            line = self._expect(lambda l: l.startswith("READY"), t0 + boot_timeout, "boot")
            self.kernel = line.split()[1] if len(line.split()) > 1 else None
            self.boot_seconds = time.monotonic() - t0
        except BaseException:
            self.stop()
            raise
        return self

    def _connect(self, path, deadline):
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise QemuUnavailable("qemu exited at start (rc=%s): %s"
                                      % (self.proc.returncode, self._qemu_output()))
            if os.path.exists(path):
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                try:
                    s.connect(path)
                    self.sock = s
                    return
                except OSError:
                    s.close()
            time.sleep(0.02)
        raise QemuUnavailable("qemu did not open its control socket within 30 s: "
                              + self._qemu_output())

    def _qemu_output(self):
        try:
            with open(self.qemu_log, errors="replace") as f:
                return f.read()[-2000:].strip()
        except (OSError, TypeError):
            return ""

    def console_text(self):
        try:
            with open(self.console, errors="replace") as f:
                return f.read()
        except (OSError, TypeError, AttributeError):
            return ""

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout=10):
        """Power the guest off; kill qemu if it does not go. Safe to call twice."""
        proc = self.proc
        if proc is not None:
            if proc.poll() is None and self.sock is not None and not self.busy:
                try:
                    self._send("quit")
                    proc.wait(timeout)
                except (OSError, subprocess.TimeoutExpired):
                    pass
            if proc.poll() is None:
                proc.terminate()  # timeout(1) forwards SIGTERM to qemu
                try:
                    proc.wait(5)
                except subprocess.TimeoutExpired:
                    pass
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)  # timeout(1) leads its own group
                except OSError:
                    proc.kill()
                proc.wait()
            self.proc = None
        if self.sock is not None:
            self.sock.close()
            self.sock = None
        _live.discard(self)
        self._cleanup()

    def _cleanup(self):
        if self.tmp:
            try:
                os.makedirs(self.vmdir, exist_ok=True)
                for name in ("console.log", "qemu.log"):
                    src = os.path.join(self.tmp, name)
                    if os.path.exists(src):
                        shutil.copy(src, os.path.join(self.vmdir, "last-" + name))
            except OSError:
                pass
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = None

    def __enter__(self):
        return self.start() if self.proc is None else self

    def __exit__(self, *exc):
        self.stop()

    # ---- control channel -------------------------------------------------------------------
    def _send(self, line):
        self.sock.sendall(line.encode() + b"\n")

    def _expect(self, pred, deadline, what):
        while True:
            while b"\n" in self.rbuf:
                raw, self.rbuf = self.rbuf.split(b"\n", 1)
                line = raw.decode(errors="replace").strip()
                if pred(line):
                    return line
            left = deadline - time.monotonic()
            if left <= 0:
                raise GuestError("guest: no answer for %s in time; console tail:\n%s"
                                 % (what, self.console_text()[-3000:]))
            if self.proc.poll() is not None:
                raise GuestError("qemu exited (rc=%s) while waiting for %s; qemu: %s\nconsole tail:\n%s"
                                 % (self.proc.returncode, what, self._qemu_output(),
                                    self.console_text()[-3000:]))
            r, _, _ = select.select([self.sock], [], [], min(left, 0.5))
            if r:
                data = self.sock.recv(65536)
                if not data:
                    raise GuestError("guest control channel closed during " + what)
                self.rbuf += data

    # ---- commands --------------------------------------------------------------------------
    def run_split(self, cmd, timeout=60):
        """Run a /bin/sh command line in the guest's chroot; return (status, stdout, stderr).

        A command that outlives `timeout` is killed in the guest and reported with status 124."""
        if not self.alive():
            raise GuestError("guest is not running")
        self.seq += 1
        cid = "c%d" % self.seq
        script = os.path.join(self.xfer, cid + ".sh")
        with open(script, "w") as f:
            f.write(cmd + "\n")
        self._send("run %s %d" % (cid, max(1, int(round(timeout)))))
        self.busy = True
        try:
            line = self._expect(lambda l: l.startswith("DONE %s " % cid), time.monotonic() + timeout + 20,
                                "command %r" % cmd)
        except GuestError:
            self.stop()  # a wedged guest is of no further use
            raise
        self.busy = False
        rc = int(line.split()[2])
        outs = []
        for ext in (".out", ".err"):
            p = os.path.join(self.xfer, cid + ext)
            try:
                with open(p, "rb") as f:
                    outs.append(f.read().decode(errors="replace"))
                os.unlink(p)
            except OSError:
                outs.append("")
        os.unlink(script)
        return rc, outs[0], outs[1]

    def run(self, cmd, timeout=60):
        """Run a command line in the guest; return (status, stdout+stderr interleaved)."""
        rc, out, _ = self.run_split("exec 2>&1\n" + cmd, timeout)
        return rc, out

    def check(self, cmd, timeout=60):
        rc, out = self.run(cmd, timeout)
        if rc != 0:
            raise GuestError("guest command failed (rc=%d): %s\n%s" % (rc, cmd, out))
        return out

    def put(self, name, data):
        """Put a file into the exchange folder; the guest sees it as /run/xfer/NAME."""
        with open(os.path.join(self.xfer, name), "wb" if isinstance(data, bytes) else "w") as f:
            f.write(data)
        return "/run/xfer/" + name

    def get(self, name):
        """Read a file that the guest wrote to /run/xfer/NAME."""
        with open(os.path.join(self.xfer, name), "rb") as f:
            return f.read()

    def xfer_path(self, name):
        return os.path.join(self.xfer, name)

    # ---- kernel log ------------------------------------------------------------------------
    def dmesg(self):
        return self.check("dmesg", 30)

    def dmesg_mark(self):
        """Remember the current end of the kernel log; dmesg_since() returns what came after."""
        self._dmesg_mark = len(self.dmesg().splitlines())
        return self._dmesg_mark

    def dmesg_since(self, mark=None):
        lines = self.dmesg().splitlines()
        return "\n".join(lines[self._dmesg_mark if mark is None else mark:])

    # ---- USB/IP ----------------------------------------------------------------------------
    def usb_devices(self, vid=U3V_VID):
        rc, out = self.run("lsusb -d %s:" % vid, 20)
        return [l for l in out.splitlines() if l.startswith("Bus ")]

    def ports(self):
        """{vhci port number: remote url} from `usbip port`."""
        rc, out = self.run("usbip port", 20)
        return parse_usbip_port(out)


    def attach(self, host_port, busid="1-1", timeout=30, host=HOST_FROM_GUEST, vid=U3V_VID):
        """usbip attach in the guest, then wait until the device is enumerated and configured."""
        steps = max(1, int(timeout / 0.05))
        # Poll sysfs with shell builtins only (a process start costs ~0.1-0.3 s under TCG).
        script = """
t0=$(date +%%s.%%N)
usbip --tcp-port %(port)d attach -r %(host)s -b %(busid)s || exit 90
i=0
while [ $i -lt %(steps)d ]; do
    for d in /sys/bus/usb/devices/*; do
        v=; c=
        [ -e $d/idVendor ] && read v < $d/idVendor
        [ "$v" = %(vid)s ] || continue
        read c < $d/bConfigurationValue
        [ -n "$c" ] || continue
        echo "ELAPSED $(echo "$(date +%%s.%%N) $t0" | awk '{printf "%%.3f", $1-$2}')"
        echo "SYSFS ${d##*/}"
        echo "LSUSB $(lsusb -d %(vid)s: | head -n1)"
        echo "PORTS"
        usbip port 2>&1
        exit 0
    done
    sleep 0.05
    i=$((i+1))
done
exit 91
""" % dict(port=host_port, host=host, busid=busid, steps=steps, vid=vid)
        t0 = time.monotonic()
        rc, out = self.run(script, timeout + 20)
        if rc == 90:
            raise GuestError("usbip attach failed:\n" + out + "\n" + self._dmesg_tail())
        if rc != 0:
            raise GuestError("device %s: did not enumerate within %d s after usbip attach (rc=%d):\n%s\n%s"
                             % (vid, timeout, rc, out, self._dmesg_tail()))
        lsusb = re.search(r"^LSUSB (.*)$", out, re.M).group(1)
        m = re.match(r"Bus (\d+) Device (\d+): ID ([0-9a-f]{4}):([0-9a-f]{4})", lsusb)
        if not m:
            raise GuestError("device enumerated in sysfs but lsusb does not list it:\n" + out)
        url_tail = ":%d/%s" % (host_port, busid)
        ports = parse_usbip_port(out.split("\nPORTS\n", 1)[-1])
        port = next((p for p, url in ports.items() if url.endswith(url_tail)), None)
        a = Attachment(port, int(m.group(1)), int(m.group(2)), m.group(3), m.group(4),
                       time.monotonic() - t0, lsusb)
        a.guest_seconds = float(re.search(r"^ELAPSED (\S+)", out, re.M).group(1))
        a.sysfs = re.search(r"^SYSFS (\S+)", out, re.M).group(1)
        self.attached.append(a)
        return a

    def detach(self, port=None, timeout=20, vid=U3V_VID):
        """usbip detach (one port, or every port in use), then wait until the device is gone."""
        ports = [port] if port is not None else sorted(self.ports())
        for p in ports:
            rc, out = self.run("usbip detach -p %d" % p, 20)
            if rc != 0:
                raise GuestError("usbip detach -p %d failed: %s" % (p, out))
        self.attached = [a for a in self.attached if port is not None and a.port != port]
        return self.wait_gone(timeout, vid)

    def wait_gone(self, timeout=20, vid=U3V_VID):
        """Wait until no device with this vendor id is left; return the seconds it took."""
        steps = max(1, int(timeout / 0.05))
        script = """
t0=$(date +%%s.%%N)
i=0
while [ $i -lt %d ]; do
    found=
    for d in /sys/bus/usb/devices/*; do
        v=
        [ -e $d/idVendor ] && read v < $d/idVendor 2>/dev/null
        [ "$v" = %s ] && found=1
    done
    if [ -z "$found" ]; then
        echo "$(date +%%s.%%N) $t0" | awk '{printf "%%.3f\\n", $1-$2}'
        exit 0
    fi
    sleep 0.05
    i=$((i+1))
done
exit 1
""" % (steps, vid)
        rc, out = self.run(script, timeout + 20)
        if rc != 0:
            raise GuestError("device %s still present %d s after detach/disconnect:\n%s\n%s"
                             % (vid, timeout, self.run("lsusb; usbip port")[1], self._dmesg_tail()))
        return float(out.split()[-1])

    def start_reattach(self, host_port, busid="1-1", host=HOST_FROM_GUEST, interval=0.2):
        """Re-plug the device whenever it drops off: while no vhci port is in use, run
        `usbip attach` again every `interval` s. A real camera re-enumerates by itself after
        DeviceReset; over USB/IP the emulator closes the connection instead and only a new
        attach brings it back. Log in the guest's /run/xfer/reattach.log."""
        script = """
rm -f /run/xfer/reattach.log
cat > /tmp/reattach.sh <<'EOS'
while :; do
    if ! awk 'FNR > 1 && $3 != "004" { used = 1 } END { exit !used }' /sys/devices/platform/vhci_hcd.0/status*; then
        if usbip --tcp-port %d attach -r %s -b %s >> /run/xfer/reattach.log 2>&1; then
            echo "re-attached at $(cut -d' ' -f1 /proc/uptime)" >> /run/xfer/reattach.log
        fi
    fi
    sleep %s
done
EOS
sh /tmp/reattach.sh > /dev/null 2>&1 < /dev/null &
echo $! > /tmp/reattach.pid
""" % (host_port, host, busid, interval)
        self.check(script, 20)

    def stop_reattach(self):
        """Stop the re-attach loop; returns its log."""
        self.run("[ -e /tmp/reattach.pid ] && kill $(cat /tmp/reattach.pid); rm -f /tmp/reattach.pid", 20)
        try:
            return self.get("reattach.log").decode(errors="replace")
        except OSError:
            return ""

    def _dmesg_tail(self, n=40):
        try:
            return "dmesg tail:\n" + "\n".join(self.dmesg().splitlines()[-n:])
        except GuestError:
            return ""


def quote(s):
    return shlex.quote(s)


@atexit.register
def _stop_all():
    for g in list(_live):
        try:
            g.stop()
        except Exception:
            pass
