#include "u3v_stream.h"

#include <stdlib.h>
#include <string.h>

#include "../common/errors.h"
#include "../common/log.h"

#define PACKET 1024u

enum phase { PH_LEADER, PH_PAYLOAD, PH_TRAILER };

struct u3v_stream_frame {
	uint8_t leader[U3VSP_LEADER_SIZE];
	uint8_t trailer[U3VSP_TRAILER_SIZE];
	struct blob *payload;
	const uint8_t *data;
	size_t len;
	enum phase phase;
	size_t off;
	struct u3v_stream_frame *next;
};

void u3v_stream_init(struct u3v_stream *s, struct usb_device *usb, uint8_t ep, size_t max_bytes,
		     unsigned max_frames)
{
	memset(s, 0, sizeof(*s));
	s->usb = usb;
	s->ep = ep;
	s->max_bytes = max_bytes;
	s->max_frames = max_frames;
}

static void pop(struct u3v_stream *s)
{
	struct u3v_stream_frame *f = s->head;

	s->head = f->next;
	if (!s->head)
		s->tail = NULL;
	s->n_frames--;
	s->bytes -= f->len;
	blob_unref(f->payload);
	free(f);
	if (s->room)
		s->room(s->room_ctx);
}

static void discard_all(struct u3v_stream *s)
{
	while (s->head) {
		s->stats.frames_discarded++;
		pop(s);
	}
}

void u3v_stream_free(struct u3v_stream *s)
{
	s->room = NULL;
	discard_all(s);
}

bool u3v_stream_has_room(const struct u3v_stream *s, size_t len)
{
	/* an empty buffer always takes a frame, however large */
	return s->n_frames == 0 || (s->n_frames < s->max_frames && s->bytes + len <= s->max_bytes);
}

int u3v_stream_push(struct u3v_stream *s, const struct u3vsp_leader *l, const struct u3vsp_trailer *t,
		    struct blob *payload, const uint8_t *data, size_t len)
{
	struct u3v_stream_frame *f;

	if (!s->enabled || s->halted) {
		s->stats.frames_discarded++;
		return DFK_ERR_DENIED;
	}
	if (!u3v_stream_has_room(s, len)) {
		s->stats.frames_dropped++;
		return DFK_ERR_BUSY;
	}
	f = calloc(1, sizeof(*f));
	if (!f) {
		s->stats.frames_dropped++;
		return DFK_ERR_NOMEM;
	}
	u3vsp_leader_pack(f->leader, l);
	u3vsp_trailer_pack(f->trailer, t);
	f->payload = blob_ref(payload);
	f->data = data;
	f->len = len;
	f->phase = PH_LEADER;
	if (s->tail)
		s->tail->next = f;
	else
		s->head = f;
	s->tail = f;
	s->n_frames++;
	s->bytes += len;
	s->stats.frames_queued++;
	usb_device_in_ready(s->usb, s->ep);
	return DFK_OK;
}

void u3v_stream_flush(struct u3v_stream *s)
{
	struct u3v_stream_frame *keep = s->head && s->head->phase != PH_LEADER ? s->head : NULL;

	if (!keep) {
		discard_all(s);
		return;
	}
	while (keep->next) {
		struct u3v_stream_frame *f = keep->next;
		keep->next = f->next;
		s->n_frames--;
		s->bytes -= f->len;
		s->stats.frames_discarded++;
		blob_unref(f->payload);
		free(f);
	}
	s->tail = keep;
}

void u3v_stream_enable(struct u3v_stream *s, bool enable)
{
	s->enabled = enable;
	if (!enable)
		discard_all(s);
}

void u3v_stream_halt(struct u3v_stream *s, bool halted)
{
	s->halted = halted;
	discard_all(s);
}

void u3v_stream_reset(struct u3v_stream *s)
{
	discard_all(s);
	s->enabled = false;
	s->halted = false;
	memset(&s->stats, 0, sizeof(s->stats));
}

static int babble(struct u3v_stream *s, struct usb_in_chunk *chunk, const char *what, uint32_t max_len)
{
	s->stats.babbles++;
	log_warn("stream: %s does not fit a %u-byte transfer: babble, frame lost", what, max_len);
	s->stats.frames_discarded++;
	pop(s);
	chunk->status = USB_ST_OVERFLOW;
	chunk->len = 0;
	return 1;
}

int u3v_stream_pull(struct u3v_stream *s, uint32_t max_len, struct usb_in_chunk *chunk)
{
	struct u3v_stream_frame *f = s->head;

	if (!f)
		return 0;
	switch (f->phase) {
	case PH_LEADER:
		if (max_len < U3VSP_LEADER_SIZE)
			return babble(s, chunk, "leader", max_len);
		chunk->status = USB_ST_OK;
		chunk->data = f->leader;
		chunk->len = U3VSP_LEADER_SIZE;
		f->phase = f->len ? PH_PAYLOAD : PH_TRAILER;
		return 1;
	case PH_PAYLOAD: {
		size_t rest = f->len - f->off, n = rest;
		if (max_len < rest) {
			if (max_len % PACKET)
				return babble(s, chunk, "payload packet", max_len);
			n = max_len;
		}
		chunk->status = USB_ST_OK;
		chunk->data = f->data + f->off;
		chunk->len = n;
		chunk->ref = blob_ref(f->payload);
		f->off += n;
		s->stats.payload_bytes += n;
		if (f->off == f->len)
			f->phase = PH_TRAILER;
		return 1;
	}
	case PH_TRAILER: {
		static uint8_t trailer[U3VSP_TRAILER_SIZE];
		if (max_len < U3VSP_TRAILER_SIZE)
			return babble(s, chunk, "trailer", max_len);
		memcpy(trailer, f->trailer, sizeof(trailer));   /* the frame is freed below */
		chunk->status = USB_ST_OK;
		chunk->data = trailer;
		chunk->len = U3VSP_TRAILER_SIZE;
		s->stats.frames_sent++;
		pop(s);
		return 1;
	}
	}
	return 0;
}
