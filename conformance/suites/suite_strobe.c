/* SPDX-License-Identifier: MIT */
/* strobe suite: manual 5.6 and 5.7 through the I/O rig: GPIIn reads
 * TRIGGER_IN, GPOut and the strobe drive STROBE_OUT, pulses timed to the
 * exposure to the nanosecond of device time. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "conform.h"
#include "rig.h"

#define MS UINT64_C(1000000)
#define US UINT64_C(1000)

/* What the rig logged in the current test (rig_fetch); static, being too large for the stack. */
static struct rig_log events;

static int strobe_level(void)
{
	char out[64];

	if (io_request(session->io, out, sizeof(out), "strobe") < 0)
		return -1;
	return out[0] - '0';
}

/* 5.6.1 "True: TRIGGER_IN line status is low"; "False: TRIGGER_IN line status is high"
 * 5.6 "The digital input can be used as a Trigger input but the current status can also be examined
 * directly": GPIIn reads the line with the trigger mode off and on. */
static void test_gpi_reads_trigger_in(void)
{
	static const char *const modes[] = { "Off", "On" };

	rig_do("line set 0");
	rig_do("clock pause");
	for (int m = 0; m < 2; m++) {
		gint64 v = -1;
		REQUIRE_MSG(gc_set_string("TriggerMode", modes[m], NULL, 0), "TriggerMode %s", modes[m]);
		rig_do("line set 0");
		rig_advance(10);
		CHECK_MSG(gc_get_int("GPIIn", &v, NULL, 0) && v == 1, "TriggerMode %s, TRIGGER_IN low: GPIIn %lld (expected True)",
			  modes[m], (long long)v);
		rig_do("line set 1");
		rig_advance(10);
		CHECK_MSG(gc_get_int("GPIIn", &v, NULL, 0) && v == 0, "TriggerMode %s, TRIGGER_IN high: GPIIn %lld (expected False)",
			  modes[m], (long long)v);
	}
	CHECK_MSG(!gc_set_int("GPIIn", 1, NULL, 0), "GPIIn accepted a write");
	gc_set_string("TriggerMode", "Off", NULL, 0);
	rig_do("line set 0");
	rig_advance(10);
	rig_do("clock run");
}

/* 5.6.2 "True: Drive the STROBE_OUT line high"; "False: Drive the STROBE_OUT line low" */
static void test_gpout_drives_strobe_out(void)
{
	REQUIRE_MSG(gc_set_string("StrobeEnable", "Off", NULL, 0), "StrobeEnable Off");
	REQUIRE_MSG(gc_set_int("GPOut", 1, NULL, 0), "GPOut True");
	CHECK_MSG(strobe_level() == 1, "GPOut True: STROBE_OUT %d", strobe_level());
	REQUIRE_MSG(gc_set_int("GPOut", 0, NULL, 0), "GPOut False");
	CHECK_MSG(strobe_level() == 0, "GPOut False: STROBE_OUT %d", strobe_level());
}

/* One triggered exposure with the strobe configured as given; returns the two STROBE_OUT edges. */
static bool one_pulse(const char *polarity, const char *operation, int64_t delay_us, int64_t duration_us,
		      uint64_t *exp_start, uint64_t *exp_end)
{
	uint64_t t0 = rig_start_triggered(1500.0), seq;
	char err[256] = "";

	if (!t0)
		return false;
	gc_execute("AcquisitionStop", NULL, 0);
	bool ok = gc_set_string("StrobePolarity", polarity, err, sizeof(err)) &&
		  gc_set_string("StrobeOperation", operation, err, sizeof(err)) &&
		  gc_set_int("StrobeDelay", delay_us, err, sizeof(err)) &&
		  gc_set_int("StrobeDuration", duration_us, err, sizeof(err)) &&
		  gc_set_string("StrobeEnable", "On", err, sizeof(err));
	if (!ok) {
		CHECK_MSG(0, "strobe setup: %s", err);
		return false;
	}
	gc_execute("AcquisitionStart", NULL, 0);
	uint64_t t = io_time(session->io) + 1 * MS;
	seq = io_next_seq(session->io);
	rig_do("line pulse 100000 at %" PRIu64, t);
	rig_advance(20 * MS);
	rig_fetch(seq, &events);
	const struct io_event *s = rig_find(&events, "exposure_start", 0), *e = rig_find(&events, "exposure_end", 0);
	*exp_start = s ? s->t : 0;
	*exp_end = e ? e->t : 0;
	return s && e;
}

