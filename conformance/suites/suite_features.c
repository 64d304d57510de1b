/* SPDX-License-Identifier: MIT */
/* features suite: every feature of the manual's section 5, as transcribed in
 * fixtures/<model>/features.ini, checked against the device's own GenICam XML
 * and the device's answers: presence, type and access; factory defaults;
 * printed ranges; enumeration entries and their values; out-of-range,
 * off-increment and read-only writes refused by the device (or clamped where
 * manual 5.1.5 says so); a valid value round-trips; commands execute.
 * Nothing here knows the emulator: the same tests run against a real camera. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conform.h"
#include "featfix.h"
#include "wire.h"

static struct ff_fixture fx;
static char fx_err[256];

static int features_init(void)
{
	if (ff_load(&fx, fx_err, sizeof(fx_err)) == 0)
		fx_err[0] = '\0';   /* loaded: ff_begin lets the tests run */
	return 0;
}

static int features_cleanup(void)
{
	char err[256];

	if (session->genicam)
		ff_factory_reset(err, sizeof(err));
	ff_free(&fx);
	return 0;
}

/* Every test starts from the factory configuration with acquisition stopped. */
static bool begin(char *err, size_t errlen)
{
	if (!ff_begin(fx_err, err, errlen))
		return false;
	if (!ff_factory_reset(err, errlen))
		return false;
	return true;
}

static bool is_numeric_type(const char *t) { return strcmp(t, "Integer") == 0 || strcmp(t, "Float") == 0; }
static bool is_rw(const struct ff_feature *f) { return strcmp(f->access, "RW") == 0; }

static const char *label(const struct ff_feature *f, const char *sel, char *buf, size_t len)
{
	if (sel)
		snprintf(buf, len, "%s[%s=%s]", f->name, f->selector, sel);
	else
		snprintf(buf, len, "%s", f->name);
	return buf;
}

/* The values of the feature's selector (NULL with *n = 1 when it has none). */
static const char **selector_values(const struct ff_feature *f, guint *n)
{
	if (!f->selector) {
		*n = 1;
		return NULL;
	}
	return ff_available_entries(f->selector, n);
}

/* Factory configuration, selector set, feature unlocked. */
static bool prepare(const struct ff_feature *f, const char *sel, char *err, size_t errlen)
{
	GError *e = NULL;

	if (!ff_factory_reset(err, errlen))
		return false;
	if (sel && !ff_set_word(f->selector, sel, &e)) {
		snprintf(err, errlen, "%s=%s: %s", f->selector, sel, e->message);
		g_error_free(e);
		return false;
	}
	return ff_unlock(f->name, err, errlen);
}

/* prepare(), then the feature's range from the XML; a failure is a failed check. */
static bool prepared_range(const struct ff_feature *f, const char *sel, double *mn, double *mx, double *inc)
{
	char err[512], lb[160];
	GError *e = NULL;

	if (!prepare(f, sel, err, sizeof(err))) {
		CHECK_MSG(false, "%s: %s", label(f, sel, lb, sizeof(lb)), err);
		return false;
	}
	if (!ff_range(f->name, mn, mx, inc, &e)) {
		CHECK_MSG(false, "%s: %s", label(f, sel, lb, sizeof(lb)), e->message);
		g_error_free(e);
		return false;
	}
	return true;
}

static bool close_enough(double a, double b) { return fabs(a - b) <= 1e-9 * fmax(1.0, fmax(fabs(a), fabs(b))); }

/* ------------------------------------------------------------ present_and_typed */

