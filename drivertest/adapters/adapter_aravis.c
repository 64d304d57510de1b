/* SPDX-License-Identifier: MIT */
/* dfk-adapter-aravis: libaravis 0.8 as the driver under test of dfk-drivertest
 * (docs/drivertest.md, "The adapter contract"). Everything the contract needs that is not
 * Aravis is in common/ (README.md walks through this file).
 *
 *   dfk-adapter-aravis [--mode sync|async] --device usb://VID:PID[/SERIAL] ...
 *
 * --mode selects arv_uv_device_set_usb_mode() (default: Aravis's own default, sync).
 *
 * Buffer status -> frame status:
 *   SUCCESS                                     ok
 *   MISSING_PACKETS, SIZE_MISMATCH, TIMEOUT     incomplete (data missing or the size wrong)
 *   WRONG_PACKET_ID, ABORTED, CLEARED, FILLING,
 *   UNKNOWN                                     bad
 * with detail= the status name. id, ts and size are what Aravis puts in the buffer
 * (arv_buffer_get_frame_id, _get_timestamp, _get_data): for a failed buffer they may be left
 * from the buffer's previous use, as Aravis hands it over (0.8.26 sets the received size only
 * on success: a failed buffer reports size=0). Width, height and pixel format: successful
 * buffers only (Aravis gives them for no other). 
 *
 * Device loss: Aravis emits ArvDevice "control-lost" (a libusb hotplug event, or
 * LIBUSB_ERROR_NO_DEVICE on a control transfer); a feature access failing with
 * ARV_DEVICE_ERROR_NOT_CONNECTED counts too.
 *
 * Known Aravis 0.8.26 bug: in async USB mode destroying the stream can hang for ever (the
 * stream thread waits in arv_uv_stream_buffer_context_cancel for a wake-up that was lost;
 * fixed in 0.8.28, commit 6cf94235; harness/vm/README.md). The stream is therefore destroyed
 * in a helper thread given CLOSE_LIMIT_MS: when it is not done by then the adapter prints
 * `error stage=close` saying so, leaves the stream and the device as they are, and goes on
 * (at stop: prints `done` and exits 0 without closing). */
#include <arv.h>
#include <errno.h>
#include <inttypes.h>
#include <libusb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "adapters/common/adapter_genicam.h"
#include "adapters/common/adapter_io.h"

#define POLL_SLICE_US 20000          /* one wait for a buffer before stdin is looked at again */
#define BUFFERS 16                   /* in the stream's input queue */
#define BUFFER_BUDGET (256u << 20)   /* ... unless they would take more than this */
#define CLOSE_LIMIT_MS 5000          /* destroying a stream: longer is the 0.8.26 async hang */

static struct adapter_args args;
static const char *mode = NULL;      /* --mode */
static char device_id[512];          /* Aravis's id of the camera --device names */
static ArvCamera *camera;
static ArvStream *stream;
static gint control_lost;            /* set by the "control-lost" signal, from any thread */
static bool started, lost;

/* ---- finding the camera ---- */

/* Aravis names a USB3 Vision camera by its USB strings: vendor = iManufacturer, model =
 * iProduct, serial = iSerialNumber (arvuvinterface.c); it never shows the USB VID:PID. So
 * libusb finds the device(s) with --device's VID:PID (and serial), reads those strings, and
 * the Aravis device whose vendor, model and serial number are the same is the one. */
