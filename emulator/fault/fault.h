/* SPDX-License-Identifier: MIT */
/* Fault injection: the camera breaks the host's driver on purpose, deterministically,
 * in device time (ns since power-up). docs/faults.md describes the language and what
 * the host sees for every kind.
 *
 * A fault is one line of text, e.g. `stall ep 0x83 on transfer 3 count 2`:
 *   KIND [ARG VALUE]... [TRIGGER] [count N|forever]
 * fault_parse() turns it into a struct fault_spec, fault_format() back into the
 * canonical line (parse(format(x)) == x). A struct fault_engine holds up to FAULT_MAX
 * armed faults of one camera; the layers ask it at each opportunity:
 *
 *   transfer   fault_engine_on_transfer()  once per USB transfer the core accepts
 *   frame      fault_engine_on_frame()     once per frame the stream builds
 *   command    fault_engine_on_command()   once per GenCP command received
 *
 * and get back at most one action to apply to that opportunity. Device kinds
 * (unplug, reset, replug) and link kinds (rate, latency) are never returned by a
 * query: they happen at a device time, which the owner learns from
 * fault_engine_next_due() (or the due_changed hook) and handles in
 * fault_engine_fire_due() from one scheduled device event; the fired hook carries
 * their action. Link settings are read with fault_engine_link().
 *
 * Everything is deterministic: the same faults and the same sequence of queries
 * (with the same device times) give the same actions. No wall clock, no rand().
 */
#ifndef DFK_FAULT_H
#define DFK_FAULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Armed faults per engine; fault_engine_add() refuses more. */
#define FAULT_MAX 256
/* A buffer this large holds any canonical fault line (fault_format) with its NUL. */
#define FAULT_LINE_MAX 256
/* Longest line fault_engine_load() accepts (a scenario file's line). */
#define FAULT_SCRIPT_LINE_MAX 1024
/* `count forever`. */
#define FAULT_FOREVER UINT64_MAX
/* `ep any`: every endpoint (not a valid endpoint address: bits 4-6 are set). */
#define FAULT_EP_ANY 0xFF
/* Device times and durations stay below 2^63 ns (as on the I/O side channel). */
#define FAULT_TIME_LIMIT (UINT64_C(1) << 63)

/* What a kind acts on, and so which query returns it. */
enum fault_domain {
	FAULT_DOM_TRANSFER,   /* a USB transfer: fault_engine_on_transfer */
	FAULT_DOM_FRAME,      /* a U3V stream block: fault_engine_on_frame */
	FAULT_DOM_COMMAND,    /* a GenCP command: fault_engine_on_command */
	FAULT_DOM_DEVICE,     /* the whole device, once: fault_engine_fire_due */
	FAULT_DOM_LINK,       /* a setting of the link while active: fault_engine_link */
	FAULT_DOM_COUNT
};

/* Order = the kind table in fault_kinds.c. */
enum fault_kind {
	/* transfers */
	FAULT_STALL,          /* ep E: -EPIPE, the endpoint halts */
	FAULT_SHORT,          /* ep E len K: at most K bytes move */
	FAULT_BABBLE,         /* ep E: -EOVERFLOW */
	FAULT_DELAY,          /* ep E by D: completes D ns later */
	FAULT_NAK,            /* ep E for D | until T: not completed before */
	FAULT_ERROR,          /* ep E status -ERRNO */
	/* stream */
	FAULT_DROP_PAYLOAD,   /* bytes K [status S]: last K payload bytes lost */
	FAULT_CORRUPT,        /* field F value V: one leader/trailer field replaced */
	FAULT_SKIP_IDS,       /* by N: block ids jump by N from this frame on */
	FAULT_TIME_JUMP,      /* by D: timestamps jump by D (signed) from this frame on */
	FAULT_EMPTY_FRAME,    /* [status S]: leader, then trailer, no payload */
	/* control */
	FAULT_ACK_PENDING,    /* for D: PENDING_ACK, the real ack D ns later */
	FAULT_ACK_ERROR,      /* status S: not executed, error ack */
	FAULT_ACK_WRONG_ID,   /* [id V]: ack with another id */
	FAULT_ACK_LATE,       /* by D: ack D ns late */
	FAULT_ACK_DROP,       /* no ack at all */
	/* device */
	FAULT_UNPLUG,         /* cable pulled */
	FAULT_RESET,          /* DeviceReset without the command */
	FAULT_REPLUG,         /* for D: pulled, plugged back D ns later */
	/* link */
	FAULT_RATE,           /* bytes-per-second B [for D] */
	FAULT_LATENCY,        /* by D [for W] */
	FAULT_KIND_COUNT
};

