/* SPDX-License-Identifier: MIT */
/* Frame checker from docs/image-pipeline.md (sections 1, 2 and 5): see framecheck.h.
 *
 * The expected frame is produced one output row at a time. The raw output
 * image P (12 bits) comes either from the test pattern through the readout
 * (flip, region, skipping/binning) or, for frame_to_rgb, from a received raw
 * payload; a 3-row cache with one reflected column on each side feeds the
 * bilinear debayer of the colour formats. The raw formats (Bayer, and Mono on
 * a sensor without a colour filter) pack P itself. */
#include "framecheck.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- formats ---- */

int frame_bits_per_pixel(uint32_t pfnc)
{
	switch (pfnc) {
	case PFNC_MONO8:
	case PFNC_BAYER_RG8: return 8;
	case PFNC_MONO12P:
	case PFNC_BAYER_RG12P:
	case PFNC_YCBCR411_8:
	case PFNC_YCBCR411_8_CBYYCRYY: return 12;
	case PFNC_MONO16:
	case PFNC_BAYER_RG16:
	case PFNC_YCBCR422_8: return 16;
	case PFNC_BGR8: return 24;
	default: return 0;
	}
}

const char *frame_pfnc_name(uint32_t pfnc)
{
	switch (pfnc) {
	case PFNC_MONO8: return "Mono8";
	case PFNC_MONO12P: return "Mono12p";
	case PFNC_MONO16: return "Mono16";
	case PFNC_BAYER_RG8: return "BayerRG8";
	case PFNC_BAYER_RG12P: return "BayerRG12p";
	case PFNC_BAYER_RG16: return "BayerRG16";
	case PFNC_YCBCR422_8: return "YCbCr422_8";
	case PFNC_YCBCR411_8: return "YCbCr411_8";
	case PFNC_YCBCR411_8_CBYYCRYY: return "YCbCr411_8_CbYYCrYY";
	case PFNC_BGR8: return "BGR8";
	default: return NULL;
	}
}

static bool is_bayer(uint32_t pfnc)
{
	return pfnc == PFNC_BAYER_RG8 || pfnc == PFNC_BAYER_RG12P || pfnc == PFNC_BAYER_RG16;
}

static bool is_mono(uint32_t pfnc)
{
	return pfnc == PFNC_MONO8 || pfnc == PFNC_MONO12P || pfnc == PFNC_MONO16;
}

/* The samples are P itself: the Bayer formats, and the Mono formats of a sensor without a
 * colour filter (on a Bayer sensor Mono8 is the Y of the debayered image). */
static bool is_raw(const struct frame_geometry *g)
{
	return is_bayer(g->pfnc) || (g->sensor.mono && is_mono(g->pfnc));
}

/* How a raw format packs P: the 8-, 12p- and 16-bit layouts of section 5. */
enum raw_layout { RAW8, RAW12P, RAW16 };

static enum raw_layout raw_layout(uint32_t pfnc)
{
	int bits = frame_bits_per_pixel(pfnc);

	return bits == 8 ? RAW8 : bits == 12 ? RAW12P : RAW16;
}

static bool is_411(uint32_t pfnc)
{
	return pfnc == PFNC_YCBCR411_8 || pfnc == PFNC_YCBCR411_8_CBYYCRYY;
}

size_t frame_payload_size(const struct frame_geometry *g)
{
	uint64_t bits = (uint64_t)g->width * g->height * (uint64_t)frame_bits_per_pixel(g->pfnc);

	if (bits % 8 || bits / 8 > SIZE_MAX)
		return 0;
	return (size_t)(bits / 8);
}

/* Bytes of one output row (no padding; exact since the width is even and, for 4:1:1, a multiple of 4). */
static size_t row_bytes(const struct frame_geometry *g)
{
	return (size_t)g->width * (size_t)frame_bits_per_pixel(g->pfnc) / 8;
}

