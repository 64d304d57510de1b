/* SPDX-License-Identifier: MIT */
#include "readout.h"

#include <string.h>

#include "../common/errors.h"

static bool one_or_two(uint32_t v) { return v == 1 || v == 2; }

int readout_check(const struct sensor_settings *st)
{
	if (!one_or_two(st->decimation_h) || !one_or_two(st->decimation_v) || !one_or_two(st->binning_h) ||
	    !one_or_two(st->binning_v))
		return DFK_ERR_INVAL;
	/* The sensor bins in both directions only, and never together with skipping. */
	if (st->binning_h != st->binning_v)
		return DFK_ERR_INVAL;
	if (st->binning_h == 2 && (st->decimation_h == 2 || st->decimation_v == 2))
		return DFK_ERR_INVAL;
	/* The flip formula mirrors 2-pixel pairs, and the debayer reflection needs 2 pixels per axis. */
	if (st->width < 2 || st->height < 2 || st->width % 2 || st->height % 2)
		return DFK_ERR_INVAL;
	uint64_t wmax = SENSOR_WIDTH / (st->decimation_h * st->binning_h);
	uint64_t hmax = SENSOR_HEIGHT / (st->decimation_v * st->binning_v);
	if ((uint64_t)st->offset_x + st->width > wmax || (uint64_t)st->offset_y + st->height > hmax)
		return DFK_ERR_INVAL;
	return DFK_OK;
}

/* Section 2 steps 1-3 for one axis: output coordinate -> flipped -> readout grid -> sensor. */
static void build_axis(uint16_t *s0, uint16_t *s1, uint32_t n, uint32_t offset, bool reverse, uint32_t d,
		       uint32_t b)
{
	bool sparse = d == 2 || b == 2;   /* 2 of every 4 lines, keeping the mosaic */

	for (uint32_t o = 0; o < n; o++) {
		uint32_t f = reverse ? ((n - 1 - o) ^ 1u) : o;
		uint32_t r = offset + f;
		uint32_t s = sparse ? (r / 2) * 4 + (r % 2) : r;

		s0[o] = (uint16_t)s;
		s1[o] = (uint16_t)(b == 2 ? s + 2 : s);
	}
}

static struct readout_key key_of(const struct sensor_settings *st)
{
	struct readout_key k;

	/* memset: the key is compared with memcmp, padding included */
	memset(&k, 0, sizeof(k));
	k.width = st->width;
	k.height = st->height;
	k.offset_x = st->offset_x;
	k.offset_y = st->offset_y;
	k.decimation_h = st->decimation_h;
	k.decimation_v = st->decimation_v;
	k.binning_h = st->binning_h;
	k.binning_v = st->binning_v;
	k.reverse_x = st->reverse_x;
	k.reverse_y = st->reverse_y;
	return k;
}

void readout_update(struct readout_map *m, const struct sensor_settings *st)
{
	struct readout_key k = key_of(st);

	if (m->valid && memcmp(&k, &m->key, sizeof(k)) == 0)
		return;
	/* Padding columns read sensor column 0: valid for every source, results unused. */
	memset(m->cx0, 0, sizeof(m->cx0));
	memset(m->cx1, 0, sizeof(m->cx1));
	build_axis(m->cx0, m->cx1, k.width, k.offset_x, k.reverse_x, k.decimation_h, k.binning_h);
	build_axis(m->ry0, m->ry1, k.height, k.offset_y, k.reverse_y, k.decimation_v, k.binning_v);
	m->binned = k.binning_h == 2;
	m->key = k;
	m->valid = true;
}

void readout_row(const struct readout_map *m, uint32_t oy, struct row_src *rs)
{
	rs->cx0 = m->cx0;
	rs->cx1 = m->cx1;
	rs->n = m->key.width;
	rs->sy0 = m->ry0[oy];
	rs->sy1 = m->ry1[oy];
	rs->binned = m->binned;
	rs->odd_row = oy & 1;
}
