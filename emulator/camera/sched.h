/* SPDX-License-Identifier: MIT */
/* Events scheduled in device time. Each event fires with its own scheduled
 * time as argument, so what it computes never depends on how late the host
 * ran it. With a clock that does not run by itself (time-scale 0), firing an
 * event moves device time forward to the event's time. */
#ifndef DFK_SCHED_H
#define DFK_SCHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/evloop.h"
#include "clock.h"

struct dev_event;
typedef void (*dev_event_fn)(void *arg, uint64_t t);

struct dev_event {
	uint64_t t;
	uint64_t seq;          /* FIFO order among events of the same time */
	dev_event_fn fn;
	void *arg;
	bool armed;
	size_t slot;           /* index in the scheduler's heap while armed, or SCHED_SLOT_SPILL */
	struct dev_event *next;   /* spill list only */
};

/* `slot` of an event armed while the heap could not grow (see dev_sched.spill). */
#define SCHED_SLOT_SPILL SIZE_MAX

struct dev_sched {
	struct evloop *loop;
	struct dev_clock *clock;
	struct ev_timer timer;
	/* Pending events: a binary min-heap on (t, seq), heap[0] due first, so arming and
	 * cancelling cost O(log n) with 100,000 pending (an I/O program of trigger pulses).
	 * The array grows by doubling; it is released by sched_cancel_all. */
	struct dev_event **heap;
	size_t n, cap;
	size_t heap_limit;     /* most slots the heap may grow to; 0 = what memory allows (tests lower it) */
	/* Events armed while the heap could not grow (out of memory), sorted by (t, seq): so
	 * that sched_at cannot fail and never drops an event. Empty in normal operation. */
	struct dev_event *spill;
	uint64_t seq;
	unsigned holds;        /* while > 0 nothing fires (a consumer is behind at time-scale 0) */
	uint64_t lag_logged_at;  /* wall ns of the last "host too slow" warning */
};

void sched_init(struct dev_sched *s, struct evloop *loop, struct dev_clock *clock);
void sched_event_init(struct dev_event *e, dev_event_fn fn, void *arg);
/* Arms `e` for device time `t` (re-arming an armed event moves it, behind every event
 * already armed for the same time). Cannot fail: when the heap cannot grow, the event
 * waits on the spill list, reported once per episode in the log. */
void sched_at(struct dev_sched *s, struct dev_event *e, uint64_t t);
void sched_cancel(struct dev_sched *s, struct dev_event *e);
/* Cancels every event and releases the heap's memory: also the scheduler's teardown. */
void sched_cancel_all(struct dev_sched *s);
/* Re-arm the wall-clock timer after the clock's scale or pause state changed. */
void sched_retime(struct dev_sched *s);
/* Fire everything due at or before `t` in order, moving the clock to `t` (explicit advance). */
void sched_run_until(struct dev_sched *s, uint64_t t);
void sched_hold(struct dev_sched *s);
void sched_release(struct dev_sched *s);
/* Time of the next event, or UINT64_MAX. */
uint64_t sched_next(const struct dev_sched *s);

#endif
