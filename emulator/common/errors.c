/* SPDX-License-Identifier: MIT */
#include "errors.h"

const char *dfk_strerror(int err)
{
	static const char *const text[DFK_ERR_COUNT] = {
		"success",
		"out of memory",
		"invalid argument",
		"i/o error",
		"protocol error",
		"value out of range",
		"invalid address",
		"bad alignment",
		"read-only location",
		"access denied",
		"not implemented",
		"busy",
		"not found",
		"corrupt data",
		"transfer size not aligned",
		"inconsistent settings",
	};
	if (err > 0 || -err >= DFK_ERR_COUNT)
		return "unknown error";
	return text[-err];
}
