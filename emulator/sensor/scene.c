/* SPDX-License-Identifier: MIT */
#include "scene.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../common/errors.h"

/* Sensor model, IMX267-like. E_PER_US: electrons per microsecond from reflectance 1 in
 * nominal light (light_level 1), so that a white target at the default 10 ms exposure
 * fills about 70 % of the well: bright but not clipped. */
#define FULL_WELL_E  10500.0
#define READ_NOISE_E 2.5
#define E_PER_US     0.7
/* Colour temperature at which the raw R, G and B signals of a grey target are equal
 * (so the default scene looks neutral with white balance 1, 1, 1). */
#define NEUTRAL_K    5500.0

enum { C_R = 0, C_G = 1, C_B = 2 };

/* ---- small helpers ---- */

/* splitmix64 finaliser: a well-mixed 64-bit hash */
static uint64_t mix64(uint64_t x)
{
	x += 0x9E3779B97F4A7C15ull;
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
	return x ^ (x >> 31);
}

static int bayer_colour(uint32_t x, uint32_t y)
{
	if (y & 1)
		return (x & 1) ? C_B : C_G;
	return (x & 1) ? C_G : C_R;
}

/* What a pixel without a colour filter sees of R, G, B: the Bayer quad's mix, so that a grey
 * target gives a mono and a colour camera the same signal. */
static double panchromatic(const double v[3]) { return (v[C_R] + 2.0 * v[C_G] + v[C_B]) / 4.0; }

static double clampd(double v, double lo, double hi) { return v < lo ? lo : (v > hi ? hi : v); }

static uint16_t to_level(double reflectance)
{
	return (uint16_t)clampd(reflectance * SCENE_RADIANCE_ONE + 0.5, 0.0, 4095.0);
}

int scene_check(const struct sensor_settings *st)
{
	if (!isfinite(st->exposure_us) || st->exposure_us < 0.0)
		return DFK_ERR_INVAL;
	/* beyond +-100 dB 10^(Gain/20) stops being a useful float */
	if (!isfinite(st->gain_db) || fabs(st->gain_db) > 100.0)
		return DFK_ERR_INVAL;
	if (!isfinite(st->light_level) || st->light_level < 0.0)
		return DFK_ERR_INVAL;
	if (!isfinite(st->color_temperature_k) || st->color_temperature_k <= 0.0)
		return DFK_ERR_INVAL;
	return DFK_OK;
}

/* ---- noise table ---- */

/* Standard normal values by Box-Muller from a fixed splitmix64 stream: the same table in
 * every process, so a (seed, block id) gives the same frame everywhere. */
static void fill_noise(float *t, size_t n)
{
	uint64_t s = 0x5DEECE66Dull;

	for (size_t i = 0; i < n; i += 2) {
		double u1 = ((double)(mix64(s++) >> 11) + 1.0) * 0x1.0p-53;   /* (0, 1]: log() finite */
		double u2 = (double)(mix64(s++) >> 11) * 0x1.0p-53;
		double r = sqrt(-2.0 * log(u1));

		t[i] = (float)(r * cos(2.0 * M_PI * u2));
		if (i + 1 < n)
			t[i + 1] = (float)(r * sin(2.0 * M_PI * u2));
	}
}

/* ---- static background ----
 * Built row by row as reflectance of each pixel's own colour: a wall with a smooth
 * colour gradient, then the targets on top, then illumination fall-off. */

/* ColorChecker Classic, sRGB D50 values (BabelColor), rows top to bottom. */
static const uint8_t checker_srgb[24][3] = {
	{ 115, 82, 68 },   { 194, 150, 130 }, { 98, 122, 157 },  { 87, 108, 67 },   { 133, 128, 177 }, { 103, 189, 170 },
	{ 214, 126, 44 },  { 80, 91, 166 },   { 193, 90, 99 },   { 94, 60, 108 },   { 157, 188, 64 },  { 224, 163, 46 },
	{ 56, 61, 150 },   { 70, 148, 73 },   { 175, 54, 60 },   { 231, 199, 31 },  { 187, 86, 149 },  { 8, 133, 161 },
	{ 243, 243, 242 }, { 200, 200, 200 }, { 160, 160, 160 }, { 122, 122, 121 }, { 85, 85, 85 },    { 52, 52, 52 },
};

