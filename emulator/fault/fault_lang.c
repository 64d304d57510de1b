/* SPDX-License-Identifier: MIT */
/* The fault language (docs/faults.md): one fault per line,
 *
 *   KIND [KEYWORD VALUE]... [now | at T | on transfer|frame|command N | random P [seed S]]
 *        [count N | count forever] [# comment]
 *
 * Arguments, trigger and count may come in any order, each at most once; the kind
 * table (fault_kinds.c) says which keywords a kind takes. fault_format writes the
 * canonical order, which parses back to the same spec. */
#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "../common/errors.h"
#include "../common/numparse.h"
#include "fault_internal.h"

/* Longest word worth copying for a number or a name; a longer one cannot be valid
 * (a u64 in octal with leading zeros aside, which we do not miss). */
#define WORD_MAX 64

struct cursor {
	const char *p;
};

struct word {
	const char *s;
	size_t len;
};

/* Next blank-separated word; false at the end of the line or at a `#` comment. */
static bool next_word(struct cursor *c, struct word *w)
{
	while (*c->p && isspace((unsigned char)*c->p))
		c->p++;
	if (!*c->p || *c->p == '#')
		return false;
	w->s = c->p;
	while (*c->p && !isspace((unsigned char)*c->p))
		c->p++;
	w->len = (size_t)(c->p - w->s);
	return true;
}

static bool word_is(const struct word *w, const char *s) { return strlen(s) == w->len && !memcmp(w->s, s, w->len); }

/* The word as a C string in `buf` (WORD_MAX); false when it does not fit. */
static bool word_copy(const struct word *w, char *buf)
{
	if (w->len >= WORD_MAX)
		return false;
	memcpy(buf, w->s, w->len);
	buf[w->len] = '\0';
	return true;
}

/* A user's word for an error message: at most 32 characters, printable, so the
 * message stays one short line whatever the input. */
static const char *shown(const struct word *w, char *buf)
{
	size_t n = w->len > 32 ? 32 : w->len;

	for (size_t i = 0; i < n; i++)
		buf[i] = isprint((unsigned char)w->s[i]) ? w->s[i] : '?';
	strcpy(buf + n, w->len > 32 ? "..." : "");
	return buf;
}

__attribute__((format(printf, 3, 4))) static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return DFK_ERR_INVAL;
}

/* A bounded writer: the text is cut at the buffer's end, and `overflow` says so. */
struct out {
	char *buf;
	size_t len, pos;
	bool overflow;
};

__attribute__((format(printf, 2, 3))) static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(o->pos < o->len ? o->buf + o->pos : NULL, o->pos < o->len ? o->len - o->pos : 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		o->overflow = true;
		return;
	}
	o->pos += (size_t)n;
	if (o->pos >= o->len)
		o->overflow = true;
}

/* ---- argument slots of struct fault_args, by the parameter table ---- */

static void slot_put(struct fault_args *a, const struct fault_param_info *pi, uint64_t v)
{
	unsigned char *p = (unsigned char *)a + pi->offset;

	if (pi->type == FAULT_VT_FIELD) {
		a->field = (enum fault_field)v;
		return;
	}
	switch (pi->width) {
	case 1: { uint8_t x = (uint8_t)v; memcpy(p, &x, 1); break; }
	case 2: { uint16_t x = (uint16_t)v; memcpy(p, &x, 2); break; }
	case 4: { uint32_t x = (uint32_t)v; memcpy(p, &x, 4); break; }
	default: memcpy(p, &v, 8); break;
	}
}

/* The slot's value; signed slots come back as the two's complement of their int64. */
static uint64_t slot_get(const struct fault_args *a, const struct fault_param_info *pi)
{
	const unsigned char *p = (const unsigned char *)a + pi->offset;
	bool is_signed = pi->type == FAULT_VT_SIGNED || pi->type == FAULT_VT_ERRNO;

	if (pi->type == FAULT_VT_FIELD)
		return (uint64_t)a->field;
	switch (pi->width) {
	case 1: { uint8_t x; memcpy(&x, p, 1); return x; }
	case 2: { uint16_t x; memcpy(&x, p, 2); return x; }
	case 4: {
		uint32_t x;
		memcpy(&x, p, 4);
		return is_signed ? (uint64_t)(int64_t)(int32_t)x : x;
	}
	default: { uint64_t x; memcpy(&x, p, 8); return x; }
	}
}

