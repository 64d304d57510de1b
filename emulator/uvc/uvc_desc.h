/* SPDX-License-Identifier: MIT */
/* Descriptors of the UVC face: device, IAD, the VideoControl interface (camera
 * terminal 1 -> processing unit 2 -> extension unit 3 -> output terminal 4) and
 * the VideoStreaming interface (one alternate setting, bulk IN 0x81) with one
 * uncompressed format descriptor per entry of struct uvc_formats. The
 * class-specific bytes are built from data at start-up; lengths and links
 * (wTotalLength, bSourceID, bTerminalLink) are computed, never typed in. */
#ifndef DFK_UVC_DESC_H
#define DFK_UVC_DESC_H

#include <stddef.h>
#include <stdint.h>

#include "../usb/usb_desc.h"
#include "uvc_formats.h"

/* Interfaces, entities, endpoint */
#define UVC_IFACE_CONTROL     0
#define UVC_IFACE_STREAMING   1
#define UVC_ENTITY_CT         1   /* camera terminal */
#define UVC_ENTITY_PU         2   /* processing unit */
#define UVC_ENTITY_XU         3   /* The Imaging Source's USB3 extension unit */
#define UVC_ENTITY_OT         4   /* USB streaming output terminal */
#define UVC_EP_VIDEO_IN       0x81
#define UVC_MAX_PACKET        1024

#define UVC_BCD               0x0150
#define UVC_CLOCK_HZ          1000000u   /* dwClockFrequency: PTS and SCR count microseconds */

/* String descriptor indexes */
enum { UVC_STR_MANUFACTURER = 1, UVC_STR_PRODUCT, UVC_STR_SERIAL, UVC_STR_FUNCTION, UVC_STR_COUNT };

/* bmControls of the CT and PU (3 bytes each) and the XU (13 bytes: selectors up to 0x68) */
#define UVC_CT_CONTROL_BYTES  3
#define UVC_PU_CONTROL_BYTES  3
#define UVC_XU_CONTROL_BYTES  13

extern const uint8_t uvc_xu_guid[16];

struct uvc_desc_params {
	uint16_t vendor_id, product_id, bcd_device;
	uint8_t ct_controls[UVC_CT_CONTROL_BYTES];
	uint8_t pu_controls[UVC_PU_CONTROL_BYTES];
	uint8_t xu_controls[UVC_XU_CONTROL_BYTES];
	uint8_t xu_num_controls;
	const struct uvc_formats *formats;
};

#define UVC_VC_BYTES_MAX 128
#define UVC_VS_BYTES_MAX (32 + UVC_MAX_FORMATS * (27 + 6 + UVC_MAX_FRAMES * (26 + 4 * UVC_MAX_INTERVALS)))

struct uvc_descriptors {
	struct usb_desc_device device;
	struct usb_desc_bos bos;
	struct usb_desc_config config;
	struct usb_desc_iad iad;
	struct usb_desc_iface ifaces[2];
	struct usb_desc_endpoint video_ep;
	struct usb_desc_other vc_extra, vs_extra;
	uint8_t vc_bytes[UVC_VC_BYTES_MAX];
	uint8_t vs_bytes[UVC_VS_BYTES_MAX];
};

/* Returns 0 or DFK_ERR_INVAL (more formats/frames than the buffers hold). */
int uvc_descriptors_build(struct uvc_descriptors *d, const struct uvc_desc_params *p);

#endif
