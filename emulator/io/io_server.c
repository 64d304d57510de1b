/* SPDX-License-Identifier: MIT */
#include "io_server.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "../camera/camera_io.h"
#include "../common/errors.h"
#include "../common/log.h"
#include "../common/netlisten.h"
#include "../common/numparse.h"
#include "../common/strbuf.h"
#include "../device.h"
#include "../device_faults.h"
#include "../device_monitor.h"
#include "../monitor/host_monitor.h"

#define LINE_MAX_LEN 8192
#define MAX_WORDS 1024
/* At the limit a new client evicts the one idle the longest: idle clients
 * cannot lock the bench out. */
#define IO_MAX_CLIENTS 64
/* Requests are not read while a client has this much reply unread: a client
 * that pipelines requests and never reads costs at most this (plus one reply). */
#define IO_OUT_HIGH_WATER (1u << 20)
/* Device times past 2^63 ns (292 years) are refused: sums of such times cannot
 * overflow, and UINT64_MAX stays free to mean "never". */
#define IO_TIME_MAX (UINT64_C(1) << 63)

struct io_conn {
	struct io_server *srv;
	int fd;
	char in[LINE_MAX_LEN];
	size_t in_len;
	struct strbuf out;
	size_t out_sent;
	unsigned cam;               /* selected camera */
	uint64_t last_active_ns;    /* wall time of the last request: the idlest is evicted first */
	bool dead;
	struct io_conn *next;
};

struct io_server {
	struct evloop *loop;
	int lfd;
	char path[108];          /* the Unix socket to remove at exit; empty for TCP */
	char address[120];       /* what clients connect to: PATH or tcp:ADDR:PORT */
	struct emu_device **devs;
	unsigned n_devs;
	const char *trace_dir;   /* `vcd start NAME` writes here; NULL: any path, Unix socket only */
	bool tcp;
	struct io_conn *conns;
	unsigned n_conns;
	struct ev_defer reap;
};

static void conn_close(struct io_conn *c)
{
	if (c->dead)
		return;
	c->dead = true;
	evloop_del_fd(c->srv->loop, c->fd);
	close(c->fd);
	c->srv->n_conns--;
	evloop_defer(c->srv->loop, &c->srv->reap);
}

static void reap(struct evloop *loop, void *arg)
{
	struct io_server *s = arg;

	(void)loop;
	for (struct io_conn **pp = &s->conns; *pp;) {
		struct io_conn *c = *pp;
		if (!c->dead) {
			pp = &c->next;
			continue;
		}
		*pp = c->next;
		strbuf_free(&c->out);
		free(c);
	}
}

static size_t backlog(const struct io_conn *c) { return c->out.len - c->out_sent; }

static void flush_out(struct io_conn *c)
{
	while (c->out_sent < c->out.len) {
		ssize_t w = send(c->fd, c->out.s + c->out_sent, c->out.len - c->out_sent, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			conn_close(c);
			return;
		}
		c->out_sent += (size_t)w;
	}
	if (c->out_sent == c->out.len) {
		c->out.len = 0;
		c->out_sent = 0;
	}
	evloop_mod_fd(c->srv->loop, c->fd, (backlog(c) < IO_OUT_HIGH_WATER ? EPOLLIN : 0) | (c->out.len ? EPOLLOUT : 0));
}

