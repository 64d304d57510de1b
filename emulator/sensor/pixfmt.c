/* SPDX-License-Identifier: MIT */
#include "pixfmt.h"

#include <string.h>

#include "readout.h"

/* One row per (format, sensor): Mono8 means Y of the debayered image on a Bayer sensor and
 * the raw values on a sensor without a colour filter. */
static const struct pixfmt formats[] = {
	{ PFNC_BAYER_RG8, "BayerRG8", SENSOR_CFA_BAYER_RG, 8, 2, PIXFMT_PACK_RAW8, PIXFMT_F_RAW },
	{ PFNC_BAYER_RG16, "BayerRG16", SENSOR_CFA_BAYER_RG, 16, 2, PIXFMT_PACK_RAW16, PIXFMT_F_RAW },
	{ PFNC_BAYER_RG12P, "BayerRG12p", SENSOR_CFA_BAYER_RG, 12, 2, PIXFMT_PACK_RAW12P, PIXFMT_F_RAW },
	{ PFNC_BGR8, "BGR8", SENSOR_CFA_BAYER_RG, 24, 2, PIXFMT_PACK_BGR8, 0 },
	{ PFNC_MONO8, "Mono8", SENSOR_CFA_BAYER_RG, 8, 2, PIXFMT_PACK_Y8, PIXFMT_F_YCC },
	{ PFNC_YCBCR422_8, "YCbCr422_8", SENSOR_CFA_BAYER_RG, 16, 2, PIXFMT_PACK_YCC422, PIXFMT_F_YCC },
	{ PFNC_YCBCR411_8, "YCbCr411_8", SENSOR_CFA_BAYER_RG, 12, 4, PIXFMT_PACK_YCC411, PIXFMT_F_YCC },
	{ PFNC_YCBCR411_8_CBYYCRYY, "YCbCr411_8_CbYYCrYY", SENSOR_CFA_BAYER_RG, 12, 4, PIXFMT_PACK_YCC411_CBYY,
	  PIXFMT_F_YCC },
	{ PFNC_MONO8, "Mono8", SENSOR_CFA_NONE, 8, 2, PIXFMT_PACK_RAW8, PIXFMT_F_RAW },
	{ PFNC_MONO12P, "Mono12p", SENSOR_CFA_NONE, 12, 2, PIXFMT_PACK_RAW12P, PIXFMT_F_RAW },
	{ PFNC_MONO16, "Mono16", SENSOR_CFA_NONE, 16, 2, PIXFMT_PACK_RAW16, PIXFMT_F_RAW },
};

const struct pixfmt *pixfmt_find(uint32_t pfnc, enum sensor_cfa cfa)
{
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (formats[i].pfnc == pfnc && formats[i].cfa == cfa)
			return &formats[i];
	return NULL;
}

const struct pixfmt *pixfmt_table(size_t *n)
{
	*n = sizeof(formats) / sizeof(formats[0]);
	return formats;
}

size_t pixfmt_row_bytes(const struct pixfmt *f, uint32_t width)
{
	return (size_t)width * f->bits / 8;
}

/* ---- raw packers ----
 * The vectorisable packers run a main loop over whole blocks and a tail loop
 * for the rest. Indices are size_t: 32-bit indices may wrap, which keeps the
 * compiler from treating 2*i, 3*i as plain strides. */

static void pack8(const uint16_t *restrict p, size_t n, uint8_t *restrict out)
{
	size_t m = n & ~(size_t)(ROW_BLOCK - 1), i;

	for (i = 0; i < m; i++)
		out[i] = (uint8_t)(p[i] >> 4);
	for (; i < n; i++)
		out[i] = (uint8_t)(p[i] >> 4);
}

/* 12 bits in the most significant bits of a little-endian u16 */
static void pack16(const uint16_t *restrict p, size_t n, uint8_t *restrict out)
{
	size_t m = n & ~(size_t)(ROW_BLOCK - 1), i;

	for (i = 0; i < m; i++) {
		out[2 * i] = (uint8_t)(p[i] << 4);
		out[2 * i + 1] = (uint8_t)(p[i] >> 4);
	}
	for (; i < n; i++) {
		out[2 * i] = (uint8_t)(p[i] << 4);
		out[2 * i + 1] = (uint8_t)(p[i] >> 4);
	}
}

/* pixels 2j, 2j+1 = p0, p1 -> p0 & 0xFF, (p0 >> 8) | ((p1 & 0xF) << 4), p1 >> 4 */
static void pack12p(const uint16_t *restrict p, size_t n, uint8_t *restrict out)
{
	for (size_t j = 0; j < n / 2; j++) {
		uint16_t p0 = p[2 * j], p1 = p[2 * j + 1];

		out[3 * j] = (uint8_t)p0;
		out[3 * j + 1] = (uint8_t)((p0 >> 8) | ((p1 & 0xF) << 4));
		out[3 * j + 2] = (uint8_t)(p1 >> 4);
	}
}

