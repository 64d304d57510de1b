/* SPDX-License-Identifier: MIT */
/* Reading traces (event logs, VCD files, golden traces) and building golden
 * traces in memory: trace.h, docs/traces.md. Every input is untrusted: lines,
 * counts, names and numbers are bounded, and each refusal names file and line. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "trace_impl.h"

#define TRACE_FILE_MAX (256u << 20)   /* bytes of a trace file */
#define VCD_ID_MAX 32u                /* bytes of a VCD identifier code */

/* ------------------------------------------------------------------------- */
/* names and numbers                                                          */
/* ------------------------------------------------------------------------- */

/* dfk-emu's event kinds in the order of enum ev_kind (emulator/camera/eventlog.c),
 * and its trigger rejection reasons (enum trig_reject); fuzz_trace checks both
 * against the emulator's own tables. */
static const char *const kind_names[] = {
	"trigger_in", "trigger_seen", "trigger_accepted", "trigger_rejected", "exposure_start",
	"exposure_end", "readout_start", "readout_end", "strobe_out", "frame_delivered", "frame_dropped",
	"acquisition", "power_up", "frame_sent", "frame_memory", "fault", "host_violation",
};
static const char *const reject_names[] = {
	"none", "trigger_mode_off", "not_acquiring", "source", "denoise", "debounce", "mask", "overlap", "burst",
};

const char *trace_kind_name(unsigned i)
{
	return i < sizeof(kind_names) / sizeof(kind_names[0]) ? kind_names[i] : NULL;
}

const char *trace_reject_name(unsigned i)
{
	return i < sizeof(reject_names) / sizeof(reject_names[0]) ? reject_names[i] : NULL;
}

bool trace_parse_u64(const char *s, uint64_t *v)
{
	uint64_t x = 0;

	if (!s || !*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		if (x > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return false;
		x = x * 10 + (uint64_t)(*s - '0');
	}
	*v = x;
	return true;
}

bool trace_parse_i64(const char *s, int64_t *v)
{
	uint64_t x;
	bool neg = s && *s == '-';

	if (!trace_parse_u64(neg ? s + 1 : s, &x))
		return false;
	if (neg ? x > (uint64_t)INT64_MAX + 1 : x > (uint64_t)INT64_MAX)
		return false;
	*v = neg ? (x == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)x) : (int64_t)x;
	return true;
}

bool trace_parse_time(const char *s, uint64_t *v)
{
	return trace_parse_u64(s, v) && *v <= (uint64_t)INT64_MAX;
}

bool trace_valid_name(const char *s)
{
	size_t n = 0;

	if (!s)
		return false;
	for (; s[n]; n++) {
		char c = s[n];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strchr("_.$[]:-", c)))
			return false;
		if (n + 1 >= TRACE_NAME_MAX)
			return false;
	}
	return n > 0;
}

int trace_find_name(const struct trace *t, const char *name)
{
	for (uint32_t i = 0; i < t->n_names; i++)
		if (!strcmp(t->names[i], name))
			return (int)i;
	return -1;
}

int trace_intern(struct trace *t, const char *name)
{
	int i = trace_find_name(t, name);

	if (i >= 0)
		return i;
	if (!trace_valid_name(name) || t->n_names >= TRACE_MAX_NAMES)
		return -1;
	snprintf(t->names[t->n_names], TRACE_NAME_MAX, "%s", name);
	return (int)t->n_names++;
}

/* A scenario name: 1 to TRACE_SCENARIO_MAX printable bytes without blanks. */
static bool valid_scenario(const char *s)
{
	size_t n = strlen(s);

	if (!n || n > TRACE_SCENARIO_MAX)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || *s == 0x7f)
			return false;
	return true;
}

static void set_err(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* ------------------------------------------------------------------------- */
/* the trace in memory                                                        */
/* ------------------------------------------------------------------------- */

static struct trace *trace_alloc(enum trace_type type, const char *source)
{
	struct trace *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->type = type;
	snprintf(t->source, sizeof(t->source), "%s", source ? source : "");
	return t;
}

void trace_free(struct trace *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n_host; i++)
		free(t->host[i].text);
	for (size_t i = 0; i < t->n_notes; i++)
		free(t->notes[i]);
	free(t->host);
	free(t->notes);
	free(t->edges);
	free(t);
}

