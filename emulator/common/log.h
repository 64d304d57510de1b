/* SPDX-License-Identifier: MIT */
/* Logging to stderr with the program prefix. Messages are lower-case and carry the numbers. */
#ifndef DFK_LOG_H
#define DFK_LOG_H

#include <stddef.h>

enum log_level { LOG_ERR = 0, LOG_WARN = 1, LOG_INFO = 2, LOG_DEBUG = 3 };

void log_set_level(enum log_level lvl);
enum log_level log_get_level(void);
void log_set_prefix(const char *prefix);
void log_msg(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Copies untrusted bytes (a peer's bus id, a file's text) for a log line:
 * printable ASCII as is, everything else as \xNN. Returns out. */
const char *log_escape(const void *in, size_t n, char *out, size_t outlen);

#define log_err(...)  log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_dbg(...)  do { if (log_get_level() >= LOG_DEBUG) log_msg(LOG_DEBUG, __VA_ARGS__); } while (0)

#endif
