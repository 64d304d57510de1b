/* SPDX-License-Identifier: MIT */
/* camera/acquisition: the acquisition state machine alone, on the real device
 * scheduler with a paused clock, against a fake camera (ops). Frame periods,
 * exposure, readout and delivery times are checked to the nanosecond against
 * the frame-rate rule (5.1.4: the configured rate, no faster than the sensor
 * reads out, stretched by a long exposure), AcquisitionMode, and the rig's
 * sensor timing (engine_rig.h), computed here by hand. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "../camera/acquisition.h"
#include "../common/errors.h"
#include "engine_rig.h"
#include "tests.h"

/* 1000 x 100 pixels: 100 us + 100 rows x (10 us + 1000 x 1 ns) = 1.2 ms of readout */
#define READOUT_NS (1200 * US)
#define MAX_CALLS 64

/* The camera as the acquisition sees it. */
static struct {
	unsigned prepared, ended;
	bool room;                       /* has_room */
	int deliver_rc;                  /* what delivery returns */
	unsigned n_started, n_ended, n_delivered;
	struct {
		uint64_t block_id, t, exposure_ns;
	} started[MAX_CALLS];
	struct {
		uint64_t block_id, t;
	} exposure_ends[MAX_CALLS];
	struct {
		uint64_t block_id, exposure_start;
		double exposure_us;
	} delivered[MAX_CALLS];
	/* settings handed over while a frame is prepared (the auto functions changing the exposure) */
	unsigned change_at_frame;
	struct acquisition_settings change_to;
} C;

static struct engine_rig *R;
static struct acquisition A;
static struct acquisition_settings S;

static void fake_prepare_frame(void *ctx, struct sensor_settings *st)
{
	(void)ctx;
	memset(st, 0, sizeof(*st));
	st->width = S.readout.width;
	st->height = S.readout.height;
	C.prepared++;
	if (C.change_at_frame && C.prepared == C.change_at_frame)
		acquisition_configure(&A, &C.change_to);
}

static void fake_exposure_started(void *ctx, uint64_t block_id, uint64_t t, uint64_t exposure_ns)
{
	(void)ctx;
	if (C.n_started < MAX_CALLS) {
		C.started[C.n_started].block_id = block_id;
		C.started[C.n_started].t = t;
		C.started[C.n_started++].exposure_ns = exposure_ns;
	}
}

static void fake_exposure_ended(void *ctx, uint64_t block_id, uint64_t t)
{
	(void)ctx;
	if (C.n_ended < MAX_CALLS) {
		C.exposure_ends[C.n_ended].block_id = block_id;
		C.exposure_ends[C.n_ended++].t = t;
	}
}

static int fake_deliver(void *ctx, const struct acq_frame *f)
{
	(void)ctx;
	if (C.n_delivered < MAX_CALLS) {
		C.delivered[C.n_delivered].block_id = f->block_id;
		C.delivered[C.n_delivered].exposure_start = f->exposure_start;
		C.delivered[C.n_delivered++].exposure_us = f->settings.exposure_us;
	}
	return C.deliver_rc;
}

static void fake_ended(void *ctx)
{
	(void)ctx;
	C.ended++;
}

static bool fake_has_room(void *ctx)
{
	(void)ctx;
	return C.room;
}

static const struct acquisition_ops fake_ops = {
	.prepare_frame = fake_prepare_frame,
	.exposure_started = fake_exposure_started,
	.exposure_ended = fake_exposure_ended,
	.deliver = fake_deliver,
	.ended = fake_ended,
	.has_room = fake_has_room,
};

