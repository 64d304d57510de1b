/* SPDX-License-Identifier: MIT */
#include "uvc_device.h"

#include <string.h>

#include "../common/errors.h"
#include "../common/log.h"
#include "uvc_defs.h"
#include "uvc_request.h"

static void stop_streaming(struct uvc_device *d, const char *why)
{
	bool was = d->streaming;

	d->streaming = false;
	uvc_stream_stop(&d->stream);
	if (was) {
		d->stats.stops++;
		log_info("uvc: streaming stops (%s)", why);
		if (d->ops && d->ops->stop)
			d->ops->stop(d->ops_ctx);
	}
}

/* ---- VideoStreaming interface: probe, commit, stream error ---- */

static int vs_probe(struct uvc_device *d, const struct uvc_request *r, const uint8_t *out, uint8_t *in)
{
	struct uvc_probe p;
	int err;

	switch (r->request) {
	case UVC_SET_CUR:
		uvc_probe_unpack(&p, out);
		err = uvc_probe_negotiate(&d->formats, &p, &d->probe);
		return err;
	case UVC_GET_CUR:
		uvc_probe_pack(in, &d->probe);
		return UVC_ERR_NONE;
	case UVC_GET_MIN:
	case UVC_GET_MAX:
	case UVC_GET_DEF:
		uvc_probe_limit(&d->formats, &d->probe, r->request, &p);
		uvc_probe_pack(in, &p);
		return UVC_ERR_NONE;
	case UVC_GET_RES:
		/* nothing varies in steps: every field's resolution is 0 */
		memset(&p, 0, sizeof(p));
		uvc_probe_pack(in, &p);
		return UVC_ERR_NONE;
	default:
		return UVC_ERR_INVALID_REQUEST;
	}
}

static int vs_commit(struct uvc_device *d, const struct uvc_request *r, const uint8_t *out, uint8_t *in)
{
	struct uvc_probe p, c;
	int err;

	switch (r->request) {
	case UVC_SET_CUR:
		uvc_probe_unpack(&p, out);
		err = uvc_probe_negotiate(&d->formats, &p, &c);
		if (err)
			return err;
		if (d->streaming)
			stop_streaming(d, "a new COMMIT");
		d->commit = c;
		d->probe = c;
		uvc_stream_start(&d->stream);
		d->streaming = true;
		d->stats.commits++;
		if (d->ops && d->ops->commit) {
			err = d->ops->commit(d->ops_ctx, uvc_formats_get(&d->formats, c.format_index),
					     uvc_formats_frame(&d->formats, c.format_index, c.frame_index),
					     c.frame_interval);
			if (err) {
				d->streaming = false;
				uvc_stream_stop(&d->stream);
				return err;
			}
		}
		return UVC_ERR_NONE;
	case UVC_GET_CUR:
		uvc_probe_pack(in, &d->commit);
		return UVC_ERR_NONE;
	default:
		return UVC_ERR_INVALID_REQUEST;
	}
}

static int vs_request(struct uvc_device *d, const struct uvc_request *r, const uint8_t *out, uint8_t *in)
{
	uint16_t len;
	int err;

	if (r->entity != 0)
		return UVC_ERR_INVALID_UNIT;
	switch (r->selector) {
	case UVC_VS_PROBE_CONTROL:
	case UVC_VS_COMMIT_CONTROL:
		len = UVC_PROBE_LEN;
		break;
	case UVC_VS_STREAM_ERROR_CODE_CONTROL:
		len = 1;
		break;
	default:
		return UVC_ERR_INVALID_CONTROL;
	}
	if ((err = uvc_request_check_length(r, len)))
		return err;
	if (r->request == UVC_GET_LEN) {
		in[0] = (uint8_t)len;
		in[1] = (uint8_t)(len >> 8);
		return UVC_ERR_NONE;
	}
	if (r->request == UVC_GET_INFO) {
		in[0] = r->selector == UVC_VS_STREAM_ERROR_CODE_CONTROL ? UVC_INFO_GET : UVC_INFO_GET | UVC_INFO_SET;
		return UVC_ERR_NONE;
	}
	if (r->selector == UVC_VS_PROBE_CONTROL)
		return vs_probe(d, r, out, in);
	if (r->selector == UVC_VS_COMMIT_CONTROL)
		return vs_commit(d, r, out, in);
	if (r->request != UVC_GET_CUR)
		return UVC_ERR_INVALID_REQUEST;
	in[0] = 0;   /* no stream error: frames are either whole or dropped before they start */
	return UVC_ERR_NONE;
}

