/* SPDX-License-Identifier: MIT */
#include "runner/run.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runner/proc.h"

#define MAX_LINES 200000        /* adapter lines kept per scenario */
#define RAW_BYTES_MAX (16u << 20) /* adapter line texts kept for a golden trace */
#define POLL_DEVICE_NS 100000000ull
#define ARGV_MAX (16 + 2 * SC_MAX_SETS)

struct stim_state {
	uint32_t sent;
	unsigned long long next_at;
};

struct running {
	struct target *t;
	const struct scenario *sc;
	const struct run_options *o;
	struct run_result *r;
	struct child ch;
	FILE *adapter_log, *adapter_err;
	unsigned long long start_ns, go_ns, last_frame_ns, last_stim_ns;
	bool go_sent, stop_sent;
	bool acquiring;               /* the camera logged its acquisition start in this scenario */
	size_t scanned;               /* device events looked at for it */
	uint32_t frames, epoch;
	size_t raw_bytes;
	struct stim_state stims[SC_MAX_STIMS];
};

static void add_line(struct running *s, const struct ad_event *ev, const char *line, size_t len,
		     unsigned long long now)
{
	struct run_result *r = s->r;

	if (r->n_lines == r->cap_lines) {
		size_t cap = r->cap_lines ? r->cap_lines * 2 : 256;
		struct ad_record *l;

		if (cap > MAX_LINES || !(l = realloc(r->lines, cap * sizeof(*l)))) {
			r->lines_overflow = true;
			return;
		}
		r->lines = l;
		r->cap_lines = cap;
	}
	r->lines[r->n_lines].ev = *ev;
	r->lines[r->n_lines].arrival_ns = s->go_sent && now > s->go_ns ? now - s->go_ns : 0;
	r->lines[r->n_lines].epoch = s->epoch;
	r->lines[r->n_lines].raw = NULL;
	if (s->o->keep_raw && s->raw_bytes + len < RAW_BYTES_MAX) {
		r->lines[r->n_lines].raw = strndup(line, len);
		s->raw_bytes += len;
	}
	r->n_lines++;
}

static void arm_and_go(struct running *s)
{
	struct run_result *r = s->r;
	char out[512];

	if (target_has_emulator(s->t)) {
		for (unsigned i = 0; i < s->sc->n_faults; i++)
			if (io_request(s->t->io, out, sizeof(out), "fault add %s", s->sc->faults[i]) < 0) {
				snprintf(r->setup_error, sizeof(r->setup_error), "line %d: fault refused: %.300s",
					 s->sc->fault_lines[i], out);
				return;
			}
	}
	if (child_send(&s->ch, "go") < 0) {
		snprintf(r->setup_error, sizeof(r->setup_error), "the adapter does not read its stdin");
		return;
	}
	s->go_sent = true;
	s->go_ns = s->last_frame_ns = s->last_stim_ns = proc_now_ns();
}

static void handle_line(struct running *s, const char *line, size_t len, unsigned long long now)
{
	struct run_result *r = s->r;
	struct ad_event ev;
	char err[200];

	if (s->adapter_log)
		fprintf(s->adapter_log, "%llu %.*s\n", s->go_sent && now > s->go_ns ? now - s->go_ns : 0ull, (int)len, line);
	if (ad_parse_line(line, len, &ev, err, sizeof(err)) < 0) {
		if (!r->protocol_errors++)
			snprintf(r->protocol_error, sizeof(r->protocol_error), "'%.*s': %.150s", (int)(len < 80 ? len : 80), line, err);
		return;
	}
	switch (ev.kind) {
	case AD_HELLO:
		r->hello = ev;
		break;
	case AD_READY:
		if (!r->ready) {
			r->ready = true;
			arm_and_go(s);
		}
		break;
	case AD_FRAME:
		s->frames++;
		s->last_frame_ns = now;
		break;
	case AD_REOPENED:
		s->epoch++;
		s->last_frame_ns = now;   /* frames come again: settle from here */
		break;
	case AD_LOST:
		s->last_frame_ns = now;   /* the driver is busy reopening: not quiet yet */
		break;
	case AD_DONE:
		r->done = true;
		break;
	default:
		break;
	}
	add_line(s, &ev, line, len, now);
}

