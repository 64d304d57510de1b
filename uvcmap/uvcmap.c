/* SPDX-License-Identifier: MIT */
/* The mapping file reader (uvcmap.h). Every length and count of the input is
 * checked here, against the bounds of uvcmap.h; the work is linear in the input. */
#include "uvcmap.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* the keys of a control group this reader uses; a bit each */
enum key {
	K_ID = 1u << 0,
	K_SELECTOR = 1u << 1,
	K_SIZE = 1u << 2,
	K_OFFSET = 1u << 3,
	K_V4L2_TYPE = 1u << 4,
	K_DATA_TYPE = 1u << 5,
	K_MENU = 1u << 6,
	K_GUID = 1u << 7,
	K_UNIT = 1u << 8,
};
#define K_REQUIRED (K_ID | K_SELECTOR | K_SIZE | K_OFFSET | K_V4L2_TYPE | K_DATA_TYPE)

static const struct {
	const char *name;
	unsigned bit;
} control_keys[] = {
	{ "id", K_ID }, { "selector", K_SELECTOR }, { "size", K_SIZE }, { "offset", K_OFFSET },
	{ "v4l2_type", K_V4L2_TYPE }, { "data_type", K_DATA_TYPE }, { "menu", K_MENU },
};

static const char *const v4l2_type_names[] = {
	[UVCMAP_INTEGER] = "integer", [UVCMAP_BOOLEAN] = "boolean", [UVCMAP_MENU] = "menu", [UVCMAP_BUTTON] = "button",
};
static const char *const data_type_names[] = {
	[UVCMAP_SIGNED] = "signed", [UVCMAP_UNSIGNED] = "unsigned", [UVCMAP_DATA_BOOLEAN] = "boolean",
	[UVCMAP_ENUM] = "enum",
};

const char *uvcmap_v4l2_type_name(enum uvcmap_v4l2_type t)
{
	return t >= UVCMAP_INTEGER && t <= UVCMAP_BUTTON ? v4l2_type_names[t] : "?";
}

const char *uvcmap_data_type_name(enum uvcmap_data_type t)
{
	return t >= UVCMAP_SIGNED && t <= UVCMAP_ENUM ? data_type_names[t] : "?";
}

struct parser {
	struct uvcmap *map;
	unsigned line;
	enum { G_NONE, G_XU, G_CONTROL } group;
	unsigned seen;                  /* enum key bits of the current group */
	bool xu_done;
	size_t cap;
	char *err;
	size_t errlen;
};

static int fail(struct parser *p, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(p->err, p->errlen, "%u: ", p->line);

	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < p->errlen)
		vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/* A decimal or 0x-hex number up to UINT32_MAX, nothing else. */
static bool parse_u32(const char *s, uint32_t *out)
{
	unsigned base = 10;
	uint64_t v = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!*s)
		return false;
	for (; *s; s++) {
		unsigned d;
		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (unsigned)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = (unsigned)(*s - 'A' + 10);
		else
			return false;
		v = v * base + d;
		if (v > UINT32_MAX)
			return false;
	}
	*out = (uint32_t)v;
	return true;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx into 16 bytes in string order (as uuid_parse). */
static bool parse_guid(const char *s, uint8_t out[16])
{
	unsigned k = 0;

	if (strlen(s) != 36)
		return false;
	for (unsigned i = 0; i < 36;) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i++] != '-')
				return false;
			continue;
		}
		int hi = hexval(s[i]), lo = hexval(s[i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		out[k++] = (uint8_t)(hi << 4 | lo);
		i += 2;
	}
	return k == 16;
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	return s;
}

/* "value:name;value:name" into e->menu. */
static int parse_menu(struct parser *p, struct uvcmap_entry *e, char *v)
{
	e->menu_count = 0;
	for (char *item = v; item;) {
		char *next = strchr(item, ';');
		if (next)
			*next++ = '\0';
		char *colon = strchr(item, ':');
		if (!colon)
			return fail(p, "menu item \"%s\" is not VALUE:NAME", item);
		*colon = '\0';
		char *val = trim(item), *name = trim(colon + 1);
		uint32_t n;
		if (!parse_u32(val, &n))
			return fail(p, "menu value \"%s\" is not a number", val);
		size_t len = strlen(name);
		if (len == 0 || len > UVCMAP_NAME_MAX)
			return fail(p, "menu name \"%s\": 1 to %d characters", name, UVCMAP_NAME_MAX);
		if (e->menu_count == UVCMAP_MAX_MENU)
			return fail(p, "more than %d menu items", UVCMAP_MAX_MENU);
		for (unsigned i = 0; i < e->menu_count; i++)
			if (e->menu[i].value == n)
				return fail(p, "menu value %u twice", n);
		e->menu[e->menu_count].value = n;
		memcpy(e->menu[e->menu_count].name, name, len + 1);
		e->menu_count++;
		item = next;
	}
	return 0;
}

