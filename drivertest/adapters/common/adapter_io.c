/* SPDX-License-Identifier: MIT */
/* The driver-independent half of an adapter (adapter_io.h). */
#include "adapter_io.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

uint64_t adapter_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* ---- arguments ---- */

static void usage(FILE *f, const char *prog, const struct adapter_option *own)
{
	fprintf(f, "usage: %s --device URI [--set NAME=VALUE]... [--frames N] [--timeout-ms MS] [--dump DIR]\n"
		   "       [--reopen] [--reopen-ms MS]", prog);
	for (const struct adapter_option *o = own; o && o->name; o++)
		fprintf(f, " [%s VALUE]", o->name);
	fprintf(f, "   (docs/drivertest.md, the adapter contract)\n");
}

static void __attribute__((noreturn, format(printf, 3, 4)))
bad_args(const char *prog, const struct adapter_option *own, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	usage(stderr, prog, own);
	exit(ADAPTER_EXIT_USAGE);
}

bool adapter_parse_int(const char *text, int64_t *v)
{
	char *end;
	long long n;

	if (!text || !*text || isspace((unsigned char)*text))
		return false;
	errno = 0;
	/* base 10 or 0x: a leading 0 is not octal here (the runner writes numbers in decimal) */
	const char *digits = text + (*text == '-' || *text == '+');
	int base = digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X') ? 16 : 10;
	n = strtoll(text, &end, base);
	if (errno || end == text || *end)
		return false;
	*v = n;
	return true;
}

bool adapter_parse_float(const char *text, double *v)
{
	char *end;
	double d;

	if (!text || !*text || isspace((unsigned char)*text))
		return false;
	errno = 0;
	d = strtod(text, &end);
	if (errno || end == text || *end || !isfinite(d))
		return false;
	*v = d;
	return true;
}

bool adapter_parse_bool(const char *text, bool *v)
{
	if (text && strcmp(text, "true") == 0)
		*v = true;
	else if (text && strcmp(text, "false") == 0)
		*v = false;
	else
		return false;
	return true;
}

/* A count or duration: decimal, 1 .. max. */
static bool parse_count(const char *text, uint64_t max, uint64_t *v)
{
	int64_t n;

	if (!adapter_parse_int(text, &n) || n < 1 || (uint64_t)n > max)
		return false;
	*v = (uint64_t)n;
	return true;
}

bool adapter_parse_setting(const char *text, struct adapter_setting *s)
{
	const char *eq = strchr(text, '=');
	size_t n;

	if (!eq || eq == text)
		return false;
	n = (size_t)(eq - text);
	if (n >= sizeof(s->name) || strlen(eq + 1) >= sizeof(s->value))
		return false;
	/* GenICam names are C identifiers (GenICam standard, section 2.8.1: Name attribute) */
	for (size_t i = 0; i < n; i++)
		if (!(isalnum((unsigned char)text[i]) || text[i] == '_'))
			return false;
	if (isdigit((unsigned char)text[0]))
		return false;
	memcpy(s->name, text, n);
	s->name[n] = '\0';
	strcpy(s->value, eq + 1);
	return true;
}

static bool has_blank(const char *s)
{
	for (; *s; s++)
		if (isspace((unsigned char)*s))
			return true;
	return false;
}

