/* SPDX-License-Identifier: MIT */
/* The sensor object: validates settings, keeps the per-geometry maps and the
 * scene caches, and drives the row pipeline:
 *
 *   raw formats:    raw row -> pack                          (one row at a time)
 *   colour formats: raw rows (3-row cache) -> debayer -> [hue/saturation] -> convert -> pack
 *
 * (raw formats: the Bayer formats of a colour sensor, the Mono formats of a sensor
 * without a colour filter; colour formats exist on a Bayer sensor only)
 *
 * where a raw row is the test pattern, or the scene's ADC values through the
 * black level / white balance / tone tables (isp.c). */
#include "sensor.h"

#include <stdlib.h>
#include <string.h>

#include "../common/blob.h"
#include "../common/errors.h"
#include "isp.h"
#include "pattern.h"
#include "pixfmt.h"
#include "readout.h"
#include "scene.h"

/* sensor_measure: at most this many 2x2 quads; the grid step doubles until it fits
 * (every 16th pair of rows and columns at full resolution). */
#define MEASURE_MAX_QUADS 40000u
#define MEASURE_MIN_STEP  8u

/* Test-pattern frames as slices of one tall strip (sensor_pattern_slice). */
struct pattern_strip {
	struct blob *blob;              /* rows * row_bytes; NULL: none yet */
	uint8_t *valid;                 /* per strip row: rendered */
	struct readout_key key;         /* the geometry, format and filter it holds */
	uint32_t pfnc;
	enum sensor_cfa cfa;
	uint32_t u0;                    /* pattern row term of strip row 0 */
	int32_t d;                      /* sensor rows per output row (+-1, +-2) */
	uint32_t period, rows;          /* strip rows before the content repeats; rows held */
	size_t row_bytes;
};

struct sensor {
	struct readout_map map;
	struct pattern_strip strip;
	struct scene scene;             /* built on the first scene frame */
	struct scene_frame frame;
	struct scene_scratch scratch;
	struct isp_frame isp;

	/* rows of the frame being rendered; ring rows have one reflected neighbour each side */
	uint16_t raw[ROW_ALLOC];
	uint16_t ring[3][ROW_ALLOC + 2 * ROW_BLOCK];
	int64_t ring_row[3];            /* output row held by each ring slot, -1 = none */
	uint16_t adc[ROW_ALLOC];
	uint16_t r[ROW_ALLOC], g[ROW_ALLOC], b[ROW_ALLOC];
	uint8_t y[ROW_ALLOC], cb[ROW_ALLOC], cr[ROW_ALLOC];
	/* sensor_measure: the sampled columns of one grid row */
	uint16_t scx0[ROW_ALLOC], scx1[ROW_ALLOC];

	/* sensor_render_rows: the frame the maps, tables and ring are set up for, if any */
	bool prepared;
	struct sensor_settings prepared_for;
	size_t prepared_row_bytes;
};

/* One frame's resolved settings. */
struct frame {
	const struct sensor_settings *st;
	const struct pixfmt *fmt;
	bool scene;
	uint32_t term;          /* pattern: (16 * block_id + seed) mod 4096 */
	bool color;             /* scene with hue/saturation away from the defaults */
};

struct sensor *sensor_new(void)
{
	return calloc(1, sizeof(struct sensor));
}

static void strip_drop(struct pattern_strip *p)
{
	blob_unref(p->blob);
	free(p->valid);
	p->blob = NULL;
	p->valid = NULL;
}

void sensor_free(struct sensor *s)
{
	if (!s)
		return;
	strip_drop(&s->strip);
	scene_free(&s->scene);
	free(s);
}

void sensor_settings_default(struct sensor_settings *st)
{
	memset(st, 0, sizeof(*st));
	st->width = SENSOR_WIDTH;
	st->height = SENSOR_HEIGHT;
	st->decimation_h = st->decimation_v = 1;
	st->binning_h = st->binning_v = 1;
	st->pfnc = PFNC_BAYER_RG8;
	st->source = SENSOR_SOURCE_PATTERN;
	st->block_id = 1;
	st->exposure_us = 10000.0;
	st->balance_ratio[0] = st->balance_ratio[1] = st->balance_ratio[2] = 1.0;
	st->gamma = 1.0;
	/* an identity LUT (in case LUTEnable is switched on without loading one) */
	for (int i = 0; i < 257; i++)
		st->lut[i] = (uint16_t)(i < 256 ? i * 256 : 65535);
	st->saturation = 64;
	st->light_level = 1.0;
	st->color_temperature_k = 5500.0;
}