static void test_present_and_typed(void)
{
	unsigned present = 0, typed = 0, access_ok = 0;
	char err[512] = "";

	REQUIRE_MSG(begin(err, sizeof(err)), "%s", err);
	for (size_t i = 0; i < fx.n; i++) {
		const struct ff_feature *f = &fx.f[i];
		ArvGcNode *n = arv_gc_get_node(session->genicam, f->name);
		GError *e = NULL;

		CHECK_MSG(n && ARV_IS_GC_FEATURE_NODE(n), "%s (manual %s): not a feature of the device's XML", f->name,
			  f->section ? f->section : "?");
		if (!n || !ARV_IS_GC_FEATURE_NODE(n))
			continue;
		ArvGcFeatureNode *fn = ARV_GC_FEATURE_NODE(n);
		bool impl = arv_gc_feature_node_is_implemented(fn, &e);
		CHECK_MSG(impl && !e, "%s: not implemented%s%s", f->name, e ? ": " : "", e ? e->message : "");
		g_clear_error(&e);
		present++;

		enum ff_kind k = ff_kind_of(n);
		bool ok;
		if (is_numeric_type(f->type))
			ok = k == FF_INT || k == FF_FLOAT;
		else if (strcmp(f->type, "Enumeration") == 0)
			ok = k == FF_ENUM;
		else if (strcmp(f->type, "Boolean") == 0)
			ok = k == FF_BOOL;
		else if (strcmp(f->type, "Command") == 0)
			ok = k == FF_CMD;
		else if (strcmp(f->type, "Register") == 0)
			ok = ARV_IS_GC_REGISTER(n);
		else
			ok = false;
		CHECK_MSG(ok, "%s: the manual makes it %s%s, the XML has a %s (%s)", f->name, f->type,
			  is_numeric_type(f->type) ? " (numeric)" : "", G_OBJECT_TYPE_NAME(n), ff_kind_name(k));
		typed += ok;

		ArvGcAccessMode m = arv_gc_feature_node_get_actual_access_mode(fn);
		const char *ms = arv_gc_access_mode_to_string(m);
		if (strcmp(f->access, "RO") == 0)
			ok = m == ARV_GC_ACCESS_MODE_RO;
		else if (strcmp(f->access, "WO") == 0)
			ok = m == ARV_GC_ACCESS_MODE_WO || m == ARV_GC_ACCESS_MODE_RW;
		else
			ok = m == ARV_GC_ACCESS_MODE_RW;
		CHECK_MSG(ok, "%s: access %s in the fixture, %s in the XML", f->name, f->access, ms ? ms : "?");
		access_ok += ok;
	}
	printf("\n    %zu features: %u present, %u typed as in the manual, %u with its access mode\n", fx.n, present,
	       typed, access_ok);
}

/* ------------------------------------------------------------ factory_defaults */

static bool word_truth(const char *s, bool *v)
{
	if (!g_ascii_strcasecmp(s, "True") || !g_ascii_strcasecmp(s, "On") || !strcmp(s, "1")) {
		*v = true;
		return true;
	}
	if (!g_ascii_strcasecmp(s, "False") || !g_ascii_strcasecmp(s, "Off") || !strcmp(s, "0")) {
		*v = false;
		return true;
	}
	return false;
}

static void test_factory_defaults(void)
{
	unsigned with = 0, match = 0;
	char err[512] = "", buf[128];

	REQUIRE_MSG(begin(err, sizeof(err)), "%s", err);
	for (size_t i = 0; i < fx.n; i++) {
		const struct ff_feature *f = &fx.f[i];
		struct ff_value v;
		GError *e = NULL;
		bool ok = false, b;

		if (!f->dflt)
			continue;
		with++;
		if (!ff_read(f->name, &v, &e)) {
			CHECK_MSG(false, "%s: cannot read the factory value: %s", f->name, e->message);
			g_error_free(e);
			continue;
		}
		switch (v.k) {
		case FF_ENUM: ok = strcmp(v.s, f->dflt) == 0; break;
		case FF_BOOL: ok = word_truth(f->dflt, &b) && b == (v.i != 0); break;
		case FF_INT: ok = close_enough((double)v.i, g_ascii_strtod(f->dflt, NULL)); break;
		case FF_FLOAT: ok = close_enough(v.f, g_ascii_strtod(f->dflt, NULL)); break;
		default: break;
		}
		CHECK_MSG(ok, "%s: factory value %s, manual %s says %s", f->name, ff_str(&v, buf, sizeof(buf)),
			  f->section ? f->section : "", f->dflt);
		match += ok;
	}
	printf("\n    %u factory defaults printed in the manual: %u match after UserSetLoad of Default\n", with, match);
}

/* ------------------------------------------------------------ ranges */

static void test_ranges(void)
{
	unsigned checked = 0, bounds = 0, match = 0;
	char err[512] = "", lb[160];

	REQUIRE_MSG(begin(err, sizeof(err)), "%s", err);
	for (size_t i = 0; i < fx.n; i++) {
		const struct ff_feature *f = &fx.f[i];
		guint nsel = 0;

		if (!f->has_min && !f->has_max)
			continue;
		checked++;
		enum ff_kind k = ff_kind(f->name);
		if (k != FF_INT && k != FF_FLOAT) {
			CHECK_MSG(false, "%s: manual range %g..%g but the XML node is %s", f->name, f->min, f->max,
				  ff_kind_name(k));
			continue;
		}
		const char **sels = selector_values(f, &nsel);
		CHECK_MSG(nsel > 0, "%s: selector %s offers no entries", f->name, f->selector);
		for (guint s = 0; s < nsel; s++) {
			const char *sel = sels ? sels[s] : NULL;
			double mn, mx, inc;
			GError *e = NULL;

			if (sel && !ff_set_word(f->selector, sel, &e)) {
				CHECK_MSG(false, "%s: %s", label(f, sel, lb, sizeof(lb)), e->message);
				g_error_free(e);
				continue;
			}
			if (!ff_range(f->name, &mn, &mx, &inc, &e)) {
				CHECK_MSG(false, "%s: range: %s", label(f, sel, lb, sizeof(lb)), e->message);
				g_error_free(e);
				continue;
			}
			if (f->has_min) {
				bounds++;
				CHECK_MSG(close_enough(mn, f->min), "%s: GenICam min %.9g, manual %s prints %.9g",
					  label(f, sel, lb, sizeof(lb)), mn, f->section, f->min);
				match += close_enough(mn, f->min);
			}
			if (f->has_max) {
				bounds++;
				CHECK_MSG(close_enough(mx, f->max), "%s: GenICam max %.9g, manual %s prints %.9g",
					  label(f, sel, lb, sizeof(lb)), mx, f->section, f->max);
				match += close_enough(mx, f->max);
			}
		}
		g_free(sels);
	}
	printf("\n    %u features with a printed range: %u of %u bounds equal the XML's\n", checked, match, bounds);
}

