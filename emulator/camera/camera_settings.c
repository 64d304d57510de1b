/* SPDX-License-Identifier: MIT */
/* The features the behaviour uses, by name: the only place their names appear.
 * At start-up each is looked up once (a model that lacks one is refused with one
 * error naming all that are missing); afterwards the behaviour works on indices
 * and the timing engines on typed settings built here. The colour features
 * (white balance, hue, saturation) belong to a Bayer sensor: a monochrome model
 * must lack them, and its frames are taken with neutral colour processing. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "../common/errors.h"
#include "../common/log.h"
#include "camera_internal.h"

#define FEATURE(field, name) { name, offsetof(struct camera_feature_index, field), false }
#define COLOUR_FEATURE(field, name) { name, offsetof(struct camera_feature_index, field), true }

static const struct {
	const char *name;
	size_t field;
	bool colour;     /* a colour camera's: required with a Bayer sensor, refused without one */
} feature_names[] = {
	FEATURE(width, "Width"),
	FEATURE(height, "Height"),
	FEATURE(offset_x, "OffsetX"),
	FEATURE(offset_y, "OffsetY"),
	FEATURE(offset_auto_center, "OffsetAutoCenter"),
	FEATURE(pixel_format, "PixelFormat"),
	FEATURE(binning_h, "BinningHorizontal"),
	FEATURE(binning_v, "BinningVertical"),
	FEATURE(decimation_h, "DecimationHorizontal"),
	FEATURE(decimation_v, "DecimationVertical"),
	FEATURE(width_max, "WidthMax"),
	FEATURE(height_max, "HeightMax"),
	FEATURE(reverse_x, "ReverseX"),
	FEATURE(reverse_y, "ReverseY"),
	FEATURE(acquisition_mode, "AcquisitionMode"),
	FEATURE(acquisition_start, "AcquisitionStart"),
	FEATURE(acquisition_stop, "AcquisitionStop"),
	FEATURE(acquisition_frame_count, "AcquisitionFrameCount"),
	FEATURE(frame_rate, "AcquisitionFrameRate"),
	FEATURE(frame_rate_max, "AcquisitionFrameRateMax"),
	FEATURE(payload_size, "PayloadSize"),
	FEATURE(tl_params_locked, "TLParamsLocked"),
	FEATURE(device_reset, "DeviceReset"),
	FEATURE(exposure_time, "ExposureTime"),
	FEATURE(gain, "Gain"),
	FEATURE(black_level, "BlackLevel"),
	FEATURE(gamma, "Gamma"),
	FEATURE(lut_enable, "LUTEnable"),
	FEATURE(lut_value, "LUTValue"),
	FEATURE(lut_value_all, "LUTValueAll"),
	COLOUR_FEATURE(hue, "Hue"),
	COLOUR_FEATURE(saturation, "Saturation"),
	FEATURE(exposure_auto, "ExposureAuto"),
	FEATURE(gain_auto, "GainAuto"),
	FEATURE(exposure_auto_reference, "ExposureAutoReference"),
	FEATURE(highlight_reduction, "ExposureAutoHighlightReduction"),
	FEATURE(exposure_auto_lower, "ExposureAutoLowerLimit"),
	FEATURE(exposure_auto_upper, "ExposureAutoUpperLimit"),
	FEATURE(exposure_auto_upper_auto, "ExposureAutoUpperLimitAuto"),
	FEATURE(gain_auto_lower, "GainAutoLowerLimit"),
	FEATURE(gain_auto_upper, "GainAutoUpperLimit"),
	FEATURE(trigger_mode, "TriggerMode"),
	FEATURE(trigger_activation, "TriggerActivation"),
	FEATURE(trigger_software, "TriggerSoftware"),
	FEATURE(trigger_selector, "TriggerSelector"),
	FEATURE(burst_frame_count, "AcquisitionBurstFrameCount"),
	FEATURE(trigger_source, "TriggerSource"),
	FEATURE(trigger_overlap, "TriggerOverlap"),
	FEATURE(low_latency, "IMXLowLatencyMode"),
	FEATURE(trigger_delay, "TriggerDelay"),
	FEATURE(trigger_debouncer, "TriggerDebouncer"),
	FEATURE(trigger_mask, "TriggerMask"),
	FEATURE(trigger_denoise, "TriggerDenoise"),
	FEATURE(gpi_in, "GPIIn"),
	FEATURE(gp_out, "GPOut"),
	FEATURE(strobe_enable, "StrobeEnable"),
	FEATURE(strobe_polarity, "StrobePolarity"),
	FEATURE(strobe_operation, "StrobeOperation"),
	FEATURE(strobe_duration, "StrobeDuration"),
	FEATURE(strobe_delay, "StrobeDelay"),
	COLOUR_FEATURE(balance_auto, "BalanceWhiteAuto"),
	COLOUR_FEATURE(balance_mode, "BalanceWhiteMode"),
	COLOUR_FEATURE(balance_auto_preset, "BalanceWhiteAutoPreset"),
	COLOUR_FEATURE(balance_ratio_selector, "BalanceRatioSelector"),
	COLOUR_FEATURE(balance_ratio, "BalanceRatio"),
	COLOUR_FEATURE(balance_temperature, "BalanceWhiteTemperature"),
	COLOUR_FEATURE(balance_temperature_preset, "BalanceWhiteTemperaturePreset"),
	FEATURE(aroi_enable, "AutoFunctionsROIEnable"),
	FEATURE(aroi_preset, "AutoFunctionsROI_Preset"),
	FEATURE(aroi_left, "AutoFunctionsROILeft"),
	FEATURE(aroi_top, "AutoFunctionsROITop"),
	FEATURE(aroi_width, "AutoFunctionsROIWidth"),
	FEATURE(aroi_height, "AutoFunctionsROIHeight"),
	FEATURE(userset_selector, "UserSetSelector"),
	FEATURE(userset_load, "UserSetLoad"),
	FEATURE(userset_save, "UserSetSave"),
	FEATURE(userset_default, "UserSetDefault"),
};

