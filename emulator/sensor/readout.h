/* SPDX-License-Identifier: MIT */
/* Readout (docs/image-pipeline.md section 2): which sensor pixels feed each
 * output pixel. Flip, region, skipping and binning are folded into one map per
 * axis, computed once per geometry, so that producing a row of raw values is a
 * plain indexed loop.
 *
 * Row convention shared by the whole sensor module: rows are processed in
 * whole blocks of ROW_BLOCK pixels (a trip count the compiler knows to be a
 * multiple of its vector width, so that -O2 vectorises the loops), and every
 * map and row buffer has room for the rounded-up length plus a margin. */
#ifndef DFK_SENSOR_READOUT_H
#define DFK_SENSOR_READOUT_H

#include <stdbool.h>
#include <stdint.h>

#include "sensor.h"

#define ROW_BLOCK 16
#define ROW_ALLOC (SENSOR_WIDTH + 4 * ROW_BLOCK)

/* `n` rounded up to whole blocks. */
static inline uint32_t row_blocks(uint32_t n)
{
	return (n + ROW_BLOCK - 1) & ~(uint32_t)(ROW_BLOCK - 1);
}

/* One output row as the sources see it: which sensor pixels to read. */
struct row_src {
	const uint16_t *cx0, *cx1;   /* sensor column per output column; cx1 = second column of a binned pair */
	uint32_t n;                  /* output columns (the arrays hold row_blocks(n) valid entries) */
	uint32_t sy0, sy1;           /* sensor row; sy1 = second row of a binned pair */
	bool binned;                 /* average the four pixels (cx0|cx1) x (sy0|sy1) */
	unsigned odd_row;            /* output row parity: 0 = R G R G ..., 1 = G B G B ... */
};

/* The geometry the maps were built for. */
struct readout_key {
	uint32_t width, height, offset_x, offset_y;
	uint32_t decimation_h, decimation_v, binning_h, binning_v;
	bool reverse_x, reverse_y;
};

struct readout_map {
	struct readout_key key;
	bool valid;
	bool binned;
	uint16_t cx0[ROW_ALLOC], cx1[ROW_ALLOC];         /* per output column; padding entries are 0 */
	uint16_t ry0[SENSOR_HEIGHT], ry1[SENSOR_HEIGHT]; /* per output row */
};

/* DFK_OK, or DFK_ERR_INVAL when the geometry or readout mode is not one the camera can have. */
int readout_check(const struct sensor_settings *st);
/* Rebuilds the maps unless they already describe `st` (which readout_check accepted). */
void readout_update(struct readout_map *m, const struct sensor_settings *st);
/* The row source of output row `oy`, using all W columns of the map. */
void readout_row(const struct readout_map *m, uint32_t oy, struct row_src *rs);

#endif