static void reply(struct io_conn *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void reply(struct io_conn *c, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	strbuf_puts(&c->out, buf);
	strbuf_puts(&c->out, "\n");
}

/* ---- argument parsing ---- */

/* A duration or device time below IO_TIME_MAX. */
static bool parse_ns(const char *s, uint64_t *v)
{
	return parse_u64(s, v) && *v < IO_TIME_MAX;
}

/* "T" absolute or "+N" relative to now. */
static bool parse_time(struct camera *cam, const char *s, uint64_t *t)
{
	uint64_t v;

	if (s && s[0] == '+') {
		if (!parse_ns(s + 1, &v))
			return false;
		*t = camera_io_now(cam) + v;
		return *t < IO_TIME_MAX;
	}
	return parse_ns(s, t);
}

static struct emu_device *cur(struct io_conn *c) { return c->srv->devs[c->cam]; }

/* ---- requests ---- */

static void cmd_clock(struct io_conn *c, char **w, int n)
{
	struct camera *cam = &cur(c)->cam;
	uint64_t t;

	if (n == 1) {
		struct camera_io_clock k;
		camera_io_clock(cam, &k);
		reply(c, "ok %" PRIu64 " scale %g paused %d waits %" PRIu64 " waited_ms %" PRIu64, k.now, k.scale, k.paused,
		      k.waits, k.waited_ns / 1000000);
		return;
	}
	if (!strcmp(w[1], "pause") || !strcmp(w[1], "run")) {
		camera_io_clock_pause(cam, !strcmp(w[1], "pause"));
		reply(c, "ok %" PRIu64, camera_io_now(cam));
	} else if (!strcmp(w[1], "scale") && n == 3) {
		double x;
		if (!parse_double_in(w[2], 0, 1000, &x)) {
			reply(c, "error scale is a number from 0 to 1000");
			return;
		}
		camera_io_clock_scale(cam, x);
		reply(c, "ok %" PRIu64, camera_io_now(cam));
	} else if ((!strcmp(w[1], "advance") || !strcmp(w[1], "until")) && n == 3) {
		uint64_t now = camera_io_now(cam);
		if (camera_io_clock_runs(cam)) {
			reply(c, "error the clock is running: pause it first");
			return;
		}
		if (!parse_ns(w[2], &t) || (!strcmp(w[1], "advance") && (t += now) >= IO_TIME_MAX)) {
			reply(c, "error bad time '%s' (device times end at 2^63 ns)", w[2]);
			return;
		}
		if (t < now) {
			reply(c, "error time is in the past");
			return;
		}
		camera_io_run_until(cam, t);
		reply(c, "ok %" PRIu64, camera_io_now(cam));
	} else {
		reply(c, "error usage: clock [pause|run|scale X|advance N|until T]");
	}
}

/* `asked_at`: device time when the request was read. A time before it is in the
 * past; one that a running clock passed while the request was being carried out
 * (a few ns) happens now. */
static int schedule(struct camera *cam, uint64_t asked_at, uint64_t t, int level)
{
	uint64_t now = camera_io_now(cam);

	if (t < asked_at)
		return DFK_ERR_RANGE;
	return camera_io_line_schedule(cam, t < now ? now : t, level);
}

static void cmd_line(struct io_conn *c, char **w, int n)
{
	struct camera *cam = &cur(c)->cam;
	/* no "at": now is when the request is carried out, on a running clock too */
	uint64_t asked_at = camera_io_now(cam), t = asked_at, width = 0, count = 1, period = 0;
	int rc = 0;

	if (n == 1) {
		reply(c, "ok %d", camera_io_trigger_level(cam));
		return;
	}
	if (!strcmp(w[1], "set") && (n == 3 || n == 5)) {
		if ((strcmp(w[2], "0") && strcmp(w[2], "1")) || (n == 5 && (strcmp(w[3], "at") || !parse_time(cam, w[4], &t)))) {
			reply(c, "error usage: line set 0|1 [at T]");
			return;
		}
		rc = schedule(cam, asked_at, t, w[2][0] == '1');
	} else if (!strcmp(w[1], "pulse") && n >= 3) {
		if (!parse_ns(w[2], &width) || width == 0) {
			reply(c, "error pulse width must be a positive number of ns");
			return;
		}
		for (int i = 3; i + 1 < n; i += 2) {
			bool ok = (!strcmp(w[i], "at") && parse_time(cam, w[i + 1], &t)) ||
				  (!strcmp(w[i], "count") && parse_u64(w[i + 1], &count)) ||
				  (!strcmp(w[i], "period") && parse_ns(w[i + 1], &period));
			if (!ok || (n - 3) % 2) {
				reply(c, "error usage: line pulse WIDTH [at T] [count N] [period P]");
				return;
			}
		}
		if (!period)
			period = 2 * width;
		if (period <= width || count == 0 || count > TRIGGER_MAX_PENDING / 2) {
			reply(c, "error need period > width and 1 <= count <= %u", TRIGGER_MAX_PENDING / 2);
			return;
		}
		if (t < asked_at) {
			reply(c, "error time is in the past");
			return;
		}
		/* every operand < 2^63 and count < 2^17: only the sum can leave the range */
		uint64_t last;
		if (__builtin_mul_overflow(count - 1, period, &last) || __builtin_add_overflow(last, t + width, &last) ||
		    last >= IO_TIME_MAX) {
			reply(c, "error the train would end past 2^63 ns of device time");
			return;
		}
		for (uint64_t k = 0; k < count && rc == 0; k++) {
			rc = schedule(cam, asked_at, t + k * period, 1);
			if (rc == 0)
				rc = schedule(cam, asked_at, t + k * period + width, 0);
		}
	} else if (!strcmp(w[1], "wave") && n >= 4 && n % 2 == 0) {
		uint64_t prev = asked_at, ts[MAX_WORDS / 2];
		int lv[MAX_WORDS / 2], m = 0;
		for (int i = 2; i + 1 < n; i += 2, m++) {
			if (!parse_time(cam, w[i], &ts[m]) || (strcmp(w[i + 1], "0") && strcmp(w[i + 1], "1")) ||
			    ts[m] < prev) {
				reply(c, "error usage: line wave T L [T L ...] with increasing times, not in the past");
				return;
			}
			prev = ts[m];
			lv[m] = w[i + 1][0] == '1';
		}
		for (int k = 0; k < m && rc == 0; k++)
			rc = schedule(cam, asked_at, ts[k], lv[k]);
	} else {
		reply(c, "error usage: line [set L [at T] | pulse WIDTH ... | wave T L ...]");
		return;
	}
	if (rc == DFK_ERR_RANGE)
		reply(c, "error time is in the past");
	else if (rc < 0)
		reply(c, "error %s", dfk_strerror(rc));
	else
		reply(c, "ok");
}

static void cmd_events(struct io_conn *c, char **w, int n)
{
	const struct eventlog *log = camera_io_log(&cur(c)->cam);
	uint64_t from = eventlog_oldest(log), count, max = UINT64_MAX;
	int i = 1;

	/* events [from SEQ] [max N]: a client that polls a busy log takes it in bounded pieces */
	if (i + 1 < n && !strcmp(w[i], "from")) {
		if (!parse_u64(w[i + 1], &from)) {
			reply(c, "error bad sequence number");
			return;
		}
		if (from < eventlog_oldest(log))
			from = eventlog_oldest(log);
		i += 2;
	}
	if (i + 1 < n && !strcmp(w[i], "max")) {
		if (!parse_u64(w[i + 1], &max) || max == 0) {
			reply(c, "error max is a number from 1");
			return;
		}
		i += 2;
	}
	if (i != n) {
		reply(c, "error usage: events [from SEQ] [max N]");
		return;
	}
	count = log->next_seq > from ? log->next_seq - from : 0;
	if (count > max)
		count = max;
	reply(c, "ok %" PRIu64, count);
	for (uint64_t s = from; s < from + count; s++) {
		const struct ev_record *r = eventlog_get(log, s);
		if (r->kind == EV_TRIGGER_REJECTED)
			strbuf_printf(&c->out, "%" PRIu64 " %" PRIu64 " %s %" PRId64 " %" PRId64 " %s\n", r->seq, r->t,
				      ev_kind_name(r->kind), r->a, r->b, trig_reject_name((enum trig_reject)r->b));
		else
			strbuf_printf(&c->out, "%" PRIu64 " %" PRIu64 " %s %" PRId64 " %" PRId64 "\n", r->seq, r->t,
				      ev_kind_name(r->kind), r->a, r->b);
	}
}

static void cmd_source(struct io_conn *c, char **w, int n)
{
	struct camera *cam = &cur(c)->cam;
	uint64_t seed;

	if (n >= 2 && !strcmp(w[1], "scene") && n == 2) {
		camera_io_set_source(cam, SENSOR_SOURCE_SCENE);
	} else if (n >= 2 && !strcmp(w[1], "pattern") && (n == 2 || (n == 4 && !strcmp(w[2], "seed")))) {
		if (n == 4) {
			if (!parse_u64(w[3], &seed) || seed > 0xFFFFFFFFull) {
				reply(c, "error seed is a 32-bit number");
				return;
			}
			camera_io_set_seed(cam, (uint32_t)seed);
		}
		camera_io_set_source(cam, SENSOR_SOURCE_PATTERN);
	} else {
		reply(c, "error usage: source pattern [seed N] | source scene");
		return;
	}
	reply(c, "ok");
}

static void cmd_scene(struct io_conn *c, char **w, int n)
{
	struct camera *cam = &cur(c)->cam;
	double v;

	if (n == 3 && !strcmp(w[1], "motion") && (!strcmp(w[2], "on") || !strcmp(w[2], "off"))) {
		camera_io_scene_still(cam, !strcmp(w[2], "off"));
		reply(c, "ok");
	} else if (n != 3) {
		reply(c, "error usage: scene light L | scene kelvin K | scene motion on|off");
	} else if (!strcmp(w[1], "light") && parse_double_in(w[2], 0, 1e6, &v)) {
		camera_io_scene_light(cam, v);
		reply(c, "ok");
	} else if (!strcmp(w[1], "kelvin") && parse_double_in(w[2], 1000, 20000, &v)) {
		camera_io_scene_kelvin(cam, v);
		reply(c, "ok");
	} else {
		reply(c, "error usage: scene light L (0..1e6) | scene kelvin K (1000..20000) | scene motion on|off");
	}
}

/* Where `vcd start NAME` may write. With --trace-dir: a plain file name in that
 * directory. Without: any path, but only for clients of the Unix socket (mode
 * 0600, so the emulator's own user); a TCP client (a VM guest, any local user)
 * gets no file system access. vcd_open() itself never follows a symlink nor
 * truncates a file of another user. */
static const char *vcd_path(struct io_conn *c, const char *name, char *buf, size_t len)
{
	if (c->srv->trace_dir) {
		if (!*name || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))
			return NULL;
		if ((size_t)snprintf(buf, len, "%s/%s", c->srv->trace_dir, name) >= len)
			return NULL;
		return buf;
	}
	return c->srv->tcp ? NULL : name;
}

