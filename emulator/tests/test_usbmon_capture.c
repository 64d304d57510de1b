/* SPDX-License-Identifier: MIT */
/* monitor/usbmon_capture: the usbmon capture reader. One session (a U3V camera that learns its
 * limits and then breaks three rules, a hub beside it, URB addresses reused as the kernel does)
 * is written here in every format the reader accepts, from the pcap/pcapng/usbmon layouts
 * (libpcap's pcap/usb.h, the pcapng draft, Documentation/usb/usbmon.rst), and must give exactly
 * the verdicts of feeding the same events to the monitor by hand. Malformed captures must give
 * a clear error or be counted, never crash. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/errors.h"
#include "../monitor/host_monitor.h"
#include "../monitor/usbmon_capture.h"
#include "tests.h"

#define BUS 2
#define DEV 3
#define T0 1700000000000000000ull   /* absolute capture time of the first record (ns, a whole us) */
#define US 1000ull
#define MS 1000000ull

/* ---- the session ---- */

struct tev {
	char type;
	uint64_t id;
	uint8_t xfer, ep, dev;
	uint16_t bus;
	uint64_t t;               /* ns after T0, a multiple of 1 us */
	bool has_setup;
	uint8_t setup[8];
	int32_t status;
	uint32_t length;
	uint8_t data[64];
	uint32_t dlen;
};

static struct tev S[256];
static unsigned NS;
static uint64_t now;

static struct tev *add(char type, uint64_t id, uint8_t xfer, uint8_t ep, int32_t status, uint32_t length,
		       const void *data, uint32_t dlen)
{
	struct tev *e = &S[NS++];

	CU_ASSERT_FATAL(NS <= sizeof(S) / sizeof(S[0]));
	memset(e, 0, sizeof(*e));
	e->type = type;
	e->id = id;
	e->xfer = xfer;
	e->ep = ep;
	e->bus = BUS;
	e->dev = DEV;
	e->t = now;
	e->status = type == 'S' ? -115 : status;
	e->length = length;
	if (dlen > sizeof(e->data))
		dlen = sizeof(e->data);
	if (data)
		memcpy(e->data, data, dlen);
	e->dlen = data ? dlen : 0;
	now += 250 * US;
	return e;
}

static void le16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void le32(uint8_t *p, uint32_t v) { le16(p, (uint16_t)v); le16(p + 2, (uint16_t)(v >> 16)); }
static void le64(uint8_t *p, uint64_t v) { le32(p, (uint32_t)v); le32(p + 4, (uint32_t)(v >> 32)); }

#define ID_CMD 0xFFFF888001000000ull   /* one address for every command URB: the kernel reuses them */
#define ID_ACK 0xFFFF888001000100ull

static uint16_t gencp_id;

/* READMEM(addr, count) on 0x01, its ack on 0x81 (status, data) */
static void readmem(uint64_t addr, uint16_t count, uint16_t id, uint16_t status, const uint8_t *data, uint16_t dlen)
{
	uint8_t c[24], a[64];

	le32(c, 0x43563355u);
	le16(c + 4, 0x4000);
	le16(c + 6, 0x0800);
	le16(c + 8, 12);
	le16(c + 10, id);
	le64(c + 12, addr);
	le16(c + 20, 0);
	le16(c + 22, count);
	add('S', ID_ACK, 3, 0x81, 0, 12u + count + 64, NULL, 0);
	add('S', ID_CMD, 3, 0x01, 0, sizeof(c), c, sizeof(c));
	add('C', ID_CMD, 3, 0x01, 0, sizeof(c), NULL, 0);
	le32(a, 0x43563355u);
	le16(a + 4, status);
	le16(a + 6, 0x0801);
	le16(a + 8, dlen);
	le16(a + 10, id);
	if (dlen)
		memcpy(a + 12, data, dlen);
	add('C', ID_ACK, 3, 0x81, 0, 12u + dlen, a, 12u + dlen);
}

