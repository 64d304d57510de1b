/* SPDX-License-Identifier: MIT */
/* The HTML report of a run (docs/drivertest.md, "Reports"): DIR/index.html, one
 * self-contained page (inline CSS and SVG, no script, nothing from the network)
 * with a summary table, every scenario with its description and expectations, a
 * timing diagram drawn from the camera's event log, and for a frame that failed
 * `expect bit-exact` the received frame, the expected one and their difference as
 * PNGs next to the page (DIR/scenario-N-{received,expected,diff}.png).
 * Everything that comes from the adapter or from files is HTML-escaped. */
#ifndef DT_REPORT_HTML_H
#define DT_REPORT_HTML_H

#include <stddef.h>

#include "runner/run.h"

/* Timing diagrams draw at most this many events of a scenario (a note says when cut). */
#define RH_MAX_EVENTS 5000
/* ... and the whole page at most this many (failed scenarios first; a note where none is left). */
#define RH_MAX_PAGE_EVENTS 100000
/* A diagram marks at most this many failed expectations. */
#define RH_MAX_MARKS 32

/* Writes DIR/index.html (through a temporary file renamed over it). Returns 0 or -1. */
int report_html(const char *dir, const struct run_result *rs, size_t n, double seconds, const char *adapter);

#endif
