/* SPDX-License-Identifier: MIT */
/* Feature fixtures and generic typed feature access (see featfix.h). */
#include "featfix.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gcutil.h"
#include "session.h"

static char *get_str(GKeyFile *kf, const char *group, const char *key)
{
	return g_key_file_get_string(kf, group, key, NULL);
}

static bool get_num(GKeyFile *kf, const char *group, const char *key, double *out)
{
	char *s = get_str(kf, group, key), *end = NULL;
	bool ok = false;

	if (s) {
		*out = g_ascii_strtod(s, &end);
		ok = end && end != s && *end == '\0';
	}
	g_free(s);
	return ok;
}

int ff_load(struct ff_fixture *fx, char *err, size_t errlen)
{
	GError *e = NULL;
	char *path;
	gsize n = 0;

	memset(fx, 0, sizeof(*fx));
	fx->features = g_key_file_new();
	fx->rules = g_key_file_new();
	path = g_build_filename(session->fixtures_dir, "features.ini", NULL);
	if (!g_key_file_load_from_file(fx->features, path, G_KEY_FILE_NONE, &e)) {
		snprintf(err, errlen, "%s: %s", path, e->message);
		g_error_free(e);
		g_free(path);
		return -1;
	}
	g_free(path);
	path = g_build_filename(session->fixtures_dir, "rules.ini", NULL);
	if (!g_key_file_load_from_file(fx->rules, path, G_KEY_FILE_NONE, &e)) {
		snprintf(err, errlen, "%s: %s", path, e->message);
		g_error_free(e);
		g_free(path);
		return -1;
	}
	g_free(path);
	char **groups = g_key_file_get_groups(fx->features, &n);
	fx->f = g_new0(struct ff_feature, n ? n : 1);
	for (gsize i = 0; i < n; i++) {
		struct ff_feature *f = &fx->f[fx->n++];
		f->name = g_strdup(groups[i]);
		f->section = get_str(fx->features, f->name, "section");
		f->title = get_str(fx->features, f->name, "title");
		f->type = get_str(fx->features, f->name, "type");
		f->access = get_str(fx->features, f->name, "access");
		f->selector = get_str(fx->features, f->name, "selector");
		f->dflt = get_str(fx->features, f->name, "default");
		f->has_min = get_num(fx->features, f->name, "min", &f->min);
		f->has_max = get_num(fx->features, f->name, "max", &f->max);
		f->entries = g_key_file_get_string_list(fx->features, f->name, "entries", &f->n_entries, NULL);
		if (!f->type)
			f->type = g_strdup("");
		if (!f->access)
			f->access = g_strdup("RW");
	}
	g_strfreev(groups);
	if (fx->n == 0) {
		snprintf(err, errlen, "features.ini in %s has no groups", session->fixtures_dir);
		return -1;
	}
	return 0;
}

void ff_free(struct ff_fixture *fx)
{
	for (size_t i = 0; i < fx->n; i++) {
		struct ff_feature *f = &fx->f[i];
		g_free(f->name);
		g_free(f->section);
		g_free(f->title);
		g_free(f->type);
		g_free(f->access);
		g_free(f->selector);
		g_free(f->dflt);
		g_strfreev(f->entries);
	}
	g_free(fx->f);
	if (fx->features)
		g_key_file_free(fx->features);
	if (fx->rules)
		g_key_file_free(fx->rules);
	memset(fx, 0, sizeof(*fx));
}

const struct ff_feature *ff_find(const struct ff_fixture *fx, const char *name)
{
	for (size_t i = 0; i < fx->n; i++)
		if (strcmp(fx->f[i].name, name) == 0)
			return &fx->f[i];
	return NULL;
}

char *ff_entry_meaning(const struct ff_fixture *fx, const char *feature, const char *entry)
{
	char key[160];

	snprintf(key, sizeof(key), "entry.%s", entry);
	return get_str(fx->features, feature, key);
}

