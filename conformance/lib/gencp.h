/* SPDX-License-Identifier: MIT */
/* GenCP client on the USB3 Vision control channel, as a host driver runs it:
 * request ids that increase and skip 0, PENDING_ACK restarts the wait, acks
 * with the wrong id are stale and skipped, reads and writes split into chunks
 * the device's SBRM maxima allow.
 *
 * Return convention: 0 = success, > 0 = the GenCP status of an error ack,
 * < 0 = -errno from the transport (-ETIMEDOUT when no ack came). */
#ifndef CONFORM_GENCP_H
#define CONFORM_GENCP_H

#include <stddef.h>
#include <stdint.h>

#include "xport.h"

struct gencp {
	struct xport *x;
	uint8_t ep_out, ep_in;
	uint16_t next_id;
	uint32_t max_cmd, max_ack;     /* from SBRM once known */
	unsigned timeout_ms;           /* per ack (MaxDeviceResponseTime, at least 200 ms here) */
	/* what the last transaction saw */
	unsigned pendings;
	uint16_t last_ack_id, last_ack_cmd;
};

void gencp_init(struct gencp *g, struct xport *x, uint8_t ep_out, uint8_t ep_in);
/* Read SBRM/ABRM maxima and response time. */
int gencp_configure(struct gencp *g);
int gencp_read(struct gencp *g, uint64_t addr, void *buf, uint32_t len);
int gencp_write(struct gencp *g, uint64_t addr, const void *buf, uint32_t len);
int gencp_read_u32(struct gencp *g, uint64_t addr, uint32_t *v);
int gencp_read_u64(struct gencp *g, uint64_t addr, uint64_t *v);
int gencp_write_u32(struct gencp *g, uint64_t addr, uint32_t v);
/* Send raw bytes as a command and collect one final ack (after any PENDING_ACK).
 * Returns the ack length or -errno. */
int gencp_raw(struct gencp *g, const uint8_t *cmd, size_t len, uint8_t *ack, size_t ackcap);
uint16_t gencp_take_id(struct gencp *g);
/* Command layouts (GenCP 1.0, U3V prefix, ack requested). readmem: the whole 24-byte
 * command; writemem: the 20-byte header of a command whose `n` data bytes follow. */
size_t gencp_pack_readmem(uint8_t cmd[24], uint16_t id, uint64_t addr, uint16_t count);
size_t gencp_pack_writemem(uint8_t cmd[20], uint16_t id, uint64_t addr, uint16_t n);

#endif
