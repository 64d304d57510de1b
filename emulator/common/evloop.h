/* SPDX-License-Identifier: MIT */
/* Single-threaded event loop: fd readiness (epoll), one-shot timers on the
 * monotonic clock, and deferred calls that run before the loop sleeps again.
 * Nothing in the emulator blocks; everything is a callback from here. */
#ifndef DFK_EVLOOP_H
#define DFK_EVLOOP_H

#include <stdbool.h>
#include <stdint.h>

struct evloop;

typedef void (*evloop_fd_cb)(struct evloop *loop, int fd, uint32_t events, void *arg);
typedef void (*evloop_cb)(struct evloop *loop, void *arg);

struct ev_timer {
	uint64_t deadline_ns;      /* CLOCK_MONOTONIC */
	evloop_cb cb;
	void *arg;
	bool armed;
	uint64_t round;            /* loop round in which it was (re)armed: fires in a later one */
	struct ev_timer *next;
};

struct ev_defer {
	evloop_cb cb;
	void *arg;
	bool queued;
	struct ev_defer *next;
};

struct evloop *evloop_new(void);
void evloop_free(struct evloop *loop);

/* events: EPOLLIN/EPOLLOUT bits. Returns 0 or a negative dfk_err. */
int evloop_add_fd(struct evloop *loop, int fd, uint32_t events, evloop_fd_cb cb, void *arg);
int evloop_mod_fd(struct evloop *loop, int fd, uint32_t events);
void evloop_del_fd(struct evloop *loop, int fd);

void evloop_timer_init(struct ev_timer *t, evloop_cb cb, void *arg);
void evloop_timer_start(struct evloop *loop, struct ev_timer *t, uint64_t deadline_ns);
void evloop_timer_stop(struct evloop *loop, struct ev_timer *t);

/* Run cb once, soon, from the loop (idempotent while queued). */
void evloop_defer_init(struct ev_defer *d, evloop_cb cb, void *arg);
void evloop_defer(struct evloop *loop, struct ev_defer *d);
void evloop_defer_cancel(struct evloop *loop, struct ev_defer *d);

/* Runs until evloop_quit() or SIGINT/SIGTERM. Returns 0, or negative dfk_err. */
int evloop_run(struct evloop *loop);
/* One iteration, waiting at most timeout_ms (-1 = forever). For tests. */
int evloop_run_once(struct evloop *loop, int timeout_ms);
void evloop_quit(struct evloop *loop);
bool evloop_quitting(const struct evloop *loop);

uint64_t mono_now_ns(void);

#endif