enum fault_trigger {
	FAULT_NOW,            /* from arming (the default) */
	FAULT_AT,             /* from device time `at` on */
	FAULT_ON_TRANSFER,    /* at the nth transfer after arming */
	FAULT_ON_FRAME,       /* at the nth frame after arming */
	FAULT_ON_COMMAND,     /* at the nth command after arming */
	FAULT_RANDOM,         /* at each opportunity with `probability`, drawn from `seed` */
	FAULT_TRIGGER_COUNT
};

/* Leader and trailer fields `corrupt` can replace (U3V 1.0 5.6; offsets in the packet). */
enum fault_field {
	FAULT_LEADER_MAGIC,
	FAULT_LEADER_SIZE,
	FAULT_LEADER_BLOCK_ID,
	FAULT_LEADER_PAYLOAD_TYPE,
	FAULT_LEADER_TIMESTAMP,
	FAULT_LEADER_PIXEL_FORMAT,
	FAULT_LEADER_SIZE_X,
	FAULT_LEADER_SIZE_Y,
	FAULT_LEADER_OFFSET_X,
	FAULT_LEADER_OFFSET_Y,
	FAULT_LEADER_PADDING_X,
	FAULT_TRAILER_MAGIC,
	FAULT_TRAILER_SIZE,
	FAULT_TRAILER_BLOCK_ID,
	FAULT_TRAILER_STATUS,
	FAULT_TRAILER_VALID_PAYLOAD_SIZE,
	FAULT_TRAILER_SIZE_Y,
	FAULT_FIELD_COUNT
};

struct fault_field_info {
	const char *name;     /* "leader.block_id" */
	bool leader;          /* in the leader (else the trailer) */
	uint8_t offset;       /* byte offset in the packet */
	uint8_t width;        /* bytes: 2, 4 or 8 (little-endian) */
};

/* Argument slots; FAULT_ARG_BIT(p) marks an optional one as given in fault_args.given. */
enum fault_param {
	FAULT_P_EP,           /* ep: endpoint address or any */
	FAULT_P_LEN,          /* short len: bytes, 0 .. 2^32-1 */
	FAULT_P_BYTES,        /* drop-payload bytes: 1 .. 2^32-1 */
	FAULT_P_RATE,         /* rate bytes-per-second: 1 .. 2^32-1 */
	FAULT_P_DURATION,     /* by/for D: ns below 2^63 */
	FAULT_P_PENDING,      /* ack-pending for D: ns, at most 65535 ms (PENDING_ACK's u16 timeout) */
	FAULT_P_UNTIL,        /* nak until T: device time (T or +N) */
	FAULT_P_WINDOW,       /* rate/latency for W: 1 ns .. below 2^63 */
	FAULT_P_OFFSET,       /* time-jump by D: signed ns, |D| below 2^63 */
	FAULT_P_STEPS,        /* skip-ids by N: 1 .. 2^32-1 */
	FAULT_P_URB_STATUS,   /* error status: -4095 .. -1 or an errno name */
	FAULT_P_TRAILER_STATUS, /* 0 .. 0xFFFF or ok/discarded/overrun */
	FAULT_P_GENCP_STATUS, /* 1 .. 0xFFFF or a GenCP status name */
	FAULT_P_ACK_ID,       /* 0 .. 0xFFFF */
	FAULT_P_FIELD,        /* a fault_field name */
	FAULT_P_VALUE,        /* fits the field's width */
	FAULT_P_COUNT
};
#define FAULT_ARG_BIT(p) (1u << (p))

/* The arguments of a fault; only those of its kind mean anything (the rest are 0). */
struct fault_args {
	uint32_t given;           /* FAULT_ARG_BIT of every argument written on the line */
	uint8_t ep;               /* transfer kinds; FAULT_EP_ANY */
	uint32_t bytes;           /* short len, drop-payload bytes */
	uint32_t rate;            /* bytes per second */
	uint64_t duration;        /* delay/ack-late/latency by, nak/ack-pending/replug for */
	uint64_t until;           /* nak until (absolute) */
	uint64_t window;          /* rate/latency for: 0 = until removed */
	int64_t offset;           /* time-jump */
	uint32_t steps;           /* skip-ids */
	int32_t urb_status;       /* error: negative errno */
	uint16_t status;          /* trailer status (drop-payload, empty-frame) or GenCP status (ack-error) */
	uint16_t ack_id;          /* ack-wrong-id id (when given) */
	enum fault_field field;   /* corrupt */
	uint64_t value;           /* corrupt */
};

