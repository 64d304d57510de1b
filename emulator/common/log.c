/* SPDX-License-Identifier: MIT */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>

static enum log_level current_level = LOG_INFO;
static const char *current_prefix = "dfk-emu";

void log_set_level(enum log_level lvl) { current_level = lvl; }
enum log_level log_get_level(void) { return current_level; }
void log_set_prefix(const char *prefix) { current_prefix = prefix; }

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	static const char *const names[] = { "error", "warning", "info", "debug" };
	va_list ap;

	if (lvl > current_level)
		return;
	fprintf(stderr, "%s: %s: ", current_prefix, names[lvl]);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

const char *log_escape(const void *in, size_t n, char *out, size_t outlen)
{
	const unsigned char *p = in;
	size_t k = 0;

	if (outlen == 0)
		return out;
	for (size_t i = 0; i < n && p[i]; i++) {
		if (p[i] >= 0x20 && p[i] < 0x7F && p[i] != '\\') {
			if (k + 2 > outlen)
				break;
			out[k++] = (char)p[i];
		} else {
			if (k + 5 > outlen)
				break;
			snprintf(out + k, outlen - k, "\\x%02x", p[i]);
			k += 4;
		}
	}
	out[k] = '\0';
	return out;
}
