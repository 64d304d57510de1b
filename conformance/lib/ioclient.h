/* SPDX-License-Identifier: MIT */
/* Client of dfk-emu's I/O side channel (docs/io-protocol.md): the test rig
 * that drives TRIGGER_IN, watches STROBE_OUT and reads the event log. */
#ifndef CONFORM_IOCLIENT_H
#define CONFORM_IOCLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct io_event {
	uint64_t seq, t;
	char kind[24];
	int64_t a, b;
	char reason[24];
};

struct ioclient;

/* Returns NULL with `err` filled when the socket cannot be reached. */
/* `path`: a Unix socket, or tcp:HOST:PORT. */
struct ioclient *io_connect(const char *path, char *err, size_t errlen);
void io_close(struct ioclient *io);
/* One request; the first reply line (after "ok") goes to `out`. Returns 0, or -1 with the error text in out. */
int io_request(struct ioclient *io, char *out, size_t outlen, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
uint64_t io_time(struct ioclient *io);
/* Events with seq >= from; returns the number stored (at most max) or -1. */
int io_events(struct ioclient *io, uint64_t from, struct io_event *ev, int max);
/* seq of the next event the camera will log. */
uint64_t io_next_seq(struct ioclient *io);
/* A request that lists things (`ok N` then N lines): each line goes to fn.
 * Returns N, or -1 with the error text in err. */
int io_list(struct ioclient *io, void (*fn)(void *ctx, const char *line), void *ctx, char *err, size_t errlen,
	    const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* The name of a `fault` event's kind (its B: the order of docs/faults.md's table, as
 * docs/io-protocol.md says), e.g. "time-jump"; NULL for a number outside the table. */
const char *io_fault_kind_name(int64_t kind);
/* Give up on a reply after ms milliseconds (0: wait for ever, the default): a
 * hung emulator then fails the request instead of hanging its client. */
int io_set_timeout(struct ioclient *io, unsigned ms);

#endif
