/* SPDX-License-Identifier: MIT */
#include "usb_desc.h"

#include <string.h>

#include "../common/bytes.h"
#include "../common/errors.h"

int usb_desc_device_write(const struct usb_desc_device *d, uint8_t *dest, size_t len)
{
	if (len < USB_DT_DEVICE_SIZE)
		return DFK_ERR_RANGE;
	dest[0] = USB_DT_DEVICE_SIZE;
	dest[1] = USB_DT_DEVICE;
	put_le16(dest + 2, d->bcdUSB);
	dest[4] = d->bDeviceClass;
	dest[5] = d->bDeviceSubClass;
	dest[6] = d->bDeviceProtocol;
	dest[7] = d->bMaxPacketSize0;
	put_le16(dest + 8, d->idVendor);
	put_le16(dest + 10, d->idProduct);
	put_le16(dest + 12, d->bcdDevice);
	dest[14] = d->iManufacturer;
	dest[15] = d->iProduct;
	dest[16] = d->iSerialNumber;
	dest[17] = (uint8_t)d->n_configs;
	return USB_DT_DEVICE_SIZE;
}

static int write_endpoint(const struct usb_desc_endpoint *ep, uint8_t *dest, size_t len)
{
	if (len < USB_DT_ENDPOINT_SIZE + USB_DT_SS_EP_COMP_SIZE)
		return DFK_ERR_RANGE;
	dest[0] = USB_DT_ENDPOINT_SIZE;
	dest[1] = USB_DT_ENDPOINT;
	dest[2] = ep->bEndpointAddress;
	dest[3] = ep->bmAttributes;
	put_le16(dest + 4, ep->wMaxPacketSize);
	dest[6] = ep->bInterval;
	dest += USB_DT_ENDPOINT_SIZE;
	dest[0] = USB_DT_SS_EP_COMP_SIZE;
	dest[1] = USB_DT_SS_ENDPOINT_COMP;
	dest[2] = ep->bMaxBurst;
	dest[3] = ep->bmCompAttributes;
	put_le16(dest + 4, ep->wBytesPerInterval);
	return USB_DT_ENDPOINT_SIZE + USB_DT_SS_EP_COMP_SIZE;
}

static int write_iface(const struct usb_desc_iface *in, uint8_t *dest, size_t len)
{
	size_t pos = USB_DT_INTERFACE_SIZE;

	if (len < USB_DT_INTERFACE_SIZE)
		return DFK_ERR_RANGE;
	dest[0] = USB_DT_INTERFACE_SIZE;
	dest[1] = USB_DT_INTERFACE;
	dest[2] = in->bInterfaceNumber;
	dest[3] = in->bAlternateSetting;
	dest[4] = (uint8_t)in->n_eps;
	dest[5] = in->bInterfaceClass;
	dest[6] = in->bInterfaceSubClass;
	dest[7] = in->bInterfaceProtocol;
	dest[8] = in->iInterface;
	for (size_t i = 0; i < in->n_extra; i++) {
		if (len - pos < in->extra[i].len)
			return DFK_ERR_RANGE;
		memcpy(dest + pos, in->extra[i].data, in->extra[i].len);
		pos += in->extra[i].len;
	}
	for (size_t i = 0; i < in->n_eps; i++) {
		int n = write_endpoint(&in->eps[i], dest + pos, len - pos);
		if (n < 0)
			return n;
		pos += (size_t)n;
	}
	return (int)pos;
}

