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
