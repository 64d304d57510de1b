/* SPDX-License-Identifier: MIT */
/* stream suite: the USB3 Vision streaming channel (U3V 1.0 ch. 5.6) in every
 * pixel format of manual 5.1.1 (the fixtures' pixelformats.tsv of the model
 * under test: one test per format): leader and trailer fields, block ids,
 * timestamps, payload size and (with --expect-pattern) the pixels themselves;
 * regions, offsets, flips and readout modes (5.1.2 - 5.1.6); acquisition modes,
 * start/stop, a reader that falls behind, and a halted stream pipe. Tests that
 * need "a" format take it by its size: the narrowest, the widest, a packed one. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "conform.h"
#include "fmtfix.h"
#include "framecheck.h"
#include "png_out.h"
#include "stream.h"

#define FRAMES 6

/* The model's formats, loaded when the suite is registered. */
static struct fmtfix formats;
static char formats_error[256];

static void ms_sleep(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* The drivers' stream set-up with a 1 ms exposure, then the frame rate; failure messages go to `err`. */
static bool setup(const char *format, int64_t w, int64_t h, char *err, size_t errlen)
{
	ArvGcNode *rate;
	GError *e = NULL;

	if (!gc_stream_setup(format, w, h, 1000.0, err, errlen))
		return false;
	/* 25 fps, or a little under the maximum where that is lower */
	rate = arv_gc_get_node(session->genicam, "AcquisitionFrameRate");
	double max = rate && ARV_IS_GC_FLOAT(rate) ? arv_gc_float_get_max(ARV_GC_FLOAT(rate), &e) : 25.0;
	g_clear_error(&e);
	return gc_set_float("AcquisitionFrameRate", max < 25.0 ? floor(max * 10) / 10 - 0.1 : 25.0, err, errlen);
}

/* One axis of the sensor as the device reports it: Sensor<Axis>, or <Axis>Max times the
 * readout mode's factors (an absent factor is 1); 0 when it reports neither. */
static uint32_t sensor_axis(const char *sensor, const char *max, const char *decimation, const char *binning)
{
	gint64 v = 0, d = 1, b = 1, f;

	if (gc_get_int(sensor, &v, NULL, 0))
		return (uint32_t)v;
	if (!gc_get_int(max, &v, NULL, 0))
		return 0;
	if (gc_get_int(decimation, &f, NULL, 0))
		d = f;
	if (gc_get_int(binning, &f, NULL, 0))
		b = f;
	return (uint32_t)(v * d * b);
}

static void sensor_size(uint32_t *w, uint32_t *h)
{
	*w = sensor_axis("SensorWidth", "WidthMax", "DecimationHorizontal", "BinningHorizontal");
	*h = sensor_axis("SensorHeight", "HeightMax", "DecimationVertical", "BinningVertical");
}

static bool read_geometry(struct frame_geometry *g)
{
	gint64 v;
	bool ok = true;

	memset(g, 0, sizeof(*g));
	sensor_size(&g->sensor.width, &g->sensor.height);
	g->sensor.mono = fmtfix_mono_sensor(&formats);
#define GET(name, field, dflt)                                \
	do {                                                  \
		if (gc_get_int(name, &v, NULL, 0))            \
			g->field = (uint32_t)v;               \
		else {                                        \
			g->field = dflt;                      \
			ok = ok && dflt != 0;                 \
		}                                             \
	} while (0)
	GET("Width", width, 0);
	GET("Height", height, 0);
	GET("OffsetX", offset_x, 0);
	GET("OffsetY", offset_y, 0);
	GET("DecimationHorizontal", decimation_h, 1);
	GET("DecimationVertical", decimation_v, 1);
	GET("BinningHorizontal", binning_h, 1);
	GET("BinningVertical", binning_v, 1);
	GET("PixelFormat", pfnc, 0);
#undef GET
	g->reverse_x = gc_get_int("ReverseX", &v, NULL, 0) && v;
	g->reverse_y = gc_get_int("ReverseY", &v, NULL, 0) && v;
	return ok;
}

static void save_png(const struct frame_geometry *g, const struct stream_frame *f, const char *tag)
{
	char path[1024];
	uint8_t *rgb;

	if (!session->save_frames_dir || !f->complete)
		return;
	mkdir(session->save_frames_dir, 0755);
	rgb = malloc((size_t)g->width * g->height * 3);
	if (!rgb)
		return;
	snprintf(path, sizeof(path), "%s/%s-%s-%ux%u-block%llu.png", session->save_frames_dir, tag,
		 frame_pfnc_name(g->pfnc) ? frame_pfnc_name(g->pfnc) : "unknown", g->width, g->height,
		 (unsigned long long)f->leader.block_id);
	if (frame_to_rgb(g, f->payload, f->received, rgb) == 0)
		png_write_rgb(path, rgb, g->width, g->height);
	free(rgb);
}

/* For the HTML report: a frame that is not the test pattern (--expect-pattern), as received. */
static void keep_frame(const struct frame_geometry *g, const struct stream_frame *f, const char *why)
{
	struct frame_source src = { .seed = session->pattern_seed, .block_id = f->leader.block_id };

	if (session->pattern && testrec_enabled())
		testrec_frame(g, &src, f->payload, f->received, why);
}

struct run_result {
	unsigned frames, complete, pixel_errors, field_errors, ts_errors, id_gaps, size_errors, lsb_errors;
	char first[512];
};

/* Bytes per pixel as manual 5.1.1.1 - 5.1.1.7 state them (num / den), by PFNC
 * name: written from the manual's sentences, not from the PFNC codes, so a
 * device whose PayloadSize follows a wrong bits-per-pixel is caught. */
static const struct manual_size {
	const char *format;
	unsigned num, den;
} manual_sizes[] = {
	{ "BayerRG8", 1, 1 },            /* "one byte for each pixel" */
	{ "BayerRG12p", 3, 2 },          /* "3 bytes for each pair of 2 consecutive pixels" */
	{ "BayerRG16", 2, 1 },           /* "2 bytes for each pixel" */
	{ "YCbCr422_8", 2, 1 },          /* "averages to 2 bytes per pixel" */
	{ "YCbCr411_8", 3, 2 },          /* a luminance byte per pixel, a Cb/Cr pair per four pixels */
	{ "YCbCr411_8_CbYYCrYY", 3, 2 }, /* "only differ in their byte order" */
	{ "BGR8", 3, 1 },                /* "uses 3 bytes to store 1 pixel" */
	{ "Mono8", 1, 1 },               /* luminance only, 8 bits per pixel (5.1.1 table) */
	/* the DMK's, from the PFNC (no manual of its own): */
	{ "Mono12p", 3, 2 },             /* two 12-bit pixels in 3 bytes */
	{ "Mono16", 2, 1 },              /* one 16-bit word per pixel */
};

/* Width * Height * bytes per pixel of the manual, or 0 for a format it does not list. */
static uint64_t manual_payload(const struct frame_geometry *g)
{
	const char *name = frame_pfnc_name(g->pfnc);

	for (size_t i = 0; name && i < sizeof(manual_sizes) / sizeof(manual_sizes[0]); i++)
		if (strcmp(manual_sizes[i].format, name) == 0)
			return (uint64_t)g->width * g->height * manual_sizes[i].num / manual_sizes[i].den;
	return 0;
}

/* Manual 5.1.1.3: "The pixel data is transmitted in the most significant bits." With the
 * 12-bit sensor of the Quick Facts the low 4 bits of every little-endian 16-bit sample are 0
 * (BayerRG16; Mono16 of the DMK, the same sensor, likewise). */
static bool msb_aligned_16(const uint8_t *p, size_t len)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		if (p[i] & 0x0F)
			return false;
	return true;
}

