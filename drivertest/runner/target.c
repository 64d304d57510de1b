/* SPDX-License-Identifier: MIT */
#include "runner/target.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "runner/proc.h"
#include "xport.h"

#define DEVLOG_CAP 1000000   /* events kept per scenario */

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* dfk-emu next to this program (a build directory or an installed bin/), else $PATH's. */
static void find_emu(char *out, size_t len)
{
	char self[512];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n > 0) {
		char *slash;

		self[n] = 0;
		slash = strrchr(self, '/');
		if (slash) {
			snprintf(slash + 1, sizeof(self) - (size_t)(slash + 1 - self), "dfk-emu");
			if (access(self, X_OK) == 0) {
				snprintf(out, len, "%s", self);
				return;
			}
		}
	}
	snprintf(out, len, "dfk-emu");
}

/* Waits for dfk-emu's start-up lines in its log: where it listens, where its side channel is. */
static int read_ports(struct target *t, char *err, size_t errlen)
{
	for (int tries = 0; tries < 200; tries++) {
		char buf[8192];
		int fd = open(t->log, O_RDONLY | O_CLOEXEC);
		ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
		const char *l, *io;

		if (fd >= 0)
			close(fd);
		if (n > 0) {
			buf[n] = 0;
			l = strstr(buf, "listening on ");
			io = strstr(buf, "I/O side channel on ");
			if (l && io) {
				char host[128];
				int port;

				if (sscanf(l + 13, "%127[^:]:%d", host, &port) == 2) {
					snprintf(t->host, sizeof(t->host), "%s", host);
					t->port = port;
				}
				if (sscanf(io + 20, "%255s", t->io_path) == 1 && t->port > 0)
					return 0;
			}
		}
		if (waitpid(t->emu_pid, NULL, WNOHANG) == t->emu_pid) {
			t->emu_pid = 0;
			snprintf(err, errlen, "dfk-emu exited at start (its log: %s)", t->log);
			return -1;
		}
		sleep_ms(25);
	}
	snprintf(err, errlen, "dfk-emu did not say where it listens within 5 s (its log: %s)", t->log);
	return -1;
}

static int start_emulator(struct target *t, char *err, size_t errlen)
{
	char emu[512], seed[16], state[300];
	const char *argv[24];
	int n = 0;

	if (t->opt.emu_path)
		snprintf(emu, sizeof(emu), "%s", t->opt.emu_path);
	else
		find_emu(emu, sizeof(emu));
	snprintf(seed, sizeof(seed), "%u", t->opt.pattern_seed);
	snprintf(state, sizeof(state), "%s/emu-state", t->opt.work_dir);
	snprintf(t->log, sizeof(t->log), "%s/emulator.log", t->opt.work_dir);
	argv[n++] = emu;
	argv[n++] = "--listen";
	argv[n++] = "127.0.0.1:0";
	argv[n++] = "--io";
	argv[n++] = "tcp:127.0.0.1:0";
	argv[n++] = "--source";
	argv[n++] = "pattern";
	argv[n++] = "--seed";
	argv[n++] = seed;
	argv[n++] = "--time-scale";
	argv[n++] = "0";
	argv[n++] = "--state-dir";
	argv[n++] = state;
	if (t->opt.model) {
		argv[n++] = "--model";
		argv[n++] = t->opt.model;
	}
	argv[n] = NULL;
	if (proc_spawn_logged(argv, t->log, &t->emu_pid, err, errlen) < 0)
		return -1;
	return read_ports(t, err, errlen);
}

static int find_vid_pid(struct target *t, char *err, size_t errlen)
{
	struct uip_device devs[8];
	int n = uip_devlist(t->host, t->port, devs, 8);
	const char *busid = t->opt.busid ? t->opt.busid : "1-1";

	for (int i = 0; i < n; i++)
		if (strcmp(devs[i].busid, busid) == 0) {
			t->vid = devs[i].vid;
			t->pid = devs[i].pid;
			return 0;
		}
	snprintf(err, errlen, "usbip://%s:%d: no exported device %s", t->host, t->port, busid);
	return -1;
}

int target_open(struct target *t, const struct target_options *opt, char *err, size_t errlen)
{
	memset(t, 0, sizeof(*t));
	t->opt = *opt;
	if (opt->device)
		return 0;   /* a real camera: nothing to start, no side channel */
	if (opt->emulator) {
		if (sscanf(opt->emulator, "%127[^:]:%d", t->host, &t->port) != 2 || t->port <= 0 || t->port > 65535) {
			snprintf(err, errlen, "--emulator %s: HOST:PORT expected", opt->emulator);
			return -1;
		}
		if (!opt->io) {
			snprintf(err, errlen, "--emulator needs --io (the emulator's side channel)");
			return -1;
		}
		snprintf(t->io_path, sizeof(t->io_path), "%s", opt->io);
	} else if (start_emulator(t, err, errlen) < 0) {
		return -1;
	}
	t->io = io_connect(t->io_path, err, errlen);
	if (!t->io)
		return -1;
	io_set_timeout(t->io, 20000);
	if (find_vid_pid(t, err, errlen) < 0)
		return -1;
	return 0;
}

