/* SPDX-License-Identifier: MIT */
/* trigger suite: manual 5.4 and 5.5, each rule checked to the nanosecond of
 * device time through the I/O rig: waveforms on TRIGGER_IN at exact device
 * times, then the camera's event log (trigger accepted or rejected and why,
 * exposure start and end, readout) and the frames it delivered. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "conform.h"
#include "rig.h"
#include "stream.h"

#define MS UINT64_C(1000000)
#define US UINT64_C(1000)
#define EXPOSURE_US 1000.0

/* What the rig logged in the current test (rig_fetch); static, being too large for the stack. */
static struct rig_log events;

/* Start, program `wave` (request text with %llu = t0), run `run_ns`, fetch the log. */
static bool scenario(uint64_t *t0, uint64_t *seq)
{
	*t0 = rig_start_triggered(EXPOSURE_US);
	if (!*t0)
		return false;
	*seq = io_next_seq(session->io);
	return true;
}

static int accepted_count(void) { return rig_count(&events, "trigger_accepted"); }

static const struct io_event *rejected(int n) { return rig_find(&events, "trigger_rejected", n); }

/* 5.4.1 "The Trigger Mode parameter enables the trigger mode." On: nothing is exposed until a trigger
 * comes. Off: TRIGGER_IN edges are not triggers, and the camera runs free at AcquisitionFrameRate. */
static void test_mode_off(void)
{
	uint64_t t0, seq;
	double fps = 0;

	REQUIRE_MSG(scenario(&t0, &seq), "setup");
	rig_advance(50 * MS);
	rig_fetch(seq, &events);
	CHECK_MSG(rig_count(&events, "exposure_start") == 0, "TriggerMode On: %d exposures in 50 ms without a trigger",
		  rig_count(&events, "exposure_start"));
	gc_execute("AcquisitionStop", NULL, 0);
	gc_set_string("TriggerMode", "Off", NULL, 0);
	seq = io_next_seq(session->io);
	rig_do("line pulse 100000 at +1000000");
	rig_advance(3 * MS);
	rig_fetch(seq, &events);
	const struct io_event *r = rejected(0);
	CHECK_MSG(accepted_count() == 0 && r && !strcmp(r->reason, "trigger_mode_off"),
		  "TriggerMode Off: %d accepted, rejection '%s'", accepted_count(), r ? r->reason : "none");
	/* free-running: exposures one frame period apart, no edge needed */
	REQUIRE_MSG(gc_set_float("AcquisitionFrameRate", 100.0, NULL, 0), "AcquisitionFrameRate 100");
	gc_get_float("AcquisitionFrameRate", &fps, NULL, 0);
	seq = io_next_seq(session->io);
	REQUIRE_MSG(gc_execute("AcquisitionStart", NULL, 0), "AcquisitionStart");
	rig_advance(105 * MS);
	rig_fetch(seq, &events);
	gc_execute("AcquisitionStop", NULL, 0);
	uint64_t period = (uint64_t)llround(1e9 / fps);
	int n = rig_count(&events, "exposure_start"), bad = 0;
	for (int i = 1; i < n; i++)
		bad += rig_find(&events, "exposure_start", i)->t - rig_find(&events, "exposure_start", i - 1)->t != period;
	CHECK_MSG(n >= 10 && n <= 11 && bad == 0,
		  "TriggerMode Off at %.3f fps: %d exposures in 105 ms, %d spaced other than %" PRIu64 " ns", fps, n, bad,
		  period);
	rig_finish();
}

