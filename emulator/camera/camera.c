/* SPDX-License-Identifier: MIT */
/* Start-up, power-up and shutdown of a camera, and the wiring of its timing
 * engines: what the acquisition, the trigger engine and the auto functions ask
 * of the rest of the camera (their ops tables) is answered here. */
#include "camera.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../common/atomicfile.h"
#include "../common/errors.h"
#include "../common/log.h"
#include "camera_internal.h"

/* ---- what the acquisition asks of the camera ---- */

static void acq_prepare_frame(void *ctx, struct sensor_settings *st)
{
	struct camera *cam = ctx;

	if (autofunc_active(&cam->af)) {
		/* the auto functions choose this frame's exposure, gain and balance on the image
		 * the settings so far give; the frame is then taken with what they chose */
		camera_frame_settings(cam, st);
		autofunc_frame(&cam->af, st);
		camera_settings_refresh(cam);
	}
	camera_frame_settings(cam, st);
}

static void acq_exposure_started(void *ctx, uint64_t block_id, uint64_t t, uint64_t exposure_ns)
{
	struct camera *cam = ctx;

	strobe_exposure_start(&cam->strobe, block_id, t, exposure_ns);
}

static void acq_exposure_ended(void *ctx, uint64_t block_id, uint64_t t)
{
	struct camera *cam = ctx;

	strobe_exposure_end(&cam->strobe, block_id, t);
}

static int acq_deliver(void *ctx, const struct acq_frame *f)
{
	struct camera *cam = ctx;
	size_t len = sensor_payload_size(&f->settings);
	struct frame_meta m = {
		.block_id = f->block_id, .timestamp_ns = f->exposure_start, .pfnc = f->settings.pfnc,
		.width = f->settings.width, .height = f->settings.height, .offset_x = f->settings.offset_x,
		.offset_y = f->settings.offset_y, .payload_size = len, .readout_end_ns = f->readout_end,
		/* at time scale 0 the host's reading sets the pace, not the link */
		.link_ns = cam->clock.scale > 0 ? framerate_link_ns(&cam->model->sensor, &cam->acq.set.readout) : 0,
	};
	struct blob *b;
	int rc;

	if (!cam->ops || !cam->ops->frame_out)
		return DFK_ERR_DENIED;
	/* a test-pattern frame that is a slice of frames already rendered goes out from there */
	size_t offset, rendered;
	rc = sensor_pattern_slice(cam->sensor, &f->settings, &b, &offset, &rendered);
	if (rc == DFK_OK) {
		cam->render.rendered += rendered;
		cam->payload_reused += len - rendered;
		m.data = b->data + offset;
		rc = cam->ops->frame_out(cam->ops_ctx, &m, b);
		blob_unref(b);
		return rc;
	}
	/* else out at once, its bytes made as they are sent and ahead of that (render_queue.h) */
	b = render_queue_frame(&cam->render, cam->pool, &f->settings, len);
	if (!b) {
		log_err("camera %s: no memory for frame %llu", cam->serial, (unsigned long long)f->block_id);
		return DFK_ERR_NOMEM;
	}
	rc = cam->ops->frame_out(cam->ops_ctx, &m, b);
	blob_unref(b);
	return rc;
}

static void acq_ended(void *ctx)
{
	struct camera *cam = ctx;

	if (cam->acquiring)
		camera_set_acquiring(cam, false);
}

static bool acq_has_room(void *ctx)
{
	struct camera *cam = ctx;

	if (!cam->ops || !cam->ops->frame_room)
		return true;
	return cam->ops->frame_room(cam->ops_ctx, camera_payload_size(cam));
}

static const struct acquisition_ops acquisition_ops = {
	.prepare_frame = acq_prepare_frame,
	.exposure_started = acq_exposure_started,
	.exposure_ended = acq_exposure_ended,
	.deliver = acq_deliver,
	.ended = acq_ended,
	.has_room = acq_has_room,
};

/* ---- what the trigger engine asks of the camera ---- */

static bool trig_can_accept(void *ctx)
{
	struct camera *cam = ctx;

	return acquisition_takes_triggers(&cam->acq);
}

static bool trig_last_frame(void *ctx, uint64_t *exposure_end, uint64_t *readout_end)
{
	struct camera *cam = ctx;

	return acquisition_last_frame(&cam->acq, exposure_end, readout_end);
}

static uint64_t trig_expose(void *ctx, uint64_t t, uint64_t exposure_ns)
{
	struct camera *cam = ctx;

	return acquisition_expose(&cam->acq, t, exposure_ns);
}

static void trig_close(void *ctx, uint64_t block_id, uint64_t t)
{
	struct camera *cam = ctx;

	acquisition_close_exposure(&cam->acq, block_id, t);
}

static const struct trigger_ops trigger_ops = {
	.can_accept = trig_can_accept,
	.last_frame = trig_last_frame,
	.expose = trig_expose,
	.close = trig_close,
};

/* ---- what the auto functions ask of the camera: they read back as the values in use ---- */

static int af_measure(void *ctx, const struct sensor_settings *st, const struct sensor_roi *roi,
		      struct sensor_stats *out)
{
	struct camera *cam = ctx;

	return sensor_measure(cam->sensor, st, roi, out);
}

static void af_set_exposure(void *ctx, double us)
{
	struct camera *cam = ctx;

	camera_store_float(cam, cam->idx.exposure_time, us);
}