void adapter_parse_args(int argc, char **argv, const char *prog, const struct adapter_option *own,
			struct adapter_args *out)
{
	memset(out, 0, sizeof(*out));
	out->timeout_ms = ADAPTER_DEFAULT_TIMEOUT_MS;
	out->reopen_ms = ADAPTER_DEFAULT_REOPEN_MS;
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i], *value = NULL, *eq;
		char name[64];
		const struct adapter_option *o;
		uint64_t n;

		if (strcmp(arg, "--help") == 0) {
			usage(stdout, prog, own);
			exit(0);
		}
		/* the runner's extensions: ignored, one word each (values attached with '=') */
		if (strncmp(arg, "--x-", 4) == 0)
			continue;
		if (strncmp(arg, "--", 2) != 0)
			bad_args(prog, own, "unexpected argument '%s'", arg);
		eq = strchr(arg, '=');
		if (eq) {
			if ((size_t)(eq - arg) >= sizeof(name))
				bad_args(prog, own, "unknown option '%s'", arg);
			memcpy(name, arg, (size_t)(eq - arg));
			name[eq - arg] = '\0';
			value = eq + 1;
		} else {
			snprintf(name, sizeof(name), "%s", arg);
		}
		if (strcmp(name, "--reopen") == 0) {
			if (value)
				bad_args(prog, own, "--reopen takes no value");
			out->reopen = true;
			continue;
		}
		for (o = own; o && o->name && strcmp(o->name, name) != 0; o++)
			;
		bool known = (o && o->name) || !strcmp(name, "--device") || !strcmp(name, "--set") ||
			     !strcmp(name, "--frames") || !strcmp(name, "--timeout-ms") || !strcmp(name, "--dump") ||
			     !strcmp(name, "--reopen-ms");
		if (!known)
			bad_args(prog, own, "unknown option '%s'", arg);
		if (!value) {
			if (i + 1 >= argc)
				bad_args(prog, own, "%s needs a value", name);
			value = argv[++i];
		}
		if (o && o->name) {
			*o->value = value;
		} else if (!strcmp(name, "--device")) {
			if (!*value || has_blank(value))
				bad_args(prog, own, "bad --device '%s'", value);
			out->device = value;
		} else if (!strcmp(name, "--set")) {
			if (out->n_sets == ADAPTER_MAX_SETS)
				bad_args(prog, own, "more than %d --set", ADAPTER_MAX_SETS);
			if (!adapter_parse_setting(value, &out->sets[out->n_sets]))
				bad_args(prog, own, "bad --set '%s' (NAME=VALUE, NAME a feature name)", value);
			out->n_sets++;
		} else if (!strcmp(name, "--frames")) {
			if (!parse_count(value, UINT64_MAX >> 1, &n))
				bad_args(prog, own, "bad --frames '%s' (a count from 1)", value);
			out->frames = n;
		} else if (!strcmp(name, "--timeout-ms")) {
			if (!parse_count(value, 24u * 3600 * 1000, &n))
				bad_args(prog, own, "bad --timeout-ms '%s' (1 ms to 24 h)", value);
			out->timeout_ms = (unsigned)n;
		} else if (!strcmp(name, "--reopen-ms")) {
			if (!parse_count(value, 24u * 3600 * 1000, &n))
				bad_args(prog, own, "bad --reopen-ms '%s' (1 ms to 24 h)", value);
			out->reopen_ms = (unsigned)n;
		} else {   /* --dump: its path goes into frame lines, whose values have no blanks */
			if (!*value || has_blank(value) || strlen(value) > 3000)
				bad_args(prog, own, "bad --dump '%s' (a directory path without blanks)", value);
			out->dump_dir = value;
		}
	}
	if (!out->device)
		bad_args(prog, own, "--device is required");
}

/* ---- control lines ---- */

static struct {
	char buf[ADAPTER_LINE_MAX];
	size_t len;
	bool discarding;             /* inside a line that was too long: drop up to its newline */
	bool eof;
} in;

/* One complete line (without its newline): a command, or false when it is not one. */
static bool parse_command(char *line, struct adapter_command *cmd)
{
	size_t n = strlen(line);

	while (n && (line[n - 1] == '\r' || line[n - 1] == ' ' || line[n - 1] == '\t'))
		line[--n] = '\0';
	memset(cmd, 0, sizeof(*cmd));
	if (strcmp(line, "go") == 0) {
		cmd->kind = ADAPTER_CMD_GO;
		return true;
	}
	if (strcmp(line, "stop") == 0) {
		cmd->kind = ADAPTER_CMD_STOP;
		return true;
	}
	if (strncmp(line, "exec ", 5) == 0) {
		/* the same name check as a setting's, through a dummy value */
		char tmp[ADAPTER_NAME_MAX + 3];
		if (snprintf(tmp, sizeof(tmp), "%s=x", line + 5) >= (int)sizeof(tmp) ||
		    !adapter_parse_setting(tmp, &cmd->setting))
			return false;
		cmd->setting.value[0] = '\0';
		cmd->kind = ADAPTER_CMD_EXEC;
		return true;
	}
	if (strncmp(line, "set ", 4) == 0 && adapter_parse_setting(line + 4, &cmd->setting)) {
		cmd->kind = ADAPTER_CMD_SET;
		return true;
	}
	return false;
}

