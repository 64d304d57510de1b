/* SPDX-License-Identifier: MIT */
#include "device_monitor.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "camera/camera_io.h"
#include "common/errors.h"
#include "common/log.h"
#include "device.h"
#include "monitor/host_monitor.h"
#include "u3v/u3v_bootstrap.h"

/* The monitor judges the host by the host's clock: ns of CLOCK_MONOTONIC since the monitor
 * started. The rules that involve time (a command's response time and PENDING_ACK timeout,
 * the stall grace, the unlink storm window, the session gap) are about how long the host
 * waited, and a host waits in real time: at --time-scale 0 (or on a paused clock) device
 * time stands still while a host waits out a timeout, and a host that gave up on an ack
 * after 500 ms would be judged as not having waited at all. A usbmon capture's timestamps
 * are host time as well, so the live and the offline monitor measure alike. (The event
 * log's host_violation records keep device time.) */
static uint64_t host_now(const struct emu_device *d)
{
	struct timespec ts;
	uint64_t now;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	return now > d->monitor_t0 ? now - d->monitor_t0 : 0;
}

static void obs_submit(void *ctx, const struct usb_xfer *x)
{
	struct emu_device *d = ctx;
	bool out = !(x->ep & USB_ENDPOINT_DIR_IN);
	struct hm_urb u = {
		.seq = x->id, .ep = x->ep, .type = (x->ep & 0x0F) ? HM_XFER_BULK : HM_XFER_CONTROL,
		.length = x->length, .data = out ? x->data : NULL, .data_len = out && x->data ? x->length : 0,
	};

	memcpy(u.setup, x->setup, sizeof(u.setup));
	/* the payload size the SIRM must hold follows every feature write: tell the
	 * monitor before it judges a command (a stream enable, say) */
	if (x->ep == U3V_EP_CONTROL_OUT)
		host_monitor_device_event(d->monitor, host_now(d), HM_DEV_PAYLOAD_SIZE, camera_payload_size(&d->cam));
	host_monitor_submit(d->monitor, host_now(d), &u);
}

static void obs_complete(void *ctx, const struct usb_xfer *x, const struct usb_in_chunk *r)
{
	struct emu_device *d = ctx;
	bool in = x->ep & USB_ENDPOINT_DIR_IN;

	host_monitor_complete(d->monitor, host_now(d), x->id, r->status, in ? r->data : NULL, r->len);
}

static void obs_unlink(void *ctx, uint32_t seqnum)
{
	struct emu_device *d = ctx;

	host_monitor_unlink(d->monitor, host_now(d), seqnum);
}

static void obs_disconnect(void *ctx)
{
	struct emu_device *d = ctx;

	host_monitor_disconnect(d->monitor, host_now(d));
}

static const struct usbip_observer_ops monitor_observer = {
	.submit = obs_submit, .complete = obs_complete, .unlink = obs_unlink, .disconnect = obs_disconnect,
};

static void violation(void *ctx, const struct hm_violation *v)
{
	struct emu_device *d = ctx;
	size_t n;
	const struct hm_rule *rule = &hm_rules(&n)[v->rule];
	uint64_t seen = host_monitor_rule_count(d->monitor, v->rule);

	camera_io_log_event(&d->cam, EV_HOST_VIOLATION, v->rule, v->has_urb ? (int64_t)v->seq : -1);
	/* a host that repeats a mistake a million times gets a few lines, not a million */
	if (seen > 10 && seen % 1000)
		return;
	log_warn("camera %s: host %s %s at host time %llu ns: %s (%s)", d->cam.serial, hm_severity_name(rule->severity),
		 rule->id, (unsigned long long)v->t_ns, v->detail, rule->section);
}

int emu_monitor_init(struct emu_device *d)
{
	const struct camera_model *model = d->cam.model;
	struct hm_device_facts facts = {
		.max_cmd_transfer = U3V_MAX_CMD_TRANSFER, .max_ack_transfer = U3V_MAX_ACK_TRANSFER,
		.max_response_ms = model->max_response_ms, .sirm_address = U3V_SIRM_ADDRESS,
		.si_alignment = 1u << SIRM_ALIGNMENT_LOG2, .required_leader = U3V_LEADER_SIZE_IMAGE,
		.required_trailer = U3V_TRAILER_SIZE_IMAGE, .manifest_address = U3V_MANIFEST_ADDRESS,
		.manifest_entries = 1, .xml_address = U3V_XML_ADDRESS, .xml_size = d->xml_len,
	};
	struct hm_config cfg = {
		.facts = &facts, .ep_command = U3V_EP_CONTROL_OUT, .ep_ack = U3V_EP_CONTROL_IN,
		.ep_event = U3V_EP_EVENT_IN, .ep_stream = U3V_EP_STREAM_IN, .stream_max_packet = 1024,
		.observer = violation, .observer_ctx = d,
	};

	d->monitor = host_monitor_new(&cfg);
	if (!d->monitor)
		return DFK_ERR_NOMEM;
	d->monitor_t0 = 0;
	d->monitor_t0 = host_now(d);
	d->exp.observer = &monitor_observer;
	d->exp.observer_ctx = d;
	return DFK_OK;
}

void emu_monitor_free(struct emu_device *d)
{
	host_monitor_free(d->monitor);
	d->monitor = NULL;
	d->exp.observer = NULL;
}

void emu_monitor_frame_dropped(struct emu_device *d, uint64_t block_id)
{
	if (d->monitor)
		host_monitor_device_event(d->monitor, host_now(d), HM_DEV_FRAME_DROPPED, block_id);
}

void emu_monitor_acquisition(struct emu_device *d, bool started)
{
	if (!d->monitor || !started)
		return;
	host_monitor_device_event(d->monitor, host_now(d), HM_DEV_ACQUISITION_START, d->stream.enabled);
}

size_t emu_monitor_violations(struct emu_device *d, const struct hm_violation **out)
{
	if (!d->monitor) {
		*out = NULL;
		return 0;
	}
	return host_monitor_violations(d->monitor, out);
}

static int write_one(struct emu_device *d, const char *path, const char *ext,
		     int (*writer)(const struct host_monitor *, FILE *))
{
	char name[4096];
	FILE *f;
	int rc;

	if ((size_t)snprintf(name, sizeof(name), "%s.%s", path, ext) >= sizeof(name))
		return DFK_ERR_RANGE;
	f = fopen(name, "w");
	if (!f) {
		log_err("cannot write host report %s: %s", name, strerror(errno));
		return DFK_ERR_IO;
	}
	rc = writer(d->monitor, f);
	if (fclose(f) != 0 && rc == 0)
		rc = DFK_ERR_IO;
	if (rc < 0)
		log_err("cannot write host report %s", name);
	return rc;
}

int emu_monitor_write_report(struct emu_device *d, const char *path)
{
	int rc;

	if (!d->monitor)
		return DFK_ERR_NOTSUP;
	rc = write_one(d, path, "json", host_monitor_write_json);
	if (rc == 0)
		rc = write_one(d, path, "xml", host_monitor_write_junit);
	return rc;
}
