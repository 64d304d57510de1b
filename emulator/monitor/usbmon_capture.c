/* SPDX-License-Identifier: MIT */
/* usbmon capture reader (usbmon_capture.h, docs/host-monitor.md "Offline: usbmon captures").
 *
 * Why not libpcap: libpcap (Debian libpcap-dev) would read pcap and pcapng for us, but
 * it reads a whole record into memory whatever its length, it does not read the raw
 * usbmon binary format at all, and its file readers are not what the fuzz target should
 * exercise (we want the bounds of *this* code checked). The container formats are small
 * and stable (pcap 2.4, pcapng 1.0); this reader is ~600 lines, streams with bounded
 * memory, and is covered by fuzz/fuzz_usbmon_capture.c.
 *
 * Bounds: every length read from the file is checked in the function that frames it,
 * before anything is read or skipped (pcap_next, pcapng_next, raw_next for the container,
 * usbmon_record for the usbmon header and its data: the one place data lengths are
 * decided). Data beyond max_data is skipped, not stored. Every loop iteration consumes
 * bytes of the input, so every loop ends at its end.
 */
#include "usbmon_capture.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "../common/bytes.h"
#include "../common/errors.h"

#define LINKTYPE_USB_LINUX          189
#define LINKTYPE_USB_LINUX_MMAPPED  220
#define HDR_LEGACY 48u
#define HDR_MMAPPED 64u

#define DEF_MAX_DATA  (1u << 20)
#define CEIL_MAX_DATA (64u << 20)
#define DEF_MAX_URBS  16384u
#define CEIL_MAX_URBS (1u << 20)

#define PCAPNG_SHB 0x0A0D0D0Au
#define PCAPNG_IDB 1u
#define PCAPNG_OPB 2u      /* obsolete Packet Block */
#define PCAPNG_SPB 3u
#define PCAPNG_EPB 6u
#define PCAPNG_BOM 0x1A2B3C4Du
#define MAX_IFACES 256u
#define OPT_BUF 4096u      /* IDB options parsed (the rest skipped) */

#define XFER_ISO 0
#define XFER_INTR 1
#define XFER_CONTROL 2
#define XFER_BULK 3

struct iface {
	uint16_t linktype;
	uint32_t snaplen;
	bool binary_res;      /* if_tsresol: 2^-exp, else 10^-exp */
	uint8_t exp;
};

struct umc_reader {
	FILE *f;
	uint64_t off;             /* bytes consumed so far */
	uint8_t pre[4];           /* the magic, read before the format was known */
	size_t n_pre, i_pre;
	enum umc_format fmt;
	bool be;                  /* the file (and its usbmon headers) are big-endian */
	bool pcap_ns;
	uint32_t pcap_linktype;
	bool in_section;
	struct iface ifs[MAX_IFACES];
	uint32_t n_ifs;
	uint64_t last_ts;         /* of the last record (an SPB has none) */
	bool have_t0;
	uint64_t t0;
	uint32_t max_data;
	uint8_t *buf;             /* a usbmon header + data: grown on demand up to HDR_MMAPPED + max_data */
	size_t buf_cap;
	struct umc_stats st;
	char err[256];
};

const char *umc_format_name(enum umc_format f)
{
	switch (f) {
	case UMC_FMT_PCAP: return "pcap";
	case UMC_FMT_PCAPNG: return "pcapng";
	case UMC_FMT_USBMON: return "usbmon binary";
	case UMC_FMT_UNKNOWN: break;
	}
	return "unknown";
}