/* NULL: out of memory or TRACE_MAX_EDGES reached (the caller tells which). */
static struct trace_edge *add_edge(struct trace *t)
{
	if (t->n_edges >= TRACE_MAX_EDGES)
		return NULL;
	if (t->n_edges == t->cap_edges) {
		size_t cap = t->cap_edges ? t->cap_edges * 2 : 256;
		struct trace_edge *n = realloc(t->edges, cap * sizeof(*n));
		if (!n)
			return NULL;
		t->edges = n;
		t->cap_edges = cap;
	}
	memset(&t->edges[t->n_edges], 0, sizeof(t->edges[0]));
	return &t->edges[t->n_edges++];
}

/* Copies text, control characters as '?', cut at max bytes. */
static char *clean_copy(const char *text, size_t max)
{
	size_t n = strnlen(text, max);
	char *c = malloc(n + 1);

	if (!c)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)text[i];
		c[i] = (char)(ch < 0x20 || ch == 0x7f ? '?' : ch);
	}
	c[n] = '\0';
	return c;
}

static int add_host(struct trace *t, uint64_t ns, const char *text, uint32_t line, char *err, size_t errlen)
{
	char *copy;

	if (ns > (uint64_t)INT64_MAX) {
		set_err(err, errlen, "host arrival time %llu is beyond 2^63 ns", (unsigned long long)ns);
		return -1;
	}
	if (t->n_host >= TRACE_MAX_HOST) {
		set_err(err, errlen, "more than %u adapter lines", TRACE_MAX_HOST);
		return -1;
	}
	if (t->n_host == t->cap_host) {
		size_t cap = t->cap_host ? t->cap_host * 2 : 64;
		struct trace_host *n = realloc(t->host, cap * sizeof(*n));
		if (!n) {
			set_err(err, errlen, "out of memory");
			return -1;
		}
		t->host = n;
		t->cap_host = cap;
	}
	copy = clean_copy(text, TRACE_LINE_MAX - 64);
	if (!copy) {
		set_err(err, errlen, "out of memory");
		return -1;
	}
	t->host[t->n_host++] = (struct trace_host){ .t = ns, .text = copy, .line = line };
	return 0;
}

static int add_note(struct trace *t, const char *text, char *err, size_t errlen)
{
	char **n;

	if (t->n_notes >= TRACE_MAX_NOTES) {
		set_err(err, errlen, "more than %u notes", TRACE_MAX_NOTES);
		return -1;
	}
	n = realloc(t->notes, (t->n_notes + 1) * sizeof(*n));
	if (!n) {
		set_err(err, errlen, "out of memory");
		return -1;
	}
	t->notes = n;
	if (!(t->notes[t->n_notes] = clean_copy(text, TRACE_LINE_MAX - 64))) {
		set_err(err, errlen, "out of memory");
		return -1;
	}
	t->n_notes++;
	return 0;
}

static int add_dev(struct trace *t, uint64_t seq, uint64_t ns, const char *kind, int64_t a, int64_t b,
		   const char *reason, uint32_t line, char *err, size_t errlen)
{
	struct trace_edge *e;
	int k, r = -1;

	if (ns > (uint64_t)INT64_MAX) {
		set_err(err, errlen, "device time %llu is beyond 2^63 ns", (unsigned long long)ns);
		return -1;
	}
	if (!trace_valid_name(kind)) {
		set_err(err, errlen, "bad event kind '%.64s'", kind);
		return -1;
	}
	if (reason && !trace_valid_name(reason)) {
		set_err(err, errlen, "bad reason '%.64s'", reason);
		return -1;
	}
	/* SEQ counts up; a power_up restarts the log (and the device clock) */
	if (t->n_edges && seq <= t->edges[t->n_edges - 1].seq && strcmp(kind, "power_up")) {
		set_err(err, errlen, "SEQ %llu does not follow %llu (an event log counts up)", (unsigned long long)seq,
			(unsigned long long)t->edges[t->n_edges - 1].seq);
		return -1;
	}
	if ((k = trace_intern(t, kind)) < 0 || (reason && (r = trace_intern(t, reason)) < 0)) {
		set_err(err, errlen, "more than %u distinct kinds and reasons", TRACE_MAX_NAMES);
		return -1;
	}
	if (!(e = add_edge(t))) {
		set_err(err, errlen, t->n_edges >= TRACE_MAX_EDGES ? "more than %u events" : "out of memory (%u events)",
			TRACE_MAX_EDGES);
		return -1;
	}
	*e = (struct trace_edge){ .seq = seq, .t = ns, .a = a, .b = b, .name = (uint32_t)k,
				  .reason = reason ? (uint32_t)r + 1 : 0, .line = line };
	return 0;
}

