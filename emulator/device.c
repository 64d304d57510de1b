/* SPDX-License-Identifier: MIT */
#include "device.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include "camera/camera_io.h"
#include "common/atomicfile.h"
#include "common/errors.h"
#include "device_faults.h"
#include "device_monitor.h"
#include "common/log.h"
#include "u3v/genicam_xml.h"
#include "uvc/uvc_defs.h"

/* DeviceReset: time for the host to collect the ack before the camera leaves the bus. */
#define RESET_UNPLUG_NS (100ull * 1000000)

/* The camera's device time, for every layer that runs on it (bootstrap timestamp,
 * the stream's link, fault and monitor hooks). */
uint64_t emu_device_now(void *ctx)
{
	struct emu_device *d = ctx;

	return camera_io_now(&d->cam);
}

static int boot_user_name(void *ctx, const char *name)
{
	struct emu_device *d = ctx;

	return camera_set_user_id(&d->cam, name);
}

static uint64_t boot_payload(void *ctx)
{
	struct emu_device *d = ctx;

	return camera_payload_size(&d->cam);
}

static void boot_stream_enable(void *ctx, bool enable)
{
	struct emu_device *d = ctx;

	u3v_stream_enable(&d->stream, enable);
}

static void boot_event_test(void *ctx)
{
	struct emu_device *d = ctx;

	/* U3V 5.5.3: a test event carries event id 0x4FFF */
	u3v_device_post_event(&d->u3v, 0x4FFF, camera_io_now(&d->cam), NULL, 0);
}

static const struct u3v_bootstrap_ops boot_ops = {
	.now_ns = emu_device_now,
	.user_name_changed = boot_user_name,
	.required_payload = boot_payload,
	.stream_enable = boot_stream_enable,
	.event_test = boot_event_test,
};

static void unplug_now(struct evloop *loop, void *arg)
{
	struct emu_device *d = arg;

	(void)loop;
	if (d->srv)
		usbip_server_unplug(d->srv, &d->exp, "DeviceReset: the camera restarts");
}

static void cam_device_reset(void *ctx)
{
	struct emu_device *d = ctx;

	log_info("camera %s: DeviceReset", d->cam.serial);
	evloop_timer_start(d->loop, &d->unplug_timer, mono_now_ns() + RESET_UNPLUG_NS);
}

/* The frame memory's level in the event log (and so in the VCD trace), at each change. */
static void log_memory_level(struct emu_device *d)
{
	if (d->face == EMU_FACE_UVC)
		camera_io_log_event(&d->cam, EV_FRAME_MEMORY, (int64_t)uvc_stream_level(&d->uvc.stream),
				    d->uvc.stream.n_frames);
	else
		camera_io_log_event(&d->cam, EV_FRAME_MEMORY, (int64_t)u3v_stream_level(&d->stream),
				    d->stream.n_frames);
}

/* The UVC face: the frame goes out as it is (the payload of the committed pixel
 * format); of the faults, the link's apply (frame-level ones are USB3 Vision's). */
static int uvc_frame_out(struct emu_device *d, const struct frame_meta *m, struct blob *payload)
{
	size_t len = m->payload_size;
	int rc = uvc_stream_push(&d->uvc.stream, payload, m->data ? m->data : payload->data, len, m->timestamp_ns, m->block_id,
				 emu_faults_link_ns(d, m->link_ns, len), 0);

	if (rc == DFK_OK)
		log_memory_level(d);
	return rc;
}

static int cam_frame_out(void *ctx, const struct frame_meta *m, struct blob *payload)
{
	struct emu_device *d = ctx;
	struct u3vsp_leader l = {
		.block_id = m->block_id, .payload_type = U3VSP_PAYLOAD_IMAGE, .timestamp = m->timestamp_ns,
		.pixel_format = m->pfnc, .size_x = m->width, .size_y = m->height, .offset_x = m->offset_x,
		.offset_y = m->offset_y, .padding_x = 0,
	};
	struct u3vsp_trailer t = {
		.block_id = m->block_id, .status = U3VSP_STATUS_OK, .valid_payload_size = m->payload_size,
		.size_y = m->height,
	};

	size_t len = m->payload_size;
	uint32_t tag;
	int rc;

	if (d->face == EMU_FACE_UVC)
		return uvc_frame_out(d, m, payload);
	emu_faults_frame(d, &l, &t, &len);
	/* what the host will get, for the event log's frame_sent (and so a driver test's truth) */
	tag = t.status | (len < m->payload_size ? EV_SENT_SHORT : 0) | (d->corrupt_pending ? EV_SENT_CORRUPT : 0);
	rc = u3v_stream_push(&d->stream, &l, &t, payload, m->data ? m->data : payload->data, len, m->readout_end_ns,
			     emu_faults_link_ns(d, m->link_ns, len), tag);
	if (rc == DFK_OK) {
		log_memory_level(d);
	} else if (rc == DFK_ERR_BUSY) {
		emu_monitor_frame_dropped(d, l.block_id);
	}
	return rc;
}

