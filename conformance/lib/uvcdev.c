/* SPDX-License-Identifier: MIT */
/* UVC descriptors, class requests and payload headers (uvcdev.h). */
#include "uvcdev.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "wire.h"

#define TIMEOUT_MS 2000

static int problem(struct uvc_layout *l, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(l->problem, sizeof(l->problem), fmt, ap);
	va_end(ap);
	return -1;
}

/* A unit's or terminal's identity and inputs; -1 when the descriptor is too short for its own counts. */
static int add_entity(struct uvc_layout *l, const uint8_t *p)
{
	struct uvc_entity *e;
	uint8_t len = p[0], st = p[2];

	if (l->n_entities == UVC_MAX_ENTITIES)
		return problem(l, "more than %d units and terminals", UVC_MAX_ENTITIES);
	if (len < 4)
		return problem(l, "VC descriptor subtype %u of %u bytes", st, len);
	e = &l->entities[l->n_entities];
	memset(e, 0, sizeof(*e));
	e->desc = p;
	e->subtype = st;
	e->id = p[3];
	switch (st) {
	case UVC_VC_INPUT_TERMINAL:
		if (len < 8)
			return problem(l, "input terminal of %u bytes", len);
		e->terminal_type = rd_le16(p + 4);
		break;
	case UVC_VC_OUTPUT_TERMINAL:
		if (len < 9)
			return problem(l, "output terminal of %u bytes", len);
		e->terminal_type = rd_le16(p + 4);
		e->n_sources = 1;
		e->sources[0] = p[7];
		break;
	case UVC_VC_SELECTOR_UNIT:
		if (len < 5 || p[4] > UVC_MAX_SOURCES || len < 5 + p[4])
			return problem(l, "selector unit %u: %u bytes for %u pins", e->id, len, len >= 5 ? p[4] : 0);
		e->n_sources = p[4];
		memcpy(e->sources, p + 5, p[4]);
		break;
	case UVC_VC_PROCESSING_UNIT:
	case UVC_VC_ENCODING_UNIT:
		if (len < 5)
			return problem(l, "unit %u of %u bytes", e->id, len);
		e->n_sources = 1;
		e->sources[0] = p[4];
		break;
	case UVC_VC_EXTENSION_UNIT:
		if (len < 22 || p[21] > UVC_MAX_SOURCES || len < 22 + p[21])
			return problem(l, "extension unit %u: %u bytes", e->id, len);
		e->n_sources = p[21];
		memcpy(e->sources, p + 22, p[21]);
		break;
	default:
		break;
	}
	l->n_entities++;
	return 0;
}

static int add_format(struct uvc_layout *l, const uint8_t *p)
{
	struct uvc_format *f;

	if (l->n_formats == UVC_MAX_FORMATS)
		return problem(l, "more than %d formats", UVC_MAX_FORMATS);
	if (p[0] < 27)
		return problem(l, "uncompressed format descriptor of %u bytes", p[0]);
	f = &l->formats[l->n_formats++];
	memset(f, 0, sizeof(*f));
	f->desc = p;
	f->index = p[3];
	f->n_frames_declared = p[4];
	memcpy(f->guid, p + 5, 16);
	f->bits_per_pixel = p[21];
	f->default_frame = p[22];
	return 0;
}

static int add_frame(struct uvc_layout *l, const uint8_t *p)
{
	struct uvc_format *f;
	struct uvc_frame *fr;

	if (l->n_formats == 0)
		return problem(l, "a frame descriptor before any format");
	f = &l->formats[l->n_formats - 1];
	if (f->n_frames == UVC_MAX_FRAMES)
		return problem(l, "format %u: more than %d frames", f->index, UVC_MAX_FRAMES);
	if (p[0] < 26)
		return problem(l, "uncompressed frame descriptor of %u bytes", p[0]);
	fr = &f->frames[f->n_frames++];
	memset(fr, 0, sizeof(*fr));
	fr->desc = p;
	fr->index = p[3];
	fr->width = rd_le16(p + 5);
	fr->height = rd_le16(p + 7);
	fr->max_buffer = rd_le32(p + 17);
	fr->default_interval = rd_le32(p + 21);
	fr->interval_type = p[25];
	unsigned n = fr->interval_type ? fr->interval_type : 3; /* continuous: min, max, step */
	for (unsigned i = 0; i < n && 26 + 4 * (i + 1) <= p[0] && i < UVC_MAX_INTERVALS; i++)
		fr->intervals[fr->n_intervals++] = rd_le32(p + 26 + 4 * i);
	return 0;
}

