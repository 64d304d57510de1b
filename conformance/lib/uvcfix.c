/* SPDX-License-Identifier: MIT */
/* UVC expectations from the fixtures and the mapping file (uvcfix.h). */
#include "uvcfix.h"

#include <errno.h>
#include <glib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A bounded copy that cuts a too long text. */
static void copy(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* The processing unit's standard controls (UVC 1.5 A.9.5) under their V4L2 names. */
static const struct {
	const char *name;
	uint8_t selector;
	bool is_signed;
} pu_controls[] = {
	{ "Brightness", 0x02, true }, { "Hue", 0x06, true }, { "Saturation", 0x07, false },
	{ "Gamma", 0x09, false }, { "White Balance Temperature", 0x0A, false },
};

/* V4L2 integer per unit of the manual (harness/uvcfix.py says the same). */
static double v4l2_scale(const char *unit, const char *feature)
{
	if (unit && strcmp(unit, "dB") == 0)
		return 100;
	if (unit)           /* us, K */
		return 1;
	if (strcmp(feature, "Gamma") == 0)
		return 100;
	if (strncmp(feature, "BalanceRatio[", 13) == 0)
		return 64;
	return 1;
}

static int tsv_rows(const char *path, char rows[][4][40], unsigned max, unsigned *n, char *err, size_t errlen)
{
	char line[256];
	FILE *f = fopen(path, "r");
	unsigned lineno = 0;

	*n = 0;
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (++lineno == 1 || !line[0])
			continue;
		if (*n == max) {
			fclose(f);
			snprintf(err, errlen, "%s: more than %u rows", path, max);
			return -1;
		}
		char *cell = line;
		for (unsigned c = 0; c < 4; c++) {
			char *tab = cell ? strchr(cell, '\t') : NULL;
			if (tab)
				*tab = '\0';
			copy(rows[*n][c], sizeof(rows[*n][c]), cell ? cell : "");
			cell = tab ? tab + 1 : NULL;
		}
		(*n)++;
	}
	fclose(f);
	return 0;
}

static int load_tables(const char *dir, struct uvcfix *fx, char *err, size_t errlen)
{
	static char rows[UVCFIX_MAX_RATES][4][40];
	char path[1024];
	unsigned n;

	snprintf(path, sizeof(path), "%s/pixelformats.tsv", dir);
	if (tsv_rows(path, rows, UVCFIX_MAX_FORMATS, &n, err, errlen) < 0)
		return -1;
	for (unsigned i = 0; i < n; i++) {
		struct uvcfix_format *f = &fx->formats[fx->n_formats++];
		copy(f->name, sizeof(f->name), rows[i][0]);
		f->bits = atoi(rows[i][1]);
		copy(f->fourcc, sizeof(f->fourcc), rows[i][3]);
	}
	snprintf(path, sizeof(path), "%s/framerate.tsv", dir);
	if (tsv_rows(path, rows, UVCFIX_MAX_RATES, &n, err, errlen) < 0)
		return -1;
	for (unsigned i = 0; i < n; i++) {
		struct uvcfix_rate *r = &fx->rates[fx->n_rates++];
		copy(r->format, sizeof(r->format), rows[i][0]);
		r->width = (unsigned)atoi(rows[i][1]);
		r->height = (unsigned)atoi(rows[i][2]);
		r->max_fps = atof(rows[i][3]);
	}
	return 0;
}

static bool parse_guid(const char *s, uint8_t out[16])
{
	unsigned k = 0;

	if (!s || strlen(s) != 36)
		return false;
	for (unsigned i = 0; i < 36 && k < 16;) {
		if (s[i] == '-') {
			i++;
			continue;
		}
		unsigned v;
		if (sscanf(s + i, "%2x", &v) != 1)
			return false;
		out[k++] = (uint8_t)v;
		i += 2;
	}
	return k == 16;
}

/* The mapping file's entry for a control (XU), or its PU selector. */
static int place(GKeyFile *map, struct uvcfix_control *c, char *err, size_t errlen)
{
	for (size_t i = 0; i < sizeof(pu_controls) / sizeof(pu_controls[0]); i++)
		if (strcmp(pu_controls[i].name, c->name) == 0) {
			c->where = UVCFIX_PU;
			c->selector = pu_controls[i].selector;
			c->size = 16;
			c->is_signed = pu_controls[i].is_signed;
			snprintf(c->v4l2_type, sizeof(c->v4l2_type), "integer");
			return 0;
		}
	if (!g_key_file_has_group(map, c->name)) {
		snprintf(err, errlen, "mapping file: no group [%s] (a manual V4L2 name)", c->name);
		return -1;
	}
	char *sel = g_key_file_get_string(map, c->name, "selector", NULL);
	char *size = g_key_file_get_string(map, c->name, "size", NULL);
	char *off = g_key_file_get_string(map, c->name, "offset", NULL);
	char *vt = g_key_file_get_string(map, c->name, "v4l2_type", NULL);
	char *dt = g_key_file_get_string(map, c->name, "data_type", NULL);
	char *menu = g_key_file_get_string(map, c->name, "menu", NULL);
	int rc = 0;
	if (!sel || !size || !off || !vt || !dt) {
		snprintf(err, errlen, "mapping file: [%s] lacks selector, size, offset, v4l2_type or data_type", c->name);
		rc = -1;
	} else {
		c->where = UVCFIX_XU;
		c->selector = (uint8_t)strtoul(sel, NULL, 0);
		c->size = (uint8_t)strtoul(size, NULL, 0);
		c->offset = (uint8_t)strtoul(off, NULL, 0);
		c->is_signed = strcmp(dt, "signed") == 0;
		copy(c->v4l2_type, sizeof(c->v4l2_type), vt);
		for (char *item = menu; item && *item && c->n_menu < UVCFIX_MAX_ENTRIES;) {
			char *next = strchr(item, ';');
			c->menu_values[c->n_menu++] = (uint32_t)strtoul(item, NULL, 0);
			item = next ? next + 1 : NULL;
		}
	}
	g_free(sel);
	g_free(size);
	g_free(off);
	g_free(vt);
	g_free(dt);
	g_free(menu);
	return rc;
}

