/* SPDX-License-Identifier: MIT */
/* Inside the trace library: shared by trace_read.c, trace_write.c and trace_diff.c. */
#ifndef DFK_TRACE_IMPL_H
#define DFK_TRACE_IMPL_H

#include <stdbool.h>

#include "trace.h"

/* Strict decimal numbers: the whole string, digits only (and one leading '-'
 * for the signed one), no overflow; times and tolerances stay below 2^63. */
bool trace_parse_u64(const char *s, uint64_t *v);
bool trace_parse_i64(const char *s, int64_t *v);
bool trace_parse_time(const char *s, uint64_t *v);
/* A kind, reason or signal name: 1 to TRACE_NAME_MAX - 1 bytes of [A-Za-z0-9_.$\[\]:-]. */
bool trace_valid_name(const char *s);
/* Index of name in t->names, added if new; -1 when the table is full or the name bad. */
int trace_intern(struct trace *t, const char *name);
/* Index of name, or -1. */
int trace_find_name(const struct trace *t, const char *name);

#endif
