/* SPDX-License-Identifier: MIT */
/* Child processes of the runner: the emulator, the usbip tool, and the adapter
 * (the driver under test), which may hang or crash and must never take the
 * runner with it: it runs in its own process group, is killed as a group, and
 * its output is read without blocking, in bounded lines. */
#ifndef DT_PROC_H
#define DT_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Starts argv with stdout and stderr appended to log_path. */
int proc_spawn_logged(const char *const argv[], const char *log_path, pid_t *pid, char *err, size_t errlen);
/* Runs argv with output discarded; returns its exit status, or -1 (not started,
 * killed, or still running after timeout_ms: then killed). */
int proc_run_quiet(const char *const argv[], unsigned timeout_ms);
/* Runs argv and keeps up to len-1 bytes of its stdout (NUL-terminated). Returns the exit status or -1. */
int proc_capture(const char *const argv[], char *out, size_t len, unsigned timeout_ms);

/* A monotonic clock in ns. */
unsigned long long proc_now_ns(void);

/* The adapter: stdin, stdout and stderr on pipes. */
struct child {
	pid_t pid;
	int in_fd, out_fd, err_fd;   /* -1 when closed */
	bool exited;
	bool unkillable;             /* still there 5 s after SIGKILL (stuck in the kernel) */
	int status;                  /* waitpid status once exited */
	/* stdout, split into lines */
	char buf[8192];
	size_t len;
	bool overlong;               /* discarding the rest of a too long line */
};

int child_spawn(struct child *c, const char *const argv[], char *err, size_t errlen);
/* Writes one line to the child's stdin (a newline is added). Returns 0 or -1 (it is gone). */
int child_send(struct child *c, const char *line);
/* Closes stdin: the adapter reads end of input (= stop). */
void child_close_stdin(struct child *c);
/* SIGTERM to its group, SIGKILL 2 s later if it is still there; reaps it. */
void child_kill(struct child *c);
/* Reaps it if it has exited; true once it has. */
bool child_reap(struct child *c);
void child_free(struct child *c);

#endif
