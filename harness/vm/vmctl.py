#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Command line for the QEMU harness.

    /usr/bin/python3 harness/vm/vmctl.py deps            # check/install Debian packages
    /usr/bin/python3 harness/vm/vmctl.py build [--force] # build/cache vmlinux + initramfs
    /usr/bin/python3 harness/vm/vmctl.py probe-kvm       # does KVM really work here?
    /usr/bin/python3 harness/vm/vmctl.py run 'CMD' ...   # boot, run each CMD in the guest, power off
    /usr/bin/python3 harness/vm/vmctl.py attach PORT 'CMD' ...  # boot, attach 10.0.2.2:PORT, run CMDs

Commands run in the guest as root, through /bin/sh, in a chroot of this machine's root (so every
program installed here is there), starting in --cwd, with a clean environment plus --env. The exit
status is the first non-zero status of the commands.
"""
import argparse
import os
import shlex
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from vm import deps, image, guest  # noqa: E402


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--accel", choices=["auto", "tcg", "kvm"], default=os.environ.get("DFK_VM_ACCEL", "auto"))
    ap.add_argument("--timeout", type=float, default=600, help="per command, seconds")
    ap.add_argument("--cwd", default=os.getcwd(),
                    help="directory the commands start in, inside the guest (default: the current one)")
    ap.add_argument("--env", action="append", default=[], metavar="NAME[=VALUE]",
                    help="environment for the commands (the guest starts them with a clean one); "
                         "NAME alone passes this process's value")
    sub = ap.add_subparsers(dest="what", required=True)
    sub.add_parser("deps")
    b = sub.add_parser("build")
    b.add_argument("--force", action="store_true")
    sub.add_parser("probe-kvm")
    r = sub.add_parser("run")
    r.add_argument("cmds", nargs="+")
    a = sub.add_parser("attach")
    a.add_argument("port", type=int)
    a.add_argument("--busid", default="1-1")
    a.add_argument("cmds", nargs="*")
    args = ap.parse_args(argv)

    try:
        if args.what == "deps":
            got = deps.ensure(install=True)
            print("installed: " + " ".join(got) if got else "all present")
            return 0
        img = image.build(force=getattr(args, "force", False))
        if args.what == "build":
            print("kernel %s\nvmlinux %s\ninitramfs %s\nmodules %s"
                  % (img.release, img.vmlinux, img.initramfs, " ".join(img.modules)))
            return 0
        if args.what == "probe-kvm":
            ok, why = guest.probe_kvm(img)
            print(("KVM works: " if ok else "KVM unusable: ") + why)
            return 0 if ok else 1
        t0 = time.monotonic()
        with guest.Guest(img, accel=args.accel) as g:
            print("# booted %s (%s) in %.2f s" % (g.kernel, g.accel_used, g.boot_seconds), flush=True)
            if args.what == "attach":
                at = g.attach(args.port, args.busid)
                print("# attached: %r" % at, flush=True)
            prefix = "cd %s || exit 97\n" % shlex.quote(args.cwd)
            for e in args.env:
                name, eq, value = e.partition("=")
                value = value if eq else os.environ.get(name, "")
                prefix += "export %s=%s\n" % (name, shlex.quote(value))
            rc = 0
            for c in args.cmds:
                crc, out = g.run(prefix + c, args.timeout)
                sys.stdout.write(out)
                print("# rc=%d: %s" % (crc, c), flush=True)
                rc = rc or crc
        print("# total %.2f s" % (time.monotonic() - t0))
        return rc
    except deps.MissingDependencies as e:
        print("dfk-vm: " + str(e), file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
