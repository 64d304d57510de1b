/* The USB3 Vision control channel: GenCP commands in, acks out.
 *
 * One command is processed at a time. A write that takes flash time is
 * answered with PENDING_ACK at once and with its real ack when the flash is
 * written (host time: a paused device clock does not freeze the control
 * channel); a command arriving meanwhile gets BUSY. A new command drops acks the
 * host never collected (GenCP allows one outstanding command). A command with
 * the resend flag and the previous request id gets the previous ack again.
 */
#ifndef DFK_U3V_CONTROL_H
#define DFK_U3V_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/evloop.h"
#include "../regmap/regmap.h"
#include "../usb/usb_device.h"

#define U3V_ACK_QUEUE 4

struct u3v_ack {
	uint8_t *buf;
	size_t len;
};

struct u3v_control_stats {
	uint64_t commands;
	uint64_t errors;
	uint64_t pending_acks;
	uint64_t dropped_acks;
	uint64_t babbles;
};

struct u3v_control {
	const struct regmap *map;
	struct evloop *loop;
	uint32_t flash_ms;
	void (*ack_ready)(void *ctx);
	void *ctx;

	struct u3v_ack acks[U3V_ACK_QUEUE];
	unsigned n_acks;
	struct u3v_ack last;            /* for resend */
	uint16_t last_request_id;
	bool have_last;

	/* a slow write in progress */
	bool busy;
	struct ev_timer done;
	uint64_t pending_addr;
	uint8_t *pending_data;
	uint16_t pending_len;
	uint16_t pending_id;
	bool pending_wants_ack;

	struct u3v_control_stats stats;
};

void u3v_control_init(struct u3v_control *c, const struct regmap *map, struct evloop *loop, uint32_t flash_ms,
		      void (*ack_ready)(void *ctx), void *ctx);
void u3v_control_free(struct u3v_control *c);
/* Device reset: forget acks and any operation in progress. */
void u3v_control_reset(struct u3v_control *c);
/* A command arrived on the control OUT endpoint. Returns a URB status (always USB_ST_OK: GenCP errors go in acks). */
int u3v_control_command(struct u3v_control *c, const uint8_t *data, size_t len);
/* Hand the next ack to an IN transfer of `max_len` bytes. Returns 1 with *chunk filled, 0 if none is ready. */
int u3v_control_ack_pull(struct u3v_control *c, uint32_t max_len, struct usb_in_chunk *chunk);

/* The single mapping from internal errors to GenCP status codes. */
uint16_t u3v_status_from_err(int err);

#endif
