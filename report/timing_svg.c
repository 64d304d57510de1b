/* SPDX-License-Identifier: MIT */
#include "timing_svg.h"

#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

#include "camera/eventlog.h"
#include "html_out.h"

#define SVG_W 1100
#define LABEL_W 120
#define PLOT_W (SVG_W - LABEL_W - 20)
#define ROW_H 30
#define AXIS_H 34
/* an exposure or readout end is looked for this many events after its start, no further */
#define PAIR_SPAN 2000

enum row { R_TRIGGER_IN, R_TRIGGERS, R_EXPOSURE, R_READOUT, R_STROBE, R_FRAMES, R_FAULTS, R_MEMORY, R_COUNT };

static const char *const row_names[R_COUNT] = {
	"TRIGGER_IN", "triggers", "exposure", "readout", "STROBE_OUT", "frames", "faults", "frame memory",
};

/* the event log's numeric rejection reasons (docs/io-protocol.md), where it gives no text */
static const char *const reject_names[] = { "?", "trigger_mode_off", "not_acquiring", "source", "denoise",
					    "debounce", "mask", "overlap", "burst" };

const char tsvg_css[] =
	"figure.timing svg{max-width:100%;height:auto;border:1px solid #ddd}"
	"svg text{font:10px sans-serif}svg .lab{font:11px sans-serif;fill:#333}svg .tick{text-anchor:middle;fill:#444}"
	"svg .band0{fill:#fafafa}svg .band1{fill:#f0f0f0}svg .ax{stroke:#444}svg .grid{stroke:#ddd}"
	"svg .lvl{fill:none;stroke:#226;stroke-width:1.5}svg .mem{fill:#9bd;stroke:#369}"
	"svg .exp{fill:#f4b942}svg .ro{fill:#6a8fd8}svg .acc{fill:#2a2}svg .rej{stroke:#d22;stroke-width:2;fill:none}"
	"svg .why{fill:#a22;font-size:9px}svg .sent{fill:#27c}svg .sentbad{fill:#e80}svg .drop{fill:#d22}"
	"svg .flt{fill:#a0a}svg .pwr{stroke:#a0a;stroke-dasharray:4 2}svg .acq{stroke:#2a2;stroke-dasharray:2 3}"
	"svg .expect line{stroke:#090;stroke-width:1.5;stroke-dasharray:2 2}svg .expect text{fill:#070}"
	"svg .failat line{stroke:#e00;stroke-width:2;stroke-dasharray:5 3}svg .failat text{fill:#e00;font-weight:bold}";

struct tl {
	FILE *f;
	uint64_t t0, t1;
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

static double ytop(int r) { return 8 + (double)r * ROW_H; }

static void axis(struct tl *d, double y)
{
	double span = (double)(d->t1 - d->t0), step, mag = 1;
	char lab[48];

	if (span <= 0)
		span = 1;
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

		html_fmt_dur(lab, sizeof(lab), v);
		fprintf(d->f,
			"<line class=\"grid\" x1=\"%.1f\" y1=\"4\" x2=\"%.1f\" y2=\"%.1f\"/>"
			"<text class=\"tick\" x=\"%.1f\" y=\"%.1f\">%s</text>\n",
			x, x, y + 4, x, y + 16, lab);
	}
}

/* A marker on a row, skipped when the last one of that row is in the same pixel. */
static bool room(struct tl *d, enum row r, double x)
{
	if (x - d->last_x[r] < 0.75 && d->last_x[r] >= 0)
		return false;
	d->last_x[r] = x;
	return true;
}

static bool is(const struct tsvg_event *e, const char *kind) { return strcmp(e->e->kind, kind) == 0; }

/* From the first to the last event that shows activity (not a power-up, an acquisition
 * start or stop, a frame memory level) or mark, with a margin; no earlier than the first event. */
