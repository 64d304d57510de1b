/* SPDX-License-Identifier: MIT */
/* uvcmap: the mapping file reader of dfk-uvc-map (uvcmap/uvcmap.h) on arbitrary
 * bytes (the whole input is the file).
 *
 * Checks: an accepted map stays within the bounds of uvcmap.h (names terminated
 * and 1..31 characters, 1..1024 controls, size 1..32 bits, offset + size <= 255,
 * a menu exactly for menu controls with 1..32 items, ids unique); written back
 * as a mapping file it reads back as the same map; a refused one has a message
 * that starts with its line number. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../uvcmap/uvcmap.h"
#include "fuzz.h"

static void check_bounds(const struct uvcmap *m)
{
	if (m->n < 1 || m->n > UVCMAP_MAX_ENTRIES || !m->entries || m->unit < 1)
		abort();
	for (unsigned i = 0; i < m->n; i++) {
		const struct uvcmap_entry *e = &m->entries[i];
		size_t len = strnlen(e->name, sizeof(e->name));
		if (len < 1 || len > UVCMAP_NAME_MAX)
			abort();
		if (e->size < 1 || e->size > 32 || e->offset + e->size > 255 || e->selector < 1 || e->id == 0)
			abort();
		if ((e->v4l2_type == UVCMAP_MENU) != (e->menu_count > 0) || e->menu_count > UVCMAP_MAX_MENU)
			abort();
		if (e->v4l2_type < UVCMAP_INTEGER || e->v4l2_type > UVCMAP_BUTTON || e->data_type < UVCMAP_SIGNED ||
		    e->data_type > UVCMAP_ENUM)
			abort();
		for (unsigned k = 0; k < e->menu_count; k++) {
			size_t ml = strnlen(e->menu[k].name, sizeof(e->menu[k].name));
			if (ml < 1 || ml > UVCMAP_NAME_MAX)
				abort();
		}
		for (unsigned j = 0; j < i; j++)
			if (m->entries[j].id == e->id || strcmp(m->entries[j].name, e->name) == 0)
				abort();
	}
}

/* The map as a mapping file (malloc'd), or NULL. */
static char *write_map(const struct uvcmap *m, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	if (!f)
		return NULL;
	fprintf(f, "[xu]\nguid=");
	for (int i = 0; i < 16; i++)
		fprintf(f, "%s%02x", (i == 4 || i == 6 || i == 8 || i == 10) ? "-" : "", m->guid[i]);
	fprintf(f, "\nunit=%u\n", m->unit);
	for (unsigned i = 0; i < m->n; i++) {
		const struct uvcmap_entry *e = &m->entries[i];
		fprintf(f, "[%s]\nid=0x%x\nselector=%u\nsize=%u\noffset=%u\nv4l2_type=%s\ndata_type=%s\n", e->name,
			e->id, e->selector, e->size, e->offset, uvcmap_v4l2_type_name(e->v4l2_type),
			uvcmap_data_type_name(e->data_type));
		for (unsigned k = 0; k < e->menu_count; k++)
			fprintf(f, "%s%u:%s", k ? ";" : "menu=", e->menu[k].value, e->menu[k].name);
		if (e->menu_count)
			fprintf(f, "\n");
	}
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

static void check_same(const struct uvcmap *a, const struct uvcmap *b)
{
	if (memcmp(a->guid, b->guid, 16) || a->unit != b->unit || a->n != b->n)
		abort();
	for (unsigned i = 0; i < a->n; i++) {
		const struct uvcmap_entry *x = &a->entries[i], *y = &b->entries[i];
		if (strcmp(x->name, y->name) || x->id != y->id || x->selector != y->selector || x->size != y->size ||
		    x->offset != y->offset || x->v4l2_type != y->v4l2_type || x->data_type != y->data_type ||
		    x->menu_count != y->menu_count)
			abort();
		for (unsigned k = 0; k < x->menu_count; k++)
			if (x->menu[k].value != y->menu[k].value || strcmp(x->menu[k].name, y->menu[k].name))
				abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct uvcmap m, again;
	char err[512], err2[512];
	size_t len = 0;

	fuzz_init();
	if (uvcmap_parse((const char *)data, size, &m, err, sizeof(err)) < 0) {
		if (!memchr(err, 0, sizeof(err)) || err[0] < '0' || err[0] > '9' || !strstr(err, ": "))
			abort();
		if (m.entries || m.n)
			abort();
		return 0;
	}
	check_bounds(&m);
	char *text = write_map(&m, &len);
	if (!text)
		abort();
	if (uvcmap_parse(text, len, &again, err2, sizeof(err2)) < 0) {
		fprintf(stderr, "uvcmap: written map refused: %s\n", err2);
		abort();
	}
	check_same(&m, &again);
	uvcmap_free(&again);
	uvcmap_free(&m);
	free(text);
	return 0;
}