static void af_set_gain(void *ctx, double db)
{
	struct camera *cam = ctx;

	camera_store_float(cam, cam->idx.gain, db);
}

static void af_set_ratios(void *ctx, const double ratio[3])
{
	struct camera *cam = ctx;

	for (unsigned c = 0; c < 3; c++) {
		struct feat_value v = { .i = (int64_t)ratio[c], .f = ratio[c] };
		feature_store_raw_selected(&cam->fs, cam->idx.balance_ratio, c, v);
	}
}

static void af_set_kelvin(void *ctx, int64_t kelvin)
{
	struct camera *cam = ctx;

	camera_store_int(cam, cam->idx.balance_temperature, kelvin);
}

static void af_balance_done(void *ctx)
{
	struct camera *cam = ctx;

	camera_store_int(cam, cam->idx.balance_auto, cam->entry.balance_auto_off);
}

static const struct autofunc_ops autofunc_ops = {
	.measure = af_measure,
	.set_exposure = af_set_exposure,
	.set_gain = af_set_gain,
	.set_ratios = af_set_ratios,
	.set_kelvin = af_set_kelvin,
	.balance_done = af_balance_done,
};

/* Every successful feature write: the engines get settings with the new value. */
static void feature_written(void *ctx, int idx)
{
	(void)idx;
	camera_settings_refresh(ctx);
}

/* ---- life cycle ---- */

void camera_power_on(struct camera *cam)
{
	acquisition_reset(&cam->acq);
	trigger_reset(&cam->trig);
	sched_cancel_all(&cam->sched);
	clock_reset(&cam->clock);
	cam->acquiring = false;
	cam->tl_locked = false;
	cam->fs.stream_locked = false;
	camera_flash_load(cam);
	camera_factory_defaults(cam);
	camera_fixup_geometry(cam);
	if (cam->userset_default > 0 && camera_userset_load(cam, cam->userset_default) < 0)
		log_warn("camera %s: power-up with the factory configuration", cam->serial);
	camera_settings_refresh(cam);
	eventlog_init(&cam->log);
	eventlog_add(&cam->log, 0, EV_POWER_UP, (int64_t)cam->power_ups, 0);
	strobe_reset(&cam->strobe, 0);   /* the resting level: GPOut as just configured */
	cam->power_ups++;
}

int camera_init(struct camera *cam, const struct camera_model *model, struct evloop *loop, const char *serial,
		const char *state_dir, const struct camera_options *opt)
{
	int rc;

	memset(cam, 0, sizeof(*cam));
	cam->state_lock_fd = -1;
	cam->opt = *opt;
	cam->light_level = 1.0;
	cam->light_kelvin = 4800.0;
	cam->model = model;
	cam->loop = loop;
	snprintf(cam->serial, sizeof(cam->serial), "%s", serial);
	cam->sensor = sensor_new();
	cam->pool = blob_pool_new(4);
	if (!cam->sensor || !cam->pool) {
		rc = DFK_ERR_NOMEM;
		goto fail;
	}
	render_queue_init(&cam->render, loop, cam->sensor);
	if (snprintf(cam->state_dir, sizeof(cam->state_dir), "%s", state_dir) >= (int)sizeof(cam->state_dir)) {
		rc = DFK_ERR_INVAL;
		goto fail;
	}
	rc = make_dirs(cam->state_dir);
	if (rc == 0)
		rc = state_dir_claim(cam->state_dir, &cam->state_lock_fd);
	if (rc < 0)
		goto fail;
	clock_init(&cam->clock, opt->time_scale);
	sched_init(&cam->sched, loop, &cam->clock);
	rc = feature_store_init(&cam->fs, model, cam);
	if (rc == 0)
		rc = camera_features_resolve(cam);
	if (rc < 0)
		goto fail;
	acquisition_init(&cam->acq, &cam->sched, &cam->log, &model->sensor, &acquisition_ops, cam);
	trigger_init(&cam->trig, &cam->sched, &cam->log, &model->sensor, opt->seed, &trigger_ops, cam);
	strobe_init(&cam->strobe, &cam->sched, &cam->log);
	autofunc_init(&cam->af, &autofunc_ops, cam);
	camera_bind_rules(cam);
	camera_bind_userset_rules(cam);
	cam->fs.written = feature_written;
	camera_power_on(cam);
	return DFK_OK;

fail:
	render_queue_free(&cam->render);   /* a no-op when it was never set up */
	feature_store_free(&cam->fs);   /* a no-op when it was never set up */
	if (cam->state_lock_fd >= 0)
		close(cam->state_lock_fd);
	sensor_free(cam->sensor);
	blob_pool_free(cam->pool);
	return rc;
}

void camera_set_ops(struct camera *cam, const struct camera_ops *ops, void *ctx)
{
	cam->ops = ops;
	cam->ops_ctx = ctx;
}

void camera_free(struct camera *cam)
{
	acquisition_stop(&cam->acq, 0);
	trigger_reset(&cam->trig);
	sched_cancel_all(&cam->sched);
	feature_store_free(&cam->fs);
	render_queue_free(&cam->render);
	sensor_free(cam->sensor);
	blob_pool_free(cam->pool);
	eventlog_free(&cam->log);
	if (cam->state_lock_fd >= 0)
		close(cam->state_lock_fd);
	cam->state_lock_fd = -1;
}