static void build_session(void)
{
	static const uint8_t cfg[] = {
		9, 2, 9 + 9 + 7 + 7 + 9 + 7 + 9 + 7, 0, 3, 1, 0, 0x80, 50,
		9, 4, 0, 0, 2, 0xEF, 0x05, 0x00, 0,   7, 5, 0x01, 2, 0x00, 0x04, 0,   7, 5, 0x81, 2, 0x00, 0x04, 0,
		9, 4, 1, 0, 1, 0xEF, 0x05, 0x01, 0,   7, 5, 0x82, 2, 0x00, 0x04, 0,
		9, 4, 2, 0, 1, 0xEF, 0x05, 0x02, 0,   7, 5, 0x83, 2, 0x00, 0x04, 0,
	};
	uint8_t v[8];
	struct tev *e;

	NS = 0;
	now = 0;
	gencp_id = 0;
	/* GET_DESCRIPTOR(CONFIGURATION) */
	e = add('S', 0xFFFF888002000000ull, 2, 0x80, 0, sizeof(cfg), NULL, 0);
	e->has_setup = true;
	memcpy(e->setup, (const uint8_t[]){ 0x80, 0x06, 0x00, 0x02, 0x00, 0x00, sizeof(cfg), 0 }, 8);
	add('C', 0xFFFF888002000000ull, 2, 0x80, 0, sizeof(cfg), cfg, sizeof(cfg));
	/* the hub beside it: an interrupt URB (devnum 1) */
	e = add('S', 0xFFFF888003000000ull, 1, 0x81, 0, 2, NULL, 0);
	e->dev = 1;
	/* ABRM SBRM address, SBRM maximum command/ack lengths */
	le64(v, 0x2000);
	readmem(0x1D8, 8, ++gencp_id, 0, v, 8);
	le32(v, 1024);
	le32(v + 4, 1024);
	readmem(0x2014, 8, ++gencp_id, 0, v, 8);
	/* gencp-read-exceeds-max-ack: 2000 bytes, answered with an error */
	readmem(0, 2000, ++gencp_id, 0x8003, NULL, 0);
	/* gencp-request-id: a success, then the same id */
	readmem(0, 4, ++gencp_id, 0, v, 4);
	readmem(0, 4, gencp_id, 0, v, 4);
	/* usb-stalled-endpoint-reuse: a STALL on 0x83, 200 ms later a new transfer there */
	add('S', 0xFFFF888004000000ull, 3, 0x83, 0, 1024, NULL, 0);
	add('C', 0xFFFF888004000000ull, 3, 0x83, -32, 0, NULL, 0);
	now += 200 * MS;
	add('S', 0xFFFF888004000000ull, 3, 0x83, 0, 1024, NULL, 0);
	add('C', 0xFFFF888004000000ull, 3, 0x83, -2, 0, NULL, 0);
	/* the hub's URB completes; one more stays pending at the end */
	e = add('C', 0xFFFF888003000000ull, 1, 0x81, 0, 1, "\x02", 1);
	e->dev = 1;
	add('S', 0xFFFF888005000000ull, 3, 0x82, 0, 512, NULL, 0);
}

/* ---- feeding the monitor by hand: seqs 1, 2, ... in submit order, data cut at `snap` ---- */

static struct host_monitor *new_monitor(void)
{
	struct hm_config cfg = { .offline = true };
	struct host_monitor *m = host_monitor_new(&cfg);

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	return m;
}

static struct host_monitor *feed_direct(uint32_t snap)
{
	struct host_monitor *m = new_monitor();
	uint64_t ids[256];
	uint32_t seqs[256], n = 0, next = 1;

	for (unsigned i = 0; i < NS; i++) {
		const struct tev *e = &S[i];
		if (e->bus != BUS || e->dev != DEV)
			continue;
		size_t dlen = e->dlen < snap ? e->dlen : snap;
		if (e->type == 'S') {
			struct hm_urb u = { .seq = next, .ep = e->ep, .length = e->length,
					    .type = e->xfer == 2 ? HM_XFER_CONTROL : e->xfer == 1 ? HM_XFER_INTERRUPT : HM_XFER_BULK };
			memcpy(u.setup, e->setup, 8);
			if (!(e->ep & 0x80) && dlen) {
				u.data = e->data;
				u.data_len = dlen;
			}
			ids[n] = e->id;
			seqs[n++] = next++;
			CU_ASSERT_EQUAL(host_monitor_submit(m, e->t, &u), DFK_OK);
			continue;
		}
		for (uint32_t k = n; k-- > 0;) {
			if (ids[k] != e->id)
				continue;
			CU_ASSERT_EQUAL(host_monitor_complete_partial(m, e->t, seqs[k], e->status, e->length,
								      (e->ep & 0x80) && dlen ? e->data : NULL,
								      (e->ep & 0x80) ? dlen : 0),
					DFK_OK);
			ids[k] = 0;
			break;
		}
	}
	return m;
}

/* ---- writers ---- */

struct w {
	char *buf;
	size_t len;
	FILE *f;
	bool be;
};

static void w_open(struct w *w, bool be)
{
	w->buf = NULL;
	w->len = 0;
	w->be = be;
	w->f = open_memstream(&w->buf, &w->len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(w->f);
}

static void w_bytes(struct w *w, const void *p, size_t n) { fwrite(p, 1, n, w->f); }
static void w8(struct w *w, uint8_t v) { w_bytes(w, &v, 1); }
static void w16(struct w *w, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)(w->be ? v >> 8 : v), (uint8_t)(w->be ? v : v >> 8) };
	w_bytes(w, b, 2);
}
static void w32(struct w *w, uint32_t v)
{
	w16(w, (uint16_t)(w->be ? v >> 16 : v));
	w16(w, (uint16_t)(w->be ? v : v >> 16));
}
static void w64(struct w *w, uint64_t v)
{
	w32(w, (uint32_t)(w->be ? v >> 32 : v));
	w32(w, (uint32_t)(w->be ? v : v >> 32));
}

/* Closes the writer; returns the bytes (caller frees), length in *n. */
static uint8_t *w_close(struct w *w, size_t *n)
{
	fclose(w->f);
	*n = w->len;
	return (uint8_t *)w->buf;
}

