/* SPDX-License-Identifier: MIT */
#include "report_html.h"

#include <CUnit/CUnit.h>
#include <errno.h>
#include <glib.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "frame_images.h"
#include "html_out.h"
#include "rules.h"
#include "testrec.h"
#include "testref.h"
#include "timing_svg.h"

static const char css[] =
	"body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222;max-width:1200px}"
	"h1{font-size:1.5em}h2{font-size:1.25em;margin:1.2em 0 .3em}h3{font-size:1.05em;margin:0 0 .3em}"
	"table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:2px 8px;text-align:left;"
	"vertical-align:top}th{background:#eee}td.num{text-align:right}"
	".v{font-weight:bold;border-radius:3px;padding:0 6px}.v.pass{background:#c8f0c8}.v.fail{background:#f7c0c0}"
	".v.skip{background:#ddd}tr.fail td{background:#fde8e8}tr.skip td{color:#777}tr.total td{font-weight:bold}"
	"section.test{border:1px solid #ccc;border-left:6px solid #8c8;padding:.6em .8em;margin:.8em 0}"
	"section.test.fail{border-left-color:#d44}section.test.skip{border-left-color:#aaa}"
	"blockquote.manual{margin:.3em 0;padding:.2em .8em;border-left:3px solid #99b;background:#f6f6fb}"
	".ref{color:#446;font-size:12px}.note{color:#666}.cut{color:#b00}ul.failures{color:#900;margin:.3em 0}"
	"figure{margin:.5em 0}.frames{display:flex;gap:8px;flex-wrap:wrap}.frames figure{flex:1;min-width:250px}"
	".frames img{width:100%;image-rendering:pixelated;border:1px solid #ccc}"
	"svg.chart{max-width:100%;height:auto;border:1px solid #ddd}svg.chart .man{fill:#bbb}"
	"svg.chart .dev{fill:#27c}svg.chart .devbad{fill:#e00}svg.chart .fmt{font:10px sans-serif;fill:#333}";

static const char *verdict(bool active, bool failed) { return !active ? "skip" : failed ? "fail" : "pass"; }

static unsigned failures_of(CU_pTest t)
{
	unsigned n = 0;

	for (CU_pFailureRecord r = CU_get_failure_list(); r; r = r->pNext)
		n += r->pTest == t && r->type == CUF_AssertFailed;
	return n;
}

/* Whether the test ran: active, and its start was recorded (a suite whose set-up failed
 * runs none of its tests). */
static bool test_active(CU_pSuite s, CU_pTest t) { return s->fActive && t->fActive && testrec_find(t); }

/* The sentence rules.ini gives the rule, or NULL. */
static char *sentence(GKeyFile *kf, const char *id)
{
	char group[128];

	if (!kf)
		return NULL;
	snprintf(group, sizeof(group), "rule.%s", id);
	return g_key_file_get_string(kf, group, "sentence", NULL);
}

/* ---- the summary ---- */

struct tally {
	unsigned tests, passed, failed, skipped, rules;
	double seconds;
};

static void tally_suite(CU_pSuite s, struct tally *t)
{
	memset(t, 0, sizeof(*t));
	for (CU_pTest x = s->pTest; x; x = x->pNext) {
		const struct testrec *r = testrec_find(x);

		t->tests++;
		if (!test_active(s, x))
			t->skipped++;
		else if (failures_of(x))
			t->failed++;
		else
			t->passed++;
		t->seconds += r ? r->seconds : 0;
	}
	for (size_t i = 0; i < rule_table_len; i++)
		for (CU_pTest x = s->pTest; x; x = x->pNext)
			if (rule_names_test(&rule_table[i], s->pName, x->pName)) {
				t->rules++;
				break;
			}
}

/* Rules that name a test of the run, and those of them with a failed test. */
static void rule_counts(unsigned *checked, unsigned *failed)
{
	*checked = *failed = 0;
	for (size_t i = 0; i < rule_table_len; i++) {
		bool named = false, bad = false;

		for (CU_pSuite s = CU_get_registry()->pSuite; s; s = s->pNext)
			for (CU_pTest x = s->pTest; x; x = x->pNext)
				if (rule_names_test(&rule_table[i], s->pName, x->pName) && test_active(s, x)) {
					named = true;
					bad = bad || failures_of(x);
				}
		*checked += named;
		*failed += bad;
	}
}

