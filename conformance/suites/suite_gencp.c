/* SPDX-License-Identifier: MIT */
/* gencp suite: the control protocol (GenCP 1.0 over U3V): request ids echoed,
 * each error status provoked, size limits the SBRM announces. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conform.h"

static uint8_t ack[70000];

/* Send `cmd`, expect one ack with `status` for command `ack_cmd`. */
static void expect_status(const uint8_t *cmd, size_t len, uint16_t ack_cmd, uint16_t status, const char *what)
{
	int n = gencp_raw(&session->gc, cmd, len, ack, sizeof(ack));

	REQUIRE_MSG(n >= 12, "%s: no ack (%d)", what, n);
	CHECK_MSG(rd_le16(ack + 4) == status, "%s: status 0x%04x (%s), expected 0x%04x (%s)", what, rd_le16(ack + 4),
		  gencp_status_name(rd_le16(ack + 4)), status, gencp_status_name(status));
	CHECK_MSG(rd_le16(ack + 6) == ack_cmd, "%s: ack command 0x%04x, expected 0x%04x", what, rd_le16(ack + 6), ack_cmd);
	CHECK_MSG(rd_le16(ack + 10) == rd_le16(cmd + 10), "%s: ack id %u for request %u", what, rd_le16(ack + 10),
		  rd_le16(cmd + 10));
	if (status != GENCP_SUCCESS)
		CHECK_MSG(rd_le16(ack + 8) == 0 || ack_cmd == GENCP_WRITEMEM_ACK, "%s: error ack carries %u bytes", what,
			  rd_le16(ack + 8));
}

/* GenCP 2.1: the ack id equals the request id, over the whole id range. */
static void test_request_id_echo(void)
{
	static const uint16_t ids[] = { 1, 2, 0x7FFF, 0x8000, 0xFFFE, 0xFFFF };
	uint8_t cmd[24];

	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		gencp_pack_readmem(cmd, ids[i], ABRM_MANUFACTURER, 64);
		expect_status(cmd, sizeof(cmd), GENCP_READMEM_ACK, GENCP_SUCCESS, "READMEM");
		CHECK_MSG(rd_le16(ack + 8) == 64, "ack length %u", rd_le16(ack + 8));
	}
}

static void test_unaligned(void)
{
	uint8_t cmd[24];

	/* Maximum Device Response Time is a 4-byte register at 0x1CC */
	gencp_pack_readmem(cmd, gencp_take_id(&session->gc), ABRM_RESPONSE_TIME + 1, 4);
	expect_status(cmd, sizeof(cmd), GENCP_READMEM_ACK, GENCP_BAD_ALIGNMENT, "READMEM at 0x1CD");
}

static void test_unmapped(void)
{
	uint8_t cmd[24];

	gencp_pack_readmem(cmd, gencp_take_id(&session->gc), 0xFFFFFFFFFFFF0000ull, 4);
	expect_status(cmd, sizeof(cmd), GENCP_READMEM_ACK, GENCP_INVALID_ADDRESS, "READMEM of unmapped memory");
}

static void test_read_only(void)
{
	uint8_t cmd[24];

	/* GenCP Version (ABRM 0x0000) is read-only */
	gencp_pack_writemem(cmd, gencp_take_id(&session->gc), 0, 4);
	wr_le32(cmd + 20, 0x00010000);
	expect_status(cmd, sizeof(cmd), GENCP_WRITEMEM_ACK, GENCP_WRITE_PROTECT, "WRITEMEM to GenCP Version");
}

/* A read whose ack would exceed SBRM Maximum Acknowledge Transfer Length. */
static void test_oversize_read(void)
{
	uint8_t cmd[24];
	uint32_t count = session->gc.max_ack - 12 + 1;

	REQUIRE_MSG(count <= 0xFFFF, "max ack %u: cannot express a larger read", session->gc.max_ack);
	gencp_pack_readmem(cmd, gencp_take_id(&session->gc), ABRM_MANUFACTURER, (uint16_t)count);
	int n = gencp_raw(&session->gc, cmd, sizeof(cmd), ack, sizeof(ack));
	REQUIRE_MSG(n >= 12, "no ack (%d)", n);
	CHECK_MSG(rd_le16(ack + 4) != GENCP_SUCCESS, "a %u-byte read beyond max ack %u succeeded", count, session->gc.max_ack);
	CHECK_MSG(rd_le16(ack + 4) == GENCP_INVALID_PARAMETER, "status 0x%04x, expected INVALID_PARAMETER",
		  rd_le16(ack + 4));
}

