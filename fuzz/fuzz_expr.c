/* SPDX-License-Identifier: MIT */
/* expr: the SwissKnife formula evaluator (camera/expr.h) and its identifier
 * lister, on arbitrary text.
 *
 * Input: byte 0 bit 0 selects integer mode (IntSwissKnife), bit 1 a lookup
 * that fails for every name; the rest is the formula. Names resolve to a few
 * values picked to hit the edges of int64 conversions. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../emulator/camera/expr.h"
#include "../emulator/common/errors.h"
#include "fuzz.h"

static const struct {
	const char *name;
	double value;
} vars[] = {
	{ "Width", 4096 }, { "Height", 2160 }, { "Zero", 0 }, { "One", 1 }, { "MinusOne", -1 },
	{ "Gain", 2.5 }, { "Big", 9223372036854775807.0 }, { "Min", -9223372036854775808.0 },
	{ "Huge", 1e300 }, { "Tiny", 5e-324 },
};

static int lookup(void *ctx, const char *name, size_t len, double *out)
{
	if (ctx)
		return DFK_ERR_NOTFOUND;
	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		if (strlen(vars[i].name) == len && !strncmp(vars[i].name, name, len)) {
			*out = vars[i].value;
			return DFK_OK;
		}
	}
	return DFK_ERR_NOTFOUND;
}

static void on_name(void *ctx, const char *name, size_t len)
{
	size_t *total = ctx;

	/* each name lies inside the text and is not empty */
	if (!len || !name[len - 1])
		abort();
	*total += len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fail_all;
	size_t names = 0;
	double v = 0;
	char *text;
	int rc;

	if (size == 0)
		return 0;
	/* the evaluator takes a C string: copy, so reads past the end are caught */
	text = malloc(size);
	if (!text)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	rc = expr_eval(text, data[0] & 1, lookup, data[0] & 2 ? &fail_all : NULL, &v);
	/* integer mode always yields an integer (or an error) */
	if (rc == DFK_OK && (data[0] & 1) && isfinite(v) && v != trunc(v))
		abort();
	expr_names(text, on_name, &names);
	if (names > size)
		abort();
	free(text);
	return 0;
}