/* ------------------------------------------------------------ enum_entries */

/* How the camera exposes the numbers of entry.<X>. */
enum exposed { EXPOSED_PFNC_BITS, EXPOSED_SETS_FEATURE };
static const struct entry_values {
	const char *feature;
	enum exposed how;
	const char *target;
} entry_values[] = {
	/* PFNC: bits 16..23 of a pixel format code are its bits per pixel */
	{ "PixelFormat", EXPOSED_PFNC_BITS, NULL },
	/* 5.8.3: a preset sets the colour temperature */
	{ "BalanceWhiteTemperaturePreset", EXPOSED_SETS_FEATURE, "BalanceWhiteTemperature" },
};

static ArvGcEnumEntry *find_entry(const char *feature, const char *entry)
{
	ArvGcNode *n = arv_gc_get_node(session->genicam, feature);

	if (!n || !ARV_IS_GC_ENUMERATION(n))
		return NULL;
	for (const GSList *l = arv_gc_enumeration_get_entries(ARV_GC_ENUMERATION(n)); l; l = l->next)
		if (ARV_IS_GC_ENUM_ENTRY(l->data) &&
		    strcmp(arv_gc_feature_node_get_name(ARV_GC_FEATURE_NODE(l->data)), entry) == 0)
			return l->data;
	return NULL;
}

static void check_entry_values(const struct ff_feature *f, const struct entry_values *how, unsigned *checked,
			       unsigned *match)
{
	char err[512] = "";

	if (how->how == EXPOSED_SETS_FEATURE && !prepare(f, NULL, err, sizeof(err))) {
		CHECK_MSG(false, "%s: %s", f->name, err);
		return;
	}
	for (gsize j = 0; j < f->n_entries; j++) {
		char *want_s = ff_entry_meaning(&fx, f->name, f->entries[j]);
		GError *e = NULL;
		double want, got = NAN;

		if (!want_s)
			continue;
		want = g_ascii_strtod(want_s, NULL);
		(*checked)++;
		if (how->how == EXPOSED_PFNC_BITS) {
			ArvGcEnumEntry *en = find_entry(f->name, f->entries[j]);
			if (en) {
				gint64 code = arv_gc_enum_entry_get_value(en, &e);
				got = e ? NAN : (double)((code >> 16) & 0xff);
			}
			CHECK_MSG(got == want, "%s=%s: PFNC code gives %g bits per pixel, manual %s says %s", f->name,
				  f->entries[j], got, f->section, want_s);
		} else {
			struct ff_value v;
			if (!ff_set_word(f->name, f->entries[j], &e) || !ff_read(how->target, &v, &e)) {
				CHECK_MSG(false, "%s=%s: %s", f->name, f->entries[j], e ? e->message : "?");
			} else {
				got = v.k == FF_FLOAT ? v.f : (double)v.i;
				CHECK_MSG(close_enough(got, want), "%s=%s: %s reads %g, manual %s says %s", f->name,
					  f->entries[j], how->target, got, f->section, want_s);
			}
		}
		*match += close_enough(got, want);
		g_clear_error(&e);
		g_free(want_s);
	}
}

