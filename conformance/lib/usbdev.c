/* SPDX-License-Identifier: MIT */
#include "usbdev.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define TIMEOUT 2000

int usbdev_get_descriptor(struct usbdev *d, uint8_t type, uint8_t index, uint16_t lang, uint8_t *buf, uint16_t len)
{
	uint16_t value = (uint16_t)(type << 8 | index);

	return d->x->ops->control(d->x, USB_RT_DEVICE_IN, USB_REQ_GET_DESCRIPTOR, value, lang, buf, len, TIMEOUT);
}

int usbdev_string(struct usbdev *d, uint8_t index, char *out, size_t len)
{
	uint8_t buf[255];
	int n, k = 0;

	if (index == 0) {
		out[0] = '\0';
		return 0;
	}
	n = usbdev_get_descriptor(d, USB_DESC_STRING, index, USB_LANGID_EN_US, buf, sizeof(buf));
	if (n < 0)
		return n;
	if (n < 2 || buf[1] != USB_DESC_STRING || buf[0] > n)
		return -EPROTO;
	for (int i = 2; i + 1 < buf[0] && (size_t)k + 1 < len; i += 2)
		out[k++] = buf[i + 1] ? '?' : (char)buf[i];
	out[k] = '\0';
	return k;
}

static void find_u3v(struct usbdev *d)
{
	const uint8_t *p = d->config, *end = d->config + d->config_len;
	int cur_if = -1, cur_proto = -1;
	bool just_saw_control_if = false;

	memset(&d->u3v, 0, sizeof(d->u3v));
	d->u3v.control_if = d->u3v.event_if = d->u3v.stream_if = -1;
	d->uvc_vc_if = -1;
	while (p + 2 <= end && p[0] >= 2 && p + p[0] <= end) {
		switch (p[1]) {
		case USB_DESC_INTERFACE:
			if (p[0] >= 9 && p[3] == 0 && p[5] == 0x0E && p[6] == 0x01 && d->uvc_vc_if < 0)
				d->uvc_vc_if = p[2];
			if (p[0] >= 9 && p[3] == 0) {
				cur_if = p[2];
				cur_proto = (p[5] == 0xEF && p[6] == 0x05) ? p[7] : -1;
				if (cur_proto == 0)
					d->u3v.control_if = cur_if;
				else if (cur_proto == 1)
					d->u3v.event_if = cur_if;
				else if (cur_proto == 2)
					d->u3v.stream_if = cur_if;
				just_saw_control_if = cur_proto == 0;
				p += p[0];
				continue;
			}
			break;
		case USB_DESC_U3V_CLASS:
			if (cur_proto == 0 && p[0] >= 20 && p[2] == 0x01 && !d->u3v.device_info) {
				d->u3v.device_info = p;
				d->u3v.device_info_first = just_saw_control_if;
			}
			break;
		case USB_DESC_ENDPOINT:
			if (p[0] >= 7 && (p[3] & 3) == 2) {
				uint8_t ep = p[2];
				if (cur_proto == 0 && !(ep & USB_DIR_IN) && !d->u3v.ep_ctrl_out)
					d->u3v.ep_ctrl_out = ep;
				else if (cur_proto == 0 && (ep & USB_DIR_IN) && !d->u3v.ep_ctrl_in)
					d->u3v.ep_ctrl_in = ep;
				else if (cur_proto == 1 && (ep & USB_DIR_IN) && !d->u3v.ep_event)
					d->u3v.ep_event = ep;
				else if (cur_proto == 2 && (ep & USB_DIR_IN) && !d->u3v.ep_stream)
					d->u3v.ep_stream = ep;
			}
			break;
		default:
			break;
		}
		just_saw_control_if = false;
		p += p[0];
	}
}

int usbdev_probe(struct usbdev *d, struct xport *x, char *msg, size_t msglen)
{
	uint8_t head[9];
	int n;

	memset(d, 0, sizeof(*d));
	d->x = x;
	n = usbdev_get_descriptor(d, USB_DESC_DEVICE, 0, 0, d->dev_desc, sizeof(d->dev_desc));
	if (n != 18 || d->dev_desc[1] != USB_DESC_DEVICE) {
		snprintf(msg, msglen, "device descriptor: %s", n < 0 ? strerror(-n) : "wrong length or type");
		return n < 0 ? n : -EPROTO;
	}
	n = usbdev_get_descriptor(d, USB_DESC_CONFIGURATION, 0, 0, head, sizeof(head));
	if (n != 9 || head[1] != USB_DESC_CONFIGURATION) {
		snprintf(msg, msglen, "configuration descriptor header: %s", n < 0 ? strerror(-n) : "wrong length");
		return n < 0 ? n : -EPROTO;
	}
	uint16_t total = rd_le16(head + 2);
	if (total > sizeof(d->config) || total < 9) {
		snprintf(msg, msglen, "configuration wTotalLength %u out of range", total);
		return -EPROTO;
	}
	n = usbdev_get_descriptor(d, USB_DESC_CONFIGURATION, 0, 0, d->config, total);
	if (n != total) {
		snprintf(msg, msglen, "configuration descriptor: %d of %u bytes", n, total);
		return n < 0 ? n : -EPROTO;
	}
	d->config_len = n;
	n = usbdev_get_descriptor(d, USB_DESC_BOS, 0, 0, d->bos, 5);
	if (n == 5 && rd_le16(d->bos + 2) <= sizeof(d->bos))
		n = usbdev_get_descriptor(d, USB_DESC_BOS, 0, 0, d->bos, rd_le16(d->bos + 2));
	d->bos_len = n > 0 ? n : 0;
	usbdev_string(d, d->dev_desc[14], d->manufacturer, sizeof(d->manufacturer));
	usbdev_string(d, d->dev_desc[15], d->product, sizeof(d->product));
	usbdev_string(d, d->dev_desc[16], d->serial, sizeof(d->serial));
	find_u3v(d);
	if (xport_has(x, XPORT_CAP_SET_CONFIGURATION)) {
		/* what the kernel does during enumeration */
		n = x->ops->control(x, USB_RT_DEVICE_OUT, USB_REQ_SET_CONFIGURATION, d->config[5], 0, NULL, 0, TIMEOUT);
		if (n < 0) {
			snprintf(msg, msglen, "SET_CONFIGURATION(%u): %s", d->config[5], strerror(-n));
			return n;
		}
	}
	if (d->u3v.control_if < 0 || !d->u3v.ep_ctrl_out || !d->u3v.ep_ctrl_in) {
		snprintf(msg, msglen, "no USB3 Vision control interface (class EF/05/00 with bulk OUT and IN)");
		return -ENODEV;
	}
	return 0;
}
