/* SPDX-License-Identifier: MIT */
#include "usbip_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "../common/errors.h"
#include "../common/log.h"
#include "../common/netlisten.h"

#define MAX_EXPORTS 256   /* dfk-emu --cameras at most */
/* unlinks of URBs not submitted yet, remembered per connection (oldest forgotten first) */
#define USBIP_MAX_EARLY_UNLINKS 32
#define USBIP_EARLY_UNLINK_WINDOW 4096   /* seqnums after the last submit that may still come */
#define RBUF_SIZE   (256 * 1024)
/* A connection that has not completed a request by then is closed, so idle
 * sockets cannot lock real clients out. */
#define OP_PHASE_TIMEOUT_NS (10ull * 1000000000)

enum conn_phase { PHASE_OP, PHASE_URB };

struct tx_item {
	uint8_t head[USBIP_HEADER_SIZE];   /* a URB reply's header, or an op reply's (bodies are `owned`) */
	size_t head_len;
	const uint8_t *data;     /* into `ref` or `owned` */
	size_t data_len;
	struct blob *ref;
	uint8_t *owned;
	size_t sent;             /* bytes of head+data already written */
	bool ahead;              /* may go ahead of the export's bulk_ep replies not yet begun */
	struct tx_item *next;
};

struct usbip_conn {
	struct usbip_server *srv;
	int fd;
	char peer[64];
	enum conn_phase phase;
	struct usbip_export *exp;

	uint8_t *rbuf;
	size_t rpos, rlen;

	/* a CMD_SUBMIT (OUT) whose data is still arriving */
	struct usb_xfer *rx_xfer;
	size_t rx_have;
	size_t rx_skip;              /* OUT data of a dropped submit still to read past */

	struct tx_item *tx_head, *tx_tail;
	size_t tx_bytes;
	unsigned tx_items;
	unsigned urbs_in_flight;     /* submitted, not yet answered, unlinked or drained */
	/* vhci-hcd can put a CMD_UNLINK on the wire before the CMD_SUBMIT it cancels (its
	 * transmit thread sends the unlinks queued while that submit was waiting). Such an
	 * URB is answered by its RET_UNLINK alone and its submit dropped when it comes: a
	 * RET_SUBMIT after vhci gave the URB back makes it drop the whole device. */
	uint32_t last_submit_seqnum;
	bool seen_submit;
	uint32_t early_unlinked[USBIP_MAX_EARLY_UNLINKS];
	unsigned n_early_unlinked;
	struct ev_defer resume;      /* parse buffered input and complete IN once the send queue drained */
	bool want_write;
	bool reading_paused;
	bool close_after_flush;
	bool dead;
	uint64_t accepted_ns;
	struct usbip_conn *next;
};

struct usbip_server {
	struct evloop *loop;
	int lfd;
	char address[80];
	uint16_t port;
	struct usbip_export *exports[MAX_EXPORTS];
	unsigned n_exports;
	struct usbip_conn *conns;
	struct usbip_server_stats stats;
	struct ev_defer reap;
	struct ev_timer idle_check;
};

static void conn_close(struct usbip_conn *c, const char *why);
static void conn_update_events(struct usbip_conn *c);

/* ---- transmit queue ---- */

static struct tx_item *tx_item_new(struct usbip_conn *c)
{
	struct tx_item *t = calloc(1, sizeof(*t));

	if (!t)
		conn_close(c, "out of memory queueing a reply");
	return t;
}

static void tx_push(struct usbip_conn *c, struct tx_item *t)
{
	struct tx_item **at = &c->tx_head;

	/* an item that goes ahead: behind the one being written and those gone ahead before it,
	 * in front of the first bulk reply not yet begun (the walk is bounded by the queue's
	 * item limit, and in practice a handful of 1 MiB replies long) */
	if (t->ahead) {
		while (*at && ((*at)->ahead || (*at)->sent))
			at = &(*at)->next;
	} else if (c->tx_tail) {
		at = &c->tx_tail->next;
	}
	t->next = *at;
	*at = t;
	if (!t->next)
		c->tx_tail = t;
	c->tx_bytes += t->head_len + t->data_len;
	c->tx_items++;
	conn_update_events(c);
}

static void tx_item_free(struct tx_item *t)
{
	blob_unref(t->ref);
	free(t->owned);
	free(t);
}

