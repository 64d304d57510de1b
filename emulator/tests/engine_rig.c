/* SPDX-License-Identifier: MIT */
#include "engine_rig.h"

#include <stdio.h>
#include <stdlib.h>

#include "tests.h"

const struct sensor_timing rig_sensor = {
	.width = 4096,
	.height = 2160,
	.frame_overhead_ns = 100000,
	.row_ns = 10000,
	.row_per_col_ps = 1000,
	.exposure_gap_ns = 20000,
	.link_bytes_per_s = 1e15,
};

struct engine_rig *rig_new(void)
{
	struct engine_rig *r = calloc(1, sizeof(*r));   /* the event log is large: not on the stack */

	if (!r)
		return NULL;
	r->loop = evloop_new();
	if (!r->loop) {
		free(r);
		return NULL;
	}
	clock_init(&r->clock, 0.0);   /* scale 0 and paused: device time moves only in rig_run_until */
	clock_pause(&r->clock, true);
	sched_init(&r->sched, r->loop, &r->clock);
	eventlog_init(&r->log);
	return r;
}

void rig_free(struct engine_rig *r)
{
	if (!r)
		return;
	sched_cancel_all(&r->sched);
	evloop_free(r->loop);
	eventlog_free(&r->log);
	free(r);
}

void rig_run_until(struct engine_rig *r, uint64_t t) { sched_run_until(&r->sched, t); }

const struct ev_record *rig_event(const struct engine_rig *r, enum ev_kind kind, int n)
{
	for (uint64_t s = eventlog_oldest(&r->log); s < r->log.next_seq; s++) {
		const struct ev_record *e = eventlog_get(&r->log, s);
		if (e->kind == kind && n-- == 0)
			return e;
	}
	return NULL;
}

int rig_count(const struct engine_rig *r, enum ev_kind kind)
{
	int n = 0;

	while (rig_event(r, kind, n))
		n++;
	return n;
}

void rig_assert_event(const struct engine_rig *r, enum ev_kind kind, int n, uint64_t t, int64_t a, int64_t b,
		      unsigned line, const char *file)
{
	const struct ev_record *e = rig_event(r, kind, n);
	char msg[256];

	if (!e)
		snprintf(msg, sizeof(msg), "%s #%d: missing (expected at %llu ns)", ev_kind_name(kind), n,
			 (unsigned long long)t);
	else
		snprintf(msg, sizeof(msg), "%s #%d: at %llu ns a=%lld b=%lld, expected at %llu ns a=%lld b=%lld",
			 ev_kind_name(kind), n, (unsigned long long)e->t, (long long)e->a, (long long)e->b,
			 (unsigned long long)t, (long long)a, (long long)b);
	CU_assertImplementation(e && e->t == t && (a == RIG_ANY || e->a == a) && (b == RIG_ANY || e->b == b), line, msg,
				file, "", CU_FALSE);
}
