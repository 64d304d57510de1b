/* SPDX-License-Identifier: MIT */
/* u3v/u3vcp: GenCP packets of the U3V control channel, byte for byte
 * (docs/protocols.md section 4 "GenCP control channel"; GenCP 1.0; all fields little-endian). */
#include <string.h>

#include "../u3v/u3vcp.h"
#include "tests.h"

static void test_u3vcp_readmem_cmd(void)
{
	/* Aravis's first request id (65301) reading 64 bytes of the XML at 0x100000 */
	static const uint8_t golden[24] = {
		0x55, 0x33, 0x56, 0x43,                           /* prefix "U3VC" */
		0x00, 0x40,                                       /* flags: request ack */
		0x00, 0x08,                                       /* READMEM_CMD */
		0x0C, 0x00,                                       /* SCD length 12 */
		0x15, 0xFF,                                       /* request id 65301 */
		0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00,   /* address */
		0x00, 0x00,                                       /* reserved */
		0x40, 0x00,                                       /* read count 64 */
	};
	uint8_t out[64];

	memset(out, 0xAA, sizeof(out));
	ASSERT_INT(u3vcp_readmem_cmd(out, 65301, 0x100000, 64), 24);
	ASSERT_BYTES(out, golden, 24);
	ASSERT_INT(out[24], 0xAA);
	/* all 64 address bits */
	ASSERT_INT(u3vcp_readmem_cmd(out, 1, 0x0102030405060708ull, 0xFFFF), 24);
	ASSERT_BYTES(out + 12, "\x08\x07\x06\x05\x04\x03\x02\x01\x00\x00\xFF\xFF", 12);
}

static void test_u3vcp_writemem_cmd(void)
{
	static const uint8_t golden[24] = {
		0x55, 0x33, 0x56, 0x43, 0x00, 0x40, 0x02, 0x08,
		0x0C, 0x00,                                       /* length 8 + 4 */
		0x02, 0x00,                                       /* request id 2 */
		0x14, 0x10, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00,   /* address 0x21014 (Width) */
		0x00, 0x0F, 0x00, 0x00,                           /* data: 3840 LE */
	};
	static const uint8_t data[4] = { 0x00, 0x0F, 0x00, 0x00 };
	uint8_t out[64];

	memset(out, 0xAA, sizeof(out));
	ASSERT_INT(u3vcp_writemem_cmd(out, 2, 0x21014, data, 4), 24);
	ASSERT_BYTES(out, golden, 24);
	ASSERT_INT(out[24], 0xAA);
	/* 20 + n for any n, including 0 */
	ASSERT_INT(u3vcp_writemem_cmd(out, 3, 0, NULL, 0), 20);
	ASSERT_INT(out[8], 8);
	ASSERT_INT(out[9], 0);
}

static void test_u3vcp_writemem_ack(void)
{
	static const uint8_t golden[16] = {
		0x55, 0x33, 0x56, 0x43,
		0x00, 0x00,   /* status SUCCESS */
		0x03, 0x08,   /* WRITEMEM_ACK */
		0x04, 0x00,   /* length 4 */
		0x02, 0x00,   /* ack id */
		0x00, 0x00,   /* reserved */
		0x04, 0x00,   /* bytes written */
	};
	uint8_t out[32];

	memset(out, 0xAA, sizeof(out));
	ASSERT_INT(u3vcp_writemem_ack(out, 0, 2, 4), 16);
	ASSERT_BYTES(out, golden, 16);
	ASSERT_INT(out[16], 0xAA);
}

static void test_u3vcp_pending_ack(void)
{
	static const uint8_t golden[16] = {
		0x55, 0x33, 0x56, 0x43, 0x00, 0x00,
		0x05, 0x08,   /* PENDING_ACK */
		0x04, 0x00, 0x34, 0x12,
		0x00, 0x00,   /* reserved */
		0x2C, 0x01,   /* timeout 300 ms */
	};
	uint8_t out[32];

	memset(out, 0xAA, sizeof(out));
	ASSERT_INT(u3vcp_pending_ack(out, 0x1234, 300), 16);
	ASSERT_BYTES(out, golden, 16);
	ASSERT_INT(out[16], 0xAA);
}

static void test_u3vcp_error_and_data_acks(void)
{
	/* an error ack is the header alone: normal ack id, non-zero status, length 0 */
	static const uint8_t golden_err[12] = { 0x55, 0x33, 0x56, 0x43, 0x03, 0x80, 0x01, 0x08, 0x00, 0x00, 0x07, 0x00 };
	static const uint8_t golden_read[16] = { 0x55, 0x33, 0x56, 0x43, 0x00, 0x00, 0x01, 0x08,
						 0x04, 0x00, 0x08, 0x00, 0xDE, 0xAD, 0xBE, 0xEF };
	uint8_t out[32];

	ASSERT_INT(u3vcp_ack(out, U3VCP_INVALID_ADDRESS, U3VCP_READMEM_ACK, 7, NULL, 0), 12);
	ASSERT_BYTES(out, golden_err, 12);
	ASSERT_INT(u3vcp_ack(out, U3VCP_SUCCESS, U3VCP_READMEM_ACK, 8, "\xDE\xAD\xBE\xEF", 4), 16);
	ASSERT_BYTES(out, golden_read, 16);
}

