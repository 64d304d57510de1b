/* SPDX-License-Identifier: MIT */
/* USB3 Vision control protocol (GenCP over the control interface's bulk pipes).
 * All fields little-endian. Commands arrive on bulk OUT, acks leave on bulk IN.
 *
 *   command: prefix u32 "U3VC" | flags u16 | command_id u16 | length u16 | request_id u16 | SCD[length]
 *   ack:     prefix u32 "U3VC" | status u16 | command_id u16 | length u16 | ack_id u16    | SCD[length]
 */
#ifndef DFK_U3VCP_H
#define DFK_U3VCP_H

#include <stddef.h>
#include <stdint.h>

#define U3VCP_PREFIX              0x43563355u   /* "U3VC" */
/* Event packets on the event endpoint carry their own prefix (U3V 1.0, event channel). */
#define U3VCP_EVENT_PREFIX        0x45563355u   /* "U3VE" */
#define U3VCP_HEADER_SIZE         12

#define U3VCP_FLAG_REQUEST_ACK    0x4000
#define U3VCP_FLAG_RESEND         0x8000

enum u3vcp_command_id {
	U3VCP_READMEM_CMD = 0x0800,
	U3VCP_READMEM_ACK = 0x0801,
	U3VCP_WRITEMEM_CMD = 0x0802,
	U3VCP_WRITEMEM_ACK = 0x0803,
	U3VCP_PENDING_ACK = 0x0805,
	U3VCP_EVENT_CMD = 0x0C00,
	U3VCP_EVENT_ACK = 0x0C01,
};

/* GenCP status codes (GenCP 1.0 table 5-2) and USB3 Vision specific ones (U3V 1.0 table 5-6). */
enum u3vcp_status {
	U3VCP_SUCCESS = 0x0000,
	U3VCP_NOT_IMPLEMENTED = 0x8001,
	U3VCP_INVALID_PARAMETER = 0x8002,
	U3VCP_INVALID_ADDRESS = 0x8003,
	U3VCP_WRITE_PROTECT = 0x8004,
	U3VCP_BAD_ALIGNMENT = 0x8005,
	U3VCP_ACCESS_DENIED = 0x8006,
	U3VCP_BUSY = 0x8007,
	U3VCP_MSG_TIMEOUT = 0x800B,
	U3VCP_INVALID_HEADER = 0x800E,
	U3VCP_WRONG_CONFIG = 0x800F,
	U3VCP_GENERIC_ERROR = 0x8FFF,
	U3VCP_RESEND_NOT_SUPPORTED = 0xA001,
	U3VCP_STREAM_ENDPOINT_HALTED = 0xA002,
	U3VCP_SI_PAYLOAD_SIZE_NOT_ALIGNED = 0xA003,
	U3VCP_SI_REGISTERS_INCONSISTENT = 0xA004,
	U3VCP_EVENT_ENDPOINT_HALTED = 0xA005,
};

#define U3VCP_READMEM_SCD_SIZE    12   /* address u64, reserved u16, count u16 */
#define U3VCP_WRITEMEM_ACK_SCD    4    /* reserved u16, bytes written u16 */
#define U3VCP_PENDING_ACK_SCD     4    /* reserved u16, timeout ms u16 */

/**
 * struct u3vcp_header - common header of commands and acks, host order
 * @prefix: U3VCP_PREFIX
 * @flags_or_status: flags (command) or status (ack)
 * @id: command id
 * @length: bytes of SCD after the header
 * @request_id: request id (command) / ack id (ack)
 */
struct u3vcp_header {
	uint32_t prefix;
	uint16_t flags_or_status;
	uint16_t id;
	uint16_t length;
	uint16_t request_id;
};

void u3vcp_header_pack(uint8_t out[U3VCP_HEADER_SIZE], const struct u3vcp_header *h);
void u3vcp_header_unpack(struct u3vcp_header *h, const uint8_t in[U3VCP_HEADER_SIZE]);

/* Builders: return the packet size written to `out` (which must be large enough). */
size_t u3vcp_readmem_cmd(uint8_t *out, uint16_t request_id, uint64_t address, uint16_t count);
size_t u3vcp_writemem_cmd(uint8_t *out, uint16_t request_id, uint64_t address, const void *data, uint16_t n);
size_t u3vcp_ack(uint8_t *out, uint16_t status, uint16_t ack_cmd, uint16_t ack_id, const void *scd, uint16_t scd_len);
size_t u3vcp_writemem_ack(uint8_t *out, uint16_t status, uint16_t ack_id, uint16_t written);
size_t u3vcp_pending_ack(uint8_t *out, uint16_t ack_id, uint16_t timeout_ms);

const char *u3vcp_status_string(uint16_t status);
const char *u3vcp_command_string(uint16_t id);
int u3vcp_to_string(const uint8_t *pkt, size_t len, char *buf, size_t buflen);

#endif
