/* SPDX-License-Identifier: MIT */
/* The fault kinds, their arguments and the leader/trailer fields as data: the parser,
 * the formatter, the engine and docs/faults.md all follow these tables. */
#include <errno.h>
#include <stddef.h>

#include "../common/bytes.h"
#include "../common/errors.h"
#include "../u3v/u3vcp.h"
#include "../u3v/u3vsp.h"
#include "fault_internal.h"

#define NS_MAX (FAULT_TIME_LIMIT - 1)
#define U32_MAX_ UINT64_C(0xFFFFFFFF)

/* URB status names: what Linux host controller drivers complete transfers with
 * (Documentation/driver-api/usb/error-codes.rst); any other -1 .. -4095 is taken as a number. */
static const struct fault_name errno_names[] = {
	{ "ENOENT", -ENOENT },       { "EIO", -EIO },             { "ENODEV", -ENODEV },
	{ "EINVAL", -EINVAL },       { "EPIPE", -EPIPE },         { "ENOSR", -ENOSR },
	{ "ETIME", -ETIME },         { "ECOMM", -ECOMM },         { "EPROTO", -EPROTO },
	{ "EOVERFLOW", -EOVERFLOW }, { "EILSEQ", -EILSEQ },       { "ECONNRESET", -ECONNRESET },
	{ "ESHUTDOWN", -ESHUTDOWN }, { "ETIMEDOUT", -ETIMEDOUT }, { "EREMOTEIO", -EREMOTEIO },
	{ "EXDEV", -EXDEV },          { NULL, 0 },
};

/* U3V trailer status (u3vsp.h). */
static const struct fault_name trailer_status_names[] = {
	{ "ok", U3VSP_STATUS_OK },
	{ "discarded", U3VSP_STATUS_DATA_DISCARDED },
	{ "overrun", U3VSP_STATUS_DATA_OVERRUN },
	{ NULL, 0 },
};

/* GenCP / U3V ack status (u3vcp.h), without SUCCESS: ack-error is an error. */
static const struct fault_name gencp_status_names[] = {
	{ "not-implemented", U3VCP_NOT_IMPLEMENTED },
	{ "invalid-parameter", U3VCP_INVALID_PARAMETER },
	{ "invalid-address", U3VCP_INVALID_ADDRESS },
	{ "write-protect", U3VCP_WRITE_PROTECT },
	{ "bad-alignment", U3VCP_BAD_ALIGNMENT },
	{ "access-denied", U3VCP_ACCESS_DENIED },
	{ "busy", U3VCP_BUSY },
	{ "msg-timeout", U3VCP_MSG_TIMEOUT },
	{ "invalid-header", U3VCP_INVALID_HEADER },
	{ "wrong-config", U3VCP_WRONG_CONFIG },
	{ "generic-error", U3VCP_GENERIC_ERROR },
	{ "resend-not-supported", U3VCP_RESEND_NOT_SUPPORTED },
	{ "stream-endpoint-halted", U3VCP_STREAM_ENDPOINT_HALTED },
	{ "payload-size-not-aligned", U3VCP_SI_PAYLOAD_SIZE_NOT_ALIGNED },
	{ "registers-inconsistent", U3VCP_SI_REGISTERS_INCONSISTENT },
	{ "event-endpoint-halted", U3VCP_EVENT_ENDPOINT_HALTED },
	{ NULL, 0 },
};

#define SLOT(member) offsetof(struct fault_args, member), sizeof(((struct fault_args *)0)->member)

