/* SPDX-License-Identifier: MIT */
#include "runner/report_html.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "camera/eventlog.h"
#include "fault/fault.h"
#include "framecheck.h"
#include "frame_images.h"
#include "html_out.h"
#include "timing_svg.h"

static void esc(FILE *f, const char *s) { html_esc(f, s); }

static const char *verdict(const struct run_result *r)
{
	return r->skipped ? "skip" : r->passed ? "pass" : "fail";
}

/* ---- the timing diagram (report/timing_svg.h) ---- */

/* The time the camera's events are drawn at: device time restarts with each power-up, so
 * later power cycles are shifted to follow the earlier ones. */
struct adj {
	uint32_t power_up;
	int64_t shift;
};

static uint64_t adjusted(const struct dev_event *e, const struct adj *a, size_t na)
{
	for (size_t i = 0; i < na; i++)
		if (a[i].power_up == e->power_up)
			return (uint64_t)((int64_t)e->e.t + a[i].shift);
	return e->e.t;
}

static const char *fault_name(int64_t kind)
{
	return kind >= 0 && kind < FAULT_KIND_COUNT ? fault_kind_name((enum fault_kind)kind) : NULL;
}

static void timing_svg(FILE *f, const struct run_result *r, size_t limit)
{
	const struct dev_event *ev = r->dev.ev;
	size_t first = 0, n_all, n, na = 0, nm = 0;
	struct adj a[64];
	uint64_t last_end = 0;
	struct tsvg_event *te;
	struct tsvg_mark *marks;
	char labels[RH_MAX_MARKS][12], buf[64];
	const struct tsvg_opts opts = { .fault_name = fault_name };

	/* the scenario's events: those after the power cycle it began in */
	while (first < r->dev.n && (int64_t)ev[first].power_up <= r->base_power_up)
		first++;
	n_all = r->dev.n - first;
	n = n_all < limit ? n_all : limit;
	if (n_all && !n) {
		fputs("<p class=\"note cut\">No timing diagram: the page's budget of events is spent (failed "
		      "scenarios first); the event log is in the scenario's .events file.</p>\n", f);
		return;
	}
	if (!n)
		return;
	te = calloc(n, sizeof(*te));
	marks = calloc(RH_MAX_MARKS, sizeof(*marks));
	if (!te || !marks) {
		free(te);
		free(marks);
		fputs("<p class=\"note cut\">No timing diagram: out of memory.</p>\n", f);
		return;
	}
	for (size_t i = first; i < first + n; i++) {
		if (!na || a[na - 1].power_up != ev[i].power_up) {
			if (na == sizeof(a) / sizeof(a[0])) {
				n = i - first;
				break;
			}
			a[na].power_up = ev[i].power_up;
			a[na].shift = na && ev[i].e.t < last_end ? (int64_t)(last_end - ev[i].e.t) + 1000000 : 0;
			na++;
		}
		te[i - first].e = &ev[i].e;
		te[i - first].t = adjusted(&ev[i], a, na);
		if (te[i - first].t > last_end)   /* the log is in order of logging, not of time */
			last_end = te[i - first].t;
	}
	/* failed expectations at their device time (adjusted when the log has an event then) */
	for (unsigned i = 0, m = 0; i < r->n_results && nm < RH_MAX_MARKS; i++) {
		const struct expect_result *x = &r->results[i];
		uint64_t t = x->at_ns;

		if (x->passed || x->skipped || !x->has_at)
			continue;
		m++;
		for (size_t j = first; j < first + n; j++)
			if (ev[j].e.t == x->at_ns) {
				t = adjusted(&ev[j], a, na);
				break;
			}
		snprintf(labels[nm], sizeof(labels[nm]), "%u", m);
		marks[nm] = (struct tsvg_mark){ .t = t, .kind = TSVG_FAILED, .label = labels[nm], .detail = x->reason };
		nm++;
	}
	struct tsvg_window w = tsvg_write(f, te, n, marks, nm, &opts);
	fputs("<figcaption>", f);
	html_fmt_dur(buf, sizeof(buf), (double)(w.t1 - w.t0));
	fprintf(f, "Device time from %" PRIu64 " ns, %s shown; %zu events", w.t0, buf, n);
	{
		unsigned shown = 0, out = 0;

		for (size_t i = 0; i < n; i++) {
			uint64_t t = te[i].t;

			if (t >= w.t0 && t <= w.t1)
				continue;
			out++;
			if (shown < 4 && (strcmp(te[i].e->kind, "acquisition") == 0 || strcmp(te[i].e->kind, "power_up") == 0)) {
				html_fmt_dur(buf, sizeof(buf), t > w.t1 ? (double)(t - w.t1) : -(double)(w.t0 - t));
				fprintf(f, "%s %s %s", shown++ ? "," : "; outside the window:",
					strcmp(te[i].e->kind, "power_up") == 0 ? "power-up"
					: te[i].e->a ? "acquisition start" : "acquisition stop", buf);
				fputs(t > w.t1 ? " after it" : "", f);
			}
		}
		if (out)
			fprintf(f, " (%u events outside the window)", out);
	}
	if (n < n_all)
		fprintf(f, " <strong class=\"cut\">(cut: the first %zu of %zu events are drawn)</strong>", n, n_all);
	if (r->dev.overflow)
		fputs(" <strong class=\"cut\">(the event log overflowed: later events were not kept)</strong>", f);
	fputs(". Hover an element for its exact time.</figcaption></figure>\n", f);
	free(te);
	free(marks);
}

