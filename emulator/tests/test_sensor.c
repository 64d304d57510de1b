/* SPDX-License-Identifier: MIT */
/* sensor: test-pattern frames compared byte for byte with a deliberately naive
 * per-pixel reference written from docs/image-pipeline.md (raw(), the readout
 * formulas, refl(), the bilinear debayer, BT.601 and the packing tables), for
 * the 8 formats of the Bayer sensor and the 3 of the sensor without a colour
 * filter, flips, skipping, binning, offsets, block ids and seeds; golden
 * bytes computed by hand; and the natural scene's properties (determinism,
 * exposure, gain, black level, white balance, statistics). Nothing in the
 * reference calls the code under test. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/blob.h"
#include "../common/errors.h"
#include "../sensor/sensor.h"
#include "tests.h"

/* ---- the formats, as the document's tables give them ---- */

/* L_RAW*: the samples are P (the Bayer formats; the Mono formats without a colour filter) */
enum ref_layout { L_RAW8, L_RAW16, L_RAW12P, L_BGR8, L_Y8, L_YCC422, L_YCC411, L_YCC411_CBYY };

static const struct ref_fmt {
	uint32_t code;
	const char *name;
	unsigned bits;
	enum ref_layout layout;
	enum sensor_cfa cfa;
} ref_fmts[] = {
	{ 0x01080009, "BayerRG8", 8, L_RAW8, SENSOR_CFA_BAYER_RG },
	{ 0x0110002F, "BayerRG16", 16, L_RAW16, SENSOR_CFA_BAYER_RG },
	{ 0x010C0059, "BayerRG12p", 12, L_RAW12P, SENSOR_CFA_BAYER_RG },
	{ 0x02180015, "BGR8", 24, L_BGR8, SENSOR_CFA_BAYER_RG },
	{ 0x01080001, "Mono8", 8, L_Y8, SENSOR_CFA_BAYER_RG },
	{ 0x0210003B, "YCbCr422_8", 16, L_YCC422, SENSOR_CFA_BAYER_RG },
	{ 0x020C005A, "YCbCr411_8", 12, L_YCC411, SENSOR_CFA_BAYER_RG },
	{ 0x020C003C, "YCbCr411_8_CbYYCrYY", 12, L_YCC411_CBYY, SENSOR_CFA_BAYER_RG },
	{ 0x01080001, "Mono8 (no colour filter)", 8, L_RAW8, SENSOR_CFA_NONE },
	{ 0x010C0047, "Mono12p", 12, L_RAW12P, SENSOR_CFA_NONE },
	{ 0x01100007, "Mono16", 16, L_RAW16, SENSOR_CFA_NONE },
};
#define N_FMTS (sizeof(ref_fmts) / sizeof(ref_fmts[0]))

#define FMT_BAYER8  0x01080009u
#define FMT_BAYER16 0x0110002Fu
#define FMT_BAYER12P 0x010C0059u
#define FMT_BGR8    0x02180015u
#define FMT_MONO8   0x01080001u
#define FMT_YCC422  0x0210003Bu
#define FMT_MONO12P 0x010C0047u
#define FMT_MONO16  0x01100007u

/* ---- the reference, section by section ---- */

/* section 1 */
static uint32_t ref_raw(uint32_t sx, uint32_t sy, uint64_t block_id, uint32_t seed)
{
	return (uint32_t)((sx + 2 * (uint64_t)sy + 16 * block_id + seed) % 4096);
}

/* section 2 steps 1-3, one axis: output coordinate -> sensor coordinate (s0 for binning) */
static uint32_t ref_axis(uint32_t o, uint32_t n, uint32_t offset, bool reverse, uint32_t d, uint32_t b)
{
	uint32_t f = reverse ? ((n - 1 - o) ^ 1) : o;
	uint32_t r = offset + f;

	if (d == 2 || b == 2)
		return (r / 2) * 4 + (r % 2);
	return r;
}

/* section 2 step 4 */
static uint32_t ref_P(const struct sensor_settings *st, uint32_t ox, uint32_t oy)
{
	uint32_t sx = ref_axis(ox, st->width, st->offset_x, st->reverse_x, st->decimation_h, st->binning_h);
	uint32_t sy = ref_axis(oy, st->height, st->offset_y, st->reverse_y, st->decimation_v, st->binning_v);

	if (st->binning_h == 2) {
		uint32_t v00 = ref_raw(sx, sy, st->block_id, st->seed);
		uint32_t v01 = ref_raw(sx + 2, sy, st->block_id, st->seed);
		uint32_t v10 = ref_raw(sx, sy + 2, st->block_id, st->seed);
		uint32_t v11 = ref_raw(sx + 2, sy + 2, st->block_id, st->seed);

		return (v00 + v01 + v10 + v11 + 2) / 4;
	}
	return ref_raw(sx, sy, st->block_id, st->seed);
}

/* section 5 */
static int ref_refl(int i, int n)
{
	return i < 0 ? -i : (i >= n ? 2 * n - 2 - i : i);
}

struct ref_img {
	const uint16_t *p;
	int w, h;
};

static uint32_t at(const struct ref_img *im, int x, int y)
{
	return im->p[ref_refl(y, im->h) * im->w + ref_refl(x, im->w)];
}

static void ref_debayer(const struct ref_img *im, int x, int y, uint32_t *R, uint32_t *G, uint32_t *B)
{
	uint32_t p = at(im, x, y);
	uint32_t cross = (at(im, x - 1, y) + at(im, x + 1, y) + at(im, x, y - 1) + at(im, x, y + 1) + 2) / 4;
	uint32_t diag = (at(im, x - 1, y - 1) + at(im, x + 1, y - 1) + at(im, x - 1, y + 1) + at(im, x + 1, y + 1) + 2) / 4;
	uint32_t horiz = (at(im, x - 1, y) + at(im, x + 1, y) + 1) / 2;
	uint32_t vert = (at(im, x, y - 1) + at(im, x, y + 1) + 1) / 2;

	if (x % 2 == 0 && y % 2 == 0) {          /* R */
		*R = p, *G = cross, *B = diag;
	} else if (x % 2 == 1 && y % 2 == 1) {   /* B */
		*B = p, *G = cross, *R = diag;
	} else if (y % 2 == 0) {                 /* G in an R row */
		*G = p, *R = horiz, *B = vert;
	} else {                                 /* G in a B row */
		*G = p, *B = horiz, *R = vert;
	}
}

static void ref_ycc(const struct ref_img *im, int x, int y, int *Y, int *Cb, int *Cr)
{
	uint32_t R, G, B;

	ref_debayer(im, x, y, &R, &G, &B);
	int r = (int)(R >> 4), g = (int)(G >> 4), b = (int)(B >> 4);
	*Y = (77 * r + 150 * g + 29 * b + 128) >> 8;
	int cb = (-43 * r - 85 * g + 128 * b + 32896) >> 8;
	int cr = (128 * r - 107 * g - 21 * b + 32896) >> 8;
	*Cb = cb < 255 ? cb : 255;
	*Cr = cr < 255 ? cr : 255;
}

