/* SPDX-License-Identifier: MIT */
/* Crash-safe file replacement: after a crash (kill -9, power loss) the file is
 * either the old or the new version, never a mix: write a temporary file in
 * the same directory, fsync it, rename it over the target, fsync the directory. */
#ifndef DFK_ATOMICFILE_H
#define DFK_ATOMICFILE_H

#include <stddef.h>

/* Returns 0 or DFK_ERR_IO (logged with errno text). */
int atomic_write_file(const char *path, const void *data, size_t len);
/* Reads a whole file (at most max bytes) into a malloc'd NUL-terminated buffer.
 * Returns 0, DFK_ERR_NOTFOUND when absent, DFK_ERR_IO or DFK_ERR_RANGE (too big). */
int read_file(const char *path, size_t max, char **out, size_t *len);
/* mkdir -p with mode 0755. Returns 0 or DFK_ERR_IO. */
int make_dirs(const char *path);

/* Takes the directory for this process: an exclusive flock on DIR/lock (held
 * until *lock_fd is closed), then removes temporary files left by a writer that
 * died mid-write (NAME.tmp.PID). Returns 0, DFK_ERR_BUSY when another process
 * holds the directory (logged with its pid), or DFK_ERR_IO. */
int state_dir_claim(const char *dir, int *lock_fd);

#endif
