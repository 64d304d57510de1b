/* SPDX-License-Identifier: MIT */
/* Feature rules: what reading, writing or executing a feature does beyond the
 * generic checks of the feature store. Geometry and frame rate stay valid
 * together (5.1), computed features, commands that drive the engines, and the
 * lookup table (5.9.2). */
#include <stddef.h>
#include <string.h>

#include "../common/bytes.h"
#include "../common/errors.h"
#include "camera_internal.h"

/* ---- geometry ---- */

uint64_t camera_payload_size(struct camera *cam)
{
	struct readout r;

	camera_readout(cam, &r);
	return (uint64_t)r.width * r.height * r.bits_per_pixel / 8;
}

/* What the sensor and link allow, but never past the feature's own maximum: a tiny
 * region would otherwise allow rates the model declares it cannot reach. */
static double max_frame_rate(struct camera *cam)
{
	const struct feature_def *d = feature_def(&cam->fs, cam->idx.frame_rate);
	struct readout r;
	double fps;

	camera_readout(cam, &r);
	fps = framerate_max_fps(&cam->model->sensor, &r);
	return fps > d->fmax ? d->fmax : fps;
}

static int64_t increment(const struct feature_def *d) { return d->inc > 0 ? d->inc : 1; }

/* Offsets that centre the region: (max - size) / 2, rounded down to the increment. */
static int64_t centred(struct camera *cam, int size_idx, int max_idx, int off_idx)
{
	const struct feature_def *d = feature_def(&cam->fs, off_idx);
	int64_t room = camera_get_int(cam, max_idx) - camera_get_int(cam, size_idx), inc = increment(d);

	if (room < 0)
		room = 0;
	return (room / 2) / inc * inc;
}

static int64_t offset_limit(struct camera *cam, int size_idx, int max_idx, int off_idx)
{
	const struct feature_def *d = feature_def(&cam->fs, off_idx);
	int64_t room = camera_get_int(cam, max_idx) - camera_get_int(cam, size_idx), inc = increment(d);

	if (room < 0)
		room = 0;
	if (room > d->max)
		room = d->max;
	return room / inc * inc;
}

static int64_t offset_x_limit(struct camera *cam)
{
	return offset_limit(cam, cam->idx.width, cam->idx.width_max, cam->idx.offset_x);
}

static int64_t offset_y_limit(struct camera *cam)
{
	return offset_limit(cam, cam->idx.height, cam->idx.height_max, cam->idx.offset_y);
}

void camera_fixup_geometry(struct camera *cam)
{
	const struct camera_feature_index *x = &cam->idx;
	const struct feature_def *wd = feature_def(&cam->fs, x->width);
	const struct feature_def *hd = feature_def(&cam->fs, x->height);
	int64_t w = camera_get_int(cam, x->width), h = camera_get_int(cam, x->height);
	int64_t wmax = camera_get_int(cam, x->width_max), hmax = camera_get_int(cam, x->height_max);
	double max;

	if (w > wmax)
		camera_store_int(cam, x->width, wmax - (wmax - wd->min) % increment(wd));
	if (h > hmax)
		camera_store_int(cam, x->height, hmax - (hmax - hd->min) % increment(hd));
	/* 5.1.5: an offset invalid for the resolution becomes the largest valid one */
	if (cam->fs.val[x->offset_x].i > offset_x_limit(cam))
		camera_store_int(cam, x->offset_x, offset_x_limit(cam));
	if (cam->fs.val[x->offset_y].i > offset_y_limit(cam))
		camera_store_int(cam, x->offset_y, offset_y_limit(cam));
	max = max_frame_rate(cam);
	if (cam->fs.val[x->frame_rate].f > max)
		camera_store_float(cam, x->frame_rate, max);
}

static int read_payload_size(void *ctx, int idx, struct feat_value *out)
{
	(void)idx;
	out->i = (int64_t)camera_payload_size(ctx);
	out->f = (double)out->i;
	return DFK_OK;
}

static int read_frame_rate_max(void *ctx, int idx, struct feat_value *out)
{
	(void)idx;
	out->f = max_frame_rate(ctx);
	out->i = (int64_t)out->f;
	return DFK_OK;
}