static bool lookup_name(const struct fault_name *names, const char *s, int64_t *v)
{
	for (; names && names->name; names++) {
		if (!strcasecmp(names->name, s)) {
			*v = names->value;
			return true;
		}
	}
	return false;
}

/* "T" or "+N" (from `now`), below 2^63. *past is set when it lies before `now`. */
static bool parse_time(const char *s, uint64_t now, uint64_t *t, bool *past)
{
	uint64_t v;

	*past = false;
	if (s[0] == '+') {
		if (!parse_u64(s + 1, &v) || v >= FAULT_TIME_LIMIT || now >= FAULT_TIME_LIMIT ||
		    now + v >= FAULT_TIME_LIMIT)
			return false;
		*t = now + v;
		return true;
	}
	if (!parse_u64(s, &v) || v >= FAULT_TIME_LIMIT)
		return false;
	*past = v < now;
	*t = v;
	return true;
}

/* One value of parameter `pi` into *v (raw slot value). Returns false when it is not one. */
static bool parse_value(const struct fault_param_info *pi, const char *s, uint64_t now, uint64_t *v, bool *past)
{
	int64_t named;
	uint64_t u;

	*past = false;
	switch (pi->type) {
	case FAULT_VT_EP:
		if (!strcmp(s, "any")) {
			*v = FAULT_EP_ANY;
			return true;
		}
		/* bits 4-6 of an endpoint address are reserved */
		if (!parse_u64(s, &u) || u > 0xFF || (u & 0x70))
			return false;
		*v = u;
		return true;
	case FAULT_VT_UINT:
		if (lookup_name(pi->names, s, &named)) {
			*v = (uint64_t)named;
			return true;
		}
		if (!parse_u64(s, &u) || u < pi->min || u > pi->max)
			return false;
		*v = u;
		return true;
	case FAULT_VT_TIME:
		return parse_time(s, now, v, past);
	case FAULT_VT_SIGNED:
		if (!parse_u64(s[0] == '-' ? s + 1 : s, &u) || u > pi->max)
			return false;
		*v = s[0] == '-' ? (uint64_t)-(int64_t)u : u;
		return true;
	case FAULT_VT_ERRNO:
		if (lookup_name(pi->names, s, &named)) {
			*v = (uint64_t)named;
			return true;
		}
		if (s[0] != '-' || !parse_u64(s + 1, &u) || u < pi->min || u > pi->max)
			return false;
		*v = (uint64_t)-(int64_t)u;
		return true;
	case FAULT_VT_FIELD:
		for (unsigned f = 0; f < FAULT_FIELD_COUNT; f++) {
			if (!strcmp(fault_field_info((enum fault_field)f)->name, s)) {
				*v = f;
				return true;
			}
		}
		return false;
	}
	return false;
}

/* "ep, len, now, at, on, random, count": what may follow the kind name. */
static void expected_words(const struct fault_kind_info *ki, char *buf, size_t len)
{
	bool once = ki->domain == FAULT_DOM_DEVICE || ki->domain == FAULT_DOM_LINK;
	struct out o = { buf, len, 0, false };

	buf[0] = '\0';
	for (int i = 0; i < FAULT_KIND_ARGS_MAX && ki->args[i].keyword; i++)
		put(&o, "%s, ", ki->args[i].keyword);
	put(&o, "%s", once ? "now, at, on" : "now, at, on, random, count");
}