static void note(struct run_result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(struct run_result *r, const char *fmt, ...)
{
	va_list ap;

	if (r->first[0])
		return;
	va_start(ap, fmt);
	vsnprintf(r->first, sizeof(r->first), fmt, ap);
	va_end(ap);
}

/* Starts acquisition, reads n frames, checks each against the features. */
static int stream_frames(unsigned n, bool expect_consecutive, const char *tag, struct run_result *r)
{
	struct stream_reader sr;
	struct frame_geometry g;
	gint64 payload = 0;
	double fps = 0;
	uint64_t prev_id = 0, prev_ts = 0;
	char err[256] = "";
	int rc;

	memset(r, 0, sizeof(*r));
	read_geometry(&g);
	gc_get_int("PayloadSize", &payload, NULL, 0);
	/* 5.1.2: the region's size times the format's bytes per pixel is what crosses the link */
	uint64_t want_payload = manual_payload(&g);
	if (want_payload == 0 || (uint64_t)payload != want_payload) {
		r->size_errors++;
		note(r, "PayloadSize %lld for %s %ux%u; manual 5.1.1: %llu bytes", (long long)payload,
		     frame_pfnc_name(g.pfnc) ? frame_pfnc_name(g.pfnc) : "an unknown format", g.width, g.height,
		     (unsigned long long)want_payload);
	}
	gc_get_float("AcquisitionFrameRate", &fps, NULL, 0);
	uint64_t period = fps > 0 ? (uint64_t)llround(1e9 / fps) : 0;
	rc = stream_open(&sr, session->x, &session->gc, session->sirm, session->dev.u3v.ep_stream, 8);
	if (rc) {
		note(r, "stream setup: %d", rc);
		return rc;
	}
	if (!gc_execute("AcquisitionStart", err, sizeof(err))) {
		note(r, "%s", err);
		stream_close(&sr);
		return -EIO;
	}
	for (unsigned i = 0; i < n; i++) {
		struct stream_frame *f;
		rc = stream_next(&sr, &f, 5000);
		if (rc) {
			note(r, "frame %u: %s", i, rc == -ETIMEDOUT ? "timeout" : strerror(-rc));
			break;
		}
		r->frames++;
		if (!f->complete) {
			note(r, "frame %u incomplete: %s (%zu of %llu bytes)", i, f->error, f->received,
			     (unsigned long long)sr.cfg.payload);
			keep_frame(&g, f, "incomplete frame");
			continue;
		}
		r->complete++;
		const struct u3v_leader_info *l = &f->leader;
		const struct u3v_trailer_info *t = &f->trailer;
		if (l->size != 52 || l->payload_type != 1 || l->pixel_format != g.pfnc || l->size_x != g.width ||
		    l->size_y != g.height || l->offset_x != g.offset_x || l->offset_y != g.offset_y || l->padding_x != 0) {
			r->field_errors++;
			note(r, "leader of block %llu: size %u type %u format 0x%08x %ux%u+%u+%u pad %u vs 0x%08x %ux%u+%u+%u",
			     (unsigned long long)l->block_id, l->size, l->payload_type, l->pixel_format, l->size_x,
			     l->size_y, l->offset_x, l->offset_y, l->padding_x, g.pfnc, g.width, g.height, g.offset_x,
			     g.offset_y);
		}
		if (t->block_id != l->block_id || t->status != 0 || t->valid_payload != (uint64_t)payload ||
		    t->size_y != g.height) {
			r->field_errors++;
			note(r, "trailer of block %llu: id %llu status 0x%04x valid %llu size_y %u (PayloadSize %lld)",
			     (unsigned long long)l->block_id, (unsigned long long)t->block_id, t->status,
			     (unsigned long long)t->valid_payload, t->size_y, (long long)payload);
		}
		if (f->received != (size_t)payload) {
			r->field_errors++;
			note(r, "payload of %zu bytes, PayloadSize %lld", f->received, (long long)payload);
		}
		if (i > 0) {
			if (l->block_id != prev_id + 1) {
				r->id_gaps++;
				if (expect_consecutive)
					note(r, "block id %llu after %llu", (unsigned long long)l->block_id,
					     (unsigned long long)prev_id);
			}
			uint64_t dt = l->timestamp - prev_ts, want = period * (l->block_id - prev_id);
			bool ok = session->pattern ? dt == want : llabs((long long)dt - (long long)want) <= (long long)want / 100;
			if (!ok) {
				r->ts_errors++;
				note(r, "timestamp delta %llu ns over %llu blocks, expected %llu", (unsigned long long)dt,
				     (unsigned long long)(l->block_id - prev_id), (unsigned long long)want);
			}
		}
		prev_id = l->block_id;
		prev_ts = l->timestamp;
		if ((g.pfnc == PFNC_BAYER_RG16 || g.pfnc == PFNC_MONO16) && !msb_aligned_16(f->payload, f->received)) {
			r->lsb_errors++;
			note(r, "block %llu: %s samples with low 4 bits set (manual 5.1.1.3: data in the most "
				"significant bits)", (unsigned long long)l->block_id, frame_pfnc_name(g.pfnc));
		}
		if (session->pattern) {
			struct frame_source src = { .seed = session->pattern_seed, .block_id = l->block_id };
			struct frame_diff d;
			if (frame_compare(&g, &src, f->payload, f->received, &d) != 0) {
				char desc[300];
				r->pixel_errors++;
				note(r, "block %llu pixels: %s", (unsigned long long)l->block_id,
				     frame_diff_describe(&g, &d, desc, sizeof(desc)));
				keep_frame(&g, f, desc);
			}
		}
		if (i == 0)
			save_png(&g, f, tag);
	}
	gc_execute("AcquisitionStop", NULL, 0);
	stream_close(&sr);
	return r->frames == n ? 0 : -EIO;
}

static void check_run(const char *what, unsigned n, const struct run_result *r)
{
	CHECK_MSG(r->frames == n && r->complete == n, "%s: %u of %u frames, %u complete; %s", what, r->frames, n,
		  r->complete, r->first);
	CHECK_MSG(r->field_errors == 0, "%s: leader/trailer: %s", what, r->first);
	CHECK_MSG(r->size_errors == 0, "%s: payload size: %s", what, r->first);
	CHECK_MSG(r->lsb_errors == 0, "%s: %s", what, r->first);
	CHECK_MSG(r->id_gaps == 0, "%s: block ids not consecutive: %s", what, r->first);
	CHECK_MSG(r->ts_errors == 0, "%s: timestamps: %s", what, r->first);
	CHECK_MSG(r->pixel_errors == 0, "%s: %s", what, r->first);
}

static void format_run(const char *format, int64_t w, int64_t h)
{
	struct run_result r;
	char err[256] = "", what[96];

	snprintf(what, sizeof(what), "%s %lldx%lld", format, (long long)w, (long long)h);
	REQUIRE_MSG(setup(format, w, h, err, sizeof(err)), "%s: %s", what, err);
	/* 5.1.1: the selected name is the PFNC format the device then streams (the leader
	 * is compared with PixelFormat frame by frame); 5.1.2: Width/Height set the image size */
	gint64 pf = 0, gw = 0, gh = 0;
	gc_get_int("PixelFormat", &pf, NULL, 0);
	CHECK_MSG(frame_pfnc_name((uint32_t)pf) && strcmp(frame_pfnc_name((uint32_t)pf), format) == 0,
		  "%s: PixelFormat reads 0x%08llx (%s), not the PFNC code of %s", what, (unsigned long long)pf,
		  frame_pfnc_name((uint32_t)pf) ? frame_pfnc_name((uint32_t)pf) : "unknown", format);
	gc_get_int("Width", &gw, NULL, 0);
	gc_get_int("Height", &gh, NULL, 0);
	CHECK_MSG(gw == w && gh == h, "%s: Width/Height read %lldx%lld", what, (long long)gw, (long long)gh);
	stream_frames(FRAMES, true, "format", &r);
	check_run(what, FRAMES, &r);
}

/* One test per format of the fixtures, named after it. */
static void test_format(void)
{
	format_run(CU_get_current_test()->pName, 1024, 256);
}

/* Registered instead of the format tests when the fixtures cannot be read. */
static void test_pixel_formats_fixture(void)
{
	CHECK_MSG(false, "%s", formats_error);
}

/* Full sensor in the widest and the narrowest format. */
static void test_full_resolution(void)
{
	uint32_t w, h;

	REQUIRE_MSG(formats.n > 0, "%s", formats_error);
	sensor_size(&w, &h);
	REQUIRE_MSG(w && h, "the device reports neither SensorWidth/SensorHeight nor WidthMax/HeightMax");
	format_run(fmtfix_widest(&formats), w, h);
	format_run(fmtfix_narrowest(&formats), w, h);
}

/* 5.1.5 / 5.1.6: a region with manual offsets and every flip combination. */
static void test_roi_offsets_flips(void)
{
	char err[256] = "";
	struct run_result r;

	REQUIRE_MSG(formats.n > 0, "%s", formats_error);
	REQUIRE_MSG(setup(fmtfix_packed(&formats), 512, 256, err, sizeof(err)), "%s", err);
	REQUIRE_MSG(gc_set_string("OffsetAutoCenter", "Off", err, sizeof(err)), "%s", err);
	REQUIRE_MSG(gc_set_int("OffsetX", 1024, err, sizeof(err)) && gc_set_int("OffsetY", 600, err, sizeof(err)), "%s",
		    err);
	for (int flips = 0; flips < 4; flips++) {
		char what[64];
		gc_set_int("ReverseX", flips & 1, NULL, 0);
		gc_set_int("ReverseY", (flips >> 1) & 1, NULL, 0);
		snprintf(what, sizeof(what), "offset 1024,600 ReverseX %d ReverseY %d", flips & 1, (flips >> 1) & 1);
		stream_frames(3, true, "roi", &r);
		check_run(what, 3, &r);
	}
	gc_set_string("OffsetAutoCenter", "On", NULL, 0);
}

/* 5.1.3: Skipping 2X, 2X horizontal, 2X vertical, Binning 2X. */
static void test_readout_modes(void)
{
	static const struct { const char *name; int dh, dv, b; } modes[] = {
		{ "Skipping 2X", 2, 2, 1 }, { "Skipping 2X horizontal", 2, 1, 1 },
		{ "Skipping 2X vertical", 1, 2, 1 }, { "Binning 2X", 1, 1, 2 },
	};
	char err[256] = "";
	struct run_result r;
	uint32_t sw, sh;

	sensor_size(&sw, &sh);
	REQUIRE_MSG(formats.n > 0, "%s", formats_error);
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		gint64 wmax = 0, hmax = 0;
		REQUIRE_MSG(setup(fmtfix_widest(&formats), 512, 256, err, sizeof(err)), "%s", err);
		bool ok = modes[i].b > 1 ? gc_set_int("BinningHorizontal", modes[i].b, err, sizeof(err))
					 : gc_set_int("DecimationHorizontal", modes[i].dh, err, sizeof(err)) &&
						   gc_set_int("DecimationVertical", modes[i].dv, err, sizeof(err));
		CHECK_MSG(ok, "%s: %s", modes[i].name, err);
		gc_get_int("WidthMax", &wmax, NULL, 0);
		gc_get_int("HeightMax", &hmax, NULL, 0);
		CHECK_MSG(wmax == sw / (modes[i].dh * modes[i].b) && hmax == sh / (modes[i].dv * modes[i].b),
			  "%s: WidthMax %lld HeightMax %lld (sensor %ux%u)", modes[i].name, (long long)wmax, (long long)hmax,
			  sw, sh);
		stream_frames(3, true, "readout", &r);
		check_run(modes[i].name, 3, &r);
	}
	gc_default_readout();
}

