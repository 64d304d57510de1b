/* SPDX-License-Identifier: MIT */
/* What every dfk-drivertest adapter shares and that does not depend on the driver under
 * test: the adapter contract of docs/drivertest.md ("The adapter contract") on the
 * adapter's side. Arguments parsed into a typed struct, control lines read from stdin
 * without blocking, event lines printed (one per call, flushed), frames dumped.
 * A new adapter only opens, configures and grabs through its driver (README.md). */
#ifndef DRIVERTEST_ADAPTER_IO_H
#define DRIVERTEST_ADAPTER_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ADAPTER_MAX_SETS 64
/* A control line longer than this is dropped whole (and said so on stderr). */
#define ADAPTER_LINE_MAX 512
#define ADAPTER_NAME_MAX 128
#define ADAPTER_DEFAULT_TIMEOUT_MS 5000u
#define ADAPTER_DEFAULT_REOPEN_MS 10000u

/* Exit status for bad arguments (the contract's 2). */
#define ADAPTER_EXIT_USAGE 2

/* One `--set NAME=VALUE` or `set NAME=VALUE`: NAME is a GenICam feature name
 * (letters, digits, '_'), VALUE is the text after the first '='. */
struct adapter_setting {
	char name[ADAPTER_NAME_MAX];
	char value[ADAPTER_LINE_MAX];
};

/* An option of the adapter's own (`--mode sync|async`): always takes a value. */
struct adapter_option {
	const char *name;            /* "--mode" */
	const char **value;          /* receives the argument; keeps its default when absent */
};

struct adapter_args {
	const char *device;          /* --device URI (required) */
	struct adapter_setting sets[ADAPTER_MAX_SETS];
	unsigned n_sets;
	uint64_t frames;             /* --frames N; 0 = until stop */
	unsigned timeout_ms;         /* --timeout-ms (default ADAPTER_DEFAULT_TIMEOUT_MS) */
	const char *dump_dir;        /* --dump DIR, or NULL */
	bool reopen;                 /* --reopen */
	unsigned reopen_ms;          /* --reopen-ms (default ADAPTER_DEFAULT_REOPEN_MS) */
};

/* Parses argv as the contract says: `--name VALUE` or `--name=VALUE`; `--x-*` words are
 * ignored; `own` (NULL-terminated, may be NULL) are the adapter's own options. On a bad
 * argument prints why and a usage line to stderr and exits with ADAPTER_EXIT_USAGE;
 * `--help` prints the usage to stdout and exits 0. `prog` names the adapter in messages. */
void adapter_parse_args(int argc, char **argv, const char *prog, const struct adapter_option *own,
			struct adapter_args *out);

/* Splits "NAME=VALUE" into `s`. Returns false (s untouched) when there is no '=', NAME is
 * empty, too long or has a character a GenICam name cannot have, or VALUE is too long. */
bool adapter_parse_setting(const char *text, struct adapter_setting *s);

/* Strict conversions of a --set VALUE: the whole text must be the number (integers in
 * decimal or 0x hex, optionally signed), `true`/`false` for booleans. */
bool adapter_parse_int(const char *text, int64_t *v);
bool adapter_parse_float(const char *text, double *v);
bool adapter_parse_bool(const char *text, bool *v);

/* ---- control lines (stdin) ---- */

enum adapter_command_kind {
	ADAPTER_CMD_GO,
	ADAPTER_CMD_EXEC,            /* exec NAME: `setting.name` */
	ADAPTER_CMD_SET,             /* set NAME=VALUE: `setting` */
	ADAPTER_CMD_STOP,            /* `stop`, or end of input */
};

struct adapter_command {
	enum adapter_command_kind kind;
	struct adapter_setting setting;
};

/* Waits up to `timeout_ms` (0: just looks, < 0: forever) for the next control line on
 * stdin. Returns true with *cmd filled, false when none came in time. Malformed and
 * unknown lines are reported on stderr and skipped; end of input (or a read error) is a
 * stop, returned once and then on every later call. */
bool adapter_next_command(int timeout_ms, struct adapter_command *cmd);

/* The grab loop's command step: waits up to `timeout_ms` (as above) for a control line,
 * then takes every other one already waiting, handing each `exec`/`set` to `control`;
 * a `go` while the adapter already runs is ignored. Returns false once the runner said
 * stop (or stdin ended): the adapter then closes the device and exits. */
bool adapter_serve_commands(int timeout_ms, void (*control)(const struct adapter_command *));

/* ---- events (stdout) ---- */

enum adapter_frame_status { ADAPTER_FRAME_OK, ADAPTER_FRAME_INCOMPLETE, ADAPTER_FRAME_BAD };

struct adapter_frame {
	uint64_t id;                 /* the block id the driver reports */
	size_t size;                 /* payload bytes delivered */
	enum adapter_frame_status status;
	const char *detail;          /* the driver's own status name, or NULL */
	bool has_timestamp;
	uint64_t timestamp_ns;
	bool has_image;              /* width, height, offsets, pixel format known */
	uint32_t width, height, pixel_format;
	uint32_t offset_x, offset_y; /* the image's offsets (the leader's), with has_image */
	const void *data;            /* `size` bytes for --dump, or NULL */
};

/* One event line: `word` then the formatted `key=value` pairs (may be NULL), newline,
 * flushed. Anything after "msg=" is kept on the line (newlines become spaces). */
void adapter_event(const char *word, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void adapter_hello(const char *driver, const char *version, const char *mode);
void adapter_ready(void);
void adapter_timeout(void);
void adapter_error(const char *stage, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void adapter_lost(const char *msg);
/* Also forgets the last block id: ids restart after a reopen, and that is no gap. */
void adapter_reopened(void);
void adapter_done(void);

/* Prints the frame line, after writing DIR/frame-<id>.raw when `args` has a dump
 * directory (a write that fails is said on stderr and the line has no file=). Returns true
 * when this was the last frame `--frames` asks for. */
bool adapter_frame(const struct adapter_args *args, const struct adapter_frame *f);

/* Milliseconds of CLOCK_MONOTONIC, for timeouts. */
uint64_t adapter_now_ms(void);

#endif