/* Continuous at 100 fps (10 ms) with a 1 ms exposure; ExposureTime up to 4 s (5.2.1). */
static void setup(void)
{
	memset(&C, 0, sizeof(C));
	C.room = true;
	C.deliver_rc = DFK_OK;
	S = (struct acquisition_settings){
		.exposure_ns = 1 * MS,
		.max_exposure_ns = 4000 * MS,
		.frame_rate = 100.0,
		.frames_per_start = UINT64_MAX,
		.readout = { .width = 1000, .height = 100, .binning_h = 1, .binning_v = 1, .decimation_h = 1,
			     .decimation_v = 1, .pfnc = 0x01080001, .bits_per_pixel = 8 },
	};
	R = rig_new();
	if (!R)
		return;
	acquisition_init(&A, &R->sched, &R->log, &rig_sensor, &fake_ops, NULL);
	acquisition_configure(&A, &S);
}

static void teardown(void)
{
	if (R)
		acquisition_reset(&A);
	rig_free(R);
	R = NULL;
}

/* Frame n of a free-running acquisition started at 0 with period `period`: exposure, readout, delivery. */
static void assert_frame(int n, uint64_t period, uint64_t exposure, unsigned line)
{
	uint64_t start = (uint64_t)n * period;

	rig_assert_event(R, EV_EXPOSURE_START, n, start, n + 1, RIG_ANY, line, __FILE__);
	rig_assert_event(R, EV_EXPOSURE_END, n, start + exposure, n + 1, RIG_ANY, line, __FILE__);
	rig_assert_event(R, EV_READOUT_START, n, start + exposure, n + 1, RIG_ANY, line, __FILE__);
	rig_assert_event(R, EV_READOUT_END, n, start + exposure + READOUT_NS, n + 1, RIG_ANY, line, __FILE__);
	rig_assert_event(R, EV_FRAME_DELIVERED, n, start + exposure + READOUT_NS, n + 1, 1000, line, __FILE__);
}
#define ASSERT_FRAME(n, period, exposure) assert_frame((n), (period), (exposure), __LINE__)

/* 5.1.4: free running, exposures one frame period (1/AcquisitionFrameRate) apart to the ns; each
 * frame is read out after its exposure and delivered when the readout ends. */
static void test_acquisition_free_running(void)
{
	CU_ASSERT_FATAL(R != NULL);
	acquisition_start(&A, 0, false);
	ASSERT_EVENT(R, EV_ACQUISITION, 0, 0, 1, RIG_ANY);
	rig_run_until(R, 45 * MS);
	ASSERT_INT(rig_count(R, EV_EXPOSURE_START), 5);   /* 0, 10, 20, 30, 40 ms */
	for (int n = 0; n < 5; n++)
		ASSERT_FRAME(n, 10 * MS, 1 * MS);
	ASSERT_INT(C.n_started, 5);
	ASSERT_INT(C.started[4].t, 40 * MS);
	ASSERT_INT(C.started[4].exposure_ns, 1 * MS);   /* the strobe is told the exposure */
	ASSERT_INT(C.exposure_ends[4].t, 41 * MS);
	ASSERT_INT(acquisition_stats(&A)->delivered, 5);   /* the fifth at 42.2 ms */
}

/* 5.1.4: no faster than the sensor reads out: at 1000 fps the 1.2 ms readout sets the period. */
static void test_acquisition_period_limited_by_sensor(void)
{
	CU_ASSERT_FATAL(R != NULL);
	S.frame_rate = 1000.0;
	S.exposure_ns = 100 * US;
	acquisition_configure(&A, &S);
	acquisition_start(&A, 0, false);
	rig_run_until(R, 10 * MS);
	for (int n = 0; n < 8; n++)
		ASSERT_FRAME(n, READOUT_NS, 100 * US);
}

/* A long exposure stretches the period: the exposure plus the sensor's gap between exposures. */
static void test_acquisition_period_stretched_by_exposure(void)
{
	const uint64_t period = 15 * MS + rig_sensor.exposure_gap_ns;

	CU_ASSERT_FATAL(R != NULL);
	S.exposure_ns = 15 * MS;
	acquisition_configure(&A, &S);
	acquisition_start(&A, 0, false);
	rig_run_until(R, 50 * MS);
	ASSERT_INT(rig_count(R, EV_EXPOSURE_START), 4);
	for (int n = 0; n < 3; n++)
		ASSERT_FRAME(n, period, 15 * MS);
}

