#include "expr.h"

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../common/errors.h"

struct parser {
	const char *p;
	bool integer;
	expr_lookup_fn lookup;
	void *ctx;
	int err;
};

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

static double parse_primary(struct parser *ps)
{
	skip_ws(ps);
	if (accept(ps, "(")) {
		double v = parse_ternary(ps);
		if (!accept(ps, ")"))
			ps->err = DFK_ERR_INVAL;
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
			ps->err = DFK_ERR_INVAL;
		ps->p = end;
		return v;
	}
	if (isalpha((unsigned char)*ps->p) || *ps->p == '_') {
		const char *start = ps->p;
		double v = 0;
		while (isalnum((unsigned char)*ps->p) || *ps->p == '_')
			ps->p++;
		int rc = ps->lookup ? ps->lookup(ps->ctx, start, (size_t)(ps->p - start), &v) : DFK_ERR_NOTFOUND;
		if (rc < 0 && !ps->err)
			ps->err = rc;
		return v;
	}
	ps->err = DFK_ERR_INVAL;
	return 0;
}

static double parse_unary(struct parser *ps)
{
	if (accept(ps, "-"))
		return -parse_unary(ps);
	if (accept(ps, "+"))
		return parse_unary(ps);
	if (accept(ps, "!"))
		return parse_unary(ps) == 0.0;
	if (accept(ps, "~"))
		return (double)~(int64_t)parse_unary(ps);
	return parse_primary(ps);
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
				ps->err = DFK_ERR_INVAL;
				return 0;
			}
			v = fix(ps, v / d);
		} else if (accept(ps, "%")) {
			int64_t d = (int64_t)parse_power(ps);
			if (d == 0) {
				ps->err = DFK_ERR_INVAL;
				return 0;
			}
			v = (double)((int64_t)v % d);
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
		if (accept(ps, "<<"))
			v = (double)((int64_t)v << ((int64_t)parse_add(ps) & 63));
		else if (accept(ps, ">>"))
			v = (double)((int64_t)v >> ((int64_t)parse_add(ps) & 63));
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
		v = (double)((int64_t)v & (int64_t)parse_rel(ps));
	return v;
}

static double parse_bitxor(struct parser *ps)
{
	double v = parse_bitand(ps);

	while (accept(ps, "^"))
		v = (double)((int64_t)v ^ (int64_t)parse_bitand(ps));
	return v;
}

static double parse_bitor(struct parser *ps)
{
	double v = parse_bitxor(ps);

	while (accept(ps, "|"))
		v = (double)((int64_t)v | (int64_t)parse_bitxor(ps));
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

static double parse_ternary(struct parser *ps)
{
	double c = parse_or(ps);

	if (accept(ps, "?")) {
		double a = parse_ternary(ps);
		if (!accept(ps, ":")) {
			ps->err = DFK_ERR_INVAL;
			return 0;
		}
		double b = parse_ternary(ps);
		return c != 0.0 ? a : b;
	}
	return c;
}

int expr_eval(const char *text, bool integer, expr_lookup_fn lookup, void *ctx, double *out)
{
	struct parser ps = { .p = text, .integer = integer, .lookup = lookup, .ctx = ctx, .err = 0 };
	double v = parse_ternary(&ps);

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
