/* SPDX-License-Identifier: MIT */
/* STROBE_OUT (manual 5.6.2, 5.7): driven by GPOut while the strobe is off;
 * with StrobeEnable = On, one pulse per exposure, StrobeDelay after exposure
 * start, lasting the exposure (StrobeOperation = Exposure) or StrobeDuration
 * (FixedDuration), high or low as StrobePolarity says. Overlapping pulses merge.
 *
 * The engine knows the device scheduler, the event log and its settings; the
 * camera tells it when exposures start and end. */
#ifndef DFK_STROBE_H
#define DFK_STROBE_H

#include <stdbool.h>
#include <stdint.h>

#include "eventlog.h"
#include "sched.h"

#define STROBE_MAX_PULSES 64

/* The strobe features, as the engine uses them. */
struct strobe_settings {
	bool enabled;                /* StrobeEnable On: pulses drive the line, GPOut does not */
	bool gp_out;                 /* GPOut: the line's level while the strobe is off */
	bool active_low;             /* StrobePolarity ActiveLow: the line is low during a pulse */
	bool fixed_duration;         /* StrobeOperation FixedDuration (else the pulse lasts the exposure) */
	uint64_t duration_ns;        /* StrobeDuration */
	uint64_t delay_ns;           /* StrobeDelay: exposure start to pulse start */
};

struct strobe_pulse {
	bool used;
	uint64_t block_id;
	bool follows_exposure;       /* ends at the exposure's end (+ delay) */
	struct dev_event on, off;
	struct strobe *s;
};

struct strobe {
	struct dev_sched *sched;
	struct eventlog *log;
	struct strobe_settings set;
	int level;                   /* STROBE_OUT now: 1 high, 0 low */
	unsigned active;             /* pulses on now */
	struct strobe_pulse pulses[STROBE_MAX_PULSES];
	uint64_t pulses_made, pulses_lost;
};

void strobe_init(struct strobe *s, struct dev_sched *sched, struct eventlog *log);
/* New settings; the line itself changes at the next pulse edge or strobe_update(). */
void strobe_configure(struct strobe *s, const struct strobe_settings *set);
/* Power-up and AcquisitionStop: no pulses; the line takes its resting level without an event. */
void strobe_reset(struct strobe *s, uint64_t now);
/* An exposure started at `t` lasting `exposure_ns` (0 = until strobe_exposure_end). */
void strobe_exposure_start(struct strobe *s, uint64_t block_id, uint64_t t, uint64_t exposure_ns);
void strobe_exposure_end(struct strobe *s, uint64_t block_id, uint64_t t);
/* GPOut, StrobeEnable or StrobePolarity changed: recompute the line now. */
void strobe_update(struct strobe *s, uint64_t now);
/* STROBE_OUT now: 1 high, 0 low. */
int strobe_level(const struct strobe *s);

#endif
