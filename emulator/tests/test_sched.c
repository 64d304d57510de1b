/* camera/sched + camera/clock: device-time events on a host too slow for the
 * time scale. Every event must still fire, in order, at its own device time;
 * the device clock waits for the emulator instead of running away from it; and
 * the event loop keeps serving the network between events. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

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
	{ NULL, NULL },
};

int test_sched_add_suite(void) { return test_add_suite("sched", NULL, NULL, cases); }
