/* SPDX-License-Identifier: MIT */
/* u3v/u3v_control: the GenCP command/ack state machine over a small register
 * map of our own (u3v_control.h, docs/protocols.md section 4 "GenCP control channel"). Slow (flash) writes
 * finish on an event-loop timer in host time, which the tests run themselves.
 * Commands are built by hand here, not with the u3vcp builders. */
#include <stdlib.h>
#include <string.h>

#include "../common/errors.h"
#include "../common/evloop.h"
#include "../regmap/regmap.h"
#include "../u3v/u3v_bootstrap.h"
#include "../u3v/u3v_control.h"
#include "tests.h"

#define FLASH_MS 20u

/* Register map:
 *   0x0000 16 RW  align 4   scratch
 *   0x0010  8 RO  align 4   constants
 *   0x0018  4 WO  align 4   a latch
 *   0x0100  4 RW  align 4   slow (flash) register
 *   0x1000 64K RW align 1   big block for the size limits
 * everything else unmapped */
struct store {
	uint8_t bytes[0x10000];
	unsigned writes;
};

static struct {
	struct evloop *loop;
	struct regmap map;
	struct store rw, ro, wo, slow, big;
	struct u3v_control c;
	unsigned ack_ready_calls;
	uint8_t ack[U3V_MAX_ACK_TRANSFER + 4096];
	size_t ack_len;
	int ack_status;
	bool ready;
} *T;

static int st_read(void *ctx, const struct regmap_region *r, uint64_t off, uint8_t *buf, uint32_t len)
{
	struct store *s = ctx;

	(void)r;
	memcpy(buf, s->bytes + off, len);
	return DFK_OK;
}

static int st_write(void *ctx, const struct regmap_region *r, uint64_t off, const uint8_t *buf, uint32_t len)
{
	struct store *s = ctx;

	(void)r;
	s->writes++;
	memcpy(s->bytes + off, buf, len);
	return DFK_OK;
}

static void add(uint64_t base, uint64_t size, unsigned access, unsigned align, unsigned flags, struct store *s)
{
	struct regmap_region r = { .base = base, .size = size, .access = access, .align = align, .read = st_read,
				   .write = st_write, .ctx = s, .flags = flags, .name = "test" };

	ASSERT_INT(regmap_add(&T->map, &r), DFK_OK);
}

static void on_ack_ready(void *ctx)
{
	(void)ctx;
	T->ack_ready_calls++;
}

static void setup(void)
{
	T = calloc(1, sizeof(*T));
	if (!T)
		return;
	T->loop = evloop_new();
	if (!T->loop)
		return;
	regmap_init(&T->map);
	add(0x0000, 16, REG_RW, 4, 0, &T->rw);
	add(0x0010, 8, REG_R, 4, 0, &T->ro);
	add(0x0018, 4, REG_W, 4, 0, &T->wo);
	add(0x0100, 4, REG_RW, 4, REG_F_SLOW, &T->slow);
	add(0x1000, 0x10000, REG_RW, 1, 0, &T->big);
	ASSERT_INT(regmap_seal(&T->map), DFK_OK);
	for (int i = 0; i < 16; i++)
		T->rw.bytes[i] = (uint8_t)(0x10 + i);
	memcpy(T->ro.bytes, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
	for (size_t i = 0; i < sizeof(T->big.bytes); i++)
		T->big.bytes[i] = (uint8_t)(i * 7);
	u3v_control_init(&T->c, &T->map, T->loop, FLASH_MS, on_ack_ready, NULL);
	T->ready = true;
}

static void teardown(void)
{
	if (!T)
		return;
	if (T->ready)
		u3v_control_free(&T->c);
	regmap_free(&T->map);
	if (T->loop)
		evloop_free(T->loop);
	free(T);
	T = NULL;
}

/* ---- hand-built commands ---- */

static size_t header(uint8_t *p, uint16_t flags, uint16_t id, uint16_t length, uint16_t request_id)
{
	p[0] = 'U';
	p[1] = '3';
	p[2] = 'V';
	p[3] = 'C';
	t_le16(p + 4, flags);
	t_le16(p + 6, id);
	t_le16(p + 8, length);
	t_le16(p + 10, request_id);
	return 12;
}

static int send_read(uint16_t req_id, uint64_t addr, uint16_t count, uint16_t flags)
{
	uint8_t p[24];

	header(p, flags, 0x0800, 12, req_id);
	t_le64(p + 12, addr);
	t_le16(p + 20, 0);
	t_le16(p + 22, count);
	return u3v_control_command(&T->c, p, sizeof(p));
}

static int send_write(uint16_t req_id, uint64_t addr, const void *data, size_t n, uint16_t flags)
{
	uint8_t *p = malloc(20 + n);
	int rc;

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	header(p, flags, 0x0802, (uint16_t)(8 + n), req_id);
	t_le64(p + 12, addr);
	if (n)
		memcpy(p + 20, data, n);
	rc = u3v_control_command(&T->c, p, 20 + n);
	free(p);
	return rc;
}

/* Pulls the next ack into T->ack for an IN transfer of `max_len` bytes. Returns 1 or 0. */
static int pull(uint32_t max_len)
{
	struct usb_in_chunk ch;
	int got;

	memset(&ch, 0, sizeof(ch));
	T->ack_len = 0;
	T->ack_status = 12345;
	got = u3v_control_ack_pull(&T->c, max_len, &ch);
	if (got != 1)
		return got;
	T->ack_status = ch.status;
	T->ack_len = ch.len;
	CU_ASSERT(ch.len <= max_len);
	if (ch.len && ch.data)
		memcpy(T->ack, ch.data, ch.len);
	blob_unref(ch.ref);
	return 1;
}

/* Pulls an ack and checks its header. */
static void expect_ack(uint16_t status, uint16_t cmd, uint16_t id, uint16_t length, unsigned line)
{
	uint8_t want[12];

	test_assert_int(pull(U3V_MAX_ACK_TRANSFER + 4096), 1, line, __FILE__, "an ack is ready");
	test_assert_int(T->ack_status, USB_ST_OK, line, __FILE__, "ack transfer status");
	test_assert_int((long long)T->ack_len, 12 + length, line, __FILE__, "ack size");
	header(want, status, cmd, length, id);
	test_assert_bytes(T->ack, want, 12, line, __FILE__, "ack header");
}
#define EXPECT_ACK(st, cmd, id, len) expect_ack((st), (cmd), (id), (len), __LINE__)

#define REQ (0x4000)

/* ---- tests ---- */

static void test_u3v_control_readmem_ack(void)
{
	CU_ASSERT_FATAL(T && T->ready);   /* fixture up */
	static const uint8_t golden[20] = {
		0x55, 0x33, 0x56, 0x43, 0x00, 0x00, 0x01, 0x08, 0x08, 0x00, 0x15, 0xFF,
		0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1A, 0x1B,
	};

	ASSERT_INT(send_read(65301, 0x0004, 8, REQ), USB_ST_OK);
	ASSERT_INT(T->ack_ready_calls, 1);
	ASSERT_INT(pull(1024), 1);
	ASSERT_INT(T->ack_status, USB_ST_OK);
	ASSERT_INT(T->ack_len, 20);
	ASSERT_BYTES(T->ack, golden, 20);
	ASSERT_INT(pull(1024), 0);   /* one command, one ack */
	ASSERT_INT(T->c.stats.commands, 1);
}

static void test_u3v_control_request_id_echoed(void)
{
	CU_ASSERT_FATAL(T && T->ready);   /* fixture up */
	static const uint16_t ids[] = { 1, 2, 0x7FFF, 0xFFFE, 0xFFFF, 65301 };

	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		send_read(ids[i], 0x0010, 4, REQ);
		EXPECT_ACK(0, 0x0801, ids[i], 4);
		ASSERT_BYTES(T->ack + 12, "\x01\x02\x03\x04", 4);
	}
}

