/* SPDX-License-Identifier: MIT */
/* A received frame next to the one that was expected, for the HTML reports of
 * dfk-drivertest and dfk-conform: DIR/PREFIX-received.png, -expected.png and
 * -diff.png (equal pixels a dim grey of the expected frame, differing ones red,
 * brighter the larger the difference), decoded to RGB by framecheck.h. */
#ifndef REPORT_FRAME_IMAGES_H
#define REPORT_FRAME_IMAGES_H

#include <stddef.h>
#include <stdint.h>

#include "framecheck.h"

/* The three file suffixes, in the order a page shows them. */
extern const char *const frame_image_kinds[3];   /* "received", "expected", "diff" */

/* got and exp hold frame_payload_size(g) bytes each (a short frame padded by the caller).
 * Returns 0, or -1 with the reason in err. */
int frame_images_write(const char *dir, const char *prefix, const struct frame_geometry *g, const uint8_t *got,
		       const uint8_t *exp, char *err, size_t errlen);

#endif
