/* SPDX-License-Identifier: MIT */
/* Numbers from users and the wire: the whole string must be the number, and
 * values that would poison device time (NaN, infinities, overflow) are refused. */
#ifndef DFK_NUMPARSE_H
#define DFK_NUMPARSE_H

#include <stdbool.h>
#include <stdint.h>

/* Unsigned decimal, 0x hex or 0 octal, no sign, no trailing text, no overflow. */
bool parse_u64(const char *s, uint64_t *v);
/* A finite double in [lo, hi], no trailing text. */
bool parse_double_in(const char *s, double lo, double hi, double *v);

#endif