static int parse_kind(const struct word *w, enum fault_kind *kind, char *err, size_t errlen)
{
	char names[400], q[40];
	struct out o = { names, sizeof(names), 0, false };

	for (unsigned k = 0; k < FAULT_KIND_COUNT; k++) {
		if (word_is(w, fault_kind_name((enum fault_kind)k))) {
			*kind = (enum fault_kind)k;
			return DFK_OK;
		}
	}
	names[0] = '\0';
	for (unsigned k = 0; k < FAULT_KIND_COUNT; k++)
		put(&o, "%s%s", k ? " " : "", fault_kind_name((enum fault_kind)k));
	return fail(err, errlen, "unknown fault kind '%s' (one of: %s)", shown(w, q), names);
}

static const char *trigger_word(enum fault_trigger t)
{
	switch (t) {
	case FAULT_NOW: return "now";
	case FAULT_AT: return "at";
	case FAULT_RANDOM: return "random";
	default: return "on";
	}
}

/* The trigger clause starting with `w` (now, at, on, random). */
static int parse_trigger(struct cursor *c, const struct word *w, const char *kname, bool once, uint64_t now,
			 struct fault_spec *s, char *err, size_t errlen)
{
	struct word v;
	char buf[WORD_MAX], q[40];
	uint64_t u;
	bool past;

	if (word_is(w, "now")) {
		s->trigger = FAULT_NOW;
		return DFK_OK;
	}
	if (word_is(w, "at")) {
		if (!next_word(c, &v))
			return fail(err, errlen, "%s: at needs a device time (ns below 2^63, or +N from now)", kname);
		if (!word_copy(&v, buf) || !parse_time(buf, now, &s->at, &past))
			return fail(err, errlen, "%s: bad time '%s' (ns below 2^63, or +N from now)", kname,
				    shown(&v, q));
		if (past)
			return fail(err, errlen, "%s: at %" PRIu64 " is in the past (now %" PRIu64 ")", kname, s->at,
				    now);
		s->trigger = FAULT_AT;
		return DFK_OK;
	}
	if (word_is(w, "on")) {
		if (!next_word(c, &v))
			return fail(err, errlen, "%s: on needs transfer, frame or command, then N", kname);
		if (word_is(&v, "transfer"))
			s->trigger = FAULT_ON_TRANSFER;
		else if (word_is(&v, "frame"))
			s->trigger = FAULT_ON_FRAME;
		else if (word_is(&v, "command"))
			s->trigger = FAULT_ON_COMMAND;
		else
			return fail(err, errlen, "%s: on takes transfer, frame or command, not '%s'", kname,
				    shown(&v, q));
		if (!next_word(c, &v))
			return fail(err, errlen, "%s: on %.8s needs N (1 to 4294967295)", kname,
				    s->trigger == FAULT_ON_TRANSFER ? "transfer" :
				    s->trigger == FAULT_ON_FRAME ? "frame" : "command");
		if (!word_copy(&v, buf) || !parse_u64(buf, &u) || u < 1 || u > UINT32_MAX)
			return fail(err, errlen, "%s: bad N '%s' (1 to 4294967295: the Nth from arming)", kname,
				    shown(&v, q));
		s->nth = (uint32_t)u;
		return DFK_OK;
	}
	/* random */
	if (once)
		return fail(err, errlen, "%s: random does not apply (it happens once: use now, at or on)", kname);
	if (!next_word(c, &v))
		return fail(err, errlen, "%s: random needs a probability from 0 to 1", kname);
	if (!word_copy(&v, buf) || !parse_double_in(buf, 0.0, 1.0, &s->probability))
		return fail(err, errlen, "%s: bad probability '%s' (a finite number from 0 to 1)", kname, shown(&v, q));
	s->probability += 0.0;   /* -0 is 0: one spelling of "never" */
	s->trigger = FAULT_RANDOM;
	/* `seed S` is optional (0): peek without consuming anything else */
	struct cursor peek = *c;
	if (next_word(&peek, &v) && word_is(&v, "seed")) {
		*c = peek;
		if (!next_word(c, &v))
			return fail(err, errlen, "%s: seed needs a number (0 to 2^64-1)", kname);
		if (!word_copy(&v, buf) || !parse_u64(buf, &s->seed))
			return fail(err, errlen, "%s: bad seed '%s' (0 to 2^64-1)", kname, shown(&v, q));
	}
	return DFK_OK;
}

