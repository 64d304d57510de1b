/* SPDX-License-Identifier: MIT */
/* Frame checker: the payload docs/image-pipeline.md defines for the "ramp"
 * test pattern, recomputed on the host side and compared byte for byte with
 * what a camera sent; plus a decoder of the document's pixel formats to RGB
 * for viewing. Two sensors (section 1): a Bayer RG one (the 8 formats of the
 * DFK) and one without a colour filter (Mono8, Mono12p, Mono16 carrying the
 * raw values, as a DMK sends them).
 *
 * Written from the document alone, independently of the emulator's
 * emulator/sensor/ (never linked): a wrong formula on one side shows up as a
 * mismatch instead of hiding behind a shared helper.
 *
 * Geometry rules (section 2 of the document), checked by frame_geometry_problem():
 *   - width, height > 0 and even (the flip formula and the Bayer phase need it);
 *     a multiple of 4 in width for the 4:1:1 formats;
 *   - per axis decimation and binning are 1 or 2 (0 is taken as 1), never both 2
 *     on one axis; binning is 2X on both axes or on neither, and never together
 *     with decimation (the document defines Binning 2X only as a 2x2 average);
 *   - the format is one the sensor has (Mono12p and Mono16 only without a colour
 *     filter, the Bayer, YCbCr and BGR formats only with one);
 *   - offset + size within the readout mode's grid:
 *     offset_x + width <= sensor width / (decimation_h * binning_h), likewise vertically.
 * All functions are pure and thread-safe; they allocate only small row buffers. */
#ifndef CONFORM_FRAMECHECK_H
#define CONFORM_FRAMECHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* PFNC codes of the document's pixel formats. */
#define PFNC_MONO8                 0x01080001u
#define PFNC_MONO12P               0x010C0047u
#define PFNC_MONO16                0x01100007u
#define PFNC_BAYER_RG8             0x01080009u
#define PFNC_BAYER_RG12P           0x010C0059u
#define PFNC_BAYER_RG16            0x0110002Fu
#define PFNC_YCBCR422_8            0x0210003Bu
#define PFNC_YCBCR411_8            0x020C005Au
#define PFNC_YCBCR411_8_CBYYCRYY   0x020C003Cu
#define PFNC_BGR8                  0x02180015u

/* The sensor a frame comes from (the document's section 1): what the camera reports
 * (SensorWidth, SensorHeight) and whether it has a colour filter. */
struct frame_sensor {
	uint32_t width, height;            /* active pixels; 0 = unknown: no geometry is valid */
	bool mono;                         /* no colour filter: the Mono formats carry the raw values P */
};

/* What the camera was set to when it acquired the frame. Offsets and sizes are
 * in the readout mode's own pixel grid (as the features Width/Height/OffsetX/
 * OffsetY are; with OffsetAutoCenter the values the camera reports). */
struct frame_geometry {
	struct frame_sensor sensor;
	uint32_t width, height;            /* Width, Height */
	uint32_t offset_x, offset_y;       /* OffsetX, OffsetY */
	bool reverse_x, reverse_y;         /* ReverseX, ReverseY */
	uint32_t decimation_h, decimation_v; /* DecimationHorizontal/Vertical: 1 or 2 (0 = 1) */
	uint32_t binning_h, binning_v;     /* BinningHorizontal/Vertical: 1 or 2 (0 = 1) */
	uint32_t pfnc;                     /* PixelFormat, one of PFNC_* */
};

/* Inputs of the "ramp" test pattern: raw(sx, sy) = (sx + 2 sy + 16 block_id + seed) mod 4096. */
struct frame_source {
	uint32_t seed;                     /* the emulator's --seed (default 0) */
	uint64_t block_id;                 /* the frame's U3V block id (first frame after power-up = 1) */
};

/* The first mismatch found by frame_compare(), in terms a person can read. */
struct frame_diff {
	size_t expected_len;       /* frame_payload_size(g) */
	size_t got_len;            /* the received length */
	size_t bytes;              /* differing bytes over the common length, plus |expected_len - got_len| */
	uint32_t rows;             /* output rows with at least one differing or missing byte */
	/* The first difference (meaningful when bytes > 0): */
	size_t offset;             /* byte offset in the payload */
	uint32_t x, y;             /* the first output pixel that byte belongs to (UINT32_MAX beyond the frame) */
	uint32_t npix;             /* pixels that byte covers (x .. x+npix-1 on row y): 1, 2 or 4 */
	const char *component;     /* which sample that byte holds, e.g. "b", "Cb", "P>>4", "P[11:4] of x+1" */
	int expected, got;         /* the byte values; -1 where that side is too short */
};

/* Bits per pixel of a PFNC code (8, 12, 16, 24), or 0 for a format the document does not have. */
int frame_bits_per_pixel(uint32_t pfnc);
/* The PFNC name ("BayerRG12p", ...) or NULL for an unknown format. */
const char *frame_pfnc_name(uint32_t pfnc);

/* NULL when the geometry (including its pixel format) is valid, otherwise a
 * short constant text saying what is wrong. */
const char *frame_geometry_problem(const struct frame_geometry *g);

/* PayloadSize = width * height * bits_per_pixel / 8 (no line padding); 0 for an
 * unknown format or a size that is not a whole number of bytes. Checks only the
 * pixel format and the size, not the rest of the geometry. */
size_t frame_payload_size(const struct frame_geometry *g);

/* Writes the exact payload of the test pattern for this geometry and source
 * (sections 1, 2 and 5; the pattern bypasses section 3) into out[0 ..
 * frame_payload_size(g)). Returns 0, -EINVAL for an invalid geometry (see
 * frame_geometry_problem), -ENOBUFS when len is smaller than the payload,
 * -ENOMEM. */
int frame_expected(const struct frame_geometry *g, const struct frame_source *s, uint8_t *out, size_t len);

/* Compares a received payload got[0 .. len) with the expected one, row by row
 * without building the whole expected frame. Fills *d (may be NULL). Returns 0
 * when identical (same length, same bytes), 1 when they differ, -EINVAL for an
 * invalid geometry, -ENOMEM. */
int frame_compare(const struct frame_geometry *g, const struct frame_source *s, const uint8_t *got, size_t len,
		  struct frame_diff *d);

/* One line describing d for a log or a CUnit message, e.g.
 * "12 bytes differ in 3 rows (payload 8294400 bytes); first at byte 4101: pixel (5, 1) Cb of 2 pixels: expected 0x80, got 0x7f".
 * Returns buf. */
char *frame_diff_describe(const struct frame_geometry *g, const struct frame_diff *d, char *buf, size_t len);

/* Decodes a payload of any of the document's formats to 8-bit RGB (r g b per
 * pixel, width * height * 3 bytes in rgb) for viewing. Uses width, height,
 * pfnc and sensor.mono of g only. Bayer: the samples unpacked to 12 bits
 * (BayerRG8 s << 4, BayerRG16 s >> 4, BayerRG12p as is) and the document's
 * bilinear debayer, then >> 4; Mono12p and Mono16 unpacked the same way, then
 * grey; YCbCr: inverse BT.601 full range, each chroma sample replicated over
 * the pixels it covers; Mono8: grey; BGR8: reordered. Returns 0, -EINVAL
 * (unknown format, bad size), -ENOBUFS when len is smaller than
 * frame_payload_size(g), -ENOMEM. */
int frame_to_rgb(const struct frame_geometry *g, const uint8_t *payload, size_t len, uint8_t *rgb);

#endif
