/* SPDX-License-Identifier: MIT */
#include "device.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "camera/camera_io.h"
#include "common/errors.h"
#include "device_faults.h"
#include "device_monitor.h"
#include "common/log.h"
#include "u3v/genicam_xml.h"

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
	camera_io_log_event(&d->cam, EV_FRAME_MEMORY, (int64_t)u3v_stream_level(&d->stream), d->stream.n_frames);
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
	return d->stream.n_frames < 2 && u3v_stream_has_room(&d->stream, len);
}

static void cam_frame_flush(void *ctx)
{
	struct emu_device *d = ctx;

	u3v_stream_flush(&d->stream);
}

static void cam_acquisition_changed(void *ctx, bool running)
{
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
	usb_device_in_ready(&d->u3v.usb, U3V_EP_STREAM_IN);
}

/* Cable plugged in: the camera powers up. Unplugged: it stops. */
static void export_attached(void *ctx, bool attached)
{
	struct emu_device *d = ctx;

	evloop_timer_stop(d->loop, &d->unplug_timer);
	u3v_device_reset(&d->u3v);
	if (attached) {
		latency_clear(&d->handoff);
		camera_power_on(&d->cam);
		emu_faults_power_up(d);
	} else {
		camera_io_unplugged(&d->cam);
	}
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
	emu_faults_init(d);

	snprintf(d->exp.busid, sizeof(d->exp.busid), "1-%u", cfg->bus_index);
	d->exp.busnum = 1;
	d->exp.devnum = 1 + cfg->bus_index;
	d->exp.dev = &d->u3v.usb;
	d->exp.bulk_ep = U3V_EP_STREAM_IN;   /* GenCP and events go ahead of frame data */
	d->exp.attached = export_attached;
	d->exp.ctx = d;
	if (cfg->monitor)
		return emu_monitor_init(d);
	return DFK_OK;
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
	u3v_control_free(&d->u3v.ctl);
	regmap_free(&d->map);
	camera_free(&d->cam);
	free(d->xml);
}