struct fault_spec {
	enum fault_kind kind;
	enum fault_trigger trigger;
	uint64_t at;              /* FAULT_AT: device time */
	uint32_t nth;             /* FAULT_ON_*: 1-based */
	double probability;       /* FAULT_RANDOM: [0, 1] */
	uint64_t seed;            /* FAULT_RANDOM */
	uint64_t count;           /* applications, 1 .. 2^32-1 or FAULT_FOREVER (device/link kinds: 1) */
	struct fault_args arg;
};

/* How an argument is required by a kind. */
enum fault_need {
	FAULT_REQUIRED,
	FAULT_OPTIONAL,
	FAULT_ONE_OF,             /* exactly one of the kind's FAULT_ONE_OF arguments */
};

#define FAULT_KIND_ARGS_MAX 3

/* One row of the kind table (fault_kinds.c): the language and the docs follow it. */
struct fault_kind_info {
	const char *name;
	enum fault_domain domain;
	struct fault_arg_rule {
		const char *keyword;      /* NULL ends the list */
		enum fault_param param;
		enum fault_need need;
		int64_t dflt;             /* value of an optional argument left out */
	} args[FAULT_KIND_ARGS_MAX];
	const char *wire;             /* what the host sees, one line */
};

const struct fault_kind_info *fault_kind_info(enum fault_kind k);
const char *fault_kind_name(enum fault_kind k);
enum fault_domain fault_kind_domain(enum fault_kind k);
const struct fault_field_info *fault_field_info(enum fault_field f);
/* Writes `v` into field `f` of a packed leader (U3VSP_LEADER_SIZE) or trailer
 * (U3VSP_TRAILER_SIZE) of `len` bytes, little-endian, truncated to the field's width.
 * Returns 0, or DFK_ERR_INVAL when the packet is too short for the field. */
int fault_field_patch(uint8_t *pkt, size_t len, enum fault_field f, uint64_t v);

/* ---- the language (fault_lang.c) ---- */

/* Parses one fault line. `now` is the device time `+N` counts from (0 in a scenario
 * file read at power-up); times before `now` are refused. A `#` word starts a comment.
 * Returns 0, or DFK_ERR_INVAL with a one-line message in `err` (errlen may be 0). */
int fault_parse(const char *line, uint64_t now, struct fault_spec *spec, char *err, size_t errlen);
/* Writes the canonical line of `spec` (no trailing newline). Returns its length, or
 * DFK_ERR_RANGE when it does not fit `len` (buf then holds a NUL-terminated prefix);
 * DFK_ERR_INVAL for a spec no parse could give. FAULT_LINE_MAX always fits. */
int fault_format(const struct fault_spec *spec, char *buf, size_t len);
/* Same fault (every field that means something for its kind and trigger). */
bool fault_spec_equal(const struct fault_spec *a, const struct fault_spec *b);

/* ---- the engine (fault.c) ---- */

enum fault_phase {
	FAULT_FIRED,          /* the fault applies (a link setting: starts) */
	FAULT_ENDED,          /* a link setting's `for W` is over */
};

/* What to do, for the layer that asked (or the owner, for device and link kinds). */
struct fault_action {
	uint32_t id;
	enum fault_kind kind;
	enum fault_phase phase;
	uint64_t t;               /* device time it fired */
	uint64_t subject;         /* the endpoint, block id or request id of the opportunity; 0 for a time */
	struct fault_args arg;    /* as armed, defaults filled in */
	int32_t urb_status;       /* stall -32, babble -75, error its status; else 0 */
	uint64_t until;           /* nak: release; ack-pending/ack-late: real ack; replug: plug back;
				   * rate/latency: end of the setting (UINT64_MAX: until removed); else 0 */
	uint16_t ack_id;          /* ack-wrong-id: the id to put in the ack */
};