static bool find_device(char *why, size_t len)
{
	unsigned vid, pid;
	int n = 0;
	const char *serial;
	libusb_context *ctx = NULL;
	libusb_device **list = NULL;
	bool found = false;

	if (sscanf(args.device, "usb://%4x:%4x%n", &vid, &pid, &n) != 2 || (args.device[n] && args.device[n] != '/')) {
		snprintf(why, len, "Aravis reaches a USB3 Vision camera through the kernel: --device usb://VID:PID[/SERIAL], "
			 "not '%s'", args.device);
		return false;
	}
	serial = args.device[n] == '/' ? args.device + n + 1 : NULL;
	if (libusb_init(&ctx) < 0) {
		snprintf(why, len, "libusb_init failed");
		return false;
	}
	ssize_t count = libusb_get_device_list(ctx, &list);
	snprintf(why, len, "no USB device %04x:%04x%s%s", vid, pid, serial ? " with serial " : "", serial ? serial : "");
	arv_update_device_list();
	for (ssize_t i = 0; i < count && !found; i++) {
		struct libusb_device_descriptor dd;
		libusb_device_handle *h;
		unsigned char man[256] = "", prod[256] = "", ser[256] = "";

		if (libusb_get_device_descriptor(list[i], &dd) < 0 || dd.idVendor != vid || dd.idProduct != pid ||
		    libusb_open(list[i], &h) < 0)
			continue;
		libusb_get_string_descriptor_ascii(h, dd.iManufacturer, man, sizeof(man));
		libusb_get_string_descriptor_ascii(h, dd.iProduct, prod, sizeof(prod));
		libusb_get_string_descriptor_ascii(h, dd.iSerialNumber, ser, sizeof(ser));
		libusb_close(h);
		if (serial && strcmp((char *)ser, serial) != 0)
			continue;
		snprintf(why, len, "Aravis lists no USB3Vision device '%s' '%s' serial '%s'", man, prod, ser);
		for (unsigned k = 0; k < arv_get_n_devices() && !found; k++) {
			if (g_strcmp0(arv_get_device_protocol(k), "USB3Vision") == 0 &&
			    g_strcmp0(arv_get_device_vendor(k), (char *)man) == 0 &&
			    g_strcmp0(arv_get_device_model(k), (char *)prod) == 0 &&
			    g_strcmp0(arv_get_device_serial_nbr(k), (char *)ser) == 0) {
				snprintf(device_id, sizeof(device_id), "%s", arv_get_device_id(k));
				found = true;
			}
		}
	}
	if (list)
		libusb_free_device_list(list, 1);
	libusb_exit(ctx);
	return found;
}

static void on_control_lost(ArvDevice *device, gpointer data) { g_atomic_int_set(&control_lost, 1); }

/* Opens the camera and writes every --set. Returns false after `error stage=open`
 * (`quiet`: no line, for the retries of a reopen). */
static bool open_camera(bool quiet)
{
	GError *err = NULL;
	char why[1024];   /* three USB strings of up to 255 bytes and the text around them */

	if (!find_device(why, sizeof(why))) {
		if (!quiet)
			adapter_error("open", "%s", why);
		return false;
	}
	camera = arv_camera_new(device_id, &err);
	if (!camera) {
		if (!quiet)
			adapter_error("open", "%s: %s", device_id, err ? err->message : "arv_camera_new failed");
		g_clear_error(&err);
		return false;
	}
	ArvDevice *device = arv_camera_get_device(camera);
	if (mode && ARV_IS_UV_DEVICE(device))
		arv_uv_device_set_usb_mode(ARV_UV_DEVICE(device),
					   strcmp(mode, "async") == 0 ? ARV_UV_USB_MODE_ASYNC : ARV_UV_USB_MODE_SYNC);
	g_atomic_int_set(&control_lost, 0);
	g_signal_connect(device, "control-lost", G_CALLBACK(on_control_lost), NULL);
	for (unsigned i = 0; i < args.n_sets; i++) {
		if (!adapter_genicam_write(arv_device_get_genicam(device), &args.sets[i], &err))
			adapter_error("config", "%s=%s: %s", args.sets[i].name, args.sets[i].value, err->message);
		g_clear_error(&err);
	}
	return true;
}

/* ---- the stream ---- */

static bool start(void)
{
	GError *err = NULL;
	guint payload = arv_camera_get_payload(camera, &err);

	if (!err)
		stream = arv_camera_create_stream(camera, NULL, NULL, &err);
	if (err || !stream) {
		adapter_error("start", "%s", err ? err->message : "no stream");
		g_clear_error(&err);
		return false;
	}
	unsigned n = payload && BUFFER_BUDGET / payload < BUFFERS ? BUFFER_BUDGET / payload : BUFFERS;
	for (unsigned i = 0; i < (n ? n : 1); i++)
		arv_stream_push_buffer(stream, arv_buffer_new_allocate(payload));
	arv_camera_start_acquisition(camera, &err);
	if (err) {
		adapter_error("start", "%s", err->message);
		g_clear_error(&err);
		return false;
	}
	return true;
}

static gint unref_done;

static gpointer unref_thread(gpointer object)
{
	g_object_unref(object);
	g_atomic_int_set(&unref_done, 1);
	return NULL;
}

