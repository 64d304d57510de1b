/* SPDX-License-Identifier: MIT */
#include "evloop.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "errors.h"
#include "log.h"

struct fd_watch {
	int fd;
	evloop_fd_cb cb;
	void *arg;
	struct fd_watch *next;
};

struct evloop {
	int epfd;
	int sigfd;
	bool quit;
	struct fd_watch *watches;
	struct fd_watch *dead;     /* removed this round; freed when the round ends */
	struct ev_timer *timers;   /* unsorted; the emulator keeps only a handful */
	uint64_t timer_round;      /* counts run_timers passes */
	struct ev_defer *defer_head, *defer_tail;
};

uint64_t mono_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

struct evloop *evloop_new(void)
{
	struct evloop *loop = calloc(1, sizeof(*loop));
	sigset_t mask;

	if (!loop)
		return NULL;
	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (loop->epfd < 0) {
		free(loop);
		return NULL;
	}
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	loop->sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (loop->sigfd >= 0) {
		struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };
		epoll_ctl(loop->epfd, EPOLL_CTL_ADD, loop->sigfd, &ev);
	}
	return loop;
}

void evloop_free(struct evloop *loop)
{
	if (!loop)
		return;
	while (loop->watches) {
		struct fd_watch *w = loop->watches;
		loop->watches = w->next;
		free(w);
	}
	while (loop->dead) {
		struct fd_watch *w = loop->dead;
		loop->dead = w->next;
		free(w);
	}
	if (loop->sigfd >= 0)
		close(loop->sigfd);
	close(loop->epfd);
	free(loop);
}

static struct fd_watch *find_watch(struct evloop *loop, int fd)
{
	for (struct fd_watch *w = loop->watches; w; w = w->next)
		if (w->fd == fd)
			return w;
	return NULL;
}

int evloop_add_fd(struct evloop *loop, int fd, uint32_t events, evloop_fd_cb cb, void *arg)
{
	struct fd_watch *w = calloc(1, sizeof(*w));
	struct epoll_event ev;

	if (!w)
		return DFK_ERR_NOMEM;
	w->fd = fd;
	w->cb = cb;
	w->arg = arg;
	memset(&ev, 0, sizeof(ev));
	ev.events = events;
	ev.data.ptr = w;
	if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		log_err("epoll_ctl add fd %d: %s", fd, strerror(errno));
		free(w);
		return DFK_ERR_IO;
	}
	w->next = loop->watches;
	loop->watches = w;
	return DFK_OK;
}

int evloop_mod_fd(struct evloop *loop, int fd, uint32_t events)
{
	struct fd_watch *w = find_watch(loop, fd);
	struct epoll_event ev;

	if (!w)
		return DFK_ERR_NOTFOUND;
	memset(&ev, 0, sizeof(ev));
	ev.events = events;
	ev.data.ptr = w;
	if (epoll_ctl(loop->epfd, EPOLL_CTL_MOD, fd, &ev) < 0)
		return DFK_ERR_IO;
	return DFK_OK;
}

void evloop_del_fd(struct evloop *loop, int fd)
{
	for (struct fd_watch **pp = &loop->watches; *pp; pp = &(*pp)->next) {
		if ((*pp)->fd == fd) {
			struct fd_watch *w = *pp;
			*pp = w->next;
			epoll_ctl(loop->epfd, EPOLL_CTL_DEL, fd, NULL);
			/* A stale pointer may still sit in this round's epoll results:
			 * keep the memory valid but inert until the round ends. */
			w->cb = NULL;
			w->fd = -1;
			w->next = loop->dead;
			loop->dead = w;
			return;
		}
	}
}

void evloop_timer_init(struct ev_timer *t, evloop_cb cb, void *arg)
{
	memset(t, 0, sizeof(*t));
	t->cb = cb;
	t->arg = arg;
}

void evloop_timer_start(struct evloop *loop, struct ev_timer *t, uint64_t deadline_ns)
{
	if (!t->armed) {
		t->next = loop->timers;
		loop->timers = t;
		t->armed = true;
	}
	t->deadline_ns = deadline_ns;
	t->round = loop->timer_round;
}

void evloop_timer_stop(struct evloop *loop, struct ev_timer *t)
{
	if (!t->armed)
		return;
	for (struct ev_timer **pp = &loop->timers; *pp; pp = &(*pp)->next) {
		if (*pp == t) {
			*pp = t->next;
			break;
		}
	}
	t->armed = false;
	t->next = NULL;
}

void evloop_defer_init(struct ev_defer *d, evloop_cb cb, void *arg)
{
	memset(d, 0, sizeof(*d));
	d->cb = cb;
	d->arg = arg;
}

void evloop_defer(struct evloop *loop, struct ev_defer *d)
{
	if (d->queued)
		return;
	d->queued = true;
	d->next = NULL;
	if (loop->defer_tail)
		loop->defer_tail->next = d;
	else
		loop->defer_head = d;
	loop->defer_tail = d;
}