/* Splits s in place at blanks; returns the number of words (max + 1: more than max). */
static int split(char *s, char **w, int max)
{
	int n = 0;

	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s)
			return n;
		if (n == max)
			return max + 1;
		w[n++] = s;
		while (*s && *s != ' ' && *s != '\t')
			s++;
		if (*s)
			*s++ = '\0';
	}
}

/* "SEQ T KIND A B [REASON]" (s is modified). */
static int parse_event(struct trace *t, char *s, uint32_t line, char *err, size_t errlen)
{
	char *w[6];
	int n = split(s, w, 6);
	uint64_t seq, ns;
	int64_t a, b;

	if (n < 5 || n > 6) {
		set_err(err, errlen, "an event is SEQ T KIND A B [REASON] (%d words here)", n > 6 ? 7 : n);
		return -1;
	}
	if (!trace_parse_u64(w[0], &seq)) {
		set_err(err, errlen, "bad SEQ '%.40s'", w[0]);
		return -1;
	}
	if (!trace_parse_time(w[1], &ns)) {
		set_err(err, errlen, "bad time '%.40s' (ns, decimal, below 2^63)", w[1]);
		return -1;
	}
	if (!trace_parse_i64(w[3], &a) || !trace_parse_i64(w[4], &b)) {
		set_err(err, errlen, "bad value '%.40s' (A and B are decimal 64-bit integers)",
			trace_parse_i64(w[3], &a) ? w[4] : w[3]);
		return -1;
	}
	return add_dev(t, seq, ns, w[2], a, b, n == 6 ? w[5] : NULL, line, err, errlen);
}

/* ------------------------------------------------------------------------- */
/* the public builder                                                         */
/* ------------------------------------------------------------------------- */

struct trace *trace_new_golden(const char *scenario)
{
	struct trace *t;

	if (scenario && *scenario && !valid_scenario(scenario))
		return NULL;
	if (!(t = trace_alloc(TRACE_GOLDEN, scenario && *scenario ? scenario : "golden")))
		return NULL;
	snprintf(t->scenario, sizeof(t->scenario), "%s", scenario ? scenario : "");
	return t;
}

int trace_set_tolerance(struct trace *t, uint64_t ns)
{
	if (ns > (uint64_t)INT64_MAX)
		return -1;
	t->has_tolerance = 1;
	t->tolerance_ns = ns;
	return 0;
}

int trace_set_align(struct trace *t, const char *kind)
{
	if (!kind || !*kind) {
		t->align[0] = '\0';
		return 0;
	}
	if (!trace_valid_name(kind))
		return -1;
	snprintf(t->align, sizeof(t->align), "%s", kind);
	return 0;
}

int trace_add_dev(struct trace *t, uint64_t seq, uint64_t t_ns, const char *kind, int64_t a, int64_t b,
		  const char *reason, char *err, size_t errlen)
{
	if (t->type == TRACE_VCD) {
		set_err(err, errlen, "a VCD trace takes no events");
		return -1;
	}
	return add_dev(t, seq, t_ns, kind, a, b, reason, 0, err, errlen);
}

int trace_add_dev_line(struct trace *t, const char *line, char *err, size_t errlen)
{
	char buf[TRACE_LINE_MAX + 1];
	size_t n = strlen(line);

	if (t->type == TRACE_VCD) {
		set_err(err, errlen, "a VCD trace takes no events");
		return -1;
	}
	if (n > TRACE_LINE_MAX) {
		set_err(err, errlen, "event line longer than %u bytes", TRACE_LINE_MAX);
		return -1;
	}
	memcpy(buf, line, n + 1);
	if (n && buf[n - 1] == '\n')
		buf[--n] = '\0';
	return parse_event(t, buf, 0, err, errlen);
}

int trace_add_host(struct trace *t, uint64_t t_ns, const char *line, char *err, size_t errlen)
{
	if (t->type != TRACE_GOLDEN) {
		set_err(err, errlen, "only a golden trace holds adapter lines");
		return -1;
	}
	return add_host(t, t_ns, line, 0, err, errlen);
}