/* Drops the object in a helper thread; false when that did not finish within `ms` (the
 * thread is then left to itself). */
static bool unref_within(gpointer object, unsigned ms)
{
	GThread *t;

	g_atomic_int_set(&unref_done, 0);
	t = g_thread_new("adapter-close", unref_thread, object);
	for (unsigned waited = 0; waited < ms && !g_atomic_int_get(&unref_done); waited += 10)
		usleep(10000);
	if (!g_atomic_int_get(&unref_done)) {
		g_thread_unref(t);
		return false;
	}
	g_thread_join(t);
	return true;
}

/* AcquisitionStop (when the camera is there), the stream destroyed, the camera closed.
 * Returns false when the stream did not finish (`error stage=close` printed). */
static bool close_camera(bool stop_acquisition)
{
	GError *err = NULL;

	if (camera && stream && stop_acquisition) {
		arv_camera_stop_acquisition(camera, &err);
		if (err)
			adapter_error("stop", "%s", err->message);
		g_clear_error(&err);
	}
	if (stream) {
		ArvStream *s = stream;
		stream = NULL;
		if (!unref_within(s, CLOSE_LIMIT_MS)) {
			adapter_error("close", "the stream was not destroyed within %u ms: Aravis %u.%u.%u hangs in "
				      "arv_uv_stream_buffer_context_cancel (async USB mode, fixed in 0.8.28); stream and "
				      "device left open", CLOSE_LIMIT_MS, arv_get_major_version(), arv_get_minor_version(),
				      arv_get_micro_version());
			camera = NULL;   /* the stream thread may still use it */
			return false;
		}
	}
	if (camera)
		g_object_unref(camera);
	camera = NULL;
	return true;
}

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

static enum adapter_frame_status frame_status(ArvBufferStatus s)
{
	switch (s) {
	case ARV_BUFFER_STATUS_SUCCESS: return ADAPTER_FRAME_OK;
	case ARV_BUFFER_STATUS_MISSING_PACKETS:
	case ARV_BUFFER_STATUS_SIZE_MISMATCH:
	case ARV_BUFFER_STATUS_TIMEOUT: return ADAPTER_FRAME_INCOMPLETE;
	default: return ADAPTER_FRAME_BAD;
	}
}

/* One buffer out of Aravis as a frame line; the buffer goes back to the stream. */
static bool report(ArvBuffer *buf)
{
	ArvBufferStatus st = arv_buffer_get_status(buf);
	ArvBufferPayloadType type = arv_buffer_get_payload_type(buf);
	size_t size = 0;
	struct adapter_frame f = {
		.id = arv_buffer_get_frame_id(buf), .status = frame_status(st), .detail = status_name(st),
		.has_timestamp = true, .timestamp_ns = arv_buffer_get_timestamp(buf),
	};

	f.data = arv_buffer_get_data(buf, &size);
	f.size = size;
	/* Aravis 0.8.26 gives the geometry of successful buffers only (arv_buffer_part_is_image;
	 * it warns when asked for another's) */
	if (st == ARV_BUFFER_STATUS_SUCCESS &&
	    (type == ARV_BUFFER_PAYLOAD_TYPE_IMAGE || type == ARV_BUFFER_PAYLOAD_TYPE_EXTENDED_CHUNK_DATA) &&
	    arv_buffer_get_n_parts(buf) > 0 && arv_buffer_get_part_data_type(buf, 0) == ARV_BUFFER_PART_DATA_TYPE_2D_IMAGE) {
		f.has_image = true;
		f.width = (uint32_t)arv_buffer_get_part_width(buf, 0);
		f.height = (uint32_t)arv_buffer_get_part_height(buf, 0);
		f.pixel_format = (uint32_t)arv_buffer_get_part_pixel_format(buf, 0);
		f.offset_x = (uint32_t)arv_buffer_get_part_x(buf, 0);
		f.offset_y = (uint32_t)arv_buffer_get_part_y(buf, 0);
	}
	bool last = adapter_frame(&args, &f);
	arv_stream_push_buffer(stream, buf);
	return last;
}

/* ---- device loss ---- */

