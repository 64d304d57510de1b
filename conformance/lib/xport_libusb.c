/* SPDX-License-Identifier: MIT */
/* libusb-1.0 transport: a real camera, or the emulator attached through the
 * kernel's vhci-hcd (usb://VID:PID[/SERIAL]). */
#include <errno.h>
#include <libusb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "xport.h"
#include "xport_impl.h"

#define MAX_ASYNC 256

struct lu_done {
	void *user;
	int status;
	int actual;
};

struct lu_xport {
	struct xport base;
	libusb_context *ctx;
	libusb_device_handle *h;
	uint16_t vid, pid;
	char serial[64];
	int old_bus, old_addr;       /* the device before it left the bus; -1 when none */
	int n_ifaces;                /* interfaces claimed: 0 .. n_ifaces-1 */
	struct libusb_transfer *live[MAX_ASYNC];
	struct lu_done done[MAX_ASYNC];
	unsigned n_done;
};

static int map_err(int e)
{
	switch (e) {
	case LIBUSB_SUCCESS: return 0;
	case LIBUSB_ERROR_TIMEOUT: return -ETIMEDOUT;
	case LIBUSB_ERROR_PIPE: return -EPIPE;
	case LIBUSB_ERROR_OVERFLOW: return -EOVERFLOW;
	case LIBUSB_ERROR_NO_DEVICE: return -ENODEV;
	case LIBUSB_ERROR_NOT_FOUND: return -ENODEV;
	case LIBUSB_ERROR_ACCESS: return -EACCES;
	case LIBUSB_ERROR_BUSY: return -EBUSY;
	case LIBUSB_ERROR_NO_MEM: return -ENOMEM;
	default: return -EIO;
	}
}

static int map_status(enum libusb_transfer_status s)
{
	switch (s) {
	case LIBUSB_TRANSFER_COMPLETED: return 0;
	case LIBUSB_TRANSFER_TIMED_OUT: return -ETIMEDOUT;
	case LIBUSB_TRANSFER_STALL: return -EPIPE;
	case LIBUSB_TRANSFER_OVERFLOW: return -EOVERFLOW;
	case LIBUSB_TRANSFER_NO_DEVICE: return -ENODEV;
	case LIBUSB_TRANSFER_CANCELLED: return -ECONNRESET;
	default: return -EIO;
	}
}

static int find_and_open(struct lu_xport *u)
{
	libusb_device **list;
	ssize_t n = libusb_get_device_list(u->ctx, &list);
	int rc = -ENODEV;

	if (n < 0)
		return map_err((int)n);
	for (ssize_t i = 0; i < n && rc == -ENODEV; i++) {
		struct libusb_device_descriptor dd;
		libusb_device_handle *h;
		if (libusb_get_device_descriptor(list[i], &dd) < 0 || dd.idVendor != u->vid || dd.idProduct != u->pid)
			continue;
		/* after a reset, the old instance may linger until the kernel notices it left */
		if (libusb_get_bus_number(list[i]) == u->old_bus && libusb_get_device_address(list[i]) == u->old_addr)
			continue;
		int orc = libusb_open(list[i], &h);
		if (orc < 0) {
			rc = map_err(orc) == -ENODEV ? -ENODEV : map_err(orc);
			continue;
		}
		if (u->serial[0]) {
			unsigned char s[64] = "";
			libusb_get_string_descriptor_ascii(h, dd.iSerialNumber, s, sizeof(s));
			if (strcmp((char *)s, u->serial) != 0) {
				libusb_close(h);
				continue;
			}
		}
		libusb_set_auto_detach_kernel_driver(h, 1);
		/* every interface of the configuration: three of a USB3 Vision camera, two of its UVC face */
		struct libusb_config_descriptor *cfg;
		int ifr = libusb_get_active_config_descriptor(list[i], &cfg), n_if = 3;
		if (ifr == 0) {
			n_if = cfg->bNumInterfaces;
			libusb_free_config_descriptor(cfg);
		}
		ifr = 0;
		for (int k = 0; k < n_if && ifr == 0; k++)
			ifr = libusb_claim_interface(h, k);
		if (ifr < 0) {
			libusb_close(h);
			rc = map_err(ifr);
			continue;
		}
		u->h = h;
		u->n_ifaces = n_if;
		rc = 0;
	}
	libusb_free_device_list(list, 1);
	return rc;
}