/* The usbmon header (48 or 64 bytes) of event e, with dlen data bytes captured. */
static void w_usbmon(struct w *w, const struct tev *e, unsigned hdr, uint32_t dlen)
{
	uint64_t abs = T0 + e->t;

	w64(w, e->id);
	w8(w, (uint8_t)e->type);
	w8(w, e->xfer);
	w8(w, e->ep);
	w8(w, e->dev);
	w16(w, e->bus);
	w8(w, e->has_setup ? 0 : '-');
	w8(w, e->dlen ? 0 : (e->ep & 0x80 ? '<' : '>'));
	w64(w, abs / 1000000000u);
	w32(w, (uint32_t)(abs % 1000000000u / 1000u));
	w32(w, (uint32_t)e->status);
	w32(w, e->length);
	w32(w, dlen);
	w_bytes(w, e->setup, 8);
	if (hdr == 64) {
		w32(w, 0);
		w32(w, 0);
		w32(w, 0);
		w32(w, 0);
	}
}

enum { PCAP_US, PCAP_NS };

/* pcap: link type 189 (48-byte header) or 220 (64); records cut to `snap` data bytes */
static uint8_t *make_pcap(bool be, int res, unsigned linktype, uint32_t snap, size_t *n)
{
	unsigned hdr = linktype == 189 ? 48 : 64;
	struct w w;

	w_open(&w, be);
	w32(&w, res == PCAP_NS ? 0xA1B23C4Du : 0xA1B2C3D4u);
	w16(&w, 2);
	w16(&w, 4);
	w32(&w, 0);
	w32(&w, 0);
	w32(&w, 262144);
	w32(&w, linktype);
	for (unsigned i = 0; i < NS; i++) {
		const struct tev *e = &S[i];
		uint64_t abs = T0 + e->t;
		uint32_t keep = e->dlen < snap ? e->dlen : snap;
		w32(&w, (uint32_t)(abs / 1000000000u));
		w32(&w, (uint32_t)(res == PCAP_NS ? abs % 1000000000u : abs % 1000000000u / 1000u));
		w32(&w, hdr + keep);
		w32(&w, hdr + e->dlen);
		w_usbmon(&w, e, hdr, e->dlen);
		w_bytes(&w, e->data, keep);
	}
	return w_close(&w, n);
}

static void w_block(struct w *w, uint32_t type, const uint8_t *body, uint32_t len)
{
	uint32_t pad = (4 - len % 4) % 4;

	w32(w, type);
	w32(w, 12 + len + pad);
	w_bytes(w, body, len);
	w_bytes(w, "\0\0\0", pad);
	w32(w, 12 + len + pad);
}

/* pcapng: an SHB, an Ethernet interface with one packet, the usbmon interface (link type 220,
 * if_tsresol tsresol or none), the events as EPBs (some as a Simple Packet Block when
 * use_spb: their times then come from the previous packet), a custom block between them. */
static uint8_t *make_pcapng(bool be, int tsresol, size_t *n)
{
	struct w w, b;
	uint8_t *body;
	size_t blen;

	w_open(&w, be);
	/* SHB */
	w_open(&b, be);
	w32(&b, 0x1A2B3C4Du);
	w16(&b, 1);
	w16(&b, 0);
	w64(&b, UINT64_MAX);
	body = w_close(&b, &blen);
	w_block(&w, 0x0A0D0D0Au, body, (uint32_t)blen);
	free(body);
	/* IDB 0: Ethernet */
	w_open(&b, be);
	w16(&b, 1);
	w16(&b, 0);
	w32(&b, 65535);
	body = w_close(&b, &blen);
	w_block(&w, 1, body, (uint32_t)blen);
	free(body);
	/* IDB 1: usbmon */
	w_open(&b, be);
	w16(&b, 220);
	w16(&b, 0);
	w32(&b, 262144);
	if (tsresol >= 0) {
		w16(&b, 9);
		w16(&b, 1);
		w8(&b, (uint8_t)tsresol);
		w8(&b, 0);
		w16(&b, 0);
	}
	w16(&b, 0);   /* opt_endofopt */
	w16(&b, 0);
	body = w_close(&b, &blen);
	w_block(&w, 1, body, (uint32_t)blen);
	free(body);
	/* an Ethernet packet, a custom block */
	w_open(&b, be);
	w32(&b, 0);
	w32(&b, 0);
	w32(&b, 0);
	w32(&b, 14);
	w32(&b, 14);
	w_bytes(&b, "\xff\xff\xff\xff\xff\xff\x00\x01\x02\x03\x04\x05\x08\x00", 14);
	body = w_close(&b, &blen);
	w_block(&w, 6, body, (uint32_t)blen);
	free(body);
	w_block(&w, 0x00000BADu, (const uint8_t *)"\x00\x00\x7e\xd9skipped", 11);
	for (unsigned i = 0; i < NS; i++) {
		const struct tev *e = &S[i];
		uint64_t abs = T0 + e->t, units;
		if (tsresol == 9)
			units = abs;
		else if (tsresol == 0x80 + 20)   /* 2^-20 s */
			units = (uint64_t)(((unsigned __int128)abs << 20) / 1000000000u);
		else
			units = abs / 1000u;
		w_open(&b, be);
		w32(&b, 1);
		w32(&b, (uint32_t)(units >> 32));
		w32(&b, (uint32_t)units);
		w32(&b, 64 + e->dlen);
		w32(&b, 64 + e->dlen);
		w_usbmon(&b, e, 64, e->dlen);
		w_bytes(&b, e->data, e->dlen);
		body = w_close(&b, &blen);
		w_block(&w, 6, body, (uint32_t)blen);
		free(body);
	}
	return w_close(&w, n);
}

