/* SPDX-License-Identifier: MIT */
/* A USB Video Class device as the host finds it (USB Video Class 1.5, usb.org
 * "UVC 1.5 Class specification" sections 3 and 4, and its payload format
 * "USB_Video_Payload_Uncompressed_1.5"): the class-specific descriptors of the
 * configuration walked defensively into a layout, class requests to units and
 * interfaces, and the bulk payload header. No CUnit, no GLib: the uvc suite
 * judges what this finds. Written from the specification, independently of
 * the emulator's emulator/uvc/. */
#ifndef CONFORM_UVCDEV_H
#define CONFORM_UVCDEV_H

#include <stdbool.h>
#include <stdint.h>

#include "xport.h"

/* class codes (A.1-A.3) and descriptor subtypes (A.4-A.6) */
#define UVC_CC_VIDEO                 0x0E
#define UVC_SC_VIDEOCONTROL          0x01
#define UVC_SC_VIDEOSTREAMING        0x02
#define UVC_SC_VIDEO_INTERFACE_COLLECTION 0x03
#define UVC_CS_INTERFACE             0x24
#define UVC_VC_HEADER                0x01
#define UVC_VC_INPUT_TERMINAL        0x02
#define UVC_VC_OUTPUT_TERMINAL       0x03
#define UVC_VC_SELECTOR_UNIT         0x04
#define UVC_VC_PROCESSING_UNIT       0x05
#define UVC_VC_EXTENSION_UNIT        0x06
#define UVC_VC_ENCODING_UNIT         0x07
#define UVC_VS_INPUT_HEADER          0x01
#define UVC_VS_FORMAT_UNCOMPRESSED   0x04
#define UVC_VS_FRAME_UNCOMPRESSED    0x05
#define UVC_VS_COLORFORMAT           0x0D
#define UVC_ITT_CAMERA               0x0201
#define UVC_TT_STREAMING             0x0101
/* requests (A.8) */
#define UVC_SET_CUR 0x01
#define UVC_GET_CUR 0x81
#define UVC_GET_MIN 0x82
#define UVC_GET_MAX 0x83
#define UVC_GET_RES 0x84
#define UVC_GET_LEN 0x85
#define UVC_GET_INFO 0x86
#define UVC_GET_DEF 0x87
/* selectors: VideoControl interface (A.9.1), VideoStreaming interface (A.9.8), processing unit (A.9.5) */
#define UVC_VC_REQUEST_ERROR_CODE_CONTROL 0x02
#define UVC_VS_PROBE_CONTROL         0x01
#define UVC_VS_COMMIT_CONTROL        0x02
#define UVC_PU_BRIGHTNESS_CONTROL    0x02
#define UVC_PU_HUE_CONTROL           0x06
#define UVC_PU_SATURATION_CONTROL    0x07
#define UVC_PU_GAMMA_CONTROL         0x09
#define UVC_PU_WHITE_BALANCE_TEMPERATURE_CONTROL 0x0A
/* request error codes (4.2.1.2) */
#define UVC_ERR_OUT_OF_RANGE         0x04
#define UVC_ERR_INVALID_CONTROL      0x06
#define UVC_ERR_INVALID_VALUE        0x08

#define UVC_MAX_ENTITIES   16
#define UVC_MAX_SOURCES    8
#define UVC_MAX_FORMATS    16
#define UVC_MAX_FRAMES     16
#define UVC_MAX_INTERVALS  16

struct uvc_entity {
	const uint8_t *desc;          /* into usbdev.config */
	uint8_t subtype, id;
	uint16_t terminal_type;       /* terminals only */
	uint8_t n_sources;
	uint8_t sources[UVC_MAX_SOURCES];
};

struct uvc_frame {
	const uint8_t *desc;
	uint8_t index;
	uint16_t width, height;
	uint32_t max_buffer, default_interval;
	uint8_t interval_type;        /* bFrameIntervalType: 0 continuous, else the count */
	uint8_t n_intervals;          /* stored (at most UVC_MAX_INTERVALS) */
	uint32_t intervals[UVC_MAX_INTERVALS];
};

