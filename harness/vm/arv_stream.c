/* SPDX-License-Identifier: MIT */
/* arv-stream: stream the test pattern through libaravis 0.8 and check every frame bit-exactly.
 *
 * Built on the host by harness/vm/arvstream.py (test_vm.py, bench.py) into build/vm/arv-stream,
 * together with conformance/lib/framecheck.c, and run inside the QEMU guest against dfk-emu started
 * with `--source pattern --seed S`: libaravis -> libusb -> usbfs -> vhci-hcd -> TCP -> dfk-emu.
 *
 *   arv-stream [-n ID] [-c FRAMES] [-s SEED] [-W WIDTH] [-H HEIGHT] [-x OFFX] [-y OFFY]
 *              [-e EXPOSURE_US] [-b BUFFERS] [-t TIMEOUT_S] [-m sync|async] [--no-check]
 *              FORMAT...            (FORMAT: a PixelFormat name, or "all" for the 8 formats)
 * Defaults: 100 frames, seed 0, the maximum Width/Height, exposure 100 us, FRAMES + 4 buffers
 * (fewer if they would take more than 384 MiB, at least 8), a 20 s pop timeout, Aravis's default
 * USB mode (sync).
 *
 * Per format: AcquisitionStop, PixelFormat, Width/Height (offsets 0 first so any size fits,
 * then -x/-y if given; OffsetX/OffsetY are read back), ExposureAuto=Off, ExposureTime,
 * AcquisitionMode=Continuous, AcquisitionFrameRate = its maximum; a new stream with BUFFERS
 * buffers of PayloadSize bytes; AcquisitionStart; FRAMES buffers popped and checked:
 *   - status ARV_BUFFER_STATUS_SUCCESS,
 *   - frame id = previous + 1 (within the acquisition),
 *   - received size == PayloadSize == frame_payload_size(geometry),
 *   - the leader's pixel format, size and offsets == the features,
 *   - the leader's timestamp increases,
 *   - the pixels: frame_compare() against the test pattern (block id = the buffer's frame id).
 * Prints per format one line
 *   RESULT format=F width=W height=H offset_x=X offset_y=Y payload=B frames=N errors=E
 *          fps=F mbps=M check_ms=C underruns=U failures=A first_id=I max_fps=R first_s=T buffers=B
 *          app_fps=A
 * fps and mbps: what Aravis received, from the first to the last frame's leader arrival (the
 * buffers' system timestamps; MB = 10^6 bytes); app_fps: the rate this program popped them at
 * (includes the check); check_ms: frame_compare per frame; underruns: Aravis had no free buffer
 * (counted up to the last frame); first_s: AcquisitionStart to the first buffer.
 * Error lines go to stderr ("arv-stream: FORMAT: ...", after "arv-stream: BEGIN FORMAT").
 * Exits 1 on any error, 2 on a setup failure (no camera, a feature write refused). */
#include <arv.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "framecheck.h"

#define MAX_REPORTED 8   /* error lines printed per format */
/* Enough buffers that a slow check never leaves Aravis without one (an "underrun": it drops
 * the frame, which would show up as a frame id gap) when the frames fit this budget. */
#define BUFFER_BUDGET (384u << 20)
#define MIN_BUFFERS 8u

static const char *const ALL_FORMATS[] = {
	"BayerRG8", "BayerRG12p", "BayerRG16", "YCbCr422_8",
	"YCbCr411_8", "YCbCr411_8_CbYYCrYY", "BGR8", "Mono8",
};