/* The payload of image `im` in format `f`; returns its size. */
static size_t ref_encode(const struct ref_fmt *f, const struct ref_img *im, uint8_t *out)
{
	size_t o = 0;
	int w = im->w, h = im->h;

	for (int y = 0; y < h; y++) {
		for (int x = 0; x < w; x++) {
			uint32_t p = im->p[y * w + x], R, G, B;
			int Y[4], Cb[4], Cr[4];

			switch (f->layout) {
			case L_RAW8:
				out[o++] = (uint8_t)(p >> 4);
				break;
			case L_RAW16:
				out[o++] = (uint8_t)((p << 4) & 0xFF);
				out[o++] = (uint8_t)((p << 4) >> 8);
				break;
			case L_RAW12P:
				if (x % 2 == 0) {
					uint32_t p1 = im->p[y * w + x + 1];

					out[o++] = (uint8_t)(p & 0xFF);
					out[o++] = (uint8_t)((p >> 8) | ((p1 & 0xF) << 4));
					out[o++] = (uint8_t)(p1 >> 4);
				}
				break;
			case L_BGR8:
				ref_debayer(im, x, y, &R, &G, &B);
				out[o++] = (uint8_t)(B >> 4);
				out[o++] = (uint8_t)(G >> 4);
				out[o++] = (uint8_t)(R >> 4);
				break;
			case L_Y8:
				ref_ycc(im, x, y, &Y[0], &Cb[0], &Cr[0]);
				out[o++] = (uint8_t)Y[0];
				break;
			case L_YCC422:
				if (x % 2 == 0) {
					ref_ycc(im, x, y, &Y[0], &Cb[0], &Cr[0]);
					ref_ycc(im, x + 1, y, &Y[1], &Cb[1], &Cr[1]);
					out[o++] = (uint8_t)Y[0];
					out[o++] = (uint8_t)((Cb[0] + Cb[1] + 1) >> 1);
					out[o++] = (uint8_t)Y[1];
					out[o++] = (uint8_t)((Cr[0] + Cr[1] + 1) >> 1);
				}
				break;
			case L_YCC411:
			case L_YCC411_CBYY:
				if (x % 4 == 0) {
					for (int k = 0; k < 4; k++)
						ref_ycc(im, x + k, y, &Y[k], &Cb[k], &Cr[k]);
					uint8_t cb = (uint8_t)((Cb[0] + Cb[1] + Cb[2] + Cb[3] + 2) >> 2);
					uint8_t cr = (uint8_t)((Cr[0] + Cr[1] + Cr[2] + Cr[3] + 2) >> 2);
					if (f->layout == L_YCC411) {
						uint8_t g[6] = { (uint8_t)Y[0], (uint8_t)Y[1], cb, (uint8_t)Y[2], (uint8_t)Y[3], cr };
						memcpy(out + o, g, 6);
					} else {
						uint8_t g[6] = { cb, (uint8_t)Y[0], (uint8_t)Y[1], cr, (uint8_t)Y[2], (uint8_t)Y[3] };
						memcpy(out + o, g, 6);
					}
					o += 6;
				}
				break;
			}
		}
	}
	return o;
}

/* ---- fixtures ---- */

static struct sensor *S;

static int suite_init(void)
{
	S = sensor_new();
	return S ? 0 : 1;
}

static int suite_clean(void)
{
	sensor_free(S);
	S = NULL;
	return 0;
}

static void window(struct sensor_settings *st, uint32_t pfnc, uint32_t w, uint32_t h, uint32_t ox, uint32_t oy)
{
	sensor_settings_default(st);
	st->pfnc = pfnc;
	st->width = w;
	st->height = h;
	st->offset_x = ox;
	st->offset_y = oy;
}

static void describe(char *buf, size_t len, const struct sensor_settings *st, const char *fmt)
{
	snprintf(buf, len, "%s %ux%u+%u+%u rev %d%d dec %u%u bin %u%u block %llu seed %u", fmt, st->width,
		 st->height, st->offset_x, st->offset_y, st->reverse_x, st->reverse_y, st->decimation_h,
		 st->decimation_v, st->binning_h, st->binning_v, (unsigned long long)st->block_id, st->seed);
}

/* Renders `st` in every format and compares with the reference. */
static void check_pattern_all_formats(const struct sensor_settings *base)
{
	size_t n = (size_t)base->width * base->height;
	uint16_t *p = malloc(n * sizeof(*p));
	uint8_t *want = malloc(n * 3 + 16), *got = malloc(n * 3 + 16);
	char what[200], msg[320];

	if (!p || !want || !got) {
		CU_FAIL("out of memory");
		free(p);
		free(want);
		free(got);
		return;
	}
	for (uint32_t y = 0; y < base->height; y++)
		for (uint32_t x = 0; x < base->width; x++)
			p[(size_t)y * base->width + x] = (uint16_t)ref_P(base, x, y);
	struct ref_img im = { p, (int)base->width, (int)base->height };

	for (size_t f = 0; f < N_FMTS; f++) {
		struct sensor_settings st = *base;
		size_t size;

		st.pfnc = ref_fmts[f].code;
		st.cfa = ref_fmts[f].cfa;
		size = ref_encode(&ref_fmts[f], &im, want);
		describe(what, sizeof(what), &st, ref_fmts[f].name);
		ASSERT_INT(size, n * ref_fmts[f].bits / 8);
		ASSERT_INT(sensor_payload_size(&st), size);
		memset(got, 0xEE, size + 16);
		int rc = sensor_render(S, &st, got, size);
		if (rc != DFK_OK) {
			snprintf(msg, sizeof(msg), "%s: sensor_render returned %d", what, rc);
			CU_assertImplementation(CU_FALSE, __LINE__, msg, __FILE__, "", CU_FALSE);
			continue;
		}
		for (size_t i = 0; i < size; i++) {
			if (got[i] != want[i]) {
				snprintf(msg, sizeof(msg), "%s: byte %zu of %zu is 0x%02x, expected 0x%02x", what, i, size,
					 got[i], want[i]);
				CU_assertImplementation(CU_FALSE, __LINE__, msg, __FILE__, "", CU_FALSE);
				break;
			}
		}
		/* nothing written past the payload */
		for (size_t i = size; i < size + 16; i++)
			if (got[i] != 0xEE) {
				snprintf(msg, sizeof(msg), "%s: wrote past the payload at %zu", what, i);
				CU_assertImplementation(CU_FALSE, __LINE__, msg, __FILE__, "", CU_FALSE);
				break;
			}
	}
	free(p);
	free(want);
	free(got);
}

/* ---- pattern tests ---- */

static const struct {
	uint64_t block_id;
	uint32_t seed;
} ids[] = { { 1, 0 }, { 2, 4079 }, { 255, 0xFFFFFFFFu }, { 0x123456789ull, 77 } };

static void test_sensor_pattern_windows(void)
{
	static const uint32_t offs[][2] = { { 0, 0 }, { 16, 4 }, { 2000, 1000 }, { 4064, 2152 }, { 3, 1 } };
	struct sensor_settings st;

	for (size_t o = 0; o < sizeof(offs) / sizeof(offs[0]); o++)
		for (int rev = 0; rev < 4; rev++) {
			window(&st, FMT_BAYER8, 32, 8, offs[o][0], offs[o][1]);
			st.reverse_x = rev & 1;
			st.reverse_y = rev >> 1;
			st.block_id = ids[(o + (size_t)rev) % 4].block_id;
			st.seed = ids[(o + (size_t)rev) % 4].seed;
			check_pattern_all_formats(&st);
		}
}

static void test_sensor_pattern_skipping(void)
{
	/* Skipping 2X, 2X horizontal, 2X vertical, with offsets up to the readout mode's maximum */
	static const uint32_t modes[][2] = { { 2, 2 }, { 2, 1 }, { 1, 2 } };
	struct sensor_settings st;

	for (size_t m = 0; m < 3; m++)
		for (int k = 0; k < 4; k++) {
			uint32_t dh = modes[m][0], dv = modes[m][1];
			uint32_t wmax = 4096 / dh, hmax = 2160 / dv;
			uint32_t ox = k == 0 ? 0 : (k == 1 ? wmax - 32 : 100 * (uint32_t)k);
			uint32_t oy = k == 0 ? 0 : (k == 1 ? hmax - 8 : 52 * (uint32_t)k);

			window(&st, FMT_BAYER8, 32, 8, ox, oy);
			st.decimation_h = dh;
			st.decimation_v = dv;
			st.reverse_x = k & 1;
			st.reverse_y = (k >> 1) & 1;
			st.block_id = ids[k].block_id;
			st.seed = ids[k].seed;
			check_pattern_all_formats(&st);
		}
}

