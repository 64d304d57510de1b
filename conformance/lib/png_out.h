/* SPDX-License-Identifier: MIT */
/* PNG output of decoded frames (for --save-frames and for people to look at). */
#ifndef CONFORM_PNG_OUT_H
#define CONFORM_PNG_OUT_H

#include <stdint.h>

/* Writes an 8-bit RGB image (r g b per pixel, rows of w * 3 bytes, no padding)
 * to `path` as a PNG. The data goes to a temporary file in the same directory
 * that is renamed over `path` once complete, so a reader never sees a partial
 * file. Returns 0, -EINVAL (empty or oversized image), -errno of the file
 * operations, or -EIO when libpng fails. */
int png_write_rgb(const char *path, const uint8_t *rgb, uint32_t w, uint32_t h);

#endif
