/* SPDX-License-Identifier: MIT */
/* The one place a UVC class request's wire form is checked: request type,
 * recipient, direction, wValue/wIndex layout and wLength. Everything after
 * this sees a decoded, length-checked struct uvc_request.
 *
 * A check that fails gives a UVC request error code (uvc_defs.h, UVC_ERR_*):
 * the function answers with a STALL and reports that code through
 * VC_REQUEST_ERROR_CODE_CONTROL. */
#ifndef DFK_UVC_REQUEST_H
#define DFK_UVC_REQUEST_H

#include <stdbool.h>
#include <stdint.h>

#include "../usb/usb_device.h"

struct uvc_request {
	uint8_t request;     /* UVC_SET_CUR or UVC_GET_* */
	uint8_t iface;       /* interface number (wIndex low byte) */
	uint8_t entity;      /* unit or terminal id (wIndex high byte); 0: the interface itself */
	uint8_t selector;    /* control selector (wValue high byte) */
	uint16_t length;     /* wLength */
};

static inline bool uvc_request_is_set(const struct uvc_request *r) { return r->request == 0x01; }

/* Decode the setup packet. Returns 0 or a UVC_ERR_* code. */
int uvc_request_decode(const struct usb_setup *s, struct uvc_request *r);
/* wLength against the control's length: GET_INFO 1 byte, GET_LEN 2, the others
 * `control_len`. Returns 0 or UVC_ERR_INVALID_REQUEST. */
int uvc_request_check_length(const struct uvc_request *r, uint16_t control_len);

#endif
