/* SPDX-License-Identifier: MIT */
/* io_line: the I/O side channel's line protocol (docs/io-protocol.md) through
 * io_server's own connection path: a Unix socket client sends the input in
 * chunks, the event loop runs between them, replies are drained and dropped.
 *
 * Input: byte 0 sets the bench up, the rest is the text sent.
 *   bit 0     device clock at time scale 1 (else 0: moves only when told)
 *   bit 1     TriggerMode On and AcquisitionStart (frames only on triggers, so a
 *             `clock advance` costs what the waveform asks, never a free-running stream)
 *   bit 2     StrobeEnable On
 *   bit 3     the natural scene instead of the test pattern
 *   bits 4-6  chunk size: everything, 1, 2, 7, 16, 64, 256 or 1024 bytes
 *
 * Files: `vcd start NAME` can only write inside the trace directory given to
 * io_server_new(), a directory of the private temporary directory that is
 * emptied after each input; the target never chdirs (libFuzzer writes its
 * artifacts relative to the working directory). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "../emulator/common/evloop.h"
#include "../emulator/io/io_server.h"
#include "fuzz.h"

#define TAIL_ROUNDS 16

static struct {
	struct evloop *loop;
	struct io_server *io;
	struct emu_device dev;
	struct emu_device *devs[1];
	char sock[108];
	char traces[512];
} F;

static void setup_once(void)
{
	fuzz_init();
	snprintf(F.sock, sizeof(F.sock), "%s/io.sock", fuzz_tmpdir());
	snprintf(F.traces, sizeof(F.traces), "%s/traces", fuzz_tmpdir());
	if (mkdir(F.traces, 0700) < 0)
		abort();
	F.loop = evloop_new();
	if (!F.loop || fuzz_device_init(&F.dev, F.loop, 0.0) < 0)
		abort();
	F.devs[0] = &F.dev;
	F.io = io_server_new(F.loop, F.sock, F.traces, F.devs, 1);
	if (!F.io)
		abort();
}

static void set_enum(const char *name, const char *entry)
{
	struct feature_store *fs = &F.dev.cam.fs;
	const struct feature_def *d = feature_def(fs, feature_index(fs, name));
	const struct enum_entry *e = d ? model_enum_entry(d, entry) : NULL;

	if (e)
		feature_set_int(fs, name, e->value);
}

/* Power-up with the input's bench settings; nothing of the last input survives. */
static void bench_setup(uint8_t mode)
{
	struct camera *cam = &F.dev.cam;

	emu_device_vcd_stop(&F.dev);
	F.dev.exp.attached(F.dev.exp.ctx, false);
	clock_init(&cam->clock, mode & 1 ? 1.0 : 0.0);
	cam->opt.time_scale = mode & 1 ? 1.0 : 0.0;
	cam->opt.source = mode & 8 ? SENSOR_SOURCE_SCENE : SENSOR_SOURCE_PATTERN;
	cam->opt.seed = 0;
	cam->light_level = 1.0;
	cam->light_kelvin = 4800.0;
	cam->scene_still = false;
	F.dev.exp.attached(F.dev.exp.ctx, true);
	if (mode & 4)
		set_enum("StrobeEnable", "On");
	if (mode & 2) {
		set_enum("TriggerMode", "On");
		feature_set_int(&cam->fs, "AcquisitionStart", 1);
	}
}

static void wipe_traces(void)
{
	DIR *dir = opendir(F.traces);
	struct dirent *e;
	char path[sizeof(F.traces) + 256];

	if (!dir)
		return;
	while ((e = readdir(dir))) {
		if (e->d_name[0] == '.' && (!e->d_name[1] || (e->d_name[1] == '.' && !e->d_name[2])))
			continue;
		snprintf(path, sizeof(path), "%s/%s", F.traces, e->d_name);
		unlink(path);
	}
	closedir(dir);
}

static int connect_io(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	memcpy(sa.sun_path, F.sock, strlen(F.sock) + 1);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t chunks[8] = { SIZE_MAX, 1, 2, 7, 16, 64, 256, 1024 };
	size_t off = 1, chunk;
	unsigned stuck = 0;
	bool closed = false;
	int fd;

	if (!F.loop)
		setup_once();
	if (size == 0)
		return 0;
	bench_setup(data[0]);
	chunk = chunks[(data[0] >> 4) & 7];
	fd = connect_io();
	if (fd < 0)
		abort();
	evloop_run_once(F.loop, 0);   /* accept */

	while (off < size && !closed) {
		size_t n = size - off < chunk ? size - off : chunk;
		ssize_t w = send(fd, data + off, n, MSG_NOSIGNAL);
		if (w > 0)
			off += (size_t)w;
		else if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
			closed = true;
		evloop_run_once(F.loop, 0);
		fuzz_drain(fd, &closed);
		stuck = w > 0 ? 0 : stuck + 1;
		if (stuck > 64)
			break;
	}
	for (int i = 0; i < TAIL_ROUNDS && !closed; i++) {
		evloop_run_once(F.loop, 0);
		fuzz_drain(fd, &closed);
	}
	close(fd);
	evloop_run_once(F.loop, 0);   /* the server sees the hang-up */
	evloop_run_once(F.loop, 0);   /* and reaps the connection */
	emu_device_vcd_stop(&F.dev);
	wipe_traces();
	/* `interface uvc` switched the face: the next input starts from USB3 Vision again */
	if (F.dev.face != EMU_FACE_U3V)
		emu_device_set_face(&F.dev, EMU_FACE_U3V);
	return 0;
}
