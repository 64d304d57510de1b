/* SPDX-License-Identifier: MIT */
/* faults suite: every fault kind of docs/faults.md armed through the I/O rig
 * (`fault add`), and what the host sees of it checked through dfk-conform's own
 * transport, as the document says it: transfer statuses and lengths, halts,
 * completion times in device time (clock paused and advanced by hand), leader
 * and trailer fields, GenCP acks, the camera leaving and coming back, frames
 * on a capped link. Each fault is also found in the event log under its id and
 * kind. What is expected comes from docs/faults.md, not from the manual: no
 * rule of the fixtures' rules.ini names a test of this suite (lib/rules.c).
 *
 * Needs the rig (--io) and skips without it. Every test starts and ends with no
 * fault armed and the clock running; the three that pull the cable come last
 * and leave a freshly powered-up camera, as after the program's own import. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conform.h"
#include "fmtfix.h"
#include "rig.h"
#include "stream.h"

#define MS UINT64_C(1000000)
/* a small region in the narrowest format: 4 KiB frames are cheap to render and read */
#define ROI_W 256
#define ROI_H 16
#define FPS 100.0
/* how long a transfer that must not complete yet is given to show up anyway (wall time) */
#define NOT_YET_MS 150
#define XFER_TIMEOUT_MS 2000

/* `fault` events name the kind by its row in docs/faults.md's tables, in order. */
enum kind {
	K_STALL, K_SHORT, K_BABBLE, K_DELAY, K_NAK, K_ERROR,
	K_DROP_PAYLOAD, K_CORRUPT, K_SKIP_IDS, K_TIME_JUMP, K_EMPTY_FRAME,
	K_ACK_PENDING, K_ACK_ERROR, K_ACK_WRONG_ID, K_ACK_LATE, K_ACK_DROP,
	K_UNPLUG, K_RESET, K_REPLUG,
	K_RATE, K_LATENCY,
};

/* Trailer status values of docs/faults.md: DATA_DISCARDED (the default) and DATA_OVERRUN. */
#define U3V_DATA_DISCARDED 0xA100
#define U3V_DATA_OVERRUN   0xA101

/* What the rig logged in the current test; static, being too large for the stack. */
static struct rig_log events;
/* The stream as stream_open() configured it (SIRM), while a test streams. */
static struct stream_reader sr;
static bool streaming;
/* One transfer's worth: the SIRM payload transfer size is at most 1 MiB (stream_open). */
static uint8_t xfer_buf[1u << 20];
static uint8_t ack_buf[1024];
/* Width after the camera last powered up again (0: not seen yet). */
static gint64 power_up_width;

static struct xport *xp(void) { return session->x; }

/* ---- the rig ---- */

