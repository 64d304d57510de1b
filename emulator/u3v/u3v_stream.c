/* SPDX-License-Identifier: MIT */
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
	uint64_t block_id;
	uint32_t tag;                /* the caller's, for clock->sent */
	uint64_t queued_at;          /* device time it entered the buffer (its readout end) */
	uint64_t link_ns;            /* its payload's time on the link; 0 = no limit */
	uint64_t link_start;         /* device time its first byte may leave (set at its leader) */
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

void u3v_stream_set_clock(struct u3v_stream *s, const struct u3v_stream_clock *clock) { s->clock = clock; }

static uint64_t stream_now(const struct u3v_stream *s) { return s->clock ? s->clock->now(s->clock->ctx) : 0; }

size_t u3v_stream_level(const struct u3v_stream *s) { return s->bytes - (s->head ? s->head->off : 0); }

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
	/* an empty buffer always takes a frame, however large; the frame being sent
	 * frees its memory as its bytes leave */
	return s->n_frames == 0 || (s->n_frames < s->max_frames && u3v_stream_level(s) + len <= s->max_bytes);
}

int u3v_stream_push(struct u3v_stream *s, const struct u3vsp_leader *l, const struct u3vsp_trailer *t,
		    struct blob *payload, const uint8_t *data, size_t len, uint64_t ready_at, uint64_t link_ns,
		    uint32_t tag)
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
	if (s->packed)
		s->packed(s->packed_ctx, f->leader, sizeof(f->leader), f->trailer, sizeof(f->trailer));
	f->payload = blob_ref(payload);
	f->data = data;
	f->len = len;
	f->phase = PH_LEADER;
	f->block_id = l->block_id;
	f->tag = tag;
	/* the frame was there at its readout end, however long making its bytes took us */
	f->queued_at = ready_at ? ready_at : stream_now(s);
	f->link_ns = s->clock ? link_ns : 0;
	if (s->tail)
		s->tail->next = f;
	else
		s->head = f;
	s->tail = f;
	s->n_frames++;
	s->bytes += len;
	s->stats.frames_queued++;
	if (u3v_stream_level(s) > s->stats.max_level)
		s->stats.max_level = u3v_stream_level(s);
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
	s->link_free_at = 0;
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

/* Device time when the first `bytes` of f's payload have crossed the link. */
static uint64_t link_ready_at(const struct u3v_stream_frame *f, size_t bytes)
{
	/* rounded up: a byte is there only once all of it has arrived */
	unsigned __int128 num = (unsigned __int128)bytes * f->link_ns + f->len - 1;

	return f->link_start + (uint64_t)(num / f->len);
}

/* The trailer blob's note: which frame's last bytes these are. */
struct handoff {
	struct u3v_stream *s;
	uint64_t block_id, ready_at, link_ns;
};

/* The transport dropped the trailer: its bytes are in the socket. */
static void trailer_handed(struct blob *b, void *ctx)
{
	struct handoff *h = ctx;
	struct u3v_stream *s = h->s;

	(void)b;
	if (s->clock && s->clock->handed)
		s->clock->handed(s->clock->ctx, h->block_id, h->ready_at, h->link_ns, stream_now(s));
}

/* The trailer in a blob of its own that reports when the transport lets go of it, or
 * NULL (no one asked, or no memory: the trailer is then copied as usual). */
static struct blob *trailer_blob(struct u3v_stream *s, const struct u3v_stream_frame *f)
{
	struct blob *b;
	struct handoff *h;

	if (!s->clock || !s->clock->handed)
		return NULL;
	b = blob_new(sizeof(struct handoff) + U3VSP_TRAILER_SIZE);
	if (!b)
		return NULL;
	h = (struct handoff *)(void *)b->data;
	*h = (struct handoff){ .s = s, .block_id = f->block_id, .ready_at = f->queued_at, .link_ns = f->link_ns };
	memcpy(b->data + sizeof(*h), f->trailer, U3VSP_TRAILER_SIZE);
	b->released = trailer_handed;
	b->released_ctx = h;
	return b;
}

/* Not yet on the link at `t`: ask to be woken then, keep the transfer pending. */
static int wait_for_link(struct u3v_stream *s, uint64_t t)
{
	s->clock->wake_at(s->clock->ctx, t);
	return 0;
}

int u3v_stream_pull(struct u3v_stream *s, uint32_t max_len, struct usb_in_chunk *chunk)
{
	struct u3v_stream_frame *f = s->head;
	uint64_t now;

	if (!f)
		return 0;
	now = stream_now(s);
	switch (f->phase) {
	case PH_LEADER:
		if (max_len < U3VSP_LEADER_SIZE)
			return babble(s, chunk, "leader", max_len);
		if (f->link_ns) {
			/* the link takes this frame once it is free and the frame is there */
			f->link_start = f->queued_at > s->link_free_at ? f->queued_at : s->link_free_at;
			if (now < f->link_start)
				return wait_for_link(s, f->link_start);
		}
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
		/* a bulk transfer completes when full: all its bytes must have crossed */
		if (f->link_ns && now < link_ready_at(f, f->off + n))
			return wait_for_link(s, link_ready_at(f, f->off + n));
		/* a frame made in strips: its bytes up to here, now (bytes it could not make stay
		 * as they are: the error is the maker's to report) */
		(void)blob_ensure(f->payload, (size_t)(f->data - f->payload->data) + f->off + n);
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
		struct blob *tb;
		if (max_len < U3VSP_TRAILER_SIZE)
			return babble(s, chunk, "trailer", max_len);
		tb = trailer_blob(s, f);
		if (tb) {
			chunk->ref = tb;    /* the chunk's reference: the device core drops it */
			chunk->data = tb->data + sizeof(struct handoff);
		} else {
			memcpy(trailer, f->trailer, sizeof(trailer));   /* the frame is freed below */
			chunk->data = trailer;
		}
		chunk->status = USB_ST_OK;
		chunk->len = U3VSP_TRAILER_SIZE;
		s->stats.frames_sent++;
		/* the link was free again once this frame's bytes had crossed it, whenever
		 * the host came for them: a late host does not slow the link down */
		if (f->link_ns)
			s->link_free_at = f->link_start + f->link_ns;
		if (s->clock && s->clock->sent)
			s->clock->sent(s->clock->ctx, f->block_id, f->tag, now);
		pop(s);
		return 1;
	}
	}
	return 0;
}