static void test_sensor_pattern_binning(void)
{
	static const uint32_t offs[][2] = { { 0, 0 }, { 2016, 1072 }, { 100, 50 }, { 1000, 500 } };
	struct sensor_settings st;

	for (size_t o = 0; o < 4; o++) {
		window(&st, FMT_BAYER8, 32, 8, offs[o][0], offs[o][1]);
		st.binning_h = st.binning_v = 2;
		st.reverse_x = o & 1;
		st.reverse_y = (o >> 1) & 1;
		st.block_id = ids[o].block_id;
		/* seeds that put the 4095 -> 0 wrap inside the binned quads */
		st.seed = ids[o].seed + 4000;
		check_pattern_all_formats(&st);
	}
}

static void test_sensor_pattern_odd_sizes(void)
{
	struct sensor_settings st;

	/* full sensor width (all vector blocks), a width that is not a multiple of 16 (tail loops),
	 * and the smallest image the reflection works on */
	window(&st, FMT_BAYER8, 4096, 4, 0, 1000);
	st.seed = 123;
	check_pattern_all_formats(&st);
	window(&st, FMT_BAYER8, 36, 6, 40, 20);
	st.reverse_x = true;
	st.block_id = 9;
	check_pattern_all_formats(&st);
	window(&st, FMT_BAYER8, 20, 2, 8, 2);
	check_pattern_all_formats(&st);
}

/* Bytes worked out by hand from the document. */
static void test_sensor_pattern_golden(void)
{
	struct sensor_settings st;
	uint8_t buf[32 * 8 * 3];

	/* block 1, seed 0xAAC: P(0,0) = 16 + 0xAAC = 0xABC, P(1,0) = 0xABD */
	window(&st, FMT_BAYER12P, 32, 8, 0, 0);
	st.seed = 0xAAC;
	ASSERT_INT(sensor_render(S, &st, buf, sizeof(buf)), DFK_OK);
	/* 0xBC, 0xA | (0xD << 4), 0xABD >> 4 */
	ASSERT_BYTES(buf, ((const uint8_t[]){ 0xBC, 0xDA, 0xAB }), 3);
	st.pfnc = FMT_BAYER16;
	ASSERT_INT(sensor_render(S, &st, buf, sizeof(buf)), DFK_OK);
	ASSERT_BYTES(buf, ((const uint8_t[]){ 0xC0, 0xAB, 0xD0, 0xAB }), 4);
	st.pfnc = FMT_BAYER8;
	ASSERT_INT(sensor_render(S, &st, buf, sizeof(buf)), DFK_OK);
	ASSERT_BYTES(buf, ((const uint8_t[]){ 0xAB, 0xAB }), 2);
	/* without a colour filter the Mono formats carry the same P, packed the same way */
	st.cfa = SENSOR_CFA_NONE;
	st.pfnc = FMT_MONO12P;
	ASSERT_INT(sensor_render(S, &st, buf, sizeof(buf)), DFK_OK);
	ASSERT_BYTES(buf, ((const uint8_t[]){ 0xBC, 0xDA, 0xAB }), 3);
	st.pfnc = FMT_MONO16;
	ASSERT_INT(sensor_render(S, &st, buf, sizeof(buf)), DFK_OK);
	ASSERT_BYTES(buf, ((const uint8_t[]){ 0xC0, 0xAB, 0xD0, 0xAB }), 4);
	st.pfnc = FMT_MONO8;
	ASSERT_INT(sensor_render(S, &st, buf, sizeof(buf)), DFK_OK);
	ASSERT_BYTES(buf, ((const uint8_t[]){ 0xAB, 0xAB }), 2);
	st.cfa = SENSOR_CFA_BAYER_RG;

	/* seed 4079: P(0,0) = 4095 and P(x,y) = x + 2y - 1 elsewhere near the corner.
	 * (0,0) R: R = 4095, G = (0 + 0 + 1 + 1 + 2) / 4 = 1, B = (4 * 2 + 2) / 4 = 2 -> r 255, g 0, b 0
	 *   Y = (77*255 + 128) >> 8 = 77, Cb = (-43*255 + 32896) >> 8 = 85, Cr = min(255, 65536 >> 8) = 255
	 * (1,0) G: R = (4095 + 1 + 1) / 2 = 2048, B = (2 + 2 + 1) / 2 = 2 -> r 128, g 0, b 0
	 *   Y = (77*128 + 128) >> 8 = 39, Cb = (-43*128 + 32896) >> 8 = 107, Cr = (128*128 + 32896) >> 8 = 192 */
	st.seed = 4079;
	st.pfnc = FMT_BGR8;
	ASSERT_INT(sensor_render(S, &st, buf, sizeof(buf)), DFK_OK);
	ASSERT_BYTES(buf, ((const uint8_t[]){ 0, 0, 255, 0, 0, 128 }), 6);
	st.pfnc = FMT_MONO8;
	ASSERT_INT(sensor_render(S, &st, buf, sizeof(buf)), DFK_OK);
	ASSERT_BYTES(buf, ((const uint8_t[]){ 77, 39 }), 2);
	st.pfnc = FMT_YCC422;
	ASSERT_INT(sensor_render(S, &st, buf, sizeof(buf)), DFK_OK);
	/* Cb = (85 + 107 + 1) >> 1 = 96, Cr = (255 + 192 + 1) >> 1 = 224 */
	ASSERT_BYTES(buf, ((const uint8_t[]){ 77, 96, 39, 224 }), 4);

	/* ReverseX on a 32-wide window: output column 0 reads readout column (31 ^ 1) = 30, an R pixel:
	 * P(0,0) = (30 + 16 + 0) = 46 -> BayerRG16 46 << 4 = 0x02E0 */
	window(&st, FMT_BAYER16, 32, 8, 0, 0);
	st.reverse_x = true;
	ASSERT_INT(sensor_render(S, &st, buf, sizeof(buf)), DFK_OK);
	ASSERT_BYTES(buf, ((const uint8_t[]){ 0xE0, 0x02 }), 2);
	/* Binning 2X at OffsetX 1: rx = 1 -> s0x = (1 / 2) * 4 + 1 = 1; the pixels x 1, 3 and y 0, 2:
	 * (1 + 0 + 16) + (3 + 0 + 16) + (1 + 4 + 16) + (3 + 4 + 16) = 80, (80 + 2) / 4 = 20 */
	window(&st, FMT_BAYER16, 32, 8, 1, 0);
	st.binning_h = st.binning_v = 2;
	ASSERT_INT(sensor_render(S, &st, buf, sizeof(buf)), DFK_OK);
	ASSERT_INT(buf[0] | (buf[1] << 8), 20 << 4);
}

static void test_sensor_payload_sizes(void)
{
	struct sensor_settings st;

	sensor_settings_default(&st);
	for (size_t f = 0; f < N_FMTS; f++) {
		st.pfnc = ref_fmts[f].code;
		st.cfa = ref_fmts[f].cfa;
		ASSERT_INT(sensor_payload_size(&st), 4096ull * 2160 * ref_fmts[f].bits / 8);
	}
	st.cfa = SENSOR_CFA_BAYER_RG;
	st.pfnc = FMT_BAYER12P;
	st.width = 256;
	st.height = 4;
	ASSERT_INT(sensor_payload_size(&st), 256 * 4 * 3 / 2);
	st.pfnc = 0x01080008;   /* BayerGR8: not this camera's */
	ASSERT_INT(sensor_payload_size(&st), 0);
}