bool target_has_emulator(const struct target *t) { return t->io != NULL; }

void target_close(struct target *t)
{
	target_release(t);
	io_close(t->io);
	t->io = NULL;
	if (t->emu_pid > 0) {
		kill(t->emu_pid, SIGTERM);
		for (int i = 0; i < 100 && waitpid(t->emu_pid, NULL, WNOHANG) == 0; i++)
			sleep_ms(20);
		if (waitpid(t->emu_pid, NULL, WNOHANG) == 0) {
			kill(t->emu_pid, SIGKILL);
			waitpid(t->emu_pid, NULL, 0);
		}
		t->emu_pid = 0;
	}
}

/* ---- attach mode: vhci-hcd through the usbip tool ---- */

static int read_sysfs_hex(const char *dir, const char *file, unsigned *v)
{
	char path[512], buf[16];
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/usb/devices/%s/%s", dir, file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	*v = (unsigned)strtoul(buf, NULL, 16);
	return 0;
}

/* The sysfs name (e.g. 3-1) of a device with our VID:PID into name; false when there is none. */
static bool find_device(const struct target *t, char *name, size_t len)
{
	DIR *d = opendir("/sys/bus/usb/devices");
	struct dirent *e;
	bool found = false;

	if (!d)
		return false;
	while (!found && (e = readdir(d))) {
		unsigned vid, pid;

		if (e->d_name[0] == '.' || strchr(e->d_name, ':'))
			continue;
		if (read_sysfs_hex(e->d_name, "idVendor", &vid) == 0 && read_sysfs_hex(e->d_name, "idProduct", &pid) == 0 &&
		    vid == t->vid && pid == t->pid) {
			found = true;
			snprintf(name, len, "%s", e->d_name);
		}
	}
	closedir(d);
	return found;
}

bool target_device_present(const struct target *t)
{
	char name[256];

	return find_device(t, name, sizeof(name));
}

/* The attached device's serial number string (sysfs), for usb://VID:PID/SERIAL; "" if unknown. */
static void device_serial(const struct target *t, char *serial, size_t len)
{
	char name[256], path[512];
	ssize_t n = 0;
	int fd;

	serial[0] = 0;
	if (!find_device(t, name, sizeof(name)))
		return;
	snprintf(path, sizeof(path), "/sys/bus/usb/devices/%s/serial", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, serial, len - 1);
		close(fd);
	}
	serial[n > 0 ? n : 0] = 0;
	for (char *p = serial; *p; p++)
		if (*p == '\n' || *p == '/' || *p <= ' ')
			*p = 0;
}

static int usbip_attach(struct target *t)
{
	char port[16];
	const char *argv[] = { "usbip", "--tcp-port", port, "attach", "-r", t->host, "-b",
			       t->opt.busid ? t->opt.busid : "1-1", NULL };

	snprintf(port, sizeof(port), "%d", t->port);
	return proc_run_quiet(argv, 20000);
}

/* Detaches every vhci port that imported our export (`usbip port` lists them). */
static void usbip_detach_ours(struct target *t)
{
	const char *argv[] = { "usbip", "port", NULL };
	char out[8192], want[300], cur[8] = "";
	char *line, *save = NULL;

	if (proc_capture(argv, out, sizeof(out), 10000) < 0)
		return;
	snprintf(want, sizeof(want), "usbip://%s:%d/%s", t->host, t->port, t->opt.busid ? t->opt.busid : "1-1");
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		int p;

		if (sscanf(line, "Port %d:", &p) == 1)
			snprintf(cur, sizeof(cur), "%d", p);
		else if (*cur && strstr(line, want)) {
			const char *dargv[] = { "usbip", "detach", "-p", cur, NULL };

			proc_run_quiet(dargv, 10000);
			*cur = 0;
		}
	}
}

static bool wait_present(const struct target *t, bool present, unsigned ms)
{
	for (unsigned waited = 0; waited <= ms; waited += 50) {
		if (target_device_present(t) == present)
			return true;
		sleep_ms(50);
	}
	return false;
}