static void test_u3v_control_writemem_ack(void)
{
	CU_ASSERT_FATAL(T && T->ready);   /* fixture up */
	static const uint8_t golden[16] = { 0x55, 0x33, 0x56, 0x43, 0x00, 0x00, 0x03, 0x08,
					    0x04, 0x00, 0x09, 0x00, 0x00, 0x00, 0x08, 0x00 };

	send_write(9, 0x0008, "\xAA\xBB\xCC\xDD\xEE\xFF\x11\x22", 8, REQ);
	ASSERT_INT(pull(16), 1);
	ASSERT_INT(T->ack_len, 16);
	ASSERT_BYTES(T->ack, golden, 16);
	ASSERT_BYTES(T->rw.bytes + 8, "\xAA\xBB\xCC\xDD\xEE\xFF\x11\x22", 8);
	/* read it back through the channel */
	send_read(10, 0x0008, 8, REQ);
	EXPECT_ACK(0, 0x0801, 10, 8);
	ASSERT_BYTES(T->ack + 12, "\xAA\xBB\xCC\xDD\xEE\xFF\x11\x22", 8);
}

static void test_u3v_control_no_ack_without_request_flag(void)
{
	CU_ASSERT_FATAL(T && T->ready);   /* fixture up */
	send_write(11, 0x0000, "\x01\x02\x03\x04", 4, 0);
	ASSERT_BYTES(T->rw.bytes, "\x01\x02\x03\x04", 4);
	ASSERT_INT(pull(1024), 0);
	send_read(12, 0x0080, 4, 0);   /* an error without the flag: no ack either */
	ASSERT_INT(pull(1024), 0);
}

static void test_u3v_control_invalid_address(void)
{
	CU_ASSERT_FATAL(T && T->ready);   /* fixture up */
	send_read(20, 0x0080, 4, REQ);
	EXPECT_ACK(0x8003, 0x0801, 20, 0);
	send_read(21, 0x0100, 8, REQ);        /* mapped 0x100..0x103, then unmapped */
	EXPECT_ACK(0x8003, 0x0801, 21, 0);
	send_write(22, 0x2000000, "\0\0\0\0", 4, REQ);
	EXPECT_ACK(0x8003, 0x0803, 22, 0);
}

static void test_u3v_control_bad_alignment(void)
{
	CU_ASSERT_FATAL(T && T->ready);   /* fixture up */
	send_read(30, 0x0002, 4, REQ);
	EXPECT_ACK(0x8005, 0x0801, 30, 0);
	send_write(31, 0x0000, "\1\2", 2, REQ);
	EXPECT_ACK(0x8005, 0x0803, 31, 0);
	ASSERT_INT(T->rw.writes, 0);
}

static void test_u3v_control_write_protect(void)
{
	CU_ASSERT_FATAL(T && T->ready);   /* fixture up */
	send_write(40, 0x0010, "\xFF\xFF\xFF\xFF", 4, REQ);
	EXPECT_ACK(0x8004, 0x0803, 40, 0);
	ASSERT_BYTES(T->ro.bytes, "\x01\x02\x03\x04", 4);
	ASSERT_INT(T->ro.writes, 0);
}

static void test_u3v_control_access_denied(void)
{
	CU_ASSERT_FATAL(T && T->ready);   /* fixture up */
	send_read(50, 0x0018, 4, REQ);
	EXPECT_ACK(0x8006, 0x0801, 50, 0);
	send_write(51, 0x0018, "\1\0\0\0", 4, REQ);   /* writing it is fine */
	EXPECT_ACK(0, 0x0803, 51, 4);
}

static void test_u3v_control_read_count_limit(void)
{
	CU_ASSERT_FATAL(T && T->ready);   /* fixture up */
	/* the largest read whose ack fits the maximum ack transfer: count = max ack - 12 */
	uint16_t max_count = (uint16_t)(U3V_MAX_ACK_TRANSFER - 12);

	send_read(60, 0x1000, max_count, REQ);
	EXPECT_ACK(0, 0x0801, 60, max_count);
	ASSERT_BYTES(T->ack + 12, T->big.bytes, max_count);
	send_read(61, 0x1000, (uint16_t)(max_count + 1), REQ);
	EXPECT_ACK(0x8002, 0x0801, 61, 0);
	send_read(62, 0x1000, 0xFFFF, REQ);
	EXPECT_ACK(0x8002, 0x0801, 62, 0);
}

