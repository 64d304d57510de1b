/* SPDX-License-Identifier: MIT */
#include "device_faults.h"

#include <string.h>

#include "camera/camera_io.h"
#include "common/errors.h"
#include "common/log.h"
#include "device.h"

static void fault_due_event(void *arg, uint64_t t)
{
	struct emu_device *d = arg;

	fault_engine_fire_due(&d->faults, t);
}

static void arm_due(struct emu_device *d, uint64_t t)
{
	if (t == UINT64_MAX)
		camera_io_cancel(&d->cam, &d->fault_due);
	else
		camera_io_at(&d->cam, &d->fault_due, t);
}

static void hook_due_changed(void *ctx, uint64_t next_due) { arm_due(ctx, next_due); }

/* Device kinds act on the USB/IP export: the host sees the cable go. */
static void device_fault(struct emu_device *d, const struct fault_action *a)
{
	switch (a->kind) {
	case FAULT_UNPLUG:
		if (d->srv)
			usbip_server_unplug(d->srv, &d->exp, "fault: cable pulled");
		break;
	case FAULT_RESET:
		/* as after DeviceReset: the camera leaves the bus and can be imported again at once */
		if (d->srv)
			usbip_server_unplug(d->srv, &d->exp, "fault: device reset");
		break;
	case FAULT_REPLUG:
		if (d->srv)
			usbip_server_set_present(d->srv, &d->exp, false, "fault: cable pulled, plugged back later");
		d->replug_at = a->until;
		camera_io_at(&d->cam, &d->replug_event, a->until);
		break;
	default:
		break;
	}
}

static void replug_event(void *arg, uint64_t t)
{
	struct emu_device *d = arg;

	(void)t;
	if (d->srv)
		usbip_server_set_present(d->srv, &d->exp, true, NULL);
	log_info("camera %s: plugged back in", d->cam.serial);
}

static void hook_fired(void *ctx, const struct fault_action *a)
{
	struct emu_device *d = ctx;

	camera_io_log_event(&d->cam, EV_FAULT, a->id, a->kind);
	log_info("camera %s: fault %u (%s) %s at %llu ns", d->cam.serial, a->id, fault_kind_name(a->kind),
		 a->phase == FAULT_ENDED ? "ended" : "acts", (unsigned long long)a->t);
	if (fault_kind_domain(a->kind) == FAULT_DOM_DEVICE)
		device_fault(d, a);
}

/* ---- the USB core: one transfer fault per transfer ---- */

static bool usb_on_transfer(void *ctx, uint8_t ep, struct usb_fault *out)
{
	struct emu_device *d = ctx;
	uint64_t now = camera_io_now(&d->cam);
	struct fault_action a;
	struct fault_link link;

	memset(out, 0, sizeof(*out));
	if (fault_engine_on_transfer(&d->faults, now, ep, &a)) {
		switch (a.kind) {
		case FAULT_STALL: out->kind = USB_FAULT_STALL; break;
		case FAULT_SHORT: out->kind = USB_FAULT_SHORT; out->bytes = a.arg.bytes; break;
		case FAULT_BABBLE: out->kind = USB_FAULT_BABBLE; break;
		case FAULT_DELAY: out->kind = USB_FAULT_DELAY; out->until = now + a.arg.duration; break;
		case FAULT_NAK: out->kind = USB_FAULT_NAK; out->until = a.until; break;
		case FAULT_ERROR: out->kind = USB_FAULT_ERROR; out->status = a.urb_status; break;
		default: return false;
		}
		return true;
	}
	/* a link latency setting delays every transfer by its amount */
	fault_engine_link(&d->faults, now, &link);
	if (link.latency) {
		out->kind = USB_FAULT_DELAY;
		out->until = now + link.latency;
		return true;
	}
	return false;
}

static void usb_wake_at(void *ctx, uint64_t t)
{
	struct emu_device *d = ctx;

	camera_io_at(&d->cam, &d->usb_wake, t);
}

static void usb_woken(void *arg, uint64_t t)
{
	struct emu_device *d = arg;

	(void)t;
	usb_device_wake(d->exp.dev);   /* the face shown now */
}

static const struct usb_fault_ops usb_fault_ops = {
	.on_transfer = usb_on_transfer, .now = emu_device_now, .wake_at = usb_wake_at,
};

/* ---- the GenCP control channel: one ack fault per command ---- */

static bool ack_on_command(void *ctx, uint16_t request_id, struct u3v_ack_fault *out)
{
	struct emu_device *d = ctx;
	struct fault_action a;

	memset(out, 0, sizeof(*out));
	if (!fault_engine_on_command(&d->faults, camera_io_now(&d->cam), request_id, &a))
		return false;
	switch (a.kind) {
	case FAULT_ACK_PENDING: out->kind = U3V_ACK_FAULT_PENDING; out->duration_ns = a.arg.duration; break;
	case FAULT_ACK_ERROR: out->kind = U3V_ACK_FAULT_ERROR; out->status = a.arg.status; break;
	case FAULT_ACK_WRONG_ID: out->kind = U3V_ACK_FAULT_WRONG_ID; out->ack_id = a.ack_id; break;
	case FAULT_ACK_LATE: out->kind = U3V_ACK_FAULT_LATE; out->duration_ns = a.arg.duration; break;
	case FAULT_ACK_DROP: out->kind = U3V_ACK_FAULT_DROP; break;
	default: return false;
	}
	return true;
}

static void ack_wake_at(void *ctx, uint64_t t)
{
	struct emu_device *d = ctx;

	camera_io_at(&d->cam, &d->ack_wake, t);
}

static void ack_woken(void *arg, uint64_t t)
{
	struct emu_device *d = arg;

	(void)t;
	u3v_control_wake(&d->u3v.ctl);
}