/* What frame_to_rgb needs: a known format and a size the layouts and the debayer can work on. */
static const char *size_problem(const struct frame_geometry *g)
{
	if (!frame_bits_per_pixel(g->pfnc))
		return "unknown pixel format";
	if (g->sensor.mono && !is_mono(g->pfnc))
		return "a sensor without a colour filter has the Mono formats only";
	if (!g->sensor.mono && is_mono(g->pfnc) && g->pfnc != PFNC_MONO8)
		return "Mono12p and Mono16 need a sensor without a colour filter";
	if (g->width == 0 || g->height == 0)
		return "empty image";
	if (g->width % 2 || g->height % 2)
		return "width and height must be even";
	if (is_411(g->pfnc) && g->width % 4)
		return "4:1:1 formats need a width that is a multiple of 4";
	if (!frame_payload_size(g))
		return "payload too large";
	return NULL;
}

static uint32_t one_if_zero(uint32_t v)
{
	return v ? v : 1;
}

const char *frame_geometry_problem(const struct frame_geometry *g)
{
	const char *p = size_problem(g);
	uint32_t dh = one_if_zero(g->decimation_h), dv = one_if_zero(g->decimation_v);
	uint32_t bh = one_if_zero(g->binning_h), bv = one_if_zero(g->binning_v);

	if (p)
		return p;
	if (dh > 2 || dv > 2)
		return "decimation must be 1 or 2";
	if (bh > 2 || bv > 2)
		return "binning must be 1 or 2";
	if (bh != bv)
		return "binning 2X is defined for both axes together only";
	if (bh == 2 && (dh == 2 || dv == 2))
		return "binning and decimation together";
	if (!g->sensor.width || !g->sensor.height)
		return "sensor size unknown";
	if ((uint64_t)g->offset_x + g->width > g->sensor.width / (dh * bh))
		return "OffsetX + Width beyond WidthMax of the readout mode";
	if ((uint64_t)g->offset_y + g->height > g->sensor.height / (dv * bv))
		return "OffsetY + Height beyond HeightMax of the readout mode";
	return NULL;
}

/* ---- section 2: readout ---- */

/* Flip keeping the Bayer phase: mirror 2-pixel pairs. n is even. */
static uint32_t flip(uint32_t o, uint32_t n, bool reverse)
{
	return reverse ? ((n - 1 - o) ^ 1u) : o;
}

/* Readout coordinate r -> sensor coordinate for Skipping 2X, and the first of
 * the two same-colour sensor lines for Binning 2X. */
static uint32_t skip2(uint32_t r)
{
	return (r / 2) * 4 + (r % 2);
}

/* raw(sx, sy) = (sx + 2 sy + 16 block_id + seed) mod 4096; k = 16 block_id + seed.
 * Unsigned arithmetic wraps modulo 2^64, a multiple of 4096: exact. */
static uint16_t ramp(uint64_t sx, uint64_t sy, uint64_t k)
{
	return (uint16_t)((sx + 2 * sy + k) & 4095u);
}

/* ---- the raw output image P, one row at a time, with a 3-row cache ---- */

struct pimage {
	uint32_t w, h;
	/* test pattern (payload == NULL) */
	const struct frame_geometry *g;
	uint64_t k;
	bool binning;
	uint32_t *sxmap;   /* ox -> sensor column (first of the pair when binning) */
	/* received raw payload */
	const uint8_t *payload;
	uint32_t pfnc;
	/* rows hold P(-1 .. w) at index 0 .. w+1 */
	uint16_t *row[3];
	int64_t tag[3];
};

static void pimage_free(struct pimage *pi)
{
	free(pi->sxmap);
	for (int i = 0; i < 3; i++)
		free(pi->row[i]);
}

