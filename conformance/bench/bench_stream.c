/* SPDX-License-Identifier: MIT */
/* dfk-bench: stream throughput of a USB3 Vision camera (dfk-emu over USB/IP, or
 * a real camera through libusb), read the way dfk-conform and Aravis read it:
 * SIRM sized like Aravis, leader / 1 MiB payload pieces / trailer with several
 * bulk IN transfers in flight.
 *
 *   dfk-bench --device usbip://127.0.0.1:3240/1-1 [--format NAME|all] [--seconds S] [--depth N]
 *
 * For each format: full resolution (4096x2160 unless --width/--height), ExposureAuto Off,
 * ExposureTime 100 us, AcquisitionFrameRate at its GenICam maximum; then frames are read
 * for S seconds and one table row is printed. Figures only: nothing here asserts a speed.
 *
 * Rates are measured over a window that opens with the end of the first frame after a
 * warm-up (--warmup, 0.5 s of frames after the first one: start-up latency and any
 * backlog drained first are left out) and closes with the end of the last frame:
 * fps = (frames - 1) / t, MB/s = payload bytes of those frames / t / 10^6.
 * Incomplete frames and block-id gaps are counted over the whole run, warm-up included. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_stream.h"
#include "featfix.h"
#include "gencp.h"
#include "gcutil.h"
#include "session.h"
#include "stream.h"

/* ---- clocks ---- */

