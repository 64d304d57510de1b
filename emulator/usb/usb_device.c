/* SPDX-License-Identifier: MIT */
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

/* ---- faults: what the owner decided, and the device time it is kept waiting for ---- */

/* The pipe a transfer belongs to: EP0 is one pipe for both directions (a
 * control transfer's stages share the default control pipe, USB 3.2 ch. 8),
 * every other endpoint is its own. */
static int pipe_index(uint8_t ep) { return (ep & 0x0F) ? usb_ep_index(ep) : 0; }

/* Device time. Without hooks nothing can wait, so everything is due. */
static uint64_t dev_now(const struct usb_device *dev)
{
	if (!dev->fault_ops || !dev->fault_ops->now)
		return UINT64_MAX;
	return dev->fault_ops->now(dev->fault_ctx);
}

/* Ask to be woken at t unless an earlier (or the same) wake is already due:
 * the owner keeps only the last request, so it must always be the earliest. */
static void want_wake(struct usb_device *dev, uint64_t t)
{
	if (dev->wake_pending && dev->wake_asked <= t)
		return;
	dev->wake_pending = true;
	dev->wake_asked = t;
	if (dev->waking) {
		dev->wake_dirty = true;   /* asked once, at the end of usb_device_wake() */
		return;
	}
	if (dev->fault_ops && dev->fault_ops->wake_at)
		dev->fault_ops->wake_at(dev->fault_ctx, t);
}

/* Once per transfer the core accepts, at submission (docs/faults.md "For integrators"). */
static void ask_fault(struct usb_device *dev, struct usb_xfer *x)
{
	memset(&x->fault, 0, sizeof(x->fault));
	if (!dev->fault_ops || !dev->fault_ops->on_transfer)
		return;
	if (!dev->fault_ops->on_transfer(dev->fault_ctx, x->ep, &x->fault) || x->fault.kind == USB_FAULT_NONE) {
		memset(&x->fault, 0, sizeof(x->fault));
		return;
	}
	dev->n_faults++;
	if (x->fault.kind == USB_FAULT_NAK) {
		/* NAK is the pipe's state, not the transfer's: the endpoint is not ready
		 * (SuperSpeed: NRDY, then ERDY when it is, USB 3.2 ch. 8 flow control), so
		 * nothing on the pipe moves before T, not even what was queued earlier. */
		int p = pipe_index(x->ep);
		if (x->fault.until > dev->nak_until[p])
			dev->nak_until[p] = x->fault.until;
	}
}

/* Device time before which `x` may not complete: its own DELAY/NAK and the
 * pipe's NAK. 0: nothing holds it. */
static uint64_t hold_time(const struct usb_device *dev, const struct usb_xfer *x)
{
	uint64_t t = dev->nak_until[pipe_index(x->ep)];

	if ((x->fault.kind == USB_FAULT_DELAY || x->fault.kind == USB_FAULT_NAK) && x->fault.until > t)
		t = x->fault.until;
	return t;
}

/* Device time, read at most once per pass (and only when something waits). */
struct now_cache {
	bool have;
	uint64_t now;
};