bool ff_is_clamp_feature(const struct ff_fixture *fx, const char *name)
{
	const struct ff_feature *f = ff_find(fx, name);
	gsize n = 0;
	bool listed = false;

	if (!f || !f->title || !fx->rules)
		return false;
	char **list = g_key_file_get_string_list(fx->rules, "rule.offset-clamp", "features", &n, NULL);
	for (gsize i = 0; list && i < n; i++)
		if (strcmp(list[i], name) == 0)
			listed = true;
	g_strfreev(list);
	if (!listed)
		return false;
	/* features= also lists Width/Height, which the sentence only refers to: the
	 * clamped ones are those the sentence names by their manual title */
	char *sentence = get_str(fx->rules, "rule.offset-clamp", "sentence");
	bool named = sentence && strstr(sentence, f->title);
	g_free(sentence);
	return named;
}

bool ff_in_sections(const struct ff_feature *f, int lo, int hi)
{
	int major = 0, minor = 0;

	if (!f->section || sscanf(f->section, "%d.%d", &major, &minor) != 2)
		return false;
	return major == 5 && minor >= lo && minor <= hi;
}

/* ---------------------------------------------------------------- values */

enum ff_kind ff_kind_of(ArvGcNode *n)
{
	if (!n)
		return FF_NONE;
	if (ARV_IS_GC_ENUMERATION(n))
		return FF_ENUM;
	if (ARV_IS_GC_BOOLEAN(n))
		return FF_BOOL;
	if (ARV_IS_GC_COMMAND(n))
		return FF_CMD;
	if (ARV_IS_GC_INTEGER(n))
		return FF_INT;
	if (ARV_IS_GC_FLOAT(n))
		return FF_FLOAT;
	if (ARV_IS_GC_STRING(n))
		return FF_STRING;
	if (ARV_IS_GC_REGISTER(n))
		return FF_REG;
	return FF_NONE;
}

enum ff_kind ff_kind(const char *name)
{
	return ff_kind_of(session->genicam ? arv_gc_get_node(session->genicam, name) : NULL);
}

const char *ff_kind_name(enum ff_kind k)
{
	static const char *const names[] = { "none", "Integer", "Float", "Enumeration", "Boolean",
					     "Command", "String", "Register" };
	return names[k];
}

static ArvGcNode *node(const char *name, GError **e)
{
	ArvGcNode *n = session->genicam ? arv_gc_get_node(session->genicam, name) : NULL;

	if (!n)
		g_set_error(e, ARV_DEVICE_ERROR, ARV_DEVICE_ERROR_FEATURE_NOT_FOUND, "%s: no such node in the XML", name);
	return n;
}

bool ff_read(const char *name, struct ff_value *v, GError **e)
{
	ArvGcNode *n = node(name, e);
	GError *le = NULL;

	memset(v, 0, sizeof(*v));
	if (!n)
		return false;
	v->k = ff_kind_of(n);
	switch (v->k) {
	case FF_ENUM: {
		const char *s = arv_gc_enumeration_get_string_value(ARV_GC_ENUMERATION(n), &le);
		snprintf(v->s, sizeof(v->s), "%s", s ? s : "");
		break;
	}
	case FF_BOOL: v->i = arv_gc_boolean_get_value(ARV_GC_BOOLEAN(n), &le) ? 1 : 0; break;
	case FF_INT: v->i = arv_gc_integer_get_value(ARV_GC_INTEGER(n), &le); break;
	case FF_FLOAT: v->f = arv_gc_float_get_value(ARV_GC_FLOAT(n), &le); break;
	default:
		g_set_error(e, ARV_DEVICE_ERROR, ARV_DEVICE_ERROR_WRONG_FEATURE, "%s: not a value feature", name);
		return false;
	}
	if (le) {
		g_propagate_error(e, le);
		return false;
	}
	return true;
}