static void finish(void)
{
	gc_set_string("StrobeEnable", "Off", NULL, 0);
	gc_set_string("StrobePolarity", "ActiveHigh", NULL, 0);
	gc_set_string("StrobeOperation", "Exposure", NULL, 0);
	gc_set_int("StrobeDelay", 0, NULL, 0);
	rig_finish();
}

/* 5.7.2 ActiveHigh: "The STROBE_OUT pin is logically high during the exposure time"
 * 5.7.3 Exposure: "Output pulse duration is equal to the current exposure time" */
static void test_active_high_exposure(void)
{
	uint64_t s, e;

	REQUIRE_MSG(one_pulse("ActiveHigh", "Exposure", 0, 100, &s, &e), "scenario");
	const struct io_event *on = rig_find(&events, "strobe_out", 0), *off = rig_find(&events, "strobe_out", 1);
	CHECK_AT(s, on && on->a == 1 && on->t == s, "STROBE_OUT rises at %" PRIu64 " (level %" PRId64 "), exposure starts %" PRIu64,
		  on ? on->t : 0, on ? on->a : -1, s);
	CHECK_AT(e, off && off->a == 0 && off->t == e, "STROBE_OUT falls at %" PRIu64 ", exposure ends %" PRIu64,
		  off ? off->t : 0, e);
	CHECK_MSG(e - s == 1500 * US, "exposure %" PRIu64 " ns", e - s);
	CHECK_MSG(rig_count(&events, "strobe_out") == 2, "%d STROBE_OUT edges for one frame",
		  rig_count(&events, "strobe_out"));
	finish();
}

/* 5.7.2 ActiveLow: "The STROBE_OUT pin is logically low during the exposure time" */
static void test_active_low(void)
{
	uint64_t s, e;

	REQUIRE_MSG(one_pulse("ActiveLow", "Exposure", 0, 100, &s, &e), "scenario");
	const struct io_event *on = rig_find(&events, "strobe_out", 0), *off = rig_find(&events, "strobe_out", 1);
	CHECK_AT(s, on && on->a == 0 && on->t == s, "ActiveLow: STROBE_OUT goes %" PRId64 " at %" PRIu64 " (exposure %" PRIu64 ")",
		  on ? on->a : -1, on ? on->t : 0, s);
	CHECK_AT(e, off && off->a == 1 && off->t == e, "ActiveLow: STROBE_OUT back high at %" PRIu64 " (exposure end %" PRIu64 ")",
		  off ? off->t : 0, e);
	finish();
}

/* 5.7.3 FixedDuration: "Output pulse duration is specified by Strobe Duration"; 5.7.5 delay after exposure start */
static void test_fixed_duration_and_delay(void)
{
	uint64_t s, e;

	REQUIRE_MSG(one_pulse("ActiveHigh", "FixedDuration", 250, 700, &s, &e), "scenario");
	const struct io_event *on = rig_find(&events, "strobe_out", 0), *off = rig_find(&events, "strobe_out", 1);
	CHECK_AT(s + 250 * US, on && on->t == s + 250 * US, "pulse starts %" PRIu64 " ns after exposure start (StrobeDelay 250 us)",
		  on ? on->t - s : 0);
	CHECK_MSG(on && off && off->t - on->t == 700 * US, "pulse lasts %" PRIu64 " ns (StrobeDuration 700 us)",
		  on && off ? off->t - on->t : 0);
	finish();
}

/* 5.7.3 Exposure: "Output pulse duration is equal to the current exposure time" -- also while auto exposure
 * changes it from frame to frame: each pulse as long as its own frame's exposure. */
