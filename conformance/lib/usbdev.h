/* SPDX-License-Identifier: MIT */
/* The device as the host finds it: descriptors parsed defensively (lengths
 * and types checked, as libusb does), USB3 Vision interfaces located. */
#ifndef CONFORM_USBDEV_H
#define CONFORM_USBDEV_H

#include <stdbool.h>
#include <stdint.h>

#include "xport.h"

struct u3v_ifaces {
	int control_if, event_if, stream_if;          /* -1 when absent */
	uint8_t ep_ctrl_out, ep_ctrl_in, ep_event, ep_stream;
	const uint8_t *device_info;                   /* 20-byte U3V device info descriptor, or NULL */
	bool device_info_first;                       /* it directly follows the control interface descriptor */
};

struct usbdev {
	struct xport *x;
	uint8_t dev_desc[18];
	uint8_t config[4096];
	int config_len;
	uint8_t bos[256];
	int bos_len;
	struct u3v_ifaces u3v;
	int uvc_vc_if;            /* a USB Video Class VideoControl interface (0e/01), or -1 */
	char manufacturer[128], product[128], serial[128];
};

/* Reads descriptors and strings; for a userspace USB/IP client also selects
 * configuration 1 (the kernel does that itself). Returns 0 or -errno; `msg` says why. */
int usbdev_probe(struct usbdev *d, struct xport *x, char *msg, size_t msglen);
/* String descriptor `index` as ASCII. Returns its length or -errno. */
int usbdev_string(struct usbdev *d, uint8_t index, char *out, size_t len);
int usbdev_get_descriptor(struct usbdev *d, uint8_t type, uint8_t index, uint16_t lang, uint8_t *buf, uint16_t len);

#endif
