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
 * stays active (5.4.4). */
#ifndef DFK_TRIGGER_H
#define DFK_TRIGGER_H

#include <stdbool.h>
#include <stdint.h>

#include "sched.h"

struct camera;

struct line_edge {
	struct dev_event ev;
	int level;
	struct trigger *trig;
	struct line_edge *next;
};

struct trigger_stats {
	uint64_t accepted, rejected;
	uint64_t rejected_by[16];
};

struct trigger {
	struct camera *cam;
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

void trigger_init(struct trigger *t, struct camera *cam, uint32_t seed);
/* Power-up: line low, nothing pending. */
void trigger_reset(struct trigger *t);
/* Schedule TRIGGER_IN := level at device time `at` (>= now). Returns 0 or negative dfk_err. */
int trigger_line_schedule(struct trigger *t, uint64_t at, int level);
/* TriggerSoftware executed at device time `now`. */
void trigger_software(struct trigger *t, uint64_t now);
/* TriggerMode / acquisition changed: forget a pending burst. */
void trigger_abort(struct trigger *t);
/* The extra delay of non-low-latency mode for a trigger at time `t`. */
uint64_t trigger_sensor_latency(struct trigger *t, uint64_t at);

#endif