/* ---- VideoControl interface: the units' controls and the request error code ---- */

static int vc_request(struct uvc_device *d, const struct uvc_request *r, const uint8_t *out, uint8_t *in)
{
	int i, err;

	if (r->entity == 0) {
		/* VC_VIDEO_POWER_MODE is optional and absent */
		if (r->selector != UVC_VC_REQUEST_ERROR_CODE_CONTROL)
			return UVC_ERR_INVALID_CONTROL;
		if ((err = uvc_request_check_length(r, 1)))
			return err;
		switch (r->request) {
		case UVC_GET_CUR: in[0] = d->error_code; return UVC_ERR_NONE;
		case UVC_GET_INFO: in[0] = UVC_INFO_GET; return UVC_ERR_NONE;
		case UVC_GET_LEN: in[0] = 1; in[1] = 0; return UVC_ERR_NONE;
		default: return UVC_ERR_INVALID_REQUEST;
		}
	}
	if (r->entity != UVC_ENTITY_CT && r->entity != UVC_ENTITY_PU && r->entity != UVC_ENTITY_XU &&
	    r->entity != UVC_ENTITY_OT)
		return UVC_ERR_INVALID_UNIT;
	i = uvc_controls_find(&d->controls, r->entity, r->selector);
	if (i < 0)
		return UVC_ERR_INVALID_CONTROL;
	if ((err = uvc_request_check_length(r, uvc_control_defs[i].length)))
		return err;
	if (r->request == UVC_SET_CUR)
		return uvc_controls_set(&d->controls, i, out);
	return uvc_controls_get(&d->controls, i, r->request, in);
}

static bool is_error_code_read(const struct uvc_request *r)
{
	return r->iface == UVC_IFACE_CONTROL && r->entity == 0 && r->selector == UVC_VC_REQUEST_ERROR_CODE_CONTROL;
}

static int fn_control(void *fn, const struct usb_setup *s, const uint8_t *out, uint8_t *in, size_t in_max)
{
	struct uvc_device *d = fn;
	struct uvc_request r;
	int err;

	d->stats.requests++;
	err = uvc_request_decode(s, &r);
	/* the data stage was checked against wLength by the core; IN answers are wLength long */
	if (!err && (r.length > in_max || (!(s->bmRequestType & 0x80) && r.length && !out)))
		err = UVC_ERR_INVALID_REQUEST;
	if (!err) {
		if (r.iface == UVC_IFACE_CONTROL)
			err = vc_request(d, &r, out, in);
		else if (r.iface == UVC_IFACE_STREAMING)
			err = vs_request(d, &r, out, in);
		else
			err = UVC_ERR_INVALID_REQUEST;
	}
	/* reading the error code leaves it as it is; every other request sets it */
	if (err || !is_error_code_read(&r))
		d->error_code = (uint8_t)err;
	if (err) {
		d->stats.stalls++;
		log_dbg("uvc: request 0x%02x/0x%02x value 0x%04x index 0x%04x len %u: stall, error code %d",
			s->bmRequestType, s->bRequest, s->wValue, s->wIndex, s->wLength, err);
		return USB_ST_STALL;
	}
	return (s->bmRequestType & 0x80) ? r.length : 0;
}

static int fn_bulk_out(void *fn, uint8_t ep, const uint8_t *data, size_t len)
{
	(void)fn;
	(void)ep;
	(void)data;
	(void)len;
	return USB_ST_STALL;   /* no OUT endpoint */
}

