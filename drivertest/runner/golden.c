/* SPDX-License-Identifier: MIT */
#include "runner/golden.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "trace/trace.h"

static struct trace *build(const struct run_result *r, char *err, size_t errlen)
{
	struct trace *t = trace_new_golden(r->sc->name);
	char note[300];

	if (!t) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (trace_set_tolerance(t, r->sc->host_tolerance_ns) < 0 || trace_set_align(t, r->sc->golden_align) < 0)
		goto fail;
	if (r->hello.driver[0]) {
		snprintf(note, sizeof(note), "driver %s %s %s", r->hello.driver, r->hello.version, r->hello.mode);
		if (trace_add_note(t, note, err, errlen) < 0)
			goto fail;
	}
	for (size_t i = 0; i < r->dev.n; i++) {
		const struct io_event *e = &r->dev.ev[i].e;

		if ((int64_t)r->dev.ev[i].power_up <= r->base_power_up)
			continue;
		if (trace_add_dev(t, e->seq, e->t, e->kind, e->a, e->b, e->reason[0] ? e->reason : NULL, err, errlen) < 0)
			goto fail;
	}
	for (size_t i = 0; i < r->n_lines; i++) {
		const struct ad_record *l = &r->lines[i];

		if (l->raw && l->ev.kind != AD_HELLO && trace_add_host(t, l->arrival_ns, l->raw, err, errlen) < 0)
			goto fail;
	}
	return t;
fail:
	if (!err[0])
		snprintf(err, errlen, "cannot build the trace");
	trace_free(t);
	return NULL;
}

static void verdict(struct run_result *r, bool passed, const char *reason)
{
	struct expect_result *e;

	if (r->n_results >= RUN_MAX_RESULTS)
		return;
	e = &r->results[r->n_results++];
	memset(e, 0, sizeof(*e));
	snprintf(e->text, sizeof(e->text), "matches the golden trace");
	e->passed = passed;
	snprintf(e->reason, sizeof(e->reason), "%s", reason);
	if (!passed)
		r->passed = false;
}

void golden_step(struct run_result *r, const char *record_dir, const char *compare_dir, const char *report_dir)
{
	char err[300] = "", path[1024];
	struct trace *cur = build(r, err, sizeof(err));
	FILE *f;

	if (!cur) {
		verdict(r, false, err);
		return;
	}
	if (record_dir) {
		snprintf(path, sizeof(path), "%s/%s.golden", record_dir, r->sc->name);
		f = fopen(path, "we");
		if (!f || trace_write_golden(f, cur) < 0 || fclose(f) != 0)
			fprintf(stderr, "dfk-drivertest: %s: cannot write\n", path);
	}
	if (compare_dir) {
		struct trace *gold = NULL;
		/* the frame memory's level follows the host's reads, edge by edge: never compared */
		const char *ignore[9] = { "frame_memory" };
		struct trace_diff_opts o = { .tolerance_ns = -1, .ignore = ignore, .n_ignore = 1 + r->sc->n_golden_ignore };
		FILE *out = NULL;
		int n;

		for (unsigned i = 0; i < r->sc->n_golden_ignore; i++)
			ignore[1 + i] = r->sc->golden_ignore[i];
		snprintf(path, sizeof(path), "%s/%s.golden", compare_dir, r->sc->name);
		if (trace_load(path, &gold, err, sizeof(err)) < 0) {
			verdict(r, false, err);
			trace_free(cur);
			return;
		}
		if (report_dir) {
			char dpath[1024];

			snprintf(dpath, sizeof(dpath), "%s/%s.golden-diff", report_dir, r->sc->name);
			out = fopen(dpath, "we");
		}
		n = trace_diff(gold, cur, &o, out ? out : stdout, err, sizeof(err));
		if (out)
			fclose(out);
		if (n < 0) {
			verdict(r, false, err);
		} else {
			char reason[200];

			snprintf(reason, sizeof(reason), "%d differences, edge by edge in %s", n,
				 out ? "REPORT/NAME.golden-diff" : "the output above");
			verdict(r, n == 0, n ? reason : "no difference");
		}
		trace_free(gold);
	}
	trace_free(cur);
}
