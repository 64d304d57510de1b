/* SPDX-License-Identifier: MIT */
/* The "ramp" test pattern (docs/image-pipeline.md section 1):
 * raw(sx, sy) = (sx + 2*sy + 16*block_id + seed) mod 4096, read out through
 * the readout maps. It bypasses all processing, so its rows are the output
 * raw values P directly. */
#ifndef DFK_SENSOR_PATTERN_H
#define DFK_SENSOR_PATTERN_H

#include <stdint.h>

#include "readout.h"

/* The frame's constant term (16*block_id + seed) mod 4096. */
uint32_t pattern_frame_term(uint64_t block_id, uint32_t seed);
/* Writes row_blocks(rs->n) raw values of one output row into `out`. */
void pattern_row(const struct row_src *rs, uint32_t term, uint16_t *out);

#endif