static void cmd_vcd(struct io_conn *c, char **w, int n)
{
	if (n == 3 && !strcmp(w[1], "start")) {
		char buf[4096], shown[96];
		const char *path = vcd_path(c, w[2], buf, sizeof(buf));
		log_escape(w[2], strlen(w[2]), shown, sizeof(shown));
		if (!path)
			reply(c, "error %s", c->srv->trace_dir ? "vcd start takes a file name in the trace directory"
							       : "vcd start over TCP needs dfk-emu --trace-dir DIR");
		else if (emu_device_vcd_start(cur(c), path) < 0)
			reply(c, "error cannot write %s", shown);
		else
			reply(c, "ok");
	} else if (n == 2 && !strcmp(w[1], "stop")) {
		emu_device_vcd_stop(cur(c));
		reply(c, "ok");
	} else {
		reply(c, "error usage: vcd start PATH | vcd stop");
	}
}

static void list_fault(void *ctx, const struct fault_armed *f)
{
	struct io_conn *c = ctx;
	char line[FAULT_LINE_MAX];

	if (fault_format(&f->spec, line, sizeof(line)) < 0)
		snprintf(line, sizeof(line), "%s", fault_kind_name(f->spec.kind));
	reply(c, "%u %s # fired %llu", f->id, line, (unsigned long long)f->fired);
}

