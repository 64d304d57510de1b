/* SPDX-License-Identifier: MIT */
#include "rig.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "conform.h"
#include "fmtfix.h"

int rig_suite_init(void)
{
	CU_pSuite s = CU_get_current_suite();

	if (!session->io) {
		printf("\n  %s suite skipped: it needs an I/O rig on TRIGGER_IN and STROBE_OUT "
		       "(run dfk-emu with --io PATH and pass --io PATH here)\n", s->pName);
		for (CU_pTest t = s->pTest; t; t = t->pNext)
			CU_set_test_active(t, CU_FALSE);
	}
	return 0;
}

bool rig_do(const char *fmt, ...)
{
	char req[1024], out[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(req, sizeof(req), fmt, ap);
	va_end(ap);
	if (io_request(session->io, out, sizeof(out), "%s", req) == 0)
		return true;
	CHECK_MSG(0, "rig: %s", out);
	return false;
}

uint64_t rig_start_triggered(double exposure_us)
{
	char err[256] = "";
	struct fmtfix formats;
	bool ok;

	/* small frames in the model's narrowest format: the timing, not the pixels, is under test */
	if (fmtfix_load(session->fixtures_dir, &formats, err, sizeof(err)) != 0) {
		CHECK_MSG(0, "trigger setup: %s", err);
		return 0;
	}
	gc_execute("AcquisitionStop", NULL, 0);
	rig_do("clock run");
	ok = gc_set_string("ExposureAuto", "Off", err, sizeof(err)) &&
	     gc_set_float("ExposureTime", exposure_us, err, sizeof(err)) &&
	     gc_set_string("PixelFormat", fmtfix_narrowest(&formats), err, sizeof(err)) &&
	     gc_set_int("Width", 256, err, sizeof(err)) && gc_set_int("Height", 64, err, sizeof(err)) &&
	     gc_set_string("AcquisitionMode", "Continuous", err, sizeof(err)) &&
	     gc_set_string("TriggerOverlap", "Off", err, sizeof(err)) &&
	     gc_set_int("IMXLowLatencyMode", 1, err, sizeof(err)) &&
	     gc_set_string("TriggerSelector", "FrameStart", err, sizeof(err)) &&
	     gc_set_string("TriggerActivation", "RisingEdge", err, sizeof(err)) &&
	     gc_set_string("TriggerSource", "Any", err, sizeof(err)) &&
	     gc_set_int("AcquisitionBurstFrameCount", 1, err, sizeof(err)) &&
	     gc_set_float("TriggerDelay", 0, err, sizeof(err)) && gc_set_float("TriggerDebouncer", 0, err, sizeof(err)) &&
	     gc_set_float("TriggerMask", 0, err, sizeof(err)) && gc_set_float("TriggerDenoise", 0, err, sizeof(err)) &&
	     gc_set_string("TriggerMode", "On", err, sizeof(err));
	if (!ok) {
		CHECK_MSG(0, "trigger setup: %s", err);
		return 0;
	}
	/* the line starts low (inactive for a rising edge) */
	if (!rig_do("clock pause") || !rig_do("line set 0") || !rig_advance(1000))
		return 0;
	if (!gc_execute("AcquisitionStart", err, sizeof(err))) {
		CHECK_MSG(0, "AcquisitionStart: %s", err);
		return 0;
	}
	/* far enough from the last low edge that debounce-free triggers are clean */
	if (!rig_advance(1000000))
		return 0;
	return io_time(session->io);
}

void rig_finish(void)
{
	gc_execute("AcquisitionStop", NULL, 0);
	gc_set_string("TriggerMode", "Off", NULL, 0);
	gc_set_int("IMXLowLatencyMode", 0, NULL, 0);
	rig_do("clock run");
}

bool rig_advance(uint64_t ns) { return rig_do("clock advance %" PRIu64, ns); }

bool rig_fetch(uint64_t seq, struct rig_log *log)
{
	log->n = io_events(session->io, seq, log->ev, RIG_MAX_EVENTS);
	if (log->n < 0) {
		CHECK_MSG(0, "rig: reading the event log failed");
		log->n = 0;
		return false;
	}
	return true;
}

const struct io_event *rig_find(const struct rig_log *log, const char *kind, int n)
{
	for (int i = 0; i < log->n; i++)
		if (strcmp(log->ev[i].kind, kind) == 0 && n-- == 0)
			return &log->ev[i];
	return NULL;
}

int rig_count(const struct rig_log *log, const char *kind)
{
	int c = 0;

	for (int i = 0; i < log->n; i++)
		c += strcmp(log->ev[i].kind, kind) == 0;
	return c;
}