static void tx_flush(struct usbip_conn *c)
{
	while (c->tx_head && !c->dead) {
		struct iovec iov[64];
		int n = 0;
		ssize_t w;

		for (struct tx_item *t = c->tx_head; t && n < 62; t = t->next) {
			size_t off = t->sent;
			if (off < t->head_len) {
				iov[n].iov_base = t->head + off;
				iov[n].iov_len = t->head_len - off;
				n++;
				off = t->head_len;
			}
			if (t->data_len && off < t->head_len + t->data_len) {
				iov[n].iov_base = (void *)(t->data + (off - t->head_len));
				iov[n].iov_len = t->head_len + t->data_len - off;
				n++;
			}
		}
		w = writev(c->fd, iov, n);
		if (w < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			if (errno == EINTR)
				continue;
			conn_close(c, strerror(errno));
			return;
		}
		size_t left = (size_t)w;
		while (left && c->tx_head) {
			struct tx_item *t = c->tx_head;
			size_t remain = t->head_len + t->data_len - t->sent;
			if (left < remain) {
				t->sent += left;
				c->tx_bytes -= left;
				left = 0;
				break;
			}
			left -= remain;
			c->tx_bytes -= remain;
			c->tx_items--;
			c->tx_head = t->next;
			if (!c->tx_head)
				c->tx_tail = NULL;
			tx_item_free(t);
		}
	}
	if (!c->tx_head && c->close_after_flush) {
		conn_close(c, NULL);
		return;
	}
	conn_update_events(c);
}

/* ---- replies ---- */

static void send_op_reply(struct usbip_conn *c, uint16_t code, uint32_t status, const uint8_t *body, size_t len)
{
	struct usbip_op_common op = { .version = USBIP_VERSION, .code = code, .status = status };
	struct tx_item *t = tx_item_new(c);

	if (!t)
		return;
	usbip_op_common_pack(t->head, &op);
	t->head_len = USBIP_OP_COMMON_SIZE;
	if (len) {
		t->owned = malloc(len);
		if (!t->owned) {
			free(t);
			conn_close(c, "out of memory");
			return;
		}
		memcpy(t->owned, body, len);
		t->data = t->owned;
		t->data_len = len;
	}
	tx_push(c, t);
}

static void send_ret_unlink(struct usbip_conn *c, uint32_t seqnum, int32_t status)
{
	struct usbip_header h = { .command = USBIP_RET_UNLINK, .seqnum = seqnum };
	struct tx_item *t = tx_item_new(c);

	if (!t)
		return;
	h.u.ret_unlink.status = status;
	usbip_header_pack(t->head, &h);
	t->head_len = USBIP_HEADER_SIZE;
	tx_push(c, t);
}

static void send_ret_submit(struct usbip_conn *c, uint32_t seqnum, int32_t status, bool dir_in,
			    const struct usb_in_chunk *data, size_t actual, uint8_t ep)
{
	struct usbip_header h = { .command = USBIP_RET_SUBMIT, .seqnum = seqnum };
	struct tx_item *t = tx_item_new(c);

	if (!t)
		return;
	t->ahead = c->exp && c->exp->bulk_ep && ep != c->exp->bulk_ep;
	h.u.ret_submit.status = status;
	h.u.ret_submit.actual_length = (int32_t)actual;
	usbip_header_pack(t->head, &h);
	t->head_len = USBIP_HEADER_SIZE;
	if (dir_in && data && data->len && data->data) {
		if (data->ref) {
			t->ref = blob_ref(data->ref);
			t->data = data->data;
			c->srv->stats.in_bytes_referenced += data->len;
		} else {
			c->srv->stats.in_bytes_copied += data->len;
			t->owned = malloc(data->len);
			if (!t->owned) {
				free(t);
				conn_close(c, "out of memory");
				return;
			}
			memcpy(t->owned, data->data, data->len);
			t->data = t->owned;
		}
		t->data_len = data->len;
	}
	tx_push(c, t);
}

/* Called by the device core when a transfer of this connection finishes. */
static void xfer_complete(void *owner, struct usb_xfer *x, const struct usb_in_chunk *r)
{
	struct usbip_conn *c = owner;
	/* the device core stalls a control transfer whose direction disagrees with its setup packet */
	bool dir_in = x->ep & USB_ENDPOINT_DIR_IN;

	c->urbs_in_flight--;
	if (c->exp && c->exp->observer)
		c->exp->observer->complete(c->exp->observer_ctx, x, r);
	if (!c->dead)
		send_ret_submit(c, x->id, r->status, dir_in, r, dir_in ? r->len : (r->status ? 0 : r->len), x->ep);
	free(x->data);
	free(x);
}

