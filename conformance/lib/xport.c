/* SPDX-License-Identifier: MIT */
/* Picks the transport by the URL's scheme. */
#include "xport.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "xport_impl.h"

int xport_open(const char *url, struct xport **out, char *msg, size_t msglen)
{
	if (strncmp(url, "usbip://", 8) == 0)
		return xport_usbip_open(url, out, msg, msglen);
	if (strncmp(url, "usb://", 6) == 0)
		return xport_libusb_open(url, out, msg, msglen);
	snprintf(msg, msglen, "unknown device URL '%s' (usbip://HOST:PORT/BUSID or usb://VID:PID[/SERIAL])", url);
	return -EINVAL;
}

int xport_clear_halt(struct xport *x, uint8_t ep, unsigned timeout_ms)
{
	if (x->ops->clear_halt)
		return x->ops->clear_halt(x, ep);
	int rc = x->ops->control(x, USB_RT_ENDPOINT_OUT, USB_REQ_CLEAR_FEATURE, USB_FEATURE_ENDPOINT_HALT, ep, NULL, 0,
				 timeout_ms);
	return rc < 0 ? rc : 0;
}