static const struct fault_param_info params[FAULT_P_COUNT] = {
	[FAULT_P_EP] = { "an endpoint address 0x00-0x0f or 0x80-0x8f, or any", FAULT_VT_EP, 0, 0xFF, NULL,
			 FAULT_PR_DEC, SLOT(ep) },
	[FAULT_P_LEN] = { "a byte count 0 to 4294967295", FAULT_VT_UINT, 0, U32_MAX_, NULL, FAULT_PR_DEC,
			  SLOT(bytes) },
	[FAULT_P_BYTES] = { "a byte count 1 to 4294967295", FAULT_VT_UINT, 1, U32_MAX_, NULL, FAULT_PR_DEC,
			    SLOT(bytes) },
	[FAULT_P_RATE] = { "bytes per second, 1 to 4294967295", FAULT_VT_UINT, 1, U32_MAX_, NULL, FAULT_PR_DEC,
			   SLOT(rate) },
	[FAULT_P_DURATION] = { "a duration in ns below 2^63", FAULT_VT_UINT, 0, NS_MAX, NULL, FAULT_PR_DEC,
			       SLOT(duration) },
	/* PENDING_ACK announces the wait in ms as a u16 */
	[FAULT_P_PENDING] = { "a duration in ns up to 65535 ms", FAULT_VT_UINT, 0, UINT64_C(65535000000), NULL,
			      FAULT_PR_DEC, SLOT(duration) },
	[FAULT_P_UNTIL] = { "a device time in ns below 2^63, or +N from now", FAULT_VT_TIME, 0, NS_MAX, NULL,
			    FAULT_PR_DEC, SLOT(until) },
	[FAULT_P_WINDOW] = { "a duration in ns from 1 to below 2^63", FAULT_VT_UINT, 1, NS_MAX, NULL, FAULT_PR_DEC,
			     SLOT(window) },
	[FAULT_P_OFFSET] = { "a signed duration in ns, magnitude below 2^63", FAULT_VT_SIGNED, 0, NS_MAX, NULL,
			     FAULT_PR_DEC, SLOT(offset) },
	[FAULT_P_STEPS] = { "a count 1 to 4294967295", FAULT_VT_UINT, 1, U32_MAX_, NULL, FAULT_PR_DEC, SLOT(steps) },
	[FAULT_P_URB_STATUS] = { "a negative errno -1 to -4095 or a name such as EPROTO", FAULT_VT_ERRNO, 1, 4095,
				 errno_names, FAULT_PR_DEC, SLOT(urb_status) },
	[FAULT_P_TRAILER_STATUS] = { "a trailer status 0 to 0xffff, ok, discarded or overrun", FAULT_VT_UINT, 0,
				     0xFFFF, trailer_status_names, FAULT_PR_HEX16, SLOT(status) },
	[FAULT_P_GENCP_STATUS] = { "a GenCP status 0x0001 to 0xffff or a name such as busy", FAULT_VT_UINT, 1,
				   0xFFFF, gencp_status_names, FAULT_PR_HEX16, SLOT(status) },
	[FAULT_P_ACK_ID] = { "an id 0 to 65535", FAULT_VT_UINT, 0, 0xFFFF, NULL, FAULT_PR_DEC, SLOT(ack_id) },
	[FAULT_P_FIELD] = { "a leader or trailer field such as trailer.status", FAULT_VT_FIELD, 0, 0, NULL,
			    FAULT_PR_DEC, SLOT(field) },
	/* the field's width is checked once both are known */
	[FAULT_P_VALUE] = { "a number 0 to 2^64-1", FAULT_VT_UINT, 0, UINT64_MAX, NULL, FAULT_PR_DEC, SLOT(value) },
};

#define REQ(kw, p) { kw, p, FAULT_REQUIRED, 0 }
#define OPT(kw, p, d) { kw, p, FAULT_OPTIONAL, d }
#define ONE(kw, p) { kw, p, FAULT_ONE_OF, 0 }

