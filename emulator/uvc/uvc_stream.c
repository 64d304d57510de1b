/* SPDX-License-Identifier: MIT */
#include "uvc_stream.h"

#include <stdlib.h>
#include <string.h>

#include "../common/bytes.h"
#include "../common/errors.h"
#include "../common/log.h"
#include "uvc_defs.h"

#define PACKET 1024u

struct uvc_stream_frame {
	struct blob *payload;
	const uint8_t *data;
	size_t len;
	size_t off;                  /* frame bytes sent */
	size_t pos;                  /* bytes of the current payload sent, header included */
	bool started;
	uint8_t fid;
	uint64_t pts_ns;
	uint64_t block_id;
	uint32_t tag;
	uint64_t queued_at, link_ns, link_start;
	struct uvc_stream_frame *next;
};

int uvc_stream_init(struct uvc_stream *s, struct usb_device *usb, uint8_t ep, size_t max_bytes, unsigned max_frames,
		    uint32_t max_payload, uint32_t clock_hz)
{
	memset(s, 0, sizeof(*s));
	s->usb = usb;
	s->ep = ep;
	s->max_bytes = max_bytes;
	s->max_frames = max_frames;
	s->max_payload = max_payload > UVC_PAYLOAD_HEADER ? max_payload : UVC_PAYLOAD_HEADER + 1;
	s->clock_hz = clock_hz;
	s->scratch = malloc(s->max_payload);
	return s->scratch ? DFK_OK : DFK_ERR_NOMEM;
}

void uvc_stream_set_clock(struct uvc_stream *s, const struct uvc_stream_clock *clock) { s->clock = clock; }

static uint64_t stream_now(const struct uvc_stream *s) { return s->clock ? s->clock->now(s->clock->ctx) : 0; }

size_t uvc_stream_level(const struct uvc_stream *s) { return s->bytes - (s->head ? s->head->off : 0); }