/* The period after a frame follows the settings that frame was taken with (the auto functions
 * choose them while it is prepared). */
static void test_acquisition_period_follows_new_exposure(void)
{
	CU_ASSERT_FATAL(R != NULL);
	C.change_at_frame = 2;
	C.change_to = S;
	C.change_to.exposure_ns = 15 * MS;
	acquisition_start(&A, 0, false);
	rig_run_until(R, 50 * MS);
	ASSERT_EVENT(R, EV_EXPOSURE_START, 1, 10 * MS, 2, RIG_ANY);
	ASSERT_EVENT(R, EV_EXPOSURE_START, 2, 10 * MS + 15 * MS + rig_sensor.exposure_gap_ns, 3, RIG_ANY);
	/* the frame being prepared keeps the exposure it was started with */
	ASSERT_EVENT(R, EV_EXPOSURE_END, 1, 11 * MS, 2, RIG_ANY);
}

/* Readouts never overlap: an exposure that ends while the previous frame is still read out waits. */
static void test_acquisition_readouts_queue(void)
{
	CU_ASSERT_FATAL(R != NULL);
	acquisition_start(&A, 0, true);
	ASSERT_INT(acquisition_expose(&A, 0, 1 * MS), 1);           /* read out 1 .. 2.2 ms */
	rig_run_until(R, 1100 * US);
	ASSERT_INT(acquisition_expose(&A, 1100 * US, 1 * MS), 2);   /* ends at 2.1 ms */
	rig_run_until(R, 10 * MS);
	ASSERT_EVENT(R, EV_EXPOSURE_END, 1, 2100 * US, 2, RIG_ANY);
	ASSERT_EVENT(R, EV_READOUT_START, 1, 1 * MS + READOUT_NS, 2, RIG_ANY);
	ASSERT_EVENT(R, EV_READOUT_END, 1, 1 * MS + 2 * READOUT_NS, 2, RIG_ANY);
}

/* SingleFrame: one frame, then the acquisition ends by itself when it is delivered. */
static void test_acquisition_single_frame(void)
{
	CU_ASSERT_FATAL(R != NULL);
	S.frames_per_start = 1;
	acquisition_configure(&A, &S);
	acquisition_start(&A, 0, false);
	rig_run_until(R, 100 * MS);
	ASSERT_INT(rig_count(R, EV_EXPOSURE_START), 1);
	ASSERT_EVENT(R, EV_ACQUISITION, 1, 1 * MS + READOUT_NS, 0, RIG_ANY);
	ASSERT_INT(C.ended, 1);
	CU_ASSERT(!acquisition_takes_triggers(&A));
	CU_ASSERT(!A.running);
}

/* MultiFrame: AcquisitionFrameCount frames; triggered, further triggers start nothing. */
static void test_acquisition_multi_frame(void)
{
	CU_ASSERT_FATAL(R != NULL);
	S.frames_per_start = 3;
	acquisition_configure(&A, &S);
	acquisition_start(&A, 0, false);
	rig_run_until(R, 100 * MS);
	ASSERT_INT(rig_count(R, EV_EXPOSURE_START), 3);
	ASSERT_EVENT(R, EV_ACQUISITION, 1, 20 * MS + 1 * MS + READOUT_NS, 0, RIG_ANY);
	ASSERT_INT(C.ended, 1);

	acquisition_start(&A, 100 * MS, true);
	CU_ASSERT(acquisition_takes_triggers(&A));
	ASSERT_INT(acquisition_expose(&A, 100 * MS, 1 * MS), 4);
	ASSERT_INT(acquisition_expose(&A, 110 * MS, 1 * MS), 5);
	ASSERT_INT(acquisition_expose(&A, 120 * MS, 1 * MS), 6);
	ASSERT_INT(acquisition_expose(&A, 130 * MS, 1 * MS), 0);
	rig_run_until(R, 200 * MS);
	ASSERT_INT(C.ended, 2);
}