static void test_sensor_invalid(void)
{
	struct sensor_settings st;
	uint8_t buf[64 * 8 * 3];

	window(&st, FMT_BAYER8, 32, 8, 0, 0);
	ASSERT_INT(sensor_render(S, &st, buf, 32 * 8 - 1), DFK_ERR_RANGE);
	ASSERT_INT(sensor_render(S, &st, buf, 32 * 8), DFK_OK);
	st.pfnc = 0x01080008;
	ASSERT_INT(sensor_render(S, &st, buf, sizeof(buf)), DFK_ERR_INVAL);
	window(&st, FMT_BAYER8, 33, 8, 0, 0);
	ASSERT_INT(sensor_render(S, &st, buf, sizeof(buf)), DFK_ERR_INVAL);
	window(&st, FMT_BAYER8, 32, 8, 4096 - 16, 0);
	ASSERT_INT(sensor_render(S, &st, buf, sizeof(buf)), DFK_ERR_INVAL);
	window(&st, FMT_BAYER8, 32, 8, 2048 - 32, 0);
	st.decimation_h = 2;
	ASSERT_INT(sensor_render(S, &st, buf, sizeof(buf)), DFK_OK);
	st.offset_x += 2;
	ASSERT_INT(sensor_render(S, &st, buf, sizeof(buf)), DFK_ERR_INVAL);
	window(&st, FMT_BAYER8, 32, 8, 0, 0);
	st.binning_h = 2;   /* binning is both axes or none */
	ASSERT_INT(sensor_render(S, &st, buf, sizeof(buf)), DFK_ERR_INVAL);
	st.binning_v = 2;
	st.decimation_v = 2;
	ASSERT_INT(sensor_render(S, &st, buf, sizeof(buf)), DFK_ERR_INVAL);
	window(&st, FMT_BAYER8, 32, 8, 0, 0);
	st.decimation_h = 3;
	ASSERT_INT(sensor_render(S, &st, buf, sizeof(buf)), DFK_ERR_INVAL);
	window(&st, 0x020C005A, 30, 8, 0, 0);   /* 4:1:1 needs whole groups of 4 */
	ASSERT_INT(sensor_render(S, &st, buf, sizeof(buf)), DFK_ERR_INVAL);
	window(&st, FMT_BAYER8, 32, 8, 0, 0);
	st.source = SENSOR_SOURCE_SCENE;
	st.gamma = NAN;
	ASSERT_INT(sensor_render(S, &st, buf, sizeof(buf)), DFK_ERR_INVAL);
	st.source = SENSOR_SOURCE_PATTERN;   /* the pattern ignores processing settings */
	ASSERT_INT(sensor_render(S, &st, buf, sizeof(buf)), DFK_OK);

	struct sensor_stats stats;
	struct sensor_roi roi = { 32, 0, 8, 8 };
	ASSERT_INT(sensor_measure(S, &st, &roi, &stats), DFK_ERR_INVAL);
	roi = (struct sensor_roi){ 31, 7, 1, 1 };   /* no whole Bayer quad left */
	ASSERT_INT(sensor_measure(S, &st, &roi, &stats), DFK_ERR_INVAL);
}

/* Each sensor has its own formats: Mono12p and Mono16 need one without a colour filter, which
 * has no Bayer or colour format, and no white balance, hue or saturation to apply. */
static void test_sensor_formats_of_each_sensor(void)
{
	static const uint32_t bayer_only[] = { FMT_BAYER8, FMT_BAYER12P, FMT_BAYER16, FMT_BGR8, FMT_YCC422 };
	struct sensor_settings st;
	uint8_t buf[32 * 8 * 3];

	window(&st, FMT_MONO12P, 32, 8, 0, 0);
	ASSERT_INT(sensor_payload_size(&st), 0);
	ASSERT_INT(sensor_render(S, &st, buf, sizeof(buf)), DFK_ERR_INVAL);
	st.pfnc = FMT_MONO16;
	ASSERT_INT(sensor_render(S, &st, buf, sizeof(buf)), DFK_ERR_INVAL);
	st.cfa = SENSOR_CFA_NONE;
	ASSERT_INT(sensor_render(S, &st, buf, sizeof(buf)), DFK_OK);
	for (size_t i = 0; i < sizeof(bayer_only) / sizeof(bayer_only[0]); i++) {
		st.pfnc = bayer_only[i];
		ASSERT_INT(sensor_payload_size(&st), 0);
		ASSERT_INT(sensor_render(S, &st, buf, sizeof(buf)), DFK_ERR_INVAL);
	}
	st.pfnc = FMT_MONO8;
	st.source = SENSOR_SOURCE_SCENE;
	ASSERT_INT(sensor_render(S, &st, buf, sizeof(buf)), DFK_OK);
	st.balance_ratio[0] = 1.5;
	ASSERT_INT(sensor_render(S, &st, buf, sizeof(buf)), DFK_ERR_INVAL);
	st.balance_ratio[0] = 1.0;
	st.hue_deg = 10;
	ASSERT_INT(sensor_render(S, &st, buf, sizeof(buf)), DFK_ERR_INVAL);
	st.hue_deg = 0;
	st.saturation = 65;
	ASSERT_INT(sensor_render(S, &st, buf, sizeof(buf)), DFK_ERR_INVAL);
	st.source = SENSOR_SOURCE_PATTERN;   /* the pattern bypasses processing */
	ASSERT_INT(sensor_render(S, &st, buf, sizeof(buf)), DFK_OK);
}

/* ---- natural scene ---- */

/* Renders the scene in BayerRG16 (Mono16 without a colour filter) and returns the P values
 * (12 bits) in a malloc'd array. */
static uint16_t *scene_P(const struct sensor_settings *base)
{
	struct sensor_settings st = *base;
	size_t n = (size_t)st.width * st.height;
	uint8_t *buf = malloc(n * 2);
	uint16_t *p = malloc(n * sizeof(*p));

	st.pfnc = st.cfa == SENSOR_CFA_NONE ? FMT_MONO16 : FMT_BAYER16;
	st.source = SENSOR_SOURCE_SCENE;
	if (!buf || !p || sensor_render(S, &st, buf, n * 2) != DFK_OK) {
		free(buf);
		free(p);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		p[i] = (uint16_t)((buf[2 * i] | (buf[2 * i + 1] << 8)) >> 4);
	free(buf);
	return p;
}

/* Per-colour means of P (0 R, 1 G, 2 B), and the minimum. */
static void channel_means(const uint16_t *p, uint32_t w, uint32_t h, double mean[3], uint32_t *min)
{
	double sum[3] = { 0 }, cnt[3] = { 0 };

	*min = 4095;
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++) {
			int c = (x % 2 == 0 && y % 2 == 0) ? 0 : ((x % 2 == 1 && y % 2 == 1) ? 2 : 1);
			uint16_t v = p[(size_t)y * w + x];

			sum[c] += v;
			cnt[c]++;
			if (v < *min)
				*min = v;
		}
	for (int c = 0; c < 3; c++)
		mean[c] = sum[c] / cnt[c];
}

static void scene_window(struct sensor_settings *st, uint32_t w, uint32_t h)
{
	/* the grey wedge (rows 1640..1860 of the sensor, columns 240..2016): neutral, and away from
	 * the moving shapes at exposure start 0 */
	window(st, FMT_BAYER16, w, h, 1024 - w / 2, 1750 - h / 2);
	st->source = SENSOR_SOURCE_SCENE;
	st->exposure_us = 5000;
	st->block_id = 7;
	st->seed = 1;
}

static bool close_to(double got, double want, double rel)
{
	return fabs(got - want) <= rel * fabs(want);
}

static void test_sensor_scene_deterministic(void)
{
	struct sensor_settings st;
	size_t n = 256 * 64;
	uint16_t *a, *b;

	scene_window(&st, 256, 64);
	a = scene_P(&st);
	b = scene_P(&st);
	CU_ASSERT_FATAL(a && b);
	CU_ASSERT(memcmp(a, b, n * 2) == 0);
	free(b);
	st.block_id++;
	b = scene_P(&st);
	CU_ASSERT_FATAL(b != NULL);
	CU_ASSERT(memcmp(a, b, n * 2) != 0);
	free(b);
	st.block_id--;
	st.seed++;
	b = scene_P(&st);
	CU_ASSERT_FATAL(b != NULL);
	CU_ASSERT(memcmp(a, b, n * 2) != 0);
	free(b);
	/* another sensor object gives the same frame */
	struct sensor *keep = S;
	S = sensor_new();
	st.seed--;
	b = scene_P(&st);
	sensor_free(S);
	S = keep;
	CU_ASSERT_FATAL(b != NULL);
	CU_ASSERT(memcmp(a, b, n * 2) == 0);
	free(b);
	free(a);
}