/* ---- operation phase ---- */

static void fill_device_record(const struct usbip_export *e, struct usbip_usb_device *d)
{
	const struct usb_desc_device *dd = e->dev->desc;

	memset(d, 0, sizeof(*d));
	snprintf(d->path, sizeof(d->path), "/sys/devices/platform/dfk-emu/usb%u/%s", e->busnum, e->busid);
	memcpy(d->busid, e->busid, sizeof(d->busid));
	d->busnum = e->busnum;
	d->devnum = e->devnum;
	d->speed = e->dev->speed;
	d->idVendor = dd->idVendor;
	d->idProduct = dd->idProduct;
	d->bcdDevice = dd->bcdDevice;
	d->bDeviceClass = dd->bDeviceClass;
	d->bDeviceSubClass = dd->bDeviceSubClass;
	d->bDeviceProtocol = dd->bDeviceProtocol;
	d->bConfigurationValue = e->dev->config;
	d->bNumConfigurations = (uint8_t)dd->n_configs;
	d->bNumInterfaces = 0;
	if (dd->n_configs)
		for (size_t i = 0; i < dd->configs[0].n_ifaces; i++)
			if (dd->configs[0].ifaces[i].bAlternateSetting == 0)
				d->bNumInterfaces++;
}

static void handle_devlist(struct usbip_conn *c)
{
	struct usbip_server *srv = c->srv;
	size_t cap = 4 + srv->n_exports * (USBIP_USB_DEVICE_SIZE + 32 * USBIP_USB_INTERFACE_SIZE);
	uint8_t *body = calloc(1, cap);
	size_t pos = 4;
	uint32_t listed = 0;

	if (!body) {
		conn_close(c, "out of memory");
		return;
	}
	for (unsigned i = 0; i < srv->n_exports; i++) {
		const struct usbip_export *e = srv->exports[i];
		struct usbip_usb_device d;
		if (e->absent)
			continue;
		listed++;
		fill_device_record(e, &d);
		usbip_usb_device_pack(body + pos, &d);
		pos += USBIP_USB_DEVICE_SIZE;
		if (e->dev->desc->n_configs) {
			const struct usb_desc_config *cfg = &e->dev->desc->configs[0];
			for (size_t k = 0; k < cfg->n_ifaces && k < 32; k++) {
				struct usbip_usb_interface in = {
					.bInterfaceClass = cfg->ifaces[k].bInterfaceClass,
					.bInterfaceSubClass = cfg->ifaces[k].bInterfaceSubClass,
					.bInterfaceProtocol = cfg->ifaces[k].bInterfaceProtocol,
				};
				if (cfg->ifaces[k].bAlternateSetting)
					continue;
				usbip_usb_interface_pack(body + pos, &in);
				pos += USBIP_USB_INTERFACE_SIZE;
			}
		}
	}
	body[0] = (uint8_t)(listed >> 24);
	body[1] = (uint8_t)(listed >> 16);
	body[2] = (uint8_t)(listed >> 8);
	body[3] = (uint8_t)listed;
	send_op_reply(c, USBIP_OP_REP_DEVLIST, USBIP_ST_OK, body, pos);
	free(body);
	/* usbipd ends the session after a device list */
	c->close_after_flush = true;
}

static void handle_import(struct usbip_conn *c, const uint8_t busid_raw[USBIP_BUSID_SIZE])
{
	struct usbip_server *srv = c->srv;
	char busid[USBIP_BUSID_SIZE + 1];
	struct usbip_export *e = NULL;

	char shown[4 * USBIP_BUSID_SIZE + 1];

	memcpy(busid, busid_raw, USBIP_BUSID_SIZE);
	busid[USBIP_BUSID_SIZE] = '\0';
	log_escape(busid, USBIP_BUSID_SIZE, shown, sizeof(shown));
	for (unsigned i = 0; i < srv->n_exports; i++)
		if (!srv->exports[i]->absent && strncmp(srv->exports[i]->busid, busid, USBIP_BUSID_SIZE) == 0)
			e = srv->exports[i];
	if (!e) {
		log_warn("%s: import of unknown bus id '%s' refused", c->peer, shown);
		send_op_reply(c, USBIP_OP_REP_IMPORT, USBIP_ST_NODEV, NULL, 0);
		c->close_after_flush = true;
		return;
	}
	if (e->importer) {
		log_warn("%s: import of %s refused: already imported by %s", c->peer, shown, e->importer->peer);
		send_op_reply(c, USBIP_OP_REP_IMPORT, USBIP_ST_DEV_BUSY, NULL, 0);
		c->close_after_flush = true;
		return;
	}
	e->importer = c;
	e->imports++;
	c->exp = e;
	c->phase = PHASE_URB;
	e->dev->complete = xfer_complete;
	if (e->attached)
		e->attached(e->ctx, true);
	struct usbip_usb_device d;
	uint8_t rec[USBIP_USB_DEVICE_SIZE];
	fill_device_record(e, &d);
	usbip_usb_device_pack(rec, &d);
	send_op_reply(c, USBIP_OP_REP_IMPORT, USBIP_ST_OK, rec, sizeof(rec));
	log_info("%s: imported %s", c->peer, shown);
}

