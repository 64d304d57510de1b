/* SPDX-License-Identifier: MIT */
/* Pixel format fixtures (fixtures/<model>/pixelformats.tsv: the manual's 5.1.1
 * table of the model under test): the formats the stream and framerate suites
 * run, in the manual's order, and what the table implies about the sensor. */
#ifndef CONFORM_FMTFIX_H
#define CONFORM_FMTFIX_H

#include <stdbool.h>
#include <stddef.h>

#define FMTFIX_MAX 16

struct fmtfix_format {
	char name[32];        /* GenICam / PFNC name */
	int bits;             /* bits per pixel (the table's column) */
};

struct fmtfix {
	struct fmtfix_format f[FMTFIX_MAX];
	size_t n;
};

/* Reads DIR/pixelformats.tsv (a header line, then `name<TAB>bits<TAB>...` rows).
 * 0, or -1 with `err` saying why (no file, a malformed row, no rows, too many). */
int fmtfix_load(const char *dir, struct fmtfix *fx, char *err, size_t errlen);

/* The first format with the fewest / the most bits per pixel; the first whose bits per
 * pixel are not whole bytes (a packed format), else the narrowest. */
const char *fmtfix_narrowest(const struct fmtfix *fx);
const char *fmtfix_widest(const struct fmtfix *fx);
const char *fmtfix_packed(const struct fmtfix *fx);
/* A camera whose formats include no Bayer format has no colour filter
 * (docs/image-pipeline.md section 1: its Mono formats carry the raw values). */
bool fmtfix_mono_sensor(const struct fmtfix *fx);

#endif
