/* Pixel formats (docs/image-pipeline.md section 5): the three Bayer packers,
 * the bilinear debayer, the BT.601 integer conversion and the packers of the
 * five colour formats. All row functions take row_blocks(n)-sized buffers
 * (see readout.h) except the packers, which write exactly n pixels. */
#ifndef DFK_SENSOR_PIXFMT_H
#define DFK_SENSOR_PIXFMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PFNC_BAYER_RG8           0x01080009u
#define PFNC_BAYER_RG16          0x0110002Fu
#define PFNC_BAYER_RG12P         0x010C0059u
#define PFNC_BGR8                0x02180015u
#define PFNC_MONO8               0x01080001u
#define PFNC_YCBCR422_8          0x0210003Bu
#define PFNC_YCBCR411_8          0x020C005Au
#define PFNC_YCBCR411_8_CBYYCRYY 0x020C003Cu

enum pixfmt_kind {
	PIXFMT_BAYER8,
	PIXFMT_BAYER16,
	PIXFMT_BAYER12P,
	PIXFMT_BGR8,
	PIXFMT_MONO8,
	PIXFMT_YCC422,
	PIXFMT_YCC411,
	PIXFMT_YCC411_CBYY,
};

struct pixfmt {
	uint32_t pfnc;
	const char *name;
	uint32_t bits;            /* per pixel */
	uint32_t width_align;     /* pixels per packed group */
	enum pixfmt_kind kind;
};

/* NULL for a format the camera does not have. */
const struct pixfmt *pixfmt_find(uint32_t pfnc);
/* Bytes of one row of `width` pixels (no line padding). */
size_t pixfmt_row_bytes(const struct pixfmt *f, uint32_t width);

static inline bool pixfmt_is_bayer(const struct pixfmt *f) { return f->kind <= PIXFMT_BAYER12P; }
/* Mono8 and the YCbCr formats: built from the BT.601 Y (and Cb, Cr) of the debayered image. */
static inline bool pixfmt_is_ycc(const struct pixfmt *f) { return f->kind >= PIXFMT_MONO8; }

/* Bayer formats: n raw 12-bit values -> bytes. */
void pixfmt_pack_bayer(const struct pixfmt *f, const uint16_t *p, uint32_t n, uint8_t *out);

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
/* Mono8 and the YCbCr formats from per-pixel Y, Cb, Cr (chroma averaged here). */
void pixfmt_pack_ycc(const struct pixfmt *f, const uint8_t *y, const uint8_t *cb, const uint8_t *cr, uint32_t n,
		     uint8_t *out);

#endif
