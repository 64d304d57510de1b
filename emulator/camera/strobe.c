#include "strobe.h"

#include <string.h>

#include "camera.h"
#include "eventlog.h"

static void on_pulse_on(void *arg, uint64_t t);
static void on_pulse_off(void *arg, uint64_t t);

void strobe_init(struct strobe *s, struct camera *cam)
{
	memset(s, 0, sizeof(*s));
	s->cam = cam;
	for (unsigned i = 0; i < STROBE_MAX_PULSES; i++) {
		s->pulses[i].s = s;
		sched_event_init(&s->pulses[i].on, on_pulse_on, &s->pulses[i]);
		sched_event_init(&s->pulses[i].off, on_pulse_off, &s->pulses[i]);
	}
}

static int output_level(struct strobe *s)
{
	struct camera *cam = s->cam;

	if (!camera_enum_is(cam, "StrobeEnable", "On"))
		return camera_int(cam, "GPOut") ? 1 : 0;   /* 5.6.2 */
	bool active_low = camera_enum_is(cam, "StrobePolarity", "ActiveLow");
	bool on = s->active > 0;
	return (on != active_low) ? 1 : 0;               /* 5.7.2 */
}

static void set_level(struct strobe *s, uint64_t t)
{
	int level = output_level(s);

	if (level != s->level) {
		s->level = level;
		eventlog_add(&s->cam->log, t, EV_STROBE_OUT, level, 0);
	}
}

void strobe_update(struct strobe *s, uint64_t now) { set_level(s, now); }

void strobe_reset(struct strobe *s, uint64_t now)
{
	for (unsigned i = 0; i < STROBE_MAX_PULSES; i++) {
		sched_cancel(&s->cam->sched, &s->pulses[i].on);
		sched_cancel(&s->cam->sched, &s->pulses[i].off);
		s->pulses[i].used = false;
	}
	s->active = 0;
	s->level = output_level(s);
	(void)now;
}

void strobe_exposure_start(struct strobe *s, uint64_t block_id, uint64_t t, uint64_t exposure_ns)
{
	struct camera *cam = s->cam;
	struct strobe_pulse *p = NULL;
	uint64_t delay, duration;

	if (!camera_enum_is(cam, "StrobeEnable", "On"))
		return;
	delay = (uint64_t)camera_int(cam, "StrobeDelay") * 1000;
	if (camera_enum_is(cam, "StrobeOperation", "FixedDuration"))
		duration = (uint64_t)camera_int(cam, "StrobeDuration") * 1000;
	else
		duration = exposure_ns;   /* 0: follows an exposure whose end is not known yet */
	if (duration == 0 && camera_enum_is(cam, "StrobeOperation", "FixedDuration"))
		return;                   /* a zero-length pulse is no pulse */
	for (unsigned i = 0; i < STROBE_MAX_PULSES && !p; i++)
		if (!s->pulses[i].used)
			p = &s->pulses[i];
	if (!p) {
		s->pulses_lost++;
		return;
	}
	p->used = true;
	p->block_id = block_id;
	p->follows_exposure = duration == 0;
	s->pulses_made++;
	sched_at(&cam->sched, &p->on, t + delay);
	if (duration)
		sched_at(&cam->sched, &p->off, t + delay + duration);
}

void strobe_exposure_end(struct strobe *s, uint64_t block_id, uint64_t t)
{
	struct camera *cam = s->cam;
	uint64_t delay = (uint64_t)camera_int(cam, "StrobeDelay") * 1000;

	for (unsigned i = 0; i < STROBE_MAX_PULSES; i++) {
		struct strobe_pulse *p = &s->pulses[i];
		if (p->used && p->follows_exposure && p->block_id == block_id) {
			p->follows_exposure = false;
			sched_at(&cam->sched, &p->off, t + delay);
		}
	}
}

static void on_pulse_on(void *arg, uint64_t t)
{
	struct strobe_pulse *p = arg;

	p->s->active++;
	set_level(p->s, t);
}

static void on_pulse_off(void *arg, uint64_t t)
{
	struct strobe_pulse *p = arg;

	if (p->s->active)
		p->s->active--;
	p->used = false;
	set_level(p->s, t);
}
