/* SPDX-License-Identifier: MIT */
/* Helpers and link-time seams shared by the fuzz targets (fuzz.h). */
#include "fuzz.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/un.h>
#include <unistd.h>

#include "../emulator/common/errors.h"
#include "../emulator/sensor/sensor.h"

/* Larger frames are filled, not rendered: see __wrap_sensor_render. */
#define FUZZ_MAX_PIXELS (256u * 64u)

/* short, so that paths built on it fit their buffers */
static char tmpdir[256];
static bool log_verbose;

/* ---- process set-up ---- */

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

static void remove_tmpdir(void)
{
	if (tmpdir[0])
		nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* A crashing target never reaches atexit(): the directories of processes that
 * are gone ("dfk-fuzz-PID-XXXXXX") are removed by the next one. */
static void remove_stale(const char *base)
{
	DIR *dir = opendir(base);
	struct dirent *e;
	char path[PATH_MAX];
	int pid, end;

	if (!dir)
		return;
	while ((e = readdir(dir))) {
		end = 0;
		if (sscanf(e->d_name, "dfk-fuzz-%d-%n", &pid, &end) != 1 || !end || pid <= 0 || kill(pid, 0) == 0 ||
		    errno != ESRCH)
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", base, e->d_name) < (int)sizeof(path))
			nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	}
	closedir(dir);
}

void fuzz_init(void)
{
	static bool done;
	const char *base = getenv("TMPDIR");

	if (done)
		return;
	done = true;
	log_verbose = getenv("DFK_FUZZ_LOG") != NULL;
	signal(SIGPIPE, SIG_IGN);   /* as main.c: a vanished peer is an error return, not a signal */
	/* tmpfs when there is one: the state files are fsync'ed on every save */
	if (!base || !*base)
		base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	remove_stale(base);
	if (snprintf(tmpdir, sizeof(tmpdir), "%s/dfk-fuzz-%d-XXXXXX", base, (int)getpid()) >= (int)sizeof(tmpdir) ||
	    !mkdtemp(tmpdir)) {
		fprintf(stderr, "fuzz: cannot create a temporary directory in %s: %s\n", base, strerror(errno));
		abort();
	}
	atexit(remove_tmpdir);
}

bool fuzz_verbose(void)
{
	fuzz_init();
	return log_verbose;
}

const char *fuzz_tmpdir(void)
{
	fuzz_init();
	return tmpdir;
}

/* ---- the camera ---- */

static void (*device_attached)(void *ctx, bool attached);

static void attached_small(void *ctx, bool attached)
{
	device_attached(ctx, attached);
	if (attached)
		fuzz_small_frames(ctx);
}

int fuzz_device_init(struct emu_device *d, struct evloop *loop, double time_scale)
{
	const struct camera_model *model = builtin_models[0];
	const char *serial = model->identity.default_serial;
	char dir[PATH_MAX];
	struct emu_device_config cfg = {
		.model = model, .serial = serial, .state_dir = dir, .bus_index = 1,
		.opt = { .time_scale = time_scale, .source = SENSOR_SOURCE_PATTERN, .seed = 0 },
	};
	int rc;

	snprintf(dir, sizeof(dir), "%s/%s", fuzz_tmpdir(), serial);
	rc = emu_device_init(d, loop, &cfg);
	if (rc < 0)
		return rc;
	device_attached = d->exp.attached;
	d->exp.attached = attached_small;
	/* flash writes finish on a host-time timer: at 0 ms they complete in the next loop
	 * round, not depending on how fast the fuzzer happens to run */
	d->u3v.ctl.flash_ms = 0;
	fuzz_small_frames(d);
	return DFK_OK;
}

void fuzz_device_wipe_state(struct emu_device *d)
{
	DIR *dir = opendir(d->cam.state_dir);
	struct dirent *e;
	char path[PATH_MAX + 256];

	if (!dir)
		return;
	while ((e = readdir(dir))) {
		/* the lock stays: the camera holds it for the life of the process */
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") || !strcmp(e->d_name, "lock"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", d->cam.state_dir, e->d_name);
		unlink(path);
	}
	closedir(dir);
}

void fuzz_small_frames(struct emu_device *d)
{
	static const char *const names[] = { "Width", "Height" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const struct feature_def *def = feature_def(&d->cam.fs, feature_index(&d->cam.fs, names[i]));
		if (def)
			feature_set_int(&d->cam.fs, names[i], def->min);
	}
}

/* ---- input and socket helpers ---- */