/* Delivery: handed over, dropped (buffer full) or discarded (stream off), each logged with its reason. */
static void test_acquisition_delivery_outcomes(void)
{
	CU_ASSERT_FATAL(R != NULL);
	acquisition_start(&A, 0, true);
	acquisition_expose(&A, 0, 1 * MS);
	rig_run_until(R, 5 * MS);
	C.deliver_rc = DFK_ERR_BUSY;
	acquisition_expose(&A, 5 * MS, 1 * MS);
	rig_run_until(R, 10 * MS);
	C.deliver_rc = DFK_ERR_DENIED;
	acquisition_expose(&A, 10 * MS, 1 * MS);
	rig_run_until(R, 15 * MS);
	ASSERT_EVENT(R, EV_FRAME_DELIVERED, 0, 1 * MS + READOUT_NS, 1, 1000);
	ASSERT_EVENT(R, EV_FRAME_DROPPED, 0, 6 * MS + READOUT_NS, 2, 0);
	ASSERT_EVENT(R, EV_FRAME_DROPPED, 1, 11 * MS + READOUT_NS, 3, 1);
	ASSERT_INT(acquisition_stats(&A)->delivered, 1);
	ASSERT_INT(acquisition_stats(&A)->dropped, 1);
	ASSERT_INT(acquisition_stats(&A)->discarded, 1);
	ASSERT_INT(C.delivered[0].exposure_start, 0);   /* the leader's timestamp: exposure start */
}

/* TriggerMode switched while acquiring: free running stops, and resumes from the moment it is Off. */
static void test_acquisition_switch_triggered(void)
{
	CU_ASSERT_FATAL(R != NULL);
	acquisition_start(&A, 0, false);
	rig_run_until(R, 15 * MS);
	ASSERT_INT(rig_count(R, EV_EXPOSURE_START), 2);
	acquisition_set_triggered(&A, true, 15 * MS);
	CU_ASSERT(acquisition_takes_triggers(&A));
	rig_run_until(R, 50 * MS);
	ASSERT_INT(rig_count(R, EV_EXPOSURE_START), 2);
	acquisition_set_triggered(&A, false, 50 * MS);
	rig_run_until(R, 65 * MS);
	ASSERT_EVENT(R, EV_EXPOSURE_START, 2, 50 * MS, 3, RIG_ANY);
	ASSERT_EVENT(R, EV_EXPOSURE_START, 3, 60 * MS, 4, RIG_ANY);
	/* not acquiring: nothing to switch */
	acquisition_stop(&A, 65 * MS);
	acquisition_set_triggered(&A, true, 65 * MS);
	acquisition_set_triggered(&A, false, 65 * MS);
	rig_run_until(R, 100 * MS);
	ASSERT_INT(rig_count(R, EV_EXPOSURE_START), 4);
}

/* 5.4.4 trigger width: an open exposure lasts until it is closed, at most as long as the sensor
 * integrates (ExposureTime's maximum, 5.2.1). */
