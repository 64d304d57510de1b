# SPDX-License-Identifier: MIT
"""Host packages the QEMU harness needs, and installing them with apt-get when missing."""
import glob
import os
import shutil
import subprocess

# Debian package -> a file that proves it is installed.
PACKAGES = [
    ("qemu-system-x86", lambda: shutil.which("qemu-system-x86_64", path=_PATH)),
    ("linux-image-amd64", lambda: _kernel_present()),
    ("busybox-static", lambda: _busybox_static()),
    ("usbutils", lambda: shutil.which("lsusb", path=_PATH)),
    ("aravis-tools", lambda: shutil.which("arv-camera-test-0.8", path=_PATH)),
    ("aravis-tools-cli", lambda: shutil.which("arv-tool-0.8", path=_PATH)),
    # harness/test_clients.py: GStreamer's aravissrc (in libaravis-0.8-0) with pngenc/capssetter,
    # and ArvCamera from Debian's /usr/bin/python3 through GObject introspection
    ("gstreamer1.0-tools", lambda: shutil.which("gst-launch-1.0", path=_PATH)),
    ("gstreamer1.0-plugins-good", lambda: glob.glob("/usr/lib/*/gstreamer-1.0/libgstpng.so")),
    ("gir1.2-aravis-0.8", lambda: glob.glob("/usr/lib/*/girepository-1.0/Aravis-0.8.typelib")),
    ("python3-gi", lambda: os.path.exists("/usr/lib/python3/dist-packages/gi/__init__.py")),
    ("usbip", lambda: shutil.which("usbip", path=_PATH)),
    ("kmod", lambda: shutil.which("modprobe", path=_PATH)),
    ("tcpdump", lambda: shutil.which("tcpdump", path=_PATH)),   # usbmon pcap in the guest (test_analyze_vm.py)
    ("v4l-utils", lambda: shutil.which("v4l2-ctl", path=_PATH)),  # uvcvideo in the guest (test_uvc_vm.py)
]

_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
BUSYBOX = "/bin/busybox"


class MissingDependencies(RuntimeError):
    pass


def _kernel_present():
    for vmlinuz in glob.glob("/boot/vmlinuz-*"):
        ver = os.path.basename(vmlinuz)[len("vmlinuz-"):]
        if os.path.isdir(os.path.join("/lib/modules", ver, "kernel")):
            return True
    return False


def _busybox_static():
    """busybox-static's /bin/busybox is a static ELF (no PT_INTERP); the busybox package's is dynamic."""
    import struct
    try:
        with open(BUSYBOX, "rb") as f:
            head = f.read(65536)
    except OSError:
        return False
    if head[:4] != b"\x7fELF" or head[4] != 2:
        return False
    phoff, = struct.unpack_from("<Q", head, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", head, 0x36)
    for i in range(phnum):
        off = phoff + i * phentsize
        if off + 4 > len(head):
            return False
        if struct.unpack_from("<I", head, off)[0] == 3:  # PT_INTERP
            return False
    return True


def missing():
    return [name for name, check in PACKAGES if not check()]


def apt_command(pkgs):
    return "apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends " + " ".join(pkgs)


def ensure(install=True, log=print):
    """Install what is missing (as root), or raise MissingDependencies naming the exact command."""
    need = missing()
    if not need:
        return []
    cmd = apt_command(need)
    if not install or os.geteuid() != 0:
        raise MissingDependencies(
            "the QEMU harness needs Debian packages that are not installed: %s\n"
            "install them as root with:\n    %s" % (" ".join(need), cmd))
    log("dfk-vm: installing: " + cmd)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    rc = subprocess.run(["sh", "-c", cmd], env=env).returncode
    still = missing()
    if rc != 0 or still:
        raise MissingDependencies("apt-get failed (rc=%d); still missing: %s\n    %s"
                                  % (rc, " ".join(still), cmd))
    return need