static int enum_value(const char *const *names, int lo, int hi, const char *v)
{
	for (int i = lo; i <= hi; i++)
		if (strcmp(names[i], v) == 0)
			return i;
	return -1;
}

static int control_key(struct parser *p, struct uvcmap_entry *e, const char *key, char *v)
{
	unsigned bit = 0;
	uint32_t n = 0;

	for (size_t i = 0; i < sizeof(control_keys) / sizeof(control_keys[0]); i++)
		if (strcmp(control_keys[i].name, key) == 0)
			bit = control_keys[i].bit;
	if (!bit)
		return 0; /* a key of another reader */
	if (p->seen & bit)
		return fail(p, "%s given twice", key);
	p->seen |= bit;
	switch (bit) {
	case K_ID:
		if (!parse_u32(v, &e->id) || e->id == 0)
			return fail(p, "id \"%s\" is not a V4L2 control id", v);
		return 0;
	case K_SELECTOR:
		if (!parse_u32(v, &n) || n < 1 || n > 255)
			return fail(p, "selector \"%s\": 1..255", v);
		e->selector = (uint8_t)n;
		return 0;
	case K_SIZE:
		if (!parse_u32(v, &n) || n < 1 || n > 32)
			return fail(p, "size \"%s\": 1..32 bits", v);
		e->size = (uint8_t)n;
		return 0;
	case K_OFFSET:
		if (!parse_u32(v, &n) || n > 255)
			return fail(p, "offset \"%s\": 0..255 bits", v);
		e->offset = (uint8_t)n;
		return 0;
	case K_V4L2_TYPE: {
		int t = enum_value(v4l2_type_names, UVCMAP_INTEGER, UVCMAP_BUTTON, v);
		if (t < 0)
			return fail(p, "v4l2_type \"%s\": integer, boolean, menu or button", v);
		e->v4l2_type = (enum uvcmap_v4l2_type)t;
		return 0;
	}
	case K_DATA_TYPE: {
		int t = enum_value(data_type_names, UVCMAP_SIGNED, UVCMAP_ENUM, v);
		if (t < 0)
			return fail(p, "data_type \"%s\": unsigned, signed, boolean or enum", v);
		e->data_type = (enum uvcmap_data_type)t;
		return 0;
	}
	default: /* K_MENU */
		return parse_menu(p, e, v);
	}
}

static int xu_key(struct parser *p, const char *key, char *v)
{
	uint32_t n;

	if (strcmp(key, "guid") == 0) {
		if (p->seen & K_GUID)
			return fail(p, "guid given twice");
		p->seen |= K_GUID;
		if (!parse_guid(v, p->map->guid))
			return fail(p, "guid \"%s\" is not xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", v);
	} else if (strcmp(key, "unit") == 0) {
		if (p->seen & K_UNIT)
			return fail(p, "unit given twice");
		p->seen |= K_UNIT;
		if (!parse_u32(v, &n) || n < 1 || n > 255)
			return fail(p, "unit \"%s\": 1..255", v);
		p->map->unit = (uint8_t)n;
	}
	return 0;
}

/* The group that ends here is complete and consistent. */
static int end_group(struct parser *p)
{
	if (p->group == G_XU && (p->seen & (K_GUID | K_UNIT)) != (K_GUID | K_UNIT))
		return fail(p, "[xu] needs guid and unit");
	if (p->group != G_CONTROL)
		return 0;
	struct uvcmap_entry *e = &p->map->entries[p->map->n - 1];
	unsigned missing = K_REQUIRED & ~p->seen;
	for (size_t i = 0; missing && i < sizeof(control_keys) / sizeof(control_keys[0]); i++)
		if (missing & control_keys[i].bit)
			return fail(p, "[%s] (line %u) has no %s", e->name, e->line, control_keys[i].name);
	if (e->offset + e->size > 255)
		return fail(p, "[%s] (line %u): offset + size beyond 255 bits", e->name, e->line);
	if ((e->v4l2_type == UVCMAP_MENU) != ((p->seen & K_MENU) != 0))
		return fail(p, "[%s] (line %u): a menu key goes with v4l2_type=menu, and only with it", e->name,
			    e->line);
	if (e->data_type == UVCMAP_ENUM && e->v4l2_type != UVCMAP_MENU)
		return fail(p, "[%s] (line %u): data_type=enum needs v4l2_type=menu", e->name, e->line);
	for (unsigned i = 0; i + 1 < p->map->n; i++)
		if (p->map->entries[i].id == e->id)
			return fail(p, "[%s] (line %u): id 0x%08x already used by [%s]", e->name, e->line, e->id,
				    p->map->entries[i].name);
	return 0;
}

