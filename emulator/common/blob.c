/* SPDX-License-Identifier: MIT */
#include "blob.h"

#include <stdbool.h>
#include <stdlib.h>

struct blob_pool {
	unsigned keep, idle;
	unsigned outstanding;        /* blobs handed out and not yet back */
	bool dying;
	struct blob *free_list;
};

struct blob *blob_new(size_t size)
{
	struct blob *b = calloc(1, sizeof(*b) + size);

	if (!b)
		return NULL;
	b->refs = 1;
	b->size = size;
	return b;
}

struct blob *blob_ref(struct blob *b)
{
	if (b)
		b->refs++;
	return b;
}

static void pool_maybe_die(struct blob_pool *p)
{
	if (p->dying && p->outstanding == 0)
		free(p);
}

void blob_unref(struct blob *b)
{
	struct blob_pool *p;

	if (!b || --b->refs)
		return;
	if (b->released) {
		b->released(b, b->released_ctx);
		b->released = NULL;
	}
	p = b->pool;
	if (!p) {
		free(b);
		return;
	}
	p->outstanding--;
	if (!p->dying && p->idle < p->keep) {
		b->next_free = p->free_list;
		p->free_list = b;
		p->idle++;
		return;
	}
	free(b);
	pool_maybe_die(p);
}

struct blob_pool *blob_pool_new(unsigned keep)
{
	struct blob_pool *p = calloc(1, sizeof(*p));

	if (p)
		p->keep = keep;
	return p;
}

struct blob *blob_pool_get(struct blob_pool *p, size_t size)
{
	struct blob *b;

	/* drop idle blobs of another size (the format or region changed) */
	while (p->free_list && p->free_list->size != size) {
		b = p->free_list;
		p->free_list = b->next_free;
		p->idle--;
		free(b);
	}
	if (p->free_list) {
		b = p->free_list;
		p->free_list = b->next_free;
		p->idle--;
	} else {
		b = malloc(sizeof(*b) + size);
		if (!b)
			return NULL;
		b->size = size;
		b->pool = p;
	}
	b->refs = 1;
	b->next_free = NULL;
	b->released = NULL;
	b->fill = NULL;
	b->ready = 0;
	p->outstanding++;
	return b;
}

void blob_pool_free(struct blob_pool *p)
{
	if (!p)
		return;
	while (p->free_list) {
		struct blob *b = p->free_list;
		p->free_list = b->next_free;
		free(b);
	}
	p->idle = 0;
	p->dying = true;
	pool_maybe_die(p);
}