/* Returns bytes consumed, 0 when more input is needed, or -1 after closing. */
static ssize_t parse_op(struct usbip_conn *c, const uint8_t *p, size_t n)
{
	struct usbip_op_common op;

	if (n < USBIP_OP_COMMON_SIZE)
		return 0;
	usbip_op_common_unpack(&op, p);
	if (op.version != USBIP_VERSION) {
		c->srv->stats.protocol_errors++;
		log_warn("%s: protocol version 0x%04x (expected 0x%04x): closing", c->peer, op.version, USBIP_VERSION);
		conn_close(c, NULL);
		return -1;
	}
	switch (op.code) {
	case USBIP_OP_REQ_DEVLIST:
		handle_devlist(c);
		return USBIP_OP_COMMON_SIZE;
	case USBIP_OP_REQ_IMPORT:
		if (n < USBIP_OP_COMMON_SIZE + USBIP_BUSID_SIZE)
			return 0;
		handle_import(c, p + USBIP_OP_COMMON_SIZE);
		return USBIP_OP_COMMON_SIZE + USBIP_BUSID_SIZE;
	default:
		c->srv->stats.protocol_errors++;
		log_warn("%s: unknown operation 0x%04x: answering ST_NA and closing", c->peer, op.code);
		send_op_reply(c, op.code & (uint16_t)~USBIP_OP_REQUEST, USBIP_ST_NA, NULL, 0);
		c->close_after_flush = true;
		return (ssize_t)n;  /* discard whatever else was sent */
	}
}

/* ---- URB phase ---- */

static uint32_t export_devid(const struct usbip_export *e) { return (e->busnum << 16) | e->devnum; }

static void observe_submit(struct usbip_conn *c, const struct usb_xfer *x)
{
	if (c->exp->observer)
		c->exp->observer->submit(c->exp->observer_ctx, x);
}

static void submit_xfer(struct usbip_conn *c, struct usb_xfer *x)
{
	c->srv->stats.urbs++;
	observe_submit(c, x);
	usb_device_submit(c->exp->dev, x);
}

/* Validates a CMD_SUBMIT header. Returns 0 to proceed, a negative URB status to
 * answer with, or 1 when the connection must close (the stream cannot be framed). */
static int check_submit(struct usbip_conn *c, const struct usbip_header *h)
{
	int32_t len = h->u.cmd_submit.transfer_buffer_length;

	if (len < 0 || (h->direction == USBIP_DIR_OUT && (uint32_t)len > USBIP_MAX_OUT_LEN)) {
		log_warn("%s: CMD_SUBMIT seq %u with transfer_buffer_length %d: closing", c->peer, h->seqnum, len);
		return 1;
	}
	/* number_of_packets only matters for isochronous endpoints, and this device
	 * has none: like usbip-host, ignore it (no ISO descriptors follow). */
	if (h->devid != export_devid(c->exp)) {
		log_warn("%s: CMD_SUBMIT seq %u for devid 0x%x (this device is 0x%x): -ENODEV", c->peer, h->seqnum,
			 h->devid, export_devid(c->exp));
		return USB_ST_NODEV;
	}
	if (h->direction > USBIP_DIR_IN || h->ep > 15) {
		log_warn("%s: CMD_SUBMIT seq %u direction %u ep %u: stall", c->peer, h->seqnum, h->direction, h->ep);
		return USB_ST_STALL;
	}
	if (c->urbs_in_flight >= USBIP_MAX_URBS_IN_FLIGHT) {
		if (c->srv->stats.urbs_refused++ == 0 || log_get_level() >= LOG_DEBUG)
			log_warn("%s: %u URBs in flight: CMD_SUBMIT seq %u refused with -ENOMEM", c->peer,
				 c->urbs_in_flight, h->seqnum);
		return USB_ST_NOMEM;
	}
	return 0;
}