static void test_u3v_control_command_size_limit(void)
{
	CU_ASSERT_FATAL(T && T->ready);   /* fixture up */
	/* a command of exactly the maximum is taken, one byte more is refused */
	size_t n_ok = U3V_MAX_CMD_TRANSFER - 20;
	uint8_t *data = malloc(n_ok + 1);
	struct t_rng rng;

	CU_ASSERT_PTR_NOT_NULL_FATAL(data);
	t_rng_seed(&rng, 0xC0FFEE);
	t_rng_fill(&rng, data, n_ok + 1);
	send_write(70, 0x1000, data, n_ok, REQ);
	EXPECT_ACK(0, 0x0803, 70, 4);
	ASSERT_INT(t_get_le16(T->ack + 14), n_ok);
	ASSERT_BYTES(T->big.bytes, data, n_ok);
	T->big.writes = 0;
	send_write(71, 0x1000, data, n_ok + 1, REQ);
	EXPECT_ACK(0x8002, 0x0803, 71, 0);
	ASSERT_INT(T->big.writes, 0);
	free(data);
}

static void test_u3v_control_not_implemented(void)
{
	CU_ASSERT_FATAL(T && T->ready);   /* fixture up */
	uint8_t p[16];

	header(p, REQ, 0x0900, 4, 80);
	memset(p + 12, 0, 4);
	u3v_control_command(&T->c, p, 16);
	EXPECT_ACK(0x8001, 0x0901, 80, 0);
	/* EVENT_CMD belongs on the event endpoint, not here */
	header(p, REQ, 0x0C00, 0, 81);
	u3v_control_command(&T->c, p, 12);
	EXPECT_ACK(0x8001, 0x0C01, 81, 0);
	/* an ack id sent as a command */
	header(p, REQ, 0x0801, 0, 82);
	u3v_control_command(&T->c, p, 12);
	EXPECT_ACK(0x8001, 0x0802, 82, 0);
}

static void test_u3v_control_invalid_header(void)
{
	CU_ASSERT_FATAL(T && T->ready);   /* fixture up */
	uint8_t p[32];

	/* wrong prefix */
	header(p, REQ, 0x0800, 12, 90);
	p[3] = 'D';
	t_le64(p + 12, 0);
	t_le16(p + 20, 0);
	t_le16(p + 22, 4);
	u3v_control_command(&T->c, p, 24);
	ASSERT_INT(pull(1024), 1);
	ASSERT_INT(T->ack_len, 12);
	ASSERT_INT(t_get_le16(T->ack + 4), 0x800E);
	ASSERT_INT(t_get_le16(T->ack + 8), 0);

	/* length field says 12, 13 bytes follow */
	header(p, REQ, 0x0800, 12, 91);
	t_le64(p + 12, 0);
	t_le16(p + 20, 0);
	t_le16(p + 22, 4);
	p[24] = 0;
	u3v_control_command(&T->c, p, 25);
	EXPECT_ACK(0x800E, 0x0801, 91, 0);
	/* length field says 12, 11 bytes follow */
	u3v_control_command(&T->c, p, 23);
	EXPECT_ACK(0x800E, 0x0801, 91, 0);

	/* fewer than 12 bytes: not even a header */
	u3v_control_command(&T->c, p, 11);
	ASSERT_INT(pull(1024), 1);
	ASSERT_INT(T->ack_len, 12);
	ASSERT_BYTES(T->ack, "U3VC", 4);
	ASSERT_INT(t_get_le16(T->ack + 4), 0x800E);
	ASSERT_INT(t_get_le16(T->ack + 8), 0);
	u3v_control_command(&T->c, p, 0);
	ASSERT_INT(pull(1024), 1);
	ASSERT_INT(t_get_le16(T->ack + 4), 0x800E);
}

static void test_u3v_control_readmem_bad_scd_length(void)
{
	CU_ASSERT_FATAL(T && T->ready);   /* fixture up */
	uint8_t p[28];

	header(p, REQ, 0x0800, 16, 95);     /* READMEM with 16 bytes of SCD */
	memset(p + 12, 0, 16);
	u3v_control_command(&T->c, p, 28);
	ASSERT_INT(pull(1024), 1);
	ASSERT_INT(T->ack_len, 12);
	CU_ASSERT(t_get_le16(T->ack + 4) != 0);
	ASSERT_INT(t_get_le16(T->ack + 6), 0x0801);
	header(p, REQ, 0x0802, 4, 96);      /* WRITEMEM without a full address */
	u3v_control_command(&T->c, p, 16);
	ASSERT_INT(pull(1024), 1);
	CU_ASSERT(t_get_le16(T->ack + 4) != 0);
	ASSERT_INT(t_get_le16(T->ack + 6), 0x0803);
}

/* Runs the event loop until an ack has been queued since `calls` (ack_ready calls), at most
 * `max_ms`. Returns 1 when one came. */
static int wait_ack(unsigned calls, unsigned max_ms)
{
	uint64_t end = mono_now_ns() + (uint64_t)max_ms * 1000000ull;

	while (T->ack_ready_calls == calls && mono_now_ns() < end)
		evloop_run_once(T->loop, 2);
	return T->ack_ready_calls != calls;
}

