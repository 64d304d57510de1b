/* SPDX-License-Identifier: MIT */
#include "uvc_probe.h"

#include <string.h>

#include "../common/bytes.h"
#include "uvc_defs.h"
#include "uvc_desc.h"

void uvc_probe_pack(uint8_t out[UVC_PROBE_LEN], const struct uvc_probe *p)
{
	memset(out, 0, UVC_PROBE_LEN);
	put_le16(out + 0, p->hint);
	out[2] = p->format_index;
	out[3] = p->frame_index;
	put_le32(out + 4, p->frame_interval);
	put_le16(out + 8, p->key_frame_rate);
	put_le16(out + 10, p->p_frame_rate);
	put_le16(out + 12, p->comp_quality);
	put_le16(out + 14, p->comp_window_size);
	put_le16(out + 16, p->delay);
	put_le32(out + 18, p->max_video_frame_size);
	put_le32(out + 22, p->max_payload_transfer_size);
	put_le32(out + 26, p->clock_frequency);
	out[30] = p->framing_info;
	out[31] = p->preferred_version;
	out[32] = p->min_version;
	out[33] = p->max_version;
}

void uvc_probe_unpack(struct uvc_probe *p, const uint8_t in[UVC_PROBE_LEN])
{
	memset(p, 0, sizeof(*p));
	p->hint = get_le16(in + 0);
	p->format_index = in[2];
	p->frame_index = in[3];
	p->frame_interval = get_le32(in + 4);
	p->key_frame_rate = get_le16(in + 8);
	p->p_frame_rate = get_le16(in + 10);
	p->comp_quality = get_le16(in + 12);
	p->comp_window_size = get_le16(in + 14);
	p->delay = get_le16(in + 16);
	p->max_video_frame_size = get_le32(in + 18);
	p->max_payload_transfer_size = get_le32(in + 22);
	p->clock_frequency = get_le32(in + 26);
	p->framing_info = in[30];
	p->preferred_version = in[31];
	p->min_version = in[32];
	p->max_version = in[33];
}

static uint32_t nearest_interval(const struct uvc_frame *fr, uint32_t want)
{
	uint32_t best = fr->intervals[0];

	if (!want)
		return best;
	for (uint8_t k = 1; k < fr->n_intervals; k++) {
		uint32_t a = fr->intervals[k] > want ? fr->intervals[k] - want : want - fr->intervals[k];
		uint32_t b = best > want ? best - want : want - best;
		if (a < b)
			best = fr->intervals[k];
	}
	return best;
}

static void fill(struct uvc_probe *out, uint8_t format, uint8_t frame, const struct uvc_frame *fr, uint32_t interval)
{
	memset(out, 0, sizeof(*out));
	out->hint = 0x0001;                  /* dwFrameInterval is the one kept fixed */
	out->format_index = format;
	out->frame_index = frame;
	out->frame_interval = interval;
	out->max_video_frame_size = fr->max_frame_size;
	out->max_payload_transfer_size = UVC_MAX_PAYLOAD;
	out->clock_frequency = UVC_CLOCK_HZ;
	out->framing_info = 0x03;            /* FID required, EOF present */
}

int uvc_probe_negotiate(const struct uvc_formats *f, const struct uvc_probe *in, struct uvc_probe *out)
{
	const struct uvc_frame *fr = uvc_formats_frame(f, in->format_index, in->frame_index);

	if (!fr)
		return UVC_ERR_OUT_OF_RANGE;
	fill(out, in->format_index, in->frame_index, fr, nearest_interval(fr, in->frame_interval));
	return UVC_ERR_NONE;
}

void uvc_probe_limit(const struct uvc_formats *f, const struct uvc_probe *cur, uint8_t request, struct uvc_probe *out)
{
	uint8_t format = cur->format_index, frame = cur->frame_index;
	const struct uvc_frame *fr = uvc_formats_frame(f, format, frame);

	if (request == UVC_GET_DEF || !fr) {
		format = 1;
		frame = 1;
		fr = uvc_formats_frame(f, 1, 1);
	}
	if (!fr) {
		memset(out, 0, sizeof(*out));
		return;
	}
	/* MAX is the slowest rate: the longest interval */
	fill(out, format, frame, fr, request == UVC_GET_MAX ? fr->intervals[fr->n_intervals - 1] : fr->intervals[0]);
}