static int read_offset(void *ctx, int idx, struct feat_value *out)
{
	struct camera *cam = ctx;
	bool x = idx == cam->idx.offset_x;

	if (camera_get_int(cam, cam->idx.offset_auto_center))
		out->i = x ? centred(cam, cam->idx.width, cam->idx.width_max, idx)
			   : centred(cam, cam->idx.height, cam->idx.height_max, idx);
	else
		out->i = cam->fs.val[idx].i;
	out->f = (double)out->i;
	return DFK_OK;
}

static int validate_offset(void *ctx, int idx, struct feat_value *v)
{
	struct camera *cam = ctx;
	int64_t lim = idx == cam->idx.offset_x ? offset_x_limit(cam) : offset_y_limit(cam);

	if (v->i > lim)
		v->i = lim;   /* 5.1.5: the camera uses the maximum possible value */
	return DFK_OK;
}

static void geometry_changed(void *ctx, int idx)
{
	(void)idx;
	camera_fixup_geometry(ctx);
}

static void binning_changed(void *ctx, int idx)
{
	struct camera *cam = ctx;
	int other = idx == cam->idx.binning_h ? cam->idx.binning_v : cam->idx.binning_h;

	/* Binning 2X is the only binning readout mode: both directions together. */
	camera_store_int(cam, other, cam->fs.val[idx].i);
	camera_fixup_geometry(cam);
}

/* ---- transport-layer lock ---- */

static int read_tl_params_locked(void *ctx, int idx, struct feat_value *out)
{
	struct camera *cam = ctx;

	(void)idx;
	out->i = cam->tl_locked || cam->acquiring;
	out->f = (double)out->i;
	return DFK_OK;
}

static void tl_params_locked_changed(void *ctx, int idx)
{
	struct camera *cam = ctx;

	cam->tl_locked = cam->fs.val[idx].i != 0;
	cam->fs.stream_locked = cam->tl_locked || cam->acquiring;
}

/* ---- acquisition and trigger commands ---- */

void camera_set_acquiring(struct camera *cam, bool on)
{
	cam->acquiring = on;
	cam->fs.stream_locked = cam->tl_locked || cam->acquiring;
	if (cam->ops && cam->ops->acquisition_changed)
		cam->ops->acquisition_changed(cam->ops_ctx, on);
}

static int exec_acquisition_start(void *ctx, int idx)
{
	struct camera *cam = ctx;

	(void)idx;
	if (cam->acquiring)
		return DFK_OK;
	camera_set_acquiring(cam, true);
	acquisition_start(&cam->acq, clock_now(&cam->clock), cam->settings.trigger.mode_on);
	return DFK_OK;
}

static int exec_acquisition_stop(void *ctx, int idx)
{
	struct camera *cam = ctx;

	(void)idx;
	uint64_t now = clock_now(&cam->clock);
	acquisition_stop(&cam->acq, now);
	trigger_abort(&cam->trig);
	strobe_reset(&cam->strobe, now);
	strobe_update(&cam->strobe, now);
	if (cam->ops && cam->ops->frame_flush)
		cam->ops->frame_flush(cam->ops_ctx);
	if (cam->acquiring)
		camera_set_acquiring(cam, false);
	return DFK_OK;
}

static int exec_device_reset(void *ctx, int idx)
{
	struct camera *cam = ctx;

	(void)idx;
	if (cam->ops && cam->ops->device_reset)
		cam->ops->device_reset(cam->ops_ctx);
	return DFK_OK;
}

static int exec_trigger_software(void *ctx, int idx)
{
	struct camera *cam = ctx;

	(void)idx;
	trigger_software(&cam->trig, clock_now(&cam->clock));
	return DFK_OK;
}

static void trigger_mode_changed(void *ctx, int idx)
{
	struct camera *cam = ctx;
	uint64_t now = clock_now(&cam->clock);

	(void)idx;
	camera_settings_refresh(cam);   /* the engines act on the new mode right away */
	trigger_abort(&cam->trig);
	acquisition_set_triggered(&cam->acq, cam->settings.trigger.mode_on, now);
}

/* ---- digital I/O and strobe ---- */

static int read_gpi(void *ctx, int idx, struct feat_value *out)
{
	struct camera *cam = ctx;

	(void)idx;
	out->i = trigger_level(&cam->trig) == 0;   /* 5.6.1: True when TRIGGER_IN is low */
	out->f = (double)out->i;
	return DFK_OK;
}

