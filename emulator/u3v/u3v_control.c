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
}

void u3v_control_free(struct u3v_control *c) { u3v_control_reset(c); }

static void queue_ack(struct u3v_control *c, const uint8_t *pkt, size_t len, bool remember)
{
	uint8_t *copy;

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
	c->acks[c->n_acks].buf = copy;
	c->acks[c->n_acks].len = len;
	c->n_acks++;
	if (remember) {
		uint8_t *keep = malloc(len);
		if (keep) {
			memcpy(keep, pkt, len);
			free(c->last.buf);
			c->last.buf = keep;
			c->last.len = len;
		}
	}
	if (log_get_level() >= LOG_DEBUG) {
		char s[160];
		u3vcp_to_string(pkt, len, s, sizeof(s));
		log_dbg("gencp ack: %s", s);
	}
	if (c->ack_ready)
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
	int rc;
	uint16_t status;

	(void)loop;
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

int u3v_control_command(struct u3v_control *c, const uint8_t *data, size_t len)
{
	struct u3vcp_header h;
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
	if (c->busy) {
		if (want)
			stray_ack(c, U3VCP_BUSY, (uint16_t)(h.id + 1), h.request_id);
		return USB_ST_OK;
	}
	if ((h.flags_or_status & U3VCP_FLAG_RESEND) && c->have_last && h.request_id == c->last_request_id &&
	    c->last.buf) {
		queue_ack(c, c->last.buf, c->last.len, false);   /* the host lost our ack: send it again */
		return USB_ST_OK;
	}
	drop_acks(c);
	c->have_last = true;
	c->last_request_id = h.request_id;
	if (len > U3V_MAX_CMD_TRANSFER) {
		log_dbg("gencp command of %zu bytes exceeds the %u-byte maximum", len, U3V_MAX_CMD_TRANSFER);
		error_ack(c, U3VCP_INVALID_PARAMETER, (uint16_t)(h.id + 1), h.request_id, want);
		return USB_ST_OK;
	}
	if ((size_t)h.length != len - U3VCP_HEADER_SIZE) {
		log_dbg("gencp command says %u bytes of data, carries %zu", h.length, len - U3VCP_HEADER_SIZE);
		error_ack(c, U3VCP_INVALID_HEADER, (uint16_t)(h.id + 1), h.request_id, want);
		return USB_ST_OK;
	}
	switch (h.id) {
	case U3VCP_READMEM_CMD:
		do_readmem(c, &h, data + U3VCP_HEADER_SIZE, want);
		break;
	case U3VCP_WRITEMEM_CMD:
		do_writemem(c, &h, data + U3VCP_HEADER_SIZE, want);
		break;
	default:
		log_dbg("gencp command 0x%04x not implemented", h.id);
		error_ack(c, U3VCP_NOT_IMPLEMENTED, (uint16_t)(h.id + 1), h.request_id, want);
		break;
	}
	return USB_ST_OK;
}

int u3v_control_ack_pull(struct u3v_control *c, uint32_t max_len, struct usb_in_chunk *chunk)
{
	static uint8_t out[U3VCP_HEADER_SIZE + U3V_MAX_ACK_TRANSFER];

	if (!c->n_acks)
		return 0;
	struct u3v_ack a = c->acks[0];
	memmove(c->acks, c->acks + 1, sizeof(c->acks[0]) * (c->n_acks - 1));
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
