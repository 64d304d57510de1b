/* SPDX-License-Identifier: MIT */
/* usbmon-dump: writes the Linux usbmon binary interface to a file in the "usbmon binary"
 * format that dfk-drivertest --analyze reads (docs/host-monitor.md): each event as the 64-byte
 * header MON_IOCX_GETX returns, then exactly len_cap data bytes (len_cap set to the bytes
 * written when the data did not fit the 1 MiB buffer), in the host's byte order, no padding.
 *
 *   usbmon-dump /dev/usbmonN FILE     until SIGINT/SIGTERM; then prints "events=N dropped=N"
 *
 * Built on the host by harness/test_analyze_vm.py and run in the QEMU guest. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define MON_IOC_MAGIC 0x92
#define MON_IOCG_STATS _IOR(MON_IOC_MAGIC, 3, struct mon_bin_stats)
#define MON_IOCT_RING_SIZE _IO(MON_IOC_MAGIC, 4)
#define MON_IOCX_GETX _IOW(MON_IOC_MAGIC, 10, struct mon_bin_get)

struct mon_bin_stats {
	uint32_t queued;
	uint32_t dropped;
};

struct mon_bin_get {
	void *hdr;       /* 64 bytes */
	void *data;
	size_t alloc;
};

#define HDR 64
#define DATA (1u << 20)

static volatile sig_atomic_t stop;

static void on_signal(int sig) { stop = sig; }

int main(int argc, char **argv)
{
	static uint8_t data[DATA];
	uint8_t hdr[HDR];
	struct mon_bin_get get = { hdr, data, sizeof(data) };
	struct mon_bin_stats st = { 0, 0 };
	struct sigaction sa;
	unsigned long events = 0;
	FILE *out;
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: usbmon-dump /dev/usbmonN FILE\n");
		return 2;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;   /* no SA_RESTART: the blocking ioctl returns EINTR */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	fd = open(argv[1], O_RDONLY);
	if (fd < 0) {
		fprintf(stderr, "usbmon-dump: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	if (ioctl(fd, MON_IOCT_RING_SIZE, 1200 * 1024) < 0)
		fprintf(stderr, "usbmon-dump: ring size: %s (kept the default)\n", strerror(errno));
	out = fopen(argv[2], "wb");
	if (!out) {
		fprintf(stderr, "usbmon-dump: %s: %s\n", argv[2], strerror(errno));
		return 1;
	}
	fprintf(stderr, "usbmon-dump: listening on %s\n", argv[1]);
	while (!stop) {
		if (ioctl(fd, MON_IOCX_GETX, &get) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "usbmon-dump: MON_IOCX_GETX: %s\n", strerror(errno));
			break;
		}
		uint32_t len_cap;
		memcpy(&len_cap, hdr + 36, 4);
		if (len_cap > DATA) {
			len_cap = DATA;
			memcpy(hdr + 36, &len_cap, 4);
		}
		if (fwrite(hdr, 1, HDR, out) != HDR || fwrite(data, 1, len_cap, out) != len_cap) {
			fprintf(stderr, "usbmon-dump: write: %s\n", strerror(errno));
			break;
		}
		events++;
	}
	ioctl(fd, MON_IOCG_STATS, &st);
	if (fclose(out) != 0)
		return 1;
	printf("events=%lu dropped=%u\n", events, st.dropped);
	return 0;
}
