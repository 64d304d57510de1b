#include "usb_device.h"

#include <string.h>

#include "../common/bytes.h"
#include "../common/log.h"

void usb_setup_unpack(struct usb_setup *s, const uint8_t raw[8])
{
	s->bmRequestType = raw[0];
	s->bRequest = raw[1];
	s->wValue = get_le16(raw + 2);
	s->wIndex = get_le16(raw + 4);
	s->wLength = get_le16(raw + 6);
}

void usb_device_init(struct usb_device *dev, const struct usb_desc_device *desc, const char *const *strings,
		     size_t n_strings, const struct usb_function_ops *ops, void *fn)
{
	memset(dev, 0, sizeof(*dev));
	dev->desc = desc;
	dev->strings = strings;
	dev->n_strings = n_strings;
	dev->speed = 5;
	dev->fn_ops = ops;
	dev->fn = fn;
}

static const struct usb_desc_config *active_config(const struct usb_device *dev)
{
	for (size_t i = 0; i < dev->desc->n_configs; i++)
		if (dev->desc->configs[i].bConfigurationValue == dev->config)
			return &dev->desc->configs[i];
	return NULL;
}

static void complete(struct usb_device *dev, struct usb_xfer *x, int status, const uint8_t *data, size_t len)
{
	struct usb_in_chunk c = { .status = status, .data = data, .len = len, .ref = NULL };

	if (status == USB_ST_STALL)
		dev->n_stalls++;
	dev->complete(x->owner, x, &c);
}

/* ---- EP0 ---- */

static int get_descriptor(struct usb_device *dev, const struct usb_setup *s, uint8_t *buf, size_t max)
{
	uint8_t type = (uint8_t)(s->wValue >> 8), index = (uint8_t)s->wValue;

	switch (type) {
	case USB_DT_DEVICE:
		return usb_desc_device_write(dev->desc, buf, max);
	case USB_DT_CONFIG:
		if (index >= dev->desc->n_configs)
			return USB_ST_STALL;
		return usb_desc_config_write(&dev->desc->configs[index], buf, max);
	case USB_DT_STRING:
		if (index == 0)
			return usb_desc_langids_write(buf, max);
		if (index >= dev->n_strings || !dev->strings[index])
			return USB_ST_STALL;
		return usb_desc_string_write(dev->strings[index], buf, max);
	case USB_DT_BOS:
		if (!dev->desc->bos)
			return USB_ST_STALL;
		return usb_desc_bos_write(dev->desc->bos, buf, max);
	default:
		/* device qualifier, other-speed config, debug...: not served at SuperSpeed */
		return USB_ST_STALL;
	}
}

static bool valid_interface(const struct usb_device *dev, uint16_t wIndex)
{
	const struct usb_desc_config *c = active_config(dev);

	if (!c)
		return false;
	for (size_t i = 0; i < c->n_ifaces; i++)
		if (c->ifaces[i].bInterfaceNumber == (wIndex & 0xFF))
			return true;
	return false;
}

static bool valid_endpoint(const struct usb_device *dev, uint16_t wIndex)
{
	uint8_t addr = (uint8_t)wIndex;
	const struct usb_desc_config *c;

	if ((addr & 0x0F) == 0)
		return true;
	c = active_config(dev);
	return c && usb_desc_find_endpoint(c, addr, NULL);
}

static void set_halt(struct usb_device *dev, uint8_t addr, bool halted)
{
	if ((addr & 0x0F) == 0)
		return;  /* EP0 halt clears itself at the next SETUP */
	dev->halted[usb_ep_index(addr)] = halted;
	if (dev->fn_ops->halt_changed)
		dev->fn_ops->halt_changed(dev->fn, addr, halted);
	/* pending transfers on a halted pipe fail now; a cleared one may resume */
	usb_device_in_ready(dev, addr);
}

static void set_configuration(struct usb_device *dev, uint8_t value)
{
	dev->config = value;
	memset(dev->halted, 0, sizeof(dev->halted));
	if (dev->fn_ops->configured)
		dev->fn_ops->configured(dev->fn, value);
}

