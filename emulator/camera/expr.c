/* SPDX-License-Identifier: MIT */
#include "expr.h"

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../common/errors.h"

/* Bounds on what a formula may cost: the parser recurses once per nesting
 * level and unary operator, and expr_names() compares each name with those
 * before it. */
#define EXPR_MAX_DEPTH 64
#define EXPR_MAX_LEN   4096

struct parser {
	const char *p;
	bool integer;
	expr_lookup_fn lookup;
	void *ctx;
	int err;
	unsigned depth;
};

/* The first error is the one reported: later ones are consequences of it. */
static void fail(struct parser *ps, int rc)
{
	if (!ps->err)
		ps->err = rc;
}

/* The integer operators work on int64; a value outside its range (or NaN) has
 * no integer meaning and converting it would be undefined: an error instead. */
static int64_t to_int(struct parser *ps, double v)
{
	if (!(v >= -9223372036854775808.0 && v < 9223372036854775808.0)) {
		fail(ps, DFK_ERR_RANGE);
		return 0;
	}
	return (int64_t)v;
}

static void skip_ws(struct parser *ps)
{
	while (isspace((unsigned char)*ps->p))
		ps->p++;
}

static bool accept(struct parser *ps, const char *tok)
{
	size_t n = strlen(tok);

	skip_ws(ps);
	if (strncmp(ps->p, tok, n) != 0)
		return false;
	/* don't take "<" out of "<=", "<<" or "<>", nor "*" out of "**", "&" out of "&&", ... */
	if (n == 1 && strchr("<>*&|=", tok[0]) && ps->p[1] && strchr("<>=*&|", ps->p[1])) {
		char two[3] = { ps->p[0], ps->p[1], 0 };
		static const char *const pairs[] = { "<=", ">=", "<>", "<<", ">>", "**", "&&", "||" };
		for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++)
			if (strcmp(two, pairs[i]) == 0)
				return false;
	}
	ps->p += n;
	return true;
}

static double fix(struct parser *ps, double v) { return ps->integer ? trunc(v) : v; }

static double parse_ternary(struct parser *ps);
static double parse_unary(struct parser *ps);

static double parse_primary(struct parser *ps)
{
	skip_ws(ps);
	if (accept(ps, "(")) {
		double v = parse_ternary(ps);
		if (!accept(ps, ")"))
			fail(ps, DFK_ERR_INVAL);
		return v;
	}
	if (isdigit((unsigned char)*ps->p) || *ps->p == '.') {
		char *end;
		double v;
		if (ps->p[0] == '0' && (ps->p[1] == 'x' || ps->p[1] == 'X'))
			v = (double)strtoull(ps->p, &end, 16);
		else
			v = strtod(ps->p, &end);
		if (end == ps->p)
			fail(ps, DFK_ERR_INVAL);
		ps->p = end;
		return v;
	}
	if (isalpha((unsigned char)*ps->p) || *ps->p == '_') {
		const char *start = ps->p;
		double v = 0;
		while (isalnum((unsigned char)*ps->p) || *ps->p == '_')
			ps->p++;
		int rc = ps->lookup ? ps->lookup(ps->ctx, start, (size_t)(ps->p - start), &v) : DFK_ERR_NOTFOUND;
		if (rc < 0)
			fail(ps, rc);
		return v;
	}
	fail(ps, DFK_ERR_INVAL);
	return 0;
}

static double parse_unary_op(struct parser *ps)
{
	if (accept(ps, "-"))
		return -parse_unary(ps);
	if (accept(ps, "+"))
		return parse_unary(ps);
	if (accept(ps, "!"))
		return parse_unary(ps) == 0.0;
	if (accept(ps, "~"))
		return (double)~to_int(ps, parse_unary(ps));
	return parse_primary(ps);
}

static double parse_unary(struct parser *ps)
{
	double v;

	if (ps->err)
		return 0;   /* unwind at once: no further recursion after an error */
	if (++ps->depth > EXPR_MAX_DEPTH) {
		fail(ps, DFK_ERR_RANGE);
		ps->depth--;
		return 0;
	}
	v = parse_unary_op(ps);
	ps->depth--;
	return v;
}

static double parse_power(struct parser *ps)
{
	double v = parse_unary(ps);

	if (accept(ps, "**"))
		return fix(ps, pow(v, parse_power(ps)));  /* right-associative */
	return v;
}

static double parse_mul(struct parser *ps)
{
	double v = parse_power(ps);

	for (;;) {
		if (accept(ps, "*")) {
			v = v * parse_power(ps);
		} else if (accept(ps, "/")) {
			double d = parse_power(ps);
			if (d == 0.0) {
				fail(ps, DFK_ERR_INVAL);
				return 0;
			}
			v = fix(ps, v / d);
		} else if (accept(ps, "%")) {
			int64_t d = to_int(ps, parse_power(ps)), n = to_int(ps, v);
			if (d == 0) {
				fail(ps, DFK_ERR_INVAL);
				return 0;
			}
			/* INT64_MIN % -1 traps on x86; every x % -1 is 0 */
			v = d == -1 ? 0 : (double)(n % d);
		} else {
			return v;
		}
	}
}

