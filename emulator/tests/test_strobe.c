/* SPDX-License-Identifier: MIT */
/* camera/strobe: STROBE_OUT alone (manual 5.6.2, 5.7), on the real device
 * scheduler with a paused clock: the engine is told of exposures as the
 * acquisition would tell it, and every edge of the line is checked to the
 * nanosecond against StrobeDelay, StrobeDuration, StrobeOperation and
 * StrobePolarity (docs/manual-quirks.md 48-50). */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "../camera/strobe.h"
#include "engine_rig.h"
#include "tests.h"

static struct engine_rig *R;
static struct strobe St;
static struct strobe_settings S;

/* StrobeEnable On, ActiveHigh, Exposure operation, no delay; StrobeDuration 1000 us as shipped. */
static void setup(void)
{
	S = (struct strobe_settings){ .enabled = true, .duration_ns = 1000 * US };
	R = rig_new();
	if (!R)
		return;
	strobe_init(&St, &R->sched, &R->log);
	strobe_configure(&St, &S);
	strobe_reset(&St, 0);
}

static void teardown(void)
{
	if (R)
		strobe_reset(&St, 0);
	rig_free(R);
	R = NULL;
}

static void configure(void)
{
	strobe_configure(&St, &S);
	strobe_reset(&St, 0);
}

/* 5.6.2: with the strobe off, GPOut drives STROBE_OUT high (True) or low (False), at once. */
static void test_strobe_gpout_drives_line(void)
{
	CU_ASSERT_FATAL(R != NULL);
	S.enabled = false;
	configure();
	ASSERT_INT(strobe_level(&St), 0);
	S.gp_out = true;
	strobe_configure(&St, &S);
	strobe_update(&St, 1 * MS);
	ASSERT_INT(strobe_level(&St), 1);
	ASSERT_EVENT(R, EV_STROBE_OUT, 0, 1 * MS, 1, RIG_ANY);
	S.gp_out = false;
	strobe_configure(&St, &S);
	strobe_update(&St, 2 * MS);
	ASSERT_INT(strobe_level(&St), 0);
	ASSERT_EVENT(R, EV_STROBE_OUT, 1, 2 * MS, 0, RIG_ANY);
	strobe_update(&St, 3 * MS);   /* no change, no edge */
	ASSERT_INT(rig_count(R, EV_STROBE_OUT), 2);
}

/* 5.7.1 Off: no pulses while frames are taken; 5.6.2 (manual-quirks 48) On: GPOut no longer drives it. */
static void test_strobe_disabled_no_pulses(void)
{
	CU_ASSERT_FATAL(R != NULL);
	S.enabled = false;
	configure();
	strobe_exposure_start(&St, 1, 1 * MS, 1500 * US);
	rig_run_until(R, 10 * MS);
	ASSERT_INT(rig_count(R, EV_STROBE_OUT), 0);
	S.enabled = true;
	S.gp_out = true;
	strobe_configure(&St, &S);
	strobe_update(&St, 10 * MS);
	ASSERT_INT(strobe_level(&St), 0);   /* ActiveHigh, no pulse: low whatever GPOut says */
}

/* 5.7.2 ActiveHigh + 5.7.3 Exposure: high exactly during the exposure. */
static void test_strobe_active_high_follows_exposure(void)
{
	CU_ASSERT_FATAL(R != NULL);
	strobe_exposure_start(&St, 1, 1 * MS, 1500 * US);
	rig_run_until(R, 1 * MS - 1);
	ASSERT_INT(strobe_level(&St), 0);
	rig_run_until(R, 1 * MS);
	ASSERT_INT(strobe_level(&St), 1);
	rig_run_until(R, 10 * MS);
	ASSERT_EVENT(R, EV_STROBE_OUT, 0, 1 * MS, 1, RIG_ANY);
	ASSERT_EVENT(R, EV_STROBE_OUT, 1, 2500 * US, 0, RIG_ANY);
	ASSERT_INT(rig_count(R, EV_STROBE_OUT), 2);
}

/* 5.7.2 ActiveLow: the waveform inverted, high at rest. */
static void test_strobe_active_low(void)
{
	CU_ASSERT_FATAL(R != NULL);
	S.active_low = true;
	configure();
	ASSERT_INT(strobe_level(&St), 1);
	strobe_exposure_start(&St, 1, 1 * MS, 1500 * US);
	rig_run_until(R, 10 * MS);
	ASSERT_EVENT(R, EV_STROBE_OUT, 0, 1 * MS, 0, RIG_ANY);
	ASSERT_EVENT(R, EV_STROBE_OUT, 1, 2500 * US, 1, RIG_ANY);
}

/* 5.7.3 FixedDuration + 5.7.4: the pulse lasts StrobeDuration whatever the exposure;
 * 5.7.5: it starts StrobeDelay after exposure start. */
