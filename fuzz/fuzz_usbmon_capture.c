/* SPDX-License-Identifier: MIT */
/* usbmon_capture: the usbmon capture reader (emulator/monitor/usbmon_capture.h) on an arbitrary
 * file, as `dfk-drivertest --analyze` reads it, feeding the host-behaviour monitor offline.
 *
 * Input: byte 0 is the mode:
 *   bit 0 name the device (bus 2, devnum 3: the seeds' camera), else choose it automatically
 *   bit 1 tight limits: 64 data bytes kept per record, 8 URBs tracked (the monitor: 16 pending, 8 violations)
 *   bit 2 the reader alone (umc_reader_next until the end), else umc_analyze into a monitor
 * the rest is the capture file (pcap, pcapng or usbmon binary: fuzz/corpus/usbmon_capture/
 * holds small valid ones of each, made by fuzz/make_usbmon_seeds.py).
 * With a monitor, the reports are written at the end and the counters checked against each
 * other; an error must come with a message. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../emulator/monitor/host_monitor.h"
#include "../emulator/monitor/usbmon_capture.h"
#include "fuzz.h"

static void check_reports(const struct host_monitor *m)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return;
	if (host_monitor_write_json(m, f) != 0 || host_monitor_write_junit(m, f) != 0)
		abort();
	fclose(f);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct umc_options opt = { 0 };
	struct umc_stats st;
	char err[256];
	uint8_t mode;
	FILE *f;

	if (size < 1)
		return 0;
	mode = data[0];
	data++;
	size--;
	if (mode & 1) {
		opt.select_device = true;
		opt.bus = 2;
		opt.devnum = 3;
	}
	if (mode & 2) {
		opt.max_data = 64;
		opt.max_urbs = 8;
	}
	/* fmemopen wants at least one byte; an empty file is a single byte read away */
	f = fmemopen((void *)(size ? data : (const uint8_t *)"x"), size ? size : 1, "rb");
	if (!f)
		return 0;
	if (!size)
		fgetc(f);

	if (mode & 4) {
		struct umc_reader *r = umc_reader_new(f, &opt, err, sizeof(err));
		if (!r) {
			if (!err[0])
				abort();
		} else {
			struct umc_event ev;
			int rc;
			uint64_t n = 0;
			while ((rc = umc_reader_next(r, &ev)) == 1) {
				if (ev.data_len > (opt.max_data ? opt.max_data : (1u << 20)) || (ev.data_len && !ev.data) ||
				    (ev.type != 'S' && ev.type != 'C' && ev.type != 'E'))
					abort();
				n++;
			}
			if (rc < 0 && !umc_reader_error(r)[0])
				abort();
			if (umc_reader_stats(r)->events != n)
				abort();
			umc_reader_free(r);
		}
		fclose(f);
		return 0;
	}

	struct hm_config cfg = { .offline = true };
	if (mode & 2) {
		cfg.limits.max_pending = 16;
		cfg.limits.max_violations = 8;
	}
	struct host_monitor *m = host_monitor_new(&cfg);
	if (!m) {
		fclose(f);
		return 0;
	}
	int rc = umc_analyze(f, &opt, m, &st, err, sizeof(err));
	fclose(f);
	if (rc != 0 && !err[0])
		abort();
	if (rc == 0) {
		const struct hm_stats *hs = host_monitor_stats(m);
		if (st.submits + st.completions + st.submit_errors + st.unknown_urbs + st.untracked != st.device_events ||
		    hs->submits != st.submits || hs->completions != st.completions + st.submit_errors ||
		    st.device_events > st.events || st.n_devices > UMC_MAX_DEVICES)
			abort();
		check_reports(m);
	}
	host_monitor_free(m);
	return 0;
}
