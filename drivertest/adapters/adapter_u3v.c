/* SPDX-License-Identifier: MIT */
/* dfk-adapter-u3v: the reference adapter of dfk-drivertest (docs/drivertest.md). It is the
 * "driver" that reads the stream exactly as USB3 Vision 1.0 chapter 5 says, so that a
 * scenario can be checked against what a correct host reports before a real driver is
 * judged by it.
 *
 * Transport, USB probe, GenCP and the camera's GenICam XML come from libconform.a's device
 * session (session.h): usbip://HOST:PORT/BUSID through the project's own USB/IP client,
 * usb://VID:PID[/SERIAL] through libusb-1.0. Features are evaluated by libaravis's ArvGc
 * over that GenCP client (arvdev.h); GenCP itself (gencp.c) waits again on PENDING_ACK,
 * skips stale acks and gives up on an ack after MaxDeviceResponseTime.
 *
 * The stream (U3V 1.0 5.5 and 5.6). SIRM is written as a host must before it enables the
 * stream (the transfer layout Aravis uses: 1 MiB payload transfers, one final transfer).
 * Then ONE bulk IN transfer at a time, sized for the unit the layout says comes next
 * (leader, payload transfer, final transfer, trailer). What arrived is judged by its
 * content as well as its place: a short payload transfer ends the payload, a trailer may
 * come in place of a payload transfer (the device had less data), a leader where a
 * trailer was due starts the next block. With several transfers queued a host cannot
 * follow such a block without losing the next one (its leader lands in a transfer sized
 * for payload, its payload in one sized for a trailer): a depth of one keeps the reader in
 * step whatever the device sends, at the cost of throughput this reference does not need.
 *
 * Frame statuses:
 *   ok          leader and trailer well formed (magic, size field = bytes received), the
 *               same block id in both, trailer status 0, the whole SIRM Required Payload
 *               Size received and the trailer's valid_payload_size equal to it
 *   incomplete  trailer status not 0 (detail: its name, e.g. DATA_DISCARDED), payload
 *               short (PAYLOAD_SHORT), valid_payload_size not what came (VALID_SIZE_MISMATCH),
 *               or the block cut off by a stall of the stream endpoint (ENDPOINT_HALT)
 *   bad         malformed leader (BAD_LEADER) or trailer (BAD_TRAILER), a trailer without
 *               a leader (NO_LEADER), a leader without a trailer (NO_TRAILER), leader and
 *               trailer of different blocks (BLOCK_ID_MISMATCH)
 * When a block id skips ahead of the last one reported, the ids between never arrived:
 * `gap from=FIRST_MISSING to=THIS` comes before THIS frame's line (adapter_io.c).
 *
 * A STALL of the stream endpoint is cleared with CLEAR_FEATURE(ENDPOINT_HALT) and reading
 * goes on with a leader (U3V 1.0 5.6: the device starts over with a new block). Any other
 * transfer error (babble, a transaction error) is logged and the same transfer is asked for
 * again: a frame whose every byte still arrived is ok. Device loss: the transport says
 * ENODEV (USB/IP connection closed, libusb NO_DEVICE). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/common/adapter_genicam.h"
#include "adapters/common/adapter_io.h"
#include "session.h"
#include "wire.h"

/* How long one wait for a stream transfer lasts before stdin is looked at again. */
#define POLL_SLICE_MS 20
/* stream trailer status values of U3V 1.0 (docs/faults.md: drop-payload, empty-frame) */
#define U3V_DATA_DISCARDED 0xA100
#define U3V_DATA_OVERRUN 0xA101
#define PAYLOAD_TYPE_IMAGE 0x0001
#define PAYLOAD_TYPE_IMAGE_EXTENDED_CHUNK 0x4001
#define UNIT_MAX 1024   /* the largest leader or trailer transfer accepted from SIRM */

static struct adapter_args args;

enum stage { ST_LEADER, ST_PAYLOAD, ST_TRAILER };

struct reader {
	/* the SIRM layout, as written */
	uint64_t payload_size;           /* Required Payload Size */
	uint32_t leader_len, trailer_len, xfer, count, final1, final2;
	uint8_t *payload;                /* count * xfer + final1 + final2 bytes */
	size_t capacity;
	uint8_t unit[UNIT_MAX];          /* a leader or trailer transfer */
	/* the one transfer in flight */
	bool pending;
	enum stage stage;
	unsigned piece;                  /* payload transfer index within the block */
	uint8_t *buf;
	uint32_t len;
	/* the block being read */
	bool in_block;
	bool leader_ok;
	struct u3v_leader_info leader;
	size_t received;
	const char *bad;                 /* why the block is bad, or NULL */
	unsigned xfer_errors;
	/* block id continuity within one acquisition */
	uint64_t frames;                 /* frame lines printed */
};