/* Returns bytes for the data stage (IN), 0 (no data / OUT), or USB_ST_STALL. */
static int standard_request(struct usb_device *dev, const struct usb_setup *s, const uint8_t *out,
			    uint8_t *in, size_t in_max)
{
	uint8_t recip = s->bmRequestType & USB_RECIP_MASK;
	bool dir_in = s->bmRequestType & 0x80;

	switch (s->bRequest) {
	case USB_REQ_GET_DESCRIPTOR:
		if (!dir_in || recip != USB_RECIP_DEVICE)
			return USB_ST_STALL;
		return get_descriptor(dev, s, in, in_max);
	case USB_REQ_GET_STATUS:
		if (!dir_in)
			return USB_ST_STALL;
		in[0] = in[1] = 0;
		if (recip == USB_RECIP_DEVICE)
			return 2;  /* bus powered, no remote wakeup, U1/U2/LTM disabled */
		if (recip == USB_RECIP_INTERFACE)
			return valid_interface(dev, s->wIndex) ? 2 : USB_ST_STALL;
		if (recip == USB_RECIP_ENDPOINT) {
			if (!valid_endpoint(dev, s->wIndex))
				return USB_ST_STALL;
			in[0] = dev->halted[usb_ep_index((uint8_t)s->wIndex)] ? 1 : 0;
			return 2;
		}
		return USB_ST_STALL;
	case USB_REQ_CLEAR_FEATURE:
	case USB_REQ_SET_FEATURE: {
		bool set = s->bRequest == USB_REQ_SET_FEATURE;
		if (dir_in)
			return USB_ST_STALL;
		if (recip == USB_RECIP_ENDPOINT && s->wValue == USB_FEAT_ENDPOINT_HALT) {
			if (!valid_endpoint(dev, s->wIndex))
				return USB_ST_STALL;
			set_halt(dev, (uint8_t)s->wIndex, set);
			return 0;
		}
		if (recip == USB_RECIP_DEVICE &&
		    (s->wValue == USB_FEAT_U1_ENABLE || s->wValue == USB_FEAT_U2_ENABLE || s->wValue == USB_FEAT_LTM_ENABLE))
			return 0;  /* link power management has no effect on an emulated link */
		if (recip == USB_RECIP_INTERFACE && s->wValue == USB_FEAT_FUNCTION_SUSPEND)
			return valid_interface(dev, s->wIndex) ? 0 : USB_ST_STALL;
		return USB_ST_STALL;
	}
	case USB_REQ_SET_ADDRESS:
		/* vhci handles this itself; a userspace client may still send it */
		return (dir_in || recip != USB_RECIP_DEVICE || s->wValue > 127) ? USB_ST_STALL : 0;
	case USB_REQ_GET_CONFIGURATION:
		if (!dir_in)
			return USB_ST_STALL;
		in[0] = dev->config;
		return 1;
	case USB_REQ_SET_CONFIGURATION: {
		bool ok = s->wValue == 0;
		for (size_t i = 0; i < dev->desc->n_configs; i++)
			if (dev->desc->configs[i].bConfigurationValue == s->wValue)
				ok = true;
		if (dir_in || !ok || s->wValue > 0xFF)
			return USB_ST_STALL;
		set_configuration(dev, (uint8_t)s->wValue);
		return 0;
	}
	case USB_REQ_GET_INTERFACE:
		if (!dir_in || !valid_interface(dev, s->wIndex))
			return USB_ST_STALL;
		in[0] = 0;
		return 1;
	case USB_REQ_SET_INTERFACE: {
		const struct usb_desc_config *c = active_config(dev);
		if (dir_in || !c || s->wValue != 0 || !valid_interface(dev, s->wIndex))
			return USB_ST_STALL;
		/* 9.1.1.5: selecting a setting resets its endpoints' halt and sequence state */
		for (size_t i = 0; i < c->n_ifaces; i++)
			if (c->ifaces[i].bInterfaceNumber == (s->wIndex & 0xFF))
				for (size_t e = 0; e < c->ifaces[i].n_eps; e++)
					set_halt(dev, c->ifaces[i].eps[e].bEndpointAddress, false);
		return 0;
	}
	case USB_REQ_SET_SEL:
		/* six bytes of exit latencies; U1/U2 stay disabled so nothing to apply */
		return (dir_in || s->wLength != 6 || !out) ? USB_ST_STALL : 0;
	case USB_REQ_SET_ISOCH_DELAY:
		return (dir_in || s->wLength != 0) ? USB_ST_STALL : 0;
	default:
		return USB_ST_STALL;
	}
}

static void control_xfer(struct usb_device *dev, struct usb_xfer *x)
{
	struct usb_setup s;
	uint8_t buf[USB_MAX_CONTROL_LEN];
	size_t in_max;
	int n;

	usb_setup_unpack(&s, x->setup);
	/* Handlers write the whole answer; the data stage then carries at most
	 * wLength bytes, and never more than the host's buffer. */
	in_max = s.wLength;
	if (in_max > x->length)
		in_max = x->length;
	if (!(s.bmRequestType & 0x80) && s.wLength > x->length) {
		complete(dev, x, USB_ST_STALL, NULL, 0);  /* OUT data stage shorter than announced */
		return;
	}
	if ((s.bmRequestType & USB_TYPE_MASK) == USB_TYPE_STANDARD)
		n = standard_request(dev, &s, x->data, buf, sizeof(buf));
	else if (dev->fn_ops->control)
		n = dev->fn_ops->control(dev->fn, &s, x->data, buf, sizeof(buf));
	else
		n = USB_ST_STALL;
	if (n < 0) {
		log_dbg("ep0 stall: type 0x%02x req 0x%02x value 0x%04x index 0x%04x len %u",
			s.bmRequestType, s.bRequest, s.wValue, s.wIndex, s.wLength);
		complete(dev, x, USB_ST_STALL, NULL, 0);
		return;
	}
	if (s.bmRequestType & 0x80)
		complete(dev, x, USB_ST_OK, buf, (size_t)n < in_max ? (size_t)n : in_max);
	else
		complete(dev, x, USB_ST_OK, NULL, s.wLength);
}

