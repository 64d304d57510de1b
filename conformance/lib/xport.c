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
