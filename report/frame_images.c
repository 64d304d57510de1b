/* SPDX-License-Identifier: MIT */
#include "frame_images.h"

#include <stdio.h>
#include <stdlib.h>

#include "png_out.h"

const char *const frame_image_kinds[3] = { "received", "expected", "diff" };

/* rgb_got becomes the difference image. */
static void difference(uint8_t *rgb_got, const uint8_t *rgb_exp, size_t pixels)
{
	for (size_t p = 0; p < pixels; p++) {
		uint8_t *o = &rgb_got[p * 3];
		const uint8_t *x = &rgb_exp[p * 3];
		int dmax = 0;

		for (int c = 0; c < 3; c++) {
			int dd = abs((int)o[c] - (int)x[c]);

			if (dd > dmax)
				dmax = dd;
		}
		if (dmax) {
			o[0] = (uint8_t)(128 + (dmax > 127 ? 127 : dmax));
			o[1] = 0;
			o[2] = 0;
		} else {
			uint8_t grey = (uint8_t)(((unsigned)x[0] + x[1] + x[2]) / 12);

			o[0] = o[1] = o[2] = grey;
		}
	}
}

int frame_images_write(const char *dir, const char *prefix, const struct frame_geometry *g, const uint8_t *got,
		       const uint8_t *exp, char *err, size_t errlen)
{
	size_t payload = frame_payload_size(g), pixels = (size_t)g->width * g->height;
	uint8_t *rgb_got = NULL, *rgb_exp = NULL;
	char path[1024];
	int rc = -1;

	if (!payload || frame_geometry_problem(g)) {
		snprintf(err, errlen, "no valid geometry");
		return -1;
	}
	rgb_got = malloc(pixels * 3);
	rgb_exp = malloc(pixels * 3);
	if (!rgb_got || !rgb_exp) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (frame_to_rgb(g, got, payload, rgb_got) < 0 || frame_to_rgb(g, exp, payload, rgb_exp) < 0) {
		snprintf(err, errlen, "cannot decode the frame");
		goto out;
	}
	for (int k = 0; k < 3; k++) {
		if (k == 2)
			difference(rgb_got, rgb_exp, pixels);
		if (snprintf(path, sizeof(path), "%s/%s-%s.png", dir, prefix, frame_image_kinds[k]) >= (int)sizeof(path) ||
		    png_write_rgb(path, k == 1 ? rgb_exp : rgb_got, g->width, g->height) < 0) {
			snprintf(err, errlen, "cannot write the PNG images");
			goto out;
		}
	}
	rc = 0;
out:
	free(rgb_got);
	free(rgb_exp);
	return rc;
}