#define ENTRY(value, feature, name) \
	{ offsetof(struct camera_feature_index, feature), name, offsetof(struct camera_entry_values, value) }

static const struct {
	size_t feature;
	const char *name;
	size_t value;
} entry_names[] = {
	ENTRY(trigger_mode_on, trigger_mode, "On"),
	ENTRY(trigger_source_line1, trigger_source, "Line1"),
	ENTRY(trigger_source_software, trigger_source, "Software"),
	ENTRY(trigger_activation_falling, trigger_activation, "FallingEdge"),
	ENTRY(trigger_selector_exposure_active, trigger_selector, "ExposureActive"),
	ENTRY(trigger_overlap_readout, trigger_overlap, "Readout"),
	ENTRY(strobe_enable_on, strobe_enable, "On"),
	ENTRY(strobe_polarity_active_low, strobe_polarity, "ActiveLow"),
	ENTRY(strobe_operation_fixed, strobe_operation, "FixedDuration"),
	ENTRY(exposure_auto_continuous, exposure_auto, "Continuous"),
	ENTRY(gain_auto_continuous, gain_auto, "Continuous"),
	ENTRY(balance_auto_off, balance_auto, "Off"),
	ENTRY(balance_auto_once, balance_auto, "Once"),
	ENTRY(balance_mode_temperature, balance_mode, "Temperature"),
	ENTRY(aroi_center50, aroi_preset, "Center50"),
	ENTRY(aroi_center25, aroi_preset, "Center25"),
	ENTRY(aroi_bottom_half, aroi_preset, "BottomHalf"),
	ENTRY(aroi_top_half, aroi_preset, "TopHalf"),
	ENTRY(aroi_custom, aroi_preset, "CustomRectangle"),
	ENTRY(acquisition_single_frame, acquisition_mode, "SingleFrame"),
	ENTRY(acquisition_multi_frame, acquisition_mode, "MultiFrame"),
};

