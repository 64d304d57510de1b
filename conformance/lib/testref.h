/* SPDX-License-Identifier: MIT */
/* Where a test's expectation comes from, for the tests no rule of the manual names
 * (rules.h maps rules.ini's sentences to tests; this table covers the rest): the
 * manual's section and sentence where one states it, otherwise the protocol or
 * document the test checks, said as such. Data, read by the HTML report. */
#ifndef CONFORM_TESTREF_H
#define CONFORM_TESTREF_H

#include <stdbool.h>

struct test_ref {
	const char *test;      /* "suite/test", or "suite/" for every test of the suite without its own row */
	const char *section;   /* "manual 5.4.3", or the protocol document ("USB3 Vision 1.0 5.6") */
	bool manual;           /* text is a sentence of the manual (verbatim); else a summary of the source */
	const char *text;
};

extern const struct test_ref test_refs[];
extern const unsigned test_refs_len;

/* The row for suite/test: its own, else its suite's; NULL when none. */
const struct test_ref *test_ref_find(const char *suite, const char *test);

#endif