static struct reader rd;
static bool started;     /* `go` came: after a reopen the acquisition is started again */
static bool acquiring;   /* AcquisitionStart done, stream enabled */
static bool lost;        /* the device is gone (and not reopened) */

static uint32_t align_up(uint64_t v, uint32_t a) { return (uint32_t)((v + a - 1) / a * a); }

static const char *errno_text(int rc) { return rc < 0 ? strerror(-rc) : gencp_status_name((uint16_t)rc); }

/* ---- features ---- */

static ArvGc *genicam(void) { return session->arv ? session->genicam : NULL; }

/* GenCP through ArvGc failed because the device left: the transport said so. */
static bool gone_during_gencp(void)
{
	return session->arv && conform_device_last_status(session->arv) == -ENODEV;
}

static bool apply(const char *stage, const struct adapter_setting *s)
{
	GError *err = NULL;

	if (adapter_genicam_write(genicam(), s, &err))
		return true;
	adapter_error(stage, "%s=%s: %s", s->name, s->value, err ? err->message : "failed");
	g_clear_error(&err);
	return false;
}

static void apply_all(void)
{
	for (unsigned i = 0; i < args.n_sets; i++)
		apply("config", &args.sets[i]);
}

static bool execute(const char *stage, const char *name)
{
	GError *err = NULL;

	if (adapter_genicam_execute(genicam(), name, &err))
		return true;
	/* the message names the feature already, ours and Aravis's alike */
	adapter_error(stage, "%s", err ? err->message : name);
	g_clear_error(&err);
	return false;
}

/* ---- the stream ---- */

/* SIRM written and the stream enabled, then AcquisitionStart. Returns false after an
 * `error stage=start`. */
static bool start(void)
{
	struct gencp *gc = &session->gc;
	uint8_t sirm[0x30];
	int rc = gencp_read(gc, session->sirm, sirm, sizeof(sirm));

	if (rc) {
		adapter_error("start", "reading SIRM: %s", errno_text(rc));
		return false;
	}
	uint32_t alignment = 1u << (rd_le32(sirm + SIRM_INFO) >> 24 & 0x1F);
	rd.payload_size = rd_le64(sirm + SIRM_REQ_PAYLOAD);
	rd.leader_len = align_up(rd_le32(sirm + SIRM_REQ_LEADER), alignment);
	rd.trailer_len = align_up(rd_le32(sirm + SIRM_REQ_TRAILER), alignment);
	if (rd.payload_size == 0 || rd.payload_size > (1ull << 32) || rd.leader_len < 52 || rd.leader_len > UNIT_MAX ||
	    rd.trailer_len < 32 || rd.trailer_len > UNIT_MAX) {
		adapter_error("start", "SIRM asks for payload %" PRIu64 ", leader %" PRIu32 ", trailer %" PRIu32 " bytes",
			      rd.payload_size, rd.leader_len, rd.trailer_len);
		return false;
	}
	/* Aravis's layout: payload transfers of at most 1 MiB (aligned), the rest in final 1 */
	uint32_t mib = (1u << 20) / alignment * alignment;
	rd.xfer = rd.payload_size < mib ? (uint32_t)rd.payload_size : mib;
	rd.count = (uint32_t)(rd.payload_size / rd.xfer);
	rd.final1 = align_up(rd.payload_size % rd.xfer, alignment);
	rd.final2 = 0;
	size_t capacity = (size_t)rd.count * rd.xfer + rd.final1 + rd.final2;
	if (capacity > rd.capacity) {
		uint8_t *p = realloc(rd.payload, capacity);
		if (!p) {
			adapter_error("start", "no memory for a %zu-byte payload", capacity);
			return false;
		}
		rd.payload = p;
		rd.capacity = capacity;
	}
	/* the SI registers may only change while the stream is disabled (U3V 1.0 5.5.2) */
	rc = gencp_write_u32(gc, session->sirm + SIRM_CONTROL, 0);
	const struct { uint32_t reg, value; } regs[] = {
		{ SIRM_MAX_LEADER, rd.leader_len }, { SIRM_MAX_TRAILER, rd.trailer_len },
		{ SIRM_XFER_SIZE, rd.xfer },        { SIRM_XFER_COUNT, rd.count },
		{ SIRM_FINAL1, rd.final1 },          { SIRM_FINAL2, rd.final2 },
		{ SIRM_CONTROL, 1 },
	};
	for (size_t i = 0; rc == 0 && i < sizeof(regs) / sizeof(regs[0]); i++)
		rc = gencp_write_u32(gc, session->sirm + regs[i].reg, regs[i].value);
	if (rc) {
		adapter_error("start", "writing SIRM: %s", errno_text(rc));
		return false;
	}
	rd.pending = false;
	rd.stage = ST_LEADER;
	rd.in_block = false;
	if (!execute("start", "AcquisitionStart"))
		return false;
	acquiring = true;
	return true;
}

