/* SPDX-License-Identifier: MIT */
/* A bounded record of delays (ns): the last LATENCY_SAMPLES of them, for percentiles on
 * request. Fixed size, no allocation: a figure for benchmarks, never a timing rule. */
#ifndef DFK_LATENCY_H
#define DFK_LATENCY_H

#include <stdint.h>

#define LATENCY_SAMPLES 2048u

struct latency_ring {
	uint64_t samples[LATENCY_SAMPLES];
	uint64_t count;              /* recorded in all (the ring keeps the last LATENCY_SAMPLES) */
	uint64_t max;                /* of all recorded */
};

void latency_clear(struct latency_ring *r);
void latency_add(struct latency_ring *r, uint64_t ns);
/* The p-th percentile (0..100, nearest rank) of the samples kept; 0 when there are none. */
uint64_t latency_percentile(const struct latency_ring *r, double p);

#endif
