/* SPDX-License-Identifier: MIT */
/* The host monitor's rule table: one row per rule, indexed by enum hm_rule_id.
 * docs/host-monitor.md shows the same table; the unit tests check that every
 * row is filled and every id is unique. Sections follow the numbering the rest
 * of the project cites (USB 3.2, USB3 Vision 1.0, GenCP 1.0, the Linux
 * kernel's USB/IP protocol description). */
#include <string.h>

#include "host_monitor.h"

#define E HM_SEV_ERROR
#define W HM_SEV_WARNING

static const struct hm_rule rules[HM_RULE_COUNT] = {
	[HM_RULE_GENCP_MALFORMED] = {
		"gencp-malformed-command", "GenCP 1.0 ch. 5 (command layout); U3V 1.0 ch. 5 (prefix U3VC)", E, true,
		"A transfer on the command endpoint is one whole GenCP command: prefix U3VC, a length field equal "
		"to the bytes that follow the 12-byte header, and a READMEM/WRITEMEM body of the right size." },
	[HM_RULE_GENCP_REQUEST_ID] = {
		"gencp-request-id", "GenCP 1.0 ch. 5 (request_id, resend flag)", E, true,
		"Each new command carries the previous request id plus one (0 skipped on wrap); only a retry of a "
		"command without a successful ack, or a resend flagged as such, reuses the id." },
	[HM_RULE_GENCP_OUTSTANDING] = {
		"gencp-outstanding", "GenCP 1.0 ch. 5 (one command at a time; PENDING_ACK)", E, true,
		"The host sends no new command while the previous one awaits its final ack, unless it gave up on it "
		"(cancelled the ack transfer, or the response time or the PENDING_ACK timeout passed)." },
	[HM_RULE_GENCP_COMMAND_TOO_LONG] = {
		"gencp-command-too-long", "U3V 1.0 table 5-9 (SBRM Maximum Command Transfer Length)", E, true,
		"A command transfer is no longer than SBRM Maximum Command Transfer Length." },
	[HM_RULE_GENCP_READ_EXCEEDS_MAX_ACK] = {
		"gencp-read-exceeds-max-ack", "U3V 1.0 table 5-9 (SBRM Maximum Acknowledge Transfer Length)", E, true,
		"A READMEM asks for no more bytes than fit an ack of SBRM Maximum Acknowledge Transfer Length "
		"(12-byte header included)." },
	[HM_RULE_GENCP_ACK_BUFFER_SMALL] = {
		"gencp-ack-buffer-small", "U3V 1.0 table 5-9; USB 3.2 ch. 8 (babble)", E, true,
		"The IN transfer that receives an ack has room for the whole ack: it neither babbles nor ends full "
		"with a truncated ack." },
	[HM_RULE_GENCP_READ_PAST_END] = {
		"gencp-read-past-end", "GenCP 1.0 ch. 4 (manifest table, file entries)", E, true,
		"A READMEM that starts inside the manifest table or a file it lists (the GenICam XML) ends at or "
		"before its end." },
	[HM_RULE_GENCP_WRITE_READONLY] = {
		"gencp-write-readonly", "GenCP 1.0 table 5-2 (GENCP_WRITE_PROTECT)", E, true,
		"The host does not WRITEMEM a read-only register (known read-only, or answered WRITE_PROTECT)." },
	[HM_RULE_U3V_STREAM_ENABLE_BEFORE_SIRM] = {
		"u3v-stream-enable-before-sirm", "U3V 1.0 5.5.2, table 5-10 (SIRM)", E, true,
		"SI Control is enabled only after the host wrote Maximum Leader Size, Maximum Trailer Size and the "
		"payload transfer layout (Payload Transfer Size/Count or Final Transfer sizes)." },
	[HM_RULE_U3V_SIRM_TOO_SMALL] = {
		"u3v-sirm-too-small", "U3V 1.0 table 5-10 (Required Leader/Trailer/Payload Size)", E, true,
		"At stream enable the SIRM maximum leader and trailer sizes are at least the required ones and the "
		"payload layout holds the required payload size." },
	[HM_RULE_U3V_SIRM_UNALIGNED] = {
		"u3v-sirm-unaligned", "U3V 1.0 table 5-10 (SI Info alignment)", E, true,
		"At stream enable Payload Transfer Size and the Final Transfer sizes are multiples of the SI Info "
		"alignment." },
	[HM_RULE_U3V_SIRM_WRITE_WHILE_ENABLED] = {
		"u3v-sirm-write-while-enabled", "U3V 1.0 5.5.2 (SIRM fixed while SI Control is enabled)", E, true,
		"The host does not write the SIRM size and count registers while the stream is enabled." },
	[HM_RULE_U3V_BULK_IN_SIZE] = {
		"u3v-bulk-in-size", "U3V 1.0 5.6 (leader, payload, trailer transfers); USB 3.2 ch. 8 (max packet size)",
		E, true,
		"Stream IN transfers hold the leader and trailer, and every payload transfer but the last of a block "
		"is a multiple of the endpoint's max packet size (the SIRM layout included)." },
	[HM_RULE_USB_STALLED_ENDPOINT_REUSE] = {
		"usb-stalled-endpoint-reuse", "USB 3.2 9.4.1, 9.4.5 (endpoint Halt, ClearFeature(ENDPOINT_HALT))", E,
		true,
		"After a STALL on a bulk endpoint the host submits nothing more to it until it has sent "
		"ClearFeature(ENDPOINT_HALT) for it (or SetConfiguration/SetInterface)." },
	[HM_RULE_USBIP_SEQNUM_REUSE] = {
		"usbip-seqnum-reuse", "Linux usbip_protocol.rst (USBIP_CMD_SUBMIT seqnum)", E, true,
		"A new URB never carries the sequence number of a URB that is still pending." },
	[HM_RULE_U3V_FRAME_LOST_HOST_SLOW] = {
		"u3v-frame-lost-host-slow", "U3V 1.0 5.6 (stream data flow)", W, false,
		"The host reads the stream fast enough that the device never drops a frame for want of frame memory." },
	[HM_RULE_U3V_ACQUISITION_STREAM_DISABLED] = {
		"u3v-acquisition-stream-disabled", "U3V 1.0 5.5.2 (SI Control enable before acquisition)", W, false,
		"The host enables the stream channel before it starts the acquisition, or the frames are discarded." },
	[HM_RULE_USBIP_PENDING_AT_DISCONNECT] = {
		"usbip-pending-at-disconnect", "Linux usbip_protocol.rst (USBIP_CMD_UNLINK)", W, true,
		"The host collects or unlinks its URBs before it disconnects (a kernel detach leaves stream URBs: "
		"hence a warning, with the count)." },
	[HM_RULE_USBIP_UNLINK_STORM] = {
		"usbip-unlink-storm", "Linux usbip_protocol.rst (USBIP_CMD_UNLINK)", W, true,
		"The host does not cancel more than N URBs within a window of device time (limits "
		"unlink_storm_count and unlink_storm_window_ns)." },
};

#undef E
#undef W

const struct hm_rule *hm_rules(size_t *n)
{
	if (n)
		*n = HM_RULE_COUNT;
	return rules;
}

const struct hm_rule *hm_rule_find(const char *id)
{
	if (!id)
		return NULL;
	for (size_t i = 0; i < HM_RULE_COUNT; i++)
		if (strcmp(rules[i].id, id) == 0)
			return &rules[i];
	return NULL;
}

const char *hm_severity_name(enum hm_severity s) { return s == HM_SEV_WARNING ? "warning" : "error"; }