static bool cam_frame_room(void *ctx, size_t len)
{
	struct emu_device *d = ctx;

	/* at time scale 0 frames are made just in time: two in the buffer are enough */
	if (d->face == EMU_FACE_UVC)
		return d->uvc.stream.n_frames < 2 && uvc_stream_has_room(&d->uvc.stream, len);
	return d->stream.n_frames < 2 && u3v_stream_has_room(&d->stream, len);
}

static void cam_frame_flush(void *ctx)
{
	struct emu_device *d = ctx;

	if (d->face == EMU_FACE_UVC)
		uvc_stream_flush(&d->uvc.stream);
	else
		u3v_stream_flush(&d->stream);
}

static void cam_acquisition_changed(void *ctx, bool running)
{
	struct emu_device *d = ctx;

	if (d->face != EMU_FACE_UVC)
		emu_monitor_acquisition(ctx, running);
}

static const struct camera_ops cam_ops = {
	.acquisition_changed = cam_acquisition_changed,
	.device_reset = cam_device_reset,
	.frame_out = cam_frame_out,
	.frame_room = cam_frame_room,
	.frame_flush = cam_frame_flush,
};

static void stream_room(void *ctx)
{
	struct emu_device *d = ctx;

	log_memory_level(d);
	camera_io_stream_room(&d->cam);
}

/* ---- the link: the stream's device clock ---- */

static void link_wake_at(void *ctx, uint64_t t)
{
	struct emu_device *d = ctx;

	camera_io_at(&d->cam, &d->link_wake, t);
}

static void link_frame_sent(void *ctx, uint64_t block_id, uint32_t tag, uint64_t t)
{
	struct emu_device *d = ctx;

	(void)t;
	camera_io_log_event(&d->cam, EV_FRAME_SENT, (int64_t)block_id, tag);
}

static void link_frame_handed(void *ctx, uint64_t block_id, uint64_t ready_at, uint64_t link_ns, uint64_t t)
{
	struct emu_device *d = ctx;

	(void)block_id;
	latency_add(&d->handoff, t > ready_at + link_ns ? t - ready_at - link_ns : 0);
	d->handoff_link_ns = link_ns;
}

static void link_woken(void *arg, uint64_t t)
{
	struct emu_device *d = arg;

	(void)t;
	if (d->face == EMU_FACE_UVC)
		usb_device_in_ready(&d->uvc.usb, UVC_EP_VIDEO_IN);
	else
		usb_device_in_ready(&d->u3v.usb, U3V_EP_STREAM_IN);
}

/* Cable plugged in: the camera powers up. Unplugged: it stops. */
static void export_attached(void *ctx, bool attached)
{
	struct emu_device *d = ctx;

	evloop_timer_stop(d->loop, &d->unplug_timer);
	u3v_device_reset(&d->u3v);
	if (d->has_uvc)
		uvc_device_reset(&d->uvc);
	if (attached) {
		latency_clear(&d->handoff);
		camera_power_on(&d->cam);
		emu_faults_power_up(d);
	} else {
		camera_io_unplugged(&d->cam);
	}
}

/* ---- the UVC face: COMMIT starts acquisition in the committed format ---- */

static int set_feature(struct emu_device *d, int idx, double v)
{
	if (idx < 0)
		return DFK_OK;   /* the model lacks it: nothing to set */
	return feature_set(&d->cam.fs, idx, (struct feat_value){ .i = llround(v), .f = v });
}

