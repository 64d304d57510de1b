/* SPDX-License-Identifier: MIT */
/* monitor/host_monitor: the host-behaviour monitor. Every rule is committed
 * once and must be reported exactly once, with the time and seq of the transfer
 * at fault; correct sessions (Aravis-like and like the project's own clients,
 * with device facts and learning everything from the traffic) must report
 * nothing. Commands, acks, leaders and descriptors are built by hand here from
 * the GenCP / USB3 Vision / USB 3.2 layouts, not with the emulator's builders. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/errors.h"
#include "../monitor/host_monitor.h"
#include "tests.h"

#define EP_CMD    0x01
#define EP_ACK    0x81
#define EP_EVENT  0x82
#define EP_STREAM 0x83
#define MS        1000000ull
#define BULK      HM_XFER_BULK

/* The device of these tests: GenCP/U3V register layout, our own addresses and values. */
#define ABRM_MANUFACTURER   0x0004u
#define ABRM_CAPABILITY     0x01C4u
#define ABRM_RESPONSE_TIME  0x01CCu
#define ABRM_MANIFEST_ADDR  0x01D0u
#define ABRM_SBRM_ADDR      0x01D8u
#define ABRM_USER_NAME      0x0184u
#define SBRM                0x2000u
#define SBRM_CAPABILITY     0x04u
#define SBRM_MAX_CMD        0x14u
#define SBRM_MAX_ACK        0x18u
#define SBRM_SIRM_ADDR      0x20u
#define SIRM                0x3000u
#define SI_INFO             0x00u
#define SI_CONTROL          0x04u
#define SI_REQ_PAYLOAD      0x08u
#define SI_REQ_LEADER       0x10u
#define SI_REQ_TRAILER      0x14u
#define SI_MAX_LEADER       0x18u
#define SI_XFER_SIZE        0x1Cu
#define SI_XFER_COUNT       0x20u
#define SI_FINAL1           0x24u
#define SI_FINAL2           0x28u
#define SI_MAX_TRAILER      0x2Cu
#define MANIFEST            0x4000u
#define XML                 0x100000u
#define XML_SIZE            5000u
#define MAX_CMD             1024u
#define MAX_ACK             1024u
#define RESPONSE_MS         500u
#define REQ_LEADER          52u
#define REQ_TRAILER         32u
#define PAYLOAD             13288u   /* 3 x 4096 + 1000, a multiple of the 8-byte alignment */

/* GenCP */
#define PREFIX        0x43563355u
#define F_ACK         0x4000u
#define F_RESEND      0x8000u
#define READMEM       0x0800u
#define READMEM_ACK   0x0801u
#define WRITEMEM      0x0802u
#define WRITEMEM_ACK  0x0803u
#define PENDING       0x0805u
#define ST_WRITE_PROTECT 0x8004u

static struct {
	struct host_monitor *m;
	uint64_t t;
	uint32_t seq;
	uint16_t id;            /* the host's last request id */
	struct hm_violation seen[64];
	unsigned n_seen;
} R;

static void observer(void *ctx, const struct hm_violation *v)
{
	(void)ctx;
	if (R.n_seen < sizeof(R.seen) / sizeof(R.seen[0]))
		R.seen[R.n_seen] = *v;
	R.n_seen++;
}

static void setup(void)
{
	memset(&R, 0, sizeof(R));
	R.t = 1000 * MS;
	R.seq = 100;
	R.id = 0;
}

static void teardown(void)
{
	host_monitor_free(R.m);
	R.m = NULL;
}

static const struct hm_range ro_ranges[] = {
	{ 0x0000, ABRM_USER_NAME },                      /* ABRM up to the user-defined name */
	{ SIRM + SI_INFO, 4 },
	{ SIRM + SI_REQ_PAYLOAD, 16 },                   /* required payload, leader, trailer */
	{ MANIFEST, 8 + 64 },
};

static const struct hm_device_facts dev_facts = {
	.max_cmd_transfer = MAX_CMD, .max_ack_transfer = MAX_ACK, .max_response_ms = RESPONSE_MS,
	.sirm_address = SIRM, .si_alignment = 8, .required_leader = REQ_LEADER, .required_trailer = REQ_TRAILER,
	.required_payload = PAYLOAD, .manifest_address = MANIFEST, .manifest_entries = 1,
	.xml_address = XML, .xml_size = XML_SIZE, .readonly = ro_ranges,
	.n_readonly = sizeof(ro_ranges) / sizeof(ro_ranges[0]),
};

static void open_mon(const struct hm_device_facts *facts, const struct hm_limits *lim)
{
	struct hm_config cfg = { .facts = facts, .observer = observer };

	if (lim)
		cfg.limits = *lim;
	R.n_seen = 0;
	R.m = host_monitor_new(&cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(R.m);
}

static void dump(void)
{
	const struct hm_violation *v;
	size_t n = host_monitor_violations(R.m, &v);
	const struct hm_rule *r = hm_rules(NULL);

	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "\n    %s t=%llu seq=%u ep=0x%02x: %s", r[v[i].rule].id, (unsigned long long)v[i].t_ns,
			v[i].seq, v[i].ep, v[i].detail);
}

static void expect_none(void)
{
	const struct hm_violation *v;
	size_t n = host_monitor_violations(R.m, &v);

	ASSERT_INT(n, 0);
	ASSERT_INT(R.n_seen, 0);
	if (n)
		dump();
}

/* Exactly one violation so far: `rule`, at `t`, committed by transfer `seq` (0: no transfer). */
static void expect_one(enum hm_rule_id rule, uint64_t t, uint32_t seq)
{
	const struct hm_violation *v;
	size_t n = host_monitor_violations(R.m, &v);

	ASSERT_INT(n, 1);
	ASSERT_INT(R.n_seen, 1);
	if (n != 1) {
		dump();
		return;
	}
	ASSERT_INT(v[0].rule, rule);
	ASSERT_INT(v[0].t_ns, t);
	ASSERT_INT(v[0].has_urb, seq != 0);
	if (seq)
		ASSERT_INT(v[0].seq, seq);
	ASSERT_INT(host_monitor_rule_count(R.m, rule), 1);
	CU_ASSERT(v[0].detail[0] != '\0');
}

/* ---- the host's side: transfers ---- */

static void tick(uint64_t ns) { R.t += ns; }

static uint32_t submit_ep(uint8_t ep, uint8_t type, uint32_t length, const uint8_t *data, size_t dlen)
{
	struct hm_urb u = { .seq = ++R.seq, .ep = ep, .type = type, .length = length, .data = data, .data_len = dlen };

	ASSERT_INT(host_monitor_submit(R.m, R.t, &u), DFK_OK);
	return u.seq;
}

static uint32_t submit_control(const uint8_t setup[8], uint32_t length)
{
	struct hm_urb u = { .seq = ++R.seq, .ep = (uint8_t)(setup[0] & 0x80), .type = HM_XFER_CONTROL, .length = length };

	memcpy(u.setup, setup, 8);
	ASSERT_INT(host_monitor_submit(R.m, R.t, &u), DFK_OK);
	return u.seq;
}

static void complete(uint32_t seq, int status, const uint8_t *data, size_t len)
{
	ASSERT_INT(host_monitor_complete(R.m, R.t, seq, status, data, len), DFK_OK);
}

/* ---- GenCP packets ---- */

static size_t cmd_header(uint8_t *o, uint16_t flags, uint16_t command, uint16_t scd, uint16_t id)
{
	t_le32(o, PREFIX);
	t_le16(o + 4, flags);
	t_le16(o + 6, command);
	t_le16(o + 8, scd);
	t_le16(o + 10, id);
	return 12;
}

static size_t readmem_cmd(uint8_t *o, uint16_t flags, uint16_t id, uint64_t addr, uint16_t count)
{
	cmd_header(o, flags, READMEM, 12, id);
	t_le64(o + 12, addr);
	t_le16(o + 20, 0);
	t_le16(o + 22, count);
	return 24;
}

