/* SPDX-License-Identifier: MIT */
/* What a run tells its user: a line per scenario on the terminal, JSON per
 * scenario and for the run in the report directory (with the adapter's lines,
 * the camera's event log, and for failed scenarios everything kept), JUnit XML. */
#ifndef DT_REPORT_H
#define DT_REPORT_H

#include <stdio.h>

#include "runner/run.h"

void report_console(FILE *f, const struct run_result *r, bool verbose);
/* REPORT/NAME.json and REPORT/NAME.events. Returns 0 or -1. */
int report_scenario_files(const char *dir, const struct run_result *r);
/* One <testsuite>, a <testcase> per scenario. Returns 0 or -1. */
int report_junit(const char *path, const char *suite, const struct run_result *rs, size_t n);
/* REPORT/summary.json: every scenario's name, result and time. */
int report_summary(const char *dir, const char *adapter, const struct run_result *rs, size_t n, double seconds);

#endif
