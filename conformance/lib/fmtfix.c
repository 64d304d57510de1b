/* SPDX-License-Identifier: MIT */
/* Pixel format fixtures (see fmtfix.h). */
#include "fmtfix.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int fmtfix_load(const char *dir, struct fmtfix *fx, char *err, size_t errlen)
{
	char path[1024], line[256];
	unsigned lineno = 0;
	FILE *f;

	memset(fx, 0, sizeof(*fx));
	snprintf(path, sizeof(path), "%s/pixelformats.tsv", dir);
	f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		struct fmtfix_format *p = &fx->f[fx->n];
		char tail;

		if (++lineno == 1 || line[0] == '\n')   /* the header */
			continue;
		if (fx->n == FMTFIX_MAX) {
			snprintf(err, errlen, "%s: more than %d formats", path, FMTFIX_MAX);
			fclose(f);
			return -1;
		}
		/* name, bits, then the rest of the row (titles may contain spaces) */
		if (sscanf(line, "%31[^\t]\t%d%c", p->name, &p->bits, &tail) != 3 || tail != '\t' || p->bits <= 0) {
			snprintf(err, errlen, "%s:%u: not `name<TAB>bits<TAB>...`", path, lineno);
			fclose(f);
			return -1;
		}
		fx->n++;
	}
	fclose(f);
	if (fx->n == 0) {
		snprintf(err, errlen, "%s: no formats", path);
		return -1;
	}
	return 0;
}

const char *fmtfix_narrowest(const struct fmtfix *fx)
{
	size_t best = 0;

	for (size_t i = 1; i < fx->n; i++)
		if (fx->f[i].bits < fx->f[best].bits)
			best = i;
	return fx->n ? fx->f[best].name : NULL;
}

const char *fmtfix_widest(const struct fmtfix *fx)
{
	size_t best = 0;

	for (size_t i = 1; i < fx->n; i++)
		if (fx->f[i].bits > fx->f[best].bits)
			best = i;
	return fx->n ? fx->f[best].name : NULL;
}

const char *fmtfix_packed(const struct fmtfix *fx)
{
	for (size_t i = 0; i < fx->n; i++)
		if (fx->f[i].bits % 8)
			return fx->f[i].name;
	return fmtfix_narrowest(fx);
}

bool fmtfix_mono_sensor(const struct fmtfix *fx)
{
	for (size_t i = 0; i < fx->n; i++)
		if (strncmp(fx->f[i].name, "Bayer", 5) == 0)
			return false;
	return true;
}
