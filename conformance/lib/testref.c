/* SPDX-License-Identifier: MIT */
/* test_refs: the tests of conform.h's suites that no row of rules.c names. Manual
 * sentences are quoted from the DFK 38UX267 Technical Reference Manual (April 2019);
 * the protocol suites check USB/IP, USB 3.2 ch. 9, USB3 Vision 1.0 and GenCP
 * (docs/protocols.md) or the fault language (docs/faults.md), which the manual does
 * not describe: their rows say what is checked, not a manual sentence. */
#include "testref.h"

#include <string.h>

const struct test_ref test_refs[] = {
	/* the manual's features: section 5's parameter tables (fixtures features.ini) */
	{ "features/increments", "manual 5", true,
	  "This section describes the parameters available for the DFK 38UX267 camera." },
	{ "features/round_trip", "manual 5", true,
	  "This section describes the parameters available for the DFK 38UX267 camera." },
	{ "features/commands_execute", "manual 5", true,
	  "This section describes the parameters available for the DFK 38UX267 camera." },
	{ "dependencies/locked_while_acquiring", "manual 5.1.2", true,
	  "When using USB3 Vision, the resolution is controlled through the GenICam features Width and Height." },
	/* streaming behaviour the manual leaves to the standard */
	{ "stream/acquisition_modes", "USB3 Vision 1.0 / SFNC", false,
	  "AcquisitionMode SingleFrame and MultiFrame end by themselves (not stated by the manual)" },
	{ "stream/start_stop", "USB3 Vision 1.0 5.6", false,
	  "block ids keep increasing over a stop and a start; format and size are locked while acquiring "
	  "(not stated by the manual)" },
	{ "stream/slow_reader", "USB3 Vision 1.0 5.6", false,
	  "a host that stops reading loses whole frames (block id gaps), never corrupted ones (not stated by the manual)" },
	{ "stream/stream_halt", "USB 3.2 9.4.5, USB3 Vision 1.0 5.6", false,
	  "after SET_FEATURE(ENDPOINT_HALT) and CLEAR_FEATURE on the stream pipe frames come back, starting with a "
	  "leader (not stated by the manual)" },
	/* the protocol suites */
	{ "usbip/", "USB/IP (Linux usbip_protocol.rst)", false, "the USB/IP server side: device list, import, URBs" },
	{ "descriptors/", "USB 3.x ch. 9, USB3 Vision 1.0 ch. 3", false, "what the device reports in its descriptors" },
	{ "gencp/", "GenCP 1.0 over USB3 Vision", false,
	  "request ids echoed, each error status provoked, the size limits the SBRM announces" },
	{ "bootstrap/", "GenCP 1.0 ch. 4, USB3 Vision 1.0 ch. 5", false,
	  "ABRM, SBRM, SIRM and the manifest agree with the USB descriptors and with each other" },
	{ "genicam/", "GenICam (evaluated by libaravis)", false,
	  "the GenICam XML parses, every node evaluates, every register node is readable over GenCP" },
	{ "faults/", "docs/faults.md", false,
	  "the emulator's fault language: each injected fault shows on the wire as documented" },
};

const unsigned test_refs_len = sizeof(test_refs) / sizeof(test_refs[0]);

const struct test_ref *test_ref_find(const char *suite, const char *test)
{
	size_t ls = strlen(suite);
	const struct test_ref *whole = NULL;

	for (unsigned i = 0; i < test_refs_len; i++) {
		const char *t = test_refs[i].test;

		if (strncmp(t, suite, ls) != 0 || t[ls] != '/')
			continue;
		if (t[ls + 1] == '\0')
			whole = &test_refs[i];
		else if (strcmp(t + ls + 1, test) == 0)
			return &test_refs[i];
	}
	return whole;
}
