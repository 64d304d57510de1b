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
#include "png_out.h"

/* ---- escaping ---- */

/* Text and attribute values: & < > " ' escaped, control characters dropped, at most
 * max bytes of s (a bound on what one untrusted string may add to the page). */
static void esc_n(FILE *f, const char *s, size_t max)
{
	for (size_t i = 0; s && s[i] && i < max; i++) {
		unsigned char c = (unsigned char)s[i];

		switch (c) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default:
			if (c >= 0x20 && c != 0x7f)
				fputc(c, f);
			else if (c == '\t')
				fputc(' ', f);
		}
	}
}

static void esc(FILE *f, const char *s) { esc_n(f, s, 4096); }

/* A relative URL of a file name: everything but [A-Za-z0-9._-] percent-encoded. */
static void url_name(FILE *f, const char *s)
{
	for (size_t i = 0; s[i] && i < 512; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		    c == '-')
			fputc(c, f);
		else
			fprintf(f, "%%%02X", c);
	}
}

static const char *verdict(const struct run_result *r)
{
	return r->skipped ? "skip" : r->passed ? "pass" : "fail";
}

/* ---- the timing diagram ---- */

#define SVG_W 1100
#define LABEL_W 120
#define PLOT_W (SVG_W - LABEL_W - 20)
#define ROW_H 30
#define AXIS_H 34

enum row { R_TRIGGER_IN, R_TRIGGERS, R_EXPOSURE, R_READOUT, R_STROBE, R_FRAMES, R_FAULTS, R_MEMORY, R_COUNT };

static const char *const row_names[R_COUNT] = {
	"TRIGGER_IN", "triggers", "exposure", "readout", "STROBE_OUT", "frames", "faults", "frame memory",
};

static const char *const reject_names[] = { "?", "trigger_mode_off", "not_acquiring", "source", "denoise",
					    "debounce", "mask", "overlap", "burst" };

struct tl {
	FILE *f;
	uint64_t t0, t1;       /* the drawn span, adjusted device time */
	double last_x[R_COUNT];
	double last_label_x;
	char last_label[24];
};

static bool outside(const struct tl *d, uint64_t t) { return t < d->t0 || t > d->t1; }

static double xof(const struct tl *d, uint64_t t)
{
	double span = d->t1 > d->t0 ? (double)(d->t1 - d->t0) : 1.0;

	if (t < d->t0)
		t = d->t0;
	if (t > d->t1)
		t = d->t1;
	return LABEL_W + (double)(t - d->t0) / span * PLOT_W;
}

static double ytop(enum row r) { return 8 + (double)r * ROW_H; }

/* A duration in the unit that suits it. */
static void fmt_dur(char *buf, size_t len, double ns)
{
	double a = ns < 0 ? -ns : ns;

	if (a >= 1e9)
		snprintf(buf, len, "%.4g s", ns / 1e9);
	else if (a >= 1e6)
		snprintf(buf, len, "%.4g ms", ns / 1e6);
	else if (a >= 1e3)
		snprintf(buf, len, "%.4g \xc2\xb5s", ns / 1e3);
	else
		snprintf(buf, len, "%.4g ns", ns);
}

static void axis(struct tl *d, double y)
{
	double span = (double)(d->t1 - d->t0), step = 1, mag;
	char lab[48];

	if (span <= 0)
		span = 1;
	mag = 1;
	while (mag * 10 <= span / 8)
		mag *= 10;
	step = mag;
	if (span / step > 16)
		step = 2 * mag;
	if (span / step > 16)
		step = 5 * mag;
	if (span / step > 16)
		step = 10 * mag;
	fprintf(d->f, "<line class=\"ax\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>\n", LABEL_W, y, LABEL_W + PLOT_W, y);
	for (double v = 0; v <= span + step / 2 && v <= span * 1.0001 + 1; v += step) {
		double x = LABEL_W + v / span * PLOT_W;

		fmt_dur(lab, sizeof(lab), v);
		fprintf(d->f,
			"<line class=\"grid\" x1=\"%.1f\" y1=\"4\" x2=\"%.1f\" y2=\"%.1f\"/>"
			"<text class=\"tick\" x=\"%.1f\" y=\"%.1f\">%s</text>\n",
			x, x, y + 4, x, y + 16, lab);
	}
}

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

/* A marker on a row, skipped when the last one of that row is in the same pixel. */
static bool room(struct tl *d, enum row r, double x)
{
	if (x - d->last_x[r] < 0.75 && d->last_x[r] >= 0)
		return false;
	d->last_x[r] = x;
	return true;
}

