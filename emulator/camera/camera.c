#include "camera.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/atomicfile.h"
#include "../common/bytes.h"
#include "../common/errors.h"
#include "../common/kvfile.h"
#include "../common/log.h"
#include "autofunc.h"
#include "framerate.h"

#define FLASH_FILE "flash.conf"

static int idx_of(struct camera *cam, const char *name) { return feature_index(&cam->fs, name); }

static int64_t get_i(struct camera *cam, int idx)
{
	struct feat_value v = { 0, 0 };

	if (idx >= 0)
		feature_get(&cam->fs, idx, &v);
	return v.i;
}

static double get_f(struct camera *cam, int idx)
{
	struct feat_value v = { 0, 0 };

	if (idx >= 0)
		feature_get(&cam->fs, idx, &v);
	return v.f;
}

static void set_raw_i(struct camera *cam, int idx, int64_t i)
{
	struct feat_value v = { .i = i, .f = (double)i };

	if (idx >= 0)
		feature_store_raw(&cam->fs, idx, v);
}

/* ---- geometry ---- */

static uint32_t bits_per_pixel(struct camera *cam, uint32_t pfnc)
{
	const struct feature_def *d = feature_def(&cam->fs, cam->idx.pixel_format);
	const struct enum_entry *e = d ? model_enum_entry_by_value(d, pfnc) : NULL;

	return e && e->numeric > 0 ? (uint32_t)e->numeric : (pfnc >> 16) & 0xFF;
}

void camera_geometry(struct camera *cam, struct camera_geometry *g)
{
	g->width = (uint32_t)get_i(cam, cam->idx.width);
	g->height = (uint32_t)get_i(cam, cam->idx.height);
	g->offset_x = (uint32_t)get_i(cam, cam->idx.offset_x);
	g->offset_y = (uint32_t)get_i(cam, cam->idx.offset_y);
	g->binning_h = cam->idx.binning_h >= 0 ? (uint32_t)get_i(cam, cam->idx.binning_h) : 1;
	g->binning_v = cam->idx.binning_v >= 0 ? (uint32_t)get_i(cam, cam->idx.binning_v) : 1;
	g->decimation_h = cam->idx.decimation_h >= 0 ? (uint32_t)get_i(cam, cam->idx.decimation_h) : 1;
	g->decimation_v = cam->idx.decimation_v >= 0 ? (uint32_t)get_i(cam, cam->idx.decimation_v) : 1;
	g->pfnc = (uint32_t)get_i(cam, cam->idx.pixel_format);
	g->bits_per_pixel = bits_per_pixel(cam, g->pfnc);
}

uint64_t camera_payload_size(struct camera *cam)
{
	struct camera_geometry g;

	camera_geometry(cam, &g);
	return (uint64_t)g.width * g.height * g.bits_per_pixel / 8;
}

void camera_readout(struct camera *cam, struct readout *r)
{
	struct camera_geometry g;

	camera_geometry(cam, &g);
	r->width = g.width;
	r->height = g.height;
	r->binning_h = g.binning_h;
	r->binning_v = g.binning_v;
	r->decimation_h = g.decimation_h;
	r->decimation_v = g.decimation_v;
	r->pfnc = g.pfnc;
	r->bits_per_pixel = g.bits_per_pixel;
}

static double max_frame_rate(struct camera *cam)
{
	struct readout r;

	camera_readout(cam, &r);
	return framerate_max_fps(&cam->model->sensor, &r);
}

/* Offsets that centre the region: (max - size) / 2, rounded down to the increment. */
static int64_t centred(struct camera *cam, int size_idx, int max_idx, int off_idx)
{
	const struct feature_def *d = feature_def(&cam->fs, off_idx);
	int64_t room = get_i(cam, max_idx) - get_i(cam, size_idx), inc = d && d->inc > 0 ? d->inc : 1;

	if (room < 0)
		room = 0;
	return (room / 2) / inc * inc;
}

static int64_t offset_limit(struct camera *cam, int size_idx, int max_idx, int off_idx)
{
	const struct feature_def *d = feature_def(&cam->fs, off_idx);
	int64_t room = get_i(cam, max_idx) - get_i(cam, size_idx), inc = d && d->inc > 0 ? d->inc : 1;

	if (room < 0)
		room = 0;
	if (d && room > d->max)
		room = d->max;
	return room / inc * inc;
}

