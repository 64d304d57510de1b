/* SPDX-License-Identifier: MIT */
/* camera/sched + camera/clock: device-time events on a host too slow for the
 * time scale. Every event must still fire, in order, at its own device time;
 * the device clock waits for the emulator instead of running away from it; and
 * the event loop keeps serving the network between events. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "../camera/clock.h"
#include "../camera/sched.h"
#include "../common/evloop.h"
#include "tests.h"

#define PERIOD_NS   2000000ull   /* a 500 Hz device event ... */
#define WORK_NS     8000000ull   /* ... whose handler takes 8 ms of host time: 4x too slow */
#define N_EVENTS    60

struct slow_run {
	struct evloop *loop;
	struct dev_clock clock;
	struct dev_sched sched;
	struct dev_event ev;
	struct ev_defer net;          /* stands for a socket with data waiting */
	uint64_t times[N_EVENTS];
	unsigned fired, net_runs, starved;
	uint64_t max_lag;
};

static void net_cb(struct evloop *loop, void *arg)
{
	struct slow_run *r = arg;
	(void)loop;
	r->net_runs++;
}

static void slow_event(void *arg, uint64_t t)
{
	struct slow_run *r = arg;
	uint64_t now = clock_now(&r->clock), until = mono_now_ns() + WORK_NS;

	if (r->fired > 0 && r->net_runs < r->fired)
		r->starved++;            /* no loop round between the previous event and this one */
	if (now - t > r->max_lag)
		r->max_lag = now - t;
	r->times[r->fired++] = t;
	while (mono_now_ns() < until)
		;                        /* rendering a frame, say */
	evloop_defer(r->loop, &r->net);
	if (r->fired < N_EVENTS)
		sched_at(&r->sched, &r->ev, t + PERIOD_NS);
}

static void test_sched_slow_host_keeps_device_time(void)
{
	static struct slow_run r;

	r = (struct slow_run){ 0 };
	r.loop = evloop_new();
	CU_ASSERT_FATAL(r.loop != NULL);
	clock_init(&r.clock, 1.0);
	sched_init(&r.sched, r.loop, &r.clock);
	sched_event_init(&r.ev, slow_event, &r);
	evloop_defer_init(&r.net, net_cb, &r);
	uint64_t t0 = clock_now(&r.clock) + 1000000;
	sched_at(&r.sched, &r.ev, t0);
	uint64_t give_up = mono_now_ns() + 20000000000ull;
	while (r.fired < N_EVENTS && mono_now_ns() < give_up)
		evloop_run_once(r.loop, 100);
	ASSERT_INT(r.fired, N_EVENTS);
	for (unsigned k = 0; k < r.fired; k++)
		ASSERT_INT(r.times[k], t0 + k * PERIOD_NS);      /* each at its own device time */
	ASSERT_INT(r.starved, 0);                             /* the network got a turn after every event */
	CU_ASSERT(r.clock.waits >= 1);                        /* the clock did wait for us */
	/* without waiting, device time would be ~360 ms ahead of the last event (60 x 6 ms);
	 * with it, about the 50 ms threshold plus one event's work */
	if (r.max_lag > 150000000ull) {
		char msg[96];
		snprintf(msg, sizeof(msg), "device time ran %llu ms ahead of the events",
			 (unsigned long long)(r.max_lag / 1000000));
		FAIL_MSG(msg);
	}
	/* all caught up: the clock runs again and stays monotonic */
	CU_ASSERT(!r.clock.waiting);
	uint64_t a = clock_now(&r.clock);
	CU_ASSERT(clock_now(&r.clock) >= a);
	sched_cancel_all(&r.sched);
	evloop_free(r.loop);
}


/* ---- the pending-event heap: order, FIFO ties, cancel, re-arm, 100,000 events ---- */

/* A scheduler on a paused clock: only sched_run_until (or an explicit loop round) fires. */
struct fixture {
	struct evloop *loop;
	struct dev_clock clock;
	struct dev_sched sched;
};