static size_t writemem_cmd(uint8_t *o, uint16_t id, uint64_t addr, const uint8_t *d, uint16_t n)
{
	cmd_header(o, F_ACK, WRITEMEM, (uint16_t)(8 + n), id);
	t_le64(o + 12, addr);
	memcpy(o + 20, d, n);
	return 20u + n;
}

static size_t ack_packet(uint8_t *o, uint16_t status, uint16_t command, uint16_t id, const uint8_t *scd, uint16_t n)
{
	cmd_header(o, status, command, n, id);
	if (n)
		memcpy(o + 12, scd, n);
	return 12u + n;
}

/* The device's memory as far as these tests read it. */
static void dev_mem(uint64_t addr, uint8_t *out, uint32_t n)
{
	static const struct {
		uint64_t a;
		unsigned w;
		uint64_t v;
	} f[] = {
		{ ABRM_RESPONSE_TIME, 4, RESPONSE_MS }, { ABRM_MANIFEST_ADDR, 8, MANIFEST }, { ABRM_SBRM_ADDR, 8, SBRM },
		{ ABRM_CAPABILITY, 8, 0x4009 },
		{ SBRM + SBRM_CAPABILITY, 4, 3 }, { SBRM + SBRM_MAX_CMD, 4, MAX_CMD }, { SBRM + SBRM_MAX_ACK, 4, MAX_ACK },
		{ SBRM + SBRM_SIRM_ADDR, 8, SIRM },
		{ SIRM + SI_INFO, 4, 3u << 24 }, { SIRM + SI_REQ_PAYLOAD, 8, PAYLOAD }, { SIRM + SI_REQ_LEADER, 4, REQ_LEADER },
		{ SIRM + SI_REQ_TRAILER, 4, REQ_TRAILER },
		{ MANIFEST, 8, 1 }, { MANIFEST + 8 + 8, 8, XML }, { MANIFEST + 8 + 16, 8, XML_SIZE },
	};

	memset(out, 0, n);
	for (uint32_t i = 0; i < n; i++)
		if (addr + i >= XML && addr + i < XML + XML_SIZE)
			out[i] = 'x';
	for (size_t k = 0; k < sizeof(f) / sizeof(f[0]); k++)
		for (unsigned b = 0; b < f[k].w; b++)
			if (f[k].a + b >= addr && f[k].a + b < addr + n)
				out[f[k].a + b - addr] = (uint8_t)(f[k].v >> (8 * b));
}

static uint16_t take_id(void)
{
	R.id = R.id == 0xFFFF ? 1 : (uint16_t)(R.id + 1);
	return R.id;
}

/* OUT transfer of a command; returns its seq. */
static uint32_t send_command(const uint8_t *c, size_t n)
{
	uint32_t s = submit_ep(EP_CMD, BULK, (uint32_t)n, c, n);

	tick(20000);
	complete(s, 0, NULL, n);
	tick(20000);
	return s;
}

/* The host reads one ack into a transfer of `room` bytes; returns the IN seq. */
static uint32_t receive_ack(uint32_t room, const uint8_t *a, size_t n)
{
	uint32_t s = submit_ep(EP_ACK, BULK, room, NULL, 0);

	tick(50000);
	complete(s, 0, a, n);
	tick(20000);
	return s;
}

/* A correct READMEM exchange (ack buffer sized like Aravis: exactly the ack). */
static void host_read(uint64_t addr, uint16_t count)
{
	uint8_t cmd[24], *ack = malloc(12u + count), *data = malloc(count ? count : 1);
	uint16_t id = take_id();

	readmem_cmd(cmd, F_ACK, id, addr, count);
	send_command(cmd, sizeof(cmd));
	dev_mem(addr, data, count);
	size_t n = ack_packet(ack, 0, READMEM_ACK, id, data, count);
	receive_ack(12u + count, ack, n);
	free(ack);
	free(data);
}

/* A WRITEMEM exchange the device answers with `status`; returns the command's seq. */
static uint32_t host_write(uint64_t addr, const uint8_t *d, uint16_t n, uint16_t status)
{
	uint8_t *cmd = malloc(20u + n), ack[16], scd[4];
	uint16_t id = take_id();
	uint32_t s;

	writemem_cmd(cmd, id, addr, d, n);
	s = send_command(cmd, 20u + n);
	t_le16(scd, 0);
	t_le16(scd + 2, n);
	size_t len = status ? ack_packet(ack, status, WRITEMEM_ACK, id, NULL, 0) : ack_packet(ack, 0, WRITEMEM_ACK, id, scd, 4);
	receive_ack(16, ack, len);
	free(cmd);
	return s;
}

static uint32_t host_write32(uint64_t addr, uint32_t v)
{
	uint8_t b[4];

	t_le32(b, v);
	return host_write(addr, b, 4, 0);
}

/* ---- USB descriptors and requests ---- */

static void setup_packet(uint8_t *s, uint8_t bm, uint8_t req, uint16_t value, uint16_t index, uint16_t length)
{
	s[0] = bm;
	s[1] = req;
	t_le16(s + 2, value);
	t_le16(s + 4, index);
	t_le16(s + 6, length);
}

static void clear_halt(uint8_t ep)
{
	uint8_t s[8];

	setup_packet(s, 0x02, 0x01, 0, ep, 0);   /* ClearFeature(ENDPOINT_HALT) */
	uint32_t q = submit_control(s, 0);
	tick(10000);
	complete(q, 0, NULL, 0);
}

/* Configuration descriptor of a U3V device: control (OUT, IN), event (IN), streaming (IN) interfaces. */
static size_t config_descriptor(uint8_t *o, uint8_t cmd, uint8_t ack, uint8_t event, uint8_t stream, uint16_t mps)
{
	size_t k = 0;
	const uint8_t proto[3] = { 0, 1, 2 };
	const uint8_t eps[3][2] = { { cmd, ack }, { event, 0 }, { stream, 0 } };

	o[k++] = 9, o[k++] = 2, k += 2, o[k++] = 3, o[k++] = 1, o[k++] = 0, o[k++] = 0x80, o[k++] = 0x10;
	for (int i = 0; i < 3; i++) {
		o[k++] = 9, o[k++] = 4, o[k++] = (uint8_t)i, o[k++] = 0, o[k++] = eps[i][1] ? 2 : 1;
		o[k++] = 0xEF, o[k++] = 0x05, o[k++] = proto[i], o[k++] = 0;
		for (int e = 0; e < 2 && eps[i][e]; e++) {
			o[k++] = 7, o[k++] = 5, o[k++] = eps[i][e], o[k++] = 2;
			t_le16(o + k, mps);
			k += 2;
			o[k++] = 0;
			o[k++] = 6, o[k++] = 0x30, o[k++] = 15, o[k++] = 0, o[k++] = 0, o[k++] = 0;   /* SS companion */
		}
	}
	t_le16(o + 2, (uint16_t)k);
	return k;
}

static void get_config_descriptor(void)
{
	uint8_t s[8], d[128];
	size_t n = config_descriptor(d, EP_CMD, EP_ACK, EP_EVENT, EP_STREAM, 1024);

	setup_packet(s, 0x80, 0x06, 0x0200, 0, sizeof(d));
	uint32_t q = submit_control(s, sizeof(d));
	tick(10000);
	complete(q, 0, d, n);
	tick(10000);
}

/* ---- the stream ---- */

static void leader_block(uint8_t *o, uint64_t block)
{
	memset(o, 0, 52);
	t_le32(o, 0x4C563355u);   /* "U3VL" */
	t_le16(o + 6, 52);
	t_le64(o + 8, block);
	t_le16(o + 18, 1);        /* image */
	t_le32(o + 28, 0x01080009);
	t_le32(o + 32, 64);
	t_le32(o + 36, 64);
}

static void trailer_block(uint8_t *o, uint64_t block)
{
	memset(o, 0, 32);
	t_le32(o, 0x54563355u);   /* "U3VT" */
	t_le16(o + 6, 32);
	t_le64(o + 8, block);
	t_le64(o + 20, PAYLOAD);
	t_le32(o + 28, 64);
}

