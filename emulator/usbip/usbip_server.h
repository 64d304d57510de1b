/* SPDX-License-Identifier: MIT */
/* USB/IP server: takes the place of usbipd + usbip-host for emulated devices.
 *
 * Many connections share one event loop. A connection starts in the operation
 * phase (OP_REQ_DEVLIST or OP_REQ_IMPORT); after a successful import it carries
 * URB traffic for that device until it closes. A device imported by one
 * connection is refused to others (ST_DEV_BUSY) until that connection ends;
 * then the device is reset (detach callback) and exportable again.
 *
 * Malformed input never takes the server down: URB-level problems get an error
 * status or a STALL; a stream we can no longer frame (bad version, unknown
 * command, absurd lengths) closes that one connection with a log line.
 *
 * Memory per connection is bounded: at most USBIP_MAX_URBS_IN_FLIGHT URBs, a
 * receive buffer, and a send queue that stops both the parsing of input and the
 * completion of IN transfers above USBIP_TX_HIGH_WATER, so that a host that
 * does not read leaves frames waiting in the camera's own (bounded) memory.
 */
#ifndef DFK_USBIP_SERVER_H
#define DFK_USBIP_SERVER_H

#include <stdint.h>

#include "../common/evloop.h"
#include "../usb/usb_device.h"
#include "usbip_proto.h"

/* Longest OUT transfer accepted (usbfs's own default memory cap). */
#define USBIP_MAX_OUT_LEN     (16u * 1024 * 1024)
/* Stop reading a connection whose peer does not read its replies. */
#define USBIP_TX_HIGH_WATER   (64u * 1024 * 1024)
#define USBIP_TX_LOW_WATER    (16u * 1024 * 1024)
/* ... nor one with this many replies queued, however small (a stream of
 * refused submits): a streaming host has a few dozen. */
#define USBIP_TX_MAX_ITEMS    32768u
#define USBIP_MAX_CONNECTIONS 512   /* every export imported, and room to list them */
/* URBs one connection may have submitted and not yet seen answered; past it a
 * CMD_SUBMIT fails at once with -ENOMEM (as usbfs does past its memory cap). */
#define USBIP_MAX_URBS_IN_FLIGHT 16384

struct usbip_server;

/* Who watches the host's transfers to an exported device (the host-behaviour
 * monitor): every call comes from the server's event loop, in wire order. */
struct usbip_observer_ops {
	/* A CMD_SUBMIT accepted (OUT data complete), before the device sees it. */
	void (*submit)(void *ctx, const struct usb_xfer *x);
	/* Its RET_SUBMIT: status and IN data (or OUT bytes taken). */
	void (*complete)(void *ctx, const struct usb_xfer *x, const struct usb_in_chunk *r);
	/* A CMD_UNLINK for `seqnum`, pending or not. */
	void (*unlink)(void *ctx, uint32_t seqnum);
	/* The importer is gone (closed, unplugged); pending URBs are dropped after this. */
	void (*disconnect)(void *ctx);
};

struct usbip_export {
	char busid[USBIP_BUSID_SIZE];
	uint32_t busnum;
	uint32_t devnum;
	struct usb_device *dev;
	/* Called when an importer attaches (true) or goes away (false): the
	 * device sees a cable plug / unplug. */
	void (*attached)(void *ctx, bool attached);
	void *ctx;
	const struct usbip_observer_ops *observer;   /* optional */
	void *observer_ctx;
	/* Optional (0: none): the IN endpoint address (0x8N) of bulk data, e.g. a video stream.
	 * Completions of every other endpoint are sent ahead of its replies not yet begun, so
	 * control does not wait behind megabytes of stream data; each endpoint's own order is kept. */
	uint8_t bulk_ep;
	/* managed by the server */
	bool absent;                 /* unplugged for a while: not listed, not importable */
	struct usbip_conn *importer;
	uint64_t imports;
};

struct usbip_server_stats {
	uint64_t connections;
	uint64_t protocol_errors;
	uint64_t urbs;
	uint64_t unlinks;
	uint64_t unlinks_before_submit; /* CMD_UNLINK came first; the CMD_SUBMIT was dropped */
	uint64_t urbs_refused;       /* over USBIP_MAX_URBS_IN_FLIGHT */
	uint64_t in_bytes_copied;    /* IN data copied into a reply of its own (small acks, descriptors) */
	uint64_t in_bytes_referenced;   /* IN data sent from the device's own memory, no copy (frames) */
	unsigned open_connections;
};

/* Binds to "ADDR:PORT" ("[::1]:PORT" for IPv6; port 0 = any). Returns NULL with a log line on failure. */
struct usbip_server *usbip_server_new(struct evloop *loop, const char *listen_spec);
void usbip_server_free(struct usbip_server *srv);
/* The address actually bound, e.g. "127.0.0.1:3240". */
const char *usbip_server_address(const struct usbip_server *srv);
uint16_t usbip_server_port(const struct usbip_server *srv);
/* Register a device (the server does not own it). Returns 0 or negative dfk_err. */
int usbip_server_export(struct usbip_server *srv, struct usbip_export *exp);
const struct usbip_server_stats *usbip_server_stats(const struct usbip_server *srv);
/* The device leaves the bus (DeviceReset, shutdown): its importer's connection closes. */
void usbip_server_unplug(struct usbip_server *srv, struct usbip_export *exp, const char *why);
/* Plugged (true) or not (false): an absent device is unplugged, left out of the
 * device list and refused on import (ST_NODEV) until it is present again. */
void usbip_server_set_present(struct usbip_server *srv, struct usbip_export *exp, bool present, const char *why);

#endif
