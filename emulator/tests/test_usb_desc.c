/* SPDX-License-Identifier: MIT */
/* usb/usb_desc with the USB3 Vision tables of u3v/u3v_desc.c: the serialized
 * device, configuration, BOS and string descriptors, byte for byte
 * (USB 3.2 chapter 9.6, U3V 1.0 chapter 3, docs/protocols.md 2 "USB device framework", 3 "USB3 Vision identity"). */
#include <string.h>

#include "../common/errors.h"
#include "../../models/model.h"
#include "../u3v/u3v_desc.h"
#include "../usb/usb_desc.h"
#include "tests.h"

/* Device descriptor of 199e:988e, bcdDevice 0x0923 = firmware 923 (USB 3.2 table 9-11). */
static const uint8_t golden_device[18] = {
	0x12,         /* bLength */
	0x01,         /* bDescriptorType DEVICE */
	0x10, 0x03,   /* bcdUSB 3.10 */
	0xEF,         /* bDeviceClass: miscellaneous */
	0x02,         /* bDeviceSubClass: common class */
	0x01,         /* bDeviceProtocol: interface association */
	0x09,         /* bMaxPacketSize0: 2^9 = 512 at SuperSpeed */
	0x9E, 0x19,   /* idVendor 0x199E The Imaging Source */
	0x8E, 0x98,   /* idProduct 0x988E */
	0x23, 0x09,   /* bcdDevice 09.23: firmware 923, the manual's revision history */
	0x01,         /* iManufacturer */
	0x02,         /* iProduct */
	0x03,         /* iSerialNumber */
	0x01,         /* bNumConfigurations */
};

/* The whole configuration: config, IAD, control interface + Device Info +
 * 2 endpoints, event interface + 1 endpoint, stream interface + 1 endpoint,
 * each endpoint followed by its SuperSpeed companion. */
static const uint8_t golden_config[116] = {
	/* configuration (table 9-22) */
	0x09, 0x02, 0x74, 0x00, 0x03, 0x01, 0x00, 0x80, 0x64,
	/* interface association (table 9-16): first 0, count 3, EF/05/00, iFunction 4 */
	0x08, 0x0B, 0x00, 0x03, 0xEF, 0x05, 0x00, 0x04,
	/* interface 0: device control, 2 endpoints, EF/05/00 */
	0x09, 0x04, 0x00, 0x00, 0x02, 0xEF, 0x05, 0x00, 0x00,
	/* U3V Device Info (U3V table 3-3): GenCP 1.0, U3V 1.0, string indices, SuperSpeed */
	0x14, 0x24, 0x01,
	0x00, 0x00, 0x01, 0x00,   /* bcdGenCPVersion minor 0, major 1 */
	0x00, 0x00, 0x01, 0x00,   /* bcdU3VVersion minor 0, major 1 */
	0x05,                     /* iDeviceGUID */
	0x06,                     /* iVendorName */
	0x07,                     /* iModelName */
	0x08,                     /* iFamilyName */
	0x09,                     /* iDeviceVersion */
	0x0A,                     /* iManufacturerInfo */
	0x03,                     /* iSerialNumber (shared with the device descriptor) */
	0x0B,                     /* iUserDefinedName */
	0x08,                     /* bmSpeedSupport: SuperSpeed */
	/* EP 0x01 bulk OUT 1024 + companion */
	0x07, 0x05, 0x01, 0x02, 0x00, 0x04, 0x00,
	0x06, 0x30, 0x00, 0x00, 0x00, 0x00,
	/* EP 0x81 bulk IN 1024 + companion */
	0x07, 0x05, 0x81, 0x02, 0x00, 0x04, 0x00,
	0x06, 0x30, 0x00, 0x00, 0x00, 0x00,
	/* interface 1: device event, 1 endpoint, EF/05/01 */
	0x09, 0x04, 0x01, 0x00, 0x01, 0xEF, 0x05, 0x01, 0x00,
	/* EP 0x82 bulk IN 1024 + companion */
	0x07, 0x05, 0x82, 0x02, 0x00, 0x04, 0x00,
	0x06, 0x30, 0x00, 0x00, 0x00, 0x00,
	/* interface 2: device streaming, 1 endpoint, EF/05/02 */
	0x09, 0x04, 0x02, 0x00, 0x01, 0xEF, 0x05, 0x02, 0x00,
	/* EP 0x83 bulk IN 1024 + companion with bMaxBurst 15 */
	0x07, 0x05, 0x83, 0x02, 0x00, 0x04, 0x00,
	0x06, 0x30, 0x0F, 0x00, 0x00, 0x00,
};

