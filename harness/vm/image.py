# SPDX-License-Identifier: MIT
"""Build (once) and cache the guest: an ELF vmlinux cut out of Debian's bzImage and a
busybox-static initramfs carrying the modules for usbip/vhci, virtio-net, 9p, usbmon and uvcvideo."""
import glob
import hashlib
import io
import json
import lzma
import os
import re
import stat
import struct
import subprocess
import tempfile

from . import deps

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BUILD = os.environ.get("DFK_BUILD", os.path.join(ROOT, "build"))
VMDIR = os.path.join(BUILD, "vm")

# Top-level modules; their dependencies are resolved with modprobe --show-depends.
# uvcvideo (with videodev, mc, videobuf2-*): the camera's UVC face (harness/test_uvc_vm.py).
MODULES = ["virtio_pci", "virtio_net", "virtio_console", "9pnet_virtio", "9p",
           "vhci-hcd", "usbmon", "uvcvideo"]
OPTIONAL_MODULES = {"usbmon"}
FORMAT = 4  # bump to force a rebuild when the layout below changes

BUSYBOX_APPLETS = ["sh", "mount", "umount", "mkdir", "cat", "echo", "insmod", "ip", "usleep",
                   "sleep", "grep", "cut", "poweroff", "chroot", "sync", "uname", "ls", "dmesg",
                   "test", "[", "env", "reboot"]


def log(msg):
    print("dfk-vm: " + msg, flush=True)


def kernel_release():
    """The newest /boot/vmlinuz-* that has its modules installed (or $DFK_VM_KERNEL)."""
    want = os.environ.get("DFK_VM_KERNEL")
    found = []
    for vmlinuz in glob.glob("/boot/vmlinuz-*"):
        ver = os.path.basename(vmlinuz)[len("vmlinuz-"):]
        if os.path.isdir(os.path.join("/lib/modules", ver, "kernel")):
            found.append(ver)
    if want:
        if want not in found:
            raise RuntimeError("DFK_VM_KERNEL=%s: no /boot/vmlinuz-%s with modules" % (want, want))
        return want
    if not found:
        raise deps.MissingDependencies(
            "no kernel with modules under /boot: install one with\n    " +
            deps.apt_command(["linux-image-amd64"]))

    def key(v):
        return [int(x) if x.isdigit() else x for x in re.split(r"[.-]", v)]
    return sorted(found, key=key)[-1]


def extract_vmlinux(bzimage_path, out_path):
    """Find the xz stream inside the bzImage and decompress it to the ELF vmlinux.

    Booting the ELF directly (PVH entry) saves the in-guest decompression, ~3 s under TCG."""
    with open(bzimage_path, "rb") as f:
        data = f.read()
    magic = b"\xfd7zXZ\x00"
    pos = data.find(magic)
    while pos >= 0:
        try:
            dec = lzma.LZMADecompressor(format=lzma.FORMAT_XZ)
            elf = dec.decompress(data[pos:])
            if elf[:4] == b"\x7fELF":
                _atomic_write(out_path, elf)
                return out_path
        except lzma.LZMAError:
            pass
        pos = data.find(magic, pos + 1)
    raise RuntimeError("%s: no xz-compressed ELF found (kernel not xz-compressed?)" % bzimage_path)


def has_pvh_note(vmlinux_path):
    """True when the ELF carries XEN_ELFNOTE_PHYS32_ENTRY (type 18), QEMU's PVH entry."""
    with open(vmlinux_path, "rb") as f:
        data = f.read()
    if data[:4] != b"\x7fELF":
        return False
    phoff, = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    for i in range(phnum):
        p_type, _flags, p_offset, _va, _pa, p_filesz = struct.unpack_from("<IIQQQQ", data, phoff + i * phentsize)
        if p_type != 4:  # PT_NOTE
            continue
        off, end = p_offset, p_offset + p_filesz
        while off + 12 <= end:
            namesz, descsz, ntype = struct.unpack_from("<III", data, off)
            name = data[off + 12: off + 12 + namesz].rstrip(b"\0")
            if name == b"Xen" and ntype == 18:
                return True
            off += 12 + ((namesz + 3) & ~3) + ((descsz + 3) & ~3)
    return False


def module_plan(release):
    """[(path on host, params)] in load order, deduplicated."""
    plan, seen = [], set()
    for mod in MODULES:
        res = subprocess.run(["modprobe", "-S", release, "--show-depends", mod],
                             capture_output=True, text=True,
                             env=dict(os.environ, PATH=deps._PATH))
        if res.returncode != 0:
            if mod in OPTIONAL_MODULES:
                log("optional module %s not available: %s" % (mod, res.stderr.strip()))
                continue
            raise RuntimeError("modprobe -S %s --show-depends %s failed: %s"
                               % (release, mod, res.stderr.strip()))
        for line in res.stdout.splitlines():
            parts = line.split()
            if not parts or parts[0] != "insmod":
                continue  # "builtin X"
            path, params = parts[1], " ".join(parts[2:])
            if path not in seen:
                seen.add(path)
                plan.append((path, params))
    return plan