/* A pixel's value does not depend on the region or flips that read it (noise is tied to the
 * sensor position): a flipped frame is the 2-pixel-pair mirror image of the plain one. */
static void test_sensor_scene_flip_consistent(void)
{
	struct sensor_settings st;
	uint32_t w = 64, h = 16;
	uint16_t *a, *b, *c;

	scene_window(&st, w, h);
	a = scene_P(&st);
	st.reverse_x = true;
	b = scene_P(&st);
	st.reverse_x = false;
	st.reverse_y = true;
	c = scene_P(&st);
	CU_ASSERT_FATAL(a && b && c);
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++) {
			if (b[y * w + x] != a[y * w + ((w - 1 - x) ^ 1)] || c[y * w + x] != a[((h - 1 - y) ^ 1) * w + x]) {
				CU_FAIL("flipped scene frame is not the mirror image");
				y = h;
				break;
			}
		}
	free(a);
	free(b);
	free(c);
}

static void test_sensor_scene_exposure_gain(void)
{
	struct sensor_settings st;
	double m1[3], m2[3], m3[3];
	uint32_t min;
	uint16_t *p = NULL;

	scene_window(&st, 512, 256);
	st.exposure_us = 2000;
	CU_ASSERT_FATAL((p = scene_P(&st)) != NULL);
	channel_means(p, 512, 256, m1, &min);
	free(p);
	st.exposure_us = 4000;
	CU_ASSERT_FATAL((p = scene_P(&st)) != NULL);
	channel_means(p, 512, 256, m2, &min);
	free(p);
	st.exposure_us = 2000;
	st.gain_db = 20.0 * log10(2.0);
	CU_ASSERT_FATAL((p = scene_P(&st)) != NULL);
	channel_means(p, 512, 256, m3, &min);
	free(p);
	for (int c = 0; c < 3; c++) {
		CU_ASSERT(m1[c] > 20);
		/* twice the light or twice the gain: twice the signal (nothing clips at these levels) */
		CU_ASSERT(close_to(m2[c], 2 * m1[c], 0.05));
		CU_ASSERT(close_to(m3[c], 2 * m1[c], 0.05));
	}
	/* a long exposure clips */
	struct sensor_stats stats;
	st.exposure_us = 1e6;
	ASSERT_INT(sensor_measure(S, &st, NULL, &stats), DFK_OK);
	CU_ASSERT(stats.saturated_fraction > 0.9);
	st.exposure_us = 5000;
	ASSERT_INT(sensor_measure(S, &st, NULL, &stats), DFK_OK);
	CU_ASSERT(stats.saturated_fraction < 0.05);
}

static void test_sensor_scene_black_level(void)
{
	struct sensor_settings st;
	double m0[3], m1[3];
	uint32_t min0, min1;
	uint16_t *p = NULL;

	scene_window(&st, 256, 64);
	st.exposure_us = 0;   /* a dark frame: read noise only */
	CU_ASSERT_FATAL((p = scene_P(&st)) != NULL);
	channel_means(p, 256, 64, m0, &min0);
	free(p);
	st.black_level = 240;
	CU_ASSERT_FATAL((p = scene_P(&st)) != NULL);
	channel_means(p, 256, 64, m1, &min1);
	free(p);
	for (int c = 0; c < 3; c++) {
		CU_ASSERT(m0[c] < 5);
		CU_ASSERT(m1[c] >= 240 && m1[c] < 245);
	}
	ASSERT_INT(min0, 0);
	ASSERT_INT(min1, 240);
}

static void test_sensor_scene_white_balance(void)
{
	struct sensor_settings st;
	double m1[3], m2[3];
	uint32_t min;
	uint16_t *p = NULL;

	scene_window(&st, 512, 256);
	st.exposure_us = 3000;
	CU_ASSERT_FATAL((p = scene_P(&st)) != NULL);
	channel_means(p, 512, 256, m1, &min);
	free(p);
	st.balance_ratio[0] = 2.0;
	st.balance_ratio[1] = 1.0;
	st.balance_ratio[2] = 0.5;
	CU_ASSERT_FATAL((p = scene_P(&st)) != NULL);
	channel_means(p, 512, 256, m2, &min);
	free(p);
	CU_ASSERT(close_to(m2[0], 2.0 * m1[0], 0.02));
	CU_ASSERT(close_to(m2[1], m1[1], 0.001));
	CU_ASSERT(close_to(m2[2], 0.5 * m1[2], 0.02));

	/* the light's colour: warm light raises red against blue */
	struct sensor_stats warm, cold;
	st.balance_ratio[0] = st.balance_ratio[2] = 1.0;
	st.color_temperature_k = 3000;
	ASSERT_INT(sensor_measure(S, &st, NULL, &warm), DFK_OK);
	st.color_temperature_k = 9000;
	ASSERT_INT(sensor_measure(S, &st, NULL, &cold), DFK_OK);
	CU_ASSERT(warm.mean[0] / warm.mean[2] > 1.5 * cold.mean[0] / cold.mean[2]);
}

/* sensor_measure agrees with the frame's own means, for the whole image and for a region. */
static void test_sensor_scene_measure(void)
{
	struct sensor_settings st;
	struct sensor_stats stats;
	double m[3];
	uint32_t min;
	uint16_t *p = NULL;

	sensor_settings_default(&st);
	st.source = SENSOR_SOURCE_SCENE;
	st.black_level = 100;
	st.balance_ratio[0] = 1.5;
	st.gamma = 0.5;   /* statistics are taken before gamma: compare with a frame without it */
	ASSERT_INT(sensor_measure(S, &st, NULL, &stats), DFK_OK);
	st.gamma = 1.0;
	CU_ASSERT_FATAL((p = scene_P(&st)) != NULL);
	channel_means(p, st.width, st.height, m, &min);
	for (int c = 0; c < 3; c++)
		CU_ASSERT(close_to(stats.mean[c], m[c], 0.03));
	CU_ASSERT(close_to(stats.luma, (m[0] + 2 * m[1] + m[2]) / 4, 0.03));
	CU_ASSERT(stats.samples > 10000);

	/* a region: the frame's pixels inside it */
	struct sensor_roi roi = { 1000, 600, 1024, 512 };
	double sum[3] = { 0 }, cnt[3] = { 0 };
	ASSERT_INT(sensor_measure(S, &st, &roi, &stats), DFK_OK);
	for (uint32_t y = roi.top; y < roi.top + roi.height; y++)
		for (uint32_t x = roi.left; x < roi.left + roi.width; x++) {
			int c = (x % 2 == 0 && y % 2 == 0) ? 0 : ((x % 2 == 1 && y % 2 == 1) ? 2 : 1);

			sum[c] += p[(size_t)y * st.width + x];
			cnt[c]++;
		}
	for (int c = 0; c < 3; c++)
		CU_ASSERT(close_to(stats.mean[c], sum[c] / cnt[c], 0.03));
	free(p);

	/* binned: the same scene, about the same means */
	struct sensor_stats binned;
	st.binning_h = st.binning_v = 2;
	st.width = 2048;
	st.height = 1080;
	ASSERT_INT(sensor_measure(S, &st, NULL, &binned), DFK_OK);
	st.binning_h = st.binning_v = 1;
	st.width = 4096;
	st.height = 2160;
	ASSERT_INT(sensor_measure(S, &st, NULL, &stats), DFK_OK);
	for (int c = 0; c < 3; c++)
		CU_ASSERT(close_to(binned.mean[c], stats.mean[c], 0.03));

	/* the pattern: its own values, uniformly spread over 0..4095 */
	st.source = SENSOR_SOURCE_PATTERN;
	ASSERT_INT(sensor_measure(S, &st, NULL, &stats), DFK_OK);
	for (int c = 0; c < 3; c++)
		CU_ASSERT(close_to(stats.mean[c], 2047.5, 0.02));
}

