/* SPDX-License-Identifier: MIT */
/* camera/autofunc: auto exposure, auto gain, auto white balance and the
 * auto-functions region alone (manual 5.3, 5.8, 5.11), with a fake camera
 * that reports the image statistics the test chooses and records what the
 * engine sets. Expected values follow from the rules as camera/autofunc.h
 * states them: the 8-bit reference on the 12-bit scale, half the way (in log
 * terms) per frame, exposure first when brighter and gain first when darker,
 * every value within its auto limits. */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "../camera/autofunc.h"
#include "tests.h"

#define NEAR(a, b) (fabs((a) - (b)) < 1e-9)

/* The camera as the auto functions see it. */
static struct {
	struct sensor_stats stats;     /* what measure reports */
	int measure_rc;
	unsigned measured;
	struct sensor_roi roi;         /* where it was asked to measure */
	bool exposure_set, gain_set, ratios_set, kelvin_set;
	double exposure_us, gain_db, ratio[3];
	int64_t kelvin;
	unsigned done;
} C;

static int fake_measure(void *ctx, const struct sensor_settings *st, const struct sensor_roi *roi,
			struct sensor_stats *out)
{
	(void)ctx;
	(void)st;
	C.measured++;
	C.roi = *roi;
	*out = C.stats;
	return C.measure_rc;
}

static void fake_set_exposure(void *ctx, double us)
{
	(void)ctx;
	C.exposure_set = true;
	C.exposure_us = us;
}

static void fake_set_gain(void *ctx, double db)
{
	(void)ctx;
	C.gain_set = true;
	C.gain_db = db;
}

static void fake_set_ratios(void *ctx, const double ratio[3])
{
	(void)ctx;
	C.ratios_set = true;
	memcpy(C.ratio, ratio, sizeof(C.ratio));
}

static void fake_set_kelvin(void *ctx, int64_t kelvin)
{
	(void)ctx;
	C.kelvin_set = true;
	C.kelvin = kelvin;
}

static void fake_balance_done(void *ctx)
{
	(void)ctx;
	C.done++;
}

static const struct autofunc_ops fake_ops = {
	.measure = fake_measure,
	.set_exposure = fake_set_exposure,
	.set_gain = fake_set_gain,
	.set_ratios = fake_set_ratios,
	.set_kelvin = fake_set_kelvin,
	.balance_done = fake_balance_done,
};

static struct autofunc AF;
static struct autofunc_settings S;
static struct sensor_settings F;   /* the frame about to expose */

/* Auto exposure and gain on (5.3: the default), reference 128 = 2048 on the 12-bit scale;
 * white balance off; a 1920 x 1080 image exposed 1000 us at 6 dB, black level 0. */
static void setup(void)
{
	memset(&C, 0, sizeof(C));
	C.stats.samples = 1000;
	S = (struct autofunc_settings){
		.exposure_auto = true,
		.gain_auto = true,
		.balance_auto = AUTOFUNC_BALANCE_OFF,
		.reference = 128,
		.exposure_min_us = 100.0,
		.exposure_max_us = 30000.0,
		.gain_min_db = 0.0,
		.gain_max_db = 48.0,
		.kelvin_min = 2500.0,
		.kelvin_max = 10000.0,
		.kelvin = 6000,
		.ratio = { 1.0, 1.0, 1.0 },
		.ratio_min = 0.0,
		.ratio_max = 3.984375,
		.width = 1920,
		.height = 1080,
	};
	memset(&F, 0, sizeof(F));
	F.width = 1920;
	F.height = 1080;
	F.exposure_us = 1000.0;
	F.gain_db = 6.0;
	autofunc_init(&AF, &fake_ops, NULL);
	autofunc_configure(&AF, &S);
}

static void run(void)
{
	autofunc_configure(&AF, &S);
	autofunc_frame(&AF, &F);
}