/* Execute a command feature (its CommandValue is the model default). */
static int execute(struct emu_device *d, int idx)
{
	const struct feature_def *f = idx >= 0 ? feature_def(&d->cam.fs, idx) : NULL;
	int rc;

	if (!f)
		return DFK_ERR_NOTFOUND;
	rc = feature_set(&d->cam.fs, idx, (struct feat_value){ .i = f->def, .f = (double)f->def });
	if (rc < 0)
		log_warn("camera %s: UVC: %s: %s", d->cam.serial, f->name, dfk_strerror(rc));
	return rc;
}

static int uvc_commit(void *ctx, const struct uvc_format *fmt, const struct uvc_frame *fr, uint32_t interval)
{
	struct emu_device *d = ctx;
	const struct camera_feature_index *ix = &d->cam.idx;
	double fps = 1e7 / interval;
	struct feat_value lo, hi;
	int rc = DFK_OK;

	if (d->cam.acquiring)
		execute(d, ix->acquisition_stop);
	/* the UVC sizes are full-resolution readouts of a region (docs/uvc.md) */
	int plain[] = { ix->binning_h, ix->binning_v, ix->decimation_h, ix->decimation_v };
	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]) && rc == DFK_OK; i++)
		if (plain[i] >= 0 && d->cam.fs.val[plain[i]].i != 1)
			rc = set_feature(d, plain[i], 1);
	if (rc == DFK_OK)
		rc = set_feature(d, ix->pixel_format, fmt->pfnc);
	if (rc == DFK_OK)
		rc = set_feature(d, ix->width, fr->width);
	if (rc == DFK_OK)
		rc = set_feature(d, ix->height, fr->height);
	if (rc == DFK_OK)
		rc = set_feature(d, ix->acquisition_mode, 0);   /* Continuous: a video stream */
	if (rc == DFK_OK && set_feature(d, ix->frame_rate, fps) < 0 &&
	    feature_limits(&d->cam.fs, ix->frame_rate, &lo, &hi) == DFK_OK)
		rc = set_feature(d, ix->frame_rate, hi.f < fps ? hi.f : lo.f);
	if (rc < 0) {
		log_warn("camera %s: UVC commit of %s %ux%u: %s", d->cam.serial, fmt->fourcc, fr->width, fr->height,
			 dfk_strerror(rc));
		return UVC_ERR_WRONG_STATE;
	}
	log_info("camera %s: UVC streaming %s %ux%u at %.3f fps", d->cam.serial, fmt->fourcc, fr->width, fr->height,
		 fps);
	if (execute(d, ix->acquisition_start) < 0 || !d->cam.acquiring)
		return UVC_ERR_WRONG_STATE;
	return UVC_ERR_NONE;
}

static void uvc_stop(void *ctx)
{
	struct emu_device *d = ctx;

	if (d->cam.acquiring)
		execute(d, d->cam.idx.acquisition_stop);
}

static const struct uvc_device_ops uvc_ops = { .commit = uvc_commit, .stop = uvc_stop };

/* ---- which face: persisted in the state directory ---- */

const char *emu_face_name(enum emu_face face) { return face == EMU_FACE_UVC ? "uvc" : "u3v"; }

enum emu_face emu_face_parse(const char *name)
{
	if (!strcmp(name, "u3v"))
		return EMU_FACE_U3V;
	if (!strcmp(name, "uvc"))
		return EMU_FACE_UVC;
	return EMU_FACE_DEFAULT;
}

static void face_path(const struct emu_device *d, char *buf, size_t len)
{
	snprintf(buf, len, "%s/interface", d->cam.state_dir);
}

static enum emu_face face_remembered(const struct emu_device *d)
{
	char path[PATH_MAX + 16], *text = NULL;
	enum emu_face face = EMU_FACE_U3V;
	size_t len = 0;

	face_path(d, path, sizeof(path));
	if (read_file(path, 64, &text, &len) < 0)
		return EMU_FACE_U3V;
	if (len && text[len - 1] == '\n')
		text[len - 1] = 0;
	if (emu_face_parse(text) != EMU_FACE_DEFAULT)
		face = emu_face_parse(text);
	else
		log_warn("camera %s: %s: not u3v or uvc, using u3v", d->cam.serial, path);
	free(text);
	return face;
}