/* AcquisitionStop, the transfer in flight cancelled, the stream disabled. */
static void stop_stream(void)
{
	if (!acquiring)
		return;
	acquiring = false;
	execute("stop", "AcquisitionStop");
	if (session->x->pending)
		session->x->ops->cancel_all(session->x);
	rd.pending = false;
	int rc = gencp_write_u32(&session->gc, session->sirm + SIRM_CONTROL, 0);
	if (rc)
		adapter_error("stop", "disabling the stream (SIRM control): %s", errno_text(rc));
}

static const char *trailer_status_name(uint16_t status)
{
	static char text[24];

	if (status == U3V_DATA_DISCARDED)
		return "DATA_DISCARDED";
	if (status == U3V_DATA_OVERRUN)
		return "DATA_OVERRUN";
	if (strcmp(gencp_status_name(status), "status") != 0)
		return gencp_status_name(status);
	snprintf(text, sizeof(text), "STATUS_0x%04X", status);
	return text;
}

/* A well-formed leader: magic, size field = the bytes that came (U3V 1.0 5.6.1). */
static bool parse_leader(const uint8_t *p, size_t n, struct u3v_leader_info *l)
{
	return u3v_parse_leader(l, p, n) == 0 && l->size == n;
}

static bool parse_trailer(const uint8_t *p, size_t n, struct u3v_trailer_info *t)
{
	return u3v_parse_trailer(t, p, n) == 0 && t->size == n;
}

static bool magic_is(const uint8_t *p, size_t n, uint32_t magic) { return n >= 4 && rd_le32(p) == magic; }

/* Prints the block's frame line (and a gap line before it). Returns true at --frames. */
static bool report(uint64_t id, enum adapter_frame_status status, const char *detail)
{
	struct adapter_frame f = {
		.id = id, .size = rd.received, .status = status, .detail = detail,
		.data = rd.payload,
	};

	if (rd.leader_ok) {
		f.has_timestamp = true;
		f.timestamp_ns = rd.leader.timestamp;
		if (rd.leader.payload_type == PAYLOAD_TYPE_IMAGE || rd.leader.payload_type == PAYLOAD_TYPE_IMAGE_EXTENDED_CHUNK) {
			f.has_image = true;
			f.width = rd.leader.size_x;
			f.height = rd.leader.size_y;
			f.pixel_format = rd.leader.pixel_format;
			f.offset_x = rd.leader.offset_x;
			f.offset_y = rd.leader.offset_y;
		}
	}
	rd.in_block = false;
	rd.frames++;
	if (rd.xfer_errors)
		fprintf(stderr, "dfk-adapter-u3v: block %" PRIu64 ": %u transfer error(s), each transfer asked for again\n",
			id, rd.xfer_errors);
	return adapter_frame(&args, &f);
}

/* The block ends with trailer `t`. */
static bool finish(const struct u3v_trailer_info *t)
{
	if (rd.bad)
		return report(rd.leader_ok ? rd.leader.block_id : t->block_id, ADAPTER_FRAME_BAD, rd.bad);
	if (rd.leader.block_id != t->block_id)
		return report(rd.leader.block_id, ADAPTER_FRAME_BAD, "BLOCK_ID_MISMATCH");
	if (t->status != 0)
		return report(rd.leader.block_id, ADAPTER_FRAME_INCOMPLETE, trailer_status_name(t->status));
	if (rd.received < rd.payload_size)
		return report(rd.leader.block_id, ADAPTER_FRAME_INCOMPLETE, "PAYLOAD_SHORT");
	if (t->valid_payload != rd.received)
		return report(rd.leader.block_id, ADAPTER_FRAME_INCOMPLETE, "VALID_SIZE_MISMATCH");
	return report(rd.leader.block_id, ADAPTER_FRAME_OK, "SUCCESS");
}

/* A new block from this transfer, taken as its leader (`ok`: it is a well-formed one). */
static void begin(bool ok, const struct u3v_leader_info *l)
{
	rd.in_block = true;
	rd.leader_ok = ok;
	if (ok)
		rd.leader = *l;
	rd.bad = ok ? NULL : "BAD_LEADER";
	rd.received = 0;
	rd.xfer_errors = 0;
	rd.piece = 0;
	rd.stage = rd.payload_size ? ST_PAYLOAD : ST_TRAILER;
}