/* Reads what the adapter wrote, line by line; a line longer than the contract allows is a protocol error. */
static void read_stdout(struct running *s)
{
	struct child *c = &s->ch;

	for (;;) {
		ssize_t n = read(c->out_fd, c->buf + c->len, sizeof(c->buf) - c->len);
		unsigned long long now = proc_now_ns();
		char *start, *nl;

		if (n == 0) {
			close(c->out_fd);
			c->out_fd = -1;
			return;
		}
		if (n < 0)
			return;
		c->len += (size_t)n;
		start = c->buf;
		while ((nl = memchr(start, '\n', c->len - (size_t)(start - c->buf)))) {
			if (!c->overlong)
				handle_line(s, start, (size_t)(nl - start), now);
			c->overlong = false;
			start = nl + 1;
		}
		c->len -= (size_t)(start - c->buf);
		memmove(c->buf, start, c->len);
		if (c->len == sizeof(c->buf)) {   /* no newline in 8 KiB */
			if (!c->overlong && !s->r->protocol_errors++)
				snprintf(s->r->protocol_error, sizeof(s->r->protocol_error), "a line longer than %d bytes",
					 AD_LINE_MAX);
			c->overlong = true;
			c->len = 0;
		}
	}
}

static void read_stderr(struct running *s)
{
	char buf[4096];
	ssize_t n;

	while ((n = read(s->ch.err_fd, buf, sizeof(buf))) > 0)
		if (s->adapter_err)
			fwrite(buf, 1, (size_t)n, s->adapter_err);
	if (n == 0) {
		close(s->ch.err_fd);
		s->ch.err_fd = -1;
	}
}

static void send_stimuli(struct running *s, unsigned long long now)
{
	for (unsigned i = 0; i < s->sc->n_stims; i++) {
		const struct sc_stim *st = &s->sc->stims[i];
		struct stim_state *ss = &s->stims[i];
		char line[SC_TEXT + 16], out[256];

		if (ss->sent >= st->repeat || s->frames < st->after_frames || now < ss->next_at)
			continue;
		/* a waveform on the I/O lines is meant for an acquiring camera: wait for its start */
		if (st->kind == SC_S_IO && !s->acquiring && s->r->has_device)
			continue;
		switch (st->kind) {
		case SC_S_EXEC:
			snprintf(line, sizeof(line), "exec %s", st->text);
			child_send(&s->ch, line);
			break;
		case SC_S_SET:
			snprintf(line, sizeof(line), "set %s", st->text);
			child_send(&s->ch, line);
			break;
		case SC_S_IO:
			if (target_has_emulator(s->t) && io_request(s->t->io, out, sizeof(out), "%s", st->text) < 0 &&
			    !s->r->setup_error[0])
				snprintf(s->r->setup_error, sizeof(s->r->setup_error), "line %d: %s", st->line, out);
			break;
		}
		ss->sent++;
		ss->next_at = now + (unsigned long long)st->every_ms * 1000000ull;
		s->last_stim_ns = now;
	}
}

static bool stimuli_done(const struct running *s)
{
	for (unsigned i = 0; i < s->sc->n_stims; i++)
		if (s->stims[i].sent < s->sc->stims[i].repeat)
			return false;
	return true;
}

static void count_line(void *ctx, const char *line) { (void)line; (*(size_t *)ctx)++; }

static void keep_violation(void *ctx, const char *line)
{
	struct run_result *r = ctx;
	struct violation_line *v;
	char sev[16] = "";
	unsigned long long idx, t;

	if (r->n_violations >= 10000)
		return;
	v = realloc(r->violations, (r->n_violations + 1) * sizeof(*v));
	if (!v)
		return;
	r->violations = v;
	v = &r->violations[r->n_violations++];
	memset(v, 0, sizeof(*v));
	snprintf(v->text, sizeof(v->text), "%s", line);
	if (sscanf(line, "%llu %llu %47s %15s", &idx, &t, v->rule, sev) == 4)
		v->error = strcmp(sev, "error") == 0;
}

static FILE *report_file(const struct run_options *o, const struct scenario *sc, const char *suffix)
{
	char path[1024];

	if (!o->report_dir)
		return NULL;
	snprintf(path, sizeof(path), "%s/%s.%s", o->report_dir, sc->name, suffix);
	return fopen(path, "we");
}