/* fault add LINE | fault list | fault clear [ID] (docs/faults.md) */
static void cmd_fault(struct io_conn *c, char **w, int n)
{
	struct emu_device *d = cur(c);

	if (n >= 3 && !strcmp(w[1], "add")) {
		char line[FAULT_SCRIPT_LINE_MAX], err[160];
		size_t pos = 0;
		uint32_t id;
		/* the words again, one space apart: the language is word-based */
		for (int i = 2; i < n; i++) {
			int k = snprintf(line + pos, sizeof(line) - pos, "%s%s", i > 2 ? " " : "", w[i]);
			if (k < 0 || (size_t)k >= sizeof(line) - pos) {
				reply(c, "error fault line too long");
				return;
			}
			pos += (size_t)k;
		}
		if (emu_faults_add(d, line, &id, err, sizeof(err)) < 0)
			reply(c, "error %s", err);
		else
			reply(c, "ok %u", id);
	} else if (n == 2 && !strcmp(w[1], "list")) {
		reply(c, "ok %zu", emu_faults_count(d));
		emu_faults_list(d, list_fault, c);
	} else if (n == 2 && !strcmp(w[1], "clear")) {
		reply(c, "ok %zu", emu_faults_clear(d));
	} else if (n == 3 && !strcmp(w[1], "clear")) {
		uint64_t id;
		if (!parse_u64(w[2], &id) || id > UINT32_MAX || emu_faults_remove(d, (uint32_t)id) < 0)
			reply(c, "error no fault %s", w[2]);
		else
			reply(c, "ok 1");
	} else {
		reply(c, "error usage: fault add LINE | fault list | fault clear [ID]");
	}
}