static int lu_control(struct xport *x, uint8_t rt, uint8_t req, uint16_t value, uint16_t index, uint8_t *data,
		      uint16_t len, unsigned timeout_ms)
{
	struct lu_xport *u = (struct lu_xport *)x;
	int r = libusb_control_transfer(u->h, rt, req, value, index, data, len, timeout_ms);

	return r < 0 ? map_err(r) : r;
}

static int lu_bulk(struct xport *x, uint8_t ep, uint8_t *data, int len, unsigned timeout_ms)
{
	struct lu_xport *u = (struct lu_xport *)x;
	int actual = 0, r = libusb_bulk_transfer(u->h, ep, data, len, &actual, timeout_ms);

	if (r == LIBUSB_ERROR_TIMEOUT && actual > 0)
		return actual;
	return r < 0 ? map_err(r) : actual;
}

static void LIBUSB_CALL on_done_user(struct libusb_transfer *t);

static int lu_submit(struct xport *x, uint8_t ep, uint8_t *buf, int len, void *user)
{
	struct lu_xport *u = (struct lu_xport *)x;
	struct libusb_transfer *t = libusb_alloc_transfer(0);
	void **slot;
	unsigned i;
	int r;

	if (!t)
		return -ENOMEM;
	for (i = 0; i < MAX_ASYNC && u->live[i]; i++)
		;
	if (i == MAX_ASYNC) {
		libusb_free_transfer(t);
		return -EBUSY;
	}
	slot = malloc(2 * sizeof(void *));
	if (!slot) {
		libusb_free_transfer(t);
		return -ENOMEM;
	}
	slot[0] = u;
	slot[1] = user;
	libusb_fill_bulk_transfer(t, u->h, ep, buf, len, on_done_user, slot, 0);
	r = libusb_submit_transfer(t);
	if (r < 0) {
		free(slot);
		libusb_free_transfer(t);
		return map_err(r);
	}
	u->live[i] = t;
	x->pending++;
	return 0;
}

static void LIBUSB_CALL on_done_user(struct libusb_transfer *t)
{
	void **slot = t->user_data;
	struct lu_xport *u = slot[0];

	for (unsigned i = 0; i < MAX_ASYNC; i++) {
		if (u->live[i] == t) {
			u->live[i] = NULL;
			break;
		}
	}
	if (u->n_done < MAX_ASYNC) {
		u->done[u->n_done].user = slot[1];
		u->done[u->n_done].status = map_status(t->status);
		u->done[u->n_done].actual = t->actual_length;
		u->n_done++;
	}
	free(slot);
	libusb_free_transfer(t);
}

static int lu_reap(struct xport *x, struct xport_result *res, unsigned timeout_ms)
{
	struct lu_xport *u = (struct lu_xport *)x;
	struct timespec end, now;

	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += timeout_ms / 1000;
	end.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
	if (end.tv_nsec >= 1000000000) {
		end.tv_sec++;
		end.tv_nsec -= 1000000000;
	}
	while (!u->n_done) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		long ms = (end.tv_sec - now.tv_sec) * 1000 + (end.tv_nsec - now.tv_nsec) / 1000000;
		if (ms <= 0)
			return -ETIMEDOUT;
		struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };
		int r = libusb_handle_events_timeout_completed(u->ctx, &tv, NULL);
		if (r < 0 && r != LIBUSB_ERROR_INTERRUPTED)
			return map_err(r);
	}
	res->user = u->done[0].user;
	res->status = u->done[0].status;
	res->actual = u->done[0].actual;
	memmove(u->done, u->done + 1, sizeof(u->done[0]) * (u->n_done - 1));
	u->n_done--;
	x->pending--;
	return 0;
}

