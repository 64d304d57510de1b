/* SPDX-License-Identifier: MIT */
/* The camera's event log in device time: what happened on the I/O lines and
 * in the trigger -> exposure -> readout -> delivery chain, with the reason
 * when a trigger was refused. The I/O side channel reads it; the VCD writer
 * follows it. */
#ifndef DFK_EVENTLOG_H
#define DFK_EVENTLOG_H

#include <stdint.h>

enum ev_kind {
	EV_TRIGGER_IN,          /* TRIGGER_IN changed: a = new level (1 = high) */
	EV_TRIGGER_SEEN,        /* an active edge: a = source (enum trig_source) */
	EV_TRIGGER_ACCEPTED,    /* a = source, b = exposure start time */
	EV_TRIGGER_REJECTED,    /* a = source, b = enum trig_reject */
	EV_EXPOSURE_START,      /* a = block id */
	EV_EXPOSURE_END,        /* a = block id */
	EV_READOUT_START,       /* a = block id */
	EV_READOUT_END,         /* a = block id */
	EV_STROBE_OUT,          /* STROBE_OUT changed: a = new level */
	EV_FRAME_DELIVERED,     /* a = block id, b = payload bytes */
	EV_FRAME_DROPPED,       /* a = block id, b = enum drop reason (0 buffer full, 1 stream off) */
	EV_ACQUISITION,         /* a = 1 started / 0 stopped */
	EV_POWER_UP,            /* the device clock restarts at 0 */
	EV_FRAME_SENT,          /* the frame's trailer left for the host: a = block id (as sent),
				 * b = trailer status | EV_SENT_SHORT | EV_SENT_CORRUPT */
	EV_FRAME_MEMORY,        /* frame memory level changed: a = bytes held, b = frames */
	EV_FAULT,               /* an injected fault acted: a = fault id, b = enum fault_kind */
	EV_HOST_VIOLATION,      /* the host broke a rule: a = enum hm_rule_id, b = URB seqnum (-1: none) */
	EV_KIND_COUNT
};

/* frame_sent's b, above the trailer status: the payload was cut short (a drop-payload
 * or empty-frame fault), a leader or trailer field was corrupted (fault corrupt) */
#define EV_SENT_SHORT   0x10000
#define EV_SENT_CORRUPT 0x20000

enum trig_source { TRIG_SRC_LINE1 = 1, TRIG_SRC_SOFTWARE = 2 };

enum trig_reject {
	REJ_NONE = 0,
	REJ_TRIGGER_MODE_OFF,   /* TriggerMode is Off (free running) */
	REJ_NOT_ACQUIRING,      /* acquisition not started */
	REJ_SOURCE,             /* TriggerSource does not allow this source */
	REJ_DENOISE,            /* pulse shorter than TriggerDenoise */
	REJ_DEBOUNCE,           /* line not inactive for TriggerDebouncer before the edge */
	REJ_MASK,               /* within TriggerMask after the last accepted trigger */
	REJ_OVERLAP,            /* previous frame not far enough in exposure/readout (TriggerOverlap) */
	REJ_BURST,              /* a burst is still running */
	REJ_COUNT
};

struct ev_record {
	uint64_t seq;
	uint64_t t;             /* device ns */
	enum ev_kind kind;
	int64_t a, b;
};

typedef void (*ev_observer_fn)(void *ctx, const struct ev_record *r);

#define EVENTLOG_SIZE 65536u

struct eventlog {
	/* EVENTLOG_SIZE records, allocated at the first record: an idle camera's memory stays small
	 * (docs/performance.md); a record that finds no memory is counted, not kept */
	struct ev_record *ring;
	uint64_t next_seq;      /* seq of the next record; records [next_seq - SIZE, next_seq) are kept */
	ev_observer_fn observer;
	void *observer_ctx;
};

/* Empties the log (the ring is kept); a zeroed struct eventlog is an empty log too. */
void eventlog_init(struct eventlog *l);
void eventlog_free(struct eventlog *l);
void eventlog_add(struct eventlog *l, uint64_t t, enum ev_kind kind, int64_t a, int64_t b);
/* The record with this seq, or NULL when not (or no longer) kept. */
const struct ev_record *eventlog_get(const struct eventlog *l, uint64_t seq);
uint64_t eventlog_oldest(const struct eventlog *l);

const char *ev_kind_name(enum ev_kind k);
const char *trig_reject_name(enum trig_reject r);
const char *trig_source_name(int s);

#endif