/* Keep size, offsets and frame rate valid after anything that changes the geometry. */
static void fixup_geometry(struct camera *cam)
{
	const struct feature_def *wd = feature_def(&cam->fs, cam->idx.width);
	const struct feature_def *hd = feature_def(&cam->fs, cam->idx.height);
	int64_t w = get_i(cam, cam->idx.width), h = get_i(cam, cam->idx.height);
	int64_t wmax = get_i(cam, cam->idx.width_max), hmax = get_i(cam, cam->idx.height_max);

	if (wd && w > wmax)
		set_raw_i(cam, cam->idx.width, wmax - (wmax - wd->min) % (wd->inc > 0 ? wd->inc : 1));
	if (hd && h > hmax)
		set_raw_i(cam, cam->idx.height, hmax - (hmax - hd->min) % (hd->inc > 0 ? hd->inc : 1));
	/* 5.1.5: an offset invalid for the resolution becomes the largest valid one */
	if (cam->idx.offset_x >= 0 && cam->fs.val[cam->idx.offset_x].i >
					      offset_limit(cam, cam->idx.width, cam->idx.width_max, cam->idx.offset_x))
		set_raw_i(cam, cam->idx.offset_x, offset_limit(cam, cam->idx.width, cam->idx.width_max, cam->idx.offset_x));
	if (cam->idx.offset_y >= 0 && cam->fs.val[cam->idx.offset_y].i >
					      offset_limit(cam, cam->idx.height, cam->idx.height_max, cam->idx.offset_y))
		set_raw_i(cam, cam->idx.offset_y,
			  offset_limit(cam, cam->idx.height, cam->idx.height_max, cam->idx.offset_y));
	if (cam->idx.frame_rate >= 0) {
		double max = max_frame_rate(cam);
		if (cam->fs.val[cam->idx.frame_rate].f > max) {
			struct feat_value v = { .i = (int64_t)max, .f = max };
			feature_store_raw(&cam->fs, cam->idx.frame_rate, v);
		}
	}
}

/* ---- hooks ---- */

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

static int read_offset(void *ctx, int idx, struct feat_value *out)
{
	struct camera *cam = ctx;
	bool x = idx == cam->idx.offset_x;

	if (get_i(cam, cam->idx.auto_center))
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
	int64_t lim = idx == cam->idx.offset_x ? offset_limit(cam, cam->idx.width, cam->idx.width_max, idx)
					       : offset_limit(cam, cam->idx.height, cam->idx.height_max, idx);

	if (v->i > lim)
		v->i = lim;   /* 5.1.5: the camera uses the maximum possible value */
	return DFK_OK;
}

static void geometry_changed(void *ctx, int idx)
{
	(void)idx;
	fixup_geometry(ctx);
}

static void binning_changed(void *ctx, int idx)
{
	struct camera *cam = ctx;
	int other = idx == cam->idx.binning_h ? cam->idx.binning_v : cam->idx.binning_h;

	/* Binning 2X is the only binning readout mode: both directions together. */
	if (other >= 0)
		set_raw_i(cam, other, cam->fs.val[idx].i);
	fixup_geometry(cam);
}

static void set_acquiring(struct camera *cam, bool on)
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
	set_acquiring(cam, true);
	acquisition_start(&cam->acq, clock_now(&cam->clock), camera_enum_is(cam, "TriggerMode", "On"));
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
		set_acquiring(cam, false);
	return DFK_OK;
}

void camera_acquisition_ended(struct camera *cam)
{
	if (cam->acquiring)
		set_acquiring(cam, false);
}

/* ---- the acquisition engine's view of the features ---- */

static double feature_f(struct camera *cam, const char *name, double fallback)
{
	int idx = idx_of(cam, name);

	return idx >= 0 ? get_f(cam, idx) : fallback;
}

static int64_t feature_i(struct camera *cam, const char *name, int64_t fallback)
{
	int idx = idx_of(cam, name);

	return idx >= 0 ? get_i(cam, idx) : fallback;
}

int64_t camera_int(struct camera *cam, const char *name) { return feature_i(cam, name, 0); }
double camera_float(struct camera *cam, const char *name) { return feature_f(cam, name, 0.0); }

