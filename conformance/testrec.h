/* SPDX-License-Identifier: MIT */
/* What the HTML report (report_html.h) needs of a run that CUnit does not keep, test
 * by test: its duration; for the timing suites with an I/O rig, the camera's event log
 * while it ran; the device times its assertions were about (CHECK_AT: an expected
 * edge, a failure where the assertion failed); the first frame that was not the one
 * expected; and the frame-rate table, manual against device. Recording is off (every
 * call a no-op) unless testrec_enable() was called. Everything kept is bounded. */
#ifndef CONFORM_TESTREC_H
#define CONFORM_TESTREC_H

#include <CUnit/CUnit.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "framecheck.h"
#include "ioclient.h"

#define TESTREC_MAX_EVENTS 5000          /* events kept of one test (a note says when cut) */
#define TESTREC_MAX_MARKS 64             /* CHECK_AT marks of one test */
#define TESTREC_MAX_FRAME_BYTES (64u << 20) /* all kept frames together */
#define TESTREC_MAX_FR_ROWS 64           /* rows of the frame-rate table */

struct testrec_mark {
	uint64_t t;          /* device time (ns) the assertion is about */
	bool failed;
	char text[240];      /* the assertion's message */
};

struct testrec_frame {
	bool present;
	struct frame_geometry g;
	struct frame_source src;
	uint8_t *got;        /* frame_payload_size(g) bytes: what arrived, zeros where nothing did */
	size_t received;     /* bytes that arrived */
	char note[240];      /* what was wrong with it */
};

struct testrec {
	CU_pTest test;
	double seconds;
	bool has_events;     /* the event log was read (a timing suite with a rig) */
	struct io_event *ev;
	size_t n_ev;
	bool ev_cut;         /* the test logged more than TESTREC_MAX_EVENTS */
	struct testrec_mark marks[TESTREC_MAX_MARKS];
	unsigned n_marks, marks_dropped;
	struct testrec_frame frame;
	char fault[240];     /* the faults --inject-fault armed for it ("; " between), or "" */
};

struct testrec_fr_row {
	char format[32];
	int width, height, manual;
	double device;       /* the device's maximum AcquisitionFrameRate */
};

void testrec_enable(void);
bool testrec_enabled(void);
/* The runner's hooks around each test. */
void testrec_begin(CU_pSuite s, CU_pTest t);
void testrec_end(void);
/* A fault armed for the current test (shown on its section). */
void testrec_fault(const char *line);
/* An assertion about device time t; failed: it did not hold. */
void testrec_mark(uint64_t t, bool failed, const char *text);
/* A frame that is not the expected one: got[0..len) as received (the first one per test is kept). */
void testrec_frame(const struct frame_geometry *g, const struct frame_source *src, const uint8_t *got, size_t len,
		   const char *note);
/* A row of the frame-rate table. */
void testrec_framerate(const char *format, int width, int height, int manual, double device);

const struct testrec *testrec_find(CU_pTest t);
const struct testrec_fr_row *testrec_framerate_rows(unsigned *n);
void testrec_free(void);

#endif
