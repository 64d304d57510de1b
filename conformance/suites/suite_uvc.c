/* SPDX-License-Identifier: MIT */
/* uvc suite: the camera's USB Video Class face (dfk-emu --interface uvc, or a real
 * DFK 38UX267 switched to UVC) against the UVC 1.5 specification (descriptors,
 * probe/commit, controls, payload headers: usb.org "UVC 1.5 Class specification"
 * and "USB_Video_Payload_Uncompressed_1.5") and the manual: its UVC formats and
 * frame rates (pixelformats.tsv, framerate.tsv) and its Video4Linux2 controls
 * (v4l2.ini), found through the extension-unit mapping file (--uvc-map). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conform.h"
#include "framecheck.h"
#include "uvcdev.h"
#include "uvcfix.h"

#define BULK_TIMEOUT_MS 3000
#define CAPTURE_FRAMES 3

static struct uvc_layout L;
static int layout_rc;
static struct uvcfix FX;
static char fx_err[512];
static int fx_rc;

static int suite_init(void)
{
	layout_rc = uvc_layout_parse(session->dev.config, session->dev.config_len, &L);
	fx_rc = uvcfix_load(session->fixtures_dir, session->uvc_map, &FX, fx_err, sizeof(fx_err));
	return 0;
}

#define REQUIRE_LAYOUT() REQUIRE_MSG(layout_rc == 0, "configuration descriptor: %s", L.problem)
#define REQUIRE_FIXTURES() REQUIRE_MSG(fx_rc == 0, "expectations: %s", fx_err)

static struct xport *X(void) { return session->x; }
static uint8_t vc_if(void) { return (uint8_t)L.vc_if; }

/* The descriptor of interface `num` alternate setting 0 in the configuration, or NULL. */
static const uint8_t *interface_desc(int num)
{
	const uint8_t *c = session->dev.config;
	int len = session->dev.config_len;

	for (int off = 0; off + 2 <= len && c[off] >= 2; off += c[off])
		if (c[off + 1] == USB_DESC_INTERFACE && c[off] >= 9 && c[off + 2] == num && c[off + 3] == 0)
			return c + off;
	return NULL;
}

static const struct uvc_entity *entity_of(uint8_t subtype)
{
	for (unsigned i = 0; i < L.n_entities; i++)
		if (L.entities[i].subtype == subtype)
			return &L.entities[i];
	return NULL;
}

static const struct uvc_entity *streaming_ot(void)
{
	for (unsigned i = 0; i < L.n_entities; i++)
		if (L.entities[i].subtype == UVC_VC_OUTPUT_TERMINAL && L.entities[i].terminal_type == UVC_TT_STREAMING)
			return &L.entities[i];
	return NULL;
}

static bool bit_set(const uint8_t *bm, unsigned nbytes, unsigned bit)
{
	return bit / 8 < nbytes && (bm[bit / 8] >> (bit % 8) & 1);
}

/* ---- descriptors ------------------------------------------------------------------------- */

/* UVC 1.5 3.6 and the IAD ECN: an interface association (class 0e/03) groups the VC interface
 * and its VS interfaces, and comes before them; the device is then class ef/02/01. */
static void test_interface_association(void)
{
	const uint8_t *d = session->dev.dev_desc;

	REQUIRE_LAYOUT();
	REQUIRE_MSG(L.iad, "no interface association descriptor with function class 0e");
	CHECK_MSG(L.iad[0] == 8, "IAD bLength %u", L.iad[0]);
	CHECK_MSG(L.iad[5] == UVC_SC_VIDEO_INTERFACE_COLLECTION && L.iad[6] == 0,
		  "IAD function subclass/protocol %02x/%02x, expected 03/00", L.iad[5], L.iad[6]);
	CHECK_MSG(L.iad[2] == L.vc_if, "IAD bFirstInterface %u, the VC interface is %d", L.iad[2], L.vc_if);
	REQUIRE_MSG(L.vc_header, "no VC header");
	CHECK_MSG(L.iad[3] == 1 + L.vc_header[11], "IAD bInterfaceCount %u, VC + %u VS interfaces", L.iad[3],
		  L.vc_header[11]);
	const uint8_t *vc = interface_desc(L.vc_if);
	CHECK_MSG(vc && L.iad < vc, "the IAD must come before the interfaces it groups");
	CHECK_MSG(d[4] == 0xEF && d[5] == 0x02 && d[6] == 0x01, "device class %02x/%02x/%02x, expected ef/02/01 with an IAD",
		  d[4], d[5], d[6]);
}

/* 3.7.2: the class-specific VC header: its length, the total of the VC descriptors, the
 * streaming interfaces of the collection, the clock of the payload timestamps. */
static void test_vc_header(void)
{
	REQUIRE_LAYOUT();
	REQUIRE_MSG(L.vc_header, "no class-specific VC interface header");
	const uint8_t *h = L.vc_header, n = h[11];
	uint16_t bcd = rd_le16(h + 3);

	CHECK_MSG(bcd == 0x0100 || bcd == 0x0110 || bcd == 0x0150, "bcdUVC %04x", bcd);
	CHECK_MSG(h[0] == 12 + n, "VC header bLength %u, 12 + bInCollection %u", h[0], n);
	CHECK_MSG(rd_le16(h + 5) == L.vc_cs_bytes, "VC header wTotalLength %u, the class-specific VC descriptors are %u bytes",
		  rd_le16(h + 5), L.vc_cs_bytes);
	CHECK_MSG(rd_le32(h + 7) != 0, "dwClockFrequency 0");
	CHECK_MSG(n >= 1, "bInCollection 0: no streaming interface");
	for (unsigned i = 0; i < n && 12u + i < h[0]; i++) {
		const uint8_t *intf = interface_desc(h[12 + i]);
		CHECK_MSG(intf && intf[5] == UVC_CC_VIDEO && intf[6] == UVC_SC_VIDEOSTREAMING,
			  "baInterfaceNr[%u] = %u is no VideoStreaming interface", i, h[12 + i]);
	}
	const uint8_t *vc = interface_desc(L.vc_if);
	REQUIRE_MSG(vc, "VC interface descriptor");
	CHECK_MSG(vc[7] == (bcd >= 0x0150 ? 0x01 : 0x00) || vc[7] == 0x00, "VC bInterfaceProtocol %u", vc[7]);
}