static void summary(FILE *f)
{
	struct tally all = { 0 }, t;
	unsigned rules, rules_failed;

	fputs("<table class=\"summary\"><tr><th>suite</th><th>tests</th><th>passed</th><th>failed</th><th>skipped</th>"
	      "<th>manual rules</th><th>duration</th></tr>\n",
	      f);
	for (CU_pSuite s = CU_get_registry()->pSuite; s; s = s->pNext) {
		tally_suite(s, &t);
		fprintf(f, "<tr class=\"%s\"><td><a href=\"#suite-", t.failed ? "fail" : t.passed ? "pass" : "skip");
		html_url_name(f, s->pName);
		fputs("\">", f);
		html_esc(f, s->pName);
		fprintf(f, "</a></td><td class=\"num\">%u</td><td class=\"num\">%u</td><td class=\"num\">%u</td>"
			   "<td class=\"num\">%u</td><td class=\"num\">%u</td><td class=\"num\">%.2f s</td></tr>\n",
			t.tests, t.passed, t.failed, t.skipped, t.rules, t.seconds);
		all.tests += t.tests;
		all.passed += t.passed;
		all.failed += t.failed;
		all.skipped += t.skipped;
		all.seconds += t.seconds;
	}
	rule_counts(&rules, &rules_failed);
	fprintf(f, "<tr class=\"total\"><td>all</td><td class=\"num\">%u</td><td class=\"num\">%u</td><td class=\"num\">%u"
		   "</td><td class=\"num\">%u</td><td class=\"num\">%u</td><td class=\"num\">%.2f s</td></tr>\n</table>\n",
		all.tests, all.passed, all.failed, all.skipped, rules, all.seconds);
	fprintf(f, "<p>%u of the manual's %zu behavioural rules are checked by the tests that ran; %u of them by a "
		   "test that failed.</p>\n", rules, rule_table_len, rules_failed);
}

/* ---- the frame-rate table ---- */

#define CH_W 1100
#define CH_H 240
#define CH_L 50
#define CH_B 40

static bool fr_ok(const struct testrec_fr_row *r) { return (int)floor(r->device) == r->manual; }

static void framerate_chart(FILE *f, const struct testrec_fr_row *rows, unsigned n)
{
	double max = 1, slot = (double)(CH_W - CH_L - 10) / n, plot_h = CH_H - CH_B - 10;

	for (unsigned i = 0; i < n; i++) {
		max = rows[i].manual > max ? rows[i].manual : max;
		max = rows[i].device > max ? rows[i].device : max;
	}
	max *= 1.1;
	fprintf(f, "<figure><svg class=\"chart framerate\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
		   "height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">\n", CH_W, CH_H, CH_W, CH_H);
	for (int k = 0; k <= 4; k++) {
		double v = max / 1.1 * k / 4, y = 10 + plot_h - v / max * plot_h;

		fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>"
			   "<text class=\"fmt\" x=\"4\" y=\"%.1f\">%.0f fps</text>\n", CH_L, y, CH_W - 10, y, y + 3, v);
	}
	for (unsigned i = 0; i < n; i++) {
		const struct testrec_fr_row *r = &rows[i];
		double x = CH_L + i * slot, hm = r->manual / max * plot_h, hd = r->device / max * plot_h;

		fprintf(f, "<rect class=\"man\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\">", x + slot * 0.1,
			10 + plot_h - hm, slot * 0.4, hm);
		html_svg_title(f, "%s %dx%d: manual %d fps", r->format, r->width, r->height, r->manual);
		fprintf(f, "</rect><rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\">",
			fr_ok(r) ? "dev" : "devbad", x + slot * 0.5, 10 + plot_h - hd, slot * 0.4, hd);
		html_svg_title(f, "%s %dx%d: device %.3f fps", r->format, r->width, r->height, r->device);
		fputs("</rect>\n", f);
		if (i == 0 || strcmp(rows[i - 1].format, r->format) != 0) {
			fprintf(f, "<line x1=\"%.1f\" y1=\"10\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#999\"/>"
				   "<text class=\"fmt\" x=\"%.1f\" y=\"%.1f\">", x, x, 10 + plot_h + 14, x + 2, 10 + plot_h + 14);
			html_esc_n(f, r->format, 20);
			fputs("</text>\n", f);
		}
	}
	fputs("</svg><figcaption>Maximum AcquisitionFrameRate per row of the manual's tables: grey the manual, blue the "
	      "device (red where its whole frames per second differ from the manual's).</figcaption></figure>\n",
	      f);
}