/* A command longer than SBRM Maximum Command Transfer Length. */
static void test_oversize_command(void)
{
	size_t len = session->gc.max_cmd + 1;
	uint8_t *cmd = calloc(1, len);

	REQUIRE_MSG(cmd, "memory");
	REQUIRE_MSG(len - 12 <= 0xFFFF, "max cmd %u too large to exceed within one GenCP length field", session->gc.max_cmd);
	gencp_pack_writemem(cmd, gencp_take_id(&session->gc), ABRM_USER_NAME, (uint16_t)(len - 20));
	int n = gencp_raw(&session->gc, cmd, len, ack, sizeof(ack));
	free(cmd);
	REQUIRE_MSG(n >= 12, "no ack (%d)", n);
	CHECK_MSG(rd_le16(ack + 4) == GENCP_INVALID_PARAMETER, "status 0x%04x for a %zu-byte command (max %u)",
		  rd_le16(ack + 4), len, session->gc.max_cmd);
	uint8_t b[4];
	CHECK_MSG(gencp_read(&session->gc, 0, b, 4) == 0, "the device answers again afterwards");
}

static void test_unknown_command(void)
{
	uint8_t cmd[12];

	wr_le32(cmd, GENCP_PREFIX);
	wr_le16(cmd + 4, GENCP_REQUEST_ACK);
	wr_le16(cmd + 6, 0x0900);
	wr_le16(cmd + 8, 0);
	wr_le16(cmd + 10, gencp_take_id(&session->gc));
	expect_status(cmd, sizeof(cmd), 0x0901, GENCP_NOT_IMPLEMENTED, "command 0x0900");
}

static void test_bad_prefix(void)
{
	uint8_t cmd[24];

	gencp_pack_readmem(cmd, gencp_take_id(&session->gc), ABRM_MANUFACTURER, 4);
	wr_le32(cmd, 0x43563356);   /* "V3VC" */
	expect_status(cmd, sizeof(cmd), GENCP_READMEM_ACK, GENCP_INVALID_HEADER, "bad prefix");
}

static void test_length_mismatch(void)
{
	uint8_t cmd[28];

	gencp_pack_readmem(cmd, gencp_take_id(&session->gc), ABRM_MANUFACTURER, 4);
	memset(cmd + 24, 0, 4);   /* 4 bytes more than the length field says */
	expect_status(cmd, sizeof(cmd), GENCP_READMEM_ACK, GENCP_INVALID_HEADER, "length field 12 with 16 bytes of data");
}

/* Without the request-ack flag the device executes silently. */
static void test_no_ack_requested(void)
{
	uint8_t cmd[24];
	uint16_t id = gencp_take_id(&session->gc);

	gencp_pack_readmem(cmd, id, ABRM_MANUFACTURER, 4);
	wr_le16(cmd + 4, 0);
	REQUIRE_MSG(session->x->ops->bulk(session->x, session->dev.u3v.ep_ctrl_out, cmd, sizeof(cmd), 1000) == 24, "send");
	gencp_pack_readmem(cmd, gencp_take_id(&session->gc), ABRM_MANUFACTURER, 4);
	int n = gencp_raw(&session->gc, cmd, sizeof(cmd), ack, sizeof(ack));
	REQUIRE_MSG(n >= 12, "no ack (%d)", n);
	CHECK_MSG(rd_le16(ack + 10) == rd_le16(cmd + 10), "first ack after a no-ack command has id %u",
		  rd_le16(ack + 10));
}

/* Reads and writes of the largest sizes the SBRM allows work. */
static void test_max_sizes(void)
{
	uint8_t *buf = malloc(session->gc.max_ack);
	uint64_t manifest, size, addr;
	uint8_t entry[64];

	REQUIRE_MSG(buf, "memory");
	REQUIRE_MSG(gencp_read_u64(&session->gc, ABRM_MANIFEST, &manifest) == 0, "manifest address");
	REQUIRE_MSG(gencp_read(&session->gc, manifest + 8, entry, 64) == 0, "manifest entry");
	addr = rd_le64(entry + 8);
	size = rd_le64(entry + 16);
	uint32_t n = session->gc.max_ack - 12;
	if (n > size)
		n = (uint32_t)size;
	CHECK_MSG(gencp_read(&session->gc, addr, buf, n) == 0, "READMEM of %u bytes (max ack %u)", n, session->gc.max_ack);
	free(buf);
}

void suite_gencp_register(const char *name)
{
	CU_pSuite s = CU_add_suite(name, NULL, NULL);

	CU_add_test(s, "request_id_echo", test_request_id_echo);
	CU_add_test(s, "bad_alignment", test_unaligned);
	CU_add_test(s, "invalid_address", test_unmapped);
	CU_add_test(s, "write_protect", test_read_only);
	CU_add_test(s, "oversize_read", test_oversize_read);
	CU_add_test(s, "oversize_command", test_oversize_command);
	CU_add_test(s, "not_implemented", test_unknown_command);
	CU_add_test(s, "invalid_header_prefix", test_bad_prefix);
	CU_add_test(s, "invalid_header_length", test_length_mismatch);
	CU_add_test(s, "no_ack_requested", test_no_ack_requested);
	CU_add_test(s, "max_sizes", test_max_sizes);
}