/* 3.7.2.1-3.7.2.7: unique unit and terminal ids, every input pin names one of them, and the
 * streaming output terminal leads back to the camera terminal through the processing and
 * extension units (one chain, no loop). */
static void test_unit_chain(void)
{
	REQUIRE_LAYOUT();
	for (unsigned i = 0; i < L.n_entities; i++) {
		const struct uvc_entity *e = &L.entities[i];
		CHECK_MSG(e->id != 0, "entity subtype %u has id 0", e->subtype);
		for (unsigned j = 0; j < i; j++)
			CHECK_MSG(L.entities[j].id != e->id, "id %u used twice", e->id);
		for (unsigned k = 0; k < e->n_sources; k++)
			CHECK_MSG(uvc_entity_find(&L, e->sources[k]), "entity %u: source %u does not exist", e->id,
				  e->sources[k]);
	}
	const struct uvc_entity *ot = streaming_ot(), *e = ot;
	REQUIRE_MSG(ot, "no output terminal of type USB streaming (0101)");
	bool pu = false, xu = false;
	unsigned steps = 0;
	while (e && e->subtype != UVC_VC_INPUT_TERMINAL && steps++ <= L.n_entities) {
		pu |= e->subtype == UVC_VC_PROCESSING_UNIT;
		xu |= e->subtype == UVC_VC_EXTENSION_UNIT;
		REQUIRE_MSG(e->n_sources == 1, "entity %u has %u input pins on the camera's chain", e->id, e->n_sources);
		e = uvc_entity_find(&L, e->sources[0]);
	}
	REQUIRE_MSG(e && steps <= L.n_entities, "the streaming terminal's chain ends nowhere or loops");
	CHECK_MSG(e->terminal_type == UVC_ITT_CAMERA, "the chain starts at input terminal %u of type %04x, not a camera",
		  e->id, e->terminal_type);
	CHECK_MSG(pu && xu, "the chain holds %s processing unit and %s extension unit", pu ? "a" : "no", xu ? "an" : "no");
	/* the camera terminal and the processing unit: their lengths, and the controls the manual's V4L2 names need */
	const uint8_t *ct = e->desc;
	CHECK_MSG(ct[0] >= 15 && ct[0] == 15 + ct[14], "camera terminal bLength %u, 15 + bControlSize %u", ct[0],
		  ct[0] >= 15 ? ct[14] : 0);
	const struct uvc_entity *p = entity_of(UVC_VC_PROCESSING_UNIT);
	REQUIRE_MSG(p, "no processing unit");
	const uint8_t *d = p->desc;
	REQUIRE_MSG(d[0] >= 8, "processing unit of %u bytes", d[0]);
	unsigned n = d[7], want = (L.bcd_uvc >= 0x0110 ? 10 : 9) + n;
	CHECK_MSG(d[0] == want, "processing unit bLength %u, expected %u for bControlSize %u", d[0], want, n);
	static const struct {
		unsigned bit;
		const char *name;
	} pu_bits[] = { { 0, "Brightness" }, { 2, "Hue" }, { 3, "Saturation" }, { 5, "Gamma" },
			{ 6, "White Balance Temperature" } };
	for (size_t i = 0; i < sizeof(pu_bits) / sizeof(pu_bits[0]); i++)
		CHECK_MSG(d[0] >= 8 + n && bit_set(d + 8, n, pu_bits[i].bit), "processing unit lacks %s (bmControls bit %u)",
			  pu_bits[i].name, pu_bits[i].bit);
}

/* 3.7.2.6: the extension unit: The Imaging Source's GUID, one input pin, its length, as many
 * controls as bits, and a bit for every selector the mapping file uses. */
static void test_extension_unit(void)
{
	REQUIRE_LAYOUT();
	REQUIRE_FIXTURES();
	const struct uvc_entity *x = uvc_entity_find(&L, FX.xu_unit);
	REQUIRE_MSG(x && x->subtype == UVC_VC_EXTENSION_UNIT, "no extension unit with id %u (the mapping file's unit)",
		    FX.xu_unit);
	const uint8_t *d = x->desc;
	unsigned p = d[21];
	REQUIRE_MSG(d[0] >= 24 + p, "extension unit of %u bytes for %u pins", d[0], p);
	unsigned n = d[22 + p];
	CHECK_MSG(memcmp(d + 4, FX.xu_guid, 16) == 0, "guidExtensionCode is not the mapping file's");
	CHECK_MSG(p == 1, "bNrInPins %u: Linux's uvcvideo takes an extension unit with one input pin only", p);
	CHECK_MSG(d[0] == 24 + p + n, "extension unit bLength %u, 24 + %u pins + bControlSize %u", d[0], p, n);
	REQUIRE_MSG(d[0] >= 23 + p + n, "bmControls beyond the descriptor");
	unsigned bits = 0;
	for (unsigned i = 0; i < n; i++)
		bits += (unsigned)__builtin_popcount(d[23 + p + i]);
	CHECK_MSG(bits == d[20], "bNumControls %u, bmControls has %u bits set", d[20], bits);
	for (unsigned i = 0; i < FX.n_controls; i++) {
		const struct uvcfix_control *c = &FX.controls[i];
		if (c->where == UVCFIX_XU)
			CHECK_MSG(bit_set(d + 23 + p, n, c->selector - 1u), "%s: selector 0x%02x not in bmControls", c->name,
				  c->selector);
	}
}