bool ff_write(const char *name, const struct ff_value *v, GError **e)
{
	ArvGcNode *n = node(name, e);
	GError *le = NULL;

	if (!n)
		return false;
	switch (ff_kind_of(n)) {
	case FF_ENUM:
		if (v->k == FF_ENUM)
			arv_gc_enumeration_set_string_value(ARV_GC_ENUMERATION(n), v->s, &le);
		else
			arv_gc_enumeration_set_int_value(ARV_GC_ENUMERATION(n), v->i, &le);
		break;
	case FF_BOOL: arv_gc_boolean_set_value(ARV_GC_BOOLEAN(n), v->i != 0, &le); break;
	case FF_INT:
		arv_gc_integer_set_value(ARV_GC_INTEGER(n), v->k == FF_FLOAT ? (gint64)llround(v->f) : v->i, &le);
		break;
	case FF_FLOAT: arv_gc_float_set_value(ARV_GC_FLOAT(n), v->k == FF_FLOAT ? v->f : (double)v->i, &le); break;
	default:
		g_set_error(e, ARV_DEVICE_ERROR, ARV_DEVICE_ERROR_WRONG_FEATURE, "%s: not a value feature", name);
		return false;
	}
	if (le) {
		g_propagate_error(e, le);
		return false;
	}
	return true;
}

bool ff_equal(const struct ff_value *a, const struct ff_value *b)
{
	if (a->k != b->k)
		return false;
	switch (a->k) {
	case FF_ENUM: return strcmp(a->s, b->s) == 0;
	case FF_INT:
	case FF_BOOL: return a->i == b->i;
	case FF_FLOAT: return fabs(a->f - b->f) <= 1e-6 * fmax(fabs(a->f), fabs(b->f)) + 1e-12;
	default: return false;
	}
}

const char *ff_str(const struct ff_value *v, char *buf, size_t len)
{
	switch (v->k) {
	case FF_ENUM: snprintf(buf, len, "%s", v->s); break;
	case FF_BOOL: snprintf(buf, len, "%s", v->i ? "True" : "False"); break;
	case FF_INT: snprintf(buf, len, "%lld", (long long)v->i); break;
	case FF_FLOAT: snprintf(buf, len, "%.9g", v->f); break;
	default: snprintf(buf, len, "(%s)", ff_kind_name(v->k)); break;
	}
	return buf;
}

bool ff_range(const char *name, double *min, double *max, double *inc, GError **e)
{
	ArvGcNode *n = node(name, e);
	GError *le = NULL;

	if (!n)
		return false;
	switch (ff_kind_of(n)) {
	case FF_INT:
		*min = (double)arv_gc_integer_get_min(ARV_GC_INTEGER(n), &le);
		if (!le)
			*max = (double)arv_gc_integer_get_max(ARV_GC_INTEGER(n), &le);
		if (!le)
			*inc = (double)arv_gc_integer_get_inc(ARV_GC_INTEGER(n), &le);
		break;
	case FF_FLOAT:
		*min = arv_gc_float_get_min(ARV_GC_FLOAT(n), &le);
		if (!le)
			*max = arv_gc_float_get_max(ARV_GC_FLOAT(n), &le);
		if (!le) {
			/* no <Inc>: libaravis 0.8 may answer with an error ("<Inc> node not
			 * found") rather than a default: the float has no increment */
			GError *ie = NULL;
			*inc = arv_gc_float_get_inc(ARV_GC_FLOAT(n), &ie);
			if (ie || !(*inc > 1e-300))
				*inc = 0;
			g_clear_error(&ie);
		}
		break;
	default:
		g_set_error(e, ARV_DEVICE_ERROR, ARV_DEVICE_ERROR_WRONG_FEATURE, "%s: not numeric", name);
		return false;
	}
	if (le) {
		g_propagate_error(e, le);
		return false;
	}
	return true;
}

