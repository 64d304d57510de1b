/* SPDX-License-Identifier: MIT */
/* What the uvc suite expects of a UVC face, from files: the manual's UVC formats
 * (pixelformats.tsv's uvc_fourcc column) and maximum frame rates (framerate.tsv),
 * its Video4Linux2 controls (v4l2.ini, ranges in the manual's units), and where
 * each control lies in the device (the processing unit's standard selectors, or
 * the extension unit's selectors of the mapping file uvcmap/dfk38ux267.ini).
 *
 * A V4L2/UVC control value is an integer; the manual's units convert as
 * harness/uvcfix.py states them: microseconds, hundredths of a dB, kelvin,
 * Gamma x100, white balance ratios x64. */
#ifndef CONFORM_UVCFIX_H
#define CONFORM_UVCFIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UVCFIX_MAX_FORMATS 16
#define UVCFIX_MAX_RATES   64
#define UVCFIX_MAX_CONTROLS 64
#define UVCFIX_MAX_ENTRIES 16

struct uvcfix_format {
	char name[32];                /* PFNC name */
	char fourcc[8];               /* the manual's UVC column */
	int bits;
};

struct uvcfix_rate {
	char format[32];
	unsigned width, height;
	double max_fps;
};

enum uvcfix_where { UVCFIX_PU, UVCFIX_XU };

struct uvcfix_control {
	char name[40];                /* the manual's V4L2 name */
	char type[16];                /* Integer Float Boolean Enumeration Command */
	bool read_only;
	bool has_range, has_default;
	int64_t min, max, def;        /* V4L2 integers (converted) */
	unsigned n_entries;
	char entries[UVCFIX_MAX_ENTRIES][40];
	/* where */
	enum uvcfix_where where;
	uint8_t selector;             /* PU or XU control selector */
	uint8_t size, offset;         /* bits within the control (PU: the whole 2 bytes) */
	bool is_signed;
	char v4l2_type[16];           /* integer boolean menu button */
	unsigned n_menu;
	uint32_t menu_values[UVCFIX_MAX_ENTRIES];
};

struct uvcfix {
	struct uvcfix_format formats[UVCFIX_MAX_FORMATS];
	unsigned n_formats;
	struct uvcfix_rate rates[UVCFIX_MAX_RATES];
	unsigned n_rates;
	struct uvcfix_control controls[UVCFIX_MAX_CONTROLS];
	unsigned n_controls;
	uint8_t xu_guid[16];
	uint8_t xu_unit;
};

/* Loads DIR/pixelformats.tsv, DIR/framerate.tsv, DIR/v4l2.ini and the mapping file MAP.
 * 0, or -1 with err saying why. */
int uvcfix_load(const char *dir, const char *map, struct uvcfix *fx, char *err, size_t errlen);
/* The manual's maximum frame rate for a format and size, or 0 when the manual has none. */
double uvcfix_max_fps(const struct uvcfix *fx, const char *format, unsigned w, unsigned h);

#endif
