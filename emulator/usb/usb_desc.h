/* SPDX-License-Identifier: MIT */
/* USB descriptors declared as const data and serialized on request.
 *
 * A device is a tree: usb_desc_device -> usb_desc_config -> usb_desc_iface ->
 * usb_desc_endpoint, with class-specific bytes (usb_desc_other) emitted right
 * after their interface. wTotalLength and bNumInterfaces are computed, never typed in.
 * Each serializer returns the bytes written, or a negative dfk_err when `len` is too small.
 */
#ifndef DFK_USB_DESC_H
#define DFK_USB_DESC_H

#include <stddef.h>
#include <stdint.h>

/* bDescriptorType values (USB 3.2 table 9-6) */
#define USB_DT_DEVICE                 0x01
#define USB_DT_CONFIG                 0x02
#define USB_DT_STRING                 0x03
#define USB_DT_INTERFACE              0x04
#define USB_DT_ENDPOINT               0x05
#define USB_DT_DEVICE_QUALIFIER       0x06
#define USB_DT_INTERFACE_ASSOCIATION  0x0B
#define USB_DT_BOS                    0x0F
#define USB_DT_DEVICE_CAPABILITY      0x10
#define USB_DT_SS_ENDPOINT_COMP       0x30

#define USB_DT_DEVICE_SIZE            18
#define USB_DT_CONFIG_SIZE            9
#define USB_DT_INTERFACE_SIZE         9
#define USB_DT_ENDPOINT_SIZE          7
#define USB_DT_SS_EP_COMP_SIZE        6
#define USB_DT_IAD_SIZE               8
#define USB_DT_BOS_SIZE               5
#define USB_DT_USB2_EXT_SIZE          7
#define USB_DT_SS_CAP_SIZE            10

#define USB_CAP_TYPE_USB2_EXT         0x02
#define USB_CAP_TYPE_SUPERSPEED       0x03

#define USB_ENDPOINT_DIR_IN           0x80
#define USB_ENDPOINT_XFER_CONTROL     0x00
#define USB_ENDPOINT_XFER_BULK        0x02

#define USB_LANGID_EN_US              0x0409

struct usb_desc_endpoint {
	uint8_t bEndpointAddress;
	uint8_t bmAttributes;
	uint16_t wMaxPacketSize;
	uint8_t bInterval;
	/* SuperSpeed endpoint companion (always emitted: the device is SuperSpeed) */
	uint8_t bMaxBurst;
	uint8_t bmCompAttributes;
	uint16_t wBytesPerInterval;
};

struct usb_desc_other {
	const uint8_t *data;   /* complete descriptor, bLength first */
	size_t len;
};

struct usb_desc_iface {
	uint8_t bInterfaceNumber;
	uint8_t bAlternateSetting;
	uint8_t bInterfaceClass;
	uint8_t bInterfaceSubClass;
	uint8_t bInterfaceProtocol;
	uint8_t iInterface;
	const struct usb_desc_other *extra;   /* emitted directly after the interface descriptor */
	size_t n_extra;
	const struct usb_desc_endpoint *eps;
	size_t n_eps;
};

struct usb_desc_iad {
	uint8_t bFirstInterface;
	uint8_t bInterfaceCount;
	uint8_t bFunctionClass;
	uint8_t bFunctionSubClass;
	uint8_t bFunctionProtocol;
	uint8_t iFunction;
};

struct usb_desc_config {
	uint8_t bConfigurationValue;
	uint8_t iConfiguration;
	uint8_t bmAttributes;
	uint8_t bMaxPower;              /* SuperSpeed: units of 8 mA */
	const struct usb_desc_iad *iad; /* optional, emitted before the first interface */
	const struct usb_desc_iface *ifaces;
	size_t n_ifaces;
};

struct usb_desc_bos {
	uint32_t usb2_bmAttributes;      /* USB 2.0 extension capability */
	uint8_t ss_bmAttributes;         /* SuperSpeed capability */
	uint16_t ss_wSpeedsSupported;
	uint8_t ss_bFunctionalitySupport;
	uint8_t ss_bU1DevExitLat;        /* 0 and 0: the kernel then leaves LPM off */
	uint16_t ss_wU2DevExitLat;
};

struct usb_desc_device {
	uint16_t bcdUSB;
	uint8_t bDeviceClass;
	uint8_t bDeviceSubClass;
	uint8_t bDeviceProtocol;
	uint8_t bMaxPacketSize0;         /* SuperSpeed: exponent, 9 = 512 bytes */
	uint16_t idVendor;
	uint16_t idProduct;
	uint16_t bcdDevice;
	uint8_t iManufacturer;
	uint8_t iProduct;
	uint8_t iSerialNumber;
	const struct usb_desc_config *configs;
	size_t n_configs;
	const struct usb_desc_bos *bos;
};

int usb_desc_device_write(const struct usb_desc_device *d, uint8_t *dest, size_t len);
/* The whole configuration tree (config + IAD + interfaces + extras + endpoints + companions). */
int usb_desc_config_write(const struct usb_desc_config *c, uint8_t *dest, size_t len);
int usb_desc_bos_write(const struct usb_desc_bos *b, uint8_t *dest, size_t len);
/* String descriptor from ASCII text (UTF-16LE on the wire); at most 126 characters. */
int usb_desc_string_write(const char *ascii, uint8_t *dest, size_t len);
/* String descriptor 0: the language id table. */
int usb_desc_langids_write(uint8_t *dest, size_t len);

const struct usb_desc_endpoint *usb_desc_find_endpoint(const struct usb_desc_config *c, uint8_t addr,
						       const struct usb_desc_iface **iface);

#endif