const char **ff_available_entries(const char *name, guint *n)
{
	ArvGcNode *nd = session->genicam ? arv_gc_get_node(session->genicam, name) : NULL;
	GError *e = NULL;
	const char **v;

	*n = 0;
	if (!nd || !ARV_IS_GC_ENUMERATION(nd))
		return NULL;
	v = arv_gc_enumeration_dup_available_string_values(ARV_GC_ENUMERATION(nd), n, &e);
	if (e) {
		g_error_free(e);
		g_free(v);
		*n = 0;
		return NULL;
	}
	return v;
}

bool ff_is_gencp_error(const GError *e)
{
	return e && e->domain == ARV_DEVICE_ERROR &&
	       (e->code == ARV_DEVICE_ERROR_PROTOCOL_ERROR || e->code == ARV_DEVICE_ERROR_PROTOCOL_ERROR_NOT_IMPLEMENTED ||
		e->code == ARV_DEVICE_ERROR_PROTOCOL_ERROR_INVALID_PARAMETER ||
		e->code == ARV_DEVICE_ERROR_PROTOCOL_ERROR_INVALID_ADDRESS ||
		e->code == ARV_DEVICE_ERROR_PROTOCOL_ERROR_WRITE_PROTECT ||
		e->code == ARV_DEVICE_ERROR_PROTOCOL_ERROR_BAD_ALIGNMENT ||
		e->code == ARV_DEVICE_ERROR_PROTOCOL_ERROR_ACCESS_DENIED ||
		e->code == ARV_DEVICE_ERROR_PROTOCOL_ERROR_BUSY);
}

bool ff_set_word(const char *name, const char *value, GError **e)
{
	ArvGcNode *n = node(name, e);
	GError *le = NULL;

	if (!n)
		return false;
	if (ARV_IS_GC_BOOLEAN(n)) {
		bool on = g_ascii_strcasecmp(value, "On") == 0 || g_ascii_strcasecmp(value, "True") == 0 ||
			  strcmp(value, "1") == 0 || g_ascii_strcasecmp(value, "Continuous") == 0;
		arv_gc_boolean_set_value(ARV_GC_BOOLEAN(n), on, &le);
	} else if (ARV_IS_GC_FEATURE_NODE(n)) {
		arv_gc_feature_node_set_value_from_string(ARV_GC_FEATURE_NODE(n), value, &le);
	}
	if (le) {
		g_propagate_error(e, le);
		return false;
	}
	return true;
}

bool ff_locked(const char *name)
{
	ArvGcNode *n = session->genicam ? arv_gc_get_node(session->genicam, name) : NULL;
	GError *e = NULL;
	bool locked;

	if (!n || !ARV_IS_GC_FEATURE_NODE(n))
		return false;
	locked = arv_gc_feature_node_is_locked(ARV_GC_FEATURE_NODE(n), &e);
	g_clear_error(&e);
	return locked;
}

/* What must be set for a feature to be writable: the manual's auto functions
 * own their values while on (5.3, 5.8), OffsetAutoCenter owns the offsets (5.1.5),
 * the custom ROI only applies to CustomRectangle (5.11.3), temperature white
 * balance only to the Temperature mode (5.8.3), gamma is off under the LUT (5.9.2),
 * IMX Low-Latency Mode forces Trigger Overlap (5.4.8). Rows apply in order. */