static int build_argv(struct running *s, const char *uri, const char **argv, char store[][SC_TEXT])
{
	const struct scenario *sc = s->sc;
	int n = 0, k = 0;

	argv[n++] = "/bin/sh";
	argv[n++] = "-c";
	snprintf(store[k], SC_TEXT, "exec %s \"$@\"", s->o->adapter);
	argv[n++] = store[k++];
	argv[n++] = "adapter";
	argv[n++] = "--device";
	argv[n++] = uri;
	for (unsigned i = 0; i < sc->n_sets; i++) {
		argv[n++] = "--set";
		snprintf(store[k], SC_TEXT, "%s=%s", sc->sets[i].name, sc->sets[i].value);
		argv[n++] = store[k++];
	}
	argv[n++] = "--frames";
	snprintf(store[k], SC_TEXT, "%u", sc->frames);
	argv[n++] = store[k++];
	argv[n++] = "--timeout-ms";
	snprintf(store[k], SC_TEXT, "%u", sc->timeout_ms);
	argv[n++] = store[k++];
	if (sc->dump) {
		argv[n++] = "--dump";
		argv[n++] = s->r->dump_dir;
	}
	if (sc->reopen)
		argv[n++] = "--reopen";
	argv[n] = NULL;
	return n;
}

/* The frames a scenario dumps: a fresh directory per scenario. */
static int make_dump_dir(struct running *s)
{
	const char *root = s->o->dump_root ? s->o->dump_root : "/tmp";

	snprintf(s->r->dump_dir, sizeof(s->r->dump_dir), "%s/dfk-drivertest-%d-%s", root, (int)getpid(), s->sc->name);
	if (mkdir(s->r->dump_dir, 0700) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

/* The frame that failed bit-exact outlives the dump directory: a copy in the report
 * directory (NAME.mismatch.raw) for the HTML report. Only a file inside the scenario's
 * dump directory is copied (the path is the adapter's word). */
static void keep_mismatch_file(const struct run_options *o, struct run_result *r)
{
	struct frame_mismatch *m = &r->mismatch;
	size_t dl = strlen(r->dump_dir);
	FILE *in = NULL, *out = NULL;
	char buf[65536];
	uint64_t left = m->size;
	size_t k;

	if (!m->present)
		return;
	if (!o->report_dir || !dl || strncmp(m->file, r->dump_dir, dl) != 0 || m->file[dl] != '/' ||
	    strstr(m->file + dl, "/..") || m->size > (uint64_t)1 << 30 || !(in = fopen(m->file, "rbe"))) {
		m->present = false;
		return;
	}
	snprintf(m->file, sizeof(m->file), "%s/%s.mismatch.raw", o->report_dir, r->sc->name);
	out = fopen(m->file, "wbe");
	while (out && left && (k = fread(buf, 1, left < sizeof(buf) ? left : sizeof(buf), in)) > 0 &&
	       fwrite(buf, 1, k, out) == k)
		left -= k;
	if (out && fclose(out) != 0)
		out = NULL;
	if (!out || left)
		m->present = false;
	fclose(in);
}

static void remove_dump_dir(const char *dir)
{
	const char *argv[] = { "rm", "-rf", "--", dir, NULL };

	proc_run_quiet(argv, 30000);
}

int run_scenario(struct target *t, const struct scenario *sc, const struct run_options *o, struct run_result *r)
{
	struct running s = { .t = t, .sc = sc, .o = o, .r = r };
	const char *argv[ARGV_MAX];
	char store[SC_MAX_SETS + 4][SC_TEXT];
	char uri[300], err[384], out[256];
	size_t n_before = 0;
	unsigned long long last_dev = 0, last_reattach = 0;

	memset(r, 0, sizeof(*r));
	r->sc = sc;
	r->base_power_up = -1;
	devlog_init(&r->dev);
	s.start_ns = proc_now_ns();
	r->has_device = target_has_emulator(t);
	if (sc->needs_emulator && !r->has_device) {
		r->skipped = true;
		snprintf(r->skip_reason, sizeof(r->skip_reason), "needs the emulator (faults, I/O stimuli or device counters)");
		return 0;
	}
	if (r->has_device) {
		/* a clean camera: no faults left over, the scenario's time scale, the test pattern */
		if (io_request(t->io, out, sizeof(out), "fault clear") < 0 ||
		    io_request(t->io, out, sizeof(out), "clock scale %g", sc->has_clock_scale ? sc->clock_scale : 0.0) < 0 ||
		    io_request(t->io, out, sizeof(out), "source pattern seed %u", t->opt.pattern_seed) < 0 ||
		    devlog_poll(&r->dev, t->io) < 0) {
			snprintf(r->setup_error, sizeof(r->setup_error), "side channel: %s", out[0] ? out : "no answer");
			goto judged;
		}
		if (r->dev.n)
			r->base_power_up = r->dev.power_up;
		io_list(t->io, count_line, &n_before, err, sizeof(err), "violations");
	}
	if (sc->dump && make_dump_dir(&s) < 0) {
		snprintf(r->setup_error, sizeof(r->setup_error), "%.300s: %.60s", r->dump_dir, strerror(errno));
		goto judged;
	}
	if (target_prepare(t, uri, sizeof(uri), err, sizeof(err)) < 0) {
		snprintf(r->setup_error, sizeof(r->setup_error), "%s", err[0] ? err : "the device could not be prepared");
		goto judged;
	}
	build_argv(&s, uri, argv, store);
	s.adapter_log = report_file(o, sc, "adapter.log");
	s.adapter_err = report_file(o, sc, "adapter.stderr");
	if (child_spawn(&s.ch, argv, err, sizeof(err)) < 0) {
		snprintf(r->setup_error, sizeof(r->setup_error), "adapter: %.360s", err);
		goto out;
	}
	for (;;) {
		struct pollfd p[2];
		int np = 0;
		unsigned long long now;

		if (s.ch.out_fd >= 0)
			p[np++] = (struct pollfd){ .fd = s.ch.out_fd, .events = POLLIN };
		if (s.ch.err_fd >= 0)
			p[np++] = (struct pollfd){ .fd = s.ch.err_fd, .events = POLLIN };
		if (np)
			poll(p, (nfds_t)np, 20);
		else
			usleep(20000);
		if (s.ch.out_fd >= 0)
			read_stdout(&s);
		if (s.ch.err_fd >= 0)
			read_stderr(&s);
		now = proc_now_ns();
		if (r->setup_error[0])
			break;
		if (r->has_device && (now - last_dev >= POLL_DEVICE_NS || (s.go_sent && !s.acquiring))) {
			devlog_poll(&r->dev, t->io);
			last_dev = now;
			if (s.scanned > r->dev.n)
				s.scanned = r->dev.n;
			for (; s.scanned < r->dev.n; s.scanned++) {
				const struct dev_event *d = &r->dev.ev[s.scanned];

				if ((int64_t)d->power_up > r->base_power_up && strcmp(d->e.kind, "acquisition") == 0 && d->e.a == 1)
					s.acquiring = true;
			}
		}
		if (s.go_sent) {
			send_stimuli(&s, now);
			/* nothing more is coming: after the last stimulus and the last frame, settle_ms of quiet */
			if (!s.stop_sent && stimuli_done(&s) &&
			    now - (s.last_frame_ns > s.last_stim_ns ? s.last_frame_ns : s.last_stim_ns) >=
				    (unsigned long long)sc->settle_ms * 1000000ull) {
				child_send(&s.ch, "stop");
				child_close_stdin(&s.ch);
				s.stop_sent = true;
			}
			if (sc->reopen && t->opt.attach && now - last_reattach > 300000000ull) {
				target_reattach(t);
				last_reattach = now;
			}
		}
		if (s.ch.out_fd < 0 && s.ch.err_fd < 0 && child_reap(&s.ch))
			break;
		if (s.ch.out_fd < 0 && child_reap(&s.ch))
			break;
		if (now - s.start_ns >= (unsigned long long)sc->limit_s * 1000000000ull) {
			r->hung = true;
			break;
		}
	}
	if (!child_reap(&s.ch))
		child_kill(&s.ch);
	if (s.ch.out_fd >= 0)
		read_stdout(&s);
	if (s.ch.err_fd >= 0)
		read_stderr(&s);
	r->exited = s.ch.exited && !r->hung;
	r->unkillable = s.ch.unkillable;
	if (s.ch.exited)
		r->exit_status = WIFEXITED(s.ch.status) ? WEXITSTATUS(s.ch.status) : 128 + WTERMSIG(s.ch.status);
	child_free(&s.ch);
out:
	if (r->has_device) {
		devlog_poll(&r->dev, t->io);
		io_list(t->io, keep_violation, r, err, sizeof(err), "violations from %zu", n_before);
	}
	target_release(t);
	if (s.adapter_log)
		fclose(s.adapter_log);
	if (s.adapter_err)
		fclose(s.adapter_err);
judged:   /* a run that could not start is judged too: its report says why */
	r->seconds = (double)(proc_now_ns() - s.start_ns) / 1e9;
	r->pattern_seed = t->opt.pattern_seed;
	r->model = t->opt.model;
	judge(r);
	if (sc->dump)
		keep_mismatch_file(o, r);
	if (sc->dump && !o->verbose)
		remove_dump_dir(r->dump_dir);
	return 0;
}

void run_result_free(struct run_result *r)
{
	for (size_t i = 0; i < r->n_lines; i++)
		free(r->lines[i].raw);
	free(r->lines);
	free(r->violations);
	devlog_free(&r->dev);
	memset(r, 0, sizeof(*r));
}