static void convert(GKeyFile *v, const char *g, struct uvcfix_control *c)
{
	char *unit = g_key_file_get_string(v, g, "unit", NULL);
	char *feature = g_key_file_get_string(v, g, "feature", NULL);
	double scale = v4l2_scale(unit, feature ? feature : "");
	GError *e = NULL;
	double lo = g_key_file_get_double(v, g, "min", &e);

	if (!e) {
		double hi = g_key_file_get_double(v, g, "max", NULL);
		c->has_range = true;
		c->min = llround(lo * scale);
		c->max = llround(hi * scale);
	}
	g_clear_error(&e);
	if (c->has_range && g_key_file_has_key(v, g, "default", NULL)) {
		c->def = llround(g_key_file_get_double(v, g, "default", NULL) * scale);
		c->has_default = true;
	}
	g_free(unit);
	g_free(feature);
}

int uvcfix_load(const char *dir, const char *map_path, struct uvcfix *fx, char *err, size_t errlen)
{
	char path[1024];
	GKeyFile *v = g_key_file_new(), *map = g_key_file_new();
	GError *e = NULL;
	gchar **groups = NULL;
	int rc = -1;

	memset(fx, 0, sizeof(*fx));
	if (load_tables(dir, fx, err, errlen) < 0)
		goto out;
	snprintf(path, sizeof(path), "%s/v4l2.ini", dir);
	if (!g_key_file_load_from_file(v, path, G_KEY_FILE_NONE, &e) ||
	    !g_key_file_load_from_file(map, map_path, G_KEY_FILE_NONE, &e)) {
		snprintf(err, errlen, "%s", e->message);
		goto out;
	}
	char *guid = g_key_file_get_string(map, "xu", "guid", NULL);
	bool ok = parse_guid(guid, fx->xu_guid);
	g_free(guid);
	fx->xu_unit = (uint8_t)g_key_file_get_integer(map, "xu", "unit", NULL);
	if (!ok || !fx->xu_unit) {
		snprintf(err, errlen, "%s: [xu] needs guid and unit", map_path);
		goto out;
	}
	groups = g_key_file_get_groups(v, NULL);
	for (gchar **g = groups; *g; g++) {
		if (fx->n_controls == UVCFIX_MAX_CONTROLS) {
			snprintf(err, errlen, "%s: more than %d groups", path, UVCFIX_MAX_CONTROLS);
			goto out;
		}
		struct uvcfix_control *c = &fx->controls[fx->n_controls++];
		char *type = g_key_file_get_string(v, *g, "type", NULL);
		char *access = g_key_file_get_string(v, *g, "access", NULL);
		gsize n = 0;
		gchar **entries = g_key_file_get_string_list(v, *g, "entries_manual", &n, NULL);
		if (!entries)
			entries = g_key_file_get_string_list(v, *g, "entries", &n, NULL);
		copy(c->name, sizeof(c->name), *g);
		copy(c->type, sizeof(c->type), type ? type : "");
		c->read_only = access && strcmp(access, "RO") == 0;
		for (gsize i = 0; entries && i < n && i < UVCFIX_MAX_ENTRIES; i++)
			copy(c->entries[c->n_entries++], sizeof(c->entries[0]), entries[i]);
		g_strfreev(entries);
		g_free(type);
		g_free(access);
		convert(v, *g, c);
		if (place(map, c, err, errlen) < 0)
			goto out;
	}
	rc = 0;
out:
	g_strfreev(groups);
	g_clear_error(&e);
	g_key_file_free(v);
	g_key_file_free(map);
	return rc;
}

double uvcfix_max_fps(const struct uvcfix *fx, const char *format, unsigned w, unsigned h)
{
	for (unsigned i = 0; i < fx->n_rates; i++)
		if (strcmp(fx->rates[i].format, format) == 0 && fx->rates[i].width == w && fx->rates[i].height == h)
			return fx->rates[i].max_fps;
	return 0;
}