static const struct prereq {
	const char *feature, *control, *value;
} prereqs[] = {
	{ "ExposureTime", "ExposureAuto", "Off" },
	{ "Gain", "GainAuto", "Off" },
	{ "OffsetX", "OffsetAutoCenter", "Off" },
	{ "OffsetY", "OffsetAutoCenter", "Off" },
	{ "ExposureAutoUpperLimit", "ExposureAutoUpperLimitAuto", "Off" },
	{ "TriggerOverlap", "IMXLowLatencyMode", "False" },
	{ "BalanceRatio", "BalanceWhiteAuto", "Off" },
	{ "BalanceRatio", "BalanceWhiteMode", "GrayWorld" },
	{ "BalanceWhiteTemperature", "BalanceWhiteAuto", "Off" },
	{ "BalanceWhiteTemperature", "BalanceWhiteMode", "Temperature" },
	{ "BalanceWhiteTemperaturePreset", "BalanceWhiteAuto", "Off" },
	{ "BalanceWhiteTemperaturePreset", "BalanceWhiteMode", "Temperature" },
	{ "Gamma", "LUTEnable", "False" },
	{ "AutoFunctionsROILeft", "AutoFunctionsROI_Preset", "CustomRectangle" },
	{ "AutoFunctionsROITop", "AutoFunctionsROI_Preset", "CustomRectangle" },
	{ "AutoFunctionsROIWidth", "AutoFunctionsROI_Preset", "CustomRectangle" },
	{ "AutoFunctionsROIHeight", "AutoFunctionsROI_Preset", "CustomRectangle" },
	{ "DecimationHorizontal", "BinningHorizontal", "1" },
	{ "DecimationVertical", "BinningVertical", "1" },
	{ "BinningHorizontal", "DecimationHorizontal", "1" },
	{ "BinningHorizontal", "DecimationVertical", "1" },
	{ "BinningVertical", "DecimationHorizontal", "1" },
	{ "BinningVertical", "DecimationVertical", "1" },
};

bool ff_unlock(const char *name, char *err, size_t errlen)
{
	char tried[512] = "";
	size_t used = 0;

	if (!ff_locked(name))
		return true;
	for (size_t i = 0; i < sizeof(prereqs) / sizeof(prereqs[0]); i++) {
		if (strcmp(prereqs[i].feature, name) != 0)
			continue;
		GError *e = NULL;
		ff_set_word(prereqs[i].control, prereqs[i].value, &e);
		if (used < sizeof(tried))
			used += (size_t)snprintf(tried + used, sizeof(tried) - used, "%s%s=%s%s%s%s", used ? ", " : "",
						 prereqs[i].control, prereqs[i].value, e ? " (" : "",
						 e ? e->message : "", e ? ")" : "");
		g_clear_error(&e);
	}
	if (!ff_locked(name))
		return true;
	snprintf(err, errlen, "%s: locked%s%s", name, used ? " after setting " : " (no prerequisite known)", tried);
	return false;
}

bool ff_factory_reset(char *err, size_t errlen)
{
	GError *e = NULL;

	if (!session->genicam) {
		snprintf(err, errlen, "no GenICam document");
		return false;
	}
	gc_stop_acquisition();
	if (!ff_set_word("UserSetSelector", "Default", &e)) {
		snprintf(err, errlen, "UserSetSelector=Default: %s", e->message);
		g_error_free(e);
		return false;
	}
	return gc_execute("UserSetLoad", err, errlen);
}

void ff_device_policies(void)
{
	if (!session->genicam)
		return;
	arv_gc_set_range_check_policy(session->genicam, ARV_RANGE_CHECK_POLICY_DISABLE);
	arv_gc_set_access_check_policy(session->genicam, ARV_ACCESS_CHECK_POLICY_DISABLE);
}

bool ff_begin(const char *load_err, char *err, size_t errlen)
{
	if (load_err[0]) {
		snprintf(err, errlen, "fixtures: %s", load_err);
		return false;
	}
	if (!session->genicam) {
		snprintf(err, errlen, "no GenICam document");
		return false;
	}
	ff_device_policies();
	return true;
}

/* SFNC pairs: OffsetX moves a Width-wide window inside WidthMax, OffsetY likewise. */
static const struct ff_clamp clamps[] = {
	{ "OffsetX", "Width", "WidthMax" },
	{ "OffsetY", "Height", "HeightMax" },
};