static uint8_t *make_raw(size_t *n)
{
	struct w w;

	w_open(&w, false);
	for (unsigned i = 0; i < NS; i++) {
		w_usbmon(&w, &S[i], 64, S[i].dlen);
		w_bytes(&w, S[i].data, S[i].dlen);
	}
	return w_close(&w, n);
}

/* ---- reading ---- */

static int analyze_buf(const uint8_t *p, size_t n, const struct umc_options *opt, struct host_monitor *m,
		       struct umc_stats *st, char *err, size_t errlen)
{
	FILE *f = fmemopen((void *)p, n ? n : 1, "rb");
	int rc;

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	if (n == 0)
		fgetc(f);   /* fmemopen of 0 bytes is not portable: read the one byte away */
	rc = umc_analyze(f, opt, m, st, err, errlen);
	fclose(f);
	return rc;
}

static void expect_same(const struct host_monitor *a, const struct host_monitor *b)
{
	const struct hm_violation *va, *vb;
	size_t na = host_monitor_violations(a, &va), nb = host_monitor_violations(b, &vb);

	CU_ASSERT_EQUAL(na, nb);
	for (size_t i = 0; i < na && i < nb; i++) {
		CU_ASSERT_EQUAL(va[i].rule, vb[i].rule);
		CU_ASSERT_EQUAL(va[i].t_ns, vb[i].t_ns);
		CU_ASSERT_EQUAL(va[i].seq, vb[i].seq);
		CU_ASSERT_EQUAL(va[i].ep, vb[i].ep);
		CU_ASSERT_EQUAL(va[i].has_ref, vb[i].has_ref);
		CU_ASSERT_STRING_EQUAL(va[i].detail, vb[i].detail);
	}
}

/* The session through the capture, auto-selected: the direct verdicts, three violations. */
static void check_capture(uint8_t *cap, size_t n, uint32_t snap, enum umc_format fmt)
{
	struct host_monitor *direct = feed_direct(snap), *m = new_monitor();
	struct umc_stats st;
	char err[256];
	int rc = analyze_buf(cap, n, NULL, m, &st, err, sizeof(err));

	if (rc != 0)
		fprintf(stderr, "\n    umc_analyze: %s", err);
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_EQUAL(st.format, fmt);
	CU_ASSERT_EQUAL(st.bus, BUS);
	CU_ASSERT_EQUAL(st.devnum, DEV);
	CU_ASSERT_EQUAL(st.n_devices, 2);
	CU_ASSERT_EQUAL(st.events, NS);
	CU_ASSERT_EQUAL(st.pending_at_end, 1);
	CU_ASSERT_EQUAL(st.unknown_urbs, 0);
	CU_ASSERT_EQUAL(st.id_reuse, 0);
	expect_same(direct, m);
	if (snap >= 64) {
		CU_ASSERT_EQUAL(host_monitor_rule_count(m, HM_RULE_GENCP_READ_EXCEEDS_MAX_ACK), 1);
		CU_ASSERT_EQUAL(host_monitor_rule_count(m, HM_RULE_GENCP_REQUEST_ID), 1);
		CU_ASSERT_EQUAL(host_monitor_rule_count(m, HM_RULE_USB_STALLED_ENDPOINT_REUSE), 1);
		CU_ASSERT_EQUAL(host_monitor_stats(m)->violations, 3);
		CU_ASSERT_EQUAL(st.truncated, 0);
	}
	host_monitor_free(direct);
	host_monitor_free(m);
	free(cap);
}

static void test_pcap_formats(void)
{
	uint8_t *cap;
	size_t n;

	build_session();
	cap = make_pcap(false, PCAP_US, 220, 1u << 20, &n);
	check_capture(cap, n, 1u << 20, UMC_FMT_PCAP);
	cap = make_pcap(true, PCAP_US, 220, 1u << 20, &n);
	check_capture(cap, n, 1u << 20, UMC_FMT_PCAP);
	cap = make_pcap(false, PCAP_NS, 189, 1u << 20, &n);
	check_capture(cap, n, 1u << 20, UMC_FMT_PCAP);
	cap = make_pcap(true, PCAP_NS, 189, 1u << 20, &n);
	check_capture(cap, n, 1u << 20, UMC_FMT_PCAP);
}

static void test_pcapng_formats(void)
{
	uint8_t *cap;
	size_t n;

	build_session();
	cap = make_pcapng(false, -1, &n);
	check_capture(cap, n, 1u << 20, UMC_FMT_PCAPNG);
	cap = make_pcapng(true, -1, &n);
	check_capture(cap, n, 1u << 20, UMC_FMT_PCAPNG);
	cap = make_pcapng(false, 9, &n);
	check_capture(cap, n, 1u << 20, UMC_FMT_PCAPNG);
	cap = make_pcapng(true, 9, &n);
	check_capture(cap, n, 1u << 20, UMC_FMT_PCAPNG);
}

static void test_raw_format(void)
{
	uint8_t *cap;
	size_t n;

	build_session();
	cap = make_raw(&n);
	check_capture(cap, n, 1u << 20, UMC_FMT_USBMON);
}

