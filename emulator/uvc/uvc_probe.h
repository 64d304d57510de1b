/* SPDX-License-Identifier: MIT */
/* Video probe and commit controls (UVC 1.5, 4.3.1.1): the 48-byte
 * negotiation structure, its packing, and the device's side of the
 * negotiation against struct uvc_formats. */
#ifndef DFK_UVC_PROBE_H
#define DFK_UVC_PROBE_H

#include <stdbool.h>
#include <stdint.h>

#include "uvc_formats.h"

#define UVC_PROBE_LEN          48                 /* bcdUVC 1.5 */
#define UVC_MAX_PAYLOAD        (512u * 1024)      /* dwMaxPayloadTransferSize: the device's choice */

struct uvc_probe {
	uint16_t hint;
	uint8_t format_index, frame_index;
	uint32_t frame_interval;          /* 100 ns */
	uint16_t key_frame_rate, p_frame_rate, comp_quality, comp_window_size, delay;
	uint32_t max_video_frame_size;
	uint32_t max_payload_transfer_size;
	uint32_t clock_frequency;
	uint8_t framing_info;
	uint8_t preferred_version, min_version, max_version;
	/* 1.5 fields (bUsage .. bmLayoutPerStream) are zero for uncompressed formats */
};

void uvc_probe_pack(uint8_t out[UVC_PROBE_LEN], const struct uvc_probe *p);
void uvc_probe_unpack(struct uvc_probe *p, const uint8_t in[UVC_PROBE_LEN]);

/* The device's answer to a proposal: format and frame must exist (else
 * UVC_ERR_OUT_OF_RANGE); the interval becomes the nearest offered one (0: the
 * frame's default); the device fills in sizes, payload and clock. Returns 0 or a UVC_ERR_*. */
int uvc_probe_negotiate(const struct uvc_formats *f, const struct uvc_probe *in, struct uvc_probe *out);
/* GET_DEF / GET_MIN / GET_MAX for the format and frame of `cur` (UVC_GET_* request code). */
void uvc_probe_limit(const struct uvc_formats *f, const struct uvc_probe *cur, uint8_t request, struct uvc_probe *out);

#endif
