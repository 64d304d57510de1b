/* SPDX-License-Identifier: MIT */
/* trace: the trace readers of dfk-trace and dfk-drivertest (drivertest/trace/,
 * docs/traces.md) on arbitrary text, and the comparison on what they accept.
 *
 * Input: byte 0 selects options (bit 0: align on trigger_in, bit 1: a
 * tolerance of byte 1 x 1000 ns, bit 2: ignore the adapter's lines, bit 3:
 * also diff the first half of the rest against the second half); the rest is
 * the file (an event log, a VCD or a golden trace, told by its first line).
 *
 * Checks: a trace equals itself (no difference); an event log or golden trace
 * written as a golden trace reads back as the same trace, and so does one
 * rebuilt through the builder API (trace_new_golden, trace_add_dev,
 * trace_add_host, ...); a trace with k device edges left out differs from the
 * whole in exactly k edges (each "only in A"); the library's event kind and
 * reason names are the emulator's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../drivertest/trace/trace.h"
#include "../emulator/camera/eventlog.h"
#include "fuzz.h"

static FILE *sink(void)
{
	static FILE *f;

	if (!f)
		f = fopen("/dev/null", "w");
	if (!f)
		abort();
	return f;
}

static void check_names(void)
{
	static int done;

	if (done)
		return;
	done = 1;
	for (unsigned i = 0; i < EV_KIND_COUNT; i++)
		if (!trace_kind_name(i) || strcmp(trace_kind_name(i), ev_kind_name((enum ev_kind)i)))
			abort();
	if (trace_kind_name(EV_KIND_COUNT))
		abort();
	for (unsigned i = 0; i < REJ_COUNT; i++)
		if (!trace_reject_name(i) || strcmp(trace_reject_name(i), trig_reject_name((enum trig_reject)i)))
			abort();
}

/* The golden text of t (malloc'd), or NULL. */
static char *golden_text(const struct trace *t, size_t *len)
{
	char *buf = NULL;
	FILE *m = open_memstream(&buf, len);

	if (!m)
		return NULL;
	if (trace_write_golden(m, t) < 0) {
		fclose(m);
		free(buf);
		return NULL;
	}
	fclose(m);
	return buf;
}

static void roundtrip(const struct trace *t, const struct trace_diff_opts *o)
{
	char err[700];
	size_t len, len2;
	char *text = golden_text(t, &len), *text2;
	struct trace *back, *built;

	if (!text)
		abort();
	if (trace_parse("roundtrip", text, len, &back, err, sizeof(err)) < 0) {
		if (fuzz_verbose())
			fprintf(stderr, "roundtrip: %s\n", err);
		abort();
	}
	if (back->n_edges != t->n_edges || back->n_host != t->n_host || back->n_notes != t->n_notes ||
	    trace_diff(t, back, o, sink(), err, sizeof(err)) != 0)
		abort();
	/* the same trace through the builder the runner uses */
	built = trace_new_golden(t->scenario[0] ? t->scenario : NULL);
	if (!built)
		abort();
	if (t->has_tolerance && trace_set_tolerance(built, t->tolerance_ns) < 0)
		abort();
	if (trace_set_align(built, t->align) < 0)
		abort();
	for (size_t i = 0; i < t->n_notes; i++)
		if (trace_add_note(built, t->notes[i], err, sizeof(err)) < 0)
			abort();
	for (size_t i = 0; i < t->n_edges; i++) {
		const struct trace_edge *e = &t->edges[i];
		if (trace_add_dev(built, e->seq, e->t, t->names[e->name], e->a, e->b,
				  e->reason ? t->names[e->reason - 1] : NULL, err, sizeof(err)) < 0)
			abort();
	}
	for (size_t i = 0; i < t->n_host; i++)
		if (trace_add_host(built, t->host[i].t, t->host[i].text, err, sizeof(err)) < 0)
			abort();
	text2 = golden_text(built, &len2);
	if (!text2 || len2 != len || memcmp(text, text2, len))
		abort();
	free(text2);
	trace_free(built);
	trace_free(back);
	free(text);
}

/* Leaves out every edge whose index is a multiple of step (from first), at most max of them:
 * the comparison must find exactly those. */
static void leave_out(const struct trace *t, size_t first, size_t step, size_t max)
{
	struct trace *cut = malloc(sizeof(*cut));
	struct trace_diff_opts o = { .tolerance_ns = 0, .align = "none" };
	char err[700];
	size_t k = 0, n = 0;
	int d;

	if (!cut)
		return;
	memcpy(cut, t, sizeof(*cut));
	cut->edges = malloc((t->n_edges + 1) * sizeof(*cut->edges));
	cut->host = NULL;
	cut->n_host = 0;
	if (!cut->edges) {
		free(cut);
		return;
	}
	for (size_t i = 0; i < t->n_edges; i++) {
		if (i >= first && (i - first) % step == 0 && k < max)
			k++;
		else
			cut->edges[n++] = t->edges[i];
	}
	cut->n_edges = n;
	/* the host lines are not compared: a golden trace against itself without them would differ */
	if (t->type == TRACE_GOLDEN)
		cut->type = TRACE_EVENTS;
	d = trace_diff(t, cut, &o, sink(), err, sizeof(err));
	if (d != (int)k) {
		if (fuzz_verbose())
			fprintf(stderr, "left out %zu edges, trace_diff found %d differences\n", k, d);
		abort();
	}
	free(cut->edges);
	free(cut);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const ignore[] = { "host" };
	struct trace_diff_opts o = { .tolerance_ns = -1 };
	struct trace *t = NULL, *h1 = NULL, *h2 = NULL;
	char err[700];
	uint8_t mode;

	check_names();
	if (size < 2)
		return 0;
	mode = data[0];
	if (mode & 1)
		o.align = "trigger_in";
	if (mode & 2)
		o.tolerance_ns = (int64_t)data[1] * 1000;
	if (mode & 4) {
		o.ignore = ignore;
		o.n_ignore = 1;
	}
	data += 2, size -= 2;
	if (trace_parse("fuzz", (const char *)data, size, &t, err, sizeof(err)) == 0) {
		/* a message names the file and the line */
		if (trace_diff(t, t, &o, sink(), err, sizeof(err)) != 0)
			abort();
		if (t->type != TRACE_VCD)
			roundtrip(t, &o);
		if (t->n_edges)
			leave_out(t, data[0] % t->n_edges, 1 + size % 7, 1 + size % 5);
		trace_free(t);
	} else if (strncmp(err, "fuzz", 4)) {
		abort();
	}
	if (mode & 8) {
		size_t half = size / 2;
		if (trace_parse("a", (const char *)data, half, &h1, err, sizeof(err)) == 0 &&
		    trace_parse("b", (const char *)data + half, size - half, &h2, err, sizeof(err)) == 0)
			trace_diff(h1, h2, &o, sink(), err, sizeof(err));
		trace_free(h1);
		trace_free(h2);
	}
	return 0;
}