int trace_add_note(struct trace *t, const char *text, char *err, size_t errlen)
{
	return add_note(t, text, err, errlen);
}

/* ------------------------------------------------------------------------- */
/* lines of a file                                                            */
/* ------------------------------------------------------------------------- */

struct src {
	const char *buf;
	size_t len, pos;
	uint32_t line;
	const char *name;
	char *err;
	size_t errlen;
	char text[TRACE_LINE_MAX + 1];
};

static int fail(struct src *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct src *s, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	set_err(s->err, s->errlen, "%s:%u: %s", s->name, (unsigned)s->line, msg);
	return -1;
}

/* 1: the next line is in s->text; 0: end of input; -1: error. */
static int next_line(struct src *s)
{
	size_t n = 0;

	if (s->pos >= s->len)
		return 0;
	if (s->line == UINT32_MAX)
		return fail(s, "too many lines");
	s->line++;
	while (s->pos < s->len) {
		unsigned char c = (unsigned char)s->buf[s->pos++];
		if (c == '\n')
			break;
		if (n == TRACE_LINE_MAX)
			return fail(s, "line longer than %u bytes", TRACE_LINE_MAX);
		s->text[n++] = (char)c;
	}
	if (n && s->text[n - 1] == '\r')
		n--;
	s->text[n] = '\0';
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s->text[i];
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return fail(s, "control character 0x%02x at column %zu", c, i + 1);
	}
	return 1;
}

static bool blank(const char *s)
{
	return s[strspn(s, " \t")] == '\0';
}

/* ------------------------------------------------------------------------- */
/* event logs                                                                 */
/* ------------------------------------------------------------------------- */

static int read_events(struct src *s, struct trace *t)
{
	uint64_t announced = 0;
	bool has_ok = false, first = true;
	size_t count = 0;
	char msg[320];
	int r;

	while ((r = next_line(s)) > 0) {
		if (blank(s->text))
			continue;
		if (first && !strncmp(s->text + strspn(s->text, " \t"), "ok", 2)) {
			char *w[3];
			if (split(s->text, w, 2) != 2 || strcmp(w[0], "ok") || !trace_parse_u64(w[1], &announced))
				return fail(s, "expected 'ok N' (the count of the event lines that follow)");
			if (announced > TRACE_MAX_EDGES)
				return fail(s, "ok %llu: more than %u events", (unsigned long long)announced, TRACE_MAX_EDGES);
			has_ok = true;
			first = false;
			continue;
		}
		first = false;
		if (parse_event(t, s->text, s->line, msg, sizeof(msg)) < 0)
			return fail(s, "%s", msg);
		count++;
	}
	if (r < 0)
		return -1;
	if (has_ok && count != announced)
		return fail(s, "'ok %llu' announced %llu events, the file has %zu", (unsigned long long)announced,
			    (unsigned long long)announced, count);
	return 0;
}

/* ------------------------------------------------------------------------- */
/* golden traces                                                              */
/* ------------------------------------------------------------------------- */

