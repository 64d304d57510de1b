#!/bin/sh
# SPDX-License-Identifier: MIT
# PID 1 of the dfk-emu test guest (busybox-static initramfs built by harness/vm/image.py).
# Loads the modules, brings up slirp networking, mounts the host's / (read-only) and a
# read-write exchange folder over virtio-9p, prepares a chroot of the host's root, then
# serves commands that arrive on the virtio-serial port named "dfkctl".
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null

say() { echo "dfk-vm: $*" > /dev/ttyS0; }

if grep -q dfkvm.probe /proc/cmdline; then
    say "PROBE-OK"
    poweroff -f
fi

while read -r mod args; do
    insmod "/lib/dfkmod/$mod" $args || say "insmod $mod failed"
done < /lib/dfkmod/order

# Networking: slirp gives 10.0.2.15/24; the host's 127.0.0.1 is 10.0.2.2.
# No default route: the guest talks to the slirp subnet only.
ip link set lo up
n=0
while [ ! -e /sys/class/net/eth0 ] && [ $n -lt 100 ]; do usleep 20000; n=$((n+1)); done
ip link set eth0 up
ip addr add 10.0.2.15/24 dev eth0
n=0
while [ "$(cat /sys/class/net/eth0/carrier 2>/dev/null)" != 1 ] && [ $n -lt 250 ]; do usleep 20000; n=$((n+1)); done

mkdir -p /host /xfer
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144,ro,@HOSTCACHE@ hostroot /host || say "mount hostroot failed"
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 xfer /xfer || say "mount xfer failed"
mount -t proc proc /host/proc
mount -o rbind /sys /host/sys
mount -o rbind /dev /host/dev
mount -t tmpfs -o mode=1777 tmpfs /host/tmp
mount -t tmpfs -o mode=755 tmpfs /host/run
[ -L /host/var/run ] || mount -t tmpfs -o mode=755 tmpfs /host/var/run
[ -d /host/var/tmp ] && mount -t tmpfs -o mode=1777 tmpfs /host/var/tmp
mkdir -p /host/run/xfer /host/run/lock
mount -o bind /xfer /host/run/xfer
# the project tree at its own path, even where a tmpfs above now hides it (a checkout in /tmp)
for a in $(cat /proc/cmdline); do
    case "$a" in dfkvm.project=*) proj="${a#dfkvm.project=}" ;; esac
done
if [ -n "$proj" ]; then
    mkdir -p "/host$proj" 2>/dev/null
    mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144,ro,@HOSTCACHE@ project "/host$proj" \
        || say "mount project $proj failed"
fi

ctl=
for p in /sys/class/virtio-ports/*; do
    [ "$(cat "$p/name" 2>/dev/null)" = dfkctl ] && ctl=/dev/${p##*/}
done
[ -n "$ctl" ] || { say "no dfkctl port"; poweroff -f; }
say "READY"

# Protocol, one line per message:
#   host: "hello"            guest: "READY <kernel release> <uptime seconds>"
#   host: "run ID TIMEOUT"   guest runs /run/xfer/ID.sh in the chroot, output in /xfer/ID.out
#                            and /xfer/ID.err, then answers "DONE ID STATUS"
#   host: "quit"             guest: "BYE", then powers off
exec 3<>"$ctl"
while :; do
    if ! read -r verb id tmo <&3; then
        usleep 100000
        continue
    fi
    case "$verb" in
    hello)
        echo "READY $(uname -r) $(cut -d' ' -f1 /proc/uptime)" >&3 ;;
    run)
        chroot /host /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
            HOME=/tmp LANG=C.UTF-8 TERM=dumb \
            /usr/bin/timeout -k 3 "$tmo" /bin/sh "/run/xfer/$id.sh" \
            </dev/null >"/xfer/$id.out" 2>"/xfer/$id.err"
        echo "DONE $id $?" >&3 ;;
    quit)
        echo BYE >&3
        sync
        poweroff -f ;;
    esac
done
