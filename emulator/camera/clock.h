/* SPDX-License-Identifier: MIT */
/* The device clock: nanoseconds since power-on, the single time base of the
 * camera (Timestamp feature, leader timestamps, trigger and strobe timing).
 *
 * Device time relates to the host's monotonic clock by a scale factor:
 *   scale 1   : real time; scale 0.1: slow motion (device runs at 1/10 speed);
 *   scale 0   : device time only moves when the emulator moves it (events
 *               happen as soon as the host lets them: "as fast as the host reads").
 * When the emulator falls behind (a slow host), device time waits for it
 * rather than events being skipped: see clock_wait.
 * A paused clock does not move until resumed or advanced explicitly.
 */
#ifndef DFK_CLOCK_H
#define DFK_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

struct dev_clock {
	double scale;
	bool paused;
	uint64_t dev_base;    /* device time at wall_base */
	uint64_t wall_base;   /* CLOCK_MONOTONIC ns */
	uint64_t floor;       /* device time never reads below this (monotonic across mode changes) */
	bool waiting;         /* free running, but stopped until the emulator catches up (clock_wait) */
	uint64_t waits;       /* how often, and how long in wall ns, device time waited */
	uint64_t waited_ns;
	uint64_t wait_since;  /* wall time the current wait began */
};

void clock_init(struct dev_clock *c, double scale);
uint64_t clock_now(struct dev_clock *c);
/* True when device time runs on its own (scale > 0 and not paused). */
bool clock_free_running(const struct dev_clock *c);
/* Monotonic wall time at which device time reaches `t` (now if it already has, or if the clock does not run). */
uint64_t clock_wall_deadline(const struct dev_clock *c, uint64_t t);
/* Move device time forward to `t` (no effect if already past). */
void clock_advance_to(struct dev_clock *c, uint64_t t);
void clock_set_scale(struct dev_clock *c, double scale);
void clock_pause(struct dev_clock *c, bool paused);
/* The emulator is behind device time (the host CPU cannot render at this time scale):
 * device time stops where it is until clock_resume. Events keep their own device
 * times, so everything computed stays exact; only the wall-clock pace suffers. */
void clock_wait(struct dev_clock *c);
void clock_resume(struct dev_clock *c);
/* Power-on: device time restarts at 0. */
void clock_reset(struct dev_clock *c);

#endif
