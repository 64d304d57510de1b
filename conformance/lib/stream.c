/* SPDX-License-Identifier: MIT */
#include "stream.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gencp.h"

struct piece {
	int slot;
	unsigned stage;
	size_t offset;
	uint32_t len;
	uint8_t *buf;
};

struct stream_slot {
	struct stream_frame f;
	uint8_t leader_buf[1024];
	uint8_t trailer_buf[1024];
	struct piece pieces[4096];
	bool in_use;
	bool done;                   /* trailer reaped, waiting for the caller */
	bool failed;
};

static uint32_t align_up(uint64_t v, uint32_t a) { return (uint32_t)((v + a - 1) / a * a); }

int stream_open(struct stream_reader *r, struct xport *x, struct gencp *gc, uint64_t sirm, uint8_t ep,
		unsigned depth)
{
	uint8_t b[0x30];
	int rc;

	memset(r, 0, sizeof(*r));
	r->x = x;
	r->gc = gc;
	r->sirm = sirm;
	r->ep = ep;
	r->depth = depth ? depth : 8;
	r->plan_slot = -1;
	r->held = -1;
	rc = gencp_read(gc, sirm, b, sizeof(b));
	if (rc)
		return rc;
	struct stream_cfg *c = &r->cfg;
	c->alignment = 1u << (rd_le32(b + SIRM_INFO) >> 24);
	c->payload = rd_le64(b + SIRM_REQ_PAYLOAD);
	c->leader = align_up(rd_le32(b + SIRM_REQ_LEADER), c->alignment);
	c->trailer = align_up(rd_le32(b + SIRM_REQ_TRAILER), c->alignment);
	if (c->payload == 0 || c->leader > 1024 || c->trailer > 1024)
		return -EPROTO;
	uint32_t mib = (1u << 20) / c->alignment * c->alignment;
	c->xfer = c->payload < mib ? (uint32_t)c->payload : mib;
	c->count = (uint32_t)(c->payload / c->xfer);
	c->final1 = align_up(c->payload % c->xfer, c->alignment);
	c->final2 = 0;
	if (c->count + 2 > sizeof(((struct stream_slot *)0)->pieces) / sizeof(struct piece))
		return -E2BIG;
	/* the SI registers are fixed while the stream is enabled */
	gencp_write_u32(gc, sirm + SIRM_CONTROL, 0);
	rc = gencp_write_u32(gc, sirm + SIRM_MAX_LEADER, c->leader);
	if (rc == 0)
		rc = gencp_write_u32(gc, sirm + SIRM_MAX_TRAILER, c->trailer);
	if (rc == 0)
		rc = gencp_write_u32(gc, sirm + SIRM_XFER_SIZE, c->xfer);
	if (rc == 0)
		rc = gencp_write_u32(gc, sirm + SIRM_XFER_COUNT, c->count);
	if (rc == 0)
		rc = gencp_write_u32(gc, sirm + SIRM_FINAL1, c->final1);
	if (rc == 0)
		rc = gencp_write_u32(gc, sirm + SIRM_FINAL2, c->final2);
	if (rc == 0)
		rc = gencp_write_u32(gc, sirm + SIRM_CONTROL, 1);
	if (rc)
		return rc;
	for (int i = 0; i < STREAM_SLOTS; i++) {
		r->slots[i] = calloc(1, sizeof(struct stream_slot));
		if (r->slots[i])
			r->slots[i]->f.payload = malloc(c->payload);
		if (!r->slots[i] || !r->slots[i]->f.payload) {
			stream_close(r);
			return -ENOMEM;
		}
	}
	return 0;
}

static unsigned n_stages(const struct stream_reader *r)
{
	/* leader + count pieces + final1 + final2 + trailer */
	return 1 + r->cfg.count + (r->cfg.final1 ? 1 : 0) + (r->cfg.final2 ? 1 : 0) + 1;
}