def read_module(path):
    with open(path, "rb") as f:
        data = f.read()
    if path.endswith(".xz"):
        return lzma.decompress(data)
    if path.endswith(".zst"):
        return subprocess.run(["zstd", "-dc", path], check=True, capture_output=True).stdout
    if path.endswith(".gz"):
        import gzip
        return gzip.decompress(data)
    return data


class Cpio:
    """Minimal writer for the kernel's initramfs format (cpio "newc")."""

    def __init__(self):
        self.buf = io.BytesIO()
        self.ino = 1000

    def _entry(self, name, mode, data=b"", nlink=1):
        name_b = name.encode() + b"\0"
        self.ino += 1
        hdr = "070701" + "".join("%08X" % v for v in (
            self.ino, mode, 0, 0, nlink, 0, len(data), 0, 0, 0, 0, len(name_b), 0))
        self.buf.write(hdr.encode() + name_b)
        self._pad()
        self.buf.write(data)
        self._pad()

    def _pad(self):
        self.buf.write(b"\0" * (-self.buf.tell() % 4))

    def dir(self, name):
        self._entry(name, stat.S_IFDIR | 0o755, nlink=2)

    def file(self, name, data, mode=0o644):
        self._entry(name, stat.S_IFREG | mode, data)

    def symlink(self, name, target):
        self._entry(name, stat.S_IFLNK | 0o777, target.encode())

    def node(self, name, mode, major, minor):
        name_b = name.encode() + b"\0"
        self.ino += 1
        hdr = "070701" + "".join("%08X" % v for v in (
            self.ino, mode, 0, 0, 1, 0, 0, 0, 0, major, minor, len(name_b), 0))
        self.buf.write(hdr.encode() + name_b)
        self._pad()

    def finish(self):
        self._entry("TRAILER!!!", 0, nlink=1)
        return self.buf.getvalue()


def init_script(host_cache):
    with open(os.path.join(HERE, "init.sh")) as f:
        return f.read().replace("@HOSTCACHE@", host_cache)


def build_initramfs(release, out_path, host_cache):
    plan = module_plan(release)
    c = Cpio()
    for d in ["bin", "dev", "proc", "sys", "tmp", "run", "lib", "lib/dfkmod", "host", "xfer"]:
        c.dir(d)
    c.node("dev/console", stat.S_IFCHR | 0o600, 5, 1)
    c.node("dev/ttyS0", stat.S_IFCHR | 0o600, 4, 64)
    with open(deps.BUSYBOX, "rb") as f:
        c.file("bin/busybox", f.read(), 0o755)
    for a in BUSYBOX_APPLETS:
        c.symlink("bin/" + a, "busybox")
    order = []
    for path, params in plan:
        name = os.path.basename(path)
        for ext in (".xz", ".zst", ".gz"):
            if name.endswith(ext):
                name = name[:-len(ext)]
        c.file("lib/dfkmod/" + name, read_module(path))
        order.append((name + " " + params).strip())
    c.file("lib/dfkmod/order", ("\n".join(order) + "\n").encode())
    c.file("init", init_script(host_cache).encode(), 0o755)
    _atomic_write(out_path, c.finish())
    return [o.split()[0] for o in order]


def _atomic_write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".tmp-")
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def _fingerprint(release, host_cache):
    h = hashlib.sha256()
    h.update(("format=%d cache=%s modules=%s\n" % (FORMAT, host_cache, MODULES)).encode())
    for p in ["/boot/vmlinuz-" + release, deps.BUSYBOX, os.path.join(HERE, "init.sh"),
              os.path.abspath(__file__), os.path.join("/lib/modules", release, "modules.dep")]:
        st = os.stat(p)
        h.update(("%s %d %d\n" % (p, st.st_size, st.st_mtime_ns)).encode())
    return h.hexdigest()


class Image:
    def __init__(self, release, vmlinux, initramfs, modules):
        self.release = release
        self.vmlinux = vmlinux
        self.initramfs = initramfs
        self.modules = modules


def build(vmdir=None, host_cache="cache=loose", install=True, force=False):
    """Return the cached Image, building it first if its inputs changed."""
    deps.ensure(install=install, log=log)
    vmdir = vmdir or VMDIR
    release = kernel_release()
    kdir = os.path.join(vmdir, release)
    vmlinux = os.path.join(kdir, "vmlinux")
    initramfs = os.path.join(kdir, "initramfs.cpio")
    stamp = os.path.join(kdir, "stamp.json")
    fp = _fingerprint(release, host_cache)
    if not force:
        try:
            with open(stamp) as f:
                st = json.load(f)
            if st.get("fingerprint") == fp and os.path.exists(vmlinux) and os.path.exists(initramfs):
                return Image(release, vmlinux, initramfs, st.get("modules", []))
        except (OSError, ValueError):
            pass
    os.makedirs(kdir, exist_ok=True)
    log("building guest for kernel %s in %s" % (release, kdir))
    extract_vmlinux("/boot/vmlinuz-" + release, vmlinux)
    if not has_pvh_note(vmlinux):
        raise RuntimeError("%s has no PVH entry note; QEMU cannot boot it directly" % vmlinux)
    modules = build_initramfs(release, initramfs, host_cache)
    _atomic_write(stamp, json.dumps({"fingerprint": fp, "release": release,
                                     "modules": modules}, indent=1).encode())
    return Image(release, vmlinux, initramfs, modules)