static void test_u3v_control_slow_write_pending_then_ack(void)
{
	CU_ASSERT_FATAL(T && T->ready);   /* fixture up */
	uint64_t t0 = mono_now_ns(), t1;
	uint16_t timeout;
	unsigned calls;

	send_write(100, 0x0100, "\x11\x22\x33\x44", 4, REQ);
	/* PENDING_ACK at once: 16 bytes, same id, a timeout that covers the flash time */
	ASSERT_INT(pull(1024), 1);
	ASSERT_INT(T->ack_len, 16);
	ASSERT_BYTES(T->ack, "\x55\x33\x56\x43\x00\x00\x05\x08\x04\x00\x64\x00\x00\x00", 14);
	timeout = t_get_le16(T->ack + 14);
	CU_ASSERT(timeout >= FLASH_MS);
	ASSERT_INT(T->slow.writes, 0);
	ASSERT_INT(pull(1024), 0);
	ASSERT_INT(T->c.stats.pending_acks, 1);

	/* a command meanwhile is answered BUSY with its own ids */
	send_read(101, 0x0000, 4, REQ);
	EXPECT_ACK(0x8007, 0x0801, 101, 0);
	ASSERT_INT(T->slow.writes, 0);

	/* the flash write takes its time: nothing yet after one quick loop round */
	calls = T->ack_ready_calls;
	evloop_run_once(T->loop, 0);
	if (mono_now_ns() - t0 < FLASH_MS * 1000000ull) {
		ASSERT_INT(T->slow.writes, 0);
		ASSERT_INT(T->ack_ready_calls, calls);
	}
	CU_ASSERT_FATAL(wait_ack(calls, 2000));
	t1 = mono_now_ns();
	CU_ASSERT(t1 - t0 >= FLASH_MS * 1000000ull);
	ASSERT_INT(T->slow.writes, 1);
	ASSERT_BYTES(T->slow.bytes, "\x11\x22\x33\x44", 4);
	EXPECT_ACK(0, 0x0803, 100, 4);
	ASSERT_INT(t_get_le16(T->ack + 14), 4);

	/* and the channel takes commands again */
	send_read(102, 0x0100, 4, REQ);
	EXPECT_ACK(0, 0x0801, 102, 4);
	ASSERT_BYTES(T->ack + 12, "\x11\x22\x33\x44", 4);
}

static void test_u3v_control_slow_write_refused_after_pending(void)
{
	CU_ASSERT_FATAL(T && T->ready);   /* fixture up */
	unsigned calls;

	/* a misaligned flash write: PENDING_ACK may come first, the final ack must carry the error */
	send_write(105, 0x0100, "\x01\x02", 2, REQ);
	ASSERT_INT(pull(1024), 1);
	if (t_get_le16(T->ack + 6) == 0x0805) {
		calls = T->ack_ready_calls;
		CU_ASSERT_FATAL(wait_ack(calls, 2000));
		ASSERT_INT(pull(1024), 1);
	}
	ASSERT_INT(T->ack_len, 12);
	ASSERT_INT(t_get_le16(T->ack + 4), 0x8005);
	ASSERT_INT(t_get_le16(T->ack + 6), 0x0803);
	ASSERT_INT(t_get_le16(T->ack + 10), 105);
	ASSERT_INT(T->slow.writes, 0);
}

static void test_u3v_control_new_command_drops_uncollected_ack(void)
{
	CU_ASSERT_FATAL(T && T->ready);   /* fixture up */
	send_read(110, 0x0000, 4, REQ);
	send_read(111, 0x0004, 4, REQ);    /* the host never collected 110's ack */
	EXPECT_ACK(0, 0x0801, 111, 4);
	ASSERT_BYTES(T->ack + 12, "\x14\x15\x16\x17", 4);
	ASSERT_INT(pull(1024), 0);
	CU_ASSERT(T->c.stats.dropped_acks >= 1);
}

static void test_u3v_control_ack_bigger_than_transfer(void)
{
	CU_ASSERT_FATAL(T && T->ready);   /* fixture up */
	send_read(120, 0x0000, 16, REQ);   /* 28-byte ack */
	ASSERT_INT(pull(16), 1);
	ASSERT_INT(T->ack_status, USB_ST_OVERFLOW);
	ASSERT_INT(T->ack_len, 0);
	ASSERT_INT(T->c.stats.babbles, 1);
	/* an exactly fitting transfer is fine */
	send_read(121, 0x0000, 16, REQ);
	ASSERT_INT(pull(28), 1);
	ASSERT_INT(T->ack_status, USB_ST_OK);
	ASSERT_INT(T->ack_len, 28);
}

static void test_u3v_control_resend_returns_previous_ack(void)
{
	CU_ASSERT_FATAL(T && T->ready);   /* fixture up */
	uint8_t first[64];
	size_t first_len;

	send_read(130, 0x0000, 8, REQ);
	ASSERT_INT(pull(1024), 1);
	first_len = T->ack_len;
	memcpy(first, T->ack, first_len);
	/* the register changes; a resend must not read it again */
	T->rw.bytes[0] = 0x99;
	send_read(130, 0x0000, 8, REQ | 0x8000);
	ASSERT_INT(pull(1024), 1);
	ASSERT_INT(T->ack_len, first_len);
	ASSERT_BYTES(T->ack, first, first_len);
	/* resent writes are not written twice */
	send_write(131, 0x0008, "\1\2\3\4", 4, REQ);
	EXPECT_ACK(0, 0x0803, 131, 4);
	ASSERT_INT(T->rw.writes, 1);
	send_write(131, 0x0008, "\1\2\3\4", 4, REQ | 0x8000);
	EXPECT_ACK(0, 0x0803, 131, 4);
	ASSERT_INT(T->rw.writes, 1);
	/* a resend with another id is a new command */
	send_read(132, 0x0000, 1, REQ | 0x8000);
	EXPECT_ACK(0x8005, 0x0801, 132, 0);
}

static void test_u3v_control_resend_after_stray_packet(void)
{
	CU_ASSERT_FATAL(T && T->ready);   /* fixture up */
	/* The host lost the ack of 150; a stray packet (not a GenCP command: too short, or
	 * with another prefix) arrives before it resends 150. The resend must still get
	 * 150's ack, not the error ack of the stray packet. */
	uint8_t first[64], junk[24];
	size_t first_len;

	send_read(150, 0x0000, 4, REQ);
	ASSERT_INT(pull(1024), 1);
	first_len = T->ack_len;
	memcpy(first, T->ack, first_len);

	u3v_control_command(&T->c, (const uint8_t *)"junk", 4);
	ASSERT_INT(pull(1024), 1);
	ASSERT_INT(t_get_le16(T->ack + 4), 0x800E);
	send_read(150, 0x0000, 4, REQ | 0x8000);
	ASSERT_INT(pull(1024), 1);
	ASSERT_INT(T->ack_len, first_len);
	ASSERT_BYTES(T->ack, first, first_len);

	header(junk, REQ, 0x0800, 12, 777);
	junk[0] = 'X';
	memset(junk + 12, 0, 12);
	u3v_control_command(&T->c, junk, sizeof(junk));
	ASSERT_INT(pull(1024), 1);
	ASSERT_INT(t_get_le16(T->ack + 4), 0x800E);
	send_read(150, 0x0000, 4, REQ | 0x8000);
	ASSERT_INT(pull(1024), 1);
	ASSERT_INT(T->ack_len, first_len);
	ASSERT_BYTES(T->ack, first, first_len);
}

