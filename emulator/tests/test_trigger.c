/* SPDX-License-Identifier: MIT */
/* camera/trigger: the trigger engine alone (manual 5.4, 5.5), on the real
 * device scheduler with a paused clock, against a fake acquisition. Each rule
 * is checked at its boundary to the nanosecond; the expected times come from
 * the rules (fixtures/dfk38ux267/rules.ini, docs/manual-quirks.md 37-46) and
 * the rig's sensor timing, never from the engine. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../camera/trigger.h"
#include "engine_rig.h"
#include "tests.h"

#define MAX_CALLS 64

/* The acquisition as the trigger engine sees it. */
static struct {
	bool acquiring;                /* can_accept */
	bool in_flight;                /* last_frame: a frame is in flight ... */
	uint64_t exposure_end, readout_end;   /* ... with these times (exposure_end 0: still exposing) */
	uint64_t frames_left;          /* expose starts nothing once 0 */
	uint64_t block_id;
	unsigned n_exposed, n_closed;
	struct {
		uint64_t t, exposure_ns, block_id;
	} exposed[MAX_CALLS];
	struct {
		uint64_t block_id, t;
	} closed[MAX_CALLS];
} A;

static bool fake_can_accept(void *ctx)
{
	(void)ctx;
	return A.acquiring;
}

static bool fake_last_frame(void *ctx, uint64_t *exposure_end, uint64_t *readout_end)
{
	(void)ctx;
	*exposure_end = A.exposure_end;
	*readout_end = A.readout_end;
	return A.in_flight;
}

static uint64_t fake_expose(void *ctx, uint64_t t, uint64_t exposure_ns)
{
	(void)ctx;
	if (A.frames_left == 0)
		return 0;
	A.frames_left--;
	A.block_id++;
	if (A.n_exposed < MAX_CALLS) {
		A.exposed[A.n_exposed].t = t;
		A.exposed[A.n_exposed].exposure_ns = exposure_ns;
		A.exposed[A.n_exposed++].block_id = A.block_id;
	}
	return A.block_id;
}

static void fake_close(void *ctx, uint64_t block_id, uint64_t t)
{
	(void)ctx;
	if (A.n_closed < MAX_CALLS) {
		A.closed[A.n_closed].block_id = block_id;
		A.closed[A.n_closed++].t = t;
	}
}

static const struct trigger_ops fake_ops = {
	.can_accept = fake_can_accept,
	.last_frame = fake_last_frame,
	.expose = fake_expose,
	.close = fake_close,
};

static struct engine_rig *R;
static struct trigger T;
static struct trigger_settings S;

/* Factory trigger timing (5.5: all 0) in trigger mode, with low-latency mode on so that exposure
 * starts exactly TriggerDelay after the trigger (5.4.8), a 1 ms exposure at 100 fps, and a
 * 1000 x 100 readout. */
static void setup(void)
{
	memset(&A, 0, sizeof(A));
	A.acquiring = true;
	A.frames_left = UINT64_MAX;
	S = (struct trigger_settings){
		.mode_on = true,
		.sources = TRIGGER_FROM_ANY,
		.low_latency = true,
		.burst_count = 1,
		.exposure_ns = 1 * MS,
		.frame_rate = 100.0,
		.readout = { .width = 1000, .height = 100, .binning_h = 1, .binning_v = 1, .decimation_h = 1,
			     .decimation_v = 1, .pfnc = 0x01080001, .bits_per_pixel = 8 },
	};
	R = rig_new();
	if (!R)
		return;
	trigger_init(&T, &R->sched, &R->log, &rig_sensor, 1, &fake_ops, NULL);
	trigger_configure(&T, &S);
	trigger_reset(&T);
}

static void teardown(void)
{
	if (R)
		trigger_reset(&T);
	rig_free(R);
	R = NULL;
}

static void configure(void) { trigger_configure(&T, &S); }

