/* SPDX-License-Identifier: MIT */
/* The judgement of one scenario: what the driver reported (adapter lines) set
 * against what the camera did (its event log, in power cycles) and what the
 * host did wrong (the monitor), then every expectation, stated or implicit. */
#include "runner/run.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "camera/eventlog.h"
#include "framecheck.h"

#define MAX_EPOCHS 16

/* What the camera sent in one power cycle. */
struct sent_frame {
	uint64_t id;
	uint32_t tag;           /* trailer status | EV_SENT_SHORT | EV_SENT_CORRUPT */
	uint64_t t;
	bool reported_ok;
};

struct epoch {
	uint32_t power_up;
	struct sent_frame *sent;
	size_t n_sent;
	uint64_t last_fault_t;
	bool has_fault;
};

static struct expect_result *add_result(struct run_result *r, const char *text, bool implicit)
{
	struct expect_result *e;

	if (r->n_results >= RUN_MAX_RESULTS)
		return NULL;
	e = &r->results[r->n_results++];
	memset(e, 0, sizeof(*e));
	snprintf(e->text, sizeof(e->text), "%s", text);
	e->implicit = implicit;
	e->passed = true;
	return e;
}

static void fail(struct expect_result *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(struct expect_result *e, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return;
	e->passed = false;
	va_start(ap, fmt);
	vsnprintf(e->reason, sizeof(e->reason), fmt, ap);
	va_end(ap);
}

static bool is_kind(const struct dev_event *d, const char *k) { return strcmp(d->e.kind, k) == 0; }

/* The scenario's power cycles: those after the one the camera was in when it began. */
static size_t build_epochs(struct run_result *r, struct epoch *ep)
{
	size_t n = 0;

	for (size_t i = 0; i < r->dev.n; i++) {
		const struct dev_event *d = &r->dev.ev[i];
		struct epoch *e;

		if ((int64_t)d->power_up <= r->base_power_up)
			continue;
		if (!n || ep[n - 1].power_up != d->power_up) {
			if (n == MAX_EPOCHS)
				break;
			memset(&ep[n], 0, sizeof(ep[n]));
			ep[n].power_up = d->power_up;
			n++;
			if (n > 1)
				r->counters[SC_C_POWER_UPS]++;
		}
		e = &ep[n - 1];
		if (is_kind(d, "frame_sent")) {
			struct sent_frame *s = realloc(e->sent, (e->n_sent + 1) * sizeof(*s));

			if (!s)
				continue;
			e->sent = s;
			s[e->n_sent++] = (struct sent_frame){ .id = (uint64_t)d->e.a, .tag = (uint32_t)d->e.b, .t = d->e.t };
			r->counters[SC_C_SENT]++;
			r->counters[d->e.b ? SC_C_SENT_FAULTED : SC_C_SENT_GOOD]++;
		} else if (is_kind(d, "frame_dropped") && d->e.b == 0) {
			r->counters[SC_C_DROPPED]++;
		} else if (is_kind(d, "fault")) {
			r->counters[SC_C_FAULTS]++;
			e->last_fault_t = d->e.t;
			e->has_fault = true;
		} else if (is_kind(d, "trigger_accepted")) {
			r->counters[SC_C_ACCEPTED]++;
		} else if (is_kind(d, "trigger_rejected")) {
			r->counters[SC_C_REJECTED]++;
		}
	}
	return n;
}

static struct sent_frame *find_sent(struct epoch *e, uint64_t id)
{
	for (size_t i = e->n_sent; i-- > 0;)
		if (e->sent[i].id == id)
			return &e->sent[i];
	return NULL;
}

static bool geometry_of(const struct run_result *r, const struct ad_event *f, struct frame_geometry *g)
{
	if (!f->has_geometry || !f->has_pixfmt)
		return false;
	memset(g, 0, sizeof(*g));
	g->sensor.width = 4096;    /* IMX267: both models (docs/drivertest.md) */
	g->sensor.height = 2160;
	g->sensor.mono = r->model && strcmp(r->model, "dmk38ux267") == 0;
	g->width = f->width;
	g->height = f->height;
	g->offset_x = f->x;
	g->offset_y = f->y;
	g->pfnc = f->pixfmt;
	return frame_geometry_problem(g) == NULL;
}

/* Counts one instance of counter c; the first one is described by fmt, at device time t. */
static void count(struct run_result *r, enum sc_counter c, uint64_t t, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void count(struct run_result *r, enum sc_counter c, uint64_t t, const char *fmt, ...)
{
	struct run_first *f = &r->first[c];
	va_list ap;

	if (r->counters[c]++ > 0)
		return;
	va_start(ap, fmt);
	vsnprintf(f->what, sizeof(f->what), fmt, ap);
	va_end(ap);
	f->at_ns = t;
}

static void judge_frames(struct run_result *r, struct epoch *ep, size_t n_ep)
{
	uint64_t *ok_ids = NULL;
	size_t n_ok = 0;

	memset(r->first, 0, sizeof(r->first));
	for (size_t i = 0; i < r->n_lines; i++) {
		const struct ad_record *l = &r->lines[i];
		const struct ad_event *f = &l->ev;
		struct epoch *e = n_ep ? &ep[l->epoch < n_ep ? l->epoch : n_ep - 1] : NULL;
		struct frame_geometry g;

		switch (f->kind) {
		case AD_FRAME:
			r->counters[SC_C_FRAMES]++;
			if (f->status != AD_ST_OK) {
				r->counters[f->status == AD_ST_INCOMPLETE ? SC_C_INCOMPLETE : SC_C_BAD]++;
				r->counters[SC_C_NOT_OK]++;
				break;
			}
			r->counters[SC_C_OK]++;
			if (geometry_of(r, f, &g) && frame_payload_size(&g) != f->size)
				count(r, SC_C_WRONG_SIZE, 0, "frame %" PRIu64 ": %" PRIu64 " bytes, %ux%u %s is %zu",
				      f->id, f->size, f->width, f->height, frame_pfnc_name(f->pixfmt), frame_payload_size(&g));
			/* the same id twice in one power cycle */
			{
				uint64_t key = ((uint64_t)l->epoch << 48) ^ f->id;
				bool dup = false;
				uint64_t *grown;

				for (size_t k = 0; k < n_ok && !dup; k++)
					dup = ok_ids[k] == key;
				if (dup)
					r->counters[SC_C_DUPLICATES]++;
				else if ((grown = realloc(ok_ids, (n_ok + 1) * sizeof(*ok_ids))))
					(ok_ids = grown)[n_ok++] = key;
			}
			if (e) {
				struct sent_frame *s = find_sent(e, f->id);

				if (!s) {
					count(r, SC_C_FALSE_OK, 0, "frame %" PRIu64 " reported ok: the camera never sent it", f->id);
				} else if (s->tag) {
					char status[40] = "";

					if (s->tag & 0xffff)
						snprintf(status, sizeof(status), ", trailer status 0x%04x", s->tag & 0xffff);
					count(r, SC_C_FALSE_OK, s->t, "frame %" PRIu64 " reported ok: the camera sent it damaged%s%s%s",
					      f->id, status, (s->tag & EV_SENT_SHORT) ? ", payload cut short" : "",
					      (s->tag & EV_SENT_CORRUPT) ? ", a leader or trailer field corrupted" : "");
				} else {
					s->reported_ok = true;
				}
			}
			break;
		case AD_ERROR: r->counters[SC_C_ERRORS]++; break;
		case AD_TIMEOUT: r->counters[SC_C_TIMEOUTS]++; break;
		case AD_LOST: r->counters[SC_C_LOST]++; break;
		case AD_REOPENED: r->counters[SC_C_REOPENED]++; break;
		case AD_GAP: r->counters[SC_C_GAP_IDS] += f->gap_to - f->gap_from; break;
		default: break;
		}
	}
	free(ok_ids);
	/* per power cycle: good frames never reported, ids missing on the wire and not reported as a gap */
	for (size_t k = 0; k < n_ep; k++) {
		struct epoch *e = &ep[k];
		uint64_t max_reported = 0;
		bool any = false;

		for (size_t i = 0; i < r->n_lines; i++) {
			const struct ad_record *l = &r->lines[i];

			if (l->ev.kind == AD_FRAME && (l->epoch == k || (k == n_ep - 1 && l->epoch > k))) {
				any = true;
				if (l->ev.id > max_reported)
					max_reported = l->ev.id;
			}
		}
		if (!any)
			continue;
		for (size_t i = 0; i < e->n_sent; i++) {
			const struct sent_frame *s = &e->sent[i];

			if (s->id > max_reported)
				continue;
			if (!s->tag && !s->reported_ok)
				count(r, SC_C_MISSED, s->t, "frame %" PRIu64 " (sent complete at %" PRIu64 " ns)", s->id, s->t);
			if (i > 0 && s->id > e->sent[i - 1].id + 1) {
				for (uint64_t id = e->sent[i - 1].id + 1; id < s->id && id - e->sent[i - 1].id < 100000; id++) {
					bool covered = false;

					for (size_t j = 0; j < r->n_lines && !covered; j++) {
						const struct ad_event *g = &r->lines[j].ev;

						covered = g->kind == AD_GAP && id >= g->gap_from && id < g->gap_to;
					}
					if (!covered)
						count(r, SC_C_UNREPORTED_GAPS, s->t, "ids %" PRIu64 "..%" PRIu64 " never sent, no gap line",
						      e->sent[i - 1].id + 1, s->id - 1);
				}
			}
		}
	}
}

static void judge_violations(struct run_result *r)
{
	for (size_t i = 0; i < r->n_violations; i++)
		r->counters[r->violations[i].error ? SC_C_VIOLATIONS : SC_C_WARNINGS]++;
}

static void check_count(struct run_result *r, struct expect_result *e, enum sc_counter c, enum sc_op op, uint64_t n)
{
	uint64_t v = r->counters[c];

	if (sc_counter_is_device(c) && !r->has_device) {
		e->skipped = true;
		snprintf(e->reason, sizeof(e->reason), "needs the emulator");
		return;
	}
	if (!sc_compare(v, op, n)) {
		const char *d = r->first[c].what;

		for (size_t i = 0; c == SC_C_VIOLATIONS && i < r->n_violations; i++)
			if (r->violations[i].error) {   /* the first error, not a warning */
				d = r->violations[i].text;
				break;
			}
		fail(e, "%s is %" PRIu64 ", expected %s %" PRIu64 "%s%s", sc_counter_name(c), v, sc_op_name(op), n,
		     *d ? ": " : "", d);
		e->at_ns = r->first[c].at_ns;
		e->has_at = e->at_ns != 0;
	}
}

/* The first frame that is not the test pattern: what the HTML report shows, at the
 * device time the camera sent it. */
static void keep_mismatch(struct run_result *r, struct expect_result *e, const struct ad_event *f)
{
	struct frame_mismatch *m = &r->mismatch;

	*m = (struct frame_mismatch){ .present = true, .id = f->id, .size = f->size, .width = f->width,
				      .height = f->height, .x = f->x, .y = f->y, .pixfmt = f->pixfmt };
	snprintf(m->file, sizeof(m->file), "%s", f->file);
	for (size_t i = 0; i < r->dev.n; i++)
		if ((int64_t)r->dev.ev[i].power_up > r->base_power_up && is_kind(&r->dev.ev[i], "frame_sent") &&
		    (uint64_t)r->dev.ev[i].e.a == f->id) {
			e->has_at = true;
			e->at_ns = r->dev.ev[i].e.t;
			break;
		}
}

static void check_bit_exact(struct run_result *r, struct expect_result *e)
{
	unsigned total = 0, bad = 0;
	char first[300] = "";

	for (size_t i = 0; i < r->n_lines; i++) {
		const struct ad_event *f = &r->lines[i].ev;
		struct frame_geometry g;
		struct frame_source src = { .seed = r->pattern_seed, .block_id = f->id };
		struct frame_diff d;
		uint8_t *buf;
		FILE *fp;
		size_t got;

		if (f->kind != AD_FRAME || f->status != AD_ST_OK)
			continue;
		total++;
		if (!f->file[0] || !geometry_of(r, f, &g)) {
			bad++;
			if (!first[0])
				snprintf(first, sizeof(first), "frame %" PRIu64 ": no dump file or no geometry in its line", f->id);
			continue;
		}
		buf = malloc(f->size ? f->size : 1);
		fp = buf && f->size <= (uint64_t)1 << 30 ? fopen(f->file, "rbe") : NULL;
		got = fp ? fread(buf, 1, f->size, fp) : 0;
		if (fp)
			fclose(fp);
		if (!fp || got != f->size) {
			bad++;
			if (!first[0])
				snprintf(first, sizeof(first), "frame %" PRIu64 ": cannot read %" PRIu64 " bytes of %s", f->id,
					 f->size, f->file);
		} else if (frame_compare(&g, &src, buf, got, &d) != 0) {
			char desc[200];

			bad++;
			if (!first[0]) {
				snprintf(first, sizeof(first), "frame %" PRIu64 ": %s", f->id,
					 frame_diff_describe(&g, &d, desc, sizeof(desc)));
				keep_mismatch(r, e, f);
			}
		}
		free(buf);
	}
	if (bad)
		fail(e, "%u of %u ok frames are not the test pattern; %s", bad, total, first);
	else if (!total)
		fail(e, "no ok frame to check");
	else
		snprintf(e->reason, sizeof(e->reason), "%u frames, every byte", total);
}

static void check_recovers(struct run_result *r, struct expect_result *e, struct epoch *ep, size_t n_ep, uint64_t n)
{
	struct epoch *last = NULL;
	uint64_t seen = 0;

	for (size_t k = 0; k < n_ep; k++)
		if (ep[k].has_fault)
			last = &ep[k];
	if (!last) {
		fail(e, "no fault acted");
		return;
	}
	for (size_t i = 0; i < last->n_sent && seen < n; i++) {
		const struct sent_frame *s = &last->sent[i];

		if (s->t < last->last_fault_t || s->tag)
			continue;
		seen++;
		if (s->reported_ok) {
			snprintf(e->reason, sizeof(e->reason), "frame %" PRIu64 " ok, good frame %" PRIu64 " after the fault",
				 s->id, seen);
			return;
		}
	}
	fail(e, seen ? "none of the %" PRIu64 " good frames the camera sent after the fault was reported ok"
		     : "the camera sent no good frame after the fault (%" PRIu64 ")",
	     seen);
	e->has_at = true;
	e->at_ns = last->last_fault_t;
}

static void check_spacing(struct run_result *r, struct expect_result *e, enum sc_op op, uint64_t n)
{
	const struct ad_event *first = NULL, *last = NULL;

	for (size_t i = 0; i < r->n_lines; i++) {
		const struct ad_event *f = &r->lines[i].ev;

		if (f->kind == AD_FRAME && f->status == AD_ST_OK && f->has_ts && r->lines[i].epoch == 0) {
			if (!first)
				first = f;
			else if (f->id > first->id && f->ts > first->ts)
				last = f;
		}
	}
	if (!first || !last) {
		fail(e, "fewer than two ok frames with timestamps");
		return;
	}
	{
		uint64_t spacing = (last->ts - first->ts) / (last->id - first->id);

		if (!sc_compare(spacing, op, n))
			fail(e, "mean spacing %" PRIu64 " ns over frames %" PRIu64 "..%" PRIu64 ", expected %s %" PRIu64, spacing,
			     first->id, last->id, sc_op_name(op), n);
		else
			snprintf(e->reason, sizeof(e->reason), "mean spacing %" PRIu64 " ns", spacing);
	}
}

static void check_sent_spacing(struct run_result *r, struct expect_result *e, struct epoch *ep, size_t n_ep,
			       enum sc_op op, uint64_t n)
{
	uint64_t spacing;

	if (!r->has_device) {
		e->skipped = true;
		snprintf(e->reason, sizeof(e->reason), "needs the emulator");
		return;
	}
	if (!n_ep || ep[0].n_sent < 2) {
		fail(e, "the camera sent fewer than two frames");
		return;
	}
	spacing = (ep[0].sent[ep[0].n_sent - 1].t - ep[0].sent[0].t) / (ep[0].n_sent - 1);
	if (!sc_compare(spacing, op, n))
		fail(e, "frames left the camera %" PRIu64 " ns apart on average (%zu frames), expected %s %" PRIu64, spacing,
		     ep[0].n_sent, sc_op_name(op), n);
	else
		snprintf(e->reason, sizeof(e->reason), "%" PRIu64 " ns apart on average (%zu frames)", spacing, ep[0].n_sent);
}

static bool stated(const struct scenario *sc, enum sc_counter c)
{
	for (unsigned i = 0; i < sc->n_expects; i++)
		if (sc->expects[i].kind == SC_E_COUNT && sc->expects[i].counter == c)
			return true;
	return false;
}

static bool stated_kind(const struct scenario *sc, enum sc_expect_kind k)
{
	for (unsigned i = 0; i < sc->n_expects; i++)
		if (sc->expects[i].kind == k)
			return true;
	return false;
}

void judge(struct run_result *r)
{
	const struct scenario *sc = r->sc;
	struct epoch ep[MAX_EPOCHS];
	size_t n_ep = build_epochs(r, ep);
	struct expect_result *e;

	judge_frames(r, ep, n_ep);
	judge_violations(r);
	r->n_results = 0;

	/* implicit: the run itself, the contract, and what no driver may ever do */
	e = add_result(r, "the run", true);
	if (r->setup_error[0])
		fail(e, "%s", r->setup_error);
	e = add_result(r, "ready", true);
	if (!r->ready)
		fail(e, r->hung ? "the adapter never printed ready (killed at the %u s limit)"
				: "the adapter never printed ready (it ended first)",
		     sc->limit_s);
	e = add_result(r, "protocol", true);
	if (r->protocol_errors)
		fail(e, "%u malformed adapter lines, the first: %s", r->protocol_errors, r->protocol_error);
	if (!stated_kind(sc, SC_E_EXIT)) {
		e = add_result(r, "exit done", true);
		if (r->hung)
			fail(e, "hung: killed at the %u s limit%s", sc->limit_s,
			     r->unkillable ? " (and still there after SIGKILL: stuck in the kernel)" : "");
		else if (!r->done || r->exit_status != 0)
			fail(e, "%s, exit status %d", r->done ? "done printed" : "no done line", r->exit_status);
	}
	if (r->has_device) {
		if (!stated(sc, SC_C_FALSE_OK) && (e = add_result(r, "false-ok == 0", true)))
			check_count(r, e, SC_C_FALSE_OK, SC_EQ, 0);
		if (!stated(sc, SC_C_VIOLATIONS) && !stated_kind(sc, SC_E_VIOLATION) &&
		    (e = add_result(r, "violations == 0", true)))
			check_count(r, e, SC_C_VIOLATIONS, SC_EQ, 0);
	}
	if (!stated(sc, SC_C_DUPLICATES) && (e = add_result(r, "duplicates == 0", true)))
		check_count(r, e, SC_C_DUPLICATES, SC_EQ, 0);
	if (!stated(sc, SC_C_WRONG_SIZE) && (e = add_result(r, "wrong-size == 0", true)))
		check_count(r, e, SC_C_WRONG_SIZE, SC_EQ, 0);

	for (unsigned i = 0; i < sc->n_expects; i++) {
		const struct sc_expect *x = &sc->expects[i];

		e = add_result(r, x->text, false);
		if (!e)
			break;
		switch (x->kind) {
		case SC_E_COUNT:
			check_count(r, e, x->counter, x->op, x->n);
			break;
		case SC_E_BIT_EXACT:
			if (!r->has_device) {   /* a real camera does not see the test pattern */
				e->skipped = true;
				snprintf(e->reason, sizeof(e->reason), "needs the emulator's test pattern");
			} else {
				check_bit_exact(r, e);
			}
			break;
		case SC_E_VIOLATION: {
			bool found = false;

			if (!r->has_device) {
				e->skipped = true;
				snprintf(e->reason, sizeof(e->reason), "needs the emulator's host monitor");
				break;
			}
			for (size_t k = 0; k < r->n_violations && !found; k++)
				found = strcmp(r->violations[k].rule, x->word) == 0;
			if (!found)
				fail(e, "the monitor did not record %s (%zu other violations)", x->word, r->n_violations);
			break;
		}
		case SC_E_RECOVERS:
			if (!r->has_device) {
				e->skipped = true;
				snprintf(e->reason, sizeof(e->reason), "needs the emulator");
				break;
			}
			check_recovers(r, e, ep, n_ep, x->n);
			break;
		case SC_E_ERROR_STAGE: {
			bool found = false;

			for (size_t k = 0; k < r->n_lines && !found; k++)
				found = r->lines[k].ev.kind == AD_ERROR && strcmp(r->lines[k].ev.stage, x->word) == 0;
			if (!found)
				fail(e, "no error line of stage %s", x->word);
			break;
		}
		case SC_E_EXIT:
			if (r->hung)
				fail(e, "hung: killed at the %u s limit", sc->limit_s);
			else if (x->n == 0 && (!r->done || r->exit_status != 0))
				fail(e, "%s, exit status %d", r->done ? "done printed" : "no done line", r->exit_status);
			break;
		case SC_E_TS_SPACING:
			check_spacing(r, e, x->op, x->n);
			break;
		case SC_E_SENT_SPACING:
			check_sent_spacing(r, e, ep, n_ep, x->op, x->n);
			break;
		}
	}
	r->passed = true;
	for (unsigned i = 0; i < r->n_results; i++)
		if (!r->results[i].passed && !r->results[i].skipped)
			r->passed = false;
	for (size_t k = 0; k < n_ep; k++)
		free(ep[k].sent);
}
