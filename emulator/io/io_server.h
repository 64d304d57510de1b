/* The I/O side channel (docs/io-protocol.md): a local Unix socket standing for
 * the camera's I/O connector and a test bench around it. */
#ifndef DFK_IO_SERVER_H
#define DFK_IO_SERVER_H

#include "../common/evloop.h"

struct emu_device;
struct io_server;

/* Creates the socket (mode 0600). Returns NULL with a log line on failure. */
struct io_server *io_server_new(struct evloop *loop, const char *path, struct emu_device **devices, unsigned n);
void io_server_free(struct io_server *s);

#endif
