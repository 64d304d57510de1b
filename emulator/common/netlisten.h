/* SPDX-License-Identifier: MIT */
/* TCP listening sockets from "ADDR:PORT" / "[V6ADDR]:PORT" specs (port 0 = any
 * free port), shared by the USB/IP server and the I/O side channel. */
#ifndef DFK_NETLISTEN_H
#define DFK_NETLISTEN_H

#include <stdbool.h>
#include <stddef.h>

/* A non-blocking, close-on-exec listening socket. With loopback_only, addresses
 * outside 127.0.0.0/8 and ::1 are refused. `bound` receives the address actually
 * bound ("127.0.0.1:41234", "[::1]:3240"). Returns the fd, or a negative dfk_err
 * (DFK_ERR_INVAL bad spec or not loopback, DFK_ERR_IO), logged with `what`. */
int net_listen(const char *spec, int backlog, bool loopback_only, const char *what, char *bound, size_t bound_len);

#endif
