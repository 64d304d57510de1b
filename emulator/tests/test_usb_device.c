/* usb/usb_device: the EP0 standard requests and the bulk endpoint queues,
 * driven through a fake USB function and a capturing completion callback
 * (USB 3.2 chapter 9.4, PROTOCOLS.md section 1 "Enumeration traffic"). */
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
	struct usb_xfer *x = new_xfer(next_id++, 0x00, buf_len);
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
	{ "test_usb_device_set_sel_and_isoch_delay", test_usb_device_set_sel_and_isoch_delay },
	{ "test_usb_device_u1_u2_enable_accepted", test_usb_device_u1_u2_enable_accepted },
	{ "test_usb_device_bulk_before_configuration_stalls", test_usb_device_bulk_before_configuration_stalls },
	{ "test_usb_device_bulk_to_missing_endpoint_stalls", test_usb_device_bulk_to_missing_endpoint_stalls },
	{ "test_usb_device_bulk_out_reaches_function", test_usb_device_bulk_out_reaches_function },
	{ "test_usb_device_pending_in_complete_in_order", test_usb_device_pending_in_complete_in_order },
	{ "test_usb_device_in_never_longer_than_transfer", test_usb_device_in_never_longer_than_transfer },
	{ "test_usb_device_cancel_pending", test_usb_device_cancel_pending },
	{ "test_usb_device_drain", test_usb_device_drain },
	{ NULL, NULL },
};

int test_usb_device_add_suite(void) { return test_add_suite("usb_device", setup, NULL, cases); }
