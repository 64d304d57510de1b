/* SPDX-License-Identifier: MIT */
/* VCD trace (IEEE 1364 value change dump, readable by GTKWave) of the I/O
 * connector and the trigger chain, with the device clock as time base (1 ns):
 * TRIGGER_IN, trigger accepted / rejected, exposure active, readout active,
 * STROBE_OUT, frame delivered. */
#ifndef DFK_VCD_H
#define DFK_VCD_H

#include <stdint.h>
#include <stdio.h>

#include "../camera/eventlog.h"

struct vcd {
	FILE *f;
	uint64_t last_t;
	uint64_t base;          /* trace time of the current power-up's t = 0 */
	unsigned exposing, reading;
	int trigger_in, strobe;
};

/* Starts a trace file; the current line levels are the initial values. */
int vcd_open(struct vcd *v, const char *path, const char *scope, uint64_t now, int trigger_in, int strobe_out);
void vcd_record(struct vcd *v, const struct ev_record *r);
void vcd_close(struct vcd *v);

#endif