static void window(struct tl *d, const struct tsvg_event *ev, size_t n, const struct tsvg_mark *m, size_t nm)
{
	uint64_t lo = UINT64_MAX, hi = 0, all_lo = UINT64_MAX, last_end = 0, margin;

	for (size_t i = 0; i < n + nm; i++) {
		uint64_t t = i < n ? ev[i].t : m[i - n].t;
		bool activity = i >= n || (!is(&ev[i], "power_up") && !is(&ev[i], "acquisition") &&
					   !is(&ev[i], "frame_memory"));

		all_lo = t < all_lo ? t : all_lo;
		last_end = t > last_end ? t : last_end;
		if (activity) {
			lo = t < lo ? t : lo;
			hi = t > hi ? t : hi;
		}
	}
	if (all_lo == UINT64_MAX) {   /* nothing to draw: an empty axis */
		d->t0 = 0;
		d->t1 = 1000;
		return;
	}
	if (lo > hi) {
		lo = all_lo;
		hi = last_end;
	}
	margin = (hi - lo) / 20 + 1000;
	d->t0 = lo > all_lo + margin ? lo - margin : all_lo;
	d->t1 = hi + margin;
	if (d->t1 > last_end + margin)
		d->t1 = last_end + margin;
}

/* Vertical lines: power cycles and acquisition start/stop. */
static void draw_lines(struct tl *d, const struct tsvg_event *ev, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct io_event *e = ev[i].e;
		double x = xof(d, ev[i].t);

		if (outside(d, ev[i].t))
			continue;
		if (is(&ev[i], "power_up")) {
			fprintf(d->f, "<line class=\"pwr\" x1=\"%.1f\" y1=\"4\" x2=\"%.1f\" y2=\"%.1f\">", x, x, ytop(R_COUNT));
			html_svg_title(d->f, "power-up %" PRId64 " at %" PRIu64 " ns", e->a, e->t);
			fputs("</line>\n", d->f);
		} else if (is(&ev[i], "acquisition")) {
			fprintf(d->f, "<line class=\"acq\" x1=\"%.1f\" y1=\"4\" x2=\"%.1f\" y2=\"%.1f\">", x, x, ytop(R_COUNT));
			html_svg_title(d->f, "acquisition %s at %" PRIu64 " ns", e->a ? "started" : "stopped", e->t);
			fputs("</line>\n", d->f);
		}
	}
}

/* Step lines: TRIGGER_IN, STROBE_OUT; the frame memory as an area. */
static void draw_levels(struct tl *d, const struct tsvg_event *ev, size_t n)
{
	uint64_t mem_max = 1;
	char buf[64];

	for (size_t i = 0; i < n; i++)
		if (is(&ev[i], "frame_memory") && ev[i].e->a > 0 && (uint64_t)ev[i].e->a > mem_max)
			mem_max = (uint64_t)ev[i].e->a;
	for (int which = 0; which < 3; which++) {
		const char *kind = which == 0 ? "trigger_in" : which == 1 ? "strobe_out" : "frame_memory";
		enum row row = which == 0 ? R_TRIGGER_IN : which == 1 ? R_STROBE : R_MEMORY;
		double lo = ytop(row) + ROW_H - 5, hi = ytop(row) + 5;
		size_t points = 0;

		fprintf(d->f, "<path class=\"%s\" d=\"M%d %.1f", which == 2 ? "mem" : "lvl", LABEL_W, lo);
		for (size_t i = 0; i < n; i++) {
			const struct io_event *e = ev[i].e;
			double ny;

			if (!is(&ev[i], kind))
				continue;
			if (which == 2)
				ny = lo - (lo - hi) * ((double)(e->a < 0 ? 0 : (uint64_t)e->a) / (double)mem_max);
			else
				ny = e->a != 0 ? hi : lo;
			fprintf(d->f, "H%.1fV%.1f", xof(d, ev[i].t), ny);
			points++;
		}
		fprintf(d->f, "H%d", LABEL_W + PLOT_W);
		if (which == 2)
			fprintf(d->f, "V%.1fZ", lo);
		fputs("\"/>\n", d->f);
		if (which == 2 && points) {
			snprintf(buf, sizeof(buf), "max %.1f MiB", (double)mem_max / 1048576.0);
			fprintf(d->f, "<text class=\"note\" x=\"%d\" y=\"%.1f\">%s</text>\n", LABEL_W + PLOT_W - 110, hi + 6,
				buf);
		}
	}
}

