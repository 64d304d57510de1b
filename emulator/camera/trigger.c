/* SPDX-License-Identifier: MIT */
#include "trigger.h"

#include <stdlib.h>
#include <string.h>

#include "../common/errors.h"

static void on_line_edge(void *arg, uint64_t t);
static void on_denoise(void *arg, uint64_t t);
static void on_start(void *arg, uint64_t t);
static void on_burst(void *arg, uint64_t t);
static void on_close(void *arg, uint64_t t);

void trigger_init(struct trigger *t, struct dev_sched *sched, struct eventlog *log, const struct sensor_timing *sensor,
		  uint32_t seed, const struct trigger_ops *ops, void *ops_ctx)
{
	memset(t, 0, sizeof(*t));
	t->sched = sched;
	t->log = log;
	t->sensor = sensor;
	t->ops = ops;
	t->ops_ctx = ops_ctx;
	t->phase_seed = seed;
	sched_event_init(&t->denoise_ev, on_denoise, t);
	sched_event_init(&t->start_ev, on_start, t);
	sched_event_init(&t->burst_ev, on_burst, t);
	sched_event_init(&t->close_ev, on_close, t);
}

void trigger_configure(struct trigger *t, const struct trigger_settings *set) { t->set = *set; }

int trigger_level(const struct trigger *t) { return t->level; }

const struct trigger_stats *trigger_stats(const struct trigger *t) { return &t->stats; }

void trigger_abort(struct trigger *t)
{
	struct dev_sched *s = t->sched;

	sched_cancel(s, &t->denoise_ev);
	sched_cancel(s, &t->start_ev);
	sched_cancel(s, &t->burst_ev);
	sched_cancel(s, &t->close_ev);
	t->denoise_waiting = false;
	t->starting = false;
	t->burst_left = 0;
	t->width_block = 0;
	t->width_close_at = 0;
}

void trigger_reset(struct trigger *t)
{
	trigger_abort(t);
	while (t->pending) {
		struct line_edge *e = t->pending;
		t->pending = e->next;
		sched_cancel(t->sched, &e->ev);
		free(e);
	}
	t->n_pending = 0;
	t->level = 0;        /* no current through the optocoupler */
	t->level_since = 0;
	t->accepted_any = false;
	t->last_accepted = 0;
	memset(&t->stats, 0, sizeof(t->stats));
}

int trigger_line_schedule(struct trigger *t, uint64_t at, int level)
{
	struct line_edge *e;

	if (t->n_pending >= TRIGGER_MAX_PENDING)
		return DFK_ERR_BUSY;
	e = calloc(1, sizeof(*e));
	if (!e)
		return DFK_ERR_NOMEM;
	e->level = level ? 1 : 0;
	e->trig = t;
	sched_event_init(&e->ev, on_line_edge, e);
	e->next = t->pending;
	if (t->pending)
		t->pending->prev = e;
	t->pending = e;
	t->n_pending++;
	sched_at(t->sched, &e->ev, at);
	return DFK_OK;
}

uint64_t trigger_sensor_latency(const struct trigger *t, uint64_t at)
{
	const struct sensor_timing *st = t->sensor;
	const struct readout *r = &t->set.readout;

	/* the sensor's internal line clock: one row time at the current width */
	uint64_t line = st->row_ns + ((uint64_t)r->width * r->binning_h * st->row_per_col_ps) / 1000;
	uint64_t phase = ((uint64_t)t->phase_seed * 2654435761u) % line;
	uint64_t to_edge = (phase + line - at % line) % line;
	return to_edge + line;
}

static void reject(struct trigger *t, uint64_t at, int source, enum trig_reject why)
{
	t->stats.rejected++;
	t->stats.rejected_by[why]++;
	eventlog_add(t->log, at, EV_TRIGGER_REJECTED, source, why);
}

/* Checks that apply to every source; returns REJ_NONE when the trigger is accepted. */
static enum trig_reject check(struct trigger *t, uint64_t at, int source)
{
	uint64_t exp_end = 0, ro_end = 0;

	if (!t->set.mode_on)
		return REJ_TRIGGER_MODE_OFF;
	if (!t->ops->can_accept(t->ops_ctx))
		return REJ_NOT_ACQUIRING;
	if ((source == TRIG_SRC_LINE1 && t->set.sources == TRIGGER_FROM_SOFTWARE) ||
	    (source == TRIG_SRC_SOFTWARE && t->set.sources == TRIGGER_FROM_LINE1))
		return REJ_SOURCE;
	if (t->starting || t->burst_left)
		return REJ_BURST;
	if (t->ops->last_frame(t->ops_ctx, &exp_end, &ro_end)) {
		bool exposing = exp_end == 0 || at < exp_end;
		if (t->set.overlap_readout) {
			/* 5.4.7: during readout, while the remaining readout is shorter than the exposure */
			uint64_t exposure = t->set.exposure_ns;
			if (exposing || (at < ro_end && ro_end - at >= exposure))
				return REJ_OVERLAP;
		} else if (exposing || at < ro_end) {
			return REJ_OVERLAP;   /* Off: only once the previous frame is read out */
		}
	}
	return REJ_NONE;
}

