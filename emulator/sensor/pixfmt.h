/* SPDX-License-Identifier: MIT */
/* Pixel formats (docs/image-pipeline.md section 5): the table of the formats a
 * sensor can deliver, the packers of the raw formats (Bayer, and Mono on a
 * sensor without a colour filter), the bilinear debayer, the BT.601 integer
 * conversion and the packers of the formats built from it. All row functions
 * take row_blocks(n)-sized buffers (see readout.h) except the packers, which
 * write exactly n pixels. */
#ifndef DFK_SENSOR_PIXFMT_H
#define DFK_SENSOR_PIXFMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../models/pfnc.h"
#include "sensor.h"

/* How a format lays its samples out on the wire. */
enum pixfmt_packing {
	PIXFMT_PACK_RAW8,         /* P >> 4 */
	PIXFMT_PACK_RAW16,        /* P << 4, little-endian u16 (12 bits in the most significant bits) */
	PIXFMT_PACK_RAW12P,       /* two pixels in 3 bytes, least significant bits first */
	PIXFMT_PACK_BGR8,         /* b g r of the debayered image */
	PIXFMT_PACK_Y8,           /* BT.601 Y of the debayered image */
	PIXFMT_PACK_YCC422,       /* Y0 Cb Y1 Cr */
	PIXFMT_PACK_YCC411,       /* Y0 Y1 Cb Y2 Y3 Cr */
	PIXFMT_PACK_YCC411_CBYY,  /* Cb Y0 Y1 Cr Y2 Y3 */
};

/* Format flags: what the pipeline does before packing. */
#define PIXFMT_F_RAW  0x1u   /* the samples are the raw values P themselves (no debayer) */
#define PIXFMT_F_YCC  0x2u   /* built from the BT.601 Y (and Cb, Cr) of the debayered image: gamma/LUT act on Y */

struct pixfmt {
	uint32_t pfnc;
	const char *name;
	enum sensor_cfa cfa;      /* the sensor this row is for: Mono8 is Y on a Bayer sensor, P on a plain one */
	uint32_t bits;            /* per pixel */
	uint32_t width_align;     /* pixels per packed group */
	enum pixfmt_packing packing;
	uint32_t flags;           /* PIXFMT_F_* */
};

/* The format `pfnc` as a sensor with colour filter `cfa` delivers it; NULL when it cannot. */
const struct pixfmt *pixfmt_find(uint32_t pfnc, enum sensor_cfa cfa);
/* Every row of the table (for benchmarks and tests). */
const struct pixfmt *pixfmt_table(size_t *n);
/* Bytes of one row of `width` pixels (no line padding). */
size_t pixfmt_row_bytes(const struct pixfmt *f, uint32_t width);

static inline bool pixfmt_is_raw(const struct pixfmt *f) { return (f->flags & PIXFMT_F_RAW) != 0; }
static inline bool pixfmt_is_ycc(const struct pixfmt *f) { return (f->flags & PIXFMT_F_YCC) != 0; }

/* Raw formats: n raw 12-bit values -> bytes. */
void pixfmt_pack_raw(const struct pixfmt *f, const uint16_t *p, uint32_t n, uint8_t *out);

/* Bilinear debayer of one output row from three raw rows (the row above, the row, the row
 * below, already reflected at the top and bottom). Each raw row must hold valid values at
 * [-1] and [n] (the reflected neighbours). Produces 12-bit R, G, B. */
void pixfmt_debayer_row(const uint16_t *up, const uint16_t *cur, const uint16_t *dn, uint32_t n,
			unsigned odd_row, uint16_t *r, uint16_t *g, uint16_t *b);

/* 12-bit R, G, B -> 8-bit BT.601 full-range Y, Cb, Cr (r = R >> 4 etc.); _y_row: Y only. */
void pixfmt_y_row(const uint16_t *r, const uint16_t *g, const uint16_t *b, uint32_t n, uint8_t *y);
void pixfmt_ycc_row(const uint16_t *r, const uint16_t *g, const uint16_t *b, uint32_t n, uint8_t *y,
		    uint8_t *cb, uint8_t *cr);

/* BGR8 from 12-bit R, G, B. */
void pixfmt_pack_bgr8(const uint16_t *r, const uint16_t *g, const uint16_t *b, uint32_t n, uint8_t *out);
/* The formats of PIXFMT_F_YCC from per-pixel Y, Cb, Cr (chroma averaged here). */
void pixfmt_pack_ycc(const struct pixfmt *f, const uint8_t *y, const uint8_t *cb, const uint8_t *cr, uint32_t n,
		     uint8_t *out);

#endif