static int pimage_init(struct pimage *pi, const struct frame_geometry *g, uint32_t w, uint32_t h)
{
	memset(pi, 0, sizeof(*pi));
	pi->w = w;
	pi->h = h;
	pi->g = g;
	for (int i = 0; i < 3; i++) {
		pi->tag[i] = -1;
		pi->row[i] = calloc((size_t)w + 2, sizeof(uint16_t));
		if (!pi->row[i]) {
			pimage_free(pi);
			return -ENOMEM;
		}
	}
	return 0;
}

static int pimage_init_ramp(struct pimage *pi, const struct frame_geometry *g, const struct frame_source *s)
{
	int rc = pimage_init(pi, g, g->width, g->height);
	bool skip_h = one_if_zero(g->decimation_h) == 2;

	if (rc)
		return rc;
	pi->k = 16 * s->block_id + s->seed;
	pi->binning = one_if_zero(g->binning_h) == 2;
	pi->sxmap = malloc((size_t)g->width * sizeof(uint32_t));
	if (!pi->sxmap) {
		pimage_free(pi);
		return -ENOMEM;
	}
	for (uint32_t ox = 0; ox < g->width; ox++) {
		uint32_t rx = g->offset_x + flip(ox, g->width, g->reverse_x);
		pi->sxmap[ox] = (skip_h || pi->binning) ? skip2(rx) : rx;
	}
	return 0;
}

static void fill_ramp_row(const struct pimage *pi, uint32_t oy, uint16_t *p)
{
	const struct frame_geometry *g = pi->g;
	uint32_t ry = g->offset_y + flip(oy, g->height, g->reverse_y);
	bool skip_v = one_if_zero(g->decimation_v) == 2;

	if (pi->binning) {
		uint64_t sy = skip2(ry);
		for (uint32_t ox = 0; ox < pi->w; ox++) {
			uint64_t sx = pi->sxmap[ox];
			uint32_t v00 = ramp(sx, sy, pi->k), v01 = ramp(sx + 2, sy, pi->k);
			uint32_t v10 = ramp(sx, sy + 2, pi->k), v11 = ramp(sx + 2, sy + 2, pi->k);
			p[ox] = (uint16_t)((v00 + v01 + v10 + v11 + 2) / 4);
		}
	} else {
		uint64_t sy = skip_v ? skip2(ry) : ry;
		for (uint32_t ox = 0; ox < pi->w; ox++)
			p[ox] = ramp(pi->sxmap[ox], sy, pi->k);
	}
}

/* Unpacks row y of a raw payload to 12-bit samples. */
static void fill_payload_row(const struct pimage *pi, uint32_t y, uint16_t *p)
{
	const uint8_t *b;

	switch (raw_layout(pi->pfnc)) {
	case RAW8:
		b = pi->payload + (size_t)y * pi->w;
		for (uint32_t x = 0; x < pi->w; x++)
			p[x] = (uint16_t)(b[x] << 4);
		break;
	case RAW16:
		b = pi->payload + (size_t)y * pi->w * 2;
		for (uint32_t x = 0; x < pi->w; x++)
			p[x] = (uint16_t)((b[2 * x] | b[2 * x + 1] << 8) >> 4);
		break;
	case RAW12P:
		b = pi->payload + (size_t)y * pi->w * 3 / 2;
		for (uint32_t x = 0; x < pi->w; x += 2, b += 3) {
			p[x] = (uint16_t)(b[0] | (b[1] & 0x0F) << 8);
			p[x + 1] = (uint16_t)(b[1] >> 4 | b[2] << 4);
		}
		break;
	}
}

/* refl(i, n) = i < 0 ? -i : (i >= n ? 2n - 2 - i : i); keeps the Bayer colour. */
static int64_t refl(int64_t i, int64_t n)
{
	return i < 0 ? -i : (i >= n ? 2 * n - 2 - i : i);
}