static bool fx_open(struct fixture *f, double scale, bool paused)
{
	f->loop = evloop_new();
	if (!f->loop)
		return false;
	clock_init(&f->clock, scale);
	clock_pause(&f->clock, paused);
	sched_init(&f->sched, f->loop, &f->clock);
	return true;
}

static void fx_close(struct fixture *f)
{
	sched_cancel_all(&f->sched);
	evloop_free(f->loop);
}

/* One test event and its model: when it should fire, and in which arming order. */
struct rec {
	struct dev_event ev;
	size_t id;
	uint64_t t;
	uint64_t stamp;          /* the reference's own arming counter: ties fire in this order */
	bool live;
	unsigned rearm_left;     /* for the re-arm-in-callback tests */
	uint64_t step;
};

/* What fired, in order (shared by the tests below; they run one at a time). */
static struct {
	size_t *ids;
	uint64_t *times;
	size_t n, max;
} fired;

static bool fired_open(size_t max)
{
	fired.ids = calloc(max, sizeof(*fired.ids));
	fired.times = calloc(max, sizeof(*fired.times));
	fired.n = 0;
	fired.max = max;
	return fired.ids && fired.times;
}

static void fired_close(void)
{
	free(fired.ids);
	free(fired.times);
	fired.ids = NULL;
	fired.times = NULL;
	fired.n = fired.max = 0;
}

static void record(void *arg, uint64_t t)
{
	struct rec *r = arg;

	if (fired.n < fired.max) {
		fired.ids[fired.n] = r->id;
		fired.times[fired.n] = t;
	}
	fired.n++;
	r->live = false;
}

static void rec_init(struct rec *r, size_t id, dev_event_fn fn)
{
	*r = (struct rec){ .id = id };
	sched_event_init(&r->ev, fn, r);
}

static uint64_t stamp_counter;

static void rec_arm(struct dev_sched *s, struct rec *r, uint64_t t)
{
	r->t = t;
	r->stamp = stamp_counter++;
	r->live = true;
	sched_at(s, &r->ev, t);
}

static void rec_cancel(struct dev_sched *s, struct rec *r)
{
	r->live = false;
	sched_cancel(s, &r->ev);
}

struct ref_key {
	uint64_t t, stamp;
	size_t id;
};

static int ref_cmp(const void *a, const void *b)
{
	const struct ref_key *x = a, *y = b;

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return x->stamp < y->stamp ? -1 : x->stamp > y->stamp;
}

/* The live events sorted by (time, arming order): the order they must fire in. */
static size_t reference(const struct rec *recs, size_t n, struct ref_key *out)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (recs[i].live)
			out[k++] = (struct ref_key){ recs[i].t, recs[i].stamp, recs[i].id };
	qsort(out, k, sizeof(*out), ref_cmp);
	return k;
}

/* Heap shape: every entry knows its slot, is armed, and is not due before its parent. */
static size_t heap_faults(const struct dev_sched *s)
{
	size_t bad = 0;

	for (size_t i = 0; i < s->n; i++) {
		const struct dev_event *e = s->heap[i], *p = s->heap[i ? (i - 1) / 2 : 0];
		if (e->slot != i || !e->armed)
			bad++;
		if (p->t > e->t || (p->t == e->t && p->seq > e->seq))
			bad++;
	}
	return bad;
}

/* Events fired [from, from + k) against the reference [0, k). */
static size_t order_faults(const struct ref_key *ref, size_t from, size_t k)
{
	size_t bad = 0;

	for (size_t i = 0; i < k; i++)
		if (from + i >= fired.max || fired.ids[from + i] != ref[i].id || fired.times[from + i] != ref[i].t)
			bad++;
	return bad;
}

static uint64_t min_live(const struct rec *recs, size_t n)
{
	uint64_t m = UINT64_MAX;

	for (size_t i = 0; i < n; i++)
		if (recs[i].live && recs[i].t < m)
			m = recs[i].t;
	return m;
}

#define BIG_N 100000u

/* 100,000 events armed in random order at times with many ties, a quarter cancelled
 * and some re-armed on the way: they fire exactly in (time, arming order). */