static struct u3v_descriptors d;

static void setup(void) { u3v_descriptors_init(&d, 0x199e, 0x988e, dfk38ux267_model.identity.bcd_device); }

static void test_usb_desc_device(void)
{
	uint8_t out[64];

	memset(out, 0xAA, sizeof(out));
	ASSERT_INT(usb_desc_device_write(&d.device, out, sizeof(out)), 18);
	ASSERT_BYTES(out, golden_device, 18);
	ASSERT_INT(out[18], 0xAA);   /* nothing written past the descriptor */
	/* exactly 18 bytes of room is enough */
	ASSERT_INT(usb_desc_device_write(&d.device, out, 18), 18);
	ASSERT_BYTES(out, golden_device, 18);
}

static void test_usb_desc_device_other_identity(void)
{
	struct u3v_descriptors o;
	uint8_t out[18];

	u3v_descriptors_init(&o, 0x1234, 0xABCD, 0x0923);
	ASSERT_INT(usb_desc_device_write(&o.device, out, sizeof(out)), 18);
	ASSERT_INT(out[8], 0x34);
	ASSERT_INT(out[9], 0x12);
	ASSERT_INT(out[10], 0xCD);
	ASSERT_INT(out[11], 0xAB);
	ASSERT_INT(out[12], 0x23);
	ASSERT_INT(out[13], 0x09);
}

static void test_usb_desc_config_golden(void)
{
	uint8_t out[512];
	int n;

	memset(out, 0xAA, sizeof(out));
	n = usb_desc_config_write(&d.config, out, sizeof(out));
	ASSERT_INT(n, (int)sizeof(golden_config));
	ASSERT_BYTES(out, golden_config, sizeof(golden_config));
	ASSERT_INT(out[sizeof(golden_config)], 0xAA);
}

/* Walks the configuration as a host parser does (libusb descriptor.c): every
 * descriptor's bLength, in order, must add up to wTotalLength. */
static void test_usb_desc_config_walk(void)
{
	static const struct {
		uint8_t type, len, key;   /* key: endpoint address, interface number or subtype */
	} expect[] = {
		{ 0x02, 9, 0 }, { 0x0B, 8, 0 },
		{ 0x04, 9, 0 }, { 0x24, 20, 1 }, { 0x05, 7, 0x01 }, { 0x30, 6, 0 }, { 0x05, 7, 0x81 }, { 0x30, 6, 0 },
		{ 0x04, 9, 1 }, { 0x05, 7, 0x82 }, { 0x30, 6, 0 },
		{ 0x04, 9, 2 }, { 0x05, 7, 0x83 }, { 0x30, 6, 15 },
	};
	uint8_t out[512];
	int n = usb_desc_config_write(&d.config, out, sizeof(out));
	size_t pos = 0, k = 0;

	CU_ASSERT_FATAL(n > 9);
	ASSERT_INT(out[2] | (out[3] << 8), n);   /* wTotalLength equals bytes written */
	ASSERT_INT(out[4], 3);                   /* bNumInterfaces */
	while (pos < (size_t)n && k < sizeof(expect) / sizeof(expect[0])) {
		const uint8_t *p = out + pos;
		CU_ASSERT_FATAL(p[0] >= 2 && pos + p[0] <= (size_t)n);
		ASSERT_INT(p[1], expect[k].type);
		ASSERT_INT(p[0], expect[k].len);
		switch (p[1]) {
		case 0x04:
			ASSERT_INT(p[2], expect[k].key);         /* bInterfaceNumber */
			ASSERT_INT(p[5], 0xEF);
			ASSERT_INT(p[6], 0x05);
			ASSERT_INT(p[7], expect[k].key);         /* protocol 0 control, 1 event, 2 stream */
			break;
		case 0x24:
			ASSERT_INT(p[2], expect[k].key);         /* subtype 1: device info */
			break;
		case 0x05:
			ASSERT_INT(p[2], expect[k].key);         /* bEndpointAddress */
			ASSERT_INT(p[3], 0x02);                  /* bulk */
			ASSERT_INT(p[4] | (p[5] << 8), 1024);    /* wMaxPacketSize */
			break;
		case 0x30:
			ASSERT_INT(p[2], expect[k].key);         /* bMaxBurst */
			break;
		default:
			break;
		}
		pos += p[0];
		k++;
	}
	ASSERT_INT(pos, n);
	ASSERT_INT(k, sizeof(expect) / sizeof(expect[0]));
}