/* 5.4.2 "controls whether a trigger event is accepted on the rising or falling edge of the signal connected to the TRIGGER_IN line" */
static void test_activation(void)
{
	uint64_t t0, seq;

	REQUIRE_MSG(scenario(&t0, &seq), "setup");
	/* RisingEdge: the edge at t0+1 ms triggers, exposure starts there (low-latency, no delay) */
	rig_do("line pulse 500000 at %" PRIu64, t0 + 1 * MS);
	rig_advance(6 * MS);
	rig_fetch(seq, &events);
	const struct io_event *a = rig_find(&events, "trigger_accepted", 0), *e = rig_find(&events, "exposure_start", 0);
	CHECK_AT(t0 + 1 * MS, a && a->t == t0 + 1 * MS, "RisingEdge: accepted at %" PRIu64 ", edge at %" PRIu64, a ? a->t : 0,
		  t0 + 1 * MS);
	CHECK_AT(t0 + 1 * MS, e && e->t == t0 + 1 * MS, "RisingEdge: exposure at %" PRIu64, e ? e->t : 0);
	CHECK_MSG(accepted_count() == 1, "RisingEdge: %d triggers accepted for one pulse", accepted_count());
	/* FallingEdge: the falling edge of the next pulse triggers */
	gc_execute("AcquisitionStop", NULL, 0);
	REQUIRE_MSG(gc_set_string("TriggerActivation", "FallingEdge", NULL, 0), "FallingEdge");
	gc_execute("AcquisitionStart", NULL, 0);
	uint64_t t1 = io_time(session->io) + 1 * MS;
	seq = io_next_seq(session->io);
	rig_do("line pulse 500000 at %" PRIu64, t1);
	rig_advance(6 * MS);
	rig_fetch(seq, &events);
	a = rig_find(&events, "trigger_accepted", 0);
	CHECK_AT(t1 + 500 * US, a && a->t == t1 + 500 * US && accepted_count() == 1,
		  "FallingEdge: accepted at %" PRIu64 " (%d accepted), falling edge at %" PRIu64, a ? a->t : 0,
		  accepted_count(), t1 + 500 * US);
	rig_finish();
}

/* 5.4.3 "The Software Trigger function can be used to simulate a trigger pulse, in turn causing one image to be exposed"
 * 5.5.1 "Simulated trigger pulses generated through the Software Trigger function are not delayed by this parameter." */
static void test_software_not_delayed(void)
{
	uint64_t t0, seq;

	REQUIRE_MSG(scenario(&t0, &seq), "setup");
	REQUIRE_MSG(gc_set_float("TriggerDelay", 1000000.0, NULL, 0), "TriggerDelay 1 s");
	REQUIRE_MSG(gc_execute("TriggerSoftware", NULL, 0), "TriggerSoftware");
	rig_advance(10 * MS);
	rig_fetch(seq, &events);
	const struct io_event *a = rig_find(&events, "trigger_accepted", 0), *e = rig_find(&events, "exposure_start", 0);
	CHECK_AT(a ? a->t : 0, a && e && e->t == a->t, "software trigger at %" PRIu64 ", exposure at %" PRIu64 " (TriggerDelay 1 s)",
		  a ? a->t : 0, e ? e->t : 0);
	CHECK_MSG(rig_count(&events, "exposure_start") == 1, "%d exposures for one software trigger",
		  rig_count(&events, "exposure_start"));
	rig_finish();
}

/* 5.5.1 "specifies a time for which the camera waits between receiving a trigger signal and starting the exposure" */
static void test_delay(void)
{
	uint64_t t0, seq;

	REQUIRE_MSG(scenario(&t0, &seq), "setup");
	REQUIRE_MSG(gc_set_float("TriggerDelay", 2500.0, NULL, 0), "TriggerDelay 2500 us");
	rig_do("line pulse 100000 at %" PRIu64, t0 + 1 * MS);
	rig_advance(10 * MS);
	rig_fetch(seq, &events);
	const struct io_event *e = rig_find(&events, "exposure_start", 0);
	CHECK_AT(t0 + 1 * MS + 2500 * US, e && e->t == t0 + 1 * MS + 2500 * US, "exposure at %" PRIu64 ", expected edge + 2.5 ms = %" PRIu64,
		  e ? e->t : 0, t0 + 1 * MS + 2500 * US);
	rig_finish();
}