static void test_sched_random_order_100k_with_cancels(void)
{
	struct fixture f;
	struct t_rng rng;
	struct rec *recs = calloc(BIG_N, sizeof(*recs));
	struct ref_key *ref = calloc(BIG_N, sizeof(*ref));
	size_t next_faults = 0, shape_faults = 0, live, mid_fired;

	CU_ASSERT_FATAL(recs && ref && fired_open(BIG_N) && fx_open(&f, 1.0, true));
	t_rng_seed(&rng, 0x51ed5eedull);
	for (size_t i = 0; i < BIG_N; i++)
		rec_init(&recs[i], i, record);
	for (size_t k = 0; k < BIG_N; k++) {
		/* ~5 events per time; times start above 0, where the paused clock stands */
		rec_arm(&f.sched, &recs[t_rng_next(&rng) % BIG_N], 1000 + t_rng_next(&rng) % (BIG_N / 5));
		uint64_t op = t_rng_next(&rng) % 8;
		struct rec *r = &recs[t_rng_next(&rng) % BIG_N];
		if (op < 2)
			rec_cancel(&f.sched, r);      /* armed or not: cancelling an idle event is a no-op */
		else if (op == 2)
			rec_arm(&f.sched, r, 1000 + t_rng_next(&rng) % (BIG_N / 5));   /* moves it if armed */
		if (k % 20000 == 19999) {
			if (sched_next(&f.sched) != min_live(recs, BIG_N))
				next_faults++;
			shape_faults += heap_faults(&f.sched);
		}
	}
	ASSERT_INT(next_faults, 0);
	ASSERT_INT(shape_faults, 0);
	live = reference(recs, BIG_N, ref);
	CU_ASSERT(live > BIG_N / 3);
	ASSERT_INT(f.sched.n, live);

	/* half the time range, then the rest: each part fires exactly its prefix */
	uint64_t mid = 1000 + BIG_N / 10;
	sched_run_until(&f.sched, mid);
	for (mid_fired = 0; mid_fired < live && ref[mid_fired].t <= mid; mid_fired++)
		;
	ASSERT_INT(fired.n, mid_fired);
	ASSERT_INT(clock_now(&f.clock), mid);
	ASSERT_INT(heap_faults(&f.sched), 0);
	sched_run_until(&f.sched, 1000 + BIG_N / 5);
	ASSERT_INT(fired.n, live);
	ASSERT_INT(order_faults(ref, 0, live), 0);
	ASSERT_INT(sched_next(&f.sched), UINT64_MAX);
	ASSERT_INT(f.sched.n, 0);
	fx_close(&f);
	fired_close();
	free(ref);
	free(recs);
}

/* The I/O channel's case: 50,000 pulses programmed as 100,000 edges in ascending time
 * (the former list's worst case), fired in 100 steps of sched_run_until. */
static void test_sched_pulse_train_100k(void)
{
	struct fixture f;
	struct rec *recs = calloc(BIG_N, sizeof(*recs));
	size_t step_faults = 0, order = 0;

	CU_ASSERT_FATAL(recs && fired_open(BIG_N) && fx_open(&f, 1.0, true));
	for (size_t i = 0; i < BIG_N; i++) {
		rec_init(&recs[i], i, record);
		rec_arm(&f.sched, &recs[i], 1000 + (i / 2) * 20 + (i % 2) * 5);   /* on, then off 5 ns later */
	}
	uint64_t end = recs[BIG_N - 1].t, step = end / 100 + 1;
	for (uint64_t t = step; t < end + step; t += step) {
		sched_run_until(&f.sched, t);
		size_t due = 0;   /* edges at or before t: pairs (on at 1000+20p, off at 1005+20p) */
		if (t >= 1000)
			due = (size_t)((t - 1000) / 20) * 2 + 1 + ((t - 1000) % 20 >= 5);
		if (due > BIG_N)
			due = BIG_N;
		if (fired.n != due)
			step_faults++;
	}
	ASSERT_INT(step_faults, 0);
	ASSERT_INT(fired.n, BIG_N);
	for (size_t i = 0; i < BIG_N && i < fired.n; i++)
		if (fired.ids[i] != i || fired.times[i] != recs[i].t)
			order++;
	ASSERT_INT(order, 0);
	ASSERT_INT(sched_next(&f.sched), UINT64_MAX);
	fx_close(&f);
	fired_close();
	free(recs);
}

