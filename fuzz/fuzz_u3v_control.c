/* SPDX-License-Identifier: MIT */
/* u3v_control: the USB3 Vision function of the whole camera at the USB device
 * core, without USB/IP: GenCP commands on the control bulk OUT endpoint, and
 * bulk IN transfers on the control, event and stream endpoints.
 *
 * Input: a list of operations, each an opcode byte and its operands (little endian):
 *   0 raw command      u16 len, len bytes (at most what is left) -> bulk OUT 0x01
 *   1 READMEM          u8 flags, u16 id, u64 addr, u16 count  (a well-formed header)
 *   2 WRITEMEM         u8 flags, u16 id, u64 addr, u8 len, len bytes
 *   3/4/5 bulk IN      u16 len on 0x81 / 0x82 / 0x83 (stream: bit 15 set = (len & 0x7fff) KiB)
 *   6 control          8 setup bytes, u16 len, u8 dir: bit 0 IN (0x80), else OUT (0x00) with
 *                      len bytes of data; the direction may disagree with bmRequestType
 *   7 loop rounds      u8 n: the event loop runs (n % 16) + 1 times: flash timers, and at time
 *                      scale 0 the exposure, readout and delivery of a frame, one round each
 *   8 cancel           u8 k: usb_device_cancel of the k-th most recent transfer
 *   9 scene            the sensor sees the natural scene from now on (else the test pattern)
 * The host attaches (camera power-up) and SET_CONFIGURATION(1) comes first, as
 * after enumeration; at the end it detaches as the USB/IP server does. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../emulator/common/bytes.h"
#include "../emulator/common/evloop.h"
#include "../emulator/u3v/u3vcp.h"
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
	/* IN data: never more than the host's buffer, and there when its length says so */
	if ((x->ep & USB_ENDPOINT_DIR_IN) && (r->len > x->length || (r->len && !r->data))) {
		fprintf(stderr, "u3v_control: IN transfer of %u on 0x%02x completed with %zu bytes at %p\n", x->length,
			x->ep, r->len, (const void *)r->data);
		abort();
	}
	/* touch the data so ASan checks it is all there */
	for (size_t i = 0; r->data && i < r->len; i += 512)
		F.sink ^= r->data[i];
	if (r->data && r->len)
		F.sink ^= r->data[r->len - 1];
	if (fuzz_verbose())
		fprintf(stderr, "u3v_control: xfer %u ep 0x%02x len %u: status %d, %zu bytes\n", x->id, x->ep, x->length,
			r->status, r->len);
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
	/* OUT data is owned by the transfer, as the USB/IP server hands it over */
	if (!(ep & USB_ENDPOINT_DIR_IN) && len) {
		x->data = malloc(len);
		if (!x->data) {
			free(x);
			return;
		}
		memcpy(x->data, out, len);
	}
	usb_device_submit(&F.dev.u3v.usb, x);
}

static void gencp(struct fuzz_in *in, uint16_t cmd)
{
	uint8_t p[U3VCP_HEADER_SIZE + 8 + 4 + 255];
	uint8_t flags = fuzz_u8(in);
	uint16_t id = fuzz_u16(in), scd_len;
	size_t n;

	put_le64(p + 12, fuzz_u64(in));
	if (cmd == U3VCP_READMEM_CMD) {
		put_le16(p + 20, 0);
		put_le16(p + 22, fuzz_u16(in));
		scd_len = 12;
	} else {
		uint8_t len = fuzz_u8(in);
		uint8_t k;
		for (k = 0; k < len && in->n; k++)
			p[20 + k] = fuzz_u8(in);
		scd_len = (uint16_t)(8 + k);
	}
	put_le32(p, U3VCP_PREFIX);
	/* flags: request-ack and resend, the bits a host uses */
	put_le16(p + 4, (uint16_t)((flags & 1 ? U3VCP_FLAG_REQUEST_ACK : 0) | (flags & 2 ? U3VCP_FLAG_RESEND : 0)));
	put_le16(p + 6, cmd);
	put_le16(p + 8, scd_len);
	put_le16(p + 10, id);
	n = U3VCP_HEADER_SIZE + scd_len;
	submit(U3V_EP_CONTROL_OUT, NULL, p, (uint32_t)n);
}

static void setup_once(void)
{
	fuzz_init();
	F.loop = evloop_new();
	if (!F.loop || fuzz_device_init(&F.dev, F.loop, 0.0) < 0)
		abort();
	F.dev.u3v.usb.complete = on_complete;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t set_config[8] = { 0x00, 0x09, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00 };
	struct fuzz_in in = { data, size };
	struct usb_device *usb;

	if (!F.loop)
		setup_once();
	usb = &F.dev.u3v.usb;
	fuzz_device_wipe_state(&F.dev);
	F.dev.cam.opt.source = SENSOR_SOURCE_PATTERN;
	F.dev.exp.attached(F.dev.exp.ctx, true);
	submit(0x00, set_config, NULL, 0);

	for (int op = 0; op < MAX_OPS && in.n; op++) {
		switch (fuzz_u8(&in) % 10) {
		case 0: {
			uint16_t len = fuzz_u16(&in);
			if (len > in.n)
				len = (uint16_t)in.n;
			submit(U3V_EP_CONTROL_OUT, NULL, in.p, len);
			in.p += len;
			in.n -= len;
			break;
		}
		case 1:
			gencp(&in, U3VCP_READMEM_CMD);
			break;
		case 2:
			gencp(&in, U3VCP_WRITEMEM_CMD);
			break;
		case 3:
			submit(U3V_EP_CONTROL_IN, NULL, NULL, fuzz_u16(&in));
			break;
		case 4:
			submit(U3V_EP_EVENT_IN, NULL, NULL, fuzz_u16(&in));
			break;
		case 5: {
			uint16_t v = fuzz_u16(&in);
			submit(U3V_EP_STREAM_IN, NULL, NULL, v & 0x8000 ? (uint32_t)(v & 0x7FFF) * 1024 : v);
			break;
		}
		case 6: {
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
		case 7:
			for (int n = fuzz_u8(&in) % 16; n >= 0; n--)
				evloop_run_once(F.loop, 0);
			break;
		case 8: {
			struct usb_xfer *x = usb_device_cancel(usb, &F, F.next_id - fuzz_u8(&in));
			if (x) {
				free(x->data);
				free(x);
			}
			break;
		}
		case 9:
			F.dev.cam.opt.source = SENSOR_SOURCE_SCENE;
			break;
		}
	}
	for (int i = 0; i < TAIL_ROUNDS; i++)
		evloop_run_once(F.loop, 0);

	/* unplug, in the order the USB/IP server's conn_close uses */
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
