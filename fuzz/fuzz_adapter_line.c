/* SPDX-License-Identifier: MIT */
/* adapter_line: the event lines a driver's adapter prints to dfk-drivertest
 * (drivertest/runner/adapter_proto.h), one line of arbitrary bytes. A parsed
 * event is one of the contract's, with its required fields and terminated strings. */
#include <stdlib.h>
#include <string.h>

#include "../drivertest/runner/adapter_proto.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ad_event ev;
	char err[200];

	fuzz_init();
	if (ad_parse_line((const char *)data, size, &ev, err, sizeof(err)) < 0) {
		if (!memchr(err, 0, sizeof(err)) || !err[0])
			abort();
		return 0;
	}
	if ((unsigned)ev.kind >= AD_KIND_COUNT || (unsigned)ev.status > AD_ST_BAD)
		abort();
	if (ev.kind == AD_GAP && ev.gap_to <= ev.gap_from)
		abort();
	if (!memchr(ev.msg, 0, sizeof(ev.msg)) || !memchr(ev.file, 0, sizeof(ev.file)) ||
	    !memchr(ev.detail, 0, sizeof(ev.detail)) || !memchr(ev.stage, 0, sizeof(ev.stage)))
		abort();
	if (size > AD_LINE_MAX)
		abort();   /* longer lines are refused */
	return 0;
}
