/* Reference-counted byte buffers: a frame or an ack can be queued for sending
 * without copying while its producer moves on. */
#ifndef DFK_BLOB_H
#define DFK_BLOB_H

#include <stddef.h>
#include <stdint.h>

struct blob {
	unsigned refs;
	size_t size;
	uint8_t data[];
};

struct blob *blob_new(size_t size);          /* refs = 1, contents zeroed; NULL on failure */
struct blob *blob_ref(struct blob *b);
void blob_unref(struct blob *b);             /* frees at zero; NULL is fine */

#endif