/* TriggerSoftware executed at device time `t` (the clock moves there first). */
static void software_at(uint64_t t)
{
	rig_run_until(R, t);
	trigger_software(&T, t);
}

/* A high pulse of `width` ns on TRIGGER_IN at `at`. */
static void pulse(uint64_t at, uint64_t width)
{
	ASSERT_INT(trigger_line_schedule(&T, at, 1), 0);
	ASSERT_INT(trigger_line_schedule(&T, at + width, 0), 0);
}

static void assert_exposed(unsigned n, uint64_t t, uint64_t exposure_ns, unsigned line)
{
	test_assert_int(n < A.n_exposed, 1, line, __FILE__, "exposure started");
	if (n < A.n_exposed) {
		test_assert_int((long long)A.exposed[n].t, (long long)t, line, __FILE__, "exposure start");
		test_assert_int((long long)A.exposed[n].exposure_ns, (long long)exposure_ns, line, __FILE__,
				"exposure length");
	}
}
#define ASSERT_EXPOSED(n, t, len) assert_exposed((n), (t), (len), __LINE__)

/* 5.4.1: with TriggerMode Off neither source triggers. */
static void test_trigger_mode_off(void)
{
	CU_ASSERT_FATAL(R != NULL);
	S.mode_on = false;
	configure();
	pulse(1 * MS, 100 * US);
	software_at(2 * MS);
	ASSERT_EVENT(R, EV_TRIGGER_SEEN, 0, 1 * MS, TRIG_SRC_LINE1, RIG_ANY);
	ASSERT_EVENT(R, EV_TRIGGER_REJECTED, 0, 1 * MS, TRIG_SRC_LINE1, REJ_TRIGGER_MODE_OFF);
	ASSERT_EVENT(R, EV_TRIGGER_REJECTED, 1, 2 * MS, TRIG_SRC_SOFTWARE, REJ_TRIGGER_MODE_OFF);
	ASSERT_INT(A.n_exposed, 0);
	ASSERT_INT(trigger_stats(&T)->rejected, 2);
}

/* A trigger while the acquisition is not running (or free running) is refused. */
static void test_trigger_not_acquiring(void)
{
	CU_ASSERT_FATAL(R != NULL);
	A.acquiring = false;
	software_at(0);
	ASSERT_EVENT(R, EV_TRIGGER_REJECTED, 0, 0, TRIG_SRC_SOFTWARE, REJ_NOT_ACQUIRING);
	ASSERT_INT(A.n_exposed, 0);
}

/* 5.4.2 RisingEdge: the rising edge triggers, the falling one does not; 5.5.1 with delay 0 and
 * 5.4.8 low latency the exposure starts at the edge. TRIGGER_IN reads as driven (5.6.1). */
static void test_trigger_rising_edge(void)
{
	CU_ASSERT_FATAL(R != NULL);
	ASSERT_INT(trigger_level(&T), 0);
	pulse(1 * MS, 500 * US);
	rig_run_until(R, 1 * MS);
	ASSERT_INT(trigger_level(&T), 1);
	rig_run_until(R, 6 * MS);
	ASSERT_INT(trigger_level(&T), 0);
	ASSERT_EVENT(R, EV_TRIGGER_IN, 0, 1 * MS, 1, 0);
	ASSERT_EVENT(R, EV_TRIGGER_IN, 1, 1 * MS + 500 * US, 0, 0);
	ASSERT_EVENT(R, EV_TRIGGER_ACCEPTED, 0, 1 * MS, TRIG_SRC_LINE1, 1 * MS);
	ASSERT_INT(rig_count(R, EV_TRIGGER_SEEN), 1);
	ASSERT_INT(A.n_exposed, 1);
	ASSERT_EXPOSED(0, 1 * MS, 1 * MS);
}