static void title(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void title(FILE *f, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fputs("<title>", f);
	esc(f, buf);
	fputs("</title>", f);
}

static void timing_svg(FILE *f, const struct run_result *r, size_t limit)
{
	const struct dev_event *ev = r->dev.ev;
	size_t first = 0, n_all = 0, n, na = 0;
	struct adj a[64];
	struct tl d = { .f = f };
	uint64_t mem_max = 1, last_end = 0;
	int level_in = 0, level_strobe = 0;
	double h = 8 + R_COUNT * ROW_H + AXIS_H;
	char buf[64];

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
		if (adjusted(&ev[i], a, na) > last_end)   /* the log is in order of logging, not of time */
			last_end = adjusted(&ev[i], a, na);
		if (strcmp(ev[i].e.kind, "frame_memory") == 0 && (uint64_t)ev[i].e.a > mem_max)
			mem_max = (uint64_t)ev[i].e.a;
	}
	/* the window: from the first to the last event that shows activity (not a power-up,
	 * an acquisition start or stop, a frame memory level), with a margin; the log's
	 * other events outside it are named in the caption */
	{
		uint64_t lo = UINT64_MAX, hi = 0, all_lo = UINT64_MAX, margin;

		for (size_t i = first; i < first + n; i++) {
			const char *k = ev[i].e.kind;
			uint64_t t = adjusted(&ev[i], a, na);

			all_lo = t < all_lo ? t : all_lo;
			if (strcmp(k, "power_up") && strcmp(k, "acquisition") && strcmp(k, "frame_memory")) {
				lo = t < lo ? t : lo;
				hi = t > hi ? t : hi;
			}
		}
		if (lo > hi) {
			lo = all_lo;
			hi = last_end;
		}
		margin = (hi - lo) / 20 + 1000;
		d.t0 = lo > all_lo + margin ? lo - margin : all_lo;
		d.t1 = hi + margin;
		if (d.t1 > last_end + margin)
			d.t1 = last_end + margin;
	}
	for (int k = 0; k < R_COUNT; k++)
		d.last_x[k] = -1;
	d.last_label_x = -1000;

	fprintf(f, "<figure class=\"timing\"><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%.0f\" "
		   "viewBox=\"0 0 %d %.0f\" role=\"img\">\n", SVG_W, h, SVG_W, h);
	for (int k = 0; k < R_COUNT; k++) {
		fprintf(f, "<rect class=\"%s\" x=\"0\" y=\"%.1f\" width=\"%d\" height=\"%d\"/>", k % 2 ? "band1" : "band0",
			ytop(k), SVG_W, ROW_H);
		fprintf(f, "<text class=\"lab\" x=\"4\" y=\"%.1f\">%s</text>\n", ytop(k) + ROW_H / 2 + 4, row_names[k]);
	}
	axis(&d, 8 + R_COUNT * ROW_H + 4);

	/* power cycles and acquisition start/stop: vertical lines */
	for (size_t i = first; i < first + n; i++) {
		const struct dev_event *e = &ev[i];
		double x = xof(&d, adjusted(e, a, na));

		if (outside(&d, adjusted(e, a, na)))
			continue;
		if (strcmp(e->e.kind, "power_up") == 0) {
			fprintf(f, "<line class=\"pwr\" x1=\"%.1f\" y1=\"4\" x2=\"%.1f\" y2=\"%.1f\">", x, x, ytop(R_COUNT));
			title(f, "power-up %" PRId64 " at %" PRIu64 " ns", e->e.a, e->e.t);
			fputs("</line>\n", f);
		} else if (strcmp(e->e.kind, "acquisition") == 0) {
			fprintf(f, "<line class=\"acq\" x1=\"%.1f\" y1=\"4\" x2=\"%.1f\" y2=\"%.1f\">", x, x, ytop(R_COUNT));
			title(f, "acquisition %s at %" PRIu64 " ns", e->e.a ? "started" : "stopped", e->e.t);
			fputs("</line>\n", f);
		}
	}

	/* step lines: TRIGGER_IN, STROBE_OUT; the frame memory as an area */
	for (int which = 0; which < 3; which++) {
		const char *kind = which == 0 ? "trigger_in" : which == 1 ? "strobe_out" : "frame_memory";
		enum row row = which == 0 ? R_TRIGGER_IN : which == 1 ? R_STROBE : R_MEMORY;
		double lo = ytop(row) + ROW_H - 5, hi = ytop(row) + 5, y = lo;
		int *level = which == 0 ? &level_in : &level_strobe;
		size_t points = 0;

		fprintf(f, "<path class=\"%s\" d=\"M%d %.1f", which == 2 ? "mem" : "lvl", LABEL_W, lo);
		for (size_t i = first; i < first + n; i++) {
			const struct dev_event *e = &ev[i];
			double x, ny;

			if (strcmp(e->e.kind, kind) != 0)
				continue;
			x = xof(&d, adjusted(e, a, na));
			if (which == 2)
				ny = lo - (lo - hi) * ((double)(e->e.a < 0 ? 0 : (uint64_t)e->e.a) / (double)mem_max);
			else
				ny = (*level = e->e.a != 0) ? hi : lo;
			fprintf(f, "H%.1fV%.1f", x, ny);
			y = ny;
			points++;
		}
		fprintf(f, "H%d", LABEL_W + PLOT_W);
		if (which == 2)
			fprintf(f, "V%.1fZ", lo);
		fputs("\"/>\n", f);
		(void)y;
		if (which == 2 && points) {
			snprintf(buf, sizeof(buf), "max %.1f MiB", (double)mem_max / 1048576.0);
			fprintf(f, "<text class=\"note\" x=\"%d\" y=\"%.1f\">%s</text>\n", LABEL_W + PLOT_W - 110, hi + 6, buf);
		}
	}

	/* bars: exposure and readout, per block id */
	for (int which = 0; which < 2; which++) {
		const char *start = which ? "readout_start" : "exposure_start";
		const char *end = which ? "readout_end" : "exposure_end";
		enum row row = which ? R_READOUT : R_EXPOSURE;

		for (size_t i = first; i < first + n; i++) {
			const struct dev_event *e = &ev[i];
			uint64_t t_end;
			double x0, x1;
			size_t j;

			if (strcmp(e->e.kind, start) != 0)
				continue;
			for (j = i + 1; j < first + n && j - i < 2000; j++)   /* bounded: its end is near */
				if (strcmp(ev[j].e.kind, end) == 0 && ev[j].e.a == e->e.a && ev[j].power_up == e->power_up)
					break;
			if (j - i >= 2000)
				j = first + n;
			t_end = j < first + n ? adjusted(&ev[j], a, na) : d.t1;
			if (adjusted(e, a, na) > d.t1 || t_end < d.t0)
				continue;
			x0 = xof(&d, adjusted(e, a, na));
			x1 = xof(&d, t_end);
			if (!room(&d, row, x0))
				continue;
			fprintf(f, "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%d\">",
				which ? "ro" : "exp", x0, ytop(row) + 6, x1 - x0 < 1 ? 1 : x1 - x0, ROW_H - 12);
			title(f, "%s block %" PRId64 ": %" PRIu64 " .. %s ns", which ? "readout" : "exposure", e->e.a, e->e.t,
			      j < first + n ? "" : "(no end)");
			fputs("</rect>\n", f);
		}
	}

	/* markers: triggers, frames, faults */
	for (size_t i = first; i < first + n; i++) {
		const struct dev_event *e = &ev[i];
		double x = xof(&d, adjusted(e, a, na));
		const char *k = e->e.kind;

		if (outside(&d, adjusted(e, a, na)))
			continue;

		if (strcmp(k, "trigger_accepted") == 0) {
			double y = ytop(R_TRIGGERS);

			if (!room(&d, R_TRIGGERS, x))
				continue;
			fprintf(f, "<path class=\"acc\" d=\"M%.1f %.1fl-4 8h8z\">", x, y + 6);
			title(f, "trigger accepted at %" PRIu64 " ns (source %" PRId64 "), exposure from %" PRId64 " ns", e->e.t,
			      e->e.a, e->e.b);
			fputs("</path>\n", f);
		} else if (strcmp(k, "trigger_rejected") == 0) {
			double y = ytop(R_TRIGGERS) + ROW_H - 8;
			const char *why = e->e.reason[0] ? e->e.reason
				       : e->e.b > 0 && e->e.b < (int64_t)(sizeof(reject_names) / sizeof(reject_names[0]))
					       ? reject_names[e->e.b] : "?";

			if (!room(&d, R_TRIGGERS, x))
				continue;
			fprintf(f, "<path class=\"rej\" d=\"M%.1f %.1fl6 6m0 -6l-6 6\">", x - 3, y - 6);
			title(f, "trigger rejected at %" PRIu64 " ns: %s", e->e.t, why);
			fputs("</path>\n", f);
			/* the reason as text: when it changes, else every 250 px */
			if (x - d.last_label_x >= 250 || (x - d.last_label_x >= 60 && strcmp(why, d.last_label) != 0)) {
				d.last_label_x = x;
				snprintf(d.last_label, sizeof(d.last_label), "%s", why);
				fprintf(f, "<text class=\"why\" x=\"%.1f\" y=\"%.1f\">", x + 4, y);
				esc_n(f, why, 24);
				fputs("</text>\n", f);
			}
		} else if (strcmp(k, "frame_sent") == 0 || strcmp(k, "frame_dropped") == 0) {
			bool sent = k[6] == 's';
			bool faulted = sent && e->e.b != 0;

			if (!room(&d, R_FRAMES, x))
				continue;
			fprintf(f, "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"2\" height=\"%d\">",
				!sent ? "drop" : faulted ? "sentbad" : "sent", x - 1, ytop(R_FRAMES) + (sent ? 4 : 14), sent ? 12 : 12);
			if (sent)
				title(f, "frame %" PRId64 " sent at %" PRIu64 " ns%s (trailer status 0x%04" PRIx64 "%s%s)", e->e.a,
				      e->e.t, faulted ? ", faulted" : "", (uint64_t)e->e.b & 0xffff,
				      (e->e.b & EV_SENT_SHORT) ? ", cut short" : "", (e->e.b & EV_SENT_CORRUPT) ? ", corrupted" : "");
			else
				title(f, "frame %" PRId64 " dropped at %" PRIu64 " ns (%s)", e->e.a, e->e.t,
				      e->e.b ? "stream off" : "frame memory full");
			fputs("</rect>\n", f);
		} else if (strcmp(k, "fault") == 0) {
			const char *kind = e->e.b >= 0 && e->e.b < FAULT_KIND_COUNT ? fault_kind_name((enum fault_kind)e->e.b) : "?";

			if (!room(&d, R_FAULTS, x))
				continue;
			fprintf(f, "<path class=\"flt\" d=\"M%.1f %.1fl5 5l-5 5l-5 -5z\">", x, ytop(R_FAULTS) + 5);
			title(f, "fault %" PRId64 " (%s) acted at %" PRIu64 " ns", e->e.a, kind, e->e.t);
			fprintf(f, "</path><text class=\"why\" x=\"%.1f\" y=\"%.1f\">", x + 6, ytop(R_FAULTS) + 14);
			esc_n(f, kind, 32);
			fputs("</text>\n", f);
		}
	}

	/* failed expectations at their device time */
	for (unsigned i = 0, m = 0; i < r->n_results; i++) {
		const struct expect_result *x = &r->results[i];
		uint64_t t = x->at_ns;
		bool found = false;

		if (x->passed || x->skipped || !x->has_at)
			continue;
		m++;
		for (size_t j = first; j < first + n && !found; j++)
			if (ev[j].e.t == x->at_ns) {
				t = adjusted(&ev[j], a, na);
				found = true;
			}
		if (!found && (t < d.t0 || t > d.t1))
			continue;
		fprintf(f, "<g class=\"failat\"><line x1=\"%.1f\" y1=\"2\" x2=\"%.1f\" y2=\"%.1f\"/>", xof(&d, t), xof(&d, t),
			ytop(R_COUNT));
		fprintf(f, "<text x=\"%.1f\" y=\"12\">\xe2\x9c\x97 %u</text>", xof(&d, t) + 3, m);
		fputs("<title>", f);
		esc(f, x->text);
		fputs(": ", f);
		esc(f, x->reason);
		fputs("</title></g>\n", f);
	}
	fputs("</svg>\n<figcaption>", f);
	fmt_dur(buf, sizeof(buf), (double)(d.t1 - d.t0));
	fprintf(f, "Device time from %" PRIu64 " ns, %s shown; %zu events", d.t0, buf, n);
	{
		unsigned shown = 0, out = 0;

		for (size_t i = first; i < first + n; i++) {
			uint64_t t = adjusted(&ev[i], a, na);

			if (!outside(&d, t))
				continue;
			out++;
			if (shown < 4 && (strcmp(ev[i].e.kind, "acquisition") == 0 || strcmp(ev[i].e.kind, "power_up") == 0)) {
				fmt_dur(buf, sizeof(buf), t > d.t1 ? (double)(t - d.t1) : -(double)(d.t0 - t));
				fprintf(f, "%s %s %s", shown++ ? "," : "; outside the window:",
					strcmp(ev[i].e.kind, "power_up") == 0 ? "power-up"
					: ev[i].e.a ? "acquisition start" : "acquisition stop", buf);
				fputs(t > d.t1 ? " after it" : "", f);
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
	uint8_t *got = NULL, *exp = NULL, *rgb_got = NULL, *rgb_exp = NULL;
	size_t payload, pixels;
	char path[1024];
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
	pixels = (size_t)g.width * g.height;
	got = read_file(m->file, m->size, payload);
	exp = malloc(payload);
	rgb_got = malloc(pixels * 3);
	rgb_exp = malloc(pixels * 3);
	if (!got || !exp || !rgb_got || !rgb_exp) {
		snprintf(err, errlen, "cannot read the kept frame");
		goto out;
	}
	if (frame_expected(&g, &src, exp, payload) < 0 || frame_to_rgb(&g, got, payload, rgb_got) < 0 ||
	    frame_to_rgb(&g, exp, payload, rgb_exp) < 0) {
		snprintf(err, errlen, "cannot decode the frame");
		goto out;
	}
	snprintf(path, sizeof(path), "%s/scenario-%zu-received.png", dir, idx);
	if (png_write_rgb(path, rgb_got, g.width, g.height) < 0)
		goto png_fail;
	snprintf(path, sizeof(path), "%s/scenario-%zu-expected.png", dir, idx);
	if (png_write_rgb(path, rgb_exp, g.width, g.height) < 0)
		goto png_fail;
	/* the difference: equal pixels as a dim grey of the expected, differing ones red,
	 * brighter the larger the difference */
	for (size_t p = 0; p < pixels; p++) {
		uint8_t *o = &rgb_got[p * 3];
		const uint8_t *x = &rgb_exp[p * 3];
		int dmax = 0;

		for (int c = 0; c < 3; c++) {
			int dd = abs((int)o[c] - (int)x[c]);

			if (dd > dmax)
				dmax = dd;
		}
		if (dmax) {
			o[0] = (uint8_t)(128 + (dmax > 127 ? 127 : dmax));
			o[1] = 0;
			o[2] = 0;
		} else {
			uint8_t grey = (uint8_t)(((unsigned)x[0] + x[1] + x[2]) / 12);

			o[0] = o[1] = o[2] = grey;
		}
	}
	snprintf(path, sizeof(path), "%s/scenario-%zu-diff.png", dir, idx);
	if (png_write_rgb(path, rgb_got, g.width, g.height) < 0)
		goto png_fail;
	rc = 0;
	goto out;
png_fail:
	snprintf(err, errlen, "cannot write the PNG images");
out:
	free(got);
	free(exp);
	free(rgb_got);
	free(rgb_exp);
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
	url_name(f, base ? base + 1 : m->file);
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
	"figure{margin:.5em 0}figure.timing svg{max-width:100%;height:auto;border:1px solid #ddd}"
	".frames{display:flex;gap:8px;flex-wrap:wrap}.frames figure{flex:1;min-width:250px}"
	".frames img{width:100%;image-rendering:pixelated;border:1px solid #ccc}"
	"svg text{font:10px sans-serif}svg .lab{font:11px sans-serif;fill:#333}svg .tick{text-anchor:middle;fill:#444}"
	"svg .band0{fill:#fafafa}svg .band1{fill:#f0f0f0}svg .ax{stroke:#444}svg .grid{stroke:#ddd}"
	"svg .lvl{fill:none;stroke:#226;stroke-width:1.5}svg .mem{fill:#9bd;stroke:#369}"
	"svg .exp{fill:#f4b942}svg .ro{fill:#6a8fd8}svg .acc{fill:#2a2}svg .rej{stroke:#d22;stroke-width:2;fill:none}"
	"svg .why{fill:#a22;font-size:9px}svg .sent{fill:#27c}svg .sentbad{fill:#e80}svg .drop{fill:#d22}"
	"svg .flt{fill:#a0a}svg .pwr{stroke:#a0a;stroke-dasharray:4 2}svg .acq{stroke:#2a2;stroke-dasharray:2 3}"
	"svg .failat line{stroke:#e00;stroke-width:2;stroke-dasharray:5 3}svg .failat text{fill:#e00;font-weight:bold}";

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
		   "style-src 'unsafe-inline'\">\n<title>dfk-drivertest: %zu passed, %zu failed</title>\n<style>%s</style>"
		   "</head><body>\n<h1>dfk-drivertest report</h1>\n<p>Adapter <code>",
		passed, failed, css);
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
