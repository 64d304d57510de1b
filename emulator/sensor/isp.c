/* SPDX-License-Identifier: MIT */
#include "isp.h"

#include <math.h>
#include <stddef.h>

#include "../common/errors.h"
#include "readout.h"

/* BT.601 luma weights (the analog values the integer conversion of section 5 rounds) */
#define KR 0.299
#define KB 0.114
#define KG (1.0 - KR - KB)

int isp_check(const struct sensor_settings *st)
{
	if (!isfinite(st->gamma) || st->gamma <= 0.0)
		return DFK_ERR_INVAL;
	for (int c = 0; c < 3; c++)
		if (!isfinite(st->balance_ratio[c]) || st->balance_ratio[c] < 0.0)
			return DFK_ERR_INVAL;
	if (st->black_level > 4095 || st->saturation > 255 || st->hue_deg < -180 || st->hue_deg > 180)
		return DFK_ERR_INVAL;
	return DFK_OK;
}

/* Section 3 step 4, gamma: round(4095 * (v / 4095) ^ (1 / Gamma)) */
static uint16_t tone_gamma(uint32_t v, double inv_gamma)
{
	return (uint16_t)floor(4095.0 * pow(v / 4095.0, inv_gamma) + 0.5);
}

/* Section 3 step 4, LUT: upper 8 bits pick an entry, the lower 4 interpolate towards the next one;
 * the 16-bit result is brought back to 12 bits. */
static uint16_t tone_lut(uint32_t v, const uint16_t lut[257])
{
	uint32_t i = v >> 4, f = v & 15;
	uint32_t v16 = (lut[i] * (16 - f) + lut[i + 1] * f + 8) / 16;

	return (uint16_t)(v16 >> 4);
}

static void fill_tone(uint16_t tone[4096], const struct sensor_settings *st)
{
	double inv = 1.0 / st->gamma;

	for (uint32_t v = 0; v < 4096; v++) {
		if (st->lut_enable)
			tone[v] = tone_lut(v, st->lut);
		else if (st->gamma == 1.0)
			tone[v] = (uint16_t)v;   /* no 4096 pow() calls for the default */
		else
			tone[v] = tone_gamma(v, inv);
	}
}

/* Section 3 steps 2-4 for every ADC value of one colour. */
static void fill_lut(uint16_t lut[4096], uint32_t black, double ratio, const uint16_t *tone)
{
	long r64 = lround(ratio * 64.0);   /* 8-bit multiplier in 1/64 steps */

	if (r64 > 255)
		r64 = 255;
	for (uint32_t a = 0; a < 4096; a++) {
		uint32_t v = a + black > 4095 ? 4095 : a + black;

		v = (v * (uint32_t)r64 + 32) / 64;
		if (v > 4095)
			v = 4095;
		lut[a] = tone ? tone[v] : (uint16_t)v;
	}
}

/* The chroma rotation by Hue degrees and scaling by Saturation / 64 as a linear map of RGB:
 * RGB -> Y Cb Cr -> rotate and scale (Cb, Cr) -> RGB, applied to each unit vector. */
static void build_color(struct isp_frame *f, const struct sensor_settings *st)
{
	double h = st->hue_deg * (M_PI / 180.0), s = st->saturation / 64.0;
	double ch = cos(h) * s, sh = sin(h) * s;

	for (int j = 0; j < 3; j++) {
		double in[3] = { j == 0, j == 1, j == 2 };
		double y = KR * in[0] + KG * in[1] + KB * in[2];
		double cb = (in[2] - y) / (2.0 * (1.0 - KB)), cr = (in[0] - y) / (2.0 * (1.0 - KR));
		double cb2 = ch * cb - sh * cr, cr2 = sh * cb + ch * cr;
		double r = y + 2.0 * (1.0 - KR) * cr2, b = y + 2.0 * (1.0 - KB) * cb2;
		double g = (y - KR * r - KB * b) / KG;

		f->rgb[0][j] = (int32_t)lround(r * 4096.0);
		f->rgb[1][j] = (int32_t)lround(g * 4096.0);
		f->rgb[2][j] = (int32_t)lround(b * 4096.0);
	}
	f->chroma[0][0] = (int32_t)lround(ch * 4096.0);
	f->chroma[0][1] = (int32_t)lround(-sh * 4096.0);
	f->chroma[1][0] = (int32_t)lround(sh * 4096.0);
	f->chroma[1][1] = (int32_t)lround(ch * 4096.0);
}

