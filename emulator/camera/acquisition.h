/* The acquisition state machine in device time: AcquisitionStart/Stop and
 * AcquisitionMode, free-running frames at the configured rate or exposures
 * started by the trigger engine, and per frame the sequence
 * exposure -> readout -> delivery to the stream.
 *
 * Every time is computed from the settings and the previous frame's times,
 * never from when the host ran us: free-running leader timestamps are one
 * frame period apart to the nanosecond. Each transition is a device-time
 * event, logged in the camera's event log in time order. */
#ifndef DFK_ACQUISITION_H
#define DFK_ACQUISITION_H

#include <stdbool.h>
#include <stdint.h>

#include "../common/blob.h"
#include "../sensor/sensor.h"
#include "sched.h"

#define ACQ_MAX_IN_FLIGHT 16

struct camera;

/* What a delivered frame carries to the stream. */
struct frame_meta {
	uint64_t block_id;
	uint64_t timestamp_ns;       /* exposure start */
	uint32_t pfnc;
	uint32_t width, height, offset_x, offset_y;
	uint64_t payload_size;
};

struct acq_frame {
	bool busy;
	bool open;                   /* exposure end not known yet (trigger width) */
	uint64_t block_id;
	uint64_t exposure_start, exposure_end, readout_start, readout_end;
	struct sensor_settings settings;
	struct dev_event end_exposure;
	struct dev_event readout_begin;
	struct dev_event deliver;
	struct acquisition *acq;
};

struct acq_stats {
	uint64_t started;            /* exposures started */
	uint64_t delivered;          /* handed to the stream */
	uint64_t dropped;            /* the camera's buffer was full */
	uint64_t discarded;          /* the stream was not enabled, or acquisition stopped */
};

struct acquisition {
	struct camera *cam;
	bool running;
	bool triggered;              /* exposures come from the trigger engine */
	uint64_t frames_left;        /* UINT64_MAX = continuous */
	uint64_t block_id;           /* last block id used */
	uint64_t next_exposure;      /* device time of the next free-running exposure */
	uint64_t last_readout_end;   /* readouts never overlap each other */
	struct dev_event next_frame;
	struct acq_frame frames[ACQ_MAX_IN_FLIGHT];
	bool held;                   /* waiting for a slow host (time scale 0) */
	struct acq_stats stats;
};

void acquisition_init(struct acquisition *a, struct camera *cam);
/* AcquisitionStart at device time `t`; `triggered` when TriggerMode is On. */
void acquisition_start(struct acquisition *a, uint64_t t, bool triggered);
void acquisition_stop(struct acquisition *a, uint64_t t);
void acquisition_reset(struct acquisition *a);
/* The stream buffer made room (a frame left it). */
void acquisition_room(struct acquisition *a);

/* Trigger engine: start an exposure at `t` (now) of `exposure_ns` (0 = until
 * acquisition_close_exposure()). Returns the block id, or 0 when no frame
 * could be started (acquisition not running, or the frame count is used up). */
uint64_t acquisition_expose(struct acquisition *a, uint64_t t, uint64_t exposure_ns);
void acquisition_close_exposure(struct acquisition *a, uint64_t block_id, uint64_t t);
/* Exposure end and readout end of the most recent frame (0 when none is in flight). */
bool acquisition_last_frame(const struct acquisition *a, uint64_t *exposure_end, uint64_t *readout_end);
/* Readout time of a frame with the current settings. */
uint64_t acquisition_readout_ns(struct acquisition *a);

#endif
