#include "autofunc.h"

#include <math.h>
#include <string.h>

#include "camera.h"

#define RATIO_MAX 3.984375
#define HIGHLIGHT_FRACTION 0.002
#define HIGHLIGHT_AIM 0.85
#define BALANCED 0.01

static double clampd(double v, double lo, double hi) { return v < lo ? lo : v > hi ? hi : v; }

static int idx(struct camera *cam, const char *name) { return feature_index(&cam->fs, name); }

static void store_f(struct camera *cam, const char *name, double v)
{
	int i = idx(cam, name);
	struct feat_value fv = { .i = (int64_t)v, .f = v };

	if (i >= 0)
		feature_store_raw(&cam->fs, i, fv);
}

static void store_i(struct camera *cam, const char *name, int64_t v)
{
	int i = idx(cam, name);
	struct feat_value fv = { .i = v, .f = (double)v };

	if (i >= 0)
		feature_store_raw(&cam->fs, i, fv);
}

void autofunc_preset_roi(struct camera *cam, struct sensor_roi *roi)
{
	struct camera_geometry g;
	uint32_t w, h;

	camera_geometry(cam, &g);
	w = g.width;
	h = g.height;
	*roi = (struct sensor_roi){ 0, 0, w, h };
	if (camera_enum_is(cam, "AutoFunctionsROI_Preset", "Center50"))
		*roi = (struct sensor_roi){ w / 4, h / 4, w / 2, h / 2 };
	else if (camera_enum_is(cam, "AutoFunctionsROI_Preset", "Center25"))
		*roi = (struct sensor_roi){ w * 3 / 8, h * 3 / 8, w / 4, h / 4 };
	else if (camera_enum_is(cam, "AutoFunctionsROI_Preset", "BottomHalf"))
		*roi = (struct sensor_roi){ 0, h / 2, w, h - h / 2 };
	else if (camera_enum_is(cam, "AutoFunctionsROI_Preset", "TopHalf"))
		*roi = (struct sensor_roi){ 0, 0, w, h / 2 };
	else if (camera_enum_is(cam, "AutoFunctionsROI_Preset", "CustomRectangle")) {
		/* 5.11.3: relative to the output image; what lies outside it is ignored */
		uint32_t l = (uint32_t)camera_int(cam, "AutoFunctionsROILeft");
		uint32_t t = (uint32_t)camera_int(cam, "AutoFunctionsROITop");
		uint32_t rw = (uint32_t)camera_int(cam, "AutoFunctionsROIWidth");
		uint32_t rh = (uint32_t)camera_int(cam, "AutoFunctionsROIHeight");
		if (l >= w)
			l = w - 2;
		if (t >= h)
			t = h - 2;
		if (rw > w - l)
			rw = w - l;
		if (rh > h - t)
			rh = h - t;
		*roi = (struct sensor_roi){ l, t, rw, rh };
	}
}

void autofunc_roi(struct camera *cam, struct sensor_roi *roi)
{
	struct camera_geometry g;

	if (camera_int(cam, "AutoFunctionsROIEnable")) {
		autofunc_preset_roi(cam, roi);
		return;
	}
	camera_geometry(cam, &g);
	*roi = (struct sensor_roi){ 0, 0, g.width, g.height };   /* 5.11.1 False: the whole image */
}

void autofunc_ratios_for_kelvin(double kelvin, double ratio[3])
{
	double f[3];

	sensor_light_colour(kelvin, f);
	for (int c = 0; c < 3; c++)
		ratio[c] = clampd(1.0 / f[c], 0.0, RATIO_MAX);
}

void autofunc_ratios(struct camera *cam, double ratio[3])
{
	int r = idx(cam, "BalanceRatio");

	if (camera_enum_is(cam, "BalanceWhiteMode", "Temperature")) {
		autofunc_ratios_for_kelvin((double)camera_int(cam, "BalanceWhiteTemperature"), ratio);
		return;
	}
	for (int c = 0; c < 3; c++)
		ratio[c] = r >= 0 ? feature_raw_selected(&cam->fs, r, (unsigned)c).f : 1.0;
}

/* Colour temperature whose light gives this red/blue signal ratio (bisection; r/b falls with temperature). */
static double kelvin_for_rb(double rb, double lo, double hi)
{
	for (int i = 0; i < 40; i++) {
		double mid = 0.5 * (lo + hi), f[3];
		sensor_light_colour(mid, f);
		if (f[0] / f[2] > rb)
			lo = mid;
		else
			hi = mid;
	}
	return 0.5 * (lo + hi);
}

