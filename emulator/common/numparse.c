/* SPDX-License-Identifier: MIT */
#include "numparse.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>

bool parse_u64(const char *s, uint64_t *v)
{
	char *end;
	unsigned long long x;

	/* strtoull skips blanks and accepts "-1" as ULLONG_MAX: neither is a count */
	if (!s || !isdigit((unsigned char)*s))
		return false;
	errno = 0;
	x = strtoull(s, &end, 0);
	if (errno || *end)
		return false;
	*v = x;
	return true;
}

bool parse_double_in(const char *s, double lo, double hi, double *v)
{
	char *end;
	double x;

	if (!s || !*s || isspace((unsigned char)*s))
		return false;
	errno = 0;
	x = strtod(s, &end);
	/* isfinite first: every comparison with NaN is false, so a range check alone lets it in */
	if (errno || *end || !isfinite(x) || x < lo || x > hi)
		return false;
	*v = x;
	return true;
}
