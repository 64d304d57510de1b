/* SPDX-License-Identifier: MIT */
#include "render_queue.h"

#include <string.h>

#include "../common/errors.h"
#include "../common/log.h"

/* Lives in its blob's memory, after the payload: no allocation per frame. */
struct render_job {
	struct render_queue *q;
	struct sensor_settings st;
	size_t len, row_bytes;
	uint32_t rows_done;
	struct render_job *prev, *next;
};

static void unlink_job(struct render_job *j)
{
	struct render_queue *q = j->q;

	if (!q)
		return;
	if (j->prev)
		j->prev->next = j->next;
	else
		q->head = j->next;
	if (j->next)
		j->next->prev = j->prev;
	else
		q->tail = j->prev;
	j->prev = j->next = NULL;
	j->q = NULL;
}

static void finish(struct blob *b, struct render_job *j)
{
	b->ready = j->len;
	b->fill = NULL;
	unlink_job(j);
}

static struct render_job *blob_job(struct blob *b)
{
	return (struct render_job *)(void *)(b->data + ((b->size - sizeof(struct render_job)) & ~(size_t)15));
}

static int fill(struct blob *b, size_t upto, void *ctx)
{
	struct render_job *j = ctx;
	struct render_queue *q = j->q;
	uint32_t rows;
	int rc;

	if (!q) {
		finish(b, j);
		return DFK_OK;
	}
	if (upto > j->len)
		upto = j->len;
	rows = (uint32_t)((upto + j->row_bytes - 1) / j->row_bytes);
	if (rows <= j->rows_done)
		return DFK_OK;
	size_t copied = 0;
	rc = sensor_render_rows_from(q->sensor, &j->st, j->rows_done, rows, b->data + (size_t)j->rows_done * j->row_bytes,
				     j->len - (size_t)j->rows_done * j->row_bytes, q->last ? &blob_job(q->last)->st : NULL,
				     q->last ? q->last->data : NULL, &copied);
	if (rc != DFK_OK) {
		log_err("rendering frame %llu failed: %s", (unsigned long long)j->st.block_id, dfk_strerror(rc));
		finish(b, j);
		return rc;
	}
	q->rendered += (size_t)(rows - j->rows_done) * j->row_bytes - copied;
	q->copied += copied;
	j->rows_done = rows;
	b->ready = (size_t)rows * j->row_bytes;
	if (rows == j->st.height) {
		finish(b, j);
		/* kept for the next frame to copy from (a test pattern's rows move by a few per frame) */
		blob_unref(q->last);
		q->last = j->st.source == SENSOR_SOURCE_PATTERN ? blob_ref(b) : NULL;
	}
	return DFK_OK;
}

/* The blob goes back to its pool (or away) before it was finished: forget it. */
static void released(struct blob *b, void *ctx)
{
	(void)b;
	unlink_job(ctx);
}

static struct blob *job_blob(struct render_job *j)
{
	return (struct blob *)(void *)((uint8_t *)j - ((j->len + 15) & ~(size_t)15) - offsetof(struct blob, data));
}

static void render_ahead(struct evloop *loop, void *arg)
{
	struct render_queue *q = arg;
	struct render_job *j = q->head;

	if (!j)
		return;
	size_t strip = RENDER_STRIP_BYTES / j->row_bytes ? RENDER_STRIP_BYTES / j->row_bytes * j->row_bytes : j->row_bytes;
	(void)fill(job_blob(j), (size_t)j->rows_done * j->row_bytes + strip, j);
	if (q->head)
		evloop_defer(loop, &q->ahead);
}

void render_queue_init(struct render_queue *q, struct evloop *loop, struct sensor *sensor)
{
	memset(q, 0, sizeof(*q));
	q->loop = loop;
	q->sensor = sensor;
	evloop_defer_init(&q->ahead, render_ahead, q);
}

void render_queue_free(struct render_queue *q)
{
	while (q->head) {
		struct render_job *j = q->head;
		struct blob *b = job_blob(j);
		unlink_job(j);
		b->fill = NULL;
		b->released = NULL;
	}
	blob_unref(q->last);
	q->last = NULL;
	if (q->loop)
		evloop_defer_cancel(q->loop, &q->ahead);
}

struct blob *render_queue_frame(struct render_queue *q, struct blob_pool *pool, const struct sensor_settings *st,
				size_t len)
{
	size_t row_bytes = sensor_row_bytes(st), at = (len + 15) & ~(size_t)15;
	struct render_job *j;
	struct blob *b;

	if (!row_bytes || len != row_bytes * st->height)
		return NULL;
	b = blob_pool_get(pool, at + sizeof(*j));
	if (!b)
		return NULL;
	j = (struct render_job *)(void *)(b->data + at);
	*j = (struct render_job){ .q = q, .st = *st, .len = len, .row_bytes = row_bytes, .prev = q->tail };
	if (q->tail)
		q->tail->next = j;
	else
		q->head = j;
	q->tail = j;
	b->ready = 0;
	b->fill = fill;
	b->fill_ctx = j;
	b->released = released;
	b->released_ctx = j;
	evloop_defer(q->loop, &q->ahead);
	return b;
}
