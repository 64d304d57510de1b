/* SPDX-License-Identifier: MIT */
#include "strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void strbuf_init(struct strbuf *b) { memset(b, 0, sizeof(*b)); }

void strbuf_free(struct strbuf *b)
{
	free(b->s);
	memset(b, 0, sizeof(*b));
}

static bool reserve(struct strbuf *b, size_t extra)
{
	if (b->failed)
		return false;
	if (b->len + extra + 1 <= b->cap)
		return true;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->len + extra + 1)
		cap *= 2;
	char *n = realloc(b->s, cap);
	if (!n) {
		b->failed = true;
		return false;
	}
	b->s = n;
	b->cap = cap;
	return true;
}

void strbuf_add(struct strbuf *b, const char *s, size_t n)
{
	if (!reserve(b, n))
		return;
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void strbuf_puts(struct strbuf *b, const char *s) { strbuf_add(b, s, strlen(s)); }

void strbuf_printf(struct strbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !reserve(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void strbuf_xml(struct strbuf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': strbuf_puts(b, "&amp;"); break;
		case '<': strbuf_puts(b, "&lt;"); break;
		case '>': strbuf_puts(b, "&gt;"); break;
		case '"': strbuf_puts(b, "&quot;"); break;
		default: strbuf_add(b, s, 1); break;
		}
	}
}

bool strbuf_ok(const struct strbuf *b) { return !b->failed; }

char *strbuf_take(struct strbuf *b, size_t *len)
{
	char *s;

	if (b->failed) {
		strbuf_free(b);
		return NULL;
	}
	if (!b->s)
		reserve(b, 0);
	s = b->s;
	if (len)
		*len = b->len;
	memset(b, 0, sizeof(*b));
	return s;
}
