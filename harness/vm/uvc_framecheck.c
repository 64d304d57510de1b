/* SPDX-License-Identifier: MIT */
/* uvc-framecheck: checks a file of back-to-back frames (what `v4l2-ctl --stream-to`
 * writes from a UVC capture) against the "ramp" test pattern of
 * docs/image-pipeline.md, with the independent checker conformance/lib/framecheck.c.
 *
 *   uvc-framecheck FILE FORMAT WIDTH HEIGHT OFFSET_X OFFSET_Y SEED
 *
 * FORMAT is a V4L2 FourCC of the UVC face (RGGB BayerRG8, RG16 BayerRG16, YUYV
 * YCbCr422_8, BGR3 BGR8). A UVC frame carries no block id: the first frame's
 * comes from its content (the pattern shifts by 16 per block, so 256 candidates),
 * then every next frame must be the pattern of the next block id.
 * Prints "frames N first_block B" and exits 0, or names the first mismatch and exits 1. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "framecheck.h"

static uint32_t pfnc_of(const char *fourcc)
{
	static const struct {
		const char *fourcc;
		uint32_t pfnc;
	} map[] = {
		{ "RGGB", PFNC_BAYER_RG8 }, { "RG16", PFNC_BAYER_RG16 }, { "YUYV", PFNC_YCBCR422_8 }, { "BGR3", PFNC_BGR8 },
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(map[i].fourcc, fourcc) == 0)
			return map[i].pfnc;
	return 0;
}

int main(int argc, char **argv)
{
	struct frame_geometry g = { .sensor = { 4096, 2160, false } };
	struct frame_source s = { 0 };
	struct frame_diff d;
	char why[512];

	if (argc != 8) {
		fprintf(stderr, "usage: uvc-framecheck FILE FORMAT WIDTH HEIGHT OFFSET_X OFFSET_Y SEED\n");
		return 2;
	}
	g.pfnc = pfnc_of(argv[2]);
	g.width = (uint32_t)strtoul(argv[3], NULL, 0);
	g.height = (uint32_t)strtoul(argv[4], NULL, 0);
	g.offset_x = (uint32_t)strtoul(argv[5], NULL, 0);
	g.offset_y = (uint32_t)strtoul(argv[6], NULL, 0);
	s.seed = (uint32_t)strtoul(argv[7], NULL, 0);
	const char *bad = frame_geometry_problem(&g);
	if (bad) {
		fprintf(stderr, "uvc-framecheck: %s\n", bad);
		return 2;
	}
	size_t size = frame_payload_size(&g);
	FILE *f = fopen(argv[1], "rb");
	if (!f) {
		perror(argv[1]);
		return 2;
	}
	uint8_t *buf = malloc(size);
	if (!buf)
		return 2;
	size_t n, frames = 0;
	uint64_t first = 0;
	while ((n = fread(buf, 1, size, f)) > 0) {
		if (n != size) {
			printf("frame %zu: %zu bytes, expected %zu\n", frames, n, size);
			return 1;
		}
		if (frames == 0) {
			/* the block id whose pattern this is (1..256 covers every residue) */
			for (uint64_t b = 1; b <= 256 && !first; b++) {
				s.block_id = b;
				if (frame_compare(&g, &s, buf, size, NULL) == 0)
					first = b;
			}
			if (!first) {
				s.block_id = 1;
				frame_compare(&g, &s, buf, size, &d);
				printf("frame 0: no block id gives this frame; against block 1: %s\n",
				       frame_diff_describe(&g, &d, why, sizeof(why)));
				return 1;
			}
		} else {
			s.block_id = first + frames;
			if (frame_compare(&g, &s, buf, size, &d) != 0) {
				printf("frame %zu (block %llu): %s\n", frames, (unsigned long long)s.block_id,
				       frame_diff_describe(&g, &d, why, sizeof(why)));
				return 1;
			}
		}
		frames++;
	}
	fclose(f);
	free(buf);
	printf("frames %zu first_block %llu\n", frames, (unsigned long long)first);
	return frames ? 0 : 1;
}
