#include "blob.h"

#include <stdlib.h>

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

void blob_unref(struct blob *b)
{
	if (b && --b->refs == 0)
		free(b);
}