/* 3.9.2.1: the VS input header: its length for its formats, the total of the VS descriptors,
 * the bulk endpoint and the terminal it streams from. 2.4.3: one alternate setting = bulk. */
static void test_vs_input_header(void)
{
	REQUIRE_LAYOUT();
	REQUIRE_MSG(L.vs_if >= 0 && L.vs_header, "no VideoStreaming interface with an input header");
	const uint8_t *h = L.vs_header;
	unsigned p = h[3], n = h[12];
	CHECK_MSG(h[0] == 13 + p * n, "VS input header bLength %u, 13 + %u formats x bControlSize %u", h[0], p, n);
	CHECK_MSG(p == L.n_formats, "bNumFormats %u, %u format descriptors follow", p, L.n_formats);
	CHECK_MSG(rd_le16(h + 4) == L.vs_cs_bytes, "VS input header wTotalLength %u, the class-specific VS descriptors are %u bytes",
		  rd_le16(h + 4), L.vs_cs_bytes);
	REQUIRE_MSG(L.vs_ep, "no endpoint in the VS interface");
	CHECK_MSG(h[6] == L.vs_ep[2], "bEndpointAddress %02x, the VS endpoint is %02x", h[6], L.vs_ep[2]);
	const struct uvc_entity *ot = streaming_ot();
	CHECK_MSG(ot && h[8] == ot->id, "bTerminalLink %u, the streaming output terminal is %u", h[8], ot ? ot->id : 0);
	CHECK_MSG(L.vs_alt_settings == 1, "%u alternate settings: a bulk VS interface has one", L.vs_alt_settings);
	for (unsigned i = 0; i < L.n_formats; i++)
		CHECK_MSG(L.formats[i].n_colour_matching <= 1, "format %u: %u colour matching descriptors (3.9.2.6: one at most)",
			  L.formats[i].index, L.formats[i].n_colour_matching);
}

/* 2.4.3 and USB 3.2 9.6.6: a bulk IN endpoint, 1024-byte packets at SuperSpeed with its
 * companion; the optional status endpoint is interrupt IN (3.8.2.2). */
static void test_endpoints(void)
{
	REQUIRE_LAYOUT();
	REQUIRE_MSG(L.vs_ep, "no VS endpoint");
	const uint8_t *e = L.vs_ep;
	CHECK_MSG((e[3] & 3) == 2 && (e[2] & USB_DIR_IN), "VS endpoint %02x attributes %02x: bulk IN expected", e[2], e[3]);
	if (rd_le16(session->dev.dev_desc + 2) >= 0x0300) {
		CHECK_MSG(rd_le16(e + 4) == 1024, "VS wMaxPacketSize %u at SuperSpeed", rd_le16(e + 4));
		CHECK_MSG(L.vs_ep_companion != NULL, "no SuperSpeed endpoint companion after the VS endpoint");
	}
	if (L.status_ep) {
		const uint8_t *s = L.status_ep;
		CHECK_MSG((s[3] & 3) == 3 && (s[2] & USB_DIR_IN) && rd_le16(s + 4) >= 8 && s[6] != 0,
			  "status endpoint %02x: interrupt IN, wMaxPacketSize >= 8, bInterval != 0 expected", s[2]);
	}
}

static const struct uvcfix_format *manual_format_of(const uint8_t guid[16])
{
	for (unsigned i = 0; i < FX.n_formats; i++) {
		uint8_t g[16];
		if (FX.formats[i].fourcc[0] && uvc_guid_of_fourcc(FX.formats[i].fourcc, g) && memcmp(g, guid, 16) == 0)
			return &FX.formats[i];
	}
	return NULL;
}

/* 3.9.2.2 (payload spec 3.1.1): one uncompressed format per UVC FourCC of the manual's 5.1.1
 * table and none else, indexed 1..n, with the manual's bits per pixel. */
static void test_formats(void)
{
	REQUIRE_LAYOUT();
	REQUIRE_FIXTURES();
	bool seen[UVCFIX_MAX_FORMATS] = { false };
	for (unsigned i = 0; i < L.n_formats; i++) {
		const struct uvc_format *f = &L.formats[i];
		CHECK_MSG(f->desc[0] == 27, "format %u bLength %u", f->index, f->desc[0]);
		CHECK_MSG(f->index == i + 1, "format descriptor %u has bFormatIndex %u", i + 1, f->index);
		CHECK_MSG(f->n_frames_declared == f->n_frames, "format %u: bNumFrameDescriptors %u, %u follow", f->index,
			  f->n_frames_declared, f->n_frames);
		CHECK_MSG(f->default_frame >= 1 && f->default_frame <= f->n_frames, "format %u: bDefaultFrameIndex %u", f->index,
			  f->default_frame);
		const struct uvcfix_format *m = manual_format_of(f->guid);
		CHECK_MSG(m, "format %u: a GUID (%02x%02x%02x%02x...) that is none of the manual's UVC formats", f->index,
			  f->guid[0], f->guid[1], f->guid[2], f->guid[3]);
		if (!m)
			continue;
		CHECK_MSG(!seen[m - FX.formats], "%s offered twice", m->fourcc);
		seen[m - FX.formats] = true;
		CHECK_MSG(f->bits_per_pixel == m->bits, "%s: bBitsPerPixel %u, the manual's %d", m->fourcc, f->bits_per_pixel,
			  m->bits);
	}
	for (unsigned i = 0; i < FX.n_formats; i++)
		CHECK_MSG(!FX.formats[i].fourcc[0] || seen[i], "the manual's UVC format %s (%s) is missing",
			  FX.formats[i].fourcc, FX.formats[i].name);
}

