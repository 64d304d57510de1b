/* SPDX-License-Identifier: MIT */
/* The adapter's event lines (docs/drivertest.md, "Events"): one line of the
 * driver under test's adapter, parsed into a typed event. The adapter is a
 * program we did not write and may be broken: every field is checked here,
 * lengths are bounded, and a malformed line is an error, never a crash. */
#ifndef DT_ADAPTER_PROTO_H
#define DT_ADAPTER_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AD_LINE_MAX 4096   /* a longer line is a protocol error */

enum ad_kind {
	AD_HELLO,
	AD_READY,
	AD_FRAME,
	AD_TIMEOUT,
	AD_ERROR,
	AD_LOST,
	AD_REOPENED,
	AD_GAP,
	AD_DONE,
	AD_UNKNOWN,        /* a word the contract does not have: kept, otherwise ignored */
	AD_KIND_COUNT
};

enum ad_status { AD_ST_OK, AD_ST_INCOMPLETE, AD_ST_BAD };

struct ad_event {
	enum ad_kind kind;
	/* frame */
	uint64_t id, size;
	enum ad_status status;
	bool has_ts, has_geometry, has_pixfmt;
	uint64_t ts;
	uint32_t width, height, x, y, pixfmt;
	char detail[48];
	char file[256];
	/* gap: ids from .. to-1 never arrived */
	uint64_t gap_from, gap_to;
	/* error */
	char stage[16];
	/* hello */
	char driver[48], version[48], mode[24];
	/* error, lost: the driver's message */
	char msg[512];
};

/* Parses one line (without its newline, len bytes, no NUL needed). Returns 0, or -1
 * with a reason in err (unknown status, a number that is not one, a missing field ...). */
int ad_parse_line(const char *line, size_t len, struct ad_event *ev, char *err, size_t errlen);

const char *ad_kind_name(enum ad_kind k);
const char *ad_status_name(enum ad_status s);

#endif
