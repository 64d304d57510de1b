/* SPDX-License-Identifier: MIT */
/* GenCP over USB3 Vision, as the guest-side test programs (bad_host.c, u3v_rtt.c) put it on
 * the wire: little-endian, a 12-byte command header (prefix, flags, command id, length,
 * request id) and READMEM's 12-byte body (address, reserved, count). docs/protocols.md. */
#ifndef DFK_VM_GENCP_WIRE_H
#define DFK_VM_GENCP_WIRE_H

#include <stdint.h>

#define U3V_PREFIX 0x43563355u
#define GENCP_READMEM_CMD 0x0800u
#define GENCP_READMEM_ACK 0x0801u
#define GENCP_PENDING_ACK 0x0805u
#define GENCP_FLAG_REQUEST_ACK 0x4000u
#define GENCP_HDR_LEN 12
#define GENCP_READMEM_LEN (GENCP_HDR_LEN + 12)

static inline void put16(uint8_t *p, uint16_t v) { p[0] = v & 0xff; p[1] = v >> 8; }
static inline void put64(uint8_t *p, uint64_t v) { for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i)); }

/* READMEM(addr, count) with request id `id`, acknowledgement requested. */
static inline void gencp_readmem_cmd(uint8_t cmd[GENCP_READMEM_LEN], uint16_t id, uint64_t addr, uint16_t count)
{
	put16(cmd + 0, U3V_PREFIX & 0xffff);
	put16(cmd + 2, U3V_PREFIX >> 16);
	put16(cmd + 4, GENCP_FLAG_REQUEST_ACK);
	put16(cmd + 6, GENCP_READMEM_CMD);
	put16(cmd + 8, 12);
	put16(cmd + 10, id);
	put64(cmd + 12, addr);
	put16(cmd + 20, 0);
	put16(cmd + 22, count);
}

#endif
