/* SPDX-License-Identifier: MIT */
/* USB device core: EP0 standard requests, endpoint halt state, and the queues of
 * pending transfers per endpoint. It knows nothing of USB/IP: a transport submits
 * usb_xfer objects and gets them back through its completion callback.
 *
 * Bulk IN transfers stay pending until the function has data (never completed
 * with zero bytes just because nothing is there); they complete in submission
 * order per endpoint. usb_device_cancel() removes a pending one without completing it.
 *
 * Faults (usb_device_set_fault_ops): the owner decides, per transfer at
 * submission, whether it stalls, comes back short, babbles, fails with an
 * errno, or is held (DELAY, NAK) until a device time; the core applies it when
 * the transfer would complete, as the link would show it to the host (USB 3.2
 * ch. 8 and 9). Held IN transfers stay in their endpoint's queue (in order);
 * held OUT and control transfers wait in one FIFO per device and are
 * processed when their time comes (usb_device_wake()).
 */
#ifndef DFK_USB_DEVICE_H
#define DFK_USB_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/blob.h"
#include "usb_desc.h"

/* Standard requests (USB 3.2 table 9-4) */
#define USB_REQ_GET_STATUS         0x00
#define USB_REQ_CLEAR_FEATURE      0x01
#define USB_REQ_SET_FEATURE        0x03
#define USB_REQ_SET_ADDRESS        0x05
#define USB_REQ_GET_DESCRIPTOR     0x06
#define USB_REQ_SET_DESCRIPTOR     0x07
#define USB_REQ_GET_CONFIGURATION  0x08
#define USB_REQ_SET_CONFIGURATION  0x09
#define USB_REQ_GET_INTERFACE      0x0A
#define USB_REQ_SET_INTERFACE      0x0B
#define USB_REQ_SYNCH_FRAME        0x0C
#define USB_REQ_SET_SEL            0x30
#define USB_REQ_SET_ISOCH_DELAY    0x31

#define USB_FEAT_ENDPOINT_HALT     0
#define USB_FEAT_FUNCTION_SUSPEND  0
#define USB_FEAT_U1_ENABLE         48
#define USB_FEAT_U2_ENABLE         49
#define USB_FEAT_LTM_ENABLE        50

#define USB_TYPE_MASK              0x60
#define USB_TYPE_STANDARD          0x00
#define USB_RECIP_MASK             0x1F
#define USB_RECIP_DEVICE           0x00
#define USB_RECIP_INTERFACE        0x01
#define USB_RECIP_ENDPOINT         0x02

/* URB status values handed back to transports (negative Linux errno). */
#define USB_ST_OK                  0
#define USB_ST_STALL               (-32)    /* -EPIPE */
#define USB_ST_OVERFLOW            (-75)    /* -EOVERFLOW: babble */
#define USB_ST_INVAL               (-22)    /* -EINVAL */
#define USB_ST_NODEV               (-19)    /* -ENODEV */
#define USB_ST_SHUTDOWN            (-108)   /* -ESHUTDOWN */
#define USB_ST_NOMEM               (-12)    /* -ENOMEM: usbfs's answer past its memory cap */

#define USB_MAX_CONTROL_LEN        4096     /* longest EP0 data stage we serve */

struct usb_setup {
	uint8_t bmRequestType;
	uint8_t bRequest;
	uint16_t wValue;
	uint16_t wIndex;
	uint16_t wLength;
};

void usb_setup_unpack(struct usb_setup *s, const uint8_t raw[8]);

/* A fault the owner injects into one transfer (the fault engine decides which). */
enum usb_fault_kind { USB_FAULT_NONE, USB_FAULT_STALL, USB_FAULT_SHORT, USB_FAULT_BABBLE, USB_FAULT_DELAY, USB_FAULT_NAK, USB_FAULT_ERROR };
struct usb_fault {
	enum usb_fault_kind kind;
	uint32_t bytes;      /* SHORT: at most this many bytes move */
	uint64_t until;      /* DELAY, NAK: device time before which the transfer does not complete */
	int status;          /* ERROR: the negative URB status to complete with */
};

/**
 * struct usb_xfer - one transfer (URB) as the device core sees it
 * @id: transport handle (USB/IP seqnum), used by usb_device_cancel()
 * @ep: endpoint address including USB_ENDPOINT_DIR_IN for IN
 * @length: requested bytes (IN) or bytes in @data (OUT)
 * @setup: raw setup packet for ep 0
 * @data: OUT payload, owned by the xfer
 * @owner: the transport's per-connection context
 * @fault: set by the core at submission (what usb_fault_ops.on_transfer chose); the transport need not touch it
 */
struct usb_xfer {
	uint32_t id;
	uint8_t ep;
	uint32_t length;
	uint32_t flags;
	uint8_t setup[8];
	uint8_t *data;
	void *owner;
	struct usb_xfer *next;
	struct usb_fault fault;
};

/* IN data for a completion. `ref`, when set, keeps `data` alive: the transport
 * takes its own reference instead of copying. */
struct usb_in_chunk {
	int status;
	const uint8_t *data;
	size_t len;
	struct blob *ref;
};

typedef void (*usb_complete_fn)(void *owner, struct usb_xfer *x, const struct usb_in_chunk *result);