/* Layout, sensor pixels. */
#define CHK_X0     240
#define CHK_Y0     420
#define CHK_PATCH  250
#define CHK_PITCH  290
#define WEDGE_Y0   1640
#define WEDGE_Y1   1860
#define WEDGE_STEP 148
#define RAMP_Y0    60
#define RAMP_Y1    260
#define HUE_Y0     1920
#define HUE_Y1     2100
#define LINES_X0   2200
#define LINES_PITCH 210
#define LINES_W    180
#define VLINES_Y0  400
#define VLINES_Y1  880
#define HLINES_Y0  920
#define HLINES_Y1  1360
#define STAR_CX    3040
#define STAR_CY    1650
#define STAR_R     230
#define STAR_SPOKES 36

static const uint32_t line_periods[8] = { 2, 3, 4, 5, 6, 8, 12, 16 };

static double srgb_to_linear(uint8_t v)
{
	double c = v / 255.0;

	return c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4);
}

struct bg_ctx {
	float *refl;     /* one row, own colour of each pixel */
	uint32_t y;
	bool mono;       /* no colour filter: every pixel sees the panchromatic mix */
	float checker[24][3];
};

/* The reflectance pixel (x, b->y) sees of a surface of colour rgb. */
static float seen(const struct bg_ctx *b, uint32_t x, const float rgb[3])
{
	if (b->mono) {
		double v[3] = { rgb[C_R], rgb[C_G], rgb[C_B] };
		return (float)panchromatic(v);
	}
	return rgb[bayer_colour(x, b->y)];
}

/* [x0, x1) of the row gets a constant colour */
static void fill_span(struct bg_ctx *b, uint32_t x0, uint32_t x1, const float rgb[3])
{
	for (uint32_t x = x0; x < x1; x++)
		b->refl[x] = seen(b, x, rgb);
}

static void fill_grey(struct bg_ctx *b, uint32_t x0, uint32_t x1, float v)
{
	for (uint32_t x = x0; x < x1; x++)
		b->refl[x] = v;
}

/* a wall lit from above, warm on the left and cool on the right */
static void bg_wall(struct bg_ctx *b)
{
	static const float warm[3] = { 0.46f, 0.40f, 0.31f }, cool[3] = { 0.28f, 0.35f, 0.46f };
	float shade = 0.75f + 0.35f * (float)b->y / (SENSOR_HEIGHT - 1);

	for (uint32_t x = 0; x < SENSOR_WIDTH; x++) {
		float u = (float)x / (SENSOR_WIDTH - 1), rgb[3];

		for (int c = 0; c < 3; c++)
			rgb[c] = (warm[c] + (cool[c] - warm[c]) * u) * shade;
		b->refl[x] = seen(b, x, rgb);
	}
}

static void bg_checker(struct bg_ctx *b)
{
	static const float frame[3] = { 0.03f, 0.03f, 0.03f };
	uint32_t y = b->y;

	if (y < CHK_Y0 - 40 || y >= CHK_Y0 + 3 * CHK_PITCH + CHK_PATCH + 40)
		return;
	fill_span(b, CHK_X0 - 40, CHK_X0 + 5 * CHK_PITCH + CHK_PATCH + 40, frame);
	if (y < CHK_Y0 || (y - CHK_Y0) % CHK_PITCH >= CHK_PATCH)
		return;
	uint32_t row = (y - CHK_Y0) / CHK_PITCH;
	for (uint32_t col = 0; col < 6; col++) {
		uint32_t x0 = CHK_X0 + col * CHK_PITCH;

		fill_span(b, x0, x0 + CHK_PATCH, b->checker[row * 6 + col]);
	}
}

/* 12 grey steps from 3 % to 90 %, equal ratios */
static void bg_wedge(struct bg_ctx *b)
{
	if (b->y < WEDGE_Y0 || b->y >= WEDGE_Y1)
		return;
	for (uint32_t k = 0; k < 12; k++)
		fill_grey(b, CHK_X0 + k * WEDGE_STEP, CHK_X0 + (k + 1) * WEDGE_STEP,
			  (float)(0.03 * pow(30.0, k / 11.0)));
}

/* smooth gradients: a linear grey ramp at the top, a hue ramp at the bottom */
static void bg_ramps(struct bg_ctx *b)
{
	if (b->y >= RAMP_Y0 && b->y < RAMP_Y1)
		for (uint32_t x = 0; x < SENSOR_WIDTH; x++)
			b->refl[x] = 0.02f + 0.96f * (float)x / (SENSOR_WIDTH - 1);
	if (b->y >= HUE_Y0 && b->y < HUE_Y1)
		for (uint32_t x = 0; x < SENSOR_WIDTH; x++) {
			/* HSV with S 0.85, V 0.75: each channel a triangle wave of the hue */
			float h = 6.0f * (float)x / SENSOR_WIDTH, rgb[3];

			for (int c = 0; c < 3; c++) {
				float d = fabsf(fmodf(h + 6.0f - 2.0f * (float)c, 6.0f) - 3.0f);   /* 0..3 */
				float k = d < 1.0f ? 0.0f : (d > 2.0f ? 1.0f : d - 1.0f);

				rgb[c] = 0.75f * (1.0f - 0.85f * (1.0f - k));
			}
			b->refl[x] = seen(b, x, rgb);
		}
}