static int read_golden(struct src *s, struct trace *t)
{
	bool seen_scenario = false, seen_align = false;
	char msg[320];
	int r;

	/* the first line: dfk-golden VERSION */
	while ((r = next_line(s)) > 0 && blank(s->text))
		;
	if (r <= 0)
		return r < 0 ? -1 : fail(s, "empty file");
	{
		char *w[3];
		if (split(s->text, w, 2) != 2 || strcmp(w[0], "dfk-golden"))
			return fail(s, "expected 'dfk-golden 1'");
		if (strcmp(w[1], "1"))
			return fail(s, "golden trace version '%.20s': this dfk-trace reads version 1", w[1]);
	}
	while ((r = next_line(s)) > 0) {
		char *p = s->text + strspn(s->text, " \t"), *rest;
		size_t kw = strcspn(p, " \t");

		if (!*p || *p == '#')
			continue;
		rest = p + kw;
		if (*rest)
			*rest++ = '\0';
		if (!strcmp(p, "dev")) {
			if (parse_event(t, rest, s->line, msg, sizeof(msg)) < 0)
				return fail(s, "%s", msg);
		} else if (!strcmp(p, "host")) {
			uint64_t ns;
			char *num = rest + strspn(rest, " \t"), *text;
			size_t len = strcspn(num, " \t");
			text = num + len;
			if (*text)
				*text++ = '\0';   /* one blank, then the adapter's line as it came */
			if (!trace_parse_time(num, &ns))
				return fail(s, "host: bad arrival time '%.40s' (ns since go, decimal, below 2^63)", num);
			if (strlen(text) > TRACE_LINE_MAX - 64)
				return fail(s, "host: adapter line longer than %u bytes", TRACE_LINE_MAX - 64);
			if (add_host(t, ns, text, s->line, msg, sizeof(msg)) < 0)
				return fail(s, "%s", msg);
		} else if (!strcmp(p, "note")) {
			if (strlen(rest) > TRACE_LINE_MAX - 64)
				return fail(s, "note longer than %u bytes", TRACE_LINE_MAX - 64);
			if (add_note(t, rest, msg, sizeof(msg)) < 0)
				return fail(s, "%s", msg);
		} else if (!strcmp(p, "scenario") || !strcmp(p, "tolerance-ns") || !strcmp(p, "align")) {
			char *w[2];
			if (split(rest, w, 1) != 1)
				return fail(s, "%s takes one value", p);
			if (!strcmp(p, "scenario")) {
				if (seen_scenario)
					return fail(s, "a second 'scenario' line");
				if (!valid_scenario(w[0]))
					return fail(s, "bad scenario name (1 to %u printable bytes, no blanks)",
						    TRACE_SCENARIO_MAX);
				snprintf(t->scenario, sizeof(t->scenario), "%s", w[0]);
				seen_scenario = true;
			} else if (!strcmp(p, "tolerance-ns")) {
				if (t->has_tolerance)
					return fail(s, "a second 'tolerance-ns' line");
				if (!trace_parse_time(w[0], &t->tolerance_ns))
					return fail(s, "bad tolerance '%.40s' (ns, decimal)", w[0]);
				t->has_tolerance = 1;
			} else {
				if (seen_align)
					return fail(s, "a second 'align' line");
				if (!trace_valid_name(w[0]))
					return fail(s, "bad align kind '%.64s'", w[0]);
				snprintf(t->align, sizeof(t->align), "%s", w[0]);
				seen_align = true;
			}
		} else {
			return fail(s, "unknown line '%.40s' (expected scenario, tolerance-ns, align, note, dev or host)", p);
		}
	}
	return r < 0 ? -1 : 0;
}

/* ------------------------------------------------------------------------- */
/* VCD                                                                        */
/* ------------------------------------------------------------------------- */

struct vcd_var {
	char id[VCD_ID_MAX + 1];
	uint32_t name;
	uint8_t width;      /* 0: event */
};

struct vcd_state {
	struct vcd_var vars[TRACE_MAX_NAMES];
	unsigned n_vars;
	int16_t by_char[128];     /* single-character ids: index into vars + 1 */
	char cmd[24];             /* the $keyword being collected ("" when none) */
	char args[6][TRACE_NAME_MAX];
	int n_args;               /* 7: too many */
	bool body, timescale_seen;
	bool initial;             /* inside $dumpvars / $dumpall */
	uint64_t scale;           /* ns per time unit */
	uint64_t now;
	bool have_time;
	char pending[72];         /* a vector value waiting for its identifier */
	bool has_pending;
};

static int vcd_find(const struct vcd_state *v, const char *id)
{
	if (id[0] && !id[1] && (unsigned char)id[0] < 128)
		return v->by_char[(unsigned char)id[0]] - 1;
	for (unsigned i = 0; i < v->n_vars; i++)
		if (!strcmp(v->vars[i].id, id))
			return (int)i;
	return -1;
}

static int vcd_change(struct src *s, struct trace *t, struct vcd_state *v, const char *id, int64_t value)
{
	int i = vcd_find(v, id);
	struct trace_edge *e;

	if (i < 0)
		return fail(s, "unknown identifier code '%.32s'", id);
	if (!v->have_time)
		return fail(s, "a value change before the first #time");
	if (!(e = add_edge(t)))
		return fail(s, t->n_edges >= TRACE_MAX_EDGES ? "more than %u value changes" : "out of memory (%u changes)",
			    TRACE_MAX_EDGES);
	*e = (struct trace_edge){ .t = v->now, .a = value, .name = v->vars[i].name, .line = s->line,
				  .initial = v->initial };
	return 0;
}