/* After payload transfer `rd.piece` was full: the next one of the layout, or the trailer. */
static void next_piece(void)
{
	rd.piece++;
	unsigned pieces = rd.count + (rd.final1 ? 1 : 0) + (rd.final2 ? 1 : 0);
	if (rd.piece >= pieces || rd.received >= rd.capacity)
		rd.stage = ST_TRAILER;
}

/* What transfer the layout asks for now. */
static void plan(void)
{
	if (rd.stage == ST_LEADER) {
		rd.buf = rd.unit;
		rd.len = rd.leader_len;
	} else if (rd.stage == ST_TRAILER) {
		rd.buf = rd.unit;
		rd.len = rd.trailer_len;
	} else {
		uint32_t len = rd.piece < rd.count ? rd.xfer : rd.piece == rd.count && rd.final1 ? rd.final1 : rd.final2;
		if (len > rd.capacity - rd.received)
			len = (uint32_t)(rd.capacity - rd.received);
		rd.buf = rd.payload + rd.received;
		rd.len = len;
	}
}

/* One transfer came back with data `n` bytes long. Returns true at --frames. */
static bool on_data(size_t n)
{
	struct u3v_leader_info l;
	struct u3v_trailer_info t;
	const uint8_t *p = rd.buf;

	switch (rd.stage) {
	case ST_LEADER:
		if (magic_is(p, n, U3V_TRAILER_MAGIC) && parse_trailer(p, n, &t)) {
			/* the block's leader never came (lost to an error, or never sent) */
			rd.leader_ok = false;
			rd.received = 0;
			return report(t.block_id, ADAPTER_FRAME_BAD, "NO_LEADER");
		}
		/* the first transfer of a block is its leader, whatever it holds */
		begin(parse_leader(p, n, &l), &l);
		return false;
	case ST_PAYLOAD:
		/* a trailer instead of payload: the device had less (short packet semantics) */
		if (n <= UNIT_MAX && magic_is(p, n, U3V_TRAILER_MAGIC) && parse_trailer(p, n, &t)) {
			rd.stage = ST_LEADER;
			return finish(&t);
		}
		if (n <= UNIT_MAX && magic_is(p, n, U3V_LEADER_MAGIC) && parse_leader(p, n, &l)) {
			bool last = report(rd.leader_ok ? rd.leader.block_id : l.block_id, ADAPTER_FRAME_BAD, "NO_TRAILER");
			begin(true, &l);
			return last;
		}
		rd.received += n;
		if (n < rd.len)
			rd.stage = ST_TRAILER;   /* a short transfer ends the payload (U3V 1.0 5.6.2) */
		else
			next_piece();
		return false;
	case ST_TRAILER:
		rd.stage = ST_LEADER;
		if (magic_is(p, n, U3V_TRAILER_MAGIC) && parse_trailer(p, n, &t))
			return finish(&t);
		if (magic_is(p, n, U3V_LEADER_MAGIC) && parse_leader(p, n, &l)) {
			bool last = report(rd.leader_ok ? rd.leader.block_id : l.block_id, ADAPTER_FRAME_BAD, "NO_TRAILER");
			begin(true, &l);
			return last;
		}
		return report(rd.leader_ok ? rd.leader.block_id : 0, ADAPTER_FRAME_BAD, "BAD_TRAILER");
	}
	return false;
}

static void device_lost(const char *why);

/* The stream endpoint stalled: the block is cut off; clear the halt, start over with a leader.
 * Returns true at --frames. */
static bool on_stall(void)
{
	uint8_t ep = session->dev.u3v.ep_stream;
	bool last = false;

	if (rd.in_block)
		last = report(rd.leader_ok ? rd.leader.block_id : 0, ADAPTER_FRAME_INCOMPLETE, "ENDPOINT_HALT");
	rd.stage = ST_LEADER;
	int rc = xport_clear_halt(session->x, ep, 1000);
	fprintf(stderr, "dfk-adapter-u3v: stream endpoint 0x%02x stalled; CLEAR_FEATURE(ENDPOINT_HALT): %s\n", ep,
		rc < 0 ? strerror(-rc) : "done");
	if (rc == -ENODEV) {
		device_lost("CLEAR_FEATURE(ENDPOINT_HALT): no such device");
	} else if (rc < 0) {
		adapter_error("grab", "CLEAR_FEATURE(ENDPOINT_HALT) on 0x%02x: %s", ep, strerror(-rc));
	}
	return last;
}

/* ---- device loss ---- */

