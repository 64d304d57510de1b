/* SPDX-License-Identifier: MIT */
#include "sched.h"

#include <stdlib.h>
#include <string.h>

#include "../common/log.h"

/* How far (in wall time) events may run behind the device clock before the clock
 * waits for them, and how long one timer round may work before serving the network. */
#define MAX_LAG_WALL_NS   50000000ull
#define ROUND_BUDGET_NS    2000000ull
/* First size of the heap array: the handful of events a camera usually has pending
 * (frames in flight, strobe edges, trigger timers) fit in the first allocation. */
#define SCHED_HEAP_MIN     64

static void on_timer(struct evloop *loop, void *arg);

void sched_init(struct dev_sched *s, struct evloop *loop, struct dev_clock *clock)
{
	memset(s, 0, sizeof(*s));
	s->loop = loop;
	s->clock = clock;
	evloop_timer_init(&s->timer, on_timer, s);
}

void sched_event_init(struct dev_event *e, dev_event_fn fn, void *arg)
{
	memset(e, 0, sizeof(*e));
	e->fn = fn;
	e->arg = arg;
}

/* (t, seq) order: earlier time first, and among equal times the one armed first. */
static bool before(const struct dev_event *a, const struct dev_event *b)
{
	return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

/* The event due first, or NULL: the heap's root or the spill list's head. */
static struct dev_event *first(const struct dev_sched *s)
{
	struct dev_event *h = s->n ? s->heap[0] : NULL;

	if (!h || (s->spill && before(s->spill, h)))
		return s->spill;
	return h;
}

void sched_retime(struct dev_sched *s)
{
	struct dev_event *head = first(s);

	/* a clock waiting for the emulator runs again once nothing is left behind it */
	if (s->clock->waiting && (!head || s->holds || head->t > s->clock->dev_base))
		clock_resume(s->clock);
	if (!head || s->holds) {
		evloop_timer_stop(s->loop, &s->timer);
		return;
	}
	/* A clock that does not run by itself (scale 0) jumps to the next event now;
	 * a paused clock waits for an explicit advance. */
	if (s->clock->paused) {
		evloop_timer_stop(s->loop, &s->timer);
		return;
	}
	evloop_timer_start(s->loop, &s->timer, clock_wall_deadline(s->clock, head->t));
}

static void heap_put(struct dev_sched *s, size_t i, struct dev_event *e)
{
	s->heap[i] = e;
	e->slot = i;
}

static void sift_up(struct dev_sched *s, size_t i)
{
	struct dev_event *e = s->heap[i];

	while (i > 0 && before(e, s->heap[(i - 1) / 2])) {
		heap_put(s, i, s->heap[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	heap_put(s, i, e);
}

static void sift_down(struct dev_sched *s, size_t i)
{
	struct dev_event *e = s->heap[i];

	for (;;) {
		size_t c = 2 * i + 1;   /* no overflow: i < n <= SIZE_MAX / sizeof(pointer) */
		if (c >= s->n)
			break;
		if (c + 1 < s->n && before(s->heap[c + 1], s->heap[c]))
			c++;
		if (!before(s->heap[c], e))
			break;
		heap_put(s, i, s->heap[c]);
		i = c;
	}
	heap_put(s, i, e);
}

/* Doubles the array, never past heap_limit nor what a size_t can count in bytes. */
static bool heap_grow(struct dev_sched *s)
{
	size_t max = SIZE_MAX / sizeof(*s->heap), cap;
	struct dev_event **p;

	if (s->heap_limit && s->heap_limit < max)
		max = s->heap_limit;
	if (s->cap >= max)
		return false;
	cap = s->cap == 0 ? SCHED_HEAP_MIN : s->cap > max / 2 ? max : s->cap * 2;
	if (cap > max)
		cap = max;
	p = realloc(s->heap, cap * sizeof(*s->heap));
	if (!p)
		return false;
	s->heap = p;
	s->cap = cap;
	return true;
}

static void remove_event(struct dev_sched *s, struct dev_event *e)
{
	if (e->slot == SCHED_SLOT_SPILL) {
		for (struct dev_event **pp = &s->spill; *pp; pp = &(*pp)->next) {
			if (*pp == e) {
				*pp = e->next;
				break;
			}
		}
		e->next = NULL;
	} else if (e->slot < s->n && s->heap[e->slot] == e) {
		/* (checked: an event armed on another scheduler must not disturb this heap) */
		struct dev_event *last = s->heap[--s->n];
		size_t i = e->slot;
		if (i < s->n) {
			/* the last entry fills the hole, then moves whichever way restores the order */
			heap_put(s, i, last);
			if (i > 0 && before(last, s->heap[(i - 1) / 2]))
				sift_up(s, i);
			else
				sift_down(s, i);
		}
	}
	e->armed = false;
}

void sched_at(struct dev_sched *s, struct dev_event *e, uint64_t t)
{
	if (e->armed)
		remove_event(s, e);
	e->t = t;
	e->seq = s->seq++;
	e->armed = true;
	if (s->n < s->cap || heap_grow(s)) {
		heap_put(s, s->n++, e);
		sift_up(s, e->slot);
	} else {
		/* Out of memory: the old sorted list, O(n) per event but losing none. It only
		 * holds what was armed while the heap was full, and empties as those fire. */
		struct dev_event **pp = &s->spill;
		if (!s->spill)
			log_err("scheduler: out of memory growing the event heap past %zu events; "
				"further events wait on a slower sorted list", s->cap);
		while (*pp && before(*pp, e))
			pp = &(*pp)->next;
		e->slot = SCHED_SLOT_SPILL;
		e->next = *pp;
		*pp = e;
	}
	sched_retime(s);
}

void sched_cancel(struct dev_sched *s, struct dev_event *e)
{
	if (!e->armed)
		return;
	remove_event(s, e);
	sched_retime(s);
}

void sched_cancel_all(struct dev_sched *s)
{
	for (size_t i = 0; i < s->n; i++)
		s->heap[i]->armed = false;
	while (s->spill) {
		struct dev_event *e = s->spill;
		s->spill = e->next;
		e->next = NULL;
		e->armed = false;
	}
	/* an I/O program may have grown the heap to megabytes: give them back */
	free(s->heap);
	s->heap = NULL;
	s->n = s->cap = 0;
	sched_retime(s);
}

static void fire_head(struct dev_sched *s)
{
	struct dev_event *e = first(s);

	remove_event(s, e);
	clock_advance_to(s->clock, e->t);
	e->fn(e->arg, e->t);
}

/* Device time is ahead of the events by more than MAX_LAG_WALL_NS of wall time
 * (rendering a frame took longer than the frames come): let the clock wait. */
static void check_lag(struct dev_sched *s)
{
	struct dev_clock *c = s->clock;
	struct dev_event *head = first(s);
	uint64_t now = clock_now(c);

	if (c->waiting || !head || head->t >= now)
		return;
	if ((double)(now - head->t) < (double)MAX_LAG_WALL_NS * c->scale)
		return;
	clock_wait(c);
	uint64_t wall = mono_now_ns();
	if (s->lag_logged_at == 0 || wall - s->lag_logged_at > 10000000000ull) {
		log_warn("the host is too slow for time scale %g: device time waits for the emulator "
			 "(%llu times so far; event times stay exact, wall-clock pace does not)",
			 c->scale, (unsigned long long)c->waits);
		s->lag_logged_at = wall;
	}
}

static void on_timer(struct evloop *loop, void *arg)
{
	struct dev_sched *s = arg;
	uint64_t until = mono_now_ns() + ROUND_BUDGET_NS;
	struct dev_event *head;

	(void)loop;
	while ((head = first(s)) && !s->holds) {
		if (clock_free_running(s->clock) && head->t > clock_now(s->clock))
			break;
		check_lag(s);
		fire_head(s);
		if (!clock_free_running(s->clock))
			break;   /* scale 0: one event per loop round, so host I/O interleaves */
		/* one frame can take longer to render than a frame period: never starve the network */
		if (mono_now_ns() >= until)
			break;
	}
	sched_retime(s);
}

void sched_run_until(struct dev_sched *s, uint64_t t)
{
	struct dev_event *head;

	while ((head = first(s)) && head->t <= t && !s->holds)
		fire_head(s);
	clock_advance_to(s->clock, t);
	sched_retime(s);
}

void sched_hold(struct dev_sched *s)
{
	s->holds++;
	sched_retime(s);
}

void sched_release(struct dev_sched *s)
{
	if (s->holds)
		s->holds--;
	sched_retime(s);
}

uint64_t sched_next(const struct dev_sched *s)
{
	const struct dev_event *head = first(s);

	return head ? head->t : UINT64_MAX;
}
