/* SPDX-License-Identifier: MIT */
/* Traces of a scenario run and their comparison (docs/traces.md).
 *
 * A trace is one of
 *  - an event log: the lines of dfk-emu's `events` reply (`SEQ T KIND A B
 *    [REASON]`, docs/io-protocol.md), optionally after its `ok N` line;
 *  - a VCD file as dfk-emu writes it (`--vcd FILE`, `vcd start`): every value
 *    change of every signal is an edge (signal, device time, value);
 *  - a golden trace (`dfk-golden 1`): the event log of a scenario run plus the
 *    adapter's lines with their host arrival times, the scenario's host-side
 *    tolerance and the event kind device times are aligned on.
 *
 * trace_diff() compares two traces edge by edge: device-side edges exactly,
 * host-paced ones (frame_sent, frame_memory, host_violation, the adapter's
 * lines) within a tolerance. The library is self-contained (libc only): it is
 * linked into dfk-drivertest, dfk-trace and the fuzz target fuzz_trace. */
#ifndef DFK_TRACE_H
#define DFK_TRACE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Bounds on what a trace may hold (files beyond them are refused, with the line). */
#define TRACE_LINE_MAX   4096u        /* bytes of one line, without its newline */
#define TRACE_MAX_EDGES  (1u << 21)   /* device events or VCD value changes */
#define TRACE_MAX_HOST   (1u << 18)   /* adapter lines of a golden trace */
#define TRACE_MAX_NOTES  256u
#define TRACE_MAX_NAMES  256u         /* distinct event kinds / VCD signals / reasons */
#define TRACE_NAME_MAX   64u          /* bytes of one such name, with its NUL */
#define TRACE_SCENARIO_MAX 128u       /* bytes of a scenario name */

enum trace_type {
	TRACE_EVENTS = 1,   /* an `events` reply */
	TRACE_VCD,          /* a VCD file */
	TRACE_GOLDEN,       /* a golden trace (also what the runner builds in memory) */
};

/* One device-side edge: an event of the log, or a VCD value change. */
struct trace_edge {
	uint64_t seq;      /* events: the log's SEQ; VCD: 0 */
	uint64_t t;        /* device ns (< 2^63) */
	int64_t a, b;      /* events: A and B; VCD: a = the value (-1 for x, -2 for z), b = 0 */
	uint32_t name;     /* the kind / signal: index into trace.names */
	uint32_t reason;   /* events: 1 + index of the REASON word in trace.names, 0 = none */
	uint32_t line;     /* line of the file it came from (0: added through the API) */
	uint8_t initial;   /* VCD: a $dumpvars / $dumpall value (a start value, not a change) */
};

/* One adapter line (docs/drivertest.md) and when it reached the runner. */
struct trace_host {
	uint64_t t;        /* host arrival, ns since `go` (< 2^63) */
	char *text;        /* the line, printable (control characters replaced by '?') */
	uint32_t line;
};

struct trace {
	enum trace_type type;
	char source[256];                       /* file name, for messages */
	char scenario[TRACE_SCENARIO_MAX + 1];  /* golden: `scenario NAME` ("" if none) */
	int has_tolerance;                      /* golden: `tolerance-ns` was given */
	uint64_t tolerance_ns;
	char align[TRACE_NAME_MAX];             /* golden: `align KIND` ("" if none) */
	uint32_t n_names;
	char names[TRACE_MAX_NAMES][TRACE_NAME_MAX];
	uint8_t name_width[TRACE_MAX_NAMES];    /* VCD: bits of the signal (0: an event) */
	struct trace_edge *edges;
	size_t n_edges, cap_edges;
	struct trace_host *host;
	size_t n_host, cap_host;
	char **notes;                           /* golden: `note TEXT` lines, kept, not compared */
	size_t n_notes;
};

/* ---- reading ---- */

/* Loads a trace file, its kind told by its first line. 0, or -1 with a message
 * "PATH:LINE: what" in err. *out is freed with trace_free(). */
int trace_load(const char *path, struct trace **out, char *err, size_t errlen);
/* The same from memory (name: used in messages). */
int trace_parse(const char *name, const char *buf, size_t len, struct trace **out, char *err, size_t errlen);
void trace_free(struct trace *t);

/* ---- building a golden trace (dfk-drivertest) ----
 * Every function returns 0, or -1 (bad argument or a bound reached) with a
 * message in err when err is not NULL. */
struct trace *trace_new_golden(const char *scenario);   /* NULL: out of memory or a bad name */
int trace_set_tolerance(struct trace *t, uint64_t ns);
int trace_set_align(struct trace *t, const char *kind);  /* NULL or "": none */
/* A device event, numerically. kind: an event kind name ([a-z0-9_]); reason: the
 * REASON word of a trigger_rejected line, or NULL. */
int trace_add_dev(struct trace *t, uint64_t seq, uint64_t t_ns, const char *kind, int64_t a, int64_t b,
		  const char *reason, char *err, size_t errlen);
/* A device event as the `events` reply prints it ("SEQ T KIND A B [REASON]"). */
int trace_add_dev_line(struct trace *t, const char *line, char *err, size_t errlen);
/* An adapter line (without its newline) and its arrival time in ns since `go`.
 * Control characters become '?'; a line longer than TRACE_LINE_MAX - 64 is cut. */
int trace_add_host(struct trace *t, uint64_t t_ns, const char *line, char *err, size_t errlen);
/* A free-form note (adapter, settings, ...): written, read back, never compared. */
int trace_add_note(struct trace *t, const char *text, char *err, size_t errlen);
/* Writes a golden trace (`dfk-golden 1`) of t, which trace_load() reads back
 * as the same trace; an event log becomes a golden trace of its events, a VCD
 * cannot be written (-1). 0, or -1 on a write error. */
int trace_write_golden(FILE *f, const struct trace *t);

/* ---- comparing ---- */

struct trace_diff_opts {
	/* Host-side tolerance in ns; < 0: a's `tolerance-ns`, else b's, else 0. */
	int64_t tolerance_ns;
	/* Compare device times relative to the first event of this kind (VCD: the
	 * first change of this signal; trigger_in, strobe_out and frame_memory name
	 * TRIGGER_IN, STROBE_OUT and frame_memory_bytes there). NULL: a's `align`,
	 * else b's, else none; "none": none. */
	const char *align;
	/* Kinds / signals left out; "host" leaves out the adapter lines, "host:WORD"
	 * those starting with WORD. */
	const char *const *ignore;
	size_t n_ignore;
	/* At most this many difference lines are printed (0: 10000); all are counted. */
	size_t max_lines;
};

/* Compares a (the reference, e.g. the golden trace) with b and prints one line
 * per difference to out (NULL: print nothing): device differences in time
 * order, then the adapter lines' in arrival order. Returns the number of
 * differences, or -1 when the traces cannot be compared (an event log or golden
 * trace against a VCD), with the reason in err. */
int trace_diff(const struct trace *a, const struct trace *b, const struct trace_diff_opts *o, FILE *out,
	       char *err, size_t errlen);

/* Names of the dfk-emu event kinds in the order of the log (emulator/camera/eventlog.h),
 * and of the trigger rejection reasons; NULL past the end. */
const char *trace_kind_name(unsigned i);
const char *trace_reject_name(unsigned i);

#endif