const struct ff_clamp *ff_clamp_of(const char *name)
{
	for (size_t i = 0; i < sizeof(clamps) / sizeof(clamps[0]); i++)
		if (strcmp(clamps[i].feature, name) == 0)
			return &clamps[i];
	return NULL;
}

bool ff_clamp_largest(const struct ff_clamp *c, gint64 *largest, char *err, size_t errlen)
{
	gint64 size = 0, size_max = 0;
	double mn = 0, mx = 0, inc = 1;
	GError *e = NULL;

	if (!gc_get_int(c->size, &size, err, errlen) || !gc_get_int(c->size_max, &size_max, err, errlen))
		return false;
	if (!ff_range(c->feature, &mn, &mx, &inc, &e)) {
		snprintf(err, errlen, "%s", e->message);
		g_error_free(e);
		return false;
	}
	gint64 step = inc >= 1 ? (gint64)inc : 1, lo = (gint64)mn;
	gint64 v = size_max - size;
	if (v < lo)
		v = lo;
	*largest = lo + (v - lo) / step * step;
	return true;
}

static double round_short(double v, double span)
{
	double q = span >= 100 ? 1 : span >= 1 ? 0.01 : 1e-4;

	return round(v / q) * q;
}

bool ff_pick_other(const struct ff_fixture *fx, const char *name, const struct ff_value *avoid, double frac,
		   struct ff_value *out)
{
	enum ff_kind k = ff_kind(name);
	double lo = 0, hi = 0, inc = 0;
	GError *e = NULL;

	memset(out, 0, sizeof(*out));
	out->k = k;
	frac = frac < 0 ? 0 : frac >= 1 ? 0.999 : frac;
	switch (k) {
	case FF_BOOL:
		out->i = avoid->i ? 0 : 1;
		return true;
	case FF_ENUM: {
		guint n = 0, m = 0;
		const char **all = ff_available_entries(name, &n);
		const char **ok = g_new0(const char *, n + 1);
		for (guint i = 0; i < n; i++)
			if (strcmp(all[i], avoid->s) != 0 && strcmp(all[i], "Once") != 0)
				ok[m++] = all[i];
		if (m)
			snprintf(out->s, sizeof(out->s), "%s", ok[(guint)(frac * m) % m]);
		g_free(ok);
		g_free(all);
		return m > 0;
	}
	case FF_INT:
	case FF_FLOAT:
		break;
	default:
		return false;
	}
	if (!ff_range(name, &lo, &hi, &inc, &e)) {
		g_error_free(e);
		return false;
	}
	const struct ff_clamp *c = fx && ff_is_clamp_feature(fx, name) ? ff_clamp_of(name) : NULL;
	gint64 largest;
	char err[128];
	if (c && ff_clamp_largest(c, &largest, err, sizeof(err)) && (double)largest < hi)
		hi = (double)largest;
	if (hi < lo)
		return false;
	if (k == FF_INT) {
		gint64 step = inc >= 1 ? (gint64)inc : 1, ilo = (gint64)lo;
		gint64 nsteps = ((gint64)hi - ilo) / step;
		if (nsteps <= 0)
			return false;
		gint64 s = (gint64)llround(frac * (double)nsteps);
		for (gint64 t = 0; t <= nsteps; t++) {
			gint64 cand = ilo + ((s + t) % (nsteps + 1)) * step;
			if (avoid->k != FF_INT || cand != avoid->i) {
				out->i = cand;
				return true;
			}
		}
		return false;
	}
	for (int t = 0; t < 4; t++) {
		double f = fmod(frac + 0.29 * t, 1.0), v;
		if (inc > 0)
			v = lo + round((hi - lo) * f / inc) * inc;
		else
			v = round_short(lo + (hi - lo) * f, hi - lo);
		if (v < lo)
			v = lo;
		if (v > hi)
			v = hi;
		out->f = v;
		if (avoid->k != FF_FLOAT || !ff_equal(out, avoid))
			return true;
	}
	return false;
}