/* 5.4.2 FallingEdge: the falling edge of the pulse triggers. */
static void test_trigger_falling_edge(void)
{
	CU_ASSERT_FATAL(R != NULL);
	S.falling_edge = true;
	configure();
	pulse(1 * MS, 500 * US);
	rig_run_until(R, 6 * MS);
	ASSERT_EVENT(R, EV_TRIGGER_ACCEPTED, 0, 1 * MS + 500 * US, TRIG_SRC_LINE1, 1 * MS + 500 * US);
	ASSERT_INT(rig_count(R, EV_TRIGGER_ACCEPTED), 1);
	ASSERT_EXPOSED(0, 1 * MS + 500 * US, 1 * MS);
}

/* 5.4.6: Any takes both sources, Line1 only TRIGGER_IN, Software only TriggerSoftware. */
static void test_trigger_source(void)
{
	static const struct {
		enum trigger_sources sources;
		bool line_ok, software_ok;
	} cases[] = {
		{ TRIGGER_FROM_ANY, true, true },
		{ TRIGGER_FROM_LINE1, true, false },
		{ TRIGGER_FROM_SOFTWARE, false, true },
	};

	CU_ASSERT_FATAL(R != NULL);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t t = (uint64_t)i * 100 * MS;
		uint64_t accepted = trigger_stats(&T)->accepted;
		S.sources = cases[i].sources;
		configure();
		pulse(t + 1 * MS, 100 * US);
		rig_run_until(R, t + 20 * MS);
		ASSERT_INT(trigger_stats(&T)->accepted - accepted, cases[i].line_ok);
		software_at(t + 50 * MS);
		rig_run_until(R, t + 60 * MS);
		ASSERT_INT(trigger_stats(&T)->accepted - accepted, cases[i].line_ok + cases[i].software_ok);
	}
	ASSERT_INT(trigger_stats(&T)->rejected_by[REJ_SOURCE], 2);
	ASSERT_EVENT(R, EV_TRIGGER_REJECTED, 0, 150 * MS, TRIG_SRC_SOFTWARE, REJ_SOURCE);
	ASSERT_EVENT(R, EV_TRIGGER_REJECTED, 1, 201 * MS, TRIG_SRC_LINE1, REJ_SOURCE);
}

/* 5.5.1: TriggerDelay between a TRIGGER_IN trigger and exposure start, exactly (5.4.8 True). */
static void test_trigger_delay(void)
{
	CU_ASSERT_FATAL(R != NULL);
	S.delay_ns = 2500 * US;
	configure();
	pulse(1 * MS, 100 * US);
	rig_run_until(R, 3500 * US - 1);
	ASSERT_INT(A.n_exposed, 0);
	rig_run_until(R, 10 * MS);
	ASSERT_EVENT(R, EV_TRIGGER_ACCEPTED, 0, 1 * MS, TRIG_SRC_LINE1, 3500 * US);
	ASSERT_EXPOSED(0, 3500 * US, 1 * MS);
}

/* 5.5.1: "Simulated trigger pulses generated through the Software Trigger function are not delayed". */
static void test_trigger_software_not_delayed(void)
{
	CU_ASSERT_FATAL(R != NULL);
	S.delay_ns = 1000000 * US;   /* 1 s */
	configure();
	software_at(2 * MS);
	rig_run_until(R, 3 * MS);
	ASSERT_EVENT(R, EV_TRIGGER_SEEN, 0, 2 * MS, TRIG_SRC_SOFTWARE, RIG_ANY);
	ASSERT_EVENT(R, EV_TRIGGER_ACCEPTED, 0, 2 * MS, TRIG_SRC_SOFTWARE, 2 * MS);
	ASSERT_INT(A.n_exposed, 1);
	ASSERT_EXPOSED(0, 2 * MS, 1 * MS);
}

/* 5.4.8 False: TriggerDelay plus a delay that depends on the resolution and on the trigger's timing
 * against the sensor's line clock: here at least one line (10 us + 1000 columns x 1 ns) and less
 * than two, and not the same for every phase. */