static void framerate_table(FILE *f)
{
	unsigned n, bad = 0;
	const struct testrec_fr_row *rows = testrec_framerate_rows(&n);

	if (!n)
		return;
	for (unsigned i = 0; i < n; i++)
		bad += !fr_ok(&rows[i]);
	fprintf(f, "<h2 id=\"framerate-table\">Frame rates: manual 5.1.4 against the device</h2>\n<p>%u rows, %u differ "
		   "(the manual prints whole frames per second, rounded down).</p>\n", n, bad);
	framerate_chart(f, rows, n);
	fputs("<table class=\"framerate\"><tr><th>pixel format</th><th>width</th><th>height</th><th>manual fps</th>"
	      "<th>device max fps</th><th>result</th></tr>\n",
	      f);
	for (unsigned i = 0; i < n; i++) {
		const char *v = fr_ok(&rows[i]) ? "pass" : "fail";

		fprintf(f, "<tr class=\"%s\"><td>", v);
		html_esc(f, rows[i].format);
		fprintf(f, "</td><td class=\"num\">%d</td><td class=\"num\">%d</td><td class=\"num\">%d</td>"
			   "<td class=\"num\">%.3f</td><td><span class=\"v %s\">%s</span></td></tr>\n",
			rows[i].width, rows[i].height, rows[i].manual, rows[i].device, v, v);
	}
	fputs("</table>\n", f);
}

/* ---- one test ---- */

static void manual_refs(FILE *f, GKeyFile *kf, CU_pSuite s, CU_pTest t)
{
	bool any = false;

	for (size_t i = 0; i < rule_table_len; i++) {
		const struct rule_cover *r = &rule_table[i];
		char *text;

		if (!rule_names_test(r, s->pName, t->pName))
			continue;
		any = true;
		text = sentence(kf, r->id);
		fputs("<blockquote class=\"manual\">", f);
		fputs("<span class=\"ref\">manual ", f);
		html_esc(f, r->section);
		fputs(", rule <code>", f);
		html_esc(f, r->id);
		fputs("</code></span><br>\xe2\x80\x9c", f);
		html_esc(f, text ? text : "(no sentence: rules.ini of these fixtures lacks the rule)");
		fputs("\xe2\x80\x9d", f);
		if (r->note) {
			fputs("<br><span class=\"note\">", f);
			html_esc(f, r->note);
			fputs("</span>", f);
		}
		fputs("</blockquote>\n", f);
		g_free(text);
	}
	if (any)
		return;
	const struct test_ref *ref = test_ref_find(s->pName, t->pName);
	fputs("<blockquote class=\"manual\"><span class=\"ref\">", f);
	if (!ref) {
		fputs("no reference recorded for this test</span></blockquote>\n", f);
		return;
	}
	html_esc(f, ref->section);
	fputs(ref->manual ? "</span><br>\xe2\x80\x9c" : "</span><br>", f);
	html_esc(f, ref->text);
	fputs(ref->manual ? "\xe2\x80\x9d" : "", f);
	fputs("</blockquote>\n", f);
}

static void failures(FILE *f, CU_pTest t)
{
	bool any = false;

	for (CU_pFailureRecord r = CU_get_failure_list(); r; r = r->pNext) {
		if (r->pTest != t || r->type != CUF_AssertFailed)
			continue;
		if (!any)
			fputs("<ul class=\"failures\">", f);
		any = true;
		fputs("<li>", f);
		html_esc(f, r->strCondition);
		fputs(" <small class=\"note\">(", f);
		html_esc_n(f, r->strFileName, 200);
		fprintf(f, ":%u)</small></li>", r->uiLineNumber);
	}
	if (any)
		fputs("</ul>\n", f);
}

static void marks_table(FILE *f, const struct testrec *r)
{
	if (!r->n_marks)
		return;
	fputs("<table class=\"marks\"><tr><th>#</th><th>device time</th><th>assertion</th><th>result</th></tr>\n", f);
	for (unsigned i = 0; i < r->n_marks; i++) {
		const struct testrec_mark *m = &r->marks[i];
		const char *v = m->failed ? "fail" : "pass";

		fprintf(f, "<tr class=\"%s\"><td class=\"num\">%u</td><td class=\"num\">%" PRIu64 " ns</td><td>", v, i + 1,
			m->t);
		html_esc(f, m->text);
		fprintf(f, "</td><td><span class=\"v %s\">%s</span></td></tr>\n", v, v);
	}
	fputs("</table>\n", f);
	if (r->marks_dropped)
		fprintf(f, "<p class=\"note cut\">%u more assertions about device time were not kept.</p>\n", r->marks_dropped);
}

