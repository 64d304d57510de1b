/* SPDX-License-Identifier: MIT */
/* USB descriptors of a USB3 Vision camera (U3V 1.0 chapter 3): IAD + control
 * interface (bulk OUT/IN, same endpoint number) + event interface (bulk IN) +
 * streaming interface (bulk IN), SuperSpeed companions, BOS, and the class-specific
 * Device Info descriptor placed directly after the control interface. */
#ifndef DFK_U3V_DESC_H
#define DFK_U3V_DESC_H

#include <stdint.h>

#include "../usb/usb_desc.h"

#define U3V_EP_CONTROL_OUT   0x01
#define U3V_EP_CONTROL_IN    0x81
#define U3V_EP_EVENT_IN      0x82
#define U3V_EP_STREAM_IN     0x83
#define U3V_MAX_PACKET       1024

#define U3V_CLASS            0xEF
#define U3V_SUBCLASS         0x05
#define U3V_PROTOCOL_CONTROL 0x00
#define U3V_PROTOCOL_EVENT   0x01
#define U3V_PROTOCOL_STREAM  0x02

#define U3V_DT_DEVICE_INFO   0x24
#define U3V_DEVICE_INFO_SIZE 20

/* String descriptor indices used by the tables */
enum u3v_string_index {
	U3V_STR_MANUFACTURER = 1,
	U3V_STR_PRODUCT,
	U3V_STR_SERIAL,
	U3V_STR_FUNCTION,        /* "USB3 Vision", the IAD's iFunction */
	U3V_STR_GUID,
	U3V_STR_VENDOR_NAME,
	U3V_STR_MODEL_NAME,
	U3V_STR_FAMILY_NAME,
	U3V_STR_DEVICE_VERSION,
	U3V_STR_MANUFACTURER_INFO,
	U3V_STR_USER_NAME,
	U3V_STR_COUNT
};

struct u3v_descriptors {
	struct usb_desc_device device;
	struct usb_desc_config config;
	struct usb_desc_iad iad;
	struct usb_desc_iface ifaces[3];
	struct usb_desc_endpoint control_eps[2], event_ep, stream_ep;
	struct usb_desc_other device_info;
	uint8_t device_info_bytes[U3V_DEVICE_INFO_SIZE];
	struct usb_desc_bos bos;
};

void u3v_descriptors_init(struct u3v_descriptors *d, uint16_t vendor_id, uint16_t product_id, uint16_t bcd_device);

#endif