/* ---- the frame that failed bit-exact ---- */

static uint8_t *read_file(const char *path, size_t want, size_t len)
{
	uint8_t *b = calloc(1, len ? len : 1);
	FILE *f;

	if (!b)
		return NULL;
	f = fopen(path, "rbe");
	if (!f) {
		free(b);
		return NULL;
	}
	if (fread(b, 1, want < len ? want : len, f) == 0 && want) {
		fclose(f);
		free(b);
		return NULL;
	}
	fclose(f);
	return b;
}

/* Writes scenario-N-{received,expected,diff}.png; returns 0 or -1 with the reason in err. */
static int mismatch_pngs(const char *dir, size_t idx, const struct run_result *r, char *err, size_t errlen)
{
	const struct frame_mismatch *m = &r->mismatch;
	struct frame_geometry g = { 0 };
	struct frame_source src = { .seed = r->pattern_seed, .block_id = m->id };
	uint8_t *got = NULL, *exp = NULL;
	size_t payload;
	char prefix[64];
	int rc = -1;

	g.sensor.width = 4096;
	g.sensor.height = 2160;
	g.sensor.mono = r->model && strcmp(r->model, "dmk38ux267") == 0;
	g.width = m->width;
	g.height = m->height;
	g.offset_x = m->x;
	g.offset_y = m->y;
	g.pfnc = m->pixfmt;
	if (frame_geometry_problem(&g) || !(payload = frame_payload_size(&g))) {
		snprintf(err, errlen, "no valid geometry");
		return -1;
	}
	got = read_file(m->file, m->size, payload);
	exp = malloc(payload);
	if (!got || !exp) {
		snprintf(err, errlen, "cannot read the kept frame");
		goto out;
	}
	if (frame_expected(&g, &src, exp, payload) < 0) {
		snprintf(err, errlen, "cannot decode the frame");
		goto out;
	}
	snprintf(prefix, sizeof(prefix), "scenario-%zu", idx);
	rc = frame_images_write(dir, prefix, &g, got, exp, err, errlen);
out:
	free(got);
	free(exp);
	return rc;
}

static void frame_section(FILE *f, const char *dir, size_t idx, const struct run_result *r)
{
	const struct frame_mismatch *m = &r->mismatch;
	const char *base = strrchr(m->file, '/');
	char err[128];

	fprintf(f, "<h3>Frame %" PRIu64 ": not the test pattern</h3>\n", m->id);
	fprintf(f, "<p>%ux%u at (%u, %u), ", m->width, m->height, m->x, m->y);
	esc(f, frame_pfnc_name(m->pixfmt) ? frame_pfnc_name(m->pixfmt) : "unknown format");
	fprintf(f, ", %" PRIu64 " bytes received, pattern seed %" PRIu32 "; the raw payload: <a href=\"", m->size,
		r->pattern_seed);
	html_url_name(f, base ? base + 1 : m->file);
	fputs("\">", f);
	esc(f, base ? base + 1 : m->file);
	fputs("</a>.</p>\n", f);
	if (mismatch_pngs(dir, idx, r, err, sizeof(err)) < 0) {
		fputs("<p class=\"note\">No images: ", f);
		esc(f, err);
		fputs(".</p>\n", f);
		return;
	}
	fputs("<div class=\"frames\">", f);
	for (int k = 0; k < 3; k++) {
		static const char *const which[] = { "received", "expected", "diff" };
		static const char *const cap[] = { "received (what the driver delivered)", "expected (the test pattern)",
						   "difference (red: pixels that differ)" };

		fprintf(f, "<figure><a href=\"scenario-%zu-%s.png\"><img src=\"scenario-%zu-%s.png\" alt=\"%s frame\"></a>"
			   "<figcaption>%s</figcaption></figure>",
			idx, which[k], idx, which[k], which[k], cap[k]);
	}
	fputs("</div>\n", f);
}