static void test_enum_entries(void)
{
	unsigned enums = 0, same = 0, vchecked = 0, vmatch = 0;
	char err[512] = "";
	GString *unexposed = g_string_new(NULL);

	REQUIRE_MSG(begin(err, sizeof(err)), "%s", err);
	for (size_t i = 0; i < fx.n; i++) {
		const struct ff_feature *f = &fx.f[i];
		guint n = 0;

		if (strcmp(f->type, "Enumeration") != 0)
			continue;
		enums++;
		if (ff_kind(f->name) != FF_ENUM) {
			CHECK_MSG(false, "%s: not an enumeration in the XML (%s): entries not comparable", f->name,
				  ff_kind_name(ff_kind(f->name)));
			continue;
		}
		const char **avail = ff_available_entries(f->name, &n);
		GString *missing = g_string_new(NULL), *extra = g_string_new(NULL);
		for (gsize j = 0; j < f->n_entries; j++) {
			bool found = false;
			for (guint a = 0; a < n; a++)
				found = found || strcmp(avail[a], f->entries[j]) == 0;
			if (!found)
				g_string_append_printf(missing, " %s", f->entries[j]);
		}
		for (guint a = 0; a < n; a++) {
			bool found = false;
			for (gsize j = 0; j < f->n_entries; j++)
				found = found || strcmp(avail[a], f->entries[j]) == 0;
			if (!found)
				g_string_append_printf(extra, " %s", avail[a]);
		}
		CHECK_MSG(!missing->len && !extra->len, "%s: entries of manual %s missing:%s%s; not in the manual:%s%s",
			  f->name, f->section, missing->len ? missing->str : "", missing->len ? "" : " none",
			  extra->len ? extra->str : "", extra->len ? "" : " none");
		same += !missing->len && !extra->len;
		g_string_free(missing, TRUE);
		g_string_free(extra, TRUE);
		g_free(avail);

		bool has_values = false;
		for (gsize j = 0; j < f->n_entries && !has_values; j++) {
			char *m = ff_entry_meaning(&fx, f->name, f->entries[j]);
			has_values = m != NULL;
			g_free(m);
		}
		if (!has_values)
			continue;
		const struct entry_values *how = NULL;
		for (size_t w = 0; w < sizeof(entry_values) / sizeof(entry_values[0]); w++)
			if (strcmp(entry_values[w].feature, f->name) == 0)
				how = &entry_values[w];
		if (!how) {
			g_string_append_printf(unexposed, " %s", f->name);
			continue;
		}
		check_entry_values(f, how, &vchecked, &vmatch);
		/* back to the factory configuration for the enumerations that follow */
		CHECK_MSG(ff_factory_reset(err, sizeof(err)), "restoring the factory configuration: %s", err);
	}
	printf("\n    %u enumerations: %u offer exactly the manual's entries; entry values: %u of %u match%s%s%s\n",
	       enums, same, vmatch, vchecked, unexposed->len ? " (not exposed by the camera, unchecked:" : "",
	       unexposed->len ? unexposed->str : "", unexposed->len ? ")" : "");
	g_string_free(unexposed, TRUE);
}

/* ------------------------------------------------------------ out_of_range_refused */

struct tally {
	unsigned features, writes, refused, clamped;
};

/* Writes v and checks the device's answer: refused with the value unchanged, or
 * (offset-clamp features) accepted and replaced by the largest valid value. */
static void check_invalid_write(const struct ff_feature *f, const char *sel, const struct ff_value *v, const char *why,
				bool clamp, struct tally *t)
{
	struct ff_value before, after;
	GError *e = NULL;
	char lb[160], b1[64], b2[64], b3[64], err[256] = "";

	label(f, sel, lb, sizeof(lb));
	if (!ff_read(f->name, &before, &e)) {
		CHECK_MSG(false, "%s: read: %s", lb, e->message);
		g_error_free(e);
		return;
	}
	t->writes++;
	bool accepted = ff_write(f->name, v, &e);
	bool gencp = ff_is_gencp_error(e);
	char emsg[256];
	snprintf(emsg, sizeof(emsg), "%s", e ? e->message : "");
	g_clear_error(&e);
	if (!ff_read(f->name, &after, &e)) {
		CHECK_MSG(false, "%s: read after writing %s: %s", lb, ff_str(v, b1, sizeof(b1)), e->message);
		g_error_free(e);
		return;
	}
	if (session->verbose)
		printf("\n    %s: wrote %s (%s): %s%s%s, reads %s", lb, ff_str(v, b1, sizeof(b1)), why,
		       accepted ? "accepted" : "refused", accepted ? "" : ": ", emsg, ff_str(&after, b2, sizeof(b2)));
	if (clamp) {
		const struct ff_clamp *c = ff_clamp_of(f->name);
		gint64 largest = 0;
		bool have = c && ff_clamp_largest(c, &largest, err, sizeof(err));
		bool in_range = (after.k == FF_INT ? (double)after.i : after.f) >= (f->has_min ? f->min : -INFINITY) &&
				(after.k == FF_INT ? (double)after.i : after.f) <= (f->has_max ? f->max : INFINITY);
		bool ok = accepted && (have ? after.k == FF_INT && after.i == largest : in_range);
		CHECK_MSG(ok,
			  "%s: wrote %s (%s): %s%s%s, reads %s; manual 5.1.5: the camera uses the maximum possible "
			  "value (%s%lld)",
			  lb, ff_str(v, b1, sizeof(b1)), why, accepted ? "accepted" : "refused", accepted ? "" : ": ",
			  emsg, ff_str(&after, b2, sizeof(b2)), have ? "" : "unknown: ", (long long)largest);
		t->clamped += ok;
		return;
	}
	bool same = ff_equal(&before, &after);
	CHECK_MSG(!accepted, "%s: wrote %s (%s): accepted, reads %s (was %s)", lb, ff_str(v, b1, sizeof(b1)), why,
		  ff_str(&after, b2, sizeof(b2)), ff_str(&before, b3, sizeof(b3)));
	CHECK_MSG(accepted || gencp, "%s: wrote %s (%s): refused, but not by the device: %s", lb,
		  ff_str(v, b1, sizeof(b1)), why, emsg);
	CHECK_MSG(same, "%s: wrote %s (%s): %s, value changed from %s to %s", lb, ff_str(v, b1, sizeof(b1)), why,
		  accepted ? "accepted" : "refused", ff_str(&before, b2, sizeof(b2)), ff_str(&after, b3, sizeof(b3)));
	t->refused += !accepted && gencp && same;
}

