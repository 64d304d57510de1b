/* SPDX-License-Identifier: MIT */
/* Runs the registered CUnit suites with dfk-conform's own handlers: per-test lines
 * with -v, one progress line per test on a terminal (suite n/N, the test, its result
 * and time, the elapsed time; nothing when stderr is no terminal), faults armed on
 * the rig just before the tests --inject-fault names, testrec.h's hooks, and the
 * failures and CUnit's summary at the end. */
#ifndef CONFORM_RUNNER_H
#define CONFORM_RUNNER_H

#include <stdbool.h>
#include <stddef.h>

#define RUNNER_MAX_INJECT 8

struct runner_inject {
	const char *test;     /* "suite/test" */
	const char *line;     /* a fault line of docs/faults.md */
};

struct runner_opts {
	bool verbose;
	bool progress;
	struct runner_inject inject[RUNNER_MAX_INJECT];
	size_t n_inject;
};

/* Parses "suite/test=LINE" into o->inject; false (with a message) when malformed or too many. */
bool runner_add_inject(struct runner_opts *o, char *arg);
/* Runs every registered (active) test. Returns the number of failed tests, plus one when a
 * fault could not be armed; -1 when CUnit could not run. */
int runner_run(const struct runner_opts *o);

#endif
