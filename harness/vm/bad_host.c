/* SPDX-License-Identifier: MIT */
/* bad-host: a libusb USB3 Vision host that breaks five rules of the host-behaviour monitor
 * (docs/host-monitor.md) on purpose, once each, so harness/test_analyze_vm.py can check that
 * the offline analysis of a usbmon capture (dfk-drivertest --analyze) and the live monitor
 * both flag exactly these:
 *
 *   gencp-read-exceeds-max-ack    READMEM of (SBRM Maximum Acknowledge Transfer Length - 12 + 4) bytes
 *   gencp-read-past-end           READMEM running 8 bytes past the end of the GenICam file
 *   gencp-request-id              a command reusing the id of a command that was answered with success
 *   gencp-outstanding             a command sent while the previous one's ack was not read yet
 *   usb-stalled-endpoint-reuse    SetFeature(ENDPOINT_HALT) on the stream endpoint, 300 ms later a
 *                                 bulk IN on it without ClearFeature(ENDPOINT_HALT)
 *
 * Everything else is done right: first it learns what the monitor must know (ABRM response time,
 * manifest and SBRM addresses, SBRM ack/command limits, the manifest entry of the XML) with ack
 * buffers of exactly the expected size, request ids counting up by one; no GenCP command within
 * 500 ms of another is idle-separated (the monitor's session gap). Built on the host by
 * harness/test_analyze_vm.py (gcc, pkg-config libusb-1.0) and run in the QEMU guest.
 *
 *   bad-host [-v VID]      prints "STEP name ..." lines and "DONE" (exit 0), or exits 1
 */
#include <libusb-1.0/libusb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "gencp_wire.h"

#define TIMEOUT_MS 2000

static libusb_device_handle *h;
static uint8_t ep_cmd, ep_ack, ep_stream;
static int if_ctrl = -1, if_stream = -1;
static uint16_t next_id = 1;
static uint8_t ack[GENCP_HDR_LEN + 65536 + 512];

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t get32(const uint8_t *p) { return (uint32_t)get16(p) | (uint32_t)get16(p + 2) << 16; }
static uint64_t get64(const uint8_t *p) { return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32; }

static void die(const char *what, int rc)
{
	fprintf(stderr, "bad-host: %s: %s\n", what, libusb_error_name(rc));
	exit(1);
}

/* Sends READMEM(addr, count) with request id `id` (no wait for the ack). */
static void send_readmem(uint16_t id, uint64_t addr, uint16_t count)
{
	uint8_t cmd[GENCP_READMEM_LEN];
	int n = 0, rc;

	gencp_readmem_cmd(cmd, id, addr, count);
	rc = libusb_bulk_transfer(h, ep_cmd, cmd, sizeof cmd, &n, TIMEOUT_MS);
	if (rc != 0 || n != (int)sizeof cmd)
		die("command", rc);
}

/* Reads the final ack of `id` into ack[] with a buffer of `room` bytes; returns its status. */
static int read_ack(uint16_t id, int room, int *len)
{
	for (;;) {
		int rc = libusb_bulk_transfer(h, ep_ack, ack, room, len, TIMEOUT_MS);
		if (rc != 0)
			die("ack", rc);
		if (*len < GENCP_HDR_LEN || get32(ack) != U3V_PREFIX || get16(ack + 10) != id) {
			fprintf(stderr, "bad-host: unexpected ack (%d bytes, id %u, want %u)\n", *len,
				*len >= GENCP_HDR_LEN ? get16(ack + 10) : 0, id);
			exit(1);
		}
		if (get16(ack + 6) != GENCP_PENDING_ACK)
			return get16(ack + 4);
	}
}

/* A correct READMEM: the next id, an ack buffer of exactly the answer's size. */
static const uint8_t *readmem(uint64_t addr, uint16_t count)
{
	uint16_t id = next_id++;
	int len, st;

	send_readmem(id, addr, count);
	st = read_ack(id, GENCP_HDR_LEN + count, &len);
	if (st != 0 || len != GENCP_HDR_LEN + count) {
		fprintf(stderr, "bad-host: READMEM 0x%llx+%u: status 0x%04x, %d bytes\n", (unsigned long long)addr, count,
			st, len);
		exit(1);
	}
	return ack + GENCP_HDR_LEN;
}

