/* SPDX-License-Identifier: MIT */
/* Reference-counted byte buffers: a frame or an ack can be queued for sending
 * without copying while its producer moves on. Frame-sized blobs come from a
 * pool so a 26 MB frame does not cost fresh pages every time. */
#ifndef DFK_BLOB_H
#define DFK_BLOB_H

#include <stddef.h>
#include <stdint.h>

struct blob_pool;

struct blob {
	unsigned refs;
	size_t size;
	struct blob_pool *pool;      /* returned there at the last unref, or freed when NULL */
	struct blob *next_free;
	/* Optional: called at the last unref, before the blob is freed or pooled (a transport
	 * drops its reference once the bytes are handed to the socket: the moment they left). */
	void (*released)(struct blob *b, void *ctx);
	void *released_ctx;
	/* Optional: contents made on demand. data[0, ready) are valid; blob_ensure() asks
	 * fill() for more (a frame rendered in strips as its bytes are sent). */
	size_t ready;
	int (*fill)(struct blob *b, size_t upto, void *ctx);
	void *fill_ctx;
	uint8_t data[];
};

struct blob *blob_new(size_t size);          /* refs = 1, contents zeroed; NULL on failure */
struct blob *blob_ref(struct blob *b);
void blob_unref(struct blob *b);             /* back to its pool or freed at zero; NULL is fine */

/* Makes data[0, upto) valid (a blob without fill() always is). Returns 0 or fill()'s error. */
static inline int blob_ensure(struct blob *b, size_t upto)
{
	return !b || !b->fill || upto <= b->ready ? 0 : b->fill(b, upto, b->fill_ctx);
}

/* A pool keeps up to `keep` released blobs for reuse by blobs of the same size. */
struct blob_pool *blob_pool_new(unsigned keep);
/* refs = 1, contents undefined (a recycled frame). NULL on failure. */
struct blob *blob_pool_get(struct blob_pool *p, size_t size);
/* Frees the idle blobs; blobs still referenced are freed at their last unref. */
void blob_pool_free(struct blob_pool *p);

#endif