static void test_acquisition_open_exposure(void)
{
	CU_ASSERT_FATAL(R != NULL);
	acquisition_start(&A, 0, true);
	uint64_t block = acquisition_expose(&A, 1 * MS, 0);
	ASSERT_INT(C.started[0].exposure_ns, 0);   /* the strobe follows it until it ends */
	rig_run_until(R, 2 * MS);
	acquisition_close_exposure(&A, block, 4456789);
	rig_run_until(R, 10 * MS);
	ASSERT_EVENT(R, EV_EXPOSURE_END, 0, 4456789, (int64_t)block, RIG_ANY);
	ASSERT_INT(C.exposure_ends[0].t, 4456789);
	ASSERT_EVENT(R, EV_FRAME_DELIVERED, 0, 4456789 + READOUT_NS, (int64_t)block, RIG_ANY);
	CU_ASSERT(C.delivered[0].exposure_us == 3456.789);   /* rendered with the pulse's exposure */
	/* never closed: it ends at the sensor's limit */
	block = acquisition_expose(&A, 10 * MS, 0);
	rig_run_until(R, 5000 * MS);
	ASSERT_EVENT(R, EV_EXPOSURE_END, 1, 10 * MS + 4000 * MS, (int64_t)block, RIG_ANY);
	/* a timed exposure longer than that is cut there too */
	block = acquisition_expose(&A, 5000 * MS, 5000 * MS);
	rig_run_until(R, 10000 * MS);
	ASSERT_EVENT(R, EV_EXPOSURE_END, 2, 9000 * MS, (int64_t)block, RIG_ANY);
}

/* AcquisitionStop discards the frames in flight; nothing of them happens afterwards. */
static void test_acquisition_stop_discards(void)
{
	CU_ASSERT_FATAL(R != NULL);
	acquisition_start(&A, 0, false);
	rig_run_until(R, 500 * US);   /* exposing */
	acquisition_stop(&A, 500 * US);
	ASSERT_EVENT(R, EV_ACQUISITION, 1, 500 * US, 0, RIG_ANY);
	rig_run_until(R, 100 * MS);
	ASSERT_INT(rig_count(R, EV_EXPOSURE_START), 1);
	ASSERT_INT(rig_count(R, EV_EXPOSURE_END), 0);
	ASSERT_INT(acquisition_stats(&A)->discarded, 1);
	ASSERT_INT(C.ended, 0);   /* stopped, not ended by itself */
	ASSERT_INT(acquisition_expose(&A, 100 * MS, 1 * MS), 0);
}

/* A clock that does not run by itself waits for a slow host: no exposure while the stream has no
 * room, and the held frame starts at its own time once there is. */
static void test_acquisition_waits_for_room(void)
{
	CU_ASSERT_FATAL(R != NULL);
	C.room = false;
	acquisition_start(&A, 0, false);
	rig_run_until(R, 0);
	ASSERT_INT(rig_count(R, EV_EXPOSURE_START), 0);
	C.room = true;
	acquisition_room(&A);
	rig_run_until(R, 15 * MS);
	ASSERT_EVENT(R, EV_EXPOSURE_START, 0, 0, 1, RIG_ANY);
	ASSERT_EVENT(R, EV_EXPOSURE_START, 1, 10 * MS, 2, RIG_ANY);
}

static const struct test_case cases[] = {
	{ "test_acquisition_free_running", test_acquisition_free_running },
	{ "test_acquisition_period_limited_by_sensor", test_acquisition_period_limited_by_sensor },
	{ "test_acquisition_period_stretched_by_exposure", test_acquisition_period_stretched_by_exposure },
	{ "test_acquisition_period_follows_new_exposure", test_acquisition_period_follows_new_exposure },
	{ "test_acquisition_readouts_queue", test_acquisition_readouts_queue },
	{ "test_acquisition_single_frame", test_acquisition_single_frame },
	{ "test_acquisition_multi_frame", test_acquisition_multi_frame },
	{ "test_acquisition_delivery_outcomes", test_acquisition_delivery_outcomes },
	{ "test_acquisition_switch_triggered", test_acquisition_switch_triggered },
	{ "test_acquisition_open_exposure", test_acquisition_open_exposure },
	{ "test_acquisition_stop_discards", test_acquisition_stop_discards },
	{ "test_acquisition_waits_for_room", test_acquisition_waits_for_room },
	{ NULL, NULL },
};

int test_acquisition_add_suite(void) { return test_add_suite("acquisition", setup, teardown, cases); }