static int *index_field(struct camera *cam, size_t field) { return (int *)((char *)&cam->idx + field); }

/* Appends `what` to the list of what is missing. */
static void note_missing(char *list, size_t len, const char *what, const char *more)
{
	size_t used = strlen(list);

	if (used < len)
		snprintf(list + used, len - used, "%s%s%s%s", used ? ", " : "", what, more ? "." : "", more ? more : "");
}

bool camera_has_colour(const struct camera *cam) { return cam->model->sensor.cfa != MODEL_CFA_NONE; }

int camera_features_resolve(struct camera *cam)
{
	char missing[1024] = "", surplus[512] = "";
	bool colour = camera_has_colour(cam);

	for (size_t i = 0; i < sizeof(feature_names) / sizeof(feature_names[0]); i++) {
		int idx = feature_index(&cam->fs, feature_names[i].name);
		bool wanted = colour || !feature_names[i].colour;
		*index_field(cam, feature_names[i].field) = wanted ? idx : -1;
		if (wanted && idx < 0)
			note_missing(missing, sizeof(missing), feature_names[i].name, NULL);
		else if (!wanted && idx >= 0)
			note_missing(surplus, sizeof(surplus), feature_names[i].name, NULL);
	}
	/* entries of absent features are not looked up: a missing feature is named once, above,
	 * and a monochrome camera has no white balance whose entries it could need */
	for (size_t i = 0; i < sizeof(entry_names) / sizeof(entry_names[0]); i++) {
		const struct feature_def *d = feature_def(&cam->fs, *index_field(cam, entry_names[i].feature));
		const struct enum_entry *e = d ? model_enum_entry(d, entry_names[i].name) : NULL;
		if (e)
			*(int64_t *)((char *)&cam->entry + entry_names[i].value) = e->value;
		else if (d)
			note_missing(missing, sizeof(missing), d->name, entry_names[i].name);
	}
	if (missing[0])
		log_err("model %s lacks what the camera's behaviour needs: %s", cam->model->id, missing);
	if (surplus[0])
		log_err("model %s has a monochrome sensor but colour features: %s", cam->model->id, surplus);
	return missing[0] || surplus[0] ? DFK_ERR_INVAL : DFK_OK;
}

/* ---- typed access ---- */

int64_t camera_get_int(struct camera *cam, int idx)
{
	struct feat_value v = { 0, 0 };

	feature_get(&cam->fs, idx, &v);
	return v.i;
}

double camera_get_float(struct camera *cam, int idx)
{
	struct feat_value v = { 0, 0 };

	feature_get(&cam->fs, idx, &v);
	return v.f;
}

void camera_store_int(struct camera *cam, int idx, int64_t v)
{
	struct feat_value fv = { .i = v, .f = (double)v };

	feature_store_raw(&cam->fs, idx, fv);
}

void camera_store_float(struct camera *cam, int idx, double v)
{
	struct feat_value fv = { .i = (int64_t)v, .f = v };

	feature_store_raw(&cam->fs, idx, fv);
}

static bool is_entry(struct camera *cam, int idx, int64_t entry) { return camera_get_int(cam, idx) == entry; }

/* Times in us (Float features) to device ns. */
static uint64_t us_to_ns(double us) { return us <= 0 ? 0 : (uint64_t)(us * 1000.0 + 0.5); }

/* ---- what one frame is taken with ---- */

static uint32_t bits_per_pixel(struct camera *cam, uint32_t pfnc)
{
	const struct feature_def *d = feature_def(&cam->fs, cam->idx.pixel_format);
	const struct enum_entry *e = model_enum_entry_by_value(d, pfnc);

	/* the entry's own figure, else PFNC's: bits 16..23 of the code are the bits per pixel */
	return e && e->numeric > 0 ? (uint32_t)e->numeric : (pfnc >> 16) & 0xFF;
}