static void pop(struct uvc_stream *s)
{
	struct uvc_stream_frame *f = s->head;

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

static void discard_all(struct uvc_stream *s)
{
	while (s->head) {
		s->stats.frames_discarded++;
		pop(s);
	}
}

void uvc_stream_free(struct uvc_stream *s)
{
	s->room = NULL;
	discard_all(s);
	free(s->scratch);
	s->scratch = NULL;
}

void uvc_stream_start(struct uvc_stream *s)
{
	discard_all(s);
	s->active = true;
	s->zlp_due = false;
}

void uvc_stream_stop(struct uvc_stream *s)
{
	s->active = false;
	s->zlp_due = false;
	discard_all(s);
}

bool uvc_stream_has_room(const struct uvc_stream *s, size_t len)
{
	return s->n_frames == 0 || (s->n_frames < s->max_frames && uvc_stream_level(s) + len <= s->max_bytes);
}

int uvc_stream_push(struct uvc_stream *s, struct blob *payload, const uint8_t *data, size_t len, uint64_t pts_ns,
		    uint64_t block_id, uint64_t link_ns, uint32_t tag)
{
	struct uvc_stream_frame *f;

	if (!s->active) {
		s->stats.frames_discarded++;
		return DFK_ERR_DENIED;
	}
	if (!uvc_stream_has_room(s, len)) {
		s->stats.frames_dropped++;
		return DFK_ERR_BUSY;
	}
	f = calloc(1, sizeof(*f));
	if (!f) {
		s->stats.frames_dropped++;
		return DFK_ERR_NOMEM;
	}
	f->payload = blob_ref(payload);
	f->data = data;
	f->len = len;
	f->pts_ns = pts_ns;
	f->block_id = block_id;
	f->tag = tag;
	f->queued_at = stream_now(s);
	f->link_ns = s->clock ? link_ns : 0;
	if (s->tail)
		s->tail->next = f;
	else
		s->head = f;
	s->tail = f;
	s->n_frames++;
	s->bytes += len;
	s->stats.frames_queued++;
	if (uvc_stream_level(s) > s->stats.max_level)
		s->stats.max_level = uvc_stream_level(s);
	usb_device_in_ready(s->usb, s->ep);
	return DFK_OK;
}

void uvc_stream_flush(struct uvc_stream *s)
{
	struct uvc_stream_frame *keep = s->head && s->head->started ? s->head : NULL;

	if (!keep) {
		discard_all(s);
		return;
	}
	while (keep->next) {
		struct uvc_stream_frame *f = keep->next;
		keep->next = f->next;
		s->n_frames--;
		s->bytes -= f->len;
		s->stats.frames_discarded++;
		blob_unref(f->payload);
		free(f);
	}
	s->tail = keep;
}

/* Device time when the first `bytes` of f's data have crossed the link (rounded up). */
static uint64_t link_ready_at(const struct uvc_stream_frame *f, size_t bytes)
{
	unsigned __int128 num;

	if (!f->len)
		return f->link_start;
	num = (unsigned __int128)bytes * f->link_ns + f->len - 1;
	return f->link_start + (uint64_t)(num / f->len);
}

static uint32_t clock_units(const struct uvc_stream *s, uint64_t ns)
{
	return (uint32_t)((unsigned __int128)ns * s->clock_hz / 1000000000u);
}

static void header(const struct uvc_stream *s, const struct uvc_stream_frame *f, bool last, uint64_t now,
		   uint8_t *h)
{
	h[0] = UVC_PAYLOAD_HEADER;
	h[1] = (uint8_t)(UVC_PH_EOH | UVC_PH_SCR | UVC_PH_PTS | (last ? UVC_PH_EOF : 0) | f->fid);
	put_le32(h + 2, clock_units(s, f->pts_ns));
	put_le32(h + 6, clock_units(s, now));
	put_le16(h + 10, (uint16_t)((now / 1000000u) & 0x7FF));
}

static int babble(struct uvc_stream *s, struct usb_in_chunk *chunk, uint32_t max_len)
{
	s->stats.babbles++;
	log_warn("uvc stream: a %u-byte transfer is not a whole number of packets: babble, frame lost", max_len);
	s->stats.frames_discarded++;
	s->fid ^= 1;   /* the host resynchronises on the next frame's FID */
	pop(s);
	chunk->status = USB_ST_OVERFLOW;
	chunk->len = 0;
	return 1;
}

int uvc_stream_pull(struct uvc_stream *s, uint32_t max_len, struct usb_in_chunk *chunk)
{
	struct uvc_stream_frame *f = s->head;
	size_t per = s->max_payload - UVC_PAYLOAD_HEADER;
	size_t p_start, p_data, total, rest, n, data_end;
	uint64_t now;

	if (s->zlp_due) {
		s->zlp_due = false;
		s->stats.zlps++;
		chunk->status = USB_ST_OK;
		chunk->data = NULL;
		chunk->len = 0;
		return 1;
	}
	if (!f || !s->active)
		return 0;
	now = stream_now(s);
	if (!f->started) {
		if (f->link_ns) {
			/* the link takes this frame once it is free and the frame is there */
			f->link_start = f->queued_at > s->link_free_at ? f->queued_at : s->link_free_at;
			if (now < f->link_start) {
				s->clock->wake_at(s->clock->ctx, f->link_start);
				return 0;
			}
		}
		f->started = true;
		f->fid = s->fid;
	}
	/* the current payload: its data range in the frame and its size on the wire */
	p_start = f->off - (f->pos > UVC_PAYLOAD_HEADER ? f->pos - UVC_PAYLOAD_HEADER : 0);
	p_data = f->len - p_start < per ? f->len - p_start : per;
	total = UVC_PAYLOAD_HEADER + p_data;
	rest = total - f->pos;
	n = rest;
	if (max_len < rest) {
		if (max_len % PACKET || max_len < UVC_PAYLOAD_HEADER)
			return babble(s, chunk, max_len);
		n = max_len;
	}
	data_end = p_start + (f->pos + n - UVC_PAYLOAD_HEADER);
	if (f->link_ns && now < link_ready_at(f, data_end)) {
		s->clock->wake_at(s->clock->ctx, link_ready_at(f, data_end));
		return 0;
	}
	/* a frame made in strips: its bytes up to here, now (bytes it could not make stay as
	 * they are: the error is the maker's to report) */
	(void)blob_ensure(f->payload, (size_t)(f->data - f->payload->data) + data_end);
	chunk->status = USB_ST_OK;
	chunk->len = n;
	if (f->pos == 0) {
		/* the payload's first transfer: header and the start of its data, copied */
		header(s, f, p_start + p_data == f->len, now, s->scratch);
		memcpy(s->scratch + UVC_PAYLOAD_HEADER, f->data + p_start, n - UVC_PAYLOAD_HEADER);
		chunk->data = s->scratch;
		s->stats.payloads++;
	} else {
		chunk->data = f->data + f->off;
		chunk->ref = blob_ref(f->payload);
	}
	s->stats.payload_bytes += n;
	f->pos += n;
	f->off = data_end;
	if (f->pos < total)
		return 1;
	/* the payload is complete: the host must see its end */
	if (n == max_len && total < s->max_payload)
		s->zlp_due = true;
	f->pos = 0;
	if (f->off < f->len)
		return 1;
	s->stats.frames_sent++;
	s->fid ^= 1;
	if (f->link_ns)
		s->link_free_at = f->link_start + f->link_ns;
	if (s->clock && s->clock->sent)
		s->clock->sent(s->clock->ctx, f->block_id, f->tag, now);
	pop(s);
	return 1;
}
