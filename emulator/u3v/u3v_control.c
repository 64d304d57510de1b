/* SPDX-License-Identifier: MIT */
#include "u3v_control.h"

#include <stdlib.h>
#include <string.h>

#include "../common/bytes.h"
#include "../common/errors.h"
#include "../common/log.h"
#include "u3v_bootstrap.h"
#include "u3vcp.h"

uint16_t u3v_status_from_err(int err)
{
	switch (err) {
	case DFK_OK: return U3VCP_SUCCESS;
	case DFK_ERR_ADDRESS: return U3VCP_INVALID_ADDRESS;
	case DFK_ERR_ALIGN: return U3VCP_BAD_ALIGNMENT;
	case DFK_ERR_READONLY: return U3VCP_WRITE_PROTECT;
	case DFK_ERR_DENIED: return U3VCP_ACCESS_DENIED;
	case DFK_ERR_RANGE: return U3VCP_INVALID_PARAMETER;
	case DFK_ERR_INVAL: return U3VCP_INVALID_PARAMETER;
	case DFK_ERR_NOTSUP: return U3VCP_NOT_IMPLEMENTED;
	case DFK_ERR_BUSY: return U3VCP_BUSY;
	case DFK_ERR_UNALIGNED_SIZE: return U3VCP_SI_PAYLOAD_SIZE_NOT_ALIGNED;
	case DFK_ERR_INCONSISTENT: return U3VCP_SI_REGISTERS_INCONSISTENT;
	default: return U3VCP_GENERIC_ERROR;
	}
}

static void slow_write_done(struct evloop *loop, void *arg);

void u3v_control_init(struct u3v_control *c, const struct regmap *map, struct evloop *loop, uint32_t flash_ms,
		      void (*ack_ready)(void *ctx), void *ctx)
{
	memset(c, 0, sizeof(*c));
	c->map = map;
	c->loop = loop;
	evloop_timer_init(&c->done, slow_write_done, c);
	c->flash_ms = flash_ms;
	c->ack_ready = ack_ready;
	c->ctx = ctx;
}

/* ---- faults: device time and the acks held until then ---- */

/* Device time. Without hooks nothing can wait, so everything is due. */
static uint64_t dev_now(const struct u3v_control *c)
{
	if (!c->fault_ops || !c->fault_ops->now)
		return UINT64_MAX;
	return c->fault_ops->now(c->fault_ctx);
}

/* Ask to be woken at t unless an earlier (or the same) wake is already due. */
static void want_wake(struct u3v_control *c, uint64_t t)
{
	if (c->wake_pending && c->wake_asked <= t)
		return;
	c->wake_pending = true;
	c->wake_asked = t;
	if (c->fault_ops && c->fault_ops->wake_at)
		c->fault_ops->wake_at(c->fault_ctx, t);
}

static bool ack_released(const struct u3v_ack *a, uint64_t now) { return !a->held || a->release <= now; }

/* A PENDING fault keeps the channel busy until its real ack leaves, as a flash write does. */
static bool is_busy(struct u3v_control *c)
{
	if (c->busy)
		return true;
	if (c->fault_busy && dev_now(c) >= c->busy_until)
		c->fault_busy = false;
	return c->fault_busy;
}

static void drop_acks(struct u3v_control *c)
{
	for (unsigned i = 0; i < c->n_acks; i++)
		free(c->acks[i].buf);
	c->stats.dropped_acks += c->n_acks;
	c->n_acks = 0;
}

void u3v_control_reset(struct u3v_control *c)
{
	drop_acks(c);
	c->stats.dropped_acks = 0;
	free(c->last.buf);
	c->last.buf = NULL;
	c->have_last = false;
	if (c->busy)
		evloop_timer_stop(c->loop, &c->done);
	free(c->pending_data);
	c->pending_data = NULL;
	c->busy = false;
	memset(&c->pending_mod, 0, sizeof(c->pending_mod));
	c->mod = NULL;
	c->fault_busy = false;
	c->busy_until = 0;
	c->wake_pending = false;
}

void u3v_control_free(struct u3v_control *c) { u3v_control_reset(c); }

/* Queues an ack; `remember`: it is the answer to the current command, kept for
 * a resend. The fault of the command being answered (c->mod) applies: a resend
 * gets the ack as the device meant it, whatever happened to it on the way. */
