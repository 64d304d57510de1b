/* SPDX-License-Identifier: MIT */
#include "uvc_formats.h"

#include <math.h>
#include <string.h>

#include "../../models/pfnc.h"
#include "../camera/framerate.h"
#include "../common/errors.h"

/* GUID of an uncompressed format named by a FourCC (UVC payload spec, 2.2):
 * the four characters, then the fixed tail 00 00 10 00 80 00 00 AA 00 38 9B 71. */
#define FOURCC_GUID(a, b, c, d) \
	{ a, b, c, d, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71 }

/* Manual 5.1.1, the "UVC" column. YCbCr411_8 and Mono8 have no UVC format. */
static const struct {
	uint32_t pfnc;
	const char *fourcc;
	uint8_t guid[16];
} format_defs[] = {
	{ PFNC_BAYER_RG8, "RGGB", FOURCC_GUID('R', 'G', 'G', 'B') },
	{ PFNC_BAYER_RG12P, "RGCp", FOURCC_GUID('R', 'G', 'C', 'p') },
	{ PFNC_BAYER_RG16, "RG16", FOURCC_GUID('R', 'G', '1', '6') },
	{ PFNC_YCBCR422_8, "YUY2", FOURCC_GUID('Y', 'U', 'Y', '2') },
	{ PFNC_YCBCR411_8_CBYYCRYY, "Y411", FOURCC_GUID('Y', '4', '1', '1') },
	/* MEDIASUBTYPE_RGB24: bytes B, G, R -- the camera's BGR8 */
	{ PFNC_BGR8, "RGB24",
	  { 0x7D, 0xEB, 0x36, 0xE4, 0x4F, 0x52, 0xCE, 0x11, 0x9F, 0x53, 0x00, 0x20, 0xAF, 0x0B, 0xA7, 0x70 } },
};

/* The manual's frame-rate tables (5.1.4) list 4096x2160, 3840x2160, 1920x1080 and
 * 640x480; 2048x1080 and 1280x720 are common sizes hosts ask for. Largest first. */
static const struct {
	uint16_t width, height;
} frame_sizes[] = {
	{ 4096, 2160 }, { 3840, 2160 }, { 2048, 1080 }, { 1920, 1080 }, { 1280, 720 }, { 640, 480 },
};

/* Slower rates offered below each size's maximum: 60, 30, 15 and 7.5 fps, 100 ns units. */
static const uint32_t slower_intervals[] = { 166667, 333333, 666667, 1333333 };

static int model_has_format(const struct camera_model *m, uint32_t pfnc, uint8_t *bpp)
{
	int idx = model_feature_index(m, "PixelFormat");
	const struct feature_def *f;

	if (idx < 0)
		return 0;
	f = &m->features[idx];
	for (unsigned i = 0; i < f->n_entries; i++)
		if ((uint32_t)f->entries[i].value == pfnc) {
			*bpp = (uint8_t)PFNC_BITS(pfnc);
			return 1;
		}
	return 0;
}

static void build_frame(struct uvc_frame *fr, const struct camera_model *m, uint32_t pfnc, uint8_t bpp,
			uint16_t w, uint16_t h)
{
	struct readout r = { .width = w, .height = h, .binning_h = 1, .binning_v = 1, .decimation_h = 1,
			     .decimation_v = 1, .pfnc = pfnc, .bits_per_pixel = bpp };
	double fps = framerate_max_fps(&m->sensor, &r);
	uint32_t fastest;

	memset(fr, 0, sizeof(*fr));
	fr->width = w;
	fr->height = h;
	fr->max_frame_size = (uint32_t)((uint64_t)w * h * bpp / 8);
	fr->max_fps = fps;
	/* rounded up: the interval offered never asks for more than the maximum rate */
	fastest = fps > 0 ? (uint32_t)ceil(1e7 / fps - 1e-6) : 10000000u;
	fr->intervals[fr->n_intervals++] = fastest;
	for (size_t i = 0; i < sizeof(slower_intervals) / sizeof(slower_intervals[0]); i++)
		if (slower_intervals[i] > fastest && fr->n_intervals < UVC_MAX_INTERVALS)
			fr->intervals[fr->n_intervals++] = slower_intervals[i];
}

int uvc_formats_build(struct uvc_formats *f, const struct camera_model *m)
{
	memset(f, 0, sizeof(*f));
	for (size_t i = 0; i < sizeof(format_defs) / sizeof(format_defs[0]) && f->n < UVC_MAX_FORMATS; i++) {
		struct uvc_format *fmt = &f->fmt[f->n];
		uint8_t bpp;

		if (!model_has_format(m, format_defs[i].pfnc, &bpp))
			continue;
		fmt->pfnc = format_defs[i].pfnc;
		fmt->fourcc = format_defs[i].fourcc;
		memcpy(fmt->guid, format_defs[i].guid, sizeof(fmt->guid));
		fmt->bits_per_pixel = bpp;
		for (size_t s = 0; s < sizeof(frame_sizes) / sizeof(frame_sizes[0]) && fmt->n_frames < UVC_MAX_FRAMES;
		     s++) {
			if (frame_sizes[s].width > m->sensor.width || frame_sizes[s].height > m->sensor.height)
				continue;
			build_frame(&fmt->frames[fmt->n_frames++], m, fmt->pfnc, bpp, frame_sizes[s].width,
				    frame_sizes[s].height);
		}
		f->n++;
	}
	return f->n ? DFK_OK : DFK_ERR_NOTSUP;
}

const struct uvc_format *uvc_formats_get(const struct uvc_formats *f, uint8_t format_index)
{
	if (format_index < 1 || format_index > f->n)
		return NULL;
	return &f->fmt[format_index - 1];
}

const struct uvc_frame *uvc_formats_frame(const struct uvc_formats *f, uint8_t format_index, uint8_t frame_index)
{
	const struct uvc_format *fmt = uvc_formats_get(f, format_index);

	if (!fmt || frame_index < 1 || frame_index > fmt->n_frames)
		return NULL;
	return &fmt->frames[frame_index - 1];
}