static void test_u3v_control_reset_forgets(void)
{
	CU_ASSERT_FATAL(T && T->ready);   /* fixture up */
	send_write(140, 0x0100, "\1\1\1\1", 4, REQ);
	u3v_control_reset(&T->c);
	ASSERT_INT(pull(1024), 0);
	CU_ASSERT(!wait_ack(T->ack_ready_calls, 3 * FLASH_MS));   /* the flash write was abandoned */
	ASSERT_INT(T->slow.writes, 0);
	ASSERT_INT(pull(1024), 0);
	send_read(141, 0x0000, 4, REQ);
	EXPECT_ACK(0, 0x0801, 141, 4);
}

/* A host session replayed byte for byte: request ids wrapping 0xFFFF -> 1 as Aravis does,
 * reads, a write read back, and two refusals. */
static void test_u3v_control_scripted_session(void)
{
	CU_ASSERT_FATAL(T && T->ready);   /* fixture up */
	static const uint8_t c1[] = { 0x55, 0x33, 0x56, 0x43, 0x00, 0x40, 0x00, 0x08, 0x0C, 0x00, 0xFE, 0xFF,
				      0x10, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00, 0x08, 0x00 };
	static const uint8_t a1[] = { 0x55, 0x33, 0x56, 0x43, 0x00, 0x00, 0x01, 0x08, 0x08, 0x00, 0xFE, 0xFF,
				      0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08 };
	static const uint8_t c2[] = { 0x55, 0x33, 0x56, 0x43, 0x00, 0x40, 0x02, 0x08, 0x0C, 0x00, 0xFF, 0xFF,
				      0, 0, 0, 0, 0, 0, 0, 0, 0xAA, 0xBB, 0xCC, 0xDD };
	static const uint8_t a2[] = { 0x55, 0x33, 0x56, 0x43, 0x00, 0x00, 0x03, 0x08, 0x04, 0x00, 0xFF, 0xFF,
				      0x00, 0x00, 0x04, 0x00 };
	static const uint8_t c3[] = { 0x55, 0x33, 0x56, 0x43, 0x00, 0x40, 0x00, 0x08, 0x0C, 0x00, 0x01, 0x00,
				      0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00, 0x04, 0x00 };
	static const uint8_t a3[] = { 0x55, 0x33, 0x56, 0x43, 0x00, 0x00, 0x01, 0x08, 0x04, 0x00, 0x01, 0x00,
				      0xAA, 0xBB, 0xCC, 0xDD };
	static const uint8_t c4[] = { 0x55, 0x33, 0x56, 0x43, 0x00, 0x40, 0x00, 0x08, 0x0C, 0x00, 0x02, 0x00,
				      0x18, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00, 0x04, 0x00 };
	static const uint8_t a4[] = { 0x55, 0x33, 0x56, 0x43, 0x06, 0x80, 0x01, 0x08, 0x00, 0x00, 0x02, 0x00 };
	static const uint8_t c5[] = { 0x55, 0x33, 0x56, 0x43, 0x00, 0x40, 0x02, 0x08, 0x0C, 0x00, 0x03, 0x00,
				      0x10, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00, 0x00, 0x00 };
	static const uint8_t a5[] = { 0x55, 0x33, 0x56, 0x43, 0x04, 0x80, 0x03, 0x08, 0x00, 0x00, 0x03, 0x00 };
	static const struct {
		const uint8_t *cmd, *ack;
		size_t cmd_len, ack_len;
	} script[] = {
		{ c1, a1, sizeof(c1), sizeof(a1) }, { c2, a2, sizeof(c2), sizeof(a2) },
		{ c3, a3, sizeof(c3), sizeof(a3) }, { c4, a4, sizeof(c4), sizeof(a4) },
		{ c5, a5, sizeof(c5), sizeof(a5) },
	};

	for (size_t i = 0; i < sizeof(script) / sizeof(script[0]); i++) {
		ASSERT_INT(u3v_control_command(&T->c, script[i].cmd, script[i].cmd_len), USB_ST_OK);
		ASSERT_INT(pull(1024), 1);
		ASSERT_INT(T->ack_status, USB_ST_OK);
		ASSERT_INT(T->ack_len, script[i].ack_len);
		ASSERT_BYTES(T->ack, script[i].ack, script[i].ack_len);
		ASSERT_INT(pull(1024), 0);
	}
	ASSERT_INT(T->ack_ready_calls, 5);
}

static void test_u3v_control_status_mapping(void)
{
	CU_ASSERT_FATAL(T && T->ready);   /* fixture up */
	ASSERT_INT(u3v_status_from_err(DFK_OK), 0x0000);
	ASSERT_INT(u3v_status_from_err(DFK_ERR_ADDRESS), 0x8003);
	ASSERT_INT(u3v_status_from_err(DFK_ERR_ALIGN), 0x8005);
	ASSERT_INT(u3v_status_from_err(DFK_ERR_READONLY), 0x8004);
	ASSERT_INT(u3v_status_from_err(DFK_ERR_DENIED), 0x8006);
	ASSERT_INT(u3v_status_from_err(DFK_ERR_RANGE), 0x8002);
	ASSERT_INT(u3v_status_from_err(DFK_ERR_NOTSUP), 0x8001);
	ASSERT_INT(u3v_status_from_err(DFK_ERR_BUSY), 0x8007);
	ASSERT_INT(u3v_status_from_err(DFK_ERR_UNALIGNED_SIZE), 0xA003);
	ASSERT_INT(u3v_status_from_err(DFK_ERR_INCONSISTENT), 0xA004);
	ASSERT_INT(u3v_status_from_err(DFK_ERR_IO), 0x8FFF);
}


/* ---- faults: a fake owner with a device clock the tests advance by hand ---- */

#define GF_SCRIPT 8
#define GF_LOG 32