void camera_readout(struct camera *cam, struct readout *r)
{
	r->width = (uint32_t)camera_get_int(cam, cam->idx.width);
	r->height = (uint32_t)camera_get_int(cam, cam->idx.height);
	r->binning_h = (uint32_t)camera_get_int(cam, cam->idx.binning_h);
	r->binning_v = (uint32_t)camera_get_int(cam, cam->idx.binning_v);
	r->decimation_h = (uint32_t)camera_get_int(cam, cam->idx.decimation_h);
	r->decimation_v = (uint32_t)camera_get_int(cam, cam->idx.decimation_v);
	r->pfnc = (uint32_t)camera_get_int(cam, cam->idx.pixel_format);
	r->bits_per_pixel = bits_per_pixel(cam, r->pfnc);
}

void camera_geometry(struct camera *cam, struct camera_geometry *g)
{
	struct readout r;

	camera_readout(cam, &r);
	g->width = r.width;
	g->height = r.height;
	g->offset_x = (uint32_t)camera_get_int(cam, cam->idx.offset_x);
	g->offset_y = (uint32_t)camera_get_int(cam, cam->idx.offset_y);
	g->binning_h = r.binning_h;
	g->binning_v = r.binning_v;
	g->decimation_h = r.decimation_h;
	g->decimation_v = r.decimation_v;
	g->pfnc = r.pfnc;
	g->bits_per_pixel = r.bits_per_pixel;
}

void camera_frame_settings(struct camera *cam, struct sensor_settings *st)
{
	const struct camera_feature_index *x = &cam->idx;
	struct camera_geometry g;

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
	st->reverse_x = camera_get_int(cam, x->reverse_x) != 0;
	st->reverse_y = camera_get_int(cam, x->reverse_y) != 0;
	st->cfa = camera_has_colour(cam) ? SENSOR_CFA_BAYER_RG : SENSOR_CFA_NONE;
	st->source = cam->opt.source;
	st->seed = cam->opt.seed;
	st->exposure_us = camera_get_float(cam, x->exposure_time);
	st->gain_db = camera_get_float(cam, x->gain);
	st->black_level = (uint32_t)camera_get_int(cam, x->black_level);
	autofunc_ratios(&cam->settings.autofunc, st->balance_ratio);
	st->gamma = camera_get_float(cam, x->gamma);
	st->lut_enable = camera_get_int(cam, x->lut_enable) != 0;
	for (unsigned k = 0; k < sizeof(st->lut) / sizeof(st->lut[0]); k++)
		st->lut[k] = (uint16_t)feature_raw_selected(&cam->fs, x->lut_value, k).i;
	if (camera_has_colour(cam)) {   /* else the neutral hue and saturation of the defaults */
		st->hue_deg = (int)camera_get_int(cam, x->hue);
		st->saturation = (uint32_t)camera_get_int(cam, x->saturation);
	}
	st->light_level = cam->light_level;
	st->color_temperature_k = cam->light_kelvin;
	st->scene_still = cam->scene_still;
}

/* ---- the engines' settings ---- */

static void acquisition_settings(struct camera *cam, struct acquisition_settings *s)
{
	const struct camera_feature_index *x = &cam->idx;
	int64_t mode = camera_get_int(cam, x->acquisition_mode);

	s->exposure_ns = us_to_ns(camera_get_float(cam, x->exposure_time));
	/* 5.2.1: the sensor integrates at most as long as ExposureTime can be set */
	s->max_exposure_ns = us_to_ns(feature_def(&cam->fs, x->exposure_time)->fmax);
	s->frame_rate = camera_get_float(cam, x->frame_rate);
	if (mode == cam->entry.acquisition_single_frame)
		s->frames_per_start = 1;
	else if (mode == cam->entry.acquisition_multi_frame)
		s->frames_per_start = (uint64_t)camera_get_int(cam, x->acquisition_frame_count);
	else
		s->frames_per_start = UINT64_MAX;
	camera_readout(cam, &s->readout);
}