int uvc_layout_parse(const uint8_t *cfg, int len, struct uvc_layout *l)
{
	int cur_if = -1, cur_alt = -1, cur_class = -1, cur_sub = -1;
	bool in_vs_header_alt = false;

	memset(l, 0, sizeof(*l));
	l->vc_if = l->vs_if = -1;
	for (int off = 0; off + 2 <= len;) {
		const uint8_t *p = cfg + off;
		if (p[0] < 2 || off + p[0] > len)
			return problem(l, "descriptor at byte %d: bLength %u", off, p[0]);
		switch (p[1]) {
		case USB_DESC_IAD:
			if (p[0] >= 8 && p[4] == UVC_CC_VIDEO && !l->iad)
				l->iad = p;
			break;
		case USB_DESC_INTERFACE:
			if (p[0] < 9)
				return problem(l, "interface descriptor of %u bytes", p[0]);
			cur_if = p[2];
			cur_alt = p[3];
			cur_class = p[5];
			cur_sub = p[6];
			if (cur_class == UVC_CC_VIDEO && cur_sub == UVC_SC_VIDEOCONTROL && cur_alt == 0 && l->vc_if < 0)
				l->vc_if = cur_if;
			if (cur_class == UVC_CC_VIDEO && cur_sub == UVC_SC_VIDEOSTREAMING) {
				if (l->vs_if < 0)
					l->vs_if = cur_if;
				if (cur_if == l->vs_if)
					l->vs_alt_settings++;
			}
			in_vs_header_alt = cur_class == UVC_CC_VIDEO && cur_sub == UVC_SC_VIDEOSTREAMING && cur_alt == 0 &&
					   cur_if == l->vs_if;
			break;
		case UVC_CS_INTERFACE:
			if (p[0] < 3)
				return problem(l, "class-specific descriptor of %u bytes", p[0]);
			if (cur_class == UVC_CC_VIDEO && cur_sub == UVC_SC_VIDEOCONTROL && cur_if == l->vc_if) {
				l->vc_cs_bytes += p[0];
				if (p[2] == UVC_VC_HEADER) {
					if (p[0] < 12)
						return problem(l, "VC header of %u bytes", p[0]);
					if (!l->vc_header) {
						l->vc_header = p;
						l->bcd_uvc = rd_le16(p + 3);
					}
				} else if (add_entity(l, p) < 0) {
					return -1;
				}
			} else if (in_vs_header_alt) {
				l->vs_cs_bytes += p[0];
				if (p[2] == UVC_VS_INPUT_HEADER) {
					if (p[0] < 13)
						return problem(l, "VS input header of %u bytes", p[0]);
					if (!l->vs_header)
						l->vs_header = p;
				} else if (p[2] == UVC_VS_FORMAT_UNCOMPRESSED) {
					if (add_format(l, p) < 0)
						return -1;
				} else if (p[2] == UVC_VS_FRAME_UNCOMPRESSED) {
					if (add_frame(l, p) < 0)
						return -1;
				} else if (p[2] == UVC_VS_COLORFORMAT && l->n_formats) {
					l->formats[l->n_formats - 1].n_colour_matching++;
				}
			}
			break;
		case USB_DESC_ENDPOINT:
			if (p[0] < 7)
				return problem(l, "endpoint descriptor of %u bytes", p[0]);
			if (cur_if == l->vc_if && cur_if >= 0 && cur_class == UVC_CC_VIDEO && !l->status_ep)
				l->status_ep = p;
			if (in_vs_header_alt && !l->vs_ep)
				l->vs_ep = p;
			break;
		case USB_DESC_SS_EP_COMPANION:
			if (in_vs_header_alt && l->vs_ep && !l->vs_ep_companion && p == l->vs_ep + l->vs_ep[0])
				l->vs_ep_companion = p;
			break;
		default:
			break;
		}
		off += p[0];
	}
	if (l->vc_if < 0)
		return problem(l, "no VideoControl interface (class 0e/01)");
	return 0;
}

const struct uvc_entity *uvc_entity_find(const struct uvc_layout *l, uint8_t id)
{
	for (unsigned i = 0; i < l->n_entities; i++)
		if (l->entities[i].id == id)
			return &l->entities[i];
	return NULL;
}

int uvc_request(struct xport *x, uint8_t req, uint8_t selector, uint8_t unit, uint8_t intf, uint8_t *buf, uint16_t len)
{
	uint8_t rt = req & 0x80 ? 0xA1 : 0x21; /* class, interface; in for GETs */

	return x->ops->control(x, rt, req, (uint16_t)(selector << 8), (uint16_t)(unit << 8 | intf), buf, len, TIMEOUT_MS);
}

int uvc_last_error(struct xport *x, uint8_t vc_if)
{
	uint8_t code = 0xFF;
	int n = uvc_request(x, UVC_GET_CUR, UVC_VC_REQUEST_ERROR_CODE_CONTROL, 0, vc_if, &code, 1);

	if (n < 0)
		return n;
	return n == 1 ? code : -EPROTO;
}

unsigned uvc_probe_size(uint16_t bcd_uvc)
{
	return bcd_uvc < 0x0110 ? 26 : bcd_uvc < 0x0150 ? 34 : 48;
}

int uvc_payload_header_parse(const uint8_t *p, int n, struct uvc_payload_header *h)
{
	int want;

	memset(h, 0, sizeof(*h));
	if (n < 2 || p[0] < 2 || p[0] > n)
		return -1;
	h->length = p[0];
	h->flags = p[1];
	want = 2 + (h->flags & UVC_HDR_PTS ? 4 : 0) + (h->flags & UVC_HDR_SCR ? 6 : 0);
	if (h->length < want)
		return -1;
	if (h->flags & UVC_HDR_PTS)
		h->pts = rd_le32(p + 2);
	if (h->flags & UVC_HDR_SCR) {
		const uint8_t *s = p + 2 + (h->flags & UVC_HDR_PTS ? 4 : 0);
		h->stc = rd_le32(s);
		h->sof = (uint16_t)(rd_le16(s + 4) & 0x7FF);
	}
	return 0;
}

bool uvc_guid_of_fourcc(const char *fourcc, uint8_t guid[16])
{
	static const uint8_t tail[12] = { 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71 };
	static const uint8_t rgb24[16] = { 0x7D, 0xEB, 0x36, 0xE4, 0x4F, 0x52, 0xCE, 0x11,
					   0x9F, 0x53, 0x00, 0x20, 0xAF, 0x0B, 0xA7, 0x70 };

	if (strcmp(fourcc, "RGB24") == 0) {
		memcpy(guid, rgb24, 16);
		return true;
	}
	if (strlen(fourcc) != 4)
		return false;
	memcpy(guid, fourcc, 4);
	memcpy(guid + 4, tail, 12);
	return true;
}