static void test_u3vcp_header_round_trip(void)
{
	struct u3vcp_header h = { U3VCP_PREFIX, 0xC000, 0x0802, 0x1234, 0xFFFF }, back;
	static const uint8_t golden[12] = { 0x55, 0x33, 0x56, 0x43, 0x00, 0xC0, 0x02, 0x08, 0x34, 0x12, 0xFF, 0xFF };
	uint8_t out[12];

	u3vcp_header_pack(out, &h);
	ASSERT_BYTES(out, golden, 12);
	memset(&back, 0, sizeof(back));
	u3vcp_header_unpack(&back, out);
	ASSERT_INT(back.prefix, 0x43563355);
	ASSERT_INT(back.flags_or_status, 0xC000);
	ASSERT_INT(back.id, 0x0802);
	ASSERT_INT(back.length, 0x1234);
	ASSERT_INT(back.request_id, 0xFFFF);
}

static void test_u3vcp_codes(void)
{
	/* the numbers hosts compare against (GenCP 1.0 table 5-2, U3V 1.0 table 5-6) */
	ASSERT_INT(U3VCP_PREFIX, 0x43563355);
	ASSERT_INT(U3VCP_FLAG_REQUEST_ACK, 0x4000);
	ASSERT_INT(U3VCP_FLAG_RESEND, 0x8000);
	ASSERT_INT(U3VCP_NOT_IMPLEMENTED, 0x8001);
	ASSERT_INT(U3VCP_INVALID_PARAMETER, 0x8002);
	ASSERT_INT(U3VCP_INVALID_ADDRESS, 0x8003);
	ASSERT_INT(U3VCP_WRITE_PROTECT, 0x8004);
	ASSERT_INT(U3VCP_BAD_ALIGNMENT, 0x8005);
	ASSERT_INT(U3VCP_ACCESS_DENIED, 0x8006);
	ASSERT_INT(U3VCP_BUSY, 0x8007);
	ASSERT_INT(U3VCP_MSG_TIMEOUT, 0x800B);
	ASSERT_INT(U3VCP_INVALID_HEADER, 0x800E);
	ASSERT_INT(U3VCP_WRONG_CONFIG, 0x800F);
	ASSERT_INT(U3VCP_GENERIC_ERROR, 0x8FFF);
	ASSERT_INT(U3VCP_RESEND_NOT_SUPPORTED, 0xA001);
	ASSERT_INT(U3VCP_STREAM_ENDPOINT_HALTED, 0xA002);
	ASSERT_INT(U3VCP_SI_PAYLOAD_SIZE_NOT_ALIGNED, 0xA003);
	ASSERT_INT(U3VCP_SI_REGISTERS_INCONSISTENT, 0xA004);
	ASSERT_INT(U3VCP_EVENT_ENDPOINT_HALTED, 0xA005);
	ASSERT_INT(U3VCP_EVENT_CMD, 0x0C00);
	ASSERT_INT(U3VCP_EVENT_ACK, 0x0C01);
	CU_ASSERT_STRING_EQUAL(u3vcp_status_string(0x8007), "BUSY");
	CU_ASSERT_STRING_EQUAL(u3vcp_command_string(0x0805), "PENDING_ACK");
}

static void test_u3vcp_to_string(void)
{
	uint8_t pkt[24];
	char buf[160];

	u3vcp_readmem_cmd(pkt, 77, 0x1D8, 8);
	CU_ASSERT(u3vcp_to_string(pkt, sizeof(pkt), buf, sizeof(buf)) > 0);
	CU_ASSERT(strstr(buf, "READMEM") != NULL);
	CU_ASSERT(strstr(buf, "77") != NULL);
	CU_ASSERT(strstr(buf, "1d8") != NULL || strstr(buf, "1D8") != NULL);
	/* short input is described, not read past */
	CU_ASSERT(u3vcp_to_string(pkt, 5, buf, sizeof(buf)) > 0);
}

static const struct test_case cases[] = {
	{ "test_u3vcp_readmem_cmd", test_u3vcp_readmem_cmd },
	{ "test_u3vcp_writemem_cmd", test_u3vcp_writemem_cmd },
	{ "test_u3vcp_writemem_ack", test_u3vcp_writemem_ack },
	{ "test_u3vcp_pending_ack", test_u3vcp_pending_ack },
	{ "test_u3vcp_error_and_data_acks", test_u3vcp_error_and_data_acks },
	{ "test_u3vcp_header_round_trip", test_u3vcp_header_round_trip },
	{ "test_u3vcp_codes", test_u3vcp_codes },
	{ "test_u3vcp_to_string", test_u3vcp_to_string },
	{ NULL, NULL },
};

int test_u3vcp_add_suite(void) { return test_add_suite("u3vcp", NULL, NULL, cases); }