static const struct fault_kind_info kinds[FAULT_KIND_COUNT] = {
	[FAULT_STALL] = { "stall", FAULT_DOM_TRANSFER, { REQ("ep", FAULT_P_EP) },
			  "the transfer completes with -EPIPE (STALL) and the endpoint halts until CLEAR_FEATURE(HALT)" },
	[FAULT_SHORT] = { "short", FAULT_DOM_TRANSFER, { REQ("ep", FAULT_P_EP), REQ("len", FAULT_P_LEN) },
			  "the transfer completes with status 0 and at most K bytes; the rest of its data is lost" },
	[FAULT_BABBLE] = { "babble", FAULT_DOM_TRANSFER, { REQ("ep", FAULT_P_EP) },
			   "the transfer completes with -EOVERFLOW (babble); its data is lost" },
	[FAULT_DELAY] = { "delay", FAULT_DOM_TRANSFER, { REQ("ep", FAULT_P_EP), REQ("by", FAULT_P_DURATION) },
			  "the transfer completes as usual, D ns of device time later than it would have" },
	[FAULT_NAK] = { "nak", FAULT_DOM_TRANSFER,
			{ REQ("ep", FAULT_P_EP), ONE("for", FAULT_P_DURATION), ONE("until", FAULT_P_UNTIL) },
			"the endpoint NAKs: the transfer (and those queued behind it) completes no earlier than T" },
	[FAULT_ERROR] = { "error", FAULT_DOM_TRANSFER, { REQ("ep", FAULT_P_EP), REQ("status", FAULT_P_URB_STATUS) },
			  "the transfer completes with the given negative errno and no data" },
	[FAULT_DROP_PAYLOAD] = { "drop-payload", FAULT_DOM_FRAME,
				 { REQ("bytes", FAULT_P_BYTES),
				   OPT("status", FAULT_P_TRAILER_STATUS, U3VSP_STATUS_DATA_DISCARDED) },
				 "the last K payload bytes are not sent; the trailer says valid_payload_size - K "
				 "and status S (default 0xa100 DATA_DISCARDED)" },
	[FAULT_CORRUPT] = { "corrupt", FAULT_DOM_FRAME, { REQ("field", FAULT_P_FIELD), REQ("value", FAULT_P_VALUE) },
			    "one field of the leader or trailer carries V instead of the true value" },
	[FAULT_SKIP_IDS] = { "skip-ids", FAULT_DOM_FRAME, { REQ("by", FAULT_P_STEPS) },
			     "block ids jump: this frame and every later one carry an id N higher" },
	[FAULT_TIME_JUMP] = { "time-jump", FAULT_DOM_FRAME, { REQ("by", FAULT_P_OFFSET) },
			      "leader timestamps jump: this frame and every later one are D ns later (earlier if < 0)" },
	[FAULT_EMPTY_FRAME] = { "empty-frame", FAULT_DOM_FRAME,
				{ OPT("status", FAULT_P_TRAILER_STATUS, U3VSP_STATUS_DATA_DISCARDED) },
				"the leader, then at once the trailer: no payload, valid_payload_size 0, status S" },
	[FAULT_ACK_PENDING] = { "ack-pending", FAULT_DOM_COMMAND, { REQ("for", FAULT_P_PENDING) },
				"a PENDING_ACK (timeout ceil(D) ms) at once, the real ack D ns later" },
	[FAULT_ACK_ERROR] = { "ack-error", FAULT_DOM_COMMAND, { REQ("status", FAULT_P_GENCP_STATUS) },
			      "the command is not executed; its ack carries status S and no data" },
	[FAULT_ACK_WRONG_ID] = { "ack-wrong-id", FAULT_DOM_COMMAND, { OPT("id", FAULT_P_ACK_ID, 0) },
				 "the command is executed; its ack carries id V (default request id + 1)" },
	[FAULT_ACK_LATE] = { "ack-late", FAULT_DOM_COMMAND, { REQ("by", FAULT_P_DURATION) },
			     "the command is executed; its ack leaves D ns of device time late" },
	[FAULT_ACK_DROP] = { "ack-drop", FAULT_DOM_COMMAND, { { NULL, 0, 0, 0 } },
			     "the command is executed; no ack is ever sent" },
	[FAULT_UNPLUG] = { "unplug", FAULT_DOM_DEVICE, { { NULL, 0, 0, 0 } },
			   "the USB/IP connection closes as on a cable pull; the next import powers the camera up" },
	[FAULT_RESET] = { "reset", FAULT_DOM_DEVICE, { { NULL, 0, 0, 0 } },
			  "the camera restarts as after DeviceReset (without the command): it leaves the bus" },
	[FAULT_REPLUG] = { "replug", FAULT_DOM_DEVICE, { REQ("for", FAULT_P_DURATION) },
			   "as unplug, and the camera is off the bus (not listed, import refused) for D ns" },
	[FAULT_RATE] = { "rate", FAULT_DOM_LINK,
			 { REQ("bytes-per-second", FAULT_P_RATE), OPT("for", FAULT_P_WINDOW, 0) },
			 "IN and OUT data moves at no more than B bytes/s while active (for W ns, or until removed)" },
	[FAULT_LATENCY] = { "latency", FAULT_DOM_LINK, { REQ("by", FAULT_P_DURATION), OPT("for", FAULT_P_WINDOW, 0) },
			    "every transfer completes D ns later while active (for W ns, or until removed)" },
};

