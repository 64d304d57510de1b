/* SPDX-License-Identifier: MIT */
/* Host-behaviour monitor: judges what the USB host (the driver under test) does
 * against USB 3.2 chapter 9, USB3 Vision 1.0 and GenCP 1.0, transfer by
 * transfer, and records every violation with its rule, device time and URB.
 *
 * It sees transfers (URBs), never sockets: the USB/IP server feeds it live and a
 * usbmon capture reader feeds the same calls offline. What it must know about
 * the device (SBRM limits, the SIRM address and required sizes, the GenICam
 * file, read-only registers) comes from optional device facts, or is learned
 * from the READMEM acks the host itself receives and from the configuration
 * descriptor. docs/host-monitor.md lists the rules and the report formats.
 *
 * Everything fed in is untrusted (an offline capture is input): every length is
 * checked, memory is bounded (struct hm_limits), and nothing here allocates
 * after host_monitor_new() except the violation list, which grows up to its cap.
 * Not thread-safe: one monitor per device, called from one thread.
 */
#ifndef DFK_HOST_MONITOR_H
#define DFK_HOST_MONITOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ---- the rules (the table is in monitor_rules.c) ---- */

enum hm_rule_id {
	HM_RULE_GENCP_MALFORMED,
	HM_RULE_GENCP_REQUEST_ID,
	HM_RULE_GENCP_OUTSTANDING,
	HM_RULE_GENCP_COMMAND_TOO_LONG,
	HM_RULE_GENCP_READ_EXCEEDS_MAX_ACK,
	HM_RULE_GENCP_ACK_BUFFER_SMALL,
	HM_RULE_GENCP_READ_PAST_END,
	HM_RULE_GENCP_WRITE_READONLY,
	HM_RULE_U3V_STREAM_ENABLE_BEFORE_SIRM,
	HM_RULE_U3V_SIRM_TOO_SMALL,
	HM_RULE_U3V_SIRM_UNALIGNED,
	HM_RULE_U3V_SIRM_WRITE_WHILE_ENABLED,
	HM_RULE_U3V_BULK_IN_SIZE,
	HM_RULE_USB_STALLED_ENDPOINT_REUSE,
	HM_RULE_USBIP_SEQNUM_REUSE,
	HM_RULE_U3V_FRAME_LOST_HOST_SLOW,
	HM_RULE_U3V_ACQUISITION_STREAM_DISABLED,
	HM_RULE_USBIP_PENDING_AT_DISCONNECT,
	HM_RULE_USBIP_UNLINK_STORM,
	HM_RULE_COUNT
};

enum hm_severity { HM_SEV_ERROR, HM_SEV_WARNING };

/**
 * struct hm_rule - one row of the rule table
 * @id: stable name, e.g. "gencp-request-id" (JSON "rule", JUnit testcase name)
 * @section: where the rule comes from (spec and section)
 * @severity: an error fails a report; a warning is listed but passes
 * @offline: judged from the traffic alone (a usbmon capture), or needs live device events
 * @text: the rule in one sentence
 */
struct hm_rule {
	const char *id;
	const char *section;
	enum hm_severity severity;
	bool offline;
	const char *text;
};

/* The table, indexed by enum hm_rule_id; *n = HM_RULE_COUNT. */
const struct hm_rule *hm_rules(size_t *n);
/* The row of a rule id string, or NULL. */
const struct hm_rule *hm_rule_find(const char *id);
const char *hm_severity_name(enum hm_severity s);

/* ---- input ---- */

enum hm_xfer_type { HM_XFER_CONTROL, HM_XFER_BULK, HM_XFER_INTERRUPT, HM_XFER_ISO };

/**
 * struct hm_urb - a transfer the host submitted
 * @seq: its identifier (USB/IP seqnum; a capture reader maps usbmon URB ids onto it)
 * @ep: endpoint address, 0x80 set for IN
 * @type: enum hm_xfer_type
 * @length: transfer_buffer_length (IN: room given; OUT: bytes sent)
 * @setup: the setup packet of a control transfer
 * @data: OUT data (control data stage or bulk), @data_len bytes of it; may be
 *        shorter than @length when a capture truncated it, or NULL with 0
 */