/* Bars: exposure and readout, per block id. */
static void draw_bars(struct tl *d, const struct tsvg_event *ev, size_t n)
{
	for (int which = 0; which < 2; which++) {
		const char *start = which ? "readout_start" : "exposure_start";
		const char *end = which ? "readout_end" : "exposure_end";
		enum row row = which ? R_READOUT : R_EXPOSURE;

		for (size_t i = 0; i < n; i++) {
			const struct io_event *e = ev[i].e;
			uint64_t t_end;
			double x0, x1;
			size_t j;

			if (!is(&ev[i], start))
				continue;
			for (j = i + 1; j < n && j - i < PAIR_SPAN; j++)
				if (is(&ev[j], end) && ev[j].e->a == e->a && ev[j].t >= ev[i].t)
					break;
			if (j - i >= PAIR_SPAN)
				j = n;
			t_end = j < n ? ev[j].t : d->t1;
			if (ev[i].t > d->t1 || t_end < d->t0)
				continue;
			x0 = xof(d, ev[i].t);
			x1 = xof(d, t_end);
			if (!room(d, row, x0))
				continue;
			fprintf(d->f, "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%d\">",
				which ? "ro" : "exp", x0, ytop(row) + 6, x1 - x0 < 1 ? 1 : x1 - x0, ROW_H - 12);
			if (j < n)
				html_svg_title(d->f, "%s block %" PRId64 ": %" PRIu64 " .. %" PRIu64 " ns",
					       which ? "readout" : "exposure", e->a, e->t, ev[j].e->t);
			else
				html_svg_title(d->f, "%s block %" PRId64 ": from %" PRIu64 " ns (no end logged)",
					       which ? "readout" : "exposure", e->a, e->t);
			fputs("</rect>\n", d->f);
		}
	}
}

static void draw_trigger(struct tl *d, const struct tsvg_event *te, double x)
{
	const struct io_event *e = te->e;

	if (is(te, "trigger_accepted")) {
		if (!room(d, R_TRIGGERS, x))
			return;
		fprintf(d->f, "<path class=\"acc\" d=\"M%.1f %.1fl-4 8h8z\">", x, ytop(R_TRIGGERS) + 6);
		html_svg_title(d->f, "trigger accepted at %" PRIu64 " ns (source %" PRId64 "), exposure from %" PRId64 " ns",
			       e->t, e->a, e->b);
		fputs("</path>\n", d->f);
		return;
	}
	double y = ytop(R_TRIGGERS) + ROW_H - 8;
	const char *why = e->reason[0] ? e->reason
		: e->b > 0 && e->b < (int64_t)(sizeof(reject_names) / sizeof(reject_names[0])) ? reject_names[e->b] : "?";

	if (!room(d, R_TRIGGERS, x))
		return;
	fprintf(d->f, "<path class=\"rej\" d=\"M%.1f %.1fl6 6m0 -6l-6 6\">", x - 3, y - 6);
	html_svg_title(d->f, "trigger rejected at %" PRIu64 " ns: %.24s", e->t, why);
	fputs("</path>\n", d->f);
	/* the reason as text: when it changes, else every 250 px */
	if (x - d->last_label_x >= 250 || (x - d->last_label_x >= 60 && strcmp(why, d->last_label) != 0)) {
		d->last_label_x = x;
		snprintf(d->last_label, sizeof(d->last_label), "%s", why);
		fprintf(d->f, "<text class=\"why\" x=\"%.1f\" y=\"%.1f\">", x + 4, y);
		html_esc_n(d->f, why, 24);
		fputs("</text>\n", d->f);
	}
}

static void draw_frame(struct tl *d, const struct tsvg_event *te, double x)
{
	const struct io_event *e = te->e;
	bool sent = is(te, "frame_sent");
	bool faulted = sent && e->b != 0;

	if (!room(d, R_FRAMES, x))
		return;
	fprintf(d->f, "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"2\" height=\"12\">",
		!sent ? "drop" : faulted ? "sentbad" : "sent", x - 1, ytop(R_FRAMES) + (sent ? 4 : 14));
	if (sent)
		html_svg_title(d->f, "frame %" PRId64 " sent at %" PRIu64 " ns%s (trailer status 0x%04" PRIx64 "%s%s)", e->a,
			       e->t, faulted ? ", faulted" : "", (uint64_t)e->b & 0xffff,
			       (e->b & EV_SENT_SHORT) ? ", cut short" : "", (e->b & EV_SENT_CORRUPT) ? ", corrupted" : "");
	else
		html_svg_title(d->f, "frame %" PRId64 " dropped at %" PRIu64 " ns (%s)", e->a, e->t,
			       e->b ? "stream off" : "frame memory full");
	fputs("</rect>\n", d->f);
}