int fault_parse(const char *line, uint64_t now, struct fault_spec *spec, char *err, size_t errlen)
{
	const struct fault_kind_info *ki;
	struct fault_spec s;
	struct cursor c = { line ? line : "" };
	struct word w, v;
	char buf[WORD_MAX], q[40], expected[160];
	bool has_trigger = false, has_count = false, once;
	const char *trigger_by = "";
	uint64_t u;
	bool past;
	int rc;

	if (err && errlen)
		err[0] = '\0';
	memset(&s, 0, sizeof(s));
	s.trigger = FAULT_NOW;
	s.count = 1;
	if (!next_word(&c, &w))
		return fail(err, errlen, "empty fault line");
	rc = parse_kind(&w, &s.kind, err, errlen);
	if (rc)
		return rc;
	ki = fault_kind_info(s.kind);
	once = ki->domain == FAULT_DOM_DEVICE || ki->domain == FAULT_DOM_LINK;
	for (int i = 0; i < FAULT_KIND_ARGS_MAX && ki->args[i].keyword; i++)
		if (ki->args[i].need == FAULT_OPTIONAL)
			slot_put(&s.arg, fault_param_info(ki->args[i].param), (uint64_t)ki->args[i].dflt);

	while (next_word(&c, &w)) {
		const struct fault_arg_rule *rule = NULL;

		for (int i = 0; i < FAULT_KIND_ARGS_MAX && ki->args[i].keyword; i++)
			if (word_is(&w, ki->args[i].keyword))
				rule = &ki->args[i];
		if (rule) {
			const struct fault_param_info *pi = fault_param_info(rule->param);

			if (s.arg.given & FAULT_ARG_BIT(rule->param))
				return fail(err, errlen, "%s: %s given twice", ki->name, rule->keyword);
			if (!next_word(&c, &v))
				return fail(err, errlen, "%s: %s needs a value (%s)", ki->name, rule->keyword, pi->what);
			if (!word_copy(&v, buf) || !parse_value(pi, buf, now, &u, &past))
				return fail(err, errlen, "%s: bad %s '%s' (%s)", ki->name, rule->keyword, shown(&v, q),
					    pi->what);
			if (past)
				return fail(err, errlen, "%s: %s %" PRIu64 " is in the past (now %" PRIu64 ")", ki->name,
					    rule->keyword, u, now);
			slot_put(&s.arg, pi, u);
			s.arg.given |= FAULT_ARG_BIT(rule->param);
		} else if (word_is(&w, "now") || word_is(&w, "at") || word_is(&w, "on") || word_is(&w, "random")) {
			if (has_trigger)
				return fail(err, errlen, "%s: two triggers ('%s' and '%s')", ki->name, trigger_by,
					    shown(&w, q));
			has_trigger = true;
			rc = parse_trigger(&c, &w, ki->name, once, now, &s, err, errlen);
			if (rc)
				return rc;
			trigger_by = trigger_word(s.trigger);
		} else if (word_is(&w, "count")) {
			if (once)
				return fail(err, errlen, "%s: count does not apply (%s)", ki->name,
					    ki->domain == FAULT_DOM_DEVICE ? "it happens once" :
					    "a setting: it holds for W ns or until removed");
			if (has_count)
				return fail(err, errlen, "%s: count given twice", ki->name);
			has_count = true;
			if (!next_word(&c, &v))
				return fail(err, errlen, "%s: count needs N (1 to 4294967295) or forever", ki->name);
			if (word_is(&v, "forever"))
				s.count = FAULT_FOREVER;
			else if (!word_copy(&v, buf) || !parse_u64(buf, &s.count) || s.count < 1 || s.count > UINT32_MAX)
				return fail(err, errlen, "%s: bad count '%s' (1 to 4294967295, or forever)", ki->name,
					    shown(&v, q));
		} else {
			expected_words(ki, expected, sizeof(expected));
			return fail(err, errlen, "%s: unknown word '%s' (expected %s)", ki->name, shown(&w, q), expected);
		}
	}

	/* required arguments, and exactly one of the ONE_OF ones */
	const char *one_of[FAULT_KIND_ARGS_MAX];
	int n_one_of = 0, given_one_of = 0;
	for (int i = 0; i < FAULT_KIND_ARGS_MAX && ki->args[i].keyword; i++) {
		const struct fault_arg_rule *r = &ki->args[i];
		bool given = s.arg.given & FAULT_ARG_BIT(r->param);

		if (r->need == FAULT_REQUIRED && !given)
			return fail(err, errlen, "%s: missing %s (%s)", ki->name, r->keyword,
				    fault_param_info(r->param)->what);
		if (r->need == FAULT_ONE_OF) {
			one_of[n_one_of++] = r->keyword;
			given_one_of += given;
		}
	}
	if (n_one_of >= 2 && given_one_of != 1)
		return fail(err, errlen, "%s: %s (%s or %s)", ki->name,
			    given_one_of ? "give only one of" : "missing one of", one_of[0], one_of[1]);
	if (s.kind == FAULT_CORRUPT) {
		const struct fault_field_info *fi = fault_field_info(s.arg.field);

		if (fi->width < 8 && s.arg.value >> (fi->width * 8))
			return fail(err, errlen, "corrupt: value %" PRIu64 " does not fit %s (%d bits)", s.arg.value,
				    fi->name, fi->width * 8);
	}
	*spec = s;
	return DFK_OK;
}