static void test_trigger_low_latency_off(void)
{
	const uint64_t line = rig_sensor.row_ns + 1000 * rig_sensor.row_per_col_ps / 1000;
	bool varies = false;

	CU_ASSERT_FATAL(R != NULL);
	S.low_latency = false;
	S.delay_ns = 100 * US;
	configure();
	for (unsigned i = 0; i < 6; i++)
		pulse((i + 1) * 10 * MS + i * 3333, 50 * US);
	rig_run_until(R, 80 * MS);
	ASSERT_INT(A.n_exposed, 6);
	for (unsigned i = 0; i < 6 && i < A.n_exposed; i++) {
		uint64_t edge = (i + 1) * 10 * MS + i * 3333, delay = A.exposed[i].t - edge;
		CU_ASSERT(delay >= S.delay_ns + line && delay < S.delay_ns + 2 * line);
		ASSERT_EVENT(R, EV_TRIGGER_ACCEPTED, (int)i, edge, TRIG_SRC_LINE1, (int64_t)A.exposed[i].t);
		if (i && A.exposed[i].t - edge != A.exposed[0].t - 10 * MS)
			varies = true;
	}
	CU_ASSERT(varies);
}

/* 5.5.2 (docs/manual-quirks.md 45): an active edge counts only after the line was inactive for
 * TriggerDebouncer; 1.999 ms is too short for 2 ms, 2.000 ms is enough. */
static void test_trigger_debounce(void)
{
	const uint64_t p1 = 5 * MS, p2 = p1 + 100 * US + 1999 * US, p3 = p2 + 100 * US + 2000 * US;

	CU_ASSERT_FATAL(R != NULL);
	S.debounce_ns = 2000 * US;
	configure();
	pulse(p1, 100 * US);
	pulse(p2, 100 * US);
	pulse(p3, 100 * US);
	rig_run_until(R, 20 * MS);
	ASSERT_EVENT(R, EV_TRIGGER_ACCEPTED, 0, p1, TRIG_SRC_LINE1, p1);
	ASSERT_EVENT(R, EV_TRIGGER_REJECTED, 0, p2, TRIG_SRC_LINE1, REJ_DEBOUNCE);
	ASSERT_EVENT(R, EV_TRIGGER_ACCEPTED, 1, p3, TRIG_SRC_LINE1, p3);
	ASSERT_INT(A.n_exposed, 2);
}

/* 5.5.2 with FallingEdge: "low" is the inactive level, which is high here. */
static void test_trigger_debounce_falling_edge(void)
{
	CU_ASSERT_FATAL(R != NULL);
	S.falling_edge = true;
	S.debounce_ns = 1000 * US;
	configure();
	/* the line rests high (inactive) from 1 ms; falling edges after 999.999 us and 1 ms high */
	ASSERT_INT(trigger_line_schedule(&T, 1 * MS, 1), 0);
	ASSERT_INT(trigger_line_schedule(&T, 2 * MS - 1, 0), 0);
	ASSERT_INT(trigger_line_schedule(&T, 3 * MS, 1), 0);
	ASSERT_INT(trigger_line_schedule(&T, 4 * MS, 0), 0);
	rig_run_until(R, 10 * MS);
	ASSERT_EVENT(R, EV_TRIGGER_REJECTED, 0, 2 * MS - 1, TRIG_SRC_LINE1, REJ_DEBOUNCE);
	ASSERT_EVENT(R, EV_TRIGGER_ACCEPTED, 0, 4 * MS, TRIG_SRC_LINE1, 4 * MS);
	ASSERT_INT(rig_count(R, EV_TRIGGER_ACCEPTED), 1);
}

/* 5.5.3: pulses within TriggerMask after an accepted trigger are ignored; 4.999 ms after is within
 * 5 ms, 5.000 ms after is not. */