/* Row y (0 <= y < h) of P, indexable from -1 to w. */
static const uint16_t *pimage_row(struct pimage *pi, uint32_t y)
{
	int slot = (int)(y % 3);
	uint16_t *r = pi->row[slot];

	if (pi->tag[slot] != (int64_t)y) {
		if (pi->payload)
			fill_payload_row(pi, y, r + 1);
		else
			fill_ramp_row(pi, y, r + 1);
		r[0] = r[1 + refl(-1, pi->w)];
		r[pi->w + 1] = r[1 + refl(pi->w, pi->w)];
		pi->tag[slot] = y;
	}
	return r + 1;
}

/* ---- section 5: bilinear debayer, BT.601 ---- */

/* Debayers output row y of P into 8-bit r, g, b (the 12-bit R, G, B >> 4). */
static void debayer_row(struct pimage *pi, uint32_t y, uint8_t *r8, uint8_t *g8, uint8_t *b8)
{
	const uint16_t *up = pimage_row(pi, (uint32_t)refl((int64_t)y - 1, pi->h));
	const uint16_t *dn = pimage_row(pi, (uint32_t)refl((int64_t)y + 1, pi->h));
	const uint16_t *p = pimage_row(pi, y); /* y-1, y, y+1 sit in distinct cache slots */

	for (ptrdiff_t x = 0; x < (ptrdiff_t)pi->w; x++) {   /* signed: x - 1 reaches the pad at -1 */
		uint32_t R, G, B;
		uint32_t cross = (uint32_t)p[x - 1] + p[x + 1] + up[x] + dn[x];
		uint32_t diag = (uint32_t)up[x - 1] + up[x + 1] + dn[x - 1] + dn[x + 1];
		uint32_t horiz = (uint32_t)p[x - 1] + p[x + 1];
		uint32_t vert = (uint32_t)up[x] + dn[x];

		if (y % 2 == 0 && x % 2 == 0) {         /* R */
			R = p[x];
			G = (cross + 2) / 4;
			B = (diag + 2) / 4;
		} else if (y % 2 == 1 && x % 2 == 1) {  /* B */
			B = p[x];
			G = (cross + 2) / 4;
			R = (diag + 2) / 4;
		} else if (y % 2 == 0) {                /* G in an R row */
			G = p[x];
			R = (horiz + 1) / 2;
			B = (vert + 1) / 2;
		} else {                                /* G in a B row */
			G = p[x];
			B = (horiz + 1) / 2;
			R = (vert + 1) / 2;
		}
		r8[x] = (uint8_t)(R >> 4);
		g8[x] = (uint8_t)(G >> 4);
		b8[x] = (uint8_t)(B >> 4);
	}
}

static uint8_t bt601_y(int r, int g, int b)
{
	return (uint8_t)((77 * r + 150 * g + 29 * b + 128) >> 8);
}

/* The sums below are >= 256 for every 8-bit r, g, b (e.g. Cb at r = g = 255, b = 0),
 * so the right shifts act on non-negative values; only the top needs a clip. */
static int bt601_cb(int r, int g, int b)
{
	int v = (-43 * r - 85 * g + 128 * b + 32896) >> 8;
	return v > 255 ? 255 : v;
}

static int bt601_cr(int r, int g, int b)
{
	int v = (128 * r - 107 * g - 21 * b + 32896) >> 8;
	return v > 255 ? 255 : v;
}