static int vcd_scalar(char c)
{
	return c == '0' ? 0 : c == '1' ? 1 : (c == 'x' || c == 'X') ? -1 : -2;
}

/* A vector value "b0101" (bits only): its value, -1 if any bit is x, -2 if any is z. */
static int vcd_vector(struct src *s, const char *bits, unsigned width, int64_t *out)
{
	uint64_t x = 0;
	size_t n = strlen(bits);
	int unknown = 0;

	if (!n || n > 64)
		return fail(s, "vector value of %zu bits (1 to 64)", n);
	if (width && n > width)
		return fail(s, "vector value of %zu bits for a %u-bit signal", n, width);
	for (size_t i = 0; i < n; i++) {
		if (bits[i] == '0' || bits[i] == '1')
			x = x << 1 | (uint64_t)(bits[i] - '0');
		else if (strchr("xXzZ", bits[i]))
			unknown = unknown ? unknown : vcd_scalar(bits[i]);
		else
			return fail(s, "bad vector bit '%c'", bits[i]);
	}
	*out = unknown ? unknown : (int64_t)x;   /* a 64-bit value with the top bit set reads negative */
	return 0;
}

static int vcd_timescale(struct src *s, struct vcd_state *v)
{
	char text[2 * TRACE_NAME_MAX] = "";
	static const struct {
		const char *unit;
		uint64_t ns;
	} units[] = { { "s", 1000000000ull }, { "ms", 1000000ull }, { "us", 1000ull }, { "ns", 1ull } };
	uint64_t mul;
	size_t digits;

	if (v->n_args < 1 || v->n_args > 2)
		return fail(s, "$timescale: expected e.g. '1ns'");
	snprintf(text, sizeof(text), "%s%s", v->args[0], v->n_args == 2 ? v->args[1] : "");
	digits = strspn(text, "0123456789");
	if (!strncmp(text, "1", digits) && digits == 1)
		mul = 1;
	else if (digits == 2 && !strncmp(text, "10", 2))
		mul = 10;
	else if (digits == 3 && !strncmp(text, "100", 3))
		mul = 100;
	else
		return fail(s, "$timescale '%s': the number must be 1, 10 or 100", text);
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (!strcmp(text + digits, units[i].unit)) {
			v->scale = mul * units[i].ns;
			v->timescale_seen = true;
			return 0;
		}
	}
	return fail(s, "$timescale '%s': unit s, ms, us or ns (dfk-emu writes 1ns)", text);
}

static int vcd_declare(struct src *s, struct trace *t, struct vcd_state *v)
{
	uint64_t width;
	struct vcd_var *var;
	int name;

	if (v->n_args < 4 || v->n_args > 5)
		return fail(s, "$var: expected TYPE SIZE ID NAME [RANGE] $end");
	if (!trace_parse_u64(v->args[1], &width) || width < 1 || width > 64)
		return fail(s, "$var %s: size '%s' (1 to 64)", v->args[3], v->args[1]);
	if (strlen(v->args[2]) > VCD_ID_MAX)
		return fail(s, "$var %s: identifier code longer than %u bytes", v->args[3], VCD_ID_MAX);
	if (vcd_find(v, v->args[2]) >= 0)
		return fail(s, "$var %s: identifier code '%s' declared twice (aliases are not supported)", v->args[3],
			    v->args[2]);
	if (!trace_valid_name(v->args[3]))
		return fail(s, "$var: bad signal name '%s'", v->args[3]);
	if (trace_find_name(t, v->args[3]) >= 0)
		return fail(s, "$var: signal name '%s' declared twice", v->args[3]);
	if (v->n_vars >= TRACE_MAX_NAMES || (name = trace_intern(t, v->args[3])) < 0)
		return fail(s, "$var: more than %u signals", TRACE_MAX_NAMES);
	var = &v->vars[v->n_vars];
	memcpy(var->id, v->args[2], strlen(v->args[2]) + 1);   /* checked: at most VCD_ID_MAX bytes */
	var->name = (uint32_t)name;
	var->width = !strcmp(v->args[0], "event") ? 0 : (uint8_t)width;
	t->name_width[name] = var->width;
	if (!var->id[1] && (unsigned char)var->id[0] < 128)
		v->by_char[(unsigned char)var->id[0]] = (int16_t)(v->n_vars + 1);
	v->n_vars++;
	return 0;
}

