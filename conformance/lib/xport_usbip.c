/* SPDX-License-Identifier: MIT */
/* Userspace USB/IP client: what vhci-hcd does in the kernel, done over a TCP
 * socket, so conformance runs need no kernel module. */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "xport.h"
#include "xport_impl.h"

struct urb {
	uint32_t seq;
	uint8_t ep;
	bool in;
	bool async;
	uint8_t *buf;
	int len;
	void *user;
	bool done;
	int status;
	int actual;
	struct urb *next;
};

struct uip_xport {
	struct xport base;
	int fd;
	char host[128];
	int port;
	char busid[33];
	uint32_t devid;
	uint32_t seq;
	struct urb *urbs;           /* submitted, not yet reaped */
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Read exactly n bytes before the deadline. */
static int read_exact(int fd, void *buf, size_t n, uint64_t deadline)
{
	uint8_t *p = buf;

	while (n) {
		uint64_t now = now_ms();
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int r;

		if (now >= deadline)
			return -ETIMEDOUT;
		r = poll(&pfd, 1, (int)(deadline - now));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r == 0 ? -ETIMEDOUT : -errno;
		ssize_t got = recv(fd, p, n, 0);
		if (got == 0)
			return -ENODEV;   /* the server closed: the device left the bus */
		if (got < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -errno;
		}
		p += got;
		n -= (size_t)got;
	}
	return 0;
}

static int write_all(int fd, const void *buf, size_t n)
{
	const uint8_t *p = buf;

	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return errno == EPIPE || errno == ECONNRESET ? -ENODEV : -errno;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int tcp_connect(const char *host, int port)
{
	struct addrinfo hints, *res, *ai;
	char ps[16];
	int fd = -1, one = 1;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	snprintf(ps, sizeof(ps), "%d", port);
	if (getaddrinfo(host, ps, &hints, &res) != 0)
		return -EHOSTUNREACH;
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		return -ECONNREFUSED;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

int uip_url_parts(const char *url, char *host, size_t hlen, int *port, char *busid, size_t blen)
{
	const char *p, *slash, *colon;

	if (strncmp(url, "usbip://", 8) != 0)
		return -EINVAL;
	p = url + 8;
	slash = strchr(p, '/');
	if (!slash || !slash[1])
		return -EINVAL;
	colon = memchr(p, ':', (size_t)(slash - p));
	if (p[0] == '[') {
		const char *end = memchr(p, ']', (size_t)(slash - p));
		if (!end)
			return -EINVAL;
		colon = end[1] == ':' ? end + 1 : NULL;
		if ((size_t)(end - p - 1) >= hlen)
			return -EINVAL;
		memcpy(host, p + 1, (size_t)(end - p - 1));
		host[end - p - 1] = '\0';
	} else {
		const char *hend = colon ? colon : slash;
		if ((size_t)(hend - p) >= hlen)
			return -EINVAL;
		memcpy(host, p, (size_t)(hend - p));
		host[hend - p] = '\0';
	}
	*port = colon ? atoi(colon + 1) : 3240;
	if (strlen(slash + 1) >= blen || *port <= 0 || *port > 65535)
		return -EINVAL;
	strcpy(busid, slash + 1);
	return 0;
}

int uip_devlist(const char *host, int port, struct uip_device *out, int max)
{
	uint8_t req[8], hdr[12];
	int fd = tcp_connect(host, port), rc;
	uint64_t deadline = now_ms() + 5000;
	uint32_t n;

	if (fd < 0)
		return fd;
	wr_be16(req, UIP_VERSION);
	wr_be16(req + 2, UIP_REQ_DEVLIST);
	wr_be32(req + 4, 0);
	rc = write_all(fd, req, sizeof(req));
	if (rc == 0)
		rc = read_exact(fd, hdr, sizeof(hdr), deadline);
	if (rc == 0 && (rd_be16(hdr) != UIP_VERSION || rd_be16(hdr + 2) != UIP_REP_DEVLIST || rd_be32(hdr + 4) != 0))
		rc = -EPROTO;
	n = rc == 0 ? rd_be32(hdr + 8) : 0;
	for (uint32_t i = 0; rc == 0 && i < n; i++) {
		uint8_t rec[UIP_DEVICE_SIZE];
		struct uip_device d;
		rc = read_exact(fd, rec, sizeof(rec), deadline);
		if (rc)
			break;
		uip_parse_device(&d, rec);
		for (unsigned k = 0; k < d.n_interfaces && rc == 0; k++) {
			uint8_t ifr[4];
			rc = read_exact(fd, ifr, 4, deadline);
			if (k < 32) {
				d.if_class[k] = ifr[0];
				d.if_subclass[k] = ifr[1];
				d.if_protocol[k] = ifr[2];
			}
		}
		if (rc == 0 && (int)i < max)
			out[i] = d;
	}
	close(fd);
	return rc < 0 ? rc : (int)n;
}

int uip_import_raw(const char *host, int port, const char *busid, struct uip_device *dev, int *op_status)
{
	uint8_t req[8 + 32], hdr[8], rec[UIP_DEVICE_SIZE];
	int fd = tcp_connect(host, port), rc;
	uint64_t deadline = now_ms() + 5000;

	if (fd < 0)
		return fd;
	memset(req, 0, sizeof(req));
	wr_be16(req, UIP_VERSION);
	wr_be16(req + 2, UIP_REQ_IMPORT);
	strncpy((char *)req + 8, busid, 31);
	rc = write_all(fd, req, sizeof(req));
	if (rc == 0)
		rc = read_exact(fd, hdr, sizeof(hdr), deadline);
	if (rc == 0 && (rd_be16(hdr) != UIP_VERSION || rd_be16(hdr + 2) != UIP_REP_IMPORT))
		rc = -EPROTO;
	if (op_status)
		*op_status = rc == 0 ? (int)rd_be32(hdr + 4) : -1;
	if (rc == 0 && rd_be32(hdr + 4) != 0) {
		close(fd);
		return -EBUSY;   /* refused: the status says why */
	}
	if (rc == 0)
		rc = read_exact(fd, rec, sizeof(rec), deadline);
	if (rc < 0) {
		close(fd);
		return rc;
	}
	uip_parse_device(dev, rec);
	if (strncmp(dev->busid, busid, 32) != 0) {
		close(fd);
		return -EPROTO;   /* usbip attach checks this too */
	}
	return fd;
}

/* ---- URB traffic ---- */

static struct urb *find_urb(struct uip_xport *u, uint32_t seq)
{
	for (struct urb *r = u->urbs; r; r = r->next)
		if (r->seq == seq)
			return r;
	return NULL;
}

static void remove_urb(struct uip_xport *u, struct urb *r)
{
	for (struct urb **pp = &u->urbs; *pp; pp = &(*pp)->next) {
		if (*pp == r) {
			*pp = r->next;
			return;
		}
	}
}

static int send_submit(struct uip_xport *u, struct urb *r, const uint8_t setup[8], const uint8_t *out, int outlen)
{
	uint8_t h[UIP_HDR];
	int rc;

	memset(h, 0, sizeof(h));
	wr_be32(h, UIP_CMD_SUBMIT);
	wr_be32(h + 4, r->seq);
	wr_be32(h + 8, u->devid);
	wr_be32(h + 12, r->in ? 1 : 0);
	wr_be32(h + 16, r->ep & 0x0F);
	wr_be32(h + 20, r->in ? 0x0200 : 0);
	wr_be32(h + 24, (uint32_t)r->len);
	if (setup)
		memcpy(h + 40, setup, 8);
	rc = write_all(u->fd, h, sizeof(h));
	if (rc == 0 && !r->in && outlen > 0)
		rc = write_all(u->fd, out, (size_t)outlen);
	return rc;
}

/* Reads one RET_* PDU. Returns 0, -ETIMEDOUT, -ENODEV, -EPROTO. */
static int pump_one(struct uip_xport *u, uint64_t deadline, uint32_t *unlink_seq, int *unlink_status)
{
	uint8_t h[UIP_HDR];
	int rc = read_exact(u->fd, h, sizeof(h), deadline);
	uint32_t cmd, seq;
	struct urb *r;

	if (rc)
		return rc;
	cmd = rd_be32(h);
	seq = rd_be32(h + 4);
	if (cmd == UIP_RET_UNLINK) {
		if (unlink_seq)
			*unlink_seq = seq;
		if (unlink_status)
			*unlink_status = (int32_t)rd_be32(h + 20);
		return 0;
	}
	if (cmd != UIP_RET_SUBMIT)
		return -EPROTO;
	r = find_urb(u, seq);
	if (!r || r->done)
		return -EPROTO;   /* vhci would drop the device for this */
	r->status = (int32_t)rd_be32(h + 20);
	r->actual = (int32_t)rd_be32(h + 24);
	if (r->actual < 0 || r->actual > r->len)
		return -EPROTO;
	if (r->in && r->actual > 0) {
		/* a deadline already set keeps data from being read halfway */
		rc = read_exact(u->fd, r->buf, (size_t)r->actual, now_ms() + 30000);
		if (rc)
			return rc;
	}
	r->done = true;
	return 0;
}

static int send_unlink(struct uip_xport *u, uint32_t target, uint32_t *unlink_seq)
{
	uint8_t h[UIP_HDR];

	memset(h, 0, sizeof(h));
	*unlink_seq = ++u->seq;
	wr_be32(h, UIP_CMD_UNLINK);
	wr_be32(h + 4, *unlink_seq);
	wr_be32(h + 8, u->devid);
	wr_be32(h + 20, target);
	return write_all(u->fd, h, sizeof(h));
}

/* Unlink `r` and wait for the answer, like vhci does on a timeout. */
static int unlink_and_wait(struct uip_xport *u, struct urb *r, int *ulstatus, bool *got_submit)
{
	uint32_t useq, got_seq = 0;
	int st = 0, rc = send_unlink(u, r->seq, &useq);
	uint64_t deadline = now_ms() + 5000;

	while (rc == 0) {
		got_seq = 0;
		rc = pump_one(u, deadline, &got_seq, &st);
		if (rc == 0 && got_seq == useq)
			break;
	}
	if (ulstatus)
		*ulstatus = st;
	if (got_submit)
		*got_submit = r->done;
	return rc;
}

static int sync_urb(struct uip_xport *u, uint8_t ep, bool in, const uint8_t setup[8], uint8_t *data, int len,
		    unsigned timeout_ms)
{
	struct urb r = { .seq = ++u->seq, .ep = ep, .in = in, .buf = data, .len = len };
	uint64_t deadline = now_ms() + timeout_ms;
	int rc;

	if (u->fd < 0)
		return -ENODEV;
	r.next = u->urbs;
	u->urbs = &r;
	rc = send_submit(u, &r, setup, data, len);
	while (rc == 0 && !r.done)
		rc = pump_one(u, deadline, NULL, NULL);
	if (rc == -ETIMEDOUT) {
		int ul = unlink_and_wait(u, &r, NULL, NULL);
		if (ul < 0)
			rc = ul;
		else if (r.done)
			rc = 0;   /* the answer raced the unlink */
	}
	remove_urb(u, &r);
	if (rc < 0)
		return rc;
	return r.status < 0 ? r.status : r.actual;
}

static int uip_control(struct xport *x, uint8_t rt, uint8_t req, uint16_t value, uint16_t index, uint8_t *data,
		       uint16_t len, unsigned timeout_ms)
{
	struct uip_xport *u = (struct uip_xport *)x;
	uint8_t setup[8] = { rt, req };

	wr_le16(setup + 2, value);
	wr_le16(setup + 4, index);
	wr_le16(setup + 6, len);
	return sync_urb(u, 0, (rt & USB_DIR_IN) != 0, setup, data, len, timeout_ms);
}

static int uip_bulk(struct xport *x, uint8_t ep, uint8_t *data, int len, unsigned timeout_ms)
{
	return sync_urb((struct uip_xport *)x, ep, (ep & USB_DIR_IN) != 0, NULL, data, len, timeout_ms);
}

static int uip_submit(struct xport *x, uint8_t ep, uint8_t *buf, int len, void *user)
{
	struct uip_xport *u = (struct uip_xport *)x;
	struct urb *r = calloc(1, sizeof(*r)), **tail;
	int rc;

	if (!r)
		return -ENOMEM;
	*r = (struct urb){ .seq = ++u->seq, .ep = ep, .in = true, .async = true, .buf = buf, .len = len,
			   .user = user };
	/* keep submission order: completions are reaped oldest first */
	for (tail = &u->urbs; *tail; tail = &(*tail)->next)
		;
	*tail = r;
	rc = send_submit(u, r, NULL, NULL, 0);
	if (rc) {
		remove_urb(u, r);
		free(r);
		return rc;
	}
	x->pending++;
	return 0;
}

static struct urb *first_done_async(struct uip_xport *u)
{
	for (struct urb *r = u->urbs; r; r = r->next)
		if (r->async && r->done)
			return r;
	return NULL;
}

static int uip_reap(struct xport *x, struct xport_result *res, unsigned timeout_ms)
{
	struct uip_xport *u = (struct uip_xport *)x;
	uint64_t deadline = now_ms() + timeout_ms;
	struct urb *r;
	int rc = 0;

	while (!(r = first_done_async(u)) && rc == 0)
		rc = pump_one(u, deadline, NULL, NULL);
	if (!r)
		return rc;
	res->user = r->user;
	res->status = r->status;
	res->actual = r->actual;
	remove_urb(u, r);
	free(r);
	x->pending--;
	return 0;
}

static int uip_cancel_all(struct xport *x)
{
	struct uip_xport *u = (struct uip_xport *)x;
	int rc = 0;

	for (struct urb *r = u->urbs; r && rc == 0; r = r->next)
		if (r->async && !r->done)
			rc = unlink_and_wait(u, r, NULL, NULL);
	for (struct urb **pp = &u->urbs; *pp;) {
		struct urb *r = *pp;
		if (r->async) {
			*pp = r->next;
			free(r);
			x->pending--;
		} else {
			pp = &r->next;
		}
	}
	return rc;
}

static int do_import(struct uip_xport *u)
{
	struct uip_device dev;
	int fd = uip_import_raw(u->host, u->port, u->busid, &dev, NULL);

	if (fd < 0)
		return fd;
	u->fd = fd;
	u->devid = (dev.busnum << 16) | dev.devnum;
	return 0;
}

static int uip_reopen(struct xport *x, unsigned timeout_ms)
{
	struct uip_xport *u = (struct uip_xport *)x;
	uint64_t deadline = now_ms() + timeout_ms;
	int rc;

	uip_cancel_all(x);
	if (u->fd >= 0)
		close(u->fd);
	u->fd = -1;
	for (;;) {
		rc = do_import(u);
		if (rc == 0)
			return 0;
		if (now_ms() >= deadline)
			return rc < 0 ? rc : -EBUSY;
		usleep(50000);
	}
}

static void uip_close(struct xport *x)
{
	struct uip_xport *u = (struct uip_xport *)x;

	uip_cancel_all(x);
	if (u->fd >= 0)
		close(u->fd);
	free(u);
}

static const struct xport_ops uip_ops = {
	.caps = XPORT_CAP_SET_CONFIGURATION | XPORT_CAP_USBIP,
	.control = uip_control,
	.bulk = uip_bulk,
	.submit = uip_submit,
	.reap = uip_reap,
	.cancel_all = uip_cancel_all,
	.reopen = uip_reopen,
	.close = uip_close,
};

int xport_usbip_open(const char *url, struct xport **out, char *msg, size_t msglen)
{
	struct uip_xport *u = calloc(1, sizeof(*u));
	struct uip_device dev;
	int rc;

	if (!u)
		return -ENOMEM;
	u->base.ops = &uip_ops;
	snprintf(u->base.url, sizeof(u->base.url), "%s", url);
	if (uip_url_parts(url, u->host, sizeof(u->host), &u->port, u->busid, sizeof(u->busid)) < 0) {
		snprintf(msg, msglen, "bad URL '%s' (expected usbip://HOST:PORT/BUSID)", url);
		free(u);
		return -EINVAL;
	}
	int st = -1;
	rc = uip_import_raw(u->host, u->port, u->busid, &dev, &st);
	if (rc < 0) {
		if (rc == -EBUSY)
			snprintf(msg, msglen, "%s:%d refused to export bus id %s (USB/IP status %d)", u->host, u->port,
				 u->busid, st);
		else
			snprintf(msg, msglen, "cannot reach the USB/IP server at %s:%d: %s", u->host, u->port,
				 strerror(-rc));
		free(u);
		return rc == -ECONNREFUSED || rc == -EBUSY ? -ENODEV : rc;
	}
	u->fd = rc;
	u->devid = (dev.busnum << 16) | dev.devnum;
	*out = &u->base;
	return 0;
}

int uip_submit_in(struct xport *x, uint8_t ep, int len, uint32_t *seq)
{
	struct uip_xport *u = (struct uip_xport *)x;
	static uint8_t sink[65536];
	int rc;

	if (x->ops != &uip_ops || len > (int)sizeof(sink))   /* x must be a uip_xport */
		return -EINVAL;
	rc = uip_submit(x, ep, sink, len, NULL);
	if (rc == 0) {
		struct urb *last = u->urbs;
		while (last->next)
			last = last->next;
		*seq = last->seq;
	}
	return rc;
}

int uip_unlink(struct xport *x, uint32_t seq, int *unlink_status, bool *got_submit)
{
	struct uip_xport *u = (struct uip_xport *)x;
	struct urb *r;
	int rc;

	if (x->ops != &uip_ops)
		return -EINVAL;
	r = find_urb(u, seq);
	if (!r)
		return -ENOENT;
	rc = unlink_and_wait(u, r, unlink_status, got_submit);
	remove_urb(u, r);
	if (r->async)
		x->pending--;
	free(r);
	return rc;
}