void pixfmt_pack_raw(const struct pixfmt *f, const uint16_t *p, uint32_t n, uint8_t *out)
{
	switch (f->packing) {
	case PIXFMT_PACK_RAW8:
		pack8(p, n, out);
		break;
	case PIXFMT_PACK_RAW16:
		pack16(p, n, out);
		break;
	case PIXFMT_PACK_RAW12P:
		pack12p(p, n, out);
		break;
	default:
		break;
	}
}

/* ---- debayer ----
 * Every candidate average is computed for every pixel and a mask from the
 * column parity picks one: branch-free, so the loop vectorises (a ?: here
 * stops GCC's -O2 vectoriser). Sums of four 12-bit values fit 16 bits and
 * all values are >= 0, so / 4 and / 2 are shifts. */

static void debayer_rg_row(const uint16_t *restrict up, const uint16_t *restrict cur, const uint16_t *restrict dn,
			   size_t n, uint16_t *restrict r, uint16_t *restrict g, uint16_t *restrict b)
{
	/* the left neighbours as arrays of their own: x - 1 would wrap a size_t at x = 0 */
	const uint16_t *ul = up - 1, *cl = cur - 1, *dl = dn - 1;

	for (size_t x = 0; x < n; x++) {
		uint16_t c = cur[x], h = (uint16_t)(cl[x] + cur[x + 1]), v = (uint16_t)(up[x] + dn[x]);
		uint16_t cross = (uint16_t)((h + v + 2) >> 2);
		uint16_t diag = (uint16_t)((ul[x] + up[x + 1] + dl[x] + dn[x + 1] + 2) >> 2);
		uint16_t h2 = (uint16_t)((h + 1) >> 1), v2 = (uint16_t)((v + 1) >> 1);
		uint16_t odd = (uint16_t)(0u - (x & 1));   /* all ones at G (odd x), zero at R */

		r[x] = (uint16_t)((h2 & odd) | (c & ~odd));
		g[x] = (uint16_t)((c & odd) | (cross & ~odd));
		b[x] = (uint16_t)((v2 & odd) | (diag & ~odd));
	}
}

static void debayer_gb_row(const uint16_t *restrict up, const uint16_t *restrict cur, const uint16_t *restrict dn,
			   size_t n, uint16_t *restrict r, uint16_t *restrict g, uint16_t *restrict b)
{
	/* the left neighbours as arrays of their own: x - 1 would wrap a size_t at x = 0 */
	const uint16_t *ul = up - 1, *cl = cur - 1, *dl = dn - 1;

	for (size_t x = 0; x < n; x++) {
		uint16_t c = cur[x], h = (uint16_t)(cl[x] + cur[x + 1]), v = (uint16_t)(up[x] + dn[x]);
		uint16_t cross = (uint16_t)((h + v + 2) >> 2);
		uint16_t diag = (uint16_t)((ul[x] + up[x + 1] + dl[x] + dn[x + 1] + 2) >> 2);
		uint16_t h2 = (uint16_t)((h + 1) >> 1), v2 = (uint16_t)((v + 1) >> 1);
		uint16_t odd = (uint16_t)(0u - (x & 1));   /* all ones at B (odd x), zero at G */

		r[x] = (uint16_t)((diag & odd) | (v2 & ~odd));
		g[x] = (uint16_t)((cross & odd) | (c & ~odd));
		b[x] = (uint16_t)((c & odd) | (h2 & ~odd));
	}
}

void pixfmt_debayer_row(const uint16_t *up, const uint16_t *cur, const uint16_t *dn, uint32_t n,
			unsigned odd_row, uint16_t *r, uint16_t *g, uint16_t *b)
{
	size_t m = row_blocks(n);

	if (odd_row)
		debayer_gb_row(up, cur, dn, m, r, g, b);
	else
		debayer_rg_row(up, cur, dn, m, r, g, b);
}

/* ---- BT.601 full range, integer ----
 * Cb and Cr are never negative here (their minimum is 256 >> 8 = 1) and
 * reach 65536 >> 8 = 256 only for pure blue / pure red: hence the min(255). */