/* Colour formats of the scene follow the document from the scene's own raw values: BGR8 (gamma
 * on the raw values) and Mono8 (gamma on Y, neutral here) are the reference debayer of the
 * BayerRG16 frame; BayerRG8 and BayerRG12p carry the same P. */
static void test_sensor_scene_formats(void)
{
	struct sensor_settings st;
	uint32_t w = 64, h = 16;
	size_t n = (size_t)w * h;
	uint8_t *got = malloc(n * 3), *want = malloc(n * 3);
	uint16_t *p = NULL;

	scene_window(&st, w, h);
	st.gamma = 0.6;
	st.black_level = 50;
	CU_ASSERT_FATAL(got && want && (p = scene_P(&st)) != NULL);
	struct ref_img im = { p, (int)w, (int)h };
	static const size_t check[] = { 0, 2, 3 };   /* BayerRG8, BayerRG12p, BGR8 */
	for (size_t k = 0; k < 3; k++) {
		const struct ref_fmt *f = &ref_fmts[check[k]];
		size_t size = ref_encode(f, &im, want);

		st.pfnc = f->code;
		ASSERT_INT(sensor_render(S, &st, got, n * 3), DFK_OK);
		ASSERT_BYTES(got, want, size);
	}
	free(p);
	st.gamma = 1.0;
	CU_ASSERT_FATAL((p = scene_P(&st)) != NULL);
	im.p = p;
	size_t size = ref_encode(&ref_fmts[4], &im, want);
	st.pfnc = FMT_MONO8;
	ASSERT_INT(sensor_render(S, &st, got, n * 3), DFK_OK);
	ASSERT_BYTES(got, want, size);
	/* Gamma 2 (v ^ (1 / 2)) brightens Y */
	st.gamma = 2.0;
	ASSERT_INT(sensor_render(S, &st, want, n * 3), DFK_OK);
	double sum_lin = 0, sum_gam = 0;
	for (size_t i = 0; i < n; i++) {
		sum_lin += got[i];
		sum_gam += want[i];
	}
	CU_ASSERT(sum_gam > 1.3 * sum_lin);
	free(p);
	free(got);
	free(want);
}

static void test_sensor_scene_hue_saturation(void)
{
	struct sensor_settings st;
	uint32_t w = 64, h = 16;
	size_t n = (size_t)w * h;
	uint8_t *buf = malloc(n * 3);

	CU_ASSERT_FATAL(buf != NULL);
	scene_window(&st, w, h);
	st.saturation = 0;
	st.pfnc = FMT_YCC422;
	ASSERT_INT(sensor_render(S, &st, buf, n * 2), DFK_OK);
	for (size_t i = 0; i < n / 2; i++)
		if (buf[4 * i + 1] != 128 || buf[4 * i + 3] != 128) {
			CU_FAIL("saturation 0 left chroma in YCbCr422_8");
			break;
		}
	st.pfnc = FMT_BGR8;
	ASSERT_INT(sensor_render(S, &st, buf, n * 3), DFK_OK);
	for (size_t i = 0; i < n; i++)
		if (abs(buf[3 * i] - buf[3 * i + 1]) > 2 || abs(buf[3 * i + 2] - buf[3 * i + 1]) > 2) {
			CU_FAIL("saturation 0 left colour in BGR8");
			break;
		}
	/* Bayer formats: re-mosaicked, so a grey patch stays grey and hue/saturation change the frame */
	st.pfnc = FMT_BAYER8;
	st.saturation = 64;
	uint8_t *plain = malloc(n);
	CU_ASSERT_FATAL(plain != NULL);
	ASSERT_INT(sensor_render(S, &st, plain, n), DFK_OK);
	st.hue_deg = 90;
	ASSERT_INT(sensor_render(S, &st, buf, n), DFK_OK);
	CU_ASSERT(memcmp(plain, buf, n) != 0);
	free(plain);
	free(buf);
}

/* Readout modes of the scene follow section 2 from the plain readout's raw values, which are
 * the ADC values with black level 0, white balance 1 and gamma 1 (a pixel's noise belongs to
 * its sensor position): skipping picks them, binning averages four with (sum + 2) / 4. */
static void test_sensor_scene_readout_modes(void)
{
	struct sensor_settings st, full;
	/* the sensor area under binned/skipped window (500..531) x (800..807): columns 1000..1065,
	 * rows 1600..1615 (+2 for binning) */
	uint32_t fx = 992, fy = 1596, fw = 96, fh = 24;
	uint16_t *plain = NULL, *p = NULL;

	window(&full, FMT_BAYER16, fw, fh, fx, fy);
	full.source = SENSOR_SOURCE_SCENE;
	full.exposure_us = 7000;
	full.block_id = 3;
	CU_ASSERT_FATAL((plain = scene_P(&full)) != NULL);
	for (int mode = 0; mode < 4; mode++) {
		st = full;
		st.width = 32;
		st.height = 8;
		st.offset_x = 500;
		st.offset_y = 800;
		st.reverse_x = mode == 3;
		if (mode == 0)
			st.binning_h = st.binning_v = 2;
		else
			st.decimation_h = mode != 2 ? 2 : 1, st.decimation_v = mode != 1 ? 2 : 1;
		/* an axis read plainly: the same sensor pixels at readout coordinate 1000 / 1600 */
		if (st.decimation_h == 1 && st.binning_h == 1)
			st.offset_x = 1000;
		if (st.decimation_v == 1 && st.binning_v == 1)
			st.offset_y = 1600;
		CU_ASSERT_FATAL((p = scene_P(&st)) != NULL);
		int bad = 0;
		for (uint32_t oy = 0; oy < st.height; oy++)
			for (uint32_t ox = 0; ox < st.width; ox++) {
				uint32_t sx = ref_axis(ox, st.width, st.offset_x, st.reverse_x, st.decimation_h, st.binning_h) - fx;
				uint32_t sy = ref_axis(oy, st.height, st.offset_y, st.reverse_y, st.decimation_v, st.binning_v) - fy;
				uint32_t want = plain[sy * fw + sx];

				if (st.binning_h == 2)
					want = (plain[sy * fw + sx] + plain[sy * fw + sx + 2] + plain[(sy + 2) * fw + sx] +
						plain[(sy + 2) * fw + sx + 2] + 2) / 4;
				bad += p[oy * st.width + ox] != want;
			}
		ASSERT_INT(bad, 0);
		free(p);
	}
	free(plain);
}

/* A saturated, pure blue or pure red image (white balance zeroes the other channels) reaches
 * the clipping of Cb and Cr: b = 255 -> Y = (29*255 + 128) >> 8 = 29,
 * Cb = min(255, (128*255 + 32896) >> 8 = 256) = 255, Cr = (-21*255 + 32896) >> 8 = 107;
 * r = 255 -> Y = 77, Cb = (-43*255 + 32896) >> 8 = 85, Cr = 255. */
static void test_sensor_scene_chroma_clip(void)
{
	struct sensor_settings st;
	uint8_t buf[32 * 8 * 2];

	scene_window(&st, 32, 8);
	st.pfnc = FMT_YCC422;
	st.exposure_us = 1e6;
	st.balance_ratio[0] = st.balance_ratio[1] = 0.0;
	st.balance_ratio[2] = 1.0;
	ASSERT_INT(sensor_render(S, &st, buf, sizeof(buf)), DFK_OK);
	ASSERT_BYTES(buf, ((const uint8_t[]){ 29, 255, 29, 107 }), 4);
	ASSERT_BYTES(buf + sizeof(buf) - 4, ((const uint8_t[]){ 29, 255, 29, 107 }), 4);
	st.balance_ratio[0] = 1.0;
	st.balance_ratio[2] = 0.0;
	ASSERT_INT(sensor_render(S, &st, buf, sizeof(buf)), DFK_OK);
	ASSERT_BYTES(buf, ((const uint8_t[]){ 77, 85, 77, 255 }), 4);
}