/* ---- bulk ---- */

void usb_device_submit(struct usb_device *dev, struct usb_xfer *x)
{
	const struct usb_desc_config *c;
	const struct usb_desc_endpoint *ep;
	int idx;

	x->next = NULL;
	if ((x->ep & 0x0F) == 0) {
		control_xfer(dev, x);
		return;
	}
	c = active_config(dev);
	ep = c ? usb_desc_find_endpoint(c, x->ep, NULL) : NULL;
	if (!ep || (ep->bmAttributes & 0x03) != USB_ENDPOINT_XFER_BULK) {
		log_dbg("transfer to endpoint 0x%02x that the %s has no such endpoint: stall", x->ep,
			c ? "configuration" : "unconfigured device");
		complete(dev, x, USB_ST_STALL, NULL, 0);
		return;
	}
	idx = usb_ep_index(x->ep);
	if (!(x->ep & USB_ENDPOINT_DIR_IN)) {
		int st = dev->halted[idx] ? USB_ST_STALL : dev->fn_ops->bulk_out(dev->fn, x->ep, x->data, x->length);
		complete(dev, x, st, NULL, st == USB_ST_OK ? x->length : 0);
		return;
	}
	if (dev->pending_tail[idx])
		dev->pending_tail[idx]->next = x;
	else
		dev->pending_head[idx] = x;
	dev->pending_tail[idx] = x;
	usb_device_in_ready(dev, x->ep);
}

static struct usb_xfer *pop_head(struct usb_device *dev, int idx)
{
	struct usb_xfer *x = dev->pending_head[idx];

	dev->pending_head[idx] = x->next;
	if (!x->next)
		dev->pending_tail[idx] = NULL;
	x->next = NULL;
	return x;
}

void usb_device_in_ready(struct usb_device *dev, uint8_t ep)
{
	int idx = usb_ep_index(ep);

	if (!(ep & USB_ENDPOINT_DIR_IN) || dev->kicking[idx])
		return;
	dev->kicking[idx] = true;
	while (dev->pending_head[idx]) {
		struct usb_xfer *x = dev->pending_head[idx];
		struct usb_in_chunk chunk;

		if (dev->halted[idx]) {
			pop_head(dev, idx);
			complete(dev, x, USB_ST_STALL, NULL, 0);
			continue;
		}
		memset(&chunk, 0, sizeof(chunk));
		if (dev->fn_ops->bulk_in(dev->fn, ep, x->length, &chunk) <= 0)
			break;
		pop_head(dev, idx);
		if (chunk.len > x->length)
			chunk.len = x->length;  /* the function must not, but never overrun the host */
		if (chunk.status == USB_ST_STALL)
			dev->n_stalls++;
		dev->complete(x->owner, x, &chunk);
		blob_unref(chunk.ref);
	}
	dev->kicking[idx] = false;
}

struct usb_xfer *usb_device_cancel(struct usb_device *dev, void *owner, uint32_t id)
{
	for (int idx = 0; idx < USB_MAX_EPS; idx++) {
		struct usb_xfer *prev = NULL;
		for (struct usb_xfer *x = dev->pending_head[idx]; x; prev = x, x = x->next) {
			if (x->owner != owner || x->id != id)
				continue;
			if (prev)
				prev->next = x->next;
			else
				dev->pending_head[idx] = x->next;
			if (dev->pending_tail[idx] == x)
				dev->pending_tail[idx] = prev;
			x->next = NULL;
			return x;
		}
	}
	return NULL;
}

struct usb_xfer *usb_device_drain(struct usb_device *dev)
{
	struct usb_xfer *list = NULL;

	for (int idx = 0; idx < USB_MAX_EPS; idx++) {
		while (dev->pending_head[idx]) {
			struct usb_xfer *x = pop_head(dev, idx);
			x->next = list;
			list = x;
		}
	}
	return list;
}

void usb_device_reset(struct usb_device *dev)
{
	set_configuration(dev, 0);
}

size_t usb_device_pending(const struct usb_device *dev, uint8_t ep)
{
	size_t n = 0;

	for (const struct usb_xfer *x = dev->pending_head[usb_ep_index(ep)]; x; x = x->next)
		n++;
	return n;
}