int target_prepare(struct target *t, char *uri, size_t urilen, char *err, size_t errlen)
{
	if (t->opt.device) {
		snprintf(uri, urilen, "%s", t->opt.device);
		return 0;
	}
	if (!t->opt.attach) {
		/* the adapter imports the export itself: that import is the power-up */
		snprintf(uri, urilen, "usbip://%s:%d/%s", t->host, t->port, t->opt.busid ? t->opt.busid : "1-1");
		return 0;
	}
	target_release(t);
	if (!wait_present(t, false, 10000)) {
		snprintf(err, errlen, "a %04x:%04x device is still on the bus after detaching", t->vid, t->pid);
		return -1;
	}
	if (usbip_attach(t) != 0 || !wait_present(t, true, 20000)) {
		snprintf(err, errlen, "usbip attach -r %s -b %s (port %d) failed", t->host,
			 t->opt.busid ? t->opt.busid : "1-1", t->port);
		return -1;
	}
	t->attached = true;
	{
		char serial[64];

		device_serial(t, serial, sizeof(serial));
		snprintf(uri, urilen, "usb://%04x:%04x%s%s", t->vid, t->pid, serial[0] ? "/" : "", serial);
	}
	return 0;
}

int target_reattach(struct target *t)
{
	if (!t->opt.attach || !t->attached || target_device_present(t))
		return 0;
	usbip_detach_ours(t);   /* a port left over from the lost connection */
	if (usbip_attach(t) != 0)
		return 0;
	return wait_present(t, true, 5000) ? 1 : 0;
}

void target_release(struct target *t)
{
	if (t->opt.attach && t->host[0]) {
		usbip_detach_ours(t);
		t->attached = false;
	}
}

/* ---- the event log ---- */

void devlog_init(struct devlog *l) { memset(l, 0, sizeof(*l)); }

void devlog_free(struct devlog *l)
{
	free(l->ev);
	memset(l, 0, sizeof(*l));
}

static void keep(struct devlog *l, const struct io_event *e)
{
	if (strcmp(e->kind, "power_up") == 0)
		l->power_up = (uint32_t)e->a;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 1024;
		struct dev_event *ev;

		if (cap > DEVLOG_CAP || !(ev = realloc(l->ev, cap * sizeof(*ev)))) {
			l->overflow = true;
			return;
		}
		l->ev = ev;
		l->cap = cap;
	}
	l->ev[l->n].e = *e;
	l->ev[l->n].power_up = l->power_up;
	l->n++;
}

/* How many power-ups the camera has had (`stats`): the event log restarts with each. */
static int power_ups(struct ioclient *io, uint64_t *n)
{
	char out[512];
	const char *p;

	if (io_request(io, out, sizeof(out), "stats") < 0 || !(p = strstr(out, "power_ups=")))
		return -1;
	*n = strtoull(p + 10, NULL, 10);
	return 0;
}

int devlog_poll(struct devlog *l, struct ioclient *io)
{
	enum { BATCH = 2048, ROUNDS = 8 };
	static struct io_event batch[BATCH];
	uint64_t from, before, after;
	size_t n_entry = l->n;
	uint32_t power_entry = l->power_up;
	int n;

	/* a power cycle between two polls restarts the log: read it from its start. The
	 * count is read before and after, so a power-up in between is never missed. */
	if (power_ups(io, &before) < 0)
		return -1;
	if (before != l->power_ups_seen) {
		l->have_last = false;
		l->power_ups_seen = before;
	}
	from = l->have_last ? l->last.seq + 1 : 0;
	/* at most ROUNDS batches per call: a camera logging faster than we read (a host in a
	 * tight loop of violations) must not keep the runner from its own deadlines; the next
	 * call goes on where this one stopped */
	for (int rounds = 0; rounds < ROUNDS; rounds++) {
		n = io_events(io, from, batch, BATCH);
		if (n < 0)
			return -1;
		if (n > 0 && batch[0].seq > from && l->have_last)
			l->overflow = true;   /* the ring went round: events between were not read */
		for (int i = 0; i < n; i++)
			keep(l, &batch[i]);
		if (n > 0) {
			l->last = batch[n - 1];
			l->have_last = true;
			from = l->last.seq + 1;
		}
		if (n < BATCH)
			break;
	}
	if (power_ups(io, &after) < 0)
		return -1;
	if (after != before) {
		/* what this call read may belong to either cycle: forget it, read the new one from its start
		 * (the old cycle's last events since the previous poll are gone with its log) */
		l->n = n_entry;
		l->power_up = power_entry;
		l->power_ups_seen = after;
		l->have_last = false;
		return devlog_poll(l, io);   /* bounded: one power-up per import, and imports take time */
	}
	return 0;
}
