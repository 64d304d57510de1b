/* SPDX-License-Identifier: MIT */
#include "regmap.h"

#include <stdlib.h>
#include <string.h>

#include "../common/errors.h"
#include "../common/log.h"

void regmap_init(struct regmap *m) { memset(m, 0, sizeof(*m)); }

void regmap_free(struct regmap *m)
{
	free(m->regions);
	memset(m, 0, sizeof(*m));
}

int regmap_add(struct regmap *m, const struct regmap_region *r)
{
	if (r->size == 0 || r->base + r->size < r->base || r->align == 0)
		return DFK_ERR_INVAL;
	for (size_t i = 0; i < m->n; i++) {
		const struct regmap_region *o = &m->regions[i];
		if (r->base < o->base + o->size && o->base < r->base + r->size) {
			log_err("register map: '%s' at 0x%llx overlaps '%s' at 0x%llx", r->name ? r->name : "?",
				(unsigned long long)r->base, o->name ? o->name : "?", (unsigned long long)o->base);
			return DFK_ERR_INVAL;
		}
	}
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 64;
		struct regmap_region *n = realloc(m->regions, cap * sizeof(*n));
		if (!n)
			return DFK_ERR_NOMEM;
		m->regions = n;
		m->cap = cap;
	}
	m->regions[m->n++] = *r;
	return DFK_OK;
}

static int cmp_base(const void *a, const void *b)
{
	const struct regmap_region *x = a, *y = b;

	return x->base < y->base ? -1 : x->base > y->base;
}

int regmap_seal(struct regmap *m)
{
	qsort(m->regions, m->n, sizeof(*m->regions), cmp_base);
	for (size_t i = 1; i < m->n; i++) {
		const struct regmap_region *a = &m->regions[i - 1], *b = &m->regions[i];
		if (a->base + a->size > b->base) {
			log_err("register map: '%s' [0x%llx+0x%llx] overlaps '%s' at 0x%llx", a->name,
				(unsigned long long)a->base, (unsigned long long)a->size, b->name,
				(unsigned long long)b->base);
			return DFK_ERR_INVAL;
		}
	}
	return DFK_OK;
}

const struct regmap_region *regmap_find(const struct regmap *m, uint64_t addr)
{
	size_t lo = 0, hi = m->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct regmap_region *r = &m->regions[mid];
		if (addr < r->base)
			hi = mid;
		else if (addr >= r->base + r->size)
			lo = mid + 1;
		else
			return r;
	}
	return NULL;
}

/* Walks [addr, addr+len) region by region; with `check` only validates. */
static int walk(const struct regmap *m, uint64_t addr, uint8_t *rbuf, const uint8_t *wbuf, uint32_t len,
		unsigned need, int check)
{
	uint64_t end = addr + len, cur = addr;

	if (end < addr)
		return DFK_ERR_ADDRESS;
	while (cur < end) {
		const struct regmap_region *r = regmap_find(m, cur);
		uint64_t off, piece_end, n;
		int rc;

		if (!r)
			return DFK_ERR_ADDRESS;
		off = cur - r->base;
		piece_end = end < r->base + r->size ? end - r->base : r->size;
		n = piece_end - off;
		if (check) {
			if (off % r->align || piece_end % r->align)
				return DFK_ERR_ALIGN;
			if (!(r->access & need))
				return need == REG_W ? DFK_ERR_READONLY : DFK_ERR_DENIED;
			if ((need == REG_W && !r->write) || (need == REG_R && !r->read))
				return need == REG_W ? DFK_ERR_READONLY : DFK_ERR_DENIED;
		} else {
			if (need == REG_R)
				rc = r->read(r->ctx, r, off, rbuf + (cur - addr), (uint32_t)n);
			else
				rc = r->write(r->ctx, r, off, wbuf + (cur - addr), (uint32_t)n);
			if (rc < 0)
				return rc;
		}
		cur += n;
	}
	return DFK_OK;
}

int regmap_read(const struct regmap *m, uint64_t addr, uint8_t *buf, uint32_t len)
{
	int rc = walk(m, addr, buf, NULL, len, REG_R, 1);

	return rc < 0 ? rc : walk(m, addr, buf, NULL, len, REG_R, 0);
}

int regmap_write(const struct regmap *m, uint64_t addr, const uint8_t *buf, uint32_t len)
{
	int rc = walk(m, addr, NULL, buf, len, REG_W, 1);

	return rc < 0 ? rc : walk(m, addr, NULL, buf, len, REG_W, 0);
}

int regmap_write_is_slow(const struct regmap *m, uint64_t addr, uint32_t len)
{
	uint64_t end = addr + len;

	for (uint64_t cur = addr; cur < end && cur >= addr;) {
		const struct regmap_region *r = regmap_find(m, cur);
		if (!r)
			return 0;
		if (r->flags & REG_F_SLOW)
			return 1;
		cur = r->base + r->size;
	}
	return 0;
}