static void draw_fault(struct tl *d, const struct tsvg_event *te, double x, const struct tsvg_opts *o)
{
	const struct io_event *e = te->e;
	const char *kind = o && o->fault_name ? o->fault_name(e->b) : NULL;
	char num[24];

	if (!kind) {
		snprintf(num, sizeof(num), "kind %" PRId64, e->b);
		kind = num;
	}
	if (!room(d, R_FAULTS, x))
		return;
	fprintf(d->f, "<path class=\"flt\" d=\"M%.1f %.1fl5 5l-5 5l-5 -5z\">", x, ytop(R_FAULTS) + 5);
	html_svg_title(d->f, "fault %" PRId64 " (%.32s) acted at %" PRIu64 " ns", e->a, kind, e->t);
	fprintf(d->f, "</path><text class=\"why\" x=\"%.1f\" y=\"%.1f\">", x + 6, ytop(R_FAULTS) + 14);
	html_esc_n(d->f, kind, 32);
	fputs("</text>\n", d->f);
}

/* Expected edges (dashed green, label at the bottom) and failed assertions (red, label at the top). */
static void draw_marks(struct tl *d, const struct tsvg_mark *m, size_t nm)
{
	for (size_t i = 0; i < nm; i++) {
		double x = xof(d, m[i].t);
		bool failed = m[i].kind == TSVG_FAILED;

		if (outside(d, m[i].t))
			continue;
		fprintf(d->f, "<g class=\"%s\"><line x1=\"%.1f\" y1=\"2\" x2=\"%.1f\" y2=\"%.1f\"/>",
			failed ? "failat" : "expect", x, x, ytop(R_COUNT));
		fprintf(d->f, "<text x=\"%.1f\" y=\"%.1f\">%s", x + 3, failed ? 12.0 : ytop(R_COUNT) - 3,
			failed ? "\xe2\x9c\x97 " : "");
		html_esc_n(d->f, m[i].label, 32);
		fputs("</text><title>", d->f);
		html_esc(d->f, m[i].detail);
		fprintf(d->f, " (device time %" PRIu64 " ns)</title></g>\n", m[i].t);
	}
}

struct tsvg_window tsvg_write(FILE *f, const struct tsvg_event *ev, size_t n, const struct tsvg_mark *marks,
			      size_t n_marks, const struct tsvg_opts *o)
{
	struct tl d = { .f = f, .last_label_x = -1000 };
	double h = 8 + R_COUNT * ROW_H + AXIS_H;

	window(&d, ev, n, marks, n_marks);
	for (int k = 0; k < R_COUNT; k++)
		d.last_x[k] = -1;
	fprintf(f, "<figure class=\"timing\"><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%.0f\" "
		   "viewBox=\"0 0 %d %.0f\" role=\"img\">\n", SVG_W, h, SVG_W, h);
	for (int k = 0; k < R_COUNT; k++) {
		fprintf(f, "<rect class=\"%s\" x=\"0\" y=\"%.1f\" width=\"%d\" height=\"%d\"/>", k % 2 ? "band1" : "band0",
			ytop(k), SVG_W, ROW_H);
		fprintf(f, "<text class=\"lab\" x=\"4\" y=\"%.1f\">%s</text>\n", ytop(k) + ROW_H / 2 + 4, row_names[k]);
	}
	axis(&d, 8 + R_COUNT * ROW_H + 4);
	draw_lines(&d, ev, n);
	draw_levels(&d, ev, n);
	draw_bars(&d, ev, n);
	for (size_t i = 0; i < n; i++) {
		double x = xof(&d, ev[i].t);

		if (outside(&d, ev[i].t))
			continue;
		if (is(&ev[i], "trigger_accepted") || is(&ev[i], "trigger_rejected"))
			draw_trigger(&d, &ev[i], x);
		else if (is(&ev[i], "frame_sent") || is(&ev[i], "frame_dropped"))
			draw_frame(&d, &ev[i], x);
		else if (is(&ev[i], "fault"))
			draw_fault(&d, &ev[i], x, o);
	}
	draw_marks(&d, marks, n_marks);
	fputs("</svg>\n", f);
	return (struct tsvg_window){ d.t0, d.t1 };
}