/* 3.9.2.3 (payload spec 3.1.2): frame descriptors indexed 1..k, their length for their
 * intervals, the buffer a frame needs, discrete intervals ascending with the default among
 * them; the manual's four sizes of each format, the fastest interval its maximum frame rate. */
static void test_frames(void)
{
	REQUIRE_LAYOUT();
	REQUIRE_FIXTURES();
	for (unsigned i = 0; i < L.n_formats; i++) {
		const struct uvc_format *f = &L.formats[i];
		const struct uvcfix_format *m = manual_format_of(f->guid);
		for (unsigned j = 0; j < f->n_frames; j++) {
			const struct uvc_frame *fr = &f->frames[j];
			unsigned want = fr->interval_type ? 26u + 4u * fr->interval_type : 38u;
			CHECK_MSG(fr->desc[0] == want, "format %u frame %u: bLength %u, expected %u", f->index, fr->index,
				  fr->desc[0], want);
			CHECK_MSG(fr->index == j + 1, "format %u: frame descriptor %u has bFrameIndex %u", f->index, j + 1,
				  fr->index);
			uint64_t size = (uint64_t)fr->width * fr->height * f->bits_per_pixel / 8;
			CHECK_MSG(fr->max_buffer == size, "format %u %ux%u: dwMaxVideoFrameBufferSize %u, %llu by its bits",
				  f->index, fr->width, fr->height, fr->max_buffer, (unsigned long long)size);
			CHECK_MSG(fr->interval_type > 0, "format %u %ux%u: continuous intervals (the manual: a list)", f->index,
				  fr->width, fr->height);
			bool has_default = false;
			for (unsigned k = 0; k < fr->n_intervals; k++) {
				has_default |= fr->intervals[k] == fr->default_interval;
				if (k)
					CHECK_MSG(fr->intervals[k] > fr->intervals[k - 1],
						  "format %u %ux%u: intervals not ascending (%u after %u)", f->index, fr->width,
						  fr->height, fr->intervals[k], fr->intervals[k - 1]);
			}
			CHECK_MSG(has_default, "format %u %ux%u: dwDefaultFrameInterval %u is none of its intervals", f->index,
				  fr->width, fr->height, fr->default_interval);
			double fps = m ? uvcfix_max_fps(&FX, m->name, fr->width, fr->height) : 0;
			if (fps > 0 && fr->n_intervals) {
				/* the manual's tables print whole frames per second, rounded down */
				double got = 1e7 / fr->intervals[0];
				CHECK_MSG(floor(got) == fps, "%s %ux%u: fastest interval %u x 100 ns is %.3f fps, the manual's %.0f",
					  m->fourcc, fr->width, fr->height, fr->intervals[0], got, fps);
			}
		}
		/* the manual's sizes of this format */
		for (unsigned r = 0; m && r < FX.n_rates; r++) {
			if (strcmp(FX.rates[r].format, m->name) != 0)
				continue;
			bool found = false;
			for (unsigned j = 0; j < f->n_frames; j++)
				found |= f->frames[j].width == FX.rates[r].width && f->frames[j].height == FX.rates[r].height;
			CHECK_MSG(found, "%s: no frame %ux%u (the manual's frame-rate table)", m->fourcc, FX.rates[r].width,
				  FX.rates[r].height);
		}
	}
}

/* ---- probe and commit (4.3.1.1) ----------------------------------------------------------- */

static int probe(uint8_t req, uint8_t selector, uint8_t *buf)
{
	return uvc_request(X(), req, selector, 0, (uint8_t)L.vs_if, buf, (uint16_t)uvc_probe_size(L.bcd_uvc));
}

/* GET_CUR/MIN/MAX/DEF of PROBE all answer the full structure of the device's bcdUVC
 * (48 bytes in 1.5, 34 in 1.1); GET_INFO says GET and SET. */
static void test_probe_lengths(void)
{
	uint8_t buf[64], info = 0;
	static const uint8_t reqs[] = { UVC_GET_CUR, UVC_GET_MIN, UVC_GET_MAX, UVC_GET_DEF };
	static const char *const names[] = { "GET_CUR", "GET_MIN", "GET_MAX", "GET_DEF" };

	REQUIRE_LAYOUT();
	REQUIRE_MSG(L.vs_if >= 0, "no VS interface");
	unsigned size = uvc_probe_size(L.bcd_uvc);
	for (size_t i = 0; i < sizeof(reqs); i++) {
		int n = probe(reqs[i], UVC_VS_PROBE_CONTROL, buf);
		CHECK_MSG(n == (int)size, "%s(PROBE): %d bytes, bcdUVC %04x needs %u", names[i], n, L.bcd_uvc, size);
	}
	int n = uvc_request(X(), UVC_GET_INFO, UVC_VS_PROBE_CONTROL, 0, (uint8_t)L.vs_if, &info, 1);
	CHECK_MSG(n == 1 && (info & 3) == 3, "GET_INFO(PROBE): %d bytes, 0x%02x (GET and SET expected)", n, info);
}

/* SET_CUR(PROBE) with each format, frame and its fastest and slowest interval, then
 * GET_CUR(PROBE): the same choice back, dwMaxVideoFrameSize = w * h * bpp / 8, a payload
 * size, and (1.1 and later) the VC header's clock. */
