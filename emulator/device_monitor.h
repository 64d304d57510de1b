/* SPDX-License-Identifier: MIT */
/* The host-behaviour monitor of one emulated camera (docs/host-monitor.md): it
 * watches every transfer of the USB/IP importer, in device time, and judges it
 * against the USB, USB3 Vision and GenCP rules. Each violation is logged (a
 * warning line, and `host_violation` in the event log and the VCD trace), kept
 * for the I/O request `violations` and written by --host-report at exit. */
#ifndef DFK_DEVICE_MONITOR_H
#define DFK_DEVICE_MONITOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct emu_device;
struct hm_violation;

/* Returns 0, or DFK_ERR_NOMEM. */
int emu_monitor_init(struct emu_device *d);
void emu_monitor_free(struct emu_device *d);
/* Facts the device reports as they happen. */
void emu_monitor_frame_dropped(struct emu_device *d, uint64_t block_id);
void emu_monitor_acquisition(struct emu_device *d, bool started);
/* Violations recorded so far (NULL with 0 when the monitor is off). */
size_t emu_monitor_violations(struct emu_device *d, const struct hm_violation **out);
/* PATH.json and PATH.xml (JUnit). Returns 0 or a negative dfk_err (logged). */
int emu_monitor_write_report(struct emu_device *d, const char *path);

#endif