/* Whether seqnum a comes after b (vhci-hcd counts one 32-bit sequence up, wrapping). */
static bool seq_after(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) > 0;
}

/* A CMD_UNLINK of a URB this connection has not seen submitted yet (and that is newer
 * than the last one submitted): remember it, so its submit can be dropped. */
static bool unlink_before_submit(struct usbip_conn *c, uint32_t victim)
{
	/* vhci-hcd's seqnums of one device come close together; a far one (a client that
	 * unlinks what it never sent) gets usbip-host's answer, status 0 */
	if (!c->seen_submit || !seq_after(victim, c->last_submit_seqnum) ||
	    victim - c->last_submit_seqnum > USBIP_EARLY_UNLINK_WINDOW)
		return false;
	if (c->n_early_unlinked == USBIP_MAX_EARLY_UNLINKS) {
		memmove(c->early_unlinked, c->early_unlinked + 1, sizeof(c->early_unlinked) - sizeof(c->early_unlinked[0]));
		c->n_early_unlinked--;
	}
	c->early_unlinked[c->n_early_unlinked++] = victim;
	return true;
}

/* Notes a CMD_SUBMIT's seqnum; true when it was unlinked before it came. Entries it
 * passed can no longer come (submits arrive in order) and are forgotten. */
static bool submit_was_unlinked(struct usbip_conn *c, uint32_t seqnum)
{
	bool hit = false;
	unsigned keep = 0;

	c->seen_submit = true;
	c->last_submit_seqnum = seqnum;
	for (unsigned i = 0; i < c->n_early_unlinked; i++) {
		if (c->early_unlinked[i] == seqnum)
			hit = true;
		else if (seq_after(c->early_unlinked[i], seqnum))
			c->early_unlinked[keep++] = c->early_unlinked[i];
	}
	c->n_early_unlinked = keep;
	return hit;
}