/* SIRM set up as a careful host does it, then SI Control enabled. */
static void configure_stream(uint32_t leader, uint32_t trailer, uint32_t size, uint32_t count, uint32_t f1, uint32_t f2)
{
	host_read(SIRM + SI_REQ_PAYLOAD, 8);
	host_write32(SIRM + SI_CONTROL, 0);
	host_write32(SIRM + SI_MAX_LEADER, leader);
	host_write32(SIRM + SI_MAX_TRAILER, trailer);
	host_write32(SIRM + SI_XFER_SIZE, size);
	host_write32(SIRM + SI_XFER_COUNT, count);
	host_write32(SIRM + SI_FINAL1, f1);
	host_write32(SIRM + SI_FINAL2, f2);
	host_write32(SIRM + SI_CONTROL, 1);
}

/* One frame: the host queues leader, payload pieces and trailer, the device fills them in order. */
static void stream_frame(uint64_t block, uint32_t leader_room, const uint32_t *pieces, unsigned n_pieces,
			 uint32_t trailer_room)
{
	static uint8_t payload[65536];
	uint8_t lead[52], trail[32];
	uint32_t q[16];
	unsigned k = 0;

	q[k++] = submit_ep(EP_STREAM, BULK, leader_room, NULL, 0);
	for (unsigned i = 0; i < n_pieces; i++)
		q[k++] = submit_ep(EP_STREAM, BULK, pieces[i], NULL, 0);
	q[k++] = submit_ep(EP_STREAM, BULK, trailer_room, NULL, 0);
	tick(MS);
	leader_block(lead, block);
	complete(q[0], 0, lead, sizeof(lead));
	for (unsigned i = 0; i < n_pieces; i++) {
		tick(100000);
		complete(q[1 + i], 0, payload, pieces[i]);
	}
	trailer_block(trail, block);
	complete(q[k - 1], 0, trail, sizeof(trail));
	tick(MS);
}

/* What Aravis does at open: bootstrap registers, manifest, the GenICam file in max-ack chunks. */
static void bootstrap(void)
{
	static const uint32_t sirm_regs[] = { SI_INFO, SI_CONTROL, SI_REQ_LEADER, SI_REQ_TRAILER, SI_MAX_LEADER,
					      SI_XFER_SIZE, SI_XFER_COUNT, SI_FINAL1, SI_FINAL2, SI_MAX_TRAILER };

	host_read(ABRM_MANUFACTURER, 64);
	host_read(ABRM_SBRM_ADDR, 8);
	host_read(ABRM_RESPONSE_TIME, 4);
	host_read(ABRM_CAPABILITY, 8);
	host_read(ABRM_MANIFEST_ADDR, 8);
	host_read(SBRM + SBRM_CAPABILITY, 4);
	host_read(SBRM + SBRM_MAX_CMD, 4);
	host_read(SBRM + SBRM_MAX_ACK, 4);
	host_read(SBRM + SBRM_SIRM_ADDR, 8);
	host_read(SIRM + SI_REQ_PAYLOAD, 8);
	for (size_t i = 0; i < sizeof(sirm_regs) / sizeof(sirm_regs[0]); i++)
		host_read(SIRM + sirm_regs[i], 4);
	host_read(MANIFEST, 8);
	host_read(MANIFEST + 8, 64);
	for (uint32_t off = 0; off < XML_SIZE; off += MAX_ACK - 12)
		host_read(XML + off, (uint16_t)(XML_SIZE - off < MAX_ACK - 12 ? XML_SIZE - off : MAX_ACK - 12));
}

/* A whole correct session: ids wrap past 0xFFFF, a slow write answered
 * PENDING_ACK, a timed-out read retried, stream with a stall and its recovery,
 * stop with cancelled transfers, a second host session, disconnect. */
static void correct_session(bool project_layout)
{
	R.id = 0xFFF0;   /* Aravis starts near the end of the id range too */
	get_config_descriptor();
	bootstrap();

	/* user name: a flash write, acknowledged first with PENDING_ACK (200 ms) */
	uint8_t name[16] = "camera-1", cmd[64], ack[16], scd[4];
	uint16_t id = take_id();
	size_t n = writemem_cmd(cmd, id, ABRM_USER_NAME, name, sizeof(name));
	send_command(cmd, n);
	t_le16(scd, 0);
	t_le16(scd + 2, 200);
	receive_ack(16, ack, ack_packet(ack, 0, PENDING, id, scd, 4));
	tick(150 * MS);
	t_le16(scd + 2, sizeof(name));
	receive_ack(16, ack, ack_packet(ack, 0, WRITEMEM_ACK, id, scd, 4));

	/* a read whose ack does not come in time: the host cancels its IN, retries with the same id */
	id = take_id();
	readmem_cmd(cmd, F_ACK, id, ABRM_RESPONSE_TIME, 4);
	send_command(cmd, 24);
	uint32_t in = submit_ep(EP_ACK, BULK, 16, NULL, 0);
	tick(600 * MS);
	ASSERT_INT(host_monitor_unlink(R.m, R.t, in), DFK_OK);
	tick(MS);
	send_command(cmd, 24);
	uint8_t v[4];
	dev_mem(ABRM_RESPONSE_TIME, v, 4);
	receive_ack(16, ack, ack_packet(ack, 0, READMEM_ACK, id, v, 4));
	/* ... and once more with a new id after a cancellation reported usbmon-style */
	id = take_id();
	readmem_cmd(cmd, F_ACK, id, ABRM_RESPONSE_TIME, 4);
	send_command(cmd, 24);
	in = submit_ep(EP_ACK, BULK, 16, NULL, 0);
	tick(600 * MS);
	complete(in, -104, NULL, 0);
	host_read(ABRM_RESPONSE_TIME, 4);

	/* stream: Aravis 0.8 / dfk-conform layout, leader and trailer rounded up to the alignment */
	static const uint32_t pieces_multi[] = { 4096, 4096, 4096, 1000 };
	static const uint32_t pieces_one[] = { PAYLOAD };
	const uint32_t *pieces = project_layout ? pieces_one : pieces_multi;
	unsigned n_pieces = project_layout ? 1 : 4;
	if (project_layout)
		configure_stream(56, 32, PAYLOAD, 1, 0, 0);
	else
		configure_stream(56, 32, 4096, 3, 1000, 0);
	for (uint64_t b = 1; b <= 3; b++)
		stream_frame(b, 56, pieces, n_pieces, 32);

	/* the device stalls the stream; a transfer already on its way crosses the STALL; then ClearFeature */
	uint32_t s1 = submit_ep(EP_STREAM, BULK, 56, NULL, 0);
	tick(MS);
	complete(s1, -32, NULL, 0);
	tick(10000);
	uint32_t s2 = submit_ep(EP_STREAM, BULK, 56, NULL, 0);
	tick(10000);
	complete(s2, -32, NULL, 0);
	tick(5 * MS);
	clear_halt(EP_STREAM);
	tick(MS);
	stream_frame(4, 56, pieces, n_pieces, 32);

	/* stop: transfers in flight are cancelled, then SI Control cleared */
	uint32_t q[4];
	for (int i = 0; i < 4; i++)
		q[i] = submit_ep(EP_STREAM, BULK, i ? 4096 : 56, NULL, 0);
	tick(10 * MS);
	for (int i = 0; i < 4; i++)
		ASSERT_INT(host_monitor_unlink(R.m, R.t, q[i]), DFK_OK);
	host_write32(SIRM + SI_CONTROL, 0);

	/* a second program opens the device: string descriptor read, its own id counter */
	uint8_t s[8];
	setup_packet(s, 0x80, 0x06, 0x0302, 0x0409, 255);
	uint32_t q0 = submit_control(s, 255);
	tick(10000);
	complete(q0, 0, (const uint8_t *)"\x04\x03x\x00", 4);
	R.id = 0;
	host_read(ABRM_MANUFACTURER, 64);
	host_read(ABRM_SBRM_ADDR, 8);
	/* ... and after a pause, a third with its own counter again, without EP0 traffic */
	tick(2000 * MS);
	R.id = 40;
	host_read(ABRM_MANUFACTURER, 64);

	ASSERT_INT(host_monitor_disconnect(R.m, R.t), DFK_OK);
}