bool camera_enum_is(struct camera *cam, const char *name, const char *entry)
{
	int idx = idx_of(cam, name);
	const struct feature_def *d = feature_def(&cam->fs, idx);
	const struct enum_entry *e = d ? model_enum_entry_by_value(d, get_i(cam, idx)) : NULL;

	return e && strcmp(e->name, entry) == 0;
}

uint64_t camera_exposure_ns(struct camera *cam)
{
	return (uint64_t)(feature_f(cam, "ExposureTime", 10000.0) * 1000.0 + 0.5);
}

void camera_exposure_started(struct camera *cam, uint64_t block_id, uint64_t t, uint64_t exposure_ns)
{
	strobe_exposure_start(&cam->strobe, block_id, t, exposure_ns);
}

void camera_exposure_ended(struct camera *cam, uint64_t block_id, uint64_t t)
{
	strobe_exposure_end(&cam->strobe, block_id, t);
}

void camera_sensor_settings(struct camera *cam, struct sensor_settings *st)
{
	struct camera_geometry g;
	int ratio = idx_of(cam, "BalanceRatio"), lut = cam->idx.lut_value;

	sensor_settings_default(st);
	camera_geometry(cam, &g);
	st->width = g.width;
	st->height = g.height;
	st->offset_x = g.offset_x;
	st->offset_y = g.offset_y;
	st->binning_h = g.binning_h;
	st->binning_v = g.binning_v;
	st->decimation_h = g.decimation_h;
	st->decimation_v = g.decimation_v;
	st->pfnc = g.pfnc;
	st->reverse_x = feature_i(cam, "ReverseX", 0) != 0;
	st->reverse_y = feature_i(cam, "ReverseY", 0) != 0;
	st->source = cam->opt.source;
	st->seed = cam->opt.seed;
	st->exposure_us = feature_f(cam, "ExposureTime", 10000.0);
	st->gain_db = feature_f(cam, "Gain", 0.0);
	st->black_level = (uint32_t)feature_i(cam, "BlackLevel", 0);
	if (ratio >= 0)
		autofunc_ratios(cam, st->balance_ratio);
	st->gamma = feature_f(cam, "Gamma", 1.0);
	st->lut_enable = feature_i(cam, "LUTEnable", 0) != 0;
	for (unsigned k = 0; k < 257 && lut >= 0; k++)
		st->lut[k] = (uint16_t)feature_raw_selected(&cam->fs, lut, k).i;
	st->hue_deg = (int)feature_i(cam, "Hue", 0);
	st->saturation = (uint32_t)feature_i(cam, "Saturation", 64);
	st->light_level = cam->light_level;
	st->color_temperature_k = cam->light_kelvin;
	st->scene_still = cam->scene_still;
}

uint64_t camera_frame_period_ns(struct camera *cam)
{
	struct readout r;

	camera_readout(cam, &r);
	return framerate_period_ns(&cam->model->sensor, &r, feature_f(cam, "AcquisitionFrameRate", 30.0),
				   (uint64_t)(feature_f(cam, "ExposureTime", 10000.0) * 1000.0 + 0.5));
}

uint64_t camera_frames_per_start(struct camera *cam)
{
	const struct feature_def *d = feature_def(&cam->fs, idx_of(cam, "AcquisitionMode"));
	const struct enum_entry *e = d ? model_enum_entry_by_value(d, feature_i(cam, "AcquisitionMode", 0)) : NULL;

	if (e && strcmp(e->name, "SingleFrame") == 0)
		return 1;
	if (e && strcmp(e->name, "MultiFrame") == 0)
		return (uint64_t)feature_i(cam, "AcquisitionFrameCount", 1);
	return UINT64_MAX;
}

bool camera_stream_has_room(struct camera *cam)
{
	if (!cam->ops || !cam->ops->frame_room)
		return true;
	return cam->ops->frame_room(cam->ops_ctx, camera_payload_size(cam));
}

