/* SPDX-License-Identifier: MIT */
/* bootstrap suite: ABRM, SBRM, SIRM and the manifest (GenCP 1.0 ch. 4,
 * U3V 1.0 ch. 5) agree with the USB descriptors and with each other. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "conform.h"

static void read_string(uint64_t addr, char *out)
{
	uint8_t b[64];

	memset(out, 0, 65);
	if (gencp_read(&session->gc, addr, b, 64) == 0)
		memcpy(out, b, 64);
}

/* ABRM strings equal the USB strings the host sees at enumeration. */
static void test_abrm_strings(void)
{
	char s[65], u[128];
	const uint8_t *di = session->dev.u3v.device_info;

	read_string(ABRM_MANUFACTURER, s);
	CHECK_MSG(strcmp(s, session->dev.manufacturer) == 0, "ABRM manufacturer '%s' vs USB '%s'", s,
		  session->dev.manufacturer);
	read_string(ABRM_MODEL, s);
	CHECK_MSG(strcmp(s, session->dev.product) == 0, "ABRM model '%s' vs USB product '%s'", s, session->dev.product);
	read_string(ABRM_SERIAL, s);
	CHECK_MSG(strcmp(s, session->dev.serial) == 0, "ABRM serial '%s' vs USB '%s'", s, session->dev.serial);
	if (!di)
		return;
	static const struct { int off; uint64_t abrm; const char *name; } map[] = {
		{ 12, ABRM_MANUFACTURER, "vendor name" }, { 13, ABRM_MODEL, "model name" },
		{ 14, ABRM_FAMILY, "family name" }, { 15, ABRM_VERSION, "device version" },
		{ 16, ABRM_INFO, "manufacturer info" }, { 17, ABRM_SERIAL, "serial number" },
		{ 18, ABRM_USER_NAME, "user-defined name" },
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (!di[map[i].off])
			continue;
		usbdev_string(&session->dev, di[map[i].off], u, sizeof(u));
		read_string(map[i].abrm, s);
		CHECK_MSG(strcmp(s, u) == 0, "%s: ABRM '%s' vs device info string '%s'", map[i].name, s, u);
	}
}

static void test_abrm_numbers(void)
{
	uint32_t v;
	uint64_t cap, inc;

	REQUIRE_MSG(gencp_read_u32(&session->gc, 0, &v) == 0, "GenCP version");
	CHECK_MSG(v >> 16 == 1, "GenCP version 0x%08x: major 1", v);
	REQUIRE_MSG(gencp_read_u32(&session->gc, ABRM_ENDIANNESS, &v) == 0, "endianness");
	CHECK_MSG(v == 0xFFFFFFFFu, "protocol endianness 0x%08x (0xFFFFFFFF = little)", v);
	REQUIRE_MSG(gencp_read_u64(&session->gc, ABRM_CAPABILITY, &cap) == 0, "capability");
	CHECK_MSG(cap & (1u << 9), "device capability 0x%llx: SBRM bit 9", (unsigned long long)cap);
	REQUIRE_MSG(gencp_read_u32(&session->gc, ABRM_RESPONSE_TIME, &v) == 0, "response time");
	CHECK_MSG(v > 0 && v <= 10000, "maximum device response time %u ms", v);
	REQUIRE_MSG(gencp_read_u64(&session->gc, ABRM_TS_INCREMENT, &inc) == 0, "timestamp increment");
	CHECK_MSG(inc > 0, "timestamp increment 0");
}

/* Latching twice gives increasing device times. */
static void test_timestamp_latch(void)
{
	uint64_t t1, t2, inc;

	REQUIRE_MSG(gencp_read_u64(&session->gc, ABRM_TS_INCREMENT, &inc) == 0, "timestamp increment");
	REQUIRE_MSG(gencp_write_u32(&session->gc, ABRM_TS_LATCH, 1) == 0, "latch");
	REQUIRE_MSG(gencp_read_u64(&session->gc, ABRM_TIMESTAMP, &t1) == 0, "read");
	/* 20 ms on the host; at any positive time scale the device clock moves */
	struct timespec ts = { 0, 20000000 };
	nanosleep(&ts, NULL);
	REQUIRE_MSG(gencp_write_u32(&session->gc, ABRM_TS_LATCH, 1) == 0, "latch");
	REQUIRE_MSG(gencp_read_u64(&session->gc, ABRM_TIMESTAMP, &t2) == 0, "read");
	CHECK_MSG(t2 >= t1, "timestamp went back: %llu then %llu", (unsigned long long)t1, (unsigned long long)t2);
	printf("\n    timestamps %llu -> %llu ticks of %llu ns\n", (unsigned long long)t1, (unsigned long long)t2,
	       (unsigned long long)inc);
}