/* The $keyword v->cmd ended ($end). */
static int vcd_command_end(struct src *s, struct trace *t, struct vcd_state *v)
{
	if (v->n_args > 6 && (!strcmp(v->cmd, "$var") || !strcmp(v->cmd, "$timescale")))
		return fail(s, "%s: too many words", v->cmd);
	if (!strcmp(v->cmd, "$var"))
		return vcd_declare(s, t, v);
	if (!strcmp(v->cmd, "$timescale"))
		return vcd_timescale(s, v);
	return 0;
}

static int vcd_token(struct src *s, struct trace *t, struct vcd_state *v, const char *tok)
{
	int64_t value = 0;

	if (v->cmd[0]) {
		/* inside a $keyword ... $end */
		if (!strcmp(tok, "$end")) {
			int r = vcd_command_end(s, t, v);
			v->cmd[0] = '\0';
			return r;
		}
		if (v->n_args < 6) {
			if (strlen(tok) >= TRACE_NAME_MAX && (!strcmp(v->cmd, "$var") || !strcmp(v->cmd, "$timescale")))
				return fail(s, "%s: word longer than %u bytes", v->cmd, TRACE_NAME_MAX - 1);
			snprintf(v->args[v->n_args], TRACE_NAME_MAX, "%s", tok);
		}
		if (v->n_args < 7)
			v->n_args++;
		return 0;
	}
	if (v->has_pending) {
		v->has_pending = false;
		int i = vcd_find(v, tok);
		if (i < 0)
			return fail(s, "unknown identifier code '%.32s'", tok);
		if (vcd_vector(s, v->pending, v->vars[i].width, &value) < 0)
			return -1;
		return vcd_change(s, t, v, tok, value);
	}
	if (tok[0] == '$') {
		static const char *const header[] = { "$date", "$version", "$comment", "$timescale", "$scope",
						      "$upscope", "$var" };
		if (!strcmp(tok, "$end")) {
			if (v->initial) {
				v->initial = false;
				return 0;
			}
			return fail(s, "$end without its $keyword");
		}
		if (!strcmp(tok, "$enddefinitions")) {
			if (v->body)
				return fail(s, "a second $enddefinitions");
			v->body = true;
			snprintf(v->cmd, sizeof(v->cmd), "%s", tok);
			v->n_args = 0;
			return 0;
		}
		if (v->body && (!strcmp(tok, "$dumpvars") || !strcmp(tok, "$dumpall") || !strcmp(tok, "$dumpon") ||
				!strcmp(tok, "$dumpoff"))) {
			if (v->initial)
				return fail(s, "%s inside another $dump section", tok);
			v->initial = true;
			return 0;
		}
		bool collect = !strcmp(tok, "$comment");
		for (size_t i = 0; !v->body && i < sizeof(header) / sizeof(header[0]); i++)
			collect = collect || !strcmp(tok, header[i]);
		if (collect) {
			snprintf(v->cmd, sizeof(v->cmd), "%s", tok);
			v->n_args = 0;
			return 0;
		}
		return fail(s, "unexpected '%.32s'%s", tok, v->body ? " after $enddefinitions" : "");
	}
	if (!v->body)
		return fail(s, "'%.32s' before $enddefinitions", tok);
	if (tok[0] == '#') {
		uint64_t x;
		if (!trace_parse_u64(tok + 1, &x) || x > (uint64_t)INT64_MAX / v->scale)
			return fail(s, "bad time '%.40s'", tok);
		x *= v->scale;
		if (v->have_time && x < v->now)
			return fail(s, "time #%s goes backwards", tok + 1);
		v->now = x;
		v->have_time = true;
		return 0;
	}
	if (strchr("01xXzZ", tok[0])) {
		if (!tok[1])
			return fail(s, "value '%c' without an identifier code", tok[0]);
		return vcd_change(s, t, v, tok + 1, vcd_scalar(tok[0]));
	}
	if (tok[0] == 'b' || tok[0] == 'B') {
		if (strlen(tok + 1) >= sizeof(v->pending))
			return fail(s, "vector value longer than 64 bits");
		snprintf(v->pending, sizeof(v->pending), "%s", tok + 1);
		v->has_pending = true;
		return 0;
	}
	if (tok[0] == 'r' || tok[0] == 'R')
		return fail(s, "real values are not supported (dfk-emu writes none)");
	return fail(s, "unexpected '%.32s'", tok);
}