/* Nothing on: nothing measured, nothing set. */
static void test_autofunc_inactive(void)
{
	S.exposure_auto = S.gain_auto = false;
	run();
	CU_ASSERT(!autofunc_active(&AF));
	ASSERT_INT(C.measured, 0);
	CU_ASSERT(!C.exposure_set && !C.gain_set && !C.ratios_set && !C.kelvin_set);
}

/* 5.3.3 + 5.3: too dark by 4x: half the way is 2x, all of it in exposure; the gain stays low. */
static void test_autofunc_brighter_exposure_first(void)
{
	C.stats.luma = 512.0;
	run();
	CU_ASSERT(C.exposure_set && C.exposure_us == 2000.0);
	CU_ASSERT(C.gain_set && C.gain_db == 6.0);
}

/* 5.3.5: the exposure stops at its upper limit, the gain takes the rest. */
static void test_autofunc_brighter_then_gain(void)
{
	F.exposure_us = 20000.0;
	C.stats.luma = 1024.0;   /* 2x too dark: sqrt(2) per frame */
	run();
	CU_ASSERT(NEAR(C.exposure_us, sqrt(2.0) * 20000.0));   /* 28284 us: still within 30000 */
	CU_ASSERT(NEAR(C.gain_db, 6.0));
	C.stats.luma = 512.0;    /* 4x: 2x wanted, 1.5x in exposure, the rest in gain */
	run();
	CU_ASSERT(C.exposure_us == 30000.0);
	CU_ASSERT(NEAR(C.gain_db, 6.0 + 20.0 * log10(2.0 * 20000.0 / 30000.0)));
}

/* 5.3: darker: the gain comes down first (to its lower limit), the exposure does the rest. */
static void test_autofunc_darker_gain_first(void)
{
	C.stats.luma = 8192.0;   /* 4x too bright: half the way is 1/2 = -6.02 dB */
	run();
	CU_ASSERT(C.gain_db == 0.0);   /* 5.3.6: not below GainAutoLowerLimit */
	CU_ASSERT(NEAR(C.exposure_us, 1000.0 * 0.5 / pow(10.0, -6.0 / 20.0)));
}

/* 5.3.5 / 5.3.6: never beyond the limits, however dark the scene. */
static void test_autofunc_limits(void)
{
	S.gain_max_db = 10.0;
	F.exposure_us = 10000.0;
	C.stats.luma = 0.0;
	run();
	CU_ASSERT(C.exposure_us == 30000.0);
	CU_ASSERT(C.gain_db == 10.0);
	/* and never below them on a very bright one */
	F.exposure_us = 150.0;
	F.gain_db = 0.0;
	C.stats.luma = 4095.0 * 64;
	run();
	CU_ASSERT(C.exposure_us == 100.0);
	CU_ASSERT(C.gain_db == 0.0);
}

/* Only what is on is set (5.3.1, 5.3.2). */
static void test_autofunc_exposure_only(void)
{
	S.gain_auto = false;
	C.stats.luma = 512.0;
	run();
	CU_ASSERT(C.exposure_set && C.exposure_us == 2000.0);
	CU_ASSERT(!C.gain_set);
}

/* 5.3.4: with highlight reduction a clipping image is made darker even at the reference brightness
 * (aim 15 % lower, half the way per frame); without it nothing changes. */
static void test_autofunc_highlight_reduction(void)
{
	S.gain_auto = false;
	C.stats.luma = 2048.0;
	C.stats.saturated_fraction = 0.01;
	run();
	CU_ASSERT(C.exposure_us == 1000.0);
	S.highlight_reduction = true;
	run();
	CU_ASSERT(NEAR(C.exposure_us, 1000.0 * sqrt(0.85)));
	C.stats.saturated_fraction = 0.001;   /* below 0.2 %: the highlights are left alone */
	run();
	CU_ASSERT(C.exposure_us == 1000.0);
}