static void strobe_line_changed(void *ctx, int idx)
{
	struct camera *cam = ctx;

	(void)idx;
	camera_settings_refresh(cam);   /* the line follows the new value right away */
	strobe_update(&cam->strobe, clock_now(&cam->clock));
}

/* ---- auto functions and white balance ---- */

static int read_upper_limit(void *ctx, int idx, struct feat_value *out)
{
	struct camera *cam = ctx;
	const struct feature_def *d = feature_def(&cam->fs, idx);

	if (camera_get_int(cam, cam->idx.exposure_auto_upper_auto)) {
		/* 5.3.5: kept at the longest exposure the frame rate allows. A frame period
		 * holds the exposure and the sensor's gap before the next one: a limit of
		 * the whole period would let auto exposure lower the frame rate. */
		double us = 1e6 / camera_get_float(cam, cam->idx.frame_rate) - cam->model->sensor.exposure_gap_ns / 1e3;
		if (us > d->fmax)
			us = d->fmax;
		if (us < d->fmin)
			us = d->fmin;
		out->f = us;
	} else {
		out->f = cam->fs.val[idx].f;
	}
	out->i = (int64_t)out->f;
	return DFK_OK;
}

static void temperature_preset_changed(void *ctx, int idx)
{
	struct camera *cam = ctx;
	const struct feature_def *d = feature_def(&cam->fs, idx);
	const struct enum_entry *e = model_enum_entry_by_value(d, cam->fs.val[idx].i);

	if (e && e->numeric > 0)
		camera_store_int(cam, cam->idx.balance_temperature, (int64_t)e->numeric);
}

/* In Temperature mode the channel ratios follow from BalanceWhiteTemperature (5.8.3). */
static int read_balance_ratio(void *ctx, int idx, struct feat_value *out)
{
	struct camera *cam = ctx;
	double r[3];
	int64_t sel = camera_get_int(cam, cam->idx.balance_ratio_selector);

	(void)idx;
	autofunc_ratios(&cam->settings.autofunc, r);
	out->f = r[sel >= 0 && sel < 3 ? sel : 0];
	out->i = (int64_t)out->f;
	return DFK_OK;
}

/* With a preset, the rectangle fields read the preset's region (5.11.2). */
static int read_auto_roi(void *ctx, int idx, struct feat_value *out)
{
	struct camera *cam = ctx;
	const struct feature_def *d = feature_def(&cam->fs, idx);
	struct sensor_roi roi;
	int64_t v;

	if (camera_get_int(cam, cam->idx.aroi_preset) == cam->entry.aroi_custom) {
		*out = cam->fs.val[idx];
		return DFK_OK;
	}
	autofunc_preset_roi(&cam->settings.autofunc, &roi);
	if (idx == cam->idx.aroi_left)
		v = roi.left;
	else if (idx == cam->idx.aroi_top)
		v = roi.top;
	else if (idx == cam->idx.aroi_width)
		v = roi.width;
	else
		v = roi.height;
	/* the manual's limits hold even where the sensor is larger (docs/manual-quirks.md) */
	if (v > d->max)
		v = d->max;
	if (v < d->min)
		v = d->min;
	out->i = v;
	out->f = (double)v;
	return DFK_OK;
}

/* ---- lookup table (5.9.2) ---- */

/* LUTValueAll: entry i at offset 4*i, 16 bits in a little-endian 32-bit word. */
static int lut_all_read(void *ctx, int idx, uint64_t off, uint8_t *buf, uint32_t len)
{
	struct camera *cam = ctx;

	(void)idx;
	for (uint32_t k = 0; k < len; k += 4) {
		struct feat_value v = feature_raw_selected(&cam->fs, cam->idx.lut_value, (unsigned)((off + k) / 4));
		put_le32(buf + k, (uint32_t)v.i);
	}
	return DFK_OK;
}