static void test_usb_desc_config_control_endpoints_share_number(void)
{
	/* Aravis takes the control interface's first endpoint number and uses it with and without 0x80. */
	const struct usb_desc_iface *iface = NULL;
	const struct usb_desc_endpoint *out = usb_desc_find_endpoint(&d.config, 0x01, &iface);
	const struct usb_desc_endpoint *in;

	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_PTR_NOT_NULL_FATAL(iface);
	ASSERT_INT(iface->bInterfaceProtocol, 0);
	in = usb_desc_find_endpoint(&d.config, 0x81, &iface);
	CU_ASSERT_PTR_NOT_NULL_FATAL(in);
	ASSERT_INT(iface->bInterfaceNumber, 0);
	in = usb_desc_find_endpoint(&d.config, 0x83, &iface);
	CU_ASSERT_PTR_NOT_NULL_FATAL(in);
	ASSERT_INT(iface->bInterfaceProtocol, 2);
	ASSERT_INT(in->bMaxBurst, 15);
	CU_ASSERT_PTR_NULL(usb_desc_find_endpoint(&d.config, 0x02, NULL));
	CU_ASSERT_PTR_NULL(usb_desc_find_endpoint(&d.config, 0x84, NULL));
	CU_ASSERT_PTR_NULL(usb_desc_find_endpoint(&d.config, 0x00, NULL));
}

static void test_usb_desc_config_truncated(void)
{
	uint8_t out[512];

	/* a buffer one byte short of every boundary is refused, never overrun */
	for (size_t len = 0; len < sizeof(golden_config); len++) {
		memset(out, 0xAA, sizeof(out));
		int n = usb_desc_config_write(&d.config, out, len);
		CU_ASSERT(n < 0);
		ASSERT_INT(out[len], 0xAA);
	}
	ASSERT_INT(usb_desc_config_write(&d.config, out, 8), DFK_ERR_RANGE);
	ASSERT_INT(usb_desc_config_write(&d.config, out, sizeof(golden_config)), (int)sizeof(golden_config));
}

static void test_usb_desc_device_truncated(void)
{
	uint8_t out[32];

	for (size_t len = 0; len < 18; len++) {
		memset(out, 0xAA, sizeof(out));
		CU_ASSERT(usb_desc_device_write(&d.device, out, len) < 0);
		ASSERT_INT(out[len], 0xAA);
	}
}

static void test_usb_desc_bos(void)
{
	/* BOS (table 9-12) + USB 2.0 extension (table 9-15) + SuperSpeed capability (table 9-16).
	 * USB 3.2 9.6.2.1: a SuperSpeed device shall set the LPM bit (bit 1) of the USB 2.0
	 * extension; USB-IF's USBCV TD9.7 fails a device without it (lsusb prints
	 * "Missing must-be-set LPM bit!"). At SuperSpeed the kernel only looks at the SS
	 * capability's U1/U2 exit latencies (0 = no LPM, no SET_SEL). */
	static const uint8_t golden_head[5 + 7 + 4] = {
		0x05, 0x0F, 0x16, 0x00, 0x02,                /* BOS, wTotalLength 22, 2 capabilities */
		0x07, 0x10, 0x02, 0x02, 0x00, 0x00, 0x00,    /* USB 2.0 extension, bmAttributes = LPM */
		0x0A, 0x10, 0x03, 0x00,                      /* SuperSpeed capability, no LTM */
	};
	uint8_t out[64];
	uint16_t speeds;

	memset(out, 0xAA, sizeof(out));
	ASSERT_INT(usb_desc_bos_write(&d.bos, out, sizeof(out)), 22);
	ASSERT_BYTES(out, golden_head, 12 + 4);
	speeds = (uint16_t)(out[16] | (out[17] << 8));
	ASSERT_INT(speeds, 0x000E);                        /* wSpeedsSupported: FS, HS and SuperSpeed */
	ASSERT_INT(out[18], 3);                            /* bFunctionalitySupport: all of it only at SuperSpeed */
	CU_ASSERT((speeds >> out[18]) & 1);                /* ... a speed it supports */
	ASSERT_INT(out[19], 0);                            /* bU1DevExitLat */
	ASSERT_INT(out[20] | (out[21] << 8), 0);           /* wU2DevExitLat */
	ASSERT_INT(out[22], 0xAA);
	for (size_t len = 0; len < 22; len++)
		CU_ASSERT(usb_desc_bos_write(&d.bos, out, len) < 0);
	CU_ASSERT_PTR_EQUAL(d.device.bos, &d.bos);
}