static struct {
	struct u3v_ack_fault script[GF_SCRIPT];   /* given to the commands in order (NONE: no fault) */
	unsigned n_script;
	unsigned asked;                           /* on_command calls */
	uint16_t asked_id[GF_LOG];
	uint64_t now;
	unsigned n_wakes;
	uint64_t wakes[GF_LOG];
} G;

static bool gf_on_command(void *ctx, uint16_t request_id, struct u3v_ack_fault *out)
{
	unsigned i = G.asked;

	(void)ctx;
	G.asked_id[G.asked++ % GF_LOG] = request_id;
	if (i >= G.n_script || G.script[i].kind == U3V_ACK_FAULT_NONE)
		return false;
	*out = G.script[i];
	return true;
}

static uint64_t gf_now(void *ctx)
{
	(void)ctx;
	return G.now;
}

static void gf_wake_at(void *ctx, uint64_t t)
{
	(void)ctx;
	G.wakes[G.n_wakes++ % GF_LOG] = t;
}

static const struct u3v_control_fault_ops gf_ops = { .on_command = gf_on_command, .now = gf_now,
						      .wake_at = gf_wake_at };

static void gf_begin(uint64_t now)
{
	memset(&G, 0, sizeof(G));
	G.now = now;
	u3v_control_set_fault_ops(&T->c, &gf_ops, &G);
}

/* The nth command the engine is asked about (0-based, counting from gf_begin) gets this fault. */
static void gf_arm(unsigned nth, enum u3v_ack_fault_kind kind, uint64_t duration, uint16_t status, uint16_t ack_id)
{
	CU_ASSERT_FATAL(nth < GF_SCRIPT);
	G.script[nth].kind = kind;
	G.script[nth].duration_ns = duration;
	G.script[nth].status = status;
	G.script[nth].ack_id = ack_id;
	if (G.n_script <= nth)
		G.n_script = nth + 1;
}

static void gf_advance(uint64_t t)
{
	G.now = t;
	u3v_control_wake(&T->c);
}

static void test_u3v_control_fault_none_changes_nothing(void)
{
	CU_ASSERT_FATAL(T && T->ready);   /* fixture up */
	uint8_t p[24];

	gf_begin(0);
	send_read(500, 0x0004, 4, REQ);
	EXPECT_ACK(0, 0x0801, 500, 4);
	ASSERT_BYTES(T->ack + 12, "\x14\x15\x16\x17", 4);
	send_write(501, 0x0000, "\1\2\3\4", 4, REQ);
	EXPECT_ACK(0, 0x0803, 501, 4);
	send_read(501, 0x0000, 4, REQ | 0x8000);            /* a resend is a command too */
	EXPECT_ACK(0, 0x0803, 501, 4);
	ASSERT_INT(G.asked, 3);
	ASSERT_INT(G.asked_id[0], 500);
	ASSERT_INT(G.asked_id[1], 501);
	/* no valid header, no question: too short, another prefix, a length that does not match */
	u3v_control_command(&T->c, (const uint8_t *)"junk", 4);
	header(p, REQ, 0x0800, 12, 502);
	p[0] = 'X';
	memset(p + 12, 0, 12);
	u3v_control_command(&T->c, p, 24);
	header(p, REQ, 0x0800, 12, 503);
	u3v_control_command(&T->c, p, 23);
	ASSERT_INT(G.asked, 3);
	ASSERT_INT(T->c.stats.faults, 0);
	ASSERT_INT(G.n_wakes, 0);
	u3v_control_wake(&T->c);
	ASSERT_INT(G.n_wakes, 0);
}

static void test_u3v_control_fault_pending(void)
{
	CU_ASSERT_FATAL(T && T->ready);   /* fixture up */
	const uint64_t t0 = 1000000, d = 2500000;   /* 2.5 ms: the PENDING_ACK says 3 */
	unsigned calls;

	gf_begin(t0);
	gf_arm(0, U3V_ACK_FAULT_PENDING, d, 0, 0);
	gf_arm(1, U3V_ACK_FAULT_WRONG_ID, 0, 0, 999);   /* the command refused as busy: its ack carries 999 */
	send_write(600, 0x0000, "\xA1\xA2\xA3\xA4", 4, REQ);
	/* PENDING_ACK at once (GenCP: status 0, PENDING_ACK, 4 bytes, the request id; timeout in ms) */
	EXPECT_ACK(0, 0x0805, 600, 4);
	ASSERT_INT(t_get_le16(T->ack + 14), 3);
	ASSERT_BYTES(T->rw.bytes, "\xA1\xA2\xA3\xA4", 4);   /* executed */
	ASSERT_INT(pull(1024), 0);                            /* the real ack waits */
	ASSERT_INT(G.n_wakes, 1);
	ASSERT_INT(G.wakes[0], t0 + d);
	ASSERT_INT(T->c.stats.pending_acks, 1);
	/* meanwhile the channel is busy: a new command is refused, not executed */
	send_write(601, 0x0004, "\xFF\xFF\xFF\xFF", 4, REQ);
	EXPECT_ACK(0x8007, 0x0803, 999, 0);
	ASSERT_BYTES(T->rw.bytes + 4, "\x14\x15\x16\x17", 4);
	ASSERT_INT(G.asked, 2);
	calls = T->ack_ready_calls;
	gf_advance(t0 + d - 1);               /* a wake a little early: the same wake is asked for again */
	ASSERT_INT(pull(1024), 0);
	ASSERT_INT(T->ack_ready_calls, calls);
	ASSERT_INT(G.n_wakes, 2);
	ASSERT_INT(G.wakes[1], t0 + d);
	gf_advance(t0 + d);
	ASSERT_INT(T->ack_ready_calls, calls + 1);
	EXPECT_ACK(0, 0x0803, 600, 4);
	ASSERT_INT(pull(1024), 0);
	/* no longer busy */
	send_read(602, 0x0000, 4, REQ);
	EXPECT_ACK(0, 0x0801, 602, 4);
	ASSERT_BYTES(T->ack + 12, "\xA1\xA2\xA3\xA4", 4);

	/* the timeout field: D rounded up to ms, at most 0xFFFF */
	gf_arm(3, U3V_ACK_FAULT_PENDING, 1, 0, 0);
	send_read(603, 0x0000, 4, REQ);
	EXPECT_ACK(0, 0x0805, 603, 4);
	ASSERT_INT(t_get_le16(T->ack + 14), 1);
	gf_advance(G.now + 1);
	EXPECT_ACK(0, 0x0801, 603, 4);
	gf_arm(4, U3V_ACK_FAULT_PENDING, 3000000, 0, 0);
	send_read(604, 0x0000, 4, REQ);
	EXPECT_ACK(0, 0x0805, 604, 4);
	ASSERT_INT(t_get_le16(T->ack + 14), 3);
	gf_advance(G.now + 3000000);
	EXPECT_ACK(0, 0x0801, 604, 4);
	gf_arm(5, U3V_ACK_FAULT_PENDING, 70000000000ull, 0, 0);
	send_read(605, 0x0000, 4, REQ);
	EXPECT_ACK(0, 0x0805, 605, 4);
	ASSERT_INT(t_get_le16(T->ack + 14), 0xFFFF);
	ASSERT_INT(G.wakes[G.n_wakes - 1], G.now + 70000000000ull);
}

