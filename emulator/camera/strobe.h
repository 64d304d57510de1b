/* STROBE_OUT (manual 5.6.2, 5.7): driven by GPOut while the strobe is off;
 * with StrobeEnable = On, one pulse per exposure, StrobeDelay after exposure
 * start, lasting the exposure (StrobeOperation = Exposure) or StrobeDuration
 * (FixedDuration), high or low as StrobePolarity says. Overlapping pulses merge. */
#ifndef DFK_STROBE_H
#define DFK_STROBE_H

#include <stdbool.h>
#include <stdint.h>

#include "sched.h"

#define STROBE_MAX_PULSES 64

struct camera;

struct strobe_pulse {
	bool used;
	uint64_t block_id;
	bool follows_exposure;       /* ends at the exposure's end (+ delay) */
	struct dev_event on, off;
	struct strobe *s;
};

struct strobe {
	struct camera *cam;
	int level;                   /* STROBE_OUT now: 1 high, 0 low */
	unsigned active;             /* pulses on now */
	struct strobe_pulse pulses[STROBE_MAX_PULSES];
	uint64_t pulses_made, pulses_lost;
};

void strobe_init(struct strobe *s, struct camera *cam);
void strobe_reset(struct strobe *s, uint64_t now);
/* An exposure started at `t` lasting `exposure_ns` (0 = until strobe_exposure_end). */
void strobe_exposure_start(struct strobe *s, uint64_t block_id, uint64_t t, uint64_t exposure_ns);
void strobe_exposure_end(struct strobe *s, uint64_t block_id, uint64_t t);
/* GPOut, StrobeEnable or StrobePolarity changed: recompute the line now. */
void strobe_update(struct strobe *s, uint64_t now);

#endif