/* U3V 1.0 5.6: leader and trailer layout (as in u3vsp.c). */
static const struct fault_field_info fields[FAULT_FIELD_COUNT] = {
	[FAULT_LEADER_MAGIC] = { "leader.magic", true, 0, 4 },
	[FAULT_LEADER_SIZE] = { "leader.size", true, 6, 2 },
	[FAULT_LEADER_BLOCK_ID] = { "leader.block_id", true, 8, 8 },
	[FAULT_LEADER_PAYLOAD_TYPE] = { "leader.payload_type", true, 18, 2 },
	[FAULT_LEADER_TIMESTAMP] = { "leader.timestamp", true, 20, 8 },
	[FAULT_LEADER_PIXEL_FORMAT] = { "leader.pixel_format", true, 28, 4 },
	[FAULT_LEADER_SIZE_X] = { "leader.size_x", true, 32, 4 },
	[FAULT_LEADER_SIZE_Y] = { "leader.size_y", true, 36, 4 },
	[FAULT_LEADER_OFFSET_X] = { "leader.offset_x", true, 40, 4 },
	[FAULT_LEADER_OFFSET_Y] = { "leader.offset_y", true, 44, 4 },
	[FAULT_LEADER_PADDING_X] = { "leader.padding_x", true, 48, 2 },
	[FAULT_TRAILER_MAGIC] = { "trailer.magic", false, 0, 4 },
	[FAULT_TRAILER_SIZE] = { "trailer.size", false, 6, 2 },
	[FAULT_TRAILER_BLOCK_ID] = { "trailer.block_id", false, 8, 8 },
	[FAULT_TRAILER_STATUS] = { "trailer.status", false, 16, 2 },
	[FAULT_TRAILER_VALID_PAYLOAD_SIZE] = { "trailer.valid_payload_size", false, 20, 8 },
	[FAULT_TRAILER_SIZE_Y] = { "trailer.size_y", false, 28, 4 },
};

const struct fault_kind_info *fault_kind_info(enum fault_kind k)
{
	return (unsigned)k < FAULT_KIND_COUNT ? &kinds[k] : NULL;
}

const char *fault_kind_name(enum fault_kind k)
{
	return (unsigned)k < FAULT_KIND_COUNT ? kinds[k].name : "?";
}

enum fault_domain fault_kind_domain(enum fault_kind k)
{
	return (unsigned)k < FAULT_KIND_COUNT ? kinds[k].domain : FAULT_DOM_COUNT;
}

const struct fault_field_info *fault_field_info(enum fault_field f)
{
	return (unsigned)f < FAULT_FIELD_COUNT ? &fields[f] : NULL;
}

const struct fault_param_info *fault_param_info(enum fault_param p)
{
	return (unsigned)p < FAULT_P_COUNT ? &params[p] : NULL;
}

int fault_field_patch(uint8_t *pkt, size_t len, enum fault_field f, uint64_t v)
{
	const struct fault_field_info *fi = fault_field_info(f);

	if (!fi || !pkt || len < (size_t)fi->offset + fi->width)
		return DFK_ERR_INVAL;
	switch (fi->width) {
	case 2: put_le16(pkt + fi->offset, (uint16_t)v); break;
	case 4: put_le32(pkt + fi->offset, (uint32_t)v); break;
	default: put_le64(pkt + fi->offset, v); break;
	}
	return DFK_OK;
}