struct fault_hooks {
	/* Every action, when it fires (from a query, before it returns, or from
	 * fire_due), and the end of a link setting. May call any fault_engine function. */
	void (*fired)(void *ctx, const struct fault_action *a);
	/* fault_engine_next_due() changed: (re)arm the device event, or cancel it for UINT64_MAX. */
	void (*due_changed)(void *ctx, uint64_t next_due);
	void *ctx;
};

/* One armed fault (internal state; read it through fault_engine_list). */
struct fault_armed {
	uint32_t id;
	struct fault_spec spec;
	uint64_t armed_at;        /* device time of fault_engine_add */
	uint64_t seen;            /* opportunities counted toward `on ... N` */
	uint64_t left;            /* applications left (FAULT_FOREVER) */
	uint64_t fired;           /* applications so far */
	uint64_t rng;             /* FAULT_RANDOM: generator state */
	uint64_t start;           /* device/link kinds: when the trigger was met (if start_known) */
	uint64_t due;             /* device/link kinds: fire_due's next work; UINT64_MAX none */
	bool start_known;
	bool active;              /* trigger met (random: one draw won, not yet applied) */
	bool started;             /* link kinds: start reported */
};

struct fault_engine {
	struct fault_armed f[FAULT_MAX];   /* f[0..n) in arming (id) order: earlier faults go first */
	size_t n;
	uint32_t next_id;
	uint64_t due_notified;             /* last next_due told to hooks.due_changed */
	struct fault_hooks hooks;
};

/* `hooks` may be NULL (then nothing is reported). */
void fault_engine_init(struct fault_engine *e, const struct fault_hooks *hooks);
/* Arms `spec` at device time `now`. Returns 0 with *id (from 1, not reused before 2^32 - 1 adds),
 * DFK_ERR_RANGE when FAULT_MAX faults are armed, DFK_ERR_INVAL for an invalid spec. */
int fault_engine_add(struct fault_engine *e, const struct fault_spec *spec, uint64_t now, uint32_t *id);
/* Returns 0, or DFK_ERR_NOTFOUND. Removing an active link setting ends it (not reported). */
int fault_engine_remove(struct fault_engine *e, uint32_t id);
/* Removes every fault; returns how many. */
size_t fault_engine_clear(struct fault_engine *e);
size_t fault_engine_count(const struct fault_engine *e);
/* Calls fn for each armed fault in id order. Spent faults are gone (removed when
 * their count is used up, a device kind fired, a link setting ended). */
void fault_engine_list(const struct fault_engine *e, void (*fn)(void *ctx, const struct fault_armed *f),
		       void *ctx);

/* A transfer on endpoint address `ep` (bit 7 = IN; 0x00 and 0x80 are both EP0) is
 * taken at `now`. Counts it for every fault, and returns true with *act when a
 * transfer fault applies to it (the earliest armed one; others whose trigger is met
 * wait for the next transfer). */
bool fault_engine_on_transfer(struct fault_engine *e, uint64_t now, uint8_t ep, struct fault_action *act);
/* A frame (block `block_id`) is built at `now`. */
bool fault_engine_on_frame(struct fault_engine *e, uint64_t now, uint64_t block_id, struct fault_action *act);
/* A GenCP command with `request_id` arrives at `now`. */
bool fault_engine_on_command(struct fault_engine *e, uint64_t now, uint16_t request_id, struct fault_action *act);

/* Earliest device time fault_engine_fire_due has work at, or UINT64_MAX. */
uint64_t fault_engine_next_due(const struct fault_engine *e);
/* Fires, in (time, id) order, every device kind and link start/end due at or before
 * `now`, each through hooks.fired with its own due time. Returns how many. */
size_t fault_engine_fire_due(struct fault_engine *e, uint64_t now);

/* The link settings active at `now`: the lowest rate cap (0 = none) and the sum of
 * the latencies (saturating). */
struct fault_link {
	uint32_t rate;            /* bytes per second, 0 = not capped */
	uint64_t latency;         /* ns added to each transfer */
};
void fault_engine_link(const struct fault_engine *e, uint64_t now, struct fault_link *out);

/* A scenario (`dfk-emu --faults FILE`): one fault per line, blank lines and `#`
 * comments skipped. All or nothing: every line is checked (and the capacity) before
 * any is armed. Returns 0 (with the number armed in *added, may be NULL), or a
 * dfk_err with "line N: message" in err. */
int fault_engine_load(struct fault_engine *e, const char *text, size_t len, uint64_t now, size_t *added,
		      char *err, size_t errlen);

#endif
