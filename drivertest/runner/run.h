/* SPDX-License-Identifier: MIT */
/* One scenario, run: the adapter started with the scenario's settings, faults
 * armed at `ready`, stimuli after `go`, the camera's event log and the
 * monitor's verdicts collected, and the expectations judged (judge.c). */
#ifndef DT_RUN_H
#define DT_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runner/adapter_proto.h"
#include "runner/scenario.h"
#include "runner/target.h"

struct run_options {
	const char *adapter;          /* the command (sh -c 'exec CMD "$@"') */
	const char *report_dir;       /* NULL: no files */
	const char *dump_root;        /* where frames are dumped (default: a temp dir) */
	bool verbose;
	bool keep_raw;                /* keep each adapter line's text (golden traces) */
};

/* A line of the adapter, as it came. */
struct ad_record {
	struct ad_event ev;
	uint64_t arrival_ns;          /* host time since `go` (0 before it) */
	uint32_t epoch;               /* `reopened` lines before it */
	char *raw;                    /* the line as written (kept with run_options.keep_raw) */
};

struct violation_line {
	char rule[48];
	bool error;
	char text[320];
};

struct expect_result {
	char text[SC_TEXT];
	bool passed, skipped, implicit;
	char reason[384];
	bool has_at;                  /* the device time the failure points at (HTML report) */
	uint64_t at_ns;
};

/* The first ok frame that failed `expect bit-exact` (judge.c), for the HTML report:
 * its dump file (run.c copies it into the report directory as NAME.mismatch.raw
 * before the dump directory goes) and the geometry it was compared with. */
struct frame_mismatch {
	bool present;
	uint64_t id, size;
	uint32_t width, height, x, y, pixfmt;
	char file[768];
};

#define RUN_MAX_RESULTS (SC_MAX_EXPECTS + 8)

/* The first instance behind a counter, named in its expectation's reason (judge.c). */
struct run_first {
	char what[240];               /* "": none counted */
	uint64_t at_ns;               /* device time of it, 0: unknown */
};

struct run_result {
	const struct scenario *sc;
	/* what happened */
	struct ad_record *lines;
	size_t n_lines, cap_lines;
	bool lines_overflow;
	unsigned protocol_errors;
	char protocol_error[256];
	bool ready, done, hung, exited;
	bool unkillable;              /* the adapter survived SIGKILL: stuck in the kernel */
	int exit_status;              /* exit code, or 128 + signal */
	char setup_error[384];        /* the run itself failed (a fault refused, attach failed ...) */
	bool skipped;
	char skip_reason[160];
	struct devlog dev;
	int64_t base_power_up;        /* the last power cycle before the scenario (-1: none) */
	struct violation_line *violations;
	size_t n_violations;
	double seconds;
	struct ad_event hello;
	/* the judgement */
	uint64_t counters[SC_C_COUNT];
	struct run_first first[SC_C_COUNT];
	bool has_device;
	struct expect_result results[RUN_MAX_RESULTS];
	unsigned n_results;
	bool passed;
	char dump_dir[512];
	uint32_t pattern_seed;
	const char *model;
	struct frame_mismatch mismatch;
};

int run_scenario(struct target *t, const struct scenario *sc, const struct run_options *o, struct run_result *r);
void run_result_free(struct run_result *r);

/* judge.c: counters and expectations from what run_scenario collected. */
void judge(struct run_result *r);

#endif