static void queue_ack(struct u3v_control *c, const uint8_t *pkt, size_t len, bool remember)
{
	const struct u3v_ack_mod *m = c->mod;
	bool pending = len >= U3VCP_HEADER_SIZE && get_le16(pkt + 6) == U3VCP_PENDING_ACK;
	bool held = false;
	uint64_t release = 0;
	uint8_t *copy;

	if (remember) {
		uint8_t *keep = malloc(len);
		if (keep) {
			memcpy(keep, pkt, len);
			free(c->last.buf);
			c->last.buf = keep;
			c->last.len = len;
		}
	}
	if (m && m->drop) {
		log_dbg("gencp ack dropped (fault)");
		return;
	}
	if (m && m->release && (!pending || m->hold_pending)) {
		uint64_t now = dev_now(c);
		if (m->release > now) {
			held = true;
			release = m->release;
		}
	}
	if (c->n_acks == U3V_ACK_QUEUE) {
		/* the host is not collecting acks: the oldest is lost */
		free(c->acks[0].buf);
		memmove(c->acks, c->acks + 1, sizeof(c->acks[0]) * (U3V_ACK_QUEUE - 1));
		c->n_acks--;
		c->stats.dropped_acks++;
	}
	copy = malloc(len);
	if (!copy) {
		log_err("out of memory queueing a GenCP ack");
		return;
	}
	memcpy(copy, pkt, len);
	if (m && m->wrong_id && len >= U3VCP_HEADER_SIZE)
		put_le16(copy + 10, m->ack_id);
	c->acks[c->n_acks].buf = copy;
	c->acks[c->n_acks].len = len;
	c->acks[c->n_acks].held = held;
	c->acks[c->n_acks].release = release;
	c->n_acks++;
	if (log_get_level() >= LOG_DEBUG) {
		char s[160];
		u3vcp_to_string(copy, len, s, sizeof(s));
		if (held)
			log_dbg("gencp ack (held until %llu): %s", (unsigned long long)release, s);
		else
			log_dbg("gencp ack: %s", s);
	}
	if (held)
		want_wake(c, release);
	else if (c->ack_ready)
		c->ack_ready(c->ctx);
}

static void error_ack_kept(struct u3v_control *c, uint16_t status, uint16_t ack_cmd, uint16_t id, bool want,
			   bool remember)
{
	uint8_t pkt[U3VCP_HEADER_SIZE];

	c->stats.errors++;
	u3vcp_ack(pkt, status, ack_cmd, id, NULL, 0);
	if (want)
		queue_ack(c, pkt, sizeof(pkt), remember);
}

/* The answer to the command being processed: kept for a resend of it. */
static void error_ack(struct u3v_control *c, uint16_t status, uint16_t ack_cmd, uint16_t id, bool want)
{
	error_ack_kept(c, status, ack_cmd, id, want, true);
}

/* An answer to something that is not the current command (a stray packet, a
 * command refused while busy): never what a resend should get back. */
static void stray_ack(struct u3v_control *c, uint16_t status, uint16_t ack_cmd, uint16_t id)
{
	error_ack_kept(c, status, ack_cmd, id, true, false);
}

static void slow_write_done(struct evloop *loop, void *arg)
{
	struct u3v_control *c = arg;
	uint8_t pkt[U3VCP_HEADER_SIZE + U3VCP_WRITEMEM_ACK_SCD];
	const struct u3v_ack_mod *outer = c->mod;
	int rc;
	uint16_t status;

	(void)loop;
	c->mod = &c->pending_mod;   /* the final ack belongs to the command that started the write */
	rc = regmap_write(c->map, c->pending_addr, c->pending_data, c->pending_len);
	status = u3v_status_from_err(rc);
	if (rc < 0) {
		c->stats.errors++;
		u3vcp_ack(pkt, status, U3VCP_WRITEMEM_ACK, c->pending_id, NULL, 0);
		if (c->pending_wants_ack)
			queue_ack(c, pkt, U3VCP_HEADER_SIZE, true);
	} else {
		u3vcp_writemem_ack(pkt, U3VCP_SUCCESS, c->pending_id, c->pending_len);
		if (c->pending_wants_ack)
			queue_ack(c, pkt, sizeof(pkt), true);
	}
	free(c->pending_data);
	c->pending_data = NULL;
	c->busy = false;
	c->mod = outer;
	memset(&c->pending_mod, 0, sizeof(c->pending_mod));
}

