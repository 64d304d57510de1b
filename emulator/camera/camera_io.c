/* SPDX-License-Identifier: MIT */
#include "camera_io.h"

#include "camera_internal.h"

uint64_t camera_io_now(struct camera *cam) { return clock_now(&cam->clock); }

void camera_io_clock(struct camera *cam, struct camera_io_clock *out)
{
	out->now = clock_now(&cam->clock);
	out->scale = cam->clock.scale;
	out->paused = cam->clock.paused;
	out->waits = cam->clock.waits;
	out->waited_ns = cam->clock.waited_ns;
}

void camera_io_clock_pause(struct camera *cam, bool paused)
{
	clock_pause(&cam->clock, paused);
	sched_retime(&cam->sched);
}

void camera_io_clock_scale(struct camera *cam, double scale)
{
	clock_set_scale(&cam->clock, scale);
	sched_retime(&cam->sched);
}

bool camera_io_clock_runs(struct camera *cam) { return clock_free_running(&cam->clock); }

void camera_io_run_until(struct camera *cam, uint64_t t) { sched_run_until(&cam->sched, t); }

int camera_io_trigger_level(const struct camera *cam) { return trigger_level(&cam->trig); }

int camera_io_strobe_level(const struct camera *cam) { return strobe_level(&cam->strobe); }

int camera_io_line_schedule(struct camera *cam, uint64_t at, int level)
{
	return trigger_line_schedule(&cam->trig, at, level);
}

const struct eventlog *camera_io_log(const struct camera *cam) { return &cam->log; }

void camera_io_observe(struct camera *cam, ev_observer_fn fn, void *ctx)
{
	cam->log.observer = fn;
	cam->log.observer_ctx = fn ? ctx : NULL;
}

void camera_io_stats(const struct camera *cam, struct camera_io_stats *out)
{
	const struct acq_stats *a = acquisition_stats(&cam->acq);
	const struct trigger_stats *t = trigger_stats(&cam->trig);

	*out = (struct camera_io_stats){
		.started = a->started, .delivered = a->delivered, .dropped = a->dropped, .discarded = a->discarded,
		.accepted = t->accepted, .rejected = t->rejected, .power_ups = cam->power_ups,
	};
}

void camera_io_set_source(struct camera *cam, enum sensor_source source) { cam->opt.source = source; }

void camera_io_set_seed(struct camera *cam, uint32_t seed) { cam->opt.seed = seed; }

void camera_io_scene_light(struct camera *cam, double level) { cam->light_level = level; }

void camera_io_scene_kelvin(struct camera *cam, double kelvin) { cam->light_kelvin = kelvin; }

void camera_io_scene_still(struct camera *cam, bool still) { cam->scene_still = still; }

void camera_io_stream_room(struct camera *cam) { acquisition_room(&cam->acq); }

void camera_io_at(struct camera *cam, struct dev_event *e, uint64_t t) { sched_at(&cam->sched, e, t); }

void camera_io_cancel(struct camera *cam, struct dev_event *e) { sched_cancel(&cam->sched, e); }

void camera_io_log_event(struct camera *cam, enum ev_kind kind, int64_t a, int64_t b)
{
	eventlog_add(&cam->log, clock_now(&cam->clock), kind, a, b);
}

void camera_io_unplugged(struct camera *cam)
{
	const struct feature_def *stop = feature_def(&cam->fs, cam->idx.acquisition_stop);
	struct feat_value run = { .i = stop->def, .f = (double)stop->def };   /* a command's value executes it */

	if (cam->acquiring)
		feature_set(&cam->fs, cam->idx.acquisition_stop, run);
}
