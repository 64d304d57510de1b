/* SPDX-License-Identifier: MIT */
/* The streaming channel's frame buffer: frames wait here until the host's
 * bulk IN transfers take them, as leader / payload / trailer.
 *
 * A host may read the payload in transfers of any size that is a multiple of
 * the 1024-byte packet (or covers the rest of the payload); leader and trailer
 * always complete a transfer of their own. A transfer too small for the next
 * packet babbles (-EOVERFLOW) and the rest of that frame is lost, as on a real
 * link. The buffer is bounded: a frame that does not fit is dropped and counted.
 *
 * The link: with a device clock set (u3v_stream_set_clock), a frame's bytes
 * leave the buffer no faster than the link carries them, in device time: its
 * payload takes `link_ns` (given when it is queued) from the moment the link is
 * free (the previous frame's bytes have crossed it) and the frame is there, and
 * a bulk IN transfer completes only when the bytes it asks for have crossed the
 * link. A frame stays in the buffer until the host has taken all of it. So when the sensor produces faster
 * than the link drains (triggers, bursts) the buffer fills and frames are
 * dropped, as in the camera. `link_ns` 0 sends as fast as the host reads.
 */
#ifndef DFK_U3V_STREAM_H
#define DFK_U3V_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/blob.h"
#include "../usb/usb_device.h"
#include "u3vsp.h"

struct u3v_stream_frame;

/* Device time for the link model. wake_at(t): call usb_device_in_ready() for
 * the stream endpoint at device time t (one wake-up; a later call replaces it). */
struct u3v_stream_clock {
	uint64_t (*now)(void *ctx);
	void (*wake_at)(void *ctx, uint64_t t);
	/* a frame's trailer left: device time `t` (the frame is off the link);
	 * `tag`: what the caller gave u3v_stream_push for it */
	void (*sent)(void *ctx, uint64_t block_id, uint32_t tag, uint64_t t);
	/* Optional: the transport has handed a frame's last byte (its trailer) to its socket at
	 * device time `t`; `ready_at` and `link_ns` as given to u3v_stream_push. */
	void (*handed)(void *ctx, uint64_t block_id, uint64_t ready_at, uint64_t link_ns, uint64_t t);
	void *ctx;
};

struct u3v_stream_stats {
	uint64_t frames_queued;      /* accepted into the buffer */
	uint64_t max_level;          /* the highest buffer level seen, bytes */
	uint64_t frames_sent;        /* trailer delivered */
	uint64_t frames_dropped;     /* buffer full */
	uint64_t frames_discarded;   /* stream disabled, pipe halted or reset */
	uint64_t babbles;
	uint64_t payload_bytes;
};

struct u3v_stream {
	struct usb_device *usb;
	uint8_t ep;
	bool enabled;                /* SIRM SI Control bit 0 */
	bool halted;
	struct u3v_stream_frame *head, *tail;
	unsigned n_frames;
	size_t bytes;
	size_t max_bytes;            /* frame buffer of the camera */
	unsigned max_frames;
	void (*room)(void *ctx);     /* a frame left the buffer */
	void *room_ctx;
	const struct u3v_stream_clock *clock;   /* NULL: no link model */
	/* Optional: a queued frame's packed leader and trailer, before anything of it
	 * is sent (fault injection patches them here). */
	void (*packed)(void *ctx, uint8_t *leader, size_t leader_len, uint8_t *trailer, size_t trailer_len);
	void *packed_ctx;
	uint64_t link_free_at;       /* device time the link finished the last frame */
	struct u3v_stream_stats stats;
};

void u3v_stream_init(struct u3v_stream *s, struct usb_device *usb, uint8_t ep, size_t max_bytes,
		     unsigned max_frames);
void u3v_stream_free(struct u3v_stream *s);
void u3v_stream_set_clock(struct u3v_stream *s, const struct u3v_stream_clock *clock);
/* Queue a frame. `payload` (len bytes) is referenced, not copied; `ready_at`: device time
 * the frame was complete in the camera (its readout end; 0: now), where its link time starts
 * however long making its bytes took; `link_ns`:
 * device time its payload takes on the link (0: no limit); `tag`: the caller's word about
 * the frame, handed back to clock->sent when it has left.
 * Returns 0, DFK_ERR_BUSY (buffer full: dropped) or DFK_ERR_DENIED (stream not enabled: discarded). */
int u3v_stream_push(struct u3v_stream *s, const struct u3vsp_leader *l, const struct u3vsp_trailer *t,
		    struct blob *payload, const uint8_t *data, size_t len, uint64_t ready_at, uint64_t link_ns,
		    uint32_t tag);
bool u3v_stream_has_room(const struct u3v_stream *s, size_t len);
/* Bytes of frames in the buffer not yet sent to the host. */
size_t u3v_stream_level(const struct u3v_stream *s);
void u3v_stream_enable(struct u3v_stream *s, bool enable);
/* Halt set or cleared on the endpoint: the buffered frames are discarded. */
void u3v_stream_halt(struct u3v_stream *s, bool halted);
void u3v_stream_reset(struct u3v_stream *s);
/* Discard buffered frames, except one already partly sent (it completes). */
void u3v_stream_flush(struct u3v_stream *s);
/* Bulk IN pull for the device core. */
int u3v_stream_pull(struct u3v_stream *s, uint32_t max_len, struct usb_in_chunk *chunk);

#endif