/* Statistics that cannot be had change nothing. */
static void test_autofunc_no_statistics(void)
{
	C.stats.luma = 512.0;
	C.stats.samples = 0;
	run();
	C.stats.samples = 1000;
	C.measure_rc = -1;
	run();
	ASSERT_INT(C.measured, 2);
	CU_ASSERT(!C.exposure_set && !C.gain_set);
}

/* 5.8.2 Gray World: the ratios move half the way to the ones that make the mean grey (green the
 * reference), within BalanceRatio's range; Continuous never reports done. */
static void test_autofunc_gray_world(void)
{
	S.exposure_auto = S.gain_auto = false;
	S.balance_auto = AUTOFUNC_BALANCE_CONTINUOUS;
	C.stats.mean[0] = 1000.0;
	C.stats.mean[1] = 2000.0;
	C.stats.mean[2] = 500.0;
	run();
	CU_ASSERT(C.ratios_set);
	CU_ASSERT(C.ratio[0] == 1.5 && C.ratio[1] == 1.0 && C.ratio[2] == 2.5);
	ASSERT_INT(C.done, 0);
	C.stats.mean[2] = 100.0;   /* wants 20: stops at 3.984375 */
	run();
	CU_ASSERT(C.ratio[2] == 3.984375);
	CU_ASSERT(!C.exposure_set && !C.gain_set && !C.kelvin_set);
}

/* 5.8.1 Once: balances, and once the channels are balanced (within 1 %) it is done. */
static void test_autofunc_once(void)
{
	S.exposure_auto = S.gain_auto = false;
	S.balance_auto = AUTOFUNC_BALANCE_ONCE;
	C.stats.mean[0] = 1000.0;
	C.stats.mean[1] = 2000.0;
	C.stats.mean[2] = 2000.0;
	run();
	ASSERT_INT(C.done, 0);
	S.ratio[0] = 2.0;   /* applied: the image is balanced */
	C.stats.mean[0] = 2000.0;
	run();
	ASSERT_INT(C.done, 1);
	CU_ASSERT(C.ratio[0] == 2.0 && C.ratio[1] == 1.0 && C.ratio[2] == 1.0);
}

/* The statistics of grey lit by `kelvin`, through the ratios now in effect. */
static void grey_under(double kelvin)
{
	double light[3], ratio[3];

	sensor_light_colour(kelvin, light);
	autofunc_ratios(&S, ratio);
	for (int c = 0; c < 3; c++)
		C.stats.mean[c] = 1000.0 * light[c] * ratio[c];
}

/* 5.8.2 Temperature: the light's colour temperature is estimated and approached half the way per
 * frame, but never outside BalanceWhiteAutoPreset's range; Once is done when it settles. */
static void test_autofunc_temperature(void)
{
	S.exposure_auto = S.gain_auto = false;
	S.balance_auto = AUTOFUNC_BALANCE_CONTINUOUS;
	S.temperature_mode = true;
	S.kelvin = 5000;
	grey_under(5000.0);
	run();
	CU_ASSERT(C.kelvin_set);
	ASSERT_INT(C.kelvin, 5000);
	CU_ASSERT(!C.ratios_set);   /* the ratios follow from the temperature */
	/* AutoWarmWhite (2500 .. 4000 K) under 6500 K light: towards 4000 K, not beyond */
	S.kelvin_max = 4000.0;
	S.kelvin = 3000;
	grey_under(6500.0);
	run();
	ASSERT_INT(C.kelvin, 3500);
	S.balance_auto = AUTOFUNC_BALANCE_ONCE;
	S.kelvin = 4000;
	grey_under(6500.0);
	run();
	ASSERT_INT(C.kelvin, 4000);
	ASSERT_INT(C.done, 1);
}

/* 5.8.3: in Temperature mode the ratios are those that neutralise the temperature's light;
 * otherwise the stored BalanceRatio values. */