static void test_probe_round_trip(void)
{
	uint8_t set[64], got[64];
	unsigned size;

	REQUIRE_LAYOUT();
	REQUIRE_MSG(L.vs_if >= 0 && L.vc_header, "no VS interface");
	size = uvc_probe_size(L.bcd_uvc);
	for (unsigned i = 0; i < L.n_formats; i++) {
		const struct uvc_format *f = &L.formats[i];
		for (unsigned j = 0; j < f->n_frames; j++) {
			const struct uvc_frame *fr = &f->frames[j];
			for (unsigned k = 0; k < 2 && fr->n_intervals; k++) {
				uint32_t interval = fr->intervals[k ? fr->n_intervals - 1 : 0];
				memset(set, 0, sizeof(set));
				wr_le16(set, 1); /* bmHint: dwFrameInterval fixed */
				set[2] = f->index;
				set[3] = fr->index;
				wr_le32(set + 4, interval);
				int n = uvc_request(X(), UVC_SET_CUR, UVC_VS_PROBE_CONTROL, 0, (uint8_t)L.vs_if, set, (uint16_t)size);
				CHECK_MSG(n == (int)size, "SET_CUR(PROBE) format %u frame %u: %d", f->index, fr->index, n);
				n = probe(UVC_GET_CUR, UVC_VS_PROBE_CONTROL, got);
				REQUIRE_MSG(n == (int)size, "GET_CUR(PROBE): %d", n);
				CHECK_MSG(got[2] == f->index && got[3] == fr->index && rd_le32(got + 4) == interval,
					  "PROBE format %u frame %u interval %u came back as %u/%u/%u", f->index, fr->index,
					  interval, got[2], got[3], rd_le32(got + 4));
				uint32_t frame_size = (uint32_t)((uint64_t)fr->width * fr->height * f->bits_per_pixel / 8);
				CHECK_MSG(rd_le32(got + 18) == frame_size, "format %u %ux%u: dwMaxVideoFrameSize %u, expected %u",
					  f->index, fr->width, fr->height, rd_le32(got + 18), frame_size);
				CHECK_MSG(rd_le32(got + 22) > 12, "dwMaxPayloadTransferSize %u", rd_le32(got + 22));
				if (size >= 34)
					CHECK_MSG(rd_le32(got + 26) == rd_le32(L.vc_header + 7),
						  "PROBE dwClockFrequency %u, the VC header's %u", rd_le32(got + 26),
						  rd_le32(L.vc_header + 7));
			}
		}
	}
	/* back to the device's default */
	if (probe(UVC_GET_DEF, UVC_VS_PROBE_CONTROL, got) == (int)size)
		uvc_request(X(), UVC_SET_CUR, UVC_VS_PROBE_CONTROL, 0, (uint8_t)L.vs_if, got, (uint16_t)size);
}

/* ---- controls (4.2.2) --------------------------------------------------------------------- */

static uint8_t unit_of(const struct uvcfix_control *c)
{
	const struct uvc_entity *pu = entity_of(UVC_VC_PROCESSING_UNIT);

	return c->where == UVCFIX_XU ? FX.xu_unit : pu ? pu->id : 0;
}

/* The control's field of a little-endian value of len bytes. */
static int64_t field(const struct uvcfix_control *c, const uint8_t *v, unsigned len)
{
	uint64_t raw = 0;

	for (unsigned i = 0; i < len && i < 8; i++)
		raw |= (uint64_t)v[i] << (8 * i);
	raw >>= c->offset;
	if (c->size < 64)
		raw &= (1ull << c->size) - 1;
	if (c->is_signed && c->size < 64 && (raw >> (c->size - 1) & 1))
		return (int64_t)(raw | ~((1ull << c->size) - 1));
	return (int64_t)raw;
}

/* GET_INFO, GET_LEN (extension unit), GET_MIN/MAX/DEF/RES of every control the manual names
 * for V4L2, at the place the mapping file (or the processing unit's standard) gives: the
 * manual's ranges and defaults, in V4L2 units. */
static void test_control_ranges(void)
{
	REQUIRE_LAYOUT();
	REQUIRE_FIXTURES();
	for (unsigned i = 0; i < FX.n_controls; i++) {
		const struct uvcfix_control *c = &FX.controls[i];
		uint8_t unit = unit_of(c), info = 0, v[4][8];
		unsigned len = 2;
		int n = uvc_request(X(), UVC_GET_INFO, c->selector, unit, vc_if(), &info, 1);
		CHECK_MSG(n == 1 && (info & 1), "%s: GET_INFO %d bytes, 0x%02x (GET expected)", c->name, n, info);
		/* a selector that carries other controls too (GPIN with GPOUT) may well take SET_CUR */
		bool shared = false;
		for (unsigned k = 0; k < FX.n_controls; k++)
			shared |= k != i && FX.controls[k].where == c->where && FX.controls[k].selector == c->selector;
		if (c->read_only && !shared)
			CHECK_MSG(!(info & 2), "%s: the manual's value is read-only, GET_INFO says SET (0x%02x)", c->name, info);
		else if (!c->read_only)
			CHECK_MSG(info & 2, "%s: GET_INFO 0x%02x, no SET", c->name, info);
		if (c->where == UVCFIX_XU) {
			uint8_t l2[2] = { 0, 0 };
			n = uvc_request(X(), UVC_GET_LEN, c->selector, unit, vc_if(), l2, 2);
			len = rd_le16(l2);
			CHECK_MSG(n == 2 && len >= 1 && len <= 8, "%s: GET_LEN %d bytes, %u", c->name, n, len);
			if (n != 2 || len < 1 || len > 8)
				continue;
			CHECK_MSG(c->offset + c->size <= 8 * len, "%s: bits %u@%u beyond GET_LEN %u", c->name, c->size, c->offset,
				  len);
		}
		if (strcmp(c->v4l2_type, "button") == 0)
			continue;
		static const uint8_t reqs[4] = { UVC_GET_MIN, UVC_GET_MAX, UVC_GET_DEF, UVC_GET_RES };
		static const char *const names[4] = { "GET_MIN", "GET_MAX", "GET_DEF", "GET_RES" };
		bool ok = true;
		for (int r = 0; r < 4; r++) {
			memset(v[r], 0, sizeof(v[r]));
			n = uvc_request(X(), reqs[r], c->selector, unit, vc_if(), v[r], (uint16_t)len);
			CHECK_MSG(n == (int)len, "%s: %s %d bytes of %u", c->name, names[r], n, len);
			ok &= n == (int)len;
		}
		if (!ok)
			continue;
		int64_t lo = field(c, v[0], len), hi = field(c, v[1], len), def = field(c, v[2], len), res = field(c, v[3], len);
		if (strcmp(c->v4l2_type, "integer") == 0 && c->has_range) {
			CHECK_MSG(lo == c->min && hi == c->max, "%s: GET_MIN/MAX %lld..%lld, the manual's %lld..%lld", c->name,
				  (long long)lo, (long long)hi, (long long)c->min, (long long)c->max);
			CHECK_MSG(res >= 1 && (hi - lo) % res == 0, "%s: GET_RES %lld", c->name, (long long)res);
			if (c->has_default)
				CHECK_MSG(def == c->def, "%s: GET_DEF %lld, the manual's %lld", c->name, (long long)def,
					  (long long)c->def);
			CHECK_MSG(def >= lo && def <= hi, "%s: GET_DEF %lld outside %lld..%lld", c->name, (long long)def,
				  (long long)lo, (long long)hi);
		} else if (strcmp(c->v4l2_type, "boolean") == 0) {
			CHECK_MSG(lo == 0 && hi == 1, "%s: boolean GET_MIN/MAX %lld..%lld", c->name, (long long)lo, (long long)hi);
		} else if (strcmp(c->v4l2_type, "menu") == 0) {
			for (unsigned k = 0; k < c->n_menu; k++)
				CHECK_MSG((int64_t)c->menu_values[k] >= lo && (int64_t)c->menu_values[k] <= hi,
					  "%s: menu value %u outside GET_MIN/MAX %lld..%lld", c->name, c->menu_values[k],
					  (long long)lo, (long long)hi);
			bool def_listed = false;
			for (unsigned k = 0; k < c->n_menu; k++)
				def_listed |= (int64_t)c->menu_values[k] == def;
			CHECK_MSG(def_listed, "%s: GET_DEF %lld is no menu value", c->name, (long long)def);
		}
	}
}