void evloop_defer_cancel(struct evloop *loop, struct ev_defer *d)
{
	struct ev_defer *prev = NULL;

	if (!d->queued)
		return;
	for (struct ev_defer *it = loop->defer_head; it; prev = it, it = it->next) {
		if (it == d) {
			if (prev)
				prev->next = it->next;
			else
				loop->defer_head = it->next;
			if (loop->defer_tail == it)
				loop->defer_tail = prev;
			break;
		}
	}
	d->queued = false;
	d->next = NULL;
}

void evloop_quit(struct evloop *loop) { loop->quit = true; }
bool evloop_quitting(const struct evloop *loop) { return loop->quit; }

static void run_deferred(struct evloop *loop)
{
	/* Only what was queued before this call runs now; new deferrals wait a round
	 * so fd events are never starved. */
	struct ev_defer *end = loop->defer_tail;

	while (loop->defer_head) {
		struct ev_defer *d = loop->defer_head;
		loop->defer_head = d->next;
		if (!loop->defer_head)
			loop->defer_tail = NULL;
		d->queued = false;
		d->next = NULL;
		d->cb(loop, d->arg);
		if (d == end)
			break;
	}
}

static void run_timers(struct evloop *loop)
{
	uint64_t now = mono_now_ns();
	bool fired;

	/* A timer a callback re-arms for "now" waits for the next round: file descriptors
	 * get their turn between two runs of the same timer, however late it is. */
	loop->timer_round++;
	do {
		fired = false;
		for (struct ev_timer *t = loop->timers; t; t = t->next) {
			if (t->deadline_ns <= now && t->round != loop->timer_round) {
				evloop_timer_stop(loop, t);
				t->cb(loop, t->arg);
				fired = true;
				break;  /* the list may have changed */
			}
		}
	} while (fired && !loop->quit);
}

/* epoll_pwait2 wakes a timer to the microsecond (a link's bytes are due at exact device
 * times); epoll_wait, where the kernel lacks it, to the millisecond, rounded up. */
static int wait_events(struct evloop *loop, struct epoll_event *evs, int max, int64_t timeout_ns)
{
	static bool no_pwait2;

	if (!no_pwait2) {
		struct timespec ts = { .tv_sec = timeout_ns / 1000000000, .tv_nsec = timeout_ns % 1000000000 };
		int n = epoll_pwait2(loop->epfd, evs, max, timeout_ns < 0 ? NULL : &ts, NULL);
		if (n >= 0 || errno != ENOSYS)
			return n;
		no_pwait2 = true;
	}
	return epoll_wait(loop->epfd, evs, max, timeout_ns < 0 ? -1 : (int)((timeout_ns + 999999) / 1000000));
}

int evloop_run_once(struct evloop *loop, int timeout_ms)
{
	struct epoll_event evs[64];
	int n;

	int64_t timeout_ns = timeout_ms < 0 ? -1 : (int64_t)timeout_ms * 1000000;

	run_deferred(loop);
	if (loop->defer_head)
		timeout_ns = 0;
	if (loop->timers) {
		uint64_t now = mono_now_ns(), soonest = UINT64_MAX;
		for (struct ev_timer *t = loop->timers; t; t = t->next)
			if (t->deadline_ns < soonest)
				soonest = t->deadline_ns;
		int64_t ns = soonest <= now ? 0 : (int64_t)(soonest - now);
		if (ns > 60000000000ll)
			ns = 60000000000ll;
		if (timeout_ns < 0 || ns < timeout_ns)
			timeout_ns = ns;
	}
	n = wait_events(loop, evs, 64, timeout_ns);
	if (n < 0) {
		if (errno == EINTR)
			return DFK_OK;
		log_err("epoll_wait: %s", strerror(errno));
		return DFK_ERR_IO;
	}
	for (int i = 0; i < n && !loop->quit; i++) {
		struct fd_watch *w = evs[i].data.ptr;
		if (!w) {
			struct signalfd_siginfo si;
			while (read(loop->sigfd, &si, sizeof(si)) == sizeof(si)) {
				log_info("signal %u: shutting down", si.ssi_signo);
				loop->quit = true;
			}
			continue;
		}
		if (w->cb)  /* NULL when removed by an earlier callback this round */
			w->cb(loop, w->fd, evs[i].events, w->arg);
	}
	while (loop->dead) {
		struct fd_watch *w = loop->dead;
		loop->dead = w->next;
		free(w);
	}
	run_timers(loop);
	return DFK_OK;
}

int evloop_run(struct evloop *loop)
{
	while (!loop->quit) {
		int rc = evloop_run_once(loop, -1);
		if (rc < 0)
			return rc;
	}
	return DFK_OK;
}