/* bar groups of periods 2..16 px: vertical bars above, horizontal bars below */
static void bg_lines(struct bg_ctx *b)
{
	uint32_t y = b->y;
	bool vertical = y >= VLINES_Y0 && y < VLINES_Y1, horizontal = y >= HLINES_Y0 && y < HLINES_Y1;

	if (y < VLINES_Y0 - 20 || y >= HLINES_Y1 + 20)
		return;
	fill_grey(b, LINES_X0 - 20, LINES_X0 + 8 * LINES_PITCH, 0.5f);
	if (!vertical && !horizontal)
		return;
	for (uint32_t g = 0; g < 8; g++) {
		uint32_t p = line_periods[g], x0 = LINES_X0 + g * LINES_PITCH;

		for (uint32_t x = x0; x < x0 + LINES_W; x++) {
			uint32_t phase = vertical ? x - x0 : y - HLINES_Y0;

			b->refl[x] = 2 * (phase % p) < p ? 0.85f : 0.04f;
		}
	}
}

static void bg_star(struct bg_ctx *b)
{
	int32_t dy = (int32_t)b->y - STAR_CY;

	if (dy < -STAR_R - 20 || dy >= STAR_R + 20)
		return;
	fill_grey(b, STAR_CX - STAR_R - 20, STAR_CX + STAR_R + 20, 0.5f);
	for (int32_t dx = -STAR_R; dx <= STAR_R; dx++) {
		if (dx * dx + dy * dy > STAR_R * STAR_R)
			continue;
		double a = atan2((double)dy + 0.5, (double)dx + 0.5) + M_PI;   /* 0 .. 2 pi */
		uint32_t sector = (uint32_t)(a / (2.0 * M_PI) * 2 * STAR_SPOKES);

		b->refl[STAR_CX + dx] = sector & 1 ? 0.04f : 0.85f;
	}
}

/* illumination fall-off towards the corners, separable */
static float falloff(double d) { return (float)(1.0 - 0.25 * d * d); }

static void build_background(uint16_t *radiance, enum sensor_cfa cfa)
{
	float refl[SENSOR_WIDTH], vx[SENSOR_WIDTH];
	struct bg_ctx b = { .refl = refl, .mono = cfa == SENSOR_CFA_NONE };

	for (int i = 0; i < 24; i++)
		for (int c = 0; c < 3; c++)
			b.checker[i][c] = (float)srgb_to_linear(checker_srgb[i][c]);
	for (uint32_t x = 0; x < SENSOR_WIDTH; x++)
		vx[x] = falloff((x - 2047.5) / 2048.0);
	for (uint32_t y = 0; y < SENSOR_HEIGHT; y++) {
		float vy = falloff((y - 1079.5) / 2048.0) * SCENE_RADIANCE_ONE;
		uint16_t *out = radiance + (size_t)y * SENSOR_WIDTH;

		b.y = y;
		bg_wall(&b);
		bg_ramps(&b);
		bg_checker(&b);
		bg_wedge(&b);
		bg_lines(&b);
		bg_star(&b);
		for (uint32_t x = 0; x < SENSOR_WIDTH; x++) {
			float v = refl[x] * vx[x] * vy + 0.5f;

			out[x] = (uint16_t)(v > 4095.0f ? 4095.0f : v);
		}
	}
}

int scene_ensure(struct scene *sc, enum sensor_cfa cfa)
{
	if (sc->radiance && sc->noise) {
		if (sc->cfa != cfa) {
			build_background(sc->radiance, cfa);
			sc->cfa = cfa;
		}
		return DFK_OK;
	}
	scene_free(sc);
	sc->radiance = malloc((size_t)SENSOR_WIDTH * SENSOR_HEIGHT * sizeof(uint16_t));
	sc->noise = malloc((SCENE_NOISE_LEN + SENSOR_WIDTH) * sizeof(float));
	if (!sc->radiance || !sc->noise) {
		scene_free(sc);
		return DFK_ERR_NOMEM;
	}
	build_background(sc->radiance, cfa);
	sc->cfa = cfa;
	fill_noise(sc->noise, SCENE_NOISE_LEN + SENSOR_WIDTH);
	return DFK_OK;
}