size_t sensor_payload_size(const struct sensor_settings *st)
{
	const struct pixfmt *f = pixfmt_find(st->pfnc, st->cfa);

	if (!f)
		return 0;
	return (size_t)((uint64_t)st->width * st->height * f->bits / 8);
}

static bool colour_neutral(const struct sensor_settings *st)
{
	return st->balance_ratio[0] == 1.0 && st->balance_ratio[1] == 1.0 && st->balance_ratio[2] == 1.0 &&
	       st->hue_deg == 0 && st->saturation == 64;
}

static int check(const struct sensor_settings *st, const struct pixfmt **fmt)
{
	int rc;

	*fmt = pixfmt_find(st->pfnc, st->cfa);
	if (!*fmt)
		return DFK_ERR_INVAL;
	if ((rc = readout_check(st)) != DFK_OK)
		return rc;
	if (st->width % (*fmt)->width_align)
		return DFK_ERR_INVAL;
	if (st->source == SENSOR_SOURCE_PATTERN)
		return DFK_OK;   /* the pattern bypasses processing: those settings do not matter */
	if (st->source != SENSOR_SOURCE_SCENE)
		return DFK_ERR_INVAL;
	if ((rc = isp_check(st)) != DFK_OK)
		return rc;
	if (st->cfa == SENSOR_CFA_NONE && !colour_neutral(st))
		return DFK_ERR_INVAL;   /* one channel: per-colour processing has nothing to act on */
	return scene_check(st);
}

/* Validates and prepares everything a frame (or a measurement, `for_stats`) needs. */
static int setup(struct sensor *s, const struct sensor_settings *st, bool for_stats, struct frame *fr)
{
	int rc;

	s->prepared = false;
	rc = check(st, &fr->fmt);

	if (rc != DFK_OK)
		return rc;
	fr->st = st;
	fr->scene = st->source == SENSOR_SOURCE_SCENE;
	fr->term = pattern_frame_term(st->block_id, st->seed);
	fr->color = false;
	readout_update(&s->map, st);
	if (!fr->scene)
		return DFK_OK;
	if ((rc = scene_ensure(&s->scene, st->cfa)) != DFK_OK)
		return rc;
	scene_prepare(&s->frame, st);
	if (for_stats) {
		isp_prepare(&s->isp, st, false, false);
	} else {
		bool ycc = pixfmt_is_ycc(fr->fmt);

		/* gamma/LUT on the raw values, except in the YUV formats, where it acts on Y */
		isp_prepare(&s->isp, st, !ycc, ycc);
		fr->color = s->isp.color;
	}
	return DFK_OK;
}

/* The output raw values P of one row (row_blocks(rs->n) entries). */
static void raw_row(struct sensor *s, const struct frame *fr, const struct row_src *rs, uint16_t *out)
{
	if (!fr->scene) {
		pattern_row(rs, fr->term, out);
		return;
	}
	scene_adc_row(&s->scene, &s->frame, rs, &s->scratch, s->adc);
	isp_lut_row(&s->isp, s->adc, rs->n, rs->odd_row, out);
}

/* refl(i, n) of section 5: the neighbour beyond an edge, mirrored without repeating the edge */
static uint32_t refl(int64_t i, uint32_t n)
{
	if (i < 0)
		return (uint32_t)-i;
	if (i >= n)
		return (uint32_t)(2 * (int64_t)n - 2 - i);
	return (uint32_t)i;
}