static int lut_all_write(void *ctx, int idx, uint64_t off, const uint8_t *buf, uint32_t len)
{
	struct camera *cam = ctx;

	(void)idx;
	for (uint32_t k = 0; k < len; k += 4)
		if (get_le32(buf + k) > 0xFFFF)
			return DFK_ERR_RANGE;
	for (uint32_t k = 0; k < len; k += 4) {
		struct feat_value v = { .i = get_le32(buf + k) };
		v.f = (double)v.i;
		feature_store_raw_selected(&cam->fs, cam->idx.lut_value, (unsigned)((off + k) / 4), v);
	}
	return DFK_OK;
}

static void factory_lut(struct camera *cam)
{
	const struct feature_def *d = feature_def(&cam->fs, cam->idx.lut_value);

	/* identity: entry i maps input i/256 of full scale to the same output */
	for (unsigned k = 0; k < d->n_selected; k++) {
		int64_t v = (int64_t)k * 256;
		struct feat_value fv = { .i = v > d->max ? d->max : v };
		fv.f = (double)fv.i;
		feature_store_raw_selected(&cam->fs, cam->idx.lut_value, k, fv);
	}
}

void camera_factory_defaults(struct camera *cam)
{
	feature_store_defaults(&cam->fs);
	factory_lut(cam);
}

/* ---- binding ---- */

#define RULE(feature, hooks) { offsetof(struct camera_feature_index, feature), hooks }

void camera_bind_rules(struct camera *cam)
{
	static const struct feature_hooks payload = { .read = read_payload_size };
	static const struct feature_hooks rate_max = { .read = read_frame_rate_max };
	static const struct feature_hooks tl_lock = { .read = read_tl_params_locked, .changed = tl_params_locked_changed };
	static const struct feature_hooks offset = { .read = read_offset, .validate = validate_offset };
	static const struct feature_hooks geometry = { .changed = geometry_changed };
	static const struct feature_hooks binning = { .changed = binning_changed };
	static const struct feature_hooks acq_start = { .execute = exec_acquisition_start };
	static const struct feature_hooks acq_stop = { .execute = exec_acquisition_stop };
	static const struct feature_hooks reset = { .execute = exec_device_reset };
	static const struct feature_hooks lut_all = { .read_bytes = lut_all_read, .write_bytes = lut_all_write };
	static const struct feature_hooks wb_preset = { .changed = temperature_preset_changed };
	static const struct feature_hooks upper_limit = { .read = read_upper_limit };
	static const struct feature_hooks trig_sw = { .execute = exec_trigger_software };
	static const struct feature_hooks gpi = { .read = read_gpi };
	static const struct feature_hooks strobe_line = { .changed = strobe_line_changed };
	static const struct feature_hooks trig_mode = { .changed = trigger_mode_changed };
	static const struct feature_hooks balance_ratio = { .read = read_balance_ratio };
	static const struct feature_hooks auto_roi = { .read = read_auto_roi };
	static const struct {
		size_t feature;
		const struct feature_hooks *hooks;
	} rules[] = {
		RULE(payload_size, &payload),
		RULE(frame_rate_max, &rate_max),
		RULE(tl_params_locked, &tl_lock),
		RULE(offset_x, &offset),
		RULE(offset_y, &offset),
		RULE(width, &geometry),
		RULE(height, &geometry),
		RULE(pixel_format, &geometry),
		RULE(decimation_h, &geometry),
		RULE(decimation_v, &geometry),
		RULE(binning_h, &binning),
		RULE(binning_v, &binning),
		RULE(acquisition_start, &acq_start),
		RULE(acquisition_stop, &acq_stop),
		RULE(device_reset, &reset),
		RULE(lut_value_all, &lut_all),
		RULE(balance_temperature_preset, &wb_preset),
		RULE(exposure_auto_upper, &upper_limit),
		RULE(trigger_software, &trig_sw),
		RULE(gpi_in, &gpi),
		RULE(gp_out, &strobe_line),
		RULE(strobe_enable, &strobe_line),
		RULE(strobe_polarity, &strobe_line),
		RULE(trigger_mode, &trig_mode),
		RULE(balance_ratio, &balance_ratio),
		RULE(aroi_left, &auto_roi),
		RULE(aroi_top, &auto_roi),
		RULE(aroi_width, &auto_roi),
		RULE(aroi_height, &auto_roi),
	};

	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		feature_bind_index(&cam->fs, *(const int *)((const char *)&cam->idx + rules[i].feature), rules[i].hooks);
}
