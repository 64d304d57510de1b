/* SPDX-License-Identifier: MIT */
/* dfk-conform --report DIR: DIR/index.html, one self-contained page (inline CSS and
 * SVG, no script, nothing from the network) of the run just made: a summary table
 * (suites, tests, rules, passed / failed / skipped, durations), the frame-rate table
 * manual against device as a table and a chart, then every test with the manual
 * sentences it checks (rules.ini through rules.h, else testref.h), its failures, the
 * device times its assertions were about, a timing diagram of the camera's event log
 * for the timing suites (report/timing_svg.h), and for a frame that was not the
 * expected one the received, expected and difference images as PNGs next to the page
 * (DIR/test-N-{received,expected,diff}.png). Reads CUnit's registry and results
 * (call it before CU_cleanup_registry) and testrec.h. */
#ifndef CONFORM_REPORT_HTML_H
#define CONFORM_REPORT_HTML_H

#include <stdbool.h>
#include <stdint.h>

/* The timing diagrams of a page draw at most this many events (failed tests first). */
#define CONFORM_REPORT_MAX_PAGE_EVENTS 100000

struct conform_report_info {
	const char *url;          /* --device */
	const char *product;      /* the device's model name */
	const char *serial;
	const char *fixtures;     /* the expectations' directory */
	bool pattern;             /* --expect-pattern */
	uint32_t pattern_seed;
	double seconds;           /* the run's wall time */
};

/* Creates DIR when missing and writes DIR/index.html (a temporary file renamed over
 * it). Returns 0, or -1 with errno set. */
int conform_report_html(const char *dir, const struct conform_report_info *info);

#endif
