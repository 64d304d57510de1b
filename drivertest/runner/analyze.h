/* SPDX-License-Identifier: MIT */
/* dfk-drivertest --analyze: the host-behaviour monitor (emulator/monitor/host_monitor.h) run
 * offline over a usbmon capture (pcap, pcapng or usbmon binary; emulator/monitor/usbmon_capture.h)
 * of any driver talking to any USB3 Vision camera (docs/host-monitor.md, "Offline: usbmon
 * captures").
 *
 *   dfk-drivertest --analyze CAPTURE [--device BUS:DEV] [--json FILE] [--junit FILE] [--quiet]
 *
 * Exit status: 0 no error (warnings allowed), 1 violations, 2 bad capture or usage. */
#ifndef DFK_DT_ANALYZE_H
#define DFK_DT_ANALYZE_H

/* argv[0] is "--analyze" (main passes its argv from there), argc counts from it. */
int dt_analyze_main(int argc, char **argv);

#endif