/* ---- correct hosts: nothing reported ---- */

static void test_correct_session_learned(void)
{
	struct hm_device_facts k;
	uint8_t cmd, ack, event, stream;
	uint16_t mps;

	open_mon(NULL, NULL);
	correct_session(false);
	expect_none();
	ASSERT_INT(host_monitor_errors(R.m), 0);
	/* everything came from the traffic */
	host_monitor_known(R.m, &k);
	ASSERT_INT(k.max_cmd_transfer, MAX_CMD);
	ASSERT_INT(k.max_ack_transfer, MAX_ACK);
	ASSERT_INT(k.max_response_ms, RESPONSE_MS);
	ASSERT_INT(k.sirm_address, SIRM);
	ASSERT_INT(k.si_alignment, 8);
	ASSERT_INT(k.required_leader, REQ_LEADER);
	ASSERT_INT(k.required_trailer, REQ_TRAILER);
	ASSERT_INT(k.manifest_address, MANIFEST);
	ASSERT_INT(k.manifest_entries, 1);
	ASSERT_INT(k.xml_address, XML);
	ASSERT_INT(k.xml_size, XML_SIZE);
	host_monitor_endpoints(R.m, &cmd, &ack, &event, &stream, &mps);
	ASSERT_INT(cmd, EP_CMD);
	ASSERT_INT(ack, EP_ACK);
	ASSERT_INT(event, EP_EVENT);
	ASSERT_INT(stream, EP_STREAM);
	ASSERT_INT(mps, 1024);
}

static void test_correct_session_facts(void)
{
	open_mon(&dev_facts, NULL);
	correct_session(false);
	expect_none();
}

static void test_correct_session_project_layout(void)
{
	open_mon(&dev_facts, NULL);
	correct_session(true);
	expect_none();
	ASSERT_INT(host_monitor_stats(R.m)->disconnects, 1);
}

/* Commands without REQUEST_ACK, and the required payload learned again after a
 * feature write: nothing to report either. */
static void test_correct_no_ack_and_payload_refresh(void)
{
	uint8_t cmd[32], d[4];

	open_mon(NULL, NULL);
	bootstrap();
	t_le32(d, 64);
	cmd_header(cmd, 0, WRITEMEM, 12, take_id());   /* Width, no ack wanted */
	t_le64(cmd + 12, 0x10000);
	memcpy(cmd + 20, d, 4);
	send_command(cmd, 24);
	host_write32(0x10004, 2);                       /* Height: the payload changes ... */
	host_read(SIRM + SI_REQ_PAYLOAD, 8);            /* ... and the host asks again */
	configure_stream(56, 32, 4096, 3, 1000, 0);
	stream_frame(1, 56, (const uint32_t[]){ 4096, 4096, 4096, 1000 }, 4, 32);
	expect_none();
}

/* ---- one test per rule ---- */

static void test_gencp_malformed(void)
{
	uint8_t c[32];
	uint32_t s;

	open_mon(NULL, NULL);
	memset(c, 0, sizeof(c));
	s = submit_ep(EP_CMD, BULK, 8, c, 8);
	expect_one(HM_RULE_GENCP_MALFORMED, R.t, s);
	teardown();

	open_mon(NULL, NULL);
	readmem_cmd(c, F_ACK, 1, 0, 4);
	t_le32(c, 0x12345678);
	s = submit_ep(EP_CMD, BULK, 24, c, 24);
	expect_one(HM_RULE_GENCP_MALFORMED, R.t, s);
	teardown();

	open_mon(NULL, NULL);
	readmem_cmd(c, F_ACK, 1, 0, 4);
	t_le16(c + 8, 14);   /* says 14 bytes follow, 12 do */
	tick(7);
	s = submit_ep(EP_CMD, BULK, 24, c, 24);
	expect_one(HM_RULE_GENCP_MALFORMED, R.t, s);
	teardown();

	open_mon(NULL, NULL);
	cmd_header(c, F_ACK, READMEM, 10, 1);   /* a READMEM body of 10 bytes */
	s = submit_ep(EP_CMD, BULK, 22, c, 22);
	expect_one(HM_RULE_GENCP_MALFORMED, R.t, s);
}

static void test_gencp_request_id_skip(void)
{
	open_mon(NULL, NULL);
	R.id = 4;
	host_read(ABRM_MANUFACTURER, 64);   /* 5 */
	host_read(ABRM_MANUFACTURER, 64);   /* 6 */
	R.id = 7;                           /* 8 next: 7 skipped */
	uint8_t c[24];
	readmem_cmd(c, F_ACK, take_id(), 0, 4);
	uint64_t t = R.t;
	uint32_t s = send_command(c, 24);
	expect_one(HM_RULE_GENCP_REQUEST_ID, t, s);
}

static void test_gencp_request_id_wrap_to_zero(void)
{
	uint8_t c[24];

	open_mon(NULL, NULL);
	R.id = 0xFFFE;
	host_read(ABRM_MANUFACTURER, 4);   /* 0xFFFF */
	readmem_cmd(c, F_ACK, 0, 0, 4);    /* 0 must be skipped */
	uint64_t t = R.t;
	uint32_t s = send_command(c, 24);
	expect_one(HM_RULE_GENCP_REQUEST_ID, t, s);
}

static void test_gencp_request_id_reuse_after_ack(void)
{
	uint8_t c[24];

	open_mon(NULL, NULL);
	host_read(ABRM_MANUFACTURER, 4);   /* id 1, acknowledged */
	readmem_cmd(c, F_ACK, 1, 0, 4);
	uint64_t t = R.t;
	uint32_t s = send_command(c, 24);
	expect_one(HM_RULE_GENCP_REQUEST_ID, t, s);
}

static void test_gencp_request_id_resend(void)
{
	uint8_t c[24];

	/* a resend flag with the previous id is fine ... */
	open_mon(&dev_facts, NULL);
	host_read(ABRM_MANUFACTURER, 4);
	readmem_cmd(c, F_ACK | F_RESEND, 1, 0, 4);
	send_command(c, 24);
	expect_none();
	/* ... with another id it is not */
	readmem_cmd(c, F_ACK | F_RESEND, 9, 0, 4);
	uint64_t t = R.t;
	uint32_t s = send_command(c, 24);
	expect_one(HM_RULE_GENCP_REQUEST_ID, t, s);
}

static void test_gencp_outstanding(void)
{
	uint8_t c[24];

	open_mon(&dev_facts, NULL);
	readmem_cmd(c, F_ACK, take_id(), 0, 4);
	uint32_t first = send_command(c, 24);
	tick(MS);   /* well within the 500 ms response time, ack not read */
	readmem_cmd(c, F_ACK, take_id(), 0, 4);
	uint64_t t = R.t;
	uint32_t s = send_command(c, 24);
	expect_one(HM_RULE_GENCP_OUTSTANDING, t, s);
	const struct hm_violation *v;
	host_monitor_violations(R.m, &v);
	ASSERT_INT(v[0].has_ref, 1);
	ASSERT_INT(v[0].ref_seq, first);

	/* a premature command that also skips an id: two faults, two reports */
	teardown();
	open_mon(&dev_facts, NULL);
	readmem_cmd(c, F_ACK, 1, 0, 4);
	send_command(c, 24);
	readmem_cmd(c, F_ACK, 3, 0, 4);
	send_command(c, 24);
	ASSERT_INT(host_monitor_rule_count(R.m, HM_RULE_GENCP_OUTSTANDING), 1);
	ASSERT_INT(host_monitor_rule_count(R.m, HM_RULE_GENCP_REQUEST_ID), 1);

	/* past the response time the host may move on */
	teardown();
	open_mon(&dev_facts, NULL);
	readmem_cmd(c, F_ACK, take_id(), 0, 4);
	send_command(c, 24);
	tick(501 * MS);
	readmem_cmd(c, F_ACK, take_id(), 0, 4);
	send_command(c, 24);
	expect_none();
}

