/* SPDX-License-Identifier: MIT */
#include "acquisition.h"

#include <string.h>

#include "../common/errors.h"

static void on_next_frame(void *arg, uint64_t t);
static void on_exposure_end(void *arg, uint64_t t);
static void on_deliver(void *arg, uint64_t t);
static void on_readout_begin(void *arg, uint64_t t);

void acquisition_init(struct acquisition *a, struct dev_sched *sched, struct eventlog *log,
		      const struct sensor_timing *sensor, const struct acquisition_ops *ops, void *ops_ctx)
{
	memset(a, 0, sizeof(*a));
	a->sched = sched;
	a->log = log;
	a->sensor = sensor;
	a->ops = ops;
	a->ops_ctx = ops_ctx;
	sched_event_init(&a->next_frame, on_next_frame, a);
	for (unsigned i = 0; i < ACQ_MAX_IN_FLIGHT; i++) {
		a->frames[i].acq = a;
		sched_event_init(&a->frames[i].end_exposure, on_exposure_end, &a->frames[i]);
		sched_event_init(&a->frames[i].readout_begin, on_readout_begin, &a->frames[i]);
		sched_event_init(&a->frames[i].deliver, on_deliver, &a->frames[i]);
	}
}

void acquisition_configure(struct acquisition *a, const struct acquisition_settings *set) { a->set = *set; }

const struct acq_stats *acquisition_stats(const struct acquisition *a) { return &a->stats; }

bool acquisition_takes_triggers(const struct acquisition *a) { return a->running && a->triggered; }

static unsigned in_flight(const struct acquisition *a)
{
	unsigned n = 0;

	for (unsigned i = 0; i < ACQ_MAX_IN_FLIGHT; i++)
		n += a->frames[i].busy;
	return n;
}

static void finish_if_done(struct acquisition *a, uint64_t t)
{
	/* SingleFrame / MultiFrame: acquisition ends by itself after the last frame */
	if (a->running && a->frames_left == 0 && in_flight(a) == 0) {
		a->running = false;
		eventlog_add(a->log, t, EV_ACQUISITION, 0, 0);
		a->ops->ended(a->ops_ctx);
	}
}

uint64_t acquisition_readout_ns(const struct acquisition *a) { return framerate_sensor_ns(a->sensor, &a->set.readout); }

static uint64_t frame_period_ns(const struct acquisition *a)
{
	return framerate_period_ns(a->sensor, &a->set.readout, a->set.frame_rate, a->set.exposure_ns);
}

static struct acq_frame *find_frame(struct acquisition *a, uint64_t block_id)
{
	for (unsigned i = 0; i < ACQ_MAX_IN_FLIGHT; i++)
		if (a->frames[i].busy && a->frames[i].block_id == block_id)
			return &a->frames[i];
	return NULL;
}

/* Exposure ended at `t`: readout follows as soon as the previous one is done. */
static void end_exposure(struct acq_frame *f, uint64_t t)
{
	struct acquisition *a = f->acq;
	uint64_t ro = acquisition_readout_ns(a);

	f->open = false;
	f->exposure_end = t;
	f->readout_start = t > a->last_readout_end ? t : a->last_readout_end;
	f->readout_end = f->readout_start + ro;
	a->last_readout_end = f->readout_end;
	eventlog_add(a->log, t, EV_EXPOSURE_END, (int64_t)f->block_id, 0);
	a->ops->exposure_ended(a->ops_ctx, f->block_id, t);
	/* the readout starts now, or when the previous frame's readout is done */
	if (f->readout_start == t)
		eventlog_add(a->log, t, EV_READOUT_START, (int64_t)f->block_id, 0);
	else
		sched_at(a->sched, &f->readout_begin, f->readout_start);
	sched_at(a->sched, &f->deliver, f->readout_end);
}

static void on_readout_begin(void *arg, uint64_t t)
{
	struct acq_frame *f = arg;

	eventlog_add(f->acq->log, t, EV_READOUT_START, (int64_t)f->block_id, 0);
}

uint64_t acquisition_expose(struct acquisition *a, uint64_t t, uint64_t exposure_ns)
{
	struct acq_frame *f = NULL;

	if (!a->running || a->frames_left == 0)
		return 0;
	for (unsigned i = 0; i < ACQ_MAX_IN_FLIGHT && !f; i++)
		if (!a->frames[i].busy)
			f = &a->frames[i];
	a->block_id++;
	a->stats.started++;
	if (a->frames_left != UINT64_MAX)
		a->frames_left--;
	if (!f) {
		a->stats.dropped++;   /* more frames in the sensor pipeline than it holds */
		eventlog_add(a->log, t, EV_FRAME_DROPPED, (int64_t)a->block_id, 0);
		return a->block_id;
	}
	f->busy = true;
	f->block_id = a->block_id;
	f->exposure_end = f->readout_start = f->readout_end = 0;
	a->ops->prepare_frame(a->ops_ctx, &f->settings);
	f->settings.block_id = f->block_id;
	f->settings.exposure_start_ns = t;
	f->exposure_start = t;
	f->open = exposure_ns == 0;
	if (exposure_ns == 0 || exposure_ns > a->set.max_exposure_ns)
		exposure_ns = a->set.max_exposure_ns;   /* an open exposure still ends at the sensor's limit */
	if (!f->open)
		f->settings.exposure_us = (double)exposure_ns / 1000.0;
	eventlog_add(a->log, t, EV_EXPOSURE_START, (int64_t)f->block_id, 0);
	a->ops->exposure_started(a->ops_ctx, f->block_id, t, f->open ? 0 : exposure_ns);
	sched_at(a->sched, &f->end_exposure, t + exposure_ns);
	return f->block_id;
}