struct hm_urb {
	uint32_t seq;
	uint8_t ep;
	uint8_t type;
	uint32_t length;
	uint8_t setup[8];
	const uint8_t *data;
	size_t data_len;
};

/* Live-only facts the device reports (offline captures have none). */
enum hm_device_event {
	HM_DEV_FRAME_DROPPED,       /* a = block id: the frame memory was full, the frame is lost */
	HM_DEV_ACQUISITION_START,   /* a = 1 if the stream channel (SI Control) was enabled, else 0 */
	HM_DEV_PAYLOAD_SIZE,        /* a = SIRM Required Payload Size now (after a feature change) */
};

struct hm_range {
	uint64_t address;
	uint64_t length;
};

/**
 * struct hm_device_facts - what the device knows of itself (all optional: 0 = unknown, learn it)
 * @max_cmd_transfer: SBRM Maximum Command Transfer Length
 * @max_ack_transfer: SBRM Maximum Acknowledge Transfer Length
 * @max_response_ms: ABRM Maximum Device Response Time
 * @sirm_address: SBRM SIRM Address
 * @si_alignment: bytes every SIRM transfer size must be a multiple of (SI Info)
 * @required_leader, @required_trailer: SIRM Required Leader/Trailer Size
 * @required_payload: SIRM Required Payload Size at start (HM_DEV_PAYLOAD_SIZE updates it)
 * @manifest_address, @manifest_entries: the manifest table
 * @xml_address, @xml_size: the GenICam file
 * @readonly, @n_readonly: read-only register ranges (copied; at most HM_MAX_RO_RANGES)
 */
struct hm_device_facts {
	uint32_t max_cmd_transfer;
	uint32_t max_ack_transfer;
	uint32_t max_response_ms;
	uint64_t sirm_address;
	uint32_t si_alignment;
	uint32_t required_leader;
	uint32_t required_trailer;
	uint64_t required_payload;
	uint64_t manifest_address;
	uint64_t manifest_entries;
	uint64_t xml_address;
	uint64_t xml_size;
	const struct hm_range *readonly;
	size_t n_readonly;
};

#define HM_MAX_RO_RANGES 256

/**
 * struct hm_limits - bounds and windows (0 = the default in brackets)
 * @max_violations: violations kept in memory [10000]; the rest are only counted per rule
 * @max_pending: URBs tracked between submit and completion [4096]; more are counted, not judged
 * @unlink_storm_count: more unlinks than this ... [512]
 * @unlink_storm_window_ns: ... within this much device time is a storm [1 s]
 * @stall_grace_ns: submits on an endpoint this soon after its STALL completed may
 *                  have crossed the completion on the wire; not judged [100 ms]
 * @session_gap_ns: GenCP idle this long may mean a new host session: the next
 *                  request id is not compared with the last one [500 ms]
 */
struct hm_limits {
	uint32_t max_violations;
	uint32_t max_pending;
	uint32_t unlink_storm_count;
	uint64_t unlink_storm_window_ns;
	uint64_t stall_grace_ns;
	uint64_t session_gap_ns;
};

/**
 * struct hm_violation - one recorded violation
 * @rule: enum hm_rule_id
 * @t_ns: device time the violation became visible
 * @has_urb: @seq / @ep name the transfer that committed it (false for device events)
 * @has_ref: @ref_seq names a related transfer (the ack that revealed it, the
 *           earlier command it conflicts with)
 * @detail: what happened, with numbers
 */
struct hm_violation {
	enum hm_rule_id rule;
	uint64_t t_ns;
	bool has_urb;
	bool has_ref;
	uint8_t ep;
	uint32_t seq;
	uint32_t ref_seq;
	char detail[176];
};

typedef void (*hm_observer_fn)(void *ctx, const struct hm_violation *v);

/**
 * struct hm_config - how to build a monitor (a zeroed struct is a valid default)
 * @facts: device facts, copied; NULL = learn everything from the traffic
 * @ep_command, @ep_ack, @ep_event, @ep_stream: U3V endpoints; 0 = learned from the
 *        configuration descriptor, else 0x01, 0x81, 0x82, 0x83
 * @stream_max_packet: wMaxPacketSize of the stream endpoint; 0 = learned, else 1024 (SuperSpeed)
 * @observer: called for every violation as it happens (also past max_violations)
 * @offline: no device events will come: live-only rules show as skipped in JUnit
 * @junit_warnings_fail: a rule with only warnings fails its JUnit testcase too
 */