static void test_gencp_outstanding_pending_ack(void)
{
	uint8_t c[40], ack[16], scd[4], d[4] = { 1, 0, 0, 0 };

	open_mon(&dev_facts, NULL);
	uint16_t id = take_id();
	writemem_cmd(c, id, 0x10000, d, 4);
	send_command(c, 24);
	t_le16(scd, 0);
	t_le16(scd + 2, 2000);   /* the device needs up to 2 s */
	receive_ack(16, ack, ack_packet(ack, 0, PENDING, id, scd, 4));
	tick(1000 * MS);         /* past the response time, within the PENDING_ACK timeout */
	readmem_cmd(c, F_ACK, take_id(), 0, 4);
	uint64_t t = R.t;
	uint32_t s = send_command(c, 24);
	expect_one(HM_RULE_GENCP_OUTSTANDING, t, s);
}

static void test_gencp_command_too_long(void)
{
	static uint8_t c[1200], d[1100];

	open_mon(&dev_facts, NULL);
	writemem_cmd(c, take_id(), 0x10000, d, sizeof(d));
	uint64_t t = R.t;
	uint32_t s = send_command(c, 20 + sizeof(d));
	expect_one(HM_RULE_GENCP_COMMAND_TOO_LONG, t, s);
	teardown();

	/* the same limit learned from SBRM */
	R.n_seen = 0;
	open_mon(NULL, NULL);
	host_read(ABRM_SBRM_ADDR, 8);
	host_read(SBRM + SBRM_MAX_CMD, 4);
	writemem_cmd(c, take_id(), 0x10000, d, sizeof(d));
	t = R.t;
	s = send_command(c, 20 + sizeof(d));
	expect_one(HM_RULE_GENCP_COMMAND_TOO_LONG, t, s);
}

static void test_gencp_read_exceeds_max_ack(void)
{
	uint8_t c[24];

	open_mon(&dev_facts, NULL);
	readmem_cmd(c, F_ACK, take_id(), XML, MAX_ACK - 11);   /* one byte too many */
	uint64_t t = R.t;
	uint32_t s = send_command(c, 24);
	expect_one(HM_RULE_GENCP_READ_EXCEEDS_MAX_ACK, t, s);
}

static void test_gencp_ack_buffer_small_babble(void)
{
	uint8_t c[24];

	open_mon(&dev_facts, NULL);
	readmem_cmd(c, F_ACK, take_id(), XML, 100);
	send_command(c, 24);
	uint32_t in = submit_ep(EP_ACK, BULK, 64, NULL, 0);   /* the ack is 112 bytes */
	tick(30000);
	complete(in, -75, NULL, 0);
	expect_one(HM_RULE_GENCP_ACK_BUFFER_SMALL, R.t, in);
	/* the ack is lost: the host may go on at once */
	host_read(ABRM_MANUFACTURER, 4);
	ASSERT_INT(host_monitor_violations(R.m, NULL), 1);
}

static void test_gencp_ack_buffer_small_truncated(void)
{
	uint8_t c[24], ack[112], data[100];

	open_mon(&dev_facts, NULL);
	uint16_t id = take_id();
	readmem_cmd(c, F_ACK, id, XML, 100);
	send_command(c, 24);
	memset(data, 'x', sizeof(data));
	ack_packet(ack, 0, READMEM_ACK, id, data, 100);
	uint32_t in = submit_ep(EP_ACK, BULK, 64, NULL, 0);
	tick(30000);
	complete(in, 0, ack, 64);   /* a device that splits the ack: the transfer ends full */
	expect_one(HM_RULE_GENCP_ACK_BUFFER_SMALL, R.t, in);
	teardown();

	/* a capture that kept only 64 of 112 bytes is not a truncated ack */
	R.n_seen = 0;
	open_mon(&dev_facts, NULL);
	readmem_cmd(c, F_ACK, ++id, XML, 100);
	send_command(c, 24);
	in = submit_ep(EP_ACK, BULK, 112, NULL, 0);
	ack_packet(ack, 0, READMEM_ACK, id, data, 100);
	ASSERT_INT(host_monitor_complete_partial(R.m, R.t, in, 0, 112, ack, 64), DFK_OK);
	expect_none();
}

static void test_gencp_read_past_end(void)
{
	uint8_t c[24];

	/* the GenICam file, from facts */
	open_mon(&dev_facts, NULL);
	readmem_cmd(c, F_ACK, take_id(), XML + XML_SIZE - 100, 200);
	uint64_t t = R.t;
	uint32_t s = send_command(c, 24);
	expect_one(HM_RULE_GENCP_READ_PAST_END, t, s);
	teardown();

	/* ... learned from the manifest table */
	R.n_seen = 0;
	open_mon(NULL, NULL);
	host_read(ABRM_MANIFEST_ADDR, 8);
	host_read(MANIFEST, 8);
	host_read(MANIFEST + 8, 64);
	host_read(XML, 1000);
	readmem_cmd(c, F_ACK, take_id(), XML + XML_SIZE - 4, 8);
	t = R.t;
	s = send_command(c, 24);
	expect_one(HM_RULE_GENCP_READ_PAST_END, t, s);
	teardown();

	/* ... and the manifest table itself (one entry: 72 bytes) */
	R.n_seen = 0;
	open_mon(NULL, NULL);
	host_read(ABRM_MANIFEST_ADDR, 8);
	host_read(MANIFEST, 8);
	readmem_cmd(c, F_ACK, take_id(), MANIFEST + 8, 128);
	t = R.t;
	s = send_command(c, 24);
	expect_one(HM_RULE_GENCP_READ_PAST_END, t, s);
}

static void test_gencp_write_readonly_ack(void)
{
	uint8_t d[4] = { 0 };

	open_mon(NULL, NULL);   /* no facts: the WRITE_PROTECT ack tells */
	uint32_t s = host_write(ABRM_MANUFACTURER, d, 4, ST_WRITE_PROTECT);
	const struct hm_violation *v;
	uint64_t t_ack = R.t - 20000;   /* receive_ack completes 20 us before returning */
	expect_one(HM_RULE_GENCP_WRITE_READONLY, t_ack, s);
	host_monitor_violations(R.m, &v);
	ASSERT_INT(v[0].ep, EP_CMD);
	ASSERT_INT(v[0].has_ref, 1);
	ASSERT_INT(v[0].ref_seq, R.seq);   /* the IN that carried the ack */
}

static void test_gencp_write_readonly_facts(void)
{
	uint8_t c[24], d[4] = { 0 };

	open_mon(&dev_facts, NULL);   /* known read-only: judged at submit, not again at the ack */
	writemem_cmd(c, take_id(), SIRM + SI_REQ_LEADER, d, 4);
	uint64_t t = R.t;
	uint32_t s = send_command(c, 24);
	uint8_t ack[12];
	receive_ack(16, ack, ack_packet(ack, ST_WRITE_PROTECT, WRITEMEM_ACK, R.id, NULL, 0));
	expect_one(HM_RULE_GENCP_WRITE_READONLY, t, s);
}

static void test_u3v_stream_enable_before_sirm(void)
{
	open_mon(&dev_facts, NULL);
	host_write32(SIRM + SI_MAX_LEADER, 56);
	uint64_t t = R.t;
	uint32_t s = host_write32(SIRM + SI_CONTROL, 1);   /* trailer and payload layout never written */
	expect_one(HM_RULE_U3V_STREAM_ENABLE_BEFORE_SIRM, t, s);
}

