/* SPDX-License-Identifier: MIT */
#include "pattern.h"

uint32_t pattern_frame_term(uint64_t block_id, uint32_t seed)
{
	/* 4096 divides 2^64: wrapping in 64 bits keeps the value mod 4096 exact. */
	return (uint32_t)((16 * block_id + seed) & 4095);
}

/* raw = (sx + row_term) mod 4096, with row_term = (2*sy + frame term) mod 4096 */
static void plain_row(const uint16_t *restrict cx, uint32_t n, uint16_t row_term, uint16_t *restrict out)
{
	for (uint32_t i = 0; i < n; i++)
		out[i] = (uint16_t)((cx[i] + row_term) & 4095);
}

/* Binning: (v00 + v01 + v10 + v11 + 2) / 4 of the four wrapped values (the wrap
 * matters: a pair straddling 4095 -> 0 averages to the middle, not to the top). */
static void binned_row(const uint16_t *restrict cx0, const uint16_t *restrict cx1, uint32_t n, uint16_t t0,
		       uint16_t t1, uint16_t *restrict out)
{
	for (uint32_t i = 0; i < n; i++) {
		uint32_t v = ((cx0[i] + t0) & 4095) + ((cx1[i] + t0) & 4095) + ((cx0[i] + t1) & 4095) +
			     ((cx1[i] + t1) & 4095);

		out[i] = (uint16_t)((v + 2) >> 2);
	}
}

void pattern_row(const struct row_src *rs, uint32_t term, uint16_t *out)
{
	uint32_t n = row_blocks(rs->n);
	uint16_t t0 = (uint16_t)((2 * rs->sy0 + term) & 4095);
	uint16_t t1 = (uint16_t)((2 * rs->sy1 + term) & 4095);

	if (rs->binned)
		binned_row(rs->cx0, rs->cx1, n, t0, t1, out);
	else
		plain_row(rs->cx0, n, t0, out);
}