/* The moving shapes follow the exposure start time. */
static void test_sensor_scene_motion(void)
{
	struct sensor_settings st;
	size_t n = 4096u * 2160u;
	uint8_t *a = malloc(n), *b = malloc(n);

	CU_ASSERT_FATAL(a && b);
	sensor_settings_default(&st);
	st.source = SENSOR_SOURCE_SCENE;
	ASSERT_INT(sensor_render(S, &st, a, n), DFK_OK);
	st.exposure_start_ns = 500000000;
	ASSERT_INT(sensor_render(S, &st, b, n), DFK_OK);
	size_t diff = 0;
	for (size_t i = 0; i < n; i++)
		diff += a[i] != b[i];
	/* same noise (same block id and seed): only the moved shapes differ */
	CU_ASSERT(diff > 10000 && diff < n / 10);
	free(a);
	free(b);
}

/* Without a colour filter every pixel sees the same light: under a strongly coloured light a grey
 * target shows no Bayer mosaic (on the Bayer sensor red and blue then differ widely), the signal
 * is the quad's mix of the colour sensor's, and Mono8 / Mono12p carry the values Mono16 does. */
static void test_sensor_scene_without_colour_filter(void)
{
	struct sensor_settings st;
	double bayer[3], mono[3];
	uint32_t w = 256, h = 64, min;
	uint16_t *p = NULL;

	scene_window(&st, w, h);
	st.color_temperature_k = 2500;
	CU_ASSERT_FATAL((p = scene_P(&st)) != NULL);
	channel_means(p, w, h, bayer, &min);
	free(p);
	st.cfa = SENSOR_CFA_NONE;
	CU_ASSERT_FATAL((p = scene_P(&st)) != NULL);
	channel_means(p, w, h, mono, &min);
	CU_ASSERT(bayer[0] > 1.5 * bayer[2]);
	CU_ASSERT(close_to(mono[0], mono[1], 0.01) && close_to(mono[2], mono[1], 0.01));
	CU_ASSERT(close_to(mono[1], (bayer[0] + 2 * bayer[1] + bayer[2]) / 4, 0.03));

	size_t n = (size_t)w * h;
	uint8_t *got = malloc(n * 2), *want = malloc(n * 2);
	CU_ASSERT_FATAL(got && want);
	struct ref_img im = { p, (int)w, (int)h };
	for (size_t f = 0; f < N_FMTS; f++) {
		if (ref_fmts[f].cfa != SENSOR_CFA_NONE)
			continue;
		size_t size = ref_encode(&ref_fmts[f], &im, want);
		st.pfnc = ref_fmts[f].code;
		ASSERT_INT(sensor_render(S, &st, got, n * 2), DFK_OK);
		ASSERT_BYTES(got, want, size);
	}
	free(got);
	free(want);
	free(p);
}

/* ---- frames as slices of a strip, frames in strips ---- */

/* sensor_pattern_slice: consecutive block ids (and jumps) of one geometry give the very bytes
 * sensor_render gives, raw formats of both sensors, any region and seed; a readout whose rows
 * do not step evenly (or a colour format, or the scene) is refused. */
static void test_sensor_pattern_slices(void)
{
	static const struct {
		uint32_t pfnc, w, h, ox, oy, dec, bin;
		bool rev_y;
		uint32_t seed;
	} geo[] = {
		{ FMT_BAYER8, 64, 40, 0, 0, 1, 1, false, 0 },      { FMT_BAYER12P, 64, 40, 16, 8, 1, 1, false, 3 },
		{ FMT_BAYER16, 32, 24, 100, 51, 1, 1, false, 4095 }, { FMT_BAYER8, 32, 2160, 0, 0, 1, 1, false, 9 },
		{ FMT_MONO8, 48, 30, 8, 2, 1, 1, false, 1 },
	};
	static const uint64_t blocks[] = { 1, 2, 3, 256, 257, 0x123456789ull, 4 };
	struct sensor *sl = sensor_new();
	struct sensor_settings st;

	CU_ASSERT_PTR_NOT_NULL_FATAL(sl);
	for (size_t g = 0; g < sizeof(geo) / sizeof(geo[0]); g++) {
		window(&st, geo[g].pfnc, geo[g].w, geo[g].h, geo[g].ox, geo[g].oy);
		st.decimation_h = st.decimation_v = geo[g].dec;
		st.binning_h = st.binning_v = geo[g].bin;
		st.reverse_y = geo[g].rev_y;
		st.seed = geo[g].seed;
		st.cfa = geo[g].pfnc == FMT_MONO8 ? SENSOR_CFA_NONE : SENSOR_CFA_BAYER_RG;   /* Mono8 raw: the DMK */
		size_t len = sensor_payload_size(&st);
		uint8_t *want = malloc(len);
		CU_ASSERT_PTR_NOT_NULL_FATAL(want);
		for (size_t b = 0; b < sizeof(blocks) / sizeof(blocks[0]); b++) {
			struct blob *strip = NULL;
			size_t off = 0, rendered = 0;
			st.block_id = blocks[b];
			CU_ASSERT_EQUAL_FATAL(sensor_render(S, &st, want, len), DFK_OK);
			CU_ASSERT_EQUAL_FATAL(sensor_pattern_slice(sl, &st, &strip, &off, &rendered), DFK_OK);
			CU_ASSERT_FATAL(off + len <= strip->size);
			ASSERT_BYTES(strip->data + off, want, len);
			/* the first frame renders all its rows; the next one (16 term steps further, 2 per
			 * row) only the 8 rows it has beyond them */
			if (b == 0)
				CU_ASSERT_EQUAL(rendered, len);
			if (b == 1)
				CU_ASSERT_EQUAL(rendered, 8 * sensor_row_bytes(&st));
			blob_unref(strip);
		}
		free(want);
	}
	/* no slice: a colour format, the scene, one row, the skipping, binning and reversed
	 * readouts (sensor rows 0, 1, 4, 5, ..., the pairs 0+2, 1+3, 4+6, ..., and H-2, H-1, H-4, ...:
	 * uneven steps) */
	struct blob *strip = NULL;
	size_t off, rendered;
	window(&st, FMT_BAYER8, 32, 24, 0, 0);
	st.reverse_y = true;
	CU_ASSERT_EQUAL(sensor_pattern_slice(sl, &st, &strip, &off, &rendered), DFK_ERR_NOTSUP);
	window(&st, FMT_BAYER8, 32, 24, 0, 0);
	st.decimation_h = st.decimation_v = 2;
	CU_ASSERT_EQUAL(sensor_pattern_slice(sl, &st, &strip, &off, &rendered), DFK_ERR_NOTSUP);
	window(&st, FMT_BAYER8, 32, 24, 0, 0);
	st.binning_h = st.binning_v = 2;
	CU_ASSERT_EQUAL(sensor_pattern_slice(sl, &st, &strip, &off, &rendered), DFK_ERR_NOTSUP);
	window(&st, FMT_BGR8, 32, 8, 0, 0);
	CU_ASSERT_EQUAL(sensor_pattern_slice(sl, &st, &strip, &off, &rendered), DFK_ERR_NOTSUP);
	window(&st, FMT_BAYER8, 32, 8, 0, 0);
	st.source = SENSOR_SOURCE_SCENE;
	CU_ASSERT_EQUAL(sensor_pattern_slice(sl, &st, &strip, &off, &rendered), DFK_ERR_NOTSUP);
	window(&st, FMT_BAYER8, 32, 1, 0, 0);
	CU_ASSERT_EQUAL(sensor_pattern_slice(sl, &st, &strip, &off, &rendered), DFK_ERR_NOTSUP);
	CU_ASSERT_PTR_NULL(strip);
	sensor_free(sl);
}