/* A snap length that cuts the acks: complete_partial, fewer facts learned, same as by hand. */
static void test_truncated_data(void)
{
	struct host_monitor *m = new_monitor();
	struct umc_stats st;
	char err[256];
	size_t n;
	uint8_t *cap;

	build_session();
	cap = make_pcap(false, PCAP_US, 220, 16, &n);
	CU_ASSERT_EQUAL(analyze_buf(cap, n, NULL, m, &st, err, sizeof(err)), 0);
	CU_ASSERT(st.truncated > 0);
	/* the SBRM address ack (20 bytes) was cut to 16: max ack never learned, not judged */
	CU_ASSERT_EQUAL(host_monitor_rule_count(m, HM_RULE_GENCP_READ_EXCEEDS_MAX_ACK), 0);
	CU_ASSERT_EQUAL(host_monitor_rule_count(m, HM_RULE_GENCP_ACK_BUFFER_SMALL), 0);
	host_monitor_free(m);
	check_capture(cap, n, 16, UMC_FMT_PCAP);
}

/* max_data below what the records hold: the rest is skipped, the verdicts those of that snap */
static void test_max_data(void)
{
	struct umc_options opt = { .max_data = 16 };
	struct host_monitor *m = new_monitor(), *direct;
	char err[256];
	size_t n;
	uint8_t *cap;

	build_session();
	direct = feed_direct(16);
	cap = make_raw(&n);
	CU_ASSERT_EQUAL(analyze_buf(cap, n, &opt, m, NULL, err, sizeof(err)), 0);
	expect_same(direct, m);
	free(cap);
	host_monitor_free(m);
	host_monitor_free(direct);
}

/* ---- device selection ---- */

static void test_device_selection(void)
{
	struct umc_options opt = { .select_device = true, .bus = BUS, .devnum = 1 };
	struct host_monitor *m = new_monitor();
	struct umc_stats st;
	char err[256];
	size_t n;
	uint8_t *cap;

	build_session();
	/* the hub by name: its one URB, nothing judged */
	cap = make_raw(&n);
	CU_ASSERT_EQUAL(analyze_buf(cap, n, &opt, m, &st, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(st.submits, 1);
	CU_ASSERT_EQUAL(host_monitor_stats(m)->violations, 0);
	free(cap);
	host_monitor_free(m);
	/* a device not in the capture */
	m = new_monitor();
	opt.devnum = 9;
	cap = make_raw(&n);
	CU_ASSERT_EQUAL(analyze_buf(cap, n, &opt, m, &st, err, sizeof(err)), DFK_ERR_NOTFOUND);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "no events of device 2:9"));
	free(cap);
	host_monitor_free(m);

	/* a second camera (devnum 4, "U3VC" traffic only): the choice is the user's */
	for (unsigned i = 0, k = NS; i < k; i++)
		if (S[i].dev == DEV && S[i].xfer == 3 && NS < sizeof(S) / sizeof(S[0])) {
			S[NS] = S[i];
			S[NS].dev = 4;
			NS++;
		}
	m = new_monitor();
	cap = make_raw(&n);
	CU_ASSERT_EQUAL(analyze_buf(cap, n, NULL, m, &st, err, sizeof(err)), DFK_ERR_INVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "2 USB3 Vision devices"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "--device"));
	host_monitor_free(m);
	m = new_monitor();
	opt.devnum = 4;
	CU_ASSERT_EQUAL(analyze_buf(cap, n, &opt, m, &st, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(host_monitor_rule_count(m, HM_RULE_GENCP_REQUEST_ID), 1);
	free(cap);
	host_monitor_free(m);

	/* no camera at all */
	NS = 0;
	now = 0;
	add('S', 7, 1, 0x81, 0, 2, NULL, 0);
	add('C', 7, 1, 0x81, 0, 1, "\x02", 1);
	m = new_monitor();
	cap = make_raw(&n);
	CU_ASSERT_EQUAL(analyze_buf(cap, n, NULL, m, &st, err, sizeof(err)), DFK_ERR_INVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "no USB3 Vision device"));
	free(cap);
	host_monitor_free(m);
}

/* A pipe cannot be read twice: automatic selection says so; naming the device works. */
static void test_pipe_input(void)
{
	struct umc_options opt = { .select_device = true, .bus = BUS, .devnum = DEV };
	struct host_monitor *m = new_monitor();
	char err[256];
	int fds[2];
	size_t n;
	uint8_t *cap;

	build_session();
	cap = make_raw(&n);
	CU_ASSERT_FATAL(n < 60000);   /* fits a pipe buffer */
	for (int round = 0; round < 2; round++) {
		CU_ASSERT_FATAL(pipe(fds) == 0);
		CU_ASSERT_EQUAL((size_t)write(fds[1], cap, n), n);
		close(fds[1]);
		FILE *f = fdopen(fds[0], "rb");
		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		int rc = umc_analyze(f, round ? &opt : NULL, m, NULL, err, sizeof(err));
		if (round == 0) {
			CU_ASSERT_EQUAL(rc, DFK_ERR_INVAL);
			CU_ASSERT_PTR_NOT_NULL(strstr(err, "--device"));
		} else {
			CU_ASSERT_EQUAL(rc, 0);
			CU_ASSERT_EQUAL(host_monitor_stats(m)->violations, 3);
		}
		fclose(f);
	}
	free(cap);
	host_monitor_free(m);
}