/* Events of the same time fire in the order they were armed; re-arming one puts it
 * behind every event already armed for that time. */
static void test_sched_fifo_equal_times(void)
{
	static const uint64_t times[8] = { 50, 20, 50, 20, 50, 10, 50, 20 };
	/* 10: F; 20: B, H, then D (re-armed); 50: A, E, G, then C (re-armed) */
	static const size_t want[8] = { 5, 1, 7, 3, 0, 4, 6, 2 };
	struct fixture f;
	struct rec r[8];

	CU_ASSERT_FATAL(fired_open(16) && fx_open(&f, 1.0, true));
	for (size_t i = 0; i < 8; i++) {
		rec_init(&r[i], i, record);
		rec_arm(&f.sched, &r[i], times[i]);
	}
	rec_arm(&f.sched, &r[2], 50);
	rec_arm(&f.sched, &r[3], 20);
	ASSERT_INT(sched_next(&f.sched), 10);
	sched_run_until(&f.sched, 100);
	ASSERT_INT(fired.n, 8);
	for (size_t i = 0; i < 8; i++) {
		ASSERT_INT(fired.ids[i], want[i]);
		ASSERT_INT(fired.times[i], times[want[i]]);
	}
	fx_close(&f);
	fired_close();
}

/* Cancelling the head, one in the middle, the latest, and the entry in the heap's last
 * slot; a second cancel is a no-op. The others fire, in order. */
static void test_sched_cancel_head_middle_last(void)
{
	static const uint64_t times[9] = { 50, 10, 90, 30, 70, 20, 80, 40, 60 };
	struct fixture f;
	struct rec r[9];

	CU_ASSERT_FATAL(fired_open(16) && fx_open(&f, 1.0, true));
	for (size_t i = 0; i < 9; i++) {
		rec_init(&r[i], i, record);
		rec_arm(&f.sched, &r[i], times[i]);
	}
	ASSERT_INT(sched_next(&f.sched), 10);
	rec_cancel(&f.sched, &r[1]);                  /* the head (10) */
	CU_ASSERT(!r[1].ev.armed);
	ASSERT_INT(sched_next(&f.sched), 20);
	rec_cancel(&f.sched, &r[0]);                  /* the middle (50) */
	rec_cancel(&f.sched, &r[2]);                  /* the latest (90) */
	ASSERT_INT(sched_next(&f.sched), 20);
	rec_cancel(&f.sched, &r[1]);                  /* again: nothing happens */
	ASSERT_INT(f.sched.n, 6);
	ASSERT_INT(heap_faults(&f.sched), 0);
	/* whichever event sits in the last slot: removal without moving another */
	struct rec *tail = f.sched.heap[f.sched.n - 1]->arg;
	rec_cancel(&f.sched, tail);
	ASSERT_INT(f.sched.n, 5);
	ASSERT_INT(heap_faults(&f.sched), 0);

	struct ref_key ref[9];
	size_t live = reference(r, 9, ref);
	ASSERT_INT(live, 5);
	sched_run_until(&f.sched, 1000);
	ASSERT_INT(fired.n, live);
	ASSERT_INT(order_faults(ref, 0, live), 0);
	for (size_t i = 0; i < 9; i++)
		CU_ASSERT(!r[i].ev.armed);
	ASSERT_INT(sched_next(&f.sched), UINT64_MAX);

	/* the only event, cancelled: the scheduler is empty and its timer stopped */
	rec_arm(&f.sched, &r[4], 2000);
	rec_cancel(&f.sched, &r[4]);
	ASSERT_INT(sched_next(&f.sched), UINT64_MAX);
	CU_ASSERT(!f.sched.timer.armed);
	fx_close(&f);
	fired_close();
}

