/* SPDX-License-Identifier: MIT */
/* scenario: dfk-drivertest's scenario files (drivertest/runner/scenario.h), whole
 * files of arbitrary bytes. A parsed scenario stays inside its bounds and its
 * strings are terminated; fault lines were checked by the emulator's parser. */
#include <stdlib.h>
#include <string.h>

#include "../drivertest/runner/scenario.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct scenario sc;
	char err[256];

	fuzz_init();
	if (scenario_parse((const char *)data, size, "fuzz", &sc, err, sizeof(err)) < 0) {
		if (!memchr(err, 0, sizeof(err)) || !err[0])
			abort();   /* an error always says why */
		return 0;
	}
	if (sc.n_sets > SC_MAX_SETS || sc.n_faults > SC_MAX_FAULTS || sc.n_stims > SC_MAX_STIMS ||
	    sc.n_expects > SC_MAX_EXPECTS || !sc.frames || sc.n_golden_ignore > 8)
		abort();
	for (unsigned i = 0; i < sc.n_sets; i++)
		if (!memchr(sc.sets[i].name, 0, SC_WORD) || !memchr(sc.sets[i].value, 0, SC_WORD) || !sc.sets[i].name[0])
			abort();
	for (unsigned i = 0; i < sc.n_stims; i++)
		if (!memchr(sc.stims[i].text, 0, SC_TEXT) || !sc.stims[i].repeat)
			abort();
	for (unsigned i = 0; i < sc.n_expects; i++)
		if (!memchr(sc.expects[i].text, 0, SC_TEXT) ||
		    (sc.expects[i].kind == SC_E_COUNT && (unsigned)sc.expects[i].counter >= SC_C_COUNT))
			abort();
	if (!memchr(sc.describe, 0, sizeof(sc.describe)))
		abort();
	return 0;
}