static void do_readmem(struct u3v_control *c, const struct u3vcp_header *h, const uint8_t *scd, bool want)
{
	uint64_t addr;
	uint16_t count;
	uint8_t *pkt;
	int rc;

	if (h->length != U3VCP_READMEM_SCD_SIZE) {
		error_ack(c, U3VCP_INVALID_PARAMETER, U3VCP_READMEM_ACK, h->request_id, want);
		return;
	}
	addr = get_le64(scd);
	count = get_le16(scd + 10);
	if ((uint32_t)count + U3VCP_HEADER_SIZE > U3V_MAX_ACK_TRANSFER) {
		log_dbg("gencp readmem of %u bytes exceeds the %u-byte ack maximum", count, U3V_MAX_ACK_TRANSFER);
		error_ack(c, U3VCP_INVALID_PARAMETER, U3VCP_READMEM_ACK, h->request_id, want);
		return;
	}
	pkt = malloc(U3VCP_HEADER_SIZE + (size_t)count);
	if (!pkt) {
		error_ack(c, U3VCP_GENERIC_ERROR, U3VCP_READMEM_ACK, h->request_id, want);
		return;
	}
	rc = regmap_read(c->map, addr, pkt + U3VCP_HEADER_SIZE, count);
	if (rc < 0) {
		log_dbg("gencp readmem 0x%llx+%u: %s", (unsigned long long)addr, count, dfk_strerror(rc));
		error_ack(c, u3v_status_from_err(rc), U3VCP_READMEM_ACK, h->request_id, want);
	} else {
		struct u3vcp_header a = { U3VCP_PREFIX, U3VCP_SUCCESS, U3VCP_READMEM_ACK, count, h->request_id };
		u3vcp_header_pack(pkt, &a);
		if (want)
			queue_ack(c, pkt, U3VCP_HEADER_SIZE + (size_t)count, true);
	}
	free(pkt);
}

static void do_writemem(struct u3v_control *c, const struct u3vcp_header *h, const uint8_t *scd, bool want)
{
	uint8_t pkt[U3VCP_HEADER_SIZE + U3VCP_WRITEMEM_ACK_SCD];
	uint64_t addr;
	uint16_t n;
	int rc;

	if (h->length < 8) {
		error_ack(c, U3VCP_INVALID_PARAMETER, U3VCP_WRITEMEM_ACK, h->request_id, want);
		return;
	}
	addr = get_le64(scd);
	n = (uint16_t)(h->length - 8);
	if (n && regmap_write_is_slow(c->map, addr, n)) {
		/* flash write: acknowledge now that it takes time, finish later */
		c->pending_data = malloc(n);
		if (!c->pending_data) {
			error_ack(c, U3VCP_GENERIC_ERROR, U3VCP_WRITEMEM_ACK, h->request_id, want);
			return;
		}
		memcpy(c->pending_data, scd + 8, n);
		c->pending_addr = addr;
		c->pending_len = n;
		c->pending_id = h->request_id;
		c->pending_wants_ack = want;
		if (c->mod)
			c->pending_mod = *c->mod;
		else
			memset(&c->pending_mod, 0, sizeof(c->pending_mod));
		c->busy = true;
		c->stats.pending_acks++;
		uint32_t timeout = c->flash_ms * 4 + 100;
		u3vcp_pending_ack(pkt, h->request_id, (uint16_t)(timeout > 0xFFFF ? 0xFFFF : timeout));
		if (want)
			queue_ack(c, pkt, sizeof(pkt), false);
		evloop_timer_start(c->loop, &c->done, mono_now_ns() + (uint64_t)c->flash_ms * 1000000ull);
		return;
	}
	rc = regmap_write(c->map, addr, scd + 8, n);
	if (rc < 0) {
		log_dbg("gencp writemem 0x%llx+%u: %s", (unsigned long long)addr, n, dfk_strerror(rc));
		error_ack(c, u3v_status_from_err(rc), U3VCP_WRITEMEM_ACK, h->request_id, want);
		return;
	}
	u3vcp_writemem_ack(pkt, U3VCP_SUCCESS, h->request_id, n);
	if (want)
		queue_ack(c, pkt, sizeof(pkt), true);
}

/* Once per command with a valid header (docs/faults.md "For integrators"). */
static bool ask_fault(struct u3v_control *c, uint16_t request_id, struct u3v_ack_fault *f)
{
	memset(f, 0, sizeof(*f));
	if (!c->fault_ops || !c->fault_ops->on_command)
		return false;
	if (!c->fault_ops->on_command(c->fault_ctx, request_id, f) || f->kind == U3V_ACK_FAULT_NONE) {
		memset(f, 0, sizeof(*f));
		return false;
	}
	c->stats.faults++;
	return true;
}