/* What a USB function (here: the USB3 Vision camera) provides to the core. */
struct usb_function_ops {
	/* Non-standard EP0 request. Return bytes written to `in` (IN), 0 (OUT), or USB_ST_STALL. Optional. */
	int (*control)(void *fn, const struct usb_setup *s, const uint8_t *out, uint8_t *in, size_t in_max);
	/* Bulk OUT data arrived on `ep`. Return USB_ST_OK or a negative URB status. */
	int (*bulk_out)(void *fn, uint8_t ep, const uint8_t *data, size_t len);
	/* May the head IN transfer of `ep` (asking for up to `max_len` bytes) complete now?
	 * Return 1 with *chunk filled, or 0 to keep it pending. */
	int (*bulk_in)(void *fn, uint8_t ep, uint32_t max_len, struct usb_in_chunk *chunk);
	/* Endpoint halt set (true) or cleared (false) by the host. CLEAR_FEATURE(HALT)
	 * also means "reset this pipe" (U3V: flush the stream FIFO). Optional. */
	void (*halt_changed)(void *fn, uint8_t ep, bool halted);
	/* Configuration changed (0 = unconfigured) or the device was reset. Optional. */
	void (*configured)(void *fn, uint8_t config);
};

#define USB_MAX_EPS 32  /* index: (addr & 0x0F) | (addr & 0x80 ? 16 : 0) */

struct usb_fault_ops {
	/* Asked once per transfer the core accepts (EP0 included), at submission. */
	bool (*on_transfer)(void *ctx, uint8_t ep, struct usb_fault *out);
	uint64_t (*now)(void *ctx);               /* device time */
	void (*wake_at)(void *ctx, uint64_t t);   /* call usb_device_wake() at device time t (a later call may replace an earlier one: keep asking for the earliest you need) */
};

struct usb_device {
	const struct usb_desc_device *desc;
	/* strings[i] is string descriptor i (1-based; [0] unused). Pointers owned elsewhere. */
	const char *const *strings;
	size_t n_strings;
	uint32_t speed;                     /* USB/IP speed enum: 5 = SuperSpeed */

	const struct usb_function_ops *fn_ops;
	void *fn;

	usb_complete_fn complete;           /* set by the transport that imported the device */

	uint8_t config;                     /* 0 = address state */
	bool halted[USB_MAX_EPS];
	struct usb_xfer *pending_head[USB_MAX_EPS];
	struct usb_xfer *pending_tail[USB_MAX_EPS];
	bool kicking[USB_MAX_EPS];
	/* The transport cannot take more IN data now (its send queue is full): IN
	 * transfers stay pending and data waits in the function's own memory. */
	bool in_paused;

	/* Fault hooks (usb_device_set_fault_ops); NULL: no faults, nothing held. */
	const struct usb_fault_ops *fault_ops;
	void *fault_ctx;
	/* The pipe answers NAK before this device time (0: it does not). Index as
	 * above, except that EP0 is one pipe for both directions: index 0. */
	uint64_t nak_until[USB_MAX_EPS];
	/* The head of this IN queue waits for a device time (DELAY or NAK). */
	bool in_held[USB_MAX_EPS];
	/* OUT and control transfers held by DELAY/NAK, or queued behind one on
	 * the same pipe, in submission order (linked through usb_xfer.next: no
	 * memory of our own, bounded by what the transport lets the host submit). */
	struct usb_xfer *held_head, *held_tail;
	uint32_t held_count[USB_MAX_EPS];   /* per pipe, as nak_until */
	uint32_t held_gen;                  /* bumped when cancel/drain/reset take held transfers */
	bool held_running, held_again;
	/* the wake_at() request outstanding, and its deferral inside usb_device_wake() */
	bool wake_pending, waking, wake_dirty;
	uint64_t wake_asked;

	/* counters for logs and tests */
	uint64_t n_stalls;
	uint64_t n_faults;                  /* transfers on_transfer gave a fault */
};

static inline int usb_ep_index(uint8_t addr) { return (addr & 0x0F) | ((addr & 0x80) ? 16 : 0); }

void usb_device_init(struct usb_device *dev, const struct usb_desc_device *desc, const char *const *strings,
		     size_t n_strings, const struct usb_function_ops *ops, void *fn);

/* Hand a transfer to the device. It is completed (now or later) through dev->complete. */
void usb_device_submit(struct usb_device *dev, struct usb_xfer *x);
/* Remove a pending transfer by id (one a fault holds too). Returns it (not completed; the caller
 * frees it) or NULL. What waited behind a held one may complete before this returns. */
struct usb_xfer *usb_device_cancel(struct usb_device *dev, void *owner, uint32_t id);
/* The function has new IN data on `ep`: complete what can be completed. */
void usb_device_in_ready(struct usb_device *dev, uint8_t ep);
/* Drop every pending transfer (held ones too) without completing it (transport gone); returns them as a list. */
struct usb_xfer *usb_device_drain(struct usb_device *dev);
/* Bus reset / detach: unconfigure, clear halts, drop fault holds (NAK state,
 * delays). Pending transfers must have been drained. */
void usb_device_reset(struct usb_device *dev);
/* Pause (true) or resume (false) the completion of IN transfers; resuming
 * completes whatever the function has ready. */
void usb_device_pause_in(struct usb_device *dev, bool paused);
/* Number of transfers pending on `ep` (held ones included; EP0: both directions). */
size_t usb_device_pending(const struct usb_device *dev, uint8_t ep);

/* Fault hooks: NULL ops (the default) is a device without faults. Removing
 * them releases whatever they held. */
void usb_device_set_fault_ops(struct usb_device *dev, const struct usb_fault_ops *ops, void *ctx);
/* Device time passed: complete the transfers DELAY/NAK held whose time has come. */
void usb_device_wake(struct usb_device *dev);

#endif
