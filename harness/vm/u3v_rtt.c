/* SPDX-License-Identifier: MIT */
/* u3v-rtt: time GenCP READMEM round trips to the first USB3 Vision device of a vendor.
 *
 * Built on the host by harness/vm/bench.py into build/vm/u3v-rtt and run inside the QEMU guest
 * (through the chroot of the host's root), so it measures libusb -> usbfs -> vhci-hcd -> TCP ->
 * dfk-emu and back. Reads ABRM Model Name (0x44, 64 bytes) N times.
 *
 *   u3v-rtt [-v VID] [-n COUNT] [-a ADDRESS] [-c BYTES]
 * prints one line: "model=<...> n=<N> mean_us=<> median_us=<> p99_us=<> min_us=<> max_us=<>"
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

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t get32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Find the control interface (class 0xEF, subclass 0x05, protocol 0) and its bulk endpoints. */
static int find_control(libusb_device *dev, int *iface, uint8_t *ep_out, uint8_t *ep_in)
{
	struct libusb_config_descriptor *cfg;
	int found = -1;

	if (libusb_get_active_config_descriptor(dev, &cfg) != 0 &&
	    libusb_get_config_descriptor(dev, 0, &cfg) != 0)
		return -1;
	for (int i = 0; i < cfg->bNumInterfaces && found < 0; i++) {
		const struct libusb_interface_descriptor *d = &cfg->interface[i].altsetting[0];
		if (d->bInterfaceClass != 0xEF || d->bInterfaceSubClass != 0x05 || d->bInterfaceProtocol != 0)
			continue;
		*ep_out = *ep_in = 0;
		for (int e = 0; e < d->bNumEndpoints; e++) {
			uint8_t a = d->endpoint[e].bEndpointAddress;
			if ((d->endpoint[e].bmAttributes & 3) != LIBUSB_TRANSFER_TYPE_BULK)
				continue;
			if (a & 0x80)
				*ep_in = a;
			else
				*ep_out = a;
		}
		if (*ep_in && *ep_out) {
			*iface = d->bInterfaceNumber;
			found = 0;
		}
	}
	libusb_free_config_descriptor(cfg);
	return found;
}

/* One READMEM; returns the data length copied, or -1. */
static int readmem(libusb_device_handle *h, uint8_t ep_out, uint8_t ep_in, uint16_t id,
		   uint64_t addr, uint16_t count, uint8_t *out)
{
	uint8_t cmd[GENCP_READMEM_LEN], ack[GENCP_HDR_LEN + 65536];
	int n = 0, rc;

	gencp_readmem_cmd(cmd, id, addr, count);
	rc = libusb_bulk_transfer(h, ep_out, cmd, sizeof cmd, &n, TIMEOUT_MS);
	if (rc != 0 || n != (int)sizeof cmd) {
		fprintf(stderr, "u3v-rtt: command send failed: %s (%d bytes)\n", libusb_error_name(rc), n);
		return -1;
	}
	for (;;) {
		rc = libusb_bulk_transfer(h, ep_in, ack, GENCP_HDR_LEN + count, &n, TIMEOUT_MS);
		if (rc != 0 || n < GENCP_HDR_LEN) {
			fprintf(stderr, "u3v-rtt: ack receive failed: %s (%d bytes)\n", libusb_error_name(rc), n);
			return -1;
		}
		if (get32(ack) != U3V_PREFIX || get16(ack + 10) != id) {
			fprintf(stderr, "u3v-rtt: bad ack (prefix %08x id %u, want %u)\n", get32(ack), get16(ack + 10), id);
			return -1;
		}
		if (get16(ack + 6) == GENCP_PENDING_ACK)
			continue;
		if (get16(ack + 6) != GENCP_READMEM_ACK || get16(ack + 4) != 0) {
			fprintf(stderr, "u3v-rtt: ack command %04x status %04x\n", get16(ack + 6), get16(ack + 4));
			return -1;
		}
		n -= GENCP_HDR_LEN;
		memcpy(out, ack + GENCP_HDR_LEN, (size_t)n);
		return n;
	}
}

int main(int argc, char **argv)
{
	unsigned vid = 0x199e, count = 100, bytes = 64;
	unsigned long long addr = 0x44;
	libusb_context *ctx;
	libusb_device **list;
	libusb_device_handle *h = NULL;
	int iface = -1, opt, rc = 1;
	uint8_t ep_out = 0, ep_in = 0, buf[65536];
	char model[65] = "";

	while ((opt = getopt(argc, argv, "v:n:a:c:")) != -1) {
		switch (opt) {
		case 'v': vid = (unsigned)strtoul(optarg, NULL, 16); break;
		case 'n': count = (unsigned)strtoul(optarg, NULL, 0); break;
		case 'a': addr = strtoull(optarg, NULL, 0); break;
		case 'c': bytes = (unsigned)strtoul(optarg, NULL, 0); break;
		default:
			fprintf(stderr, "usage: u3v-rtt [-v VID] [-n COUNT] [-a ADDRESS] [-c BYTES]\n");
			return 2;
		}
	}
	if (count == 0 || bytes == 0 || bytes > 65535)
		return 2;
	if (libusb_init(&ctx) != 0)
		return 1;
	ssize_t nd = libusb_get_device_list(ctx, &list);
	for (ssize_t i = 0; i < nd && !h; i++) {
		struct libusb_device_descriptor dd;
		if (libusb_get_device_descriptor(list[i], &dd) != 0 || dd.idVendor != vid)
			continue;
		if (find_control(list[i], &iface, &ep_out, &ep_in) != 0)
			continue;
		if (libusb_open(list[i], &h) != 0)
			h = NULL;
	}
	libusb_free_device_list(list, 1);
	if (!h) {
		fprintf(stderr, "u3v-rtt: no U3V device with vendor %04x\n", vid);
		goto out;
	}
	libusb_set_auto_detach_kernel_driver(h, 1);
	if (libusb_claim_interface(h, iface) != 0) {
		fprintf(stderr, "u3v-rtt: cannot claim interface %d\n", iface);
		goto out;
	}

	double *t = calloc(count, sizeof *t), sum = 0;
	uint16_t id = 1;
	for (unsigned i = 0; i < count; i++) {
		double t0 = now_us();
		int n = readmem(h, ep_out, ep_in, id, addr, (uint16_t)bytes, buf);
		t[i] = now_us() - t0;
		if (n < 0)
			goto release;
		if (i == 0) {
			memcpy(model, buf, n < 64 ? (size_t)n : 64);
			for (char *p = model; *p; p++)
				if (*p < 0x20 || *p > 0x7e)
					*p = '?';
		}
		sum += t[i];
		id = id == 0xffff ? 1 : id + 1;
	}
	qsort(t, count, sizeof *t, cmp_double);
	printf("model=%s n=%u mean_us=%.0f median_us=%.0f p99_us=%.0f min_us=%.0f max_us=%.0f\n",
	       model, count, sum / count, t[count / 2], t[(count * 99) / 100 < count ? (count * 99) / 100 : count - 1],
	       t[0], t[count - 1]);
	rc = 0;
release:
	free(t);
	libusb_release_interface(h, iface);
out:
	if (h)
		libusb_close(h);
	libusb_exit(ctx);
	return rc;
}