static void test_strobe_fixed_duration_and_delay(void)
{
	CU_ASSERT_FATAL(R != NULL);
	S.fixed_duration = true;
	S.duration_ns = 700 * US;
	S.delay_ns = 250 * US;
	configure();
	strobe_exposure_start(&St, 1, 1 * MS, 1500 * US);
	strobe_exposure_end(&St, 1, 2500 * US);   /* the exposure's end does not end a fixed pulse */
	rig_run_until(R, 10 * MS);
	ASSERT_EVENT(R, EV_STROBE_OUT, 0, 1 * MS + 250 * US, 1, RIG_ANY);
	ASSERT_EVENT(R, EV_STROBE_OUT, 1, 1 * MS + 250 * US + 700 * US, 0, RIG_ANY);
}

/* 5.7.4: StrobeDuration has no effect in Exposure operation; 5.7.5 the delay shifts the whole pulse. */
static void test_strobe_exposure_operation_with_delay(void)
{
	CU_ASSERT_FATAL(R != NULL);
	S.duration_ns = 100 * US;
	S.delay_ns = 250 * US;
	configure();
	strobe_exposure_start(&St, 1, 1 * MS, 1500 * US);
	rig_run_until(R, 10 * MS);
	ASSERT_EVENT(R, EV_STROBE_OUT, 0, 1250 * US, 1, RIG_ANY);
	ASSERT_EVENT(R, EV_STROBE_OUT, 1, 2750 * US, 0, RIG_ANY);
}

/* 5.7.3 Exposure with a trigger-width exposure: the pulse ends when the exposure ends (+ delay). */
static void test_strobe_open_exposure(void)
{
	CU_ASSERT_FATAL(R != NULL);
	S.delay_ns = 10 * US;
	configure();
	strobe_exposure_start(&St, 7, 1 * MS, 0);
	rig_run_until(R, 5 * MS);
	ASSERT_INT(strobe_level(&St), 1);
	strobe_exposure_end(&St, 8, 5 * MS);   /* another frame's end */
	rig_run_until(R, 6 * MS);
	ASSERT_INT(strobe_level(&St), 1);
	strobe_exposure_end(&St, 7, 6 * MS);
	rig_run_until(R, 10 * MS);
	ASSERT_EVENT(R, EV_STROBE_OUT, 0, 1 * MS + 10 * US, 1, RIG_ANY);
	ASSERT_EVENT(R, EV_STROBE_OUT, 1, 6 * MS + 10 * US, 0, RIG_ANY);
}

/* docs/manual-quirks.md 50: a FixedDuration of 0 makes no pulse. */
static void test_strobe_zero_duration_no_pulse(void)
{
	CU_ASSERT_FATAL(R != NULL);
	S.fixed_duration = true;
	S.duration_ns = 0;
	configure();
	strobe_exposure_start(&St, 1, 1 * MS, 1500 * US);
	rig_run_until(R, 10 * MS);
	ASSERT_INT(rig_count(R, EV_STROBE_OUT), 0);
}

/* Overlapping pulses merge: one high period from the first rise to the last fall. */
static void test_strobe_overlapping_pulses_merge(void)
{
	CU_ASSERT_FATAL(R != NULL);
	S.fixed_duration = true;
	S.duration_ns = 3 * MS;
	configure();
	strobe_exposure_start(&St, 1, 1 * MS, 1 * MS);
	strobe_exposure_start(&St, 2, 2 * MS, 1 * MS);
	rig_run_until(R, 10 * MS);
	ASSERT_INT(rig_count(R, EV_STROBE_OUT), 2);
	ASSERT_EVENT(R, EV_STROBE_OUT, 0, 1 * MS, 1, RIG_ANY);
	ASSERT_EVENT(R, EV_STROBE_OUT, 1, 5 * MS, 0, RIG_ANY);
}

/* AcquisitionStop / power-up: pending pulses are dropped and the line rests, without an edge logged. */
static void test_strobe_reset(void)
{
	CU_ASSERT_FATAL(R != NULL);
	strobe_exposure_start(&St, 1, 1 * MS, 1500 * US);
	rig_run_until(R, 2 * MS);
	ASSERT_INT(strobe_level(&St), 1);
	strobe_reset(&St, 2 * MS);
	ASSERT_INT(strobe_level(&St), 0);
	rig_run_until(R, 10 * MS);
	ASSERT_INT(rig_count(R, EV_STROBE_OUT), 1);
}

static const struct test_case cases[] = {
	{ "test_strobe_gpout_drives_line", test_strobe_gpout_drives_line },
	{ "test_strobe_disabled_no_pulses", test_strobe_disabled_no_pulses },
	{ "test_strobe_active_high_follows_exposure", test_strobe_active_high_follows_exposure },
	{ "test_strobe_active_low", test_strobe_active_low },
	{ "test_strobe_fixed_duration_and_delay", test_strobe_fixed_duration_and_delay },
	{ "test_strobe_exposure_operation_with_delay", test_strobe_exposure_operation_with_delay },
	{ "test_strobe_open_exposure", test_strobe_open_exposure },
	{ "test_strobe_zero_duration_no_pulse", test_strobe_zero_duration_no_pulse },
	{ "test_strobe_overlapping_pulses_merge", test_strobe_overlapping_pulses_merge },
	{ "test_strobe_reset", test_strobe_reset },
	{ NULL, NULL },
};

int test_strobe_add_suite(void) { return test_add_suite("strobe", setup, teardown, cases); }