static void test_trigger_mask(void)
{
	const uint64_t p1 = 1 * MS, p2 = p1 + 4999 * US, p3 = p1 + 5000 * US;

	CU_ASSERT_FATAL(R != NULL);
	S.mask_ns = 5000 * US;
	configure();
	pulse(p1, 100 * US);
	pulse(p2, 500);
	pulse(p3, 100 * US);
	rig_run_until(R, 20 * MS);
	ASSERT_EVENT(R, EV_TRIGGER_ACCEPTED, 0, p1, TRIG_SRC_LINE1, p1);
	ASSERT_EVENT(R, EV_TRIGGER_REJECTED, 0, p2, TRIG_SRC_LINE1, REJ_MASK);
	ASSERT_EVENT(R, EV_TRIGGER_ACCEPTED, 1, p3, TRIG_SRC_LINE1, p3);
	/* software triggers are not filtered (docs/manual-quirks.md 46) */
	pulse(22 * MS, 100 * US);
	software_at(21 * MS);
	rig_run_until(R, 40 * MS);
	ASSERT_EVENT(R, EV_TRIGGER_ACCEPTED, 2, 21 * MS, TRIG_SRC_SOFTWARE, 21 * MS);
	ASSERT_EVENT(R, EV_TRIGGER_ACCEPTED, 3, 22 * MS, TRIG_SRC_LINE1, 22 * MS);
}

/* 5.5.4: the line must stay active for TriggerDenoise; a pulse 1 ns short is refused when it ends,
 * one exactly long enough is recognised TriggerDenoise after its edge. */
static void test_trigger_denoise(void)
{
	const uint64_t p1 = 1 * MS, p2 = 6 * MS;

	CU_ASSERT_FATAL(R != NULL);
	S.denoise_ns = 300 * US;
	configure();
	pulse(p1, 300 * US - 1);
	pulse(p2, 300 * US);
	rig_run_until(R, 15 * MS);
	ASSERT_EVENT(R, EV_TRIGGER_REJECTED, 0, p1 + 300 * US - 1, TRIG_SRC_LINE1, REJ_DENOISE);
	ASSERT_EVENT(R, EV_TRIGGER_ACCEPTED, 0, p2 + 300 * US, TRIG_SRC_LINE1, p2 + 300 * US);
	ASSERT_INT(rig_count(R, EV_TRIGGER_ACCEPTED), 1);
	ASSERT_EXPOSED(0, p2 + 300 * US, 1 * MS);
	/* a long pulse is recognised while still active */
	pulse(20 * MS, 5 * MS);
	rig_run_until(R, 20 * MS + 300 * US);
	ASSERT_EVENT(R, EV_TRIGGER_ACCEPTED, 1, 20 * MS + 300 * US, TRIG_SRC_LINE1, 20 * MS + 300 * US);
	rig_run_until(R, 30 * MS);
}

/* 5.4.7 Off: "The next trigger pulse is only accepted once the previous frame has been read out". */
static void test_trigger_overlap_off(void)
{
	CU_ASSERT_FATAL(R != NULL);
	A.in_flight = true;
	A.exposure_end = 0;   /* still exposing */
	software_at(1 * MS);
	A.exposure_end = 2 * MS;
	A.readout_end = 3 * MS;
	software_at(2 * MS - 1);   /* exposing */
	software_at(2 * MS);       /* reading out */
	software_at(3 * MS - 1);   /* 1 ns before the readout ends */
	ASSERT_INT(trigger_stats(&T)->rejected_by[REJ_OVERLAP], 4);
	ASSERT_EVENT(R, EV_TRIGGER_REJECTED, 3, 3 * MS - 1, TRIG_SRC_SOFTWARE, REJ_OVERLAP);
	software_at(3 * MS);       /* read out */
	ASSERT_EVENT(R, EV_TRIGGER_ACCEPTED, 0, 3 * MS, TRIG_SRC_SOFTWARE, 3 * MS);
}

/* 5.4.7 Readout: accepted during readout "as long as the remaining readout time is shorter than the
 * exposure time" (docs/manual-quirks.md 41), never during exposure. */