/* ---- the page ---- */

static const char css[] =
	"body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222;max-width:1200px}"
	"h1{font-size:1.5em}h2{font-size:1.2em;margin:0 0 .3em}h3{font-size:1em}"
	"table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:2px 8px;text-align:left;"
	"vertical-align:top}th{background:#eee}td.num{text-align:right}"
	".v{font-weight:bold;border-radius:3px;padding:0 6px}.v.pass{background:#c8f0c8}.v.fail{background:#f7c0c0}"
	".v.skip{background:#ddd}tr.fail td{background:#fde8e8}tr.skip td{color:#777}"
	"section.scenario{border:1px solid #ccc;border-left:6px solid #8c8;padding:.8em;margin:1.2em 0}"
	"section.scenario.fail{border-left-color:#d44}section.scenario.skip{border-left-color:#aaa}"
	".desc{color:#444}.note{color:#666}.cut{color:#b00}.counters{font-family:monospace;font-size:12px;color:#444}"
	"figure{margin:.5em 0}"
	".frames{display:flex;gap:8px;flex-wrap:wrap}.frames figure{flex:1;min-width:250px}"
	".frames img{width:100%;image-rendering:pixelated;border:1px solid #ccc}"
	;

static void scenario_section(FILE *f, const char *dir, size_t idx, const struct run_result *r, size_t limit)
{
	unsigned failed_at = 0;

	fprintf(f, "<section class=\"scenario %s\" id=\"sc-%zu\">\n<h2>", verdict(r), idx);
	esc(f, r->sc->name);
	fprintf(f, " <span class=\"v %s\">%s</span> <small>%.1f s</small></h2>\n<p class=\"desc\">", verdict(r),
		r->skipped ? "SKIP" : r->passed ? "PASS" : "FAIL", r->seconds);
	esc(f, r->sc->describe);
	fputs("</p>\n", f);
	if (r->skipped) {
		fputs("<p class=\"note\">Skipped: ", f);
		esc(f, r->skip_reason);
		fputs("</p>\n</section>\n", f);
		return;
	}
	fputs("<table class=\"expect\"><tr><th>expectation</th><th>result</th><th>reason</th></tr>\n", f);
	for (unsigned i = 0; i < r->n_results; i++) {
		const struct expect_result *e = &r->results[i];
		const char *v = e->skipped ? "skip" : e->passed ? "pass" : "fail";

		fprintf(f, "<tr class=\"%s\"><td>", v);
		esc(f, e->text);
		if (e->implicit)
			fputs(" <small class=\"note\">(implicit)</small>", f);
		fprintf(f, "</td><td><span class=\"v %s\">%s</span></td><td>", v, v);
		esc(f, e->reason);
		if (!e->passed && !e->skipped && e->has_at)
			fprintf(f, " <small>(\xe2\x9c\x97 %u in the diagram, device time %" PRIu64 " ns)</small>", ++failed_at,
				e->at_ns);
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n<p class=\"counters\">", f);
	for (int c = 0; c < SC_C_COUNT; c++) {
		if (sc_counter_is_device(c) && !r->has_device)
			continue;
		fprintf(f, "%s%s&nbsp;%" PRIu64, c ? " \xc2\xb7 " : "", sc_counter_name(c), r->counters[c]);
	}
	fputs("</p>\n", f);
	if (r->n_violations) {
		fputs("<details><summary>host-monitor verdicts</summary><ul>", f);
		for (size_t i = 0; i < r->n_violations && i < 50; i++) {
			fputs("<li>", f);
			esc(f, r->violations[i].text);
			fputs("</li>", f);
		}
		if (r->n_violations > 50)
			fprintf(f, "<li>... %zu more</li>", r->n_violations - 50);
		fputs("</ul></details>\n", f);
	}
	{   /* the driver's own words: its error and lost lines */
		size_t shown = 0, total = 0;

		for (size_t i = 0; i < r->n_lines; i++)
			total += r->lines[i].ev.kind == AD_ERROR || r->lines[i].ev.kind == AD_LOST;
		if (total) {
			fprintf(f, "<details><summary>the driver's error messages (%zu)</summary><ul>", total);
			for (size_t i = 0; i < r->n_lines && shown < 20; i++) {
				const struct ad_event *l = &r->lines[i].ev;

				if (l->kind != AD_ERROR && l->kind != AD_LOST)
					continue;
				shown++;
				fputs("<li><code>", f);
				esc(f, l->kind == AD_LOST ? "lost" : l->stage);
				fputs("</code> ", f);
				esc(f, l->msg);
				fputs("</li>", f);
			}
			if (total > shown)
				fprintf(f, "<li>... %zu more</li>", total - shown);
			fputs("</ul></details>\n", f);
		}
	}
	if (r->has_device)
		timing_svg(f, r, limit);
	if (r->mismatch.present)
		frame_section(f, dir, idx, r);
	fputs("</section>\n", f);
}

