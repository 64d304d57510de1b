/* SPDX-License-Identifier: MIT */
#include "gencp.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "wire.h"

void gencp_init(struct gencp *g, struct xport *x, uint8_t ep_out, uint8_t ep_in)
{
	memset(g, 0, sizeof(*g));
	g->x = x;
	g->ep_out = ep_out;
	g->ep_in = ep_in;
	g->next_id = 1;
	g->max_cmd = 1024;    /* safe until SBRM has been read */
	g->max_ack = 1024;
	g->timeout_ms = 1000;
}

uint16_t gencp_take_id(struct gencp *g)
{
	uint16_t id = g->next_id++;

	if (g->next_id == 0)
		g->next_id = 1;
	return id;
}

/* Waits for the ack of `id`; returns its length or -errno. */
static int wait_ack(struct gencp *g, uint16_t id, uint8_t *ack, size_t ackcap)
{
	unsigned timeout = g->timeout_ms;

	for (int tries = 0; tries < 64; tries++) {
		int n = g->x->ops->bulk(g->x, g->ep_in, ack, (int)ackcap, timeout);
		if (n < 0)
			return n;
		if (n < 12 || rd_le32(ack) != GENCP_PREFIX)
			return -EPROTO;
		g->last_ack_cmd = rd_le16(ack + 6);
		g->last_ack_id = rd_le16(ack + 10);
		if (g->last_ack_id != id)
			continue;   /* stale ack of an earlier command */
		if (g->last_ack_cmd == GENCP_PENDING_ACK && n >= 16) {
			g->pendings++;
			timeout = rd_le16(ack + 14) + 200u;   /* the device asks for more time */
			continue;
		}
		return n;
	}
	return -EPROTO;
}

static void pack_header(uint8_t *cmd, uint16_t command, uint16_t scd_len, uint16_t id)
{
	wr_le32(cmd, GENCP_PREFIX);
	wr_le16(cmd + 4, GENCP_REQUEST_ACK);
	wr_le16(cmd + 6, command);
	wr_le16(cmd + 8, scd_len);
	wr_le16(cmd + 10, id);
}

size_t gencp_pack_readmem(uint8_t cmd[24], uint16_t id, uint64_t addr, uint16_t count)
{
	pack_header(cmd, GENCP_READMEM_CMD, 12, id);
	wr_le64(cmd + 12, addr);
	wr_le16(cmd + 20, 0);
	wr_le16(cmd + 22, count);
	return 24;
}

size_t gencp_pack_writemem(uint8_t cmd[20], uint16_t id, uint64_t addr, uint16_t n)
{
	pack_header(cmd, GENCP_WRITEMEM_CMD, (uint16_t)(8 + n), id);
	wr_le64(cmd + 12, addr);
	return 20;
}

int gencp_raw(struct gencp *g, const uint8_t *cmd, size_t len, uint8_t *ack, size_t ackcap)
{
	int n = g->x->ops->bulk(g->x, g->ep_out, (uint8_t *)cmd, (int)len, g->timeout_ms);

	if (n < 0)
		return n;
	if (len >= 12)
		return wait_ack(g, rd_le16(cmd + 10), ack, ackcap);
	return wait_ack(g, 0, ack, ackcap);
}

static int read_chunk(struct gencp *g, uint64_t addr, uint8_t *buf, uint16_t count)
{
	uint8_t cmd[24], *ack = malloc(12u + count + 16);
	uint16_t id = gencp_take_id(g);
	int n, rc;

	if (!ack)
		return -ENOMEM;
	gencp_pack_readmem(cmd, id, addr, count);
	/* the ack buffer is exactly what a READMEM ack can be, like Aravis's (but never < 16) */
	n = gencp_raw(g, cmd, sizeof(cmd), ack, 12u + count < 16 ? 16 : 12u + count);
	if (n < 0) {
		rc = n;
	} else if (g->last_ack_cmd != GENCP_READMEM_ACK) {
		rc = -EPROTO;
	} else if (rd_le16(ack + 4) != GENCP_SUCCESS) {
		rc = rd_le16(ack + 4);
	} else if (rd_le16(ack + 8) != count || n != 12 + count) {
		rc = -EPROTO;
	} else {
		memcpy(buf, ack + 12, count);
		rc = 0;
	}
	free(ack);
	return rc;
}