static void test_u3v_control_fault_pending_on_flash_write(void)
{
	CU_ASSERT_FATAL(T && T->ready);   /* fixture up */
	uint64_t end = mono_now_ns() + 2000000000ull;

	/* the fault's PENDING_ACK, then the flash write's own; the real ack after both */
	gf_begin(0);
	gf_arm(0, U3V_ACK_FAULT_PENDING, 5000000000ull, 0, 0);
	send_write(650, 0x0100, "\x11\x22\x33\x44", 4, REQ);
	EXPECT_ACK(0, 0x0805, 650, 4);
	ASSERT_INT(t_get_le16(T->ack + 14), 5000);
	EXPECT_ACK(0, 0x0805, 650, 4);
	while (!T->slow.writes && mono_now_ns() < end)
		evloop_run_once(T->loop, 2);
	ASSERT_INT(T->slow.writes, 1);
	ASSERT_INT(pull(1024), 0);          /* flash written, but the fault's time has not come */
	send_read(651, 0x0000, 4, REQ);     /* still busy */
	EXPECT_ACK(0x8007, 0x0801, 651, 0);
	gf_advance(5000000000ull);
	EXPECT_ACK(0, 0x0803, 650, 4);
	ASSERT_INT(T->c.stats.pending_acks, 2);
}

static void test_u3v_control_fault_error_not_executed(void)
{
	CU_ASSERT_FATAL(T && T->ready);   /* fixture up */
	gf_begin(0);
	gf_arm(0, U3V_ACK_FAULT_ERROR, 0, 0x8007, 0);
	gf_arm(2, U3V_ACK_FAULT_ERROR, 0, 0x8FFF, 0);
	send_write(700, 0x0000, "\xEE\xEE\xEE\xEE", 4, REQ);
	EXPECT_ACK(0x8007, 0x0803, 700, 0);
	ASSERT_INT(T->rw.writes, 0);
	ASSERT_BYTES(T->rw.bytes, "\x10\x11\x12\x13", 4);
	/* the device answered 700 so: a resend of it gets the same */
	send_write(700, 0x0000, "\xEE\xEE\xEE\xEE", 4, REQ | 0x8000);
	EXPECT_ACK(0x8007, 0x0803, 700, 0);
	ASSERT_INT(T->rw.writes, 0);
	send_read(701, 0x0000, 4, REQ);
	EXPECT_ACK(0x8FFF, 0x0801, 701, 0);
	ASSERT_INT(pull(1024), 0);
	ASSERT_INT(T->c.stats.faults, 2);
	ASSERT_INT(G.n_wakes, 0);
}

static void test_u3v_control_fault_wrong_id(void)
{
	CU_ASSERT_FATAL(T && T->ready);   /* fixture up */
	gf_begin(0);
	gf_arm(0, U3V_ACK_FAULT_WRONG_ID, 0, 0, 801);
	send_read(800, 0x0004, 4, REQ);
	EXPECT_ACK(0, 0x0801, 801, 4);
	ASSERT_BYTES(T->ack + 12, "\x14\x15\x16\x17", 4);   /* executed */
	/* the host resends 800: it gets the ack the device meant */
	send_read(800, 0x0004, 4, REQ | 0x8000);
	EXPECT_ACK(0, 0x0801, 800, 4);
	ASSERT_BYTES(T->ack + 12, "\x14\x15\x16\x17", 4);
}

static void test_u3v_control_fault_late(void)
{
	CU_ASSERT_FATAL(T && T->ready);   /* fixture up */
	unsigned calls;

	gf_begin(100);
	gf_arm(0, U3V_ACK_FAULT_LATE, 1000000000ull, 0, 0);
	calls = T->ack_ready_calls;
	send_write(900, 0x0000, "\x31\x32\x33\x34", 4, REQ);
	ASSERT_BYTES(T->rw.bytes, "\x31\x32\x33\x34", 4);   /* executed at once */
	ASSERT_INT(pull(1024), 0);
	ASSERT_INT(T->ack_ready_calls, calls);
	ASSERT_INT(G.n_wakes, 1);
	ASSERT_INT(G.wakes[0], 100 + 1000000000ull);
	/* a stray packet's answer is not held behind it */
	u3v_control_command(&T->c, (const uint8_t *)"junk", 4);
	ASSERT_INT(pull(1024), 1);
	ASSERT_INT(t_get_le16(T->ack + 4), 0x800E);
	ASSERT_INT(pull(1024), 0);
	gf_advance(100 + 1000000000ull);
	ASSERT_INT(T->ack_ready_calls, calls + 2);
	EXPECT_ACK(0, 0x0803, 900, 4);

	/* the host timed out and sent a new command: the late ack is dropped, as any uncollected one */
	gf_arm(1, U3V_ACK_FAULT_LATE, 1000, 0, 0);
	send_read(901, 0x0000, 4, REQ);
	ASSERT_INT(pull(1024), 0);
	T->c.stats.dropped_acks = 0;
	send_read(902, 0x0004, 4, REQ);     /* not busy: executed at once */
	ASSERT_INT(T->c.stats.dropped_acks, 1);
	EXPECT_ACK(0, 0x0801, 902, 4);
	gf_advance(G.now + 1000);
	ASSERT_INT(pull(1024), 0);
}

