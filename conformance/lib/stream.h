/* SPDX-License-Identifier: MIT */
/* Host side of the USB3 Vision streaming channel: SIRM set up the way Aravis
 * does it, then leader / payload / trailer read with several bulk IN
 * transfers in flight, frame after frame. */
#ifndef CONFORM_STREAM_H
#define CONFORM_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire.h"
#include "xport.h"

#define STREAM_SLOTS 4

struct stream_cfg {
	uint32_t alignment;
	uint64_t payload;            /* SIRM Required Payload Size */
	uint32_t leader, trailer;    /* transfer sizes used for them */
	uint32_t xfer, count, final1, final2;
};

struct stream_frame {
	struct u3v_leader_info leader;
	struct u3v_trailer_info trailer;
	uint8_t *payload;
	size_t received;             /* payload bytes */
	bool complete;               /* leader, full payload and trailer all seen in order */
	char error[160];
};

struct stream_stats {
	uint64_t frames, incomplete, resyncs, bytes;
};

struct stream_slot;

struct stream_reader {
	struct xport *x;
	struct gencp *gc;
	uint64_t sirm;
	uint8_t ep;
	struct stream_cfg cfg;
	unsigned depth;              /* transfers in flight */
	struct stream_slot *slots[STREAM_SLOTS];
	/* planning: the next transfer to submit */
	int plan_slot;               /* -1: need a new frame slot */
	unsigned plan_stage;         /* 0 leader, 1..n payload pieces, n+1 trailer */
	size_t plan_offset;
	int held;                    /* slot handed to the caller, or -1 */
	bool resync;                 /* discarding until a leader */
	struct stream_stats stats;
};

/* Reads SIRM, sizes transfers like Aravis (1 MiB pieces), writes them and enables the stream.
 * Returns 0, > 0 GenCP status, < 0 -errno. */
int stream_open(struct stream_reader *r, struct xport *x, struct gencp *gc, uint64_t sirm, uint8_t ep,
		unsigned depth);
/* The next frame (valid until the next call). Returns 0, -ETIMEDOUT, or another -errno. */
int stream_next(struct stream_reader *r, struct stream_frame **out, unsigned timeout_ms);
/* Cancels transfers in flight, disables the stream, frees buffers. */
void stream_close(struct stream_reader *r);

#endif