static void device_lost(const char *why)
{
	lost = true;
	acquiring = false;
	rd.pending = false;
	rd.in_block = false;
	adapter_lost(why);
	if (!args.reopen)
		return;
	int rc = conform_reconnect(args.reopen_ms);
	if (rc < 0) {
		adapter_error("open", "reopening %s within %u ms: %s", args.device, args.reopen_ms, strerror(-rc));
		return;
	}
	gencp_read_u64(&session->gc, ABRM_SBRM, &session->sbrm);
	gencp_read_u64(&session->gc, session->sbrm + SBRM_SIRM, &session->sirm);
	lost = false;
	apply_all();
	if (!started || start())
		adapter_reopened();
}

/* ---- control ---- */

/* exec/set while grabbing or waiting. */
static void control(const struct adapter_command *c)
{
	const char *stage = c->kind == ADAPTER_CMD_EXEC ? "exec" : "set";

	if (lost) {
		adapter_error(stage, "%s: the device is gone", c->setting.name);
		return;
	}
	bool ok = c->kind == ADAPTER_CMD_EXEC ? execute(stage, c->setting.name) : apply(stage, &c->setting);
	if (!ok && gone_during_gencp())
		device_lost("GenCP: no such device");
}

/* Grabs until stop, end of input or --frames. */
static void grab(void)
{
	struct xport *x = session->x;
	uint64_t last_buffer = adapter_now_ms();

	for (;;) {
		if (!adapter_serve_commands(0, control))
			return;
		if (lost || !acquiring) {
			if (!adapter_serve_commands(-1, control))
				return;
			last_buffer = adapter_now_ms();
			continue;
		}
		if (!rd.pending) {
			plan();
			int rc = x->ops->submit(x, session->dev.u3v.ep_stream, rd.buf, (int)rd.len, &rd);
			if (rc == -ENODEV) {
				device_lost("stream transfer: no such device");
				continue;
			}
			if (rc < 0) {
				adapter_error("grab", "submitting a stream transfer: %s", strerror(-rc));
				device_lost(NULL);
				continue;
			}
			rd.pending = true;
		}
		struct xport_result res;
		int rc = x->ops->reap(x, &res, POLL_SLICE_MS);
		if (rc == -ETIMEDOUT) {
			if (adapter_now_ms() - last_buffer >= args.timeout_ms) {
				adapter_timeout();
				last_buffer = adapter_now_ms();
			}
			continue;
		}
		if (rc < 0) {
			char why[128];
			snprintf(why, sizeof(why), "stream: %s", strerror(-rc));
			device_lost(why);
			continue;
		}
		rd.pending = false;
		bool last = false;
		uint64_t frames_before = rd.frames;
		if (res.status == 0) {
			last = on_data((size_t)res.actual);
		} else if (res.status == -EPIPE) {
			last = on_stall();
		} else if (res.status == -ENODEV || res.status == -ESHUTDOWN) {
			device_lost("stream transfer: no such device");
		} else {
			/* babble, a transaction error: what the device had stays for the next transfer */
			rd.xfer_errors++;
			fprintf(stderr, "dfk-adapter-u3v: stream transfer (%" PRIu32 " bytes): %s\n", rd.len,
				strerror(-res.status));
		}
		if (rd.frames != frames_before)
			last_buffer = adapter_now_ms();
		if (last)
			return;
	}
}

int main(int argc, char **argv)
{
	struct adapter_command c;

	adapter_parse_args(argc, argv, "dfk-adapter-u3v", NULL, &args);
	adapter_hello("u3v", "1.0", strncmp(args.device, "usbip://", 8) == 0 ? "usbip" : "libusb");
	session->url = args.device;
	int rc = conform_open();
	if (rc < 0 || !session->arv) {
		adapter_error("open", "%s", rc < 0 ? session->open_error : session->xml_error);
		/* nothing to grab from: wait for stop as the contract says, then done */
		while (!adapter_next_command(-1, &c) || c.kind != ADAPTER_CMD_STOP)
			;
		if (rc >= 0)
			conform_close();
		adapter_done();
		return 0;
	}
	apply_all();
	adapter_ready();
	for (;;) {
		if (!adapter_next_command(-1, &c))
			continue;
		if (c.kind == ADAPTER_CMD_STOP)
			break;
		if (c.kind == ADAPTER_CMD_GO) {
			started = true;
			if (!lost && !start() && gone_during_gencp())
				device_lost("GenCP: no such device");
			grab();
			break;
		}
		control(&c);
	}
	if (!lost)
		stop_stream();
	conform_close();
	free(rd.payload);
	adapter_done();
	return 0;
}
