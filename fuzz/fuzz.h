/* SPDX-License-Identifier: MIT */
/* Shared pieces of the libFuzzer targets (fuzz/README.md). Each target links
 * the emulator library with `-Wl,--wrap=` for net_listen, accept4, log_msg and
 * sensor_render: the seams below replace them with fuzzing stand-ins. */
#ifndef DFK_FUZZ_H
#define DFK_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "../emulator/common/log.h"
#include "../emulator/device.h"

/* libFuzzer's entry point (also called by fuzz/replay_main.c). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Listen spec that makes usbip_server_new() take the in-process listener:
 * connections come from fuzz_usbip_connect(), not from TCP. */
#define FUZZ_LISTEN_SPEC "fuzz:0"
/* A socketpair whose other end the fake listener hands to the server's next
 * accept; returns our end (non-blocking), or -1. */
int fuzz_usbip_connect(void);

/* Once per process: quiet logs, SIGPIPE ignored, a private temporary
 * directory that every file the targets write lives in (removed at exit, or
 * by a later run when a crash skipped that). */
void fuzz_init(void);
const char *fuzz_tmpdir(void);
/* DFK_FUZZ_LOG set: the emulator's log and the targets' traces go to stderr (seed debugging). */
bool fuzz_verbose(void);

/* One camera as main.c makes it, state in fuzz_tmpdir()/<serial>/. Its
 * attach callback is wrapped so each power-up starts with the smallest frame;
 * flash writes take no host time.
 * The sensor shows the test pattern: a scene frame costs ten times as much
 * (targets switch to the scene on request of the input). */
int fuzz_device_init(struct emu_device *d, struct evloop *loop, double time_scale);
/* Forget the non-volatile memory (user sets, user name), so a power-up is factory-fresh. */
void fuzz_device_wipe_state(struct emu_device *d);
/* Smallest ROI: keeps rendering cheap after a power-up. */
void fuzz_small_frames(struct emu_device *d);

/* Reads bytes off a fuzz input. */
struct fuzz_in {
	const uint8_t *p;
	size_t n;
};
uint8_t fuzz_u8(struct fuzz_in *in);
uint16_t fuzz_u16(struct fuzz_in *in);
uint32_t fuzz_u32(struct fuzz_in *in);
uint64_t fuzz_u64(struct fuzz_in *in);

/* Reads everything readable from a non-blocking fd: returns the bytes read and
 * sets *closed at EOF or error. */
long fuzz_drain(int fd, bool *closed);

/* The link-time seams (see the top of this file). */
struct sensor;
struct sensor_settings;
int __real_net_listen(const char *spec, int backlog, bool loopback_only, const char *what, char *bound,
		      size_t bound_len);
int __wrap_net_listen(const char *spec, int backlog, bool loopback_only, const char *what, char *bound,
		      size_t bound_len);
int __real_accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags);
int __wrap_accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags);
void __wrap_log_msg(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int __real_sensor_render(struct sensor *s, const struct sensor_settings *st, uint8_t *out, size_t out_len);
int __wrap_sensor_render(struct sensor *s, const struct sensor_settings *st, uint8_t *out, size_t out_len);
int __real_sensor_pattern_slice(struct sensor *s, const struct sensor_settings *st, struct blob **strip,
				size_t *offset, size_t *rendered);
int __wrap_sensor_pattern_slice(struct sensor *s, const struct sensor_settings *st, struct blob **strip,
				size_t *offset, size_t *rendered);
int __real_sensor_render_rows_from(struct sensor *s, const struct sensor_settings *st, uint32_t y0, uint32_t y1,
				   uint8_t *out, size_t out_len, const struct sensor_settings *prev_st, const uint8_t *prev,
				   size_t *copied);
int __wrap_sensor_render_rows_from(struct sensor *s, const struct sensor_settings *st, uint32_t y0, uint32_t y1,
				   uint8_t *out, size_t out_len, const struct sensor_settings *prev_st, const uint8_t *prev,
				   size_t *copied);
int __real_sensor_render_rows(struct sensor *s, const struct sensor_settings *st, uint32_t y0, uint32_t y1,
			      uint8_t *out, size_t out_len);
int __wrap_sensor_render_rows(struct sensor *s, const struct sensor_settings *st, uint32_t y0, uint32_t y1,
			      uint8_t *out, size_t out_len);

#endif