/* Takes the first complete line out of the buffer into *cmd. */
static bool take_line(struct adapter_command *cmd)
{
	for (;;) {
		char *nl = memchr(in.buf, '\n', in.len);
		char line[ADAPTER_LINE_MAX];
		size_t n;

		if (!nl)
			return false;
		n = (size_t)(nl - in.buf);
		memcpy(line, in.buf, n);
		line[n] = '\0';
		in.len -= n + 1;
		memmove(in.buf, nl + 1, in.len);
		if (memchr(line, '\0', n)) {
			fprintf(stderr, "adapter: control line with a NUL byte ignored\n");
			continue;
		}
		if (parse_command(line, cmd))
			return true;
		fprintf(stderr, "adapter: unknown control line ignored: '%s'\n", line);
	}
}

bool adapter_next_command(int timeout_ms, struct adapter_command *cmd)
{
	uint64_t deadline = timeout_ms > 0 ? adapter_now_ms() + (uint64_t)timeout_ms : 0;

	for (;;) {
		struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
		int wait_ms = timeout_ms < 0 ? -1 : 0;
		ssize_t got;

		if (take_line(cmd))
			return true;
		if (in.eof) {
			/* a last line without its newline still counts */
			if (in.len && !in.discarding) {
				in.buf[in.len] = '\0';
				in.len = 0;
				char line[ADAPTER_LINE_MAX];
				memcpy(line, in.buf, sizeof(line));
				if (parse_command(line, cmd))
					return true;
				fprintf(stderr, "adapter: unknown control line ignored: '%s'\n", line);
			}
			memset(cmd, 0, sizeof(*cmd));
			cmd->kind = ADAPTER_CMD_STOP;
			return true;
		}
		if (timeout_ms > 0) {
			uint64_t now = adapter_now_ms();
			wait_ms = now >= deadline ? 0 : (int)(deadline - now);
		}
		int r = poll(&pfd, 1, wait_ms);
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0)
			return false;
		if (r < 0) {
			fprintf(stderr, "adapter: poll(stdin): %s: taken as end of input\n", strerror(errno));
			in.eof = true;
			continue;
		}
		/* one byte less than the buffer: room for the terminator of a last line */
		got = read(STDIN_FILENO, in.buf + in.len, sizeof(in.buf) - 1 - in.len);
		if (got < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (got <= 0) {
			if (got < 0)
				fprintf(stderr, "adapter: read(stdin): %s: taken as end of input\n", strerror(errno));
			in.eof = true;
			continue;
		}
		in.len += (size_t)got;
		if (in.discarding) {
			char *nl = memchr(in.buf, '\n', in.len);
			size_t drop = nl ? (size_t)(nl - in.buf) + 1 : in.len;
			in.len -= drop;
			memmove(in.buf, in.buf + drop, in.len);
			in.discarding = nl == NULL;
		}
		if (in.len == sizeof(in.buf) - 1 && !memchr(in.buf, '\n', in.len)) {
			fprintf(stderr, "adapter: control line longer than %d bytes ignored\n", ADAPTER_LINE_MAX - 2);
			in.len = 0;
			in.discarding = true;
		}
		if (timeout_ms == 0 && !memchr(in.buf, '\n', in.len) && !in.eof)
			return false;
	}
}

bool adapter_serve_commands(int timeout_ms, void (*control)(const struct adapter_command *))
{
	struct adapter_command c;

	while (adapter_next_command(timeout_ms, &c)) {
		if (c.kind == ADAPTER_CMD_STOP)
			return false;
		if (c.kind != ADAPTER_CMD_GO)
			control(&c);
		timeout_ms = 0;
	}
	return true;
}

/* ---- events ---- */

