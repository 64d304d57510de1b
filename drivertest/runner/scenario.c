/* SPDX-License-Identifier: MIT */
#include "runner/scenario.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/numparse.h"
#include "fault/fault.h"

/* The counters: name, and whether only the emulator can tell (not a real camera). */
static const struct {
	const char *name;
	bool device;
} counters[SC_C_COUNT] = {
	[SC_C_FRAMES] = { "frames", false },           [SC_C_OK] = { "ok", false },
	[SC_C_INCOMPLETE] = { "incomplete", false },   [SC_C_BAD] = { "bad", false },
	[SC_C_NOT_OK] = { "not-ok", false },           [SC_C_ERRORS] = { "errors", false },
	[SC_C_TIMEOUTS] = { "timeouts", false },       [SC_C_LOST] = { "lost", false },
	[SC_C_REOPENED] = { "reopened", false },       [SC_C_GAP_IDS] = { "gap-ids", false },
	[SC_C_SENT] = { "sent", true },                [SC_C_SENT_GOOD] = { "sent-good", true },
	[SC_C_SENT_FAULTED] = { "sent-faulted", true }, [SC_C_DROPPED] = { "dropped", true },
	[SC_C_FAULTS] = { "faults", true },            [SC_C_ACCEPTED] = { "accepted", true },
	[SC_C_REJECTED] = { "rejected", true },        [SC_C_POWER_UPS] = { "power-ups", true },
	[SC_C_FALSE_OK] = { "false-ok", true },        [SC_C_MISSED] = { "missed", true },
	[SC_C_DUPLICATES] = { "duplicates", false },   [SC_C_WRONG_SIZE] = { "wrong-size", false },
	[SC_C_UNREPORTED_GAPS] = { "unreported-gaps", true },
	[SC_C_VIOLATIONS] = { "violations", true },    [SC_C_WARNINGS] = { "warnings", true },
};

static const char *const op_names[] = { [SC_EQ] = "==", [SC_NE] = "!=", [SC_GE] = ">=",
					[SC_LE] = "<=", [SC_GT] = ">",  [SC_LT] = "<" };

const char *sc_counter_name(enum sc_counter c) { return (unsigned)c < SC_C_COUNT ? counters[c].name : "?"; }
bool sc_counter_is_device(enum sc_counter c) { return (unsigned)c < SC_C_COUNT && counters[c].device; }
const char *sc_op_name(enum sc_op op) { return (unsigned)op <= SC_LT ? op_names[op] : "?"; }

bool sc_compare(uint64_t v, enum sc_op op, uint64_t n)
{
	switch (op) {
	case SC_EQ: return v == n;
	case SC_NE: return v != n;
	case SC_GE: return v >= n;
	case SC_LE: return v <= n;
	case SC_GT: return v > n;
	case SC_LT: return v < n;
	}
	return false;
}

#define MAX_WORDS 48

struct ctx {
	struct scenario *sc;
	int line;
	char *err;
	size_t errlen;
};