/* The scheduler of the re-arm tests: callbacks get only their event. */
static struct dev_sched *rearm_sched;

/* Fires, then re-arms itself `step` ns later while rearm_left lasts. */
static void rearm_self(void *arg, uint64_t t)
{
	struct rec *r = arg;

	record(arg, t);
	if (r->rearm_left) {
		r->rearm_left--;
		rec_arm(rearm_sched, r, t + r->step);
	}
}

/* An event re-armed from its own callback is a new arming: behind the events already
 * armed for that time, fired again by the same sched_run_until when still due; on a
 * clock that does not run by itself, each loop round fires one event, so a re-armed
 * event waits for the next round. */
static void test_sched_rearm_in_callback(void)
{
	struct fixture f;
	struct rec r[4];

	CU_ASSERT_FATAL(fired_open(64) && fx_open(&f, 1.0, true));
	rearm_sched = &f.sched;
	for (size_t i = 0; i < 4; i++)
		rec_init(&r[i], i, rearm_self);
	r[0].rearm_left = 2;                 /* A: twice more at the same time */
	r[2].rearm_left = 100;               /* P: periodic, every 10 ns */
	r[2].step = 10;
	rec_arm(&f.sched, &r[0], 100);
	rec_arm(&f.sched, &r[1], 100);       /* B: once */
	rec_arm(&f.sched, &r[2], 100);
	rec_arm(&f.sched, &r[3], 150);       /* C: after the window */
	sched_run_until(&f.sched, 130);
	static const size_t want_id[8] = { 0, 1, 2, 0, 0, 2, 2, 2 };
	static const uint64_t want_t[8] = { 100, 100, 100, 100, 100, 110, 120, 130 };
	ASSERT_INT(fired.n, 8);
	for (size_t i = 0; i < 8 && i < fired.n; i++) {
		ASSERT_INT(fired.ids[i], want_id[i]);
		ASSERT_INT(fired.times[i], want_t[i]);
	}
	ASSERT_INT(sched_next(&f.sched), 140);
	ASSERT_INT(clock_now(&f.clock), 130);
	fx_close(&f);

	/* time scale 0: the loop's timer fires one event per round */
	fired.n = 0;
	CU_ASSERT_FATAL(fx_open(&f, 0.0, false));
	rearm_sched = &f.sched;
	for (size_t i = 0; i < 2; i++) {
		rec_init(&r[i], i, rearm_self);
		r[i].rearm_left = 2;
		rec_arm(&f.sched, &r[i], 5);
	}
	for (size_t round = 1; round <= 7; round++) {
		evloop_run_once(f.loop, 0);
		ASSERT_INT(fired.n, round < 6 ? round : 6);
	}
	for (size_t i = 0; i < 6 && i < fired.n; i++) {
		ASSERT_INT(fired.ids[i], i % 2);   /* A B A B A B */
		ASSERT_INT(fired.times[i], 5);
	}
	ASSERT_INT(clock_now(&f.clock), 5);
	ASSERT_INT(sched_next(&f.sched), UINT64_MAX);
	fx_close(&f);
	rearm_sched = NULL;
	fired_close();
}

/* With the heap unable to grow (its limit stands for a failed realloc), further events
 * wait on the spill list: none is lost, order holds across both, cancel works in
 * both, and sched_cancel_all empties both and releases the array. */