/* Encodes one debayered row in a colour format. */
static void encode_row(uint32_t pfnc, uint32_t w, const uint8_t *r, const uint8_t *g, const uint8_t *b, uint8_t *o)
{
	switch (pfnc) {
	case PFNC_BGR8:
		for (uint32_t x = 0; x < w; x++, o += 3) {
			o[0] = b[x];
			o[1] = g[x];
			o[2] = r[x];
		}
		break;
	case PFNC_MONO8:
		for (uint32_t x = 0; x < w; x++)
			o[x] = bt601_y(r[x], g[x], b[x]);
		break;
	case PFNC_YCBCR422_8:
		for (uint32_t x = 0; x < w; x += 2, o += 4) {
			int cb = bt601_cb(r[x], g[x], b[x]) + bt601_cb(r[x + 1], g[x + 1], b[x + 1]);
			int cr = bt601_cr(r[x], g[x], b[x]) + bt601_cr(r[x + 1], g[x + 1], b[x + 1]);
			o[0] = bt601_y(r[x], g[x], b[x]);
			o[1] = (uint8_t)((cb + 1) >> 1);
			o[2] = bt601_y(r[x + 1], g[x + 1], b[x + 1]);
			o[3] = (uint8_t)((cr + 1) >> 1);
		}
		break;
	case PFNC_YCBCR411_8:
	case PFNC_YCBCR411_8_CBYYCRYY:
		for (uint32_t x = 0; x < w; x += 4, o += 6) {
			int cb = 0, cr = 0;
			uint8_t y[4];
			for (uint32_t i = 0; i < 4; i++) {
				cb += bt601_cb(r[x + i], g[x + i], b[x + i]);
				cr += bt601_cr(r[x + i], g[x + i], b[x + i]);
				y[i] = bt601_y(r[x + i], g[x + i], b[x + i]);
			}
			uint8_t cb8 = (uint8_t)((cb + 2) >> 2), cr8 = (uint8_t)((cr + 2) >> 2);
			if (pfnc == PFNC_YCBCR411_8) {   /* Y0 Y1 Cb Y2 Y3 Cr */
				o[0] = y[0]; o[1] = y[1]; o[2] = cb8; o[3] = y[2]; o[4] = y[3]; o[5] = cr8;
			} else {                         /* Cb Y0 Y1 Cr Y2 Y3 */
				o[0] = cb8; o[1] = y[0]; o[2] = y[1]; o[3] = cr8; o[4] = y[2]; o[5] = y[3];
			}
		}
		break;
	}
}

/* Packs one row of P in a raw format. */
static void pack_row(uint32_t pfnc, uint32_t w, const uint16_t *p, uint8_t *o)
{
	switch (raw_layout(pfnc)) {
	case RAW8:
		for (uint32_t x = 0; x < w; x++)
			o[x] = (uint8_t)(p[x] >> 4);
		break;
	case RAW16:
		for (uint32_t x = 0; x < w; x++) {
			uint16_t v = (uint16_t)(p[x] << 4);
			o[2 * x] = (uint8_t)v;
			o[2 * x + 1] = (uint8_t)(v >> 8);
		}
		break;
	case RAW12P:
		for (uint32_t x = 0; x < w; x += 2, o += 3) {
			uint16_t p0 = p[x], p1 = p[x + 1];
			o[0] = (uint8_t)(p0 & 0xFF);
			o[1] = (uint8_t)((p0 >> 8) | ((p1 & 0xF) << 4));
			o[2] = (uint8_t)(p1 >> 4);
		}
		break;
	}
}

/* ---- expected frame, row by row ---- */

struct expect {
	const struct frame_geometry *g;
	struct pimage pi;
	uint8_t *r, *gr, *b;   /* one debayered row (colour formats) */
	size_t row_bytes;
};

static void expect_free(struct expect *e)
{
	pimage_free(&e->pi);
	free(e->r);
	free(e->gr);
	free(e->b);
}

static int expect_init(struct expect *e, const struct frame_geometry *g, const struct frame_source *s)
{
	int rc;

	memset(e, 0, sizeof(*e));
	if (frame_geometry_problem(g))
		return -EINVAL;
	e->g = g;
	e->row_bytes = row_bytes(g);
	rc = pimage_init_ramp(&e->pi, g, s);
	if (rc)
		return rc;
	if (!is_raw(g)) {
		e->r = malloc(g->width);
		e->gr = malloc(g->width);
		e->b = malloc(g->width);
		if (!e->r || !e->gr || !e->b) {
			expect_free(e);
			return -ENOMEM;
		}
	}
	return 0;
}