/* `edge` is when the line changed; `at` when the trigger was recognised (later with denoise). */
static void accept(struct trigger *t, uint64_t at, int source, uint64_t edge)
{
	uint64_t delay = 0;

	if (source == TRIG_SRC_LINE1) {
		delay = t->set.delay_ns;   /* 5.5.1: software triggers are not delayed */
		t->accepted_any = true;
		t->last_accepted = at;
	}
	if (!t->set.low_latency)
		delay += trigger_sensor_latency(t, at + delay);
	t->stats.accepted++;
	t->starting = true;
	t->start_source = source;
	t->start_at = at + delay;
	t->start_latency = t->start_at - edge;   /* trigger width: the end edge is shifted alike */
	t->burst_left = t->set.burst_count;
	if (t->burst_left == 0)
		t->burst_left = 1;
	t->width_mode = source == TRIG_SRC_LINE1 && t->set.exposure_active;
	t->width_close_at = 0;
	eventlog_add(t->log, at, EV_TRIGGER_ACCEPTED, source, (int64_t)t->start_at);
	sched_at(t->sched, &t->start_ev, t->start_at);
}

static void consider(struct trigger *t, uint64_t at, int source, uint64_t edge)
{
	enum trig_reject why = check(t, at, source);

	if (why != REJ_NONE)
		reject(t, at, source, why);
	else
		accept(t, at, source, edge);
}

void trigger_software(struct trigger *t, uint64_t now)
{
	eventlog_add(t->log, now, EV_TRIGGER_SEEN, TRIG_SRC_SOFTWARE, 0);
	consider(t, now, TRIG_SRC_SOFTWARE, now);
}

static int active_level(const struct trigger *t) { return t->set.falling_edge ? 0 : 1; }

static void line_active_edge(struct trigger *t, uint64_t at)
{
	uint64_t debounce = t->set.debounce_ns, denoise = t->set.denoise_ns, mask = t->set.mask_ns;

	eventlog_add(t->log, at, EV_TRIGGER_SEEN, TRIG_SRC_LINE1, 0);
	/* 5.5.2: the line must have been inactive for the debounce time before this edge */
	if (debounce && at - t->level_since < debounce) {
		reject(t, at, TRIG_SRC_LINE1, REJ_DEBOUNCE);
		return;
	}
	/* 5.5.3: pulses within the mask time after an accepted trigger are ignored */
	if (mask && t->accepted_any && at < t->last_accepted + mask) {
		reject(t, at, TRIG_SRC_LINE1, REJ_MASK);
		return;
	}
	if (denoise) {
		/* 5.5.4: recognised only if still active after the denoise time */
		t->denoise_waiting = true;
		t->denoise_edge = at;
		sched_at(t->sched, &t->denoise_ev, at + denoise);
		return;
	}
	consider(t, at, TRIG_SRC_LINE1, at);
}

static void line_inactive_edge(struct trigger *t, uint64_t at)
{
	if (t->denoise_waiting) {
		uint64_t denoise = t->set.denoise_ns;
		t->denoise_waiting = false;
		sched_cancel(t->sched, &t->denoise_ev);
		if (at - t->denoise_edge >= denoise)
			consider(t, at, TRIG_SRC_LINE1, t->denoise_edge);   /* active exactly long enough */
		else
			reject(t, at, TRIG_SRC_LINE1, REJ_DENOISE);     /* logged when the pulse ends too early */
	}
	/* trigger width: the exposure ends as long after the inactive edge as it started after the active one */
	if (t->width_mode && (t->starting || t->width_block)) {
		uint64_t close = at + t->start_latency;
		if (t->width_block)
			sched_at(t->sched, &t->close_ev, close);
		else
			t->width_close_at = close;
		t->width_mode = false;
	}
}

static void on_line_edge(void *arg, uint64_t at)
{
	struct line_edge *e = arg;
	struct trigger *t = e->trig;
	int old = t->level;

	if (e->prev)
		e->prev->next = e->next;
	else
		t->pending = e->next;
	if (e->next)
		e->next->prev = e->prev;
	t->n_pending--;
	if (e->level != old) {
		/* the time the line spent at its old level is what the debouncer measures */
		uint64_t held_since = t->level_since;
		t->level = e->level;
		eventlog_add(t->log, at, EV_TRIGGER_IN, e->level, 0);
		if (e->level == active_level(t)) {
			t->level_since = held_since;
			line_active_edge(t, at);
			t->level_since = at;
		} else {
			t->level_since = at;
			line_inactive_edge(t, at);
		}
	}
	free(e);
}

static void on_denoise(void *arg, uint64_t at)
{
	struct trigger *t = arg;

	t->denoise_waiting = false;
	consider(t, at, TRIG_SRC_LINE1, t->denoise_edge);
}

/* One frame of the burst. */
static void expose_one(struct trigger *t, uint64_t at, bool first)
{
	uint64_t block;

	if (first && t->width_mode) {
		block = t->ops->expose(t->ops_ctx, at, 0);
		t->width_block = block;
		if (block && t->width_close_at)
			sched_at(t->sched, &t->close_ev, t->width_close_at > at ? t->width_close_at : at + 1);
	} else {
		block = t->ops->expose(t->ops_ctx, at, t->set.exposure_ns);
	}
	if (t->burst_left)
		t->burst_left--;
	if (!block)
		t->burst_left = 0;   /* acquisition over (frame count reached) */
	/* 5.4.5: as fast as the frame rate and the exposure (as the exposure just started sets it) allow */
	if (t->burst_left)
		sched_at(t->sched, &t->burst_ev,
			 at + framerate_period_ns(t->sensor, &t->set.readout, t->set.frame_rate, t->set.exposure_ns));
}

static void on_start(void *arg, uint64_t at)
{
	struct trigger *t = arg;

	t->starting = false;
	expose_one(t, at, true);
}

static void on_burst(void *arg, uint64_t at)
{
	expose_one(arg, at, false);
}

static void on_close(void *arg, uint64_t at)
{
	struct trigger *t = arg;

	if (t->width_block)
		t->ops->close(t->ops_ctx, t->width_block, at);
	t->width_block = 0;
	t->width_close_at = 0;
}