static void test_u3v_sirm_too_small(void)
{
	open_mon(&dev_facts, NULL);
	host_write32(SIRM + SI_MAX_LEADER, 40);   /* < 52 */
	host_write32(SIRM + SI_MAX_TRAILER, 32);
	host_write32(SIRM + SI_XFER_SIZE, 4096);
	host_write32(SIRM + SI_XFER_COUNT, 3);
	host_write32(SIRM + SI_FINAL1, 1000);
	uint64_t t = R.t;
	uint32_t s = host_write32(SIRM + SI_CONTROL, 1);
	expect_one(HM_RULE_U3V_SIRM_TOO_SMALL, t, s);
	teardown();

	/* a payload layout short of the required payload (learned from SIRM) */
	R.n_seen = 0;
	open_mon(NULL, NULL);
	bootstrap();
	t = R.t;
	host_write32(SIRM + SI_MAX_LEADER, 56);
	host_write32(SIRM + SI_MAX_TRAILER, 32);
	host_write32(SIRM + SI_XFER_SIZE, 4096);
	host_write32(SIRM + SI_XFER_COUNT, 3);   /* 12288 < 13288 */
	t = R.t;
	s = host_write32(SIRM + SI_CONTROL, 1);
	expect_one(HM_RULE_U3V_SIRM_TOO_SMALL, t, s);
}

static void test_u3v_sirm_unaligned(void)
{
	open_mon(&dev_facts, NULL);
	host_write32(SIRM + SI_MAX_LEADER, 56);
	host_write32(SIRM + SI_MAX_TRAILER, 32);
	host_write32(SIRM + SI_XFER_SIZE, PAYLOAD + 4);   /* one transfer, not a multiple of 8 */
	host_write32(SIRM + SI_XFER_COUNT, 1);
	uint64_t t = R.t;
	uint32_t s = host_write32(SIRM + SI_CONTROL, 1);
	expect_one(HM_RULE_U3V_SIRM_UNALIGNED, t, s);
}

static void test_u3v_sirm_write_while_enabled(void)
{
	open_mon(&dev_facts, NULL);
	configure_stream(56, 32, 4096, 3, 1000, 0);
	expect_none();
	uint64_t t = R.t;
	uint32_t s = host_write32(SIRM + SI_MAX_TRAILER, 64);
	expect_one(HM_RULE_U3V_SIRM_WRITE_WHILE_ENABLED, t, s);
}

static void test_u3v_bulk_in_size_leader(void)
{
	open_mon(&dev_facts, NULL);
	configure_stream(56, 32, 4096, 3, 1000, 0);
	uint32_t s = submit_ep(EP_STREAM, BULK, 40, NULL, 0);   /* no room for the 52-byte leader */
	tick(MS);
	complete(s, -75, NULL, 0);
	expect_one(HM_RULE_U3V_BULK_IN_SIZE, R.t, s);
}

static void test_u3v_bulk_in_size_payload(void)
{
	uint8_t lead[52];

	open_mon(&dev_facts, NULL);
	configure_stream(56, 32, 4096, 3, 1000, 0);
	uint32_t l = submit_ep(EP_STREAM, BULK, 56, NULL, 0);
	uint32_t p = submit_ep(EP_STREAM, BULK, 1500, NULL, 0);   /* not a packet multiple, not the last */
	tick(MS);
	leader_block(lead, 1);
	complete(l, 0, lead, sizeof(lead));
	tick(1000);
	complete(p, -75, NULL, 0);
	expect_one(HM_RULE_U3V_BULK_IN_SIZE, R.t, p);
}

static void test_u3v_bulk_in_size_sirm_layout(void)
{
	open_mon(&dev_facts, NULL);
	host_write32(SIRM + SI_MAX_LEADER, 56);
	host_write32(SIRM + SI_MAX_TRAILER, 32);
	host_write32(SIRM + SI_XFER_SIZE, 3000);   /* 8-aligned, but more payload follows it */
	host_write32(SIRM + SI_XFER_COUNT, 4);
	host_write32(SIRM + SI_FINAL1, 1288);
	uint64_t t = R.t;
	uint32_t s = host_write32(SIRM + SI_CONTROL, 1);
	expect_one(HM_RULE_U3V_BULK_IN_SIZE, t, s);
}

static void test_usb_stalled_endpoint_reuse(void)
{
	open_mon(&dev_facts, NULL);
	uint32_t s1 = submit_ep(EP_STREAM, BULK, 56, NULL, 0);
	tick(MS);
	complete(s1, -32, NULL, 0);
	tick(200 * MS);   /* long after the STALL: no excuse */
	uint32_t s2 = submit_ep(EP_STREAM, BULK, 56, NULL, 0);
	expect_one(HM_RULE_USB_STALLED_ENDPOINT_REUSE, R.t, s2);
	tick(MS);
	submit_ep(EP_STREAM, BULK, 56, NULL, 0);   /* the same halt: reported once */
	ASSERT_INT(host_monitor_violations(R.m, NULL), 1);
	clear_halt(EP_STREAM);
	tick(MS);
	submit_ep(EP_STREAM, BULK, 56, NULL, 0);
	ASSERT_INT(host_monitor_violations(R.m, NULL), 1);
}

static void test_usbip_seqnum_reuse(void)
{
	open_mon(NULL, NULL);
	struct hm_urb u = { .seq = 7, .ep = EP_STREAM, .type = BULK, .length = 1024 };
	ASSERT_INT(host_monitor_submit(R.m, R.t, &u), DFK_OK);
	tick(MS);
	ASSERT_INT(host_monitor_submit(R.m, R.t, &u), DFK_OK);
	expect_one(HM_RULE_USBIP_SEQNUM_REUSE, R.t, 7);
	/* once completed, the seq is free again */
	complete(7, 0, NULL, 0);
	ASSERT_INT(host_monitor_submit(R.m, R.t, &u), DFK_OK);
	ASSERT_INT(host_monitor_violations(R.m, NULL), 1);
}

static void test_u3v_frame_lost_host_slow(void)
{
	open_mon(&dev_facts, NULL);
	tick(3 * MS);
	ASSERT_INT(host_monitor_device_event(R.m, R.t, HM_DEV_FRAME_DROPPED, 42), DFK_OK);
	expect_one(HM_RULE_U3V_FRAME_LOST_HOST_SLOW, R.t, 0);
	ASSERT_INT(host_monitor_errors(R.m), 0);   /* a warning */
	CU_ASSERT(strstr(R.seen[0].detail, "42") != NULL);
	/* with a transfer waiting on the stream endpoint the link was the bottleneck, not the host */
	submit_ep(0x83, HM_XFER_BULK, 1 << 20, NULL, 0);
	tick(MS);
	ASSERT_INT(host_monitor_device_event(R.m, R.t, HM_DEV_FRAME_DROPPED, 43), DFK_OK);
	ASSERT_INT(host_monitor_violations(R.m, NULL), 1);
}

static void test_u3v_acquisition_stream_disabled(void)
{
	open_mon(&dev_facts, NULL);
	ASSERT_INT(host_monitor_device_event(R.m, R.t, HM_DEV_ACQUISITION_START, 1), DFK_OK);
	expect_none();
	tick(MS);
	ASSERT_INT(host_monitor_device_event(R.m, R.t, HM_DEV_ACQUISITION_START, 0), DFK_OK);
	expect_one(HM_RULE_U3V_ACQUISITION_STREAM_DISABLED, R.t, 0);
	ASSERT_INT(host_monitor_device_event(R.m, R.t, (enum hm_device_event)99, 0), DFK_ERR_INVAL);
}

static void test_usbip_pending_at_disconnect(void)
{
	open_mon(&dev_facts, NULL);
	uint32_t first = submit_ep(EP_STREAM, BULK, 56, NULL, 0);
	tick(1000);
	submit_ep(EP_STREAM, BULK, 4096, NULL, 0);
	submit_ep(EP_ACK, BULK, 1024, NULL, 0);
	tick(MS);
	ASSERT_INT(host_monitor_disconnect(R.m, R.t), DFK_OK);
	expect_one(HM_RULE_USBIP_PENDING_AT_DISCONNECT, R.t, first);
	CU_ASSERT(strstr(R.seen[0].detail, "3 URBs") != NULL);
	CU_ASSERT(strstr(R.seen[0].detail, "2 on 0x83") != NULL);
	/* nothing is pending any more */
	ASSERT_INT(host_monitor_disconnect(R.m, R.t), DFK_OK);
	ASSERT_INT(host_monitor_violations(R.m, NULL), 1);
}