/* 5.4.6 "allows the camera to be configured to only accept trigger signals from a specified source" */
static void test_source(void)
{
	static const struct { const char *src; int line_ok, sw_ok; } cases[] = {
		{ "Any", 1, 1 }, { "Line1", 1, 0 }, { "Software", 0, 1 },
	};
	uint64_t t0, seq;

	for (size_t i = 0; i < 3; i++) {
		REQUIRE_MSG(scenario(&t0, &seq), "setup");
		gc_execute("AcquisitionStop", NULL, 0);
		REQUIRE_MSG(gc_set_string("TriggerSource", cases[i].src, NULL, 0), "%s", cases[i].src);
		gc_execute("AcquisitionStart", NULL, 0);
		uint64_t t = io_time(session->io);
		seq = io_next_seq(session->io);
		rig_do("line pulse 100000 at %" PRIu64, t + 1 * MS);
		rig_advance(6 * MS);
		gc_execute("TriggerSoftware", NULL, 0);
		rig_advance(6 * MS);
		rig_fetch(seq, &events);
		int line_acc = 0, sw_acc = 0, line_rej = 0, sw_rej = 0;
		for (int k = 0; k < events.n; k++) {
			if (!strcmp(events.ev[k].kind, "trigger_accepted"))
				*(events.ev[k].a == 1 ? &line_acc : &sw_acc) += 1;
			if (!strcmp(events.ev[k].kind, "trigger_rejected") && !strcmp(events.ev[k].reason, "source"))
				*(events.ev[k].a == 1 ? &line_rej : &sw_rej) += 1;
		}
		CHECK_MSG(line_acc == cases[i].line_ok && line_rej == !cases[i].line_ok,
			  "TriggerSource %s: line edge accepted %d rejected %d", cases[i].src, line_acc, line_rej);
		CHECK_MSG(sw_acc == cases[i].sw_ok && sw_rej == !cases[i].sw_ok,
			  "TriggerSource %s: software trigger accepted %d rejected %d", cases[i].src, sw_acc, sw_rej);
		rig_finish();
	}
}

/* 5.5.2 "the time for which the trigger input has to be low in order for the next trigger signal to be accepted" */
static void test_debounce(void)
{
	uint64_t t0, seq;

	REQUIRE_MSG(scenario(&t0, &seq), "setup");
	REQUIRE_MSG(gc_set_float("TriggerDebouncer", 2000.0, NULL, 0), "TriggerDebouncer 2 ms");
	/* first pulse: the line was low long enough (since t0 - 1 ms... ) */
	uint64_t p1 = t0 + 5 * MS, p2 = p1 + 100 * US + 1999 * US, p3;
	rig_do("line pulse 100000 at %" PRIu64, p1);      /* high 100 us, low from p1+100us */
	rig_do("line pulse 100000 at %" PRIu64, p2);      /* after 1.999 ms low: too soon */
	p3 = p2 + 100 * US + 2000 * US;                     /* after exactly 2 ms low: accepted */
	rig_do("line pulse 100000 at %" PRIu64, p3);
	rig_advance(20 * MS);
	rig_fetch(seq, &events);
	const struct io_event *a0 = rig_find(&events, "trigger_accepted", 0);
	const struct io_event *a1 = rig_find(&events, "trigger_accepted", 1);
	const struct io_event *r = rejected(0);
	CHECK_AT(p1, a0 && a0->t == p1, "first pulse accepted at %" PRIu64 " (edge %" PRIu64 ")", a0 ? a0->t : 0, p1);
	CHECK_AT(p2, r && r->t == p2 && !strcmp(r->reason, "debounce"), "pulse after 1.999 ms low: %s at %" PRIu64,
		  r ? r->reason : "not rejected", r ? r->t : 0);
	CHECK_AT(p3, a1 && a1->t == p3, "pulse after 2.000 ms low accepted at %" PRIu64 " (edge %" PRIu64 ")",
		  a1 ? a1->t : 0, p3);
	rig_finish();
}

