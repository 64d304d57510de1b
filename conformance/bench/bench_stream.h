/* SPDX-License-Identifier: MIT */
/* dfk-bench: stream throughput per pixel format (see bench_stream.c). */
#ifndef CONFORM_BENCH_STREAM_H
#define CONFORM_BENCH_STREAM_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct bench_opts {
	double seconds;          /* measured window per format */
	double warmup;           /* frames read before the window opens */
	unsigned depth;          /* bulk IN transfers in flight */
	uint32_t width, height;
	bool marks;              /* @stream-start / @stream-end lines for a supervisor */
};

struct bench_result {
	char format[32];
	uint32_t width, height;
	double fps_set;          /* AcquisitionFrameRate as set (its maximum) */
	uint64_t payload;        /* SIRM required payload size */
	uint64_t frames;         /* frames in the window, its opening one included */
	uint64_t incomplete, resyncs;
	uint64_t gaps, lost;     /* block-id jumps between complete frames, ids skipped (whole run) */
	uint64_t bytes;          /* payload bytes of the window's frames after its opening one */
	double seconds;          /* the window: its first frame's end to its last's */
	double startup_s;        /* AcquisitionStart to the first frame */
	double fps, mbps;        /* mbps: 10^6 bytes per second */
	double client_cpu;       /* % of one core over the window */
	double lag_ms;           /* spread of (arrival - device timestamp) over the window */
	char error[256];
};

/* Sets the format up (full speed), streams for o->seconds. Returns 0 or -errno (r->error says why). */
int bench_format(const struct bench_opts *o, const char *format, struct bench_result *r);
void bench_print_header(FILE *out);
void bench_print_row(FILE *out, const struct bench_result *r);

#endif