/* Raw row `oy` from the 3-row cache, with refl() neighbours stored at [-1] and [W]. */
static const uint16_t *ring_get(struct sensor *s, const struct frame *fr, uint32_t oy)
{
	unsigned slot = oy % 3;
	uint16_t *row = s->ring[slot] + ROW_BLOCK;
	uint32_t w = fr->st->width;

	if (s->ring_row[slot] != (int64_t)oy) {
		struct row_src rs;

		readout_row(&s->map, oy, &rs);
		raw_row(s, fr, &rs, row);
		row[-1] = row[1];
		row[w] = row[w - 2];
		s->ring_row[slot] = oy;
	}
	return row;
}

/* Debayers output row `oy` into s->r, s->g, s->b. */
static void debayer(struct sensor *s, const struct frame *fr, uint32_t oy)
{
	uint32_t h = fr->st->height;
	const uint16_t *up = ring_get(s, fr, refl((int64_t)oy - 1, h));
	const uint16_t *cur = ring_get(s, fr, oy);
	const uint16_t *dn = ring_get(s, fr, refl((int64_t)oy + 1, h));

	pixfmt_debayer_row(up, cur, dn, fr->st->width, oy & 1, s->r, s->g, s->b);
}

static void render_row(struct sensor *s, const struct frame *fr, uint32_t oy, uint8_t *dst)
{
	const struct pixfmt *f = fr->fmt;
	uint32_t w = fr->st->width;

	if (pixfmt_is_raw(f) && !fr->color) {
		struct row_src rs;

		readout_row(&s->map, oy, &rs);
		raw_row(s, fr, &rs, s->raw);
		pixfmt_pack_raw(f, s->raw, w, dst);
		return;
	}
	debayer(s, fr, oy);
	if (pixfmt_is_raw(f)) {
		/* hue/saturation need colour: debayer, correct, keep each pixel's own colour */
		isp_remosaic_row(&s->isp, s->r, s->g, s->b, w, oy & 1, s->raw);
		pixfmt_pack_raw(f, s->raw, w, dst);
	} else if (f->packing == PIXFMT_PACK_BGR8) {
		if (fr->color)
			isp_color_rgb_row(&s->isp, s->r, s->g, s->b, w);
		pixfmt_pack_bgr8(s->r, s->g, s->b, w, dst);
	} else if (f->packing == PIXFMT_PACK_Y8) {
		/* Mono8 is Y alone: hue/saturation only move chroma, so there is nothing else to do */
		pixfmt_y_row(s->r, s->g, s->b, w, s->y);
		if (fr->scene && s->isp.ytone_on)
			isp_ytone_row(&s->isp, s->y, w);
		memcpy(dst, s->y, w);
	} else {
		pixfmt_ycc_row(s->r, s->g, s->b, w, s->y, s->cb, s->cr);
		if (fr->color)
			isp_color_ycc_row(&s->isp, s->cb, s->cr, w);
		if (fr->scene && s->isp.ytone_on)
			isp_ytone_row(&s->isp, s->y, w);
		pixfmt_pack_ycc(f, s->y, s->cb, s->cr, w, dst);
	}
}

size_t sensor_row_bytes(const struct sensor_settings *st)
{
	const struct pixfmt *f = pixfmt_find(st->pfnc, st->cfa);

	return f ? pixfmt_row_bytes(f, st->width) : 0;
}

int sensor_render_rows(struct sensor *s, const struct sensor_settings *st, uint32_t y0, uint32_t y1, uint8_t *out,
		       size_t out_len)
{
	struct frame fr;
	int rc;

	/* set up again only for another frame (or after a measurement): a frame rendered in
	 * strips pays for its set-up once */
	if (!s->prepared || memcmp(&s->prepared_for, st, sizeof(*st)) != 0) {
		rc = setup(s, st, false, &fr);
		if (rc != DFK_OK)
			return rc;
		for (int i = 0; i < 3; i++)
			s->ring_row[i] = -1;
		s->prepared_for = *st;
		s->prepared_row_bytes = pixfmt_row_bytes(fr.fmt, st->width);
		s->prepared = true;
	} else {
		fr.fmt = pixfmt_find(st->pfnc, st->cfa);
		fr.scene = st->source == SENSOR_SOURCE_SCENE;
		fr.term = pattern_frame_term(st->block_id, st->seed);
		fr.color = fr.scene && s->isp.color;
	}
	fr.st = st;
	size_t row_bytes = s->prepared_row_bytes;
	if (y0 > y1 || y1 > st->height || out_len / row_bytes < y1 - y0)
		return DFK_ERR_RANGE;
	for (uint32_t oy = y0; oy < y1; oy++)
		render_row(s, &fr, oy, out + (size_t)(oy - y0) * row_bytes);
	return DFK_OK;
}

