/* SPDX-License-Identifier: MIT */
/* The acquisition state machine in device time: AcquisitionStart/Stop and
 * AcquisitionMode, free-running frames at the configured rate or exposures
 * started by the trigger engine, and per frame the sequence
 * exposure -> readout -> delivery to the stream.
 *
 * Every time is computed from the settings and the previous frame's times,
 * never from when the host ran us: free-running leader timestamps are one
 * frame period apart to the nanosecond. Each transition is a device-time
 * event, logged in the event log in time order.
 *
 * The engine knows the device scheduler, the event log, the sensor's timing
 * and its settings; what it asks of the camera around it (the frame's sensor
 * settings, rendering and delivery, the strobe) goes through
 * struct acquisition_ops. */
#ifndef DFK_ACQUISITION_H
#define DFK_ACQUISITION_H

#include <stdbool.h>
#include <stdint.h>

#include "../../models/model.h"
#include "../sensor/sensor.h"
#include "eventlog.h"
#include "framerate.h"
#include "sched.h"

#define ACQ_MAX_IN_FLIGHT 16

/* What a delivered frame carries to the stream. */
struct frame_meta {
	uint64_t block_id;
	uint64_t timestamp_ns;       /* exposure start */
	uint32_t pfnc;
	uint32_t width, height, offset_x, offset_y;
	uint64_t payload_size;
	uint64_t link_ns;            /* device time its payload takes on the USB link; 0 = no link model */
	uint64_t readout_end_ns;     /* device time the frame was complete in the camera */
	const uint8_t *data;         /* where the payload starts in its blob (NULL: at its start) */
};

/* The acquisition features, as the engine uses them. */
struct acquisition_settings {
	uint64_t exposure_ns;        /* ExposureTime */
	uint64_t max_exposure_ns;    /* the longest exposure the sensor integrates (ExposureTime's maximum) */
	double frame_rate;           /* AcquisitionFrameRate */
	uint64_t frames_per_start;   /* AcquisitionMode (and AcquisitionFrameCount); UINT64_MAX = continuous */
	struct readout readout;      /* geometry in effect: readout time and frame period follow from it */
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

/* What the acquisition asks of the camera around it. */
struct acquisition_ops {
	/* The settings a frame about to expose is taken with (the auto functions choose theirs first). */
	void (*prepare_frame)(void *ctx, struct sensor_settings *st);
	/* Exposure of `block_id` started at `t`, lasting `exposure_ns` (0: until closed) / ended at `t`. */
	void (*exposure_started)(void *ctx, uint64_t block_id, uint64_t t, uint64_t exposure_ns);
	void (*exposure_ended)(void *ctx, uint64_t block_id, uint64_t t);
	/* Render the frame and hand it to the stream: 0, DFK_ERR_BUSY (buffer full: dropped)
	 * or another error (stream off: discarded). */
	int (*deliver)(void *ctx, const struct acq_frame *f);
	/* SingleFrame / MultiFrame: the acquisition ended by itself after its last frame. */
	void (*ended)(void *ctx);
	/* A clock that does not run by itself: would the stream take a frame now? */
	bool (*has_room)(void *ctx);
};

struct acq_stats {
	uint64_t started;            /* exposures started */
	uint64_t delivered;          /* handed to the stream */
	uint64_t dropped;            /* the camera's buffer was full */
	uint64_t discarded;          /* the stream was not enabled, or acquisition stopped */
};

struct acquisition {
	struct dev_sched *sched;
	struct eventlog *log;
	const struct sensor_timing *sensor;
	const struct acquisition_ops *ops;
	void *ops_ctx;
	struct acquisition_settings set;

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

void acquisition_init(struct acquisition *a, struct dev_sched *sched, struct eventlog *log,
		      const struct sensor_timing *sensor, const struct acquisition_ops *ops, void *ops_ctx);
void acquisition_configure(struct acquisition *a, const struct acquisition_settings *set);
/* AcquisitionStart at device time `t`; `triggered` when TriggerMode is On. */
void acquisition_start(struct acquisition *a, uint64_t t, bool triggered);
void acquisition_stop(struct acquisition *a, uint64_t t);
void acquisition_reset(struct acquisition *a);
/* TriggerMode changed at `now`: while acquiring, free running stops or resumes now. */
void acquisition_set_triggered(struct acquisition *a, bool triggered, uint64_t now);
/* Running, and taking its exposures from triggers. */
bool acquisition_takes_triggers(const struct acquisition *a);
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
uint64_t acquisition_readout_ns(const struct acquisition *a);
const struct acq_stats *acquisition_stats(const struct acquisition *a);

#endif
