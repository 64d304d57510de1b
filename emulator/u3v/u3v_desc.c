/* SPDX-License-Identifier: MIT */
#include "u3v_desc.h"

#include <string.h>

#include "../common/bytes.h"

void u3v_descriptors_init(struct u3v_descriptors *d, uint16_t vendor_id, uint16_t product_id, uint16_t bcd_device)
{
	memset(d, 0, sizeof(*d));

	/* U3V 3.1: class triple of a device with an interface association */
	d->device = (struct usb_desc_device){
		.bcdUSB = 0x0310, .bDeviceClass = 0xEF, .bDeviceSubClass = 0x02, .bDeviceProtocol = 0x01,
		.bMaxPacketSize0 = 9, .idVendor = vendor_id, .idProduct = product_id, .bcdDevice = bcd_device,
		.iManufacturer = U3V_STR_MANUFACTURER, .iProduct = U3V_STR_PRODUCT, .iSerialNumber = U3V_STR_SERIAL,
		.configs = &d->config, .n_configs = 1, .bos = &d->bos,
	};
	/* USB 3.2 9.6.2.1: a SuperSpeed device sets the LPM bit of its USB 2.0 extension.
	 * U1/U2 exit latencies of 0: the host leaves link power management off.
	 * wSpeedsSupported FS|HS|SS with bFunctionalitySupport 3 (SuperSpeed): the USB 3
	 * controller can connect at any speed, but all of the camera's function (and the U3V
	 * Device Info's bmSpeedSupport below) needs SuperSpeed -- the values of the USB 3
	 * controller vendor's reference firmware (docs/manual-quirks.md L). */
	d->bos = (struct usb_desc_bos){
		.usb2_bmAttributes = 0x00000002, .ss_bmAttributes = 0, .ss_wSpeedsSupported = 0x000E,
		.ss_bFunctionalitySupport = 3, .ss_bU1DevExitLat = 0, .ss_wU2DevExitLat = 0,
	};

	/* Device Info descriptor, U3V table 3-3 */
	uint8_t *p = d->device_info_bytes;
	p[0] = U3V_DEVICE_INFO_SIZE;
	p[1] = U3V_DT_DEVICE_INFO;
	p[2] = 0x01;                               /* subtype: device info */
	put_le16(p + 3, 0);                        /* GenCP version minor */
	put_le16(p + 5, 1);                        /* GenCP version major */
	put_le16(p + 7, 0);                        /* U3V version minor */
	put_le16(p + 9, 1);                        /* U3V version major */
	p[11] = U3V_STR_GUID;
	p[12] = U3V_STR_VENDOR_NAME;
	p[13] = U3V_STR_MODEL_NAME;
	p[14] = U3V_STR_FAMILY_NAME;
	p[15] = U3V_STR_DEVICE_VERSION;
	p[16] = U3V_STR_MANUFACTURER_INFO;
	p[17] = U3V_STR_SERIAL;
	p[18] = U3V_STR_USER_NAME;
	p[19] = 1u << 3;                           /* bmSpeedSupport: SuperSpeed */
	d->device_info = (struct usb_desc_other){ .data = d->device_info_bytes, .len = U3V_DEVICE_INFO_SIZE };

	/* Control OUT and IN share endpoint number 1 (hosts such as Aravis rely on it). */
	d->control_eps[0] = (struct usb_desc_endpoint){ .bEndpointAddress = U3V_EP_CONTROL_OUT,
		.bmAttributes = USB_ENDPOINT_XFER_BULK, .wMaxPacketSize = U3V_MAX_PACKET };
	d->control_eps[1] = (struct usb_desc_endpoint){ .bEndpointAddress = U3V_EP_CONTROL_IN,
		.bmAttributes = USB_ENDPOINT_XFER_BULK, .wMaxPacketSize = U3V_MAX_PACKET };
	d->event_ep = (struct usb_desc_endpoint){ .bEndpointAddress = U3V_EP_EVENT_IN,
		.bmAttributes = USB_ENDPOINT_XFER_BULK, .wMaxPacketSize = U3V_MAX_PACKET };
	d->stream_ep = (struct usb_desc_endpoint){ .bEndpointAddress = U3V_EP_STREAM_IN,
		.bmAttributes = USB_ENDPOINT_XFER_BULK, .wMaxPacketSize = U3V_MAX_PACKET, .bMaxBurst = 15 };

	d->ifaces[0] = (struct usb_desc_iface){ .bInterfaceNumber = 0, .bInterfaceClass = U3V_CLASS,
		.bInterfaceSubClass = U3V_SUBCLASS, .bInterfaceProtocol = U3V_PROTOCOL_CONTROL,
		.extra = &d->device_info, .n_extra = 1, .eps = d->control_eps, .n_eps = 2 };
	d->ifaces[1] = (struct usb_desc_iface){ .bInterfaceNumber = 1, .bInterfaceClass = U3V_CLASS,
		.bInterfaceSubClass = U3V_SUBCLASS, .bInterfaceProtocol = U3V_PROTOCOL_EVENT,
		.eps = &d->event_ep, .n_eps = 1 };
	d->ifaces[2] = (struct usb_desc_iface){ .bInterfaceNumber = 2, .bInterfaceClass = U3V_CLASS,
		.bInterfaceSubClass = U3V_SUBCLASS, .bInterfaceProtocol = U3V_PROTOCOL_STREAM,
		.eps = &d->stream_ep, .n_eps = 1 };
	d->iad = (struct usb_desc_iad){ .bFirstInterface = 0, .bInterfaceCount = 3, .bFunctionClass = U3V_CLASS,
		.bFunctionSubClass = U3V_SUBCLASS, .bFunctionProtocol = 0, .iFunction = U3V_STR_FUNCTION };
	/* bus powered; 100 x 8 mA = 800 mA, the manual's current consumption */
	d->config = (struct usb_desc_config){ .bConfigurationValue = 1, .iConfiguration = 0, .bmAttributes = 0x80,
		.bMaxPower = 100, .iad = &d->iad, .ifaces = d->ifaces, .n_ifaces = 3 };
}