static int begin_group(struct parser *p, char *name)
{
	size_t len = strlen(name);

	if (end_group(p) < 0)
		return -1;
	p->seen = 0;
	if (strcmp(name, "xu") == 0) {
		if (p->xu_done)
			return fail(p, "[xu] twice");
		p->xu_done = true;
		p->group = G_XU;
		return 0;
	}
	if (len == 0 || len > UVCMAP_NAME_MAX)
		return fail(p, "control name \"%s\": 1 to %d characters", name, UVCMAP_NAME_MAX);
	for (unsigned i = 0; i < p->map->n; i++)
		if (strcmp(p->map->entries[i].name, name) == 0)
			return fail(p, "[%s] twice", name);
	if (p->map->n == UVCMAP_MAX_ENTRIES)
		return fail(p, "more than %d controls", UVCMAP_MAX_ENTRIES);
	if (p->map->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 16;
		struct uvcmap_entry *ne = realloc(p->map->entries, cap * sizeof(*ne));
		if (!ne)
			return fail(p, "out of memory");
		p->map->entries = ne;
		p->cap = cap;
	}
	struct uvcmap_entry *e = &p->map->entries[p->map->n++];
	memset(e, 0, sizeof(*e));
	memcpy(e->name, name, len + 1);
	e->line = p->line;
	p->group = G_CONTROL;
	return 0;
}

static int parse_line(struct parser *p, char *s)
{
	s = trim(s);
	if (!*s || *s == '#' || *s == ';')
		return 0;
	if (*s == '[') {
		size_t len = strlen(s);
		if (s[len - 1] != ']')
			return fail(p, "group header without ]");
		s[len - 1] = '\0';
		if (strchr(s + 1, '[') || strchr(s + 1, ']'))
			return fail(p, "brackets inside a group name");
		return begin_group(p, trim(s + 1));
	}
	char *eq = strchr(s, '=');
	if (!eq)
		return fail(p, "neither [group], key=value nor a # comment");
	*eq = '\0';
	char *key = trim(s), *value = trim(eq + 1);
	if (!*key)
		return fail(p, "empty key");
	for (const char *k = key; *k; k++)
		if (!((*k >= 'a' && *k <= 'z') || (*k >= '0' && *k <= '9') || *k == '_'))
			return fail(p, "key \"%s\": lower case letters, digits and _ only", key);
	switch (p->group) {
	case G_NONE: return fail(p, "key %s before the first group", key);
	case G_XU: return xu_key(p, key, value);
	default: return control_key(p, &p->map->entries[p->map->n - 1], key, value);
	}
}

int uvcmap_parse(const char *text, size_t len, struct uvcmap *map, char *err, size_t errlen)
{
	struct parser p = { .map = map, .err = err, .errlen = errlen };
	char line[UVCMAP_MAX_LINE + 2];
	size_t pos = 0;
	int rc = 0;

	memset(map, 0, sizeof(*map));
	if (len > UVCMAP_MAX_FILE) {
		snprintf(err, errlen, "0: file larger than %u bytes", UVCMAP_MAX_FILE);
		return -1;
	}
	while (rc == 0 && pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
		p.line++;
		if (n && text[pos + n - 1] == '\r')
			n--;
		if (n > UVCMAP_MAX_LINE) {
			rc = fail(&p, "line longer than %d bytes", UVCMAP_MAX_LINE);
			break;
		}
		memcpy(line, text + pos, n);
		line[n] = '\0';
		if (memchr(line, '\0', n) || memchr(line, '\r', n))
			rc = fail(&p, "NUL or CR inside the line");
		else
			rc = parse_line(&p, line);
		pos += (nl ? (size_t)(nl - (text + pos)) + 1 : len - pos);
	}
	if (rc == 0) {
		p.line++;
		rc = end_group(&p);
	}
	if (rc == 0 && !p.xu_done)
		rc = fail(&p, "no [xu] group (guid, unit)");
	if (rc == 0 && map->n == 0)
		rc = fail(&p, "no control group");
	if (rc < 0)
		uvcmap_free(map);
	return rc;
}

int uvcmap_load(const char *path, struct uvcmap *map, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	char *buf, msg[256];
	size_t n;
	int rc;

	memset(map, 0, sizeof(*map));
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	buf = malloc(UVCMAP_MAX_FILE + 1);
	if (!buf) {
		fclose(f);
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	n = fread(buf, 1, UVCMAP_MAX_FILE + 1, f);
	if (ferror(f)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		rc = -1;
	} else {
		/* one byte more than allowed: the parser reports the size */
		rc = uvcmap_parse(buf, n, map, msg, sizeof(msg));
		if (rc < 0)
			snprintf(err, errlen, "%s:%s", path, msg);
	}
	fclose(f);
	free(buf);
	return rc;
}

void uvcmap_free(struct uvcmap *map)
{
	free(map->entries);
	map->entries = NULL;
	map->n = 0;
}