int sensor_render(struct sensor *s, const struct sensor_settings *st, uint8_t *out, size_t out_len)
{
	s->prepared = false;
	return sensor_render_rows(s, st, 0, st->height, out, out_len);
}

/* ---- test-pattern frames as slices of one strip ----
 *
 * A pattern row's values depend only on its row term 2*sy + 16*block_id + seed (mod 4096).
 * Where the output rows step through the sensor rows evenly (sy = a + d*oy, and the binned
 * partner row likewise), row oy of the frame with term T holds what row 0 of the frame with
 * term T + 2*d*oy holds. So strip row k = row 0 of term u0 + 2*d*k, and the frame with term T
 * is the strip's rows k .. k+H-1 where u0 + 2*d*k = T: every frame of a raw format, whatever
 * its block id, is a contiguous slice of one strip of 4096/(2|d|) + H - 1 rows, rendered once. */

static bool strip_fits(const struct pattern_strip *p, const struct sensor *s, const struct sensor_settings *st)
{
	return p->blob && p->pfnc == st->pfnc && p->cfa == st->cfa && memcmp(&p->key, &s->map.key, sizeof(p->key)) == 0;
}

/* The readout's row step d (+-1 or +-2) when every output row steps evenly, else 0. */
static int32_t even_row_step(const struct readout_map *m)
{
	uint32_t h = m->key.height;
	int32_t d;

	if (h < 2)
		return 0;
	d = (int32_t)m->ry0[1] - (int32_t)m->ry0[0];
	if (d != 1 && d != -1 && d != 2 && d != -2)
		return 0;
	for (uint32_t oy = 1; oy < h; oy++)
		if ((int32_t)m->ry0[oy] - (int32_t)m->ry0[0] != d * (int32_t)oy ||
		    (m->binned && (int32_t)m->ry1[oy] - (int32_t)m->ry1[0] != d * (int32_t)oy))
			return 0;
	return d;
}

int sensor_pattern_slice(struct sensor *s, const struct sensor_settings *st, struct blob **strip, size_t *offset,
			 size_t *rendered)
{
	struct pattern_strip *p = &s->strip;
	const struct pixfmt *fmt;
	uint32_t term = pattern_frame_term(st->block_id, st->seed), k, diff;

	*rendered = 0;
	if (st->source != SENSOR_SOURCE_PATTERN || check(st, &fmt) != DFK_OK || !pixfmt_is_raw(fmt))
		return DFK_ERR_NOTSUP;
	s->prepared = false;   /* the map may change under sensor_render_rows */
	readout_update(&s->map, st);
	if (!strip_fits(p, s, st) ||
	    (diff = (p->d > 0 ? term - p->u0 : p->u0 - term) & 4095) % (2 * (uint32_t)abs(p->d)) != 0) {
		int32_t d = even_row_step(&s->map);
		if (!d)
			return DFK_ERR_NOTSUP;
		strip_drop(p);
		p->key = s->map.key;
		p->pfnc = st->pfnc;
		p->cfa = st->cfa;
		p->u0 = term;
		p->d = d;
		p->period = 4096 / (2 * (uint32_t)abs(d));
		p->rows = p->period + st->height - 1;
		p->row_bytes = pixfmt_row_bytes(fmt, st->width);
		p->blob = blob_new((size_t)p->rows * p->row_bytes);   /* untouched pages cost nothing */
		p->valid = calloc(p->rows, 1);
		if (!p->blob || !p->valid) {
			strip_drop(p);
			return DFK_ERR_NOMEM;
		}
		diff = 0;
	}
	k = diff / (2 * (uint32_t)abs(p->d));
	for (uint32_t r = k; r < k + st->height; r++) {
		if (p->valid[r])
			continue;
		struct row_src rs;
		readout_row(&s->map, 0, &rs);
		pattern_row(&rs, (p->u0 + 2 * (uint32_t)p->d * r) & 4095, s->raw);
		pixfmt_pack_raw(fmt, s->raw, st->width, p->blob->data + (size_t)r * p->row_bytes);
		p->valid[r] = 1;
		*rendered += p->row_bytes;
	}
	*strip = blob_ref(p->blob);
	*offset = (size_t)k * p->row_bytes;
	return DFK_OK;
}

