/* SPDX-License-Identifier: MIT */
/* The UVC face's video stream: frames wait in the camera's frame memory until
 * the host's bulk IN transfers take them, cut into payloads of at most
 * dwMaxPayloadTransferSize bytes, each starting with a 12-byte payload header
 * (UVC 1.5, 2.4.3.3):
 *   byte 0 bHeaderLength = 12
 *   byte 1 EOH | SCR | PTS | (EOF on a frame's last payload) | FID (toggles per frame)
 *   2..5   PTS: device time of the frame's exposure start, in clock_hz units
 *   6..9   SCR source clock: device time when the payload's header leaves, clock_hz units
 *   10..11 SCR: a 1 kHz frame counter (device ms modulo 2048)
 * A payload ends with the transfer that carries its last byte; when that
 * transfer is full and the payload is shorter than dwMaxPayloadTransferSize,
 * the next transfer completes empty (a zero-length packet), so that the host
 * sees the end (uvcvideo: a short transfer ends a bulk payload).
 *
 * The link: as the USB3 Vision stream (u3v_stream.h), a frame's bytes cross the
 * link no faster than `link_ns` per frame, in device time. The buffer is
 * bounded by the camera's frame memory; a frame that does not fit is dropped. */
#ifndef DFK_UVC_STREAM_H
#define DFK_UVC_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/blob.h"
#include "../usb/usb_device.h"

#define UVC_PAYLOAD_HEADER 12

struct uvc_stream_frame;

struct uvc_stream_clock {
	uint64_t (*now)(void *ctx);
	void (*wake_at)(void *ctx, uint64_t t);
	void (*sent)(void *ctx, uint64_t block_id, uint32_t tag, uint64_t t);
	void *ctx;
};

struct uvc_stream_stats {
	uint64_t frames_queued, frames_sent, frames_dropped, frames_discarded;
	uint64_t payloads, zlps, babbles, payload_bytes;
	uint64_t max_level;          /* the highest buffer level seen, bytes */
};

struct uvc_stream {
	struct usb_device *usb;
	uint8_t ep;
	bool active;                  /* committed and not stopped */
	uint32_t max_payload;         /* dwMaxPayloadTransferSize */
	uint32_t clock_hz;            /* PTS/SCR units per second */
	struct uvc_stream_frame *head, *tail;
	unsigned n_frames;
	size_t bytes;
	size_t max_bytes;
	unsigned max_frames;
	uint8_t fid;                  /* FID of the next frame to start */
	bool zlp_due;
	uint8_t *scratch;             /* a payload's first transfer: header + data (max_payload bytes) */
	uint64_t link_free_at;
	void (*room)(void *ctx);
	void *room_ctx;
	const struct uvc_stream_clock *clock;
	struct uvc_stream_stats stats;
};

/* Returns 0 or DFK_ERR_NOMEM. */
int uvc_stream_init(struct uvc_stream *s, struct usb_device *usb, uint8_t ep, size_t max_bytes, unsigned max_frames,
		    uint32_t max_payload, uint32_t clock_hz);
void uvc_stream_free(struct uvc_stream *s);
void uvc_stream_set_clock(struct uvc_stream *s, const struct uvc_stream_clock *clock);
/* Start (COMMIT) or stop (halt, SET_INTERFACE, unplug): stopping discards the frames. */
void uvc_stream_start(struct uvc_stream *s);
void uvc_stream_stop(struct uvc_stream *s);
/* Queue a frame of `len` bytes (`payload` referenced). pts_ns: exposure start, device time.
 * Returns 0, DFK_ERR_BUSY (no room: dropped) or DFK_ERR_DENIED (not streaming). */
int uvc_stream_push(struct uvc_stream *s, struct blob *payload, const uint8_t *data, size_t len, uint64_t pts_ns,
		    uint64_t block_id, uint64_t link_ns, uint32_t tag);
bool uvc_stream_has_room(const struct uvc_stream *s, size_t len);
size_t uvc_stream_level(const struct uvc_stream *s);
/* Discard queued frames except one already partly sent. */
void uvc_stream_flush(struct uvc_stream *s);
/* Bulk IN pull for the device core. */
int uvc_stream_pull(struct uvc_stream *s, uint32_t max_len, struct usb_in_chunk *chunk);

#endif