int usb_desc_config_write(const struct usb_desc_config *c, uint8_t *dest, size_t len)
{
	size_t pos = USB_DT_CONFIG_SIZE;
	uint8_t n_ifaces = 0;

	if (len < USB_DT_CONFIG_SIZE)
		return DFK_ERR_RANGE;
	if (c->iad) {
		if (len - pos < USB_DT_IAD_SIZE)
			return DFK_ERR_RANGE;
		uint8_t *p = dest + pos;
		p[0] = USB_DT_IAD_SIZE;
		p[1] = USB_DT_INTERFACE_ASSOCIATION;
		p[2] = c->iad->bFirstInterface;
		p[3] = c->iad->bInterfaceCount;
		p[4] = c->iad->bFunctionClass;
		p[5] = c->iad->bFunctionSubClass;
		p[6] = c->iad->bFunctionProtocol;
		p[7] = c->iad->iFunction;
		pos += USB_DT_IAD_SIZE;
	}
	for (size_t i = 0; i < c->n_ifaces; i++) {
		int n = write_iface(&c->ifaces[i], dest + pos, len - pos);
		if (n < 0)
			return n;
		pos += (size_t)n;
		if (c->ifaces[i].bAlternateSetting == 0)
			n_ifaces++;
	}
	if (pos > 0xFFFF)
		return DFK_ERR_RANGE;
	dest[0] = USB_DT_CONFIG_SIZE;
	dest[1] = USB_DT_CONFIG;
	put_le16(dest + 2, (uint16_t)pos);
	dest[4] = n_ifaces;
	dest[5] = c->bConfigurationValue;
	dest[6] = c->iConfiguration;
	dest[7] = c->bmAttributes;
	dest[8] = c->bMaxPower;
	return (int)pos;
}

int usb_desc_bos_write(const struct usb_desc_bos *b, uint8_t *dest, size_t len)
{
	const size_t total = USB_DT_BOS_SIZE + USB_DT_USB2_EXT_SIZE + USB_DT_SS_CAP_SIZE;
	uint8_t *p;

	if (len < total)
		return DFK_ERR_RANGE;
	dest[0] = USB_DT_BOS_SIZE;
	dest[1] = USB_DT_BOS;
	put_le16(dest + 2, (uint16_t)total);
	dest[4] = 2;
	p = dest + USB_DT_BOS_SIZE;
	p[0] = USB_DT_USB2_EXT_SIZE;
	p[1] = USB_DT_DEVICE_CAPABILITY;
	p[2] = USB_CAP_TYPE_USB2_EXT;
	put_le32(p + 3, b->usb2_bmAttributes);
	p += USB_DT_USB2_EXT_SIZE;
	p[0] = USB_DT_SS_CAP_SIZE;
	p[1] = USB_DT_DEVICE_CAPABILITY;
	p[2] = USB_CAP_TYPE_SUPERSPEED;
	p[3] = b->ss_bmAttributes;
	put_le16(p + 4, b->ss_wSpeedsSupported);
	p[6] = b->ss_bFunctionalitySupport;
	p[7] = b->ss_bU1DevExitLat;
	put_le16(p + 8, b->ss_wU2DevExitLat);
	return (int)total;
}

int usb_desc_string_write(const char *ascii, uint8_t *dest, size_t len)
{
	size_t n = strlen(ascii);

	if (n > 126)
		n = 126;
	if (len < 2 + 2 * n)
		return DFK_ERR_RANGE;
	dest[0] = (uint8_t)(2 + 2 * n);
	dest[1] = USB_DT_STRING;
	for (size_t i = 0; i < n; i++)
		put_le16(dest + 2 + 2 * i, (uint8_t)ascii[i]);
	return (int)(2 + 2 * n);
}

int usb_desc_langids_write(uint8_t *dest, size_t len)
{
	if (len < 4)
		return DFK_ERR_RANGE;
	dest[0] = 4;
	dest[1] = USB_DT_STRING;
	put_le16(dest + 2, USB_LANGID_EN_US);
	return 4;
}

const struct usb_desc_endpoint *usb_desc_find_endpoint(const struct usb_desc_config *c, uint8_t addr,
						       const struct usb_desc_iface **iface)
{
	for (size_t i = 0; i < c->n_ifaces; i++) {
		for (size_t e = 0; e < c->ifaces[i].n_eps; e++) {
			if (c->ifaces[i].eps[e].bEndpointAddress == addr) {
				if (iface)
					*iface = &c->ifaces[i];
				return &c->ifaces[i].eps[e];
			}
		}
	}
	return NULL;
}
