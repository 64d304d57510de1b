/* SPDX-License-Identifier: MIT */
/* What the timing engines' unit tests (test_trigger.c, test_acquisition.c,
 * test_strobe.c) drive an engine with: the real device scheduler on a paused
 * clock that only the test moves, an event log, and a sensor whose timing
 * gives round numbers. No camera is started. */
#ifndef DFK_ENGINE_RIG_H
#define DFK_ENGINE_RIG_H

#include <stdint.h>

#include "../../models/model.h"
#include "../camera/clock.h"
#include "../camera/eventlog.h"
#include "../camera/sched.h"
#include "../common/evloop.h"

#define MS UINT64_C(1000000)
#define US UINT64_C(1000)

/* Readout of `rows` rows of `cols` columns: 100 us + rows x (10 us + cols x 1 ns);
 * 1000 x 100 pixels read out in 1.2 ms. Free running, an exposure takes 20 us more
 * than itself. The link never limits. */
extern const struct sensor_timing rig_sensor;

struct engine_rig {
	struct evloop *loop;
	struct dev_clock clock;
	struct dev_sched sched;
	struct eventlog log;
};

/* A rig at device time 0 with the clock paused, or NULL. */
struct engine_rig *rig_new(void);
void rig_free(struct engine_rig *r);
/* Every event up to device time `t`; the clock then stands at `t`. */
void rig_run_until(struct engine_rig *r, uint64_t t);
/* The n-th (from 0) record of `kind` in the log, or NULL. */
const struct ev_record *rig_event(const struct engine_rig *r, enum ev_kind kind, int n);
int rig_count(const struct engine_rig *r, enum ev_kind kind);

/* Asserts that the n-th record of `kind` exists with time `t` (and a/b when not RIG_ANY). */
#define RIG_ANY INT64_MIN
void rig_assert_event(const struct engine_rig *r, enum ev_kind kind, int n, uint64_t t, int64_t a, int64_t b,
		      unsigned line, const char *file);
#define ASSERT_EVENT(r, kind, n, t, a, b) rig_assert_event((r), (kind), (n), (t), (a), (b), __LINE__, __FILE__)

#endif
