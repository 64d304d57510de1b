/* SPDX-License-Identifier: MIT */
/* usbip/usbip_server over loopback TCP, driven by scripted byte feeds: the
 * client's bytes arrive in small chunks (down to one byte at a time) and the
 * server's replies are compared with golden bytes written from docs/protocols.md
 * section 1 "USB/IP" (OP_REP_DEVLIST, OP_REP_IMPORT, RET_SUBMIT, RET_UNLINK). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../common/evloop.h"
#include "../u3v/u3v_desc.h"
#include "../usb/usb_device.h"
#include "../usbip/usbip_server.h"
#include "tests.h"

/* ---- a minimal USB function: records bulk OUT, never has IN data ---- */

static struct {
	unsigned outs;
	uint8_t out[64];
	size_t out_len;
	unsigned attach_events;
	bool attached;
	struct blob *in_blob;    /* when set, every bulk IN completes with all of it */
	unsigned ins;
} F;

static int fn_bulk_out(void *fn, uint8_t ep, const uint8_t *data, size_t len)
{
	(void)fn;
	(void)ep;
	F.outs++;
	F.out_len = len < sizeof(F.out) ? len : sizeof(F.out);
	memcpy(F.out, data, F.out_len);
	return USB_ST_OK;
}

static int fn_bulk_in(void *fn, uint8_t ep, uint32_t max_len, struct usb_in_chunk *chunk)
{
	(void)fn;
	(void)ep;
	if (!F.in_blob)
		return 0;
	chunk->data = F.in_blob->data;
	chunk->len = F.in_blob->size < max_len ? F.in_blob->size : max_len;
	chunk->ref = blob_ref(F.in_blob);
	F.ins++;
	return 1;
}

static void on_attached(void *ctx, bool attached)
{
	(void)ctx;
	F.attach_events++;
	F.attached = attached;
}

static const struct usb_function_ops fn_ops = { .bulk_out = fn_bulk_out, .bulk_in = fn_bulk_in };
static const char *const strings[] = { NULL, "The Imaging Source Europe GmbH", "DFK 38UX267", "38267001" };

static struct {
	struct evloop *loop;
	struct usbip_server *srv;
	struct u3v_descriptors desc;
	struct usb_device dev;
	struct usbip_export exp;
	int fd;
	bool ready;
} *S;

static int suite_init(void)
{
	signal(SIGPIPE, SIG_IGN);   /* as main.c does: a peer that went away is an error, not a signal */
	return 0;
}

static void setup(void)
{
	S = calloc(1, sizeof(*S));
	if (!S)
		return;
	memset(&F, 0, sizeof(F));
	S->fd = -1;
	S->loop = evloop_new();
	if (!S->loop)
		return;
	S->srv = usbip_server_new(S->loop, "127.0.0.1:0");
	if (!S->srv)
		return;
	u3v_descriptors_init(&S->desc, 0x199e, 0x988e, 0);
	usb_device_init(&S->dev, &S->desc.device, strings, sizeof(strings) / sizeof(strings[0]), &fn_ops, NULL);
	snprintf(S->exp.busid, sizeof(S->exp.busid), "1-1");
	S->exp.busnum = 1;
	S->exp.devnum = 2;
	S->exp.dev = &S->dev;
	S->exp.attached = on_attached;
	S->ready = usbip_server_export(S->srv, &S->exp) == 0;
}

static void teardown(void)
{
	if (!S)
		return;
	if (S->fd >= 0)
		close(S->fd);
	if (S->srv)
		usbip_server_free(S->srv);
	if (S->loop)
		evloop_free(S->loop);
	blob_unref(F.in_blob);
	F.in_blob = NULL;
	free(S);
	S = NULL;
}