/* violations [from N]: what the host did wrong so far (docs/host-monitor.md) */
static void cmd_violations(struct io_conn *c, char **w, int n)
{
	const struct hm_violation *v;
	size_t count = emu_monitor_violations(cur(c), &v), n_rules;
	const struct hm_rule *rules = hm_rules(&n_rules);
	uint64_t from = 0;

	if ((n != 1 && n != 3) || (n == 3 && (strcmp(w[1], "from") || !parse_u64(w[2], &from)))) {
		reply(c, "error usage: violations [from N]");
		return;
	}
	if (!cur(c)->monitor) {
		reply(c, "error the host monitor is off (dfk-emu --monitor off)");
		return;
	}
	reply(c, "ok %zu", from < count ? count - (size_t)from : 0);
	for (size_t i = (size_t)from; i < count; i++) {
		char seq[16] = "-";
		if (v[i].has_urb)
			snprintf(seq, sizeof(seq), "%u", v[i].seq);
		strbuf_printf(&c->out, "%zu %" PRIu64 " %s %s %s %s\n", i, v[i].t_ns, rules[v[i].rule].id,
			      hm_severity_name(rules[v[i].rule].severity), seq, v[i].detail);
	}
}

/* interface [u3v|uvc]: the camera's USB face; switching it is the firmware's mode switch
 * (remembered in the state directory; the camera leaves the bus and comes back) */
static void cmd_interface(struct io_conn *c, char **w, int n)
{
	struct emu_device *d = cur(c);
	enum emu_face face;
	int rc;

	if (n == 1) {
		reply(c, "ok %s", emu_face_name(d->face));
		return;
	}
	face = n == 2 ? emu_face_parse(w[1]) : EMU_FACE_DEFAULT;
	if (face == EMU_FACE_DEFAULT) {
		reply(c, "error usage: interface [u3v|uvc]");
		return;
	}
	rc = emu_device_set_face(d, face);
	if (rc == DFK_ERR_NOTSUP)
		reply(c, "error model %s has no UVC interface", d->cam.model->id);
	else if (rc < 0)
		reply(c, "error cannot remember the interface: %s", dfk_strerror(rc));
	else
		reply(c, "ok %s", emu_face_name(d->face));
}

