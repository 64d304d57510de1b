/* SPDX-License-Identifier: MIT */
#include "uvc_desc.h"

#include <string.h>

#include "../common/bytes.h"
#include "../common/errors.h"
#include "uvc_defs.h"

/* 0aba49de-5c0b-49d5-8f71-0be40f94a67a as its descriptor bytes: the GUID string's
 * bytes in order, as The Imaging Source's USB3 cameras and their loader use it. */
const uint8_t uvc_xu_guid[16] = { 0x0A, 0xBA, 0x49, 0xDE, 0x5C, 0x0B, 0x49, 0xD5,
				  0x8F, 0x71, 0x0B, 0xE4, 0x0F, 0x94, 0xA6, 0x7A };

/* A bounded writer: every put checks the room left once, here. */
struct wr {
	uint8_t *p;
	size_t len, cap;
	int err;
};

static uint8_t *take(struct wr *w, size_t n)
{
	uint8_t *at;

	if (w->err || n > w->cap - w->len) {
		w->err = DFK_ERR_INVAL;
		return NULL;
	}
	at = w->p + w->len;
	memset(at, 0, n);
	w->len += n;
	return at;
}

static void vc_descriptors(struct wr *w, const struct uvc_desc_params *p)
{
	uint8_t *hdr = take(w, 13), *d;
	size_t start = w->len - 13;

	if (hdr) {
		hdr[0] = 13;
		hdr[1] = UVC_CS_INTERFACE;
		hdr[2] = UVC_VC_HEADER;
		put_le16(hdr + 3, UVC_BCD);
		put_le32(hdr + 7, UVC_CLOCK_HZ);
		hdr[11] = 1;                       /* bInCollection */
		hdr[12] = UVC_IFACE_STREAMING;     /* baInterfaceNr(1) */
	}
	/* camera terminal (3.7.2.3) */
	if ((d = take(w, 15 + UVC_CT_CONTROL_BYTES))) {
		d[0] = 15 + UVC_CT_CONTROL_BYTES;
		d[1] = UVC_CS_INTERFACE;
		d[2] = UVC_VC_INPUT_TERMINAL;
		d[3] = UVC_ENTITY_CT;
		put_le16(d + 4, UVC_ITT_CAMERA);
		d[14] = UVC_CT_CONTROL_BYTES;
		memcpy(d + 15, p->ct_controls, UVC_CT_CONTROL_BYTES);
	}
	/* processing unit, UVC 1.1+ layout with bmVideoStandards (3.7.2.5) */
	if ((d = take(w, 10 + UVC_PU_CONTROL_BYTES))) {
		d[0] = 10 + UVC_PU_CONTROL_BYTES;
		d[1] = UVC_CS_INTERFACE;
		d[2] = UVC_VC_PROCESSING_UNIT;
		d[3] = UVC_ENTITY_PU;
		d[4] = UVC_ENTITY_CT;
		d[7] = UVC_PU_CONTROL_BYTES;
		memcpy(d + 8, p->pu_controls, UVC_PU_CONTROL_BYTES);
	}
	/* extension unit, one input pin (3.7.2.7) */
	if ((d = take(w, 24 + 1 + UVC_XU_CONTROL_BYTES))) {
		d[0] = 24 + 1 + UVC_XU_CONTROL_BYTES;
		d[1] = UVC_CS_INTERFACE;
		d[2] = UVC_VC_EXTENSION_UNIT;
		d[3] = UVC_ENTITY_XU;
		memcpy(d + 4, uvc_xu_guid, 16);
		d[20] = p->xu_num_controls;
		d[21] = 1;
		d[22] = UVC_ENTITY_PU;
		d[23] = UVC_XU_CONTROL_BYTES;
		memcpy(d + 24, p->xu_controls, UVC_XU_CONTROL_BYTES);
	}
	/* output terminal (3.7.2.2) */
	if ((d = take(w, 9))) {
		d[0] = 9;
		d[1] = UVC_CS_INTERFACE;
		d[2] = UVC_VC_OUTPUT_TERMINAL;
		d[3] = UVC_ENTITY_OT;
		put_le16(d + 4, UVC_TT_STREAMING);
		d[7] = UVC_ENTITY_XU;
	}
	if (hdr && !w->err)
		put_le16(hdr + 5, (uint16_t)(w->len - start));
}

static uint32_t bit_rate(const struct uvc_frame *fr, uint8_t bpp, uint32_t interval)
{
	uint64_t bits = (uint64_t)fr->width * fr->height * bpp * 10000000ull / interval;

	return bits > UINT32_MAX ? UINT32_MAX : (uint32_t)bits;
}