int camera_deliver_frame(struct camera *cam, struct acq_frame *f)
{
	size_t len = sensor_payload_size(&f->settings);
	struct frame_meta m = {
		.block_id = f->block_id, .timestamp_ns = f->exposure_start, .pfnc = f->settings.pfnc,
		.width = f->settings.width, .height = f->settings.height, .offset_x = f->settings.offset_x,
		.offset_y = f->settings.offset_y, .payload_size = len,
	};
	struct blob *b;
	int rc;

	if (!cam->ops || !cam->ops->frame_out)
		return DFK_ERR_DENIED;
	b = blob_pool_get(cam->pool, len);
	if (!b)
		return DFK_ERR_NOMEM;
	rc = sensor_render(cam->sensor, &f->settings, b->data, len);
	if (rc == DFK_OK)
		rc = cam->ops->frame_out(cam->ops_ctx, &m, b);
	else
		log_err("camera %s: rendering frame %llu failed: %s", cam->serial, (unsigned long long)f->block_id,
			dfk_strerror(rc));
	blob_unref(b);
	return rc;
}

static int exec_device_reset(void *ctx, int idx)
{
	struct camera *cam = ctx;

	(void)idx;
	if (cam->ops && cam->ops->device_reset)
		cam->ops->device_reset(cam->ops_ctx);
	return DFK_OK;
}

static int exec_userset_save(void *ctx, int idx)
{
	struct camera *cam = ctx;

	(void)idx;
	return camera_userset_save(cam, get_i(cam, cam->idx.userset_selector));
}

static int exec_userset_load(void *ctx, int idx)
{
	struct camera *cam = ctx;

	(void)idx;
	return camera_userset_load(cam, get_i(cam, cam->idx.userset_selector));
}

static int flash_save(struct camera *cam)
{
	struct kvfile f;
	char path[PATH_MAX + 32], num[32];
	int rc;

	kvfile_init(&f);
	snprintf(num, sizeof(num), "%lld", (long long)cam->userset_default);
	rc = kvfile_set(&f, "DeviceUserID", cam->user_id);
	if (rc == 0)
		rc = kvfile_set(&f, "UserSetDefault", num);
	snprintf(path, sizeof(path), "%s/" FLASH_FILE, cam->state_dir);
	if (rc == 0)
		rc = kvfile_save(&f, path, "dfk-emu non-volatile memory");
	kvfile_free(&f);
	return rc;
}

static int validate_userset_default(void *ctx, int idx, struct feat_value *v)
{
	struct camera *cam = ctx;
	int64_t old = cam->userset_default;
	int rc;

	(void)idx;
	cam->userset_default = v->i;
	rc = flash_save(cam);     /* written to flash before it is acknowledged */
	if (rc < 0)
		cam->userset_default = old;
	return rc;
}

static int read_userset_default(void *ctx, int idx, struct feat_value *out)
{
	struct camera *cam = ctx;

	(void)idx;
	out->i = cam->userset_default;
	out->f = (double)out->i;
	return DFK_OK;
}

/* LUTValueAll: entry i at offset 4*i, 16 bits in a little-endian 32-bit word (5.9.2). */
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

static void temperature_preset_changed(void *ctx, int idx)
{
	struct camera *cam = ctx;
	const struct feature_def *d = feature_def(&cam->fs, idx);
	const struct enum_entry *e = model_enum_entry_by_value(d, cam->fs.val[idx].i);

	if (e && e->numeric > 0)
		set_raw_i(cam, idx_of(cam, "BalanceWhiteTemperature"), (int64_t)e->numeric);
}