static void test_usb_desc_langids(void)
{
	static const uint8_t golden[4] = { 0x04, 0x03, 0x09, 0x04 };
	uint8_t out[8];

	memset(out, 0xAA, sizeof(out));
	ASSERT_INT(usb_desc_langids_write(out, sizeof(out)), 4);
	ASSERT_BYTES(out, golden, 4);
	ASSERT_INT(out[4], 0xAA);
	CU_ASSERT(usb_desc_langids_write(out, 3) < 0);
	CU_ASSERT(usb_desc_langids_write(out, 0) < 0);
}

static void test_usb_desc_string(void)
{
	static const uint8_t golden_dfk[] = { 0x08, 0x03, 'D', 0, 'F', 0, 'K', 0 };
	static const char tis[] = "The Imaging Source Europe GmbH";
	uint8_t out[300];
	size_t n = strlen(tis);

	memset(out, 0xAA, sizeof(out));
	ASSERT_INT(usb_desc_string_write("DFK", out, sizeof(out)), 8);
	ASSERT_BYTES(out, golden_dfk, 8);
	ASSERT_INT(out[8], 0xAA);

	ASSERT_INT(usb_desc_string_write(tis, out, sizeof(out)), (int)(2 + 2 * n));
	ASSERT_INT(out[0], 2 + 2 * n);
	ASSERT_INT(out[1], 0x03);
	for (size_t i = 0; i < n; i++) {
		ASSERT_INT(out[2 + 2 * i], (uint8_t)tis[i]);
		ASSERT_INT(out[3 + 2 * i], 0);
	}
	/* empty string: header only */
	ASSERT_INT(usb_desc_string_write("", out, sizeof(out)), 2);
	ASSERT_INT(out[0], 2);
	ASSERT_INT(out[1], 3);
	/* too small */
	CU_ASSERT(usb_desc_string_write("DFK", out, 7) < 0);
	CU_ASSERT(usb_desc_string_write("DFK", out, 1) < 0);
}

static void test_usb_desc_string_longest(void)
{
	/* bLength is one byte: at most 126 characters (254 bytes) are sent */
	char text[201];
	uint8_t out[300];

	memset(text, 'A', 200);
	text[200] = '\0';
	ASSERT_INT(usb_desc_string_write(text, out, sizeof(out)), 254);
	ASSERT_INT(out[0], 254);
	ASSERT_INT(out[253], 0);
	ASSERT_INT(out[252], 'A');
}

static const struct test_case cases[] = {
	{ "test_usb_desc_device", test_usb_desc_device },
	{ "test_usb_desc_device_other_identity", test_usb_desc_device_other_identity },
	{ "test_usb_desc_config_golden", test_usb_desc_config_golden },
	{ "test_usb_desc_config_walk", test_usb_desc_config_walk },
	{ "test_usb_desc_config_control_endpoints_share_number", test_usb_desc_config_control_endpoints_share_number },
	{ "test_usb_desc_config_truncated", test_usb_desc_config_truncated },
	{ "test_usb_desc_device_truncated", test_usb_desc_device_truncated },
	{ "test_usb_desc_bos", test_usb_desc_bos },
	{ "test_usb_desc_langids", test_usb_desc_langids },
	{ "test_usb_desc_string", test_usb_desc_string },
	{ "test_usb_desc_string_longest", test_usb_desc_string_longest },
	{ NULL, NULL },
};

int test_usb_desc_add_suite(void) { return test_add_suite("usb_desc", setup, NULL, cases); }
