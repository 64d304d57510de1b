/* SPDX-License-Identifier: MIT */
/* Feature access by name through libaravis's GenICam evaluation of the session's
 * device XML (session.h), and the feature set-ups several programs share. */
#ifndef CONFORM_GCUTIL_H
#define CONFORM_GCUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "session.h"

/* Each returns TRUE on success; on failure `err` (may be NULL) gets the message. */
gboolean gc_get_int(const char *name, gint64 *v, char *err, size_t errlen);
gboolean gc_set_int(const char *name, gint64 v, char *err, size_t errlen);
gboolean gc_get_float(const char *name, double *v, char *err, size_t errlen);
gboolean gc_set_float(const char *name, double v, char *err, size_t errlen);
gboolean gc_get_string(const char *name, char *out, size_t len, char *err, size_t errlen);
gboolean gc_set_string(const char *name, const char *v, char *err, size_t errlen);
gboolean gc_execute(const char *name, char *err, size_t errlen);
/* Acquisition stopped and TLParamsLocked cleared, so stream parameters can change (best effort). */
void gc_stop_acquisition(void);
/* The default readout: binning and decimation both 1, undone in the order that unlocks them. */
void gc_default_readout(void);
/* Features as a driver sets them before streaming: acquisition stopped, ExposureAuto Off
 * with ExposureTime `exposure_us`, `format`, the default readout, no flips, the region
 * w x h centred, continuous acquisition. The frame rate is the caller's. Returns false,
 * with `err` saying which feature failed, when a required one cannot be set. */
bool gc_stream_setup(const char *format, int64_t w, int64_t h, double exposure_us, char *err, size_t errlen);

#endif
