/* SPDX-License-Identifier: MIT */
#include "kvfile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "atomicfile.h"
#include "errors.h"
#include "log.h"

#define KVFILE_MAX (1u << 20)

void kvfile_init(struct kvfile *f) { memset(f, 0, sizeof(*f)); }

void kvfile_free(struct kvfile *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->items[i].key);
		free(f->items[i].value);
	}
	free(f->items);
	memset(f, 0, sizeof(*f));
}

int kvfile_set(struct kvfile *f, const char *key, const char *value)
{
	char *v;

	/* keys that would not read back: the checksum line's own key, comments, separators */
	if (!*key || key[0] == '#' || !strcmp(key, "crc32") || strchr(key, '=') || strchr(key, '\n') ||
	    strchr(value, '\n'))
		return DFK_ERR_INVAL;
	for (size_t i = 0; i < f->n; i++) {
		if (strcmp(f->items[i].key, key) == 0) {
			v = strdup(value);
			if (!v)
				return DFK_ERR_NOMEM;
			free(f->items[i].value);
			f->items[i].value = v;
			return DFK_OK;
		}
	}
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 32;
		struct kv *n = realloc(f->items, cap * sizeof(*n));
		if (!n)
			return DFK_ERR_NOMEM;
		f->items = n;
		f->cap = cap;
	}
	f->items[f->n].key = strdup(key);
	f->items[f->n].value = strdup(value);
	if (!f->items[f->n].key || !f->items[f->n].value) {
		free(f->items[f->n].key);
		free(f->items[f->n].value);
		return DFK_ERR_NOMEM;
	}
	f->n++;
	return DFK_OK;
}

const char *kvfile_get(const struct kvfile *f, const char *key)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->items[i].key, key) == 0)
			return f->items[i].value;
	return NULL;
}

int kvfile_save(const struct kvfile *f, const char *path, const char *header_comment)
{
	struct strbuf b;
	uLong crc;
	int rc;

	strbuf_init(&b);
	if (header_comment)
		strbuf_printf(&b, "# %s\n", header_comment);
	for (size_t i = 0; i < f->n; i++)
		strbuf_printf(&b, "%s=%s\n", f->items[i].key, f->items[i].value);
	crc = crc32(0L, (const Bytef *)(b.s ? b.s : ""), (uInt)b.len);
	strbuf_printf(&b, "crc32=%08lx\n", crc);
	if (!strbuf_ok(&b)) {
		strbuf_free(&b);
		return DFK_ERR_NOMEM;
	}
	rc = atomic_write_file(path, b.s, b.len);
	strbuf_free(&b);
	return rc;
}

int kvfile_load(struct kvfile *f, const char *path)
{
	char *text, *line, *trailer;
	size_t len;
	int rc = read_file(path, KVFILE_MAX, &text, &len);

	if (rc < 0)
		return rc;
	/* the checksum is the last line */
	size_t end = len;
	while (end > 0 && text[end - 1] == '\n')
		end--;
	trailer = text + end;
	while (trailer > text && trailer[-1] != '\n')
		trailer--;
	if (strncmp(trailer, "crc32=", 6) != 0) {
		log_warn("%s: no checksum line: ignoring the file", path);
		free(text);
		return DFK_ERR_CORRUPT;
	}
	unsigned long want = strtoul(trailer + 6, NULL, 16);
	uLong got = crc32(0L, (const Bytef *)text, (uInt)(trailer - text));
	if (want != got) {
		log_warn("%s: checksum 0x%08lx does not match contents (0x%08lx): ignoring the file", path, want, got);
		free(text);
		return DFK_ERR_CORRUPT;
	}
	*trailer = '\0';
	kvfile_init(f);
	for (line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		char *eq = strchr(line, '=');
		if (line[0] == '#' || !eq)
			continue;
		*eq = '\0';
		rc = kvfile_set(f, line, eq + 1);
		if (rc < 0) {
			kvfile_free(f);
			free(text);
			return rc;
		}
	}
	free(text);
	return DFK_OK;
}