void pixfmt_ycc_row(const uint16_t *restrict r, const uint16_t *restrict g, const uint16_t *restrict b,
		    uint32_t n, uint8_t *restrict y, uint8_t *restrict cb, uint8_t *restrict cr)
{
	size_t m = row_blocks(n);

	/* The BT.601 integers of docs/image-pipeline.md in 16-bit lanes (8 per SSE2 vector, not 4): every sum
	 * below ends in [0, 65535], so wrapping u16 arithmetic gives it exactly:
	 *   Y  = (77 r + 150 g + 29 b + 128) >> 8                 (at most 65408)
	 *   Cb = (X + 32896) >> 8 = ((X + 32640) >> 8) + 1        (X + 32640 in [0, 65280])
	 * (Cr likewise), then Cb and Cr are capped at 255. */
	for (size_t x = 0; x < m; x++) {
		uint16_t r8 = (uint16_t)(r[x] >> 4), g8 = (uint16_t)(g[x] >> 4), b8 = (uint16_t)(b[x] >> 4);
		uint16_t vy = (uint16_t)(77 * r8 + 150 * g8 + 29 * b8 + 128);
		uint16_t tcb = (uint16_t)(128 * b8 + 32640 - 43 * r8 - 85 * g8);
		uint16_t tcr = (uint16_t)(128 * r8 + 32640 - 107 * g8 - 21 * b8);
		uint16_t vcb = (uint16_t)((tcb >> 8) + 1), vcr = (uint16_t)((tcr >> 8) + 1);

		y[x] = (uint8_t)(vy >> 8);
		cb[x] = (uint8_t)(vcb < 255 ? vcb : 255);
		cr[x] = (uint8_t)(vcr < 255 ? vcr : 255);
	}
}

/* Y alone (Mono8): the same Y as pixfmt_ycc_row, without the chroma nobody reads. */
void pixfmt_y_row(const uint16_t *restrict r, const uint16_t *restrict g, const uint16_t *restrict b, uint32_t n,
		  uint8_t *restrict y)
{
	size_t m = row_blocks(n);

	for (size_t x = 0; x < m; x++) {
		uint16_t r8 = (uint16_t)(r[x] >> 4), g8 = (uint16_t)(g[x] >> 4), b8 = (uint16_t)(b[x] >> 4);

		y[x] = (uint8_t)((uint16_t)(77 * r8 + 150 * g8 + 29 * b8 + 128) >> 8);
	}
}

/* ---- colour packers (byte-interleaved stores: scalar on SSE2) ---- */

void pixfmt_pack_bgr8(const uint16_t *restrict r, const uint16_t *restrict g, const uint16_t *restrict b,
		      uint32_t n, uint8_t *restrict out)
{
	for (size_t x = 0; x < n; x++) {
		out[3 * x] = (uint8_t)(b[x] >> 4);
		out[3 * x + 1] = (uint8_t)(g[x] >> 4);
		out[3 * x + 2] = (uint8_t)(r[x] >> 4);
	}
}

/* pair j: Y0 Cb Y1 Cr, chroma averaged over the pair */
static void pack422(const uint8_t *restrict y, const uint8_t *restrict cb, const uint8_t *restrict cr, size_t n,
		    uint8_t *restrict out)
{
	for (size_t j = 0; j < n / 2; j++) {
		out[4 * j] = y[2 * j];
		out[4 * j + 1] = (uint8_t)((cb[2 * j] + cb[2 * j + 1] + 1) >> 1);
		out[4 * j + 2] = y[2 * j + 1];
		out[4 * j + 3] = (uint8_t)((cr[2 * j] + cr[2 * j + 1] + 1) >> 1);
	}
}

static inline uint8_t avg4(const uint8_t *c) { return (uint8_t)((c[0] + c[1] + c[2] + c[3] + 2) >> 2); }

/* quad j: Y0 Y1 Cb Y2 Y3 Cr, or (cb_first) Cb Y0 Y1 Cr Y2 Y3 */
static void pack411(const uint8_t *restrict y, const uint8_t *restrict cb, const uint8_t *restrict cr, size_t n,
		    bool cb_first, uint8_t *restrict out)
{
	/* byte positions of Y0..Y3, Cb, Cr within the 6-byte group */
	static const uint8_t order[2][6] = { { 0, 1, 3, 4, 2, 5 }, { 1, 2, 4, 5, 0, 3 } };
	const uint8_t *o = order[cb_first];

	for (size_t j = 0; j < n / 4; j++) {
		uint8_t *g = out + 6 * j;

		g[o[0]] = y[4 * j];
		g[o[1]] = y[4 * j + 1];
		g[o[2]] = y[4 * j + 2];
		g[o[3]] = y[4 * j + 3];
		g[o[4]] = avg4(cb + 4 * j);
		g[o[5]] = avg4(cr + 4 * j);
	}
}

void pixfmt_pack_ycc(const struct pixfmt *f, const uint8_t *y, const uint8_t *cb, const uint8_t *cr, uint32_t n,
		     uint8_t *out)
{
	switch (f->packing) {
	case PIXFMT_PACK_Y8:
		memcpy(out, y, n);
		break;
	case PIXFMT_PACK_YCC422:
		pack422(y, cb, cr, n, out);
		break;
	case PIXFMT_PACK_YCC411:
		pack411(y, cb, cr, n, false, out);
		break;
	case PIXFMT_PACK_YCC411_CBYY:
		pack411(y, cb, cr, n, true, out);
		break;
	default:
		break;
	}
}