static void trigger_settings(struct camera *cam, struct trigger_settings *s)
{
	const struct camera_feature_index *x = &cam->idx;
	const struct camera_entry_values *e = &cam->entry;
	int64_t source = camera_get_int(cam, x->trigger_source);

	s->mode_on = is_entry(cam, x->trigger_mode, e->trigger_mode_on);
	s->sources = source == e->trigger_source_line1      ? TRIGGER_FROM_LINE1
		     : source == e->trigger_source_software ? TRIGGER_FROM_SOFTWARE
							    : TRIGGER_FROM_ANY;
	s->falling_edge = is_entry(cam, x->trigger_activation, e->trigger_activation_falling);
	s->exposure_active = is_entry(cam, x->trigger_selector, e->trigger_selector_exposure_active);
	s->overlap_readout = is_entry(cam, x->trigger_overlap, e->trigger_overlap_readout);
	s->low_latency = camera_get_int(cam, x->low_latency) != 0;
	s->delay_ns = us_to_ns(camera_get_float(cam, x->trigger_delay));
	s->debounce_ns = us_to_ns(camera_get_float(cam, x->trigger_debouncer));
	s->mask_ns = us_to_ns(camera_get_float(cam, x->trigger_mask));
	s->denoise_ns = us_to_ns(camera_get_float(cam, x->trigger_denoise));
	s->burst_count = (unsigned)camera_get_int(cam, x->burst_frame_count);
	s->exposure_ns = us_to_ns(camera_get_float(cam, x->exposure_time));
	s->frame_rate = camera_get_float(cam, x->frame_rate);
	camera_readout(cam, &s->readout);
}

static void strobe_settings(struct camera *cam, struct strobe_settings *s)
{
	const struct camera_feature_index *x = &cam->idx;
	const struct camera_entry_values *e = &cam->entry;

	s->enabled = is_entry(cam, x->strobe_enable, e->strobe_enable_on);
	s->gp_out = camera_get_int(cam, x->gp_out) != 0;
	s->active_low = is_entry(cam, x->strobe_polarity, e->strobe_polarity_active_low);
	s->fixed_duration = is_entry(cam, x->strobe_operation, e->strobe_operation_fixed);
	s->duration_ns = (uint64_t)camera_get_int(cam, x->strobe_duration) * 1000;   /* us */
	s->delay_ns = (uint64_t)camera_get_int(cam, x->strobe_delay) * 1000;
}

/* White balance as the auto functions see it: the features of a colour camera; a monochrome
 * one has none, and its single channel is never rebalanced. */
