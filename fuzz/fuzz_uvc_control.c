/* SPDX-License-Identifier: MIT */
/* uvc_control: the USB Video Class face of the whole camera at the USB device
 * core, without USB/IP: class requests on EP0 (the parser of
 * emulator/uvc/uvc_request.c and everything behind it -- controls, probe,
 * commit), bulk IN on the video endpoint, and the requests that stop a stream.
 *
 * Input: a list of operations, each an opcode byte and its operands (little endian):
 *   0 class request   u8 bRequest, u8 interface, u8 entity, u8 selector, u16 wLength,
 *                     u8 flags (bit 0: direction as bRequest says, else the other one),
 *                     then for OUT wLength bytes of data (at most what is left)
 *   1 raw control     8 setup bytes, u16 len, u8 dir: bit 0 IN, else OUT with len bytes
 *   2 bulk IN 0x81    u16 len (bit 15 set = (len & 0x7fff) KiB)
 *   3 loop rounds     u8 n: the event loop runs (n % 16) + 1 times
 *   4 cancel          u8 k: usb_device_cancel of the k-th most recent transfer
 *   5 stop            u8 how: 0 CLEAR_FEATURE(ENDPOINT_HALT) 0x81, 1 SET_INTERFACE(1, 0),
 *                     2 SET_FEATURE(ENDPOINT_HALT) 0x81, 3 SET_CONFIGURATION(0)
 *   6 commit          u8 format, u8 frame, u32 interval: a well-formed SET_CUR(COMMIT)
 * The host attaches and SET_CONFIGURATION(1) comes first; at the end it detaches. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../emulator/common/bytes.h"
#include "../emulator/common/evloop.h"
#include "../emulator/uvc/uvc_defs.h"
#include "fuzz.h"

#define MAX_OPS 256
#define TAIL_ROUNDS 8

static struct {
	struct evloop *loop;
	struct emu_device dev;
	uint32_t next_id;
	uint8_t sink;
} F;

static void on_complete(void *owner, struct usb_xfer *x, const struct usb_in_chunk *r)
{
	(void)owner;
	if ((x->ep & USB_ENDPOINT_DIR_IN) && (r->len > x->length || (r->len && !r->data))) {
		fprintf(stderr, "uvc_control: IN transfer of %u on 0x%02x completed with %zu bytes\n", x->length, x->ep,
			r->len);
		abort();
	}
	for (size_t i = 0; r->data && i < r->len; i += 512)
		F.sink ^= r->data[i];
	if (r->data && r->len)
		F.sink ^= r->data[r->len - 1];
	if (fuzz_verbose())
		fprintf(stderr, "uvc_control: xfer %u ep 0x%02x len %u: status %d, %zu bytes\n", x->id, x->ep,
			x->length, r->status, r->len);
	free(x->data);
	free(x);
}

static void submit(uint8_t ep, const uint8_t setup[8], const uint8_t *out, uint32_t len)
{
	struct usb_xfer *x = calloc(1, sizeof(*x));

	if (!x)
		return;
	x->id = ++F.next_id;
	x->ep = ep;
	x->length = len;
	x->owner = &F;
	if (setup)
		memcpy(x->setup, setup, 8);
	if (!(ep & USB_ENDPOINT_DIR_IN) && len) {
		x->data = malloc(len);
		if (!x->data) {
			free(x);
			return;
		}
		memcpy(x->data, out, len);
	}
	usb_device_submit(&F.dev.uvc.usb, x);
}

static void control(uint8_t rt, uint8_t req, uint16_t value, uint16_t index, uint16_t len, const uint8_t *out)
{
	uint8_t setup[8] = { rt, req };

	put_le16(setup + 2, value);
	put_le16(setup + 4, index);
	put_le16(setup + 6, len);
	submit(rt & 0x80 ? 0x80 : 0x00, setup, out, len);
}

static void class_request(struct fuzz_in *in)
{
	uint8_t req = fuzz_u8(in), iface = fuzz_u8(in), entity = fuzz_u8(in), sel = fuzz_u8(in);
	uint16_t len = fuzz_u16(in) % (USB_MAX_CONTROL_LEN + 64);
	bool as_said = fuzz_u8(in) & 1;
	bool in_dir = (req & 0x80) ? as_said : !as_said;

	if (in_dir) {
		control(0xA1, req, (uint16_t)(sel << 8), (uint16_t)(entity << 8 | iface), len, NULL);
		return;
	}
	if (len > in->n)
		len = (uint16_t)in->n;
	control(0x21, req, (uint16_t)(sel << 8), (uint16_t)(entity << 8 | iface), len, in->p);
	in->p += len;
	in->n -= len;
}

static void setup_once(void)
{
	fuzz_init();
	F.loop = evloop_new();
	if (!F.loop || fuzz_device_init(&F.dev, F.loop, 0.0) < 0 || emu_device_set_face(&F.dev, EMU_FACE_UVC) < 0)
		abort();
	F.dev.uvc.usb.complete = on_complete;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t set_config[8] = { 0x00, 0x09, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00 };
	struct fuzz_in in = { data, size };
	struct usb_device *usb;

	if (!F.loop)
		setup_once();
	usb = &F.dev.uvc.usb;
	fuzz_device_wipe_state(&F.dev);
	F.dev.cam.opt.source = SENSOR_SOURCE_PATTERN;
	F.dev.exp.attached(F.dev.exp.ctx, true);
	submit(0x00, set_config, NULL, 0);

	for (int op = 0; op < MAX_OPS && in.n; op++) {
		switch (fuzz_u8(&in) % 7) {
		case 0:
			class_request(&in);
			break;
		case 1: {
			uint8_t setup[8];
			for (int i = 0; i < 8; i++)
				setup[i] = fuzz_u8(&in);
			uint16_t len = fuzz_u16(&in) % (USB_MAX_CONTROL_LEN + 64);
			if (fuzz_u8(&in) & 1) {
				submit(0x80, setup, NULL, len);
			} else {
				if (len > in.n)
					len = (uint16_t)in.n;
				submit(0x00, setup, in.p, len);
				in.p += len;
				in.n -= len;
			}
			break;
		}
		case 2: {
			uint16_t v = fuzz_u16(&in);
			submit(UVC_EP_VIDEO_IN, NULL, NULL, v & 0x8000 ? (uint32_t)(v & 0x7FFF) * 1024 : v);
			break;
		}
		case 3:
			for (int n = fuzz_u8(&in) % 16; n >= 0; n--)
				evloop_run_once(F.loop, 0);
			break;
		case 4: {
			struct usb_xfer *x = usb_device_cancel(usb, &F, F.next_id - fuzz_u8(&in));
			if (x) {
				free(x->data);
				free(x);
			}
			break;
		}
		case 5:
			switch (fuzz_u8(&in) % 4) {
			case 0: control(0x02, 0x01, 0, UVC_EP_VIDEO_IN, 0, NULL); break;
			case 1: control(0x01, 0x0B, 0, UVC_IFACE_STREAMING, 0, NULL); break;
			case 2: control(0x02, 0x03, 0, UVC_EP_VIDEO_IN, 0, NULL); break;
			default: control(0x00, 0x09, 0, 0, 0, NULL); break;
			}
			break;
		case 6: {
			uint8_t p[UVC_PROBE_LEN] = { 0 };
			put_le16(p, 1);
			p[2] = fuzz_u8(&in);
			p[3] = fuzz_u8(&in);
			put_le32(p + 4, fuzz_u32(&in));
			control(0x21, UVC_SET_CUR, UVC_VS_COMMIT_CONTROL << 8, UVC_IFACE_STREAMING, UVC_PROBE_LEN, p);
			break;
		}
		}
	}
	for (int i = 0; i < TAIL_ROUNDS; i++)
		evloop_run_once(F.loop, 0);

	for (struct usb_xfer *x = usb_device_drain(usb), *next; x; x = next) {
		next = x->next;
		free(x->data);
		free(x);
	}
	usb_device_reset(usb);
	F.dev.exp.attached(F.dev.exp.ctx, false);
	evloop_run_once(F.loop, 0);
	return 0;
}
