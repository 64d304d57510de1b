/* SPDX-License-Identifier: MIT */
/* Feature access through libaravis's GenICam evaluation of the device's XML (gcutil.h). */
#include "gcutil.h"

#include <stdio.h>
#include <string.h>

static ArvGcNode *node_or_err(const char *name, char *err, size_t errlen)
{
	ArvGcNode *n = session->genicam ? arv_gc_get_node(session->genicam, name) : NULL;

	if (!n && err)
		snprintf(err, errlen, "%s: no such node in the XML", name);
	return n;
}

static gboolean done(GError *e, const char *name, char *err, size_t errlen)
{
	if (!e)
		return TRUE;
	if (err)
		snprintf(err, errlen, "%s: %s", name, e->message);
	g_error_free(e);
	return FALSE;
}

gboolean gc_get_int(const char *name, gint64 *v, char *err, size_t errlen)
{
	ArvGcNode *n = node_or_err(name, err, errlen);
	GError *e = NULL;

	if (!n)
		return FALSE;
	if (ARV_IS_GC_ENUMERATION(n))
		*v = arv_gc_enumeration_get_int_value(ARV_GC_ENUMERATION(n), &e);
	else if (ARV_IS_GC_BOOLEAN(n))
		*v = arv_gc_boolean_get_value(ARV_GC_BOOLEAN(n), &e);
	else if (ARV_IS_GC_INTEGER(n))
		*v = arv_gc_integer_get_value(ARV_GC_INTEGER(n), &e);
	else {
		if (err)
			snprintf(err, errlen, "%s: not an integer-like node", name);
		return FALSE;
	}
	return done(e, name, err, errlen);
}

gboolean gc_set_int(const char *name, gint64 v, char *err, size_t errlen)
{
	ArvGcNode *n = node_or_err(name, err, errlen);
	GError *e = NULL;

	if (!n)
		return FALSE;
	if (ARV_IS_GC_ENUMERATION(n))
		arv_gc_enumeration_set_int_value(ARV_GC_ENUMERATION(n), v, &e);
	else if (ARV_IS_GC_BOOLEAN(n))
		arv_gc_boolean_set_value(ARV_GC_BOOLEAN(n), v != 0, &e);
	else if (ARV_IS_GC_INTEGER(n))
		arv_gc_integer_set_value(ARV_GC_INTEGER(n), v, &e);
	else {
		if (err)
			snprintf(err, errlen, "%s: not an integer-like node", name);
		return FALSE;
	}
	return done(e, name, err, errlen);
}

gboolean gc_get_float(const char *name, double *v, char *err, size_t errlen)
{
	ArvGcNode *n = node_or_err(name, err, errlen);
	GError *e = NULL;

	if (!n)
		return FALSE;
	if (!ARV_IS_GC_FLOAT(n)) {
		if (err)
			snprintf(err, errlen, "%s: not a float node", name);
		return FALSE;
	}
	*v = arv_gc_float_get_value(ARV_GC_FLOAT(n), &e);
	return done(e, name, err, errlen);
}

gboolean gc_set_float(const char *name, double v, char *err, size_t errlen)
{
	ArvGcNode *n = node_or_err(name, err, errlen);
	GError *e = NULL;

	if (!n)
		return FALSE;
	if (!ARV_IS_GC_FLOAT(n)) {
		if (err)
			snprintf(err, errlen, "%s: not a float node", name);
		return FALSE;
	}
	arv_gc_float_set_value(ARV_GC_FLOAT(n), v, &e);
	return done(e, name, err, errlen);
}

gboolean gc_get_string(const char *name, char *out, size_t len, char *err, size_t errlen)
{
	ArvGcNode *n = node_or_err(name, err, errlen);
	GError *e = NULL;
	const char *s;

	if (!n)
		return FALSE;
	if (ARV_IS_GC_STRING(n))
		s = arv_gc_string_get_value(ARV_GC_STRING(n), &e);
	else
		s = arv_gc_feature_node_get_value_as_string(ARV_GC_FEATURE_NODE(n), &e);
	if (!done(e, name, err, errlen))
		return FALSE;
	snprintf(out, len, "%s", s ? s : "");
	return TRUE;
}

gboolean gc_set_string(const char *name, const char *v, char *err, size_t errlen)
{
	ArvGcNode *n = node_or_err(name, err, errlen);
	GError *e = NULL;

	if (!n)
		return FALSE;
	if (ARV_IS_GC_STRING(n))
		arv_gc_string_set_value(ARV_GC_STRING(n), v, &e);
	else
		arv_gc_feature_node_set_value_from_string(ARV_GC_FEATURE_NODE(n), v, &e);
	return done(e, name, err, errlen);
}

gboolean gc_execute(const char *name, char *err, size_t errlen)
{
	ArvGcNode *n = node_or_err(name, err, errlen);
	GError *e = NULL;

	if (!n)
		return FALSE;
	if (!ARV_IS_GC_COMMAND(n)) {
		if (err)
			snprintf(err, errlen, "%s: not a command", name);
		return FALSE;
	}
	arv_gc_command_execute(ARV_GC_COMMAND(n), &e);
	return done(e, name, err, errlen);
}

void gc_stop_acquisition(void)
{
	gc_execute("AcquisitionStop", NULL, 0);
	gc_set_int("TLParamsLocked", 0, NULL, 0);
}

void gc_default_readout(void)
{
	/* decimation and binning lock each other: binning first */
	static const char *const names[] = { "BinningHorizontal", "DecimationHorizontal", "DecimationVertical" };
	gint64 v = 1;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (gc_get_int(names[i], &v, NULL, 0) && v != 1)
			gc_set_int(names[i], 1, NULL, 0);
}

bool gc_stream_setup(const char *format, int64_t w, int64_t h, double exposure_us, char *err, size_t errlen)
{
	gc_stop_acquisition();
	if (!gc_set_string("ExposureAuto", "Off", err, errlen) || !gc_set_float("ExposureTime", exposure_us, err, errlen))
		return false;
	if (!gc_set_string("PixelFormat", format, err, errlen))
		return false;
	gc_default_readout();
	gc_set_int("ReverseX", 0, NULL, 0);
	gc_set_int("ReverseY", 0, NULL, 0);
	gc_set_string("OffsetAutoCenter", "On", NULL, 0);
	if (!gc_set_int("Width", w, err, errlen) || !gc_set_int("Height", h, err, errlen))
		return false;
	return gc_set_string("AcquisitionMode", "Continuous", err, errlen);
}
