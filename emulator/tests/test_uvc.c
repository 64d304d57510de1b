/* SPDX-License-Identifier: MIT */
/* uvc: the USB Video Class face of the whole camera at the USB device core,
 * without USB/IP -- descriptors (lengths, links, GUIDs, frame intervals against
 * the manual's frame-rate table), every control's GET and SET_CUR requests against the
 * manual's ranges and the model feature it changes, malformed class requests,
 * probe/commit, and streams in every format compared byte for byte with the
 * sensor's test pattern, with FID/EOF/PTS/SCR and frame timing checked in
 * device time. Golden numbers come from UVC 1.5 and the camera's manual. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../models/pfnc.h"
#include "../camera/camera_io.h"
#include "../camera/framerate.h"
#include "../common/errors.h"
#include "../common/evloop.h"
#include "../device.h"
#include "../sensor/sensor.h"
#include "../uvc/uvc_defs.h"
#include "tests.h"

#define BUF_MAX (4u << 20)

static struct {
	struct evloop *loop;
	struct emu_device dev;
	char dir[64];
	uint32_t next_id;
	uint64_t log_mark;    /* the event log's first record of this power cycle */
	/* the last completion */
	bool done;
	int status;
	size_t len;
	uint8_t *buf;
} T;

static void on_complete(void *owner, struct usb_xfer *x, const struct usb_in_chunk *r)
{
	(void)owner;
	T.done = true;
	T.status = r->status;
	T.len = r->len;
	if (r->data && r->len && r->len <= BUF_MAX)
		memcpy(T.buf, r->data, r->len);
	free(x->data);
	free(x);
}

static void submit(uint8_t ep, const uint8_t setup[8], const uint8_t *out, uint32_t len)
{
	struct usb_xfer *x = calloc(1, sizeof(*x));

	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	x->id = ++T.next_id;
	x->ep = ep;
	x->length = len;
	x->owner = &T;
	if (setup)
		memcpy(x->setup, setup, 8);
	if (!(ep & 0x80) && len) {
		x->data = malloc(len);
		memcpy(x->data, out, len);
	}
	T.done = false;
	usb_device_submit(&T.dev.uvc.usb, x);
}

/* A control transfer; returns its status (IN data in T.buf, T.len). */
static int ctl(uint8_t rt, uint8_t req, uint16_t value, uint16_t index, uint16_t len, const uint8_t *out)
{
	uint8_t setup[8] = { rt, req };

	t_le16(setup + 2, value);
	t_le16(setup + 4, index);
	t_le16(setup + 6, len);
	submit(rt & 0x80 ? 0x80 : 0x00, setup, out, len);
	CU_ASSERT_FATAL(T.done);
	return T.status;
}

static int get(uint8_t req, uint8_t entity, uint8_t iface, uint8_t sel, uint16_t len)
{
	return ctl(0xA1, req, (uint16_t)(sel << 8), (uint16_t)(entity << 8 | iface), len, NULL);
}

static int set(uint8_t entity, uint8_t iface, uint8_t sel, const uint8_t *data, uint16_t len)
{
	return ctl(0x21, UVC_SET_CUR, (uint16_t)(sel << 8), (uint16_t)(entity << 8 | iface), len, data);
}

static int error_code(void)
{
	CU_ASSERT_EQUAL(get(UVC_GET_CUR, 0, 0, UVC_VC_REQUEST_ERROR_CODE_CONTROL, 1), 0);
	return T.buf[0];
}

static int64_t le_value(const uint8_t *p, unsigned len, bool sgn)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < len; i++)
		v |= (uint64_t)p[i] << (8 * i);
	if (sgn && len < 8 && (v >> (8 * len - 1)) & 1)
		v |= ~((UINT64_C(1) << (8 * len)) - 1);
	return (int64_t)v;
}

/* Transfers still pending go, as when the USB/IP connection closes. */
static void drain(void)
{
	for (struct usb_xfer *x = usb_device_drain(&T.dev.uvc.usb), *next; x; x = next) {
		next = x->next;
		free(x->data);
		free(x);
	}
}

static void power_cycle(void)
{
	static const uint8_t set_config[8] = { 0x00, 0x09, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00 };

	drain();
	usb_device_reset(&T.dev.uvc.usb);
	T.dev.exp.attached(T.dev.exp.ctx, false);
	T.dev.exp.attached(T.dev.exp.ctx, true);
	T.log_mark = camera_io_log(&T.dev.cam)->next_seq;
	submit(0x00, set_config, NULL, 0);
	CU_ASSERT(T.done && T.status == 0);
}

static int suite_init(void)
{
	snprintf(T.dir, sizeof(T.dir), "/tmp/dfk-test-uvc-XXXXXX");
	if (!mkdtemp(T.dir))
		return 1;
	T.buf = malloc(BUF_MAX);
	T.loop = evloop_new();
	if (!T.buf || !T.loop)
		return 1;
	struct emu_device_config cfg = {
		.model = &dfk38ux267_model, .serial = "38267001", .state_dir = T.dir, .bus_index = 1,
		.face = EMU_FACE_UVC,
		.opt = { .time_scale = 0, .source = SENSOR_SOURCE_PATTERN, .seed = 0 },
	};
	if (emu_device_init(&T.dev, T.loop, &cfg) < 0 || T.dev.face != EMU_FACE_UVC)
		return 1;
	T.dev.uvc.usb.complete = on_complete;
	return 0;
}

static int suite_clean(void)
{
	char cmd[128];

	drain();
	emu_device_free(&T.dev);
	evloop_free(T.loop);
	free(T.buf);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", T.dir);
	return system(cmd) == 0 ? 0 : 1;
}

/* ---- descriptors ---- */

static const uint8_t guid_tail[12] = { 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71 };