static int face_remember(const struct emu_device *d, enum emu_face face)
{
	char path[PATH_MAX + 16], text[8];
	int n = snprintf(text, sizeof(text), "%s\n", emu_face_name(face));

	face_path(d, path, sizeof(path));
	return atomic_write_file(path, text, (size_t)n);
}

/* Point the export at a face; the monitor judges USB3 Vision traffic only. */
static void show_face(struct emu_device *d, enum emu_face face)
{
	d->face = face;
	if (face == EMU_FACE_UVC) {
		d->exp.dev = &d->uvc.usb;
		d->exp.observer = NULL;
		d->exp.observer_ctx = NULL;
	} else {
		d->exp.dev = &d->u3v.usb;
		d->exp.observer = d->u3v_observer;
		d->exp.observer_ctx = d->u3v_observer_ctx;
	}
}

int emu_device_set_face(struct emu_device *d, enum emu_face face)
{
	int rc;

	if (face == EMU_FACE_DEFAULT)
		return DFK_ERR_INVAL;
	if (face == EMU_FACE_UVC && !d->has_uvc)
		return DFK_ERR_NOTSUP;
	rc = face_remember(d, face);
	if (rc < 0)
		return rc;
	if (face == d->face)
		return DFK_OK;
	log_info("camera %s: interface %s: the camera restarts", d->cam.serial, emu_face_name(face));
	/* the firmware's mode switch: off the bus, and back with the other face */
	if (d->srv)
		usbip_server_unplug(d->srv, &d->exp, "interface switch: the camera restarts");
	show_face(d, face);
	return DFK_OK;
}

static int uvc_face_init(struct emu_device *d, const struct emu_device_config *cfg)
{
	const struct camera_identity *id = &cfg->model->identity;
	struct uvc_identity uid = { .vendor_id = id->vendor_id, .product_id = id->uvc_product_id,
				    .bcd_device = id->bcd_device, .manufacturer = id->manufacturer,
				    .product = id->model_name, .serial = d->cam.serial };
	int rc;

	if (!id->uvc_product_id)
		return DFK_OK;   /* a camera without the UVC firmware */
	rc = uvc_device_init(&d->uvc, cfg->model, &d->cam.fs, &uid, cfg->model->frame_memory_bytes,
			     cfg->model->frame_memory_frames, &uvc_ops, d);
	if (rc == DFK_ERR_NOTSUP)
		return DFK_OK;
	if (rc < 0)
		return rc;
	d->has_uvc = true;
	d->uvc_link_clock = (struct uvc_stream_clock){
		.now = emu_device_now, .wake_at = link_wake_at, .sent = link_frame_sent, .ctx = d,
	};
	uvc_stream_set_clock(&d->uvc.stream, &d->uvc_link_clock);
	d->uvc.stream.room = stream_room;
	d->uvc.stream.room_ctx = d;
	return DFK_OK;
}

/* --interface wins and is remembered; without it, the state directory's choice. */
static int choose_face(struct emu_device *d, enum emu_face asked)
{
	enum emu_face face = asked;

	if (face == EMU_FACE_DEFAULT) {
		face = face_remembered(d);
	} else if (face_remember(d, face) < 0) {
		log_warn("camera %s: cannot remember interface %s in %s", d->cam.serial, emu_face_name(face),
			 d->cam.state_dir);
	}
	if (face == EMU_FACE_UVC && !d->has_uvc) {
		if (asked == EMU_FACE_UVC) {
			log_err("camera %s: model %s has no UVC interface", d->cam.serial, d->cam.model->id);
			return DFK_ERR_NOTSUP;
		}
		face = EMU_FACE_U3V;
	}
	show_face(d, face);
	return DFK_OK;
}

