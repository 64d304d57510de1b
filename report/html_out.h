/* SPDX-License-Identifier: MIT */
/* What the HTML reports of dfk-drivertest and dfk-conform share for writing text:
 * escaping of everything that comes from a device, a driver or a file, relative
 * file URLs, durations in a readable unit. */
#ifndef REPORT_HTML_OUT_H
#define REPORT_HTML_OUT_H

#include <stddef.h>
#include <stdio.h>

/* Text and attribute values: & < > " ' escaped, control characters dropped (a tab
 * becomes a space), at most max bytes of s: a bound on what one untrusted string adds. */
void html_esc_n(FILE *f, const char *s, size_t max);
/* html_esc_n with a bound of 4096 bytes. */
void html_esc(FILE *f, const char *s);
/* A relative URL of a file name: everything but [A-Za-z0-9._-] percent-encoded (512 bytes at most). */
void html_url_name(FILE *f, const char *s);
/* A duration of ns nanoseconds in the unit that suits it ("2.5 ms"). */
void html_fmt_dur(char *buf, size_t len, double ns);
/* An SVG <title> (the tooltip of its parent) from a format, escaped. */
void html_svg_title(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