static void test_out_of_range_refused(void)
{
	struct tally t = { 0 };
	char err[512] = "", lb[160];

	REQUIRE_MSG(begin(err, sizeof(err)), "%s", err);
	for (size_t i = 0; i < fx.n; i++) {
		const struct ff_feature *f = &fx.f[i];
		enum ff_kind k = ff_kind(f->name);
		guint nsel = 0;

		if (!is_rw(f) || !is_numeric_type(f->type) || (k != FF_INT && k != FF_FLOAT))
			continue;
		t.features++;
		bool clamp = ff_is_clamp_feature(&fx, f->name);
		const char **sels = selector_values(f, &nsel);
		for (guint s = 0; s < nsel; s++) {
			const char *sel = sels ? sels[s] : NULL;
			double mn, mx, inc;

			if (!prepared_range(f, sel, &mn, &mx, &inc))
				continue;
			/* the manual's printed range where it prints one, else the XML's */
			if (f->has_min)
				mn = f->min;
			if (f->has_max)
				mx = f->max;
			struct ff_value lo = { .k = k }, hi = { .k = k };
			char why_lo[96], why_hi[96];
			if (k == FF_INT) {
				lo.i = (gint64)llround(mn) - 1;
				hi.i = (gint64)llround(mx) + 1;
			} else {
				double d = (mx - mn) * 0.01, dlo = mn > 0 && mn / 2 < d ? mn / 2 : d;
				lo.f = mn - dlo;
				hi.f = mx + d;
			}
			snprintf(why_lo, sizeof(why_lo), "below the minimum %.9g", mn);
			snprintf(why_hi, sizeof(why_hi), "above the maximum %.9g", mx);
			check_invalid_write(f, sel, &lo, why_lo, clamp, &t);
			if (!prepare(f, sel, err, sizeof(err))) {
				CHECK_MSG(false, "%s: %s", label(f, sel, lb, sizeof(lb)), err);
				continue;
			}
			check_invalid_write(f, sel, &hi, why_hi, clamp, &t);
		}
		g_free(sels);
	}
	printf("\n    %u RW numeric features: %u out-of-range writes, %u refused by the device, %u clamped (5.1.5)\n",
	       t.features, t.writes, t.refused, t.clamped);
}

/* ------------------------------------------------------------ increments */

static void test_increments(void)
{
	struct tally t = { 0 };
	unsigned integers = 0;
	char err[512] = "";

	REQUIRE_MSG(begin(err, sizeof(err)), "%s", err);
	for (size_t i = 0; i < fx.n; i++) {
		const struct ff_feature *f = &fx.f[i];
		guint nsel = 0;

		if (!is_rw(f) || ff_kind(f->name) != FF_INT)
			continue;
		integers++;
		const char **sels = selector_values(f, &nsel);
		for (guint s = 0; s < nsel; s++) {
			const char *sel = sels ? sels[s] : NULL;
			double mn, mx, inc;
			GError *e = NULL;

			if (!prepared_range(f, sel, &mn, &mx, &inc))
				continue;
			if (inc <= 1)
				continue;
			if (s == 0)
				t.features++;
			/* an offset-clamp feature: make min+1 valid for the resolution, so
			 * only its increment makes it invalid */
			const struct ff_clamp *c = ff_is_clamp_feature(&fx, f->name) ? ff_clamp_of(f->name) : NULL;
			char ctx[96] = "";
			if (c) {
				double smn, smx, sinc;
				gint64 sz = 0;
				if (ff_range(c->size, &smn, &smx, &sinc, &e))
					gc_set_int(c->size, (gint64)smn, NULL, 0);
				g_clear_error(&e);
				gc_get_int(c->size, &sz, NULL, 0);
				snprintf(ctx, sizeof(ctx), ", with %s=%lld", c->size, (long long)sz);
			}
			struct ff_value v = { .k = FF_INT, .i = (gint64)mn + 1 };
			char why[160];
			snprintf(why, sizeof(why), "minimum %lld + 1, increment %lld%s", (long long)mn, (long long)inc, ctx);
			check_invalid_write(f, sel, &v, why, false, &t);
		}
		g_free(sels);
	}
	printf("\n    %u RW integer features, %u with an increment > 1: %u off-increment writes refused\n", integers,
	       t.features, t.refused);
}