/* Count frames that arrive within `ms` after a start. */
static unsigned frames_within(unsigned ms, unsigned max)
{
	struct stream_reader sr;
	struct stream_frame *f;
	unsigned n = 0;

	if (stream_open(&sr, session->x, &session->gc, session->sirm, session->dev.u3v.ep_stream, 4))
		return 0;
	gc_execute("AcquisitionStart", NULL, 0);
	while (n < max && stream_next(&sr, &f, ms) == 0)
		n++;
	stream_close(&sr);
	return n;
}

/* AcquisitionMode SingleFrame and MultiFrame end by themselves. */
static void test_acquisition_modes(void)
{
	char err[256] = "";
	gint64 locked = -1;

	REQUIRE_MSG(formats.n > 0, "%s", formats_error);
	REQUIRE_MSG(setup(fmtfix_narrowest(&formats), 256, 64, err, sizeof(err)), "%s", err);
	REQUIRE_MSG(gc_set_string("AcquisitionMode", "SingleFrame", err, sizeof(err)), "%s", err);
	unsigned n = frames_within(600, 5);
	CHECK_MSG(n == 1, "SingleFrame delivered %u frames", n);
	gc_get_int("TLParamsLocked", &locked, NULL, 0);
	CHECK_MSG(locked == 0, "TLParamsLocked %lld after the single frame", (long long)locked);
	REQUIRE_MSG(gc_set_string("AcquisitionMode", "MultiFrame", err, sizeof(err)), "%s", err);
	REQUIRE_MSG(gc_set_int("AcquisitionFrameCount", 3, err, sizeof(err)), "%s", err);
	n = frames_within(600, 10);
	CHECK_MSG(n == 3, "MultiFrame with AcquisitionFrameCount 3 delivered %u frames", n);
	gc_set_string("AcquisitionMode", "Continuous", NULL, 0);
}