void acquisition_close_exposure(struct acquisition *a, uint64_t block_id, uint64_t t)
{
	struct acq_frame *f = find_frame(a, block_id);

	if (!f || !f->open || f->exposure_end)
		return;
	sched_cancel(a->sched, &f->end_exposure);
	f->settings.exposure_us = (double)(t - f->exposure_start) / 1000.0;
	end_exposure(f, t);
}

static void on_exposure_end(void *arg, uint64_t t)
{
	struct acq_frame *f = arg;

	if (f->exposure_end)
		return;
	end_exposure(f, t);
}

bool acquisition_last_frame(const struct acquisition *a, uint64_t *exposure_end, uint64_t *readout_end)
{
	const struct acq_frame *last = NULL;

	for (unsigned i = 0; i < ACQ_MAX_IN_FLIGHT; i++)
		if (a->frames[i].busy && (!last || a->frames[i].block_id > last->block_id))
			last = &a->frames[i];
	if (!last)
		return false;
	*exposure_end = last->exposure_end;     /* 0 while still exposing */
	*readout_end = last->readout_end;
	return true;
}

static void on_next_frame(void *arg, uint64_t t)
{
	struct acquisition *a = arg;

	if (!a->running || a->triggered || a->frames_left == 0)
		return;
	/* At time scale 0 the camera waits for a slow host instead of overrunning. */
	if (!clock_free_running(a->sched->clock) && !a->ops->has_room(a->ops_ctx)) {
		a->held = true;
		a->next_exposure = t;
		return;
	}
	acquisition_expose(a, t, a->set.exposure_ns);
	if (a->frames_left == 0)
		return;
	/* the period with the settings of the frame just started (the auto functions may have changed them) */
	a->next_exposure = t + frame_period_ns(a);
	sched_at(a->sched, &a->next_frame, a->next_exposure);
}

static void on_deliver(void *arg, uint64_t t)
{
	struct acq_frame *f = arg;
	struct acquisition *a = f->acq;
	int rc;

	eventlog_add(a->log, t, EV_READOUT_END, (int64_t)f->block_id, 0);
	rc = a->ops->deliver(a->ops_ctx, f);
	if (rc == DFK_OK) {
		a->stats.delivered++;
		eventlog_add(a->log, t, EV_FRAME_DELIVERED, (int64_t)f->block_id, (int64_t)f->settings.width);
	} else {
		if (rc == DFK_ERR_BUSY)
			a->stats.dropped++;
		else
			a->stats.discarded++;
		eventlog_add(a->log, t, EV_FRAME_DROPPED, (int64_t)f->block_id, rc == DFK_ERR_BUSY ? 0 : 1);
	}
	f->busy = false;
	finish_if_done(a, t);
}

void acquisition_start(struct acquisition *a, uint64_t t, bool triggered)
{
	if (a->running)
		return;
	a->running = true;
	a->triggered = triggered;
	a->held = false;
	a->frames_left = a->set.frames_per_start;
	a->next_exposure = t;
	eventlog_add(a->log, t, EV_ACQUISITION, 1, 0);
	if (!triggered)
		sched_at(a->sched, &a->next_frame, t);
}

void acquisition_set_triggered(struct acquisition *a, bool triggered, uint64_t now)
{
	if (!a->running || a->triggered == triggered)
		return;
	a->triggered = triggered;
	if (triggered) {
		sched_cancel(a->sched, &a->next_frame);
	} else {
		a->next_exposure = now;
		sched_at(a->sched, &a->next_frame, now);
	}
}

static void cancel_in_flight(struct acquisition *a)
{
	for (unsigned i = 0; i < ACQ_MAX_IN_FLIGHT; i++) {
		if (!a->frames[i].busy)
			continue;
		sched_cancel(a->sched, &a->frames[i].end_exposure);
		sched_cancel(a->sched, &a->frames[i].readout_begin);
		sched_cancel(a->sched, &a->frames[i].deliver);
		a->frames[i].busy = false;
		a->stats.discarded++;
	}
}

void acquisition_stop(struct acquisition *a, uint64_t t)
{
	bool was = a->running;

	sched_cancel(a->sched, &a->next_frame);
	cancel_in_flight(a);
	a->running = false;
	a->held = false;
	if (was)
		eventlog_add(a->log, t, EV_ACQUISITION, 0, 0);
}

void acquisition_reset(struct acquisition *a)
{
	sched_cancel(a->sched, &a->next_frame);
	cancel_in_flight(a);
	a->running = false;
	a->held = false;
	a->block_id = 0;
	a->last_readout_end = 0;
	memset(&a->stats, 0, sizeof(a->stats));
}

void acquisition_room(struct acquisition *a)
{
	if (!a->held || !a->running)
		return;
	a->held = false;
	sched_at(a->sched, &a->next_frame, a->next_exposure);
}