/* ---- a test-pattern frame from the one before ----
 *
 * The same translation in colour: a debayered interior row is made of three raw rows and its
 * row parity, so (evenly stepped rows) row y of the frame with term T is row y + k of the frame
 * with term T - 2*d*k; with k even, the parity matches too. Only the first and the last row
 * (whose neighbours are mirrored) and the k rows new at the bottom are rendered. */

static bool same_geometry(const struct sensor_settings *a, const struct sensor_settings *b)
{
	return a->width == b->width && a->height == b->height && a->offset_x == b->offset_x &&
	       a->offset_y == b->offset_y && a->reverse_x == b->reverse_x && a->reverse_y == b->reverse_y &&
	       a->decimation_h == b->decimation_h && a->decimation_v == b->decimation_v &&
	       a->binning_h == b->binning_h && a->binning_v == b->binning_v && a->cfa == b->cfa && a->pfnc == b->pfnc;
}

int sensor_render_rows_from(struct sensor *s, const struct sensor_settings *st, uint32_t y0, uint32_t y1,
			    uint8_t *out, size_t out_len, const struct sensor_settings *prev_st, const uint8_t *prev,
			    size_t *copied)
{
	uint32_t h = st->height, k, diff;
	int32_t d;
	size_t row;
	int rc;

	*copied = 0;
	if (!prev || st->source != SENSOR_SOURCE_PATTERN || prev_st->source != SENSOR_SOURCE_PATTERN ||
	    !same_geometry(st, prev_st) || y0 >= y1)
		return sensor_render_rows(s, st, y0, y1, out, out_len);
	const struct pixfmt *fmt;
	if (check(st, &fmt) != DFK_OK)
		return sensor_render_rows(s, st, y0, y1, out, out_len);   /* its error */
	/* the map of this frame (a frame set up already keeps its set-up) */
	if (!s->prepared || memcmp(&s->prepared_for, st, sizeof(*st)) != 0) {
		s->prepared = false;
		readout_update(&s->map, st);
	}
	row = pixfmt_row_bytes(fmt, st->width);
	d = even_row_step(&s->map);
	diff = (d > 0 ? pattern_frame_term(st->block_id, st->seed) - pattern_frame_term(prev_st->block_id, prev_st->seed)
		      : pattern_frame_term(prev_st->block_id, prev_st->seed) - pattern_frame_term(st->block_id, st->seed)) &
	       4095;
	if (!d || diff % (4 * (uint32_t)abs(d)) != 0 || (k = diff / (2 * (uint32_t)abs(d))) + 3 > h)
		return sensor_render_rows(s, st, y0, y1, out, out_len);
	/* rows 1 .. h-2-k are interior rows of both frames: copied; the rest rendered */
	uint32_t c0 = y0 > 1 ? y0 : 1, c1 = y1 < h - 1 - k ? y1 : h - 1 - k;
	if (c0 >= c1)
		return sensor_render_rows(s, st, y0, y1, out, out_len);
	if (out_len / row < y1 - y0)
		return DFK_ERR_RANGE;
	if (y0 < c0 && (rc = sensor_render_rows(s, st, y0, c0, out, out_len)) != DFK_OK)
		return rc;
	memcpy(out + (size_t)(c0 - y0) * row, prev + (size_t)(c0 + k) * row, (size_t)(c1 - c0) * row);
	*copied = (size_t)(c1 - c0) * row;
	if (c1 < y1)
		rc = sensor_render_rows(s, st, c1, y1, out + (size_t)(c1 - y0) * row, out_len - (size_t)(c1 - y0) * row);
	return rc;
}