struct uvc_format {
	const uint8_t *desc;
	uint8_t index, n_frames_declared, bits_per_pixel, default_frame;
	uint8_t guid[16];
	uint8_t n_frames;             /* frame descriptors that follow it */
	uint8_t n_colour_matching;    /* colour matching descriptors after its frames */
	struct uvc_frame frames[UVC_MAX_FRAMES];
};

struct uvc_layout {
	const uint8_t *iad;
	int vc_if, vs_if;             /* -1 when absent */
	const uint8_t *vc_header;
	uint16_t bcd_uvc;
	unsigned vc_cs_bytes;         /* class-specific VC bytes actually found (header included) */
	struct uvc_entity entities[UVC_MAX_ENTITIES];
	unsigned n_entities;
	const uint8_t *status_ep;     /* VC interrupt endpoint, or NULL */
	unsigned vs_alt_settings;     /* alternate settings of the VS interface */
	const uint8_t *vs_header;
	unsigned vs_cs_bytes;         /* class-specific VS bytes actually found (header included) */
	const uint8_t *vs_ep, *vs_ep_companion;
	struct uvc_format formats[UVC_MAX_FORMATS];
	unsigned n_formats;
	char problem[256];            /* a structural problem of the walk ("" when none) */
};

/* Walks a configuration descriptor. Returns 0 (problem empty) or -1 with
 * problem saying what could not be parsed; the layout holds what was found up to there. */
int uvc_layout_parse(const uint8_t *cfg, int len, struct uvc_layout *l);
const struct uvc_entity *uvc_entity_find(const struct uvc_layout *l, uint8_t id);

/* Class request to an entity (unit << 8) or the interface itself (unit 0) of interface `intf`.
 * GETs return the bytes received, SET_CUR the bytes sent, or -errno (-EPIPE: STALL). */
int uvc_request(struct xport *x, uint8_t req, uint8_t selector, uint8_t unit, uint8_t intf, uint8_t *buf, uint16_t len);
/* The VC interface's VC_REQUEST_ERROR_CODE_CONTROL (GET_CUR), or -errno. */
int uvc_last_error(struct xport *x, uint8_t vc_if);

/* Probe/commit control size for a bcdUVC (the spec's table 4-75: 26 bytes in 1.0, 34 in 1.1, 48 in 1.5). */
unsigned uvc_probe_size(uint16_t bcd_uvc);

/* bulk payload header (the uncompressed payload spec, 2.4) */
#define UVC_HDR_FID 0x01
#define UVC_HDR_EOF 0x02
#define UVC_HDR_PTS 0x04
#define UVC_HDR_SCR 0x08
#define UVC_HDR_STI 0x20
#define UVC_HDR_ERR 0x40
#define UVC_HDR_EOH 0x80

struct uvc_payload_header {
	uint8_t length, flags;
	uint32_t pts;                 /* when flags & UVC_HDR_PTS */
	uint32_t stc;                 /* SCR: source time clock, when flags & UVC_HDR_SCR */
	uint16_t sof;                 /* SCR: 1 kHz SOF counter (11 bits) */
};

/* Parses the header at the start of a payload of n bytes. Returns 0, or -1 when
 * it cannot be one (shorter than 2 bytes, bHeaderLength < 2 or beyond the payload, a
 * length that does not fit the PTS/SCR flags). */
int uvc_payload_header_parse(const uint8_t *p, int n, struct uvc_payload_header *h);

/* The 16-byte GUID of an uncompressed format from its FourCC (FourCC + 00 00 10 00 80 00 00 AA 00 38 9B 71,
 * the spec's 2.2 "YUY2" pattern); "RGB24" is the DirectShow MEDIASUBTYPE_RGB24 GUID
 * e436eb7d-524f-11ce-9f53-0020af0ba770 in descriptor byte order. Returns false for a name it cannot make. */
bool uvc_guid_of_fourcc(const char *fourcc, uint8_t guid[16]);

#endif