static void timing(FILE *f, const struct testrec *r, size_t limit)
{
	size_t n = r->n_ev < limit ? r->n_ev : limit;
	struct tsvg_event *te;
	struct tsvg_mark marks[TESTREC_MAX_MARKS];
	char labels[TESTREC_MAX_MARKS][12], buf[64];

	if (!r->has_events || !r->n_ev)
		return;
	if (!n) {
		fputs("<p class=\"note cut\">No timing diagram: the page's budget of events is spent (failed tests "
		      "first).</p>\n", f);
		return;
	}
	te = calloc(n, sizeof(*te));
	if (!te) {
		fputs("<p class=\"note cut\">No timing diagram: out of memory.</p>\n", f);
		return;
	}
	for (size_t i = 0; i < n; i++)
		te[i] = (struct tsvg_event){ .t = r->ev[i].t, .e = &r->ev[i] };
	for (unsigned i = 0; i < r->n_marks; i++) {
		snprintf(labels[i], sizeof(labels[i]), "%u", i + 1);
		marks[i] = (struct tsvg_mark){ .t = r->marks[i].t, .kind = r->marks[i].failed ? TSVG_FAILED : TSVG_EXPECTED,
					       .label = labels[i], .detail = r->marks[i].text };
	}
	const struct tsvg_opts opts = { .fault_name = io_fault_kind_name };
	struct tsvg_window w = tsvg_write(f, te, n, marks, r->n_marks, &opts);
	html_fmt_dur(buf, sizeof(buf), (double)(w.t1 - w.t0));
	fprintf(f, "<figcaption>The camera's event log during the test: device time from %" PRIu64 " ns, %s shown, %zu "
		   "events. Dashed green: the edges the test expected; red: an assertion that failed, at the device time "
		   "it is about (numbers as in the table above). Hover an element for its exact time.",
		w.t0, buf, n);
	if (n < r->n_ev || r->ev_cut)
		fprintf(f, " <strong class=\"cut\">(cut: the first %zu events are drawn)</strong>", n);
	fputs("</figcaption></figure>\n", f);
	free(te);
}

static void frame_images(FILE *f, const char *dir, size_t idx, const struct testrec *r)
{
	const struct testrec_frame *fr = &r->frame;
	size_t payload = frame_payload_size(&fr->g);
	uint8_t *exp = payload ? malloc(payload) : NULL;
	char prefix[64], err[128] = "cannot compute the expected frame";
	const char *name = frame_pfnc_name(fr->g.pfnc);

	fprintf(f, "<h4>Block %" PRIu64 ": not the expected frame</h4>\n<p>", fr->src.block_id);
	html_esc(f, fr->note);
	fprintf(f, "<br>%ux%u at (%u, %u), ", fr->g.width, fr->g.height, fr->g.offset_x, fr->g.offset_y);
	html_esc(f, name ? name : "unknown format");
	fprintf(f, ", %zu of %zu bytes received; expected: the test pattern of seed %" PRIu32 " (--expect-pattern).</p>\n",
		fr->received, payload, fr->src.seed);
	snprintf(prefix, sizeof(prefix), "test-%zu", idx);
	if (!exp || frame_expected(&fr->g, &fr->src, exp, payload) < 0 ||
	    frame_images_write(dir, prefix, &fr->g, fr->got, exp, err, sizeof(err)) < 0) {
		fputs("<p class=\"note\">No images: ", f);
		html_esc(f, err);
		fputs(".</p>\n", f);
		free(exp);
		return;
	}
	free(exp);
	fputs("<div class=\"frames\">", f);
	for (int k = 0; k < 3; k++) {
		static const char *const cap[] = { "received (black where nothing arrived)", "expected (the test pattern)",
						   "difference (red: pixels that differ)" };

		fprintf(f, "<figure><a href=\"%s-%s.png\"><img src=\"%s-%s.png\" alt=\"%s frame\"></a><figcaption>%s"
			   "</figcaption></figure>",
			prefix, frame_image_kinds[k], prefix, frame_image_kinds[k], frame_image_kinds[k], cap[k]);
	}
	fputs("</div>\n", f);
}

static void test_section(FILE *f, const char *dir, GKeyFile *kf, CU_pSuite s, CU_pTest t, size_t idx, size_t limit)
{
	const struct testrec *r = testrec_find(t);
	bool active = test_active(s, t), failed = active && failures_of(t);
	const char *v = verdict(active, failed);

	fprintf(f, "<section class=\"test %s\" id=\"t-", v);
	html_url_name(f, s->pName);
	fputs("-", f);
	html_url_name(f, t->pName);
	fputs("\"><h3>", f);
	html_esc(f, s->pName);
	fputs("/", f);
	html_esc(f, t->pName);
	fprintf(f, " <span class=\"v %s\">%s</span>", v, v);
	if (r)
		fprintf(f, " <small>%.2f s</small>", r->seconds);
	fputs("</h3>\n", f);
	manual_refs(f, kf, s, t);
	if (!active) {
		fputs("<p class=\"note\">Not run: its suite needs what this run did not give, or its set-up failed (see "
		      "the program's output).</p></section>\n", f);
		return;
	}
	if (r && r->fault[0]) {
		fputs("<p class=\"note\">Fault armed on the emulator for this test (--inject-fault): <code>", f);
		html_esc(f, r->fault);
		fputs("</code></p>\n", f);
	}
	failures(f, t);
	if (r) {
		marks_table(f, r);
		timing(f, r, limit);
		if (r->frame.present)
			frame_images(f, dir, idx, r);
	}
	fputs("</section>\n", f);
}