/* ---- statistics ---- */

struct accum {
	uint64_t sum[3], count[3], saturated;
};

static void accumulate(struct accum *a, const uint16_t *p, uint32_t n, unsigned odd_row)
{
	/* even row: R G R G ..., odd row: G B G B ... */
	unsigned ce = odd_row ? 1 : 0, co = odd_row ? 2 : 1;

	for (uint32_t i = 0; i < n; i += 2) {
		a->sum[ce] += p[i];
		a->sum[co] += p[i + 1];
		a->saturated += (p[i] >= 4095) + (p[i + 1] >= 4095);
	}
	a->count[ce] += n / 2;
	a->count[co] += n / 2;
}

/* Sampled columns of one grid row: the 2x2 quads at x = start, start + step, ... */
static uint32_t sample_columns(struct sensor *s, uint32_t start, uint32_t x_end, uint32_t step)
{
	uint32_t n = 0;

	for (uint32_t ox = start; ox + 1 < x_end; ox += step) {
		s->scx0[n] = s->map.cx0[ox];
		s->scx0[n + 1] = s->map.cx0[ox + 1];
		s->scx1[n] = s->map.cx1[ox];
		s->scx1[n + 1] = s->map.cx1[ox + 1];
		n += 2;
	}
	for (uint32_t i = n; i < row_blocks(n); i++)
		s->scx0[i] = s->scx1[i] = 0;   /* padding: any valid sensor column */
	return n;
}

int sensor_measure(struct sensor *s, const struct sensor_settings *st, const struct sensor_roi *roi,
		   struct sensor_stats *out)
{
	struct frame fr;
	int rc = setup(s, st, true, &fr);

	if (rc != DFK_OK)
		return rc;
	uint32_t w = st->width, h = st->height;
	uint32_t x0 = roi ? roi->left : 0, y0 = roi ? roi->top : 0;
	if (x0 >= w || y0 >= h)
		return DFK_ERR_INVAL;
	/* the region clipped to the image, starting on a whole Bayer quad */
	uint32_t x_end = roi && roi->width < w - x0 ? x0 + roi->width : w;
	uint32_t y_end = roi && roi->height < h - y0 ? y0 + roi->height : h;
	x0 = (x0 + 1) & ~1u;
	y0 = (y0 + 1) & ~1u;
	if (x0 + 2 > x_end || y0 + 2 > y_end)
		return DFK_ERR_INVAL;

	uint32_t step = MEASURE_MIN_STEP;
	while ((uint64_t)((x_end - x0) / step + 1) * ((y_end - y0) / step + 1) > MEASURE_MAX_QUADS)
		step *= 2;

	struct accum a;
	memset(&a, 0, sizeof(a));
	for (uint32_t j = 0, oy = y0; oy + 1 < y_end; j++, oy += step) {
		/* successive grid rows start at shifted columns: no aliasing with periodic targets */
		uint32_t start = x0 + (2 * j) % step;
		uint32_t n = sample_columns(s, start + 1 < x_end ? start : x0, x_end, step);

		for (uint32_t k = 0; k < 2; k++) {
			struct row_src rs = { .cx0 = s->scx0, .cx1 = s->scx1, .n = n, .sy0 = s->map.ry0[oy + k],
					      .sy1 = s->map.ry1[oy + k], .binned = s->map.binned, .odd_row = (oy + k) & 1 };

			raw_row(s, &fr, &rs, s->raw);
			accumulate(&a, s->raw, n, rs.odd_row);
		}
	}

	uint64_t total = a.count[0] + a.count[1] + a.count[2];
	memset(out, 0, sizeof(*out));
	for (int c = 0; c < 3; c++)
		out->mean[c] = a.count[c] ? (double)a.sum[c] / (double)a.count[c] : 0.0;
	out->luma = (out->mean[0] + 2.0 * out->mean[1] + out->mean[2]) / 4.0;
	out->saturated_fraction = total ? (double)a.saturated / (double)total : 0.0;
	out->samples = (uint32_t)total;
	return DFK_OK;
}
