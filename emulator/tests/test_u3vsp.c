/* SPDX-License-Identifier: MIT */
/* u3v/u3vsp: the image leader (52 bytes, "U3VL") and trailer (32 bytes,
 * "U3VT") of a U3V stream block (docs/protocols.md section 6 "Stream channel"; little-endian). */
#include <string.h>

#include "../common/errors.h"
#include "../u3v/u3vsp.h"
#include "tests.h"

static const uint8_t golden_leader[52] = {
	0x55, 0x33, 0x56, 0x4C,                           /*  0 magic "U3VL" */
	0x00, 0x00,                                       /*  4 reserved */
	0x34, 0x00,                                       /*  6 leader size 52 */
	0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01,   /*  8 block id */
	0x00, 0x00,                                       /* 16 reserved */
	0x01, 0x00,                                       /* 18 payload type: image */
	0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11,   /* 20 timestamp */
	0x09, 0x00, 0x08, 0x01,                           /* 28 pixel format BayerRG8 0x01080009 */
	0x00, 0x0F, 0x00, 0x00,                           /* 32 size x 3840 */
	0x70, 0x08, 0x00, 0x00,                           /* 36 size y 2160 */
	0x80, 0x00, 0x00, 0x00,                           /* 40 offset x 128 */
	0x04, 0x00, 0x00, 0x00,                           /* 44 offset y 4 */
	0x02, 0x00,                                       /* 48 padding x */
	0x00, 0x00,                                       /* 50 reserved */
};

static const uint8_t golden_trailer[32] = {
	0x55, 0x33, 0x56, 0x54,                           /*  0 magic "U3VT" */
	0x00, 0x00,                                       /*  4 reserved */
	0x20, 0x00,                                       /*  6 trailer size 32 */
	0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01,   /*  8 block id */
	0x01, 0xA1,                                       /* 16 status 0xA101 overrun */
	0x00, 0x00,                                       /* 18 reserved */
	0x00, 0x90, 0x7E, 0x00, 0x00, 0x00, 0x00, 0x00,   /* 20 valid payload size 8294400 */
	0x70, 0x08, 0x00, 0x00,                           /* 28 size y 2160 */
};

static void test_u3vsp_leader_golden(void)
{
	struct u3vsp_leader l = { .block_id = 0x0102030405060708ull, .payload_type = U3VSP_PAYLOAD_IMAGE,
				  .timestamp = 0x1122334455667788ull, .pixel_format = 0x01080009, .size_x = 3840,
				  .size_y = 2160, .offset_x = 128, .offset_y = 4, .padding_x = 2 };
	uint8_t out[64];

	ASSERT_INT(U3VSP_LEADER_SIZE, 52);
	memset(out, 0xAA, sizeof(out));
	u3vsp_leader_pack(out, &l);
	ASSERT_BYTES(out, golden_leader, 52);
	ASSERT_INT(out[52], 0xAA);
}

static void test_u3vsp_leader_round_trip(void)
{
	struct u3vsp_leader l;

	memset(&l, 0xEE, sizeof(l));
	ASSERT_INT(u3vsp_leader_unpack(&l, golden_leader, sizeof(golden_leader)), DFK_OK);
	ASSERT_INT(l.block_id, 0x0102030405060708ull);
	ASSERT_INT(l.payload_type, 1);
	ASSERT_INT(l.timestamp, 0x1122334455667788ull);
	ASSERT_INT(l.pixel_format, 0x01080009);
	ASSERT_INT(l.size_x, 3840);
	ASSERT_INT(l.size_y, 2160);
	ASSERT_INT(l.offset_x, 128);
	ASSERT_INT(l.offset_y, 4);
	ASSERT_INT(l.padding_x, 2);
}

static void test_u3vsp_leader_rejects(void)
{
	uint8_t in[64];
	struct u3vsp_leader l;

	memcpy(in, golden_leader, 52);
	ASSERT_INT(u3vsp_leader_unpack(&l, in, 51), DFK_ERR_PROTO);          /* short */
	in[3] = 0x54;                                                      /* "U3VT" */
	ASSERT_INT(u3vsp_leader_unpack(&l, in, 52), DFK_ERR_PROTO);
	memcpy(in, golden_leader, 52);
	in[0] = 0x56;
	ASSERT_INT(u3vsp_leader_unpack(&l, in, 52), DFK_ERR_PROTO);
	memcpy(in, golden_leader, 52);
	in[6] = 51;                                                        /* size field */
	ASSERT_INT(u3vsp_leader_unpack(&l, in, 52), DFK_ERR_PROTO);
	memcpy(in, golden_leader, 52);
	ASSERT_INT(u3vsp_leader_unpack(&l, in, 0), DFK_ERR_PROTO);
}

static void test_u3vsp_trailer_golden(void)
{
	struct u3vsp_trailer t = { .block_id = 0x0102030405060708ull, .status = U3VSP_STATUS_DATA_OVERRUN,
				   .valid_payload_size = 8294400, .size_y = 2160 };
	uint8_t out[48];

	ASSERT_INT(U3VSP_TRAILER_SIZE, 32);
	ASSERT_INT(U3VSP_STATUS_DATA_DISCARDED, 0xA100);
	memset(out, 0xAA, sizeof(out));
	u3vsp_trailer_pack(out, &t);
	ASSERT_BYTES(out, golden_trailer, 32);
	ASSERT_INT(out[32], 0xAA);
}

static void test_u3vsp_trailer_round_trip(void)
{
	struct u3vsp_trailer t;

	memset(&t, 0xEE, sizeof(t));
	ASSERT_INT(u3vsp_trailer_unpack(&t, golden_trailer, 32), DFK_OK);
	ASSERT_INT(t.block_id, 0x0102030405060708ull);
	ASSERT_INT(t.status, 0xA101);
	ASSERT_INT(t.valid_payload_size, 8294400);
	ASSERT_INT(t.size_y, 2160);
}

static void test_u3vsp_trailer_rejects(void)
{
	uint8_t in[40];
	struct u3vsp_trailer t;

	memcpy(in, golden_trailer, 32);
	ASSERT_INT(u3vsp_trailer_unpack(&t, in, 31), DFK_ERR_PROTO);
	in[3] = 0x4C;                                                      /* "U3VL" */
	ASSERT_INT(u3vsp_trailer_unpack(&t, in, 32), DFK_ERR_PROTO);
	memcpy(in, golden_trailer, 32);
	in[6] = 31;
	ASSERT_INT(u3vsp_trailer_unpack(&t, in, 32), DFK_ERR_PROTO);
	/* the 36-byte extended-chunk trailer is a valid trailer */
	memcpy(in, golden_trailer, 32);
	in[6] = 36;
	memset(in + 32, 0, 4);
	ASSERT_INT(u3vsp_trailer_unpack(&t, in, 36), DFK_OK);
	ASSERT_INT(t.size_y, 2160);
}

static const struct test_case cases[] = {
	{ "test_u3vsp_leader_golden", test_u3vsp_leader_golden },
	{ "test_u3vsp_leader_round_trip", test_u3vsp_leader_round_trip },
	{ "test_u3vsp_leader_rejects", test_u3vsp_leader_rejects },
	{ "test_u3vsp_trailer_golden", test_u3vsp_trailer_golden },
	{ "test_u3vsp_trailer_round_trip", test_u3vsp_trailer_round_trip },
	{ "test_u3vsp_trailer_rejects", test_u3vsp_trailer_rejects },
	{ NULL, NULL },
};

int test_u3vsp_add_suite(void) { return test_add_suite("u3vsp", NULL, NULL, cases); }