static void exposure_gain(struct camera *cam, const struct sensor_stats *st, const struct sensor_settings *set)
{
	bool ae = camera_enum_is(cam, "ExposureAuto", "Continuous"), ag = camera_enum_is(cam, "GainAuto", "Continuous");
	double black = set->black_level, signal = st->luma - black;
	double target = (double)camera_int(cam, "ExposureAutoReference") * 16.0 - black;
	double exp_lo = camera_float(cam, "ExposureAutoLowerLimit"), exp_hi = camera_float(cam, "ExposureAutoUpperLimit");
	double gain_lo = camera_float(cam, "GainAutoLowerLimit"), gain_hi = camera_float(cam, "GainAutoUpperLimit");
	double exposure = set->exposure_us, gain = set->gain_db;
	double k;

	if (exp_lo > exp_hi)
		exp_hi = exp_lo;
	if (gain_lo > gain_hi)
		gain_hi = gain_lo;
	if (target < 1.0)
		target = 1.0;
	if (signal < 1.0)
		signal = 1.0;
	k = target / signal;
	if (camera_int(cam, "ExposureAutoHighlightReduction") && st->saturated_fraction > HIGHLIGHT_FRACTION)
		k = fmin(k, HIGHLIGHT_AIM);   /* 5.3.4: give up brightness to save the highlights */
	k = clampd(sqrt(k), 1.0 / 8.0, 8.0);   /* halfway (in log terms) per frame: settles without ringing */
	if (k > 1.0) {
		if (ae) {
			double e = clampd(exposure * k, exp_lo, exp_hi);
			k *= exposure / e;
			exposure = e;
		}
		if (ag)
			gain = clampd(gain + 20.0 * log10(k), gain_lo, gain_hi);
	} else {
		if (ag) {
			double g = clampd(gain + 20.0 * log10(k), gain_lo, gain_hi);
			k /= pow(10.0, (g - gain) / 20.0);
			gain = g;
		}
		if (ae)
			exposure = clampd(exposure * k, exp_lo, exp_hi);
	}
	/* limits may have moved under a value that did not need to change */
	if (ae)
		store_f(cam, "ExposureTime", clampd(exposure, exp_lo, exp_hi));
	if (ag)
		store_f(cam, "Gain", clampd(gain, gain_lo, gain_hi));
}

static void white_balance(struct camera *cam, const struct sensor_stats *st, const struct sensor_settings *set)
{
	double pre[3], now[3], want[3];
	bool once = camera_enum_is(cam, "BalanceWhiteAuto", "Once");
	int ri = idx(cam, "BalanceRatio");

	autofunc_ratios(cam, now);
	/* The pipeline adds BlackLevel before the white balance multiplies (docs/image-pipeline.md 3),
	 * so the value the ratios act on is mean / ratio, black level included. Gray world (5.8.2)
	 * makes the resulting image's average gray: ratios that equalise those values. Subtracting
	 * the black level here would over-correct a dim picture a little more every frame. */
	for (int c = 0; c < 3; c++) {
		pre[c] = st->mean[c] / (now[c] > 1e-3 ? now[c] : 1e-3);
		if (pre[c] < 1e-3)
			pre[c] = 1e-3;
	}
	if (camera_enum_is(cam, "BalanceWhiteMode", "Temperature")) {
		/* the light's colour is in the signal alone: here the black level does come off */
		double light[3];
		for (int c = 0; c < 3; c++)
			light[c] = fmax(pre[c] - set->black_level, 1e-3);
		const struct feature_def *d = feature_def(&cam->fs, idx(cam, "BalanceWhiteAutoPreset"));
		const struct enum_entry *e = d ? model_enum_entry_by_value(d, camera_int(cam, "BalanceWhiteAutoPreset")) : NULL;
		double lo = e && e->numeric > 0 ? e->numeric : 2500.0, hi = e && e->numeric_max > 0 ? e->numeric_max : 10000.0;
		double k = kelvin_for_rb(light[0] / light[2], lo, hi), cur = (double)camera_int(cam, "BalanceWhiteTemperature");
		/* 5.8.2: the estimate stays in the preset's range; move halfway per frame */
		k = clampd(cur + 0.5 * (k - cur), lo, hi);
		store_i(cam, "BalanceWhiteTemperature", (int64_t)llround(k));
		autofunc_ratios_for_kelvin(k, want);
		if (once && fabs(k - cur) < BALANCED * cur)
			store_i(cam, "BalanceWhiteAuto", 0);
		return;
	}
	want[1] = 1.0;
	want[0] = pre[1] / pre[0];
	want[2] = pre[1] / pre[2];
	bool balanced = true;
	for (int c = 0; c < 3; c++) {
		double next = clampd(now[c] + 0.5 * (want[c] - now[c]), 0.0, RATIO_MAX);
		if (fabs(want[c] - now[c]) > BALANCED * fmax(want[c], 1e-3))
			balanced = false;
		if (ri >= 0) {
			struct feat_value v = { .i = (int64_t)next, .f = next };
			feature_store_raw_selected(&cam->fs, ri, (unsigned)c, v);
		}
	}
	/* 5.8.1 Once: balance once, then keep the result with auto white balance Off */
	if (once && balanced)
		store_i(cam, "BalanceWhiteAuto", 0);
}

void autofunc_frame(struct camera *cam)
{
	bool ae = camera_enum_is(cam, "ExposureAuto", "Continuous"), ag = camera_enum_is(cam, "GainAuto", "Continuous");
	bool awb = !camera_enum_is(cam, "BalanceWhiteAuto", "Off");
	struct sensor_settings set;
	struct sensor_stats st;
	struct sensor_roi roi;

	if (!ae && !ag && !awb)
		return;
	camera_sensor_settings(cam, &set);
	autofunc_roi(cam, &roi);
	if (sensor_measure(cam->sensor, &set, &roi, &st) != 0 || st.samples == 0)
		return;
	if (ae || ag)
		exposure_gain(cam, &st, &set);
	if (awb)
		white_balance(cam, &st, &set);
}