/* Events each test's diagram may draw: the page's budget, failed tests first. */
static size_t *event_limits(size_t n_tests)
{
	size_t *limits = calloc(n_tests ? n_tests : 1, sizeof(*limits)), budget = CONFORM_REPORT_MAX_PAGE_EVENTS;

	if (!limits)
		return NULL;
	for (int pass = 0; pass < 2; pass++) {
		size_t i = 0;

		for (CU_pSuite s = CU_get_registry()->pSuite; s; s = s->pNext)
			for (CU_pTest t = s->pTest; t; t = t->pNext, i++) {
				const struct testrec *r = testrec_find(t);
				bool failed = test_active(s, t) && failures_of(t);

				if (!r || failed != (pass == 0))
					continue;
				limits[i] = r->n_ev < budget ? r->n_ev : budget;
				budget -= limits[i];
			}
	}
	return limits;
}

static int write_page(FILE *f, const char *dir, const struct conform_report_info *info)
{
	unsigned passed = CU_get_number_of_tests_run() - CU_get_number_of_tests_failed();
	size_t n_tests = 0, idx = 0, *limits;
	GKeyFile *kf = g_key_file_new();
	char *path = g_build_filename(info->fixtures ? info->fixtures : ".", "rules.ini", NULL);

	if (!g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, NULL)) {
		g_key_file_free(kf);
		kf = NULL;
	}
	for (CU_pSuite s = CU_get_registry()->pSuite; s; s = s->pNext)
		n_tests += s->uiNumberOfTests;
	limits = event_limits(n_tests);
	fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
		   "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src 'self' data: file:; "
		   "style-src 'unsafe-inline'\">\n<title>dfk-conform: %u passed, %u failed</title>\n<style>%s%s</style>"
		   "</head><body>\n<h1>dfk-conform report</h1>\n<p>Device <code>",
		passed, CU_get_number_of_tests_failed(), css, tsvg_css);
	html_esc(f, info->url);
	fputs("</code>: ", f);
	html_esc(f, info->product);
	fputs(", serial ", f);
	html_esc(f, info->serial);
	fputs(". Expectations from <code>", f);
	html_esc(f, info->fixtures);
	fputs("</code>", f);
	if (info->pattern)
		fprintf(f, ", frames compared byte for byte with the test pattern of seed %" PRIu32, info->pattern_seed);
	fprintf(f, ". <strong>%u tests run: %u passed, %u failed, %u not run</strong> in %.1f s.</p>\n",
		CU_get_number_of_tests_run(), passed, CU_get_number_of_tests_failed(), CU_get_number_of_tests_inactive(),
		info->seconds);
	summary(f);
	framerate_table(f);
	for (CU_pSuite s = CU_get_registry()->pSuite; s; s = s->pNext) {
		fputs("<h2 id=\"suite-", f);
		html_url_name(f, s->pName);
		fputs("\">Suite ", f);
		html_esc(f, s->pName);
		fputs("</h2>\n", f);
		for (CU_pTest t = s->pTest; t; t = t->pNext, idx++)
			test_section(f, dir, kf, s, t, idx, limits ? limits[idx] : 0);
	}
	fputs("<p class=\"note\">Written by dfk-conform (man dfk-conform). Device times are ns since the camera's "
	      "power-up.</p>\n</body></html>\n",
	      f);
	free(limits);
	g_free(path);
	if (kf)
		g_key_file_free(kf);
	return ferror(f) ? -1 : 0;
}

int conform_report_html(const char *dir, const struct conform_report_info *info)
{
	char path[1024], tmp[1100];
	FILE *f;
	int rc;

	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return -1;
	if (snprintf(path, sizeof(path), "%s/index.html", dir) >= (int)sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "we");
	if (!f)
		return -1;
	rc = write_page(f, dir, info);
	if (fclose(f) != 0 || rc < 0 || rename(tmp, path) < 0) {
		int e = errno;

		unlink(tmp);
		errno = e ? e : EIO;
		return -1;
	}
	return 0;
}