static void test_sched_heap_full_spills_in_order(void)
{
	enum { N = 3000, LIMIT = 16 };
	struct fixture f;
	struct t_rng rng;
	struct rec *recs = calloc(N, sizeof(*recs));
	struct ref_key *ref = calloc(N, sizeof(*ref));
	size_t max_n = 0, live;

	CU_ASSERT_FATAL(recs && ref && fired_open(N) && fx_open(&f, 1.0, true));
	f.sched.heap_limit = LIMIT;
	t_rng_seed(&rng, 0xfeedull);
	for (size_t i = 0; i < N; i++)
		rec_init(&recs[i], i, record);
	for (size_t k = 0; k < N; k++) {
		rec_arm(&f.sched, &recs[k], 1 + t_rng_next(&rng) % 500);
		if (k % 3 == 2)
			rec_cancel(&f.sched, &recs[t_rng_next(&rng) % (k + 1)]);
		if (f.sched.n > max_n)
			max_n = f.sched.n;
	}
	ASSERT_INT(max_n, LIMIT);
	CU_ASSERT(f.sched.spill != NULL);
	ASSERT_INT(heap_faults(&f.sched), 0);
	ASSERT_INT(sched_next(&f.sched), min_live(recs, N));
	live = reference(recs, N, ref);
	sched_run_until(&f.sched, 250);
	size_t first_part = fired.n;
	CU_ASSERT(first_part > 0 && first_part < live);
	ASSERT_INT(order_faults(ref, 0, first_part), 0);
	/* events armed now go wherever there is room, and still interleave right */
	for (size_t k = 0; k < 8; k++)
		rec_arm(&f.sched, &recs[ref[k].id], 300 + k);
	live = reference(recs, N, ref);
	sched_run_until(&f.sched, 1000);
	ASSERT_INT(fired.n, first_part + live);
	ASSERT_INT(order_faults(ref, first_part, live), 0);
	CU_ASSERT(f.sched.spill == NULL);

	/* cancel_all with events both in the heap and on the spill list */
	for (size_t k = 0; k < 100; k++)
		rec_arm(&f.sched, &recs[k], 1000 + k);
	CU_ASSERT(f.sched.spill != NULL);
	sched_cancel_all(&f.sched);
	size_t still_armed = 0;
	for (size_t i = 0; i < N; i++)
		still_armed += recs[i].ev.armed;
	ASSERT_INT(still_armed, 0);
	CU_ASSERT(f.sched.heap == NULL && f.sched.spill == NULL);
	ASSERT_INT(f.sched.cap, 0);
	ASSERT_INT(sched_next(&f.sched), UINT64_MAX);
	rec_arm(&f.sched, &recs[0], 2000);   /* and it still works afterwards */
	ASSERT_INT(sched_next(&f.sched), 2000);
	fx_close(&f);
	fired_close();
	free(ref);
	free(recs);
}

static void test_clock_wait_resume(void)
{
	struct dev_clock c;

	clock_init(&c, 1.0);
	clock_advance_to(&c, 5000000000ull);
	clock_wait(&c);
	uint64_t t = clock_now(&c), until = mono_now_ns() + 20000000;
	while (mono_now_ns() < until)
		;
	ASSERT_INT(clock_now(&c), t);               /* stands still while waiting */
	CU_ASSERT(clock_free_running(&c));           /* still a running clock, only held back */
	clock_resume(&c);
	ASSERT_INT(c.waits, 1);
	CU_ASSERT(c.waited_ns >= 20000000);
	CU_ASSERT(clock_now(&c) >= t);               /* resumes from where it stood: the 20 ms */
	CU_ASSERT(clock_now(&c) < t + 10000000);     /* spent waiting are not added afterwards */
	clock_wait(&c);
	clock_reset(&c);                             /* power-up ends a wait */
	CU_ASSERT(!c.waiting);
}

static const struct test_case cases[] = {
	{ "test_sched_slow_host_keeps_device_time", test_sched_slow_host_keeps_device_time },
	{ "test_clock_wait_resume", test_clock_wait_resume },
	{ "test_sched_random_order_100k_with_cancels", test_sched_random_order_100k_with_cancels },
	{ "test_sched_pulse_train_100k", test_sched_pulse_train_100k },
	{ "test_sched_fifo_equal_times", test_sched_fifo_equal_times },
	{ "test_sched_cancel_head_middle_last", test_sched_cancel_head_middle_last },
	{ "test_sched_rearm_in_callback", test_sched_rearm_in_callback },
	{ "test_sched_heap_full_spills_in_order", test_sched_heap_full_spills_in_order },
	{ NULL, NULL },
};

int test_sched_add_suite(void) { return test_add_suite("sched", NULL, NULL, cases); }