struct opts {
	const char *device;
	unsigned frames;
	uint32_t seed;
	int64_t width, height;   /* 0 = the maximum */
	int64_t offset_x, offset_y;   /* -1 = leave at 0 (or as OffsetAutoCenter puts them) */
	double exposure_us;
	unsigned buffers;   /* 0 = FRAMES + 4, within BUFFER_BUDGET bytes (at least MIN_BUFFERS) */
	double timeout_s;
	bool check;
	int usb_mode;   /* -1 default */
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static bool failed(GError **err, const char *what, const char *fmt)
{
	if (*err == NULL)
		return false;
	fprintf(stderr, "arv-stream: %s: %s: %s\n", fmt, what, (*err)->message);
	g_clear_error(err);
	return true;
}

static bool available(ArvCamera *cam, const char *feature)
{
	GError *err = NULL;
	gboolean ok = arv_camera_is_feature_available(cam, feature, &err);

	g_clear_error(&err);
	return ok;
}

static int64_t get_int_or(ArvCamera *cam, const char *feature, int64_t dflt)
{
	GError *err = NULL;
	int64_t v;

	if (!available(cam, feature))
		return dflt;
	v = arv_camera_get_integer(cam, feature, &err);
	if (err) {
		g_clear_error(&err);
		return dflt;
	}
	return v;
}

static bool get_bool_or(ArvCamera *cam, const char *feature, bool dflt)
{
	GError *err = NULL;
	bool v;

	if (!available(cam, feature))
		return dflt;
	v = arv_camera_get_boolean(cam, feature, &err);
	if (err) {
		g_clear_error(&err);
		return dflt;
	}
	return v;
}

/* A camera without any Bayer format has no colour filter (docs/image-pipeline.md section 1). */
static bool has_bayer_format(ArvCamera *cam)
{
	GError *err = NULL;
	guint n = 0;
	const char **names = arv_camera_dup_available_pixel_formats_as_strings(cam, &n, &err);
	bool bayer = false;

	g_clear_error(&err);
	for (guint i = 0; names && i < n; i++)
		bayer = bayer || g_str_has_prefix(names[i], "Bayer");
	g_free(names);
	return bayer;
}

/* Set the camera up for one format; fills *g from what the camera reports back. */
static int setup(ArvCamera *cam, const struct opts *o, const char *fmt, struct frame_geometry *g,
		 guint *payload, double *max_fps)
{
	GError *err = NULL;
	gint64 wmin, wmax, hmin, hmax, w, h;
	double fmin, fmax;
	bool autocenter = available(cam, "OffsetAutoCenter") &&
		g_strcmp0(arv_camera_get_string(cam, "OffsetAutoCenter", &err), "On") == 0;

	g_clear_error(&err);
	arv_camera_stop_acquisition(cam, &err);
	g_clear_error(&err);   /* not running: fine */
	arv_camera_set_pixel_format_from_string(cam, fmt, &err);
	if (failed(&err, "PixelFormat", fmt))
		return -1;
	if (!autocenter) {
		/* offsets first, so that any Width/Height fits */
		arv_camera_set_integer(cam, "OffsetX", 0, &err);
		if (failed(&err, "OffsetX=0", fmt))
			return -1;
		arv_camera_set_integer(cam, "OffsetY", 0, &err);
		if (failed(&err, "OffsetY=0", fmt))
			return -1;
	}
	arv_camera_get_integer_bounds(cam, "Width", &wmin, &wmax, &err);
	if (failed(&err, "Width bounds", fmt))
		return -1;
	arv_camera_get_integer_bounds(cam, "Height", &hmin, &hmax, &err);
	if (failed(&err, "Height bounds", fmt))
		return -1;
	w = o->width > 0 ? o->width : wmax;
	h = o->height > 0 ? o->height : hmax;
	arv_camera_set_integer(cam, "Width", w, &err);
	if (failed(&err, "Width", fmt))
		return -1;
	arv_camera_set_integer(cam, "Height", h, &err);
	if (failed(&err, "Height", fmt))
		return -1;
	if (!autocenter && o->offset_x >= 0) {
		arv_camera_set_integer(cam, "OffsetX", o->offset_x, &err);
		if (failed(&err, "OffsetX", fmt))
			return -1;
	}
	if (!autocenter && o->offset_y >= 0) {
		arv_camera_set_integer(cam, "OffsetY", o->offset_y, &err);
		if (failed(&err, "OffsetY", fmt))
			return -1;
	}
	if (available(cam, "ExposureAuto")) {
		arv_camera_set_string(cam, "ExposureAuto", "Off", &err);
		if (failed(&err, "ExposureAuto=Off", fmt))
			return -1;
	}
	arv_camera_set_float(cam, "ExposureTime", o->exposure_us, &err);
	if (failed(&err, "ExposureTime", fmt))
		return -1;
	arv_camera_set_acquisition_mode(cam, ARV_ACQUISITION_MODE_CONTINUOUS, &err);
	if (failed(&err, "AcquisitionMode=Continuous", fmt))
		return -1;
	/* the maximum depends on the region, the format and the exposure: set them first */
	arv_camera_get_float_bounds(cam, "AcquisitionFrameRate", &fmin, &fmax, &err);
	if (failed(&err, "AcquisitionFrameRate bounds", fmt))
		return -1;
	arv_camera_set_float(cam, "AcquisitionFrameRate", fmax, &err);
	if (err) {   /* a float that does not survive the round trip: a hair below */
		g_clear_error(&err);
		arv_camera_set_float(cam, "AcquisitionFrameRate", fmax * (1.0 - 1e-9), &err);
	}
	if (failed(&err, "AcquisitionFrameRate", fmt))
		return -1;
	*max_fps = arv_camera_get_float(cam, "AcquisitionFrameRate", &err);
	if (failed(&err, "AcquisitionFrameRate read back", fmt))
		return -1;

	/* the geometry as the camera reports it now */
	memset(g, 0, sizeof(*g));
	g->sensor.width = (uint32_t)get_int_or(cam, "SensorWidth", 0);
	g->sensor.height = (uint32_t)get_int_or(cam, "SensorHeight", 0);
	g->sensor.mono = !has_bayer_format(cam);
	g->pfnc = arv_camera_get_pixel_format(cam, &err);
	if (failed(&err, "PixelFormat read back", fmt))
		return -1;
	g->width = (uint32_t)arv_camera_get_integer(cam, "Width", &err);
	if (failed(&err, "Width read back", fmt))
		return -1;
	g->height = (uint32_t)arv_camera_get_integer(cam, "Height", &err);
	if (failed(&err, "Height read back", fmt))
		return -1;
	g->offset_x = (uint32_t)arv_camera_get_integer(cam, "OffsetX", &err);
	if (failed(&err, "OffsetX read back", fmt))
		return -1;
	g->offset_y = (uint32_t)arv_camera_get_integer(cam, "OffsetY", &err);
	if (failed(&err, "OffsetY read back", fmt))
		return -1;
	g->reverse_x = get_bool_or(cam, "ReverseX", false);
	g->reverse_y = get_bool_or(cam, "ReverseY", false);
	g->decimation_h = (uint32_t)get_int_or(cam, "DecimationHorizontal", 1);
	g->decimation_v = (uint32_t)get_int_or(cam, "DecimationVertical", 1);
	g->binning_h = (uint32_t)get_int_or(cam, "BinningHorizontal", 1);
	g->binning_v = (uint32_t)get_int_or(cam, "BinningVertical", 1);
	*payload = arv_camera_get_payload(cam, &err);
	if (failed(&err, "PayloadSize", fmt))
		return -1;

	if (!frame_pfnc_name(g->pfnc) || strcmp(frame_pfnc_name(g->pfnc), fmt) != 0) {
		fprintf(stderr, "arv-stream: %s: PixelFormat reads back as 0x%08" PRIx32 " (%s)\n", fmt, g->pfnc,
			frame_pfnc_name(g->pfnc) ? frame_pfnc_name(g->pfnc) : "?");
		return -1;
	}
	if (g->width != (uint32_t)w || g->height != (uint32_t)h) {
		fprintf(stderr, "arv-stream: %s: asked for %" G_GINT64_FORMAT "x%" G_GINT64_FORMAT
			", the camera says %" PRIu32 "x%" PRIu32 "\n", fmt, w, h, g->width, g->height);
		return -1;
	}
	if (frame_geometry_problem(g)) {
		fprintf(stderr, "arv-stream: %s: geometry not checkable: %s\n", fmt, frame_geometry_problem(g));
		return -1;
	}
	return 0;
}

struct run_stats {
	unsigned frames, errors, reported;
	uint64_t first_id, last_id;
	double t_first, t_last, check_s;
	guint64 sys_first, sys_last;   /* Aravis's system timestamps (leader arrival), ns */
	unsigned sys_frames;
	guint64 completed, failures, underruns, underruns_total;
};

#define ERR(st, fmt, ...) do { \
	(st)->errors++; \
	if ((st)->reported++ < MAX_REPORTED) \
		fprintf(stderr, "arv-stream: " fmt "\n", __VA_ARGS__); \
} while (0)

