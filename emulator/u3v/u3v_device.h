/* SPDX-License-Identifier: MIT */
/* A USB3 Vision device function on the USB device core: descriptors and
 * strings, the control channel (GenCP over bulk OUT 0x01 / IN 0x81), the event
 * channel (bulk IN 0x82) and the streaming channel (bulk IN 0x83).
 * The camera behind it is reached only through the register map. */
#ifndef DFK_U3V_DEVICE_H
#define DFK_U3V_DEVICE_H

#include <stdbool.h>
#include <stdint.h>

#include "../regmap/regmap.h"
#include "../usb/usb_device.h"
#include "u3v_bootstrap.h"
#include "u3v_control.h"
#include "u3v_desc.h"

#define U3V_EVENT_QUEUE 64

struct u3v_stream;   /* u3v_stream.h */

struct u3v_event_stats {
	uint64_t sent, dropped;
};

struct u3v_device {
	struct usb_device usb;
	struct u3v_descriptors desc;
	const char *strings[U3V_STR_COUNT];
	char guid[16];
	struct u3v_bootstrap boot;
	struct u3v_control ctl;
	struct u3v_stream *stream;         /* optional: NULL = no image data */

	/* event channel: a ring of complete EVENT_CMD packets */
	struct {
		uint8_t *pkt[U3V_EVENT_QUEUE];
		size_t len[U3V_EVENT_QUEUE];
		unsigned head, count;
		uint16_t next_id;
		struct u3v_event_stats stats;
	} events;
	uint64_t (*now_ns)(void *ctx);
	void *now_ctx;
};

/* The strings named by the descriptors; the pointers must stay valid (the
 * user-defined name is read live from the bootstrap). */
void u3v_device_init(struct u3v_device *d, uint16_t vid, uint16_t pid, uint16_t bcd_device, const char *product,
		     const char *serial);
/* After u3v_bootstrap_init(): connect the control channel to the register map. */
void u3v_device_attach_control(struct u3v_device *d, const struct regmap *map, struct evloop *loop,
			       uint32_t flash_ms);
/* Power cycle / bus reset: drop acks, events and stream state. */
void u3v_device_reset(struct u3v_device *d);
/* Queue an event (EVENT_CMD) for the host; dropped when events are disabled or the queue is full. */
void u3v_device_post_event(struct u3v_device *d, uint16_t event_id, uint64_t timestamp, const void *data,
			   uint16_t len);

#endif