/* Submits transfers until `depth` are in flight. */
static int fill(struct stream_reader *r)
{
	while (r->x->pending < r->depth) {
		struct stream_slot *s;
		struct piece *p;
		if (r->plan_slot < 0) {
			int free_slot = -1;
			for (int i = 0; i < STREAM_SLOTS && free_slot < 0; i++)
				if (!r->slots[i]->in_use && i != r->held)
					free_slot = i;
			if (free_slot < 0)
				return 0;   /* all buffers busy: wait for the caller */
			r->plan_slot = free_slot;
			r->plan_stage = 0;
			r->plan_offset = 0;
			s = r->slots[free_slot];
			s->in_use = true;
			s->done = false;
			s->failed = false;
			memset(&s->f.leader, 0, sizeof(s->f.leader));
			memset(&s->f.trailer, 0, sizeof(s->f.trailer));
			s->f.received = 0;
			s->f.complete = false;
			s->f.error[0] = '\0';
		}
		s = r->slots[r->plan_slot];
		unsigned st = r->plan_stage, last = n_stages(r) - 1;
		p = &s->pieces[st];
		p->slot = r->plan_slot;
		p->stage = st;
		p->offset = r->plan_offset;
		if (st == 0) {
			p->len = r->cfg.leader;
			p->buf = s->leader_buf;
		} else if (st == last) {
			p->len = r->cfg.trailer;
			p->buf = s->trailer_buf;
		} else {
			unsigned k = st - 1;
			p->len = k < r->cfg.count ? r->cfg.xfer : (k == r->cfg.count && r->cfg.final1) ? r->cfg.final1 : r->cfg.final2;
			p->buf = s->f.payload + r->plan_offset;
			if (p->offset + p->len > r->cfg.payload)
				p->len = (uint32_t)(r->cfg.payload - p->offset);   /* never past our buffer */
			r->plan_offset += p->len;
		}
		int rc = r->x->ops->submit(r->x, r->ep, p->buf, (int)p->len, p);
		if (rc)
			return rc;
		if (st == last)
			r->plan_slot = -1;
		else
			r->plan_stage++;
	}
	return 0;
}

/* Out of step with the device: drop everything in flight and look for the next leader. */
static void resync(struct stream_reader *r)
{
	r->stats.resyncs++;
	r->x->ops->cancel_all(r->x);
	for (int i = 0; i < STREAM_SLOTS; i++)
		if (i != r->held)
			r->slots[i]->in_use = false;
	r->plan_slot = -1;
	r->resync = true;
}

static void fail(struct stream_slot *s, const char *fmt, unsigned a, unsigned b)
{
	if (!s->failed)
		snprintf(s->f.error, sizeof(s->f.error), fmt, a, b);
	s->failed = true;
}

int stream_next(struct stream_reader *r, struct stream_frame **out, unsigned timeout_ms)
{
	struct xport_result res;
	int rc;

	if (r->held >= 0) {
		r->slots[r->held]->in_use = false;
		r->held = -1;
	}
	for (;;) {
		rc = fill(r);
		if (rc)
			return rc;
		rc = r->x->ops->reap(r->x, &res, timeout_ms);
		if (rc)
			return rc;
		struct piece *p = res.user;
		struct stream_slot *s = r->slots[p->slot];
		if (res.status) {
			fail(s, "transfer status %d at stage %u", (unsigned)res.status, p->stage);
			resync(r);
			continue;
		}
		bool is_leader = res.actual >= 4 && rd_le32(p->buf) == U3V_LEADER_MAGIC;
		bool is_trailer = res.actual >= 4 && rd_le32(p->buf) == U3V_TRAILER_MAGIC;
		if (r->resync) {
			if (p->stage != 0 || !is_leader) {
				resync(r);   /* keep discarding */
				r->stats.resyncs--;
				continue;
			}
			r->resync = false;
		}
		unsigned last = n_stages(r) - 1;
		if (p->stage == 0) {
			if (!is_leader || u3v_parse_leader(&s->f.leader, p->buf, (size_t)res.actual)) {
				fail(s, "first transfer of a block is not a leader (%u bytes)", (unsigned)res.actual, 0);
				resync(r);
				continue;
			}
		} else if (p->stage == last) {
			if (!is_trailer || u3v_parse_trailer(&s->f.trailer, p->buf, (size_t)res.actual)) {
				fail(s, "last transfer of a block is not a trailer (%u bytes)", (unsigned)res.actual, 0);
				resync(r);
				continue;
			}
			r->stats.frames++;
			r->stats.bytes += s->f.received;
			s->f.complete = !s->failed && s->f.received == r->cfg.payload;
			if (!s->f.complete)
				r->stats.incomplete++;
			r->held = p->slot;
			*out = &s->f;
			return 0;
		} else {
			if (is_trailer && (size_t)res.actual == 32) {
				fail(s, "payload ended after %u of %u bytes", (unsigned)s->f.received, (unsigned)r->cfg.payload);
				resync(r);
				continue;
			}
			s->f.received += (size_t)res.actual;
			if ((uint32_t)res.actual < p->len && p->stage != last - 1)
				fail(s, "short payload transfer: %u of %u bytes", (unsigned)res.actual, p->len);
		}
	}
}

void stream_close(struct stream_reader *r)
{
	if (r->x)
		r->x->ops->cancel_all(r->x);
	if (r->gc)
		gencp_write_u32(r->gc, r->sirm + SIRM_CONTROL, 0);
	for (int i = 0; i < STREAM_SLOTS; i++) {
		if (r->slots[i])
			free(r->slots[i]->f.payload);
		free(r->slots[i]);
		r->slots[i] = NULL;
	}
}