static void vs_descriptors(struct wr *w, const struct uvc_formats *f)
{
	size_t hlen = 13 + f->n, start = w->len;
	uint8_t *hdr = take(w, hlen), *d;

	if (hdr) {
		hdr[0] = (uint8_t)hlen;
		hdr[1] = UVC_CS_INTERFACE;
		hdr[2] = UVC_VS_INPUT_HEADER;
		hdr[3] = f->n;
		hdr[6] = UVC_EP_VIDEO_IN;
		hdr[8] = UVC_ENTITY_OT;            /* bTerminalLink */
		hdr[12] = 1;                       /* bControlSize; bmaControls all 0 */
	}
	for (uint8_t i = 0; i < f->n; i++) {
		const struct uvc_format *fmt = &f->fmt[i];
		if ((d = take(w, 27))) {
			d[0] = 27;
			d[1] = UVC_CS_INTERFACE;
			d[2] = UVC_VS_FORMAT_UNCOMPRESSED;
			d[3] = (uint8_t)(i + 1);
			d[4] = fmt->n_frames;
			memcpy(d + 5, fmt->guid, 16);
			d[21] = fmt->bits_per_pixel;
			d[22] = 1;                 /* bDefaultFrameIndex: the full sensor */
		}
		for (uint8_t j = 0; j < fmt->n_frames; j++) {
			const struct uvc_frame *fr = &fmt->frames[j];
			size_t len = 26 + 4u * fr->n_intervals;
			if (!(d = take(w, len)))
				break;
			d[0] = (uint8_t)len;
			d[1] = UVC_CS_INTERFACE;
			d[2] = UVC_VS_FRAME_UNCOMPRESSED;
			d[3] = (uint8_t)(j + 1);
			put_le16(d + 5, fr->width);
			put_le16(d + 7, fr->height);
			put_le32(d + 9, bit_rate(fr, fmt->bits_per_pixel, fr->intervals[fr->n_intervals - 1]));
			put_le32(d + 13, bit_rate(fr, fmt->bits_per_pixel, fr->intervals[0]));
			put_le32(d + 17, fr->max_frame_size);
			put_le32(d + 21, fr->intervals[0]);   /* default: the fastest rate */
			d[25] = fr->n_intervals;
			for (uint8_t k = 0; k < fr->n_intervals; k++)
				put_le32(d + 26 + 4 * k, fr->intervals[k]);
		}
		/* colour matching: sRGB / BT.709 primaries and transfer, SMPTE 170M matrix (the defaults) */
		if ((d = take(w, 6))) {
			d[0] = 6;
			d[1] = UVC_CS_INTERFACE;
			d[2] = UVC_VS_COLORFORMAT;
			d[3] = 1;
			d[4] = 1;
			d[5] = 4;
		}
	}
	if (hdr && !w->err)
		put_le16(hdr + 4, (uint16_t)(w->len - start));
}

int uvc_descriptors_build(struct uvc_descriptors *d, const struct uvc_desc_params *p)
{
	struct wr vc = { .p = d->vc_bytes, .cap = sizeof(d->vc_bytes) };
	struct wr vs = { .p = d->vs_bytes, .cap = sizeof(d->vs_bytes) };

	memset(d, 0, sizeof(*d));
	vc.p = d->vc_bytes;
	vs.p = d->vs_bytes;
	vc_descriptors(&vc, p);
	vs_descriptors(&vs, p->formats);
	if (vc.err || vs.err || !p->formats->n)
		return DFK_ERR_INVAL;
	d->vc_extra = (struct usb_desc_other){ .data = d->vc_bytes, .len = vc.len };
	d->vs_extra = (struct usb_desc_other){ .data = d->vs_bytes, .len = vs.len };

	/* a composite device with an IAD (USB IAD ECN): class EF/02/01 */
	d->device = (struct usb_desc_device){
		.bcdUSB = 0x0310, .bDeviceClass = 0xEF, .bDeviceSubClass = 0x02, .bDeviceProtocol = 0x01,
		.bMaxPacketSize0 = 9, .idVendor = p->vendor_id, .idProduct = p->product_id, .bcdDevice = p->bcd_device,
		.iManufacturer = UVC_STR_MANUFACTURER, .iProduct = UVC_STR_PRODUCT, .iSerialNumber = UVC_STR_SERIAL,
		.configs = &d->config, .n_configs = 1, .bos = &d->bos,
	};
	/* the same link capabilities as the USB3 Vision face (u3v_desc.c) */
	d->bos = (struct usb_desc_bos){
		.usb2_bmAttributes = 0x00000002, .ss_wSpeedsSupported = 0x000E, .ss_bFunctionalitySupport = 3,
	};
	d->video_ep = (struct usb_desc_endpoint){ .bEndpointAddress = UVC_EP_VIDEO_IN,
		.bmAttributes = USB_ENDPOINT_XFER_BULK, .wMaxPacketSize = UVC_MAX_PACKET, .bMaxBurst = 15 };
	/* no status interrupt endpoint: it is optional (docs/uvc.md) */
	d->ifaces[0] = (struct usb_desc_iface){ .bInterfaceNumber = UVC_IFACE_CONTROL, .bInterfaceClass = UVC_CC_VIDEO,
		.bInterfaceSubClass = UVC_SC_VIDEOCONTROL, .bInterfaceProtocol = UVC_PC_PROTOCOL_15,
		.extra = &d->vc_extra, .n_extra = 1 };
	/* one alternate setting with a bulk endpoint: a bulk camera (UVC 1.5, 2.4.3) */
	d->ifaces[1] = (struct usb_desc_iface){ .bInterfaceNumber = UVC_IFACE_STREAMING,
		.bInterfaceClass = UVC_CC_VIDEO, .bInterfaceSubClass = UVC_SC_VIDEOSTREAMING,
		.bInterfaceProtocol = UVC_PC_PROTOCOL_15, .extra = &d->vs_extra, .n_extra = 1, .eps = &d->video_ep,
		.n_eps = 1 };
	d->iad = (struct usb_desc_iad){ .bFirstInterface = UVC_IFACE_CONTROL, .bInterfaceCount = 2,
		.bFunctionClass = UVC_CC_VIDEO, .bFunctionSubClass = UVC_SC_VIDEO_INTERFACE_COLLECTION,
		.bFunctionProtocol = UVC_PC_PROTOCOL_UNDEFINED, .iFunction = UVC_STR_FUNCTION };
	/* bus powered; 100 x 8 mA = 800 mA, as the USB3 Vision face */
	d->config = (struct usb_desc_config){ .bConfigurationValue = 1, .bmAttributes = 0x80, .bMaxPower = 100,
		.iad = &d->iad, .ifaces = d->ifaces, .n_ifaces = 2 };
	return DFK_OK;
}
