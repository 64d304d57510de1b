/* SPDX-License-Identifier: MIT */
/* Feature writes by name through ArvGc (adapter_genicam.h). */
#include "adapter_genicam.h"

/* Errors of our own (a value that does not fit the node), apart from the driver's. */
static GQuark adapter_error_quark(void) { return g_quark_from_static_string("dfk-adapter"); }

/* The outcome of a void Aravis setter: its GError, passed on. */
static bool passed(GError *local, GError **error)
{
	if (!local)
		return true;
	g_propagate_error(error, local);
	return false;
}

static ArvGcNode *feature(ArvGc *genicam, const char *name, GError **error)
{
	ArvGcNode *node = genicam ? arv_gc_get_node(genicam, name) : NULL;

	if (!node || !ARV_IS_GC_FEATURE_NODE(node)) {
		g_set_error(error, adapter_error_quark(), 1, "%s: no such feature", name);
		return NULL;
	}
	return node;
}

bool adapter_genicam_write(ArvGc *genicam, const struct adapter_setting *s, GError **error)
{
	ArvGcNode *node = feature(genicam, s->name, error);
	GError *local = NULL;
	int64_t i;
	double d;
	bool b;

	if (!node)
		return false;
	/* an enumeration is an integer and a string too, a boolean neither: test in this order */
	if (ARV_IS_GC_ENUMERATION(node))
		return arv_gc_enumeration_set_string_value(ARV_GC_ENUMERATION(node), s->value, error);
	if (ARV_IS_GC_BOOLEAN(node)) {
		if (!adapter_parse_bool(s->value, &b)) {
			g_set_error(error, adapter_error_quark(), 2, "%s: '%s' is not true or false", s->name, s->value);
			return false;
		}
		arv_gc_boolean_set_value(ARV_GC_BOOLEAN(node), b, &local);
		return passed(local, error);
	}
	if (ARV_IS_GC_INTEGER(node)) {
		if (!adapter_parse_int(s->value, &i)) {
			g_set_error(error, adapter_error_quark(), 2, "%s: '%s' is not an integer", s->name, s->value);
			return false;
		}
		arv_gc_integer_set_value(ARV_GC_INTEGER(node), i, &local);
		return passed(local, error);
	}
	if (ARV_IS_GC_FLOAT(node)) {
		if (!adapter_parse_float(s->value, &d)) {
			g_set_error(error, adapter_error_quark(), 2, "%s: '%s' is not a number", s->name, s->value);
			return false;
		}
		arv_gc_float_set_value(ARV_GC_FLOAT(node), d, &local);
		return passed(local, error);
	}
	if (ARV_IS_GC_STRING(node)) {
		arv_gc_string_set_value(ARV_GC_STRING(node), s->value, &local);
		return passed(local, error);
	}
	g_set_error(error, adapter_error_quark(), 3, "%s: a %s cannot be set", s->name,
		    ARV_IS_GC_COMMAND(node) ? "command (use exec)" : "node of this type");
	return false;
}

bool adapter_genicam_execute(ArvGc *genicam, const char *name, GError **error)
{
	ArvGcNode *node = feature(genicam, name, error);
	GError *local = NULL;

	if (!node)
		return false;
	if (!ARV_IS_GC_COMMAND(node)) {
		g_set_error(error, adapter_error_quark(), 3, "%s: not a command", name);
		return false;
	}
	arv_gc_command_execute(ARV_GC_COMMAND(node), &local);
	return passed(local, error);
}