void scene_free(struct scene *sc)
{
	free(sc->radiance);
	free(sc->noise);
	sc->radiance = NULL;
	sc->noise = NULL;
}

/* ---- per frame ---- */

/* Relative signal of each colour under a black body of temperature t, from Planck's law at
 * one wavelength per colour, normalised to equal signals at NEUTRAL_K and to green. */
static void light_colour(double t, double f[3])
{
	static const double lambda[3] = { 600e-9, 540e-9, 460e-9 };
	const double c2 = 1.4388e-2;   /* h c / k, m K */
	double rel[3];

	for (int c = 0; c < 3; c++)
		rel[c] = expm1(c2 / (lambda[c] * NEUTRAL_K)) / expm1(c2 / (lambda[c] * t));
	for (int c = 0; c < 3; c++)
		f[c] = rel[c] / rel[C_G];
}

/* A shape's radiance levels for surface colour rgb, as pixels of each colour (or all, without a filter) see it. */
static void shape_colour(struct scene_shape *s, double r, double g, double b, bool mono)
{
	double rgb[3] = { r, g, b };

	for (int c = 0; c < 3; c++)
		s->level[c] = to_level(mono ? panchromatic(rgb) : rgb[c]);
}

static void place_shapes(struct scene_frame *fr, uint64_t exposure_start_ns, bool mono)
{
	double t = exposure_start_ns * 1e-9;
	struct scene_shape *s = fr->shape;

	memset(s, 0, sizeof(fr->shape));
	/* an orange ball on a Lissajous path */
	s[0].disc = true;
	s[0].cx = 2048.0 + 1500.0 * sin(2.0 * M_PI * t / 6.0);
	s[0].cy = 1080.0 + 650.0 * sin(2.0 * M_PI * t / 4.3 + 1.0);
	s[0].r = 140.0;
	shape_colour(&s[0], 0.85, 0.35, 0.08, mono);
	/* a specular highlight (reflectance 1.9: clips at the default exposure) sliding right */
	s[1].x0 = (int32_t)floor(fmod(t * 500.0, SENSOR_WIDTH + 220.0)) - 220;
	s[1].x1 = s[1].x0 + 220;
	s[1].y0 = 1680;
	s[1].y1 = 1900;
	shape_colour(&s[1], 1.9, 1.9, 1.9, mono);
	/* a blue bar swinging left and right */
	s[2].x0 = (int32_t)floor(2008.0 + 1700.0 * sin(2.0 * M_PI * t / 9.0));
	s[2].x1 = s[2].x0 + 80;
	s[2].y0 = 300;
	s[2].y1 = 820;
	shape_colour(&s[2], 0.05, 0.15, 0.6, mono);
}

void scene_prepare(struct scene_frame *fr, const struct sensor_settings *st)
{
	double dn_per_e = 4095.0 / FULL_WELL_E * pow(10.0, st->gain_db / 20.0);
	double f[3];
	bool mono = st->cfa == SENSOR_CFA_NONE;

	light_colour(clampd(st->color_temperature_k, 1000.0, 40000.0), f);
	if (mono)
		/* one table for every pixel; light and surface colour mixed apart, exact for neutral light */
		f[C_R] = f[C_G] = f[C_B] = panchromatic(f);
	for (int c = 0; c < 3; c++) {
		double e_per_level = st->exposure_us * E_PER_US * st->light_level * f[c] / SCENE_RADIANCE_ONE;

		for (uint32_t lv = 0; lv < 4096; lv++) {
			double e = lv * e_per_level;
			struct scene_level *l = &fr->level[c][lv];

			if (e >= FULL_WELL_E) {
				/* a full well reads the same every time: flat clipped highlights */
				l->mean = (float)(FULL_WELL_E * dn_per_e);
				l->sigma = 0.0f;
			} else {
				/* photon noise (Poisson, variance = mean, Gaussian here) plus read noise */
				l->mean = (float)(e * dn_per_e);
				l->sigma = (float)(sqrt(e + READ_NOISE_E * READ_NOISE_E) * dn_per_e);
			}
		}
	}
	fr->full = (float)clampd(FULL_WELL_E * dn_per_e, 0.0, 4095.0);
	fr->noise_key = mix64(mix64(st->block_id) ^ st->seed);
	place_shapes(fr, st->scene_still ? 0 : st->exposure_start_ns, mono);
}

