/* SPDX-License-Identifier: MIT */
/* Golden traces of scenario runs (docs/traces.md): --record writes what the
 * camera did (its event log, device time) and what the adapter saw (its lines,
 * host arrival time) per scenario; --compare sets a run against them, device
 * edges exactly and host times within the scenario's host-tolerance-ms. */
#ifndef DT_GOLDEN_H
#define DT_GOLDEN_H

#include "runner/run.h"

/* record_dir: write DIR/NAME.golden; compare_dir: compare with DIR/NAME.golden and
 * add the verdict to r's expectations (a missing golden trace fails it). Either may be NULL. */
void golden_step(struct run_result *r, const char *record_dir, const char *compare_dir, const char *report_dir);

#endif