static uint64_t time_after(uint64_t now, uint64_t d) { return d > UINT64_MAX - now ? UINT64_MAX : now + d; }

/* What the fault does to the acks that answer this command. */
static void fault_mod(struct u3v_control *c, const struct u3v_ack_fault *f, struct u3v_ack_mod *m)
{
	memset(m, 0, sizeof(*m));
	switch (f->kind) {
	case U3V_ACK_FAULT_PENDING:
		m->release = time_after(dev_now(c), f->duration_ns);
		break;
	case U3V_ACK_FAULT_LATE:
		m->release = time_after(dev_now(c), f->duration_ns);
		m->hold_pending = true;
		break;
	case U3V_ACK_FAULT_WRONG_ID:
		m->wrong_id = true;
		m->ack_id = f->ack_id;
		break;
	case U3V_ACK_FAULT_DROP:
		m->drop = true;
		break;
	default:
		break;
	}
}

/* PENDING: the device announces that the answer takes time (GenCP 1.0 ch. 5,
 * PENDING_ACK: its timeout field is the wait in ms) and is busy until it is
 * given, as during a flash write. */
static void fault_pending_ack(struct u3v_control *c, const struct u3vcp_header *h, bool want,
			      const struct u3v_ack_fault *f)
{
	uint8_t pkt[U3VCP_HEADER_SIZE + U3VCP_PENDING_ACK_SCD];
	uint64_t ms = f->duration_ns / 1000000u + (f->duration_ns % 1000000u != 0);

	if (f->kind != U3V_ACK_FAULT_PENDING)
		return;
	if (!c->fault_busy || c->mod->release > c->busy_until)
		c->busy_until = c->mod->release;
	c->fault_busy = true;
	c->stats.pending_acks++;
	u3vcp_pending_ack(pkt, h->request_id, (uint16_t)(ms > 0xFFFF ? 0xFFFF : ms));
	if (want)
		queue_ack(c, pkt, sizeof(pkt), false);
}

static void command(struct u3v_control *c, const struct u3vcp_header *h, const uint8_t *data, size_t len,
		    bool want, const struct u3v_ack_fault *f)
{
	uint16_t ack_cmd = (uint16_t)(h->id + 1);

	if (is_busy(c)) {
		if (want) {
			fault_pending_ack(c, h, want, f);
			stray_ack(c, f->kind == U3V_ACK_FAULT_ERROR ? f->status : U3VCP_BUSY, ack_cmd, h->request_id);
		}
		return;
	}
	if ((h->flags_or_status & U3VCP_FLAG_RESEND) && c->have_last && h->request_id == c->last_request_id &&
	    c->last.buf) {
		/* the host lost our ack: send it again */
		fault_pending_ack(c, h, want, f);
		if (f->kind == U3V_ACK_FAULT_ERROR)
			stray_ack(c, f->status, ack_cmd, h->request_id);
		else
			queue_ack(c, c->last.buf, c->last.len, false);
		return;
	}
	drop_acks(c);
	c->have_last = true;
	c->last_request_id = h->request_id;
	fault_pending_ack(c, h, want, f);
	if (f->kind == U3V_ACK_FAULT_ERROR) {
		/* not executed: the device answers with the status the fault names */
		log_dbg("gencp command 0x%04x id %u: error ack 0x%04x (fault)", h->id, h->request_id, f->status);
		error_ack(c, f->status, ack_cmd, h->request_id, want);
		return;
	}
	if (len > U3V_MAX_CMD_TRANSFER) {
		log_dbg("gencp command of %zu bytes exceeds the %u-byte maximum", len, U3V_MAX_CMD_TRANSFER);
		error_ack(c, U3VCP_INVALID_PARAMETER, ack_cmd, h->request_id, want);
		return;
	}
	if ((size_t)h->length != len - U3VCP_HEADER_SIZE) {
		log_dbg("gencp command says %u bytes of data, carries %zu", h->length, len - U3VCP_HEADER_SIZE);
		error_ack(c, U3VCP_INVALID_HEADER, ack_cmd, h->request_id, want);
		return;
	}
	switch (h->id) {
	case U3VCP_READMEM_CMD:
		do_readmem(c, h, data + U3VCP_HEADER_SIZE, want);
		break;
	case U3VCP_WRITEMEM_CMD:
		do_writemem(c, h, data + U3VCP_HEADER_SIZE, want);
		break;
	default:
		log_dbg("gencp command 0x%04x not implemented", h->id);
		error_ack(c, U3VCP_NOT_IMPLEMENTED, ack_cmd, h->request_id, want);
		break;
	}
}