static ssize_t parse_urb(struct usbip_conn *c, const uint8_t *p, size_t n)
{
	struct usbip_header h;

	if (c->rx_skip) {
		size_t take = n < c->rx_skip ? n : c->rx_skip;

		c->rx_skip -= take;
		return (ssize_t)take;
	}
	if (c->rx_xfer) {
		/* OUT data of the transfer being received */
		size_t want = c->rx_xfer->length - c->rx_have, take = n < want ? n : want;
		memcpy(c->rx_xfer->data + c->rx_have, p, take);
		c->rx_have += take;
		if (c->rx_have == c->rx_xfer->length) {
			struct usb_xfer *x = c->rx_xfer;
			c->rx_xfer = NULL;
			if (x->owner == NULL) {
				/* already judged bad: answer it now that its data is consumed */
				struct usb_in_chunk r = { .status = (int)x->flags };
				x->owner = c;
				observe_submit(c, x);
				xfer_complete(c, x, &r);
			} else {
				submit_xfer(c, x);
			}
		}
		return (ssize_t)take;
	}
	if (n < USBIP_HEADER_SIZE)
		return 0;
	if (usbip_header_unpack(&h, p) < 0 || (h.command != USBIP_CMD_SUBMIT && h.command != USBIP_CMD_UNLINK)) {
		c->srv->stats.protocol_errors++;
		log_warn("%s: unknown URB command 0x%08x (seq %u): closing", c->peer, h.command, h.seqnum);
		conn_close(c, NULL);
		return -1;
	}
	if (log_get_level() >= LOG_DEBUG) {
		char s[200];
		usbip_header_to_string(&h, s, sizeof(s));
		log_dbg("%s: %s", c->peer, s);
	}
	if (h.command == USBIP_CMD_UNLINK) {
		struct usb_xfer *x;
		if (c->exp->observer)
			c->exp->observer->unlink(c->exp->observer_ctx, h.u.cmd_unlink.unlink_seqnum);
		x = usb_device_cancel(c->exp->dev, c, h.u.cmd_unlink.unlink_seqnum);
		c->srv->stats.unlinks++;
		if (x) {
			c->urbs_in_flight--;
			free(x->data);
			free(x);
		}
		/* usbip-host: -ECONNRESET when the URB was still pending, 0 when already answered;
		 * one not submitted yet counts as pending */
		send_ret_unlink(c, h.seqnum,
				x || unlink_before_submit(c, h.u.cmd_unlink.unlink_seqnum) ? -104 : 0);
		return USBIP_HEADER_SIZE;
	}
	if (submit_was_unlinked(c, h.seqnum)) {
		int32_t len = h.u.cmd_submit.transfer_buffer_length;

		log_dbg("%s: CMD_SUBMIT seq %u was unlinked before it came: dropped", c->peer, h.seqnum);
		c->srv->stats.unlinks_before_submit++;
		if (h.direction == USBIP_DIR_OUT && len > 0) {
			if ((uint32_t)len > USBIP_MAX_OUT_LEN) {
				c->srv->stats.protocol_errors++;
				conn_close(c, NULL);
				return -1;
			}
			c->rx_skip = (size_t)len;   /* its OUT data follows: read past it */
		}
		return USBIP_HEADER_SIZE;
	}

	int verdict = check_submit(c, &h);
	if (verdict == 1) {
		c->srv->stats.protocol_errors++;
		conn_close(c, NULL);
		return -1;
	}
	struct usb_xfer *x = calloc(1, sizeof(*x));
	if (!x) {
		conn_close(c, "out of memory");
		return -1;
	}
	c->urbs_in_flight++;
	x->id = h.seqnum;
	x->ep = (uint8_t)((h.ep & 0x0F) | (h.direction == USBIP_DIR_IN ? USB_ENDPOINT_DIR_IN : 0));
	x->length = (uint32_t)h.u.cmd_submit.transfer_buffer_length;
	memcpy(x->setup, h.u.cmd_submit.setup, 8);
	x->owner = c;
	if (verdict < 0) {
		x->owner = NULL;        /* marks "answer with x->flags as status" */
		x->flags = (uint32_t)verdict;
	} else {
		x->flags = h.u.cmd_submit.transfer_flags;
	}
	if (h.direction == USBIP_DIR_OUT && x->length > 0) {
		x->data = malloc(x->length);
		if (!x->data) {
			free(x);
			conn_close(c, "out of memory");
			return -1;
		}
		c->rx_xfer = x;
		c->rx_have = 0;
		return USBIP_HEADER_SIZE;
	}
	if (verdict < 0) {
		struct usb_in_chunk r = { .status = verdict };
		x->owner = c;
		observe_submit(c, x);
		xfer_complete(c, x, &r);
	} else {
		submit_xfer(c, x);
	}
	return USBIP_HEADER_SIZE;
}

/* ---- connection I/O ---- */

static void conn_update_events(struct usbip_conn *c)
{
	uint32_t ev = 0;
	bool want_write = c->tx_head != NULL;

	if (c->dead)
		return;
	if ((c->tx_bytes > USBIP_TX_HIGH_WATER || c->tx_items > USBIP_TX_MAX_ITEMS) && !c->reading_paused) {
		c->reading_paused = true;
		if (c->exp)
			usb_device_pause_in(c->exp->dev, true);
	} else if (c->tx_bytes < USBIP_TX_LOW_WATER && c->tx_items < USBIP_TX_MAX_ITEMS / 4 && c->reading_paused) {
		c->reading_paused = false;
		/* not from here: this runs inside completions and the parser */
		evloop_defer(c->srv->loop, &c->resume);
	}
	if (!c->reading_paused && !c->close_after_flush)
		ev |= EPOLLIN;
	if (want_write)
		ev |= EPOLLOUT;
	evloop_mod_fd(c->srv->loop, c->fd, ev | EPOLLRDHUP);
	c->want_write = want_write;
}

/* Requests already read are not parsed while the send queue is over its high
 * water mark: each could add a reply (and pin frame data) to the queue. */
static void parse_buffered(struct usbip_conn *c)
{
	while (!c->dead && !c->close_after_flush && !c->reading_paused && c->rpos < c->rlen) {
		ssize_t used = c->phase == PHASE_OP ? parse_op(c, c->rbuf + c->rpos, c->rlen - c->rpos)
						     : parse_urb(c, c->rbuf + c->rpos, c->rlen - c->rpos);
		if (used <= 0)
			break;
		c->rpos += (size_t)used;
	}
}

