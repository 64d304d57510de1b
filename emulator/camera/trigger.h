/* SPDX-License-Identifier: MIT */
/* TRIGGER_IN and the trigger engine (manual 5.4, 5.5), in device time.
 *
 * Conditioning of the TRIGGER_IN line (software triggers bypass all three,
 * the manual presents them as filters for bad signals on the line):
 *   - TriggerDebouncer T: an active edge counts only if the line was inactive
 *     for at least T right before it (5.5.2);
 *   - TriggerDenoise T: the line must stay active for T; the trigger is
 *     recognised T after the edge (5.5.4);
 *   - TriggerMask T: triggers within T after an accepted one are ignored (5.5.3).
 * Then, for any source: TriggerMode, acquisition running, TriggerSource,
 * a burst still running, TriggerOverlap (5.4.7). An accepted trigger starts
 * exposure after TriggerDelay (line only, 5.5.1) plus, when
 * IMXLowLatencyMode is False, the wait for the sensor's next internal line
 * clock edge plus one line (5.4.8; deterministic for a given seed). Each
 * trigger takes AcquisitionBurstFrameCount frames, one frame period apart (5.4.5).
 * With TriggerSelector = ExposureActive the exposure lasts while the line
 * stays active (5.4.4).
 *
 * The engine knows the device scheduler, the event log, the sensor's timing
 * and its settings; exposures are asked of the acquisition through
 * struct trigger_ops. */
#ifndef DFK_TRIGGER_H
#define DFK_TRIGGER_H

#include <stdbool.h>
#include <stdint.h>

#include "../../models/model.h"
#include "eventlog.h"
#include "framerate.h"
#include "sched.h"

/* Which sources TriggerSource lets through. */
enum trigger_sources { TRIGGER_FROM_ANY, TRIGGER_FROM_LINE1, TRIGGER_FROM_SOFTWARE };

/* The trigger features, as the engine uses them. */
struct trigger_settings {
	bool mode_on;                 /* TriggerMode On */
	enum trigger_sources sources; /* TriggerSource */
	bool falling_edge;            /* TriggerActivation FallingEdge: the line is active low */
	bool exposure_active;         /* TriggerSelector ExposureActive: a line pulse sets the exposure */
	bool overlap_readout;         /* TriggerOverlap Readout (else Off) */
	bool low_latency;             /* IMXLowLatencyMode */
	uint64_t delay_ns;            /* TriggerDelay */
	uint64_t debounce_ns;         /* TriggerDebouncer */
	uint64_t mask_ns;             /* TriggerMask */
	uint64_t denoise_ns;          /* TriggerDenoise */
	unsigned burst_count;         /* AcquisitionBurstFrameCount (0 counts as 1) */
	uint64_t exposure_ns;         /* ExposureTime */
	double frame_rate;            /* AcquisitionFrameRate: with the exposure, the burst's pace */
	struct readout readout;       /* geometry in effect: the sensor's line clock follows from it */
};

/* What the trigger engine asks of the acquisition. */
struct trigger_ops {
	/* Acquisition runs and takes its exposures from triggers. */
	bool (*can_accept)(void *ctx);
	/* Exposure end (0 while exposing) and readout end of the frame in flight last; false when none is. */
	bool (*last_frame)(void *ctx, uint64_t *exposure_end, uint64_t *readout_end);
	/* Start an exposure at `t` of `exposure_ns` (0: until close). Returns its block id, 0 when none started. */
	uint64_t (*expose)(void *ctx, uint64_t t, uint64_t exposure_ns);
	/* End the open exposure `block_id` at `t`. */
	void (*close)(void *ctx, uint64_t block_id, uint64_t t);
};

struct line_edge {
	struct dev_event ev;
	int level;
	struct trigger *trig;
	struct line_edge *prev, *next;   /* doubly linked: an edge leaves the list in O(1) when it fires */
};

struct trigger_stats {
	uint64_t accepted, rejected;
	uint64_t rejected_by[16];
};

struct trigger {
	struct dev_sched *sched;
	struct eventlog *log;
	const struct sensor_timing *sensor;
	const struct trigger_ops *ops;
	void *ops_ctx;
	struct trigger_settings set;

	int level;                    /* TRIGGER_IN electrical level now: 1 high, 0 low */
	uint64_t level_since;         /* device time of the last change */
	struct line_edge *pending;    /* scheduled level changes */
	unsigned n_pending;

	bool denoise_waiting;
	uint64_t denoise_edge;
	struct dev_event denoise_ev;

	bool accepted_any;
	uint64_t last_accepted;       /* for TriggerMask */

	/* an accepted trigger on its way to exposure, and the burst it starts */
	bool starting;
	int start_source;
	uint64_t start_at;
	uint64_t start_latency;       /* delay + sensor wait applied to this trigger's edges */
	struct dev_event start_ev;
	unsigned burst_left;
	struct dev_event burst_ev;
	/* trigger width exposure (ExposureActive on TRIGGER_IN) */
	bool width_mode;
	uint64_t width_block;         /* block id of the open exposure, 0 = none */
	uint64_t width_close_at;      /* pending close time when the line went inactive early */
	struct dev_event close_ev;

	uint32_t phase_seed;
	struct trigger_stats stats;
};

#define TRIGGER_MAX_PENDING 100000u

/* `seed` places the sensor's line clock (non-low-latency delays). */
void trigger_init(struct trigger *t, struct dev_sched *sched, struct eventlog *log, const struct sensor_timing *sensor,
		  uint32_t seed, const struct trigger_ops *ops, void *ops_ctx);
void trigger_configure(struct trigger *t, const struct trigger_settings *set);
/* Power-up: line low, nothing pending. */
void trigger_reset(struct trigger *t);
/* Schedule TRIGGER_IN := level at device time `at` (>= now). Returns 0 or negative dfk_err. */
int trigger_line_schedule(struct trigger *t, uint64_t at, int level);
/* TriggerSoftware executed at device time `now`. */
void trigger_software(struct trigger *t, uint64_t now);
/* TriggerMode / acquisition changed: forget a pending burst. */
void trigger_abort(struct trigger *t);
/* The extra delay of non-low-latency mode for a trigger at time `at`. */
uint64_t trigger_sensor_latency(const struct trigger *t, uint64_t at);
/* TRIGGER_IN now: 1 high, 0 low. */
int trigger_level(const struct trigger *t);
const struct trigger_stats *trigger_stats(const struct trigger *t);

#endif
