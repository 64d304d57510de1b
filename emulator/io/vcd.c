/* SPDX-License-Identifier: MIT */
#include "vcd.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../common/errors.h"
#include "../common/log.h"

/* identifier codes of the signals */
#define ID_TRIGGER_IN  "t"
#define ID_ACCEPTED    "a"
#define ID_REJECTED    "j"
#define ID_EXPOSURE    "e"
#define ID_READOUT     "r"
#define ID_STROBE_OUT  "s"
#define ID_DELIVERED   "d"
#define ID_DROPPED     "x"
#define ID_SENT        "o"
#define ID_MEMORY      "m"
#define ID_FAULT       "f"
#define ID_VIOLATION   "v"

/* Creates or reuses a trace file without following a symlink, and truncates
 * it only once it is known to be a regular file of our own user: the path may
 * come from an I/O client. */
static FILE *open_trace_file(const char *path)
{
	struct stat st;
	FILE *f;
	int fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC, 0644);

	if (fd < 0) {
		log_err("cannot create VCD %s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid()) {
		log_err("VCD %s: not a regular file of this user: refused", path);
		close(fd);
		return NULL;
	}
	if (ftruncate(fd, 0) < 0 || !(f = fdopen(fd, "w"))) {
		log_err("cannot write VCD %s: %s", path, strerror(errno));
		close(fd);
		return NULL;
	}
	return f;
}

int vcd_open(struct vcd *v, const char *path, const char *scope, uint64_t now, int trigger_in, int strobe_out)
{
	time_t wall = time(NULL);
	char date[64];

	memset(v, 0, sizeof(*v));
	v->f = open_trace_file(path);
	if (!v->f)
		return DFK_ERR_IO;
	strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S", gmtime(&wall));
	v->trigger_in = trigger_in;
	v->strobe = strobe_out;
	v->last_t = now;
	fprintf(v->f, "$date %s UTC $end\n$version dfk-emu $end\n$comment device time in ns since power-up $end\n"
		      "$timescale 1ns $end\n$scope module %s $end\n", date, scope);
	fprintf(v->f, "$var wire 1 " ID_TRIGGER_IN " TRIGGER_IN $end\n"
		      "$var event 1 " ID_ACCEPTED " trigger_accepted $end\n"
		      "$var event 1 " ID_REJECTED " trigger_rejected $end\n"
		      "$var wire 1 " ID_EXPOSURE " exposure_active $end\n"
		      "$var wire 1 " ID_READOUT " readout_active $end\n"
		      "$var wire 1 " ID_STROBE_OUT " STROBE_OUT $end\n"
		      "$var event 1 " ID_DELIVERED " frame_delivered $end\n"
		      "$var event 1 " ID_DROPPED " frame_dropped $end\n"
		      "$var event 1 " ID_SENT " frame_sent $end\n"
		      "$var integer 32 " ID_MEMORY " frame_memory_bytes $end\n"
		      "$var event 1 " ID_FAULT " fault $end\n"
		      "$var event 1 " ID_VIOLATION " host_violation $end\n"
		      "$upscope $end\n$enddefinitions $end\n");
	fprintf(v->f, "#%" PRIu64 "\n$dumpvars\n%d" ID_TRIGGER_IN "\n0" ID_EXPOSURE "\n0" ID_READOUT "\n%d" ID_STROBE_OUT
		      "\nb0 " ID_MEMORY "\n$end\n", now, trigger_in, strobe_out);
	return DFK_OK;
}

/* Log kinds shown as VCD events (a mark at their time), by identifier code. */
static const char *const event_ids[EV_KIND_COUNT] = {
	[EV_TRIGGER_ACCEPTED] = ID_ACCEPTED, [EV_TRIGGER_REJECTED] = ID_REJECTED,
	[EV_FRAME_DELIVERED] = ID_DELIVERED, [EV_FRAME_DROPPED] = ID_DROPPED, [EV_FRAME_SENT] = ID_SENT,
	[EV_FAULT] = ID_FAULT, [EV_HOST_VIOLATION] = ID_VIOLATION,
};

static void at(struct vcd *v, uint64_t t)
{
	if (t < v->last_t)
		t = v->last_t;   /* events arrive in time order; never write time backwards */
	if (t != v->last_t)
		fprintf(v->f, "#%" PRIu64 "\n", t);
	v->last_t = t;
}

void vcd_record(struct vcd *v, const struct ev_record *rec)
{
	struct ev_record shifted = *rec, *r = &shifted;

	if (!v->f)
		return;
	if (r->kind == EV_POWER_UP) {
		/* the device clock restarted: the trace continues after what it has */
		v->base = v->last_t + 1;
		at(v, v->base);
		fprintf(v->f, "0" ID_EXPOSURE "\n0" ID_READOUT "\n");
		v->exposing = v->reading = 0;
		return;
	}
	r->t += v->base;
	switch (r->kind) {
	case EV_ACQUISITION:
		if (!r->a && (v->exposing || v->reading)) {
			/* frames in flight were abandoned */
			at(v, r->t);
			fprintf(v->f, "0" ID_EXPOSURE "\n0" ID_READOUT "\n");
			v->exposing = v->reading = 0;
		}
		break;
	case EV_TRIGGER_IN:
		at(v, r->t);
		fprintf(v->f, "%d" ID_TRIGGER_IN "\n", r->a ? 1 : 0);
		break;
	case EV_EXPOSURE_START:
	case EV_EXPOSURE_END: {
		unsigned before = v->exposing;
		v->exposing += r->kind == EV_EXPOSURE_START ? 1 : (v->exposing ? -1u : 0);
		if ((before > 0) != (v->exposing > 0)) {
			at(v, r->t);
			fprintf(v->f, "%d" ID_EXPOSURE "\n", v->exposing > 0);
		}
		break;
	}
	case EV_READOUT_START:
	case EV_READOUT_END: {
		unsigned before = v->reading;
		v->reading += r->kind == EV_READOUT_START ? 1 : (v->reading ? -1u : 0);
		if ((before > 0) != (v->reading > 0)) {
			at(v, r->t);
			fprintf(v->f, "%d" ID_READOUT "\n", v->reading > 0);
		}
		break;
	}
	case EV_STROBE_OUT:
		at(v, r->t);
		fprintf(v->f, "%d" ID_STROBE_OUT "\n", r->a ? 1 : 0);
		break;
	case EV_FRAME_MEMORY: {
		/* a 32-bit vector in binary, most significant bit first (IEEE 1364 18.2.3) */
		char bits[33];
		uint32_t level = r->a > UINT32_MAX ? UINT32_MAX : (uint32_t)r->a;
		int n = 0;
		for (int i = 31; i >= 0; i--)
			if (n || (level >> i) & 1 || i == 0)
				bits[n++] = (char)('0' + ((level >> i) & 1));
		bits[n] = '\0';
		at(v, r->t);
		fprintf(v->f, "b%s " ID_MEMORY "\n", bits);
		break;
	}
	default:
		if (event_ids[r->kind]) {
			at(v, r->t);
			fprintf(v->f, "1%s\n", event_ids[r->kind]);
		}
		break;
	}
}

void vcd_close(struct vcd *v)
{
	if (!v->f)
		return;
	fprintf(v->f, "#%" PRIu64 "\n", v->last_t);
	fclose(v->f);
	v->f = NULL;
}