static void test_trigger_overlap_readout(void)
{
	const uint64_t exp_end = 10 * MS, ro_end = 18 * MS;

	CU_ASSERT_FATAL(R != NULL);
	S.overlap_readout = true;
	S.low_latency = false;   /* 5.4.8: overlap needs low-latency mode off */
	S.exposure_ns = 5 * MS;
	configure();
	A.in_flight = true;
	A.exposure_end = exp_end;
	A.readout_end = ro_end;
	software_at(exp_end - 1 * MS);        /* during exposure */
	software_at(ro_end - 5 * MS);         /* 5 ms of readout left: not shorter than 5 ms */
	ASSERT_EVENT(R, EV_TRIGGER_REJECTED, 0, exp_end - 1 * MS, TRIG_SRC_SOFTWARE, REJ_OVERLAP);
	ASSERT_EVENT(R, EV_TRIGGER_REJECTED, 1, ro_end - 5 * MS, TRIG_SRC_SOFTWARE, REJ_OVERLAP);
	software_at(ro_end - 5 * MS + 1);     /* 1 ns less left */
	ASSERT_EVENT(R, EV_TRIGGER_ACCEPTED, 0, ro_end - 5 * MS + 1, TRIG_SRC_SOFTWARE, RIG_ANY);
}

/* 5.4.5: AcquisitionBurstFrameCount exposures per trigger, as fast as the frame rate allows (100 fps:
 * 10 ms apart); further triggers are refused until the burst is over. */
static void test_trigger_burst(void)
{
	CU_ASSERT_FATAL(R != NULL);
	S.burst_count = 4;
	configure();
	pulse(1 * MS, 100 * US);
	pulse(15 * MS, 100 * US);   /* during the burst */
	rig_run_until(R, 60 * MS);
	ASSERT_INT(A.n_exposed, 4);
	for (unsigned i = 0; i < 4; i++)
		ASSERT_EXPOSED(i, 1 * MS + i * 10 * MS, 1 * MS);
	ASSERT_EVENT(R, EV_TRIGGER_REJECTED, 0, 15 * MS, TRIG_SRC_LINE1, REJ_BURST);
	ASSERT_INT(rig_count(R, EV_TRIGGER_ACCEPTED), 1);
	software_at(60 * MS);   /* the burst is over */
	rig_run_until(R, 100 * MS);
	ASSERT_INT(A.n_exposed, 8);
	ASSERT_EXPOSED(7, 90 * MS, 1 * MS);
}

/* 5.4.5 "as limited by the current exposure time": a 15 ms exposure at 100 fps spaces the burst by
 * the exposure plus the sensor's gap between exposures. */
static void test_trigger_burst_exposure_limited(void)
{
	const uint64_t spacing = 15 * MS + rig_sensor.exposure_gap_ns;

	CU_ASSERT_FATAL(R != NULL);
	S.burst_count = 3;
	S.exposure_ns = 15 * MS;
	configure();
	software_at(1 * MS);
	rig_run_until(R, 100 * MS);
	ASSERT_INT(A.n_exposed, 3);
	for (unsigned i = 0; i < 3; i++)
		ASSERT_EXPOSED(i, 1 * MS + i * spacing, 15 * MS);
}

/* 5.4.5 with a frame count: the burst ends when the acquisition takes no more frames. */
static void test_trigger_burst_ends_with_acquisition(void)
{
	CU_ASSERT_FATAL(R != NULL);
	S.burst_count = 5;
	configure();
	A.frames_left = 2;
	software_at(0);
	rig_run_until(R, 100 * MS);
	ASSERT_INT(A.n_exposed, 2);
	A.frames_left = UINT64_MAX;
	software_at(100 * MS);   /* nothing left of the burst to refuse it */
	ASSERT_EVENT(R, EV_TRIGGER_ACCEPTED, 1, 100 * MS, TRIG_SRC_SOFTWARE, 100 * MS);
}

