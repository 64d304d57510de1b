/* SPDX-License-Identifier: MIT */
/* A driver test scenario (docs/drivertest.md, "Scenarios"): the settings the
 * adapter applies, the faults armed before `go`, the stimuli sent after it and
 * the expectations judged at the end. A scenario file is user input: every
 * line is checked here, with a file:line error; fault lines are checked with
 * the emulator's own parser (emulator/fault/), so a typo fails before a run. */
#ifndef DT_SCENARIO_H
#define DT_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SC_MAX_SETS 32
#define SC_MAX_FAULTS 16
#define SC_MAX_STIMS 32
#define SC_MAX_EXPECTS 32
#define SC_WORD 64
#define SC_TEXT 256
#define SC_FILE_MAX (64 * 1024)

/* What the runner counts at the end of a scenario (expect COUNTER OP N). */
enum sc_counter {
	/* what the driver reported (adapter lines) */
	SC_C_FRAMES,        /* frame lines, any status */
	SC_C_OK,            /* frames reported ok */
	SC_C_INCOMPLETE,
	SC_C_BAD,
	SC_C_NOT_OK,        /* incomplete + bad */
	SC_C_ERRORS,        /* error lines */
	SC_C_TIMEOUTS,
	SC_C_LOST,
	SC_C_REOPENED,
	SC_C_GAP_IDS,       /* ids the adapter said never arrived (sum over gap lines) */
	/* the truth: the camera's event log */
	SC_C_SENT,          /* frames whose trailer left the camera */
	SC_C_SENT_GOOD,     /* ... complete and unaltered */
	SC_C_SENT_FAULTED,  /* ... cut short, with a status, or with a corrupted field */
	SC_C_DROPPED,       /* frames the camera lost for want of frame memory (slow host) */
	SC_C_FAULTS,        /* fault actions logged */
	SC_C_ACCEPTED,      /* triggers accepted */
	SC_C_REJECTED,      /* triggers rejected */
	SC_C_POWER_UPS,     /* power-ups after the first of the scenario */
	/* the judgement of the two together */
	SC_C_FALSE_OK,      /* reported ok, but the camera did not send that frame complete */
	SC_C_MISSED,        /* the camera sent it complete, the driver never reported it ok */
	SC_C_DUPLICATES,    /* reported ok twice */
	SC_C_WRONG_SIZE,    /* reported ok with a size other than the frame's */
	SC_C_UNREPORTED_GAPS, /* ids missing on the wire that no gap line covered */
	SC_C_VIOLATIONS,    /* host-monitor errors in this scenario */
	SC_C_WARNINGS,      /* host-monitor warnings in this scenario */
	SC_C_COUNT
};

enum sc_op { SC_EQ, SC_NE, SC_GE, SC_LE, SC_GT, SC_LT };

enum sc_expect_kind {
	SC_E_COUNT,        /* COUNTER OP N */
	SC_E_BIT_EXACT,    /* every dumped ok frame is the test pattern, byte for byte */
	SC_E_VIOLATION,    /* the monitor recorded rule `word` */
	SC_E_RECOVERS,     /* after the last fault acted, an ok frame among the next n good frames sent */
	SC_E_ERROR_STAGE,  /* an error line of stage `word` */
	SC_E_EXIT,         /* n: 0 = done and exit 0 (default), 1 = any end except a hang */
	SC_E_TS_SPACING,   /* OP n: mean leader-timestamp spacing of consecutive ok frames, ns */
	SC_E_SENT_SPACING, /* OP n: mean device-time spacing of the camera's frame_sent events, ns */
};

struct sc_expect {
	enum sc_expect_kind kind;
	enum sc_counter counter;
	enum sc_op op;
	uint64_t n;
	char word[SC_WORD];
	int line;
	char text[SC_TEXT];   /* the line as written, for reports */
};

enum sc_stim_kind { SC_S_EXEC, SC_S_SET, SC_S_IO };

/* A stimulus after `go`: sent once the adapter has reported after_frames frames,
 * `repeat` times, every_ms apart (wall time). */
struct sc_stim {
	enum sc_stim_kind kind;
	uint32_t after_frames;
	uint32_t repeat;
	uint32_t every_ms;
	char text[SC_TEXT];   /* exec: the feature; set: NAME=VALUE; io: the request */
	int line;
};

struct sc_set {
	char name[SC_WORD];
	char value[SC_WORD];
};

struct scenario {
	char name[SC_WORD];
	char describe[SC_TEXT];
	struct sc_set sets[SC_MAX_SETS];
	unsigned n_sets;
	char faults[SC_MAX_FAULTS][SC_TEXT];
	int fault_lines[SC_MAX_FAULTS];
	unsigned n_faults;
	struct sc_stim stims[SC_MAX_STIMS];
	unsigned n_stims;
	struct sc_expect expects[SC_MAX_EXPECTS];
	unsigned n_expects;
	uint32_t frames;          /* adapter --frames */
	uint32_t timeout_ms;      /* adapter --timeout-ms */
	uint32_t limit_s;         /* wall-clock limit of the whole scenario */
	uint32_t settle_ms;       /* no frame for this long after the last stimulus: stop */
	double clock_scale;       /* device time scale during the scenario */
	bool has_clock_scale;
	bool reopen, dump;
	uint64_t host_tolerance_ns; /* golden traces: host arrival times may move this much */
	char golden_align[SC_WORD]; /* golden traces: device times count from this event kind's first */
	char golden_ignore[8][SC_WORD]; /* golden traces: kinds not compared (host-driven ones) */
	unsigned n_golden_ignore;
	bool needs_emulator;      /* faults, I/O stimuli or a time scale: not on a real camera (expectations
				   * on what only the emulator knows are skipped there one by one) */
};

const char *sc_counter_name(enum sc_counter c);
bool sc_counter_is_device(enum sc_counter c);
const char *sc_op_name(enum sc_op op);
bool sc_compare(uint64_t v, enum sc_op op, uint64_t n);

/* Parses text (len bytes). name: the scenario's name (file name without .scenario).
 * Returns 0, or -1 with "LINE: reason" in err. */
int scenario_parse(const char *text, size_t len, const char *name, struct scenario *sc, char *err, size_t errlen);
/* Reads and parses a file (at most SC_FILE_MAX bytes). */
int scenario_load(const char *path, struct scenario *sc, char *err, size_t errlen);

#endif