static int fn_bulk_in(void *fn, uint8_t ep, uint32_t max_len, struct usb_in_chunk *chunk)
{
	struct uvc_device *d = fn;

	if (ep != UVC_EP_VIDEO_IN)
		return 0;
	return uvc_stream_pull(&d->stream, max_len, chunk);
}

static void fn_halt_changed(void *fn, uint8_t ep, bool halted)
{
	struct uvc_device *d = fn;

	/* bulk streaming stops with CLEAR_FEATURE(ENDPOINT_HALT) (UVC 1.5, 2.4.3.2.4);
	 * SET_INTERFACE resets the endpoint the same way */
	if (ep == UVC_EP_VIDEO_IN)
		stop_streaming(d, halted ? "endpoint halted" : "endpoint reset");
}

static void fn_configured(void *fn, uint8_t config)
{
	struct uvc_device *d = fn;

	if (config == 0)
		stop_streaming(d, "unconfigured");
}

static const struct usb_function_ops uvc_fn_ops = {
	.control = fn_control,
	.bulk_out = fn_bulk_out,
	.bulk_in = fn_bulk_in,
	.halt_changed = fn_halt_changed,
	.configured = fn_configured,
};

static void default_probe(struct uvc_device *d)
{
	struct uvc_probe cur = { .format_index = 1, .frame_index = 1 };

	uvc_probe_limit(&d->formats, &cur, UVC_GET_DEF, &d->probe);
	d->commit = d->probe;
}

int uvc_device_init(struct uvc_device *d, const struct camera_model *m, struct feature_store *fs,
		    const struct uvc_identity *id, size_t frame_memory_bytes, unsigned frame_memory_frames,
		    const struct uvc_device_ops *ops, void *ctx)
{
	struct uvc_desc_params p = { .vendor_id = id->vendor_id, .product_id = id->product_id,
				     .bcd_device = id->bcd_device, .formats = &d->formats };
	uint8_t unused;
	int rc;

	memset(d, 0, sizeof(*d));
	d->ops = ops;
	d->ops_ctx = ctx;
	rc = uvc_formats_build(&d->formats, m);
	if (rc < 0)
		return rc;
	uvc_controls_init(&d->controls, fs);
	uvc_controls_bitmap(&d->controls, UVC_ENTITY_CT, p.ct_controls, sizeof(p.ct_controls), &unused);
	uvc_controls_bitmap(&d->controls, UVC_ENTITY_PU, p.pu_controls, sizeof(p.pu_controls), &unused);
	uvc_controls_bitmap(&d->controls, UVC_ENTITY_XU, p.xu_controls, sizeof(p.xu_controls), &p.xu_num_controls);
	rc = uvc_descriptors_build(&d->desc, &p);
	if (rc < 0)
		return rc;
	d->strings[UVC_STR_MANUFACTURER] = id->manufacturer;
	d->strings[UVC_STR_PRODUCT] = id->product;
	d->strings[UVC_STR_SERIAL] = id->serial;
	d->strings[UVC_STR_FUNCTION] = "USB Video";
	usb_device_init(&d->usb, &d->desc.device, d->strings, UVC_STR_COUNT, &uvc_fn_ops, d);
	rc = uvc_stream_init(&d->stream, &d->usb, UVC_EP_VIDEO_IN, frame_memory_bytes, frame_memory_frames,
			     UVC_MAX_PAYLOAD, UVC_CLOCK_HZ);
	if (rc < 0)
		return rc;
	default_probe(d);
	return DFK_OK;
}

void uvc_device_free(struct uvc_device *d)
{
	uvc_stream_free(&d->stream);
}

void uvc_device_reset(struct uvc_device *d)
{
	d->streaming = false;
	uvc_stream_stop(&d->stream);
	d->stream.fid = 0;
	d->stream.link_free_at = 0;
	d->error_code = 0;
	default_probe(d);
}