/* ------------------------------------------------------------ read_only_refused */

static ArvGcNode *register_behind(ArvGcNode *n)
{
	if (ARV_IS_GC_REGISTER(n))
		return n;
	for (ArvDomNode *c = arv_dom_node_get_first_child(ARV_DOM_NODE(n)); c; c = arv_dom_node_get_next_sibling(c))
		if (ARV_IS_GC_PROPERTY_NODE(c) &&
		    arv_gc_property_node_get_node_type(ARV_GC_PROPERTY_NODE(c)) == ARV_GC_PROPERTY_NODE_TYPE_P_VALUE) {
			ArvGcNode *l = arv_gc_property_node_get_linked_node(ARV_GC_PROPERTY_NODE(c));
			return l && ARV_IS_GC_REGISTER(l) ? l : NULL;
		}
	return NULL;
}

static void test_read_only_refused(void)
{
	unsigned ro = 0, node_refused = 0, raw_refused = 0;
	char err[512] = "", b1[64], b2[64], b3[64];

	REQUIRE_MSG(begin(err, sizeof(err)), "%s", err);
	for (size_t i = 0; i < fx.n; i++) {
		const struct ff_feature *f = &fx.f[i];
		ArvGcNode *n = arv_gc_get_node(session->genicam, f->name);
		struct ff_value before, after, v;
		GError *e = NULL;

		if (strcmp(f->access, "RO") != 0)
			continue;
		ro++;
		if (!n) {
			CHECK_MSG(false, "%s: not in the XML", f->name);
			continue;
		}
		/* through the node */
		if (!ff_read(f->name, &before, &e)) {
			CHECK_MSG(false, "%s: read: %s", f->name, e->message);
			g_clear_error(&e);
		} else {
			v = before;
			switch (v.k) {
			case FF_BOOL: v.i = !v.i; break;
			case FF_INT: v.i = v.i + 1; break;
			case FF_FLOAT: v.f = v.f + 1; break;
			case FF_ENUM: {
				struct ff_value other;
				if (ff_pick_other(&fx, f->name, &before, 0.0, &other))
					v = other;
				break;
			}
			default: break;
			}
			bool accepted = ff_write(f->name, &v, &e);
			bool gencp = ff_is_gencp_error(e);
			char emsg[256];
			snprintf(emsg, sizeof(emsg), "%s", e ? e->message : "");
			g_clear_error(&e);
			bool read = ff_read(f->name, &after, &e);
			g_clear_error(&e);
			CHECK_MSG(!accepted && gencp, "%s (read-only): writing %s through the node was %s%s", f->name,
				  ff_str(&v, b1, sizeof(b1)), accepted ? "accepted" : "refused, but not by the device: ",
				  emsg);
			CHECK_MSG(read && ff_equal(&before, &after), "%s (read-only): value %s became %s after writing %s",
				  f->name, ff_str(&before, b1, sizeof(b1)), ff_str(&after, b2, sizeof(b2)),
				  ff_str(&v, b3, sizeof(b3)));
			node_refused += !accepted && gencp;
		}
		/* raw GenCP write at the register behind the feature */
		ArvGcNode *r = register_behind(n);
		if (!r) {
			CHECK_MSG(false, "%s: no register node behind the feature to write raw", f->name);
			continue;
		}
		guint64 addr = arv_gc_register_get_address(ARV_GC_REGISTER(r), &e);
		guint64 len = e ? 0 : arv_gc_register_get_length(ARV_GC_REGISTER(r), &e);
		if (e || len == 0 || len > 4096) {
			CHECK_MSG(false, "%s: register address/length: %s", f->name, e ? e->message : "bad length");
			g_clear_error(&e);
			continue;
		}
		uint8_t *orig = g_malloc(len), *buf = g_malloc(len), *back = g_malloc(len);
		int rc = gencp_read(&session->gc, addr, orig, (uint32_t)len);
		CHECK_MSG(rc == 0, "%s: GenCP read at 0x%llx: %d", f->name, (unsigned long long)addr, rc);
		memcpy(buf, orig, len);
		buf[0] ^= 1;
		rc = gencp_write(&session->gc, addr, buf, (uint32_t)len);
		CHECK_MSG(rc == GENCP_WRITE_PROTECT || rc == GENCP_ACCESS_DENIED,
			  "%s: raw GenCP write of %llu bytes at 0x%llx: %s 0x%04x (%s), expected WRITE_PROTECT or "
			  "ACCESS_DENIED",
			  f->name, (unsigned long long)len, (unsigned long long)addr, rc == 0 ? "accepted," : "status",
			  rc < 0 ? 0 : rc, rc > 0 ? gencp_status_name((uint16_t)rc) : rc == 0 ? "SUCCESS" : "transport error");
		raw_refused += rc == GENCP_WRITE_PROTECT || rc == GENCP_ACCESS_DENIED;
		if (gencp_read(&session->gc, addr, back, (uint32_t)len) == 0)
			CHECK_MSG(memcmp(back, orig, len) == 0, "%s: register 0x%llx changed by the raw write",
				  f->name, (unsigned long long)addr);
		g_free(orig);
		g_free(buf);
		g_free(back);
	}
	printf("\n    %u read-only features: %u writes through the node and %u raw GenCP writes refused\n", ro,
	       node_refused, raw_refused);
}

