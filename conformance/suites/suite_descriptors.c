/* SPDX-License-Identifier: MIT */
/* descriptors suite: USB 3.x chapter 9 and USB3 Vision 1.0 chapter 3 rules on
 * what the device reports. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "conform.h"

static bool superspeed(void) { return rd_le16(session->dev.dev_desc + 2) >= 0x0300; }

/* U3V 3.1: a device with an interface association: class EF/02/01. */
static void test_device_descriptor(void)
{
	const uint8_t *d = session->dev.dev_desc;

	CHECK_MSG(d[0] == 18 && d[1] == USB_DESC_DEVICE, "bLength %u bDescriptorType %u", d[0], d[1]);
	CHECK_MSG(d[4] == 0xEF && d[5] == 0x02 && d[6] == 0x01, "class %02x/%02x/%02x, expected ef/02/01", d[4], d[5], d[6]);
	CHECK_MSG(rd_le16(d + 2) >= 0x0300, "bcdUSB %04x: a USB 3 camera reports 3.x", rd_le16(d + 2));
	CHECK_MSG(!superspeed() || d[7] == 9, "bMaxPacketSize0 %u: 9 (512 bytes) at SuperSpeed", d[7]);
	CHECK_MSG(rd_le16(d + 8) == 0x199E, "idVendor %04x: The Imaging Source is 199e", rd_le16(d + 8));
	CHECK_MSG(d[17] >= 1, "bNumConfigurations %u", d[17]);
	CHECK_MSG(d[14] && d[15] && d[16], "iManufacturer %u iProduct %u iSerialNumber %u", d[14], d[15], d[16]);
}

/* The configuration tree is well formed and its totals are right. */
static void test_configuration_walk(void)
{
	const uint8_t *c = session->dev.config;
	int len = session->dev.config_len, n_if = 0, off;

	CHECK_MSG(c[0] == 9 && c[1] == USB_DESC_CONFIGURATION, "configuration header %u/%u", c[0], c[1]);
	CHECK_MSG(rd_le16(c + 2) == len, "wTotalLength %u, read %d", rd_le16(c + 2), len);
	for (off = 0; off + 2 <= len; off += c[off]) {
		REQUIRE_MSG(c[off] >= 2 && off + c[off] <= len, "descriptor at %d has bLength %u", off, c[off]);
		if (c[off + 1] == USB_DESC_INTERFACE && c[off + 3] == 0)
			n_if++;
	}
	CHECK_MSG(off == len, "descriptors end at %d of %d", off, len);
	CHECK_MSG(c[4] == n_if, "bNumInterfaces %u, found %d", c[4], n_if);
	CHECK_MSG(c[7] & 0x80, "bmAttributes 0x%02x: bit 7 must be set", c[7]);
	CHECK_MSG(!superspeed() || c[8] <= 112, "bMaxPower %u x 8 mA exceeds 896 mA", c[8]);
}

/* U3V 3.2: control (EF/05/00), optional event (EF/05/01) and streaming
 * (EF/05/02) interfaces, grouped by an IAD; bulk endpoints of the right direction. */
