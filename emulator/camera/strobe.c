/* SPDX-License-Identifier: MIT */
#include "strobe.h"

#include <string.h>

static void on_pulse_on(void *arg, uint64_t t);
static void on_pulse_off(void *arg, uint64_t t);

void strobe_init(struct strobe *s, struct dev_sched *sched, struct eventlog *log)
{
	memset(s, 0, sizeof(*s));
	s->sched = sched;
	s->log = log;
	for (unsigned i = 0; i < STROBE_MAX_PULSES; i++) {
		s->pulses[i].s = s;
		sched_event_init(&s->pulses[i].on, on_pulse_on, &s->pulses[i]);
		sched_event_init(&s->pulses[i].off, on_pulse_off, &s->pulses[i]);
	}
}

void strobe_configure(struct strobe *s, const struct strobe_settings *set) { s->set = *set; }

int strobe_level(const struct strobe *s) { return s->level; }

static int output_level(const struct strobe *s)
{
	if (!s->set.enabled)
		return s->set.gp_out ? 1 : 0;            /* 5.6.2 */
	bool on = s->active > 0;
	return (on != s->set.active_low) ? 1 : 0;       /* 5.7.2 */
}

static void set_level(struct strobe *s, uint64_t t)
{
	int level = output_level(s);

	if (level != s->level) {
		s->level = level;
		eventlog_add(s->log, t, EV_STROBE_OUT, level, 0);
	}
}

void strobe_update(struct strobe *s, uint64_t now) { set_level(s, now); }

void strobe_reset(struct strobe *s, uint64_t now)
{
	for (unsigned i = 0; i < STROBE_MAX_PULSES; i++) {
		sched_cancel(s->sched, &s->pulses[i].on);
		sched_cancel(s->sched, &s->pulses[i].off);
		s->pulses[i].used = false;
	}
	s->active = 0;
	s->level = output_level(s);
	(void)now;
}

void strobe_exposure_start(struct strobe *s, uint64_t block_id, uint64_t t, uint64_t exposure_ns)
{
	struct strobe_pulse *p = NULL;
	uint64_t duration;

	if (!s->set.enabled)
		return;
	/* Exposure: 0 follows an exposure whose end is not known yet */
	duration = s->set.fixed_duration ? s->set.duration_ns : exposure_ns;
	if (duration == 0 && s->set.fixed_duration)
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
	sched_at(s->sched, &p->on, t + s->set.delay_ns);
	if (duration)
		sched_at(s->sched, &p->off, t + s->set.delay_ns + duration);
}

void strobe_exposure_end(struct strobe *s, uint64_t block_id, uint64_t t)
{
	for (unsigned i = 0; i < STROBE_MAX_PULSES; i++) {
		struct strobe_pulse *p = &s->pulses[i];
		if (p->used && p->follows_exposure && p->block_id == block_id) {
			p->follows_exposure = false;
			sched_at(s->sched, &p->off, t + s->set.delay_ns);
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