/* A value without blanks, as event lines need (a driver's status name may have any). */
static void print_word(const char *s)
{
	for (; *s; s++)
		putchar(isspace((unsigned char)*s) || !isprint((unsigned char)*s) ? '_' : *s);
}

/* msg= text: one line whatever the driver said. */
static void print_msg(const char *s)
{
	for (; *s; s++)
		putchar(*s == '\n' || *s == '\r' || !isprint((unsigned char)*s) ? ' ' : *s);
}

void adapter_event(const char *word, const char *fmt, ...)
{
	fputs(word, stdout);
	if (fmt) {
		char text[4096];
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(text, sizeof(text), fmt, ap);
		va_end(ap);
		if (text[0]) {
			putchar(' ');
			print_msg(text);
		}
	}
	putchar('\n');
	fflush(stdout);
}

void adapter_hello(const char *driver, const char *version, const char *mode)
{
	fputs("hello driver=", stdout);
	print_word(driver);
	fputs(" version=", stdout);
	print_word(version);
	if (mode) {
		fputs(" mode=", stdout);
		print_word(mode);
	}
	putchar('\n');
	fflush(stdout);
}

void adapter_ready(void) { adapter_event("ready", NULL); }
void adapter_timeout(void) { adapter_event("timeout", NULL); }
static bool have_prev_id;
static uint64_t prev_id;

void adapter_reopened(void)
{
	have_prev_id = false;
	adapter_event("reopened", NULL);
}
void adapter_done(void) { adapter_event("done", NULL); }

void adapter_error(const char *stage, const char *fmt, ...)
{
	char text[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	fputs("error stage=", stdout);
	print_word(stage);
	fputs(" msg=", stdout);
	print_msg(text);
	putchar('\n');
	fflush(stdout);
}

void adapter_lost(const char *msg)
{
	fputs("lost", stdout);
	if (msg && *msg) {
		fputs(" msg=", stdout);
		print_msg(msg);
	}
	putchar('\n');
	fflush(stdout);
}

/* Writes the payload; returns false (errno set) when it could not. */
static bool dump(const char *path, const void *data, size_t size)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	const uint8_t *p = data;

	if (fd < 0)
		return false;
	while (size) {
		ssize_t w = write(fd, p, size);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			int e = w < 0 ? errno : EIO;
			close(fd);
			errno = e;
			return false;
		}
		p += w;
		size -= (size_t)w;
	}
	return close(fd) == 0;
}

bool adapter_frame(const struct adapter_args *args, const struct adapter_frame *f)
{
	static const char *const names[] = { "ok", "incomplete", "bad" };
	static uint64_t printed;
	char path[4096];
	bool dumped = false;

	/* ids the driver skipped: the frames between never arrived (the driver's own account) */
	if (have_prev_id && f->id > prev_id + 1)
		adapter_event("gap", "from=%" PRIu64 " to=%" PRIu64, prev_id + 1, f->id);
	have_prev_id = true;
	prev_id = f->id;
	if (args->dump_dir && (f->data || f->size == 0)) {
		/* the line number first: ids start again after a reopen */
		snprintf(path, sizeof(path), "%s/frame-%" PRIu64 "-%" PRIu64 ".raw", args->dump_dir, printed + 1, f->id);
		dumped = dump(path, f->data, f->size);
		if (!dumped)
			fprintf(stderr, "adapter: cannot write %s: %s\n", path, strerror(errno));
	}
	printf("frame id=%" PRIu64 " size=%zu status=%s", f->id, f->size, names[f->status]);
	if (f->detail) {
		fputs(" detail=", stdout);
		print_word(f->detail);
	}
	if (f->has_timestamp)
		printf(" ts=%" PRIu64, f->timestamp_ns);
	if (f->has_image)
		printf(" width=%" PRIu32 " height=%" PRIu32 " x=%" PRIu32 " y=%" PRIu32 " pixfmt=0x%08" PRIx32, f->width,
		       f->height, f->offset_x, f->offset_y, f->pixel_format);
	if (dumped)
		printf(" file=%s", path);
	putchar('\n');
	fflush(stdout);
	printed++;
	return args->frames && printed >= args->frames;
}