static double clock_s(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double now_s(void) { return clock_s(CLOCK_MONOTONIC); }
static double cpu_s(void) { return clock_s(CLOCK_PROCESS_CPUTIME_ID); }

/* ---- one format ---- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* One GenCP READMEM of 4 bytes (the ABRM's first register) while the stream's transfers
 * stay in flight: its round trip in us, or < 0 when it failed. */
static double probe_control(void)
{
	uint32_t v;
	double t0 = now_s();

	if (gencp_read_u32(&session->gc, 0, &v) != 0)
		return -1;
	return (now_s() - t0) * 1e6;
}

static void probe_summary(double *rtt, uint64_t n, struct bench_probe *p)
{
	if (!n)
		return;
	qsort(rtt, (size_t)n, sizeof(rtt[0]), cmp_double);
	p->p50_us = rtt[(size_t)((double)(n - 1) * 0.50)];
	p->p99_us = rtt[(size_t)((double)(n - 1) * 0.99)];
	p->max_us = rtt[n - 1];
}

static bool setup(const struct bench_opts *o, const char *format, double *fps_set, char *err, size_t errlen)
{
	ArvGcNode *rate;
	GError *e = NULL;

	if (!gc_stream_setup(format, o->width, o->height, 100.0, err, errlen))
		return false;
	gc_set_string("TriggerMode", "Off", NULL, 0);
	rate = arv_gc_get_node(session->genicam, "AcquisitionFrameRate");
	if (!rate || !ARV_IS_GC_FLOAT(rate)) {
		snprintf(err, errlen, "AcquisitionFrameRate is not a Float node");
		return false;
	}
	double max = arv_gc_float_get_max(ARV_GC_FLOAT(rate), &e);
	if (e) {
		snprintf(err, errlen, "AcquisitionFrameRate maximum: %s", e->message);
		g_clear_error(&e);
		return false;
	}
	if (o->fps > 0 && o->fps < max)
		max = o->fps;
	if (!gc_set_float("AcquisitionFrameRate", max, err, errlen))
		return false;
	*fps_set = max;
	gc_get_float("AcquisitionFrameRate", fps_set, NULL, 0);
	return true;
}

int bench_format(const struct bench_opts *o, const char *format, struct bench_result *r)
{
	struct stream_reader sr;
	struct stream_frame *f;
	uint64_t prev_id = 0, first_bytes = 0;
	double t_first = 0, t_last = 0, cpu_first = 0, cpu_last = 0;
	int64_t d_min = 0, d_max = 0;
	unsigned timeout_ms;
	double *rtt = NULL;
	int rc;

	memset(r, 0, sizeof(*r));
	if (o->control_probe && !(rtt = malloc(BENCH_PROBES_MAX * sizeof(*rtt)))) {
		snprintf(r->error, sizeof(r->error), "out of memory");
		return -ENOMEM;
	}
	snprintf(r->format, sizeof(r->format), "%s", format);
	r->width = o->width;
	r->height = o->height;
	if (!setup(o, format, &r->fps_set, r->error, sizeof(r->error))) {
		free(rtt);
		return -EINVAL;
	}
	/* a generous wait for one frame: three periods, at least 2 s (the first frame may need longer) */
	timeout_ms = r->fps_set > 0 ? (unsigned)(3000.0 / r->fps_set) : 2000;
	if (timeout_ms < 2000)
		timeout_ms = 2000;
	rc = stream_open(&sr, session->x, &session->gc, session->sirm, session->dev.u3v.ep_stream, o->depth);
	if (rc) {
		snprintf(r->error, sizeof(r->error), "stream setup failed (%d)", rc);
		free(rtt);
		return rc < 0 ? rc : -EPROTO;
	}
	r->payload = sr.cfg.payload;
	if (!gc_execute("AcquisitionStart", r->error, sizeof(r->error))) {
		stream_close(&sr);
		free(rtt);
		return -EIO;
	}
	double t_start = now_s(), t_warm = 0;
	uint64_t n_warm = 0;
	bool measuring = false;
	rc = 0;
	for (;;) {
		rc = stream_next(&sr, &f, n_warm || r->frames ? timeout_ms : timeout_ms + 3000);
		if (rc) {
			snprintf(r->error, sizeof(r->error), "after %llu frames: %s",
				 (unsigned long long)(r->frames + n_warm), rc == -ETIMEDOUT ? "timeout" : strerror(-rc));
			break;
		}
		double t = now_s();
		uint64_t id = f->leader.block_id;
		if (n_warm == 0 && !measuring) {
			r->startup_s = t - t_start;
			t_warm = t;
		}
		if (f->complete && (n_warm || r->frames) && id != prev_id + 1 && id > prev_id) {
			r->gaps++;
			r->lost += id - prev_id - 1;
		}
		if (f->complete)
			prev_id = id;
		if (!measuring && t - t_warm >= o->warmup) {
			/* this frame's end opens the window */
			measuring = true;
			t_first = t;
			cpu_first = cpu_s();
			first_bytes = sr.stats.bytes;
			if (o->marks) {
				printf("@stream-start %s\n", format);
				fflush(stdout);
			}
		}
		if (!measuring) {
			n_warm++;
			continue;
		}
		/* arrival against the device clock: its spread is how far delivery fell behind */
		int64_t d = (int64_t)(t * 1e9) - (int64_t)f->leader.timestamp;
		if (r->frames == 0 || d < d_min)
			d_min = d;
		if (r->frames == 0 || d > d_max)
			d_max = d;
		r->frames++;
		t_last = t;
		if (t - t_first >= o->seconds)
			break;
		if (rtt && r->control.n + r->control.failed < BENCH_PROBES_MAX) {
			double us = probe_control();
			if (us < 0)
				r->control.failed++;
			else
				rtt[r->control.n++] = us;
		}
	}
	cpu_last = cpu_s();
	if (o->marks && r->frames) {
		printf("@stream-end %s\n", format);
		fflush(stdout);
	}
	r->incomplete = sr.stats.incomplete;
	r->resyncs = sr.stats.resyncs;
	r->bytes = sr.stats.bytes - first_bytes;
	r->seconds = t_last - t_first;
	r->lag_ms = (double)(d_max - d_min) / 1e6;
	if (r->frames > 1 && r->seconds > 0) {
		r->fps = (double)(r->frames - 1) / r->seconds;
		r->mbps = (double)r->bytes / r->seconds / 1e6;
		r->client_cpu = (cpu_last - cpu_first) / r->seconds * 100.0;
	}
	probe_summary(rtt, r->control.n, &r->control);
	free(rtt);
	stream_close(&sr);
	gc_stop_acquisition();
	return rc;
}

/* ---- table ---- */

void bench_print_header(FILE *out)
{
	fprintf(out, "%-20s %-9s %8s %7s %8s %8s %9s %6s %6s %5s %6s %7s %7s\n", "format", "size", "fps_max",
		"frames", "fps", "MB/s", "payload", "incmpl", "gaps", "lost", "start", "cli_cpu", "lag_ms");
}

void bench_print_row(FILE *out, const struct bench_result *r)
{
	char size[24];

	snprintf(size, sizeof(size), "%ux%u", r->width, r->height);
	fprintf(out, "%-20s %-9s %8.3f %7llu %8.3f %8.1f %9llu %6llu %6llu %5llu %5.2fs %6.1f%% %7.1f", r->format,
		size, r->fps_set, (unsigned long long)r->frames, r->fps, r->mbps, (unsigned long long)r->payload,
		(unsigned long long)r->incomplete, (unsigned long long)r->gaps, (unsigned long long)r->lost,
		r->startup_s, r->client_cpu, r->lag_ms);
	if (r->error[0])
		fprintf(out, "  (%s)", r->error);
	fputc('\n', out);
}

void bench_print_probe(FILE *out, const struct bench_result *r)
{
	fprintf(out, "control: n=%llu failed=%llu p50_us=%.1f p99_us=%.1f max_us=%.1f\n",
		(unsigned long long)r->control.n, (unsigned long long)r->control.failed, r->control.p50_us,
		r->control.p99_us, r->control.max_us);
}

/* ---- main ---- */

static void usage(FILE *out)
{
	fprintf(out,
		"usage: dfk-bench --device URL [options]\n"
		"  --device URL      usbip://HOST:PORT/BUSID or usb://VID:PID[/SERIAL], as for dfk-conform\n"
		"  --format NAME     pixel format, or `all` for every format the device's PixelFormat offers\n"
		"                    (default: the device's PixelFormat as it is)\n"
		"  --seconds S       measured window per format (default 3)\n"
		"  --warmup S        frames read before the window opens, after the first (default 0.5)\n"
		"  --depth N         bulk IN transfers (1 MiB each) in flight (default 8)\n"
		"  --width W, --height H   region (default the full sensor, 4096x2160)\n"
		"  --marks           print `@stream-start FORMAT` / `@stream-end FORMAT` lines (flushed)\n"
		"                    when the measured window opens and closes, for a supervisor that\n"
		"                    samples the device's CPU time\n"
		"  --fps F           AcquisitionFrameRate (default its maximum; a larger F is its maximum)\n"
		"  --control-probe   after each frame of the window, one GenCP READMEM of 4 bytes while the\n"
		"                    stream's transfers stay in flight; a `control:` line after the row gives\n"
		"                    the round trips' count, failures, p50, p99 and maximum in us\n"
		"  --no-header       rows only\n"
		"Columns: fps_max = AcquisitionFrameRate set (its GenICam maximum); frames, fps and MB/s\n"
		"(10^6 B/s, payload only) over the window; incmpl = incomplete frames; gaps = block-id\n"
		"jumps, lost = block ids skipped (whole run); start = AcquisitionStart to first frame;\n"
		"cli_cpu = this program's CPU time over the window, %% of one core; lag_ms = spread of\n"
		"(arrival - leader timestamp) over the window: how far delivery fell behind the device\n"
		"clock at worst (at --time-scale 1; meaningless at 0, where device time is not wall time).\n"
		"Exit status: 0, 1 a format failed, 2 usage, 77 no such device.\n");
}

int main(int argc, char **argv)
{
	enum { OPT_DEVICE = 256, OPT_FORMAT, OPT_SECONDS, OPT_WARMUP, OPT_DEPTH, OPT_WIDTH, OPT_HEIGHT, OPT_MARKS, OPT_NOHDR,
	       OPT_FPS, OPT_PROBE };
	static const struct option longopts[] = {
		{ "device", required_argument, NULL, OPT_DEVICE },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "seconds", required_argument, NULL, OPT_SECONDS },
		{ "warmup", required_argument, NULL, OPT_WARMUP },
		{ "depth", required_argument, NULL, OPT_DEPTH },
		{ "width", required_argument, NULL, OPT_WIDTH },
		{ "height", required_argument, NULL, OPT_HEIGHT },
		{ "marks", no_argument, NULL, OPT_MARKS },
		{ "no-header", no_argument, NULL, OPT_NOHDR },
		{ "fps", required_argument, NULL, OPT_FPS },
		{ "control-probe", no_argument, NULL, OPT_PROBE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct bench_opts o = { .seconds = 3.0, .warmup = 0.5, .depth = 8, .width = 4096, .height = 2160 };
	const char *format = NULL;
	bool header = true;
	int c, failed = 0;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		char *end = NULL;
		switch (c) {
		case OPT_DEVICE: session->url = optarg; break;
		case OPT_FORMAT: format = optarg; break;
		case OPT_SECONDS:
			o.seconds = strtod(optarg, &end);
			if (*end || !(o.seconds > 0)) {
				fprintf(stderr, "dfk-bench: bad --seconds '%s'\n", optarg);
				return 2;
			}
			break;
		case OPT_WARMUP:
			o.warmup = strtod(optarg, &end);
			if (*end || !(o.warmup >= 0)) {
				fprintf(stderr, "dfk-bench: bad --warmup '%s'\n", optarg);
				return 2;
			}
			break;
		case OPT_DEPTH: {
			unsigned long v = strtoul(optarg, &end, 0);
			if (*end || v < 1 || v > 64) {
				fprintf(stderr, "dfk-bench: --depth must be 1..64\n");
				return 2;
			}
			o.depth = (unsigned)v;
			break;
		}
		case OPT_WIDTH: o.width = (uint32_t)strtoul(optarg, NULL, 0); break;
		case OPT_HEIGHT: o.height = (uint32_t)strtoul(optarg, NULL, 0); break;
		case OPT_MARKS: o.marks = true; break;
		case OPT_NOHDR: header = false; break;
		case OPT_FPS:
			o.fps = strtod(optarg, &end);
			if (*end || !(o.fps > 0)) {
				fprintf(stderr, "dfk-bench: bad --fps '%s'\n", optarg);
				return 2;
			}
			break;
		case OPT_PROBE: o.control_probe = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!session->url || optind < argc) {
		usage(stderr);
		return 2;
	}
	int rc = conform_open();
	if (rc == 0 && !session->arv) {
		snprintf(session->open_error, sizeof(session->open_error), "GenICam XML: %.200s", session->xml_error);
		rc = -EPROTO;
	}
	if (rc < 0) {
		if (rc == -ENODEV) {
			printf("dfk-bench: SKIPPED: %s\n", session->open_error);
			return 77;
		}
		fprintf(stderr, "dfk-bench: cannot open %s: %s\n", session->url, session->open_error);
		conform_close();
		return 1;
	}
	if (header) {
		printf("dfk-bench: %s: %s %s, serial %s; %u x 1 MiB transfers in flight, %.1f s per format\n", session->url,
		       session->dev.manufacturer, session->dev.product, session->dev.serial, o.depth, o.seconds);
		bench_print_header(stdout);
	}
	fflush(stdout);
	/* the formats to run: the device's own list, or the one named (or in effect) */
	char current[64] = "";
	const char *one[1] = { format };
	guint n = 1;
	const char **formats = one;
	if (format && strcmp(format, "all") == 0) {
		formats = ff_available_entries("PixelFormat", &n);
		if (!formats || n == 0) {
			fprintf(stderr, "dfk-bench: the device lists no PixelFormat entries\n");
			conform_close();
			return 1;
		}
	} else if (!format) {
		char err[256];
		if (!gc_get_string("PixelFormat", current, sizeof(current), err, sizeof(err))) {
			fprintf(stderr, "dfk-bench: PixelFormat: %s\n", err);
			conform_close();
			return 1;
		}
		one[0] = current;
	}
	for (guint i = 0; i < n; i++) {
		struct bench_result r;
		if (bench_format(&o, formats[i], &r) != 0)
			failed++;
		bench_print_row(stdout, &r);
		if (o.control_probe)
			bench_print_probe(stdout, &r);
		fflush(stdout);
	}
	if (formats != one)
		g_free(formats);
	conform_close();
	return failed ? 1 : 0;
}
