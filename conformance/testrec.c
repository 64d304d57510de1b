/* SPDX-License-Identifier: MIT */
#include "testrec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "session.h"

/* Suites whose tests are about device time: their event log is read. */
static const char *const timing_suites[] = { "trigger", "strobe", "framerate" };

/* events asked for in one request (the side channel bounds replies itself) */
#define FETCH_CHUNK 1024

static struct {
	bool on;
	struct testrec *t;
	size_t n, cap;
	struct testrec *cur;
	double start;
	uint64_t seq;
	size_t frame_bytes;
	struct testrec_fr_row fr[TESTREC_MAX_FR_ROWS];
	unsigned n_fr;
} rec;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void testrec_enable(void) { rec.on = true; }
bool testrec_enabled(void) { return rec.on; }

static bool timing_suite(const char *name)
{
	for (size_t i = 0; i < sizeof(timing_suites) / sizeof(timing_suites[0]); i++)
		if (strcmp(name, timing_suites[i]) == 0)
			return true;
	return false;
}

void testrec_begin(CU_pSuite s, CU_pTest t)
{
	rec.cur = NULL;
	if (!rec.on)
		return;
	if (rec.n == rec.cap) {
		size_t cap = rec.cap ? rec.cap * 2 : 64;
		struct testrec *p = realloc(rec.t, cap * sizeof(*p));

		if (!p)
			return;
		rec.t = p;
		rec.cap = cap;
	}
	rec.cur = &rec.t[rec.n++];
	memset(rec.cur, 0, sizeof(*rec.cur));
	rec.cur->test = t;
	rec.cur->has_events = session->io && timing_suite(s->pName);
	if (rec.cur->has_events)
		rec.seq = io_next_seq(session->io);
	rec.start = now_s();
}

/* The events logged since the test began, TESTREC_MAX_EVENTS at most. */
static void fetch_events(struct testrec *r)
{
	uint64_t from = rec.seq;

	r->ev = malloc(TESTREC_MAX_EVENTS * sizeof(*r->ev));
	if (!r->ev) {
		r->has_events = false;
		return;
	}
	while (r->n_ev < TESTREC_MAX_EVENTS) {
		size_t want = TESTREC_MAX_EVENTS - r->n_ev < FETCH_CHUNK ? TESTREC_MAX_EVENTS - r->n_ev : FETCH_CHUNK;
		int got = io_events(session->io, from, r->ev + r->n_ev, (int)want);

		if (got <= 0)
			break;
		r->n_ev += (size_t)got;
		from = r->ev[r->n_ev - 1].seq + 1;
		if ((size_t)got < want)
			return;
	}
	if (r->n_ev == TESTREC_MAX_EVENTS) {
		struct io_event one;

		r->ev_cut = io_events(session->io, from, &one, 1) > 0;
	}
}

void testrec_end(void)
{
	struct testrec *r = rec.cur;

	if (!r)
		return;
	r->seconds = now_s() - rec.start;
	if (r->has_events)
		fetch_events(r);
	rec.cur = NULL;
}

void testrec_fault(const char *line)
{
	size_t used;

	if (!rec.cur)
		return;
	used = strlen(rec.cur->fault);
	snprintf(rec.cur->fault + used, sizeof(rec.cur->fault) - used, "%s%s", used ? "; " : "", line);
}

void testrec_mark(uint64_t t, bool failed, const char *text)
{
	struct testrec *r = rec.cur;

	if (!r)
		return;
	if (r->n_marks == TESTREC_MAX_MARKS) {
		r->marks_dropped++;
		return;
	}
	r->marks[r->n_marks].t = t;
	r->marks[r->n_marks].failed = failed;
	snprintf(r->marks[r->n_marks].text, sizeof(r->marks[r->n_marks].text), "%s", text);
	r->n_marks++;
}

void testrec_frame(const struct frame_geometry *g, const struct frame_source *src, const uint8_t *got, size_t len,
		   const char *note)
{
	struct testrec *r = rec.cur;
	size_t payload = frame_payload_size(g);

	if (!r || r->frame.present || !payload || frame_geometry_problem(g) ||
	    payload > TESTREC_MAX_FRAME_BYTES - rec.frame_bytes)
		return;
	r->frame.got = calloc(1, payload);
	if (!r->frame.got)
		return;
	memcpy(r->frame.got, got, len < payload ? len : payload);
	rec.frame_bytes += payload;
	r->frame.present = true;
	r->frame.g = *g;
	r->frame.src = *src;
	r->frame.received = len;
	snprintf(r->frame.note, sizeof(r->frame.note), "%s", note);
}

void testrec_framerate(const char *format, int width, int height, int manual, double device)
{
	struct testrec_fr_row *row;

	if (!rec.on || rec.n_fr == TESTREC_MAX_FR_ROWS)
		return;
	row = &rec.fr[rec.n_fr++];
	snprintf(row->format, sizeof(row->format), "%s", format);
	row->width = width;
	row->height = height;
	row->manual = manual;
	row->device = device;
}

const struct testrec *testrec_find(CU_pTest t)
{
	for (size_t i = 0; i < rec.n; i++)
		if (rec.t[i].test == t)
			return &rec.t[i];
	return NULL;
}

const struct testrec_fr_row *testrec_framerate_rows(unsigned *n)
{
	*n = rec.n_fr;
	return rec.fr;
}

void testrec_free(void)
{
	for (size_t i = 0; i < rec.n; i++) {
		free(rec.t[i].ev);
		free(rec.t[i].frame.got);
	}
	free(rec.t);
	memset(&rec, 0, sizeof(rec));
}
