/* SPDX-License-Identifier: MIT */
/* Growable text buffer. Allocation failure is sticky: check strbuf_ok() once at the end. */
#ifndef DFK_STRBUF_H
#define DFK_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

struct strbuf {
	char *s;
	size_t len, cap;
	bool failed;
};

void strbuf_init(struct strbuf *b);
void strbuf_free(struct strbuf *b);
void strbuf_add(struct strbuf *b, const char *s, size_t n);
void strbuf_puts(struct strbuf *b, const char *s);
void strbuf_printf(struct strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* XML character data / attribute value with & < > " escaped. */
void strbuf_xml(struct strbuf *b, const char *s);
bool strbuf_ok(const struct strbuf *b);
/* Hands the string to the caller (NUL-terminated); the buffer is reset. */
char *strbuf_take(struct strbuf *b, size_t *len);

#endif