int u3v_control_command(struct u3v_control *c, const uint8_t *data, size_t len)
{
	struct u3vcp_header h;
	struct u3v_ack_fault f;
	struct u3v_ack_mod m;
	bool want;

	c->stats.commands++;
	if (len < U3VCP_HEADER_SIZE) {
		log_warn("gencp command of %zu bytes is shorter than a header: INVALID_HEADER", len);
		stray_ack(c, U3VCP_INVALID_HEADER, 0, 0);
		return USB_ST_OK;
	}
	u3vcp_header_unpack(&h, data);
	if (log_get_level() >= LOG_DEBUG) {
		char s[160];
		u3vcp_to_string(data, len, s, sizeof(s));
		log_dbg("gencp command: %s", s);
	}
	want = h.flags_or_status & U3VCP_FLAG_REQUEST_ACK;
	if (h.prefix != U3VCP_PREFIX) {
		log_warn("gencp command with prefix 0x%08x: INVALID_HEADER", h.prefix);
		stray_ack(c, U3VCP_INVALID_HEADER, (uint16_t)(h.id + 1), h.request_id);
		return USB_ST_OK;
	}
	memset(&f, 0, sizeof(f));
	if ((size_t)h.length == len - U3VCP_HEADER_SIZE && ask_fault(c, h.request_id, &f)) {
		fault_mod(c, &f, &m);
		c->mod = &m;
	}
	command(c, &h, data, len, want, &f);
	c->mod = NULL;
	return USB_ST_OK;
}

int u3v_control_ack_pull(struct u3v_control *c, uint32_t max_len, struct usb_in_chunk *chunk)
{
	static uint8_t out[U3VCP_HEADER_SIZE + U3V_MAX_ACK_TRANSFER];
	uint64_t now = 0;
	bool have_now = false;
	unsigned i;

	/* the oldest ack that may leave: a held one lets the others pass */
	for (i = 0; i < c->n_acks; i++) {
		if (c->acks[i].held && !have_now) {
			now = dev_now(c);
			have_now = true;
		}
		if (ack_released(&c->acks[i], now))
			break;
	}
	if (i == c->n_acks)
		return 0;
	struct u3v_ack a = c->acks[i];
	memmove(c->acks + i, c->acks + i + 1, sizeof(c->acks[0]) * (c->n_acks - 1 - i));
	c->n_acks--;
	if (a.len > max_len) {
		/* the packet does not fit the host's buffer: babble, and the ack is lost */
		c->stats.babbles++;
		log_warn("gencp ack of %zu bytes into a %u-byte transfer: babble", a.len, max_len);
		free(a.buf);
		chunk->status = USB_ST_OVERFLOW;
		chunk->len = 0;
		return 1;
	}
	/* the transport copies data without a ref before we return */
	memcpy(out, a.buf, a.len);
	free(a.buf);
	chunk->status = USB_ST_OK;
	chunk->data = out;
	chunk->len = a.len;
	return 1;
}

/* ---- fault hooks ---- */

void u3v_control_wake(struct u3v_control *c)
{
	uint64_t now = dev_now(c), next = 0;
	bool released = false, waiting = false;

	c->wake_pending = false;   /* this was it: what still waits asks again */
	for (unsigned i = 0; i < c->n_acks; i++) {
		struct u3v_ack *a = &c->acks[i];

		if (!a->held)
			continue;
		if (a->release <= now) {
			a->held = false;
			released = true;
		} else if (!waiting || a->release < next) {
			next = a->release;
			waiting = true;
		}
	}
	if (c->fault_busy && now >= c->busy_until)
		c->fault_busy = false;
	if (waiting)
		want_wake(c, next);
	if (released && c->ack_ready)
		c->ack_ready(c->ctx);
}

void u3v_control_set_fault_ops(struct u3v_control *c, const struct u3v_control_fault_ops *ops, void *ctx)
{
	c->fault_ops = ops;
	c->fault_ctx = ctx;
	c->wake_pending = false;   /* a new owner has no request of ours */
	if (!ops)
		c->fault_busy = false;
	for (unsigned i = 0; i < c->n_acks; i++)
		if (c->acks[i].held) {
			u3v_control_wake(c);   /* release what is due, ask the new owner for the rest */
			break;
		}
}