static void test_autofunc_ratios(void)
{
	double light[3], ratio[3];

	S.ratio[0] = 1.25;
	autofunc_ratios(&S, ratio);
	CU_ASSERT(ratio[0] == 1.25 && ratio[1] == 1.0 && ratio[2] == 1.0);
	S.temperature_mode = true;
	S.kelvin = 3000;
	sensor_light_colour(3000.0, light);
	autofunc_ratios(&S, ratio);
	for (int c = 0; c < 3; c++)
		CU_ASSERT(NEAR(ratio[c], fmin(1.0 / light[c], S.ratio_max)));
}

/* 5.11: the region the auto functions measure. */
static void test_autofunc_roi(void)
{
	static const struct {
		enum autofunc_roi_preset preset;
		struct sensor_roi custom, want;
	} cases[] = {
		{ AUTOFUNC_ROI_FULL, { 0, 0, 0, 0 }, { 0, 0, 1920, 1080 } },
		{ AUTOFUNC_ROI_CENTER50, { 0, 0, 0, 0 }, { 480, 270, 960, 540 } },
		{ AUTOFUNC_ROI_CENTER25, { 0, 0, 0, 0 }, { 720, 405, 480, 270 } },
		{ AUTOFUNC_ROI_BOTTOM_HALF, { 0, 0, 0, 0 }, { 0, 540, 1920, 540 } },
		{ AUTOFUNC_ROI_TOP_HALF, { 0, 0, 0, 0 }, { 0, 0, 1920, 540 } },
		{ AUTOFUNC_ROI_CUSTOM, { 100, 50, 400, 300 }, { 100, 50, 400, 300 } },
		/* 5.11.3: relative to the output image; what lies outside it is ignored */
		{ AUTOFUNC_ROI_CUSTOM, { 1900, 1070, 400, 300 }, { 1900, 1070, 20, 10 } },
		{ AUTOFUNC_ROI_CUSTOM, { 2000, 1080, 400, 300 }, { 1918, 1078, 2, 2 } },
	};

	C.stats.luma = 2048.0;
	S.roi_enable = true;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		S.roi_preset = cases[i].preset;
		S.roi_custom = cases[i].custom;
		run();
		ASSERT_INT(C.roi.left, cases[i].want.left);
		ASSERT_INT(C.roi.top, cases[i].want.top);
		ASSERT_INT(C.roi.width, cases[i].want.width);
		ASSERT_INT(C.roi.height, cases[i].want.height);
	}
	/* 5.11.1 False: the whole image, whatever the preset */
	S.roi_enable = false;
	S.roi_preset = AUTOFUNC_ROI_CENTER50;
	run();
	ASSERT_INT(C.roi.left, 0);
	ASSERT_INT(C.roi.top, 0);
	ASSERT_INT(C.roi.width, 1920);
	ASSERT_INT(C.roi.height, 1080);
}

static const struct test_case cases[] = {
	{ "test_autofunc_inactive", test_autofunc_inactive },
	{ "test_autofunc_brighter_exposure_first", test_autofunc_brighter_exposure_first },
	{ "test_autofunc_brighter_then_gain", test_autofunc_brighter_then_gain },
	{ "test_autofunc_darker_gain_first", test_autofunc_darker_gain_first },
	{ "test_autofunc_limits", test_autofunc_limits },
	{ "test_autofunc_exposure_only", test_autofunc_exposure_only },
	{ "test_autofunc_highlight_reduction", test_autofunc_highlight_reduction },
	{ "test_autofunc_no_statistics", test_autofunc_no_statistics },
	{ "test_autofunc_gray_world", test_autofunc_gray_world },
	{ "test_autofunc_once", test_autofunc_once },
	{ "test_autofunc_temperature", test_autofunc_temperature },
	{ "test_autofunc_ratios", test_autofunc_ratios },
	{ "test_autofunc_roi", test_autofunc_roi },
	{ NULL, NULL },
};

int test_autofunc_add_suite(void) { return test_add_suite("autofunc", setup, NULL, cases); }