static void balance_settings(struct camera *cam, struct autofunc_settings *s)
{
	const struct camera_feature_index *x = &cam->idx;
	const struct camera_entry_values *e = &cam->entry;

	if (!camera_has_colour(cam)) {
		s->balance_auto = AUTOFUNC_BALANCE_OFF;
		s->temperature_mode = false;
		s->kelvin_min = s->kelvin_max = 0.0;
		s->kelvin = 0;
		s->ratio[0] = s->ratio[1] = s->ratio[2] = 1.0;
		s->ratio_min = s->ratio_max = 1.0;
		return;
	}
	const struct feature_def *ratio = feature_def(&cam->fs, x->balance_ratio);
	const struct feature_def *kelvin = feature_def(&cam->fs, x->balance_temperature);
	const struct enum_entry *preset = model_enum_entry_by_value(feature_def(&cam->fs, x->balance_auto_preset),
								    camera_get_int(cam, x->balance_auto_preset));
	int64_t balance = camera_get_int(cam, x->balance_auto);

	s->balance_auto = balance == e->balance_auto_off    ? AUTOFUNC_BALANCE_OFF
			  : balance == e->balance_auto_once ? AUTOFUNC_BALANCE_ONCE
							    : AUTOFUNC_BALANCE_CONTINUOUS;
	s->temperature_mode = is_entry(cam, x->balance_mode, e->balance_mode_temperature);
	/* the preset's range of colour temperatures; one without a range allows BalanceWhiteTemperature's */
	s->kelvin_min = preset && preset->numeric > 0 ? preset->numeric : (double)kelvin->min;
	s->kelvin_max = preset && preset->numeric_max > 0 ? preset->numeric_max : (double)kelvin->max;
	s->kelvin = camera_get_int(cam, x->balance_temperature);
	/* as stored: BalanceRatio reads what Temperature mode implies (a rule built on these settings) */
	for (unsigned c = 0; c < 3; c++)
		s->ratio[c] = feature_raw_selected(&cam->fs, x->balance_ratio, c).f;
	s->ratio_min = ratio->fmin;
	s->ratio_max = ratio->fmax;
}

static void autofunc_settings(struct camera *cam, struct autofunc_settings *s)
{
	const struct camera_feature_index *x = &cam->idx;
	const struct camera_entry_values *e = &cam->entry;
	int64_t roi = camera_get_int(cam, x->aroi_preset);

	s->exposure_auto = is_entry(cam, x->exposure_auto, e->exposure_auto_continuous);
	s->gain_auto = is_entry(cam, x->gain_auto, e->gain_auto_continuous);
	balance_settings(cam, s);
	s->reference = camera_get_int(cam, x->exposure_auto_reference);
	s->highlight_reduction = camera_get_int(cam, x->highlight_reduction) != 0;
	s->exposure_min_us = camera_get_float(cam, x->exposure_auto_lower);
	s->exposure_max_us = camera_get_float(cam, x->exposure_auto_upper);
	s->gain_min_db = camera_get_float(cam, x->gain_auto_lower);
	s->gain_max_db = camera_get_float(cam, x->gain_auto_upper);
	s->roi_enable = camera_get_int(cam, x->aroi_enable) != 0;
	s->roi_preset = roi == e->aroi_center50      ? AUTOFUNC_ROI_CENTER50
			: roi == e->aroi_center25    ? AUTOFUNC_ROI_CENTER25
			: roi == e->aroi_bottom_half ? AUTOFUNC_ROI_BOTTOM_HALF
			: roi == e->aroi_top_half    ? AUTOFUNC_ROI_TOP_HALF
			: roi == e->aroi_custom      ? AUTOFUNC_ROI_CUSTOM
						     : AUTOFUNC_ROI_FULL;
	/* as stored: the rectangle fields read the preset's region unless it is CustomRectangle */
	s->roi_custom = (struct sensor_roi){
		.left = (uint32_t)cam->fs.val[x->aroi_left].i,
		.top = (uint32_t)cam->fs.val[x->aroi_top].i,
		.width = (uint32_t)cam->fs.val[x->aroi_width].i,
		.height = (uint32_t)cam->fs.val[x->aroi_height].i,
	};
	s->width = (uint32_t)camera_get_int(cam, x->width);
	s->height = (uint32_t)camera_get_int(cam, x->height);
}

void camera_settings_refresh(struct camera *cam)
{
	struct camera_settings *s = &cam->settings;

	acquisition_settings(cam, &s->acquisition);
	trigger_settings(cam, &s->trigger);
	strobe_settings(cam, &s->strobe);
	autofunc_settings(cam, &s->autofunc);
	acquisition_configure(&cam->acq, &s->acquisition);
	trigger_configure(&cam->trig, &s->trigger);
	strobe_configure(&cam->strobe, &s->strobe);
	autofunc_configure(&cam->af, &s->autofunc);
}
