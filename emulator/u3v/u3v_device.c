/* SPDX-License-Identifier: MIT */
#include "u3v_device.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/bytes.h"
#include "../common/log.h"
#include "u3v_stream.h"
#include "u3vcp.h"

static int fn_bulk_out(void *fn, uint8_t ep, const uint8_t *data, size_t len)
{
	struct u3v_device *d = fn;

	if (ep != U3V_EP_CONTROL_OUT)
		return USB_ST_STALL;
	return u3v_control_command(&d->ctl, data, len);
}

static int event_pull(struct u3v_device *d, uint32_t max_len, struct usb_in_chunk *chunk)
{
	static uint8_t out[1024];
	unsigned i;
	size_t len;

	if (!d->events.count)
		return 0;
	i = d->events.head;
	len = d->events.len[i];
	d->events.head = (i + 1) % U3V_EVENT_QUEUE;
	d->events.count--;
	if (len > max_len || len > sizeof(out)) {
		free(d->events.pkt[i]);
		d->events.stats.dropped++;
		chunk->status = USB_ST_OVERFLOW;
		chunk->len = 0;
		return 1;
	}
	memcpy(out, d->events.pkt[i], len);
	free(d->events.pkt[i]);
	d->events.stats.sent++;
	chunk->status = USB_ST_OK;
	chunk->data = out;
	chunk->len = len;
	return 1;
}

static int fn_bulk_in(void *fn, uint8_t ep, uint32_t max_len, struct usb_in_chunk *chunk)
{
	struct u3v_device *d = fn;

	switch (ep) {
	case U3V_EP_CONTROL_IN:
		return u3v_control_ack_pull(&d->ctl, max_len, chunk);
	case U3V_EP_EVENT_IN:
		return event_pull(d, max_len, chunk);
	case U3V_EP_STREAM_IN:
		return d->stream ? u3v_stream_pull(d->stream, max_len, chunk) : 0;
	default:
		return 0;
	}
}

static void drop_events(struct u3v_device *d)
{
	while (d->events.count) {
		free(d->events.pkt[d->events.head]);
		d->events.head = (d->events.head + 1) % U3V_EVENT_QUEUE;
		d->events.count--;
	}
}

static void fn_halt_changed(void *fn, uint8_t ep, bool halted)
{
	struct u3v_device *d = fn;

	/* CLEAR_FEATURE(HALT) resets the pipe: whatever was queued on it is gone */
	if (ep == U3V_EP_STREAM_IN && d->stream)
		u3v_stream_halt(d->stream, halted);
	else if (ep == U3V_EP_EVENT_IN && !halted)
		drop_events(d);
}

static void fn_configured(void *fn, uint8_t config)
{
	struct u3v_device *d = fn;

	if (config == 0 && d->stream)
		u3v_stream_halt(d->stream, false);
}

static const struct usb_function_ops u3v_fn_ops = {
	.bulk_out = fn_bulk_out,
	.bulk_in = fn_bulk_in,
	.halt_changed = fn_halt_changed,
	.configured = fn_configured,
};

static void ack_ready(void *ctx)
{
	struct u3v_device *d = ctx;

	usb_device_in_ready(&d->usb, U3V_EP_CONTROL_IN);
}

void u3v_device_init(struct u3v_device *d, uint16_t vid, uint16_t pid, uint16_t bcd_device, const char *product,
		     const char *serial)
{
	memset(d, 0, sizeof(*d));
	u3v_descriptors_init(&d->desc, vid, pid, bcd_device);
	/* GUID: 12 characters, the vendor id first, then the serial number */
	snprintf(d->guid, sizeof(d->guid), "%04X%.8s", vid, serial);
	d->strings[U3V_STR_MANUFACTURER] = d->boot.manufacturer;
	d->strings[U3V_STR_PRODUCT] = product;
	d->strings[U3V_STR_SERIAL] = d->boot.serial;
	d->strings[U3V_STR_FUNCTION] = "USB3 Vision";
	d->strings[U3V_STR_GUID] = d->guid;
	d->strings[U3V_STR_VENDOR_NAME] = d->boot.manufacturer;
	d->strings[U3V_STR_MODEL_NAME] = d->boot.model;
	d->strings[U3V_STR_FAMILY_NAME] = d->boot.family;
	d->strings[U3V_STR_DEVICE_VERSION] = d->boot.version;
	d->strings[U3V_STR_MANUFACTURER_INFO] = d->boot.info;
	d->strings[U3V_STR_USER_NAME] = d->boot.user_name;
	usb_device_init(&d->usb, &d->desc.device, d->strings, U3V_STR_COUNT, &u3v_fn_ops, d);
}

void u3v_device_attach_control(struct u3v_device *d, const struct regmap *map, struct evloop *loop,
			       uint32_t flash_ms)
{
	u3v_control_init(&d->ctl, map, loop, flash_ms, ack_ready, d);
}

void u3v_device_reset(struct u3v_device *d)
{
	u3v_control_reset(&d->ctl);
	drop_events(d);
	d->events.next_id = 0;
	u3v_bootstrap_reset(&d->boot);
	if (d->stream)
		u3v_stream_reset(d->stream);
}

void u3v_device_post_event(struct u3v_device *d, uint16_t event_id, uint64_t timestamp, const void *data,
			   uint16_t len)
{
	size_t total = U3VCP_HEADER_SIZE + 12 + (size_t)len;
	uint8_t *pkt;
	unsigned slot;

	if (!(d->boot.ei_control & 1) || total > d->boot.max_event_transfer) {
		d->events.stats.dropped++;
		return;
	}
	if (d->events.count == U3V_EVENT_QUEUE) {
		d->events.stats.dropped++;
		return;
	}
	pkt = malloc(total);
	if (!pkt) {
		d->events.stats.dropped++;
		return;
	}
	struct u3vcp_header h = { U3VCP_EVENT_PREFIX, 0, U3VCP_EVENT_CMD, (uint16_t)(12 + len), ++d->events.next_id };
	if (d->events.next_id == 0)
		h.request_id = d->events.next_id = 1;
	u3vcp_header_pack(pkt, &h);
	put_le16(pkt + 12, 0);
	put_le16(pkt + 14, event_id);
	put_le64(pkt + 16, timestamp);
	if (len)
		memcpy(pkt + 24, data, len);
	slot = (d->events.head + d->events.count) % U3V_EVENT_QUEUE;
	d->events.pkt[slot] = pkt;
	d->events.len[slot] = total;
	d->events.count++;
	usb_device_in_ready(&d->usb, U3V_EP_EVENT_IN);
}
