/* SPDX-License-Identifier: MIT */
/* host_monitor: the host-behaviour monitor (emulator/monitor/host_monitor.h) on
 * an arbitrary sequence of URB events, as an offline capture reader would feed
 * it: every length, status and payload is untrusted.
 *
 * Input: byte 0 is the mode:
 *   bit 0 device facts (this camera's SBRM/SIRM/manifest values and read-only ranges), else learn
 *   bit 1 tight limits (8 violations kept, 16 URBs tracked, a storm is 4 unlinks in 1 us)
 *   bit 2 offline (live-only rules skipped in JUnit), bit 3 warnings fail JUnit
 * then operations, each an opcode byte (low 3 bits: the operation; high 5 bits: the
 * time step is u16 << that many bits, at most 40) and its operands, little endian:
 *   0 submit      u16 seq, u8 ep (index into a table, or raw when >= 16), u8 type,
 *                 u32 length, 8 setup bytes, u16 n, n bytes of OUT data
 *   1 complete    u16 seq, u8 status (index into a table, or raw negative), u32 actual,
 *                 u16 n, n bytes of data; actual < n is allowed (clamped by the monitor)
 *   2 unlink      u16 seq
 *   3 disconnect
 *   4 event       u8 kind (3 = invalid), u64 a
 *   5 command     u8 flags (bit0 WRITEMEM, bit1 REQUEST_ACK, bit2 resend), u16 id, u8 address
 *                 (index into a table, or u64 follows when >= 16), u16 count, u8 n, n data bytes:
 *                 a well-formed GenCP command submitted on 0x01 with u16 seq
 *   6 ack         u16 seq, u8 kind (0 READMEM, 1 WRITEMEM, 2 PENDING, 3 error), u16 id, u16 n,
 *                 n bytes: a well-formed ack completing that seq
 *   7 stream      u16 seq, u8 kind (0 leader, 1 trailer, 2 payload), u64 block: completes seq
 * The reports are written at the end and the counters checked against each other. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../emulator/common/bytes.h"
#include "../emulator/monitor/host_monitor.h"
#include "fuzz.h"

#define MAX_OPS 512

static const uint8_t eps[16] = { 0x00, 0x01, 0x81, 0x82, 0x83, 0x80, 0x02, 0x84, 0x8F, 0x0F,
				 0x01, 0x81, 0x83, 0x83, 0x81, 0x01 };
static const int statuses[8] = { 0, -32, -75, -2, -104, -108, -19, 0 };
static const uint64_t addresses[16] = {
	0x0000, 0x01CC, 0x01D0, 0x01D8, 0x2014, 0x2018, 0x2020, 0x3000,
	0x3004, 0x3008, 0x3010, 0x3018, 0x4000, 0x4008, 0x100000, 0x100000 + 4900,
};

static const struct hm_range ro[] = { { 0x0000, 0x0184 }, { 0x3008, 0x10 }, { 0x4000, 0x48 } };
static const struct hm_device_facts facts = {
	.max_cmd_transfer = 1024, .max_ack_transfer = 1024, .max_response_ms = 500, .sirm_address = 0x3000,
	.si_alignment = 8, .required_leader = 52, .required_trailer = 32, .required_payload = 13288,
	.manifest_address = 0x4000, .manifest_entries = 1, .xml_address = 0x100000, .xml_size = 5000,
	.readonly = ro, .n_readonly = sizeof(ro) / sizeof(ro[0]),
};

static void observe(void *ctx, const struct hm_violation *v)
{
	unsigned *n = ctx;

	if ((unsigned)v->rule >= HM_RULE_COUNT || !memchr(v->detail, '\0', sizeof(v->detail)))
		abort();
	(*n)++;
}

/* Up to n bytes of the input, never past its end. */
static const uint8_t *take(struct fuzz_in *in, size_t *n)
{
	const uint8_t *p = in->p;

	if (*n > in->n)
		*n = in->n;
	in->p += *n;
	in->n -= *n;
	return p;
}