int emu_device_init(struct emu_device *d, struct evloop *loop, const struct emu_device_config *cfg)
{
	const struct camera_identity *id = &cfg->model->identity;
	int rc;

	memset(d, 0, sizeof(*d));
	d->loop = loop;
	evloop_timer_init(&d->unplug_timer, unplug_now, d);
	rc = camera_init(&d->cam, cfg->model, loop, cfg->serial, cfg->state_dir, &cfg->opt);
	if (rc < 0)
		return rc;
	camera_set_ops(&d->cam, &cam_ops, d);
	d->xml = genicam_xml_generate(cfg->model, &d->xml_len);
	if (!d->xml)
		return DFK_ERR_NOMEM;

	u3v_device_init(&d->u3v, id->vendor_id, id->product_id, id->bcd_device, id->model_name, cfg->serial);
	struct u3v_identity_strings strings = {
		.manufacturer = id->manufacturer, .model = id->model_name, .family = id->family_name,
		.version = id->device_version, .info = id->manufacturer_info, .serial = cfg->serial,
		.user_name = d->cam.user_id,
	};
	rc = u3v_bootstrap_init(&d->u3v.boot, &strings, cfg->model->max_response_ms, d->xml, d->xml_len,
				id->xml_version, &boot_ops, d);
	if (rc < 0)
		return rc;

	regmap_init(&d->map);
	rc = u3v_bootstrap_add_regions(&d->u3v.boot, &d->map);
	if (rc == 0)
		rc = feature_store_add_regions(&d->cam.fs, &d->map);
	if (rc == 0)
		rc = regmap_seal(&d->map);
	if (rc < 0) {
		log_err("camera %s: register map of model %s is inconsistent", cfg->serial, cfg->model->id);
		return rc;
	}
	u3v_device_attach_control(&d->u3v, &d->map, loop, cfg->model->flash_write_ms);
	if (!cfg->model->frame_memory_bytes || !cfg->model->frame_memory_frames) {
		log_err("model %s has no frame memory (frame_memory_bytes/frames)", cfg->model->id);
		return DFK_ERR_INVAL;
	}
	u3v_stream_init(&d->stream, &d->u3v.usb, U3V_EP_STREAM_IN, cfg->model->frame_memory_bytes,
			cfg->model->frame_memory_frames);
	d->u3v.stream = &d->stream;
	d->stream.room = stream_room;
	d->stream.room_ctx = d;
	d->link_clock = (struct u3v_stream_clock){
		.now = emu_device_now, .wake_at = link_wake_at, .sent = link_frame_sent, .handed = link_frame_handed,
		.ctx = d,
	};
	sched_event_init(&d->link_wake, link_woken, d);
	u3v_stream_set_clock(&d->stream, &d->link_clock);
	rc = uvc_face_init(d, cfg);
	if (rc < 0)
		return rc;
	emu_faults_init(d);

	snprintf(d->exp.busid, sizeof(d->exp.busid), "1-%u", cfg->bus_index);
	d->exp.busnum = 1;
	d->exp.devnum = 1 + cfg->bus_index;
	d->exp.dev = &d->u3v.usb;
	d->exp.bulk_ep = U3V_EP_STREAM_IN;   /* GenCP and events go ahead of frame data */
	d->exp.attached = export_attached;
	d->exp.ctx = d;
	if (cfg->monitor && (rc = emu_monitor_init(d)) < 0)
		return rc;
	d->u3v_observer = d->exp.observer;
	d->u3v_observer_ctx = d->exp.observer_ctx;
	return choose_face(d, cfg->face);
}

int emu_device_export(struct emu_device *d, struct usbip_server *srv)
{
	d->srv = srv;
	return usbip_server_export(srv, &d->exp);
}

static void vcd_observe(void *ctx, const struct ev_record *r)
{
	struct emu_device *d = ctx;

	vcd_record(&d->vcd, r);
}

int emu_device_vcd_start(struct emu_device *d, const char *path)
{
	int rc;

	emu_device_vcd_stop(d);
	rc = vcd_open(&d->vcd, path, d->cam.model->id, camera_io_now(&d->cam),
		      camera_io_trigger_level(&d->cam), camera_io_strobe_level(&d->cam));
	if (rc == 0)
		camera_io_observe(&d->cam, vcd_observe, d);
	return rc;
}

void emu_device_vcd_stop(struct emu_device *d)
{
	camera_io_observe(&d->cam, NULL, NULL);
	vcd_close(&d->vcd);
}

void emu_device_free(struct emu_device *d)
{
	emu_device_vcd_stop(d);
	emu_monitor_free(d);
	evloop_timer_stop(d->loop, &d->unplug_timer);
	u3v_stream_free(&d->stream);
	if (d->has_uvc)
		uvc_device_free(&d->uvc);
	u3v_control_free(&d->u3v.ctl);
	regmap_free(&d->map);
	camera_free(&d->cam);
	free(d->xml);
}
