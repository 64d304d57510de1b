/* SPDX-License-Identifier: MIT */
/* Inside the transports: what xport.c needs of each one. Not for users of xport.h. */
#ifndef CONFORM_XPORT_IMPL_H
#define CONFORM_XPORT_IMPL_H

#include <stddef.h>

#include "xport.h"

/* Each opens its own kind of URL (usbip://, usb://); the contract is xport_open's. */
int xport_usbip_open(const char *url, struct xport **out, char *msg, size_t msglen);
int xport_libusb_open(const char *url, struct xport **out, char *msg, size_t msglen);

#endif