/* Stop, start again: block ids keep increasing; format and size are locked while acquiring. */
static void test_start_stop(void)
{
	char err[256] = "";
	struct run_result a, b;

	REQUIRE_MSG(formats.n > 0, "%s", formats_error);
	REQUIRE_MSG(setup(fmtfix_narrowest(&formats), 512, 128, err, sizeof(err)), "%s", err);
	stream_frames(3, true, "start", &a);
	stream_frames(3, true, "restart", &b);
	check_run("first start", 3, &a);
	check_run("second start", 3, &b);
	/* locked while acquiring */
	gc_execute("AcquisitionStart", NULL, 0);
	bool refused = !gc_set_int("Width", 256, err, sizeof(err));
	gc_execute("AcquisitionStop", NULL, 0);
	CHECK_MSG(refused, "Width could be written during acquisition");
	CHECK_MSG(gc_set_int("Width", 256, err, sizeof(err)), "Width after stop: %s", err);
}

/* A host that stops reading: frames are dropped (block id gaps), never corrupted. */
static void test_slow_reader(void)
{
	char err[256] = "";
	struct stream_reader sr;
	struct stream_frame *f;
	unsigned got = 0, gaps = 0, bad = 0;
	uint64_t prev = 0;
	uint32_t w, h;

	REQUIRE_MSG(formats.n > 0, "%s", formats_error);
	sensor_size(&w, &h);
	REQUIRE_MSG(setup(fmtfix_narrowest(&formats), w, h, err, sizeof(err)), "%s", err);
	gc_set_float("AcquisitionFrameRate", 30.0, NULL, 0);
	REQUIRE_MSG(stream_open(&sr, session->x, &session->gc, session->sirm, session->dev.u3v.ep_stream, 1) == 0,
		    "stream setup");
	REQUIRE_MSG(gc_execute("AcquisitionStart", err, sizeof(err)), "%s", err);
	ms_sleep(1500);   /* ~45 frames of 8.8 MB are made meanwhile */
	while (got < 30 && stream_next(&sr, &f, 3000) == 0) {
		if (!f->complete)
			bad++;
		if (got && f->leader.block_id != prev + 1)
			gaps++;
		prev = f->leader.block_id;
		got++;
	}
	gc_execute("AcquisitionStop", NULL, 0);
	stream_close(&sr);
	CHECK_MSG(got == 30, "%u frames after the pause", got);
	CHECK_MSG(bad == 0, "%u incomplete frames", bad);
	printf("\n    %u block-id gaps after a 1.5 s pause\n", gaps);
}

