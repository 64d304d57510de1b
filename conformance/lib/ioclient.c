/* SPDX-License-Identifier: MIT */
#include "ioclient.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

struct ioclient {
	int fd;
	char buf[1 << 16];
	size_t len;
};

/* tcp:HOST:PORT (dfk-emu --io tcp:..., e.g. from a VM guest) */
static int connect_tcp(const char *spec, char *err, size_t errlen)
{
	char host[256];
	const char *colon = strrchr(spec, ':');
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res = NULL, *ai;
	int fd = -1, one = 1, rc;

	if (!colon || colon == spec || (size_t)(colon - spec) >= sizeof(host)) {
		snprintf(err, errlen, "tcp:%s: expected tcp:HOST:PORT", spec);
		return -1;
	}
	memcpy(host, spec, (size_t)(colon - spec));
	host[colon - spec] = '\0';
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		memmove(host, host + 1, strlen(host));
		host[strlen(host) - 1] = '\0';
	}
	rc = getaddrinfo(host, colon + 1, &hints, &res);
	if (rc != 0) {
		snprintf(err, errlen, "tcp:%s: %s", spec, gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		snprintf(err, errlen, "tcp:%s: %s", spec, strerror(errno));
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd >= 0)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));   /* request/reply lines */
	return fd;
}

static int connect_unix(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "path too long");
		return -1;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

struct ioclient *io_connect(const char *path, char *err, size_t errlen)
{
	struct ioclient *io;
	int fd = strncmp(path, "tcp:", 4) == 0 ? connect_tcp(path + 4, err, errlen) : connect_unix(path, err, errlen);

	if (fd < 0)
		return NULL;
	io = calloc(1, sizeof(*io));
	if (!io) {
		close(fd);
		return NULL;
	}
	io->fd = fd;
	return io;
}

void io_close(struct ioclient *io)
{
	if (!io)
		return;
	close(io->fd);
	free(io);
}

/* Next line into `line` (without the newline). Returns 0 or -1. */
static int read_line(struct ioclient *io, char *line, size_t cap)
{
	for (;;) {
		char *nl = memchr(io->buf, '\n', io->len);
		if (nl) {
			size_t n = (size_t)(nl - io->buf);
			size_t k = n < cap - 1 ? n : cap - 1;
			memcpy(line, io->buf, k);
			line[k] = '\0';
			memmove(io->buf, nl + 1, io->len - n - 1);
			io->len -= n + 1;
			return 0;
		}
		if (io->len == sizeof(io->buf))
			return -1;
		ssize_t r = recv(io->fd, io->buf + io->len, sizeof(io->buf) - io->len, 0);
		if (r <= 0) {
			if (r < 0 && errno == EINTR)
				continue;
			return -1;
		}
		io->len += (size_t)r;
	}
}

static int send_line(struct ioclient *io, const char *text)
{
	size_t n = strlen(text), off = 0;

	while (off < n) {
		ssize_t w = send(io->fd, text + off, n - off, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		off += (size_t)w;
	}
	return send(io->fd, "\n", 1, MSG_NOSIGNAL) == 1 ? 0 : -1;
}

static int vrequest(struct ioclient *io, char *out, size_t outlen, const char *fmt, va_list ap)
{
	char req[4096], line[4096];

	vsnprintf(req, sizeof(req), fmt, ap);
	if (send_line(io, req) < 0 || read_line(io, line, sizeof(line)) < 0) {
		snprintf(out, outlen, "side channel closed");
		return -1;
	}
	if (strncmp(line, "ok", 2) == 0) {
		snprintf(out, outlen, "%s", line[2] == ' ' ? line + 3 : "");
		return 0;
	}
	snprintf(out, outlen, "%s: %s", req, line);
	return -1;
}

int io_request(struct ioclient *io, char *out, size_t outlen, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vrequest(io, out, outlen, fmt, ap);
	va_end(ap);
	return rc;
}

uint64_t io_time(struct ioclient *io)
{
	char out[256];

	if (io_request(io, out, sizeof(out), "time") < 0)
		return 0;
	return strtoull(out, NULL, 10);
}

int io_events(struct ioclient *io, uint64_t from, struct io_event *ev, int max)
{
	char out[256], line[512];
	int n, stored = 0;

	if (io_request(io, out, sizeof(out), "events from %" PRIu64 " max %d", from, max) < 0)
		return -1;
	n = atoi(out);
	for (int i = 0; i < n; i++) {
		if (read_line(io, line, sizeof(line)) < 0)
			return -1;
		if (stored >= max)
			continue;
		struct io_event *e = &ev[stored];
		memset(e, 0, sizeof(*e));
		if (sscanf(line, "%" SCNu64 " %" SCNu64 " %23s %" SCNd64 " %" SCNd64 " %23s", &e->seq, &e->t, e->kind, &e->a,
			   &e->b, e->reason) >= 5)
			stored++;
	}
	return stored;
}

int io_list(struct ioclient *io, void (*fn)(void *ctx, const char *line), void *ctx, char *err, size_t errlen,
	    const char *fmt, ...)
{
	char line[4096];
	va_list ap;
	long n;
	int rc;

	va_start(ap, fmt);
	rc = vrequest(io, err, errlen, fmt, ap);
	va_end(ap);
	if (rc < 0)
		return -1;
	n = strtol(err, NULL, 10);
	if (n < 0 || n > 10000000) {
		snprintf(err, errlen, "bad count in the reply");
		return -1;
	}
	for (long i = 0; i < n; i++) {
		if (read_line(io, line, sizeof(line)) < 0) {
			snprintf(err, errlen, "side channel closed");
			return -1;
		}
		fn(ctx, line);
	}
	return (int)n;
}

int io_set_timeout(struct ioclient *io, unsigned ms)
{
	struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = (long)(ms % 1000) * 1000 };

	return setsockopt(io->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

uint64_t io_next_seq(struct ioclient *io)
{
	char out[64];

	if (io_request(io, out, sizeof(out), "seq") < 0)
		return 0;
	return strtoull(out, NULL, 10);
}

const char *io_fault_kind_name(int64_t kind)
{
	static const char *const names[] = {
		"stall", "short", "babble", "delay", "nak", "error",                          /* transfers */
		"drop-payload", "corrupt", "skip-ids", "time-jump", "empty-frame",           /* stream */
		"ack-pending", "ack-error", "ack-wrong-id", "ack-late", "ack-drop",           /* control */
		"unplug", "reset", "replug",                                                 /* device */
		"rate", "latency",                                                           /* link */
	};

	return kind >= 0 && kind < (int64_t)(sizeof(names) / sizeof(names[0])) ? names[kind] : NULL;
}