static void device_lost(const char *why)
{
	lost = true;
	adapter_lost(why);
	/* nothing to stop on a camera that is gone */
	if (!close_camera(false) || !args.reopen)
		return;
	uint64_t deadline = adapter_now_ms() + args.reopen_ms;
	bool again;
	/* Aravis lists USB devices through one libusb context it keeps; where no udev daemon
	 * tells libusb about a device that came back (a minimal VM, a container) that list never
	 * changes. arv_shutdown() drops the interfaces, so the next listing starts afresh.
	 * Nothing of Aravis is in use here: the camera and its stream were closed above. */
	do {
		arv_shutdown();
		again = open_camera(true);
	} while (!again && adapter_now_ms() < deadline && usleep(100000) == 0);
	if (!again && !open_camera(false))
		return;
	lost = false;
	if (!started || start())
		adapter_reopened();
}

/* A failed feature access: the device went away when Aravis says it is not connected. */
static void check_gone(const GError *err)
{
	if (!lost && (g_atomic_int_get(&control_lost) ||
		      (err && err->domain == ARV_DEVICE_ERROR && err->code == ARV_DEVICE_ERROR_NOT_CONNECTED)))
		device_lost(err ? err->message : "control-lost");
}

/* ---- control ---- */

static void control(const struct adapter_command *c)
{
	const char *stage = c->kind == ADAPTER_CMD_EXEC ? "exec" : "set";
	GError *err = NULL;

	if (lost || !camera) {
		adapter_error(stage, "%s: the device is gone", c->setting.name);
		return;
	}
	ArvDevice *device = arv_camera_get_device(camera);
	if (c->kind == ADAPTER_CMD_EXEC)
		arv_device_execute_command(device, c->setting.name, &err);
	else
		adapter_genicam_write(arv_device_get_genicam(device), &c->setting, &err);
	if (err) {
		if (c->kind == ADAPTER_CMD_EXEC)
			adapter_error(stage, "%s: %s", c->setting.name, err->message);
		else
			adapter_error(stage, "%s=%s: %s", c->setting.name, c->setting.value, err->message);
		check_gone(err);
	}
	g_clear_error(&err);
}

/* Grabs until stop, end of input or --frames. */
static void grab(void)
{
	uint64_t last_buffer = adapter_now_ms();

	for (;;) {
		if (!adapter_serve_commands(0, control))
			return;
		if (!lost && g_atomic_int_get(&control_lost))
			device_lost("control-lost");
		if (lost || !stream) {
			if (!adapter_serve_commands(-1, control))
				return;
			last_buffer = adapter_now_ms();
			continue;
		}
		ArvBuffer *buf = arv_stream_timeout_pop_buffer(stream, POLL_SLICE_US);
		if (!buf) {
			if (adapter_now_ms() - last_buffer >= args.timeout_ms) {
				adapter_timeout();
				last_buffer = adapter_now_ms();
			}
			continue;
		}
		last_buffer = adapter_now_ms();
		if (report(buf))
			return;
	}
}

int main(int argc, char **argv)
{
	static const struct adapter_option own[] = { { "--mode", &mode }, { NULL, NULL } };
	struct adapter_command c;
	char version[32];

	adapter_parse_args(argc, argv, "dfk-adapter-aravis", own, &args);
	if (mode && strcmp(mode, "sync") != 0 && strcmp(mode, "async") != 0) {
		fprintf(stderr, "dfk-adapter-aravis: --mode sync or async, not '%s'\n", mode);
		return ADAPTER_EXIT_USAGE;
	}
	snprintf(version, sizeof(version), "%u.%u.%u", arv_get_major_version(), arv_get_minor_version(),
		 arv_get_micro_version());
	adapter_hello("aravis", version, mode ? mode : "sync");
	if (open_camera(false))
		adapter_ready();
	else
		lost = true;   /* nothing to grab from: wait for stop */
	for (;;) {
		if (!adapter_next_command(-1, &c))
			continue;
		if (c.kind == ADAPTER_CMD_STOP)
			break;
		if (c.kind == ADAPTER_CMD_GO && !lost) {
			started = true;
			start();
			grab();
			break;
		}
		if (c.kind != ADAPTER_CMD_GO)
			control(&c);
	}
	if (!close_camera(!lost)) {
		adapter_done();
		_exit(0);   /* the hung stream thread would keep exit() from returning: see the top */
	}
	adapter_done();
	arv_shutdown();
	return 0;
}
