/* SPDX-License-Identifier: MIT */
/* usb/usb_device: the EP0 standard requests and the bulk endpoint queues,
 * driven through a fake USB function and a capturing completion callback
 * (USB 3.2 chapter 9.4, docs/protocols.md section 2.7 "Enumeration traffic"). */
#include <string.h>

#include "../u3v/u3v_desc.h"
#include "../usb/usb_device.h"
#include "tests.h"

/* ---- the fake function ---- */

#define FAKE_QUEUE 16

struct fake_chunk {
	uint8_t data[2048];
	size_t len;
	int status;
};

struct fake_fn {
	struct fake_chunk q[USB_MAX_EPS][FAKE_QUEUE];   /* IN data waiting per endpoint */
	unsigned head[USB_MAX_EPS], tail[USB_MAX_EPS];
	unsigned bulk_in_calls;
	/* bulk OUT */
	unsigned outs;
	uint8_t out_ep;
	uint8_t out_data[2048];
	size_t out_len;
	int out_status;
	/* halt and configuration callbacks */
	unsigned halts;
	uint8_t halt_ep;
	bool halt_state;
	unsigned configs;
	uint8_t config;
	/* class/vendor control requests */
	unsigned controls;
};

static int fake_control(void *fn, const struct usb_setup *s, const uint8_t *out, uint8_t *in, size_t in_max)
{
	struct fake_fn *f = fn;

	(void)out;
	f->controls++;
	/* vendor IN request 0x42 answers "abc"; anything else stalls */
	if (s->bmRequestType == 0xC0 && s->bRequest == 0x42 && in_max >= 3) {
		memcpy(in, "abc", 3);
		return 3;
	}
	return USB_ST_STALL;
}

static int fake_bulk_out(void *fn, uint8_t ep, const uint8_t *data, size_t len)
{
	struct fake_fn *f = fn;

	f->outs++;
	f->out_ep = ep;
	f->out_len = len < sizeof(f->out_data) ? len : sizeof(f->out_data);
	if (data)
		memcpy(f->out_data, data, f->out_len);
	return f->out_status;
}

static int fake_bulk_in(void *fn, uint8_t ep, uint32_t max_len, struct usb_in_chunk *chunk)
{
	struct fake_fn *f = fn;
	int i = usb_ep_index(ep);
	struct fake_chunk *c;

	(void)max_len;
	f->bulk_in_calls++;
	if (f->head[i] == f->tail[i])
		return 0;
	c = &f->q[i][f->head[i]++ % FAKE_QUEUE];
	chunk->status = c->status;
	chunk->data = c->data;
	chunk->len = c->len;
	chunk->ref = NULL;
	return 1;
}

static void fake_halt_changed(void *fn, uint8_t ep, bool halted)
{
	struct fake_fn *f = fn;

	f->halts++;
	f->halt_ep = ep;
	f->halt_state = halted;
}

static void fake_configured(void *fn, uint8_t config)
{
	struct fake_fn *f = fn;

	f->configs++;
	f->config = config;
}

static const struct usb_function_ops fake_ops = {
	.control = fake_control,
	.bulk_out = fake_bulk_out,
	.bulk_in = fake_bulk_in,
	.halt_changed = fake_halt_changed,
	.configured = fake_configured,
};

/* Queue IN data on `ep` (does not tell the device). */
static void fake_push(struct fake_fn *f, uint8_t ep, const void *data, size_t len)
{
	int i = usb_ep_index(ep);
	struct fake_chunk *c = &f->q[i][f->tail[i]++ % FAKE_QUEUE];

	memcpy(c->data, data, len);
	c->len = len;
	c->status = USB_ST_OK;
}

/* ---- completions ---- */

struct done {
	uint32_t id;
	void *owner;
	int status;
	size_t len;
	uint8_t data[4096];
};

#define MAX_DONE 64

static struct {
	struct usb_device dev;
	struct u3v_descriptors desc;
	struct fake_fn fn;
	struct done done[MAX_DONE];
	unsigned n_done;
	struct usb_xfer xfers[MAX_DONE];
	unsigned n_xfers;
	uint8_t out_bufs[MAX_DONE][64];
	int owner;   /* its address is the transport context */
} T;

static const char *const strings[] = {
	NULL, "The Imaging Source Europe GmbH", "DFK 38UX267", "38267001", "USB3 Vision",
};

static void capture(void *owner, struct usb_xfer *x, const struct usb_in_chunk *r)
{
	struct done *d;

	CU_ASSERT_FATAL(T.n_done < MAX_DONE);
	d = &T.done[T.n_done++];
	d->id = x->id;
	d->owner = owner;
	d->status = r->status;
	d->len = r->len;
	if (r->data && r->len)
		memcpy(d->data, r->data, r->len < sizeof(d->data) ? r->len : sizeof(d->data));
}

static void setup(void)
{
	memset(&T, 0, sizeof(T));
	u3v_descriptors_init(&T.desc, 0x199e, 0x988e, 0);
	usb_device_init(&T.dev, &T.desc.device, strings, sizeof(strings) / sizeof(strings[0]), &fake_ops, &T.fn);
	T.dev.complete = capture;
}

static struct usb_xfer *new_xfer(uint32_t id, uint8_t ep, uint32_t length)
{
	struct usb_xfer *x;

	CU_ASSERT_FATAL(T.n_xfers < MAX_DONE);
	x = &T.xfers[T.n_xfers++];
	memset(x, 0, sizeof(*x));
	x->id = id;
	x->ep = ep;
	x->length = length;
	x->owner = &T.owner;
	return x;
}

/* Submits a control transfer whose buffer is exactly wLength long (as vhci does) and
 * returns its completion, or NULL when it did not complete. */
static struct done *control_len(uint8_t type, uint8_t req, uint16_t value, uint16_t index, uint16_t wlength,
				uint32_t buf_len, const uint8_t *out)
{
	static uint32_t next_id = 1000;
	/* the transport's direction agrees with the setup packet, as usb_submit_urb() demands */
	struct usb_xfer *x = new_xfer(next_id++, type & USB_ENDPOINT_DIR_IN, buf_len);
	unsigned before = T.n_done;

	x->setup[0] = type;
	x->setup[1] = req;
	t_le16(x->setup + 2, value);
	t_le16(x->setup + 4, index);
	t_le16(x->setup + 6, wlength);
	if (out) {
		uint8_t *b = T.out_bufs[T.n_xfers - 1];
		memcpy(b, out, buf_len < 64 ? buf_len : 64);
		x->data = b;
	}
	usb_device_submit(&T.dev, x);
	if (T.n_done != before + 1)
		return NULL;
	CU_ASSERT(T.done[before].id == x->id);
	return &T.done[before];
}

static struct done *control(uint8_t type, uint8_t req, uint16_t value, uint16_t index, uint16_t wlength,
			    const uint8_t *out)
{
	return control_len(type, req, value, index, wlength, wlength, out);
}

static void set_configuration(uint16_t value)
{
	struct done *d = control(0x00, USB_REQ_SET_CONFIGURATION, value, 0, 0, NULL);

	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	ASSERT_INT(d->status, USB_ST_OK);
}

static struct done *bulk(uint32_t id, uint8_t ep, uint32_t len, const uint8_t *out)
{
	struct usb_xfer *x = new_xfer(id, ep, len);
	unsigned before = T.n_done;

	if (out) {
		uint8_t *b = T.out_bufs[T.n_xfers - 1];
		memcpy(b, out, len < 64 ? len : 64);
		x->data = b;
	}
	usb_device_submit(&T.dev, x);
	return T.n_done > before ? &T.done[before] : NULL;
}

/* ---- EP0 ---- */

