/* SPDX-License-Identifier: MIT */
/* Helpers for the suites that drive the camera's I/O connector through a rig
 * (dfk-emu's side channel): a paused device clock, waveforms programmed at
 * exact device times, then the clock advanced and the event log read. */
#ifndef CONFORM_RIG_H
#define CONFORM_RIG_H

#include <stdbool.h>
#include <stdint.h>

#include "ioclient.h"

#define RIG_MAX_EVENTS 4096

struct rig_log {
	struct io_event ev[RIG_MAX_EVENTS];
	int n;
};

/* Trigger mode on with neutral filters, small region, fixed exposure (us),
 * low-latency mode on, acquisition started, device clock paused. Returns the
 * device time now, or 0 with a CUnit failure recorded. */
uint64_t rig_start_triggered(double exposure_us);
/* Acquisition stopped, trigger mode off, clock running again. */
void rig_finish(void);
/* Run device time forward by ns. */
bool rig_advance(uint64_t ns);
/* Events logged since `seq`. */
bool rig_fetch(uint64_t seq, struct rig_log *log);
/* n-th (0-based) event of `kind` in the log, or NULL. */
const struct io_event *rig_find(const struct rig_log *log, const char *kind, int n);
int rig_count(const struct rig_log *log, const char *kind);
/* Request that must succeed (a failure is recorded). */
bool rig_do(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
