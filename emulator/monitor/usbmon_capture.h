/* SPDX-License-Identifier: MIT */
/* usbmon capture reader: feeds the host-behaviour monitor (host_monitor.h) offline from a
 * capture of the Linux USB monitor, so `dfk-drivertest --analyze` can judge any driver
 * talking to any USB3 Vision camera (docs/host-monitor.md, "Offline: usbmon captures").
 *
 * Formats (detected from the first bytes):
 *   - pcap, LINKTYPE_USB_LINUX (189, 48-byte usbmon header) or LINKTYPE_USB_LINUX_MMAPPED
 *     (220, 64-byte header), either byte order, microsecond or nanosecond magic
 *     (tcpdump -i usbmonN -w, Wireshark/dumpcap "Save as pcap");
 *   - pcapng: SHB (either byte order, several sections), IDB (link type and if_tsresol per
 *     interface), EPB, SPB and the obsolete Packet Block; every other block is skipped;
 *   - raw usbmon binary ("usbmon binary"): consecutive records, each the 64-byte header
 *     of the binary API (struct mon_bin_hdr as MON_IOCX_GETX / MON_IOCX_MFETCH deliver it)
 *     followed by exactly len_cap bytes, no padding, little-endian.
 *
 * The usbmon header inside pcap/pcapng is in the file's byte order (libpcap writes it in
 * the capturing host's order, the same as the file header).
 *
 * Everything read is untrusted: every length, count and offset is checked before use, the
 * container framing in one function per format and the usbmon header with its data in one
 * (usbmon_record, usbmon_capture.c); memory is bounded (struct umc_options); every loop
 * consumes input and so ends at its end. Malformed input gives an error message with the
 * byte offset, never a crash. Nothing is read ahead: the reader streams from a FILE, a
 * record at a time.
 */
#ifndef DFK_USBMON_CAPTURE_H
#define DFK_USBMON_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "host_monitor.h"

enum umc_format { UMC_FMT_UNKNOWN, UMC_FMT_PCAP, UMC_FMT_PCAPNG, UMC_FMT_USBMON };

const char *umc_format_name(enum umc_format f);

/**
 * struct umc_options - how to read (a zeroed struct is the default in brackets)
 * @bus, @devnum: the device to judge; @select_device false = choose automatically (the only
 *        device that shows a USB3 Vision interface, class 0xEF subclass 0x05, in a
 *        GET_DESCRIPTOR(CONFIGURATION) completion, or sends "U3VC" commands on a bulk OUT)
 * @max_data: data bytes kept per record [1 MiB, at most 64 MiB]; the rest is skipped and
 *        the record counts as truncated
 * @max_urbs: URBs tracked between submit and completion [16384, at most 1 << 20]; more
 *        are counted (untracked), not fed
 */
struct umc_options {
	bool select_device;
	uint16_t bus;
	uint8_t devnum;
	uint32_t max_data;
	uint32_t max_urbs;
};

/* One usbmon event as the reader decoded it. */
struct umc_event {
	uint64_t id;          /* the kernel's URB tag (an address: reused once the URB is freed) */
	char type;            /* 'S' submit, 'C' complete, 'E' submit error */
	uint8_t xfer;         /* usbmon's: 0 iso, 1 interrupt, 2 control, 3 bulk */
	uint8_t ep;           /* endpoint number | 0x80 for IN */
	uint8_t devnum;
	uint16_t bus;
	bool has_setup;
	uint8_t setup[8];
	int32_t status;
	uint32_t length;      /* S: transfer_buffer_length; C: actual_length */
	uint32_t len_cap;     /* data bytes usbmon captured */
	uint64_t t_ns;        /* ns since the first record of the capture */
	const uint8_t *data;  /* the data bytes this file holds (valid until the next read) */
	size_t data_len;
	bool truncated;       /* data_len < the bytes the URB carried (usbmon, snaplen or max_data) */
};

struct umc_device {
	uint16_t bus;
	uint8_t devnum;
	bool u3v;
	uint64_t events;
};

#define UMC_MAX_DEVICES 64

struct umc_stats {
	enum umc_format format;
	uint32_t linktype;          /* of the first usbmon interface (189, 220; 0 for raw usbmon) */
	uint64_t records;           /* packet records read (any link type) */
	uint64_t other_records;     /* records of interfaces that are not usbmon (skipped) */
	uint64_t events;            /* usbmon events decoded */
	uint64_t truncated;         /* events whose data the capture cut short */
	uint64_t anomalies;         /* tolerated oddities: captured > original length, unknown event types */
	/* of the selected device */
	uint16_t bus;
	uint8_t devnum;
	uint64_t device_events, submits, completions, submit_errors;
	uint64_t unknown_urbs;      /* C / E of an id never submitted in the capture (it began mid-transfer) */
	uint64_t id_reuse;          /* S of an id still pending: its completion was lost (usbmon drops) */
	uint64_t untracked;         /* submitted while max_urbs were tracked */
	uint64_t pending_at_end;    /* submitted, never completed before the capture ended */
	uint64_t duration_ns;       /* time of the last event */
	struct umc_device devices[UMC_MAX_DEVICES];
	size_t n_devices;
	uint64_t more_devices;      /* events of devices past UMC_MAX_DEVICES */
};

/* ---- the streaming reader ---- */

struct umc_reader;

/* Reads the file header; NULL with a message in err when it is not a capture we know.
 * The FILE stays the caller's. */
struct umc_reader *umc_reader_new(FILE *f, const struct umc_options *opt, char *err, size_t errlen);
void umc_reader_free(struct umc_reader *r);
/* The next usbmon event: 1, 0 at the end, or a negative DFK_ERR_* with umc_reader_error()
 * saying what and where (the byte offset). Records of other link types are skipped. */
int umc_reader_next(struct umc_reader *r, struct umc_event *ev);
const char *umc_reader_error(const struct umc_reader *r);
/* Counters of what was read so far (format, records, anomalies; the device part is zero). */
const struct umc_stats *umc_reader_stats(const struct umc_reader *r);

/* ---- events to the monitor ---- */

struct umc_feeder;

/* Feeds the events of device bus:devnum to m (which should be made with hm_config.offline). */
struct umc_feeder *umc_feeder_new(struct host_monitor *m, uint16_t bus, uint8_t devnum, uint32_t max_urbs);
void umc_feeder_free(struct umc_feeder *fd);
/* One event (of any device: others are ignored). Returns 0 or DFK_ERR_NOMEM. */
int umc_feeder_event(struct umc_feeder *fd, const struct umc_event *ev);
/* Counts of the selected device; pending_at_end is what is pending now. */
void umc_feeder_stats(const struct umc_feeder *fd, struct umc_stats *st);

/* ---- both ---- */

/* Reads the whole capture and feeds the chosen device to m. Without opt->select_device it
 * first scans the capture for the USB3 Vision device (the FILE must then be seekable) and
 * rewinds. Returns 0, or a negative DFK_ERR_* with a message in err (malformed capture,
 * no or several U3V devices, I/O). st (optional) gets the counters and the device list. */
int umc_analyze(FILE *f, const struct umc_options *opt, struct host_monitor *m, struct umc_stats *st, char *err,
		size_t errlen);

#endif