static const char *const help_lines[] = {
	"camera BUSID", "time", "clock [pause|run|scale X|advance N|until T]", "line", "line set 0|1 [at T]",
	"line pulse WIDTH [at T] [count N] [period P]", "line wave T L [T L ...]", "strobe", "seq", "events [from SEQ] [max N]",
	"source pattern [seed N] | source scene", "scene light L | scene kelvin K | scene motion on|off", "vcd start PATH|NAME | vcd stop",
	"stats", "memory", "perf", "perf clear", "urbs", "fault add LINE | fault list | fault clear [ID]", "violations [from N]", "interface [u3v|uvc]", "help",
};

static void handle_line(struct io_conn *c, char *line)
{
	char *w[MAX_WORDS], *save = NULL;
	int n = 0;

	for (char *tok = strtok_r(line, " \t\r", &save); tok && n < MAX_WORDS; tok = strtok_r(NULL, " \t\r", &save))
		w[n++] = tok;
	if (n == 0)
		return;
	struct camera *cam = &cur(c)->cam;
	if (!strcmp(w[0], "camera") && n == 2) {
		for (unsigned i = 0; i < c->srv->n_devs; i++) {
			if (!strcmp(c->srv->devs[i]->exp.busid, w[1])) {
				c->cam = i;
				reply(c, "ok");
				return;
			}
		}
		reply(c, "error no camera %s", w[1]);
	} else if (!strcmp(w[0], "time") && n == 1) {
		reply(c, "ok %" PRIu64, camera_io_now(cam));
	} else if (!strcmp(w[0], "clock")) {
		cmd_clock(c, w, n);
	} else if (!strcmp(w[0], "line")) {
		cmd_line(c, w, n);
	} else if (!strcmp(w[0], "strobe") && n == 1) {
		reply(c, "ok %d", camera_io_strobe_level(cam));
	} else if (!strcmp(w[0], "seq") && n == 1) {
		reply(c, "ok %" PRIu64, camera_io_log(cam)->next_seq);
	} else if (!strcmp(w[0], "events")) {
		cmd_events(c, w, n);
	} else if (!strcmp(w[0], "source")) {
		cmd_source(c, w, n);
	} else if (!strcmp(w[0], "scene")) {
		cmd_scene(c, w, n);
	} else if (!strcmp(w[0], "vcd")) {
		cmd_vcd(c, w, n);
	} else if (!strcmp(w[0], "stats") && n == 1) {
		struct camera_io_stats st;
		camera_io_stats(cam, &st);
		reply(c, "ok started=%" PRIu64 " delivered=%" PRIu64 " dropped=%" PRIu64 " discarded=%" PRIu64
			 " accepted=%" PRIu64 " rejected=%" PRIu64 " power_ups=%" PRIu64,
		      st.started, st.delivered, st.dropped, st.discarded, st.accepted, st.rejected, st.power_ups);
	} else if (!strcmp(w[0], "violations")) {
		cmd_violations(c, w, n);
	} else if (!strcmp(w[0], "fault")) {
		cmd_fault(c, w, n);
	} else if (!strcmp(w[0], "interface")) {
		cmd_interface(c, w, n);
	} else if (!strcmp(w[0], "urbs") && n == 1) {
		/* how many transfers the USB/IP server has taken in: a test that has just sent
		 * one waits for this to move before it advances a paused clock */
		struct usbip_server *srv = cur(c)->srv;
		const struct usbip_server_stats *st = srv ? usbip_server_stats(srv) : NULL;
		reply(c, "ok submitted=%" PRIu64 " unlinked=%" PRIu64, st ? st->urbs : 0, st ? st->unlinks : 0);
	} else if (!strcmp(w[0], "memory") && n == 1 && cur(c)->face == EMU_FACE_UVC) {
		const struct uvc_stream *st = &cur(c)->uvc.stream;
		reply(c, "ok level=%zu frames=%u max_level=%" PRIu64 " size=%zu max_frames=%u", uvc_stream_level(st),
		      st->n_frames, st->stats.max_level, st->max_bytes, st->max_frames);
	} else if (!strcmp(w[0], "memory") && n == 1) {
		const struct u3v_stream *st = &cur(c)->stream;
		reply(c, "ok level=%zu frames=%u max_level=%" PRIu64 " size=%zu max_frames=%u", u3v_stream_level(st),
		      st->n_frames, st->stats.max_level, st->max_bytes, st->max_frames);
	} else if (!strcmp(w[0], "perf") && n == 2 && !strcmp(w[1], "clear")) {
		latency_clear(&cur(c)->handoff);
		reply(c, "ok");
	} else if (!strcmp(w[0], "perf") && n == 1) {
		const struct emu_device *d = cur(c);
		const struct latency_ring *lr = &d->handoff;
		const struct usbip_server_stats *st = d->srv ? usbip_server_stats(d->srv) : NULL;
		reply(c, "ok frames=%" PRIu64 " p50=%" PRIu64 " p99=%" PRIu64 " max=%" PRIu64 " link=%" PRIu64
			 " rendered=%" PRIu64 " reused=%" PRIu64 " frame_copied=%" PRIu64 " copied=%" PRIu64
			 " referenced=%" PRIu64,
		      lr->count, latency_percentile(lr, 50), latency_percentile(lr, 99), lr->max, d->handoff_link_ns,
		      d->cam.render.rendered, d->cam.payload_reused, d->cam.render.copied, st ? st->in_bytes_copied : 0,
		      st ? st->in_bytes_referenced : 0);
	} else if (!strcmp(w[0], "help")) {
		reply(c, "ok %zu", sizeof(help_lines) / sizeof(help_lines[0]));
		for (size_t i = 0; i < sizeof(help_lines) / sizeof(help_lines[0]); i++)
			reply(c, "%s", help_lines[i]);
	} else {
		char shown[96];
		log_escape(w[0], strlen(w[0]), shown, sizeof(shown));
		reply(c, "error unknown request '%s' (try help)", shown);
	}
}

