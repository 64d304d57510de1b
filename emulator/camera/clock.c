/* SPDX-License-Identifier: MIT */
#include "clock.h"

#include "../common/evloop.h"

static uint64_t raw_now(const struct dev_clock *c)
{
	if (c->paused || c->scale <= 0.0 || c->waiting)
		return c->dev_base;
	uint64_t wall = mono_now_ns();
	if (wall <= c->wall_base)
		return c->dev_base;
	return c->dev_base + (uint64_t)((double)(wall - c->wall_base) * c->scale);
}

/* Re-anchor so that changes of scale or pause never make time jump. */
static void rebase(struct dev_clock *c)
{
	uint64_t now = clock_now(c);

	c->dev_base = now;
	c->wall_base = mono_now_ns();
}

void clock_init(struct dev_clock *c, double scale)
{
	c->waiting = false;
	c->waits = c->waited_ns = c->wait_since = 0;
	c->scale = scale < 0 ? 0 : scale;
	c->paused = false;
	c->dev_base = 0;
	c->floor = 0;
	c->wall_base = mono_now_ns();
}

uint64_t clock_now(struct dev_clock *c)
{
	uint64_t t = raw_now(c);

	if (t < c->floor)
		t = c->floor;
	c->floor = t;
	return t;
}

bool clock_free_running(const struct dev_clock *c) { return !c->paused && c->scale > 0.0; }

uint64_t clock_wall_deadline(const struct dev_clock *c, uint64_t t)
{
	uint64_t now_wall = mono_now_ns();

	if (!clock_free_running(c) || t <= c->dev_base)
		return now_wall;
	uint64_t wall = c->wall_base + (uint64_t)((double)(t - c->dev_base) / c->scale);
	return wall;
}

void clock_advance_to(struct dev_clock *c, uint64_t t)
{
	if (t <= clock_now(c))
		return;
	c->dev_base = t;
	c->floor = t;
	c->wall_base = mono_now_ns();
}

void clock_set_scale(struct dev_clock *c, double scale)
{
	rebase(c);
	c->scale = scale < 0 ? 0 : scale;
}

void clock_pause(struct dev_clock *c, bool paused)
{
	rebase(c);
	c->paused = paused;
}

void clock_wait(struct dev_clock *c)
{
	if (c->waiting)
		return;
	rebase(c);
	c->waiting = true;
	c->waits++;
	c->wait_since = c->wall_base;
}

void clock_resume(struct dev_clock *c)
{
	if (!c->waiting)
		return;
	rebase(c);   /* while still waiting: device time resumes from where it stood */
	c->waiting = false;
	c->waited_ns += c->wall_base - c->wait_since;
}

void clock_reset(struct dev_clock *c)
{
	c->waiting = false;
	c->dev_base = 0;
	c->floor = 0;
	c->wall_base = mono_now_ns();
}