static void test_u3v_interfaces(void)
{
	const uint8_t *c = session->dev.config;
	int len = session->dev.config_len, iad_first = -1, iad_count = 0, proto = -1, eps_in = 0, eps_out = 0;
	bool iad_before = false, seen_if = false;
	uint8_t ctrl_out = 0, ctrl_in = 0;

	for (int off = 0; off + 2 <= len && c[off] >= 2; off += c[off]) {
		const uint8_t *p = c + off;
		if (p[1] == USB_DESC_IAD && p[0] >= 8 && p[4] == 0xEF && p[5] == 0x05) {
			iad_first = p[2];
			iad_count = p[3];
			iad_before = !seen_if;
		} else if (p[1] == USB_DESC_INTERFACE) {
			if (proto >= 0)
				CHECK_MSG(proto != 0 || (eps_in == 1 && eps_out == 1),
					  "control interface has %d IN / %d OUT bulk endpoints (1/1)", eps_in, eps_out);
			seen_if = true;
			proto = (p[5] == 0xEF && p[6] == 0x05) ? p[7] : -1;
			eps_in = eps_out = 0;
		} else if (p[1] == USB_DESC_ENDPOINT && proto >= 0) {
			CHECK_MSG((p[3] & 3) == 2, "U3V endpoint 0x%02x is not bulk", p[2]);
			if (p[2] & USB_DIR_IN)
				eps_in++;
			else
				eps_out++;
			if (proto == 0)
				*((p[2] & USB_DIR_IN) ? &ctrl_in : &ctrl_out) = p[2];
			CHECK_MSG(proto == 0 || (p[2] & USB_DIR_IN), "event/stream endpoint 0x%02x must be IN", p[2]);
			CHECK_MSG(!superspeed() || rd_le16(p + 4) == 1024, "endpoint 0x%02x wMaxPacketSize %u at SuperSpeed",
				  p[2], rd_le16(p + 4));
			/* a SuperSpeed endpoint is followed by its companion */
			int next = off + p[0];
			CHECK_MSG(!superspeed() || (next + 2 <= len && c[next + 1] == USB_DESC_SS_EP_COMPANION && c[next] == 6),
				  "endpoint 0x%02x has no SuperSpeed companion", p[2]);
		}
	}
	CHECK_MSG(session->dev.u3v.control_if >= 0, "no control interface EF/05/00");
	CHECK_MSG(session->dev.u3v.stream_if >= 0, "no streaming interface EF/05/02");
	CHECK_MSG(iad_first == session->dev.u3v.control_if && iad_before,
		  "IAD must precede and start at the control interface");
	CHECK_MSG(iad_count >= 2, "IAD bInterfaceCount %d", iad_count);
	/* hosts such as Aravis 0.8 use one endpoint number for both control pipes */
	CHECK_MSG((ctrl_in & 0x0F) == (ctrl_out & 0x0F), "control endpoints 0x%02x/0x%02x differ in number", ctrl_out,
		  ctrl_in);
}

/* U3V table 3-3: the Device Info descriptor, directly after the control interface. */
static void test_device_info(void)
{
	const uint8_t *p = session->dev.u3v.device_info;
	char s[128];

	REQUIRE_MSG(p, "no U3V device info descriptor (type 0x24 subtype 1) on the control interface");
	CHECK_MSG(session->dev.u3v.device_info_first, "device info descriptor does not directly follow the control interface");
	CHECK_MSG(p[0] >= 20, "bLength %u", p[0]);
	CHECK_MSG(rd_le16(p + 5) == 1, "GenCP major version %u", rd_le16(p + 5));
	CHECK_MSG(rd_le16(p + 9) == 1, "U3V major version %u", rd_le16(p + 9));
	for (int i = 11; i <= 18; i++) {
		if (i == 18 && p[i] == 0)
			continue;   /* user-defined name is optional */
		int n = usbdev_string(&session->dev, p[i], s, sizeof(s));
		CHECK_MSG(n >= 0, "string %u (device info offset %d) unreadable: %d", p[i], i, n);
		CHECK_MSG(i == 18 || n > 0, "string %u (device info offset %d) is empty", p[i], i);
	}
	usbdev_string(&session->dev, p[17], s, sizeof(s));
	CHECK_MSG(strcmp(s, session->dev.serial) == 0, "device info serial '%s' vs USB serial '%s'", s, session->dev.serial);
	CHECK_MSG(!superspeed() || (p[19] & 0x08), "bmSpeedSupport 0x%02x lacks SuperSpeed", p[19]);
}

/* BOS with a SuperSpeed capability (USB 3.2 9.6.2). */
static void test_bos(void)
{
	const uint8_t *b = session->dev.bos;
	bool ss = false;

	REQUIRE_MSG(session->dev.bos_len >= 5, "no BOS descriptor (required from bcdUSB 2.01)");
	CHECK_MSG(b[1] == USB_DESC_BOS && rd_le16(b + 2) == session->dev.bos_len, "BOS header type %u total %u, read %d",
		  b[1], rd_le16(b + 2), session->dev.bos_len);
	int caps = 0;
	for (int off = 5; off + 3 <= session->dev.bos_len && b[off] >= 3; off += b[off]) {
		caps++;
		if (b[off + 1] == USB_DESC_DEVICE_CAPABILITY && b[off + 2] == USB_DEVCAP_SUPERSPEED)
			ss = true;
	}
	CHECK_MSG(caps == b[4], "bNumDeviceCaps %u, found %d", b[4], caps);
	CHECK_MSG(!superspeed() || ss, "no SuperSpeed USB device capability");
}

