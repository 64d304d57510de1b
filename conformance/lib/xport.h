/* SPDX-License-Identifier: MIT */
/* Host-side USB transports for dfk-conform: the same calls reach a device
 * through our own userspace USB/IP client (usbip://HOST:PORT/BUSID) or through
 * libusb-1.0 (usb://VID:PID[/SERIAL], a real camera or a vhci-attached one).
 *
 * Every call returns >= 0 on success or a negative Linux errno:
 * -EPIPE stall, -ETIMEDOUT, -EOVERFLOW babble, -ENODEV device gone, -EIO other. */
#ifndef CONFORM_XPORT_H
#define CONFORM_XPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire.h"

struct xport;

struct xport_result {
	void *user;          /* as given to submit */
	int status;          /* 0 or negative errno */
	int actual;          /* bytes received */
};

/* What a transport can or must do beyond the calls every one has (xport_ops.caps). */
enum xport_cap {
	/* The host selects the configuration itself: no kernel enumerates the device for a
	 * userspace USB/IP client, while libusb finds it configured. */
	XPORT_CAP_SET_CONFIGURATION = 1u << 0,
	/* The USB/IP protocol is reachable underneath (the uip_* calls below): the usbip suite. */
	XPORT_CAP_USBIP = 1u << 1,
};

struct xport_ops {
	unsigned caps;       /* enum xport_cap bits */
	/* Control transfer on EP0; data is in or out according to bit 7 of `rt`. Returns bytes. */
	int (*control)(struct xport *x, uint8_t rt, uint8_t req, uint16_t value, uint16_t index, uint8_t *data,
		       uint16_t len, unsigned timeout_ms);
	/* Synchronous bulk transfer. Returns bytes transferred. */
	int (*bulk)(struct xport *x, uint8_t ep, uint8_t *data, int len, unsigned timeout_ms);
	/* Asynchronous bulk IN into `buf`; completions come out of reap() in the device's order. */
	int (*submit)(struct xport *x, uint8_t ep, uint8_t *buf, int len, void *user);
	int (*reap)(struct xport *x, struct xport_result *r, unsigned timeout_ms);
	/* Cancel every asynchronous transfer still pending and wait until none is left. */
	int (*cancel_all)(struct xport *x);
	/* The device left the bus (DeviceReset): find it again. */
	int (*reopen)(struct xport *x, unsigned timeout_ms);
	void (*close)(struct xport *x);
	/* Optional: clear a halted endpoint the way the host stack must (libusb_clear_halt: the
	 * request and the host side's own endpoint state). NULL: xport_clear_halt() sends
	 * CLEAR_FEATURE(ENDPOINT_HALT) itself, which is all a USB/IP client has to do. */
	int (*clear_halt)(struct xport *x, uint8_t ep);
};

struct xport {
	const struct xport_ops *ops;
	char url[256];
	unsigned pending;    /* asynchronous transfers in flight */
};

static inline bool xport_has(const struct xport *x, enum xport_cap cap) { return (x->ops->caps & cap) != 0; }

/* Parses the URL and opens the device. Returns 0, -ENODEV when no such device
 * exists (the message says why), or another negative errno. */
int xport_open(const char *url, struct xport **out, char *msg, size_t msglen);

/* Clears the halt of endpoint `ep` after a STALL (USB 3.2 9.4.5). Returns 0 or -errno. */
int xport_clear_halt(struct xport *x, uint8_t ep, unsigned timeout_ms);

/* USB/IP specifics for the usbip suite. */
struct uip_device;
int uip_url_parts(const char *url, char *host, size_t hlen, int *port, char *busid, size_t blen);
/* One OP_REQ_DEVLIST on a fresh connection: fills up to `max` records. Returns the count or -errno. */
int uip_devlist(const char *host, int port, struct uip_device *out, int max);
/* OP_REQ_IMPORT on a fresh connection. Returns the socket (>= 0) and the record;
 * -EBUSY when refused (*op_status = the USB/IP status), or another -errno. */
int uip_import_raw(const char *host, int port, const char *busid, struct uip_device *dev, int *op_status);
/* Raw access to the transport's own connection: submit a bulk IN URB and unlink it
 * (-EINVAL on a transport without XPORT_CAP_USBIP). */
int uip_submit_in(struct xport *x, uint8_t ep, int len, uint32_t *seq);
int uip_unlink(struct xport *x, uint32_t seq, int *unlink_status, bool *got_submit);

#endif