void isp_prepare(struct isp_frame *f, const struct sensor_settings *st, bool tone_on_raw, bool tone_on_y)
{
	uint16_t tone[4096];

	if (tone_on_raw || tone_on_y)
		fill_tone(tone, st);
	for (int c = 0; c < 3; c++)
		fill_lut(f->lut[c], st->black_level, st->balance_ratio[c], tone_on_raw ? tone : NULL);
	f->ytone_on = tone_on_y && (st->lut_enable || st->gamma != 1.0);
	if (tone_on_y)
		/* Y scaled to 12 bits by repeating its top bits (255 -> 4095), and back with >> 4 */
		for (uint32_t y = 0; y < 256; y++)
			f->ytone[y] = (uint8_t)(tone[(y << 4) | (y >> 4)] >> 4);
	f->color = st->hue_deg != 0 || st->saturation != 64;
	if (f->color)
		build_color(f, st);
}

void isp_lut_row(const struct isp_frame *f, const uint16_t *restrict adc, uint32_t n, unsigned odd_row,
		 uint16_t *restrict out)
{
	const uint16_t *even = f->lut[odd_row ? ISP_G : ISP_R], *odd = f->lut[odd_row ? ISP_B : ISP_G];
	size_t m = row_blocks(n);

	for (size_t x = 0; x < m; x += 2) {
		out[x] = even[adc[x]];
		out[x + 1] = odd[adc[x + 1]];
	}
}

/* Q12 accumulator -> 12-bit value, rounded and clipped. */
static inline uint16_t q12_clip(int32_t acc, int32_t max)
{
	acc += 2048;
	acc = acc < 0 ? 0 : acc;   /* before the shift: no right shift of a negative value */
	acc >>= 12;
	return (uint16_t)(acc > max ? max : acc);
}

void isp_color_rgb_row(const struct isp_frame *f, uint16_t *restrict r, uint16_t *restrict g,
		       uint16_t *restrict b, uint32_t n)
{
	const int32_t(*m)[3] = f->rgb;
	int32_t m00 = m[0][0], m01 = m[0][1], m02 = m[0][2], m10 = m[1][0], m11 = m[1][1], m12 = m[1][2];
	int32_t m20 = m[2][0], m21 = m[2][1], m22 = m[2][2];
	size_t len = row_blocks(n);

	for (size_t x = 0; x < len; x++) {
		int32_t vr = r[x], vg = g[x], vb = b[x];

		r[x] = q12_clip(m00 * vr + m01 * vg + m02 * vb, 4095);
		g[x] = q12_clip(m10 * vr + m11 * vg + m12 * vb, 4095);
		b[x] = q12_clip(m20 * vr + m21 * vg + m22 * vb, 4095);
	}
}

void isp_remosaic_row(const struct isp_frame *f, const uint16_t *restrict r, const uint16_t *restrict g,
		      const uint16_t *restrict b, uint32_t n, unsigned odd_row, uint16_t *restrict out)
{
	const int32_t *ce = f->rgb[odd_row ? ISP_G : ISP_R], *co = f->rgb[odd_row ? ISP_B : ISP_G];
	size_t m = row_blocks(n);

	for (size_t x = 0; x < m; x += 2) {
		out[x] = q12_clip(ce[0] * r[x] + ce[1] * g[x] + ce[2] * b[x], 4095);
		out[x + 1] = q12_clip(co[0] * r[x + 1] + co[1] * g[x + 1] + co[2] * b[x + 1], 4095);
	}
}

void isp_color_ycc_row(const struct isp_frame *f, uint8_t *restrict cb, uint8_t *restrict cr, uint32_t n)
{
	int32_t c00 = f->chroma[0][0], c01 = f->chroma[0][1], c10 = f->chroma[1][0], c11 = f->chroma[1][1];
	size_t m = row_blocks(n);

	for (size_t x = 0; x < m; x++) {
		int32_t db = cb[x] - 128, dr = cr[x] - 128;

		/* + 128 << 12: the offset of the chroma, added before the shift */
		cb[x] = (uint8_t)q12_clip(c00 * db + c01 * dr + (128 << 12), 255);
		cr[x] = (uint8_t)q12_clip(c10 * db + c11 * dr + (128 << 12), 255);
	}
}

void isp_ytone_row(const struct isp_frame *f, uint8_t *y, uint32_t n)
{
	size_t m = row_blocks(n);

	for (size_t x = 0; x < m; x++)
		y[x] = f->ytone[y[x]];
}