static void conn_read(struct usbip_conn *c)
{
	ssize_t r;

	if (c->reading_paused)
		return;  /* EPOLLIN of a poll round that began before the pause */
	if (c->rpos == c->rlen)
		c->rpos = c->rlen = 0;
	else if (c->rpos > RBUF_SIZE / 2) {
		memmove(c->rbuf, c->rbuf + c->rpos, c->rlen - c->rpos);
		c->rlen -= c->rpos;
		c->rpos = 0;
	}
	if (c->rlen == RBUF_SIZE)
		return;  /* parsing is behind; it resumes through conn_resume */
	r = read(c->fd, c->rbuf + c->rlen, RBUF_SIZE - c->rlen);
	if (r == 0) {
		conn_close(c, "peer closed the connection");
		return;
	}
	if (r < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			conn_close(c, strerror(errno));
		return;
	}
	c->rlen += (size_t)r;
	parse_buffered(c);
}

static void conn_resume(struct evloop *loop, void *arg)
{
	struct usbip_conn *c = arg;

	(void)loop;
	if (c->dead || c->reading_paused)
		return;
	if (c->exp)
		usb_device_pause_in(c->exp->dev, false);
	if (!c->dead)
		parse_buffered(c);
}

static void conn_event(struct evloop *loop, int fd, uint32_t events, void *arg)
{
	struct usbip_conn *c = arg;

	(void)loop;
	(void)fd;
	if (events & EPOLLIN)
		conn_read(c);
	if (!c->dead && (events & EPOLLOUT))
		tx_flush(c);
	if (!c->dead && (events & (EPOLLERR | EPOLLHUP)))
		conn_close(c, "connection error");
	else if (!c->dead && (events & EPOLLRDHUP) && !(events & EPOLLIN))
		conn_close(c, "peer closed the connection");
	else if (!c->dead && c->tx_head)
		tx_flush(c);
}

static void reap_dead(struct evloop *loop, void *arg)
{
	struct usbip_server *srv = arg;

	(void)loop;
	for (struct usbip_conn **pp = &srv->conns; *pp;) {
		struct usbip_conn *c = *pp;
		if (!c->dead) {
			pp = &c->next;
			continue;
		}
		*pp = c->next;
		free(c->rbuf);
		free(c);
	}
}

static void conn_close(struct usbip_conn *c, const char *why)
{
	struct usbip_server *srv = c->srv;

	if (c->dead)
		return;
	c->dead = true;
	evloop_defer_cancel(srv->loop, &c->resume);
	if (why)
		log_info("%s: closing connection: %s", c->peer, why);
	evloop_del_fd(srv->loop, c->fd);
	close(c->fd);
	if (c->exp && c->exp->importer == c) {
		struct usb_xfer *list;
		if (c->exp->observer)
			c->exp->observer->disconnect(c->exp->observer_ctx);
		list = usb_device_drain(c->exp->dev);
		while (list) {
			struct usb_xfer *x = list;
			list = x->next;
			free(x->data);
			free(x);
		}
		usb_device_reset(c->exp->dev);
		c->exp->importer = NULL;
		if (c->exp->attached)
			c->exp->attached(c->exp->ctx, false);
		log_info("%s: %s detached; exportable again", c->peer, c->exp->busid);
	}
	if (c->rx_xfer) {
		free(c->rx_xfer->data);
		free(c->rx_xfer);
		c->rx_xfer = NULL;
	}
	while (c->tx_head) {
		struct tx_item *t = c->tx_head;
		c->tx_head = t->next;
		tx_item_free(t);
	}
	c->tx_tail = NULL;
	srv->stats.open_connections--;
	evloop_defer(srv->loop, &srv->reap);
}

static bool waiting_for_request(const struct usbip_conn *c)
{
	return !c->dead && c->phase == PHASE_OP && !c->close_after_flush;
}

static void idle_check(struct evloop *loop, void *arg)
{
	struct usbip_server *srv = arg;
	uint64_t now = mono_now_ns();

	for (struct usbip_conn *c = srv->conns; c; c = c->next)
		if (waiting_for_request(c) && now - c->accepted_ns > OP_PHASE_TIMEOUT_NS)
			conn_close(c, "no request within 10 s");
	evloop_timer_start(loop, &srv->idle_check, now + 1000000000ull);
}

/* At the connection limit, the oldest connection still waiting for a request gives way. */
static bool evict_idle(struct usbip_server *srv)
{
	struct usbip_conn *oldest = NULL;

	for (struct usbip_conn *c = srv->conns; c; c = c->next)
		if (waiting_for_request(c) && (!oldest || c->accepted_ns < oldest->accepted_ns))
			oldest = c;
	if (!oldest)
		return false;
	conn_close(oldest, "connection limit reached: closing the oldest idle connection");
	return true;
}