static const struct u3v_control_fault_ops ack_fault_ops = {
	.on_command = ack_on_command, .now = emu_device_now, .wake_at = ack_wake_at,
};

void emu_faults_init(struct emu_device *d)
{
	d->fault_hooks = (struct fault_hooks){ .fired = hook_fired, .due_changed = hook_due_changed, .ctx = d };
	fault_engine_init(&d->faults, &d->fault_hooks);
	sched_event_init(&d->fault_due, fault_due_event, d);
	d->stream.packed = emu_faults_frame_packed;
	d->stream.packed_ctx = d;
	sched_event_init(&d->usb_wake, usb_woken, d);
	sched_event_init(&d->ack_wake, ack_woken, d);
	usb_device_set_fault_ops(&d->u3v.usb, &usb_fault_ops, d);
	if (d->has_uvc)
		usb_device_set_fault_ops(&d->uvc.usb, &usb_fault_ops, d);
	/* after u3v_device_attach_control(): its init clears the hooks */
	u3v_control_set_fault_ops(&d->u3v.ctl, &ack_fault_ops, d);
	sched_event_init(&d->replug_event, replug_event, d);
}

void emu_faults_power_up(struct emu_device *d)
{
	/* the offsets of skip-ids and time-jump faults belong to the power cycle they acted in */
	d->block_id_offset = 0;
	d->timestamp_offset = 0;
	arm_due(d, fault_engine_next_due(&d->faults));
}

void emu_faults_frame(struct emu_device *d, struct u3vsp_leader *l, struct u3vsp_trailer *t, size_t *len)
{
	struct fault_action a;

	d->corrupt_pending = false;
	if (fault_engine_on_frame(&d->faults, camera_io_now(&d->cam), l->block_id, &a)) {
		switch (a.kind) {
		case FAULT_DROP_PAYLOAD: {
			/* the last K bytes never left the camera: the trailer says so */
			size_t whole = *len, lost = a.arg.bytes < whole ? a.arg.bytes : whole;
			size_t line = l->size_y ? whole / l->size_y : 0;
			*len = whole - lost;
			t->status = a.arg.status;
			t->valid_payload_size = *len;
			t->size_y = line ? (uint32_t)(*len / line) : 0;   /* complete lines sent */
			break;
		}
		case FAULT_EMPTY_FRAME:
			*len = 0;
			t->status = a.arg.status;
			t->valid_payload_size = 0;
			t->size_y = 0;
			break;
		case FAULT_SKIP_IDS:
			d->block_id_offset += a.arg.steps;
			break;
		case FAULT_TIME_JUMP:
			d->timestamp_offset += a.arg.offset;
			break;
		case FAULT_CORRUPT:
			d->corrupt_pending = true;
			d->corrupt_field = a.arg.field;
			d->corrupt_value = a.arg.value;
			break;
		default:
			break;
		}
	}
	l->block_id += d->block_id_offset;
	t->block_id += d->block_id_offset;
	l->timestamp = (uint64_t)((int64_t)l->timestamp + d->timestamp_offset);
}

void emu_faults_frame_packed(void *ctx, uint8_t *leader, size_t leader_len, uint8_t *trailer, size_t trailer_len)
{
	struct emu_device *d = ctx;
	bool in_leader;

	if (!d->corrupt_pending)
		return;
	d->corrupt_pending = false;
	in_leader = fault_field_info(d->corrupt_field)->leader;
	fault_field_patch(in_leader ? leader : trailer, in_leader ? leader_len : trailer_len, d->corrupt_field,
			  d->corrupt_value);
}

uint64_t emu_faults_link_ns(struct emu_device *d, uint64_t link_ns, size_t len)
{
	struct fault_link link;

	fault_engine_link(&d->faults, camera_io_now(&d->cam), &link);
	if (link_ns && link.rate) {
		/* a capped link (e.g. a USB 2.0 rate) takes longer for the same bytes */
		uint64_t capped = (uint64_t)(((unsigned __int128)len * 1000000000u + link.rate - 1) / link.rate);
		if (capped > link_ns)
			link_ns = capped;
	}
	return link_ns;
}

int emu_faults_add(struct emu_device *d, const char *line, uint32_t *id, char *err, size_t errlen)
{
	struct fault_spec spec;
	int rc = fault_parse(line, camera_io_now(&d->cam), &spec, err, errlen);

	if (rc < 0)
		return rc;
	rc = fault_engine_add(&d->faults, &spec, camera_io_now(&d->cam), id);
	if (rc == DFK_ERR_RANGE)
		snprintf(err, errlen, "%d faults are armed already", FAULT_MAX);
	else if (rc < 0)
		snprintf(err, errlen, "%s", dfk_strerror(rc));
	return rc;
}

int emu_faults_load(struct emu_device *d, const char *text, size_t len, size_t *added, char *err, size_t errlen)
{
	return fault_engine_load(&d->faults, text, len, camera_io_now(&d->cam), added, err, errlen);
}

int emu_faults_remove(struct emu_device *d, uint32_t id) { return fault_engine_remove(&d->faults, id); }

/* Every fault removed, and what they left behind undone: a cable a replug fault pulled goes
 * back in now (the next test starts from a camera on the bus, whatever the clock does). */
size_t emu_faults_clear(struct emu_device *d)
{
	size_t n = fault_engine_clear(&d->faults);

	if (d->replug_event.armed) {
		camera_io_cancel(&d->cam, &d->replug_event);
		replug_event(d, 0);
	}
	return n;
}

size_t emu_faults_count(struct emu_device *d) { return fault_engine_count(&d->faults); }

void emu_faults_list(struct emu_device *d, void (*fn)(void *ctx, const struct fault_armed *f), void *ctx)
{
	fault_engine_list(&d->faults, fn, ctx);
}
