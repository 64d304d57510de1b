/* The streaming channel's frame buffer: frames wait here until the host's
 * bulk IN transfers take them, as leader / payload / trailer.
 *
 * A host may read the payload in transfers of any size that is a multiple of
 * the 1024-byte packet (or covers the rest of the payload); leader and trailer
 * always complete a transfer of their own. A transfer too small for the next
 * packet babbles (-EOVERFLOW) and the rest of that frame is lost, as on a real
 * link. The buffer is bounded: a frame that does not fit is dropped and counted.
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

struct u3v_stream_stats {
	uint64_t frames_queued;      /* accepted into the buffer */
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
	struct u3v_stream_stats stats;
};

void u3v_stream_init(struct u3v_stream *s, struct usb_device *usb, uint8_t ep, size_t max_bytes,
		     unsigned max_frames);
void u3v_stream_free(struct u3v_stream *s);
/* Queue a frame. `payload` (len bytes) is referenced, not copied.
 * Returns 0, DFK_ERR_BUSY (buffer full: dropped) or DFK_ERR_DENIED (stream not enabled: discarded). */
int u3v_stream_push(struct u3v_stream *s, const struct u3vsp_leader *l, const struct u3vsp_trailer *t,
		    struct blob *payload, const uint8_t *data, size_t len);
bool u3v_stream_has_room(const struct u3v_stream *s, size_t len);
void u3v_stream_enable(struct u3v_stream *s, bool enable);
/* Halt set or cleared on the endpoint: the buffered frames are discarded. */
void u3v_stream_halt(struct u3v_stream *s, bool halted);
void u3v_stream_reset(struct u3v_stream *s);
/* Discard buffered frames, except one already partly sent (it completes). */
void u3v_stream_flush(struct u3v_stream *s);
/* Bulk IN pull for the device core. */
int u3v_stream_pull(struct u3v_stream *s, uint32_t max_len, struct usb_in_chunk *chunk);

#endif