/* Strings: language table with US English; serial of 8 digits (TIS cameras). */
static void test_strings(void)
{
	uint8_t buf[8];
	int n = usbdev_get_descriptor(&session->dev, USB_DESC_STRING, 0, 0, buf, 4);

	CHECK_MSG(n == 4 && buf[1] == USB_DESC_STRING && rd_le16(buf + 2) == USB_LANGID_EN_US,
		  "language table: %d bytes, first id %04x", n, n >= 4 ? rd_le16(buf + 2) : 0);
	CHECK_MSG(strlen(session->dev.manufacturer) > 0 && strlen(session->dev.product) > 0, "manufacturer '%s' product '%s'",
		  session->dev.manufacturer, session->dev.product);
	bool digits = strlen(session->dev.serial) == 8;
	for (int i = 0; digits && i < 8; i++)
		digits = isdigit((unsigned char)session->dev.serial[i]);
	CHECK_MSG(digits, "serial '%s' is not 8 digits", session->dev.serial);
}

/* Chapter 9 standard requests. */
static void test_standard_requests(void)
{
	struct xport *x = session->x;
	uint8_t b[8];
	uint8_t ep = session->dev.u3v.ep_stream;
	int n;

	n = x->ops->control(x, USB_RT_DEVICE_IN, USB_REQ_GET_STATUS, 0, 0, b, 2, 1000);
	CHECK_MSG(n == 2, "GET_STATUS(device): %d", n);
	n = x->ops->control(x, USB_RT_DEVICE_IN, USB_REQ_GET_CONFIGURATION, 0, 0, b, 1, 1000);
	CHECK_MSG(n == 1 && b[0] == session->dev.config[5], "GET_CONFIGURATION: %d, value %u", n, b[0]);
	n = x->ops->control(x, USB_RT_DEVICE_IN, 0xFE, 0, 0, b, 2, 1000);   /* no such request */
	CHECK_MSG(n == -EPIPE, "undefined standard request 0xFE: %d (expected a stall)", n);
	REQUIRE_MSG(ep, "no stream endpoint");
	n = x->ops->control(x, USB_RT_ENDPOINT_OUT, USB_REQ_SET_FEATURE, USB_FEATURE_ENDPOINT_HALT, ep, NULL, 0, 1000);
	CHECK_MSG(n == 0, "SET_FEATURE(ENDPOINT_HALT, 0x%02x): %d", ep, n);
	n = x->ops->control(x, USB_RT_ENDPOINT_IN, USB_REQ_GET_STATUS, 0, ep, b, 2, 1000);
	CHECK_MSG(n == 2 && (b[0] & 1), "GET_STATUS(0x%02x) after halt: %d, 0x%02x", ep, n, b[0]);
	n = x->ops->control(x, USB_RT_ENDPOINT_OUT, USB_REQ_CLEAR_FEATURE, USB_FEATURE_ENDPOINT_HALT, ep, NULL, 0, 1000);
	CHECK_MSG(n == 0, "CLEAR_FEATURE(ENDPOINT_HALT): %d", n);
	n = x->ops->control(x, USB_RT_ENDPOINT_IN, USB_REQ_GET_STATUS, 0, ep, b, 2, 1000);
	CHECK_MSG(n == 2 && !(b[0] & 1), "GET_STATUS(0x%02x) after clear: %d, 0x%02x", ep, n, b[0]);
}

void suite_descriptors_register(const char *name)
{
	CU_pSuite s = CU_add_suite(name, NULL, NULL);

	CU_add_test(s, "device_descriptor", test_device_descriptor);
	CU_add_test(s, "configuration_walk", test_configuration_walk);
	CU_add_test(s, "u3v_interfaces", test_u3v_interfaces);
	CU_add_test(s, "device_info", test_device_info);
	CU_add_test(s, "bos", test_bos);
	CU_add_test(s, "strings", test_strings);
	CU_add_test(s, "standard_requests", test_standard_requests);
}