/* 5.5.3 "the time for which trigger pulses are ignored after accepting a trigger signal" */
static void test_mask(void)
{
	uint64_t t0, seq;

	REQUIRE_MSG(scenario(&t0, &seq), "setup");
	REQUIRE_MSG(gc_set_float("TriggerMask", 5000.0, NULL, 0), "TriggerMask 5 ms");
	uint64_t p1 = t0 + 1 * MS, p2 = p1 + 4999 * US, p3 = p1 + 5000 * US;
	rig_do("line wave %" PRIu64 " 1 %" PRIu64 " 0 %" PRIu64 " 1 %" PRIu64 " 0 %" PRIu64 " 1 %" PRIu64 " 0", p1,
	       p1 + 100 * US, p2, p2 + 0 + 500, p3, p3 + 100 * US);
	rig_advance(20 * MS);
	rig_fetch(seq, &events);
	const struct io_event *a0 = rig_find(&events, "trigger_accepted", 0);
	const struct io_event *a1 = rig_find(&events, "trigger_accepted", 1);
	const struct io_event *r = rejected(0);
	CHECK_AT(p1, a0 && a0->t == p1, "first pulse accepted");
	CHECK_AT(p2, r && r->t == p2 && !strcmp(r->reason, "mask"), "pulse 4.999 ms later: %s",
		  r ? r->reason : "not rejected");
	CHECK_AT(p3, a1 && a1->t == p3, "pulse 5.000 ms later accepted at %" PRIu64, a1 ? a1->t : 0);
	rig_finish();
}

/* 5.5.4 "the time for which trigger input has to be active in order to be accepted as a trigger signal" */
static void test_denoise(void)
{
	uint64_t t0, seq;

	REQUIRE_MSG(scenario(&t0, &seq), "setup");
	REQUIRE_MSG(gc_set_float("TriggerDenoise", 300.0, NULL, 0), "TriggerDenoise 300 us");
	uint64_t p1 = t0 + 1 * MS, p2 = t0 + 6 * MS;
	rig_do("line pulse 299999 at %" PRIu64, p1);   /* 1 ns too short */
	rig_do("line pulse 300000 at %" PRIu64, p2);   /* exactly long enough */
	rig_advance(15 * MS);
	rig_fetch(seq, &events);
	const struct io_event *r = rejected(0), *a = rig_find(&events, "trigger_accepted", 0);
	CHECK_AT(p1 + 299999, r && !strcmp(r->reason, "denoise") && r->t == p1 + 299999, "299.999 us pulse: %s at %" PRIu64,
		  r ? r->reason : "not rejected", r ? r->t : 0);
	CHECK_AT(p2 + 300 * US, a && a->t == p2 + 300 * US && accepted_count() == 1,
		  "300 us pulse recognised at %" PRIu64 " (expected edge + 300 us = %" PRIu64 "), %d accepted",
		  a ? a->t : 0, p2 + 300 * US, accepted_count());
	rig_finish();
}

/* 5.4.7 Off: "The next trigger pulse is only accepted once the previous frame has been read out from the sensor" */
static void test_overlap_off(void)
{
	uint64_t t0, seq;

	REQUIRE_MSG(scenario(&t0, &seq), "setup");
	rig_do("line pulse 100000 at %" PRIu64, t0 + 1 * MS);
	rig_advance(1 * MS + 10);
	rig_advance(9 * MS);
	rig_fetch(seq, &events);
	const struct io_event *ro = rig_find(&events, "readout_end", 0);
	REQUIRE_MSG(ro, "first frame not read out");
	/* one trigger 1 ns before readout end, one exactly at it */
	gc_execute("AcquisitionStop", NULL, 0);
	gc_execute("AcquisitionStart", NULL, 0);
	uint64_t t = io_time(session->io) + 1 * MS;
	seq = io_next_seq(session->io);
	uint64_t ro_len = ro->t - (t0 + 1 * MS);   /* exposure + readout of one frame */
	rig_do("line pulse 100000 at %" PRIu64, t);
	rig_do("line pulse 100000 at %" PRIu64, t + ro_len - 1);
	rig_do("line pulse 100000 at %" PRIu64, t + ro_len + 200 * US);
	rig_advance(20 * MS);
	rig_fetch(seq, &events);
	const struct io_event *r = rejected(0), *a1 = rig_find(&events, "trigger_accepted", 1);
	CHECK_AT(t + ro_len - 1, r && !strcmp(r->reason, "overlap") && r->t == t + ro_len - 1,
		  "trigger 1 ns before readout end: %s", r ? r->reason : "not rejected");
	CHECK_AT(t + ro_len + 200 * US, a1 && a1->t == t + ro_len + 200 * US, "trigger after readout end not accepted");
	rig_finish();
}

