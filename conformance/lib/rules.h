/* SPDX-License-Identifier: MIT */
/* Which conformance tests check which behavioural rule of the manual.
 *
 * fixtures/<model>/rules.ini transcribes the sentences of manual section 5
 * that state checkable behaviour, one [rule.<id>] each. rule_table has one
 * row per id: the "suite/test" names whose assertions check what the rule's
 * check= line expects, or the reason no test does. It is data written by
 * reading the tests, not derived from them: harness/test_rules.py holds it
 * against rules.ini and the registered tests, so neither side can drift. */
#ifndef CONFORM_RULES_H
#define CONFORM_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum rule_status {
	RULE_CHECKED,         /* tests[] assert the rule */
	RULE_NOT_CHECKABLE,   /* no device test can: note says why */
	RULE_NOT_YET_CHECKED, /* observable, but nothing asserts it yet: note says what it needs */
	RULE_STATUSES
};

#define RULE_MAX_TESTS 10

struct rule_cover {
	const char *id;                    /* <id> of rules.ini's [rule.<id>] */
	const char *section;               /* the manual section, as rules.ini gives it */
	enum rule_status status;
	const char *tests[RULE_MAX_TESTS]; /* "suite/test", RULE_CHECKED only; NULL-terminated when shorter */
	/* RULE_CHECKED: what the tests need or leave out (NULL when nothing);
	 * otherwise: why no test checks the rule (required) */
	const char *note;
};

extern const struct rule_cover rule_table[];
extern const size_t rule_table_len;
/* The model whose rules.ini the table covers (fixtures/<model>/rules.ini): the fixtures
 * dfk-conform --list-tests and --list-rules use when no device or option names others. */
extern const char *const rule_table_model;

/* "checked", "not checkable", "not yet checked". */
const char *rule_status_name(enum rule_status s);

/* Whether the rule names suite/test among its tests. */
bool rule_names_test(const struct rule_cover *r, const char *suite, const char *test);

/* Checks the table's own consistency: ids present and unique, a section, tests
 * only (and at least one) for checked rules, each known to `test_exists`
 * ("suite/test"), a reason for the others. Prints each problem to `out`;
 * returns how many there were. */
int rules_validate(bool (*test_exists)(const char *suite_test), FILE *out);

#endif