/* ---- URB ids ---- */

static void test_unknown_and_reused_ids(void)
{
	struct umc_options opt = { .select_device = true, .bus = BUS, .devnum = DEV };
	struct host_monitor *m = new_monitor();
	struct umc_stats st;
	char err[256];
	size_t n;
	uint8_t *cap;

	NS = 0;
	now = 0;
	add('C', 0x1000, 3, 0x81, 0, 16, NULL, 0);          /* submitted before the capture began */
	add('E', 0x1001, 3, 0x01, -19, 0, NULL, 0);         /* the same */
	add('S', 0x2000, 3, 0x83, 0, 1024, NULL, 0);
	add('S', 0x2000, 3, 0x83, 0, 1024, NULL, 0);        /* its completion was lost */
	add('C', 0x2000, 3, 0x83, 0, 0, NULL, 0);
	add('S', 0x3000, 3, 0x01, 0, 4, "U3VC", 4);         /* a submit error: 'E' completes it */
	add('E', 0x3000, 3, 0x01, -19, 0, NULL, 0);
	cap = make_raw(&n);
	CU_ASSERT_EQUAL(analyze_buf(cap, n, &opt, m, &st, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(st.unknown_urbs, 2);
	CU_ASSERT_EQUAL(st.id_reuse, 1);
	CU_ASSERT_EQUAL(st.submits, 3);
	CU_ASSERT_EQUAL(st.completions, 1);
	CU_ASSERT_EQUAL(st.submit_errors, 1);
	CU_ASSERT_EQUAL(st.pending_at_end, 0);
	/* the seqs given to the monitor are distinct: no usbip-seqnum-reuse */
	CU_ASSERT_EQUAL(host_monitor_rule_count(m, HM_RULE_USBIP_SEQNUM_REUSE), 0);
	free(cap);
	host_monitor_free(m);
}

/* More URBs pending than max_urbs: counted, not fed. */
static void test_max_urbs(void)
{
	struct umc_options opt = { .select_device = true, .bus = BUS, .devnum = DEV, .max_urbs = 4 };
	struct host_monitor *m = new_monitor();
	struct umc_stats st;
	char err[256];
	size_t n;
	uint8_t *cap;

	NS = 0;
	now = 0;
	for (unsigned i = 0; i < 10; i++)
		add('S', 0x100 + i, 3, 0x83, 0, 1024, NULL, 0);
	for (unsigned i = 0; i < 10; i++)
		add('C', 0x100 + i, 3, 0x83, -2, 0, NULL, 0);
	cap = make_raw(&n);
	CU_ASSERT_EQUAL(analyze_buf(cap, n, &opt, m, &st, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(st.submits, 4);
	CU_ASSERT_EQUAL(st.untracked, 6);
	CU_ASSERT_EQUAL(st.unknown_urbs, 6);
	CU_ASSERT_EQUAL(st.completions, 4);
	free(cap);
	host_monitor_free(m);

	/* the default: 120 pending at once (the table grows), completed in another order */
	NS = 0;
	now = 0;
	for (unsigned i = 0; i < 60; i++)
		add('S', 0xFFFF888000000000ull + 0x200 * i, 3, 0x83, 0, 1024, NULL, 0);
	for (unsigned i = 0; i < 60; i += 2)
		add('C', 0xFFFF888000000000ull + 0x200 * i, 3, 0x83, -2, 0, NULL, 0);
	for (unsigned i = 60; i < 120; i++)
		add('S', 0xFFFF888000000000ull + 0x200 * i, 3, 0x83, 0, 1024, NULL, 0);
	for (unsigned i = 120; i-- > 0;)
		if (i >= 60 || i % 2)
			add('C', 0xFFFF888000000000ull + 0x200 * i, 3, 0x83, -2, 0, NULL, 0);
	m = new_monitor();
	opt.max_urbs = 0;
	cap = make_raw(&n);
	CU_ASSERT_EQUAL(analyze_buf(cap, n, &opt, m, &st, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(st.submits, 120);
	CU_ASSERT_EQUAL(st.completions, 120);
	CU_ASSERT_EQUAL(st.untracked + st.unknown_urbs + st.id_reuse + st.pending_at_end, 0);
	CU_ASSERT_EQUAL(host_monitor_stats(m)->unknown_completions, 0);
	free(cap);
	host_monitor_free(m);
}

/* ---- malformed captures ---- */

/* Analyses p[0..n) (device named, so no scan) and expects rc and `msg` in the error. */
static void expect_error(const uint8_t *p, size_t n, int rc, const char *msg)
{
	struct umc_options opt = { .select_device = true, .bus = BUS, .devnum = DEV };
	struct host_monitor *m = new_monitor();
	char err[256];
	int got = analyze_buf(p, n, &opt, m, NULL, err, sizeof(err));

	CU_ASSERT_EQUAL(got, rc);
	if (!strstr(err, msg)) {
		fprintf(stderr, "\n    expected '%s' in: %s", msg, err);
		CU_FAIL("error message");
	}
	host_monitor_free(m);
	/* the automatic choice reads the same bytes: the same kind of failure */
	m = new_monitor();
	CU_ASSERT(analyze_buf(p, n, NULL, m, NULL, err, sizeof(err)) < 0);
	host_monitor_free(m);
}

static void put_at(uint8_t *p, size_t off, uint32_t v) { le32(p + off, v); }

static void test_malformed(void)
{
	size_t n, n2;
	uint8_t *cap, *ng;

	build_session();
	expect_error(NULL, 0, DFK_ERR_INVAL, "empty file");
	expect_error((const uint8_t *)"hello, world, not a capture at all: 64 bytes of text to look like a header!",
		     75, DFK_ERR_INVAL, "not a capture");
	expect_error((const uint8_t *)"hi", 2, DFK_ERR_INVAL, "truncated file header");

	cap = make_pcap(false, PCAP_US, 220, 1u << 20, &n);
	expect_error(cap, 10, DFK_ERR_INVAL, "truncated pcap file header");
	expect_error(cap, 24 + 8, DFK_ERR_INVAL, "truncated pcap record header");
	expect_error(cap, 24 + 16 + 30, DFK_ERR_INVAL, "truncated usbmon header");
	expect_error(cap, n - 3, DFK_ERR_INVAL, "truncated usbmon header");
	expect_error(cap, n - 80 - 1, DFK_ERR_INVAL, "truncated usbmon data");   /* the hub's 1 byte */
	/* version, link type */
	put_at(cap, 4, 0x00030003);
	expect_error(cap, n, DFK_ERR_INVAL, "pcap version 3.3");
	put_at(cap, 4, 0x00040002);
	put_at(cap, 20, 1);
	expect_error(cap, n, DFK_ERR_INVAL, "link type 1 is not Linux usbmon");
	put_at(cap, 20, 220);
	/* a record shorter than the usbmon header; a huge one */
	put_at(cap, 24 + 8, 20);
	expect_error(cap, n, DFK_ERR_INVAL, "shorter than the 64-byte usbmon header");
	put_at(cap, 24 + 8, 0xFFFFFFF0u);
	put_at(cap, 24 + 12, 0xFFFFFFF0u);
	expect_error(cap, n, DFK_ERR_INVAL, "truncated");
	/* captured > original: tolerated, counted */
	{
		struct umc_options opt = { .select_device = true, .bus = BUS, .devnum = DEV };
		struct host_monitor *m = new_monitor();
		struct umc_stats st;
		char err[256];
		free(cap);
		cap = make_pcap(false, PCAP_US, 220, 1u << 20, &n);
		put_at(cap, 24 + 12, 10);
		CU_ASSERT_EQUAL(analyze_buf(cap, n, &opt, m, &st, err, sizeof(err)), 0);
		CU_ASSERT_EQUAL(st.anomalies, 1);
		CU_ASSERT_EQUAL(host_monitor_stats(m)->violations, 3);
		host_monitor_free(m);
		/* a usbmon len_cap smaller than the record holds: the extra bytes are skipped */
		m = new_monitor();
		put_at(cap, 24 + 16 + 64 + 16 + 36, 0);   /* the second record: the configuration descriptor */
		CU_ASSERT_EQUAL(analyze_buf(cap, n, &opt, m, &st, err, sizeof(err)), 0);
		CU_ASSERT_EQUAL(st.anomalies, 2);
		host_monitor_free(m);
		/* an unknown event type: skipped, counted */
		m = new_monitor();
		cap[24 + 16 + 8] = 'X';
		CU_ASSERT_EQUAL(analyze_buf(cap, n, &opt, m, &st, err, sizeof(err)), 0);
		CU_ASSERT_EQUAL(st.anomalies, 3);
		CU_ASSERT_EQUAL(st.events, NS - 1);
		host_monitor_free(m);
	}
	free(cap);

	ng = make_pcapng(false, 9, &n2);
	/* SHB: 28 bytes; IDB 0: 20; IDB 1 (with if_tsresol): 32 */
	expect_error(ng, 27, DFK_ERR_INVAL, "truncated");
	{
		uint8_t *c = malloc(n2);
		memcpy(c, ng, n2);
		put_at(c, 28 + 4, 22);          /* IDB 0 length not a multiple of 4 */
		expect_error(c, n2, DFK_ERR_INVAL, "a multiple of 4");
		memcpy(c, ng, n2);
		put_at(c, 28 + 4, 8);           /* below 12 */
		expect_error(c, n2, DFK_ERR_INVAL, "at least 12");
		memcpy(c, ng, n2);
		put_at(c, 28 + 16, 24);         /* its trailing length disagrees */
		expect_error(c, n2, DFK_ERR_INVAL, "block length mismatch");
		memcpy(c, ng, n2);
		put_at(c, 8, 0x11223344);       /* no byte-order magic */
		expect_error(c, n2, DFK_ERR_INVAL, "byte-order magic");
		memcpy(c, ng, n2);
		put_at(c, 12, 2);               /* version 2.0 */
		expect_error(c, n2, DFK_ERR_INVAL, "pcapng version 2.0");
		memcpy(c, ng, n2);
		c[28 + 20 + 16 + 4] = 0x80 | 70;  /* if_tsresol 2^-70 */
		expect_error(c, n2, DFK_ERR_INVAL, "if_tsresol");
		memcpy(c, ng, n2);
		put_at(c, 28 + 20 + 32 + 8, 7);   /* the Ethernet packet names interface 7 */
		expect_error(c, n2, DFK_ERR_INVAL, "interface 7");
		memcpy(c, ng, n2);
		put_at(c, 28 + 20 + 32 + 20, 500);   /* its captured length runs past the block */
		expect_error(c, n2, DFK_ERR_INVAL, "captured bytes in a block");
		memcpy(c, ng, n2);
		put_at(c, 28 + 20 + 16, 0x00FF0009u);   /* an option longer than its block */
		expect_error(c, n2, DFK_ERR_INVAL, "runs past its block");
		free(c);
	}
	free(ng);
}

/* Only non-usbmon interfaces, and a binary if_tsresol: "no events", and 2^-20 s times work. */
static void test_pcapng_other_links_and_binary_res(void)
{
	struct umc_options opt = { .select_device = true, .bus = BUS, .devnum = DEV };
	struct host_monitor *m = new_monitor();
	struct umc_stats st;
	char err[256];
	size_t n;
	uint8_t *ng;

	build_session();
	ng = make_pcapng(false, 0x80 + 20, &n);
	CU_ASSERT_EQUAL(analyze_buf(ng, n, &opt, m, &st, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(st.other_records, 1);
	CU_ASSERT_EQUAL(host_monitor_stats(m)->violations, 3);
	/* ~1 us resolution: the stall's 200 ms grace is judged the same */
	CU_ASSERT_EQUAL(host_monitor_rule_count(m, HM_RULE_USB_STALLED_ENDPOINT_REUSE), 1);
	host_monitor_free(m);
	free(ng);

	NS = 0;
	ng = make_pcapng(true, -1, &n);
	m = new_monitor();
	CU_ASSERT_EQUAL(analyze_buf(ng, n, &opt, m, &st, err, sizeof(err)), DFK_ERR_NOTFOUND);
	CU_ASSERT_EQUAL(st.records, 1);
	CU_ASSERT_EQUAL(st.other_records, 1);
	host_monitor_free(m);
	free(ng);
}

/* The reader alone: events one by one, and an error is final. */
static void test_reader_api(void)
{
	struct umc_event ev;
	char err[256];
	size_t n;
	uint8_t *cap;
	FILE *f;
	struct umc_reader *r;
	unsigned k = 0;

	build_session();
	cap = make_pcap(true, PCAP_NS, 220, 1u << 20, &n);
	f = fmemopen(cap, n, "rb");
	r = umc_reader_new(f, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	while (umc_reader_next(r, &ev) == 1) {
		CU_ASSERT_EQUAL(ev.id, S[k].id);
		CU_ASSERT_EQUAL(ev.type, S[k].type);
		CU_ASSERT_EQUAL(ev.t_ns, S[k].t);
		CU_ASSERT_EQUAL(ev.length, S[k].length);
		CU_ASSERT_EQUAL(ev.data_len, S[k].dlen);
		CU_ASSERT_EQUAL(ev.status, S[k].status);
		k++;
	}
	CU_ASSERT_EQUAL(k, NS);
	CU_ASSERT_EQUAL(umc_reader_stats(r)->records, NS);
	umc_reader_free(r);
	fclose(f);
	/* cut: an error, and the next call the same error */
	f = fmemopen(cap, n - 5, "rb");
	r = umc_reader_new(f, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	int rc;
	while ((rc = umc_reader_next(r, &ev)) == 1)
		;
	CU_ASSERT_EQUAL(rc, DFK_ERR_INVAL);
	CU_ASSERT_EQUAL(umc_reader_next(r, &ev), DFK_ERR_INVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(umc_reader_error(r), "offset"));
	umc_reader_free(r);
	fclose(f);
	free(cap);
	/* bad arguments */
	struct umc_options big = { .max_data = 1u << 30 };
	CU_ASSERT_PTR_NULL(umc_reader_new(NULL, NULL, err, sizeof(err)));
	f = fmemopen((void *)"\xd4\xc3\xb2\xa1", 4, "rb");
	CU_ASSERT_PTR_NULL(umc_reader_new(f, &big, err, sizeof(err)));
	fclose(f);
	CU_ASSERT_EQUAL(umc_reader_next(NULL, &ev), DFK_ERR_INVAL);
	CU_ASSERT_PTR_NULL(umc_feeder_new(NULL, 1, 1, 0));
}

static const struct test_case cases[] = {
	{ "pcap: 189/220, both byte orders, us/ns", test_pcap_formats },
	{ "pcapng: both byte orders, if_tsresol", test_pcapng_formats },
	{ "usbmon binary", test_raw_format },
	{ "truncated data (snap length)", test_truncated_data },
	{ "max_data", test_max_data },
	{ "device selection", test_device_selection },
	{ "pipe input", test_pipe_input },
	{ "unknown and reused URB ids", test_unknown_and_reused_ids },
	{ "max_urbs", test_max_urbs },
	{ "malformed captures", test_malformed },
	{ "pcapng: other link types, binary if_tsresol", test_pcapng_other_links_and_binary_res },
	{ "reader API", test_reader_api },
	{ NULL, NULL },
};

int test_usbmon_capture_add_suite(void) { return test_add_suite("usbmon_capture", NULL, NULL, cases); }