/* 5.4.7 Readout: "The next trigger pulse is accepted during readout as long as the remaining readout time is shorter than the exposure time" */
static void test_overlap_readout(void)
{
	uint64_t t0, seq;
	char err[256] = "";

	REQUIRE_MSG(scenario(&t0, &seq), "setup");
	gc_execute("AcquisitionStop", NULL, 0);
	/* a long readout (full height) and a 5 ms exposure; overlap needs low-latency mode off (5.4.8) */
	REQUIRE_MSG(gc_set_int("Height", 2160, err, sizeof(err)), "%s", err);
	REQUIRE_MSG(gc_set_float("ExposureTime", 5000.0, err, sizeof(err)), "%s", err);
	REQUIRE_MSG(gc_set_int("IMXLowLatencyMode", 0, err, sizeof(err)), "%s", err);
	REQUIRE_MSG(gc_set_string("TriggerOverlap", "Readout", err, sizeof(err)), "%s", err);
	gc_execute("AcquisitionStart", NULL, 0);
	uint64_t t = io_time(session->io) + 1 * MS;
	seq = io_next_seq(session->io);
	rig_do("line pulse 100000 at %" PRIu64, t);
	rig_advance(2 * MS);
	rig_fetch(seq, &events);
	const struct io_event *es = rig_find(&events, "exposure_start", 0);
	REQUIRE_MSG(es, "first frame did not start");
	/* readout of a full-height frame follows the exposure; measure it on this frame */
	uint64_t exp_end = es->t + 5000 * US;
	rig_advance(exp_end - io_time(session->io) + 40 * MS);
	rig_fetch(seq, &events);
	const struct io_event *ro = rig_find(&events, "readout_end", 0);
	REQUIRE_MSG(ro, "first frame not read out");
	uint64_t ro_len = ro->t - exp_end;
	CHECK_MSG(ro_len > 5 * MS, "readout of 2160 lines takes only %" PRIu64 " ns", ro_len);
	/* second frame: the same timing, then triggers placed against its exposure and readout */
	gc_execute("AcquisitionStop", NULL, 0);
	gc_execute("AcquisitionStart", NULL, 0);
	t = io_time(session->io) + 1 * MS;
	seq = io_next_seq(session->io);
	rig_do("line pulse 100000 at %" PRIu64, t);
	rig_advance(2 * MS);
	rig_fetch(seq, &events);
	es = rig_find(&events, "exposure_start", 0);
	REQUIRE_MSG(es, "second frame did not start");
	exp_end = es->t + 5000 * US;
	uint64_t ro_end = exp_end + ro_len;
	uint64_t during_exposure = exp_end - 1 * MS;
	uint64_t too_early = ro_end - 5 * MS;            /* 5 ms of readout left: not shorter than the exposure */
	uint64_t just_in = ro_end - 5 * MS + 1000;       /* 4.999 ms left */
	rig_do("line wave %" PRIu64 " 1 %" PRIu64 " 0 %" PRIu64 " 1 %" PRIu64 " 0 %" PRIu64 " 1 %" PRIu64 " 0",
	       during_exposure, during_exposure + 500, too_early, too_early + 500, just_in, just_in + 500);
	rig_advance(ro_end - io_time(session->io) + 40 * MS);
	rig_fetch(seq, &events);
	const struct io_event *r0 = rejected(0), *r1 = rejected(1), *a1 = rig_find(&events, "trigger_accepted", 1);
	CHECK_AT(during_exposure, r0 && r0->t == during_exposure && !strcmp(r0->reason, "overlap"), "trigger during exposure: %s",
		  r0 ? r0->reason : "not rejected");
	CHECK_AT(too_early, r1 && r1->t == too_early && !strcmp(r1->reason, "overlap"),
		  "trigger with 5 ms readout left (exposure 5 ms): %s", r1 ? r1->reason : "not rejected");
	CHECK_AT(just_in, a1 && a1->t == just_in, "trigger with 4.999 ms readout left (exposure 5 ms) not accepted");
	gc_set_string("TriggerOverlap", "Off", NULL, 0);
	gc_set_int("Height", 64, NULL, 0);
	rig_finish();
}