static void test_usbip_unlink_storm(void)
{
	struct hm_limits lim = { .unlink_storm_count = 4, .unlink_storm_window_ns = MS };
	uint32_t q[12];

	open_mon(&dev_facts, &lim);
	for (int i = 0; i < 12; i++)
		q[i] = submit_ep(EP_STREAM, BULK, 4096, NULL, 0);
	for (int i = 0; i < 4; i++) {   /* 4 per ms: allowed */
		tick(100000);
		host_monitor_unlink(R.m, R.t, q[i]);
	}
	expect_none();
	tick(100000);
	host_monitor_unlink(R.m, R.t, q[4]);   /* the 5th within 1 ms */
	expect_one(HM_RULE_USBIP_UNLINK_STORM, R.t, q[4]);
	tick(100000);
	host_monitor_unlink(R.m, R.t, q[5]);   /* the same storm */
	ASSERT_INT(host_monitor_violations(R.m, NULL), 1);
	tick(10 * MS);
	for (int i = 6; i < 12; i++) {        /* a new one */
		tick(10000);
		complete(q[i], -104, NULL, 0);  /* usbmon's view of a cancellation counts too */
	}
	ASSERT_INT(host_monitor_violations(R.m, NULL), 2);
	ASSERT_INT(host_monitor_stats(R.m)->unlinks, 12);
}

/* ---- the monitor itself ---- */