/* 5.4.4 ExposureActive: the exposure lasts as long as the pulse, shifted by the trigger delay. */
static void test_trigger_exposure_active(void)
{
	const uint64_t edge = 1 * MS, width = 3456789;

	CU_ASSERT_FATAL(R != NULL);
	S.exposure_active = true;
	S.delay_ns = 250 * US;
	configure();
	pulse(edge, width);
	rig_run_until(R, 20 * MS);
	ASSERT_EXPOSED(0, edge + 250 * US, 0);   /* open: until closed */
	ASSERT_INT(A.n_closed, 1);
	ASSERT_INT(A.closed[0].block_id, A.exposed[0].block_id);
	ASSERT_INT(A.closed[0].t, edge + 250 * US + width);
	/* a software trigger has no pulse: ExposureTime */
	software_at(50 * MS);
	rig_run_until(R, 60 * MS);
	ASSERT_EXPOSED(1, 50 * MS, 1 * MS);
	ASSERT_INT(A.n_closed, 1);
}

/* TriggerMode or acquisition changes forget a trigger on its way to exposure. */
static void test_trigger_abort(void)
{
	CU_ASSERT_FATAL(R != NULL);
	S.delay_ns = 1 * MS;
	configure();
	pulse(1 * MS, 100 * US);
	rig_run_until(R, 1500 * US);
	ASSERT_INT(rig_count(R, EV_TRIGGER_ACCEPTED), 1);
	trigger_abort(&T);
	rig_run_until(R, 10 * MS);
	ASSERT_INT(A.n_exposed, 0);
	software_at(10 * MS);   /* not refused as a running burst */
	rig_run_until(R, 11 * MS);
	ASSERT_INT(A.n_exposed, 1);
}

/* Level changes to the level the line already has are no edges; a waveform cannot be scheduled
 * without limit. */
static void test_trigger_line_edges(void)
{
	CU_ASSERT_FATAL(R != NULL);
	ASSERT_INT(trigger_line_schedule(&T, 1 * MS, 0), 0);   /* already low */
	ASSERT_INT(trigger_line_schedule(&T, 2 * MS, 1), 0);
	ASSERT_INT(trigger_line_schedule(&T, 3 * MS, 1), 0);   /* already high */
	rig_run_until(R, 5 * MS);
	ASSERT_INT(rig_count(R, EV_TRIGGER_IN), 1);
	ASSERT_INT(rig_count(R, EV_TRIGGER_ACCEPTED), 1);
	ASSERT_INT(trigger_level(&T), 1);
}

static const struct test_case cases[] = {
	{ "test_trigger_mode_off", test_trigger_mode_off },
	{ "test_trigger_not_acquiring", test_trigger_not_acquiring },
	{ "test_trigger_rising_edge", test_trigger_rising_edge },
	{ "test_trigger_falling_edge", test_trigger_falling_edge },
	{ "test_trigger_source", test_trigger_source },
	{ "test_trigger_delay", test_trigger_delay },
	{ "test_trigger_software_not_delayed", test_trigger_software_not_delayed },
	{ "test_trigger_low_latency_off", test_trigger_low_latency_off },
	{ "test_trigger_debounce", test_trigger_debounce },
	{ "test_trigger_debounce_falling_edge", test_trigger_debounce_falling_edge },
	{ "test_trigger_mask", test_trigger_mask },
	{ "test_trigger_denoise", test_trigger_denoise },
	{ "test_trigger_overlap_off", test_trigger_overlap_off },
	{ "test_trigger_overlap_readout", test_trigger_overlap_readout },
	{ "test_trigger_burst", test_trigger_burst },
	{ "test_trigger_burst_exposure_limited", test_trigger_burst_exposure_limited },
	{ "test_trigger_burst_ends_with_acquisition", test_trigger_burst_ends_with_acquisition },
	{ "test_trigger_exposure_active", test_trigger_exposure_active },
	{ "test_trigger_abort", test_trigger_abort },
	{ "test_trigger_line_edges", test_trigger_line_edges },
	{ NULL, NULL },
};

int test_trigger_add_suite(void) { return test_add_suite("trigger", setup, teardown, cases); }