static void expect_row(struct expect *e, uint32_t y, uint8_t *o)
{
	if (is_raw(e->g)) {
		pack_row(e->g->pfnc, e->g->width, pimage_row(&e->pi, y), o);
	} else {
		debayer_row(&e->pi, y, e->r, e->gr, e->b);
		encode_row(e->g->pfnc, e->g->width, e->r, e->gr, e->b, o);
	}
}

int frame_expected(const struct frame_geometry *g, const struct frame_source *s, uint8_t *out, size_t len)
{
	struct expect e;
	int rc = expect_init(&e, g, s);

	if (rc)
		return rc;
	if (len < frame_payload_size(g)) {
		expect_free(&e);
		return -ENOBUFS;
	}
	for (uint32_t y = 0; y < g->height; y++)
		expect_row(&e, y, out + (size_t)y * e.row_bytes);
	expect_free(&e);
	return 0;
}

/* ---- comparison ---- */

/* Which pixel(s) and which sample the payload byte at `off` holds. */
static void locate(const struct frame_geometry *g, size_t off, struct frame_diff *d)
{
	size_t rb = row_bytes(g), c;
	static const char *const y411[6] = { "Y", "Y", "Cb", "Y", "Y", "Cr" };
	static const char *const cbyy[6] = { "Cb", "Y", "Y", "Cr", "Y", "Y" };
	static const int x411[6] = { 0, 1, 0, 2, 3, 0 }, xcbyy[6] = { 0, 0, 1, 0, 2, 3 };

	if (off >= frame_payload_size(g) || !rb) {
		d->x = d->y = UINT32_MAX;
		d->npix = 0;
		d->component = "beyond the frame";
		return;
	}
	d->y = (uint32_t)(off / rb);
	c = off % rb;
	d->npix = 1;
	switch (g->pfnc) {
	case PFNC_MONO8:
		d->x = (uint32_t)c;
		d->component = g->sensor.mono ? "P>>4" : "Y";
		break;
	case PFNC_BAYER_RG8:
		d->x = (uint32_t)c;
		d->component = "P>>4";
		break;
	case PFNC_MONO16:
	case PFNC_BAYER_RG16:
		d->x = (uint32_t)(c / 2);
		d->component = c % 2 ? "(P<<4) high byte" : "(P<<4) low byte";
		break;
	case PFNC_MONO12P:
	case PFNC_BAYER_RG12P:
		d->x = (uint32_t)(c / 3 * 2);
		switch (c % 3) {
		case 0: d->component = "P[7:0]"; break;
		case 1: d->component = "P[11:8] | P[3:0] of x+1 << 4"; d->npix = 2; break;
		default: d->x++; d->component = "P[11:4]"; break;
		}
		break;
	case PFNC_BGR8:
		d->x = (uint32_t)(c / 3);
		d->component = c % 3 == 0 ? "b" : c % 3 == 1 ? "g" : "r";
		break;
	case PFNC_YCBCR422_8:
		d->x = (uint32_t)(c / 4 * 2);
		switch (c % 4) {
		case 0: d->component = "Y"; break;
		case 1: d->component = "Cb"; d->npix = 2; break;
		case 2: d->x++; d->component = "Y"; break;
		default: d->component = "Cr"; d->npix = 2; break;
		}
		break;
	case PFNC_YCBCR411_8:
	case PFNC_YCBCR411_8_CBYYCRYY: {
		bool planar = g->pfnc == PFNC_YCBCR411_8;
		d->x = (uint32_t)(c / 6 * 4) + (uint32_t)(planar ? x411 : xcbyy)[c % 6];
		d->component = (planar ? y411 : cbyy)[c % 6];
		if (d->component[0] == 'C')
			d->npix = 4;
		break;
	}
	}
}

