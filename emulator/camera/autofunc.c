/* SPDX-License-Identifier: MIT */
#include "autofunc.h"

#include <math.h>
#include <string.h>

#define HIGHLIGHT_FRACTION 0.002
#define HIGHLIGHT_AIM 0.85
#define BALANCED 0.01

static double clampd(double v, double lo, double hi) { return v < lo ? lo : v > hi ? hi : v; }

void autofunc_init(struct autofunc *af, const struct autofunc_ops *ops, void *ops_ctx)
{
	memset(af, 0, sizeof(*af));
	af->ops = ops;
	af->ops_ctx = ops_ctx;
}

void autofunc_configure(struct autofunc *af, const struct autofunc_settings *set) { af->set = *set; }

bool autofunc_active(const struct autofunc *af)
{
	return af->set.exposure_auto || af->set.gain_auto || af->set.balance_auto != AUTOFUNC_BALANCE_OFF;
}

void autofunc_preset_roi(const struct autofunc_settings *s, struct sensor_roi *roi)
{
	uint32_t w = s->width, h = s->height;

	*roi = (struct sensor_roi){ 0, 0, w, h };
	switch (s->roi_preset) {
	case AUTOFUNC_ROI_CENTER50:
		*roi = (struct sensor_roi){ w / 4, h / 4, w / 2, h / 2 };
		break;
	case AUTOFUNC_ROI_CENTER25:
		*roi = (struct sensor_roi){ w * 3 / 8, h * 3 / 8, w / 4, h / 4 };
		break;
	case AUTOFUNC_ROI_BOTTOM_HALF:
		*roi = (struct sensor_roi){ 0, h / 2, w, h - h / 2 };
		break;
	case AUTOFUNC_ROI_TOP_HALF:
		*roi = (struct sensor_roi){ 0, 0, w, h / 2 };
		break;
	case AUTOFUNC_ROI_CUSTOM: {
		/* 5.11.3: relative to the output image; what lies outside it is ignored */
		uint32_t l = s->roi_custom.left, t = s->roi_custom.top;
		uint32_t rw = s->roi_custom.width, rh = s->roi_custom.height;
		if (l >= w)
			l = w - 2;
		if (t >= h)
			t = h - 2;
		if (rw > w - l)
			rw = w - l;
		if (rh > h - t)
			rh = h - t;
		*roi = (struct sensor_roi){ l, t, rw, rh };
		break;
	}
	case AUTOFUNC_ROI_FULL:
		break;
	}
}

void autofunc_roi(const struct autofunc_settings *s, struct sensor_roi *roi)
{
	if (s->roi_enable) {
		autofunc_preset_roi(s, roi);
		return;
	}
	*roi = (struct sensor_roi){ 0, 0, s->width, s->height };   /* 5.11.1 False: the whole image */
}

/* The ratios that neutralise light of this colour temperature. */
static void ratios_for_kelvin(const struct autofunc_settings *s, double kelvin, double ratio[3])
{
	double f[3];

	sensor_light_colour(kelvin, f);
	for (int c = 0; c < 3; c++)
		ratio[c] = clampd(1.0 / f[c], s->ratio_min, s->ratio_max);
}

void autofunc_ratios(const struct autofunc_settings *s, double ratio[3])
{
	if (s->temperature_mode) {
		ratios_for_kelvin(s, (double)s->kelvin, ratio);
		return;
	}
	for (int c = 0; c < 3; c++)
		ratio[c] = s->ratio[c];
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

static void exposure_gain(struct autofunc *af, const struct sensor_stats *st, const struct sensor_settings *set)
{
	const struct autofunc_settings *s = &af->set;
	bool ae = s->exposure_auto, ag = s->gain_auto;
	double black = set->black_level, signal = st->luma - black;
	double target = (double)s->reference * 16.0 - black;   /* 8-bit reference on the 12-bit scale */
	double exp_lo = s->exposure_min_us, exp_hi = s->exposure_max_us;
	double gain_lo = s->gain_min_db, gain_hi = s->gain_max_db;
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
	if (s->highlight_reduction && st->saturated_fraction > HIGHLIGHT_FRACTION)
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
		af->ops->set_exposure(af->ops_ctx, clampd(exposure, exp_lo, exp_hi));
	if (ag)
		af->ops->set_gain(af->ops_ctx, clampd(gain, gain_lo, gain_hi));
}

static void white_balance(struct autofunc *af, const struct sensor_stats *st, const struct sensor_settings *set)
{
	const struct autofunc_settings *s = &af->set;
	double pre[3], now[3], want[3], next[3];
	bool once = s->balance_auto == AUTOFUNC_BALANCE_ONCE;

	autofunc_ratios(s, now);
	/* The pipeline adds BlackLevel before the white balance multiplies (docs/image-pipeline.md 3),
	 * so the value the ratios act on is mean / ratio, black level included. Gray world (5.8.2)
	 * makes the resulting image's average gray: ratios that equalise those values. Subtracting
	 * the black level here would over-correct a dim picture a little more every frame. */
	for (int c = 0; c < 3; c++) {
		pre[c] = st->mean[c] / (now[c] > 1e-3 ? now[c] : 1e-3);
		if (pre[c] < 1e-3)
			pre[c] = 1e-3;
	}
	if (s->temperature_mode) {
		/* the light's colour is in the signal alone: here the black level does come off */
		double light[3];
		for (int c = 0; c < 3; c++)
			light[c] = fmax(pre[c] - set->black_level, 1e-3);
		double lo = s->kelvin_min, hi = s->kelvin_max;
		double k = kelvin_for_rb(light[0] / light[2], lo, hi), cur = (double)s->kelvin;
		/* 5.8.2: the estimate stays in the preset's range; move halfway per frame */
		k = clampd(cur + 0.5 * (k - cur), lo, hi);
		af->ops->set_kelvin(af->ops_ctx, (int64_t)llround(k));
		if (once && fabs(k - cur) < BALANCED * cur)
			af->ops->balance_done(af->ops_ctx);
		return;
	}
	want[1] = 1.0;
	want[0] = pre[1] / pre[0];
	want[2] = pre[1] / pre[2];
	bool balanced = true;
	for (int c = 0; c < 3; c++) {
		next[c] = clampd(now[c] + 0.5 * (want[c] - now[c]), s->ratio_min, s->ratio_max);
		if (fabs(want[c] - now[c]) > BALANCED * fmax(want[c], 1e-3))
			balanced = false;
	}
	af->ops->set_ratios(af->ops_ctx, next);
	/* 5.8.1 Once: balance once, then keep the result with auto white balance Off */
	if (once && balanced)
		af->ops->balance_done(af->ops_ctx);
}

void autofunc_frame(struct autofunc *af, const struct sensor_settings *frame)
{
	struct sensor_stats st;
	struct sensor_roi roi;

	if (!autofunc_active(af))
		return;
	autofunc_roi(&af->set, &roi);
	if (af->ops->measure(af->ops_ctx, frame, &roi, &st) != 0 || st.samples == 0)
		return;
	if (af->set.exposure_auto || af->set.gain_auto)
		exposure_gain(af, &st, frame);
	if (af->set.balance_auto != AUTOFUNC_BALANCE_OFF)
		white_balance(af, &st, frame);
}