static int lu_cancel_all(struct xport *x)
{
	struct lu_xport *u = (struct lu_xport *)x;
	struct xport_result r;

	for (unsigned i = 0; i < MAX_ASYNC; i++)
		if (u->live[i])
			libusb_cancel_transfer(u->live[i]);
	while (x->pending)
		if (lu_reap(x, &r, 2000) == -ETIMEDOUT)
			return -ETIMEDOUT;
	return 0;
}

static void release(struct lu_xport *u)
{
	if (!u->h)
		return;
	lu_cancel_all(&u->base);
	for (int k = 0; k < u->n_ifaces; k++)
		libusb_release_interface(u->h, k);
	libusb_close(u->h);
	u->h = NULL;
}

static int lu_reopen(struct xport *x, unsigned timeout_ms)
{
	struct lu_xport *u = (struct lu_xport *)x;
	struct timespec start, now;
	int rc;

	if (u->h) {
		libusb_device *dev = libusb_get_device(u->h);
		u->old_bus = libusb_get_bus_number(dev);
		u->old_addr = libusb_get_device_address(dev);
	}
	release(u);
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		/* A fresh context rescans the bus: without a udev daemon (a minimal VM,
		 * a container) libusb never hears of the device coming back otherwise. */
		libusb_exit(u->ctx);
		u->ctx = NULL;
		rc = libusb_init(&u->ctx);
		if (rc < 0)
			return map_err(rc);
		rc = find_and_open(u);
		if (rc == 0)
			return 0;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000 > (long)timeout_ms)
			return rc;
		usleep(100000);
	}
}

static void lu_close(struct xport *x)
{
	struct lu_xport *u = (struct lu_xport *)x;

	release(u);
	libusb_exit(u->ctx);
	free(u);
}

/* Through usbfs (USBDEVFS_CLEAR_HALT): the kernel sends the request and resets its own
 * state of the endpoint (data toggle, SuperSpeed sequence number), which a bare control
 * transfer of CLEAR_FEATURE would leave out of step with the device. */
static int lu_clear_halt(struct xport *x, uint8_t ep)
{
	return map_err(libusb_clear_halt(((struct lu_xport *)x)->h, ep));
}

static const struct xport_ops lu_ops = {
	.caps = 0,   /* the OS configured the device; no USB/IP underneath */
	.control = lu_control,
	.bulk = lu_bulk,
	.submit = lu_submit,
	.reap = lu_reap,
	.cancel_all = lu_cancel_all,
	.reopen = lu_reopen,
	.close = lu_close,
	.clear_halt = lu_clear_halt,
};

int xport_libusb_open(const char *url, struct xport **out, char *msg, size_t msglen)
{
	struct lu_xport *u = calloc(1, sizeof(*u));
	unsigned vid, pid;
	int n = 0, rc;

	if (!u)
		return -ENOMEM;
	u->base.ops = &lu_ops;
	u->old_bus = u->old_addr = -1;
	snprintf(u->base.url, sizeof(u->base.url), "%s", url);
	if (sscanf(url, "usb://%4x:%4x%n", &vid, &pid, &n) != 2 || (url[n] && url[n] != '/')) {
		snprintf(msg, msglen, "bad URL '%s' (expected usb://VID:PID[/SERIAL], hex ids)", url);
		free(u);
		return -EINVAL;
	}
	u->vid = (uint16_t)vid;
	u->pid = (uint16_t)pid;
	if (url[n] == '/')
		snprintf(u->serial, sizeof(u->serial), "%s", url + n + 1);
	rc = libusb_init(&u->ctx);
	if (rc < 0) {
		snprintf(msg, msglen, "libusb_init: %s", libusb_error_name(rc));
		free(u);
		return map_err(rc);
	}
	rc = find_and_open(u);
	if (rc < 0) {
		if (rc == -ENODEV)
			snprintf(msg, msglen, "no USB device %04x:%04x%s%s is connected", vid, pid,
				 u->serial[0] ? " with serial " : "", u->serial);
		else
			snprintf(msg, msglen, "cannot open %04x:%04x: %s%s", vid, pid, strerror(-rc),
				 rc == -EACCES ? " (run as root or install a udev rule)" : "");
		libusb_exit(u->ctx);
		free(u);
		return rc;
	}
	*out = &u->base;
	return 0;
}
