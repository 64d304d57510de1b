/* SPDX-License-Identifier: MIT */
/* An ArvDevice whose memory reads and writes go through our GenCP client, so
 * libaravis evaluates the device's own GenICam XML over any of our transports
 * (the emulator over usbip://, or a real camera over usb://). */
#ifndef CONFORM_ARVDEV_H
#define CONFORM_ARVDEV_H

#include <arv.h>

#include "gencp.h"

#define CONFORM_TYPE_DEVICE (conform_device_get_type())
G_DECLARE_FINAL_TYPE(ConformDevice, conform_device, CONFORM, DEVICE, ArvDevice)

/* Reads the XML through the manifest and builds the ArvGc. Returns NULL with *error set. */
ConformDevice *conform_device_new(struct gencp *g, GError **error);
const char *conform_device_xml(ConformDevice *d, size_t *len);
/* GenCP status of the last failed access (0 if none). */
int conform_device_last_status(ConformDevice *d);

#endif