static void accept_event(struct evloop *loop, int fd, uint32_t events, void *arg)
{
	struct usbip_server *srv = arg;

	(void)events;
	for (;;) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		int cfd = accept4(fd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (cfd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				log_warn("accept: %s", strerror(errno));
			return;
		}
		if (srv->stats.open_connections >= USBIP_MAX_CONNECTIONS && !evict_idle(srv)) {
			log_warn("refusing connection: %u already open", srv->stats.open_connections);
			close(cfd);
			continue;
		}
		struct usbip_conn *c = calloc(1, sizeof(*c));
		if (c)
			c->rbuf = malloc(RBUF_SIZE);
		if (!c || !c->rbuf) {
			log_err("out of memory accepting a connection");
			if (c)
				free(c);
			close(cfd);
			continue;
		}
		int one = 1;
		setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		c->srv = srv;
		c->fd = cfd;
		c->accepted_ns = mono_now_ns();
		evloop_defer_init(&c->resume, conn_resume, c);
		char host[INET6_ADDRSTRLEN] = "?", serv[16] = "?";
		getnameinfo((struct sockaddr *)&ss, sl, host, sizeof(host), serv, sizeof(serv),
			    NI_NUMERICHOST | NI_NUMERICSERV);
		snprintf(c->peer, sizeof(c->peer), "%s:%s", host, serv);
		if (evloop_add_fd(loop, cfd, EPOLLIN | EPOLLRDHUP, conn_event, c) < 0) {
			close(cfd);
			free(c->rbuf);
			free(c);
			continue;
		}
		c->next = srv->conns;
		srv->conns = c;
		srv->stats.connections++;
		srv->stats.open_connections++;
		log_dbg("%s: connected", c->peer);
	}
}

/* ---- setup ---- */

struct usbip_server *usbip_server_new(struct evloop *loop, const char *listen_spec)
{
	struct usbip_server *srv;
	char bound[80];
	int fd = net_listen(listen_spec, 64, false, "USB/IP server", bound, sizeof(bound));

	if (fd < 0)
		return NULL;
	srv = calloc(1, sizeof(*srv));
	if (!srv) {
		close(fd);
		return NULL;
	}
	srv->loop = loop;
	srv->lfd = fd;
	snprintf(srv->address, sizeof(srv->address), "%s", bound);
	srv->port = (uint16_t)atoi(strrchr(bound, ':') + 1);
	evloop_defer_init(&srv->reap, reap_dead, srv);
	evloop_timer_init(&srv->idle_check, idle_check, srv);
	evloop_timer_start(loop, &srv->idle_check, mono_now_ns() + 1000000000ull);

	if (evloop_add_fd(loop, fd, EPOLLIN, accept_event, srv) < 0) {
		close(fd);
		free(srv);
		return NULL;
	}
	return srv;
}

void usbip_server_free(struct usbip_server *srv)
{
	if (!srv)
		return;
	for (struct usbip_conn *c = srv->conns; c; c = c->next)
		conn_close(c, NULL);
	evloop_defer_cancel(srv->loop, &srv->reap);
	evloop_timer_stop(srv->loop, &srv->idle_check);
	reap_dead(srv->loop, srv);
	evloop_del_fd(srv->loop, srv->lfd);
	close(srv->lfd);
	free(srv);
}

const char *usbip_server_address(const struct usbip_server *srv) { return srv->address; }
uint16_t usbip_server_port(const struct usbip_server *srv) { return srv->port; }
const struct usbip_server_stats *usbip_server_stats(const struct usbip_server *srv) { return &srv->stats; }

int usbip_server_export(struct usbip_server *srv, struct usbip_export *exp)
{
	if (srv->n_exports >= MAX_EXPORTS)
		return DFK_ERR_RANGE;
	exp->importer = NULL;
	srv->exports[srv->n_exports++] = exp;
	return DFK_OK;
}

void usbip_server_set_present(struct usbip_server *srv, struct usbip_export *exp, bool present, const char *why)
{
	exp->absent = !present;
	if (!present)
		usbip_server_unplug(srv, exp, why);
}

void usbip_server_unplug(struct usbip_server *srv, struct usbip_export *exp, const char *why)
{
	(void)srv;
	if (exp->importer)
		conn_close(exp->importer, why);
}
