/* SPDX-License-Identifier: MIT */
/* A USB Video Class function on the USB device core -- the counterpart of
 * u3v_device.h: descriptors and strings, the class requests on EP0 (controls
 * of the camera terminal, processing unit and extension unit; probe and
 * commit), and the video stream on bulk IN 0x81.
 *
 * The camera behind it is reached through the feature store (controls) and
 * the ops below (streaming): COMMIT starts acquisition in the committed
 * format; CLEAR_FEATURE(ENDPOINT_HALT) on 0x81, SET_INTERFACE or
 * unconfiguring stop it. */
#ifndef DFK_UVC_DEVICE_H
#define DFK_UVC_DEVICE_H

#include <stdbool.h>
#include <stdint.h>

#include "../camera/features.h"
#include "../usb/usb_device.h"
#include "uvc_controls.h"
#include "uvc_desc.h"
#include "uvc_formats.h"
#include "uvc_probe.h"
#include "uvc_stream.h"

struct uvc_device_ops {
	/* COMMIT: stream `fmt` at `fr`'s size, one frame per `interval` (100 ns) at
	 * most. Returns 0 or a UVC_ERR_* code. The stream is started already. */
	int (*commit)(void *ctx, const struct uvc_format *fmt, const struct uvc_frame *fr, uint32_t interval);
	/* Streaming stopped by the host. */
	void (*stop)(void *ctx);
};

struct uvc_identity {
	uint16_t vendor_id, product_id, bcd_device;
	const char *manufacturer, *product, *serial;
};

struct uvc_device_stats {
	uint64_t requests, stalls, commits, stops;
};

struct uvc_device {
	struct usb_device usb;
	struct uvc_formats formats;
	struct uvc_descriptors desc;
	struct uvc_controls controls;
	struct uvc_stream stream;
	const char *strings[UVC_STR_COUNT];
	struct uvc_probe probe;          /* the negotiation in progress */
	struct uvc_probe commit;         /* the last committed */
	bool streaming;
	uint8_t error_code;              /* VC_REQUEST_ERROR_CODE_CONTROL */
	const struct uvc_device_ops *ops;
	void *ops_ctx;
	struct uvc_device_stats stats;
};

/* Returns 0, DFK_ERR_NOTSUP (the model has no UVC format) or DFK_ERR_NOMEM.
 * `id` strings must outlive the device. */
int uvc_device_init(struct uvc_device *d, const struct camera_model *m, struct feature_store *fs,
		    const struct uvc_identity *id, size_t frame_memory_bytes, unsigned frame_memory_frames,
		    const struct uvc_device_ops *ops, void *ctx);
void uvc_device_free(struct uvc_device *d);
/* Power cycle / bus reset: streaming stops, negotiation back to the defaults. */
void uvc_device_reset(struct uvc_device *d);

#endif
