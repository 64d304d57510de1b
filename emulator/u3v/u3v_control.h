/* SPDX-License-Identifier: MIT */
/* The USB3 Vision control channel: GenCP commands in, acks out.
 *
 * One command is processed at a time. A write that takes flash time is
 * answered with PENDING_ACK at once and with its real ack when the flash is
 * written (host time: a paused device clock does not freeze the control
 * channel); a command arriving meanwhile gets BUSY. A new command drops acks the
 * host never collected (GenCP allows one outstanding command). A command with
 * the resend flag and the previous request id gets the previous ack again.
 *
 * Faults (u3v_control_set_fault_ops): once per command with a valid header the
 * owner may decide that its answer is a PENDING_ACK first, an error ack, an
 * ack with another request id, a late ack, or none. Held acks leave at a device
 * time (u3v_control_wake()).
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

enum u3v_ack_fault_kind { U3V_ACK_FAULT_NONE, U3V_ACK_FAULT_PENDING, U3V_ACK_FAULT_ERROR, U3V_ACK_FAULT_WRONG_ID, U3V_ACK_FAULT_LATE, U3V_ACK_FAULT_DROP };
struct u3v_ack_fault {
	enum u3v_ack_fault_kind kind;
	uint64_t duration_ns;   /* PENDING: time before the real ack; LATE: delay of the ack */
	uint16_t status;        /* ERROR: the GenCP status to answer with */
	uint16_t ack_id;        /* WRONG_ID: the request id the ack carries */
};
struct u3v_control_fault_ops {
	/* asked once per GenCP command received (with a valid header) */
	bool (*on_command)(void *ctx, uint16_t request_id, struct u3v_ack_fault *out);
	uint64_t (*now)(void *ctx);               /* device time */
	void (*wake_at)(void *ctx, uint64_t t);   /* call u3v_control_wake() at device time t */
};

struct u3v_ack {
	uint8_t *buf;
	size_t len;
	bool held;          /* not before device time `release` */
	uint64_t release;
};

/* What a fault does to the acks of one command. */
struct u3v_ack_mod {
	bool drop;          /* DROP: none leaves */
	bool wrong_id;      /* WRONG_ID: they carry ack_id */
	uint16_t ack_id;
	uint64_t release;   /* PENDING, LATE: the final ack not before this device time (0: at once) */
	bool hold_pending;  /* LATE: PENDING_ACKs wait for `release` too */
};

struct u3v_control_stats {
	uint64_t commands;
	uint64_t errors;
	uint64_t pending_acks;
	uint64_t dropped_acks;
	uint64_t babbles;
	uint64_t faults;                /* commands on_command gave a fault */
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
	struct u3v_ack_mod pending_mod;    /* the fault of the slow write's command */

	/* fault hooks (u3v_control_set_fault_ops); NULL: no faults */
	const struct u3v_control_fault_ops *fault_ops;
	void *fault_ctx;
	const struct u3v_ack_mod *mod;     /* the fault of the command being answered, or NULL */
	bool fault_busy;                   /* PENDING: busy before device time busy_until */
	uint64_t busy_until;
	bool wake_pending;                 /* the wake_at() request outstanding */
	uint64_t wake_asked;

	struct u3v_control_stats stats;
};

void u3v_control_init(struct u3v_control *c, const struct regmap *map, struct evloop *loop, uint32_t flash_ms,
		      void (*ack_ready)(void *ctx), void *ctx);
void u3v_control_free(struct u3v_control *c);
/* Device reset: forget acks (held ones too) and any operation in progress. */
void u3v_control_reset(struct u3v_control *c);
/* A command arrived on the control OUT endpoint. Returns a URB status (always USB_ST_OK: GenCP errors go in acks). */
int u3v_control_command(struct u3v_control *c, const uint8_t *data, size_t len);
/* Hand the next ack to an IN transfer of `max_len` bytes. Returns 1 with *chunk filled, 0 if none is ready
 * (an ack a fault holds is not ready before its release time). */
int u3v_control_ack_pull(struct u3v_control *c, uint32_t max_len, struct usb_in_chunk *chunk);

/* Fault hooks: NULL ops (the default) is a channel without faults. Set them
 * after u3v_control_init(), which clears them. */
void u3v_control_set_fault_ops(struct u3v_control *c, const struct u3v_control_fault_ops *ops, void *ctx);
/* Device time passed: release the acks whose time has come. */
void u3v_control_wake(struct u3v_control *c);

/* The single mapping from internal errors to GenCP status codes. */
uint16_t u3v_status_from_err(int err);

#endif