static int fail(struct umc_reader *r, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(struct umc_reader *r, int code, const char *fmt, ...)
{
	va_list ap;
	int k = snprintf(r->err, sizeof(r->err), "offset %" PRIu64 ": ", r->off);

	if (k < 0 || (size_t)k >= sizeof(r->err))
		k = 0;
	va_start(ap, fmt);
	vsnprintf(r->err + k, sizeof(r->err) - (size_t)k, fmt, ap);
	va_end(ap);
	return code;
}

static uint16_t g16(const struct umc_reader *r, const uint8_t *p) { return r->be ? get_be16(p) : get_le16(p); }
static uint32_t g32(const struct umc_reader *r, const uint8_t *p) { return r->be ? get_be32(p) : get_le32(p); }
static uint64_t g64(const struct umc_reader *r, const uint8_t *p)
{
	return r->be ? ((uint64_t)get_be32(p) << 32) | get_be32(p + 4) : get_le64(p);
}

/* Exactly n bytes: 1; 0 when the input ends before the first byte and eof_ok; else an error. */
static int rd(struct umc_reader *r, void *p, size_t n, bool eof_ok, const char *what)
{
	uint8_t *o = p;
	size_t got = 0;

	while (got < n && r->i_pre < r->n_pre)
		o[got++] = r->pre[r->i_pre++];
	if (got < n)
		got += fread(o + got, 1, n - got, r->f);
	r->off += got;
	if (got == n)
		return 1;
	if (ferror(r->f))
		return fail(r, DFK_ERR_IO, "reading %s: %s", what, strerror(errno));
	if (got == 0 && eof_ok)
		return 0;
	return fail(r, DFK_ERR_INVAL, "truncated %s: the file ends %zu bytes into its %zu", what, got, n);
}

/* Consumes n bytes (bounded reads; the loop ends at the end of the input). */
static int skip(struct umc_reader *r, uint64_t n, const char *what)
{
	uint8_t tmp[4096];

	while (n) {
		size_t k = n < sizeof(tmp) ? (size_t)n : sizeof(tmp);
		int rc = rd(r, tmp, k, false, what);
		if (rc <= 0)
			return rc;
		n -= k;
	}
	return 1;
}

static uint64_t rel_time(struct umc_reader *r, uint64_t abs_ns)
{
	r->last_ts = abs_ns;
	if (!r->have_t0) {
		r->have_t0 = true;
		r->t0 = abs_ns;
	}
	return abs_ns >= r->t0 ? abs_ns - r->t0 : 0;
}

static uint64_t mul_sat(uint64_t a, uint64_t b) { return b && a > UINT64_MAX / b ? UINT64_MAX : a * b; }
static uint64_t add_sat(uint64_t a, uint64_t b) { return a > UINT64_MAX - b ? UINT64_MAX : a + b; }

/* ---- the usbmon record: the one place its header and data lengths are checked ---- */

/* A record of caplen bytes whose usbmon header is hdr bytes (48 or 64), already framed by the
 * container; caplen == UINT64_MAX: the raw format, where the header's len_cap gives the data.
 * ts_ns is the container's time, or UINT64_MAX to take the header's. Returns 1 with *ev, 2
 * when the record was skipped (counted), 0 at the end of a raw file, or an error. */
static int usbmon_record(struct umc_reader *r, unsigned hdr, uint64_t caplen, uint64_t ts_ns, struct umc_event *ev)
{
	uint8_t *h = r->buf;
	uint64_t in_file, avail, keep;
	int rc;

	if (caplen != UINT64_MAX && caplen < hdr)
		return fail(r, DFK_ERR_INVAL, "record of %" PRIu64 " bytes is shorter than the %u-byte usbmon header", caplen,
			    hdr);
	rc = rd(r, h, hdr, caplen == UINT64_MAX, "usbmon header");
	if (rc <= 0)
		return rc;
	memset(ev, 0, sizeof(*ev));
	ev->id = g64(r, h);
	ev->type = (char)h[8];
	ev->xfer = h[9];
	ev->ep = h[10];
	ev->devnum = h[11];
	ev->bus = g16(r, h + 12);
	ev->has_setup = h[14] == 0;
	ev->status = (int32_t)g32(r, h + 28);
	ev->length = g32(r, h + 32);
	ev->len_cap = g32(r, h + 36);
	if (ev->has_setup)
		memcpy(ev->setup, h + 40, 8);
	in_file = caplen == UINT64_MAX ? ev->len_cap : caplen - hdr;
	if (caplen == UINT64_MAX && r->st.records == 0 && r->st.anomalies == 0 &&
	    ((ev->type != 'S' && ev->type != 'C' && ev->type != 'E') || ev->xfer > XFER_BULK))
		return fail(r, DFK_ERR_INVAL, "not a capture: no pcap/pcapng magic, and not a usbmon binary record "
					      "(event type 0x%02x, transfer type %u)",
			    (uint8_t)ev->type, ev->xfer);
	if (ts_ns == UINT64_MAX) {
		int64_t sec = (int64_t)g64(r, h + 16);
		int32_t usec = (int32_t)g32(r, h + 24);
		if (sec < 0 || usec < 0 || usec >= 1000000) {
			r->st.anomalies++;
			ts_ns = r->last_ts;
		} else {
			ts_ns = add_sat(mul_sat((uint64_t)sec, 1000000000u), (uint64_t)usec * 1000u);
		}
	}
	ev->t_ns = rel_time(r, ts_ns);

	/* the data: what usbmon captured (len_cap), of which the file holds in_file, of which we keep max_data */
	avail = in_file;
	if (avail > ev->len_cap) {
		r->st.anomalies++;   /* more in the record than usbmon captured: ignore the rest */
		avail = ev->len_cap;
	}
	if (h[15] != 0 || ev->xfer == XFER_ISO)
		avail = 0;           /* no data flagged ('<', '>', 'L', ...); iso data is not judged */
	keep = avail < r->max_data ? avail : r->max_data;
	if (hdr + keep > r->buf_cap) {
		size_t want = r->buf_cap * 2 > hdr + keep ? r->buf_cap * 2 : hdr + (size_t)keep;
		if (want > HDR_MMAPPED + (size_t)r->max_data)
			want = HDR_MMAPPED + (size_t)r->max_data;
		uint8_t *nb = realloc(r->buf, want);
		if (!nb)
			return fail(r, DFK_ERR_NOMEM, "out of memory for a record of %" PRIu64 " bytes", keep);
		r->buf = h = nb;
		r->buf_cap = want;
	}
	if (keep) {
		rc = rd(r, h + hdr, (size_t)keep, false, "usbmon data");
		if (rc <= 0)
			return rc;
	}
	if (in_file > keep) {
		rc = skip(r, in_file - keep, "usbmon data");
		if (rc <= 0)
			return rc;
	}
	if (ev->type != 'S' && ev->type != 'C' && ev->type != 'E') {
		r->st.anomalies++;
		return 2;
	}
	if (ev->xfer > XFER_BULK) {
		r->st.anomalies++;
		return 2;
	}
	ev->data = keep ? h + hdr : NULL;
	ev->data_len = (size_t)keep;
	{
		bool out = !(ev->ep & 0x80);
		bool carries = (ev->type == 'S' && out) || (ev->type == 'C' && !out);
		ev->truncated = carries && keep < ev->length;
	}
	return 1;
}

static bool usb_linktype(uint32_t lt) { return lt == LINKTYPE_USB_LINUX || lt == LINKTYPE_USB_LINUX_MMAPPED; }

/* ---- pcap ---- */

static int pcap_open(struct umc_reader *r)
{
	uint8_t h[20];
	int rc = rd(r, h, sizeof(h), false, "pcap file header");

	if (rc <= 0)
		return rc;
	uint16_t major = g16(r, h), minor = g16(r, h + 2);
	if (major != 2)
		return fail(r, DFK_ERR_INVAL, "pcap version %u.%u is not supported (2.4 is)", major, minor);
	r->pcap_linktype = g32(r, h + 16) & 0x03FFFFFFu;   /* the upper bits: FCS length */
	if (!usb_linktype(r->pcap_linktype))
		return fail(r, DFK_ERR_INVAL,
			    "link type %" PRIu32 " is not Linux usbmon (189 LINKTYPE_USB_LINUX or 220 LINKTYPE_USB_LINUX_MMAPPED): "
			    "capture on a usbmonN interface",
			    r->pcap_linktype);
	r->st.linktype = r->pcap_linktype;
	return 1;
}

static int pcap_next(struct umc_reader *r, struct umc_event *ev)
{
	for (;;) {
		uint8_t h[16];
		int rc = rd(r, h, sizeof(h), true, "pcap record header");
		if (rc <= 0)
			return rc;
		uint32_t sec = g32(r, h), frac = g32(r, h + 4), caplen = g32(r, h + 8), len = g32(r, h + 12);
		r->st.records++;
		if (caplen > len)
			r->st.anomalies++;   /* old libpcap wrote too small a len for mmapped usbmon: tolerated */
		uint64_t ts = add_sat((uint64_t)sec * 1000000000u, r->pcap_ns ? frac : (uint64_t)frac * 1000u);
		rc = usbmon_record(r, r->pcap_linktype == LINKTYPE_USB_LINUX ? HDR_LEGACY : HDR_MMAPPED, caplen, ts, ev);
		if (rc != 2)
			return rc;
	}
}

/* ---- pcapng ---- */

static uint64_t pcapng_ns(const struct iface *i, uint64_t ts)
{
	if (i->binary_res) {
		__extension__ typedef unsigned __int128 u128;
		u128 v = ((u128)ts * 1000000000u) >> i->exp;
		return v > UINT64_MAX ? UINT64_MAX : (uint64_t)v;
	}
	uint64_t p = 1;
	if (i->exp <= 9) {
		for (unsigned k = i->exp; k < 9; k++)
			p *= 10;
		return mul_sat(ts, p);
	}
	for (unsigned k = 9; k < i->exp; k++)
		p *= 10;
	return ts / p;
}

/* The options of an IDB (at most OPT_BUF of them parsed): if_tsresol. */
static int pcapng_idb_options(struct umc_reader *r, struct iface *i, uint64_t n)
{
	uint8_t o[OPT_BUF];
	size_t k = n < sizeof(o) ? (size_t)n : sizeof(o);
	int rc = k ? rd(r, o, k, false, "interface options") : 1;

	if (rc <= 0)
		return rc;
	for (size_t p = 0; p + 4 <= k;) {
		uint16_t code = g16(r, o + p), olen = g16(r, o + p + 2);
		if (code == 0)
			break;
		if (olen > k - p - 4)
			return fail(r, DFK_ERR_INVAL, "interface option %u of %u bytes runs past its block", code, olen);
		if (code == 9 && olen >= 1) {   /* if_tsresol */
			uint8_t v = o[p + 4];
			i->binary_res = v & 0x80;
			i->exp = v & 0x7F;
			if ((i->binary_res && i->exp > 63) || (!i->binary_res && i->exp > 19))
				return fail(r, DFK_ERR_INVAL, "if_tsresol 0x%02x is not supported", v);
		}
		p += 4 + (((size_t)olen + 3u) & ~(size_t)3u);
	}
	return n > k ? skip(r, n - k, "interface options") : 1;
}

static int pcapng_block_end(struct umc_reader *r, uint64_t rest, uint32_t len)
{
	uint8_t t[4];
	int rc = skip(r, rest, "pcapng block");

	if (rc <= 0)
		return rc;
	rc = rd(r, t, 4, false, "pcapng block trailer");
	if (rc <= 0)
		return rc;
	if (g32(r, t) != len)
		return fail(r, DFK_ERR_INVAL, "pcapng block length mismatch: %" PRIu32 " at its start, %" PRIu32 " at its end",
			    len, g32(r, t));
	return 1;
}

static int pcapng_shb(struct umc_reader *r, const uint8_t *raw_len)
{
	uint8_t b[16];
	int rc = rd(r, b, sizeof(b), false, "section header");

	if (rc <= 0)
		return rc;
	if (get_le32(b) == PCAPNG_BOM)
		r->be = false;
	else if (get_be32(b) == PCAPNG_BOM)
		r->be = true;
	else
		return fail(r, DFK_ERR_INVAL, "pcapng section header without its byte-order magic");
	uint32_t len = g32(r, raw_len);
	if (len < 28 || len % 4)
		return fail(r, DFK_ERR_INVAL, "pcapng section header length %" PRIu32 " (at least 28, a multiple of 4)", len);
	if (g16(r, b + 4) != 1)
		return fail(r, DFK_ERR_INVAL, "pcapng version %u.%u is not supported (1.0 is)", g16(r, b + 4), g16(r, b + 6));
	r->in_section = true;
	r->n_ifs = 0;   /* interfaces belong to their section */
	return pcapng_block_end(r, (uint64_t)len - 28, len);
}

static int pcapng_next(struct umc_reader *r, struct umc_event *ev)
{
	for (;;) {
		uint8_t h[8];
		int rc = rd(r, h, sizeof(h), true, "pcapng block header");
		if (rc <= 0)
			return rc;
		uint32_t type = g32(r, h), len = g32(r, h + 4);
		if (type == PCAPNG_SHB) {
			rc = pcapng_shb(r, h + 4);
			if (rc <= 0)
				return rc;
			continue;
		}
		if (!r->in_section)
			return fail(r, DFK_ERR_INVAL, "pcapng block before the section header");
		if (len < 12 || len % 4)
			return fail(r, DFK_ERR_INVAL, "pcapng block type 0x%" PRIx32 " of length %" PRIu32
						      " (at least 12, a multiple of 4)", type, len);
		uint64_t body = (uint64_t)len - 12;
		if (type == PCAPNG_IDB) {
			uint8_t b[8];
			if (body < 8)
				return fail(r, DFK_ERR_INVAL, "pcapng interface block of %" PRIu32 " bytes", len);
			if (r->n_ifs >= MAX_IFACES)
				return fail(r, DFK_ERR_INVAL, "more than %u interfaces in a section", MAX_IFACES);
			rc = rd(r, b, 8, false, "interface description");
			if (rc <= 0)
				return rc;
			struct iface *i = &r->ifs[r->n_ifs];
			*i = (struct iface){ .linktype = g16(r, b), .snaplen = g32(r, b + 4), .exp = 6 };
			rc = pcapng_idb_options(r, i, body - 8);
			if (rc <= 0)
				return rc;
			if (usb_linktype(i->linktype) && !r->st.linktype)
				r->st.linktype = i->linktype;
			r->n_ifs++;
			rc = pcapng_block_end(r, 0, len);
			if (rc <= 0)
				return rc;
			continue;
		}
		if (type != PCAPNG_EPB && type != PCAPNG_OPB && type != PCAPNG_SPB) {
			rc = pcapng_block_end(r, body, len);   /* statistics, name resolution, custom ...: skipped */
			if (rc <= 0)
				return rc;
			continue;
		}
		uint8_t b[20];
		uint32_t ifid, caplen;
		uint64_t ts = UINT64_MAX, fixed = type == PCAPNG_SPB ? 4 : 20;
		if (body < fixed)
			return fail(r, DFK_ERR_INVAL, "pcapng packet block of %" PRIu32 " bytes", len);
		rc = rd(r, b, (size_t)fixed, false, "packet block");
		if (rc <= 0)
			return rc;
		if (type == PCAPNG_SPB) {
			ifid = 0;
			caplen = body - 4 < g32(r, b) ? (uint32_t)(body - 4) : g32(r, b);
			if (r->n_ifs && r->ifs[0].snaplen && caplen > r->ifs[0].snaplen)
				caplen = r->ifs[0].snaplen;
		} else {
			ifid = type == PCAPNG_EPB ? g32(r, b) : g16(r, b);
			caplen = g32(r, b + 12);
			if (caplen > g32(r, b + 16))
				r->st.anomalies++;
			if (caplen > body - 20)
				return fail(r, DFK_ERR_INVAL, "packet of %" PRIu32 " captured bytes in a block of %" PRIu32, caplen,
					    len);
		}
		if (ifid >= r->n_ifs)
			return fail(r, DFK_ERR_INVAL, "packet of interface %" PRIu32 ", which the section does not describe", ifid);
		const struct iface *i = &r->ifs[ifid];
		if (type != PCAPNG_SPB)
			ts = pcapng_ns(i, ((uint64_t)g32(r, b + 4) << 32) | g32(r, b + 8));
		r->st.records++;
		if (!usb_linktype(i->linktype)) {
			r->st.other_records++;
			rc = pcapng_block_end(r, body - fixed, len);
			if (rc <= 0)
				return rc;
			continue;
		}
		int got = usbmon_record(r, i->linktype == LINKTYPE_USB_LINUX ? HDR_LEGACY : HDR_MMAPPED, caplen,
					ts == UINT64_MAX ? r->last_ts : ts, ev);
		if (got < 0)
			return got;
		rc = pcapng_block_end(r, body - fixed - caplen, len);
		if (rc <= 0)
			return rc;
		if (got == 1)
			return 1;
	}
}

/* ---- raw usbmon binary ---- */

static int raw_next(struct umc_reader *r, struct umc_event *ev)
{
	for (;;) {
		int rc = usbmon_record(r, HDR_MMAPPED, UINT64_MAX, UINT64_MAX, ev);
		if (rc <= 0) {
			if (rc < 0 && r->st.records == 0 && r->st.anomalies == 0 && !strstr(r->err, "not a capture"))
				fail(r, rc, "not a capture: no pcap/pcapng magic, and not a usbmon binary record (%s)",
				     rc == DFK_ERR_IO ? "read error" : "shorter than its 64-byte header and data");
			return rc;
		}
		r->st.records++;
		if (rc == 1)
			return 1;
	}
}

/* ---- the reader ---- */

struct umc_reader *umc_reader_new(FILE *f, const struct umc_options *opt, char *err, size_t errlen)
{
	struct umc_reader *r;
	uint32_t max_data = opt && opt->max_data ? opt->max_data : DEF_MAX_DATA;
	int rc;

	if (err && errlen)
		err[0] = '\0';
	if (!f || max_data > CEIL_MAX_DATA) {
		if (err && errlen)
			snprintf(err, errlen, "invalid arguments (max_data at most %u)", CEIL_MAX_DATA);
		return NULL;
	}
	r = calloc(1, sizeof(*r));
	if (r)
		r->buf = malloc(r->buf_cap = 4096);
	if (!r || !r->buf) {
		if (err && errlen)
			snprintf(err, errlen, "out of memory");
		if (r)
			free(r);
		return NULL;
	}
	r->f = f;
	r->max_data = max_data;
	rc = rd(r, r->pre, 4, true, "file header");
	if (rc > 0) {
		uint32_t le = get_le32(r->pre), be = get_be32(r->pre);
		if (le == 0xA1B2C3D4u || be == 0xA1B2C3D4u || le == 0xA1B23C4Du || be == 0xA1B23C4Du) {
			r->fmt = UMC_FMT_PCAP;
			r->be = be == 0xA1B2C3D4u || be == 0xA1B23C4Du;
			r->pcap_ns = le == 0xA1B23C4Du || be == 0xA1B23C4Du;
			rc = pcap_open(r);
		} else if (le == PCAPNG_SHB) {
			r->fmt = UMC_FMT_PCAPNG;
			uint8_t l[4];
			rc = rd(r, l, 4, false, "section header");
			if (rc > 0)
				rc = pcapng_shb(r, l);
		} else {
			r->fmt = UMC_FMT_USBMON;   /* checked by its first record */
			r->n_pre = 4;
			r->off = 0;
			rc = 1;
		}
	}
	r->st.format = r->fmt;
	if (rc <= 0) {
		if (rc == 0)
			fail(r, DFK_ERR_INVAL, "empty file");
		if (err && errlen)
			snprintf(err, errlen, "%s", r->err);
		umc_reader_free(r);
		return NULL;
	}
	return r;
}

void umc_reader_free(struct umc_reader *r)
{
	if (!r)
		return;
	free(r->buf);
	free(r);
}

int umc_reader_next(struct umc_reader *r, struct umc_event *ev)
{
	if (!r || !ev)
		return DFK_ERR_INVAL;
	if (r->err[0])
		return DFK_ERR_INVAL;   /* an error is final */
	int rc = r->fmt == UMC_FMT_PCAP ? pcap_next(r, ev) : r->fmt == UMC_FMT_PCAPNG ? pcapng_next(r, ev) : raw_next(r, ev);
	if (rc == 1) {   /* counted when delivered (a pcapng block may still fail after its record) */
		r->st.events++;
		if (ev->truncated)
			r->st.truncated++;
	}
	return rc;
}

const char *umc_reader_error(const struct umc_reader *r) { return r ? r->err : "no reader"; }
const struct umc_stats *umc_reader_stats(const struct umc_reader *r) { return r ? &r->st : NULL; }

/* ---- URB ids (64-bit, reused by the kernel as addresses) to 32-bit seqs ---- */

struct slot {
	bool used;
	uint64_t id;
	uint32_t seq;
	uint8_t ep, xfer;
	bool flag;
};

struct urbmap {
	struct slot *tab;
	uint32_t mask, n, max;
};

/* Starts with 64 slots and doubles while more than half are used, up to 2 x max (or more). */
static int map_init(struct urbmap *mp, uint32_t max)
{
	mp->tab = calloc(64, sizeof(*mp->tab));
	mp->mask = 63;
	mp->n = 0;
	mp->max = max;
	return mp->tab ? 0 : DFK_ERR_NOMEM;
}

static uint32_t map_hash(const struct urbmap *mp, uint64_t id)
{
	return (uint32_t)((id * 0x9E3779B97F4A7C15ull) >> 32) & mp->mask;
}

static long map_find(const struct urbmap *mp, uint64_t id)
{
	for (uint32_t i = map_hash(mp, id), k = 0; k <= mp->mask; i = (i + 1) & mp->mask, k++) {
		if (!mp->tab[i].used)
			return -1;
		if (mp->tab[i].id == id)
			return i;
	}
	return -1;
}

static bool map_grow(struct urbmap *mp)
{
	uint32_t cap = (mp->mask + 1) * 2;
	struct slot *old = mp->tab, *t = calloc(cap, sizeof(*t));

	if (!t)
		return false;
	uint32_t old_cap = mp->mask + 1;
	mp->tab = t;
	mp->mask = cap - 1;
	for (uint32_t k = 0; k < old_cap; k++) {
		if (!old[k].used)
			continue;
		uint32_t i = map_hash(mp, old[k].id);
		while (mp->tab[i].used)
			i = (i + 1) & mp->mask;
		mp->tab[i] = old[k];
	}
	free(old);
	return true;
}

/* false when max are tracked (or no memory to grow): the caller counts it */
static bool map_insert(struct urbmap *mp, const struct slot *s)
{
	if (mp->n >= mp->max)
		return false;
	if ((mp->n + 1) * 2 > mp->mask + 1 && !map_grow(mp))
		return false;
	uint32_t i = map_hash(mp, s->id);
	while (mp->tab[i].used)
		i = (i + 1) & mp->mask;   /* ends: at most half the table is used */
	mp->tab[i] = *s;
	mp->tab[i].used = true;
	mp->n++;
	return true;
}

/* Linear probing with backward-shift deletion (no tombstones). */
static void map_remove(struct urbmap *mp, uint32_t i)
{
	uint32_t j = i;

	mp->tab[i].used = false;
	mp->n--;
	for (;;) {
		j = (j + 1) & mp->mask;
		if (!mp->tab[j].used)
			return;
		uint32_t h = map_hash(mp, mp->tab[j].id);
		/* move j back to i unless its home h lies cyclically in (i, j] */
		bool stays = i <= j ? (h > i && h <= j) : (h > i || h <= j);
		if (!stays) {
			mp->tab[i] = mp->tab[j];
			mp->tab[j].used = false;
			i = j;
		}
	}
}

/* ---- the feeder ---- */

struct umc_feeder {
	struct host_monitor *m;
	uint16_t bus;
	uint8_t devnum;
	struct urbmap map;
	uint32_t next_seq;
	struct umc_stats st;
};

struct umc_feeder *umc_feeder_new(struct host_monitor *m, uint16_t bus, uint8_t devnum, uint32_t max_urbs)
{
	struct umc_feeder *fd;

	if (!m || max_urbs > CEIL_MAX_URBS)
		return NULL;
	fd = calloc(1, sizeof(*fd));
	if (!fd)
		return NULL;
	if (map_init(&fd->map, max_urbs ? max_urbs : DEF_MAX_URBS) != 0) {
		free(fd);
		return NULL;
	}
	fd->m = m;
	fd->bus = bus;
	fd->devnum = devnum;
	fd->next_seq = 1;
	fd->st.bus = bus;
	fd->st.devnum = devnum;
	return fd;
}

void umc_feeder_free(struct umc_feeder *fd)
{
	if (!fd)
		return;
	free(fd->map.tab);
	free(fd);
}

static uint8_t hm_type(uint8_t xfer)
{
	switch (xfer) {
	case XFER_ISO: return HM_XFER_ISO;
	case XFER_INTR: return HM_XFER_INTERRUPT;
	case XFER_CONTROL: return HM_XFER_CONTROL;
	default: return HM_XFER_BULK;
	}
}

int umc_feeder_event(struct umc_feeder *fd, const struct umc_event *ev)
{
	long i;

	if (!fd || !ev)
		return DFK_ERR_INVAL;
	if (ev->bus != fd->bus || ev->devnum != fd->devnum)
		return DFK_OK;
	fd->st.device_events++;
	fd->st.duration_ns = ev->t_ns;
	i = map_find(&fd->map, ev->id);
	if (ev->type == 'S') {
		if (i >= 0) {
			fd->st.id_reuse++;   /* the completion of the earlier URB at this address was lost */
			map_remove(&fd->map, (uint32_t)i);
		}
		struct slot s = { .id = ev->id, .seq = fd->next_seq, .ep = ev->ep, .xfer = ev->xfer };
		if (!map_insert(&fd->map, &s)) {
			fd->st.untracked++;
			return DFK_OK;
		}
		fd->next_seq = fd->next_seq == UINT32_MAX ? 1 : fd->next_seq + 1;
		struct hm_urb u = { .seq = s.seq, .ep = ev->ep, .type = hm_type(ev->xfer), .length = ev->length };
		if (ev->has_setup)
			memcpy(u.setup, ev->setup, sizeof(u.setup));
		if (!(ev->ep & 0x80) && ev->data_len) {
			u.data = ev->data;
			u.data_len = ev->data_len;
		}
		fd->st.submits++;
		return host_monitor_submit(fd->m, ev->t_ns, &u);
	}
	if (i < 0) {
		fd->st.unknown_urbs++;   /* submitted before the capture began */
		return DFK_OK;
	}
	struct slot s = fd->map.tab[i];
	map_remove(&fd->map, (uint32_t)i);
	if (ev->type == 'E') {
		fd->st.submit_errors++;
		return host_monitor_complete_partial(fd->m, ev->t_ns, s.seq, ev->status, 0, NULL, 0);
	}
	fd->st.completions++;
	if (ev->ep & 0x80)
		return host_monitor_complete_partial(fd->m, ev->t_ns, s.seq, ev->status, ev->length, ev->data, ev->data_len);
	return host_monitor_complete_partial(fd->m, ev->t_ns, s.seq, ev->status, ev->length, NULL, 0);
}

void umc_feeder_stats(const struct umc_feeder *fd, struct umc_stats *st)
{
	if (!fd || !st)
		return;
	st->bus = fd->bus;
	st->devnum = fd->devnum;
	st->device_events = fd->st.device_events;
	st->submits = fd->st.submits;
	st->completions = fd->st.completions;
	st->submit_errors = fd->st.submit_errors;
	st->unknown_urbs = fd->st.unknown_urbs;
	st->id_reuse = fd->st.id_reuse;
	st->untracked = fd->st.untracked;
	st->pending_at_end = fd->map.n;
	st->duration_ns = fd->st.duration_ns;
}

/* ---- choosing the device ---- */

static bool config_has_u3v(const uint8_t *d, size_t n)
{
	for (size_t i = 0; i + 2 <= n;) {
		uint8_t bl = d[i];
		if (bl < 2 || bl > n - i)
			return false;
		if (d[i + 1] == 4 && bl >= 9 && d[i + 5] == 0xEF && d[i + 6] == 0x05)
			return true;
		i += bl;
	}
	return false;
}

static struct umc_device *device_of(struct umc_stats *st, uint16_t bus, uint8_t devnum)
{
	for (size_t k = 0; k < st->n_devices; k++)
		if (st->devices[k].bus == bus && st->devices[k].devnum == devnum)
			return &st->devices[k];
	if (st->n_devices == UMC_MAX_DEVICES)
		return NULL;
	st->devices[st->n_devices] = (struct umc_device){ .bus = bus, .devnum = devnum };
	return &st->devices[st->n_devices++];
}

static void scan_event(struct umc_stats *st, struct urbmap *cfg_reqs, const struct umc_event *ev)
{
	struct umc_device *d = device_of(st, ev->bus, ev->devnum);

	if (!d) {
		st->more_devices++;
		return;
	}
	d->events++;
	long i = map_find(cfg_reqs, ev->id);
	if (ev->type == 'S') {
		if (i >= 0)
			map_remove(cfg_reqs, (uint32_t)i);
		if (ev->xfer == XFER_CONTROL && ev->has_setup && ev->setup[0] == 0x80 && ev->setup[1] == 6 &&
		    ev->setup[3] == 2) {
			struct slot s = { .id = ev->id };
			map_insert(cfg_reqs, &s);   /* full: that request is not looked at */
		}
		if (ev->xfer == XFER_BULK && !(ev->ep & 0x80) && ev->data_len >= 4 && !memcmp(ev->data, "U3VC", 4))
			d->u3v = true;
	} else if (i >= 0) {
		map_remove(cfg_reqs, (uint32_t)i);
		if (ev->type == 'C' && ev->status == 0 && config_has_u3v(ev->data, ev->data_len))
			d->u3v = true;
	}
}

static int choose(const struct umc_stats *st, uint16_t *bus, uint8_t *devnum, char *err, size_t errlen)
{
	char list[256];
	size_t k = 0, n_u3v = 0;

	list[0] = '\0';
	for (size_t i = 0; i < st->n_devices; i++) {
		const struct umc_device *d = &st->devices[i];
		if (d->u3v) {
			n_u3v++;
			*bus = d->bus;
			*devnum = d->devnum;
		}
		if (k < sizeof(list)) {
			int w = snprintf(list + k, sizeof(list) - k, "%s%u:%u%s (%" PRIu64 " events)", i ? ", " : "", d->bus,
					 d->devnum, d->u3v ? " U3V" : "", d->events);
			k = w < 0 ? sizeof(list) : k + (size_t)w;
		}
	}
	if (n_u3v == 1)
		return 0;
	if (n_u3v == 0)
		snprintf(err, errlen, "no USB3 Vision device in the capture (devices: %s); choose one with --device BUS:DEV",
			 st->n_devices ? list : "none");
	else
		snprintf(err, errlen, "%zu USB3 Vision devices in the capture (%s): choose one with --device BUS:DEV", n_u3v,
			 list);
	return DFK_ERR_INVAL;
}

/* ---- the whole capture ---- */

static void merge_reader_stats(struct umc_stats *st, const struct umc_stats *rs)
{
	st->format = rs->format;
	st->linktype = rs->linktype;
	st->records = rs->records;
	st->other_records = rs->other_records;
	st->events = rs->events;
	st->truncated = rs->truncated;
	st->anomalies = rs->anomalies;
}

int umc_analyze(FILE *f, const struct umc_options *opt, struct host_monitor *m, struct umc_stats *st, char *err,
		size_t errlen)
{
	static const struct umc_options def;
	struct umc_stats local;
	struct umc_event ev;
	struct umc_reader *r;
	struct umc_feeder *fd;
	uint16_t bus;
	uint8_t devnum;
	int rc;

	if (!opt)
		opt = &def;
	if (!st)
		st = &local;
	memset(st, 0, sizeof(*st));
	if (err && errlen)
		err[0] = '\0';
	if (!f || !m || !err || !errlen || opt->max_urbs > CEIL_MAX_URBS) {
		if (err && errlen)
			snprintf(err, errlen, "invalid arguments");
		return DFK_ERR_INVAL;
	}
	bus = opt->bus;
	devnum = opt->devnum;

	if (!opt->select_device) {
		struct urbmap cfg_reqs;
		long start = ftell(f);
		if (start < 0) {
			snprintf(err, errlen, "the input cannot be read twice (a pipe?): choose the device with --device BUS:DEV");
			return DFK_ERR_INVAL;
		}
		r = umc_reader_new(f, opt, err, errlen);
		if (!r)
			return DFK_ERR_INVAL;
		if (map_init(&cfg_reqs, 1024) != 0) {
			umc_reader_free(r);
			snprintf(err, errlen, "out of memory");
			return DFK_ERR_NOMEM;
		}
		while ((rc = umc_reader_next(r, &ev)) > 0)
			scan_event(st, &cfg_reqs, &ev);
		free(cfg_reqs.tab);
		merge_reader_stats(st, umc_reader_stats(r));
		if (rc < 0) {
			snprintf(err, errlen, "%s", umc_reader_error(r));
			umc_reader_free(r);
			return rc;
		}
		umc_reader_free(r);
		rc = choose(st, &bus, &devnum, err, errlen);
		if (rc < 0)
			return rc;
		if (fseek(f, start, SEEK_SET) != 0) {
			snprintf(err, errlen, "cannot rewind the input: %s", strerror(errno));
			return DFK_ERR_IO;
		}
	}

	r = umc_reader_new(f, opt, err, errlen);
	if (!r)
		return DFK_ERR_INVAL;
	fd = umc_feeder_new(m, bus, devnum, opt->max_urbs);
	if (!fd) {
		umc_reader_free(r);
		snprintf(err, errlen, "out of memory");
		return DFK_ERR_NOMEM;
	}
	while ((rc = umc_reader_next(r, &ev)) > 0) {
		if (opt->select_device) {
			struct umc_device *d = device_of(st, ev.bus, ev.devnum);
			if (d)
				d->events++;
			else
				st->more_devices++;
		}
		int frc = umc_feeder_event(fd, &ev);
		if (frc < 0) {
			rc = frc;
			snprintf(err, errlen, "the monitor refused an event: %d", frc);
			break;
		}
	}
	if (rc < 0 && !err[0])
		snprintf(err, errlen, "%s", umc_reader_error(r));
	merge_reader_stats(st, umc_reader_stats(r));
	umc_feeder_stats(fd, st);
	umc_feeder_free(fd);
	umc_reader_free(r);
	if (rc >= 0 && st->device_events == 0) {
		snprintf(err, errlen, "no events of device %u:%u in the capture", bus, devnum);
		return DFK_ERR_NOTFOUND;
	}
	return rc < 0 ? rc : DFK_OK;
}
