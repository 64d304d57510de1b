/* SPDX-License-Identifier: MIT */
/* The I/O side channel (docs/io-protocol.md): a local Unix socket standing for
 * the camera's I/O connector and a test bench around it. */
#ifndef DFK_IO_SERVER_H
#define DFK_IO_SERVER_H

#include "../common/evloop.h"

struct emu_device;
struct io_server;

/* `spec`: a Unix socket path (created mode 0600), or tcp:ADDR:PORT on a loopback
 * address (port 0 = any free one). `trace_dir`: the directory `vcd start NAME`
 * writes in (NULL: any path, and only over the Unix socket; kept by the caller).
 * Returns NULL with a log line on failure. */
struct io_server *io_server_new(struct evloop *loop, const char *spec, const char *trace_dir,
				struct emu_device **devices, unsigned n);
/* PATH, or tcp:ADDR:PORT as bound (the real port when 0 was asked). */
const char *io_server_address(const struct io_server *s);
void io_server_free(struct io_server *s);

#endif