/* ---- format ---- */

static void put_value(struct out *o, const struct fault_param_info *pi, uint64_t v)
{
	switch (pi->type) {
	case FAULT_VT_EP:
		if (v == FAULT_EP_ANY)
			put(o, "any");
		else
			put(o, "0x%02x", (unsigned)v);
		break;
	case FAULT_VT_SIGNED:
	case FAULT_VT_ERRNO:
		put(o, "%" PRId64, (int64_t)v);
		break;
	case FAULT_VT_FIELD:
		put(o, "%s", v < FAULT_FIELD_COUNT ? fault_field_info((enum fault_field)v)->name : "?");
		break;
	default:
		if (pi->print == FAULT_PR_HEX16)
			put(o, "0x%04x", (unsigned)v);
		else
			put(o, "%" PRIu64, v);
		break;
	}
}

int fault_format(const struct fault_spec *s, char *buf, size_t len)
{
	struct out o = { buf, len, 0, false };
	const struct fault_kind_info *ki = s ? fault_kind_info(s->kind) : NULL;

	if (!ki || (unsigned)s->trigger >= FAULT_TRIGGER_COUNT || !buf || !len) {
		if (buf && len)
			buf[0] = '\0';
		return DFK_ERR_INVAL;
	}
	put(&o, "%s", ki->name);
	for (int i = 0; i < FAULT_KIND_ARGS_MAX && ki->args[i].keyword; i++) {
		const struct fault_param_info *pi = fault_param_info(ki->args[i].param);

		if (!(s->arg.given & FAULT_ARG_BIT(ki->args[i].param)))
			continue;
		put(&o, " %s ", ki->args[i].keyword);
		put_value(&o, pi, slot_get(&s->arg, pi));
	}
	switch (s->trigger) {
	case FAULT_NOW: break;
	case FAULT_AT: put(&o, " at %" PRIu64, s->at); break;
	case FAULT_ON_TRANSFER: put(&o, " on transfer %" PRIu32, s->nth); break;
	case FAULT_ON_FRAME: put(&o, " on frame %" PRIu32, s->nth); break;
	case FAULT_ON_COMMAND: put(&o, " on command %" PRIu32, s->nth); break;
	/* 17 significant digits: the double reads back exactly */
	case FAULT_RANDOM: put(&o, " random %.17g seed %" PRIu64, s->probability, s->seed); break;
	default: break;
	}
	if (s->count == FAULT_FOREVER)
		put(&o, " count forever");
	else if (s->count != 1)
		put(&o, " count %" PRIu64, s->count);
	return o.overflow ? DFK_ERR_RANGE : (int)o.pos;
}