static void find_endpoints(libusb_device *dev)
{
	struct libusb_config_descriptor *cfg;

	if (libusb_get_active_config_descriptor(dev, &cfg) != 0)
		return;
	for (int i = 0; i < cfg->bNumInterfaces; i++) {
		const struct libusb_interface_descriptor *d = &cfg->interface[i].altsetting[0];
		if (d->bInterfaceClass != 0xEF || d->bInterfaceSubClass != 0x05)
			continue;
		for (int e = 0; e < d->bNumEndpoints; e++) {
			uint8_t a = d->endpoint[e].bEndpointAddress;
			if ((d->endpoint[e].bmAttributes & 3) != LIBUSB_TRANSFER_TYPE_BULK)
				continue;
			if (d->bInterfaceProtocol == 0) {
				if_ctrl = d->bInterfaceNumber;
				*(a & 0x80 ? &ep_ack : &ep_cmd) = a;
			} else if (d->bInterfaceProtocol == 2 && (a & 0x80)) {
				if_stream = d->bInterfaceNumber;
				ep_stream = a;
			}
		}
	}
	libusb_free_config_descriptor(cfg);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

int main(int argc, char **argv)
{
	unsigned vid = 0x199e;
	libusb_context *ctx;
	libusb_device **list;
	int opt, len, rc;

	while ((opt = getopt(argc, argv, "v:")) != -1) {
		if (opt != 'v') {
			fprintf(stderr, "usage: bad-host [-v VID]\n");
			return 2;
		}
		vid = (unsigned)strtoul(optarg, NULL, 16);
	}
	if (libusb_init(&ctx) != 0)
		return 1;
	ssize_t nd = libusb_get_device_list(ctx, &list);
	for (ssize_t i = 0; i < nd && !h; i++) {
		struct libusb_device_descriptor dd;
		if (libusb_get_device_descriptor(list[i], &dd) != 0 || dd.idVendor != vid)
			continue;
		find_endpoints(list[i]);
		if (if_ctrl >= 0 && if_stream >= 0 && libusb_open(list[i], &h) != 0)
			h = NULL;
	}
	libusb_free_device_list(list, 1);
	if (!h) {
		fprintf(stderr, "bad-host: no U3V device of vendor %04x\n", vid);
		return 1;
	}
	libusb_set_auto_detach_kernel_driver(h, 1);
	if ((rc = libusb_claim_interface(h, if_ctrl)) != 0 || (rc = libusb_claim_interface(h, if_stream)) != 0)
		die("claim", rc);

	/* what the monitor learns from the host's own reads */
	const uint8_t *d = readmem(0x1CC, 20);   /* Max Device Response Time, Manifest Table, SBRM */
	uint64_t manifest = get64(d + 4), sbrm = get64(d + 12);
	d = readmem(sbrm + 0x14, 8);             /* Maximum Command / Acknowledge Transfer Length */
	uint32_t max_ack = get32(d + 4);
	d = readmem(manifest, 8);
	if (get64(d) == 0) {
		fprintf(stderr, "bad-host: empty manifest\n");
		return 1;
	}
	d = readmem(manifest + 8, 64);
	uint64_t xml = get64(d + 8), xml_size = get64(d + 16);
	printf("STEP learned sbrm=0x%llx max_ack=%u manifest=0x%llx xml=0x%llx+%llu\n", (unsigned long long)sbrm, max_ack,
	       (unsigned long long)manifest, (unsigned long long)xml, (unsigned long long)xml_size);
	if (max_ack < 64 || max_ack > 65536 || xml_size < 16) {
		fprintf(stderr, "bad-host: implausible device (max ack %u, XML %llu bytes)\n", max_ack,
			(unsigned long long)xml_size);
		return 1;
	}

	/* 1. gencp-read-exceeds-max-ack: 4 bytes more than fit an ack (a big enough buffer) */
	uint16_t id = next_id++;
	uint16_t big = (uint16_t)(max_ack - GENCP_HDR_LEN + 4 > 65535 ? 65535 : max_ack - GENCP_HDR_LEN + 4);
	send_readmem(id, 0, big);
	printf("STEP read-exceeds-max-ack id=%u count=%u status=0x%04x\n", id, big, read_ack(id, sizeof(ack), &len));

	/* 2. gencp-read-past-end: the last 8 bytes of the XML and 8 more */
	id = next_id++;
	send_readmem(id, xml + xml_size - 8, 16);
	printf("STEP read-past-end id=%u status=0x%04x\n", id, read_ack(id, GENCP_HDR_LEN + 16, &len));

	/* 3. gencp-request-id: a successful READMEM, then another with the same id */
	readmem(0, 4);
	id = (uint16_t)(next_id - 1);
	send_readmem(id, 0, 4);
	printf("STEP request-id-reuse id=%u status=0x%04x\n", id, read_ack(id, GENCP_HDR_LEN + 4, &len));

	/* 4. gencp-outstanding: the next command before the ack of this one was read */
	uint16_t first = next_id++, second = next_id++;
	send_readmem(first, 0, 4);
	sleep_ms(20);   /* the ack is there; the host just does not read it */
	send_readmem(second, 0, 4);
	unsigned acks = 0;
	for (;;) {   /* collect what the device answered, until nothing more comes */
		rc = libusb_bulk_transfer(h, ep_ack, ack, 1024, &len, 300);
		if (rc != 0)
			break;
		acks++;
	}
	printf("STEP outstanding ids=%u,%u acks=%u\n", first, second, acks);

	/* 5. usb-stalled-endpoint-reuse: halt the stream endpoint, use it 300 ms later without clearing */
	rc = libusb_control_transfer(h, 0x02, 0x03 /* SET_FEATURE */, 0 /* ENDPOINT_HALT */, ep_stream, NULL, 0,
				     TIMEOUT_MS);
	if (rc < 0)
		die("SetFeature(ENDPOINT_HALT)", rc);
	sleep_ms(300);
	uint8_t buf[1024];
	rc = libusb_bulk_transfer(h, ep_stream, buf, sizeof buf, &len, 500);
	printf("STEP stalled-endpoint-reuse ep=0x%02x result=%s\n", ep_stream, libusb_error_name(rc));
	rc = libusb_clear_halt(h, ep_stream);
	if (rc != 0)
		die("ClearFeature(ENDPOINT_HALT)", rc);

	libusb_release_interface(h, if_stream);
	libusb_release_interface(h, if_ctrl);
	libusb_close(h);
	libusb_exit(ctx);
	printf("DONE\n");
	return 0;
}