/* Carries out the complete lines read so far, while the reply backlog allows;
 * the rest waits (unread input stays in the kernel) until the client reads. */
static void handle_input(struct io_conn *c)
{
	char *start = c->in, *nl;

	while (!c->dead && backlog(c) < IO_OUT_HIGH_WATER &&
	       (nl = memchr(start, '\n', c->in_len - (size_t)(start - c->in)))) {
		*nl = '\0';
		handle_line(c, start);
		start = nl + 1;
	}
	if (c->dead)
		return;
	c->in_len -= (size_t)(start - c->in);
	memmove(c->in, start, c->in_len);
	if (c->in_len == sizeof(c->in) && !memchr(c->in, '\n', c->in_len)) {
		log_warn("io: request line longer than %d bytes: closing", LINE_MAX_LEN);
		conn_close(c);
		return;
	}
	if (!strbuf_ok(&c->out)) {
		conn_close(c);
		return;
	}
	flush_out(c);
}

static void conn_event(struct evloop *loop, int fd, uint32_t events, void *arg)
{
	struct io_conn *c = arg;

	(void)loop;
	if ((events & EPOLLIN) && backlog(c) < IO_OUT_HIGH_WATER && c->in_len < sizeof(c->in)) {
		ssize_t r = recv(fd, c->in + c->in_len, sizeof(c->in) - c->in_len, 0);
		if (r <= 0) {
			if (r == 0 || (errno != EAGAIN && errno != EINTR))
				conn_close(c);
			return;
		}
		c->in_len += (size_t)r;
		c->last_active_ns = mono_now_ns();
	}
	if (!c->dead && (events & (EPOLLHUP | EPOLLERR)) && !(events & EPOLLIN))
		conn_close(c);
	if (!c->dead)
		flush_out(c);
	if (!c->dead)
		handle_input(c);
}

