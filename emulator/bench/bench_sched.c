/* SPDX-License-Identifier: MIT */
/* Performance figures of the device scheduler (camera/sched): prints, never judges speed.
 *
 *   build/bench-sched [N]      N pending events (default 100000)
 *
 * Two workloads, each timed per phase with the clock paused so only the scheduler is measured:
 *  pulse train : N events armed in ascending time (an I/O command programming N/2 trigger
 *                pulses, two edges each; the worst case of the former sorted list), all fired;
 *  random      : N events armed at random times with many ties, every other one cancelled in
 *                random order, the rest fired.
 * The fired order is checked against (time, arming order); a wrong order exits with status 1. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "../camera/clock.h"
#include "../camera/sched.h"
#include "../common/evloop.h"

struct bench {
	struct dev_event *ev;
	uint64_t *t;            /* each event's time, by index */
	size_t *rank;           /* arming order of each event: ties fire in this order */
	size_t fired, bad;
	uint64_t last_t;
	size_t last_rank;
};

struct slot {
	struct bench *b;
	size_t i;
};

static struct slot *slots;

static void on_fire(void *arg, uint64_t t)
{
	struct slot *s = arg;
	struct bench *b = s->b;

	/* order check only: the bench must measure a scheduler that is right */
	if (b->fired && (t < b->last_t || (t == b->last_t && b->rank[s->i] < b->last_rank)))
		b->bad++;
	if (t != b->t[s->i])
		b->bad++;
	b->last_t = t;
	b->last_rank = b->rank[s->i];
	b->fired++;
}

static uint64_t rng_next(uint64_t *s)
{
	/* xorshift64*: fixed seed, so every run measures the same work */
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ull;
}

static double ms(uint64_t a, uint64_t b) { return (double)(b - a) / 1e6; }

int main(int argc, char **argv)
{
	size_t n = 100000;
	struct evloop *loop;
	struct dev_clock clock;
	struct dev_sched sched;
	struct bench b = { 0 };
	size_t *perm;
	uint64_t rng = 0x5DEECE66Dull, t0, t1, t2, t3;
	int rc = 0;

	if (argc > 1) {
		char *end;
		unsigned long long v = strtoull(argv[1], &end, 10);
		if (*end || v < 2 || v > 100000000ull) {
			fprintf(stderr, "usage: %s [N]   (2 <= N <= 100000000)\n", argv[0]);
			return 2;
		}
		n = (size_t)v;
	}
	loop = evloop_new();
	b.ev = calloc(n, sizeof(*b.ev));
	b.t = calloc(n, sizeof(*b.t));
	b.rank = calloc(n, sizeof(*b.rank));
	slots = calloc(n, sizeof(*slots));
	perm = calloc(n, sizeof(*perm));
	if (!loop || !b.ev || !b.t || !b.rank || !slots || !perm) {
		fprintf(stderr, "bench-sched: out of memory\n");
		return 2;
	}
	clock_init(&clock, 0.0);
	clock_pause(&clock, true);   /* nothing fires but what sched_run_until asks for */
	sched_init(&sched, loop, &clock);
	for (size_t i = 0; i < n; i++) {
		slots[i] = (struct slot){ &b, i };
		sched_event_init(&b.ev[i], on_fire, &slots[i]);
	}

	printf("dfk-emu bench-sched: %zu pending events\n", n);
	printf("%-12s  %10s  %10s  %10s  %10s  %9s\n", "workload", "arm ms", "cancel ms", "fire ms", "total ms",
	       "ns/event");
	printf("------------  ----------  ----------  ----------  ----------  ---------\n");

	/* pulse train: edges every 10 us, armed in time order */
	for (size_t i = 0; i < n; i++) {
		b.t[i] = 1000000 + (uint64_t)i * 10000;
		b.rank[i] = i;
	}
	t0 = mono_now_ns();
	for (size_t i = 0; i < n; i++)
		sched_at(&sched, &b.ev[i], b.t[i]);
	t1 = mono_now_ns();
	sched_run_until(&sched, b.t[n - 1]);
	t2 = mono_now_ns();
	if (b.fired != n || b.bad)
		rc = 1;
	printf("%-12s  %10.2f  %10s  %10.2f  %10.2f  %9.0f\n", "pulse train", ms(t0, t1), "-", ms(t1, t2), ms(t0, t2),
	       (double)(t2 - t0) / (double)n);

	/* random: times drawn from a range n/4 wide so that about 4 events share each time */
	uint64_t base = clock_now(&clock) + 1;
	for (size_t i = 0; i < n; i++) {
		b.t[i] = base + rng_next(&rng) % (n / 4 + 1);
		perm[i] = i;
	}
	for (size_t i = n - 1; i > 0; i--) {   /* Fisher-Yates: arm in random index order */
		size_t j = (size_t)(rng_next(&rng) % (i + 1)), x = perm[i];
		perm[i] = perm[j];
		perm[j] = x;
	}
	b.fired = 0;
	b.bad = 0;
	t0 = mono_now_ns();
	for (size_t k = 0; k < n; k++) {
		b.rank[perm[k]] = k;
		sched_at(&sched, &b.ev[perm[k]], b.t[perm[k]]);
	}
	t1 = mono_now_ns();
	for (size_t k = 0; k < n; k += 2)   /* every other one of the random order: head, middle, tail alike */
		sched_cancel(&sched, &b.ev[perm[k]]);
	t2 = mono_now_ns();
	sched_run_until(&sched, base + n / 4 + 1);
	t3 = mono_now_ns();
	if (b.fired != n / 2 || b.bad)
		rc = 1;
	printf("%-12s  %10.2f  %10.2f  %10.2f  %10.2f  %9.0f\n", "random", ms(t0, t1), ms(t1, t2), ms(t2, t3),
	       ms(t0, t3), (double)(t3 - t0) / (double)n);
	if (rc)
		fprintf(stderr, "bench-sched: events fired out of order or missing (%zu fired, %zu wrong)\n", b.fired,
			b.bad);

	sched_cancel_all(&sched);
	free(perm);
	free(slots);
	free(b.rank);
	free(b.t);
	free(b.ev);
	evloop_free(loop);
	return rc;
}