/* Arms one fault; returns its id, 0 (with a failure recorded) when refused. */
static uint32_t arm(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static uint32_t arm(const char *fmt, ...)
{
	char line[512], out[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (io_request(session->io, out, sizeof(out), "fault add %s", line) < 0) {
		CHECK_MSG(0, "rig: %s", out);
		return 0;
	}
	return (uint32_t)strtoul(out, NULL, 10);
}

/* Transfers the emulator's USB/IP server has taken in so far (`urbs`); 0 with a failure recorded. */
static uint64_t urbs_taken(void)
{
	char out[256];
	uint64_t n = 0;

	if (io_request(session->io, out, sizeof(out), "urbs") < 0 || sscanf(out, "submitted=%" SCNu64, &n) != 1) {
		CHECK_MSG(0, "rig: urbs: %s", out);
		return 0;
	}
	return n;
}

/* A transfer sent on the USB socket and a clock advance sent on the rig's socket race each
 * other: before device time moves, wait until the emulator has taken in `count` transfers, so
 * each is judged at the device time it was sent. */
static bool wait_taken(uint64_t count)
{
	for (int i = 0; i < 5000; i++) {
		if (urbs_taken() >= count)
			return true;
		struct timespec ts = { 0, 2 * 1000000L };
		nanosleep(&ts, NULL);
	}
	CHECK_MSG(0, "the emulator did not take in the transfers sent (%" PRIu64 " expected in all)", count);
	return false;
}

/* docs/faults.md: "Every fault that fires is logged in the event log (events) with its id, its kind". */
static void check_logged(uint64_t seq, uint32_t id, enum kind k, const char *what)
{
	int n = 0;

	rig_fetch(seq, &events);
	for (int i = 0; i < events.n; i++)
		n += !strcmp(events.ev[i].kind, "fault") && events.ev[i].a == (int64_t)id && events.ev[i].b == k;
	CHECK_MSG(n >= 1, "%s: fault %u (kind %d) never logged as fired", what, id, (int)k);
}

/* ---- GenCP commands sent raw: the test reads (or misses) the ack itself ---- */

struct ack {
	int len;             /* bytes received */
	uint16_t status, cmd, length, id;
};

static bool parse_ack(const uint8_t *b, int n, struct ack *a)
{
	memset(a, 0, sizeof(*a));
	a->len = n;
	if (n < 12 || rd_le32(b) != GENCP_PREFIX)
		return false;
	a->status = rd_le16(b + 4);
	a->cmd = rd_le16(b + 6);
	a->length = rd_le16(b + 8);
	a->id = rd_le16(b + 10);
	return true;
}

static bool send_cmd(const uint8_t *cmd, int len)
{
	int n = xp()->ops->bulk(xp(), session->dev.u3v.ep_ctrl_out, (uint8_t *)cmd, len, XFER_TIMEOUT_MS);

	CHECK_MSG(n == len, "command transfer: %d of %d bytes", n, len);
	return n == len;
}

/* READMEM of the 4-byte register at `addr`; returns its request id. */
static uint16_t send_read(uint64_t addr)
{
	uint8_t cmd[24];
	uint16_t id = gencp_take_id(&session->gc);

	gencp_pack_readmem(cmd, id, addr, 4);
	send_cmd(cmd, sizeof(cmd));
	return id;
}

/* WRITEMEM of one 4-byte value; returns its request id. */
static uint16_t send_write(uint64_t addr, uint32_t v)
{
	uint8_t cmd[24];
	uint16_t id = gencp_take_id(&session->gc);

	gencp_pack_writemem(cmd, id, addr, 4);
	wr_le32(cmd + 20, v);
	send_cmd(cmd, sizeof(cmd));
	return id;
}

/* One ack transfer (synchronous). Returns bytes or -errno. */
static int recv_ack(unsigned timeout_ms)
{
	return xp()->ops->bulk(xp(), session->dev.u3v.ep_ctrl_in, ack_buf, sizeof(ack_buf), timeout_ms);
}

/* An ack transfer left pending while device time is moved by hand: in the emulator's hands
 * before this returns. */
static bool submit_ack(void)
{
	uint64_t n = urbs_taken();
	int rc = xp()->ops->submit(xp(), session->dev.u3v.ep_ctrl_in, ack_buf, sizeof(ack_buf), NULL);

	CHECK_MSG(rc == 0, "submitting an ack transfer: %d", rc);
	return rc == 0 && wait_taken(n + 1);
}

/* The pending transfer's completion within `ms` of wall time: 0 with `res`, or -ETIMEDOUT. */
static int reap(struct xport_result *res, unsigned ms) { return xp()->ops->reap(xp(), res, ms); }

/* The register the control tests write: SIRM Maximum Trailer Size, plain read/write while the
 * stream is off, so whether a command was executed shows in what it reads afterwards. */
static uint64_t probe_addr(void) { return session->sirm + SIRM_MAX_TRAILER; }

static bool probe_read(uint32_t *v)
{
	int rc = gencp_read_u32(&session->gc, probe_addr(), v);

	CHECK_MSG(rc == 0, "reading SIRM Maximum Trailer Size: %d", rc);
	return rc == 0;
}

/* ---- the stream ---- */

/* The drivers' set-up at ROI_W x ROI_H in the model's narrowest format, FPS free running, SIRM
 * written and the stream enabled (not yet acquiring). */
static bool stream_begin(void)
{
	char err[256] = "";
	struct fmtfix formats;
	int rc;

	if (fmtfix_load(session->fixtures_dir, &formats, err, sizeof(err)) != 0) {
		CHECK_MSG(0, "stream set-up: %s", err);
		return false;
	}
	gc_set_string("TriggerMode", "Off", NULL, 0);
	if (!gc_stream_setup(fmtfix_narrowest(&formats), ROI_W, ROI_H, 1000.0, err, sizeof(err)) ||
	    !gc_set_float("AcquisitionFrameRate", FPS, err, sizeof(err))) {
		CHECK_MSG(0, "stream set-up: %s", err);
		return false;
	}
	rc = stream_open(&sr, xp(), &session->gc, session->sirm, session->dev.u3v.ep_stream, STREAM_SLOTS);
	CHECK_MSG(rc == 0, "stream set-up (SIRM): %d", rc);
	streaming = rc == 0;
	return streaming;
}

static void stream_end(void)
{
	gc_execute("AcquisitionStop", NULL, 0);
	if (streaming)
		stream_close(&sr);
	streaming = false;
}

/* Transfers as large as any stage (leader, payload piece, trailer) of the SIRM layout. */
static int xfer_len(void)
{
	uint32_t n = sr.cfg.xfer;

	if (sr.cfg.leader > n)
		n = sr.cfg.leader;
	if (sr.cfg.trailer > n)
		n = sr.cfg.trailer;
	return (int)n;
}

struct frame {
	struct u3v_leader_info l;
	struct u3v_trailer_info t;
	size_t payload;          /* payload bytes between leader and trailer */
};

/* `n` frames as they come, one transfer at a time, leader, payload and trailer told apart by
 * their magic alone: a frame cut short or without payload shows as it is. Returns the count. */
static int read_frames(struct frame *f, int n)
{
	bool in_frame = false;
	int got = 0;

	while (got < n) {
		int r = xp()->ops->bulk(xp(), session->dev.u3v.ep_stream, xfer_buf, xfer_len(), XFER_TIMEOUT_MS);
		if (r < 0) {
			CHECK_MSG(0, "frame %d: stream transfer: %s", got, strerror(-r));
			return got;
		}
		uint32_t magic = r >= 4 ? rd_le32(xfer_buf) : 0;
		if (magic == U3V_LEADER_MAGIC) {
			memset(&f[got], 0, sizeof(f[got]));
			in_frame = u3v_parse_leader(&f[got].l, xfer_buf, (size_t)r) == 0;
			CHECK_MSG(in_frame, "frame %d: malformed leader (%d bytes)", got, r);
		} else if (magic == U3V_TRAILER_MAGIC && in_frame) {
			CHECK_MSG(u3v_parse_trailer(&f[got].t, xfer_buf, (size_t)r) == 0, "frame %d: malformed trailer", got);
			in_frame = false;
			got++;
		} else if (in_frame) {
			f[got].payload += (size_t)r;
		}
	}
	return got;
}

/* Streams `n` frames with the faults already armed. */
static bool acquire(struct frame *f, int n)
{
	int got;

	if (!gc_execute("AcquisitionStart", NULL, 0)) {
		CHECK_MSG(0, "AcquisitionStart");
		return false;
	}
	got = read_frames(f, n);
	gc_execute("AcquisitionStop", NULL, 0);
	CHECK_MSG(got == n, "%d of %d frames", got, n);
	return got == n;
}

/* A frame as it is without faults: full payload, status 0, the whole image. */
static void check_intact(const struct frame *f, int i, const char *what)
{
	uint64_t payload = sr.cfg.payload;

	CHECK_MSG(f->payload == payload && f->t.status == 0 && f->t.valid_payload == payload &&
			  f->t.size_y == f->l.size_y && f->l.size_x == ROI_W && f->l.size_y == ROI_H &&
			  f->t.block_id == f->l.block_id,
		  "%s: frame %d not intact: %zu payload bytes (of %" PRIu64 "), trailer status 0x%04x valid %" PRIu64
		  " size_y %u, leader %ux%u, ids %" PRIu64 "/%" PRIu64,
		  what, i, f->payload, payload, f->t.status, f->t.valid_payload, f->t.size_y, f->l.size_x, f->l.size_y,
		  f->l.block_id, f->t.block_id);
}

/* ---- per test ---- */

static void fresh_state(void)
{
	if (streaming)
		stream_end();
	if (session->x && session->x->pending)
		session->x->ops->cancel_all(session->x);
	rig_do("fault clear");
	rig_do("clock run");
}

static void test_setup(void) { fresh_state(); }

/* "Each test fault clears afterwards": whatever it left armed or paused goes. */
static void test_teardown(void) { fresh_state(); }

/* ---- USB transfers ---- */

/* stall ep E: -EPIPE and the endpoint halts, as a real functional stall does: GET_STATUS says so,
 * the next transfer stalls too, until CLEAR_FEATURE(ENDPOINT_HALT); then frames flow again. */
static void test_stall_stream_endpoint(void)
{
	struct xport *x = xp();
	uint8_t ep = session->dev.u3v.ep_stream, st[2] = { 0xff, 0xff };
	struct frame f[1];

	REQUIRE_MSG(ep, "no stream endpoint");
	/* device time stands still: the second transfer is within any stall grace period of a monitor */
	rig_do("clock pause");
	uint64_t seq = io_next_seq(session->io);
	uint32_t id = arm("stall ep 0x%02x", ep);
	REQUIRE_MSG(id, "arming the stall");
	int n = x->ops->bulk(x, ep, xfer_buf, 4096, XFER_TIMEOUT_MS);
	CHECK_MSG(n == -EPIPE, "stream transfer after the stall was armed: %d (expected %d, -EPIPE)", n, -EPIPE);
	n = x->ops->control(x, USB_RT_ENDPOINT_IN, USB_REQ_GET_STATUS, 0, ep, st, 2, XFER_TIMEOUT_MS);
	CHECK_MSG(n == 2 && st[0] == 1 && st[1] == 0, "GET_STATUS(0x%02x) after the stall: %d bytes %02x %02x (expected Halt)",
		  ep, n, st[0], st[1]);
	n = x->ops->bulk(x, ep, xfer_buf, 4096, XFER_TIMEOUT_MS);
	CHECK_MSG(n == -EPIPE, "next transfer on the halted endpoint: %d (expected -EPIPE until CLEAR_FEATURE)", n);
	n = x->ops->control(x, USB_RT_ENDPOINT_OUT, USB_REQ_CLEAR_FEATURE, USB_FEATURE_ENDPOINT_HALT, ep, NULL, 0,
			    XFER_TIMEOUT_MS);
	CHECK_MSG(n == 0, "CLEAR_FEATURE(ENDPOINT_HALT) 0x%02x: %d", ep, n);
	st[0] = st[1] = 0xff;
	n = x->ops->control(x, USB_RT_ENDPOINT_IN, USB_REQ_GET_STATUS, 0, ep, st, 2, XFER_TIMEOUT_MS);
	CHECK_MSG(n == 2 && st[0] == 0 && st[1] == 0, "GET_STATUS(0x%02x) after CLEAR_FEATURE: %d bytes %02x %02x", ep, n,
		  st[0], st[1]);
	check_logged(seq, id, K_STALL, "stall");
	rig_do("clock run");
	/* the pipe works again: a whole frame */
	REQUIRE_MSG(stream_begin(), "stream set-up");
	if (acquire(f, 1))
		check_intact(&f[0], 0, "after the halt was cleared");
}

/* stall on EP0: the request fails with -EPIPE; "EP0: the next SETUP clears it". */
static void test_stall_ep0(void)
{
	struct xport *x = xp();
	uint8_t d[18];
	uint64_t seq = io_next_seq(session->io);
	uint32_t id = arm("stall ep 0x00");

	REQUIRE_MSG(id, "arming the stall");
	int n = x->ops->control(x, USB_RT_DEVICE_IN, USB_REQ_GET_DESCRIPTOR, USB_DESC_DEVICE << 8, 0, d, sizeof(d),
				XFER_TIMEOUT_MS);
	CHECK_MSG(n == -EPIPE, "GET_DESCRIPTOR(DEVICE) with the stall armed: %d (expected -EPIPE)", n);
	n = x->ops->control(x, USB_RT_DEVICE_IN, USB_REQ_GET_DESCRIPTOR, USB_DESC_DEVICE << 8, 0, d, sizeof(d),
			    XFER_TIMEOUT_MS);
	CHECK_MSG(n == 18 && d[1] == USB_DESC_DEVICE, "the next request on EP0: %d (expected the 18-byte descriptor)", n);
	check_logged(seq, id, K_STALL, "stall ep 0x00");
}

/* short ep E len K: status 0 and at most K bytes; the 16-byte ack of a 4-byte READMEM cut to 4. */
static void test_short(void)
{
	uint64_t seq = io_next_seq(session->io);
	uint32_t id = arm("short ep 0x%02x len 4", session->dev.u3v.ep_ctrl_in);

	REQUIRE_MSG(id, "arming");
	send_read(ABRM_RESPONSE_TIME);
	int n = recv_ack(XFER_TIMEOUT_MS);
	CHECK_MSG(n == 4, "ack transfer: %d (expected 4 of the 16 bytes, status 0)", n);
	if (n == 4)
		CHECK_MSG(rd_le32(ack_buf) == GENCP_PREFIX, "the 4 bytes are not the ack's first (prefix 0x%08x)",
			  rd_le32(ack_buf));
	check_logged(seq, id, K_SHORT, "short");
	uint32_t v;
	CHECK_MSG(gencp_read_u32(&session->gc, ABRM_RESPONSE_TIME, &v) == 0, "the next command after the short ack");
}

/* babble ep E: -EOVERFLOW, no data. */
static void test_babble(void)
{
	uint64_t seq = io_next_seq(session->io);
	uint32_t id = arm("babble ep 0x%02x", session->dev.u3v.ep_ctrl_in);

	REQUIRE_MSG(id, "arming");
	send_read(ABRM_RESPONSE_TIME);
	int n = recv_ack(XFER_TIMEOUT_MS);
	CHECK_MSG(n == -EOVERFLOW, "ack transfer: %d (expected %d, -EOVERFLOW)", n, -EOVERFLOW);
	check_logged(seq, id, K_BABBLE, "babble");
	uint32_t v;
	CHECK_MSG(gencp_read_u32(&session->gc, ABRM_RESPONSE_TIME, &v) == 0, "the next command after the babble");
}

/* error ep E status S: the transfer completes with S and no data. libusb folds every status
 * without a name of its own (-EPROTO among them) into LIBUSB_TRANSFER_ERROR, -EIO here. */
static void test_error(void)
{
	int want = xport_has(xp(), XPORT_CAP_USBIP) ? -EPROTO : -EIO;
	uint64_t seq = io_next_seq(session->io);
	uint32_t id = arm("error ep 0x%02x status EPROTO", session->dev.u3v.ep_ctrl_in);

	REQUIRE_MSG(id, "arming");
	send_read(ABRM_RESPONSE_TIME);
	int n = recv_ack(XFER_TIMEOUT_MS);
	CHECK_MSG(n == want, "ack transfer: %d (expected %d)", n, want);
	check_logged(seq, id, K_ERROR, "error");
	uint32_t v;
	CHECK_MSG(gencp_read_u32(&session->gc, ABRM_RESPONSE_TIME, &v) == 0, "the next command after the error");
}

/* With the clock paused at t0 and an ack transfer pending since then: nothing at t0 + d - 1,
 * the ack of `rid` with the register's value at t0 + d. */
static void check_ack_at(uint64_t d, uint16_t rid, uint32_t value, const char *what)
{
	struct xport_result res;
	struct ack a = { 0 };

	REQUIRE_MSG(submit_ack(), "%s", what);
	rig_advance(d - 1);
	int rc = reap(&res, NOT_YET_MS);
	CHECK_MSG(rc == -ETIMEDOUT, "%s: the transfer completed %s1 ns before its time (status %d, %d bytes)", what,
		  rc == 0 ? "" : "or failed ", rc == 0 ? res.status : rc, rc == 0 ? res.actual : 0);
	if (rc != -ETIMEDOUT)
		return;
	rig_advance(1);
	rc = reap(&res, XFER_TIMEOUT_MS);
	REQUIRE_MSG(rc == 0, "%s: not complete at its time: %d", what, rc);
	bool ok = res.status == 0 && parse_ack(ack_buf, res.actual, &a);
	CHECK_MSG(ok && a.cmd == GENCP_READMEM_ACK && a.status == 0 && a.id == rid && a.len == 16 &&
			  rd_le32(ack_buf + 12) == value,
		  "%s: status %d, %d bytes, ack 0x%04x status 0x%04x id %u (request %u) value %u (expected %u)", what,
		  res.status, res.actual, a.cmd, a.status, a.id, rid, ok ? rd_le32(ack_buf + 12) : 0, value);
}

/* delay ep E by D: the transfer completes D ns of device time later than it would have. */
static void test_delay(void)
{
	const uint64_t d = 5 * MS;
	uint32_t v;

	REQUIRE_MSG(gencp_read_u32(&session->gc, ABRM_RESPONSE_TIME, &v) == 0, "reading the response time");
	rig_do("clock pause");
	uint64_t seq = io_next_seq(session->io);
	uint32_t id = arm("delay ep 0x%02x by %" PRIu64, session->dev.u3v.ep_ctrl_in, d);
	REQUIRE_MSG(id, "arming");
	uint16_t rid = send_read(ABRM_RESPONSE_TIME);
	check_ack_at(d, rid, v, "delay by 5 ms");
	check_logged(seq, id, K_DELAY, "delay");
}

/* nak ep E for D / until T: not complete before D after the transfer was taken, or before T. */
static void test_nak(void)
{
	const uint64_t d = 7 * MS;
	uint32_t v;

	REQUIRE_MSG(gencp_read_u32(&session->gc, ABRM_RESPONSE_TIME, &v) == 0, "reading the response time");
	rig_do("clock pause");
	uint64_t seq = io_next_seq(session->io);
	uint32_t id = arm("nak ep 0x%02x for %" PRIu64, session->dev.u3v.ep_ctrl_in, d);
	REQUIRE_MSG(id, "arming");
	uint16_t rid = send_read(ABRM_RESPONSE_TIME);
	check_ack_at(d, rid, v, "nak for 7 ms");
	check_logged(seq, id, K_NAK, "nak for");

	uint64_t t0 = io_time(session->io);
	seq = io_next_seq(session->io);
	id = arm("nak ep 0x%02x until %" PRIu64, session->dev.u3v.ep_ctrl_in, t0 + d);
	REQUIRE_MSG(id, "arming");
	rid = send_read(ABRM_RESPONSE_TIME);
	check_ack_at(d, rid, v, "nak until now + 7 ms");
	check_logged(seq, id, K_NAK, "nak until");
}

/* ---- the stream ---- */

/* drop-payload bytes K [status S]: the last K bytes never come; the trailer says S (0xA100 by
 * default), valid_payload_size = what was sent, size_y = the complete lines. */
static void test_drop_payload(void)
{
	struct frame f[5];
	const uint64_t k = 1000;

	REQUIRE_MSG(stream_begin(), "stream set-up");
	uint64_t seq = io_next_seq(session->io);
	uint32_t id1 = arm("drop-payload bytes %" PRIu64 " on frame 2", k);
	uint32_t id2 = arm("drop-payload bytes 100000000 status overrun on frame 4");
	REQUIRE_MSG(id1 && id2, "arming");
	REQUIRE_MSG(acquire(f, 5), "frames");
	uint64_t payload = sr.cfg.payload, line = payload / ROI_H, sent = payload - k;
	CHECK_MSG(f[1].payload == sent && f[1].t.valid_payload == sent && f[1].t.status == U3V_DATA_DISCARDED &&
			  f[1].t.size_y == sent / line,
		  "frame 2: %zu payload bytes, trailer valid %" PRIu64 " status 0x%04x size_y %u (expected %" PRIu64
		  ", %" PRIu64 ", 0xa100, %" PRIu64 ")",
		  f[1].payload, f[1].t.valid_payload, f[1].t.status, f[1].t.size_y, sent, sent, sent / line);
	/* more than the payload: all of it goes, with the status asked for */
	CHECK_MSG(f[3].payload == 0 && f[3].t.valid_payload == 0 && f[3].t.status == U3V_DATA_OVERRUN &&
			  f[3].t.size_y == 0,
		  "frame 4: %zu payload bytes, trailer valid %" PRIu64 " status 0x%04x size_y %u (expected 0, 0, 0xa101, 0)",
		  f[3].payload, f[3].t.valid_payload, f[3].t.status, f[3].t.size_y);
	for (int i = 0; i < 5; i += 2)
		check_intact(&f[i], i, "drop-payload");
	check_logged(seq, id1, K_DROP_PAYLOAD, "drop-payload");
	check_logged(seq, id2, K_DROP_PAYLOAD, "drop-payload status overrun");
}

/* corrupt field F value V: V in place of the true value; the payload untouched. */
static void test_corrupt(void)
{
	struct frame f[4];

	REQUIRE_MSG(stream_begin(), "stream set-up");
	uint64_t seq = io_next_seq(session->io);
	uint32_t id1 = arm("corrupt field trailer.status value 0x1234 on frame 2");
	uint32_t id2 = arm("corrupt field leader.size_x value 77 on frame 3");
	REQUIRE_MSG(id1 && id2, "arming");
	REQUIRE_MSG(acquire(f, 4), "frames");
	CHECK_MSG(f[1].t.status == 0x1234, "frame 2: trailer status 0x%04x (expected 0x1234)", f[1].t.status);
	CHECK_MSG(f[1].payload == sr.cfg.payload && f[1].t.valid_payload == sr.cfg.payload && f[1].l.size_x == ROI_W,
		  "frame 2: more than the trailer status changed (%zu payload bytes, valid %" PRIu64 ", size_x %u)",
		  f[1].payload, f[1].t.valid_payload, f[1].l.size_x);
	CHECK_MSG(f[2].l.size_x == 77, "frame 3: leader size_x %u (expected 77)", f[2].l.size_x);
	CHECK_MSG(f[2].payload == sr.cfg.payload && f[2].t.status == 0 && f[2].l.size_y == ROI_H,
		  "frame 3: more than the leader size_x changed (%zu payload bytes, status 0x%04x, size_y %u)",
		  f[2].payload, f[2].t.status, f[2].l.size_y);
	check_intact(&f[0], 0, "corrupt");
	check_intact(&f[3], 3, "corrupt");
	check_logged(seq, id1, K_CORRUPT, "corrupt trailer.status");
	check_logged(seq, id2, K_CORRUPT, "corrupt leader.size_x");
}

/* skip-ids by N: this frame and every later one carry an id N higher (offsets add up). */
static void test_skip_ids(void)
{
	static const uint64_t want[4] = { 6, 1, 3, 1 };
	struct frame f[5];

	REQUIRE_MSG(stream_begin(), "stream set-up");
	uint64_t seq = io_next_seq(session->io);
	uint32_t id1 = arm("skip-ids by 5 on frame 2");
	uint32_t id2 = arm("skip-ids by 2 on frame 4");
	REQUIRE_MSG(id1 && id2, "arming");
	REQUIRE_MSG(acquire(f, 5), "frames");
	for (int i = 1; i < 5; i++)
		CHECK_MSG(f[i].l.block_id - f[i - 1].l.block_id == want[i - 1],
			  "block id %" PRIu64 " after %" PRIu64 " (expected a step of %" PRIu64 ")", f[i].l.block_id,
			  f[i - 1].l.block_id, want[i - 1]);
	for (int i = 0; i < 5; i++)
		check_intact(&f[i], i, "skip-ids");
	check_logged(seq, id1, K_SKIP_IDS, "skip-ids by 5");
	check_logged(seq, id2, K_SKIP_IDS, "skip-ids by 2");
}

/* time-jump by D: leader timestamps of this frame and every later one D later (D < 0: earlier). */
static void test_time_jump(void)
{
	const int64_t d1 = 1000000000, d2 = -3000000;
	struct frame f[5];

	REQUIRE_MSG(stream_begin(), "stream set-up");
	uint64_t seq = io_next_seq(session->io);
	uint32_t id1 = arm("time-jump by %" PRId64 " on frame 2", d1);
	uint32_t id2 = arm("time-jump by %" PRId64 " on frame 4", d2);
	REQUIRE_MSG(id1 && id2, "arming");
	REQUIRE_MSG(acquire(f, 5), "frames");
	/* free running: exposures one frame period apart in device time, so steps differ only by the jumps */
	int64_t step[4];
	for (int i = 1; i < 5; i++)
		step[i - 1] = (int64_t)(f[i].l.timestamp - f[i - 1].l.timestamp);
	int64_t period = step[1];
	CHECK_MSG(step[3] == period && step[0] == period + d1 && step[2] == period + d2,
		  "timestamp steps %" PRId64 " %" PRId64 " %" PRId64 " %" PRId64 " ns (expected P%+" PRId64 ", P, P%+" PRId64
		  ", P)",
		  step[0], step[1], step[2], step[3], d1, d2);
	for (int i = 0; i < 5; i++)
		check_intact(&f[i], i, "time-jump");
	check_logged(seq, id1, K_TIME_JUMP, "time-jump by 1 s");
	check_logged(seq, id2, K_TIME_JUMP, "time-jump by -3 ms");
}

/* empty-frame: the leader, then at once the trailer: no payload, valid 0, size_y 0, status 0xA100. */
static void test_empty_frame(void)
{
	struct frame f[3];

	REQUIRE_MSG(stream_begin(), "stream set-up");
	uint64_t seq = io_next_seq(session->io);
	uint32_t id = arm("empty-frame on frame 2");
	REQUIRE_MSG(id, "arming");
	REQUIRE_MSG(acquire(f, 3), "frames");
	CHECK_MSG(f[1].payload == 0 && f[1].t.valid_payload == 0 && f[1].t.size_y == 0 &&
			  f[1].t.status == U3V_DATA_DISCARDED && f[1].l.size_x == ROI_W && f[1].t.block_id == f[1].l.block_id,
		  "frame 2: %zu payload bytes, trailer valid %" PRIu64 " size_y %u status 0x%04x, leader size_x %u "
		  "(expected 0, 0, 0, 0xa100, %u)",
		  f[1].payload, f[1].t.valid_payload, f[1].t.size_y, f[1].t.status, f[1].l.size_x, ROI_W);
	check_intact(&f[0], 0, "empty-frame");
	check_intact(&f[2], 2, "empty-frame");
	check_logged(seq, id, K_EMPTY_FRAME, "empty-frame");
}

/* ---- GenCP control ---- */

/* ack-pending for D: a PENDING_ACK at once (timeout field: D rounded up to ms), the real ack D ns
 * later, the command executed. */
static void test_ack_pending(void)
{
	const uint64_t d = 2500000;   /* 2.5 ms: the timeout field rounds it up to 3 */
	struct ack a = { 0 };
	uint32_t v;

	REQUIRE_MSG(gencp_read_u32(&session->gc, ABRM_RESPONSE_TIME, &v) == 0, "reading the response time");
	rig_do("clock pause");
	uint64_t seq = io_next_seq(session->io);
	uint32_t id = arm("ack-pending for %" PRIu64, d);
	REQUIRE_MSG(id, "arming");
	uint16_t rid = send_read(ABRM_RESPONSE_TIME);
	int n = recv_ack(XFER_TIMEOUT_MS);
	bool ok = parse_ack(ack_buf, n, &a);
	CHECK_MSG(ok && a.cmd == GENCP_PENDING_ACK && a.status == 0 && a.id == rid && n >= 16 &&
			  rd_le16(ack_buf + 14) == 3,
		  "first ack: %d bytes, command 0x%04x status 0x%04x id %u (request %u), timeout %u ms (expected "
		  "PENDING_ACK, 3 ms)",
		  n, a.cmd, a.status, a.id, rid, n >= 16 ? rd_le16(ack_buf + 14) : 0);
	check_ack_at(d, rid, v, "the real ack after PENDING_ACK");
	check_logged(seq, id, K_ACK_PENDING, "ack-pending");
}

/* ack-error status S: the command is not executed; its ack carries S and no data. */
static void test_ack_error(void)
{
	uint32_t v0, v;
	struct ack a = { 0 };

	REQUIRE_MSG(probe_read(&v0), "probe register");
	uint64_t seq = io_next_seq(session->io);
	uint32_t id = arm("ack-error status busy");
	REQUIRE_MSG(id, "arming");
	uint16_t rid = send_write(probe_addr(), v0 + 1024);
	int n = recv_ack(XFER_TIMEOUT_MS);
	bool ok = parse_ack(ack_buf, n, &a);
	CHECK_MSG(ok && a.cmd == GENCP_WRITEMEM_ACK && a.status == GENCP_BUSY && a.id == rid && a.length == 0 && n == 12,
		  "ack: %d bytes, command 0x%04x status 0x%04x id %u (request %u) length %u (expected WRITEMEM_ACK, "
		  "BUSY 0x8007, no data)",
		  n, a.cmd, a.status, a.id, rid, a.length);
	if (probe_read(&v))
		CHECK_MSG(v == v0, "the WRITEMEM answered with an error was executed: %u, was %u", v, v0);
	check_logged(seq, id, K_ACK_ERROR, "ack-error");
}

/* ack-wrong-id [id V]: the command executed; its ack carries V, by default the request id + 1. */
static void test_ack_wrong_id(void)
{
	uint32_t v0, v;
	struct ack a = { 0 };

	REQUIRE_MSG(probe_read(&v0), "probe register");
	uint64_t seq = io_next_seq(session->io);
	uint32_t id1 = arm("ack-wrong-id");
	REQUIRE_MSG(id1, "arming");
	uint16_t rid = send_write(probe_addr(), v0 + 1024);
	int n = recv_ack(XFER_TIMEOUT_MS);
	bool ok = parse_ack(ack_buf, n, &a);
	CHECK_MSG(ok && a.cmd == GENCP_WRITEMEM_ACK && a.status == 0 && a.id == (uint16_t)(rid + 1),
		  "ack: %d bytes, command 0x%04x status 0x%04x id %u (expected request %u + 1)", n, a.cmd, a.status, a.id,
		  rid);
	if (probe_read(&v))
		CHECK_MSG(v == v0 + 1024, "the WRITEMEM acked with the wrong id was not executed: %u, wrote %u", v,
			  v0 + 1024);
	uint32_t id2 = arm("ack-wrong-id id 77");
	REQUIRE_MSG(id2, "arming");
	rid = send_read(probe_addr());
	n = recv_ack(XFER_TIMEOUT_MS);
	ok = parse_ack(ack_buf, n, &a);
	CHECK_MSG(ok && a.cmd == GENCP_READMEM_ACK && a.status == 0 && a.id == 77 && n == 16,
		  "ack: %d bytes, command 0x%04x status 0x%04x id %u for request %u (expected id 77)", n, a.cmd, a.status,
		  a.id, rid);
	gencp_write_u32(&session->gc, probe_addr(), v0);
	check_logged(seq, id1, K_ACK_WRONG_ID, "ack-wrong-id");
	check_logged(seq, id2, K_ACK_WRONG_ID, "ack-wrong-id id 77");
}

/* ack-late by D (D longer than the host's timeout): no ack within the host's timeout; the ack
 * leaves D ns after the command; the next command works. The clock is paused, so device time
 * cannot reach D while the host waits. */
static void test_ack_late(void)
{
	const uint64_t d = 2000 * MS;
	uint32_t v, w;

	REQUIRE_MSG(gencp_read_u32(&session->gc, ABRM_RESPONSE_TIME, &v) == 0, "reading the response time");
	rig_do("clock pause");
	uint64_t seq = io_next_seq(session->io);
	uint32_t id = arm("ack-late by %" PRIu64, d);
	REQUIRE_MSG(id, "arming");
	uint16_t rid = send_read(ABRM_RESPONSE_TIME);
	int n = recv_ack(session->gc.timeout_ms);
	CHECK_MSG(n == -ETIMEDOUT, "ack within the host's %u ms: %d (expected none)", session->gc.timeout_ms, n);
	check_ack_at(d, rid, v, "the late ack");
	check_logged(seq, id, K_ACK_LATE, "ack-late");
	CHECK_MSG(gencp_read_u32(&session->gc, ABRM_RESPONSE_TIME, &w) == 0 && w == v, "the next command after the late ack");
}

/* ack-drop: the command executed; no ack ever; the next command works. */
static void test_ack_drop(void)
{
	struct xport_result res;
	uint32_t v0, v;

	REQUIRE_MSG(probe_read(&v0), "probe register");
	rig_do("clock pause");
	uint64_t seq = io_next_seq(session->io);
	uint32_t id = arm("ack-drop");
	REQUIRE_MSG(id, "arming");
	send_write(probe_addr(), v0 + 1024);
	int n = recv_ack(session->gc.timeout_ms);
	CHECK_MSG(n == -ETIMEDOUT, "ack within the host's %u ms: %d (expected none)", session->gc.timeout_ms, n);
	/* "never": not after a long stretch of device time either */
	REQUIRE_MSG(submit_ack(), "ack transfer");
	rig_advance(10000 * MS);
	n = reap(&res, NOT_YET_MS);
	CHECK_MSG(n == -ETIMEDOUT, "an ack came 10 s after the dropped one was due (status %d, %d bytes)",
		  n == 0 ? res.status : n, n == 0 ? res.actual : 0);
	xp()->ops->cancel_all(xp());
	rig_do("clock run");
	if (probe_read(&v))
		CHECK_MSG(v == v0 + 1024, "the WRITEMEM whose ack was dropped was not executed: %u, wrote %u", v, v0 + 1024);
	gencp_write_u32(&session->gc, probe_addr(), v0);
	check_logged(seq, id, K_ACK_DROP, "ack-drop");
}

/* ---- the link ---- */

/* rate bytes-per-second B: frames cross the link back to back exactly len / B apart in device time
 * (frame_sent events), with transfers always waiting on the stream pipe. */
static void test_rate(void)
{
	enum { IN_FLIGHT = 8, STEPS = 24 };
	const uint64_t step = 5 * MS;
	static uint8_t bufs[IN_FLIGHT][1u << 16];
	struct xport_result res;
	int full = 0, bad = 0;

	REQUIRE_MSG(stream_begin(), "stream set-up");
	REQUIRE_MSG(xfer_len() <= (int)sizeof(bufs[0]), "transfers of %d bytes", xfer_len());
	uint64_t payload = sr.cfg.payload;
	/* 20 ms on the link per frame, twice the frame period: the link paces the frames */
	uint64_t rate = payload * 50, gap = (payload * 1000000000u + rate - 1) / rate;
	rig_do("clock pause");
	uint64_t seq = io_next_seq(session->io);
	uint32_t id = arm("rate bytes-per-second %" PRIu64, rate);
	REQUIRE_MSG(id, "arming");
	REQUIRE_MSG(gc_execute("AcquisitionStart", NULL, 0), "AcquisitionStart");
	uint64_t taken = urbs_taken();
	for (int i = 0; i < IN_FLIGHT; i++)
		REQUIRE_MSG(xp()->ops->submit(xp(), session->dev.u3v.ep_stream, bufs[i], xfer_len(), bufs[i]) == 0,
			    "stream transfer");
	taken += IN_FLIGHT;
	for (int s = 0; s < STEPS; s++) {
		/* the pipe never waits for the host: every transfer is there before time moves */
		REQUIRE_MSG(wait_taken(taken), "stream transfers");
		rig_advance(step);
		/* take what completed in this step and give the pipe a transfer back for each */
		while (reap(&res, 20) == 0) {
			if (res.status)
				bad++;
			full += res.actual == (int)payload;
			if (xp()->ops->submit(xp(), session->dev.u3v.ep_stream, res.user, xfer_len(), res.user) == 0)
				taken++;
		}
	}
	gc_execute("AcquisitionStop", NULL, 0);
	rig_fetch(seq, &events);
	int sent = rig_count(&events, "frame_sent"), off = 0;
	uint64_t first_off = 0;
	for (int i = 1; i < sent; i++) {
		uint64_t g = rig_find(&events, "frame_sent", i)->t - rig_find(&events, "frame_sent", i - 1)->t;
		if (g != gap && !off++)
			first_off = g;
	}
	CHECK_MSG(sent >= 4 && off == 0,
		  "%d frames sent in %d ms, %d not %" PRIu64 " ns (len / rate) after the previous one (the first: %" PRIu64
		  " ns)",
		  sent, (int)(STEPS * step / MS), off, gap, first_off);
	CHECK_MSG(bad == 0 && full >= 4, "%d transfers failed, %d full payloads received", bad, full);
	check_logged(seq, id, K_RATE, "rate");
}

/* ---- the device: the cable ---- */

/* After a device fault: every transfer fails with -ENODEV ("the device left the bus"). */
static int wait_gone(void)
{
	int rc = 0;

	for (int i = 0; i < 250; i++) {
		uint32_t v;
		rc = gencp_read_u32(&session->gc, ABRM_RESPONSE_TIME, &v);
		if (rc == -ENODEV)
			break;
		struct timespec ts = { 0, 20 * 1000000L };
		nanosleep(&ts, NULL);
	}
	return rc;
}

/* Import again: a new plug-in. The camera powered up: its event log starts with power_up at
 * device time 0, and a volatile setting made before (Width ROI_W) is gone. */
static void check_power_up(const char *what)
{
	gint64 w = 0;

	rig_do("clock run");
	int rc = conform_reconnect(20000);
	REQUIRE_MSG(rc == 0, "%s: the camera did not come back: %d", what, rc);
	rig_fetch(0, &events);
	const struct io_event *p = rig_find(&events, "power_up", 0);
	CHECK_MSG(p && p->t == 0, "%s: no power-up at device time 0 in the new event log", what);
	REQUIRE_MSG(gc_get_int("Width", &w, NULL, 0), "%s: Width unreadable", what);
	CHECK_MSG(w != ROI_W && (!power_up_width || w == power_up_width),
		  "%s: Width %lld after the power-up (set to %d before; %lld after the previous one)", what, (long long)w,
		  ROI_W, (long long)power_up_width);
	power_up_width = w;
}

/* Pulls the cable with a device fault (`line`, paused clock, fired by a 1 ns advance): the fault
 * is logged and the transport reports the device gone. */
static bool pull(const char *line, enum kind k)
{
	char err[256] = "";

	if (!gc_set_int("Width", ROI_W, err, sizeof(err))) {
		CHECK_MSG(0, "%s: setting Width %d first: %s", line, ROI_W, err);
		return false;
	}
	rig_do("clock pause");
	uint64_t seq = io_next_seq(session->io);
	uint32_t id = arm("%s", line);
	if (!id)
		return false;
	rig_advance(1);
	check_logged(seq, id, k, line);
	int rc = wait_gone();
	CHECK_MSG(rc == -ENODEV, "%s: the transport still reaches the camera (last result %d, expected -ENODEV)", line, rc);
	return rc == -ENODEV;
}

/* unplug: the connection closes as on a cable pull; the next import is a new plug-in. */
static void test_unplug(void)
{
	if (pull("unplug", K_UNPLUG))
		check_power_up("unplug");
}

/* reset: the camera leaves the bus and comes back at power-up defaults on the next import. */
static void test_reset(void)
{
	if (pull("reset", K_RESET))
		check_power_up("reset");
}

/* Whether the USB/IP server lists our bus id (-1: the list could not be read). */
static int listed(const char *host, int port, const char *busid)
{
	static struct uip_device devs[16];
	int n = uip_devlist(host, port, devs, 16);

	if (n < 0)
		return -1;
	for (int i = 0; i < n && i < 16; i++)
		if (!strcmp(devs[i].busid, busid))
			return 1;
	return 0;
}

/* replug for D: as unplug, and off the bus for D ns of device time: not listed, imports refused;
 * listed again at exactly D. The device list and the import are USB/IP's (usbip:// only). */
static void test_replug(void)
{
	const uint64_t d = 50 * MS;
	char host[128], busid[33];
	int port = 0;
	bool uip = xport_has(xp(), XPORT_CAP_USBIP) &&
		   uip_url_parts(session->url, host, sizeof(host), &port, busid, sizeof(busid)) == 0;
	char line[64];

	snprintf(line, sizeof(line), "replug for %" PRIu64, d);
	if (!pull(line, K_REPLUG))
		return;
	if (!uip) {
		printf("\n    replug: the device list and the refused import are checked over usbip:// only\n");
	} else {
		struct uip_device dev;
		int st = 0, fd, l = listed(host, port, busid);
		CHECK_MSG(l == 0, "off the bus: %s is %s", busid, l < 0 ? "unlisted: no device list" : "still listed");
		fd = uip_import_raw(host, port, busid, &dev, &st);
		if (fd >= 0)
			close(fd);
		CHECK_MSG(fd == -EBUSY, "off the bus: import of %s gave %d (expected a refusal)", busid, fd);
		/* the fault fired at the armed time (1 ns ago): D - 2 more and it is still off */
		rig_advance(d - 2);
		l = listed(host, port, busid);
		CHECK_MSG(l == 0, "1 ns before D: %s is %s", busid, l < 0 ? "unreadable" : "listed already");
		rig_advance(1);
		l = listed(host, port, busid);
		CHECK_MSG(l == 1, "at D: %s is not listed again (%d)", busid, l);
	}
	/* without USB/IP underneath: let device time pass D, then the import tells */
	if (!uip)
		rig_advance(d);
	check_power_up("replug");
}

void suite_faults_register(const char *name)
{
	CU_pSuite s = CU_add_suite_with_setup_and_teardown(name, rig_suite_init, NULL, test_setup, test_teardown);

	CU_add_test(s, "stall_halts_stream_endpoint", test_stall_stream_endpoint);
	CU_add_test(s, "stall_ep0_cleared_by_next_setup", test_stall_ep0);
	CU_add_test(s, "short_cuts_transfer", test_short);
	CU_add_test(s, "babble_overflow", test_babble);
	CU_add_test(s, "error_status", test_error);
	CU_add_test(s, "delay_in_device_time", test_delay);
	CU_add_test(s, "nak_for_and_until", test_nak);
	CU_add_test(s, "drop_payload_trailer", test_drop_payload);
	CU_add_test(s, "corrupt_replaces_field", test_corrupt);
	CU_add_test(s, "skip_ids_block_id_jump", test_skip_ids);
	CU_add_test(s, "time_jump_timestamps", test_time_jump);
	CU_add_test(s, "empty_frame_no_payload", test_empty_frame);
	CU_add_test(s, "ack_pending_then_ack", test_ack_pending);
	CU_add_test(s, "ack_error_not_executed", test_ack_error);
	CU_add_test(s, "ack_wrong_id", test_ack_wrong_id);
	CU_add_test(s, "ack_late_host_times_out", test_ack_late);
	CU_add_test(s, "ack_drop_never_acked", test_ack_drop);
	CU_add_test(s, "rate_paces_frames", test_rate);
	/* last: they power the camera down and up */
	CU_add_test(s, "unplug_then_new_plug_in", test_unplug);
	CU_add_test(s, "reset_then_power_up", test_reset);
	CU_add_test(s, "replug_off_bus_for_duration", test_replug);
}