static void test_u3v_control_fault_drop(void)
{
	CU_ASSERT_FATAL(T && T->ready);   /* fixture up */
	unsigned calls = T->ack_ready_calls;

	gf_begin(0);
	gf_arm(0, U3V_ACK_FAULT_DROP, 0, 0, 0);
	send_write(950, 0x0008, "\x51\x52\x53\x54", 4, REQ);
	ASSERT_BYTES(T->rw.bytes + 8, "\x51\x52\x53\x54", 4);   /* executed */
	ASSERT_INT(pull(1024), 0);
	ASSERT_INT(T->ack_ready_calls, calls);
	ASSERT_INT(G.n_wakes, 0);
	gf_advance(1000000000000ull);
	ASSERT_INT(pull(1024), 0);
	/* the host resends: the device still has the answer, and does not write twice */
	send_write(950, 0x0008, "\x51\x52\x53\x54", 4, REQ | 0x8000);
	EXPECT_ACK(0, 0x0803, 950, 4);
	ASSERT_INT(T->rw.writes, 1);
}

static void test_u3v_control_fault_reset_forgets_held(void)
{
	CU_ASSERT_FATAL(T && T->ready);   /* fixture up */
	gf_begin(0);
	gf_arm(0, U3V_ACK_FAULT_PENDING, 1000, 0, 0);
	send_read(960, 0x0000, 4, REQ);
	EXPECT_ACK(0, 0x0805, 960, 4);
	u3v_control_reset(&T->c);
	ASSERT_INT(pull(1024), 0);
	send_read(961, 0x0000, 4, REQ);   /* not busy any more, though its time has not come */
	EXPECT_ACK(0, 0x0801, 961, 4);
	gf_advance(1000);
	ASSERT_INT(pull(1024), 0);

	gf_arm(2, U3V_ACK_FAULT_LATE, 1000, 0, 0);
	send_read(962, 0x0000, 4, REQ);
	u3v_control_reset(&T->c);
	gf_advance(5000);
	ASSERT_INT(pull(1024), 0);
}

static void test_u3v_control_fault_removing_ops_releases_held(void)
{
	CU_ASSERT_FATAL(T && T->ready);   /* fixture up */
	gf_begin(0);
	gf_arm(0, U3V_ACK_FAULT_LATE, 1000000, 0, 0);
	send_read(970, 0x0000, 4, REQ);
	ASSERT_INT(pull(1024), 0);
	u3v_control_set_fault_ops(&T->c, NULL, NULL);
	EXPECT_ACK(0, 0x0801, 970, 4);
	send_read(971, 0x0000, 4, REQ);
	EXPECT_ACK(0, 0x0801, 971, 4);
	ASSERT_INT(G.asked, 1);
}

static const struct test_case cases[] = {
	{ "test_u3v_control_readmem_ack", test_u3v_control_readmem_ack },
	{ "test_u3v_control_request_id_echoed", test_u3v_control_request_id_echoed },
	{ "test_u3v_control_writemem_ack", test_u3v_control_writemem_ack },
	{ "test_u3v_control_no_ack_without_request_flag", test_u3v_control_no_ack_without_request_flag },
	{ "test_u3v_control_invalid_address", test_u3v_control_invalid_address },
	{ "test_u3v_control_bad_alignment", test_u3v_control_bad_alignment },
	{ "test_u3v_control_write_protect", test_u3v_control_write_protect },
	{ "test_u3v_control_access_denied", test_u3v_control_access_denied },
	{ "test_u3v_control_read_count_limit", test_u3v_control_read_count_limit },
	{ "test_u3v_control_command_size_limit", test_u3v_control_command_size_limit },
	{ "test_u3v_control_not_implemented", test_u3v_control_not_implemented },
	{ "test_u3v_control_invalid_header", test_u3v_control_invalid_header },
	{ "test_u3v_control_readmem_bad_scd_length", test_u3v_control_readmem_bad_scd_length },
	{ "test_u3v_control_slow_write_pending_then_ack", test_u3v_control_slow_write_pending_then_ack },
	{ "test_u3v_control_slow_write_refused_after_pending", test_u3v_control_slow_write_refused_after_pending },
	{ "test_u3v_control_new_command_drops_uncollected_ack", test_u3v_control_new_command_drops_uncollected_ack },
	{ "test_u3v_control_ack_bigger_than_transfer", test_u3v_control_ack_bigger_than_transfer },
	{ "test_u3v_control_resend_returns_previous_ack", test_u3v_control_resend_returns_previous_ack },
	{ "test_u3v_control_resend_after_stray_packet", test_u3v_control_resend_after_stray_packet },
	{ "test_u3v_control_reset_forgets", test_u3v_control_reset_forgets },
	{ "test_u3v_control_scripted_session", test_u3v_control_scripted_session },
	{ "test_u3v_control_status_mapping", test_u3v_control_status_mapping },
	{ "test_u3v_control_fault_none_changes_nothing", test_u3v_control_fault_none_changes_nothing },
	{ "test_u3v_control_fault_pending", test_u3v_control_fault_pending },
	{ "test_u3v_control_fault_pending_on_flash_write", test_u3v_control_fault_pending_on_flash_write },
	{ "test_u3v_control_fault_error_not_executed", test_u3v_control_fault_error_not_executed },
	{ "test_u3v_control_fault_wrong_id", test_u3v_control_fault_wrong_id },
	{ "test_u3v_control_fault_late", test_u3v_control_fault_late },
	{ "test_u3v_control_fault_drop", test_u3v_control_fault_drop },
	{ "test_u3v_control_fault_reset_forgets_held", test_u3v_control_fault_reset_forgets_held },
	{ "test_u3v_control_fault_removing_ops_releases_held", test_u3v_control_fault_removing_ops_releases_held },
	{ NULL, NULL },
};

int test_u3v_control_add_suite(void) { return test_add_suite("u3v_control", setup, teardown, cases); }