/* Is `x` still held now? Then *until is when it may go. Forgets holds that have expired. */
static bool held_now(struct usb_device *dev, struct usb_xfer *x, struct now_cache *clk, uint64_t *until)
{
	uint64_t t = hold_time(dev, x);
	int p = pipe_index(x->ep);

	if (!t)
		return false;
	if (!clk->have) {
		clk->now = dev_now(dev);
		clk->have = true;
	}
	if (t > clk->now) {
		*until = t;
		return true;
	}
	if (dev->nak_until[p] <= clk->now)
		dev->nak_until[p] = 0;
	if (x->fault.kind == USB_FAULT_DELAY || x->fault.kind == USB_FAULT_NAK)
		x->fault.kind = USB_FAULT_NONE;   /* its wait is over: from here on it is an ordinary transfer */
	return false;
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

/* The one place a control transfer's direction is decided: the setup packet
 * (USB 3.2 9.3.1; the kernel's usb_submit_urb() goes by bmRequestType too).
 * A data stage submitted the other way has no meaning, nor an OUT data stage
 * shorter than announced: the core stalls those itself (and asks no fault). */
static bool control_direction_mismatch(const struct usb_xfer *x, const struct usb_setup *s)
{
	return s->wLength && !(s->bmRequestType & 0x80) != !(x->ep & USB_ENDPOINT_DIR_IN);
}

static bool control_out_too_short(const struct usb_xfer *x, const struct usb_setup *s)
{
	return !(s->bmRequestType & 0x80) && s->wLength > x->length;
}

static void control_xfer(struct usb_device *dev, struct usb_xfer *x)
{
	struct usb_setup s;
	uint8_t buf[USB_MAX_CONTROL_LEN];
	size_t in_max;
	int n;

	usb_setup_unpack(&s, x->setup);
	/* stalls, as a device stalls a request it cannot serve, and no data moves either way */
	if (control_direction_mismatch(x, &s)) {
		log_warn("ep0: %s transfer for bmRequestType 0x%02x (wLength %u): stall",
			 x->ep & USB_ENDPOINT_DIR_IN ? "IN" : "OUT", s.bmRequestType, s.wLength);
		complete(dev, x, USB_ST_STALL, NULL, 0);
		return;
	}
	/* Handlers write the whole answer; the data stage then carries at most
	 * wLength bytes, and never more than the host's buffer. */
	in_max = s.wLength;
	if (in_max > x->length)
		in_max = x->length;
	if (control_out_too_short(x, &s)) {
		complete(dev, x, USB_ST_STALL, NULL, 0);
		return;
	}
	switch (x->fault.kind) {
	case USB_FAULT_STALL:
		/* A protocol stall: this request fails and is not executed; the default
		 * pipe is not halted, the next SETUP clears the condition (USB 3.2 ch. 8,
		 * STALL on a control pipe). */
		complete(dev, x, USB_ST_STALL, NULL, 0);
		return;
	case USB_FAULT_BABBLE:
		/* the data stage went wrong on the wire: nothing usable arrived, nothing executed */
		complete(dev, x, USB_ST_OVERFLOW, NULL, 0);
		return;
	case USB_FAULT_ERROR:
		complete(dev, x, x->fault.status, NULL, 0);
		return;
	case USB_FAULT_SHORT:
		if (s.bmRequestType & 0x80) {
			if (x->fault.bytes < in_max)
				in_max = x->fault.bytes;   /* the device ends the data stage early */
		} else if (x->fault.bytes < s.wLength) {
			/* Only K bytes of the data stage were taken: the request never reached
			 * the device whole, so no handler acts on it; the host sees actual
			 * length K and status 0. */
			complete(dev, x, USB_ST_OK, NULL, x->fault.bytes);
			return;
		}
		break;
	default:
		break;
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

/* ---- bulk OUT, and the held OUT/control transfers ---- */

static void out_xfer(struct usb_device *dev, struct usb_xfer *x)
{
	uint32_t len = x->length;
	int st;

	if (dev->halted[usb_ep_index(x->ep)]) {
		complete(dev, x, USB_ST_STALL, NULL, 0);
		return;
	}
	switch (x->fault.kind) {
	case USB_FAULT_STALL:
		/* A functional stall: the data is refused and the endpoint halts until
		 * CLEAR_FEATURE(ENDPOINT_HALT) (USB 3.2 9.4.1, 9.4.5). Halt first, so a
		 * host that clears it from the completion finds it set. */
		set_halt(dev, x->ep, true);
		complete(dev, x, USB_ST_STALL, NULL, 0);
		return;
	case USB_FAULT_BABBLE:
		complete(dev, x, USB_ST_OVERFLOW, NULL, 0);   /* the data is lost */
		return;
	case USB_FAULT_ERROR:
		complete(dev, x, x->fault.status, NULL, 0);
		return;
	case USB_FAULT_SHORT:
		if (x->fault.bytes < len)
			len = x->fault.bytes;   /* the rest is not taken */
		break;
	default:
		break;
	}
	st = dev->fn_ops->bulk_out(dev->fn, x->ep, x->data, len);
	complete(dev, x, st, NULL, st == USB_ST_OK ? len : 0);
}

static void process(struct usb_device *dev, struct usb_xfer *x)
{
	if ((x->ep & 0x0F) == 0)
		control_xfer(dev, x);
	else
		out_xfer(dev, x);
}

static void held_append(struct usb_device *dev, struct usb_xfer *x)
{
	x->next = NULL;
	if (dev->held_tail)
		dev->held_tail->next = x;
	else
		dev->held_head = x;
	dev->held_tail = x;
	dev->held_count[pipe_index(x->ep)]++;
}

static void held_unlink(struct usb_device *dev, struct usb_xfer *prev, struct usb_xfer *x)
{
	if (prev)
		prev->next = x->next;
	else
		dev->held_head = x->next;
	if (dev->held_tail == x)
		dev->held_tail = prev;
	x->next = NULL;
	dev->held_count[pipe_index(x->ep)]--;
}

/* Processes, in submission order per pipe, the held OUT/control transfers whose
 * time has come; asks to be woken for the first one still waiting on each pipe.
 * Completions may re-enter the core: a cancel or drain meanwhile restarts the pass. */
static void run_held(struct usb_device *dev)
{
	if (dev->held_running) {
		dev->held_again = true;
		return;
	}
	dev->held_running = true;
	do {
		struct usb_xfer *prev = NULL, *x;
		uint32_t blocked = 0;   /* pipes where an earlier transfer still waits */
		struct now_cache clk = { false, 0 };

		dev->held_again = false;
		x = dev->held_head;
		while (x) {
			uint32_t bit = 1u << pipe_index(x->ep), gen;
			uint64_t until;

			if (blocked & bit) {
				prev = x;
				x = x->next;
				continue;
			}
			if (held_now(dev, x, &clk, &until)) {
				blocked |= bit;
				want_wake(dev, until);
				prev = x;
				x = x->next;
				continue;
			}
			held_unlink(dev, prev, x);
			gen = dev->held_gen;
			process(dev, x);
			if (dev->held_gen != gen) {
				dev->held_again = true;   /* `prev` may be gone */
				break;
			}
			x = prev ? prev->next : dev->held_head;
		}
	} while (dev->held_again);
	dev->held_running = false;
}

/* OUT and control transfers: processed now, or held until their time, or behind
 * one already held on the same pipe (a pipe's transfers complete in order). */
static void out_or_hold(struct usb_device *dev, struct usb_xfer *x)
{
	struct now_cache clk = { false, 0 };
	uint64_t until;

	if (dev->held_count[pipe_index(x->ep)]) {
		held_append(dev, x);   /* the one ahead of it has asked for a wake */
		return;
	}
	if (!held_now(dev, x, &clk, &until)) {
		process(dev, x);
		return;
	}
	held_append(dev, x);
	want_wake(dev, until);
}

void usb_device_submit(struct usb_device *dev, struct usb_xfer *x)
{
	const struct usb_desc_config *c;
	const struct usb_desc_endpoint *ep;
	int idx;

	x->next = NULL;
	memset(&x->fault, 0, sizeof(x->fault));
	if ((x->ep & 0x0F) == 0) {
		struct usb_setup s;

		usb_setup_unpack(&s, x->setup);
		if (!control_direction_mismatch(x, &s) && !control_out_too_short(x, &s))
			ask_fault(dev, x);
		out_or_hold(dev, x);
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
	if (!dev->halted[idx])
		ask_fault(dev, x);   /* a halted endpoint's transfers just stall */
	if (!(x->ep & USB_ENDPOINT_DIR_IN)) {
		out_or_hold(dev, x);
		return;
	}
	if (dev->pending_tail[idx])
		dev->pending_tail[idx]->next = x;
	else
		dev->pending_head[idx] = x;
	dev->pending_tail[idx] = x;
	usb_device_in_ready(dev, x->ep);
}

/* ---- bulk IN ---- */

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
	struct now_cache clk = { false, 0 };

	if (!(ep & USB_ENDPOINT_DIR_IN) || dev->kicking[idx])
		return;
	dev->kicking[idx] = true;
	dev->in_held[idx] = false;
	while (dev->pending_head[idx] && !dev->in_paused) {
		struct usb_xfer *x = dev->pending_head[idx];
		struct usb_in_chunk chunk;
		uint64_t until;

		if (dev->halted[idx]) {
			pop_head(dev, idx);
			complete(dev, x, USB_ST_STALL, NULL, 0);
			continue;
		}
		if (held_now(dev, x, &clk, &until)) {
			/* bulk IN completes in submission order: a held head holds the rest */
			dev->in_held[idx] = true;
			want_wake(dev, until);
			break;
		}
		switch (x->fault.kind) {
		case USB_FAULT_STALL:
			/* A functional stall (USB 3.2 9.4.5): the endpoint halts, the function
			 * is told, and what is queued behind fails the same way (the halted
			 * branch above) until CLEAR_FEATURE(ENDPOINT_HALT). Its data stays. */
			pop_head(dev, idx);
			set_halt(dev, ep, true);
			complete(dev, x, USB_ST_STALL, NULL, 0);
			continue;
		case USB_FAULT_BABBLE:
			/* babble (USB 3.2 ch. 8): the host discards the transfer; nothing is taken from the function */
			pop_head(dev, idx);
			complete(dev, x, USB_ST_OVERFLOW, NULL, 0);
			continue;
		case USB_FAULT_ERROR:
			pop_head(dev, idx);
			complete(dev, x, x->fault.status, NULL, 0);
			continue;
		default:
			break;
		}
		memset(&chunk, 0, sizeof(chunk));
		if (dev->fn_ops->bulk_in(dev->fn, ep, x->length, &chunk) <= 0)
			break;
		pop_head(dev, idx);
		if (chunk.len > x->length)
			chunk.len = x->length;  /* the function must not, but never overrun the host */
		if (x->fault.kind == USB_FAULT_SHORT && chunk.len > x->fault.bytes)
			chunk.len = x->fault.bytes;   /* a short packet: the rest of the chunk is lost */
		if (chunk.status == USB_ST_STALL)
			dev->n_stalls++;
		dev->complete(x->owner, x, &chunk);
		blob_unref(chunk.ref);
	}
	dev->kicking[idx] = false;
}

void usb_device_pause_in(struct usb_device *dev, bool paused)
{
	if (dev->in_paused == paused)
		return;
	dev->in_paused = paused;
	if (paused)
		return;
	for (uint8_t n = 1; n < 16; n++)
		if (dev->pending_head[usb_ep_index(n | USB_ENDPOINT_DIR_IN)])
			usb_device_in_ready(dev, n | USB_ENDPOINT_DIR_IN);
}

/* ---- cancel, drain, reset ---- */

struct usb_xfer *usb_device_cancel(struct usb_device *dev, void *owner, uint32_t id)
{
	struct usb_xfer *prev = NULL;

	for (int idx = 0; idx < USB_MAX_EPS; idx++) {
		prev = NULL;
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
			/* an unlinked held head no longer holds the ones behind it */
			if (!prev && dev->in_held[idx])
				usb_device_in_ready(dev, (uint8_t)((idx & 0x0F) | USB_ENDPOINT_DIR_IN));
			return x;
		}
	}
	prev = NULL;
	for (struct usb_xfer *x = dev->held_head; x; prev = x, x = x->next) {
		if (x->owner != owner || x->id != id)
			continue;
		held_unlink(dev, prev, x);
		dev->held_gen++;
		/* what waited behind it on its pipe may be due now */
		if (dev->held_count[pipe_index(x->ep)])
			run_held(dev);
		return x;
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
		dev->in_held[idx] = false;
	}
	while (dev->held_head) {
		struct usb_xfer *x = dev->held_head;
		held_unlink(dev, NULL, x);
		x->next = list;
		list = x;
	}
	dev->held_gen++;
	return list;
}

void usb_device_reset(struct usb_device *dev)
{
	struct usb_xfer *left = dev->held_head;

	dev->in_paused = false;
	/* A bus reset ends every hold: the pipes' NAK state and the delays. */
	memset(dev->nak_until, 0, sizeof(dev->nak_until));
	memset(dev->in_held, 0, sizeof(dev->in_held));
	memset(dev->held_count, 0, sizeof(dev->held_count));
	dev->held_head = dev->held_tail = NULL;
	dev->held_gen++;
	dev->wake_pending = false;
	for (int idx = 0; idx < USB_MAX_EPS; idx++)
		for (struct usb_xfer *x = dev->pending_head[idx]; x; x = x->next)
			if (x->fault.kind == USB_FAULT_DELAY || x->fault.kind == USB_FAULT_NAK)
				x->fault.kind = USB_FAULT_NONE;
	/* The transport drains first; held transfers it left end as at a device
	 * that went away, not at some later wake. */
	while (left) {
		struct usb_xfer *x = left;
		left = x->next;
		x->next = NULL;
		complete(dev, x, USB_ST_SHUTDOWN, NULL, 0);
	}
	set_configuration(dev, 0);
}

size_t usb_device_pending(const struct usb_device *dev, uint8_t ep)
{
	size_t n = dev->held_count[pipe_index(ep)];

	if (ep & 0x0F)
		for (const struct usb_xfer *x = dev->pending_head[usb_ep_index(ep)]; x; x = x->next)
			n++;
	return n;
}

/* ---- fault hooks ---- */

static bool anything_held(const struct usb_device *dev)
{
	if (dev->held_head)
		return true;
	for (int idx = 0; idx < USB_MAX_EPS; idx++)
		if (dev->in_held[idx])
			return true;
	return false;
}

void usb_device_set_fault_ops(struct usb_device *dev, const struct usb_fault_ops *ops, void *ctx)
{
	dev->fault_ops = ops;
	dev->fault_ctx = ctx;
	dev->wake_pending = false;   /* a new owner has no request of ours */
	if (!ops)
		memset(dev->nak_until, 0, sizeof(dev->nak_until));
	/* without hooks whatever waited is due now; with new ones, ask them for a wake */
	if (anything_held(dev))
		usb_device_wake(dev);
}

void usb_device_wake(struct usb_device *dev)
{
	if (dev->waking)
		return;   /* re-entered from a completion: the pass under way sees the same time */
	dev->waking = true;
	dev->wake_pending = false;   /* this was it: whatever still waits asks again */
	dev->wake_dirty = false;
	run_held(dev);
	for (int idx = 16; idx < USB_MAX_EPS; idx++)
		if (dev->in_held[idx])
			usb_device_in_ready(dev, (uint8_t)((idx & 0x0F) | USB_ENDPOINT_DIR_IN));
	dev->waking = false;
	if (dev->wake_dirty && dev->wake_pending && dev->fault_ops && dev->fault_ops->wake_at)
		dev->fault_ops->wake_at(dev->fault_ctx, dev->wake_asked);
	dev->wake_dirty = false;
}