static void test_usb_device_get_device_descriptor_8_then_18(void)
{
	static const uint8_t golden[18] = { 0x12, 0x01, 0x10, 0x03, 0xEF, 0x02, 0x01, 0x09, 0x9E,
					    0x19, 0x8E, 0x98, 0x00, 0x00, 0x01, 0x02, 0x03, 0x01 };
	struct done *d = control(0x80, USB_REQ_GET_DESCRIPTOR, 0x0100, 0, 8, NULL);

	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	ASSERT_INT(d->status, 0);
	ASSERT_INT(d->len, 8);
	ASSERT_BYTES(d->data, golden, 8);
	d = control(0x80, USB_REQ_GET_DESCRIPTOR, 0x0100, 0, 18, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	ASSERT_INT(d->status, 0);
	ASSERT_INT(d->len, 18);
	ASSERT_BYTES(d->data, golden, 18);
	/* HS-style 64-byte request: min(wLength, 18) */
	d = control(0x80, USB_REQ_GET_DESCRIPTOR, 0x0100, 0, 64, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	ASSERT_INT(d->len, 18);
	/* wLength 0 on an IN request: a zero-length data stage */
	d = control(0x80, USB_REQ_GET_DESCRIPTOR, 0x0100, 0, 0, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	ASSERT_INT(d->status, 0);
	ASSERT_INT(d->len, 0);
}

static void test_usb_device_get_config_9_then_full(void)
{
	struct done *d = control(0x80, USB_REQ_GET_DESCRIPTOR, 0x0200, 0, 9, NULL);
	uint16_t total;

	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	ASSERT_INT(d->status, 0);
	ASSERT_INT(d->len, 9);
	ASSERT_INT(d->data[0], 9);
	ASSERT_INT(d->data[1], 0x02);
	total = (uint16_t)(d->data[2] | (d->data[3] << 8));
	ASSERT_INT(total, 116);
	ASSERT_INT(d->data[4], 3);
	ASSERT_INT(d->data[5], 1);
	d = control(0x80, USB_REQ_GET_DESCRIPTOR, 0x0200, 0, total, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	ASSERT_INT(d->status, 0);
	ASSERT_INT(d->len, total);
	ASSERT_INT(d->data[9 + 1], 0x0B);      /* IAD first */
	ASSERT_INT(d->data[17 + 1], 0x04);     /* then interface 0 */
	ASSERT_INT(d->data[26 + 1], 0x24);     /* then the device info */
	/* a configuration index that does not exist stalls */
	d = control(0x80, USB_REQ_GET_DESCRIPTOR, 0x0201, 0, 9, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	ASSERT_INT(d->status, USB_ST_STALL);
}

static void test_usb_device_get_bos_and_strings(void)
{
	struct done *d = control(0x80, USB_REQ_GET_DESCRIPTOR, 0x0F00, 0, 5, NULL);

	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	ASSERT_INT(d->status, 0);
	ASSERT_INT(d->len, 5);
	ASSERT_INT(d->data[1], 0x0F);
	ASSERT_INT(d->data[2], 22);
	d = control(0x80, USB_REQ_GET_DESCRIPTOR, 0x0F00, 0, 22, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	ASSERT_INT(d->len, 22);

	d = control(0x80, USB_REQ_GET_DESCRIPTOR, 0x0300, 0, 255, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	ASSERT_INT(d->len, 4);
	ASSERT_BYTES(d->data, "\x04\x03\x09\x04", 4);

	d = control(0x80, USB_REQ_GET_DESCRIPTOR, 0x0302, 0x0409, 255, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	ASSERT_INT(d->status, 0);
	ASSERT_INT(d->len, 2 + 2 * 11);
	ASSERT_BYTES(d->data, "\x18\x03" "D\0F\0K\0 \0" "3\0" "8\0U\0X\0" "2\0" "6\0" "7\0", 24);
	/* first 2 bytes only (hosts read the length first) */
	d = control(0x80, USB_REQ_GET_DESCRIPTOR, 0x0302, 0x0409, 2, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	ASSERT_INT(d->len, 2);
	ASSERT_INT(d->data[0], 24);
	/* beyond the table, and an unknown descriptor type (device qualifier), stall */
	d = control(0x80, USB_REQ_GET_DESCRIPTOR, 0x0320, 0x0409, 255, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	ASSERT_INT(d->status, USB_ST_STALL);
	d = control(0x80, USB_REQ_GET_DESCRIPTOR, 0x0600, 0, 10, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	ASSERT_INT(d->status, USB_ST_STALL);
}

static void test_usb_device_in_data_never_longer_than_buffer(void)
{
	/* wLength larger than the host's buffer: the data stage is cut at the buffer */
	struct done *d = control_len(0x80, USB_REQ_GET_DESCRIPTOR, 0x0200, 0, 255, 9, NULL);

	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT(d->len <= 9);
}

static void test_usb_device_set_get_configuration(void)
{
	struct done *d = control(0x80, USB_REQ_GET_CONFIGURATION, 0, 0, 1, NULL);

	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	ASSERT_INT(d->status, 0);
	ASSERT_INT(d->len, 1);
	ASSERT_INT(d->data[0], 0);
	set_configuration(1);
	ASSERT_INT(T.fn.configs, 1);
	ASSERT_INT(T.fn.config, 1);
	ASSERT_INT(T.dev.config, 1);
	d = control(0x80, USB_REQ_GET_CONFIGURATION, 0, 0, 1, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	ASSERT_INT(d->len, 1);
	ASSERT_INT(d->data[0], 1);
	/* a configuration that does not exist stalls and changes nothing */
	d = control(0x00, USB_REQ_SET_CONFIGURATION, 2, 0, 0, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	ASSERT_INT(d->status, USB_ST_STALL);
	ASSERT_INT(T.dev.config, 1);
	/* back to the address state */
	set_configuration(0);
	ASSERT_INT(T.fn.config, 0);
	d = control(0x80, USB_REQ_GET_CONFIGURATION, 0, 0, 1, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	ASSERT_INT(d->data[0], 0);
}

static void test_usb_device_get_status(void)
{
	struct done *d;

	set_configuration(1);
	d = control(0x80, USB_REQ_GET_STATUS, 0, 0, 2, NULL);          /* device */
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	ASSERT_INT(d->status, 0);
	ASSERT_INT(d->len, 2);
	ASSERT_INT(d->data[0] & ~0x01, 0);   /* no remote wakeup, U1/U2/LTM off (bit 0 self-powered is the device's choice) */
	ASSERT_INT(d->data[1], 0);
	d = control(0x81, USB_REQ_GET_STATUS, 0, 2, 2, NULL);          /* interface 2 */
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	ASSERT_INT(d->status, 0);
	ASSERT_INT(d->len, 2);
	ASSERT_BYTES(d->data, "\0\0", 2);
	d = control(0x81, USB_REQ_GET_STATUS, 0, 3, 2, NULL);          /* no interface 3 */
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	ASSERT_INT(d->status, USB_ST_STALL);
	d = control(0x82, USB_REQ_GET_STATUS, 0, 0x83, 2, NULL);       /* endpoint 0x83 */
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	ASSERT_INT(d->status, 0);
	ASSERT_INT(d->len, 2);
	ASSERT_BYTES(d->data, "\0\0", 2);
	d = control(0x82, USB_REQ_GET_STATUS, 0, 0x00, 2, NULL);       /* endpoint 0 */
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	ASSERT_INT(d->status, 0);
	ASSERT_BYTES(d->data, "\0\0", 2);
	d = control(0x82, USB_REQ_GET_STATUS, 0, 0x84, 2, NULL);       /* no such endpoint */
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	ASSERT_INT(d->status, USB_ST_STALL);
}

static void test_usb_device_endpoint_halt(void)
{
	struct done *d;

	set_configuration(1);
	d = control(0x02, USB_REQ_SET_FEATURE, USB_FEAT_ENDPOINT_HALT, 0x83, 0, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	ASSERT_INT(d->status, 0);
	ASSERT_INT(T.fn.halts, 1);
	ASSERT_INT(T.fn.halt_ep, 0x83);
	CU_ASSERT(T.fn.halt_state);
	d = control(0x82, USB_REQ_GET_STATUS, 0, 0x83, 2, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	ASSERT_BYTES(d->data, "\x01\x00", 2);
	/* the halt is per endpoint: 0x81 and 0x03 (number 3 OUT, not in the table) are separate */
	d = control(0x82, USB_REQ_GET_STATUS, 0, 0x81, 2, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	ASSERT_BYTES(d->data, "\x00\x00", 2);

	d = control(0x02, USB_REQ_CLEAR_FEATURE, USB_FEAT_ENDPOINT_HALT, 0x83, 0, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	ASSERT_INT(d->status, 0);
	ASSERT_INT(T.fn.halts, 2);
	CU_ASSERT(!T.fn.halt_state);
	d = control(0x82, USB_REQ_GET_STATUS, 0, 0x83, 2, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	ASSERT_BYTES(d->data, "\x00\x00", 2);
	/* halt of an endpoint that does not exist stalls */
	d = control(0x02, USB_REQ_SET_FEATURE, USB_FEAT_ENDPOINT_HALT, 0x85, 0, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	ASSERT_INT(d->status, USB_ST_STALL);
}

static void test_usb_device_halted_endpoint_stalls(void)
{
	static const uint8_t cmd[4] = { 1, 2, 3, 4 };
	struct done *d;

	set_configuration(1);
	control(0x02, USB_REQ_SET_FEATURE, USB_FEAT_ENDPOINT_HALT, 0x83, 0, NULL);
	fake_push(&T.fn, 0x83, "data", 4);
	d = bulk(1, 0x83, 1024, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	ASSERT_INT(d->status, USB_ST_STALL);
	ASSERT_INT(d->len, 0);
	ASSERT_INT(usb_device_pending(&T.dev, 0x83), 0);

	control(0x02, USB_REQ_SET_FEATURE, USB_FEAT_ENDPOINT_HALT, 0x01, 0, NULL);
	d = bulk(2, 0x01, 4, cmd);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	ASSERT_INT(d->status, USB_ST_STALL);
	ASSERT_INT(T.fn.outs, 0);   /* the function never saw it */

	/* after CLEAR_FEATURE the pipe works again, and the queued data was kept for it */
	control(0x02, USB_REQ_CLEAR_FEATURE, USB_FEAT_ENDPOINT_HALT, 0x83, 0, NULL);
	control(0x02, USB_REQ_CLEAR_FEATURE, USB_FEAT_ENDPOINT_HALT, 0x01, 0, NULL);
	d = bulk(3, 0x01, 4, cmd);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	ASSERT_INT(d->status, 0);
	ASSERT_INT(d->len, 4);
	ASSERT_INT(T.fn.outs, 1);
	ASSERT_INT(T.fn.out_ep, 0x01);
	ASSERT_BYTES(T.fn.out_data, cmd, 4);
	d = bulk(4, 0x83, 1024, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	ASSERT_INT(d->status, 0);
	ASSERT_INT(d->len, 4);
}

static void test_usb_device_halt_fails_pending_transfers(void)
{
	set_configuration(1);
	CU_ASSERT_PTR_NULL(bulk(1, 0x83, 1024, NULL));
	CU_ASSERT_PTR_NULL(bulk(2, 0x83, 1024, NULL));
	ASSERT_INT(usb_device_pending(&T.dev, 0x83), 2);
	(void)control(0x02, USB_REQ_SET_FEATURE, USB_FEAT_ENDPOINT_HALT, 0x83, 0, NULL);
	/* the control transfer completes and both pending IN transfers fail with a stall */
	ASSERT_INT(T.n_done, 4);
	ASSERT_INT(usb_device_pending(&T.dev, 0x83), 0);
	for (unsigned i = 1; i < T.n_done; i++) {
		if (T.done[i].id == 1 || T.done[i].id == 2)
			ASSERT_INT(T.done[i].status, USB_ST_STALL);
		else
			ASSERT_INT(T.done[i].status, USB_ST_OK);
	}
}

static void test_usb_device_set_interface_clears_halt(void)
{
	struct done *d;

	set_configuration(1);
	control(0x02, USB_REQ_SET_FEATURE, USB_FEAT_ENDPOINT_HALT, 0x83, 0, NULL);
	d = control(0x01, USB_REQ_SET_INTERFACE, 0, 2, 0, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	ASSERT_INT(d->status, 0);
	d = control(0x82, USB_REQ_GET_STATUS, 0, 0x83, 2, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	ASSERT_BYTES(d->data, "\x00\x00", 2);
	/* only alternate setting 0 exists */
	d = control(0x01, USB_REQ_SET_INTERFACE, 1, 2, 0, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	ASSERT_INT(d->status, USB_ST_STALL);
	d = control(0x81, USB_REQ_GET_INTERFACE, 0, 2, 1, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	ASSERT_INT(d->len, 1);
	ASSERT_INT(d->data[0], 0);
}

static void test_usb_device_unknown_requests_stall(void)
{
	struct done *d;

	set_configuration(1);
	d = control(0x80, 0x0D, 0, 0, 2, NULL);                 /* undefined standard request */
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	ASSERT_INT(d->status, -32);
	d = control(0x82, USB_REQ_SYNCH_FRAME, 0, 0x83, 2, NULL);  /* no isochronous endpoints */
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	ASSERT_INT(d->status, -32);
	d = control(0x00, USB_REQ_SET_DESCRIPTOR, 0x0100, 0, 0, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	ASSERT_INT(d->status, -32);
	d = control(0xA1, 0x01, 0, 0, 4, NULL);                  /* class request the function refuses */
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	ASSERT_INT(d->status, -32);
	ASSERT_INT(T.fn.controls, 1);
	d = control(0xC0, 0x42, 0, 0, 8, NULL);                  /* vendor request the function takes */
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	ASSERT_INT(d->status, 0);
	ASSERT_INT(d->len, 3);
	ASSERT_BYTES(d->data, "abc", 3);
	d = control(0x00, USB_REQ_GET_DESCRIPTOR, 0x0100, 0, 0, NULL);  /* GET_DESCRIPTOR as OUT */
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	ASSERT_INT(d->status, -32);
	CU_ASSERT(T.dev.n_stalls >= 5);
}

/* Regression (attack run): a transfer whose direction disagrees with its setup
 * packet completed as IN with wLength bytes of data that did not exist. */
static void test_usb_device_control_direction_mismatch_stalls(void)
{
	struct usb_xfer *x;
	unsigned before = T.n_done;

	x = new_xfer(77, 0x80, 16);                /* IN transfer, host-to-device SET_CONFIGURATION */
	memcpy(x->setup, "\x00\x09\x01\x00\x00\x00\x10\x00", 8);
	usb_device_submit(&T.dev, x);
	ASSERT_INT(T.n_done, before + 1);
	ASSERT_INT(T.done[before].status, -32);
	ASSERT_INT(T.done[before].len, 0);
	ASSERT_INT(T.dev.config, 0);
	x = new_xfer(78, 0x00, 18);                /* OUT transfer carrying a GET_DESCRIPTOR */
	memcpy(x->setup, "\x80\x06\x00\x01\x00\x00\x12\x00", 8);
	x->data = T.out_bufs[T.n_xfers - 1];
	usb_device_submit(&T.dev, x);
	ASSERT_INT(T.n_done, before + 2);
	ASSERT_INT(T.done[before + 1].status, -32);
	ASSERT_INT(T.done[before + 1].len, 0);
	x = new_xfer(79, 0x80, 0);                 /* no data stage: either direction is fine */
	memcpy(x->setup, "\x00\x09\x01\x00\x00\x00\x00\x00", 8);
	usb_device_submit(&T.dev, x);
	ASSERT_INT(T.done[before + 2].status, 0);
	ASSERT_INT(T.dev.config, 1);
}

static void test_usb_device_set_sel_and_isoch_delay(void)
{
	static const uint8_t sel[6] = { 0x0A, 0x00, 0xFF, 0x00, 0xFF, 0x00 };
	struct done *d;

	d = control(0x00, USB_REQ_SET_SEL, 0, 0, 6, sel);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	ASSERT_INT(d->status, 0);
	d = control(0x00, USB_REQ_SET_ISOCH_DELAY, 40, 0, 0, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	ASSERT_INT(d->status, 0);
	ASSERT_INT(d->len, 0);
	/* SET_SEL with a short data stage (buffer smaller than wLength) stalls */
	d = control_len(0x00, USB_REQ_SET_SEL, 0, 0, 6, 3, sel);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	ASSERT_INT(d->status, USB_ST_STALL);
}

static void test_usb_device_u1_u2_enable_accepted(void)
{
	struct done *d;

	set_configuration(1);
	d = control(0x00, USB_REQ_SET_FEATURE, USB_FEAT_U1_ENABLE, 0, 0, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	ASSERT_INT(d->status, 0);
	d = control(0x00, USB_REQ_CLEAR_FEATURE, USB_FEAT_U2_ENABLE, 0, 0, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	ASSERT_INT(d->status, 0);
}

/* ---- bulk ---- */

static void test_usb_device_bulk_before_configuration_stalls(void)
{
	static const uint8_t cmd[4] = { 0x55, 0x33, 0x56, 0x43 };
	struct done *d = bulk(1, 0x01, 4, cmd);

	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	ASSERT_INT(d->status, USB_ST_STALL);
	ASSERT_INT(T.fn.outs, 0);
	fake_push(&T.fn, 0x81, "ack", 3);
	d = bulk(2, 0x81, 64, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	ASSERT_INT(d->status, USB_ST_STALL);
	ASSERT_INT(usb_device_pending(&T.dev, 0x81), 0);
}

static void test_usb_device_bulk_to_missing_endpoint_stalls(void)
{
	static const uint8_t cmd[4] = { 0 };
	struct done *d;

	set_configuration(1);
	d = bulk(1, 0x84, 1024, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	ASSERT_INT(d->status, USB_ST_STALL);
	d = bulk(2, 0x02, 4, cmd);   /* number 2 exists only as IN */
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	ASSERT_INT(d->status, USB_ST_STALL);
	d = bulk(3, 0x0F, 4, cmd);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	ASSERT_INT(d->status, USB_ST_STALL);
	ASSERT_INT(T.fn.outs, 0);
}

static void test_usb_device_bulk_out_reaches_function(void)
{
	static const uint8_t cmd[24] = { 0x55, 0x33, 0x56, 0x43, 0x00, 0x40, 0x00, 0x08, 0x0C, 0x00, 0x01, 0x00 };
	struct done *d;

	set_configuration(1);
	d = bulk(9, 0x01, sizeof(cmd), cmd);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	ASSERT_INT(d->status, 0);
	ASSERT_INT(d->len, 24);
	ASSERT_INT(T.fn.outs, 1);
	ASSERT_INT(T.fn.out_ep, 0x01);
	ASSERT_INT(T.fn.out_len, 24);
	ASSERT_BYTES(T.fn.out_data, cmd, 24);
	/* the function's error is the transfer's status */
	T.fn.out_status = USB_ST_STALL;
	d = bulk(10, 0x01, sizeof(cmd), cmd);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	ASSERT_INT(d->status, USB_ST_STALL);
}

static void test_usb_device_pending_in_complete_in_order(void)
{
	set_configuration(1);
	/* nothing to send: transfers wait, none completes with zero bytes */
	CU_ASSERT_PTR_NULL(bulk(11, 0x83, 1024, NULL));
	CU_ASSERT_PTR_NULL(bulk(12, 0x83, 1024, NULL));
	CU_ASSERT_PTR_NULL(bulk(13, 0x83, 1024, NULL));
	ASSERT_INT(usb_device_pending(&T.dev, 0x83), 3);
	ASSERT_INT(T.n_done, 1);   /* SET_CONFIGURATION only */

	fake_push(&T.fn, 0x83, "first", 5);
	fake_push(&T.fn, 0x83, "second", 6);
	usb_device_in_ready(&T.dev, 0x83);
	ASSERT_INT(T.n_done, 3);
	ASSERT_INT(T.done[1].id, 11);
	ASSERT_INT(T.done[1].status, 0);
	ASSERT_INT(T.done[1].len, 5);
	ASSERT_BYTES(T.done[1].data, "first", 5);
	ASSERT_INT(T.done[2].id, 12);
	ASSERT_INT(T.done[2].len, 6);
	ASSERT_BYTES(T.done[2].data, "second", 6);
	CU_ASSERT_PTR_EQUAL(T.done[2].owner, &T.owner);
	ASSERT_INT(usb_device_pending(&T.dev, 0x83), 1);

	fake_push(&T.fn, 0x83, "third", 5);
	usb_device_in_ready(&T.dev, 0x83);
	ASSERT_INT(T.n_done, 4);
	ASSERT_INT(T.done[3].id, 13);
	ASSERT_BYTES(T.done[3].data, "third", 5);
	ASSERT_INT(usb_device_pending(&T.dev, 0x83), 0);
	/* other endpoints are independent */
	ASSERT_INT(usb_device_pending(&T.dev, 0x81), 0);
}

static void test_usb_device_in_never_longer_than_transfer(void)
{
	uint8_t big[1500];
	struct done *d;

	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)i;
	set_configuration(1);
	fake_push(&T.fn, 0x83, big, sizeof(big));
	d = bulk(1, 0x83, 1024, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT(d->len <= 1024);
}

static void test_usb_device_cancel_pending(void)
{
	struct usb_xfer *x;

	set_configuration(1);
	CU_ASSERT_PTR_NULL(bulk(21, 0x83, 1024, NULL));
	CU_ASSERT_PTR_NULL(bulk(22, 0x83, 1024, NULL));
	CU_ASSERT_PTR_NULL(bulk(23, 0x83, 1024, NULL));
	/* another transport's id 22 is not ours */
	CU_ASSERT_PTR_NULL(usb_device_cancel(&T.dev, &T.fn, 22));
	x = usb_device_cancel(&T.dev, &T.owner, 22);
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	ASSERT_INT(x->id, 22);
	CU_ASSERT_PTR_NULL(x->next);
	CU_ASSERT_PTR_NULL(usb_device_cancel(&T.dev, &T.owner, 22));   /* only once */
	ASSERT_INT(usb_device_pending(&T.dev, 0x83), 2);
	/* cancel the tail too, then new data goes to 21 and a new transfer 24 */
	x = usb_device_cancel(&T.dev, &T.owner, 23);
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	CU_ASSERT_PTR_NULL(bulk(24, 0x83, 1024, NULL));
	fake_push(&T.fn, 0x83, "a", 1);
	fake_push(&T.fn, 0x83, "b", 1);
	fake_push(&T.fn, 0x83, "c", 1);
	usb_device_in_ready(&T.dev, 0x83);
	ASSERT_INT(T.n_done, 3);
	ASSERT_INT(T.done[1].id, 21);
	ASSERT_INT(T.done[2].id, 24);
	for (unsigned i = 0; i < T.n_done; i++)
		CU_ASSERT(T.done[i].id != 22 && T.done[i].id != 23);
	ASSERT_INT(usb_device_pending(&T.dev, 0x83), 0);
}

static void test_usb_device_drain(void)
{
	struct usb_xfer *list;
	unsigned n = 0;

	set_configuration(1);
	bulk(31, 0x83, 1024, NULL);
	bulk(32, 0x81, 64, NULL);
	bulk(33, 0x82, 64, NULL);
	list = usb_device_drain(&T.dev);
	for (struct usb_xfer *x = list; x; x = x->next)
		n++;
	ASSERT_INT(n, 3);
	ASSERT_INT(usb_device_pending(&T.dev, 0x83), 0);
	ASSERT_INT(usb_device_pending(&T.dev, 0x81), 0);
	ASSERT_INT(T.n_done, 1);   /* none completed */
	usb_device_reset(&T.dev);
	ASSERT_INT(T.dev.config, 0);
	ASSERT_INT(T.fn.config, 0);
}


/* ---- faults: a fake owner with a device clock the tests advance by hand ---- */

#define FF_SCRIPT 16
#define FF_LOG 64

static struct {
	struct {
		uint8_t ep;
		struct usb_fault f;
		bool used;
	} script[FF_SCRIPT];              /* the next transfer on `ep` gets `f` */
	unsigned n_script;
	unsigned asked;                   /* on_transfer calls */
	uint8_t asked_ep[FF_LOG];
	uint64_t now;
	unsigned n_wakes;                 /* wake_at calls */
	uint64_t wakes[FF_LOG];
} F;

static bool ff_on_transfer(void *ctx, uint8_t ep, struct usb_fault *out)
{
	(void)ctx;
	F.asked_ep[F.asked++ % FF_LOG] = ep;
	for (unsigned i = 0; i < F.n_script; i++) {
		if (F.script[i].used || F.script[i].ep != ep)
			continue;
		F.script[i].used = true;
		*out = F.script[i].f;
		return true;
	}
	return false;
}

static uint64_t ff_now(void *ctx)
{
	(void)ctx;
	return F.now;
}

static void ff_wake_at(void *ctx, uint64_t t)
{
	(void)ctx;
	F.wakes[F.n_wakes++ % FF_LOG] = t;
}

static const struct usb_fault_ops ff_ops = { .on_transfer = ff_on_transfer, .now = ff_now, .wake_at = ff_wake_at };

/* Fault hooks on, device time `now`, configured. */
static void ff_begin(uint64_t now)
{
	memset(&F, 0, sizeof(F));
	F.now = now;
	usb_device_set_fault_ops(&T.dev, &ff_ops, &F);
	set_configuration(1);
}

static void ff_arm(uint8_t ep, enum usb_fault_kind kind, uint32_t bytes, uint64_t until, int status)
{
	CU_ASSERT_FATAL(F.n_script < FF_SCRIPT);
	F.script[F.n_script].ep = ep;
	F.script[F.n_script].f.kind = kind;
	F.script[F.n_script].f.bytes = bytes;
	F.script[F.n_script].f.until = until;
	F.script[F.n_script].f.status = status;
	F.n_script++;
}

/* Device time passes to t; the owner wakes the core as it asked (or not: the core must not care). */
static void ff_advance(uint64_t t)
{
	F.now = t;
	usb_device_wake(&T.dev);
}

static struct done *done_id(uint32_t id)
{
	for (unsigned i = 0; i < T.n_done; i++)
		if (T.done[i].id == id)
			return &T.done[i];
	return NULL;
}

/* The completion of `id`, which must have come. */
static struct done *got(uint32_t id)
{
	struct done *d = done_id(id);

	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	return d;
}

/* A transfer that must complete at once. */
static struct done *bulk_now(uint32_t id, uint8_t ep, uint32_t len, const uint8_t *out)
{
	struct done *d = bulk(id, ep, len, out);

	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	return d;
}

static struct done *control_now(uint8_t type, uint8_t req, uint16_t value, uint16_t index, uint16_t wlength,
				const uint8_t *out)
{
	struct done *d = control(type, req, value, index, wlength, out);

	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	return d;
}

static int ep_halted(uint8_t ep)
{
	struct done *d = control(0x82, USB_REQ_GET_STATUS, 0, ep, 2, NULL);

	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	return d->data[0] & 1;
}

static void test_usb_device_fault_none_changes_nothing(void)
{
	static const uint8_t cmd[4] = { 1, 2, 3, 4 };
	struct done *d;
	struct usb_xfer *x;

	ff_begin(1000);                                              /* SET_CONFIGURATION: asked (0x00) */
	d = control_now(0x80, USB_REQ_GET_DESCRIPTOR, 0x0100, 0, 18, NULL);  /* asked (0x80) */
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	ASSERT_INT(d->status, 0);
	ASSERT_INT(d->len, 18);
	d = bulk_now(1, 0x01, 4, cmd);                                   /* asked */
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	ASSERT_INT(d->status, 0);
	ASSERT_INT(d->len, 4);
	ASSERT_BYTES(T.fn.out_data, cmd, 4);
	CU_ASSERT_PTR_NULL(bulk(2, 0x83, 1024, NULL));               /* asked, waits for data as always */
	fake_push(&T.fn, 0x83, "frame", 5);
	usb_device_in_ready(&T.dev, 0x83);
	d = done_id(2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	ASSERT_INT(d->status, 0);
	ASSERT_BYTES(d->data, "frame", 5);
	ASSERT_INT(F.asked, 4);
	ASSERT_INT(F.asked_ep[0], 0x00);
	ASSERT_INT(F.asked_ep[1], 0x80);
	ASSERT_INT(F.asked_ep[2], 0x01);
	ASSERT_INT(F.asked_ep[3], 0x83);

	/* the core's own failures are not offered to the fault engine */
	control(0x02, USB_REQ_SET_FEATURE, USB_FEAT_ENDPOINT_HALT, 0x01, 0, NULL);   /* asked */
	ASSERT_INT(F.asked, 5);
	d = bulk_now(3, 0x01, 4, cmd);                                   /* halted */
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	ASSERT_INT(d->status, USB_ST_STALL);
	d = bulk_now(4, 0x84, 64, NULL);                                 /* no such endpoint */
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	ASSERT_INT(d->status, USB_ST_STALL);
	x = new_xfer(5, 0x80, 16);                                   /* direction mismatch */
	memcpy(x->setup, "\x00\x09\x01\x00\x00\x00\x10\x00", 8);
	usb_device_submit(&T.dev, x);
	ASSERT_INT(got(5)->status, USB_ST_STALL);
	ASSERT_INT(F.asked, 5);
	ASSERT_INT(T.dev.n_faults, 0);
	ASSERT_INT(F.n_wakes, 0);
	usb_device_wake(&T.dev);                                     /* a wake with nothing held does nothing */
	ASSERT_INT(F.n_wakes, 0);
}

static void test_usb_device_fault_stall_in_halts_endpoint(void)
{
	struct done *d;
	unsigned calls, asked;

	ff_begin(0);
	fake_push(&T.fn, 0x83, "data", 4);
	ff_arm(0x83, USB_FAULT_STALL, 0, 0, 0);
	calls = T.fn.bulk_in_calls;
	d = bulk_now(1, 0x83, 1024, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	ASSERT_INT(d->status, USB_ST_STALL);
	ASSERT_INT(d->len, 0);
	ASSERT_INT(T.fn.bulk_in_calls, calls);   /* the function's data was not taken */
	ASSERT_INT(T.fn.halts, 1);               /* as SET_FEATURE(ENDPOINT_HALT) would */
	ASSERT_INT(T.fn.halt_ep, 0x83);
	CU_ASSERT(T.fn.halt_state);
	ASSERT_INT(ep_halted(0x83), 1);
	ASSERT_INT(T.dev.n_faults, 1);
	/* later transfers stall until the host clears the halt; the core fails them itself */
	asked = F.asked;
	d = bulk_now(2, 0x83, 1024, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	ASSERT_INT(d->status, USB_ST_STALL);
	ASSERT_INT(F.asked, asked);
	control(0x02, USB_REQ_CLEAR_FEATURE, USB_FEAT_ENDPOINT_HALT, 0x83, 0, NULL);
	ASSERT_INT(T.fn.halts, 2);
	CU_ASSERT(!T.fn.halt_state);
	d = bulk_now(3, 0x83, 1024, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	ASSERT_INT(d->status, 0);
	ASSERT_INT(d->len, 4);
	ASSERT_BYTES(d->data, "data", 4);
}

static void test_usb_device_fault_stall_in_order(void)
{
	/* A (no fault), B (stall), C (no fault): A gets its data, then B stalls and
	 * halts the endpoint, and C, queued behind, fails with it */
	ff_begin(0);
	CU_ASSERT_PTR_NULL(bulk(1, 0x83, 1024, NULL));
	ff_arm(0x83, USB_FAULT_STALL, 0, 0, 0);
	CU_ASSERT_PTR_NULL(bulk(2, 0x83, 1024, NULL));
	CU_ASSERT_PTR_NULL(bulk(3, 0x83, 1024, NULL));
	ASSERT_INT(usb_device_pending(&T.dev, 0x83), 3);
	fake_push(&T.fn, 0x83, "A", 1);
	fake_push(&T.fn, 0x83, "C", 1);
	usb_device_in_ready(&T.dev, 0x83);
	ASSERT_INT(T.n_done, 4);
	ASSERT_INT(T.done[1].id, 1);
	ASSERT_INT(T.done[1].status, 0);
	ASSERT_BYTES(T.done[1].data, "A", 1);
	ASSERT_INT(T.done[2].id, 2);
	ASSERT_INT(T.done[2].status, USB_ST_STALL);
	ASSERT_INT(T.done[3].id, 3);
	ASSERT_INT(T.done[3].status, USB_ST_STALL);
	ASSERT_INT(usb_device_pending(&T.dev, 0x83), 0);
	ASSERT_INT(ep_halted(0x83), 1);
	ASSERT_INT(T.fn.halts, 1);
	/* the data behind the stall was kept for after the recovery */
	control(0x02, USB_REQ_CLEAR_FEATURE, USB_FEAT_ENDPOINT_HALT, 0x83, 0, NULL);
	ASSERT_BYTES(bulk_now(4, 0x83, 1024, NULL)->data, "C", 1);
}

static void test_usb_device_fault_stall_out_halts_endpoint(void)
{
	static const uint8_t cmd[4] = { 9, 8, 7, 6 };
	struct done *d;

	ff_begin(0);
	ff_arm(0x01, USB_FAULT_STALL, 0, 0, 0);
	d = bulk_now(1, 0x01, 4, cmd);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	ASSERT_INT(d->status, USB_ST_STALL);
	ASSERT_INT(d->len, 0);
	ASSERT_INT(T.fn.outs, 0);
	ASSERT_INT(T.fn.halts, 1);
	ASSERT_INT(T.fn.halt_ep, 0x01);
	CU_ASSERT(T.fn.halt_state);
	ASSERT_INT(ep_halted(0x01), 1);
	d = bulk_now(2, 0x01, 4, cmd);
	ASSERT_INT(d->status, USB_ST_STALL);
	ASSERT_INT(T.fn.outs, 0);
	control(0x02, USB_REQ_CLEAR_FEATURE, USB_FEAT_ENDPOINT_HALT, 0x01, 0, NULL);
	d = bulk_now(3, 0x01, 4, cmd);
	ASSERT_INT(d->status, 0);
	ASSERT_INT(T.fn.outs, 1);
}

static void test_usb_device_fault_stall_ep0_is_protocol_stall(void)
{
	struct done *d;

	memset(&F, 0, sizeof(F));
	usb_device_set_fault_ops(&T.dev, &ff_ops, &F);
	ff_arm(0x00, USB_FAULT_STALL, 0, 0, 0);
	d = control_now(0x00, USB_REQ_SET_CONFIGURATION, 1, 0, 0, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	ASSERT_INT(d->status, USB_ST_STALL);
	ASSERT_INT(T.dev.config, 0);      /* not executed */
	ASSERT_INT(T.fn.configs, 0);
	ASSERT_INT(T.fn.halts, 0);        /* the default pipe has no halt to set */
	ASSERT_INT(T.dev.n_stalls, 1);
	/* only that request: the next SETUP works */
	set_configuration(1);
	ASSERT_INT(T.dev.config, 1);
	ASSERT_INT(ep_halted(0x00), 0);
	ff_arm(0x80, USB_FAULT_STALL, 0, 0, 0);
	d = control_now(0x80, USB_REQ_GET_DESCRIPTOR, 0x0100, 0, 18, NULL);
	ASSERT_INT(d->status, USB_ST_STALL);
	ASSERT_INT(d->len, 0);
	d = control_now(0x80, USB_REQ_GET_DESCRIPTOR, 0x0100, 0, 18, NULL);
	ASSERT_INT(d->status, 0);
	ASSERT_INT(d->len, 18);
}

static void test_usb_device_fault_short(void)
{
	static const uint8_t dev_desc[8] = { 0x12, 0x01, 0x10, 0x03, 0xEF, 0x02, 0x01, 0x09 };
	static const uint8_t cmd[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct done *d;
	unsigned controls;

	ff_begin(0);
	/* IN: the chunk is cut, its rest is lost; the next transfer gets the next chunk */
	fake_push(&T.fn, 0x83, "0123456789", 10);
	fake_push(&T.fn, 0x83, "abc", 3);
	ff_arm(0x83, USB_FAULT_SHORT, 4, 0, 0);
	d = bulk_now(1, 0x83, 1024, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	ASSERT_INT(d->status, 0);
	ASSERT_INT(d->len, 4);
	ASSERT_BYTES(d->data, "0123", 4);
	d = bulk_now(2, 0x83, 1024, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	ASSERT_INT(d->len, 3);
	ASSERT_BYTES(d->data, "abc", 3);
	/* IN with K 0: a zero-length packet */
	fake_push(&T.fn, 0x83, "xyz", 3);
	ff_arm(0x83, USB_FAULT_SHORT, 0, 0, 0);
	d = bulk_now(3, 0x83, 1024, NULL);
	ASSERT_INT(d->status, 0);
	ASSERT_INT(d->len, 0);
	/* K larger than the chunk changes nothing */
	fake_push(&T.fn, 0x83, "xyz", 3);
	ff_arm(0x83, USB_FAULT_SHORT, 100, 0, 0);
	ASSERT_INT(bulk_now(4, 0x83, 1024, NULL)->len, 3);

	/* OUT: only K bytes reach the function, and the completion says K */
	ff_arm(0x01, USB_FAULT_SHORT, 3, 0, 0);
	d = bulk_now(5, 0x01, 8, cmd);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	ASSERT_INT(d->status, 0);
	ASSERT_INT(d->len, 3);
	ASSERT_INT(T.fn.out_len, 3);
	ASSERT_BYTES(T.fn.out_data, cmd, 3);

	/* EP0 IN: the data stage ends early */
	ff_arm(0x80, USB_FAULT_SHORT, 8, 0, 0);
	d = control_now(0x80, USB_REQ_GET_DESCRIPTOR, 0x0100, 0, 18, NULL);
	ASSERT_INT(d->status, 0);
	ASSERT_INT(d->len, 8);
	ASSERT_BYTES(d->data, dev_desc, 8);
	/* EP0 OUT: a cut data stage is not acted on; the host sees K bytes taken */
	controls = T.fn.controls;
	ff_arm(0x00, USB_FAULT_SHORT, 2, 0, 0);
	d = control_now(0x40, 0x01, 0, 0, 4, cmd);
	ASSERT_INT(d->status, 0);
	ASSERT_INT(d->len, 2);
	ASSERT_INT(T.fn.controls, controls);
	/* ... a whole one is (the fake refuses this vendor request: a stall) */
	ff_arm(0x00, USB_FAULT_SHORT, 4, 0, 0);
	d = control_now(0x40, 0x01, 0, 0, 4, cmd);
	ASSERT_INT(T.fn.controls, controls + 1);
	ASSERT_INT(d->status, USB_ST_STALL);
	ASSERT_INT(T.dev.n_faults, 7);
}

static void test_usb_device_fault_babble(void)
{
	static const uint8_t cmd[4] = { 1, 2, 3, 4 };
	struct done *d;
	unsigned calls;

	ff_begin(0);
	fake_push(&T.fn, 0x83, "data", 4);
	ff_arm(0x83, USB_FAULT_BABBLE, 0, 0, 0);
	calls = T.fn.bulk_in_calls;
	d = bulk_now(1, 0x83, 1024, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	ASSERT_INT(d->status, USB_ST_OVERFLOW);
	ASSERT_INT(d->len, 0);
	ASSERT_INT(T.fn.bulk_in_calls, calls);   /* nothing was pulled from the function */
	ASSERT_BYTES(bulk_now(2, 0x83, 1024, NULL)->data, "data", 4);
	ASSERT_INT(ep_halted(0x83), 0);
	/* a babble with nothing to send completes too: it needs no data */
	ff_arm(0x83, USB_FAULT_BABBLE, 0, 0, 0);
	d = bulk_now(3, 0x83, 1024, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	ASSERT_INT(d->status, USB_ST_OVERFLOW);

	ff_arm(0x01, USB_FAULT_BABBLE, 0, 0, 0);
	d = bulk_now(4, 0x01, 4, cmd);
	ASSERT_INT(d->status, USB_ST_OVERFLOW);
	ASSERT_INT(d->len, 0);
	ASSERT_INT(T.fn.outs, 0);

	ff_arm(0x80, USB_FAULT_BABBLE, 0, 0, 0);
	d = control_now(0x80, USB_REQ_GET_DESCRIPTOR, 0x0100, 0, 18, NULL);
	ASSERT_INT(d->status, USB_ST_OVERFLOW);
	ASSERT_INT(d->len, 0);
}

static void test_usb_device_fault_error_status(void)
{
	static const uint8_t cmd[4] = { 1, 2, 3, 4 };
	struct done *d;
	unsigned calls;

	ff_begin(0);
	fake_push(&T.fn, 0x83, "data", 4);
	ff_arm(0x83, USB_FAULT_ERROR, 0, 0, -71);   /* EPROTO */
	calls = T.fn.bulk_in_calls;
	d = bulk_now(1, 0x83, 1024, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	ASSERT_INT(d->status, -71);
	ASSERT_INT(d->len, 0);
	ASSERT_INT(T.fn.bulk_in_calls, calls);
	ASSERT_INT(ep_halted(0x83), 0);
	ASSERT_BYTES(bulk_now(2, 0x83, 1024, NULL)->data, "data", 4);

	ff_arm(0x01, USB_FAULT_ERROR, 0, 0, -110);  /* ETIMEDOUT */
	d = bulk_now(3, 0x01, 4, cmd);
	ASSERT_INT(d->status, -110);
	ASSERT_INT(d->len, 0);
	ASSERT_INT(T.fn.outs, 0);
	ASSERT_INT(ep_halted(0x01), 0);

	ff_arm(0x00, USB_FAULT_ERROR, 0, 0, -71);
	d = control_now(0x00, USB_REQ_SET_CONFIGURATION, 0, 0, 0, NULL);
	ASSERT_INT(d->status, -71);
	ASSERT_INT(T.dev.config, 1);   /* not executed */
}

static void test_usb_device_fault_delay_in_keeps_order(void)
{
	ff_begin(1000);
	fake_push(&T.fn, 0x83, "a", 1);
	fake_push(&T.fn, 0x83, "b", 1);
	ff_arm(0x83, USB_FAULT_DELAY, 0, 5000, 0);
	CU_ASSERT_PTR_NULL(bulk(1, 0x83, 1024, NULL));   /* data is there, but not before 5000 */
	CU_ASSERT_PTR_NULL(bulk(2, 0x83, 1024, NULL));   /* behind it: waits too */
	ASSERT_INT(usb_device_pending(&T.dev, 0x83), 2);
	ASSERT_INT(F.n_wakes, 1);
	ASSERT_INT(F.wakes[0], 5000);
	/* data for it arriving changes nothing */
	usb_device_in_ready(&T.dev, 0x83);
	ASSERT_INT(T.n_done, 1);
	ASSERT_INT(F.n_wakes, 1);
	/* the other IN endpoints are not held */
	fake_push(&T.fn, 0x81, "ack", 3);
	CU_ASSERT_PTR_NOT_NULL(bulk(3, 0x81, 64, NULL));
	/* a wake a little early: nothing, and the same wake is asked for again */
	ff_advance(4999);
	ASSERT_INT(usb_device_pending(&T.dev, 0x83), 2);
	ASSERT_INT(F.n_wakes, 2);
	ASSERT_INT(F.wakes[1], 5000);
	ff_advance(5000);
	ASSERT_INT(usb_device_pending(&T.dev, 0x83), 0);
	ASSERT_INT(T.done[2].id, 1);
	ASSERT_BYTES(T.done[2].data, "a", 1);
	ASSERT_INT(T.done[3].id, 2);
	ASSERT_BYTES(T.done[3].data, "b", 1);
	ASSERT_INT(F.n_wakes, 2);   /* nothing left to wait for */
	/* a delay past which no data has come: it then waits for data as usual */
	ff_arm(0x83, USB_FAULT_DELAY, 0, 6000, 0);
	CU_ASSERT_PTR_NULL(bulk(4, 0x83, 1024, NULL));
	ff_advance(7000);
	ASSERT_INT(usb_device_pending(&T.dev, 0x83), 1);
	fake_push(&T.fn, 0x83, "late", 4);
	usb_device_in_ready(&T.dev, 0x83);
	ASSERT_BYTES(got(4)->data, "late", 4);
}

static void test_usb_device_fault_nak_in_holds_earlier_transfers(void)
{
	ff_begin(0);
	CU_ASSERT_PTR_NULL(bulk(1, 0x83, 1024, NULL));   /* waits for data */
	ff_arm(0x83, USB_FAULT_NAK, 0, 3000, 0);
	CU_ASSERT_PTR_NULL(bulk(2, 0x83, 1024, NULL));   /* the endpoint NAKs from now until 3000 */
	fake_push(&T.fn, 0x83, "one", 3);
	fake_push(&T.fn, 0x83, "two", 3);
	usb_device_in_ready(&T.dev, 0x83);
	ASSERT_INT(T.n_done, 1);                          /* not even 1, queued before */
	ASSERT_INT(F.n_wakes, 1);
	ASSERT_INT(F.wakes[0], 3000);
	ff_advance(2000);
	ASSERT_INT(T.n_done, 1);
	ff_advance(3000);
	ASSERT_INT(T.n_done, 3);
	ASSERT_INT(T.done[1].id, 1);
	ASSERT_BYTES(T.done[1].data, "one", 3);
	ASSERT_INT(T.done[2].id, 2);
	ASSERT_BYTES(T.done[2].data, "two", 3);
	/* over: a new transfer completes at once */
	fake_push(&T.fn, 0x83, "3", 1);
	CU_ASSERT_PTR_NOT_NULL(bulk(3, 0x83, 1024, NULL));
}

static void test_usb_device_fault_delay_out_and_ep0(void)
{
	static const uint8_t c1[4] = { 1, 1, 1, 1 }, c2[4] = { 2, 2, 2, 2 };
	struct done *d;

	ff_begin(1000);
	ff_arm(0x01, USB_FAULT_DELAY, 0, 2000, 0);
	CU_ASSERT_PTR_NULL(bulk(1, 0x01, 4, c1));
	ASSERT_INT(T.fn.outs, 0);                         /* not processed before its time */
	CU_ASSERT_PTR_NULL(bulk(2, 0x01, 4, c2));         /* behind it on the pipe: in order */
	ASSERT_INT(usb_device_pending(&T.dev, 0x01), 2);
	ASSERT_INT(F.n_wakes, 1);
	ASSERT_INT(F.wakes[0], 2000);
	/* EP0 is another pipe */
	d = control_now(0x80, USB_REQ_GET_DESCRIPTOR, 0x0100, 0, 18, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	ASSERT_INT(d->len, 18);
	ff_advance(2000);
	ASSERT_INT(T.fn.outs, 2);
	ASSERT_BYTES(T.fn.out_data, c2, 4);
	ASSERT_INT(got(1)->status, 0);
	ASSERT_INT(got(1)->len, 4);
	CU_ASSERT(got(1) < got(2));
	ASSERT_INT(usb_device_pending(&T.dev, 0x01), 0);

	/* a delayed control transfer is executed when its time comes */
	ff_arm(0x00, USB_FAULT_DELAY, 0, 3000, 0);
	CU_ASSERT_PTR_NULL(control(0x00, USB_REQ_SET_CONFIGURATION, 0, 0, 0, NULL));
	ASSERT_INT(T.dev.config, 1);
	ASSERT_INT(usb_device_pending(&T.dev, 0x00), 1);
	ASSERT_INT(usb_device_pending(&T.dev, 0x80), 1);   /* one pipe, both directions */
	/* a GET_DESCRIPTOR after it waits its turn */
	CU_ASSERT_PTR_NULL(control(0x80, USB_REQ_GET_DESCRIPTOR, 0x0100, 0, 18, NULL));
	ff_advance(3000);
	ASSERT_INT(T.dev.config, 0);
	ASSERT_INT(T.done[T.n_done - 2].status, 0);
	ASSERT_INT(T.done[T.n_done - 1].len, 18);
	ASSERT_INT(usb_device_pending(&T.dev, 0x00), 0);
}

static void test_usb_device_fault_nak_out_is_the_pipe(void)
{
	static const uint8_t c1[4] = { 1, 1, 1, 1 }, c2[4] = { 2, 2, 2, 2 };
	struct usb_xfer *x;

	ff_begin(0);
	ff_arm(0x01, USB_FAULT_NAK, 0, 4000, 0);
	CU_ASSERT_PTR_NULL(bulk(1, 0x01, 4, c1));
	/* the host gives up on it; the endpoint still refuses data until 4000 */
	x = usb_device_cancel(&T.dev, &T.owner, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	ASSERT_INT(x->id, 1);
	CU_ASSERT_PTR_NULL(x->next);
	ASSERT_INT(usb_device_pending(&T.dev, 0x01), 0);
	CU_ASSERT_PTR_NULL(bulk(2, 0x01, 4, c2));
	ASSERT_INT(T.fn.outs, 0);
	ff_advance(3999);
	ASSERT_INT(T.fn.outs, 0);
	ff_advance(4000);
	ASSERT_INT(T.fn.outs, 1);
	ASSERT_BYTES(T.fn.out_data, c2, 4);
	ASSERT_INT(got(2)->status, 0);
	CU_ASSERT_PTR_NULL(done_id(1));
}

static void test_usb_device_fault_unlink_held_transfer(void)
{
	static const uint8_t c1[4] = { 1, 1, 1, 1 }, c2[4] = { 2, 2, 2, 2 };
	struct usb_xfer *x;

	ff_begin(0);
	/* IN: the held head unlinked, the one behind it completes at once */
	fake_push(&T.fn, 0x83, "data", 4);
	ff_arm(0x83, USB_FAULT_DELAY, 0, 5000, 0);
	CU_ASSERT_PTR_NULL(bulk(1, 0x83, 1024, NULL));
	CU_ASSERT_PTR_NULL(bulk(2, 0x83, 1024, NULL));
	x = usb_device_cancel(&T.dev, &T.owner, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	ASSERT_INT(x->id, 1);
	CU_ASSERT_PTR_NULL(x->next);
	ASSERT_BYTES(got(2)->data, "data", 4);
	ASSERT_INT(usb_device_pending(&T.dev, 0x83), 0);

	/* OUT: the same */
	ff_arm(0x01, USB_FAULT_DELAY, 0, 5000, 0);
	CU_ASSERT_PTR_NULL(bulk(3, 0x01, 4, c1));
	CU_ASSERT_PTR_NULL(bulk(4, 0x01, 4, c2));
	ASSERT_INT(usb_device_pending(&T.dev, 0x01), 2);
	x = usb_device_cancel(&T.dev, &T.owner, 3);
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	ASSERT_INT(x->id, 3);
	CU_ASSERT_PTR_NULL(x->next);
	CU_ASSERT_PTR_NULL(usb_device_cancel(&T.dev, &T.owner, 3));
	ASSERT_INT(T.fn.outs, 1);                 /* the function only ever saw 4 */
	ASSERT_BYTES(T.fn.out_data, c2, 4);
	ASSERT_INT(got(4)->status, 0);

	/* a held transfer of another owner is not ours to unlink */
	ff_arm(0x01, USB_FAULT_DELAY, 0, 5000, 0);
	CU_ASSERT_PTR_NULL(bulk(5, 0x01, 4, c1));
	CU_ASSERT_PTR_NULL(usb_device_cancel(&T.dev, &T.fn, 5));
	x = usb_device_cancel(&T.dev, &T.owner, 5);
	CU_ASSERT_PTR_NOT_NULL(x);
	/* the wake asked for them comes: nothing is left to complete */
	ff_advance(5000);
	ASSERT_INT(T.fn.outs, 1);
	CU_ASSERT_PTR_NULL(done_id(1));
	CU_ASSERT_PTR_NULL(done_id(3));
	CU_ASSERT_PTR_NULL(done_id(5));
}

static void test_usb_device_fault_drain_and_reset_drop_holds(void)
{
	static const uint8_t c1[4] = { 1, 1, 1, 1 };
	struct usb_xfer *list;
	unsigned n = 0, done;

	ff_begin(0);
	ff_arm(0x83, USB_FAULT_DELAY, 0, 5000, 0);
	ff_arm(0x01, USB_FAULT_DELAY, 0, 5000, 0);
	ff_arm(0x80, USB_FAULT_DELAY, 0, 5000, 0);
	ff_arm(0x81, USB_FAULT_NAK, 0, 9000, 0);
	fake_push(&T.fn, 0x83, "x", 1);
	CU_ASSERT_PTR_NULL(bulk(1, 0x83, 1024, NULL));
	CU_ASSERT_PTR_NULL(bulk(2, 0x01, 4, c1));
	CU_ASSERT_PTR_NULL(control(0x80, USB_REQ_GET_DESCRIPTOR, 0x0100, 0, 18, NULL));
	CU_ASSERT_PTR_NULL(bulk(3, 0x81, 64, NULL));
	done = T.n_done;
	list = usb_device_drain(&T.dev);
	for (struct usb_xfer *x = list; x; x = x->next)
		n++;
	ASSERT_INT(n, 4);
	ASSERT_INT(usb_device_pending(&T.dev, 0x83), 0);
	ASSERT_INT(usb_device_pending(&T.dev, 0x01), 0);
	ASSERT_INT(usb_device_pending(&T.dev, 0x00), 0);
	ASSERT_INT(T.n_done, done);
	usb_device_reset(&T.dev);
	ff_advance(9000);
	ASSERT_INT(T.n_done, done);
	ASSERT_INT(T.fn.outs, 0);
	/* the reset ended the NAK on 0x81: after the new enumeration it answers at once */
	F.now = 100;
	set_configuration(1);
	fake_push(&T.fn, 0x81, "ack", 3);
	CU_ASSERT_PTR_NOT_NULL(bulk(4, 0x81, 64, NULL));
}

static void test_usb_device_fault_pause_with_holds(void)
{
	ff_begin(0);
	fake_push(&T.fn, 0x83, "a", 1);
	fake_push(&T.fn, 0x83, "b", 1);
	ff_arm(0x83, USB_FAULT_DELAY, 0, 2000, 0);
	CU_ASSERT_PTR_NULL(bulk(1, 0x83, 1024, NULL));
	/* the transport's send queue fills up: its time comes, but it may not complete */
	usb_device_pause_in(&T.dev, true);
	ff_advance(2000);
	ASSERT_INT(usb_device_pending(&T.dev, 0x83), 1);
	usb_device_pause_in(&T.dev, false);
	ASSERT_BYTES(got(1)->data, "a", 1);
	/* resumed before its time: still held until then */
	ff_arm(0x83, USB_FAULT_DELAY, 0, 3000, 0);
	usb_device_pause_in(&T.dev, true);
	CU_ASSERT_PTR_NULL(bulk(2, 0x83, 1024, NULL));
	usb_device_pause_in(&T.dev, false);
	ASSERT_INT(usb_device_pending(&T.dev, 0x83), 1);
	ASSERT_INT(F.wakes[F.n_wakes - 1], 3000);
	ff_advance(3000);
	ASSERT_BYTES(got(2)->data, "b", 1);
}

static void test_usb_device_fault_wake_asks_for_the_earliest(void)
{
	static const uint8_t c1[4] = { 1, 1, 1, 1 };

	ff_begin(0);
	fake_push(&T.fn, 0x83, "in", 2);
	ff_arm(0x83, USB_FAULT_DELAY, 0, 9000, 0);
	CU_ASSERT_PTR_NULL(bulk(1, 0x83, 1024, NULL));
	ASSERT_INT(F.n_wakes, 1);
	ASSERT_INT(F.wakes[0], 9000);
	ff_arm(0x01, USB_FAULT_DELAY, 0, 4000, 0);
	CU_ASSERT_PTR_NULL(bulk(2, 0x01, 4, c1));
	ASSERT_INT(F.n_wakes, 2);                /* earlier: replaces the request */
	ASSERT_INT(F.wakes[1], 4000);
	ff_arm(0x80, USB_FAULT_NAK, 0, 6000, 0);
	CU_ASSERT_PTR_NULL(control(0x80, USB_REQ_GET_DESCRIPTOR, 0x0100, 0, 18, NULL));
	ASSERT_INT(F.n_wakes, 2);                /* later than 4000: that wake covers it */
	ff_advance(4000);
	ASSERT_INT(T.fn.outs, 1);
	ASSERT_INT(F.n_wakes, 3);                /* one request per wake: the next earliest */
	ASSERT_INT(F.wakes[2], 6000);
	ff_advance(6000);
	ASSERT_INT(T.done[T.n_done - 1].len, 18);
	ASSERT_INT(F.n_wakes, 4);
	ASSERT_INT(F.wakes[3], 9000);
	ff_advance(9000);
	ASSERT_BYTES(got(1)->data, "in", 2);
	ASSERT_INT(F.n_wakes, 4);
	ASSERT_INT(T.dev.n_faults, 3);
}

static void test_usb_device_fault_removing_ops_releases_holds(void)
{
	static const uint8_t c1[4] = { 1, 1, 1, 1 };

	ff_begin(0);
	fake_push(&T.fn, 0x83, "in", 2);
	ff_arm(0x83, USB_FAULT_DELAY, 0, 9000, 0);
	ff_arm(0x01, USB_FAULT_NAK, 0, 9000, 0);
	CU_ASSERT_PTR_NULL(bulk(1, 0x83, 1024, NULL));
	CU_ASSERT_PTR_NULL(bulk(2, 0x01, 4, c1));
	usb_device_set_fault_ops(&T.dev, NULL, NULL);
	ASSERT_BYTES(got(1)->data, "in", 2);
	ASSERT_INT(got(2)->status, 0);
	ASSERT_INT(T.fn.outs, 1);
	/* and without hooks nothing is asked, held or woken */
	CU_ASSERT_PTR_NOT_NULL(bulk(3, 0x01, 4, c1));
	ASSERT_INT(F.asked, 3);
}

static const struct test_case cases[] = {
	{ "test_usb_device_get_device_descriptor_8_then_18", test_usb_device_get_device_descriptor_8_then_18 },
	{ "test_usb_device_get_config_9_then_full", test_usb_device_get_config_9_then_full },
	{ "test_usb_device_get_bos_and_strings", test_usb_device_get_bos_and_strings },
	{ "test_usb_device_in_data_never_longer_than_buffer", test_usb_device_in_data_never_longer_than_buffer },
	{ "test_usb_device_set_get_configuration", test_usb_device_set_get_configuration },
	{ "test_usb_device_get_status", test_usb_device_get_status },
	{ "test_usb_device_endpoint_halt", test_usb_device_endpoint_halt },
	{ "test_usb_device_halted_endpoint_stalls", test_usb_device_halted_endpoint_stalls },
	{ "test_usb_device_halt_fails_pending_transfers", test_usb_device_halt_fails_pending_transfers },
	{ "test_usb_device_set_interface_clears_halt", test_usb_device_set_interface_clears_halt },
	{ "test_usb_device_unknown_requests_stall", test_usb_device_unknown_requests_stall },
	{ "test_usb_device_control_direction_mismatch_stalls", test_usb_device_control_direction_mismatch_stalls },
	{ "test_usb_device_set_sel_and_isoch_delay", test_usb_device_set_sel_and_isoch_delay },
	{ "test_usb_device_u1_u2_enable_accepted", test_usb_device_u1_u2_enable_accepted },
	{ "test_usb_device_bulk_before_configuration_stalls", test_usb_device_bulk_before_configuration_stalls },
	{ "test_usb_device_bulk_to_missing_endpoint_stalls", test_usb_device_bulk_to_missing_endpoint_stalls },
	{ "test_usb_device_bulk_out_reaches_function", test_usb_device_bulk_out_reaches_function },
	{ "test_usb_device_pending_in_complete_in_order", test_usb_device_pending_in_complete_in_order },
	{ "test_usb_device_in_never_longer_than_transfer", test_usb_device_in_never_longer_than_transfer },
	{ "test_usb_device_cancel_pending", test_usb_device_cancel_pending },
	{ "test_usb_device_drain", test_usb_device_drain },
	{ "test_usb_device_fault_none_changes_nothing", test_usb_device_fault_none_changes_nothing },
	{ "test_usb_device_fault_stall_in_halts_endpoint", test_usb_device_fault_stall_in_halts_endpoint },
	{ "test_usb_device_fault_stall_in_order", test_usb_device_fault_stall_in_order },
	{ "test_usb_device_fault_stall_out_halts_endpoint", test_usb_device_fault_stall_out_halts_endpoint },
	{ "test_usb_device_fault_stall_ep0_is_protocol_stall", test_usb_device_fault_stall_ep0_is_protocol_stall },
	{ "test_usb_device_fault_short", test_usb_device_fault_short },
	{ "test_usb_device_fault_babble", test_usb_device_fault_babble },
	{ "test_usb_device_fault_error_status", test_usb_device_fault_error_status },
	{ "test_usb_device_fault_delay_in_keeps_order", test_usb_device_fault_delay_in_keeps_order },
	{ "test_usb_device_fault_nak_in_holds_earlier_transfers", test_usb_device_fault_nak_in_holds_earlier_transfers },
	{ "test_usb_device_fault_delay_out_and_ep0", test_usb_device_fault_delay_out_and_ep0 },
	{ "test_usb_device_fault_nak_out_is_the_pipe", test_usb_device_fault_nak_out_is_the_pipe },
	{ "test_usb_device_fault_unlink_held_transfer", test_usb_device_fault_unlink_held_transfer },
	{ "test_usb_device_fault_drain_and_reset_drop_holds", test_usb_device_fault_drain_and_reset_drop_holds },
	{ "test_usb_device_fault_pause_with_holds", test_usb_device_fault_pause_with_holds },
	{ "test_usb_device_fault_wake_asks_for_the_earliest", test_usb_device_fault_wake_asks_for_the_earliest },
	{ "test_usb_device_fault_removing_ops_releases_holds", test_usb_device_fault_removing_ops_releases_holds },
	{ NULL, NULL },
};

int test_usb_device_add_suite(void) { return test_add_suite("usb_device", setup, NULL, cases); }