/* 5.4.8 "If IMX Low-Latency Mode is enabled, Trigger Overlap is not allowed and is thereby forced to Off." */
static void test_low_latency_forces_overlap_off(void)
{
	char s[64] = "", err[256] = "";

	gc_execute("AcquisitionStop", NULL, 0);
	REQUIRE_MSG(gc_set_int("IMXLowLatencyMode", 0, err, sizeof(err)), "%s", err);
	REQUIRE_MSG(gc_set_string("TriggerOverlap", "Readout", err, sizeof(err)), "%s", err);
	REQUIRE_MSG(gc_set_int("IMXLowLatencyMode", 1, err, sizeof(err)), "%s", err);
	gc_get_string("TriggerOverlap", s, sizeof(s), NULL, 0);
	CHECK_MSG(!strcmp(s, "Off"), "TriggerOverlap reads '%s' with IMXLowLatencyMode", s);
	CHECK_MSG(!gc_set_string("TriggerOverlap", "Readout", err, sizeof(err)), "TriggerOverlap Readout accepted");
	gc_set_int("IMXLowLatencyMode", 0, NULL, 0);
	gc_set_string("TriggerOverlap", "Off", NULL, 0);
}

/* Six line triggers at different phases against the sensor (10 ms apart plus i x 3.333 us), with
 * TriggerDelay 100 us and IMXLowLatencyMode as given: edge-to-exposure delay of each in `delay`. */
static bool phased_trigger_delays(bool low_latency, uint64_t delay[6])
{
	uint64_t t0, seq;

	if (!scenario(&t0, &seq)) {   /* IMXLowLatencyMode True */
		CHECK_MSG(0, "setup");
		return false;
	}
	gc_execute("AcquisitionStop", NULL, 0);
	if (!low_latency && !gc_set_int("IMXLowLatencyMode", 0, NULL, 0)) {
		CHECK_MSG(0, "IMXLowLatencyMode 0");
		return false;
	}
	if (!gc_set_float("TriggerDelay", 100.0, NULL, 0)) {
		CHECK_MSG(0, "TriggerDelay");
		return false;
	}
	gc_execute("AcquisitionStart", NULL, 0);
	uint64_t t = io_time(session->io);
	seq = io_next_seq(session->io);
	for (int i = 0; i < 6; i++)
		rig_do("line pulse 50000 at %" PRIu64, t + (uint64_t)(i + 1) * 10 * MS + (uint64_t)i * 3333);
	rig_advance(80 * MS);
	rig_fetch(seq, &events);
	for (int i = 0; i < 6; i++) {
		const struct io_event *a = rig_find(&events, "trigger_accepted", i), *e = rig_find(&events, "exposure_start", i);
		if (!a || !e) {
			CHECK_MSG(0, "trigger %d: accepted %s, exposure %s", i, a ? "yes" : "no", e ? "yes" : "no");
			return false;
		}
		delay[i] = e->t - a->t;
	}
	return true;
}

/* 5.4.8 False: "Delay between trigger input and start of exposure is the time configured by the Trigger Delay feature in addition to a random delay" */
static void test_low_latency_off_adds_delay(void)
{
	uint64_t delay[6];
	bool varies = false;

	if (phased_trigger_delays(false, delay)) {
		for (int i = 0; i < 6; i++) {
			CHECK_MSG(delay[i] >= 100 * US && delay[i] - 100 * US < 100 * US,
				  "trigger %d: exposure %" PRIu64 " ns after the edge (TriggerDelay 100 us)", i, delay[i]);
			if (i && delay[i] != delay[0])
				varies = true;
		}
		CHECK_MSG(varies, "the extra delay never varies with the timing of the trigger");
	}
	rig_finish();
}

/* 5.4.8 True: "Delay between trigger input and start of exposure is exactly as configured through the Trigger
 * Delay feature" -- whatever the timing of the edge relative to the sensor (the phases of the test above). */
static void test_low_latency_on_exact_delay(void)
{
	uint64_t delay[6];

	if (phased_trigger_delays(true, delay))
		for (int i = 0; i < 6; i++)
			CHECK_MSG(delay[i] == 100 * US, "trigger %d: exposure %" PRIu64 " ns after the edge (TriggerDelay 100 us)",
				  i, delay[i]);
	rig_finish();
}

