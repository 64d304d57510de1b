/* SPDX-License-Identifier: MIT */
/* The UVC face's video formats as data: which of the model's pixel formats a UVC
 * host sees (FourCC GUIDs after the manual's 5.1.1 table), the fixed frame sizes
 * and, per format and size, the discrete frame intervals from the frame-rate
 * model (docs/uvc.md, "Formats, sizes and intervals"). Indexes are 1-based as on
 * the wire (bFormatIndex, bFrameIndex). */
#ifndef DFK_UVC_FORMATS_H
#define DFK_UVC_FORMATS_H

#include <stddef.h>
#include <stdint.h>

#include "../../models/model.h"

#define UVC_MAX_FORMATS   8
#define UVC_MAX_FRAMES    8
#define UVC_MAX_INTERVALS 5

struct uvc_frame {
	uint16_t width, height;
	uint32_t max_frame_size;                 /* bytes of one frame: width x height x bpp / 8 */
	uint32_t intervals[UVC_MAX_INTERVALS];   /* 100 ns units, shortest (fastest) first */
	uint8_t n_intervals;
	double max_fps;                          /* the frame-rate model's maximum */
};

struct uvc_format {
	uint32_t pfnc;                           /* the camera's PixelFormat for it */
	const char *fourcc;                      /* the manual's UVC name ("RGGB", "RGB24") */
	uint8_t guid[16];                        /* guidFormat, descriptor byte order */
	uint8_t bits_per_pixel;
	struct uvc_frame frames[UVC_MAX_FRAMES];
	uint8_t n_frames;
};

struct uvc_formats {
	struct uvc_format fmt[UVC_MAX_FORMATS];
	uint8_t n;
};

/* The formats of `m` that have a UVC FourCC, in the manual's order. Returns 0, or
 * DFK_ERR_NOTSUP when the model has none (a camera without a UVC face). */
int uvc_formats_build(struct uvc_formats *f, const struct camera_model *m);
/* 1-based lookups; NULL when out of range. */
const struct uvc_format *uvc_formats_get(const struct uvc_formats *f, uint8_t format_index);
const struct uvc_frame *uvc_formats_frame(const struct uvc_formats *f, uint8_t format_index, uint8_t frame_index);

#endif
