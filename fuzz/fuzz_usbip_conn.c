/* SPDX-License-Identifier: MIT */
/* usbip_conn: the bytes a USB/IP client sends, into the server with the whole
 * camera (device.c) behind it, through a socketpair in chunks.
 *
 * Input: byte 0 chooses a prefix and the chunk size, the rest is the stream.
 *   bits 0-1  0 raw (operation phase), 1 OP_REQ_IMPORT of 1-1 first,
 *             2-3 OP_REQ_IMPORT and SET_CONFIGURATION(1) first (URB phase with the bulk endpoints up)
 *   bits 2-4  chunk size: 1, 3, 8, 48, 64, 512, 4096 or everything
 *   bit 5     the sensor sees the natural scene (else the cheaper test pattern)
 * The event loop runs once per chunk and a bounded number of rounds after the
 * last; the replies are drained and dropped. Time scale 0 and the smallest ROI
 * keep frame rendering out of the way. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../emulator/common/bytes.h"
#include "../emulator/common/evloop.h"
#include "../emulator/usbip/usbip_proto.h"
#include "../emulator/usbip/usbip_server.h"
#include "fuzz.h"

#define TAIL_ROUNDS 32
#define CLOSE_ROUNDS 64

static struct {
	struct evloop *loop;
	struct usbip_server *srv;
	struct emu_device dev;
	long drained;   /* reply bytes of this input (traced with DFK_FUZZ_LOG) */
} F;

static void setup_once(void)
{
	fuzz_init();
	F.loop = evloop_new();
	if (!F.loop)
		abort();
	F.srv = usbip_server_new(F.loop, FUZZ_LISTEN_SPEC);
	if (!F.srv || fuzz_device_init(&F.dev, F.loop, 0.0) < 0 || emu_device_export(&F.dev, F.srv) < 0)
		abort();
}

/* OP_REQ_IMPORT of bus id 1-1, optionally followed by SET_CONFIGURATION(1) on EP0. */
static size_t make_prefix(uint8_t *p, unsigned kind)
{
	size_t n = 0;

	if (kind == 0)
		return 0;
	memset(p, 0, USBIP_OP_COMMON_SIZE + USBIP_BUSID_SIZE);
	put_be32(p, (uint32_t)USBIP_VERSION << 16 | USBIP_OP_REQ_IMPORT);
	memcpy(p + USBIP_OP_COMMON_SIZE, F.dev.exp.busid, strlen(F.dev.exp.busid));
	n = USBIP_OP_COMMON_SIZE + USBIP_BUSID_SIZE;
	if (kind >= 2) {
		static const uint8_t set_cfg[8] = { 0x00, 0x09, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00 };
		uint8_t *h = p + n;
		memset(h, 0, USBIP_HEADER_SIZE);
		put_be32(h, USBIP_CMD_SUBMIT);
		put_be32(h + 4, 1);
		put_be32(h + 8, F.dev.exp.busnum << 16 | F.dev.exp.devnum);
		memcpy(h + 40, set_cfg, 8);
		n += USBIP_HEADER_SIZE;
	}
	return n;
}

static void drain(int fd, bool *closed)
{
	F.drained += fuzz_drain(fd, closed);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t chunks[8] = { 1, 3, 8, 48, 64, 512, 4096, SIZE_MAX };
	uint8_t prefix[USBIP_OP_COMMON_SIZE + USBIP_BUSID_SIZE + USBIP_HEADER_SIZE];
	size_t plen, chunk, off = 0, total;
	uint8_t *stream;
	bool closed = false;
	unsigned stuck = 0;
	int fd;

	if (!F.loop)
		setup_once();
	if (size == 0)
		return 0;
	plen = make_prefix(prefix, data[0] & 3);
	chunk = chunks[(data[0] >> 2) & 7];
	total = plen + size - 1;
	stream = malloc(total ? total : 1);
	if (!stream)
		return 0;
	memcpy(stream, prefix, plen);
	memcpy(stream + plen, data + 1, size - 1);

	/* every input meets a camera fresh from the factory */
	fuzz_device_wipe_state(&F.dev);
	F.dev.cam.opt.source = data[0] & 0x20 ? SENSOR_SOURCE_SCENE : SENSOR_SOURCE_PATTERN;
	fd = fuzz_usbip_connect();
	if (fd < 0)
		abort();
	evloop_run_once(F.loop, 0);   /* accept */

	while (off < total && !closed) {
		size_t n = total - off < chunk ? total - off : chunk;
		ssize_t w = send(fd, stream + off, n, MSG_NOSIGNAL);
		if (w > 0)
			off += (size_t)w;
		else if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
			closed = true;   /* the server hung up */
		evloop_run_once(F.loop, 0);
		drain(fd, &closed);
		/* a server that stopped reading (close_after_flush) leaves the rest unsent */
		stuck = w > 0 ? 0 : stuck + 1;
		if (stuck > 64)
			break;
	}
	for (int i = 0; i < TAIL_ROUNDS && !closed; i++) {
		evloop_run_once(F.loop, 0);
		drain(fd, &closed);
		/* DeviceReset unplugs after 100 ms of host time: now, so the path is reached every time */
		if (F.dev.unplug_timer.armed) {
			evloop_timer_stop(F.loop, &F.dev.unplug_timer);
			F.dev.unplug_timer.cb(F.loop, F.dev.unplug_timer.arg);
		}
	}
	free(stream);
	if (fuzz_verbose())
		fprintf(stderr, "usbip_conn: %zu bytes sent, %ld received, %s\n", off, F.drained,
			closed ? "closed by the server" : "open");
	F.drained = 0;

	/* hang up as a client would; the server must let go of the device */
	close(fd);
	for (int i = 0; i < CLOSE_ROUNDS && usbip_server_stats(F.srv)->open_connections; i++)
		evloop_run_once(F.loop, 0);
	if (usbip_server_stats(F.srv)->open_connections || F.dev.exp.importer) {
		fprintf(stderr, "usbip_conn: the server kept a connection after the peer closed it\n");
		abort();
	}
	evloop_run_once(F.loop, 0);   /* reap */
	return 0;
}