/* ------------------------------------------------------------ round_trip */

static void round_trip_register(const struct ff_feature *f, ArvGcNode *n, unsigned *ok_count)
{
	GError *e = NULL;
	guint64 len = arv_gc_register_get_length(ARV_GC_REGISTER(n), &e);

	if (e || len == 0 || len > 1u << 20) {
		CHECK_MSG(false, "%s: register length: %s", f->name, e ? e->message : "bad");
		g_clear_error(&e);
		return;
	}
	uint8_t *orig = g_malloc(len), *buf = g_malloc(len), *back = g_malloc(len);
	arv_gc_register_get(ARV_GC_REGISTER(n), orig, len, &e);
	if (!e) {
		/* the same words in reverse order: a different content made only of
		 * words the device already holds, whatever their layout */
		size_t w = len / 4;
		memcpy(buf, orig, len);
		for (size_t j = 0; j < w; j++)
			memcpy(buf + 4 * j, orig + 4 * (w - 1 - j), 4);
		if (memcmp(buf, orig, len) == 0)
			for (size_t j = 0; j < w; j++)
				memcpy(buf + 4 * j, orig + 4 * ((j + 1) % w), 4);
		arv_gc_register_set(ARV_GC_REGISTER(n), buf, len, &e);
	}
	if (!e)
		arv_gc_register_get(ARV_GC_REGISTER(n), back, len, &e);
	if (e) {
		CHECK_MSG(false, "%s: %s", f->name, e->message);
		g_clear_error(&e);
	} else {
		bool same = memcmp(back, buf, len) == 0;
		CHECK_MSG(same, "%s: %llu bytes written, different bytes read back", f->name, (unsigned long long)len);
		*ok_count += same;
	}
	arv_gc_register_set(ARV_GC_REGISTER(n), orig, len, &e);
	g_clear_error(&e);
	g_free(orig);
	g_free(buf);
	g_free(back);
}

