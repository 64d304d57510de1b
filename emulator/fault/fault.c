/* SPDX-License-Identifier: MIT */
/* The fault engine: armed faults of one camera, asked by the layers at each
 * opportunity (fault.h). All state changes are functions of the queries and their
 * device times, so a scenario replays identically. */
#include "fault.h"

#include <errno.h>
#include <string.h>

#include "../common/errors.h"

static uint64_t sat_add(uint64_t a, uint64_t b) { return a > UINT64_MAX - b ? UINT64_MAX : a + b; }

/* splitmix64: a full-period 64-bit generator that is good from any seed (0 too). */
static uint64_t rng_next(uint64_t *state)
{
	uint64_t z = (*state += UINT64_C(0x9E3779B97F4A7C15));

	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

/* One Bernoulli draw: a uniform double in [0, 1) from 53 bits is below p (never for 0, always for 1). */
static bool rng_draw(uint64_t *state, double p) { return (double)(rng_next(state) >> 11) * 0x1.0p-53 < p; }

static bool happens_once(enum fault_kind k)
{
	enum fault_domain d = fault_kind_domain(k);

	return d == FAULT_DOM_DEVICE || d == FAULT_DOM_LINK;
}

/* EP0 is one pipe for both directions; other endpoints are matched with their direction bit. */
static bool ep_matches(uint8_t target, uint8_t ep)
{
	return target == FAULT_EP_ANY || target == ep || ((target & 0x7F) == 0 && (ep & 0x7F) == 0);
}

static uint64_t next_due(const struct fault_engine *e)
{
	uint64_t t = UINT64_MAX;

	for (size_t i = 0; i < e->n; i++)
		if (e->f[i].due < t)
			t = e->f[i].due;
	return t;
}

static void notify_due(struct fault_engine *e)
{
	uint64_t t = next_due(e);

	if (t == e->due_notified)
		return;
	e->due_notified = t;
	if (e->hooks.due_changed)
		e->hooks.due_changed(e->hooks.ctx, t);
}

static void report(struct fault_engine *e, const struct fault_action *a)
{
	if (e->hooks.fired)
		e->hooks.fired(e->hooks.ctx, a);
}

static void remove_at(struct fault_engine *e, size_t i)
{
	memmove(&e->f[i], &e->f[i + 1], (e->n - i - 1) * sizeof(e->f[0]));
	e->n--;
}

void fault_engine_init(struct fault_engine *e, const struct fault_hooks *hooks)
{
	memset(e, 0, sizeof(*e));
	e->next_id = 1;
	e->due_notified = UINT64_MAX;
	if (hooks)
		e->hooks = *hooks;
}

/* What fault_parse can give; the engine refuses anything else rather than misbehave. */
static bool spec_valid(const struct fault_spec *s)
{
	enum fault_domain d = fault_kind_domain(s->kind);

	if (d == FAULT_DOM_COUNT || (unsigned)s->trigger >= FAULT_TRIGGER_COUNT || s->count == 0)
		return false;
	if (happens_once(s->kind) && (s->count != 1 || s->trigger == FAULT_RANDOM))
		return false;
	if (s->trigger >= FAULT_ON_TRANSFER && s->trigger <= FAULT_ON_COMMAND && s->nth == 0)
		return false;
	if (s->trigger == FAULT_RANDOM && !(s->probability >= 0.0 && s->probability <= 1.0))
		return false;
	if (d == FAULT_DOM_TRANSFER && s->arg.ep != FAULT_EP_ANY && (s->arg.ep & 0x70))
		return false;
	if (s->kind == FAULT_CORRUPT && (unsigned)s->arg.field >= FAULT_FIELD_COUNT)
		return false;
	return true;
}

int fault_engine_add(struct fault_engine *e, const struct fault_spec *spec, uint64_t now, uint32_t *id)
{
	struct fault_armed *f;

	if (!spec_valid(spec))
		return DFK_ERR_INVAL;
	if (e->n >= FAULT_MAX)
		return DFK_ERR_RANGE;
	f = &e->f[e->n++];
	memset(f, 0, sizeof(*f));
	if (e->next_id == 0)   /* after 2^32 - 1 faults: 0 is not an id */
		e->next_id = 1;
	f->id = e->next_id++;
	f->spec = *spec;
	f->armed_at = now;
	f->left = spec->count;
	f->rng = spec->seed;
	f->due = UINT64_MAX;
	if (happens_once(spec->kind)) {
		/* device and link kinds start at a time: fire_due reports (and applies) them */
		if (spec->trigger == FAULT_NOW || spec->trigger == FAULT_AT) {
			f->start = spec->trigger == FAULT_AT ? spec->at : now;
			f->start_known = true;
			f->due = f->start;
		}
	} else if (spec->trigger == FAULT_NOW) {
		f->active = true;
	}
	if (id)
		*id = f->id;
	notify_due(e);
	return DFK_OK;
}

int fault_engine_remove(struct fault_engine *e, uint32_t id)
{
	for (size_t i = 0; i < e->n; i++) {
		if (e->f[i].id == id) {
			remove_at(e, i);
			notify_due(e);
			return DFK_OK;
		}
	}
	return DFK_ERR_NOTFOUND;
}

size_t fault_engine_clear(struct fault_engine *e)
{
	size_t n = e->n;

	e->n = 0;
	notify_due(e);
	return n;
}

size_t fault_engine_count(const struct fault_engine *e) { return e->n; }

void fault_engine_list(const struct fault_engine *e, void (*fn)(void *ctx, const struct fault_armed *f), void *ctx)
{
	for (size_t i = 0; i < e->n; i++)
		fn(ctx, &e->f[i]);
}

uint64_t fault_engine_next_due(const struct fault_engine *e) { return next_due(e); }

static void fill_action(struct fault_action *a, const struct fault_armed *f, uint64_t t, uint64_t subject)
{
	const struct fault_args *g = &f->spec.arg;

	memset(a, 0, sizeof(*a));
	a->id = f->id;
	a->kind = f->spec.kind;
	a->phase = FAULT_FIRED;
	a->t = t;
	a->subject = subject;
	a->arg = *g;
	switch (f->spec.kind) {
	case FAULT_STALL: a->urb_status = -EPIPE; break;
	case FAULT_BABBLE: a->urb_status = -EOVERFLOW; break;
	case FAULT_ERROR: a->urb_status = g->urb_status; break;
	case FAULT_NAK:
		a->until = (g->given & FAULT_ARG_BIT(FAULT_P_UNTIL)) ? g->until : sat_add(t, g->duration);
		break;
	case FAULT_ACK_PENDING:
	case FAULT_ACK_LATE:
	case FAULT_REPLUG:
		a->until = sat_add(t, g->duration);
		break;
	case FAULT_ACK_WRONG_ID:
		/* by default the id the host will use next: the nastiest wrong one */
		a->ack_id = (g->given & FAULT_ARG_BIT(FAULT_P_ACK_ID)) ? g->ack_id : (uint16_t)(subject + 1);
		break;
	case FAULT_RATE:
	case FAULT_LATENCY:
		a->until = g->window ? sat_add(f->start, g->window) : UINT64_MAX;
		break;
	default:
		break;
	}
}

static enum fault_trigger nth_trigger(enum fault_domain d)
{
	switch (d) {
	case FAULT_DOM_TRANSFER: return FAULT_ON_TRANSFER;
	case FAULT_DOM_FRAME: return FAULT_ON_FRAME;
	default: return FAULT_ON_COMMAND;
	}
}

/* One opportunity of domain `dom` (a transfer on `ep`, a frame, a command): every fault
 * counts it toward its trigger first (so `on transfer 3` takes the 3rd itself), then the
 * earliest armed fault of this domain whose trigger is met takes it. */
static bool opportunity(struct fault_engine *e, enum fault_domain dom, uint64_t now, uint8_t ep, uint64_t subject,
			struct fault_action *act)
{
	enum fault_trigger on = nth_trigger(dom);
	size_t taken = SIZE_MAX;
	bool due_moved = false;
	struct fault_action a;

	for (size_t i = 0; i < e->n; i++) {
		struct fault_armed *f = &e->f[i];
		enum fault_domain kd = fault_kind_domain(f->spec.kind);
		/* a transfer kind counts the transfers of its own endpoint; other kinds count every one */
		bool target = dom != FAULT_DOM_TRANSFER || kd != FAULT_DOM_TRANSFER || ep_matches(f->spec.arg.ep, ep);

		if (f->spec.trigger == on && target && f->seen < f->spec.nth && ++f->seen == f->spec.nth) {
			if (happens_once(f->spec.kind)) {
				f->start = now;
				f->start_known = true;
				f->due = now;
				due_moved = true;
			} else {
				f->active = true;
			}
		}
		if (kd != dom || !target)
			continue;
		if (f->spec.trigger == FAULT_AT && now >= f->spec.at)
			f->active = true;
		/* every opportunity draws, taken or not: a fault's decisions depend on its seed alone */
		if (f->spec.trigger == FAULT_RANDOM && rng_draw(&f->rng, f->spec.probability))
			f->active = true;
		if (f->active && taken == SIZE_MAX)
			taken = i;
	}
	if (due_moved)
		notify_due(e);
	if (taken == SIZE_MAX)
		return false;

	struct fault_armed *f = &e->f[taken];
	fill_action(&a, f, now, subject);
	f->fired++;
	if (f->left != FAULT_FOREVER)
		f->left--;
	if (f->spec.trigger == FAULT_RANDOM)
		f->active = false;   /* the next application needs a draw of its own */
	if (f->left == 0)
		remove_at(e, taken);
	if (act)
		*act = a;
	report(e, &a);
	return true;
}

bool fault_engine_on_transfer(struct fault_engine *e, uint64_t now, uint8_t ep, struct fault_action *act)
{
	return e->n && opportunity(e, FAULT_DOM_TRANSFER, now, ep, ep, act);
}

bool fault_engine_on_frame(struct fault_engine *e, uint64_t now, uint64_t block_id, struct fault_action *act)
{
	return e->n && opportunity(e, FAULT_DOM_FRAME, now, 0, block_id, act);
}

bool fault_engine_on_command(struct fault_engine *e, uint64_t now, uint16_t request_id, struct fault_action *act)
{
	return e->n && opportunity(e, FAULT_DOM_COMMAND, now, 0, request_id, act);
}

size_t fault_engine_fire_due(struct fault_engine *e, uint64_t now)
{
	size_t fired = 0;

	for (;;) {
		size_t i, best = SIZE_MAX;
		struct fault_action a;

		/* earliest due first; among equal times the earlier armed (f[] is in id order) */
		for (i = 0; i < e->n; i++)
			if (e->f[i].due <= now && (best == SIZE_MAX || e->f[i].due < e->f[best].due))
				best = i;
		if (best == SIZE_MAX)
			break;
		struct fault_armed *f = &e->f[best];
		uint64_t t = f->due;

		fill_action(&a, f, t, 0);
		if (fault_kind_domain(f->spec.kind) == FAULT_DOM_DEVICE) {
			remove_at(e, best);
		} else if (!f->started) {
			f->started = true;
			f->fired++;
			/* a window always ends after it starts: W >= 1 */
			f->due = f->spec.arg.window ? sat_add(f->start, f->spec.arg.window) : UINT64_MAX;
		} else {
			a.phase = FAULT_ENDED;
			remove_at(e, best);
		}
		fired++;
		/* state is consistent before the hook runs: it may add or remove faults */
		report(e, &a);
	}
	notify_due(e);
	return fired;
}

void fault_engine_link(const struct fault_engine *e, uint64_t now, struct fault_link *out)
{
	out->rate = 0;
	out->latency = 0;
	for (size_t i = 0; i < e->n; i++) {
		const struct fault_armed *f = &e->f[i];
		const struct fault_args *g = &f->spec.arg;

		if (fault_kind_domain(f->spec.kind) != FAULT_DOM_LINK || !f->start_known || now < f->start ||
		    (g->window && now >= sat_add(f->start, g->window)))
			continue;
		if (f->spec.kind == FAULT_RATE && (out->rate == 0 || g->rate < out->rate))
			out->rate = g->rate;
		else if (f->spec.kind == FAULT_LATENCY)
			out->latency = sat_add(out->latency, g->duration);
	}
}