/* sensor_render_rows: a frame rendered in strips of any size, with a measurement (which sets the
 * sensor up for itself) between two strips, gives sensor_render's bytes: scene and pattern,
 * raw and colour formats. */
static void test_sensor_render_in_strips(void)
{
	static const uint32_t fmts[] = { FMT_BAYER8, FMT_BGR8, FMT_YCC422, FMT_BAYER12P };
	static const uint32_t strips[] = { 1, 3, 7, 64 };
	struct sensor_settings st;

	for (size_t f = 0; f < 4; f++)
		for (int src = 0; src < 2; src++) {
			window(&st, fmts[f], 64, 48, 128, 64);
			st.source = src ? SENSOR_SOURCE_SCENE : SENSOR_SOURCE_PATTERN;
			st.block_id = 5 + f;
			st.hue_deg = src && f == 1 ? 20 : 0;
			size_t len = sensor_payload_size(&st), row = sensor_row_bytes(&st);
			uint8_t *want = malloc(len), *got = malloc(len);
			CU_ASSERT_PTR_NOT_NULL_FATAL(want);
			CU_ASSERT_PTR_NOT_NULL_FATAL(got);
			CU_ASSERT_EQUAL_FATAL(row * st.height, len);
			CU_ASSERT_EQUAL_FATAL(sensor_render(S, &st, want, len), DFK_OK);
			memset(got, 0xA5, len);
			uint32_t step = strips[f], y = 0;
			while (y < st.height) {
				uint32_t y1 = y + step < st.height ? y + step : st.height;
				CU_ASSERT_EQUAL_FATAL(sensor_render_rows(S, &st, y, y1, got + (size_t)y * row, len - (size_t)y * row),
						      DFK_OK);
				if (y == 0) {
					struct sensor_stats stats;
					CU_ASSERT_EQUAL(sensor_measure(S, &st, NULL, &stats), DFK_OK);
				}
				y = y1;
			}
			ASSERT_BYTES(got, want, len);
			/* out of range, or too small a buffer */
			CU_ASSERT_EQUAL(sensor_render_rows(S, &st, 2, 1, got, len), DFK_ERR_RANGE);
			CU_ASSERT_EQUAL(sensor_render_rows(S, &st, 0, st.height + 1, got, len + row), DFK_ERR_RANGE);
			CU_ASSERT_EQUAL(sensor_render_rows(S, &st, 0, 2, got, row), DFK_ERR_RANGE);
			free(want);
			free(got);
		}
}

/* sensor_render_rows_from: a colour test-pattern frame made from the one before (copied rows,
 * the edges and the new rows rendered), in strips, gives sensor_render's bytes; consecutive
 * frames copy all but 2 + 8 rows; another geometry or the scene copies nothing. */
static void test_sensor_render_from_previous(void)
{
	static const uint32_t fmts[] = { FMT_BGR8, FMT_YCC422, FMT_MONO8, FMT_BAYER8 };
	static const uint64_t blocks[][2] = { { 1, 2 }, { 7, 9 }, { 300, 301 }, { 2, 1 } };
	struct sensor_settings st, prev_st;

	for (size_t f = 0; f < 4; f++)
		for (size_t b = 0; b < 4; b++) {
			window(&prev_st, fmts[f], 64, 40, 32, 10 + 2 * (uint32_t)b);
			prev_st.seed = (uint32_t)(f * 7);
			prev_st.block_id = blocks[b][0];
			st = prev_st;
			st.block_id = blocks[b][1];
			size_t len = sensor_payload_size(&st), row = sensor_row_bytes(&st), copied, total = 0;
			uint8_t *prev = malloc(len), *want = malloc(len), *got = malloc(len);
			CU_ASSERT_PTR_NOT_NULL_FATAL(prev);
			CU_ASSERT_PTR_NOT_NULL_FATAL(want);
			CU_ASSERT_PTR_NOT_NULL_FATAL(got);
			CU_ASSERT_EQUAL_FATAL(sensor_render(S, &prev_st, prev, len), DFK_OK);
			CU_ASSERT_EQUAL_FATAL(sensor_render(S, &st, want, len), DFK_OK);
			memset(got, 0x5A, len);
			for (uint32_t y = 0; y < st.height; y += 7) {
				uint32_t y1 = y + 7 < st.height ? y + 7 : st.height;
				CU_ASSERT_EQUAL_FATAL(sensor_render_rows_from(S, &st, y, y1, got + y * row, len - y * row, &prev_st,
									      prev, &copied), DFK_OK);
				total += copied;
			}
			ASSERT_BYTES(got, want, len);
			if (b < 2)   /* 16 or 32 term steps on: 8 or 16 new rows, and the two edges */
				CU_ASSERT_EQUAL(total, (st.height - 2 - 8 * (blocks[b][1] - blocks[b][0])) * row);
			if (b == 2)  /* 300 -> 301 with the term wrapping past 4095 */
				CU_ASSERT_EQUAL(total, (st.height - 10) * row);
			free(prev);
			free(want);
			free(got);
		}
	/* nothing copied: the scene, another region */
	uint8_t buf[64 * 4 * 3];
	size_t copied = 1;
	window(&prev_st, FMT_BGR8, 64, 4, 0, 0);
	st = prev_st;
	st.block_id = 2;
	st.offset_y = 2;
	CU_ASSERT_EQUAL(sensor_render_rows_from(S, &st, 0, 4, buf, sizeof(buf), &prev_st, buf, &copied), DFK_OK);
	CU_ASSERT_EQUAL(copied, 0);
	st.offset_y = 0;
	st.source = prev_st.source = SENSOR_SOURCE_SCENE;
	CU_ASSERT_EQUAL(sensor_render_rows_from(S, &st, 0, 4, buf, sizeof(buf), &prev_st, buf, &copied), DFK_OK);
	CU_ASSERT_EQUAL(copied, 0);
}

/* ---- registration ---- */

static const struct test_case cases[] = {
	{ "test_sensor_payload_sizes", test_sensor_payload_sizes },
	{ "test_sensor_invalid", test_sensor_invalid },
	{ "test_sensor_pattern_golden", test_sensor_pattern_golden },
	{ "test_sensor_pattern_windows", test_sensor_pattern_windows },
	{ "test_sensor_pattern_skipping", test_sensor_pattern_skipping },
	{ "test_sensor_pattern_binning", test_sensor_pattern_binning },
	{ "test_sensor_pattern_odd_sizes", test_sensor_pattern_odd_sizes },
	{ "test_sensor_pattern_slices", test_sensor_pattern_slices },
	{ "test_sensor_render_in_strips", test_sensor_render_in_strips },
	{ "test_sensor_render_from_previous", test_sensor_render_from_previous },
	{ "test_sensor_scene_deterministic", test_sensor_scene_deterministic },
	{ "test_sensor_scene_flip_consistent", test_sensor_scene_flip_consistent },
	{ "test_sensor_scene_exposure_gain", test_sensor_scene_exposure_gain },
	{ "test_sensor_scene_black_level", test_sensor_scene_black_level },
	{ "test_sensor_scene_white_balance", test_sensor_scene_white_balance },
	{ "test_sensor_scene_measure", test_sensor_scene_measure },
	{ "test_sensor_scene_formats", test_sensor_scene_formats },
	{ "test_sensor_scene_hue_saturation", test_sensor_scene_hue_saturation },
	{ "test_sensor_scene_readout_modes", test_sensor_scene_readout_modes },
	{ "test_sensor_scene_chroma_clip", test_sensor_scene_chroma_clip },
	{ "test_sensor_scene_motion", test_sensor_scene_motion },
	{ "test_sensor_formats_of_each_sensor", test_sensor_formats_of_each_sensor },
	{ "test_sensor_scene_without_colour_filter", test_sensor_scene_without_colour_filter },
	{ NULL, NULL },
};

int test_sensor_add_suite(void)
{
	return test_add_suite_with_init("sensor", suite_init, suite_clean, NULL, NULL, cases);
}