/* 5.4.4 ExposureActive: "The exposure time is controlled by the pulse length on the TRIGGER_IN pin" */
static void test_exposure_active(void)
{
	uint64_t t0, seq;

	REQUIRE_MSG(scenario(&t0, &seq), "setup");
	gc_execute("AcquisitionStop", NULL, 0);
	REQUIRE_MSG(gc_set_string("TriggerSelector", "ExposureActive", NULL, 0), "ExposureActive");
	REQUIRE_MSG(gc_set_float("TriggerDelay", 250.0, NULL, 0), "TriggerDelay");
	gc_execute("AcquisitionStart", NULL, 0);
	uint64_t t = io_time(session->io) + 1 * MS;
	seq = io_next_seq(session->io);
	rig_do("line pulse 3456789 at %" PRIu64, t);
	rig_advance(20 * MS);
	rig_fetch(seq, &events);
	const struct io_event *s = rig_find(&events, "exposure_start", 0), *e = rig_find(&events, "exposure_end", 0);
	CHECK_AT(t + 250 * US, s && s->t == t + 250 * US, "exposure start %" PRIu64 ", expected edge + 250 us", s ? s->t : 0);
	CHECK_MSG(s && e && e->t - s->t == 3456789, "exposure lasted %" PRIu64 " ns, the pulse 3456789 ns",
		  s && e ? e->t - s->t : 0);
	gc_set_string("TriggerSelector", "FrameStart", NULL, 0);
	rig_finish();
}

/* 5.4.5 "configured to take more than one image per trigger pulse ... The images are taken as rapidly as possible
 * given current settings (i.e. as limited by the current exposure time and frame rate settings)." */
static void test_burst(void)
{
	uint64_t t0, seq;
	double fps = 0;

	REQUIRE_MSG(scenario(&t0, &seq), "setup");
	gc_execute("AcquisitionStop", NULL, 0);
	REQUIRE_MSG(gc_set_int("AcquisitionBurstFrameCount", 4, NULL, 0), "AcquisitionBurstFrameCount 4");
	REQUIRE_MSG(gc_set_float("AcquisitionFrameRate", 200.0, NULL, 0), "AcquisitionFrameRate 200");
	gc_get_float("AcquisitionFrameRate", &fps, NULL, 0);
	gc_execute("AcquisitionStart", NULL, 0);
	uint64_t t = io_time(session->io) + 1 * MS;
	seq = io_next_seq(session->io);
	rig_do("line pulse 100000 at %" PRIu64, t);
	rig_advance(60 * MS);
	rig_fetch(seq, &events);
	uint64_t period = (uint64_t)llround(1e9 / fps);
	CHECK_MSG(rig_count(&events, "exposure_start") == 4 && accepted_count() == 1, "%d exposures for %d trigger(s)",
		  rig_count(&events, "exposure_start"), accepted_count());
	for (int i = 0; i < 4; i++) {
		const struct io_event *e = rig_find(&events, "exposure_start", i);
		CHECK_AT(t + (uint64_t)i * period, e && e->t == t + (uint64_t)i * period, "burst frame %d at %" PRIu64 ", expected %" PRIu64, i,
			  e ? e->t : 0, t + (uint64_t)i * period);
	}
	/* an exposure longer than the frame period limits the burst instead: the next exposure starts when the
	 * previous one ends, at the latest one readout later ("as limited by the current exposure time") */
	gc_execute("AcquisitionStop", NULL, 0);
	REQUIRE_MSG(gc_set_int("AcquisitionBurstFrameCount", 3, NULL, 0), "AcquisitionBurstFrameCount 3");
	REQUIRE_MSG(gc_set_float("ExposureTime", 8000.0, NULL, 0), "ExposureTime 8 ms");
	gc_get_float("AcquisitionFrameRate", &fps, NULL, 0);
	period = (uint64_t)llround(1e9 / fps);
	uint64_t limit = period > 8000 * US ? period : 8000 * US;
	gc_execute("AcquisitionStart", NULL, 0);
	t = io_time(session->io) + 1 * MS;
	seq = io_next_seq(session->io);
	rig_do("line pulse 100000 at %" PRIu64, t);
	rig_advance(60 * MS);
	rig_fetch(seq, &events);
	CHECK_MSG(rig_count(&events, "exposure_start") == 3 && accepted_count() == 1,
		  "exposure 8 ms: %d exposures for %d trigger(s)", rig_count(&events, "exposure_start"), accepted_count());
	for (int i = 1; i < 3; i++) {
		const struct io_event *p = rig_find(&events, "exposure_start", i - 1), *e = rig_find(&events, "exposure_start", i);
		const struct io_event *rs = rig_find(&events, "readout_start", i - 1), *re = rig_find(&events, "readout_end", i - 1);
		REQUIRE_MSG(p && e && rs && re, "exposure 8 ms: burst frame %d or the readout before it missing", i);
		uint64_t gap = e->t - p->t, readout = re->t - rs->t;
		CHECK_MSG(gap >= limit && gap <= limit + readout,
			  "exposure 8 ms at %.3f fps: burst frame %d %" PRIu64 " ns after the previous one, expected %" PRIu64
			  " .. %" PRIu64 " (one readout %" PRIu64 " ns)",
			  fps, i, gap, limit, limit + readout, readout);
	}
	gc_set_int("AcquisitionBurstFrameCount", 1, NULL, 0);
	rig_finish();
}