uint8_t fuzz_u8(struct fuzz_in *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

uint16_t fuzz_u16(struct fuzz_in *in)
{
	uint16_t v = fuzz_u8(in);

	return (uint16_t)(v | fuzz_u8(in) << 8);
}

uint32_t fuzz_u32(struct fuzz_in *in)
{
	uint32_t v = fuzz_u16(in);

	return v | (uint32_t)fuzz_u16(in) << 16;
}

uint64_t fuzz_u64(struct fuzz_in *in)
{
	uint64_t v = fuzz_u32(in);

	return v | (uint64_t)fuzz_u32(in) << 32;
}

long fuzz_drain(int fd, bool *closed)
{
	static uint8_t buf[64 * 1024];
	long total = 0;

	for (;;) {
		ssize_t r = read(fd, buf, sizeof(buf));
		if (r > 0) {
			total += r;
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
			*closed = true;
		return total;
	}
}

/* ---- seams ---- */

/* The USB/IP server only accepts from a listening socket; an eventfd stands in
 * for it, readable while a socketpair end waits to be "accepted". */
static int fake_lfd = -1;
static int fake_pending = -1;

int __wrap_net_listen(const char *spec, int backlog, bool loopback_only, const char *what, char *bound,
		      size_t bound_len)
{
	if (strcmp(spec, FUZZ_LISTEN_SPEC) != 0)
		return __real_net_listen(spec, backlog, loopback_only, what, bound, bound_len);
	if (fake_lfd < 0)
		fake_lfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	snprintf(bound, bound_len, "%s", FUZZ_LISTEN_SPEC);
	return fake_lfd < 0 ? DFK_ERR_IO : fake_lfd;
}

int __wrap_accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags)
{
	uint64_t v;
	int cfd;

	if (fd < 0 || fd != fake_lfd)
		return __real_accept4(fd, addr, len, flags);
	if (read(fake_lfd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		return -1;
	if (fake_pending < 0) {
		errno = EAGAIN;
		return -1;
	}
	cfd = fake_pending;
	fake_pending = -1;
	if (addr && len && *len >= sizeof(sa_family_t)) {
		addr->sa_family = AF_UNIX;
		*len = sizeof(sa_family_t);
	}
	return cfd;
}

int fuzz_usbip_connect(void)
{
	uint64_t one = 1;
	int sv[2];

	if (fake_lfd < 0 || fake_pending >= 0)
		return -1;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) < 0)
		return -1;
	fake_pending = sv[1];
	if (write(fake_lfd, &one, sizeof(one)) != sizeof(one)) {
		close(sv[0]);
		close(sv[1]);
		fake_pending = -1;
		return -1;
	}
	return sv[0];
}

void __wrap_log_msg(enum log_level lvl, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	/* formatted even when dropped, so the sanitizers still see every argument */
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (log_verbose)
		fprintf(stderr, "dfk-emu: log %d: %s\n", (int)lvl, buf);
}

int __wrap_sensor_render(struct sensor *s, const struct sensor_settings *st, uint8_t *out, size_t out_len)
{
	size_t len = sensor_payload_size(st);

	/* A fuzzed ROI may ask for the full 8.8 Mpixel frame; its pixels say nothing
	 * about the input, so fill it and keep the targets fast. */
	if ((uint64_t)st->width * st->height > FUZZ_MAX_PIXELS && len && len <= out_len) {
		memset(out, 0x80, len);
		return DFK_OK;
	}
	return __real_sensor_render(s, st, out, out_len);
}

int __wrap_sensor_pattern_slice(struct sensor *s, const struct sensor_settings *st, struct blob **strip,
				size_t *offset, size_t *rendered)
{
	/* large frames go the way of __wrap_sensor_render_rows */
	if ((uint64_t)st->width * st->height > FUZZ_MAX_PIXELS) {
		*rendered = 0;
		return DFK_ERR_NOTSUP;
	}
	return __real_sensor_pattern_slice(s, st, strip, offset, rendered);
}

int __wrap_sensor_render_rows_from(struct sensor *s, const struct sensor_settings *st, uint32_t y0, uint32_t y1,
				   uint8_t *out, size_t out_len, const struct sensor_settings *prev_st, const uint8_t *prev,
				   size_t *copied)
{
	/* the render queue's way in: large frames are filled like __wrap_sensor_render's */
	if ((uint64_t)st->width * st->height > FUZZ_MAX_PIXELS) {
		*copied = 0;
		return __wrap_sensor_render_rows(s, st, y0, y1, out, out_len);
	}
	return __real_sensor_render_rows_from(s, st, y0, y1, out, out_len, prev_st, prev, copied);
}

int __wrap_sensor_render_rows(struct sensor *s, const struct sensor_settings *st, uint32_t y0, uint32_t y1,
			      uint8_t *out, size_t out_len)
{
	size_t row = sensor_row_bytes(st);

	/* the camera renders frames in strips (render_queue.h): the same shortcut */
	if ((uint64_t)st->width * st->height > FUZZ_MAX_PIXELS && row && y0 <= y1 && y1 <= st->height &&
	    out_len / row >= y1 - y0) {
		memset(out, 0x80, (size_t)(y1 - y0) * row);
		return DFK_OK;
	}
	return __real_sensor_render_rows(s, st, y0, y1, out, out_len);
}