struct hm_config {
	const struct hm_device_facts *facts;
	uint8_t ep_command, ep_ack, ep_event, ep_stream;
	uint16_t stream_max_packet;
	hm_observer_fn observer;
	void *observer_ctx;
	struct hm_limits limits;
	bool offline;
	bool junit_warnings_fail;
};

struct hm_stats {
	uint64_t submits, completions, unlinks, disconnects, device_events;
	uint64_t untracked_urbs;        /* submitted while max_pending were tracked */
	uint64_t unknown_completions;   /* completions of URBs never seen or not tracked */
	uint64_t violations;            /* all, recorded or not */
	uint64_t not_recorded;          /* past max_violations */
	uint64_t per_rule[HM_RULE_COUNT];
};

struct host_monitor;

/* NULL cfg = defaults. Returns NULL when out of memory or cfg is invalid
 * (an endpoint with the wrong direction bit, a limit past its ceiling). */
struct host_monitor *host_monitor_new(const struct hm_config *cfg);
void host_monitor_free(struct host_monitor *m);

/* The host submitted a transfer (for OUT: once all its data is known).
 * Returns 0, or DFK_ERR_INVAL for a NULL argument or data_len without data. */
int host_monitor_submit(struct host_monitor *m, uint64_t t_ns, const struct hm_urb *u);
/* A transfer completed: status 0 or a negative errno (-32 STALL, -75 babble,
 * -2 / -104 cancelled), `len` bytes of IN data (or the OUT bytes taken, data NULL). */
int host_monitor_complete(struct host_monitor *m, uint64_t t_ns, uint32_t seq, int status, const uint8_t *data,
			  size_t len);
/* The same when a capture holds fewer bytes than were transferred: actual_len
 * is the real actual_length, data/data_len what is known of it. */
int host_monitor_complete_partial(struct host_monitor *m, uint64_t t_ns, uint32_t seq, int status,
				  uint32_t actual_len, const uint8_t *data, size_t data_len);
/* The host cancelled URB `seq` (USB/IP CMD_UNLINK's unlink_seqnum). A completion
 * with -2 / -104 counts the same; report a cancellation once, either way. */
int host_monitor_unlink(struct host_monitor *m, uint64_t t_ns, uint32_t seq);
/* The connection or cable is gone: pending URBs are reported, the session and
 * the device's volatile state (SIRM, stream, halts) are forgotten; what was
 * learned of the device stays. Device time may restart afterwards. */
int host_monitor_disconnect(struct host_monitor *m, uint64_t t_ns);
int host_monitor_device_event(struct host_monitor *m, uint64_t t_ns, enum hm_device_event ev, uint64_t a);

/* ---- results ---- */

/* The recorded violations in the order they happened; returns their number. */
size_t host_monitor_violations(const struct host_monitor *m, const struct hm_violation **out);
const struct hm_stats *host_monitor_stats(const struct host_monitor *m);
/* Occurrences of one rule (recorded or not). */
uint64_t host_monitor_rule_count(const struct host_monitor *m, enum hm_rule_id rule);
/* Errors (not warnings) so far: 0 means the host behaved. */
uint64_t host_monitor_errors(const struct host_monitor *m);
/* What the monitor knows of the device now: facts, else learned (0 = unknown).
 * readonly points into the monitor. */
void host_monitor_known(const struct host_monitor *m, struct hm_device_facts *out);
/* The endpoints in use (configured, learned or default) and the stream's max packet. */
void host_monitor_endpoints(const struct host_monitor *m, uint8_t *command, uint8_t *ack, uint8_t *event,
			    uint8_t *stream, uint16_t *stream_max_packet);

/* Reports (docs/host-monitor.md). Return 0, or DFK_ERR_IO when writing failed. */
int host_monitor_write_json(const struct host_monitor *m, FILE *f);
/* One <testcase> per rule: passed, failed with every recorded occurrence, or skipped (live-only, offline). */
int host_monitor_write_junit(const struct host_monitor *m, FILE *f);

#endif