static const struct uvcfix_control *control_named(const char *name)
{
	for (unsigned i = 0; i < FX.n_controls; i++)
		if (strcmp(FX.controls[i].name, name) == 0)
			return &FX.controls[i];
	return NULL;
}

/* 4.2.1.2: a request the device refuses is a STALL, and VC_REQUEST_ERROR_CODE_CONTROL says
 * why: out of range (a value above GET_MAX), invalid control (a selector bmControls lacks). */
static void test_control_errors(void)
{
	REQUIRE_LAYOUT();
	REQUIRE_FIXTURES();
	const struct uvcfix_control *b = control_named("Brightness");
	REQUIRE_MSG(b && b->has_range, "no Brightness in v4l2.ini");
	uint8_t v[2], cur[2];
	int n = uvc_request(X(), UVC_GET_CUR, b->selector, unit_of(b), vc_if(), cur, 2);
	REQUIRE_MSG(n == 2, "GET_CUR(Brightness): %d", n);
	wr_le16(v, (uint16_t)(b->max + 1));
	n = uvc_request(X(), UVC_SET_CUR, b->selector, unit_of(b), vc_if(), v, 2);
	CHECK_MSG(n == -EPIPE, "SET_CUR(Brightness %lld, above the maximum): %d, a STALL expected", (long long)b->max + 1, n);
	int code = uvc_last_error(X(), vc_if());
	CHECK_MSG(code == UVC_ERR_OUT_OF_RANGE, "request error code %d after an out-of-range value, 4 expected", code);
	n = uvc_request(X(), UVC_GET_CUR, b->selector, unit_of(b), vc_if(), v, 2);
	CHECK_MSG(n == 2 && memcmp(v, cur, 2) == 0, "Brightness changed by a refused SET_CUR");
	/* a selector of the extension unit that bmControls does not list */
	const struct uvc_entity *x = uvc_entity_find(&L, FX.xu_unit);
	REQUIRE_MSG(x && x->desc[0] >= 24u + x->desc[21], "no extension unit");
	const uint8_t *bm = x->desc + 23 + x->desc[21];
	unsigned nb = x->desc[22 + x->desc[21]], sel = 0;
	for (unsigned k = 0; k < nb * 8 && k < 254 && !sel; k++)
		if (!bit_set(bm, nb, k))
			sel = k + 1;
	if (!sel)
		sel = nb * 8 + 1;
	uint8_t buf[8];
	n = uvc_request(X(), UVC_GET_CUR, (uint8_t)sel, FX.xu_unit, vc_if(), buf, 1);
	CHECK_MSG(n == -EPIPE, "GET_CUR of extension unit selector 0x%02x (not in bmControls): %d, a STALL expected", sel, n);
	code = uvc_last_error(X(), vc_if());
	CHECK_MSG(code == UVC_ERR_INVALID_CONTROL, "request error code %d for an unknown selector, 6 expected", code);
	n = uvc_request(X(), UVC_GET_CUR, b->selector, unit_of(b), vc_if(), v, 2);
	CHECK_MSG(n == 2, "GET_CUR(Brightness) after the refusals: %d", n);
}

/* ---- payload headers (payload spec 2.4) ---------------------------------------------------- */

