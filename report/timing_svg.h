/* SPDX-License-Identifier: MIT */
/* A timing diagram of the camera's event log (docs/io-protocol.md) as inline SVG,
 * shared by the HTML reports of dfk-drivertest and dfk-conform: one row each for
 * TRIGGER_IN, triggers accepted / rejected (with the reason), exposure, readout,
 * STROBE_OUT, frames sent / dropped, faults and the frame-memory level, on a
 * device-time axis. Marks on top: the edges a test expected (dashed, green) and
 * the assertions that failed (red), each at its device time. Every element has a
 * tooltip with its exact time. Nothing here reads a device: it draws what it is given. */
#ifndef REPORT_TIMING_SVG_H
#define REPORT_TIMING_SVG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ioclient.h"

/* One logged event and the time it is drawn at (its device time, or shifted by the
 * caller so that later power cycles follow earlier ones). */
struct tsvg_event {
	uint64_t t;
	const struct io_event *e;
};

enum tsvg_mark_kind { TSVG_EXPECTED, TSVG_FAILED };

struct tsvg_mark {
	uint64_t t;                /* drawn time, as the events' */
	enum tsvg_mark_kind kind;
	const char *label;         /* drawn next to the mark (a few characters: "1", "exposure") */
	const char *detail;        /* its tooltip: the assertion's message, the expectation */
};

struct tsvg_opts {
	/* the name of a fault kind (the event's b), or NULL: the number is shown */
	const char *(*fault_name)(int64_t kind);
};

/* The drawn window of device time. */
struct tsvg_window {
	uint64_t t0, t1;
};

/* Writes <figure class="timing"><svg>...</svg> (the caller adds a figcaption and
 * </figure>) for ev[0..n) in log order and the marks (those outside the window
 * are left out; the window is chosen to hold the events that show activity and
 * the marks). Returns the window. Cost: O(n) but for the pairing of exposure and
 * readout ends, bounded at 2000 events each. */
struct tsvg_window tsvg_write(FILE *f, const struct tsvg_event *ev, size_t n, const struct tsvg_mark *marks,
			      size_t n_marks, const struct tsvg_opts *o);

/* The diagram's CSS rules (for the page's <style>). */
extern const char tsvg_css[];

#endif