static const char *status_name(ArvBufferStatus s)
{
	switch (s) {
	case ARV_BUFFER_STATUS_SUCCESS: return "SUCCESS";
	case ARV_BUFFER_STATUS_CLEARED: return "CLEARED";
	case ARV_BUFFER_STATUS_TIMEOUT: return "TIMEOUT";
	case ARV_BUFFER_STATUS_MISSING_PACKETS: return "MISSING_PACKETS";
	case ARV_BUFFER_STATUS_WRONG_PACKET_ID: return "WRONG_PACKET_ID";
	case ARV_BUFFER_STATUS_SIZE_MISMATCH: return "SIZE_MISMATCH";
	case ARV_BUFFER_STATUS_FILLING: return "FILLING";
	case ARV_BUFFER_STATUS_ABORTED: return "ABORTED";
	default: return "UNKNOWN";
	}
}

static int stream_format(ArvCamera *cam, const struct opts *o, const char *fmt)
{
	struct frame_geometry g;
	struct frame_source src = { .seed = o->seed };
	struct run_stats st;
	GError *err = NULL;
	ArvStream *stream;
	guint payload = 0, nbuf;
	guint64 ign_completed, ign_failures;
	double max_fps = 0, t_start;
	size_t expect_len;
	guint64 last_ts = 0;
	bool have_prev = false;

	memset(&st, 0, sizeof(st));
	/* marks where this format starts in stderr (and in an ARV_DEBUG log interleaved with it) */
	fprintf(stderr, "arv-stream: BEGIN %s\n", fmt);
	if (setup(cam, o, fmt, &g, &payload, &max_fps) != 0)
		return 2;
	expect_len = frame_payload_size(&g);
	if (expect_len != payload) {
		fprintf(stderr, "arv-stream: %s: PayloadSize %u, but %" PRIu32 "x%" PRIu32 " %s is %zu bytes\n",
			fmt, payload, g.width, g.height, fmt, expect_len);
		st.errors++;
	}

	stream = arv_camera_create_stream(cam, NULL, NULL, &err);
	if (failed(&err, "create stream", fmt) || !ARV_IS_STREAM(stream))
		return 2;
	nbuf = o->buffers;
	if (nbuf == 0) {
		nbuf = o->frames + 4;
		if ((uint64_t)nbuf * payload > BUFFER_BUDGET)
			nbuf = (unsigned)(BUFFER_BUDGET / (payload ? payload : 1));
		if (nbuf < MIN_BUFFERS)
			nbuf = MIN_BUFFERS;
	}
	for (unsigned i = 0; i < nbuf; i++)
		arv_stream_push_buffer(stream, arv_buffer_new_allocate(payload));

	t_start = now_s();
	arv_camera_start_acquisition(cam, &err);
	if (failed(&err, "AcquisitionStart", fmt)) {
		g_object_unref(stream);
		return 2;
	}
	while (st.frames < o->frames) {
		ArvBuffer *buf = arv_stream_timeout_pop_buffer(stream, (guint64)(o->timeout_s * 1e6));
		ArvBufferStatus status;
		const void *data;
		size_t size = 0;
		uint64_t id;
		double t;

		if (!buf) {
			ERR(&st, "%s: no buffer within %.1f s after frame %u", fmt, o->timeout_s, st.frames);
			break;
		}
		t = now_s();
		st.frames++;
		if (st.frames == 1)
			st.t_first = t;
		st.t_last = t;
		status = arv_buffer_get_status(buf);
		id = arv_buffer_get_frame_id(buf);
		data = arv_buffer_get_data(buf, &size);
		if (status != ARV_BUFFER_STATUS_SUCCESS) {
			ERR(&st, "%s: frame %u (id %" PRIu64 "): status %d (%s), %zu bytes", fmt, st.frames, id,
			    (int)status, status_name(status), size);
			have_prev = false;   /* the id of a failed buffer may be anything */
			arv_stream_push_buffer(stream, buf);
			continue;
		}
		if (st.frames == 1)
			st.first_id = id;
		if (have_prev && id != st.last_id + 1)
			ERR(&st, "%s: frame id %" PRIu64 " follows %" PRIu64 " (%+" PRId64 ")", fmt, id, st.last_id,
			    (int64_t)(id - st.last_id));
		st.last_id = id;
		have_prev = true;
		if (size != payload)
			ERR(&st, "%s: frame id %" PRIu64 ": %zu bytes received, PayloadSize %u", fmt, id, size, payload);
		if ((uint32_t)arv_buffer_get_image_pixel_format(buf) != g.pfnc ||
		    arv_buffer_get_image_width(buf) != (gint)g.width ||
		    arv_buffer_get_image_height(buf) != (gint)g.height ||
		    arv_buffer_get_image_x(buf) != (gint)g.offset_x ||
		    arv_buffer_get_image_y(buf) != (gint)g.offset_y)
			ERR(&st, "%s: frame id %" PRIu64 ": leader says 0x%08x %dx%d+%d+%d, features 0x%08" PRIx32
			    " %" PRIu32 "x%" PRIu32 "+%" PRIu32 "+%" PRIu32, fmt, id,
			    (unsigned)arv_buffer_get_image_pixel_format(buf), arv_buffer_get_image_width(buf),
			    arv_buffer_get_image_height(buf), arv_buffer_get_image_x(buf), arv_buffer_get_image_y(buf),
			    g.pfnc, g.width, g.height, g.offset_x, g.offset_y);
		if (last_ts && arv_buffer_get_timestamp(buf) <= last_ts)
			ERR(&st, "%s: frame id %" PRIu64 ": timestamp %" G_GUINT64_FORMAT " not after %" G_GUINT64_FORMAT,
			    fmt, id, arv_buffer_get_timestamp(buf), last_ts);
		last_ts = arv_buffer_get_timestamp(buf);
		if (st.sys_frames++ == 0)
			st.sys_first = arv_buffer_get_system_timestamp(buf);
		st.sys_last = arv_buffer_get_system_timestamp(buf);
		if (o->check) {
			struct frame_diff d;
			double c0 = now_s();
			int rc;

			src.block_id = id;
			rc = frame_compare(&g, &src, data, size, &d);
			st.check_s += now_s() - c0;
			if (rc != 0) {
				char text[512];
				if (rc > 0)
					frame_diff_describe(&g, &d, text, sizeof(text));
				else
					snprintf(text, sizeof(text), "frame_compare failed (%d)", rc);
				ERR(&st, "%s: frame id %" PRIu64 ": %s", fmt, id, text);
			}
		}
		arv_stream_push_buffer(stream, buf);
	}
	/* underruns up to the last frame counted (later ones, while stopping, are harmless) */
	arv_stream_get_statistics(stream, &ign_completed, &ign_failures, &st.underruns);
	arv_camera_stop_acquisition(cam, &err);
	failed(&err, "AcquisitionStop", fmt);
	arv_stream_get_statistics(stream, &st.completed, &st.failures, &st.underruns_total);
	g_object_unref(stream);

	{
		double dt = st.t_last - st.t_first, rx_dt = (double)(st.sys_last - st.sys_first) * 1e-9;
		double app_fps = st.frames > 1 && dt > 0 ? (st.frames - 1) / dt : 0;
		double fps = st.sys_frames > 1 && rx_dt > 0 ? (st.sys_frames - 1) / rx_dt : 0;

		printf("RESULT format=%s width=%" PRIu32 " height=%" PRIu32 " offset_x=%" PRIu32 " offset_y=%" PRIu32
		       " payload=%u frames=%u errors=%u fps=%.2f mbps=%.2f check_ms=%.1f underruns=%" G_GUINT64_FORMAT
		       " failures=%" G_GUINT64_FORMAT " first_id=%" PRIu64 " max_fps=%.2f first_s=%.3f buffers=%u app_fps=%.2f\n",
		       fmt, g.width, g.height, g.offset_x, g.offset_y, payload, st.frames, st.errors, fps,
		       fps * payload / 1e6, st.frames ? st.check_s * 1e3 / st.frames : 0.0, st.underruns, st.failures,
		       st.first_id, max_fps, st.t_first > 0 ? st.t_first - t_start : -1.0, nbuf, app_fps);
		fflush(stdout);
	}
	if (st.frames < o->frames)
		return 1;
	return st.errors ? 1 : 0;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: arv-stream [-n ID] [-c FRAMES] [-s SEED] [-W WIDTH] [-H HEIGHT] [-x OFFX] [-y OFFY]\n"
		   "                  [-e EXPOSURE_US] [-b BUFFERS] [-t TIMEOUT_S] [-m sync|async] [--no-check]\n"
		   "                  FORMAT... | all\n");
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "device", required_argument, NULL, 'n' }, { "count", required_argument, NULL, 'c' },
		{ "seed", required_argument, NULL, 's' }, { "width", required_argument, NULL, 'W' },
		{ "height", required_argument, NULL, 'H' }, { "offset-x", required_argument, NULL, 'x' },
		{ "offset-y", required_argument, NULL, 'y' }, { "exposure", required_argument, NULL, 'e' },
		{ "buffers", required_argument, NULL, 'b' }, { "timeout", required_argument, NULL, 't' },
		{ "usb-mode", required_argument, NULL, 'm' }, { "no-check", no_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	struct opts o = { .frames = 100, .offset_x = -1, .offset_y = -1, .exposure_us = 100.0, .buffers = 0,
			  .timeout_s = 20.0, .check = true, .usb_mode = -1 };
	GError *err = NULL;
	ArvCamera *cam;
	int c, worst = 0;

	while ((c = getopt_long(argc, argv, "n:c:s:W:H:x:y:e:b:t:m:Nh", lopts, NULL)) != -1) {
		switch (c) {
		case 'n': o.device = optarg; break;
		case 'c': o.frames = (unsigned)strtoul(optarg, NULL, 0); break;
		case 's': o.seed = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'W': o.width = strtoll(optarg, NULL, 0); break;
		case 'H': o.height = strtoll(optarg, NULL, 0); break;
		case 'x': o.offset_x = strtoll(optarg, NULL, 0); break;
		case 'y': o.offset_y = strtoll(optarg, NULL, 0); break;
		case 'e': o.exposure_us = strtod(optarg, NULL); break;
		case 'b': o.buffers = (unsigned)strtoul(optarg, NULL, 0); break;
		case 't': o.timeout_s = strtod(optarg, NULL); break;
		case 'm':
			if (strcmp(optarg, "sync") == 0)
				o.usb_mode = ARV_UV_USB_MODE_SYNC;
			else if (strcmp(optarg, "async") == 0)
				o.usb_mode = ARV_UV_USB_MODE_ASYNC;
			else {
				usage(stderr);
				return 2;
			}
			break;
		case 'N': o.check = false; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind >= argc || o.frames == 0) {
		usage(stderr);
		return 2;
	}

	cam = arv_camera_new(o.device, &err);
	if (!cam || err) {
		fprintf(stderr, "arv-stream: no camera%s%s: %s\n", o.device ? " " : "", o.device ? o.device : "",
			err ? err->message : "?");
		g_clear_error(&err);
		return 2;
	}
	if (o.usb_mode >= 0) {
		ArvDevice *dev = arv_camera_get_device(cam);
		if (ARV_IS_UV_DEVICE(dev))
			arv_uv_device_set_usb_mode(ARV_UV_DEVICE(dev), (ArvUvUsbMode)o.usb_mode);
	}
	printf("CAMERA vendor=%s model=%s serial=%s\n", arv_camera_get_vendor_name(cam, NULL),
	       arv_camera_get_model_name(cam, NULL), arv_camera_get_device_serial_number(cam, NULL));
	fflush(stdout);

	for (int i = optind; i < argc; i++) {
		bool all = strcmp(argv[i], "all") == 0;
		unsigned n = all ? G_N_ELEMENTS(ALL_FORMATS) : 1;

		for (unsigned k = 0; k < n; k++) {
			int rc = stream_format(cam, &o, all ? ALL_FORMATS[k] : argv[i]);
			if (rc > worst)
				worst = rc;
		}
	}
	g_object_unref(cam);
	return worst;
}
