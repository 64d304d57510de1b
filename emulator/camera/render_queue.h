/* SPDX-License-Identifier: MIT */
/* Frames rendered in strips. A delivered frame goes to the stream at once, as a blob whose
 * payload is made as its bytes are sent (blob_ensure) and, between the event loop's other
 * work, ahead of them in strips of about RENDER_STRIP_BYTES: a long render never holds up a
 * control request or another camera, and the bytes are there when the link wants them.
 * Device time is not involved: a frame's timing is its readout end and its link time. */
#ifndef DFK_RENDER_QUEUE_H
#define DFK_RENDER_QUEUE_H

#include <stddef.h>
#include <stdint.h>

#include "../common/blob.h"
#include "../common/evloop.h"
#include "../sensor/sensor.h"

#define RENDER_STRIP_BYTES (128u * 1024)

struct render_job;

struct render_queue {
	struct evloop *loop;
	struct sensor *sensor;
	struct ev_defer ahead;           /* renders the oldest unfinished frame's next strip */
	struct render_job *head, *tail;  /* unfinished frames, oldest first */
	struct blob *last;               /* the last frame finished (a test pattern's next one copies most of it) */
	uint64_t rendered;               /* payload bytes rendered */
	uint64_t copied;                 /* payload bytes copied from the frame before instead */
};

void render_queue_init(struct render_queue *q, struct evloop *loop, struct sensor *sensor);
/* Frames still unfinished stay as they are (their blobs no longer fill). */
void render_queue_free(struct render_queue *q);
/* A blob from `pool` whose first len bytes become the frame `st` describes, rendered on
 * demand and ahead. refs = 1; NULL when out of memory or for an unknown format. */
struct blob *render_queue_frame(struct render_queue *q, struct blob_pool *pool, const struct sensor_settings *st,
				size_t len);

#endif
