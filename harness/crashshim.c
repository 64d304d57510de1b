/* SPDX-License-Identifier: MIT */
/* crashshim: an LD_PRELOAD library that kills its process (SIGKILL, as a power
 * cut would) at one chosen step of writing a chosen file, so the tests can
 * check crash safety at each step deterministically instead of by racing a
 * kill against the write.
 *
 *   DFK_CRASH_FILE   substring of the target file's name (e.g. "userset1.conf")
 *   DFK_CRASH_AT     write         half of the first write to the temporary file, then die
 *                    fsync         die before fsync of the temporary file
 *                    rename        die before the temporary file is renamed over the target
 *                    after-rename  die right after the rename (before the directory fsync)
 *
 * A temporary file is any file opened for writing whose name contains
 * DFK_CRASH_FILE followed by ".tmp.". Only the calls the emulator's
 * atomic_write_file makes are wrapped. Test tool only: never linked into dfk-emu. */
#include <dlfcn.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#define MAX_FD 4096

static unsigned char tracked[MAX_FD];

static const char *crash_at(void)
{
	const char *at = getenv("DFK_CRASH_AT");
	return at ? at : "";
}

static int is_temp_of_target(const char *path)
{
	const char *target = getenv("DFK_CRASH_FILE"), *hit;

	if (!target || !*target || !path)
		return 0;
	hit = strstr(path, target);
	return hit && strncmp(hit + strlen(target), ".tmp.", 5) == 0;
}

static void die(const char *where)
{
	char msg[128];
	int n = snprintf(msg, sizeof(msg), "crashshim: SIGKILL at %s\n", where);
	if (n > 0 && write(2, msg, (size_t)n) < 0) {
		/* nothing to do: we are dying anyway */
	}
	kill(getpid(), SIGKILL);
}

static void track(int fd, const char *path, int flags)
{
	if (fd >= 0 && fd < MAX_FD)
		tracked[fd] = (flags & (O_WRONLY | O_RDWR)) && is_temp_of_target(path);
}

typedef int (*open_fn)(const char *, int, ...);

static int call_open(const char *name, const char *path, int flags, va_list ap)
{
	open_fn real = (open_fn)dlsym(RTLD_NEXT, name);
	mode_t mode = (flags & (O_CREAT | O_TMPFILE)) ? (mode_t)va_arg(ap, int) : 0;
	int fd = real(path, flags, mode);

	track(fd, path, flags);
	return fd;
}

int open(const char *path, int flags, ...)
{
	va_list ap;
	va_start(ap, flags);
	int fd = call_open("open", path, flags, ap);
	va_end(ap);
	return fd;
}

int open64(const char *path, int flags, ...)
{
	va_list ap;
	va_start(ap, flags);
	int fd = call_open("open64", path, flags, ap);
	va_end(ap);
	return fd;
}

ssize_t write(int fd, const void *buf, size_t len)
{
	ssize_t (*real)(int, const void *, size_t) = (ssize_t (*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");

	if (fd >= 0 && fd < MAX_FD && tracked[fd] && strcmp(crash_at(), "write") == 0) {
		real(fd, buf, len / 2);
		die("write");
	}
	return real(fd, buf, len);
}

int fsync(int fd)
{
	int (*real)(int) = (int (*)(int))dlsym(RTLD_NEXT, "fsync");

	if (fd >= 0 && fd < MAX_FD && tracked[fd] && strcmp(crash_at(), "fsync") == 0)
		die("fsync");
	return real(fd);
}

int close(int fd)
{
	int (*real)(int) = (int (*)(int))dlsym(RTLD_NEXT, "close");

	if (fd >= 0 && fd < MAX_FD)
		tracked[fd] = 0;
	return real(fd);
}

int rename(const char *from, const char *to)
{
	int (*real)(const char *, const char *) = (int (*)(const char *, const char *))dlsym(RTLD_NEXT, "rename");
	int rc;

	if (!is_temp_of_target(from))
		return real(from, to);
	if (strcmp(crash_at(), "rename") == 0)
		die("rename");
	rc = real(from, to);
	if (strcmp(crash_at(), "after-rename") == 0)
		die("after-rename");
	return rc;
}
