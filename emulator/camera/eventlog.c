/* SPDX-License-Identifier: MIT */
#include "eventlog.h"

#include <stdlib.h>

void eventlog_init(struct eventlog *l)
{
	/* the ring is not cleared: only records below next_seq are ever read (eventlog_get) */
	l->next_seq = 0;
}

void eventlog_free(struct eventlog *l)
{
	free(l->ring);
	l->ring = NULL;
}

void eventlog_add(struct eventlog *l, uint64_t t, enum ev_kind kind, int64_t a, int64_t b)
{
	struct ev_record *r, lost;

	if (!l->ring)
		l->ring = calloc(EVENTLOG_SIZE, sizeof(*l->ring));   /* untouched pages cost nothing */
	r = l->ring ? &l->ring[l->next_seq % EVENTLOG_SIZE] : &lost;
	r->seq = l->next_seq++;
	r->t = t;
	r->kind = kind;
	r->a = a;
	r->b = b;
	if (l->observer)
		l->observer(l->observer_ctx, r);
}

uint64_t eventlog_oldest(const struct eventlog *l)
{
	return l->next_seq > EVENTLOG_SIZE ? l->next_seq - EVENTLOG_SIZE : 0;
}

const struct ev_record *eventlog_get(const struct eventlog *l, uint64_t seq)
{
	if (!l->ring || seq >= l->next_seq || seq < eventlog_oldest(l))
		return NULL;
	return &l->ring[seq % EVENTLOG_SIZE];
}

const char *ev_kind_name(enum ev_kind k)
{
	static const char *const names[EV_KIND_COUNT] = {
		"trigger_in", "trigger_seen", "trigger_accepted", "trigger_rejected", "exposure_start",
		"exposure_end", "readout_start", "readout_end", "strobe_out", "frame_delivered", "frame_dropped",
		"acquisition", "power_up", "frame_sent", "frame_memory", "fault", "host_violation",
	};
	return k < EV_KIND_COUNT ? names[k] : "unknown";
}

const char *trig_reject_name(enum trig_reject r)
{
	static const char *const names[REJ_COUNT] = {
		"none", "trigger_mode_off", "not_acquiring", "source", "denoise", "debounce", "mask", "overlap",
		"burst",
	};
	return r < REJ_COUNT ? names[r] : "unknown";
}

const char *trig_source_name(int s)
{
	return s == TRIG_SRC_LINE1 ? "line1" : s == TRIG_SRC_SOFTWARE ? "software" : "unknown";
}
