/* SPDX-License-Identifier: MIT */
/* Tables shared by the language and the engine (fault_kinds.c); not for the layers. */
#ifndef DFK_FAULT_INTERNAL_H
#define DFK_FAULT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fault.h"

/* A symbolic name a number may be written as (`status EPROTO`, `status busy`). */
struct fault_name {
	const char *name;
	int64_t value;
};

/* How a parameter's value is written. */
enum fault_value_type {
	FAULT_VT_EP,        /* 0xNN endpoint address, or any */
	FAULT_VT_UINT,      /* unsigned in [min, max] */
	FAULT_VT_TIME,      /* device time T or +N, at least `now` */
	FAULT_VT_SIGNED,    /* [-]N with |N| <= max */
	FAULT_VT_ERRNO,     /* -N with min <= N <= max */
	FAULT_VT_FIELD,     /* a fault_field name */
};

/* How a number is printed by fault_format. */
enum fault_print {
	FAULT_PR_DEC,
	FAULT_PR_HEX16,     /* 0x%04x */
};

struct fault_param_info {
	const char *what;             /* in error messages: "a duration in ns below 2^63" */
	enum fault_value_type type;
	uint64_t min, max;            /* UINT and SIGNED (magnitude) */
	const struct fault_name *names;   /* NULL-terminated, or NULL */
	enum fault_print print;
	size_t offset;                /* in struct fault_args */
	uint8_t width;                /* bytes of the slot (1, 2, 4, 8); signed for SIGNED and ERRNO */
};

const struct fault_param_info *fault_param_info(enum fault_param p);

#endif