static int client(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(usbip_server_port(S->srv)) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	CU_ASSERT_FATAL(fd >= 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CU_ASSERT_FATAL(connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0);
	for (int i = 0; i < 5; i++)
		evloop_run_once(S->loop, 1);   /* let the server accept */
	return fd;
}

/* The client sends `len` bytes in chunks of `chunk`, the server running between chunks. */
static void feed(int fd, const void *data, size_t len, size_t chunk)
{
	const uint8_t *p = data;

	for (size_t off = 0; off < len; off += chunk) {
		size_t n = len - off < chunk ? len - off : chunk;
		CU_ASSERT_FATAL(send(fd, p + off, n, MSG_NOSIGNAL) == (ssize_t)n);
		evloop_run_once(S->loop, 0);
	}
}

/* Receives exactly `len` bytes (running the server meanwhile), at most ~2 s. Returns bytes got. */
static size_t expect(int fd, uint8_t *buf, size_t len)
{
	size_t got = 0;

	for (int round = 0; round < 2000 && got < len; round++) {
		evloop_run_once(S->loop, 1);
		ssize_t r = recv(fd, buf + got, len - got, MSG_DONTWAIT);
		if (r > 0)
			got += (size_t)r;
		else if (r == 0)
			break;
	}
	return got;
}

/* After running the server a while: 1 if the connection was closed, 0 if still open with
 * nothing to read, -1 if unexpected bytes arrived. */
static int quiet_or_closed(int fd)
{
	uint8_t b[64];

	for (int round = 0; round < 20; round++) {
		evloop_run_once(S->loop, 1);
		ssize_t r = recv(fd, b, sizeof(b), MSG_DONTWAIT);
		if (r == 0)
			return 1;
		if (r > 0)
			return -1;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return 1;   /* reset */
	}
	return 0;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void cmd_submit(uint8_t h[48], uint32_t seq, uint32_t dir, uint32_t ep, int32_t len, const uint8_t setup[8])
{
	memset(h, 0, 48);
	put_be32(h, 1);
	put_be32(h + 4, seq);
	put_be32(h + 8, 0x00010002);
	put_be32(h + 12, dir);
	put_be32(h + 16, ep);
	put_be32(h + 20, dir ? 0x200 : 0);
	put_be32(h + 24, (uint32_t)len);
	if (setup)
		memcpy(h + 40, setup, 8);
}

static void cmd_unlink(uint8_t h[48], uint32_t seq, uint32_t victim)
{
	memset(h, 0, 48);
	put_be32(h, 2);
	put_be32(h + 4, seq);
	put_be32(h + 8, 0x00010002);
	put_be32(h + 20, victim);
}

/* The 48-byte RET_SUBMIT the server must send: devid, direction, ep and the rest 0. */
static void ret_submit(uint8_t h[48], uint32_t seq, int32_t status, int32_t actual)
{
	memset(h, 0, 48);
	put_be32(h, 3);
	put_be32(h + 4, seq);
	put_be32(h + 20, (uint32_t)status);
	put_be32(h + 24, (uint32_t)actual);
}

static void import(int fd)
{
	uint8_t req[40] = { 0x01, 0x11, 0x80, 0x03, 0, 0, 0, 0, '1', '-', '1' };
	uint8_t rep[8 + 0x138];

	feed(fd, req, sizeof(req), 3);
	ASSERT_INT(expect(fd, rep, sizeof(rep)), sizeof(rep));
	ASSERT_BYTES(rep, "\x01\x11\x00\x03\x00\x00\x00\x00", 8);
	ASSERT_BYTES(rep + 8 + 0x100, "1-1\0", 4);
}

static void test_usbip_server_devlist(void)
{
	CU_ASSERT_FATAL(S && S->ready);   /* fixture up */
	static const uint8_t head[12] = { 0x01, 0x11, 0x00, 0x05, 0, 0, 0, 0, 0, 0, 0, 1 };
	static const uint8_t ids[] = {
		0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x05,   /* busnum, devnum, speed */
		0x19, 0x9E, 0x98, 0x8E, 0x00, 0x00, 0xEF, 0x02, 0x01,                     /* vid, pid, bcd, class */
	};
	static const uint8_t ifaces[12] = { 0xEF, 0x05, 0x00, 0x00, 0xEF, 0x05, 0x01, 0x00, 0xEF, 0x05, 0x02, 0x00 };
	uint8_t rep[12 + 0x138 + 12];
	int fd = S->fd = client();

	/* OP_REQ_DEVLIST, one byte at a time */
	feed(fd, "\x01\x11\x80\x05\x00\x00\x00\x00", 8, 1);
	ASSERT_INT(expect(fd, rep, sizeof(rep)), sizeof(rep));
	ASSERT_BYTES(rep, head, 12);
	ASSERT_BYTES(rep + 12 + 0x100, "1-1\0", 4);
	ASSERT_BYTES(rep + 12 + 0x120, ids, sizeof(ids));
	ASSERT_INT(rep[12 + 0x136], 1);   /* bNumConfigurations */
	ASSERT_INT(rep[12 + 0x137], 3);   /* bNumInterfaces */
	ASSERT_BYTES(rep + 12 + 0x138, ifaces, 12);
	/* usbipd ends the session after the list */
	ASSERT_INT(quiet_or_closed(fd), 1);
}

static void test_usbip_server_import_and_control(void)
{
	CU_ASSERT_FATAL(S && S->ready);   /* fixture up */
	static const uint8_t get_dev[8] = { 0x80, 0x06, 0x00, 0x01, 0x00, 0x00, 0x12, 0x00 };
	static const uint8_t set_cfg[8] = { 0x00, 0x09, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00 };
	static const uint8_t dev_desc[18] = { 0x12, 0x01, 0x10, 0x03, 0xEF, 0x02, 0x01, 0x09, 0x9E,
					      0x19, 0x8E, 0x98, 0x00, 0x00, 0x01, 0x02, 0x03, 0x01 };
	uint8_t h[48], want[48], rep[48 + 18];
	int fd = S->fd = client();

	import(fd);
	ASSERT_INT(F.attach_events, 1);
	CU_ASSERT(F.attached);
	/* GET_DESCRIPTOR(DEVICE, 18), header in 5-byte chunks */
	cmd_submit(h, 1, 1, 0, 18, get_dev);
	feed(fd, h, 48, 5);
	ASSERT_INT(expect(fd, rep, sizeof(rep)), sizeof(rep));
	ret_submit(want, 1, 0, 18);
	ASSERT_BYTES(rep, want, 48);
	ASSERT_BYTES(rep + 48, dev_desc, 18);
	/* SET_CONFIGURATION(1): no data either way */
	cmd_submit(h, 2, 0, 0, 0, set_cfg);
	feed(fd, h, 48, 48);
	ASSERT_INT(expect(fd, rep, 48), 48);
	ret_submit(want, 2, 0, 0);
	ASSERT_BYTES(rep, want, 48);
	ASSERT_INT(S->dev.config, 1);
	ASSERT_INT(quiet_or_closed(fd), 0);
}

static void test_usbip_server_bulk_out_split(void)
{
	CU_ASSERT_FATAL(S && S->ready);   /* fixture up */
	static const uint8_t set_cfg[8] = { 0x00, 0x09, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00 };
	static const uint8_t cmd[24] = { 0x55, 0x33, 0x56, 0x43, 0x00, 0x40, 0x00, 0x08, 0x0C, 0x00, 0x15, 0xFF,
					 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x00 };
	uint8_t msg[48 + 24], want[48], rep[48];
	int fd = S->fd = client();

	import(fd);
	cmd_submit(msg, 10, 0, 0, 0, set_cfg);
	feed(fd, msg, 48, 48);
	ASSERT_INT(expect(fd, rep, 48), 48);
	/* bulk OUT on ep 1: header and data in 7-byte chunks, so data straddles chunk boundaries */
	cmd_submit(msg, 11, 0, 1, 24, NULL);
	memcpy(msg + 48, cmd, 24);
	feed(fd, msg, sizeof(msg), 7);
	ASSERT_INT(expect(fd, rep, 48), 48);
	ret_submit(want, 11, 0, 24);
	ASSERT_BYTES(rep, want, 48);
	ASSERT_INT(F.outs, 1);
	ASSERT_INT(F.out_len, 24);
	ASSERT_BYTES(F.out, cmd, 24);
}

static void test_usbip_server_unlink(void)
{
	CU_ASSERT_FATAL(S && S->ready);   /* fixture up */
	static const uint8_t set_cfg[8] = { 0x00, 0x09, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00 };
	uint8_t h[48], want[48], rep[48];
	int fd = S->fd = client();

	import(fd);
	cmd_submit(h, 20, 0, 0, 0, set_cfg);
	feed(fd, h, 48, 48);
	ASSERT_INT(expect(fd, rep, 48), 48);
	/* a bulk IN on the stream endpoint stays pending: nothing comes back */
	cmd_submit(h, 21, 1, 3, 1024, NULL);
	feed(fd, h, 48, 48);
	ASSERT_INT(quiet_or_closed(fd), 0);
	ASSERT_INT(usb_device_pending(&S->dev, 0x83), 1);
	/* unlink it: RET_UNLINK(seq of the unlink, -ECONNRESET), never a RET_SUBMIT for 21 */
	cmd_unlink(h, 22, 21);
	feed(fd, h, 48, 11);
	ASSERT_INT(expect(fd, rep, 48), 48);
	memset(want, 0, 48);
	put_be32(want, 4);
	put_be32(want + 4, 22);
	put_be32(want + 20, (uint32_t)-104);
	ASSERT_BYTES(rep, want, 48);
	ASSERT_INT(usb_device_pending(&S->dev, 0x83), 0);
	ASSERT_INT(quiet_or_closed(fd), 0);
	/* unlink of an URB already answered (20): status 0 */
	cmd_unlink(h, 23, 20);
	feed(fd, h, 48, 48);
	ASSERT_INT(expect(fd, rep, 48), 48);
	put_be32(want + 4, 23);
	put_be32(want + 20, 0);
	ASSERT_BYTES(rep, want, 48);
}

/* vhci-hcd can send the CMD_UNLINK of a URB before its CMD_SUBMIT (its transmit thread
 * sends unlinks queued while the submit waited). The URB must be answered once: by a
 * RET_UNLINK saying it was cancelled, never also by a RET_SUBMIT (vhci-hcd would not find
 * it and drop the device). */
static void test_usbip_server_unlink_before_submit(void)
{
	CU_ASSERT_FATAL(S && S->ready);   /* fixture up */
	static const uint8_t set_cfg[8] = { 0x00, 0x09, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00 };
	uint8_t h[48 + 8], want[48], rep[48];
	int fd = S->fd = client(), one = 1;

	/* the submits below get no answer, so no ACK rides back: without this, Nagle would
	 * hold the client's small writes until the server's delayed ACK (~40 ms) */
	CU_ASSERT_FATAL(setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) == 0);
	import(fd);
	cmd_submit(h, 30, 0, 0, 0, set_cfg);
	feed(fd, h, 48, 48);
	ASSERT_INT(expect(fd, rep, 48), 48);
	/* UNLINK(33 cancels 31) before SUBMIT(31): -ECONNRESET at once */
	cmd_unlink(h, 33, 31);
	feed(fd, h, 48, 48);
	ASSERT_INT(expect(fd, rep, 48), 48);
	memset(want, 0, 48);
	put_be32(want, 4);
	put_be32(want + 4, 33);
	put_be32(want + 20, (uint32_t)-104);
	ASSERT_BYTES(rep, want, 48);
	/* an OUT one too (34 cancels 32), its data must be read past */
	cmd_unlink(h, 34, 32);
	feed(fd, h, 48, 48);
	ASSERT_INT(expect(fd, rep, 48), 48);
	put_be32(want + 4, 34);
	ASSERT_BYTES(rep, want, 48);
	/* the submits come: dropped, nothing answers them, nothing stays pending */
	F.in_blob = blob_new(64);
	cmd_submit(h, 31, 1, 3, 64, NULL);
	feed(fd, h, 48, 48);
	cmd_submit(h, 32, 0, 1, 8, NULL);
	memset(h + 48, 0xa5, 8);
	feed(fd, h, 56, 5);
	ASSERT_INT(quiet_or_closed(fd), 0);
	ASSERT_INT(usb_device_pending(&S->dev, 0x83), 0);
	ASSERT_INT(F.ins, 0);
	ASSERT_INT(F.outs, 0);
	ASSERT_INT(usbip_server_stats(S->srv)->unlinks_before_submit, 2);
	/* the next submit is served as usual */
	cmd_submit(h, 35, 1, 3, 64, NULL);
	feed(fd, h, 48, 48);
	ASSERT_INT(expect(fd, rep, 48), 48);
	ret_submit(want, 35, 0, 64);
	ASSERT_BYTES(rep, want, 48);
	ASSERT_INT(F.ins, 1);
	/* an unlink of an older, answered URB is still status 0 */
	cmd_unlink(h, 36, 30);
	feed(fd, h, 48, 48);
	{
		uint8_t skip[64];
		ASSERT_INT(expect(fd, skip, 64), 64);   /* 35's data */
	}
	ASSERT_INT(expect(fd, rep, 48), 48);
	memset(want, 0, 48);
	put_be32(want, 4);
	put_be32(want + 4, 36);
	ASSERT_BYTES(rep, want, 48);
}

static void test_usbip_server_import_refusals(void)
{
	CU_ASSERT_FATAL(S && S->ready);   /* fixture up */
	uint8_t req[40] = { 0x01, 0x11, 0x80, 0x03, 0, 0, 0, 0, '9', '-', '9' };
	uint8_t rep[16];
	int fd = S->fd = client(), fd2;

	/* unknown bus id: a non-zero status and nothing after the 8-byte header */
	feed(fd, req, sizeof(req), 40);
	ASSERT_INT(expect(fd, rep, 8), 8);
	ASSERT_BYTES(rep, "\x01\x11\x00\x03", 4);
	CU_ASSERT(rep[4] || rep[5] || rep[6] || rep[7]);
	ASSERT_INT(quiet_or_closed(fd), 1);
	close(fd);

	/* a device already imported is busy for a second client */
	fd = S->fd = client();
	import(fd);
	fd2 = client();
	req[8] = '1';
	req[10] = '1';
	feed(fd2, req, sizeof(req), 40);
	ASSERT_INT(expect(fd2, rep, 8), 8);
	ASSERT_BYTES(rep, "\x01\x11\x00\x03\x00\x00\x00\x02", 8);   /* ST_DEV_BUSY */
	ASSERT_INT(quiet_or_closed(fd2), 1);
	close(fd2);
	/* when the importer goes away the device is released and can be imported again */
	close(S->fd);
	S->fd = -1;
	for (int i = 0; i < 20; i++)
		evloop_run_once(S->loop, 1);
	CU_ASSERT(!F.attached);
	fd = S->fd = client();
	import(fd);
}

static void test_usbip_server_bad_stream_closes(void)
{
	CU_ASSERT_FATAL(S && S->ready);   /* fixture up */
	uint8_t h[48];
	int fd = S->fd = client();

	/* wrong version: the connection closes, the server lives on */
	feed(fd, "\x01\x06\x80\x05\x00\x00\x00\x00", 8, 8);
	ASSERT_INT(quiet_or_closed(fd), 1);
	close(fd);
	/* unknown URB command after import */
	fd = S->fd = client();
	import(fd);
	memset(h, 0, 48);
	put_be32(h, 9);
	feed(fd, h, 48, 48);
	ASSERT_INT(quiet_or_closed(fd), 1);
	close(fd);
	S->fd = -1;
	/* still serving */
	fd = S->fd = client();
	import(fd);
	CU_ASSERT(usbip_server_stats(S->srv)->protocol_errors >= 2);
}

static void configure(int fd, uint32_t seq)
{
	static const uint8_t set_cfg[8] = { 0x00, 0x09, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00 };
	uint8_t h[48], rep[48];

	cmd_submit(h, seq, 0, 0, 0, set_cfg);
	feed(fd, h, 48, 48);
	ASSERT_INT(expect(fd, rep, 48), 48);
	ASSERT_INT(S->dev.config, 1);
}

/* Regression (attack run): CMD_SUBMIT to EP0 with USB/IP direction IN and a
 * host-to-device setup packet with wLength > 0 used to answer wLength bytes
 * copied from NULL. The setup packet decides; a disagreement stalls. */
static void test_usbip_server_control_direction_mismatch(void)
{
	CU_ASSERT_FATAL(S && S->ready);   /* fixture up */
	static const uint8_t set_cfg_len16[8] = { 0x00, 0x09, 0x01, 0x00, 0x00, 0x00, 0x10, 0x00 };
	static const uint8_t get_dev[8] = { 0x80, 0x06, 0x00, 0x01, 0x00, 0x00, 0x12, 0x00 };
	uint8_t msg[48 + 18], want[48], rep[48];
	int fd = S->fd = client();

	import(fd);
	/* IN submit, OUT request: STALL, no data, configuration untouched */
	cmd_submit(msg, 30, 1, 0, 16, set_cfg_len16);
	feed(fd, msg, 48, 48);
	ASSERT_INT(expect(fd, rep, 48), 48);
	ret_submit(want, 30, -32, 0);
	ASSERT_BYTES(rep, want, 48);
	ASSERT_INT(S->dev.config, 0);
	ASSERT_INT(quiet_or_closed(fd), 0);
	/* OUT submit carrying 18 bytes, IN request: the data is consumed, then STALL */
	cmd_submit(msg, 31, 0, 0, 18, get_dev);
	memset(msg + 48, 0xA5, 18);
	feed(fd, msg, sizeof(msg), 13);
	ASSERT_INT(expect(fd, rep, 48), 48);
	ret_submit(want, 31, -32, 0);
	ASSERT_BYTES(rep, want, 48);
	ASSERT_INT(quiet_or_closed(fd), 0);
	/* the stream is still framed: a correct request works */
	cmd_submit(msg, 32, 1, 0, 18, get_dev);
	feed(fd, msg, 48, 48);
	ASSERT_INT(expect(fd, msg, sizeof(msg)), sizeof(msg));
	ret_submit(want, 32, 0, 18);
	ASSERT_BYTES(msg, want, 48);
}

/* Regression (attack run): 1.5 M queued IN URBs with no data behind them grew
 * without bound. Past USBIP_MAX_URBS_IN_FLIGHT a submit fails with -ENOMEM. */
static void test_usbip_server_urbs_in_flight_bounded(void)
{
	CU_ASSERT_FATAL(S && S->ready);   /* fixture up */
	enum { BATCH = 1024 };
	uint8_t *batch = malloc(48 * BATCH), want[48], rep[48];
	int fd = S->fd = client();
	uint32_t seq = 100;

	CU_ASSERT_FATAL(batch != NULL);
	import(fd);
	configure(fd, seq++);
	for (unsigned sent = 0; sent < USBIP_MAX_URBS_IN_FLIGHT; sent += BATCH) {
		for (unsigned i = 0; i < BATCH; i++)
			cmd_submit(batch + 48 * i, seq++, 1, 3, 1024, NULL);
		feed(fd, batch, 48 * BATCH, 48 * 64);
	}
	free(batch);
	for (int i = 0; i < 100 && usb_device_pending(&S->dev, 0x83) < USBIP_MAX_URBS_IN_FLIGHT; i++)
		evloop_run_once(S->loop, 1);
	ASSERT_INT(quiet_or_closed(fd), 0);
	ASSERT_INT(usb_device_pending(&S->dev, 0x83), USBIP_MAX_URBS_IN_FLIGHT);
	/* one more: answered at once with -ENOMEM, nothing queued */
	cmd_submit(want, seq, 1, 3, 1024, NULL);
	feed(fd, want, 48, 48);
	ASSERT_INT(expect(fd, rep, 48), 48);
	ret_submit(want, seq, -12, 0);
	ASSERT_BYTES(rep, want, 48);
	ASSERT_INT(usb_device_pending(&S->dev, 0x83), USBIP_MAX_URBS_IN_FLIGHT);
	ASSERT_INT(usbip_server_stats(S->srv)->urbs_refused, 1);
	/* an unlink frees a slot: the next submit is queued again */
	cmd_unlink(want, seq + 1, 200);
	feed(fd, want, 48, 48);
	ASSERT_INT(expect(fd, rep, 48), 48);
	cmd_submit(want, seq + 2, 1, 3, 1024, NULL);
	feed(fd, want, 48, 48);
	ASSERT_INT(quiet_or_closed(fd), 0);
	ASSERT_INT(usb_device_pending(&S->dev, 0x83), USBIP_MAX_URBS_IN_FLIGHT);
}

/* Regression (attack run): a client queuing 1 MiB IN URBs and never reading
 * took the emulator to 5.3 GB. Past the send queue's high water mark neither
 * input is parsed nor IN transfers completed; data waits in the function. */
static void test_usbip_server_unread_replies_bounded(void)
{
	CU_ASSERT_FATAL(S && S->ready);   /* fixture up */
	enum { N = 400, CHUNK = 512 * 1024 };
	uint8_t *batch = malloc(48 * N), *sink = malloc(48 + CHUNK);
	int fd = S->fd = client();
	int rcv = 64 * 1024;

	CU_ASSERT_FATAL(batch && sink);
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	F.in_blob = blob_new(CHUNK);
	CU_ASSERT_FATAL(F.in_blob != NULL);
	import(fd);
	configure(fd, 1);
	for (unsigned i = 0; i < N; i++)
		cmd_submit(batch + 48 * i, 1000 + i, 1, 3, CHUNK, NULL);
	feed(fd, batch, 48 * N, 48 * N);
	for (int i = 0; i < 200; i++)
		evloop_run_once(S->loop, 1);
	/* 64 MiB of replies, plus what the two socket buffers took, never all 200 MiB */
	CU_ASSERT(F.ins >= USBIP_TX_HIGH_WATER / CHUNK);
	CU_ASSERT(F.ins <= USBIP_TX_HIGH_WATER / CHUNK + 24);
	/* and the rest of the submits wait unparsed: nothing else was queued */
	CU_ASSERT(usbip_server_stats(S->srv)->urbs <= F.ins + 2);
	/* once the client reads, every URB is answered in order */
	for (unsigned i = 0; i < N; i++) {
		uint8_t want[48];
		size_t got = expect(fd, sink, 48 + CHUNK);
		ASSERT_INT(got, 48 + CHUNK);
		if (got != 48 + CHUNK)
			break;
		ret_submit(want, 1000 + i, 0, CHUNK);
		ASSERT_BYTES(sink, want, 24);
	}
	ASSERT_INT(F.ins, N);
	free(batch);
	free(sink);
}

/* With bulk_ep set, a control reply goes ahead of the stream replies not yet begun; the
 * stream's own replies keep their order (the control reply comes long before the last). */
static void test_usbip_server_control_ahead_of_bulk(void)
{
	CU_ASSERT_FATAL(S && S->ready);   /* fixture up */
	enum { N = 40, CHUNK = 512 * 1024 };
	static const uint8_t get_dev[8] = { 0x80, 0x06, 0x00, 0x01, 0x00, 0x00, 0x12, 0x00 };
	uint8_t *batch = malloc(48 * N), *sink = malloc(48 + CHUNK), h[48];
	int fd = S->fd = client();
	int rcv = 64 * 1024;
	unsigned before = 0, next_seq = 1000;
	bool seen = false;

	CU_ASSERT_FATAL(batch && sink);
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	S->exp.bulk_ep = 0x83;
	F.in_blob = blob_new(CHUNK);
	CU_ASSERT_FATAL(F.in_blob != NULL);
	import(fd);
	configure(fd, 1);
	for (unsigned i = 0; i < N; i++)
		cmd_submit(batch + 48 * i, 1000 + i, 1, 3, CHUNK, NULL);
	feed(fd, batch, 48 * N, 48 * N);
	for (int i = 0; i < 50; i++)
		evloop_run_once(S->loop, 1);
	ASSERT_INT(F.ins, N);   /* all 20 MiB answered, most of it still queued */
	cmd_submit(h, 7, 1, 0, 18, get_dev);
	feed(fd, h, 48, 48);
	for (unsigned k = 0; k <= N && !seen; k++) {
		size_t got = expect(fd, sink, 48);
		ASSERT_INT(got, 48);
		if (got != 48)
			break;
		uint32_t seq = (uint32_t)sink[4] << 24 | (uint32_t)sink[5] << 16 | (uint32_t)sink[6] << 8 | sink[7];
		if (seq == 7) {
			ASSERT_INT(expect(fd, sink, 18), 18);
			ASSERT_INT(sink[0], 0x12);
			seen = true;
		} else {
			ASSERT_INT(seq, next_seq);   /* the stream in its own order */
			next_seq++;
			before++;
			ASSERT_INT(expect(fd, sink, CHUNK), CHUNK);
		}
	}
	CU_ASSERT(seen);
	/* only what was in the sockets' buffers or being written came first */
	CU_ASSERT(before < N / 2);
	for (; next_seq < 1000 + N; next_seq++) {
		ASSERT_INT(expect(fd, sink, 48 + CHUNK), 48 + CHUNK);
		ASSERT_INT((uint32_t)sink[4] << 24 | (uint32_t)sink[5] << 16 | (uint32_t)sink[6] << 8 | sink[7], next_seq);
	}
	free(batch);
	free(sink);
}

static const struct test_case cases[] = {
	{ "test_usbip_server_devlist", test_usbip_server_devlist },
	{ "test_usbip_server_import_and_control", test_usbip_server_import_and_control },
	{ "test_usbip_server_bulk_out_split", test_usbip_server_bulk_out_split },
	{ "test_usbip_server_unlink", test_usbip_server_unlink },
	{ "test_usbip_server_unlink_before_submit", test_usbip_server_unlink_before_submit },
	{ "test_usbip_server_import_refusals", test_usbip_server_import_refusals },
	{ "test_usbip_server_bad_stream_closes", test_usbip_server_bad_stream_closes },
	{ "test_usbip_server_control_direction_mismatch", test_usbip_server_control_direction_mismatch },
	{ "test_usbip_server_urbs_in_flight_bounded", test_usbip_server_urbs_in_flight_bounded },
	{ "test_usbip_server_unread_replies_bounded", test_usbip_server_unread_replies_bounded },
	{ "test_usbip_server_control_ahead_of_bulk", test_usbip_server_control_ahead_of_bulk },
	{ NULL, NULL },
};

int test_usbip_server_add_suite(void)
{
	return test_add_suite_with_init("usbip_server", suite_init, NULL, setup, teardown, cases);
}
