/* SPDX-License-Identifier: MIT */
/* What the world around a camera may see and do of it beyond its features:
 * the device layer (emulator/device.c) and the I/O side channel
 * (emulator/io/io_server.c, docs/io-protocol.md) use these instead of the
 * camera's clock, engines and event log themselves. */
#ifndef DFK_CAMERA_IO_H
#define DFK_CAMERA_IO_H

#include <stdbool.h>
#include <stdint.h>

#include "../sensor/sensor.h"
#include "eventlog.h"
#include "sched.h"

struct camera;

/* ---- the device clock ---- */

/* Device time now: ns since power-up. */
uint64_t camera_io_now(struct camera *cam);

struct camera_io_clock {
	uint64_t now;
	double scale;                /* device seconds per wall second; 0: as fast as the host reads */
	bool paused;
	uint64_t waits, waited_ns;   /* how often and how long device time waited for a slow host */
};
void camera_io_clock(struct camera *cam, struct camera_io_clock *out);
void camera_io_clock_pause(struct camera *cam, bool paused);
void camera_io_clock_scale(struct camera *cam, double scale);
/* Device time runs by itself (scale > 0 and not paused). */
bool camera_io_clock_runs(struct camera *cam);
/* Paused or scale 0: every event up to device time `t`, then the clock stands at `t`. */
void camera_io_run_until(struct camera *cam, uint64_t t);

/* ---- the I/O lines ---- */

/* TRIGGER_IN / STROBE_OUT now: 1 high, 0 low. */
int camera_io_trigger_level(const struct camera *cam);
int camera_io_strobe_level(const struct camera *cam);
/* TRIGGER_IN := level at device time `at` (not before now). Returns 0 or a negative dfk_err. */
int camera_io_line_schedule(struct camera *cam, uint64_t at, int level);

/* ---- what happened ---- */

const struct eventlog *camera_io_log(const struct camera *cam);
/* Called with every event logged from now on (NULL: nobody). */
void camera_io_observe(struct camera *cam, ev_observer_fn fn, void *ctx);

struct camera_io_stats {
	uint64_t started, delivered, dropped, discarded;   /* frames */
	uint64_t accepted, rejected;                       /* triggers */
	uint64_t power_ups;                                /* since the emulator started */
};
void camera_io_stats(const struct camera *cam, struct camera_io_stats *out);

/* ---- what the sensor sees ---- */

void camera_io_set_source(struct camera *cam, enum sensor_source source);
void camera_io_set_seed(struct camera *cam, uint32_t seed);
void camera_io_scene_light(struct camera *cam, double level);
void camera_io_scene_kelvin(struct camera *cam, double kelvin);
void camera_io_scene_still(struct camera *cam, bool still);

/* ---- the device layer ---- */

/* Device-time events of the layers around the camera (the stream's link, faults):
 * they share the camera's scheduler, and are cancelled at power-up with the rest. */
void camera_io_at(struct camera *cam, struct dev_event *e, uint64_t t);
void camera_io_cancel(struct camera *cam, struct dev_event *e);
/* Log an event of the device layer at device time now. */
void camera_io_log_event(struct camera *cam, enum ev_kind kind, int64_t a, int64_t b);

/* The stream buffer made room (a frame left it). */
void camera_io_stream_room(struct camera *cam);
/* The cable is out: acquisition stops as AcquisitionStop stops it. */
void camera_io_unplugged(struct camera *cam);

#endif