int frame_compare(const struct frame_geometry *g, const struct frame_source *s, const uint8_t *got, size_t len,
		  struct frame_diff *d)
{
	struct frame_diff local;
	struct expect e;
	uint8_t *row;
	size_t total, common;
	bool have_first = false;
	int rc;

	if (!d)
		d = &local;
	memset(d, 0, sizeof(*d));
	rc = expect_init(&e, g, s);
	if (rc)
		return rc;
	row = malloc(e.row_bytes);
	if (!row) {
		expect_free(&e);
		return -ENOMEM;
	}
	total = frame_payload_size(g);
	common = len < total ? len : total;
	d->expected_len = total;
	d->got_len = len;
	for (uint32_t y = 0; y < g->height; y++) {
		size_t start = (size_t)y * e.row_bytes, n;
		size_t diffs = 0;

		if (start >= common) {      /* rows missing from a short payload */
			d->rows += g->height - y;
			break;
		}
		n = common - start < e.row_bytes ? common - start : e.row_bytes;
		expect_row(&e, y, row);
		if (!memcmp(row, got + start, n)) {
			if (n < e.row_bytes)
				d->rows++;
			continue;
		}
		for (size_t i = 0; i < n; i++) {
			if (row[i] == got[start + i])
				continue;
			if (!have_first) {
				have_first = true;
				d->offset = start + i;
				d->expected = row[i];
				d->got = got[start + i];
			}
			diffs++;
		}
		d->bytes += diffs;
		d->rows++;
	}
	d->bytes += total > len ? total - len : len - total;
	if (!have_first && total != len) {
		d->offset = common;
		d->expected = -1;
		d->got = -1;
		if (len > total) {
			d->got = got[common];
		} else {
			expect_row(&e, (uint32_t)(common / e.row_bytes), row);
			d->expected = row[common % e.row_bytes];
		}
	}
	if (d->bytes)
		locate(g, d->offset, d);
	free(row);
	expect_free(&e);
	return d->bytes ? 1 : 0;
}

char *frame_diff_describe(const struct frame_geometry *g, const struct frame_diff *d, char *buf, size_t len)
{
	const char *name = frame_pfnc_name(g->pfnc);
	char exp[8], got[8], where[96];
	int n;

	if (!len)
		return buf;
	if (!d->bytes) {
		snprintf(buf, len, "%s %ux%u: identical (%zu bytes)", name ? name : "?", g->width, g->height,
			 d->expected_len);
		return buf;
	}
	snprintf(exp, sizeof(exp), d->expected < 0 ? "none" : "0x%02x", d->expected);
	snprintf(got, sizeof(got), d->got < 0 ? "none" : "0x%02x", d->got);
	if (d->x == UINT32_MAX)
		snprintf(where, sizeof(where), "%s", d->component);
	else if (d->npix > 1)
		snprintf(where, sizeof(where), "pixels (%u..%u, %u) %s", d->x, d->x + d->npix - 1, d->y, d->component);
	else
		snprintf(where, sizeof(where), "pixel (%u, %u) %s", d->x, d->y, d->component);
	n = snprintf(buf, len, "%s %ux%u: %zu byte%s differ%s in %u row%s", name ? name : "?", g->width, g->height,
		     d->bytes, d->bytes == 1 ? "" : "s", d->bytes == 1 ? "s" : "", d->rows, d->rows == 1 ? "" : "s");
	if (n >= 0 && (size_t)n < len && d->expected_len != d->got_len)
		n += snprintf(buf + n, len - (size_t)n, ", payload %zu bytes instead of %zu", d->got_len,
			      d->expected_len);
	if (n >= 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, "; first at byte %zu: %s: expected %s, got %s", d->offset, where,
			 exp, got);
	return buf;
}

/* ---- decoding for viewing ---- */

static uint8_t clip8(int v)
{
	return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
}