static int read_upper_limit(void *ctx, int idx, struct feat_value *out)
{
	struct camera *cam = ctx;
	const struct feature_def *d = feature_def(&cam->fs, idx);

	if (get_i(cam, idx_of(cam, "ExposureAutoUpperLimitAuto"))) {
		/* 5.3.5: kept at the longest exposure the frame rate allows */
		double us = 1e6 / get_f(cam, cam->idx.frame_rate);
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

static int exec_trigger_software(void *ctx, int idx)
{
	struct camera *cam = ctx;

	(void)idx;
	trigger_software(&cam->trig, clock_now(&cam->clock));
	return DFK_OK;
}

static int read_gpi(void *ctx, int idx, struct feat_value *out)
{
	struct camera *cam = ctx;

	(void)idx;
	out->i = cam->trig.level == 0;   /* 5.6.1: True when TRIGGER_IN is low */
	out->f = (double)out->i;
	return DFK_OK;
}

static void strobe_line_changed(void *ctx, int idx)
{
	struct camera *cam = ctx;

	(void)idx;
	strobe_update(&cam->strobe, clock_now(&cam->clock));
}

static void trigger_mode_changed(void *ctx, int idx)
{
	struct camera *cam = ctx;
	bool triggered = camera_enum_is(cam, "TriggerMode", "On");
	uint64_t now = clock_now(&cam->clock);

	(void)idx;
	trigger_abort(&cam->trig);
	if (!cam->acq.running || cam->acq.triggered == triggered)
		return;
	/* switching while acquiring: free running stops or resumes now */
	cam->acq.triggered = triggered;
	if (triggered) {
		sched_cancel(&cam->sched, &cam->acq.next_frame);
	} else {
		cam->acq.next_exposure = now;
		sched_at(&cam->sched, &cam->acq.next_frame, now);
	}
}

/* In Temperature mode the channel ratios follow from BalanceWhiteTemperature (5.8.3). */
static int read_balance_ratio(void *ctx, int idx, struct feat_value *out)
{
	struct camera *cam = ctx;
	double r[3];
	int64_t sel = get_i(cam, idx_of(cam, "BalanceRatioSelector"));

	autofunc_ratios(cam, r);
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

	if (camera_enum_is(cam, "AutoFunctionsROI_Preset", "CustomRectangle")) {
		*out = cam->fs.val[idx];
		return DFK_OK;
	}
	autofunc_preset_roi(cam, &roi);
	if (!strcmp(d->name, "AutoFunctionsROILeft"))
		v = roi.left;
	else if (!strcmp(d->name, "AutoFunctionsROITop"))
		v = roi.top;
	else if (!strcmp(d->name, "AutoFunctionsROIWidth"))
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

static void bind(struct camera *cam, const char *name, const struct feature_hooks *h)
{
	/* A model without this feature simply lacks the behaviour. */
	feature_bind(&cam->fs, name, h);
}

static void bind_hooks(struct camera *cam)
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
	static const struct feature_hooks us_save = { .execute = exec_userset_save };
	static const struct feature_hooks us_load = { .execute = exec_userset_load };
	static const struct feature_hooks us_default = { .validate = validate_userset_default,
							 .read = read_userset_default };
	static const struct feature_hooks lut_all = { .read_bytes = lut_all_read, .write_bytes = lut_all_write };
	static const struct feature_hooks wb_preset = { .changed = temperature_preset_changed };
	static const struct feature_hooks upper_limit = { .read = read_upper_limit };
	static const struct feature_hooks trig_sw = { .execute = exec_trigger_software };
	static const struct feature_hooks gpi = { .read = read_gpi };
	static const struct feature_hooks strobe_line = { .changed = strobe_line_changed };
	static const struct feature_hooks trig_mode = { .changed = trigger_mode_changed };
	static const struct feature_hooks balance_ratio = { .read = read_balance_ratio };
	static const struct feature_hooks auto_roi = { .read = read_auto_roi };

	bind(cam, "PayloadSize", &payload);
	bind(cam, "AcquisitionFrameRateMax", &rate_max);
	bind(cam, "TLParamsLocked", &tl_lock);
	bind(cam, "OffsetX", &offset);
	bind(cam, "OffsetY", &offset);
	bind(cam, "Width", &geometry);
	bind(cam, "Height", &geometry);
	bind(cam, "PixelFormat", &geometry);
	bind(cam, "DecimationHorizontal", &geometry);
	bind(cam, "DecimationVertical", &geometry);
	bind(cam, "BinningHorizontal", &binning);
	bind(cam, "BinningVertical", &binning);
	bind(cam, "AcquisitionStart", &acq_start);
	bind(cam, "AcquisitionStop", &acq_stop);
	bind(cam, "DeviceReset", &reset);
	bind(cam, "UserSetSave", &us_save);
	bind(cam, "UserSetLoad", &us_load);
	bind(cam, "UserSetDefault", &us_default);
	bind(cam, "LUTValueAll", &lut_all);
	bind(cam, "BalanceWhiteTemperaturePreset", &wb_preset);
	bind(cam, "ExposureAutoUpperLimit", &upper_limit);
	bind(cam, "TriggerSoftware", &trig_sw);
	bind(cam, "GPIIn", &gpi);
	bind(cam, "GPOut", &strobe_line);
	bind(cam, "StrobeEnable", &strobe_line);
	bind(cam, "StrobePolarity", &strobe_line);
	bind(cam, "TriggerMode", &trig_mode);
	bind(cam, "BalanceRatio", &balance_ratio);
	bind(cam, "AutoFunctionsROILeft", &auto_roi);
	bind(cam, "AutoFunctionsROITop", &auto_roi);
	bind(cam, "AutoFunctionsROIWidth", &auto_roi);
	bind(cam, "AutoFunctionsROIHeight", &auto_roi);
}

static void factory_lut(struct camera *cam);

/* Factory configuration: the model's defaults and the identity lookup table. */
static void factory_defaults(struct camera *cam)
{
	feature_store_defaults(&cam->fs);
	factory_lut(cam);
}

/* ---- user sets (5.12) ---- */

static void userset_path(struct camera *cam, int64_t slot, char *buf, size_t len)
{
	snprintf(buf, len, "%s/userset%lld.conf", cam->state_dir, (long long)slot);
}

int camera_userset_save(struct camera *cam, int64_t slot)
{
	struct kvfile f;
	char path[PATH_MAX + 32], key[160], val[64];
	int rc = DFK_OK;

	if (slot <= 0)
		return DFK_ERR_DENIED;   /* 5.12.1: Default cannot be overwritten */
	kvfile_init(&f);
	for (unsigned i = 0; i < cam->model->n_features && rc == DFK_OK; i++) {
		const struct feature_def *d = &cam->model->features[i];
		if (!(d->flags & FEAT_F_USERSET))
			continue;
		if (d->selector) {
			for (unsigned k = 0; k < d->n_selected && rc == DFK_OK; k++) {
				feature_format(&cam->fs, (int)i, feature_raw_selected(&cam->fs, (int)i, k), val, sizeof(val));
				snprintf(key, sizeof(key), "%s[%u]", d->name, k);
				rc = kvfile_set(&f, key, val);
			}
		} else {
			struct feat_value v;
			feature_get(&cam->fs, (int)i, &v);
			feature_format(&cam->fs, (int)i, v, val, sizeof(val));
			rc = kvfile_set(&f, d->name, val);
		}
	}
	userset_path(cam, slot, path, sizeof(path));
	if (rc == DFK_OK)
		rc = kvfile_save(&f, path, "dfk-emu user set");
	kvfile_free(&f);
	if (rc == DFK_OK)
		log_info("camera %s: configuration saved to UserSet%lld", cam->serial, (long long)slot);
	return rc;
}

int camera_userset_load(struct camera *cam, int64_t slot)
{
	struct kvfile f;
	char path[PATH_MAX + 32], key[160];
	int rc;

	if (slot <= 0) {
		/* Default: the factory configuration */
		factory_defaults(cam);
		fixup_geometry(cam);
		return DFK_OK;
	}
	userset_path(cam, slot, path, sizeof(path));
	rc = kvfile_load(&f, path);
	if (rc == DFK_ERR_NOTFOUND) {
		/* a slot never saved holds the factory configuration, as on a new camera */
		factory_defaults(cam);
		fixup_geometry(cam);
		return DFK_OK;
	}
	if (rc < 0) {
		log_err("camera %s: UserSet%lld cannot be loaded: %s", cam->serial, (long long)slot, dfk_strerror(rc));
		return rc;
	}
	/* Validate everything first: a set is applied whole or not at all. */
	struct feat_value *vals = calloc(cam->model->n_features, sizeof(*vals));
	if (!vals) {
		kvfile_free(&f);
		return DFK_ERR_NOMEM;
	}
	for (unsigned i = 0; i < cam->model->n_features && rc == DFK_OK; i++) {
		const struct feature_def *d = &cam->model->features[i];
		if (!(d->flags & FEAT_F_USERSET) || d->selector)
			continue;
		const char *text = kvfile_get(&f, d->name);
		if (!text) {
			vals[i].i = d->def;   /* an older set without this feature: factory value */
			vals[i].f = d->fdef;
			continue;
		}
		rc = feature_parse(&cam->fs, (int)i, text, &vals[i]);
		/* static limits only: the set is checked whole before anything changes */
		if (rc == DFK_OK && d->type != FEAT_FLOAT && d->type != FEAT_ENUM && d->type != FEAT_BOOLEAN &&
		    (vals[i].i < d->min || vals[i].i > d->max || (d->inc > 1 && (vals[i].i - d->min) % d->inc)))
			rc = DFK_ERR_RANGE;
		if (rc == DFK_OK && d->type == FEAT_FLOAT && (vals[i].f < d->fmin || vals[i].f > d->fmax))
			rc = DFK_ERR_RANGE;
		if (rc == DFK_OK && d->type == FEAT_ENUM && !model_enum_entry_by_value(d, vals[i].i))
			rc = DFK_ERR_RANGE;
		if (rc == DFK_OK && d->type == FEAT_BOOLEAN && vals[i].i != 0 && vals[i].i != 1)
			rc = DFK_ERR_RANGE;
		if (rc < 0)
			log_err("camera %s: UserSet%lld has a bad value for %s: '%s'", cam->serial, (long long)slot,
				d->name, text);
	}
	if (rc == DFK_OK) {
		factory_defaults(cam);
		for (unsigned i = 0; i < cam->model->n_features; i++) {
			const struct feature_def *d = &cam->model->features[i];
			if (!(d->flags & FEAT_F_USERSET))
				continue;
			if (!d->selector) {
				cam->fs.val[i] = vals[i];
				continue;
			}
			for (unsigned k = 0; k < d->n_selected; k++) {
				struct feat_value v;
				snprintf(key, sizeof(key), "%s[%u]", d->name, k);
				const char *text = kvfile_get(&f, key);
				if (text && feature_parse(&cam->fs, (int)i, text, &v) == DFK_OK)
					feature_store_raw_selected(&cam->fs, (int)i, k, v);
			}
		}
		fixup_geometry(cam);
		log_info("camera %s: configuration loaded from UserSet%lld", cam->serial, (long long)slot);
	}
	free(vals);
	kvfile_free(&f);
	return rc;
}

/* ---- life cycle ---- */

static void factory_lut(struct camera *cam)
{
	const struct feature_def *d = feature_def(&cam->fs, cam->idx.lut_value);

	if (!d)
		return;
	/* identity: entry i maps input i/256 of full scale to the same output */
	for (unsigned k = 0; k < d->n_selected; k++) {
		int64_t v = (int64_t)k * 256;
		struct feat_value fv = { .i = v > d->max ? d->max : v };
		fv.f = (double)fv.i;
		feature_store_raw_selected(&cam->fs, cam->idx.lut_value, k, fv);
	}
}

static void load_flash(struct camera *cam)
{
	struct kvfile f;
	char path[PATH_MAX + 32];
	const char *v;

	cam->user_id[0] = '\0';
	cam->userset_default = 0;
	snprintf(path, sizeof(path), "%s/" FLASH_FILE, cam->state_dir);
	if (kvfile_load(&f, path) < 0)
		return;
	v = kvfile_get(&f, "DeviceUserID");
	if (v)
		snprintf(cam->user_id, sizeof(cam->user_id), "%s", v);
	v = kvfile_get(&f, "UserSetDefault");
	if (v)
		cam->userset_default = strtoll(v, NULL, 10);
	if (cam->userset_default < 0 || cam->userset_default > 2)
		cam->userset_default = 0;
	kvfile_free(&f);
}

void camera_power_on(struct camera *cam)
{
	acquisition_reset(&cam->acq);
	trigger_reset(&cam->trig);
	sched_cancel_all(&cam->sched);
	clock_reset(&cam->clock);
	cam->acquiring = false;
	cam->tl_locked = false;
	cam->fs.stream_locked = false;
	load_flash(cam);
	factory_defaults(cam);
	fixup_geometry(cam);
	if (cam->userset_default > 0 && camera_userset_load(cam, cam->userset_default) < 0)
		log_warn("camera %s: power-up with the factory configuration", cam->serial);
	eventlog_init(&cam->log);
	eventlog_add(&cam->log, 0, EV_POWER_UP, (int64_t)cam->power_ups, 0);
	strobe_reset(&cam->strobe, 0);
	cam->power_ups++;
}

int camera_set_user_id(struct camera *cam, const char *id)
{
	char old[sizeof(cam->user_id)];
	int rc;

	memcpy(old, cam->user_id, sizeof(old));
	snprintf(cam->user_id, sizeof(cam->user_id), "%s", id);
	rc = flash_save(cam);
	if (rc < 0) {
		memcpy(cam->user_id, old, sizeof(old));
		return rc;
	}
	if (cam->ops && cam->ops->user_id_changed)
		cam->ops->user_id_changed(cam->ops_ctx, cam->user_id);
	return DFK_OK;
}

int camera_init(struct camera *cam, const struct camera_model *model, struct evloop *loop, const char *serial,
		const char *state_dir, const struct camera_options *opt)
{
	int rc;

	memset(cam, 0, sizeof(*cam));
	cam->state_lock_fd = -1;
	cam->opt = *opt;
	cam->light_level = 1.0;
	cam->light_kelvin = 4800.0;
	cam->sensor = sensor_new();
	cam->pool = blob_pool_new(4);
	if (!cam->sensor || !cam->pool) {
		sensor_free(cam->sensor);
		blob_pool_free(cam->pool);
		return DFK_ERR_NOMEM;
	}
	acquisition_init(&cam->acq, cam);
	trigger_init(&cam->trig, cam, opt->seed);
	strobe_init(&cam->strobe, cam);
	cam->model = model;
	cam->loop = loop;
	snprintf(cam->serial, sizeof(cam->serial), "%s", serial);
	if (snprintf(cam->state_dir, sizeof(cam->state_dir), "%s", state_dir) >= (int)sizeof(cam->state_dir))
		rc = DFK_ERR_INVAL;
	else
		rc = make_dirs(cam->state_dir);
	if (rc == 0)
		rc = state_dir_claim(cam->state_dir, &cam->state_lock_fd);
	if (rc == 0) {
		clock_init(&cam->clock, opt->time_scale);
		sched_init(&cam->sched, loop, &cam->clock);
		rc = feature_store_init(&cam->fs, model, cam);
	}
	if (rc < 0) {
		if (cam->state_lock_fd >= 0)
			close(cam->state_lock_fd);
		sensor_free(cam->sensor);
		blob_pool_free(cam->pool);
		return rc;
	}
	cam->idx.width = idx_of(cam, "Width");
	cam->idx.height = idx_of(cam, "Height");
	cam->idx.offset_x = idx_of(cam, "OffsetX");
	cam->idx.offset_y = idx_of(cam, "OffsetY");
	cam->idx.auto_center = idx_of(cam, "OffsetAutoCenter");
	cam->idx.pixel_format = idx_of(cam, "PixelFormat");
	cam->idx.binning_h = idx_of(cam, "BinningHorizontal");
	cam->idx.binning_v = idx_of(cam, "BinningVertical");
	cam->idx.decimation_h = idx_of(cam, "DecimationHorizontal");
	cam->idx.decimation_v = idx_of(cam, "DecimationVertical");
	cam->idx.width_max = idx_of(cam, "WidthMax");
	cam->idx.height_max = idx_of(cam, "HeightMax");
	cam->idx.frame_rate = idx_of(cam, "AcquisitionFrameRate");
	cam->idx.frame_rate_max = idx_of(cam, "AcquisitionFrameRateMax");
	cam->idx.payload_size = idx_of(cam, "PayloadSize");
	cam->idx.tl_params_locked = idx_of(cam, "TLParamsLocked");
	cam->idx.userset_selector = idx_of(cam, "UserSetSelector");
	cam->idx.userset_default = idx_of(cam, "UserSetDefault");
	cam->idx.lut_value = idx_of(cam, "LUTValue");
	if (cam->idx.width < 0 || cam->idx.height < 0 || cam->idx.pixel_format < 0) {
		log_err("model %s lacks Width, Height or PixelFormat", model->id);
		feature_store_free(&cam->fs);
		sensor_free(cam->sensor);
		blob_pool_free(cam->pool);
		return DFK_ERR_INVAL;
	}
	bind_hooks(cam);
	camera_power_on(cam);
	return DFK_OK;
}

void camera_set_ops(struct camera *cam, const struct camera_ops *ops, void *ctx)
{
	cam->ops = ops;
	cam->ops_ctx = ctx;
}

void camera_free(struct camera *cam)
{
	acquisition_stop(&cam->acq, 0);
	trigger_reset(&cam->trig);
	sched_cancel_all(&cam->sched);
	feature_store_free(&cam->fs);
	sensor_free(cam->sensor);
	blob_pool_free(cam->pool);
	if (cam->state_lock_fd >= 0)
		close(cam->state_lock_fd);
	cam->state_lock_fd = -1;
}