static void test_rule_table(void)
{
	size_t n;
	const struct hm_rule *r = hm_rules(&n);

	ASSERT_INT(n, HM_RULE_COUNT);
	for (size_t i = 0; i < n; i++) {
		CU_ASSERT_PTR_NOT_NULL(r[i].id);
		CU_ASSERT_PTR_NOT_NULL(r[i].section);
		CU_ASSERT_PTR_NOT_NULL(r[i].text);
		if (!r[i].id || !r[i].section || !r[i].text)
			continue;
		CU_ASSERT(r[i].section[0] && r[i].text[0]);
		CU_ASSERT(hm_rule_find(r[i].id) == &r[i]);   /* unique */
		for (const char *p = r[i].id; *p; p++)
			CU_ASSERT((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-');
	}
	CU_ASSERT(hm_rule_find("gencp-request-id") == &r[HM_RULE_GENCP_REQUEST_ID]);
	CU_ASSERT(hm_rule_find("usbip-unlink-storm") == &r[HM_RULE_USBIP_UNLINK_STORM]);
	CU_ASSERT(hm_rule_find("no-such-rule") == NULL);
	ASSERT_INT(r[HM_RULE_USBIP_PENDING_AT_DISCONNECT].severity, HM_SEV_WARNING);
	ASSERT_INT(r[HM_RULE_U3V_FRAME_LOST_HOST_SLOW].offline, 0);
}

static void test_learn_endpoints(void)
{
	uint8_t s[8], d[128], c[8] = { 0 };

	open_mon(NULL, NULL);
	size_t n = config_descriptor(d, 0x02, 0x84, 0x85, 0x86, 512);
	setup_packet(s, 0x80, 0x06, 0x0200, 0, sizeof(d));
	uint32_t q = submit_control(s, sizeof(d));
	complete(q, 0, d, n);
	uint8_t cmd, ack, event, stream;
	uint16_t mps;
	host_monitor_endpoints(R.m, &cmd, &ack, &event, &stream, &mps);
	ASSERT_INT(cmd, 0x02);
	ASSERT_INT(ack, 0x84);
	ASSERT_INT(event, 0x85);
	ASSERT_INT(stream, 0x86);
	ASSERT_INT(mps, 512);
	submit_ep(0x01, BULK, 8, c, 8);   /* no longer the command endpoint */
	expect_none();
	uint32_t bad = submit_ep(0x02, BULK, 8, c, 8);
	expect_one(HM_RULE_GENCP_MALFORMED, R.t, bad);
}

static void test_config_endpoints_fixed(void)
{
	struct hm_config cfg = { .ep_command = 0x02, .ep_ack = 0x82, .ep_stream = 0x84, .stream_max_packet = 512 };
	uint8_t s[8], d[128];

	R.m = host_monitor_new(&cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(R.m);
	size_t n = config_descriptor(d, 0x01, 0x81, 0x83, 0x85, 1024);   /* does not override the configuration */
	setup_packet(s, 0x80, 0x06, 0x0200, 0, sizeof(d));
	complete(submit_control(s, sizeof(d)), 0, d, n);
	uint8_t cmd, ack, event, stream;
	uint16_t mps;
	host_monitor_endpoints(R.m, &cmd, &ack, &event, &stream, &mps);
	ASSERT_INT(cmd, 0x02);
	ASSERT_INT(ack, 0x82);
	ASSERT_INT(event, 0x83);   /* not configured: learned */
	ASSERT_INT(stream, 0x84);
	ASSERT_INT(mps, 512);
	/* a wrong direction is refused */
	struct hm_config bad = { .ep_command = 0x81 };
	CU_ASSERT_PTR_NULL(host_monitor_new(&bad));
	struct hm_config bad2 = { .ep_stream = 0x03 };
	CU_ASSERT_PTR_NULL(host_monitor_new(&bad2));
	struct hm_config bad3 = { .limits.max_pending = 0xFFFFFFFFu };
	CU_ASSERT_PTR_NULL(host_monitor_new(&bad3));
}

static void test_bad_arguments(void)
{
	struct hm_urb u = { .seq = 1, .ep = EP_CMD, .type = BULK, .length = 24, .data = NULL, .data_len = 24 };

	open_mon(NULL, NULL);
	ASSERT_INT(host_monitor_submit(NULL, 0, &u), DFK_ERR_INVAL);
	ASSERT_INT(host_monitor_submit(R.m, 0, NULL), DFK_ERR_INVAL);
	ASSERT_INT(host_monitor_submit(R.m, 0, &u), DFK_ERR_INVAL);   /* data_len without data */
	ASSERT_INT(host_monitor_complete_partial(R.m, 0, 1, 0, 5, NULL, 5), DFK_ERR_INVAL);
	ASSERT_INT(host_monitor_unlink(NULL, 0, 1), DFK_ERR_INVAL);
	ASSERT_INT(host_monitor_disconnect(NULL, 0), DFK_ERR_INVAL);
	ASSERT_INT(host_monitor_write_json(NULL, stdout), DFK_ERR_INVAL);
	ASSERT_INT(host_monitor_violations(NULL, NULL), 0);
	host_monitor_free(NULL);
	/* a completion of something never submitted is counted, not judged */
	complete(12345, -32, NULL, 0);
	ASSERT_INT(host_monitor_stats(R.m)->unknown_completions, 1);
	expect_none();
}

static void test_caps(void)
{
	struct hm_limits lim = { .max_violations = 3, .max_pending = 2 };
	uint8_t c[8] = { 0 };

	open_mon(NULL, &lim);
	for (int i = 0; i < 5; i++) {
		uint32_t s = submit_ep(EP_CMD, BULK, 8, c, 8);
		complete(s, 0, NULL, 8);
	}
	ASSERT_INT(host_monitor_violations(R.m, NULL), 3);
	ASSERT_INT(R.n_seen, 5);   /* the observer hears every one */
	ASSERT_INT(host_monitor_stats(R.m)->violations, 5);
	ASSERT_INT(host_monitor_stats(R.m)->not_recorded, 2);
	ASSERT_INT(host_monitor_rule_count(R.m, HM_RULE_GENCP_MALFORMED), 5);

	/* pending URBs: at most 2 tracked */
	uint32_t a = submit_ep(EP_STREAM, BULK, 1024, NULL, 0);
	submit_ep(EP_STREAM, BULK, 1024, NULL, 0);
	uint32_t untracked = submit_ep(EP_STREAM, BULK, 1024, NULL, 0);
	ASSERT_INT(host_monitor_stats(R.m)->untracked_urbs, 1);
	complete(untracked, 0, NULL, 0);
	ASSERT_INT(host_monitor_stats(R.m)->unknown_completions, 1);
	complete(a, 0, NULL, 0);
	submit_ep(EP_STREAM, BULK, 1024, NULL, 0);   /* room again */
	ASSERT_INT(host_monitor_stats(R.m)->untracked_urbs, 1);

	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	ASSERT_INT(host_monitor_write_junit(R.m, f), DFK_OK);
	fclose(f);
	CU_ASSERT(strstr(buf, "... and 2 more, not recorded") != NULL);
	free(buf);
}

/* Many URBs in and out of the pending table, out of order: nothing lost, nothing misjudged. */
static void test_pending_table_churn(void)
{
	struct t_rng rng;
	uint32_t live[512];
	unsigned n = 0;

	open_mon(NULL, NULL);
	t_rng_seed(&rng, 7);
	for (int i = 0; i < 20000; i++) {
		if (n < 512 && (n == 0 || t_rng_next(&rng) % 2)) {
			live[n++] = submit_ep(EP_EVENT, BULK, 1024, NULL, 0);
		} else {
			unsigned k = (unsigned)(t_rng_next(&rng) % n);
			complete(live[k], 0, NULL, 0);
			live[k] = live[--n];
		}
		tick(1000);
	}
	ASSERT_INT(host_monitor_stats(R.m)->unknown_completions, 0);
	ASSERT_INT(host_monitor_stats(R.m)->untracked_urbs, 0);
	ASSERT_INT(host_monitor_disconnect(R.m, R.t), DFK_OK);
	ASSERT_INT(host_monitor_violations(R.m, NULL), n ? 1 : 0);
}

static char *write_report(int (*fn)(const struct host_monitor *, FILE *))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	ASSERT_INT(fn(R.m, f), DFK_OK);
	fclose(f);
	return buf;
}

static unsigned count_of(const char *s, const char *what)
{
	unsigned n = 0;

	for (const char *p = s; (p = strstr(p, what)) != NULL; p += strlen(what))
		n++;
	return n;
}

static void test_json_report(void)
{
	uint8_t c[24];

	open_mon(&dev_facts, NULL);
	R.id = 4;
	host_read(ABRM_MANUFACTURER, 4);
	readmem_cmd(c, F_ACK, 9, 0, 4);
	uint32_t s = send_command(c, 24);
	ASSERT_INT(host_monitor_device_event(R.m, R.t, HM_DEV_FRAME_DROPPED, 3), DFK_OK);
	char *j = write_report(host_monitor_write_json);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	char want[200];
	CU_ASSERT(strstr(j, "\"schema\": \"dfk-emu/host-monitor/1\"") != NULL);
	CU_ASSERT(strstr(j, "\"errors\": 1, \"warnings\": 1") != NULL);
	snprintf(want, sizeof(want), "{\"rule\": \"gencp-request-id\", \"severity\": \"error\", \"t_ns\": %llu, \"seq\": %u, \"ep\": \"0x01\"",
		 (unsigned long long)(R.t - 40000), s);
	CU_ASSERT(strstr(j, want) != NULL);
	CU_ASSERT(strstr(j, "\"rule\": \"u3v-frame-lost-host-slow\", \"severity\": \"warning\"") != NULL);
	CU_ASSERT(strstr(j, "\"seq\": null, \"ep\": null") != NULL);
	ASSERT_INT(count_of(j, "{\"id\": "), HM_RULE_COUNT);
	ASSERT_INT(count_of(j, "{"), count_of(j, "}"));
	ASSERT_INT(count_of(j, "["), count_of(j, "]"));
	free(j);
}

static void test_junit_report(void)
{
	uint8_t c[24];
	struct hm_config cfg = { .facts = &dev_facts, .offline = true };

	R.m = host_monitor_new(&cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(R.m);
	R.id = 4;
	host_read(ABRM_MANUFACTURER, 4);
	readmem_cmd(c, F_ACK, 9, 0, 4);
	send_command(c, 24);
	uint32_t q = submit_ep(EP_STREAM, BULK, 56, NULL, 0);
	ASSERT_INT(host_monitor_disconnect(R.m, R.t), DFK_OK);   /* a warning: listed, passes */
	(void)q;
	char *x = write_report(host_monitor_write_junit);
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	ASSERT_INT(count_of(x, "<testcase "), HM_RULE_COUNT);
	ASSERT_INT(count_of(x, "<failure "), 1);
	ASSERT_INT(count_of(x, "<skipped "), 2);   /* the two live-only rules, offline */
	CU_ASSERT(strstr(x, "failures=\"1\"") != NULL);
	CU_ASSERT(strstr(x, "name=\"gencp-request-id\"><failure") == NULL);   /* newline-indented */
	CU_ASSERT(strstr(x, "classname=\"host-monitor.gencp\" name=\"gencp-request-id\">\n      <failure type=\"error\"") != NULL);
	CU_ASSERT(strstr(x, "<system-out>warning: ") != NULL);
	CU_ASSERT(strstr(x, "classname=\"host-monitor.usbip\" name=\"usbip-unlink-storm\"/>") != NULL);
	free(x);
}

static const struct test_case cases[] = {
	{ "correct session, learned", test_correct_session_learned },
	{ "correct session, device facts", test_correct_session_facts },
	{ "correct session, one-transfer payload", test_correct_session_project_layout },
	{ "no-ack commands, payload asked again", test_correct_no_ack_and_payload_refresh },
	{ "gencp-malformed-command", test_gencp_malformed },
	{ "gencp-request-id: skipped id", test_gencp_request_id_skip },
	{ "gencp-request-id: wrap to 0", test_gencp_request_id_wrap_to_zero },
	{ "gencp-request-id: reuse after ack", test_gencp_request_id_reuse_after_ack },
	{ "gencp-request-id: resend", test_gencp_request_id_resend },
	{ "gencp-outstanding", test_gencp_outstanding },
	{ "gencp-outstanding: PENDING_ACK", test_gencp_outstanding_pending_ack },
	{ "gencp-command-too-long", test_gencp_command_too_long },
	{ "gencp-read-exceeds-max-ack", test_gencp_read_exceeds_max_ack },
	{ "gencp-ack-buffer-small: babble", test_gencp_ack_buffer_small_babble },
	{ "gencp-ack-buffer-small: truncated", test_gencp_ack_buffer_small_truncated },
	{ "gencp-read-past-end", test_gencp_read_past_end },
	{ "gencp-write-readonly: ack", test_gencp_write_readonly_ack },
	{ "gencp-write-readonly: facts", test_gencp_write_readonly_facts },
	{ "u3v-stream-enable-before-sirm", test_u3v_stream_enable_before_sirm },
	{ "u3v-sirm-too-small", test_u3v_sirm_too_small },
	{ "u3v-sirm-unaligned", test_u3v_sirm_unaligned },
	{ "u3v-sirm-write-while-enabled", test_u3v_sirm_write_while_enabled },
	{ "u3v-bulk-in-size: leader", test_u3v_bulk_in_size_leader },
	{ "u3v-bulk-in-size: payload", test_u3v_bulk_in_size_payload },
	{ "u3v-bulk-in-size: SIRM layout", test_u3v_bulk_in_size_sirm_layout },
	{ "usb-stalled-endpoint-reuse", test_usb_stalled_endpoint_reuse },
	{ "usbip-seqnum-reuse", test_usbip_seqnum_reuse },
	{ "u3v-frame-lost-host-slow", test_u3v_frame_lost_host_slow },
	{ "u3v-acquisition-stream-disabled", test_u3v_acquisition_stream_disabled },
	{ "usbip-pending-at-disconnect", test_usbip_pending_at_disconnect },
	{ "usbip-unlink-storm", test_usbip_unlink_storm },
	{ "rule table", test_rule_table },
	{ "endpoints learned from the descriptor", test_learn_endpoints },
	{ "configured endpoints stay", test_config_endpoints_fixed },
	{ "bad arguments", test_bad_arguments },
	{ "caps", test_caps },
	{ "pending table churn", test_pending_table_churn },
	{ "JSON report", test_json_report },
	{ "JUnit report", test_junit_report },
	{ NULL, NULL },
};

int test_host_monitor_add_suite(void) { return test_add_suite("host_monitor", setup, teardown, cases); }