/* The smallest frame of the narrowest format at its fastest interval. */
static void pick_capture(const struct uvc_format **fo, const struct uvc_frame **fro)
{
	*fo = NULL;
	*fro = NULL;
	for (unsigned i = 0; i < L.n_formats; i++)
		for (unsigned j = 0; j < L.formats[i].n_frames; j++) {
			const struct uvc_frame *fr = &L.formats[i].frames[j];
			uint64_t bytes = (uint64_t)fr->width * fr->height * L.formats[i].bits_per_pixel;
			if (!*fro || bytes < (uint64_t)(*fro)->width * (*fro)->height * (*fo)->bits_per_pixel) {
				*fo = &L.formats[i];
				*fro = fr;
			}
		}
}

static const char *pfnc_name_of(const uint8_t guid[16], uint32_t *pfnc)
{
	const struct uvcfix_format *m = manual_format_of(guid);
	static const struct {
		const char *name;
		uint32_t pfnc;
	} codes[] = { { "BayerRG8", PFNC_BAYER_RG8 }, { "BayerRG12p", PFNC_BAYER_RG12P }, { "BayerRG16", PFNC_BAYER_RG16 },
		      { "YCbCr422_8", PFNC_YCBCR422_8 }, { "YCbCr411_8_CbYYCrYY", PFNC_YCBCR411_8_CBYYCRYY }, { "BGR8", PFNC_BGR8 } };

	*pfnc = 0;
	for (size_t i = 0; m && i < sizeof(codes) / sizeof(codes[0]); i++)
		if (strcmp(codes[i].name, m->name) == 0)
			*pfnc = codes[i].pfnc;
	return m ? m->name : "?";
}

/* With --expect-pattern: the frame is the test pattern of some block id, the next ones of the
 * next ids (UVC carries no block id). ROI offsets from the extension unit's ROI Offset X/Y. */
static void check_pattern(const struct uvc_format *f, const struct uvc_frame *fr, const uint8_t *data, size_t len,
			  unsigned frame_no, uint64_t *first_block)
{
	struct frame_geometry g = { .sensor = { 4096, 2160, false }, .width = fr->width, .height = fr->height };
	struct frame_source s = { .seed = session->pattern_seed };
	const struct uvcfix_control *ox = control_named("ROI Offset X"), *oy = control_named("ROI Offset Y");
	uint8_t vx[8] = { 0 }, vy[8] = { 0 };
	struct frame_diff d;
	char why[512];

	pfnc_name_of(f->guid, &g.pfnc);
	REQUIRE_MSG(g.pfnc && ox && oy, "no frame check for this format");
	REQUIRE_MSG(uvc_request(X(), UVC_GET_CUR, ox->selector, FX.xu_unit, vc_if(), vx, 4) == 4 &&
			    uvc_request(X(), UVC_GET_CUR, oy->selector, FX.xu_unit, vc_if(), vy, 4) == 4,
		    "GET_CUR of ROI Offset X/Y");
	g.offset_x = (uint32_t)field(ox, vx, 4);
	g.offset_y = (uint32_t)field(oy, vy, 4);
	if (frame_no == 0) {
		for (uint64_t b = 1; b <= 256 && !*first_block; b++) {
			s.block_id = b;
			if (frame_compare(&g, &s, data, len, NULL) == 0)
				*first_block = b;
		}
		s.block_id = 1;
		if (!*first_block && frame_compare(&g, &s, data, len, &d) >= 0)
			CHECK_MSG(0, "frame 0 is the pattern of no block id; against block 1: %s",
				  frame_diff_describe(&g, &d, why, sizeof(why)));
		return;
	}
	if (!*first_block)
		return;
	s.block_id = *first_block + frame_no;
	int rc = frame_compare(&g, &s, data, len, &d);
	CHECK_MSG(rc == 0, "frame %u (block %llu): %s", frame_no, (unsigned long long)s.block_id,
		  rc > 0 ? frame_diff_describe(&g, &d, why, sizeof(why)) : "no check");
}

/* COMMIT a small format, read payloads until three frames ended: each payload begins with a
 * 12-byte header (EOH, PTS and SCR present, no error), at most dwMaxPayloadTransferSize long;
 * FID is constant within a frame and toggles between frames, EOF marks its last payload, a
 * frame has dwMaxVideoFrameSize bytes; PTS is constant within a frame and grows from frame to
 * frame, the SCR's clock never goes back. CLEAR_FEATURE(ENDPOINT_HALT) stops the stream. */
