/* SPDX-License-Identifier: MIT */
#include "runner/proc.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

unsigned long long proc_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec;
}

static void nap_ms(unsigned ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* In the child, after fork: the fds given become 0, 1, 2; its own process group; it dies
 * with the runner (a runner killed by its CI job must not leave a driver or an emulator behind). */
static void exec_child(const char *const argv[], int in, int out, int errfd)
{
	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	signal(SIGPIPE, SIG_DFL);
	if ((in >= 0 && dup2(in, 0) < 0) || (out >= 0 && dup2(out, 1) < 0) || (errfd >= 0 && dup2(errfd, 2) < 0))
		_exit(127);
	execvp(argv[0], (char *const *)argv);
	dprintf(2, "%s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

int proc_spawn_logged(const char *const argv[], const char *log_path, pid_t *pid, char *err, size_t errlen)
{
	int log = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	int nul = open("/dev/null", O_RDONLY | O_CLOEXEC);
	pid_t p;

	if (log < 0 || nul < 0) {
		snprintf(err, errlen, "%s: %s", log_path, strerror(errno));
		if (log >= 0)
			close(log);
		if (nul >= 0)
			close(nul);
		return -1;
	}
	p = fork();
	if (p == 0)
		exec_child(argv, nul, log, log);
	close(log);
	close(nul);
	if (p < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		return -1;
	}
	*pid = p;
	return 0;
}

static int wait_for(pid_t p, unsigned timeout_ms)
{
	int st;

	for (unsigned waited = 0;; waited += 10) {
		pid_t r = waitpid(p, &st, WNOHANG);

		if (r == p)
			return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
		if (r < 0 && errno != EINTR)
			return -1;
		if (waited >= timeout_ms) {
			kill(-p, SIGKILL);
			kill(p, SIGKILL);
			waitpid(p, NULL, 0);
			return -1;
		}
		nap_ms(10);
	}
}

int proc_run_quiet(const char *const argv[], unsigned timeout_ms)
{
	int nul = open("/dev/null", O_RDWR | O_CLOEXEC);
	pid_t p;

	if (nul < 0)
		return -1;
	p = fork();
	if (p == 0)
		exec_child(argv, nul, nul, nul);
	close(nul);
	if (p < 0)
		return -1;
	return wait_for(p, timeout_ms);
}

int proc_capture(const char *const argv[], char *out, size_t len, unsigned timeout_ms)
{
	int fds[2], nul;
	size_t have = 0;
	unsigned long long deadline = proc_now_ns() + (unsigned long long)timeout_ms * 1000000ull;
	pid_t p;

	if (len == 0 || pipe2(fds, O_CLOEXEC) < 0)
		return -1;
	nul = open("/dev/null", O_RDWR | O_CLOEXEC);
	p = fork();
	if (p == 0)
		exec_child(argv, nul, fds[1], nul);
	close(fds[1]);
	if (nul >= 0)
		close(nul);
	if (p < 0) {
		close(fds[0]);
		return -1;
	}
	fcntl(fds[0], F_SETFL, O_NONBLOCK);
	for (;;) {
		char tmp[1024];
		ssize_t n = read(fds[0], tmp, sizeof(tmp));

		if (n > 0) {
			size_t k = (size_t)n < len - 1 - have ? (size_t)n : len - 1 - have;

			memcpy(out + have, tmp, k);
			have += k;
			continue;
		}
		if (n == 0 || (errno != EAGAIN && errno != EINTR) || proc_now_ns() > deadline)
			break;
		nap_ms(5);
	}
	close(fds[0]);
	out[have] = 0;
	return wait_for(p, proc_now_ns() > deadline ? 0 : timeout_ms);
}

int child_spawn(struct child *c, const char *const argv[], char *err, size_t errlen)
{
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, er[2] = { -1, -1 };
	pid_t p;

	memset(c, 0, sizeof(*c));
	c->in_fd = c->out_fd = c->err_fd = -1;
	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0 || pipe2(er, O_CLOEXEC) < 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		goto fail;
	}
	p = fork();
	if (p == 0)
		exec_child(argv, in[0], out[1], er[1]);
	if (p < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		goto fail;
	}
	setpgid(p, p);   /* also here: no race with kill(-pid) */
	close(in[0]);
	close(out[1]);
	close(er[1]);
	c->pid = p;
	c->in_fd = in[1];
	c->out_fd = out[0];
	c->err_fd = er[0];
	fcntl(c->in_fd, F_SETFL, O_NONBLOCK);
	fcntl(c->out_fd, F_SETFL, O_NONBLOCK);
	fcntl(c->err_fd, F_SETFL, O_NONBLOCK);
	return 0;
fail:
	for (int i = 0; i < 2; i++) {
		if (in[i] >= 0)
			close(in[i]);
		if (out[i] >= 0)
			close(out[i]);
		if (er[i] >= 0)
			close(er[i]);
	}
	return -1;
}

int child_send(struct child *c, const char *line)
{
	char buf[600];
	int n = snprintf(buf, sizeof(buf), "%s\n", line);
	size_t off = 0;

	if (c->in_fd < 0 || n < 0 || (size_t)n >= sizeof(buf))
		return -1;
	/* a few hundred bytes into a pipe the adapter should be reading: wait at most 1 s */
	for (int tries = 0; off < (size_t)n && tries < 200; tries++) {
		ssize_t w = write(c->in_fd, buf + off, (size_t)n - off);

		if (w > 0)
			off += (size_t)w;
		else if (w < 0 && errno != EAGAIN && errno != EINTR)
			return -1;
		else
			nap_ms(5);
	}
	return off == (size_t)n ? 0 : -1;
}

void child_close_stdin(struct child *c)
{
	if (c->in_fd >= 0) {
		close(c->in_fd);
		c->in_fd = -1;
	}
}

bool child_reap(struct child *c)
{
	if (!c->exited && c->pid > 0 && waitpid(c->pid, &c->status, WNOHANG) == c->pid) {
		c->exited = true;
		kill(-c->pid, SIGKILL);   /* whatever it left running in its group */
	}
	return c->exited;
}

void child_kill(struct child *c)
{
	if (c->pid <= 0 || child_reap(c))
		return;
	kill(-c->pid, SIGTERM);
	for (int i = 0; i < 200 && !child_reap(c); i++)
		nap_ms(10);
	if (!child_reap(c)) {
		kill(-c->pid, SIGKILL);
		/* a process stuck in the kernel (a USB call that never returns) ignores even
		 * SIGKILL: give up after 5 s rather than hang the run with it */
		for (int i = 0; i < 500 && !child_reap(c); i++)
			nap_ms(10);
		c->unkillable = !c->exited;
	}
}

void child_free(struct child *c)
{
	child_close_stdin(c);
	if (c->out_fd >= 0)
		close(c->out_fd);
	if (c->err_fd >= 0)
		close(c->err_fd);
	c->out_fd = c->err_fd = -1;
}