bool fault_spec_equal(const struct fault_spec *a, const struct fault_spec *b)
{
	const struct fault_kind_info *ki = fault_kind_info(a->kind);

	if (a->kind != b->kind || !ki || a->trigger != b->trigger || a->count != b->count ||
	    a->arg.given != b->arg.given)
		return false;
	switch (a->trigger) {
	case FAULT_AT:
		if (a->at != b->at)
			return false;
		break;
	case FAULT_ON_TRANSFER:
	case FAULT_ON_FRAME:
	case FAULT_ON_COMMAND:
		if (a->nth != b->nth)
			return false;
		break;
	case FAULT_RANDOM:
		if (a->probability != b->probability || a->seed != b->seed)
			return false;
		break;
	default:
		break;
	}
	for (int i = 0; i < FAULT_KIND_ARGS_MAX && ki->args[i].keyword; i++) {
		const struct fault_param_info *pi = fault_param_info(ki->args[i].param);

		if (slot_get(&a->arg, pi) != slot_get(&b->arg, pi))
			return false;
	}
	return true;
}

/* ---- scenario files ---- */

/* Calls fn on each fault line of `text` (1-based line numbers); stops at its first error. */
static int each_line(const char *text, size_t len, uint64_t now, char *err, size_t errlen,
		     int (*fn)(void *ctx, const struct fault_spec *s), void *ctx)
{
	char line[FAULT_SCRIPT_LINE_MAX], msg[256];
	size_t pos = 0;
	unsigned no = 0;

	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
		struct fault_spec s;
		struct cursor c;
		struct word w;
		int rc;

		no++;
		if (n >= sizeof(line))
			return fail(err, errlen, "line %u: longer than %d bytes", no, FAULT_SCRIPT_LINE_MAX - 1);
		if (memchr(text + pos, '\0', n))
			return fail(err, errlen, "line %u: contains a NUL byte", no);
		memcpy(line, text + pos, n);
		line[n] = '\0';
		pos += n + 1;
		c.p = line;
		if (!next_word(&c, &w))
			continue;   /* blank or comment */
		rc = fault_parse(line, now, &s, msg, sizeof(msg));
		if (rc)
			return fail(err, errlen, "line %u: %s", no, msg);
		rc = fn(ctx, &s);
		if (rc)
			return rc;
	}
	return DFK_OK;
}

static int count_one(void *ctx, const struct fault_spec *s)
{
	(void)s;
	(*(size_t *)ctx)++;
	return DFK_OK;
}

struct load_ctx {
	struct fault_engine *e;
	uint64_t now;
	size_t added;
};

static int add_one(void *ctx, const struct fault_spec *s)
{
	struct load_ctx *l = ctx;
	uint32_t id;
	int rc = fault_engine_add(l->e, s, l->now, &id);

	if (rc == DFK_OK)
		l->added++;
	return rc;
}

int fault_engine_load(struct fault_engine *e, const char *text, size_t len, uint64_t now, size_t *added,
		      char *err, size_t errlen)
{
	struct load_ctx l = { e, now, 0 };
	size_t n = 0;
	int rc;

	if (added)
		*added = 0;
	if (err && errlen)
		err[0] = '\0';
	/* first pass: every line valid, and room for all of them */
	rc = each_line(text, len, now, err, errlen, count_one, &n);
	if (rc)
		return rc;
	if (n > FAULT_MAX - fault_engine_count(e)) {
		fail(err, errlen, "%zu faults in the scenario, %zu armed already: at most %d", n, fault_engine_count(e),
		     FAULT_MAX);
		return DFK_ERR_RANGE;
	}
	rc = each_line(text, len, now, err, errlen, add_one, &l);
	if (added)
		*added = l.added;
	return rc;
}