/* The manual's 5.1.4 table (fixtures/dfk38ux267/framerate.tsv): max fps per format and size. */
static double manual_max_fps(const char *fourcc, unsigned w, unsigned h)
{
	static const struct { const char *fourcc; unsigned w, h; double fps; } rows[] = {
		{ "RGGB", 4096, 2160, 35 }, { "RGGB", 3840, 2160, 35 }, { "RGGB", 1920, 1080, 70 }, { "RGGB", 640, 480, 152 },
		{ "RGCp", 4096, 2160, 28 }, { "RGCp", 3840, 2160, 29 }, { "RGCp", 1920, 1080, 70 }, { "RGCp", 640, 480, 152 },
		{ "RG16", 4096, 2160, 21 }, { "RG16", 3840, 2160, 22 }, { "RG16", 1920, 1080, 70 }, { "RG16", 640, 480, 152 },
		{ "YUY2", 4096, 2160, 21 }, { "YUY2", 3840, 2160, 22 }, { "YUY2", 1920, 1080, 70 }, { "YUY2", 640, 480, 152 },
		{ "Y411", 4096, 2160, 28 }, { "Y411", 3840, 2160, 30 }, { "Y411", 1920, 1080, 70 }, { "Y411", 640, 480, 152 },
		{ "RGB24", 4096, 2160, 14 }, { "RGB24", 3840, 2160, 15 }, { "RGB24", 1920, 1080, 60 }, { "RGB24", 640, 480, 152 },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (!strcmp(rows[i].fourcc, fourcc) && rows[i].w == w && rows[i].h == h)
			return rows[i].fps;
	return 0;
}

static void test_uvc_descriptors(void)
{
	static const char *const fourcc[] = { "RGGB", "RGCp", "RG16", "YUY2", "Y411" };
	static const unsigned bpp[] = { 8, 12, 16, 16, 12, 24 };
	static const uint8_t rgb24[16] = { 0x7D, 0xEB, 0x36, 0xE4, 0x4F, 0x52, 0xCE, 0x11,
					   0x9F, 0x53, 0x00, 0x20, 0xAF, 0x0B, 0xA7, 0x70 };
	static const uint8_t xu_guid[16] = { 0x0A, 0xBA, 0x49, 0xDE, 0x5C, 0x0B, 0x49, 0xD5,
					     0x8F, 0x71, 0x0B, 0xE4, 0x0F, 0x94, 0xA6, 0x7A };
	const uint8_t *d;
	size_t total, off, vc_start = 0, vs_start = 0;
	unsigned vc_total = 0, vs_total = 0, formats = 0, frames = 0, cur_format = 0, checked_rates = 0;
	int iface = -1;
	bool seen_ct = false, seen_pu = false, seen_xu = false, seen_ot = false, seen_iad = false, seen_ep = false;

	ASSERT_INT(ctl(0x80, 0x06, 0x0100, 0, 18, NULL), 0);
	ASSERT_INT(T.len, 18);
	ASSERT_INT(t_get_le16(T.buf + 2), 0x0310);
	ASSERT_INT(T.buf[4], 0xEF);
	ASSERT_INT(t_get_le16(T.buf + 8), 0x199E);
	ASSERT_INT(t_get_le16(T.buf + 10), 0x988E);

	ASSERT_INT(ctl(0x80, 0x06, 0x0200, 0, 4096, NULL), 0);
	d = T.buf;
	total = t_get_le16(d + 2);
	ASSERT_INT(T.len, total);
	ASSERT_INT(d[4], 2);   /* bNumInterfaces */
	for (off = 0; off < total;) {
		const uint8_t *p = d + off;
		CU_ASSERT_FATAL(p[0] >= 2 && off + p[0] <= total);
		if (p[1] == 0x0B) {
			seen_iad = true;
			ASSERT_INT(p[0], 8);
			ASSERT_INT(p[2], 0);
			ASSERT_INT(p[3], 2);
			ASSERT_INT(p[4], 0x0E);
			ASSERT_INT(p[5], 0x03);
		} else if (p[1] == 0x04) {
			iface = p[2];
			ASSERT_INT(p[5], 0x0E);
			ASSERT_INT(p[6], iface == 0 ? 1 : 2);
			ASSERT_INT(p[4], iface == 0 ? 0 : 1);   /* no status endpoint; one bulk endpoint */
			ASSERT_INT(p[3], 0);                    /* one alternate setting each */
		} else if (p[1] == 0x05) {
			seen_ep = true;
			ASSERT_INT(p[2], 0x81);
			ASSERT_INT(p[3], 0x02);
			ASSERT_INT(t_get_le16(p + 4), 1024);
		} else if (p[1] == 0x24 && iface == 0) {
			switch (p[2]) {
			case 0x01:
				vc_start = off;
				vc_total = t_get_le16(p + 5);
				ASSERT_INT(t_get_le16(p + 3), 0x0150);
				ASSERT_INT(t_get_le32(p + 7), 1000000);
				ASSERT_INT(p[11], 1);
				ASSERT_INT(p[12], 1);
				break;
			case 0x02:
				seen_ct = true;
				ASSERT_INT(p[3], 1);
				ASSERT_INT(t_get_le16(p + 4), 0x0201);
				ASSERT_INT(p[0], 15 + p[14]);
				ASSERT_INT(p[15], 0x0A);   /* bits 1 AE mode, 3 exposure time absolute */
				break;
			case 0x05:
				seen_pu = true;
				ASSERT_INT(p[3], 2);
				ASSERT_INT(p[4], 1);
				ASSERT_INT(p[0], 10 + p[7]);
				/* brightness 0, hue 2, saturation 3, gamma 5, WB temperature 6, gain 9 */
				ASSERT_INT(p[8] | p[9] << 8 | p[10] << 16, 0x26D);
				break;
			case 0x06: {
				unsigned nbits = 0;
				seen_xu = true;
				ASSERT_INT(p[3], 3);
				ASSERT_BYTES(p + 4, xu_guid, 16);
				ASSERT_INT(p[21], 1);
				ASSERT_INT(p[22], 2);
				ASSERT_INT(p[0], 24 + 1 + p[23]);
				for (unsigned b = 0; b < p[23]; b++)
					nbits += (unsigned)__builtin_popcount(p[24 + b]);
				ASSERT_INT(p[20], nbits);
				ASSERT_INT(nbits, 40);   /* 45 names, 5 selectors shared by 2 or 3 of them */
				/* selector 0x1b (Exposure Time (us)) is bit 0x1a */
				CU_ASSERT(p[24 + 0x1a / 8] & (1u << (0x1a % 8)));
				break;
			}
			case 0x03:
				seen_ot = true;
				ASSERT_INT(p[3], 4);
				ASSERT_INT(t_get_le16(p + 4), 0x0101);
				ASSERT_INT(p[7], 3);
				ASSERT_INT(off + p[0] - vc_start, vc_total);   /* the last VC descriptor */
				break;
			default:
				FAIL_MSG("unexpected VC descriptor");
			}
		} else if (p[1] == 0x24 && iface == 1) {
			switch (p[2]) {
			case 0x01:
				vs_start = off;
				vs_total = t_get_le16(p + 4);
				ASSERT_INT(p[3], 6);
				ASSERT_INT(p[6], 0x81);
				ASSERT_INT(p[8], 4);   /* bTerminalLink: the output terminal */
				ASSERT_INT(p[0], 13 + p[3] * p[12]);
				break;
			case 0x04:
				formats++;
				cur_format = p[3];
				ASSERT_INT(p[0], 27);
				ASSERT_INT(p[3], formats);
				ASSERT_INT(p[4], 6);
				if (formats <= 5) {
					ASSERT_BYTES(p + 5, fourcc[formats - 1], 4);
					ASSERT_BYTES(p + 9, guid_tail, 12);
				} else {
					ASSERT_BYTES(p + 5, rgb24, 16);
				}
				ASSERT_INT(p[21], bpp[formats - 1]);
				break;
			case 0x05: {
				unsigned w = t_get_le16(p + 5), h = t_get_le16(p + 7), n = p[25];
				uint32_t first = t_get_le32(p + 26);
				const char *name = formats <= 5 ? fourcc[formats - 1] : "RGB24";
				double fps = manual_max_fps(name, w, h);
				frames++;
				ASSERT_INT(p[0], 26 + 4 * n);
				CU_ASSERT(n >= 1 && n <= 5);
				ASSERT_INT(t_get_le32(p + 17), w * h * bpp[cur_format - 1] / 8);
				ASSERT_INT(t_get_le32(p + 21), first);
				/* the fastest interval is the frame-rate model's maximum: the manual's, where it has one */
				if (fps > 0) {
					CU_ASSERT(fabs(1e7 / first - fps) < 1.0);
					checked_rates++;
				}
				for (unsigned k = 1; k < n; k++) {
					uint32_t iv = t_get_le32(p + 26 + 4 * k);
					CU_ASSERT(iv > t_get_le32(p + 22 + 4 * k));
					CU_ASSERT(iv == 166667 || iv == 333333 || iv == 666667 || iv == 1333333);
				}
				break;
			}
			case 0x0D:
				ASSERT_INT(p[0], 6);
				if (formats == 6 && frames == 36)
					ASSERT_INT(off + 6 - vs_start, vs_total);
				break;
			default:
				FAIL_MSG("unexpected VS descriptor");
			}
		}
		off += p[0];
	}
	ASSERT_INT(off, total);
	CU_ASSERT(seen_iad && seen_ct && seen_pu && seen_xu && seen_ot && seen_ep);
	ASSERT_INT(formats, 6);
	ASSERT_INT(frames, 36);
	ASSERT_INT(checked_rates, 24);

	/* strings: the same identity as the USB3 Vision face */
	ASSERT_INT(ctl(0x80, 0x06, 0x0303, 0x0409, 255, NULL), 0);
	ASSERT_INT(T.buf[0], 2 + 2 * 8);
	CU_ASSERT(T.buf[2] == '3' && T.buf[16] == '1' && T.buf[17] == 0);
}

/* ---- controls ---- */

static const struct uvc_field *field_named(const char *name, const struct uvc_control_def **def)
{
	for (unsigned i = 0; i < uvc_n_control_defs; i++)
		for (unsigned k = 0; k < uvc_control_defs[i].n_fields; k++)
			if (!strcmp(uvc_control_defs[i].fields[k].name, name)) {
				*def = &uvc_control_defs[i];
				return &uvc_control_defs[i].fields[k];
			}
	return NULL;
}

static int64_t field_of(const uint8_t *buf, unsigned len, const struct uvc_field *f)
{
	uint64_t v = (uint64_t)le_value(buf, len, false), mask = (UINT64_C(1) << f->bits) - 1, u = (v >> f->offset) & mask;

	if (f->is_signed && (u >> (f->bits - 1)))
		return (int64_t)(u | ~mask);
	return (int64_t)u;
}

/* GET_<req> of the control that holds `name`, as that field's value. */
static int64_t get_field(const char *name, uint8_t req)
{
	const struct uvc_control_def *d = NULL;
	const struct uvc_field *f = field_named(name, &d);

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	ASSERT_INT(get(req, d->entity, 0, d->selector, d->length), 0);
	return field_of(T.buf, d->length, f);
}

static void expect_range(const char *name, int64_t min, int64_t max, int64_t def)
{
	char msg[160];

	snprintf(msg, sizeof(msg), "%s: want %lld..%lld default %lld, got %lld..%lld default %lld", name,
		 (long long)min, (long long)max, (long long)def, (long long)get_field(name, UVC_GET_MIN),
		 (long long)get_field(name, UVC_GET_MAX), (long long)get_field(name, UVC_GET_DEF));
	if (get_field(name, UVC_GET_MIN) != min || get_field(name, UVC_GET_MAX) != max ||
	    get_field(name, UVC_GET_DEF) != def)
		FAIL_MSG(msg);
}

static void test_uvc_controls_manual_ranges(void)
{
	power_cycle();
	/* manual 5.2.3, 5.9.1, 5.10: the processing unit's five standard controls */
	expect_range("Brightness", 0, 4095, 240);
	expect_range("Gamma", 1, 500, 100);
	expect_range("Hue", -180, 180, 0);
	expect_range("Saturation", 0, 255, 64);
	CU_ASSERT_EQUAL(get_field("White Balance Temperature", UVC_GET_MIN), 2500);
	CU_ASSERT_EQUAL(get_field("White Balance Temperature", UVC_GET_MAX), 10000);
	/* extension unit, in the manual's units */
	expect_range("Gain (db/100)", 0, 4800, 0);
	expect_range("Gain Auto Upper Limit", 0, 4800, 4800);
	expect_range("Trigger Burst Count", 1, 1000, 1);
	expect_range("ExposureAutoReference", 0, 255, 128);
	expect_range("Strobe Duration", 0, 32767, 1000);
	expect_range("Strobe Delay", 0, 32767, 0);
	expect_range("Trigger Delay", 0, 1000000, 0);
	expect_range("White Balance Red Component", 0, 255, 64);
	expect_range("White Balance Blue Component", 0, 255, 64);
	expect_range("Auto Functions ROI Left", 0, 2576, 0);
	expect_range("Auto Functions ROI Height", 16, 2048, 2048);
	CU_ASSERT_EQUAL(get_field("Exposure Time (us)", UVC_GET_MIN), 2);
	CU_ASSERT_EQUAL(get_field("Exposure Time (us)", UVC_GET_MAX), 4000000);
	CU_ASSERT_EQUAL(get_field("ROI Offset X", UVC_GET_RES), 16);
	/* CT: exposure in 100 us, auto exposure modes manual (1) and aperture priority (8) */
	CU_ASSERT_EQUAL(get_field("Exposure Time, Absolute", UVC_GET_MAX), 40000);
	CU_ASSERT_EQUAL(get_field("Auto Exposure", UVC_GET_RES), 0x09);
	CU_ASSERT_EQUAL(get_field("Auto Exposure", UVC_GET_DEF), 8);
	CU_ASSERT_EQUAL(get_field("Auto Exposure", UVC_GET_CUR), 8);
	/* menus: kelvin of the default preset (Daylight, 6000 K) */
	CU_ASSERT_EQUAL(get_field("Whitebalance Temperature Preset", UVC_GET_DEF), 6000);
}

/* The feature value the field stands for now, in wire units. */
static int64_t model_wire(const struct uvc_control_def *d, const struct uvc_field *f)
{
	struct feature_store *fs = &T.dev.cam.fs;
	int idx = feature_index(fs, f->feature);
	const struct feature_def *fd = feature_def(fs, idx);
	struct feat_value v;

	if (f->selected >= 0)
		v = feature_raw_selected(fs, idx, (unsigned)f->selected);
	else
		CU_ASSERT_EQUAL(feature_get(fs, idx, &v), 0);
	if (f->values) {
		const struct enum_entry *e = model_enum_entry_by_value(fd, v.i);
		for (unsigned k = 0; e && k < f->n_values; k++)
			if (!strcmp(f->values[k].entry, e->name))
				return f->values[k].wire;
		return INT64_MIN;
	}
	(void)d;
	return llround((fd->type == FEAT_FLOAT ? v.f : (double)v.i) * f->scale);
}

static void put_field(uint8_t *buf, unsigned len, const struct uvc_field *f, int64_t v)
{
	uint64_t acc = (uint64_t)le_value(buf, len, false), mask = (UINT64_C(1) << f->bits) - 1;

	acc = (acc & ~(mask << f->offset)) | (((uint64_t)v & mask) << f->offset);
	for (unsigned b = 0; b < len; b++)
		buf[b] = (uint8_t)(acc >> (8 * b));
}

/* Every control: GET_INFO/LEN/MIN/MAX/RES/DEF/CUR, SET_CUR in range (the model feature follows)
 * and out of range (STALL, error code 4). */
static void test_uvc_controls_every(void)
{
	unsigned tested = 0, written = 0;
	char msg[200];

	power_cycle();
	/* unlock what auto functions and modes lock, so every control can be written */
	uint8_t v0 = 0;
	ASSERT_INT(set(3, 0, 0x01, &v0, 1), 0);   /* Auto Shutter off */
	ASSERT_INT(set(3, 0, 0x02, &v0, 1), 0);   /* Auto Gain off */
	ASSERT_INT(set(3, 0, 0x63, &v0, 1), 0);   /* auto white balance off */
	ASSERT_INT(set(3, 0, 0x62, &v0, 1), 0);   /* Exposure Auto Upper Limit Auto off */
	ASSERT_INT(set(3, 0, 0x17, &v0, 1), 0);   /* ROI Auto Center off */
	uint8_t aroi[2] = { 0, 5 };
	ASSERT_INT(set(3, 0, 0x48, aroi, 2), 0);  /* Auto Functions ROI Preset: Custom Rectangle */
	for (unsigned i = 0; i < uvc_n_control_defs; i++) {
		const struct uvc_control_def *d = &uvc_control_defs[i];
		uint8_t cur[8], lo[8], hi[8], res[8], def[8], info;
		ASSERT_INT(get(UVC_GET_LEN, d->entity, 0, d->selector, 2), 0);
		ASSERT_INT(t_get_le16(T.buf), d->length);
		ASSERT_INT(get(UVC_GET_INFO, d->entity, 0, d->selector, 1), 0);
		info = T.buf[0];
		CU_ASSERT(info & UVC_INFO_GET);
		ASSERT_INT(get(UVC_GET_CUR, d->entity, 0, d->selector, d->length), 0);
		memcpy(cur, T.buf, d->length);
		ASSERT_INT(get(UVC_GET_MIN, d->entity, 0, d->selector, d->length), 0);
		memcpy(lo, T.buf, d->length);
		ASSERT_INT(get(UVC_GET_MAX, d->entity, 0, d->selector, d->length), 0);
		memcpy(hi, T.buf, d->length);
		ASSERT_INT(get(UVC_GET_RES, d->entity, 0, d->selector, d->length), 0);
		memcpy(res, T.buf, d->length);
		ASSERT_INT(get(UVC_GET_DEF, d->entity, 0, d->selector, d->length), 0);
		memcpy(def, T.buf, d->length);
		tested++;
		for (unsigned k = 0; k < d->n_fields; k++) {
			const struct uvc_field *f = &d->fields[k];
			const struct feature_def *fd = feature_def(&T.dev.cam.fs, feature_index(&T.dev.cam.fs, f->feature));
			int64_t c = field_of(cur, d->length, f), mn = field_of(lo, d->length, f);
			int64_t mx = field_of(hi, d->length, f), df = field_of(def, d->length, f);
			snprintf(msg, sizeof(msg), "%s: min %lld cur %lld max %lld def %lld", f->name, (long long)mn,
				 (long long)c, (long long)mx, (long long)df);
			if (!(mn <= mx && mn <= df && df <= mx && mn <= c && c <= mx))
				FAIL_MSG(msg);
			if (fd->type != FEAT_COMMAND && c != model_wire(d, f))
				FAIL_MSG(msg);
			if (!(fd->access & FEAT_WO) || fd->type == FEAT_COMMAND || feature_locked(&T.dev.cam.fs,
				feature_index(&T.dev.cam.fs, f->feature))) {
				if (getenv("DFK_TEST_UVC_SKIPS"))
					fprintf(stderr, "not written: %s\n", f->name);
				continue;
			}
			/* the offsets: at full width the camera uses the largest valid one, 0 (manual 5.1.5) */
			if (!strcmp(f->feature, "OffsetX") || !strcmp(f->feature, "OffsetY"))
				continue;
			CU_ASSERT(info & UVC_INFO_SET);
			/* the maximum, the default, then back to where it was: each lands in the model feature */
			int64_t targets[3] = { mx, df, c };
			for (int t = 0; t < 3; t++) {
				uint8_t buf[8];
				memcpy(buf, cur, d->length);
				put_field(buf, d->length, f, targets[t]);
				if (set(d->entity, 0, d->selector, buf, d->length) != 0) {
					snprintf(msg, sizeof(msg), "%s: SET_CUR %lld refused, error %d", f->name,
						 (long long)targets[t], error_code());
					FAIL_MSG(msg);
					continue;
				}
				if (model_wire(d, f) != targets[t]) {
					snprintf(msg, sizeof(msg), "%s: SET_CUR %lld, model has %lld", f->name,
						 (long long)targets[t], (long long)model_wire(d, f));
					FAIL_MSG(msg);
				}
				ASSERT_INT(get(UVC_GET_CUR, d->entity, 0, d->selector, d->length), 0);
				ASSERT_INT(field_of(T.buf, d->length, f), targets[t]);
				memcpy(cur, T.buf, d->length);
			}
			written++;
			/* one past the maximum, where the field's bits can say it */
			uint64_t bits_max = f->is_signed ? (UINT64_C(1) << (f->bits - 1)) - 1 : (UINT64_C(1) << f->bits) - 1;
			if ((uint64_t)mx < bits_max && !f->values) {
				uint8_t buf[8];
				memcpy(buf, cur, d->length);
				put_field(buf, d->length, f, mx + 1);
				ASSERT_INT(set(d->entity, 0, d->selector, buf, d->length), USB_ST_STALL);
				ASSERT_INT(error_code(), UVC_ERR_OUT_OF_RANGE);
				ASSERT_INT(model_wire(d, f), c);
			}
		}
	}
	ASSERT_INT(tested, uvc_n_control_defs);
	if (written < 40) {
		snprintf(msg, sizeof(msg), "only %u fields written", written);
		FAIL_MSG(msg);
	}
}

static void test_uvc_controls_effects(void)
{
	uint8_t b[4];

	power_cycle();
	/* Brightness is BlackLevel (the same feature the USB3 Vision face writes) */
	t_le16(b, 1000);
	ASSERT_INT(set(2, 0, UVC_PU_BRIGHTNESS_CONTROL, b, 2), 0);
	ASSERT_INT(feature_get_int(&T.dev.cam.fs, "BlackLevel"), 1000);
	/* Gain (db/100) 1234 is 12.34 dB -- refused while Auto Gain is on (wrong state) */
	t_le32(b, 1234);
	ASSERT_INT(set(3, 0, 0x18, b, 4), USB_ST_STALL);
	ASSERT_INT(error_code(), UVC_ERR_WRONG_STATE);
	b[0] = 0;
	ASSERT_INT(set(3, 0, 0x02, b, 1), 0);
	ASSERT_INT(feature_get_int(&T.dev.cam.fs, "GainAuto"), 0);
	t_le32(b, 1234);
	ASSERT_INT(set(3, 0, 0x18, b, 4), 0);
	CU_ASSERT(fabs(feature_get_float(&T.dev.cam.fs, "Gain") - 12.34) < 1e-9);
	/* the PU's gain reads the same feature in 0.1 dB */
	ASSERT_INT(get(UVC_GET_CUR, 2, 0, UVC_PU_GAIN_CONTROL, 2), 0);
	ASSERT_INT(t_get_le16(T.buf), 123);
	/* CT auto exposure: manual mode turns ExposureAuto off; mode 2 (auto with iris) is not offered */
	b[0] = UVC_AE_MODE_AUTO;
	ASSERT_INT(set(1, 0, UVC_CT_AE_MODE_CONTROL, b, 1), USB_ST_STALL);
	ASSERT_INT(error_code(), UVC_ERR_INVALID_VALUE);
	b[0] = UVC_AE_MODE_MANUAL;
	ASSERT_INT(set(1, 0, UVC_CT_AE_MODE_CONTROL, b, 1), 0);
	ASSERT_INT(feature_get_int(&T.dev.cam.fs, "ExposureAuto"), 0);
	t_le32(b, 250);   /* 25 ms */
	ASSERT_INT(set(1, 0, UVC_CT_EXPOSURE_TIME_ABSOLUTE_CONTROL, b, 4), 0);
	CU_ASSERT(fabs(feature_get_float(&T.dev.cam.fs, "ExposureTime") - 25000.0) < 1e-9);
	ASSERT_INT(get_field("Exposure Time (us)", UVC_GET_CUR), 25000);
	/* strobe: the manual's truth values -- Polarity True = ActiveHigh, Exposure True = Exposure */
	b[0] = 0x01 | 0x00 | 0x00;   /* enable, ActiveLow, FixedDuration */
	ASSERT_INT(set(3, 0, 0x06, b, 1), 0);
	ASSERT_INT(feature_get_int(&T.dev.cam.fs, "StrobeEnable"), 1);
	ASSERT_INT(feature_get_int(&T.dev.cam.fs, "StrobePolarity"), 1);    /* ActiveLow */
	ASSERT_INT(feature_get_int(&T.dev.cam.fs, "StrobeOperation"), 1);   /* FixedDuration */
	/* GPIN is read-only beside GPOUT: a SET_CUR writes GPOUT and ignores it */
	b[0] = 0x03;
	ASSERT_INT(set(3, 0, 0x08, b, 1), 0);
	ASSERT_INT(feature_get_int(&T.dev.cam.fs, "GPOut"), 1);
	/* white balance red through its selector, the host's BalanceRatioSelector untouched */
	b[0] = 0;
	ASSERT_INT(set(3, 0, 0x63, b, 1), 0);
	b[0] = 128;
	ASSERT_INT(set(3, 0, 0x64, b, 1), 0);
	CU_ASSERT(fabs(feature_raw_selected(&T.dev.cam.fs, feature_index(&T.dev.cam.fs, "BalanceRatio"), 0).f - 2.0) < 1e-9);
	ASSERT_INT(feature_get_int(&T.dev.cam.fs, "BalanceRatioSelector"), 0);
	/* a kelvin that is no preset is within range but invalid */
	b[0] = 1;
	ASSERT_INT(set(3, 0, 0x4d, b, 1), 0);   /* Whitebalance Mode: Temperature */
	t_le16(b, 2600);
	ASSERT_INT(set(3, 0, 0x50, b, 2), USB_ST_STALL);
	ASSERT_INT(error_code(), UVC_ERR_INVALID_VALUE);
	t_le16(b, 3000);
	ASSERT_INT(set(3, 0, 0x50, b, 2), 0);
	ASSERT_INT(feature_get_int(&T.dev.cam.fs, "BalanceWhiteTemperature"), 3000);
	/* ROI Offset X: a multiple of 16 from 0 */
	b[0] = 0;
	ASSERT_INT(set(3, 0, 0x17, b, 1), 0);
	t_le32(b, 8);
	ASSERT_INT(set(3, 0, 0x15, b, 4), USB_ST_STALL);
	ASSERT_INT(error_code(), UVC_ERR_INVALID_VALUE);
}

static void test_uvc_requests_malformed(void)
{
	uint8_t b[64] = { 0 };

	power_cycle();
	/* wLength not the control's length */
	ASSERT_INT(get(UVC_GET_CUR, 2, 0, UVC_PU_BRIGHTNESS_CONTROL, 4), USB_ST_STALL);
	ASSERT_INT(error_code(), UVC_ERR_INVALID_REQUEST);
	ASSERT_INT(get(UVC_GET_INFO, 2, 0, UVC_PU_BRIGHTNESS_CONTROL, 2), USB_ST_STALL);
	ASSERT_INT(get(UVC_GET_LEN, 3, 0, 0x1b, 1), USB_ST_STALL);
	ASSERT_INT(set(2, 0, UVC_PU_BRIGHTNESS_CONTROL, b, 1), USB_ST_STALL);
	ASSERT_INT(error_code(), UVC_ERR_INVALID_REQUEST);
	/* reading the error code does not clear it */
	ASSERT_INT(error_code(), UVC_ERR_INVALID_REQUEST);
	/* a control the unit does not have; a unit that does not exist */
	ASSERT_INT(get(UVC_GET_CUR, 2, 0, 0x03, 2), USB_ST_STALL);   /* contrast */
	ASSERT_INT(error_code(), UVC_ERR_INVALID_CONTROL);
	ASSERT_INT(get(UVC_GET_CUR, 3, 0, 0x03, 4), USB_ST_STALL);
	ASSERT_INT(error_code(), UVC_ERR_INVALID_CONTROL);
	ASSERT_INT(get(UVC_GET_CUR, 4, 0, 0x01, 1), USB_ST_STALL);   /* the output terminal has none */
	ASSERT_INT(error_code(), UVC_ERR_INVALID_CONTROL);
	ASSERT_INT(get(UVC_GET_CUR, 9, 0, 0x02, 2), USB_ST_STALL);
	ASSERT_INT(error_code(), UVC_ERR_INVALID_UNIT);
	ASSERT_INT(get(UVC_GET_CUR, 0, 0, UVC_VC_VIDEO_POWER_MODE_CONTROL, 1), USB_ST_STALL);
	ASSERT_INT(error_code(), UVC_ERR_INVALID_CONTROL);
	/* requests a control does not take: SET on the read-only error code, GET_MIN of COMMIT, 1.5's GET_CUR_ALL */
	ASSERT_INT(set(0, 0, UVC_VC_REQUEST_ERROR_CODE_CONTROL, b, 1), USB_ST_STALL);
	ASSERT_INT(error_code(), UVC_ERR_INVALID_REQUEST);
	ASSERT_INT(get(UVC_GET_MIN, 0, 1, UVC_VS_COMMIT_CONTROL, 48), USB_ST_STALL);
	ASSERT_INT(error_code(), UVC_ERR_INVALID_REQUEST);
	ASSERT_INT(ctl(0xA1, 0x91, 0x0200, 0x0200, 2, NULL), USB_ST_STALL);
	ASSERT_INT(error_code(), UVC_ERR_INVALID_REQUEST);
	/* wValue with a low byte; a vendor request; an endpoint recipient */
	ASSERT_INT(ctl(0xA1, UVC_GET_CUR, 0x0201, 0x0200, 2, NULL), USB_ST_STALL);
	ASSERT_INT(error_code(), UVC_ERR_INVALID_CONTROL);
	ASSERT_INT(ctl(0xC1, UVC_GET_CUR, 0x0200, 0x0200, 2, NULL), USB_ST_STALL);
	ASSERT_INT(ctl(0xA2, UVC_GET_CUR, 0x0200, 0x0081, 2, NULL), USB_ST_STALL);
	/* a GET sent as OUT and a SET sent as IN: the core stalls, nothing moves */
	ASSERT_INT(ctl(0x21, UVC_GET_CUR, 0x0200, 0x0200, 2, b), USB_ST_STALL);
	ASSERT_INT(ctl(0xA1, UVC_SET_CUR, 0x0200, 0x0200, 2, NULL), USB_ST_STALL);
	/* an interface that does not exist */
	ASSERT_INT(get(UVC_GET_CUR, 0, 2, 0x01, 48), USB_ST_STALL);
	/* the last good request clears the code */
	ASSERT_INT(get(UVC_GET_CUR, 2, 0, UVC_PU_BRIGHTNESS_CONTROL, 2), 0);
	ASSERT_INT(error_code(), UVC_ERR_NONE);
	ASSERT_INT(feature_get_int(&T.dev.cam.fs, "BlackLevel"), 240);
}

/* ---- probe, commit, streaming ---- */

static void probe_set(uint8_t format, uint8_t frame, uint32_t interval, int want)
{
	uint8_t p[48] = { 0 };

	t_le16(p, 1);
	p[2] = format;
	p[3] = frame;
	t_le32(p + 4, interval);
	ASSERT_INT(set(0, 1, UVC_VS_PROBE_CONTROL, p, 48), want);
}

static void test_uvc_probe_commit(void)
{
	uint8_t p[48];

	power_cycle();
	ASSERT_INT(get(UVC_GET_LEN, 0, 1, UVC_VS_PROBE_CONTROL, 2), 0);
	ASSERT_INT(t_get_le16(T.buf), 48);
	ASSERT_INT(get(UVC_GET_DEF, 0, 1, UVC_VS_PROBE_CONTROL, 48), 0);
	ASSERT_INT(T.buf[2], 1);
	ASSERT_INT(T.buf[3], 1);
	ASSERT_INT(t_get_le32(T.buf + 18), 4096 * 2160);               /* dwMaxVideoFrameSize, RGGB */
	ASSERT_INT(t_get_le32(T.buf + 22), 512 * 1024);                /* dwMaxPayloadTransferSize */
	ASSERT_INT(t_get_le32(T.buf + 26), 1000000);                   /* dwClockFrequency */
	ASSERT_INT(T.buf[30], 0x03);
	/* a format or frame that does not exist: out of range */
	probe_set(7, 1, 333333, USB_ST_STALL);
	ASSERT_INT(error_code(), UVC_ERR_OUT_OF_RANGE);
	probe_set(4, 0, 333333, USB_ST_STALL);
	probe_set(4, 7, 333333, USB_ST_STALL);
	/* the interval becomes the nearest offered: 29 fps asked, 30 given */
	probe_set(4, 6, 344828, 0);
	ASSERT_INT(get(UVC_GET_CUR, 0, 1, UVC_VS_PROBE_CONTROL, 48), 0);
	ASSERT_INT(T.buf[2], 4);
	ASSERT_INT(T.buf[3], 6);
	ASSERT_INT(t_get_le32(T.buf + 4), 333333);
	ASSERT_INT(t_get_le32(T.buf + 18), 640 * 480 * 2);
	memcpy(p, T.buf, 48);
	/* GET_MAX: the slowest rate of the frame */
	ASSERT_INT(get(UVC_GET_MAX, 0, 1, UVC_VS_PROBE_CONTROL, 48), 0);
	ASSERT_INT(t_get_le32(T.buf + 4), 1333333);
	CU_ASSERT(!T.dev.cam.acquiring);
	/* COMMIT starts acquisition in that format */
	ASSERT_INT(set(0, 1, UVC_VS_COMMIT_CONTROL, p, 48), 0);
	CU_ASSERT(T.dev.cam.acquiring);
	ASSERT_INT(feature_get_int(&T.dev.cam.fs, "PixelFormat"), PFNC_YCBCR422_8);
	ASSERT_INT(feature_get_int(&T.dev.cam.fs, "Width"), 640);
	ASSERT_INT(feature_get_int(&T.dev.cam.fs, "Height"), 480);
	CU_ASSERT(fabs(feature_get_float(&T.dev.cam.fs, "AcquisitionFrameRate") - 1e7 / 333333) < 1e-6);
	ASSERT_INT(get(UVC_GET_CUR, 0, 1, UVC_VS_COMMIT_CONTROL, 48), 0);
	ASSERT_BYTES(T.buf, p, 48);
	/* stop: CLEAR_FEATURE(ENDPOINT_HALT) on the video endpoint */
	ASSERT_INT(ctl(0x02, 0x01, 0, 0x81, 0, NULL), 0);
	CU_ASSERT(!T.dev.cam.acquiring);
	/* again, stopped by SET_INTERFACE(1, alt 0) */
	ASSERT_INT(set(0, 1, UVC_VS_COMMIT_CONTROL, p, 48), 0);
	CU_ASSERT(T.dev.cam.acquiring);
	ASSERT_INT(ctl(0x01, 0x0B, 0, 1, 0, NULL), 0);
	CU_ASSERT(!T.dev.cam.acquiring);
}

struct payload_info {
	uint8_t flags;
	uint32_t pts, stc;
	uint16_t sof;
	size_t len;
};

/* Reads one frame through 32 KiB bulk transfers as uvcvideo does: a payload ends with a short
 * transfer or at dwMaxPayloadTransferSize. Returns the frame's bytes in *out (malloc'd). */
static size_t read_frame(uint8_t **out, struct payload_info *first, struct payload_info *last, unsigned *n_payloads,
			 int max_rounds)
{
	const size_t xfer = 32768, max_payload = 512 * 1024;
	size_t cap = 64u << 20, len = 0, in_payload = 0;
	uint8_t *frame = malloc(cap);
	bool done = false;

	*n_payloads = 0;
	CU_ASSERT_PTR_NOT_NULL_FATAL(frame);
	while (!done) {
		submit(0x81, NULL, NULL, (uint32_t)xfer);
		for (int r = 0; !T.done && r < max_rounds; r++)
			evloop_run_once(T.loop, 0);
		if (!T.done) {
			free(frame);
			*out = NULL;
			return 0;
		}
		CU_ASSERT_FATAL(T.status == 0);
		const uint8_t *d = T.buf;
		size_t n = T.len;
		if (in_payload == 0 && n > 0) {
			struct payload_info pi;
			CU_ASSERT_FATAL(n >= 12 && d[0] == 12);
			pi.flags = d[1];
			pi.pts = t_get_le32(d + 2);
			pi.stc = t_get_le32(d + 6);
			pi.sof = t_get_le16(d + 10);
			pi.len = 0;
			if (*n_payloads == 0)
				*first = pi;
			*last = pi;
			(*n_payloads)++;
			CU_ASSERT((d[1] & 0xFC) == 0x8C || (d[1] & 0xFC) == 0x8C + 0);   /* EOH, SCR, PTS; no ERR */
			d += 12;
			n -= 12;
			in_payload = 12;
		}
		CU_ASSERT_FATAL(len + n <= cap);
		memcpy(frame + len, d, n);
		len += n;
		in_payload += n;
		last->len = in_payload;
		if (T.len < xfer || in_payload == max_payload) {
			CU_ASSERT(in_payload <= max_payload);
			if (last->flags & UVC_PH_EOF)
				done = true;
			in_payload = 0;
		}
	}
	*out = frame;
	return len;
}

static const struct ev_record *exposure_start(uint64_t block_id)
{
	const struct eventlog *log = camera_io_log(&T.dev.cam);

	for (uint64_t s = T.log_mark > eventlog_oldest(log) ? T.log_mark : eventlog_oldest(log); s < log->next_seq; s++) {
		const struct ev_record *r = eventlog_get(log, s);
		if (r && r->kind == EV_EXPOSURE_START && (uint64_t)r->a == block_id)
			return r;
	}
	return NULL;
}

static void check_stream(uint8_t format, uint32_t pfnc, uint16_t w, uint16_t h, unsigned n_frames)
{
	struct sensor *s = sensor_new();
	uint8_t p[48] = { 0 };
	uint8_t fid = 0;
	uint64_t prev_start = 0;
	char msg[200];

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	power_cycle();
	/* the fastest rate of the size */
	probe_set(format, 6, 1, 0);
	ASSERT_INT(get(UVC_GET_CUR, 0, 1, UVC_VS_PROBE_CONTROL, 48), 0);
	memcpy(p, T.buf, 48);
	ASSERT_INT(p[3], 6);
	ASSERT_INT(set(0, 1, UVC_VS_COMMIT_CONTROL, p, 48), 0);
	uint32_t interval = t_get_le32(p + 4);
	for (unsigned k = 1; k <= n_frames; k++) {
		struct payload_info first, last;
		unsigned np;
		uint8_t *frame;
		size_t len = read_frame(&frame, &first, &last, &np, 2000);
		CU_ASSERT_FATAL(frame != NULL);
		/* the test pattern, bit for bit, as the sensor renders frame k of this readout */
		struct sensor_settings st;
		sensor_settings_default(&st);
		st.pfnc = pfnc;
		st.width = w;
		st.height = h;
		st.offset_x = (uint32_t)feature_get_int(&T.dev.cam.fs, "OffsetX");
		st.offset_y = (uint32_t)feature_get_int(&T.dev.cam.fs, "OffsetY");
		st.source = SENSOR_SOURCE_PATTERN;
		st.block_id = k;
		size_t want_len = sensor_payload_size(&st);
		uint8_t *want = malloc(want_len);
		CU_ASSERT_FATAL(want && sensor_render(s, &st, want, want_len) == 0);
		ASSERT_INT(len, want_len);
		ASSERT_INT(len, (size_t)w * h * PFNC_BITS(pfnc) / 8);
		if (len == want_len && memcmp(frame, want, len)) {
			snprintf(msg, sizeof(msg), "format %u frame %u differs from the pattern", format, k);
			FAIL_MSG(msg);
		}
		/* payloads: ceil(len / (512 KiB - 12)); FID constant within the frame, toggling per frame */
		ASSERT_INT(np, (len + 512 * 1024 - 13) / (512 * 1024 - 12));
		ASSERT_INT(first.flags & UVC_PH_FID, fid);
		ASSERT_INT(last.flags & UVC_PH_FID, fid);
		CU_ASSERT(last.flags & UVC_PH_EOF);
		if (np > 1)
			CU_ASSERT(!(first.flags & UVC_PH_EOF));
		fid ^= 1;
		/* PTS: the exposure start in microseconds of device time; SCR: a later device time */
		const struct ev_record *ex = exposure_start(k);
		CU_ASSERT_FATAL(ex != NULL);
		ASSERT_INT(first.pts, (uint32_t)(ex->t / 1000));
		ASSERT_INT(last.pts, first.pts);
		CU_ASSERT(first.stc >= first.pts && last.stc >= first.stc);
		ASSERT_INT(first.sof, (first.stc / 1000) & 0x7FF);
		/* frame timing: the frame-rate model's period for the committed rate */
		if (k > 1) {
			struct readout r = { .width = w, .height = h, .binning_h = 1, .binning_v = 1, .decimation_h = 1,
					     .decimation_v = 1, .pfnc = pfnc, .bits_per_pixel = PFNC_BITS(pfnc) };
			uint64_t period = framerate_period_ns(&dfk38ux267_model.sensor, &r,
							      feature_get_float(&T.dev.cam.fs, "AcquisitionFrameRate"),
							      (uint64_t)llround(feature_get_float(&T.dev.cam.fs, "ExposureTime") * 1000));
			ASSERT_INT(ex->t - prev_start, period);
			CU_ASSERT(period >= (uint64_t)interval * 100);
		}
		prev_start = ex->t;
		free(want);
		free(frame);
	}
	ASSERT_INT(ctl(0x02, 0x01, 0, 0x81, 0, NULL), 0);
	sensor_free(s);
}

static void test_uvc_stream_rggb(void) { check_stream(1, PFNC_BAYER_RG8, 640, 480, 3); }
static void test_uvc_stream_rgcp(void) { check_stream(2, PFNC_BAYER_RG12P, 640, 480, 2); }
static void test_uvc_stream_rg16(void) { check_stream(3, PFNC_BAYER_RG16, 640, 480, 2); }
static void test_uvc_stream_yuy2(void) { check_stream(4, PFNC_YCBCR422_8, 640, 480, 3); }
static void test_uvc_stream_y411(void) { check_stream(5, PFNC_YCBCR411_8_CBYYCRYY, 640, 480, 2); }
static void test_uvc_stream_rgb24(void) { check_stream(6, PFNC_BGR8, 640, 480, 2); }

/* A payload that ends exactly at the end of a full transfer is followed by an empty one. */
static void test_uvc_stream_zlp(void)
{
	struct uvc_stream *st = &T.dev.uvc.stream;
	struct blob *b = blob_new(32768 - 12);
	uint64_t zlps;

	power_cycle();
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	uvc_stream_start(st);
	ASSERT_INT(uvc_stream_push(st, b, b->data, b->size, 5000, 1, 0, 0), 0);
	zlps = st->stats.zlps;
	submit(0x81, NULL, NULL, 32768);
	CU_ASSERT(T.done && T.status == 0 && T.len == 32768);
	CU_ASSERT(T.buf[1] & UVC_PH_EOF);
	submit(0x81, NULL, NULL, 32768);
	CU_ASSERT(T.done && T.status == 0 && T.len == 0);
	ASSERT_INT(st->stats.zlps, zlps + 1);
	/* a transfer that is not a whole number of packets babbles */
	ASSERT_INT(uvc_stream_push(st, b, b->data, b->size, 5000, 2, 0, 0), 0);
	submit(0x81, NULL, NULL, 1000);
	CU_ASSERT(T.done && T.status == USB_ST_OVERFLOW);
	uvc_stream_stop(st);
	blob_unref(b);
}

/* Trigger mode through the extension unit: no frame until a software trigger, then exactly one. */
static void test_uvc_stream_triggered(void)
{
	uint8_t p[48], one = 1;
	struct payload_info first, last;
	unsigned np;
	uint8_t *frame;

	power_cycle();
	ASSERT_INT(set(3, 0, 0x05, &one, 1), 0);
	ASSERT_INT(feature_get_int(&T.dev.cam.fs, "TriggerMode"), 1);
	probe_set(1, 6, 0, 0);
	ASSERT_INT(get(UVC_GET_CUR, 0, 1, UVC_VS_PROBE_CONTROL, 48), 0);
	memcpy(p, T.buf, 48);
	ASSERT_INT(set(0, 1, UVC_VS_COMMIT_CONTROL, p, 48), 0);
	CU_ASSERT_FATAL(T.dev.cam.acquiring);
	/* nothing comes without a trigger */
	uint64_t queued = T.dev.uvc.stream.stats.frames_queued;
	for (int r = 0; r < 200; r++)
		evloop_run_once(T.loop, 0);
	ASSERT_INT(T.dev.uvc.stream.stats.frames_queued, queued);
	CU_ASSERT(exposure_start(1) == NULL);
	ASSERT_INT(set(3, 0, 0x0f, &one, 1), 0);
	CU_ASSERT(read_frame(&frame, &first, &last, &np, 2000) == 640 * 480);
	CU_ASSERT(frame != NULL && (first.flags & UVC_PH_FID) == 0 && (last.flags & UVC_PH_EOF));
	free(frame);
	CU_ASSERT(exposure_start(1) != NULL);
	/* and no second frame */
	submit(0x81, NULL, NULL, 32768);
	for (int r = 0; !T.done && r < 100; r++)
		evloop_run_once(T.loop, 0);
	CU_ASSERT(!T.done);
	ASSERT_INT(ctl(0x02, 0x01, 0, 0x81, 0, NULL), 0);
}

/* ---- the mapping file agrees with the table ---- */

static void test_uvc_mapping_file(void)
{
	FILE *f = fopen("uvcmap/dfk38ux267.ini", "r");
	char line[256], group[256] = "";
	unsigned groups = 0, matched = 0;
	const struct uvc_control_def *d = NULL;
	const struct uvc_field *fl = NULL;
	char msg[600];

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	while (fgets(line, sizeof(line), f)) {
		char *eq, *nl = strchr(line, '\n');
		if (nl)
			*nl = 0;
		if (line[0] == '[') {
			char *end = strchr(line, ']');
			CU_ASSERT_FATAL(end != NULL);
			*end = 0;
			snprintf(group, sizeof(group), "%s", line + 1);
			fl = NULL;
			if (strcmp(group, "xu")) {
				groups++;
				fl = field_named(group, &d);
				if (!fl || d->entity != 3) {
					snprintf(msg, sizeof(msg), "%s: not an extension unit field of the table", group);
					FAIL_MSG(msg);
					fl = NULL;
				} else {
					matched++;
				}
			}
			continue;
		}
		if (!fl || line[0] == '#' || !(eq = strchr(line, '=')))
			continue;
		*eq = 0;
		const char *k = line, *v = eq + 1;
		bool ok = true;
		if (!strcmp(k, "selector"))
			ok = strtoul(v, NULL, 16) == d->selector;
		else if (!strcmp(k, "selector_len"))
			ok = strtoul(v, NULL, 10) == d->length;
		else if (!strcmp(k, "size"))
			ok = strtoul(v, NULL, 10) == fl->bits;
		else if (!strcmp(k, "offset"))
			ok = strtoul(v, NULL, 10) == fl->offset;
		else if (!strcmp(k, "scale"))
			ok = strtod(v, NULL) == fl->scale;
		else if (!strcmp(k, "data_type"))
			ok = !strcmp(v, "signed") == fl->is_signed;
		else if (!strcmp(k, "feature")) {
			char want[96];
			static const char *const pos[] = { "Red", "Green", "Blue" };
			if (fl->selected >= 0)
				snprintf(want, sizeof(want), "%s[BalanceRatioSelector=%s]", fl->feature, pos[fl->selected]);
			else
				snprintf(want, sizeof(want), "%s", fl->feature);
			ok = !strcmp(v, want);
		} else if (!strcmp(k, "values")) {
			char want[400] = "";
			size_t used = 0;
			for (unsigned j = 0; j < fl->n_values && used < sizeof(want); j++)
				used += (size_t)snprintf(want + used, sizeof(want) - used, "%s%lld:%s", j ? ";" : "",
							 (long long)fl->values[j].wire, fl->values[j].entry);
			ok = !strcmp(v, want);
		}
		if (!ok) {
			snprintf(msg, sizeof(msg), "[%s] %s=%s disagrees with emulator/uvc/uvc_controls.c", group, k, v);
			FAIL_MSG(msg);
		}
	}
	fclose(f);
	ASSERT_INT(groups, 45);
	ASSERT_INT(matched, 45);
}

/* ---- the face: switched, remembered in the state directory, --interface wins ---- */

static int reinit(enum emu_face face)
{
	struct emu_device_config cfg = {
		.model = &dfk38ux267_model, .serial = "38267001", .state_dir = T.dir, .bus_index = 1, .face = face,
		.opt = { .time_scale = 0, .source = SENSOR_SOURCE_PATTERN, .seed = 0 },
	};
	int rc;

	drain();
	emu_device_free(&T.dev);
	rc = emu_device_init(&T.dev, T.loop, &cfg);
	T.dev.uvc.usb.complete = on_complete;
	T.dev.u3v.usb.complete = on_complete;
	return rc;
}

static void test_uvc_face_persisted(void)
{
	char path[128], text[16] = "";
	FILE *f;

	snprintf(path, sizeof(path), "%s/interface", T.dir);
	ASSERT_INT(emu_device_set_face(&T.dev, EMU_FACE_U3V), 0);
	ASSERT_INT(T.dev.face, EMU_FACE_U3V);
	CU_ASSERT(T.dev.exp.dev == &T.dev.u3v.usb);
	f = fopen(path, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT(fgets(text, sizeof(text), f) && !strcmp(text, "u3v\n"));
	fclose(f);
	/* a restart without --interface keeps the last face */
	ASSERT_INT(reinit(EMU_FACE_DEFAULT), 0);
	ASSERT_INT(T.dev.face, EMU_FACE_U3V);
	ASSERT_INT(emu_device_set_face(&T.dev, EMU_FACE_UVC), 0);
	ASSERT_INT(reinit(EMU_FACE_DEFAULT), 0);
	ASSERT_INT(T.dev.face, EMU_FACE_UVC);
	CU_ASSERT(T.dev.exp.dev == &T.dev.uvc.usb);
	/* an explicit --interface wins, and is remembered */
	ASSERT_INT(reinit(EMU_FACE_U3V), 0);
	ASSERT_INT(T.dev.face, EMU_FACE_U3V);
	ASSERT_INT(reinit(EMU_FACE_DEFAULT), 0);
	ASSERT_INT(T.dev.face, EMU_FACE_U3V);
	/* a file that says something else: the default face */
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("isochronous\n", f);
	fclose(f);
	ASSERT_INT(reinit(EMU_FACE_DEFAULT), 0);
	ASSERT_INT(T.dev.face, EMU_FACE_U3V);
	ASSERT_INT(emu_device_set_face(&T.dev, EMU_FACE_UVC), 0);
	ASSERT_INT(reinit(EMU_FACE_UVC), 0);
	ASSERT_INT(T.dev.face, EMU_FACE_UVC);
}

/* The monochrome model has no UVC format (the manual gives Mono8 none): no UVC face. */
static void test_uvc_face_dmk_has_none(void)
{
	static struct emu_device dmk;
	char dir[64] = "/tmp/dfk-test-uvc-dmk-XXXXXX", cmd[128];
	struct emu_device_config cfg = {
		.model = &dmk38ux267_model, .serial = "38267101", .state_dir = dir, .bus_index = 2,
		.face = EMU_FACE_UVC, .opt = { .time_scale = 0, .source = SENSOR_SOURCE_PATTERN },
	};

	CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
	CU_ASSERT(emu_device_init(&dmk, T.loop, &cfg) < 0);
	CU_ASSERT(!dmk.has_uvc);
	emu_device_free(&dmk);
	cfg.face = EMU_FACE_DEFAULT;
	ASSERT_INT(emu_device_init(&dmk, T.loop, &cfg), 0);
	ASSERT_INT(dmk.face, EMU_FACE_U3V);
	ASSERT_INT(emu_device_set_face(&dmk, EMU_FACE_UVC), DFK_ERR_NOTSUP);
	emu_device_free(&dmk);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	CU_ASSERT(system(cmd) == 0);
}

int test_uvc_add_suite(void)
{
	static const struct test_case cases[] = {
		{ "test_uvc_descriptors", test_uvc_descriptors },
		{ "test_uvc_controls_manual_ranges", test_uvc_controls_manual_ranges },
		{ "test_uvc_controls_every", test_uvc_controls_every },
		{ "test_uvc_controls_effects", test_uvc_controls_effects },
		{ "test_uvc_requests_malformed", test_uvc_requests_malformed },
		{ "test_uvc_probe_commit", test_uvc_probe_commit },
		{ "test_uvc_stream_rggb", test_uvc_stream_rggb },
		{ "test_uvc_stream_rgcp", test_uvc_stream_rgcp },
		{ "test_uvc_stream_rg16", test_uvc_stream_rg16 },
		{ "test_uvc_stream_yuy2", test_uvc_stream_yuy2 },
		{ "test_uvc_stream_y411", test_uvc_stream_y411 },
		{ "test_uvc_stream_rgb24", test_uvc_stream_rgb24 },
		{ "test_uvc_stream_zlp", test_uvc_stream_zlp },
		{ "test_uvc_stream_triggered", test_uvc_stream_triggered },
		{ "test_uvc_mapping_file", test_uvc_mapping_file },
		{ "test_uvc_face_persisted", test_uvc_face_persisted },
		{ "test_uvc_face_dmk_has_none", test_uvc_face_dmk_has_none },
		{ NULL, NULL },
	};
	return test_add_suite_with_init("uvc", suite_init, suite_clean, NULL, NULL, cases);
}