int report_html(const char *dir, const struct run_result *rs, size_t n, double seconds, const char *adapter)
{
	char path[1024], tmp[1100];
	size_t passed = 0, failed = 0, skipped = 0, budget = RH_MAX_PAGE_EVENTS, *limits;
	FILE *f;
	int bad;

	if (snprintf(path, sizeof(path), "%s/index.html", dir) >= (int)sizeof(path))
		return -1;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "we");
	if (!f)
		return -1;
	for (size_t i = 0; i < n; i++) {
		skipped += rs[i].skipped;
		passed += !rs[i].skipped && rs[i].passed;
		failed += !rs[i].skipped && !rs[i].passed;
	}
	fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
		   "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src 'self' data: file:; "
		   "style-src 'unsafe-inline'\">\n<title>dfk-drivertest: %zu passed, %zu failed</title>\n<style>%s%s</style>"
		   "</head><body>\n<h1>dfk-drivertest report</h1>\n<p>Adapter <code>",
		passed, failed, css, tsvg_css);
	esc(f, adapter ? adapter : "");
	fputs("</code>", f);
	if (n && rs[0].hello.driver[0]) {
		fputs(", driver <code>", f);
		esc(f, rs[0].hello.driver);
		fputs(" ", f);
		esc(f, rs[0].hello.version);
		fputs("</code>", f);
	}
	fprintf(f, ". <strong>%zu scenarios: %zu passed, %zu failed, %zu skipped</strong> in %.1f s.</p>\n", n, passed,
		failed, skipped, seconds);
	fputs("<table class=\"summary\"><tr><th>#</th><th>scenario</th><th>result</th><th>duration</th><th>frames</th>"
	      "<th>ok</th><th>failed expectations</th></tr>\n",
	      f);
	for (size_t i = 0; i < n; i++) {
		const struct run_result *r = &rs[i];
		unsigned nf = 0;

		for (unsigned k = 0; k < r->n_results; k++)
			nf += !r->results[k].passed && !r->results[k].skipped;
		fprintf(f, "<tr class=\"%s\"><td class=\"num\">%zu</td><td><a href=\"#sc-%zu\">", verdict(r), i + 1, i);
		esc(f, r->sc->name);
		fprintf(f, "</a></td><td><span class=\"v %s\">%s</span></td><td class=\"num\">%.1f s</td><td class=\"num\">%"
			   PRIu64 "</td><td class=\"num\">%" PRIu64 "</td><td class=\"num\">%u</td></tr>\n",
			verdict(r), verdict(r), r->seconds, r->counters[SC_C_FRAMES], r->counters[SC_C_OK], nf);
	}
	fputs("</table>\n", f);
	/* the events the diagrams may draw: RH_MAX_EVENTS a scenario, RH_MAX_PAGE_EVENTS the
	 * page, failed scenarios served first */
	limits = calloc(n ? n : 1, sizeof(*limits));
	if (!limits) {
		fclose(f);
		unlink(tmp);
		return -1;
	}
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < n; i++) {
			bool failed_one = !rs[i].skipped && !rs[i].passed;

			if (failed_one == (pass == 0)) {
				limits[i] = budget < RH_MAX_EVENTS ? budget : RH_MAX_EVENTS;
				if (limits[i] > rs[i].dev.n)
					limits[i] = rs[i].dev.n;
				budget -= limits[i];
			}
		}
	for (size_t i = 0; i < n; i++)
		scenario_section(f, dir, i, &rs[i], limits[i]);
	free(limits);
	fputs("<p class=\"note\">Written by dfk-drivertest (docs/drivertest.md). Device times are ns since the camera's "
	      "power-up.</p>\n</body></html>\n",
	      f);
	bad = ferror(f);
	if (fclose(f) != 0 || bad || rename(tmp, path) < 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}
