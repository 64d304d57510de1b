/* SPDX-License-Identifier: MIT */
/* The camera a driver test runs against: dfk-emu started by the runner, one
 * given on the command line (e.g. on the host of a VM guest), or a real camera
 * (no side channel). Also how the driver reaches it: through the kernel after
 * `usbip attach` (vhci-hcd), or directly over USB/IP for adapters that speak it,
 * and the emulator's event log, collected while a scenario runs. */
#ifndef DT_TARGET_H
#define DT_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ioclient.h"

struct target_options {
	const char *emu_path;      /* dfk-emu to start (NULL: next to the runner, else $PATH) */
	const char *emulator;      /* HOST:PORT of a running dfk-emu (NULL: start one) */
	const char *io;            /* its I/O side channel (tcp:HOST:PORT or a Unix socket) */
	const char *busid;         /* default 1-1 */
	const char *device;        /* usb://... of a real camera: no emulator at all */
	const char *model;         /* dfk38ux267 (default) or dmk38ux267 */
	const char *work_dir;      /* state and logs of a started emulator */
	bool attach;               /* usbip attach through vhci-hcd, the adapter gets usb:// */
	uint32_t pattern_seed;
};

struct target {
	struct target_options opt;
	pid_t emu_pid;             /* > 0: ours, stopped at the end */
	char host[128];
	int port;
	char io_path[256];
	struct ioclient *io;       /* NULL for a real camera */
	uint16_t vid, pid;         /* of the export, for usb:// and for finding it in sysfs */
	bool attached;
	char vhci_port[8];
	char log[300];             /* the started emulator's log */
};

/* Starts or connects. Returns 0, or -1 with the reason in err. */
int target_open(struct target *t, const struct target_options *opt, char *err, size_t errlen);
void target_close(struct target *t);
bool target_has_emulator(const struct target *t);
/* Puts the camera on the bus for a new scenario (attach mode: detaches first, so
 * it powers up afresh) and gives the URI the adapter opens. Returns 0 or -1. */
int target_prepare(struct target *t, char *uri, size_t urilen, char *err, size_t errlen);
/* Attach mode: the device left the bus (unplug, reset): attach it again if it can
 * be imported. Returns 1 attached, 0 not now, -1 error. */
int target_reattach(struct target *t);
/* The end of a scenario: attach mode detaches. */
void target_release(struct target *t);
/* Is the attached device present in sysfs? */
bool target_device_present(const struct target *t);

/* ---- the emulator's event log, as a scenario goes ---- */

struct dev_event {
	struct io_event e;
	uint32_t power_up;         /* the power cycle it belongs to (power_up's count) */
};

struct devlog {
	struct dev_event *ev;
	size_t n, cap;
	bool have_last;
	uint64_t next_seq;         /* in the current power cycle */
	struct io_event last;
	uint32_t power_up;
	uint64_t power_ups_seen;   /* `stats` power_ups at the last poll */
	bool overflow;             /* more than the cap: the rest were not kept */
};

void devlog_init(struct devlog *l);
void devlog_free(struct devlog *l);
/* Reads what the camera logged since the last call (the whole current power
 * cycle the first time). Returns 0 or -1. */
int devlog_poll(struct devlog *l, struct ioclient *io);

#endif
