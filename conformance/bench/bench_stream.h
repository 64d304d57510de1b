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
	double fps;              /* AcquisitionFrameRate to set; 0 = its maximum */
	bool control_probe;      /* a GenCP READMEM after each frame of the window, timed */
};

#define BENCH_PROBES_MAX 100000

struct bench_probe {
	uint64_t n, failed;
	double p50_us, p99_us, max_us;
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
	struct bench_probe control;   /* --control-probe: round trips while the stream runs */
	char error[256];
};

/* Sets the format up (full speed), streams for o->seconds. Returns 0 or -errno (r->error says why). */
int bench_format(const struct bench_opts *o, const char *format, struct bench_result *r);
void bench_print_header(FILE *out);
void bench_print_row(FILE *out, const struct bench_result *r);
/* `control: n=N failed=F p50_us=.. p99_us=.. max_us=..` */
void bench_print_probe(FILE *out, const struct bench_result *r);

#endif
