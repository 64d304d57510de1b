/* SPDX-License-Identifier: MIT */
#include "u3vcp.h"

#include <stdio.h>
#include <string.h>

#include "../common/bytes.h"

void u3vcp_header_pack(uint8_t out[U3VCP_HEADER_SIZE], const struct u3vcp_header *h)
{
	put_le32(out, h->prefix);
	put_le16(out + 4, h->flags_or_status);
	put_le16(out + 6, h->id);
	put_le16(out + 8, h->length);
	put_le16(out + 10, h->request_id);
}

void u3vcp_header_unpack(struct u3vcp_header *h, const uint8_t in[U3VCP_HEADER_SIZE])
{
	h->prefix = get_le32(in);
	h->flags_or_status = get_le16(in + 4);
	h->id = get_le16(in + 6);
	h->length = get_le16(in + 8);
	h->request_id = get_le16(in + 10);
}

size_t u3vcp_readmem_cmd(uint8_t *out, uint16_t request_id, uint64_t address, uint16_t count)
{
	struct u3vcp_header h = { U3VCP_PREFIX, U3VCP_FLAG_REQUEST_ACK, U3VCP_READMEM_CMD,
				  U3VCP_READMEM_SCD_SIZE, request_id };

	u3vcp_header_pack(out, &h);
	put_le64(out + 12, address);
	put_le16(out + 20, 0);
	put_le16(out + 22, count);
	return U3VCP_HEADER_SIZE + U3VCP_READMEM_SCD_SIZE;
}

size_t u3vcp_writemem_cmd(uint8_t *out, uint16_t request_id, uint64_t address, const void *data, uint16_t n)
{
	struct u3vcp_header h = { U3VCP_PREFIX, U3VCP_FLAG_REQUEST_ACK, U3VCP_WRITEMEM_CMD,
				  (uint16_t)(8 + n), request_id };

	u3vcp_header_pack(out, &h);
	put_le64(out + 12, address);
	if (n)
		memcpy(out + 20, data, n);
	return U3VCP_HEADER_SIZE + 8 + (size_t)n;
}

size_t u3vcp_ack(uint8_t *out, uint16_t status, uint16_t ack_cmd, uint16_t ack_id, const void *scd, uint16_t scd_len)
{
	struct u3vcp_header h = { U3VCP_PREFIX, status, ack_cmd, scd_len, ack_id };

	u3vcp_header_pack(out, &h);
	if (scd_len)
		memcpy(out + U3VCP_HEADER_SIZE, scd, scd_len);
	return U3VCP_HEADER_SIZE + (size_t)scd_len;
}

size_t u3vcp_writemem_ack(uint8_t *out, uint16_t status, uint16_t ack_id, uint16_t written)
{
	uint8_t scd[U3VCP_WRITEMEM_ACK_SCD];

	put_le16(scd, 0);
	put_le16(scd + 2, written);
	return u3vcp_ack(out, status, U3VCP_WRITEMEM_ACK, ack_id, scd, sizeof(scd));
}

size_t u3vcp_pending_ack(uint8_t *out, uint16_t ack_id, uint16_t timeout_ms)
{
	uint8_t scd[U3VCP_PENDING_ACK_SCD];

	put_le16(scd, 0);
	put_le16(scd + 2, timeout_ms);
	return u3vcp_ack(out, U3VCP_SUCCESS, U3VCP_PENDING_ACK, ack_id, scd, sizeof(scd));
}

const char *u3vcp_status_string(uint16_t status)
{
	switch (status) {
	case U3VCP_SUCCESS: return "SUCCESS";
	case U3VCP_NOT_IMPLEMENTED: return "NOT_IMPLEMENTED";
	case U3VCP_INVALID_PARAMETER: return "INVALID_PARAMETER";
	case U3VCP_INVALID_ADDRESS: return "INVALID_ADDRESS";
	case U3VCP_WRITE_PROTECT: return "WRITE_PROTECT";
	case U3VCP_BAD_ALIGNMENT: return "BAD_ALIGNMENT";
	case U3VCP_ACCESS_DENIED: return "ACCESS_DENIED";
	case U3VCP_BUSY: return "BUSY";
	case U3VCP_MSG_TIMEOUT: return "MSG_TIMEOUT";
	case U3VCP_INVALID_HEADER: return "INVALID_HEADER";
	case U3VCP_WRONG_CONFIG: return "WRONG_CONFIG";
	case U3VCP_GENERIC_ERROR: return "GENERIC_ERROR";
	case U3VCP_RESEND_NOT_SUPPORTED: return "RESEND_NOT_SUPPORTED";
	case U3VCP_STREAM_ENDPOINT_HALTED: return "STREAM_ENDPOINT_HALTED";
	case U3VCP_SI_PAYLOAD_SIZE_NOT_ALIGNED: return "SI_PAYLOAD_SIZE_NOT_ALIGNED";
	case U3VCP_SI_REGISTERS_INCONSISTENT: return "SI_REGISTERS_INCONSISTENT";
	case U3VCP_EVENT_ENDPOINT_HALTED: return "EVENT_ENDPOINT_HALTED";
	default: return "UNKNOWN_STATUS";
	}
}

const char *u3vcp_command_string(uint16_t id)
{
	switch (id) {
	case U3VCP_READMEM_CMD: return "READMEM_CMD";
	case U3VCP_READMEM_ACK: return "READMEM_ACK";
	case U3VCP_WRITEMEM_CMD: return "WRITEMEM_CMD";
	case U3VCP_WRITEMEM_ACK: return "WRITEMEM_ACK";
	case U3VCP_PENDING_ACK: return "PENDING_ACK";
	case U3VCP_EVENT_CMD: return "EVENT_CMD";
	case U3VCP_EVENT_ACK: return "EVENT_ACK";
	default: return "UNKNOWN_COMMAND";
	}
}

int u3vcp_to_string(const uint8_t *pkt, size_t len, char *buf, size_t buflen)
{
	struct u3vcp_header h;

	if (len < U3VCP_HEADER_SIZE)
		return snprintf(buf, buflen, "short GenCP packet (%zu bytes)", len);
	u3vcp_header_unpack(&h, pkt);
	if (h.id == U3VCP_READMEM_CMD && len >= 24)
		return snprintf(buf, buflen, "READMEM_CMD id %u addr 0x%llx count %u", h.request_id,
				(unsigned long long)get_le64(pkt + 12), get_le16(pkt + 22));
	if (h.id == U3VCP_WRITEMEM_CMD && len >= 20)
		return snprintf(buf, buflen, "WRITEMEM_CMD id %u addr 0x%llx bytes %u", h.request_id,
				(unsigned long long)get_le64(pkt + 12), h.length >= 8 ? h.length - 8 : 0);
	if (h.id & 1)
		return snprintf(buf, buflen, "%s id %u status %s length %u", u3vcp_command_string(h.id), h.request_id,
				u3vcp_status_string(h.flags_or_status), h.length);
	return snprintf(buf, buflen, "%s (0x%04x) id %u flags 0x%04x length %u", u3vcp_command_string(h.id), h.id,
			h.request_id, h.flags_or_status, h.length);
}