static int bad(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int bad(struct ctx *c, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(c->err, c->errlen, "%d: ", c->line);

	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < c->errlen)
		vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

static bool copy(char *dst, size_t cap, const char *src)
{
	size_t n = strlen(src);

	if (n >= cap)
		return false;
	memcpy(dst, src, n + 1);
	return true;
}

/* The words from index i on, joined by single spaces. */
static bool join(char *dst, size_t cap, char **w, int from, int n)
{
	size_t used = 0;

	dst[0] = 0;
	for (int i = from; i < n; i++) {
		size_t l = strlen(w[i]);

		if (used + l + 2 > cap)
			return false;
		if (used)
			dst[used++] = ' ';
		memcpy(dst + used, w[i], l + 1);
		used += l;
	}
	return true;
}

static int u32_arg(struct ctx *c, const char *what, const char *s, uint64_t lo, uint64_t hi, uint32_t *out)
{
	uint64_t v;

	if (!s || !parse_u64(s, &v) || v < lo || v > hi)
		return bad(c, "%s: '%s' is not a number from %llu to %llu", what, s ? s : "", (unsigned long long)lo,
			   (unsigned long long)hi);
	*out = (uint32_t)v;
	return 0;
}

static bool feature_name_ok(const char *s)
{
	if (!*s || strlen(s) >= SC_WORD)
		return false;
	for (; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

static bool value_ok(const char *s)
{
	if (!*s || strlen(s) >= SC_WORD)
		return false;
	for (; *s; s++)
		if (*s <= ' ' || *s == '=' || *s == 0x7f)
			return false;
	return true;
}

static int parse_op(const char *s, enum sc_op *op)
{
	for (unsigned i = 0; i <= SC_LT; i++)
		if (strcmp(s, op_names[i]) == 0) {
			*op = (enum sc_op)i;
			return 0;
		}
	return -1;
}

static int parse_expect(struct ctx *c, char **w, int n)
{
	struct scenario *sc = c->sc;
	struct sc_expect *e;

	if (sc->n_expects >= SC_MAX_EXPECTS)
		return bad(c, "more than %d expectations", SC_MAX_EXPECTS);
	if (n < 2)
		return bad(c, "expect: what?");
	e = &sc->expects[sc->n_expects];
	memset(e, 0, sizeof(*e));
	e->line = c->line;
	if (!join(e->text, sizeof(e->text), w, 1, n))
		return bad(c, "expect: line too long");
	if (strcmp(w[1], "bit-exact") == 0 && n == 2) {
		e->kind = SC_E_BIT_EXACT;
		sc->dump = true;
	} else if (strcmp(w[1], "violation") == 0 && n == 3) {
		e->kind = SC_E_VIOLATION;
		if (!copy(e->word, sizeof(e->word), w[2]))
			return bad(c, "expect violation: rule name too long");
	} else if (strcmp(w[1], "recovers-within") == 0 && n == 3) {
		uint32_t v = 0;

		e->kind = SC_E_RECOVERS;
		if (u32_arg(c, "recovers-within", w[2], 1, 1000000, &v) < 0)
			return -1;
		e->n = v;
	} else if (strcmp(w[1], "error-stage") == 0 && n == 3) {
		static const char *const stages[] = { "open", "config", "start", "grab", "exec", "set", "stop", "close" };
		bool known = false;

		e->kind = SC_E_ERROR_STAGE;
		for (size_t i = 0; i < sizeof(stages) / sizeof(stages[0]); i++)
			known |= strcmp(w[2], stages[i]) == 0;
		if (!known)
			return bad(c, "expect error-stage: unknown stage '%s'", w[2]);
		copy(e->word, sizeof(e->word), w[2]);
	} else if (strcmp(w[1], "exit") == 0 && n == 3) {
		e->kind = SC_E_EXIT;
		if (strcmp(w[2], "done") == 0)
			e->n = 0;
		else if (strcmp(w[2], "any") == 0)
			e->n = 1;
		else
			return bad(c, "expect exit: 'done' or 'any', not '%s'", w[2]);
	} else if ((strcmp(w[1], "ts-spacing") == 0 || strcmp(w[1], "sent-spacing") == 0) && n == 4) {
		e->kind = w[1][0] == 't' ? SC_E_TS_SPACING : SC_E_SENT_SPACING;
		if (parse_op(w[2], &e->op) < 0 || !parse_u64(w[3], &e->n))
			return bad(c, "expect %s: OP NS (e.g. >= 25000000)", w[1]);

	} else if (n == 4) {
		int k = -1;

		for (int i = 0; i < SC_C_COUNT; i++)
			if (strcmp(w[1], counters[i].name) == 0)
				k = i;
		if (k < 0)
			return bad(c, "expect: unknown counter '%s' (docs/drivertest.md lists them)", w[1]);
		e->kind = SC_E_COUNT;
		e->counter = (enum sc_counter)k;
		if (parse_op(w[2], &e->op) < 0)
			return bad(c, "expect %s: '%s' is not one of == != >= <= > <", w[1], w[2]);
		if (!parse_u64(w[3], &e->n))
			return bad(c, "expect %s: '%s' is not a number", w[1], w[3]);
	} else {
		return bad(c, "expect: cannot read '%s' (docs/drivertest.md, \"Expectations\")", e->text);
	}
	sc->n_expects++;
	return 0;
}

static int parse_stim(struct ctx *c, char **w, int n)
{
	struct scenario *sc = c->sc;
	struct sc_stim *s;
	int i = 1;

	if (sc->n_stims >= SC_MAX_STIMS)
		return bad(c, "more than %d stimuli", SC_MAX_STIMS);
	s = &sc->stims[sc->n_stims];
	memset(s, 0, sizeof(*s));
	s->line = c->line;
	s->repeat = 1;
	for (;;) {
		if (i + 1 < n && strcmp(w[i], "after-frames") == 0) {
			if (u32_arg(c, "after-frames", w[i + 1], 0, 1000000, &s->after_frames) < 0)
				return -1;
		} else if (i + 1 < n && strcmp(w[i], "repeat") == 0) {
			if (u32_arg(c, "repeat", w[i + 1], 1, 10000, &s->repeat) < 0)
				return -1;
		} else if (i + 1 < n && strcmp(w[i], "every-ms") == 0) {
			if (u32_arg(c, "every-ms", w[i + 1], 0, 600000, &s->every_ms) < 0)
				return -1;
		} else {
			break;
		}
		i += 2;
	}
	if (i >= n)
		return bad(c, "stim: exec NAME, set NAME VALUE, io REQUEST or line ...");
	if (strcmp(w[i], "exec") == 0 && n == i + 2) {
		s->kind = SC_S_EXEC;
		if (!feature_name_ok(w[i + 1]))
			return bad(c, "stim exec: '%s' is not a feature name", w[i + 1]);
		copy(s->text, sizeof(s->text), w[i + 1]);
	} else if (strcmp(w[i], "set") == 0 && n == i + 3) {
		s->kind = SC_S_SET;
		if (!feature_name_ok(w[i + 1]) || !value_ok(w[i + 2]))
			return bad(c, "stim set: NAME VALUE");
		snprintf(s->text, sizeof(s->text), "%s=%s", w[i + 1], w[i + 2]);
	} else if ((strcmp(w[i], "io") == 0 && n > i + 1) || strcmp(w[i], "line") == 0) {
		s->kind = SC_S_IO;
		sc->needs_emulator = true;
		if (!join(s->text, sizeof(s->text), w, strcmp(w[i], "io") == 0 ? i + 1 : i, n))
			return bad(c, "stim: request too long");
	} else {
		return bad(c, "stim: exec NAME, set NAME VALUE, io REQUEST or line ...");
	}
	sc->n_stims++;
	return 0;
}

static int parse_line(struct ctx *c, char *line)
{
	struct scenario *sc = c->sc;
	char *w[MAX_WORDS];
	int n = 0;
	char *p = line;

	for (;;) {
		while (*p == ' ' || *p == '\t')
			*p++ = 0;
		if (!*p || *p == '#')
			break;
		if (n == MAX_WORDS)
			return bad(c, "more than %d words", MAX_WORDS);
		w[n++] = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
	}
	*p = 0;
	if (!n)
		return 0;
	for (char *q = line; q < p; q++)
		if ((unsigned char)*q < 0x20 && *q != 0 && *q != '\t')
			return bad(c, "control character in the line");

	if (strcmp(w[0], "describe") == 0) {
		size_t used = strlen(sc->describe);

		if (used && used + 1 < sizeof(sc->describe))
			sc->describe[used++] = ' ';
		if (!join(sc->describe + used, sizeof(sc->describe) - used, w, 1, n))
			return bad(c, "describe: too long");
	} else if (strcmp(w[0], "set") == 0) {
		if (n != 3 || !feature_name_ok(w[1]) || !value_ok(w[2]))
			return bad(c, "set NAME VALUE (a GenICam feature name, a value without spaces)");
		if (sc->n_sets >= SC_MAX_SETS)
			return bad(c, "more than %d settings", SC_MAX_SETS);
		copy(sc->sets[sc->n_sets].name, SC_WORD, w[1]);
		copy(sc->sets[sc->n_sets].value, SC_WORD, w[2]);
		sc->n_sets++;
	} else if (strcmp(w[0], "frames") == 0 && n == 2) {
		return u32_arg(c, "frames", w[1], 1, 1000000, &sc->frames);
	} else if (strcmp(w[0], "timeout-ms") == 0 && n == 2) {
		return u32_arg(c, "timeout-ms", w[1], 10, 600000, &sc->timeout_ms);
	} else if (strcmp(w[0], "limit") == 0 && n == 2) {
		return u32_arg(c, "limit", w[1], 1, 3600, &sc->limit_s);
	} else if (strcmp(w[0], "settle-ms") == 0 && n == 2) {
		return u32_arg(c, "settle-ms", w[1], 10, 600000, &sc->settle_ms);
	} else if (strcmp(w[0], "clock-scale") == 0 && n == 2) {
		if (!parse_double_in(w[1], 0, 1000, &sc->clock_scale))
			return bad(c, "clock-scale: a number from 0 to 1000");
		sc->has_clock_scale = true;
		sc->needs_emulator = true;
	} else if (strcmp(w[0], "host-tolerance-ms") == 0 && n == 2) {
		uint32_t ms = 0;

		if (u32_arg(c, "host-tolerance-ms", w[1], 0, 600000, &ms) < 0)
			return -1;
		sc->host_tolerance_ns = (uint64_t)ms * 1000000u;
	} else if (strcmp(w[0], "golden-align") == 0 && n == 2) {
		for (const char *q = w[1]; *q; q++)
			if (!((*q >= 'a' && *q <= 'z') || *q == '_'))
				return bad(c, "golden-align: an event kind (docs/io-protocol.md), e.g. trigger_in");
		if (!copy(sc->golden_align, sizeof(sc->golden_align), w[1]))
			return bad(c, "golden-align: too long");
	} else if (strcmp(w[0], "golden-ignore") == 0 && n > 1) {
		for (int i = 1; i < n; i++) {
			if (sc->n_golden_ignore >= 8 || !copy(sc->golden_ignore[sc->n_golden_ignore], SC_WORD, w[i]))
				return bad(c, "golden-ignore: at most 8 kinds");
			sc->n_golden_ignore++;
		}
	} else if (strcmp(w[0], "reopen") == 0 && n == 1) {
		sc->reopen = true;
	} else if (strcmp(w[0], "dump") == 0 && n == 1) {
		sc->dump = true;
	} else if (strcmp(w[0], "fault") == 0 && n > 1) {
		struct fault_spec spec;
		char ferr[160];
		char *f;

		if (sc->n_faults >= SC_MAX_FAULTS)
			return bad(c, "more than %d faults", SC_MAX_FAULTS);
		f = sc->faults[sc->n_faults];
		if (!join(f, SC_TEXT, w, 1, n))
			return bad(c, "fault: line too long");
		if (fault_parse(f, 0, &spec, ferr, sizeof(ferr)) < 0)
			return bad(c, "%s", ferr);
		sc->fault_lines[sc->n_faults++] = c->line;
		sc->needs_emulator = true;
	} else if (strcmp(w[0], "stim") == 0) {
		return parse_stim(c, w, n);
	} else if (strcmp(w[0], "expect") == 0) {
		return parse_expect(c, w, n);
	} else {
		return bad(c, "unknown or malformed line '%s' (docs/drivertest.md, \"Scenarios\")", w[0]);
	}
	return 0;
}

int scenario_parse(const char *text, size_t len, const char *name, struct scenario *sc, char *err, size_t errlen)
{
	struct ctx c = { .sc = sc, .line = 0, .err = err, .errlen = errlen };
	char buf[1024];
	size_t i = 0;

	memset(sc, 0, sizeof(*sc));
	sc->frames = 10;
	sc->timeout_ms = 2000;
	sc->limit_s = 60;
	sc->settle_ms = 3000;
	sc->host_tolerance_ns = 1000000000u;
	copy(sc->golden_align, sizeof(sc->golden_align), "acquisition");
	if (!name || !*name || strlen(name) >= sizeof(sc->name)) {
		c.line = 0;
		return bad(&c, "scenario name missing or too long");
	}
	for (const char *q = name; *q; q++)
		if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9') || *q == '-' ||
		      *q == '_' || *q == '.'))
			return bad(&c, "scenario name '%s': letters, digits, '-', '_' and '.' only", name);
	copy(sc->name, sizeof(sc->name), name);
	if (len > SC_FILE_MAX)
		return bad(&c, "scenario longer than %d bytes", SC_FILE_MAX);
	while (i < len) {
		size_t start = i, l;

		while (i < len && text[i] != '\n')
			i++;
		l = i - start;
		if (i < len)
			i++;
		c.line++;
		if (l >= sizeof(buf))
			return bad(&c, "line longer than %zu bytes", sizeof(buf) - 1);
		if (memchr(text + start, 0, l))
			return bad(&c, "NUL byte in the line");
		memcpy(buf, text + start, l);
		buf[l] = 0;
		if (l && buf[l - 1] == '\r')
			buf[l - 1] = 0;
		if (parse_line(&c, buf) < 0)
			return -1;
	}
	return 0;
}

int scenario_load(const char *path, struct scenario *sc, char *err, size_t errlen)
{
	char name[SC_WORD];
	const char *base = strrchr(path, '/');
	size_t bl;
	char *text;
	ssize_t got;
	size_t have = 0;
	int fd, rc;

	base = base ? base + 1 : path;
	bl = strlen(base);
	if (bl > 9 && strcmp(base + bl - 9, ".scenario") == 0)
		bl -= 9;
	if (bl >= sizeof(name)) {
		snprintf(err, errlen, "%s: file name too long", path);
		return -1;
	}
	memcpy(name, base, bl);
	name[bl] = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	text = malloc(SC_FILE_MAX + 1);
	if (!text) {
		close(fd);
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	while ((got = read(fd, text + have, SC_FILE_MAX + 1 - have)) > 0 && have < SC_FILE_MAX + 1)
		have += (size_t)got;
	close(fd);
	if (got < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		free(text);
		return -1;
	}
	{
		char e[256];

		rc = scenario_parse(text, have, name, sc, e, sizeof(e));
		if (rc < 0)
			snprintf(err, errlen, "%s:%s", path, e);
	}
	free(text);
	return rc;
}