static void evict_idlest(struct io_server *s)
{
	struct io_conn *idlest = NULL;

	for (struct io_conn *c = s->conns; c; c = c->next)
		if (!c->dead && (!idlest || c->last_active_ns < idlest->last_active_ns))
			idlest = c;
	if (!idlest)
		return;
	log_warn("io: %d clients: closing the one idle the longest (%" PRIu64 " ms)", IO_MAX_CLIENTS,
		 (mono_now_ns() - idlest->last_active_ns) / 1000000);
	/* best effort: a client that is still there learns why */
	send(idlest->fd, "error evicted: too many I/O clients\n", 36, MSG_NOSIGNAL | MSG_DONTWAIT);
	conn_close(idlest);
}

static void accept_event(struct evloop *loop, int fd, uint32_t events, void *arg)
{
	struct io_server *s = arg;

	(void)events;
	for (;;) {
		int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (cfd < 0)
			return;
		if (s->n_conns >= IO_MAX_CLIENTS)
			evict_idlest(s);
		struct io_conn *c = calloc(1, sizeof(*c));
		if (!c || evloop_add_fd(loop, cfd, EPOLLIN, conn_event, c) < 0) {
			free(c);
			close(cfd);
			continue;
		}
		c->srv = s;
		c->fd = cfd;
		c->last_active_ns = mono_now_ns();
		strbuf_init(&c->out);
		c->next = s->conns;
		s->conns = c;
		s->n_conns++;
	}
}

/* A Unix socket only its owner may use (mode 0600). */
static int listen_unix(const char *path)
{
	struct sockaddr_un sa;
	mode_t old;
	int fd;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		log_err("--io path too long (max %zu bytes): %s", sizeof(sa.sun_path) - 1, path);
		return -1;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	unlink(path);   /* a stale socket of an earlier run */
	old = umask(0177);
	int rc = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (rc < 0 || listen(fd, IO_MAX_CLIENTS) < 0) {
		log_err("cannot listen on %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	chmod(path, 0600);
	return fd;
}

struct io_server *io_server_new(struct evloop *loop, const char *spec, const char *trace_dir,
			       struct emu_device **devices, unsigned n)
{
	char bound[80] = "";
	struct io_server *s;
	int fd;

	/* tcp:ADDR:PORT for clients that cannot reach a Unix socket (a VM guest through
	 * slirp): loopback addresses only, so it stays a local test bench */
	if (strncmp(spec, "tcp:", 4) == 0)
		fd = net_listen(spec + 4, 8, true, "I/O side channel", bound, sizeof(bound));
	else
		fd = listen_unix(spec);
	if (fd < 0)
		return NULL;
	s = calloc(1, sizeof(*s));
	if (!s) {
		close(fd);
		return NULL;
	}
	s->loop = loop;
	s->lfd = fd;
	s->trace_dir = trace_dir;
	s->tcp = bound[0] != '\0';
	if (bound[0]) {
		snprintf(s->address, sizeof(s->address), "tcp:%s", bound);
	} else {
		snprintf(s->path, sizeof(s->path), "%s", spec);
		snprintf(s->address, sizeof(s->address), "%s", spec);
	}
	s->devs = devices;
	s->n_devs = n;
	evloop_defer_init(&s->reap, reap, s);
	if (evloop_add_fd(loop, fd, EPOLLIN, accept_event, s) < 0) {
		close(fd);
		free(s);
		return NULL;
	}
	return s;
}

const char *io_server_address(const struct io_server *s) { return s->address; }

void io_server_free(struct io_server *s)
{
	if (!s)
		return;
	for (struct io_conn *c = s->conns; c; c = c->next)
		conn_close(c);
	evloop_defer_cancel(s->loop, &s->reap);
	reap(s->loop, s);
	evloop_del_fd(s->loop, s->lfd);
	close(s->lfd);
	if (s->path[0])
		unlink(s->path);
	free(s);
}
