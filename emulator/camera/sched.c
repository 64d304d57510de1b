#include "sched.h"

#include <string.h>

#include "../common/log.h"

/* How far (in wall time) events may run behind the device clock before the clock
 * waits for them, and how long one timer round may work before serving the network. */
#define MAX_LAG_WALL_NS   50000000ull
#define ROUND_BUDGET_NS    2000000ull

static void on_timer(struct evloop *loop, void *arg);

void sched_init(struct dev_sched *s, struct evloop *loop, struct dev_clock *clock)
{
	memset(s, 0, sizeof(*s));
	s->loop = loop;
	s->clock = clock;
	evloop_timer_init(&s->timer, on_timer, s);
}

void sched_event_init(struct dev_event *e, dev_event_fn fn, void *arg)
{
	memset(e, 0, sizeof(*e));
	e->fn = fn;
	e->arg = arg;
}

void sched_retime(struct dev_sched *s)
{
	/* a clock waiting for the emulator runs again once nothing is left behind it */
	if (s->clock->waiting && (!s->head || s->holds || s->head->t > s->clock->dev_base))
		clock_resume(s->clock);
	if (!s->head || s->holds) {
		evloop_timer_stop(s->loop, &s->timer);
		return;
	}
	/* A clock that does not run by itself (scale 0) jumps to the next event now;
	 * a paused clock waits for an explicit advance. */
	if (s->clock->paused) {
		evloop_timer_stop(s->loop, &s->timer);
		return;
	}
	evloop_timer_start(s->loop, &s->timer, clock_wall_deadline(s->clock, s->head->t));
}

static void unlink_event(struct dev_sched *s, struct dev_event *e)
{
	for (struct dev_event **pp = &s->head; *pp; pp = &(*pp)->next) {
		if (*pp == e) {
			*pp = e->next;
			break;
		}
	}
	e->next = NULL;
	e->armed = false;
}

void sched_at(struct dev_sched *s, struct dev_event *e, uint64_t t)
{
	struct dev_event **pp;

	if (e->armed)
		unlink_event(s, e);
	e->t = t;
	e->seq = s->seq++;
	e->armed = true;
	for (pp = &s->head; *pp && ((*pp)->t < t || ((*pp)->t == t && (*pp)->seq < e->seq)); pp = &(*pp)->next)
		;
	e->next = *pp;
	*pp = e;
	sched_retime(s);
}

void sched_cancel(struct dev_sched *s, struct dev_event *e)
{
	if (!e->armed)
		return;
	unlink_event(s, e);
	sched_retime(s);
}

void sched_cancel_all(struct dev_sched *s)
{
	while (s->head)
		unlink_event(s, s->head);
	sched_retime(s);
}

static void fire_head(struct dev_sched *s)
{
	struct dev_event *e = s->head;

	unlink_event(s, e);
	clock_advance_to(s->clock, e->t);
	e->fn(e->arg, e->t);
}

/* Device time is ahead of the events by more than MAX_LAG_WALL_NS of wall time
 * (rendering a frame took longer than the frames come): let the clock wait. */
static void check_lag(struct dev_sched *s)
{
	struct dev_clock *c = s->clock;
	uint64_t now = clock_now(c);

	if (c->waiting || !s->head || s->head->t >= now)
		return;
	if ((double)(now - s->head->t) < (double)MAX_LAG_WALL_NS * c->scale)
		return;
	clock_wait(c);
	uint64_t wall = mono_now_ns();
	if (s->lag_logged_at == 0 || wall - s->lag_logged_at > 10000000000ull) {
		log_warn("the host is too slow for time scale %g: device time waits for the emulator "
			 "(%llu times so far; event times stay exact, wall-clock pace does not)",
			 c->scale, (unsigned long long)c->waits);
		s->lag_logged_at = wall;
	}
}

static void on_timer(struct evloop *loop, void *arg)
{
	struct dev_sched *s = arg;
	uint64_t until = mono_now_ns() + ROUND_BUDGET_NS;

	(void)loop;
	while (s->head && !s->holds) {
		if (clock_free_running(s->clock) && s->head->t > clock_now(s->clock))
			break;
		check_lag(s);
		fire_head(s);
		if (!clock_free_running(s->clock))
			break;   /* scale 0: one event per loop round, so host I/O interleaves */
		/* one frame can take longer to render than a frame period: never starve the network */
		if (mono_now_ns() >= until)
			break;
	}
	sched_retime(s);
}

void sched_run_until(struct dev_sched *s, uint64_t t)
{
	while (s->head && s->head->t <= t && !s->holds)
		fire_head(s);
	clock_advance_to(s->clock, t);
	sched_retime(s);
}

void sched_hold(struct dev_sched *s)
{
	s->holds++;
	sched_retime(s);
}

void sched_release(struct dev_sched *s)
{
	if (s->holds)
		s->holds--;
	sched_retime(s);
}

uint64_t sched_next(const struct dev_sched *s) { return s->head ? s->head->t : UINT64_MAX; }
