/* SPDX-License-Identifier: MIT */
#include "latency.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void latency_clear(struct latency_ring *r) { memset(r, 0, sizeof(*r)); }

void latency_add(struct latency_ring *r, uint64_t ns)
{
	r->samples[r->count % LATENCY_SAMPLES] = ns;
	r->count++;
	if (ns > r->max)
		r->max = ns;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

uint64_t latency_percentile(const struct latency_ring *r, double p)
{
	static uint64_t sorted[LATENCY_SAMPLES];   /* one request at a time: the event loop's */
	size_t n = r->count < LATENCY_SAMPLES ? (size_t)r->count : LATENCY_SAMPLES, rank;

	if (n == 0)
		return 0;
	memcpy(sorted, r->samples, n * sizeof(sorted[0]));
	qsort(sorted, n, sizeof(sorted[0]), cmp_u64);
	if (p <= 0)
		return sorted[0];
	rank = (size_t)ceil(p / 100.0 * (double)n);
	return sorted[rank < 1 ? 0 : rank > n ? n - 1 : rank - 1];
}