/* Inverse BT.601, full range, in 16.16 fixed point with rounding:
 * R = Y + 1.402 Cr', G = Y - 0.344136 Cb' - 0.714136 Cr', B = Y + 1.772 Cb'.
 * The bias of 512 keeps the shifted values non-negative (floor division). */
static void ycbcr_to_rgb(int y, int cb, int cr, uint8_t *o)
{
	int u = cb - 128, v = cr - 128, base = (y + 512) * 65536 + 32768;

	o[0] = clip8(((base + 91881 * v) >> 16) - 512);
	o[1] = clip8(((base - 22554 * u - 46802 * v) >> 16) - 512);
	o[2] = clip8(((base + 116130 * u) >> 16) - 512);
}

int frame_to_rgb(const struct frame_geometry *g, const uint8_t *payload, size_t len, uint8_t *rgb)
{
	uint32_t w = g->width, h = g->height;
	const uint8_t *p = payload;

	if (size_problem(g))
		return -EINVAL;
	if (len < frame_payload_size(g))
		return -ENOBUFS;
	if (is_raw(g) && !is_bayer(g->pfnc)) {   /* no colour filter: P as grey */
		struct pimage pi;
		int rc = pimage_init(&pi, g, w, h);

		if (rc)
			return rc;
		pi.payload = payload;
		pi.pfnc = g->pfnc;
		for (uint32_t y = 0; y < h; y++) {
			const uint16_t *row = pimage_row(&pi, y);
			for (uint32_t x = 0; x < w; x++, rgb += 3)
				rgb[0] = rgb[1] = rgb[2] = (uint8_t)(row[x] >> 4);
		}
		pimage_free(&pi);
		return 0;
	}
	if (is_bayer(g->pfnc)) {
		struct pimage pi;
		uint8_t *r = malloc(w), *gr = malloc(w), *b = malloc(w);
		int rc = (r && gr && b) ? pimage_init(&pi, g, w, h) : -ENOMEM;

		if (!rc) {
			pi.payload = payload;
			pi.pfnc = g->pfnc;
			for (uint32_t y = 0; y < h; y++) {
				uint8_t *o = rgb + (size_t)y * w * 3;
				debayer_row(&pi, y, r, gr, b);
				for (uint32_t x = 0; x < w; x++, o += 3) {
					o[0] = r[x];
					o[1] = gr[x];
					o[2] = b[x];
				}
			}
			pimage_free(&pi);
		}
		free(r);
		free(gr);
		free(b);
		return rc;
	}
	size_t n = (size_t)w * h;
	switch (g->pfnc) {
	case PFNC_BGR8:
		for (size_t i = 0; i < n; i++, p += 3, rgb += 3) {
			rgb[0] = p[2];
			rgb[1] = p[1];
			rgb[2] = p[0];
		}
		break;
	case PFNC_MONO8:
		for (size_t i = 0; i < n; i++, rgb += 3)
			rgb[0] = rgb[1] = rgb[2] = p[i];
		break;
	case PFNC_YCBCR422_8:
		for (size_t i = 0; i < n; i += 2, p += 4, rgb += 6) {
			ycbcr_to_rgb(p[0], p[1], p[3], rgb);
			ycbcr_to_rgb(p[2], p[1], p[3], rgb + 3);
		}
		break;
	case PFNC_YCBCR411_8:
	case PFNC_YCBCR411_8_CBYYCRYY:
		for (size_t i = 0; i < n; i += 4, p += 6, rgb += 12) {
			bool planar = g->pfnc == PFNC_YCBCR411_8;
			int cb = planar ? p[2] : p[0], cr = planar ? p[5] : p[3];
			int y[4] = { planar ? p[0] : p[1], planar ? p[1] : p[2], planar ? p[3] : p[4], planar ? p[4] : p[5] };
			for (int k = 0; k < 4; k++)
				ycbcr_to_rgb(y[k], cb, cr, rgb + 3 * k);
		}
		break;
	}
	return 0;
}