/* Triggered frames arrive with the leader timestamp of their exposure start. */
static void test_triggered_frames_delivered(void)
{
	uint64_t t0, seq;
	struct stream_reader sr;
	struct stream_frame *f;

	REQUIRE_MSG(scenario(&t0, &seq), "setup");
	REQUIRE_MSG(stream_open(&sr, session->x, &session->gc, session->sirm, session->dev.u3v.ep_stream, 4) == 0, "stream");
	rig_do("line pulse 100000 at %" PRIu64 " count 3 period 5000000", t0 + 1 * MS);
	rig_advance(30 * MS);
	rig_fetch(seq, &events);
	for (int i = 0; i < 3; i++) {
		const struct io_event *e = rig_find(&events, "exposure_start", i);
		int rc = stream_next(&sr, &f, 2000);
		CHECK_MSG(rc == 0 && f->complete, "frame %d: %d", i, rc);
		if (rc == 0 && e)
			CHECK_MSG(f->leader.timestamp == e->t && (int64_t)f->leader.block_id == e->a,
				  "frame %d: leader block %" PRIu64 " at %" PRIu64 ", exposure of block %" PRId64 " at %" PRIu64,
				  i, f->leader.block_id, f->leader.timestamp, e->a, e->t);
	}
	stream_close(&sr);
	rig_finish();
}

void suite_trigger_register(const char *name)
{
	CU_pSuite s = CU_add_suite(name, rig_suite_init, NULL);

	CU_add_test(s, "trigger_mode_off", test_mode_off);
	CU_add_test(s, "trigger_activation_edges", test_activation);
	CU_add_test(s, "software_trigger_not_delayed", test_software_not_delayed);
	CU_add_test(s, "trigger_delay", test_delay);
	CU_add_test(s, "trigger_source", test_source);
	CU_add_test(s, "trigger_debouncer", test_debounce);
	CU_add_test(s, "trigger_mask", test_mask);
	CU_add_test(s, "trigger_denoise", test_denoise);
	CU_add_test(s, "trigger_overlap_off", test_overlap_off);
	CU_add_test(s, "trigger_overlap_readout", test_overlap_readout);
	CU_add_test(s, "low_latency_forces_overlap_off", test_low_latency_forces_overlap_off);
	CU_add_test(s, "low_latency_off_adds_delay", test_low_latency_off_adds_delay);
	CU_add_test(s, "low_latency_on_exact_delay", test_low_latency_on_exact_delay);
	CU_add_test(s, "exposure_active_pulse_width", test_exposure_active);
	CU_add_test(s, "burst_frame_count", test_burst);
	CU_add_test(s, "triggered_frames_delivered", test_triggered_frames_delivered);
}