static void test_sbrm(void)
{
	uint32_t ver, max_cmd, max_ack, n_streams, sirm_len, speed;
	uint64_t cap;

	REQUIRE_MSG(gencp_read_u32(&session->gc, session->sbrm + SBRM_VERSION, &ver) == 0, "U3V version");
	CHECK_MSG(ver >> 16 == 1, "U3V version 0x%08x", ver);
	REQUIRE_MSG(gencp_read_u64(&session->gc, session->sbrm + SBRM_CAPABILITY, &cap) == 0, "U3VCP capability");
	REQUIRE_MSG(gencp_read_u32(&session->gc, session->sbrm + SBRM_MAX_CMD, &max_cmd) == 0, "max cmd");
	REQUIRE_MSG(gencp_read_u32(&session->gc, session->sbrm + SBRM_MAX_ACK, &max_ack) == 0, "max ack");
	CHECK_MSG(max_ack >= 64 && max_ack <= 65535 + 12, "max ack %u (a READMEM count is 16 bits)", max_ack);
	CHECK_MSG(max_cmd >= max_ack + 8, "max cmd %u < max ack %u + 8: a read chunk cannot be written back", max_cmd,
		  max_ack);
	REQUIRE_MSG(gencp_read_u32(&session->gc, session->sbrm + SBRM_N_STREAMS, &n_streams) == 0, "stream channels");
	CHECK_MSG(session->dev.u3v.stream_if < 0 || n_streams >= 1, "%u stream channels with a streaming interface",
		  n_streams);
	CHECK_MSG(!(n_streams >= 1) || (cap & 1), "U3VCP capability 0x%llx lacks SIRM", (unsigned long long)cap);
	REQUIRE_MSG(gencp_read_u32(&session->gc, session->sbrm + SBRM_SIRM_LEN, &sirm_len) == 0, "SIRM length");
	CHECK_MSG(sirm_len >= 0x30, "SIRM length 0x%x", sirm_len);
	REQUIRE_MSG(gencp_read_u32(&session->gc, session->sbrm + SBRM_SPEED, &speed) == 0, "current speed");
	CHECK_MSG(rd_le16(session->dev.dev_desc + 2) < 0x300 || speed >= 8, "current speed %u at bcdUSB %04x", speed,
		  rd_le16(session->dev.dev_desc + 2));
}

/* Every SIRM register is mapped; leader/trailer sizes fit an image block. */
static void test_sirm(void)
{
	uint8_t b[0x30];
	uint32_t info;

	REQUIRE_MSG(gencp_read(&session->gc, session->sirm, b, sizeof(b)) == 0, "SIRM read of 0x30 bytes at 0x%llx",
		    (unsigned long long)session->sirm);
	info = rd_le32(b + SIRM_INFO);
	CHECK_MSG((info >> 24) <= 16, "SI Info alignment 2^%u", info >> 24);
	CHECK_MSG(rd_le32(b + SIRM_REQ_LEADER) >= 52, "required leader %u < 52", rd_le32(b + SIRM_REQ_LEADER));
	CHECK_MSG(rd_le32(b + SIRM_REQ_TRAILER) >= 32, "required trailer %u < 32", rd_le32(b + SIRM_REQ_TRAILER));
	CHECK_MSG(rd_le64(b + SIRM_REQ_PAYLOAD) > 0, "required payload 0");
}

/* Manifest entry 0 points at the XML; its SHA-1 matches the bytes. */
static void test_manifest(void)
{
	uint64_t count;
	uint8_t e[64];

	REQUIRE_MSG(gencp_read_u64(&session->gc, session->manifest, &count) == 0, "manifest count");
	REQUIRE_MSG(count >= 1 && count < 64, "manifest entry count %llu", (unsigned long long)count);
	REQUIRE_MSG(gencp_read(&session->gc, session->manifest + 8, e, 64) == 0, "entry 0");
	uint32_t format = rd_le32(e + 4);
	uint64_t addr = rd_le64(e + 8), size = rd_le64(e + 16);
	CHECK_MSG((format & 7) == 0, "file type %u (0 = device XML)", format & 7);
	CHECK_MSG((format >> 24) == 1, "schema major %u", format >> 24);
	REQUIRE_MSG(size > 0 && size < 16u << 20, "file size %llu", (unsigned long long)size);
	guint8 *file = g_malloc(size);
	int rc = gencp_read(&session->gc, addr, file, (uint32_t)size);
	if (rc) {
		g_free(file);
		REQUIRE_MSG(0, "reading %llu bytes at 0x%llx: %d", (unsigned long long)size, (unsigned long long)addr, rc);
	}
	static const uint8_t zero[20];
	if (memcmp(e + 24, zero, 20) != 0) {
		GChecksum *ck = g_checksum_new(G_CHECKSUM_SHA1);
		uint8_t digest[20];
		gsize dl = sizeof(digest);
		g_checksum_update(ck, file, size);
		g_checksum_get_digest(ck, digest, &dl);
		g_checksum_free(ck);
		CHECK_MSG(memcmp(digest, e + 24, 20) == 0, "SHA-1 of the %llu-byte file differs from the manifest's",
			  (unsigned long long)size);
	}
	g_free(file);
}

void suite_bootstrap_register(const char *name)
{
	CU_pSuite s = CU_add_suite(name, NULL, NULL);

	CU_add_test(s, "abrm_strings_match_usb", test_abrm_strings);
	CU_add_test(s, "abrm_numbers", test_abrm_numbers);
	CU_add_test(s, "timestamp_latch", test_timestamp_latch);
	CU_add_test(s, "sbrm", test_sbrm);
	CU_add_test(s, "sirm", test_sirm);
	CU_add_test(s, "manifest_sha1", test_manifest);
}