static void write_reports(const struct host_monitor *m)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return;
	if (host_monitor_write_json(m, f) || host_monitor_write_junit(m, f))
		abort();
	fclose(f);
	if (!buf || !strstr(buf, "\"violations\": [") || !strstr(buf, "</testsuites>"))
		abort();
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct hm_config cfg = { 0 };
	struct host_monitor *m;
	uint64_t t = 0;
	unsigned heard = 0;

	if (size == 0)
		return 0;
	uint8_t mode = fuzz_u8(&in);
	cfg.facts = mode & 1 ? &facts : NULL;
	if (mode & 2)
		cfg.limits = (struct hm_limits){ .max_violations = 8, .max_pending = 16, .unlink_storm_count = 4,
						 .unlink_storm_window_ns = 1000, .stall_grace_ns = 1, .session_gap_ns = 1 };
	cfg.offline = mode & 4;
	cfg.junit_warnings_fail = mode & 8;
	cfg.observer = observe;
	cfg.observer_ctx = &heard;
	m = host_monitor_new(&cfg);
	if (!m)
		abort();

	for (int ops = 0; in.n && ops < MAX_OPS; ops++) {
		uint8_t op = fuzz_u8(&in);
		unsigned shift = op >> 3;
		t += (uint64_t)fuzz_u16(&in) << (shift > 40 ? 40 : shift);
		switch (op & 7) {
		case 0: {
			struct hm_urb u = { .seq = fuzz_u16(&in) };
			uint8_t e = fuzz_u8(&in);
			u.ep = e < 16 ? eps[e] : e;
			u.type = fuzz_u8(&in) & 3;
			u.length = fuzz_u32(&in);
			for (int i = 0; i < 8; i++)
				u.setup[i] = fuzz_u8(&in);
			size_t n = fuzz_u16(&in);
			u.data = take(&in, &n);
			u.data_len = n;
			host_monitor_submit(m, t, &u);
			break;
		}
		case 1: {
			uint32_t seq = fuzz_u16(&in);
			uint8_t s = fuzz_u8(&in);
			int status = s < 8 ? statuses[s] : -(int)s;
			uint32_t actual = fuzz_u32(&in);
			size_t n = fuzz_u16(&in);
			const uint8_t *p = take(&in, &n);
			if (actual & 1)
				host_monitor_complete(m, t, seq, status, n ? p : NULL, n);
			else
				host_monitor_complete_partial(m, t, seq, status, actual, n ? p : NULL, n);
			break;
		}
		case 2:
			host_monitor_unlink(m, t, fuzz_u16(&in));
			break;
		case 3:
			host_monitor_disconnect(m, t);
			break;
		case 4: {
			uint8_t kind = fuzz_u8(&in) & 3;
			int rc = host_monitor_device_event(m, t, (enum hm_device_event)kind, fuzz_u64(&in));
			if ((kind == 3) != (rc != 0))
				abort();
			break;
		}
		case 5: {
			static uint8_t cmd[20 + 255];
			uint8_t flags = fuzz_u8(&in);
			uint16_t id = fuzz_u16(&in);
			uint8_t a = fuzz_u8(&in);
			uint64_t addr = a < 16 ? addresses[a] : fuzz_u64(&in);
			uint16_t count = fuzz_u16(&in);
			size_t n = fuzz_u8(&in);
			const uint8_t *p = take(&in, &n);
			bool write = flags & 1;
			size_t len = write ? 20 + n : 24;
			put_le32(cmd, 0x43563355u);
			put_le16(cmd + 4, (uint16_t)((flags & 2 ? 0x4000 : 0) | (flags & 4 ? 0x8000 : 0)));
			put_le16(cmd + 6, write ? 0x0802 : 0x0800);
			put_le16(cmd + 8, (uint16_t)(len - 12));
			put_le16(cmd + 10, id);
			put_le64(cmd + 12, addr);
			if (write) {
				memcpy(cmd + 20, p, n);
			} else {
				put_le16(cmd + 20, 0);
				put_le16(cmd + 22, count);
			}
			struct hm_urb u = { .seq = fuzz_u16(&in), .ep = 0x01, .type = HM_XFER_BULK, .length = (uint32_t)len,
					    .data = cmd, .data_len = len };
			host_monitor_submit(m, t, &u);
			break;
		}
		case 6: {
			static uint8_t ack[12 + 65535];
			static const uint16_t cmds[4] = { 0x0801, 0x0803, 0x0805, 0x0801 };
			uint32_t seq = fuzz_u16(&in);
			uint8_t kind = fuzz_u8(&in) & 3;
			uint16_t id = fuzz_u16(&in);
			size_t n = fuzz_u16(&in);
			const uint8_t *p = take(&in, &n);
			put_le32(ack, 0x43563355u);
			put_le16(ack + 4, kind == 3 ? 0x8004 : 0);
			put_le16(ack + 6, cmds[kind]);
			put_le16(ack + 8, (uint16_t)n);
			put_le16(ack + 10, id);
			memcpy(ack + 12, p, n);
			host_monitor_complete(m, t, seq, 0, ack, 12 + n);
			break;
		}
		case 7: {
			uint8_t blk[1024];
			uint32_t seq = fuzz_u16(&in);
			uint8_t kind = fuzz_u8(&in) % 3;
			uint64_t block = fuzz_u64(&in);
			size_t n = kind == 0 ? 52 : kind == 1 ? 32 : sizeof(blk);
			memset(blk, 0, sizeof(blk));
			if (kind < 2) {
				put_le32(blk, kind == 0 ? 0x4C563355u : 0x54563355u);
				put_le16(blk + 6, (uint16_t)n);
				put_le64(blk + 8, block);
			}
			host_monitor_complete(m, t, seq, 0, blk, n);
			break;
		}
		}
	}

	/* the counters agree with each other and with what the observer heard */
	const struct hm_stats *st = host_monitor_stats(m);
	const struct hm_violation *v;
	size_t recorded = host_monitor_violations(m, &v);
	uint64_t sum = 0;
	for (unsigned r = 0; r < HM_RULE_COUNT; r++)
		sum += st->per_rule[r];
	if (sum != st->violations || recorded + st->not_recorded != st->violations || heard != st->violations ||
	    host_monitor_errors(m) > st->violations || recorded > (mode & 2 ? 8u : 10000u))
		abort();
	for (size_t i = 0; i < recorded; i++)
		if ((unsigned)v[i].rule >= HM_RULE_COUNT)
			abort();
	write_reports(m);
	host_monitor_free(m);
	return 0;
}