/* [lo, hi) sensor columns a shape covers on sensor row sy; false if none */
static bool shape_span(const struct scene_shape *s, uint32_t sy, int32_t *lo, int32_t *hi)
{
	if (s->disc) {
		double dy = sy + 0.5 - s->cy;

		if (fabs(dy) >= s->r)
			return false;
		double hw = sqrt(s->r * s->r - dy * dy);
		*lo = (int32_t)floor(s->cx - hw + 0.5);
		*hi = (int32_t)floor(s->cx + hw + 0.5);
	} else {
		if ((int32_t)sy < s->y0 || (int32_t)sy >= s->y1)
			return false;
		*lo = s->x0;
		*hi = s->x1;
	}
	*lo = *lo < 0 ? 0 : *lo;
	*hi = *hi > SENSOR_WIDTH ? SENSOR_WIDTH : *hi;
	return *hi > *lo;
}

static void overlay_shapes(const struct scene_frame *fr, uint32_t sy, const uint16_t *restrict cx, size_t n,
			   unsigned odd_row, uint16_t *restrict rad)
{
	for (int k = 0; k < SCENE_SHAPES; k++) {
		const struct scene_shape *s = &fr->shape[k];
		int32_t lo, hi;

		if (!shape_span(s, sy, &lo, &hi))
			continue;
		uint16_t even = s->level[odd_row ? C_G : C_R], odd = s->level[odd_row ? C_B : C_G];
		uint32_t base = (uint32_t)lo, width = (uint32_t)(hi - lo);

		/* masks rather than branches: the loop vectorises */
		for (size_t i = 0; i < n; i++) {
			uint16_t inside = (uint16_t)(0u - (uint32_t)((uint32_t)cx[i] - base < width));
			uint16_t is_odd = (uint16_t)(0u - (i & 1));
			uint16_t level = (uint16_t)((odd & is_odd) | (even & ~is_odd));

			rad[i] = (uint16_t)((level & inside) | (rad[i] & ~inside));
		}
	}
}

static inline uint16_t quantise(const struct scene_level *l, float z, float full)
{
	float v = l->mean + l->sigma * z;

	v = v < 0.0f ? 0.0f : v;
	v = v > full ? full : v;
	return (uint16_t)(v + 0.5f);
}

/* ADC values of the pixels (cx[i], sy); added to out[] when `add` (binning sums four passes). */
static void adc_pass(const struct scene *sc, const struct scene_frame *fr, uint32_t sy,
		     const uint16_t *restrict cx, size_t n, unsigned odd_row, uint16_t *restrict rad,
		     uint16_t *restrict out, bool add)
{
	const uint16_t *row = sc->radiance + (size_t)sy * SENSOR_WIDTH;
	const float *z = sc->noise + (mix64(fr->noise_key + sy) & (SCENE_NOISE_LEN - 1));
	const struct scene_level *even = fr->level[odd_row ? C_G : C_R], *odd = fr->level[odd_row ? C_B : C_G];
	float full = fr->full;

	for (size_t i = 0; i < n; i++)
		rad[i] = row[cx[i]];
	overlay_shapes(fr, sy, cx, n, odd_row, rad);
	/* noise indexed by sensor column: a pixel's noise does not depend on the region read */
	if (add) {
		for (size_t i = 0; i < n; i += 2) {
			out[i] = (uint16_t)(out[i] + quantise(&even[rad[i]], z[cx[i]], full));
			out[i + 1] = (uint16_t)(out[i + 1] + quantise(&odd[rad[i + 1]], z[cx[i + 1]], full));
		}
	} else {
		for (size_t i = 0; i < n; i += 2) {
			out[i] = quantise(&even[rad[i]], z[cx[i]], full);
			out[i + 1] = quantise(&odd[rad[i + 1]], z[cx[i + 1]], full);
		}
	}
}

void scene_adc_row(const struct scene *sc, const struct scene_frame *fr, const struct row_src *rs,
		   struct scene_scratch *tmp, uint16_t *out)
{
	size_t n = row_blocks(rs->n);

	adc_pass(sc, fr, rs->sy0, rs->cx0, n, rs->odd_row, tmp->rad, out, false);
	if (!rs->binned)
		return;
	adc_pass(sc, fr, rs->sy0, rs->cx1, n, rs->odd_row, tmp->rad, out, true);
	adc_pass(sc, fr, rs->sy1, rs->cx0, n, rs->odd_row, tmp->rad, out, true);
	adc_pass(sc, fr, rs->sy1, rs->cx1, n, rs->odd_row, tmp->rad, out, true);
	for (size_t i = 0; i < n; i++)
		out[i] = (uint16_t)((out[i] + 2) >> 2);
}

void sensor_light_colour(double kelvin, double rgb[3])
{
	light_colour(clampd(kelvin, 1000.0, 40000.0), rgb);
}