static void test_round_trip(void)
{
	unsigned rw = 0, ok_count = 0, cases = 0;
	char err[512] = "", lb[160], b1[64], b2[64], b3[64];

	REQUIRE_MSG(begin(err, sizeof(err)), "%s", err);
	for (size_t i = 0; i < fx.n; i++) {
		const struct ff_feature *f = &fx.f[i];
		ArvGcNode *n = arv_gc_get_node(session->genicam, f->name);
		guint nsel = 0;

		if (!is_rw(f) || !n || ff_kind_of(n) == FF_CMD)
			continue;
		rw++;
		if (ff_kind_of(n) == FF_REG) {
			cases++;
			if (!prepare(f, NULL, err, sizeof(err)))
				CHECK_MSG(false, "%s", err);
			else
				round_trip_register(f, n, &ok_count);
			continue;
		}
		const char **sels = selector_values(f, &nsel);
		for (guint s = 0; s < nsel; s++) {
			const char *sel = sels ? sels[s] : NULL;
			struct ff_value orig, v, back;
			GError *e = NULL;

			cases++;
			label(f, sel, lb, sizeof(lb));
			if (!prepare(f, sel, err, sizeof(err))) {
				CHECK_MSG(false, "%s: %s", lb, err);
				continue;
			}
			/* an offset-clamp feature has no valid non-default value while the
			 * window fills the sensor: shrink the window to its minimum first */
			const struct ff_clamp *c = ff_is_clamp_feature(&fx, f->name) ? ff_clamp_of(f->name) : NULL;
			if (c) {
				double smn, smx, sinc;
				if (ff_range(c->size, &smn, &smx, &sinc, &e))
					gc_set_int(c->size, (gint64)smn, NULL, 0);
				g_clear_error(&e);
			}
			if (!ff_read(f->name, &orig, &e)) {
				CHECK_MSG(false, "%s: read: %s", lb, e->message);
				g_error_free(e);
				continue;
			}
			if (!ff_pick_other(&fx, f->name, &orig, 0.37, &v)) {
				CHECK_MSG(false, "%s: no valid value other than %s to write", lb,
					  ff_str(&orig, b1, sizeof(b1)));
				continue;
			}
			if (!ff_write(f->name, &v, &e)) {
				CHECK_MSG(false, "%s: writing %s (was %s) refused: %s", lb, ff_str(&v, b1, sizeof(b1)),
					  ff_str(&orig, b2, sizeof(b2)), e->message);
				g_error_free(e);
				continue;
			}
			if (!ff_read(f->name, &back, &e)) {
				CHECK_MSG(false, "%s: read back: %s", lb, e->message);
				g_error_free(e);
				continue;
			}
			bool same = ff_equal(&v, &back);
			if (session->verbose)
				printf("\n    %s: %s -> %s, reads %s", lb, ff_str(&orig, b1, sizeof(b1)),
				       ff_str(&v, b2, sizeof(b2)), ff_str(&back, b3, sizeof(b3)));
			CHECK_MSG(same, "%s: wrote %s (was %s), reads back %s", lb, ff_str(&v, b1, sizeof(b1)),
				  ff_str(&orig, b2, sizeof(b2)), ff_str(&back, b3, sizeof(b3)));
			ok_count += same;
			ff_write(f->name, &orig, &e);
			g_clear_error(&e);
		}
		g_free(sels);
	}
	char reset_err[256] = "";
	CHECK_MSG(ff_factory_reset(reset_err, sizeof(reset_err)), "restoring the factory configuration: %s", reset_err);
	printf("\n    %u RW features (%u cases with selectors): %u take a new value and read it back\n", rw, cases,
	       ok_count);
}

/* ------------------------------------------------------------ commands_execute */

/* What a command needs to be executable: the software trigger is fine with the
 * trigger mode off; the factory slot cannot be saved to (5.12.1), so UserSetSave
 * goes to UserSet1; UserSetLoad loads the factory slot. */
static const struct {
	const char *command, *control, *value;
} command_setup[] = {
	{ "TriggerSoftware", "TriggerMode", "Off" },
	{ "UserSetSave", "UserSetSelector", "UserSet1" },
	{ "UserSetLoad", "UserSetSelector", "Default" },
};

static void test_commands_execute(void)
{
	unsigned cmds = 0, ok_count = 0;
	char err[512] = "";

	REQUIRE_MSG(begin(err, sizeof(err)), "%s", err);
	for (size_t i = 0; i < fx.n; i++) {
		const struct ff_feature *f = &fx.f[i];
		GString *setup = g_string_new(NULL);

		if (strcmp(f->type, "Command") != 0)
			continue;
		cmds++;
		if (!ff_factory_reset(err, sizeof(err))) {
			CHECK_MSG(false, "%s: %s", f->name, err);
			continue;
		}
		for (size_t j = 0; j < sizeof(command_setup) / sizeof(command_setup[0]); j++) {
			GError *e = NULL;
			if (strcmp(command_setup[j].command, f->name) != 0)
				continue;
			ff_set_word(command_setup[j].control, command_setup[j].value, &e);
			g_string_append_printf(setup, " with %s=%s%s%s", command_setup[j].control, command_setup[j].value,
					       e ? ": " : "", e ? e->message : "");
			g_clear_error(&e);
		}
		bool ok = gc_execute(f->name, err, sizeof(err));
		CHECK_MSG(ok, "%s%s: %s", f->name, setup->str, err);
		ok_count += ok;
		g_string_free(setup, TRUE);
	}
	CHECK_MSG(ff_factory_reset(err, sizeof(err)), "restoring the factory configuration: %s", err);
	printf("\n    %u commands: %u execute without error\n", cmds, ok_count);
}

void suite_features_register(const char *name)
{
	CU_pSuite s = CU_add_suite(name, features_init, features_cleanup);

	CU_add_test(s, "present_and_typed", test_present_and_typed);
	CU_add_test(s, "factory_defaults", test_factory_defaults);
	CU_add_test(s, "ranges", test_ranges);
	CU_add_test(s, "enum_entries", test_enum_entries);
	CU_add_test(s, "out_of_range_refused", test_out_of_range_refused);
	CU_add_test(s, "increments", test_increments);
	CU_add_test(s, "read_only_refused", test_read_only_refused);
	CU_add_test(s, "round_trip", test_round_trip);
	CU_add_test(s, "commands_execute", test_commands_execute);
}