int gencp_read(struct gencp *g, uint64_t addr, void *buf, uint32_t len)
{
	uint32_t chunk = g->max_ack - 12, done = 0;

	if (chunk > 0xFFFF)
		chunk = 0xFFFF;
	while (done < len) {
		uint32_t n = len - done < chunk ? len - done : chunk;
		int rc = read_chunk(g, addr + done, (uint8_t *)buf + done, (uint16_t)n);
		if (rc)
			return rc;
		done += n;
	}
	return 0;
}

static int write_chunk(struct gencp *g, uint64_t addr, const uint8_t *data, uint16_t n)
{
	uint8_t *cmd = malloc(20u + n), ack[64];
	uint16_t id = gencp_take_id(g);
	int r, rc;

	if (!cmd)
		return -ENOMEM;
	gencp_pack_writemem(cmd, id, addr, n);
	memcpy(cmd + 20, data, n);
	r = gencp_raw(g, cmd, 20u + n, ack, sizeof(ack));
	if (r < 0)
		rc = r;
	else if (g->last_ack_cmd != GENCP_WRITEMEM_ACK)
		rc = -EPROTO;
	else if (rd_le16(ack + 4) != GENCP_SUCCESS)
		rc = rd_le16(ack + 4);
	else if (r < 16 || rd_le16(ack + 14) != n)
		rc = -EPROTO;   /* the written-length field must say all of it */
	else
		rc = 0;
	free(cmd);
	return rc;
}

int gencp_write(struct gencp *g, uint64_t addr, const void *buf, uint32_t len)
{
	uint32_t chunk = g->max_cmd - 20, done = 0;

	if (chunk > 0xFFFF - 8)
		chunk = 0xFFFF - 8;
	while (done < len) {
		uint32_t n = len - done < chunk ? len - done : chunk;
		int rc = write_chunk(g, addr + done, (const uint8_t *)buf + done, (uint16_t)n);
		if (rc)
			return rc;
		done += n;
	}
	return 0;
}

int gencp_read_u32(struct gencp *g, uint64_t addr, uint32_t *v)
{
	uint8_t b[4];
	int rc = gencp_read(g, addr, b, 4);

	if (rc == 0)
		*v = rd_le32(b);
	return rc;
}

int gencp_read_u64(struct gencp *g, uint64_t addr, uint64_t *v)
{
	uint8_t b[8];
	int rc = gencp_read(g, addr, b, 8);

	if (rc == 0)
		*v = rd_le64(b);
	return rc;
}

int gencp_write_u32(struct gencp *g, uint64_t addr, uint32_t v)
{
	uint8_t b[4];

	wr_le32(b, v);
	return gencp_write(g, addr, b, 4);
}

int gencp_configure(struct gencp *g)
{
	uint64_t sbrm;
	uint32_t resp, max_cmd, max_ack;
	int rc = gencp_read_u32(g, ABRM_RESPONSE_TIME, &resp);

	if (rc == 0)
		rc = gencp_read_u64(g, ABRM_SBRM, &sbrm);
	if (rc == 0)
		rc = gencp_read_u32(g, sbrm + SBRM_MAX_CMD, &max_cmd);
	if (rc == 0)
		rc = gencp_read_u32(g, sbrm + SBRM_MAX_ACK, &max_ack);
	if (rc)
		return rc;
	g->timeout_ms = resp < 200 ? 200 : resp;
	g->max_cmd = max_cmd;
	g->max_ack = max_ack;
	return 0;
}
