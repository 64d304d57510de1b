/* SPDX-License-Identifier: MIT */
#include "atomicfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errors.h"
#include "log.h"

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int atomic_write_file(const char *path, const void *data, size_t len)
{
	char tmp[PATH_MAX], dir[PATH_MAX];
	char *slash;
	int fd, dfd;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof(tmp))
		return DFK_ERR_INVAL;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		log_err("cannot create %s: %s", tmp, strerror(errno));
		return DFK_ERR_IO;
	}
	if (write_all(fd, data, len) < 0 || fsync(fd) < 0) {
		log_err("cannot write %s: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		return DFK_ERR_IO;
	}
	close(fd);
	if (rename(tmp, path) < 0) {
		log_err("cannot rename %s to %s: %s", tmp, path, strerror(errno));
		unlink(tmp);
		return DFK_ERR_IO;
	}
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	else
		snprintf(dir, sizeof(dir), ".");
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);   /* make the rename itself durable */
		close(dfd);
	}
	return DFK_OK;
}

int read_file(const char *path, size_t max, char **out, size_t *len)
{
	struct stat st;
	char *buf;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;
	size_t got = 0;

	if (fd < 0)
		return errno == ENOENT ? DFK_ERR_NOTFOUND : DFK_ERR_IO;
	if (fstat(fd, &st) < 0 || (size_t)st.st_size > max) {
		close(fd);
		return DFK_ERR_RANGE;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		close(fd);
		return DFK_ERR_NOMEM;
	}
	while (got < (size_t)st.st_size && (n = read(fd, buf + got, (size_t)st.st_size - got)) > 0)
		got += (size_t)n;
	close(fd);
	buf[got] = '\0';
	*out = buf;
	if (len)
		*len = got;
	return DFK_OK;
}

int make_dirs(const char *path)
{
	char buf[PATH_MAX];
	size_t n = strlen(path);

	if (n == 0 || n >= sizeof(buf))
		return DFK_ERR_INVAL;
	memcpy(buf, path, n + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST) {
			log_err("cannot create %s: %s", buf, strerror(errno));
			return DFK_ERR_IO;
		}
		*p = '/';
	}
	if (mkdir(buf, 0755) < 0 && errno != EEXIST) {
		log_err("cannot create %s: %s", buf, strerror(errno));
		return DFK_ERR_IO;
	}
	return DFK_OK;
}

/* NAME.tmp.DIGITS: what atomic_write_file leaves behind when killed mid-write. */
static int is_stale_temp(const char *name)
{
	const char *p = strstr(name, ".tmp.");

	if (!p || p == name || !p[5])
		return 0;
	for (p += 5; *p; p++)
		if (*p < '0' || *p > '9')
			return 0;
	return 1;
}

int state_dir_claim(const char *dir, int *lock_fd)
{
	char path[PATH_MAX], text[32];
	struct dirent *de;
	DIR *d;
	int fd;

	*lock_fd = -1;
	if (snprintf(path, sizeof(path), "%s/lock", dir) >= (int)sizeof(path))
		return DFK_ERR_INVAL;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		log_err("cannot open %s: %s", path, strerror(errno));
		return DFK_ERR_IO;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int err = errno;
		ssize_t n = err == EWOULDBLOCK ? pread(fd, text, sizeof(text) - 1, 0) : -1;
		if (n >= 0) {
			text[n] = '\0';
			text[strcspn(text, "\n")] = '\0';
			log_err("%s is in use by another dfk-emu (pid %s); give each emulator its own --state-dir", dir,
				n ? text : "?");
		} else {
			log_err("cannot lock %s: %s", path, strerror(err));
		}
		close(fd);
		return err == EWOULDBLOCK ? DFK_ERR_BUSY : DFK_ERR_IO;
	}
	/* the pid is only a hint for the message above; the flock is the lock */
	int len = snprintf(text, sizeof(text), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, text, (size_t)len, 0) != len)
		log_warn("cannot note our pid in %s: %s", path, strerror(errno));
	d = opendir(dir);
	if (d) {
		while ((de = readdir(d)) != NULL) {
			if (!is_stale_temp(de->d_name))
				continue;
			if (unlinkat(dirfd(d), de->d_name, 0) == 0)
				log_info("removed %s/%s, left by a write that did not finish", dir, de->d_name);
		}
		closedir(d);
	}
	*lock_fd = fd;
	return DFK_OK;
}
