/* SPDX-License-Identifier: MIT */
#include "uvc_request.h"

#include "uvc_defs.h"

int uvc_request_decode(const struct usb_setup *s, struct uvc_request *r)
{
	bool dir_in = s->bmRequestType & 0x80;

	/* class requests to an interface only (4.2.1, 4.3.1): 0x21 / 0xA1 */
	if ((s->bmRequestType & 0x7F) != (UVC_RT_SET_IFACE & 0x7F))
		return UVC_ERR_INVALID_REQUEST;
	/* the control selector is the high byte; the low byte is zero */
	if (s->wValue & 0xFF)
		return UVC_ERR_INVALID_CONTROL;
	switch (s->bRequest) {
	case UVC_SET_CUR:
		if (dir_in)
			return UVC_ERR_INVALID_REQUEST;
		break;
	case UVC_GET_CUR:
	case UVC_GET_MIN:
	case UVC_GET_MAX:
	case UVC_GET_RES:
	case UVC_GET_LEN:
	case UVC_GET_INFO:
	case UVC_GET_DEF:
		if (!dir_in)
			return UVC_ERR_INVALID_REQUEST;
		break;
	default:
		/* SET_CUR_ALL and the GET_*_ALL requests of 1.5 are not supported */
		return UVC_ERR_INVALID_REQUEST;
	}
	r->request = s->bRequest;
	r->iface = (uint8_t)s->wIndex;
	r->entity = (uint8_t)(s->wIndex >> 8);
	r->selector = (uint8_t)(s->wValue >> 8);
	r->length = s->wLength;
	return UVC_ERR_NONE;
}

int uvc_request_check_length(const struct uvc_request *r, uint16_t control_len)
{
	uint16_t want = r->request == UVC_GET_INFO ? 1 : r->request == UVC_GET_LEN ? 2 : control_len;

	return r->length == want ? UVC_ERR_NONE : UVC_ERR_INVALID_REQUEST;
}