static double parse_add(struct parser *ps)
{
	double v = parse_mul(ps);

	for (;;) {
		if (accept(ps, "+"))
			v += parse_mul(ps);
		else if (accept(ps, "-"))
			v -= parse_mul(ps);
		else
			return v;
	}
}

static double parse_shift(struct parser *ps)
{
	double v = parse_add(ps);

	for (;;) {
		/* shifted as unsigned: a left shift of a negative int64 is undefined */
		if (accept(ps, "<<"))
			v = (double)(int64_t)((uint64_t)to_int(ps, v) << (to_int(ps, parse_add(ps)) & 63));
		else if (accept(ps, ">>"))
			v = (double)(to_int(ps, v) >> (to_int(ps, parse_add(ps)) & 63));
		else
			return v;
	}
}

static double parse_rel(struct parser *ps)
{
	double v = parse_shift(ps);

	for (;;) {
		if (accept(ps, "<="))
			v = v <= parse_shift(ps);
		else if (accept(ps, ">="))
			v = v >= parse_shift(ps);
		else if (accept(ps, "<>"))
			v = v != parse_shift(ps);
		else if (accept(ps, "<"))
			v = v < parse_shift(ps);
		else if (accept(ps, ">"))
			v = v > parse_shift(ps);
		else if (accept(ps, "="))
			v = v == parse_shift(ps);
		else
			return v;
	}
}

static double parse_bitand(struct parser *ps)
{
	double v = parse_rel(ps);

	while (accept(ps, "&"))
		v = (double)(to_int(ps, v) & to_int(ps, parse_rel(ps)));
	return v;
}

static double parse_bitxor(struct parser *ps)
{
	double v = parse_bitand(ps);

	while (accept(ps, "^"))
		v = (double)(to_int(ps, v) ^ to_int(ps, parse_bitand(ps)));
	return v;
}

static double parse_bitor(struct parser *ps)
{
	double v = parse_bitxor(ps);

	while (accept(ps, "|"))
		v = (double)(to_int(ps, v) | to_int(ps, parse_bitxor(ps)));
	return v;
}

static double parse_and(struct parser *ps)
{
	double v = parse_bitor(ps);

	while (accept(ps, "&&")) {
		double r = parse_bitor(ps);
		v = (v != 0.0) && (r != 0.0);
	}
	return v;
}

static double parse_or(struct parser *ps)
{
	double v = parse_and(ps);

	while (accept(ps, "||")) {
		double r = parse_and(ps);
		v = (v != 0.0) || (r != 0.0);
	}
	return v;
}

static double parse_conditional(struct parser *ps)
{
	double c = parse_or(ps);

	if (accept(ps, "?")) {
		double a = parse_ternary(ps);
		if (!accept(ps, ":")) {
			fail(ps, DFK_ERR_INVAL);
			return 0;
		}
		double b = parse_ternary(ps);
		return c != 0.0 ? a : b;
	}
	return c;
}

/* Every nesting (parentheses, ?: chains) passes here: the depth bound holds for all. */
static double parse_ternary(struct parser *ps)
{
	double v;

	if (ps->err)
		return 0;
	if (++ps->depth > EXPR_MAX_DEPTH) {
		fail(ps, DFK_ERR_RANGE);
		ps->depth--;
		return 0;
	}
	v = parse_conditional(ps);
	ps->depth--;
	return v;
}

int expr_eval(const char *text, bool integer, expr_lookup_fn lookup, void *ctx, double *out)
{
	struct parser ps = { .p = text, .integer = integer, .lookup = lookup, .ctx = ctx, .err = 0 };
	double v;

	if (strnlen(text, EXPR_MAX_LEN + 1) > EXPR_MAX_LEN)
		return DFK_ERR_RANGE;
	v = parse_ternary(&ps);

	skip_ws(&ps);
	if (!ps.err && *ps.p)
		ps.err = DFK_ERR_INVAL;
	if (ps.err)
		return ps.err;
	*out = integer ? trunc(v) : v;
	return DFK_OK;
}

int expr_names(const char *text, expr_name_fn fn, void *ctx)
{
	const char *p = text;

	if (strnlen(text, EXPR_MAX_LEN + 1) > EXPR_MAX_LEN)
		return DFK_ERR_RANGE;
	while (*p) {
		if (isalpha((unsigned char)*p) || *p == '_') {
			const char *start = p;
			bool seen = false;
			while (isalnum((unsigned char)*p) || *p == '_')
				p++;
			size_t len = (size_t)(p - start);
			/* skip repeats */
			for (const char *q = text; q < start; q++) {
				if ((q == text || !(isalnum((unsigned char)q[-1]) || q[-1] == '_')) &&
				    strncmp(q, start, len) == 0 && !(isalnum((unsigned char)q[len]) || q[len] == '_')) {
					seen = true;
					break;
				}
			}
			if (!seen)
				fn(ctx, start, len);
		} else if (isdigit((unsigned char)*p)) {
			while (isalnum((unsigned char)*p) || *p == '.')
				p++;   /* numbers, including 0x1F */
		} else {
			p++;
		}
	}
	return DFK_OK;
}