static void test_exposure_pulse_follows_auto_exposure(void)
{
	uint64_t t0 = rig_start_triggered(1500.0), seq;
	char err[256] = "";
	int differ = 0;

	REQUIRE_MSG(t0, "setup");
	gc_execute("AcquisitionStop", NULL, 0);
	REQUIRE_MSG(gc_set_string("StrobePolarity", "ActiveHigh", err, sizeof(err)) &&
			    gc_set_string("StrobeOperation", "Exposure", err, sizeof(err)) &&
			    gc_set_int("StrobeDelay", 0, err, sizeof(err)) &&
			    gc_set_string("StrobeEnable", "On", err, sizeof(err)) &&
			    gc_set_string("ExposureAuto", "Continuous", err, sizeof(err)),
		    "%s", err);
	gc_execute("AcquisitionStart", NULL, 0);
	seq = io_next_seq(session->io);
	rig_do("line pulse 100000 at %" PRIu64 " count 6 period 50000000", io_time(session->io) + 1 * MS);
	rig_advance(320 * MS);
	rig_fetch(seq, &events);
	gc_set_string("ExposureAuto", "Off", NULL, 0);
	REQUIRE_MSG(rig_count(&events, "exposure_start") == 6 && rig_count(&events, "strobe_out") == 12,
		    "6 triggers: %d exposures, %d STROBE_OUT edges", rig_count(&events, "exposure_start"),
		    rig_count(&events, "strobe_out"));
	uint64_t first = 0;
	for (int i = 0; i < 6; i++) {
		const struct io_event *s = rig_find(&events, "exposure_start", i), *e = rig_find(&events, "exposure_end", i);
		const struct io_event *on = rig_find(&events, "strobe_out", 2 * i), *off = rig_find(&events, "strobe_out", 2 * i + 1);
		REQUIRE_MSG(s && e && on && off, "frame %d: exposure or pulse missing", i);
		CHECK_AT(s->t, on->t == s->t && off->t == e->t, "frame %d: exposure %" PRIu64 " ns, pulse %" PRIu64 " ns", i,
			  e->t - s->t, off->t - on->t);
		if (i == 0)
			first = e->t - s->t;
		differ += e->t - s->t != first;
	}
	CHECK_MSG(differ > 0, "auto exposure kept every exposure at %" PRIu64 " ns: nothing followed", first);
	finish();
}

/* 5.7.1 Off: "Strobe disabled" -- no pulses while frames are taken */
static void test_strobe_disabled(void)
{
	uint64_t t0 = rig_start_triggered(1000.0), seq;

	REQUIRE_MSG(t0, "setup");
	gc_set_string("StrobeEnable", "Off", NULL, 0);
	gc_set_int("GPOut", 0, NULL, 0);
	seq = io_next_seq(session->io);
	rig_do("line pulse 100000 at %" PRIu64 " count 3 period 5000000", t0 + 1 * MS);
	rig_advance(20 * MS);
	rig_fetch(seq, &events);
	CHECK_MSG(rig_count(&events, "exposure_start") == 3 && rig_count(&events, "strobe_out") == 0,
		  "%d exposures, %d STROBE_OUT edges", rig_count(&events, "exposure_start"), rig_count(&events, "strobe_out"));
	finish();
}

void suite_strobe_register(const char *name)
{
	CU_pSuite s = CU_add_suite(name, rig_suite_init, NULL);

	CU_add_test(s, "gpi_reads_trigger_in", test_gpi_reads_trigger_in);
	CU_add_test(s, "gpout_drives_strobe_out", test_gpout_drives_strobe_out);
	CU_add_test(s, "active_high_follows_exposure", test_active_high_exposure);
	CU_add_test(s, "active_low_inverts", test_active_low);
	CU_add_test(s, "fixed_duration_and_delay", test_fixed_duration_and_delay);
	CU_add_test(s, "strobe_disabled", test_strobe_disabled);
	CU_add_test(s, "exposure_pulse_follows_auto_exposure", test_exposure_pulse_follows_auto_exposure);
}
