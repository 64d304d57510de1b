/* SPDX-License-Identifier: MIT */
/* Small "key=value" text files with a CRC-32 trailer line, for the camera's
 * flash contents and user sets. A file whose trailer does not match its
 * contents is reported as DFK_ERR_CORRUPT and never half-applied. */
#ifndef DFK_KVFILE_H
#define DFK_KVFILE_H

#include <stddef.h>

#include "strbuf.h"

struct kv {
	char *key;
	char *value;
};

struct kvfile {
	struct kv *items;
	size_t n, cap;
};

void kvfile_init(struct kvfile *f);
void kvfile_free(struct kvfile *f);
int kvfile_set(struct kvfile *f, const char *key, const char *value);
const char *kvfile_get(const struct kvfile *f, const char *key);
/* Serialize with a "crc32=XXXXXXXX" trailer; write atomically. */
int kvfile_save(const struct kvfile *f, const char *path, const char *header_comment);
/* Returns 0, DFK_ERR_NOTFOUND, DFK_ERR_IO or DFK_ERR_CORRUPT. */
int kvfile_load(struct kvfile *f, const char *path);

#endif