static void test_payload_headers(void)
{
	const struct uvc_format *f;
	const struct uvc_frame *fr;
	uint8_t pr[64];

	REQUIRE_LAYOUT();
	REQUIRE_MSG(L.vs_ep && L.n_formats, "no VS endpoint or format");
	pick_capture(&f, &fr);
	REQUIRE_MSG(fr && fr->n_intervals, "no frame");
	unsigned size = uvc_probe_size(L.bcd_uvc);
	memset(pr, 0, sizeof(pr));
	wr_le16(pr, 1);
	pr[2] = f->index;
	pr[3] = fr->index;
	wr_le32(pr + 4, fr->intervals[0]);
	REQUIRE_MSG(uvc_request(X(), UVC_SET_CUR, UVC_VS_PROBE_CONTROL, 0, (uint8_t)L.vs_if, pr, (uint16_t)size) ==
			    (int)size,
		    "SET_CUR(PROBE)");
	REQUIRE_MSG(probe(UVC_GET_CUR, UVC_VS_PROBE_CONTROL, pr) == (int)size, "GET_CUR(PROBE)");
	uint32_t max_payload = rd_le32(pr + 22), frame_size = rd_le32(pr + 18);
	REQUIRE_MSG(max_payload > 12 && max_payload <= (64u << 20), "dwMaxPayloadTransferSize %u", max_payload);
	REQUIRE_MSG(frame_size > 0 && frame_size <= (256u << 20), "dwMaxVideoFrameSize %u", frame_size);
	uint8_t ep = L.vs_ep[2];
	unsigned packet = rd_le16(L.vs_ep + 4) ? rd_le16(L.vs_ep + 4) : 512;
	int xfer = (int)((max_payload + packet - 1) / packet * packet);
	uint8_t *buf = malloc((size_t)xfer), *frame = malloc(frame_size);
	REQUIRE_MSG(buf && frame, "out of memory");
	int n = uvc_request(X(), UVC_SET_CUR, UVC_VS_COMMIT_CONTROL, 0, (uint8_t)L.vs_if, pr, (uint16_t)size);
	CHECK_MSG(n == (int)size, "SET_CUR(COMMIT): %d", n);

	unsigned frames = 0, payloads = 0, max_payloads = (frame_size / (max_payload - 12) + 2) * (CAPTURE_FRAMES + 1);
	unsigned transfers = 0;   /* zero-length ones included: bounded as well */
	int fid = -1, prev_fid = -1;
	uint32_t pts = 0, prev_pts = 0, stc = 0;
	bool have_pts = false, have_stc = false, bad = false;
	size_t got = 0;
	uint64_t first_block = 0;
	while (frames < CAPTURE_FRAMES && payloads < max_payloads && transfers++ < 2 * max_payloads && !bad) {
		struct uvc_payload_header h;
		n = X()->ops->bulk(X(), ep, buf, xfer, BULK_TIMEOUT_MS);
		if (n < 0) {
			CHECK_MSG(0, "bulk IN %02x after %u payloads, %u frames: %s", ep, payloads, frames, strerror(-n));
			break;
		}
		if (n == 0)
			continue; /* a zero-length packet ends a payload that filled whole packets */
		payloads++;
		if (uvc_payload_header_parse(buf, n, &h) < 0) {
			CHECK_MSG(0, "payload %u (%d bytes): no valid header (bHeaderLength %u)", payloads, n, n ? buf[0] : 0);
			break;
		}
		CHECK_MSG((unsigned)n <= max_payload, "payload %u: %d bytes, dwMaxPayloadTransferSize %u", payloads, n,
			  max_payload);
		CHECK_MSG(h.length == 12 && (h.flags & (UVC_HDR_PTS | UVC_HDR_SCR | UVC_HDR_EOH)) ==
						    (UVC_HDR_PTS | UVC_HDR_SCR | UVC_HDR_EOH),
			  "payload %u: header of %u bytes, flags 0x%02x (EOH, PTS and SCR expected)", payloads, h.length,
			  h.flags);
		CHECK_MSG(!(h.flags & UVC_HDR_ERR), "payload %u: ERR set", payloads);
		int this_fid = h.flags & UVC_HDR_FID;
		if (fid < 0) {
			fid = this_fid;
			pts = h.pts;
		} else if (this_fid != fid) {
			CHECK_MSG(0, "payload %u: FID changed inside a frame (no EOF before it)", payloads);
			bad = true;
		}
		CHECK_MSG(h.pts == pts, "payload %u: PTS %u, the frame's first payload had %u", payloads, h.pts, pts);
		if (have_stc)
			CHECK_MSG((int32_t)(h.stc - stc) >= 0, "payload %u: SCR clock %u went back from %u", payloads, h.stc, stc);
		stc = h.stc;
		have_stc = true;
		size_t data = (size_t)n - h.length;
		if (got + data > frame_size) {
			CHECK_MSG(0, "frame %u: more than dwMaxVideoFrameSize %u bytes", frames, frame_size);
			bad = true;
			break;
		}
		memcpy(frame + got, buf + h.length, data);
		got += data;
		if (!(h.flags & UVC_HDR_EOF))
			continue;
		CHECK_MSG(got == frame_size, "frame %u: %zu bytes at EOF, dwMaxVideoFrameSize %u", frames, got, frame_size);
		if (prev_fid >= 0)
			CHECK_MSG(fid != prev_fid, "frame %u: FID %d, the same as the frame before", frames, fid);
		if (have_pts)
			CHECK_MSG((int32_t)(pts - prev_pts) > 0, "frame %u: PTS %u not after the previous frame's %u", frames,
				  pts, prev_pts);
		if (session->pattern && got == frame_size)
			check_pattern(f, fr, frame, got, frames, &first_block);
		prev_pts = pts;
		have_pts = true;
		prev_fid = fid;
		fid = -1;
		got = 0;
		frames++;
	}
	CHECK_MSG(frames == CAPTURE_FRAMES, "%u complete frames in %u payloads", frames, payloads);
	n = xport_clear_halt(X(), ep, 2000);
	CHECK_MSG(n == 0, "CLEAR_FEATURE(ENDPOINT_HALT) on %02x: %d", ep, n);
	/* stopped: what was in flight drains, then nothing comes */
	int drained = 0;
	while (drained < 64 && X()->ops->bulk(X(), ep, buf, xfer, 500) > 0)
		drained++;
	CHECK_MSG(drained < 64, "payloads still coming after the stream was stopped");
	free(buf);
	free(frame);
}

void suite_uvc_register(const char *name)
{
	CU_pSuite s = CU_add_suite(name, suite_init, NULL);

	CU_add_test(s, "interface_association", test_interface_association);
	CU_add_test(s, "vc_header", test_vc_header);
	CU_add_test(s, "unit_chain", test_unit_chain);
	CU_add_test(s, "extension_unit", test_extension_unit);
	CU_add_test(s, "vs_input_header", test_vs_input_header);
	CU_add_test(s, "endpoints", test_endpoints);
	CU_add_test(s, "formats", test_formats);
	CU_add_test(s, "frames", test_frames);
	CU_add_test(s, "probe_lengths", test_probe_lengths);
	CU_add_test(s, "probe_round_trip", test_probe_round_trip);
	CU_add_test(s, "control_ranges", test_control_ranges);
	CU_add_test(s, "control_errors", test_control_errors);
	CU_add_test(s, "payload_headers", test_payload_headers);
}