/* SET_FEATURE(ENDPOINT_HALT) then CLEAR_FEATURE on the stream pipe: frames come back, starting with a leader. */
static void test_stream_halt(void)
{
	char err[256] = "";
	struct run_result r;
	struct xport *x = session->x;
	uint8_t ep = session->dev.u3v.ep_stream;

	REQUIRE_MSG(formats.n > 0, "%s", formats_error);
	REQUIRE_MSG(setup(fmtfix_narrowest(&formats), 256, 64, err, sizeof(err)), "%s", err);
	CHECK_MSG(x->ops->control(x, USB_RT_ENDPOINT_OUT, USB_REQ_SET_FEATURE, USB_FEATURE_ENDPOINT_HALT, ep, NULL, 0,
				  1000) == 0,
		  "SET_FEATURE(HALT)");
	uint8_t buf[64];
	int n = x->ops->bulk(x, ep, buf, sizeof(buf), 500);
	CHECK_MSG(n == -EPIPE, "read from the halted pipe: %d (expected a stall)", n);
	CHECK_MSG(x->ops->control(x, USB_RT_ENDPOINT_OUT, USB_REQ_CLEAR_FEATURE, USB_FEATURE_ENDPOINT_HALT, ep, NULL, 0,
				  1000) == 0,
		  "CLEAR_FEATURE(HALT)");
	stream_frames(3, true, "halt", &r);
	check_run("after clearing the halt", 3, &r);
}

void suite_stream_register(const char *name)
{
	CU_pSuite s = CU_add_suite(name, NULL, NULL);

	if (fmtfix_load(session->fixtures_dir, &formats, formats_error, sizeof(formats_error)) == 0) {
		for (size_t i = 0; i < formats.n; i++)
			CU_add_test(s, formats.f[i].name, test_format);
	} else {
		CU_add_test(s, "pixel_formats_fixture", test_pixel_formats_fixture);
	}
	CU_add_test(s, "full_resolution", test_full_resolution);
	CU_add_test(s, "roi_offsets_flips", test_roi_offsets_flips);
	CU_add_test(s, "readout_modes", test_readout_modes);
	CU_add_test(s, "acquisition_modes", test_acquisition_modes);
	CU_add_test(s, "start_stop", test_start_stop);
	CU_add_test(s, "slow_reader", test_slow_reader);
	CU_add_test(s, "stream_halt", test_stream_halt);
}