static int read_vcd(struct src *s, struct trace *t)
{
	struct vcd_state *v = calloc(1, sizeof(*v));
	int r;

	if (!v)
		return fail(s, "out of memory");
	v->scale = 1;
	while ((r = next_line(s)) > 0) {
		char *p = s->text;
		for (;;) {
			p += strspn(p, " \t");
			if (!*p)
				break;
			char *end = p + strcspn(p, " \t");
			if (*end)
				*end++ = '\0';
			if (vcd_token(s, t, v, p) < 0) {
				free(v);
				return -1;
			}
			p = end;
		}
	}
	if (r == 0) {
		if (v->cmd[0])
			r = fail(s, "%s without its $end at the end of the file", v->cmd);
		else if (v->has_pending)
			r = fail(s, "a vector value without its identifier code at the end of the file");
		else if (v->initial)
			r = fail(s, "$dumpvars without its $end at the end of the file");
		else if (!v->body)
			r = fail(s, "no $enddefinitions: not a complete VCD header");
		else if (!v->timescale_seen)
			r = fail(s, "no $timescale (dfk-emu writes 1ns)");
	}
	free(v);
	return r;
}

/* ------------------------------------------------------------------------- */
/* loading                                                                    */
/* ------------------------------------------------------------------------- */

int trace_parse(const char *name, const char *buf, size_t len, struct trace **out, char *err, size_t errlen)
{
	struct src *s;
	struct trace *t;
	enum trace_type type;
	const char *p = buf, *end = buf + len;
	int r;

	*out = NULL;
	/* the first line that is not blank tells the kind of file */
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	if (p == end) {
		set_err(err, errlen, "%s: empty file", name);
		return -1;
	}
	if ((size_t)(end - p) >= 10 && !memcmp(p, "dfk-golden", 10))
		type = TRACE_GOLDEN;
	else if (*p == '$')
		type = TRACE_VCD;
	else if ((*p >= '0' && *p <= '9') || ((size_t)(end - p) >= 2 && !memcmp(p, "ok", 2)))
		type = TRACE_EVENTS;
	else {
		unsigned line = 1;
		for (const char *q = buf; q < p; q++)
			line += *q == '\n';
		if ((size_t)(end - p) >= 5 && !memcmp(p, "error", 5))
			set_err(err, errlen, "%s:%u: an error reply, not an event log", name, line);
		else
			set_err(err, errlen, "%s:%u: not an event log ('SEQ T KIND A B'), a VCD ('$...') or a golden "
					     "trace ('dfk-golden 1')", name, line);
		return -1;
	}
	s = calloc(1, sizeof(*s));
	t = trace_alloc(type, name);
	if (!s || !t) {
		free(s);
		trace_free(t);
		set_err(err, errlen, "%s: out of memory", name);
		return -1;
	}
	*s = (struct src){ .buf = buf, .len = len, .name = name, .err = err, .errlen = errlen };
	r = type == TRACE_GOLDEN ? read_golden(s, t) : type == TRACE_VCD ? read_vcd(s, t) : read_events(s, t);
	free(s);
	if (r < 0) {
		trace_free(t);
		return -1;
	}
	*out = t;
	return 0;
}

int trace_load(const char *path, struct trace **out, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	char *buf;
	size_t len;
	int r;

	*out = NULL;
	if (!f) {
		set_err(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fileno(f), &st) < 0 || !S_ISREG(st.st_mode)) {
		set_err(err, errlen, "%s: not a regular file", path);
		fclose(f);
		return -1;
	}
	if ((uint64_t)st.st_size > TRACE_FILE_MAX) {
		set_err(err, errlen, "%s: larger than %u MiB", path, TRACE_FILE_MAX >> 20);
		fclose(f);
		return -1;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		set_err(err, errlen, "%s: out of memory", path);
		fclose(f);
		return -1;
	}
	len = fread(buf, 1, (size_t)st.st_size + 1, f);
	if (ferror(f) || len > (size_t)st.st_size) {
		set_err(err, errlen, "%s: %s", path, ferror(f) ? "read error" : "the file grew while being read");
		free(buf);
		fclose(f);
		return -1;
	}
	fclose(f);
	r = trace_parse(path, buf, len, out, err, errlen);
	free(buf);
	return r;
}
