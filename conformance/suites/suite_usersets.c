/* SPDX-License-Identifier: MIT */
/* usersets suite (manual 5.12): UserSet1 and UserSet2 keep a configuration
 * that differs from the factory one in many features (a seeded random choice of
 * valid values over the RW features of sections 5.1 - 5.11 in features.ini),
 * the two slots are independent, UserSetSelector picks the slot that
 * UserSetLoad/UserSetSave act on, the factory slot cannot be overwritten, and
 * UserSetDefault chooses the configuration active after a power cycle
 * (DeviceReset). The camera is left with UserSetDefault=Default and the factory
 * configuration loaded. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conform.h"
#include "featfix.h"

#define CHANGES 20   /* features given a new random value per configuration */

/* One value of the configuration: a feature, under one selector value if it has a selector. */
struct slot {
	const struct ff_feature *f;
	const char *sel;
};

/* The configuration as read back: locked features (their value belongs to an
 * auto function or another feature) are not part of it. */
struct snap {
	struct ff_value *v;
	bool *valid;
	bool taken;
};

static struct ff_fixture fx;
static char fx_err[256];
static struct slot *slots;
static size_t n_slots;
static char **sel_strings;   /* storage of the selector values of `slots` */
static GRand *rnd;
static struct snap factory, saved1, saved2;

/* Not part of a configuration to compare: the live output pin state and the
 * LUT's index/value access path (an address into the table, not a setting). */
static const char *const not_configuration[] = { "GPOut", "LUTIndex", "LUTValue" };

static bool is_candidate(const struct ff_feature *f)
{
	ArvGcNode *n = arv_gc_get_node(session->genicam, f->name);
	enum ff_kind k = ff_kind_of(n);

	if (!n || strcmp(f->access, "RW") != 0 || !ff_in_sections(f, 1, 11))
		return false;
	if (k != FF_INT && k != FF_FLOAT && k != FF_ENUM && k != FF_BOOL)
		return false;
	for (size_t i = 0; i < sizeof(not_configuration) / sizeof(not_configuration[0]); i++)
		if (strcmp(not_configuration[i], f->name) == 0)
			return false;
	/* selectors choose what other features show; they are not settings themselves */
	if (ARV_IS_GC_SELECTOR(n) && arv_gc_selector_is_selector(ARV_GC_SELECTOR(n)))
		return false;
	for (size_t i = 0; i < fx.n; i++)
		if (fx.f[i].selector && strcmp(fx.f[i].selector, f->name) == 0)
			return false;
	return true;
}

static void build_slots(void)
{
	GPtrArray *strs = g_ptr_array_new();

	slots = g_new0(struct slot, fx.n * 4 + 1);
	n_slots = 0;
	for (size_t i = 0; i < fx.n; i++) {
		const struct ff_feature *f = &fx.f[i];
		if (!is_candidate(f))
			continue;
		if (!f->selector) {
			slots[n_slots++] = (struct slot){ f, NULL };
			continue;
		}
		guint n = 0;
		const char **sels = ff_available_entries(f->selector, &n);
		for (guint s = 0; s < n && n_slots < fx.n * 4; s++) {
			char *d = g_strdup(sels[s]);
			g_ptr_array_add(strs, d);
			slots[n_slots++] = (struct slot){ f, d };
		}
		g_free(sels);
	}
	g_ptr_array_add(strs, NULL);
	sel_strings = (char **)g_ptr_array_free(strs, FALSE);
}

static const char *slot_name(const struct slot *s, char *buf, size_t len)
{
	if (s->sel)
		snprintf(buf, len, "%s[%s=%s]", s->f->name, s->f->selector, s->sel);
	else
		snprintf(buf, len, "%s", s->f->name);
	return buf;
}

static bool select_slot(const struct slot *s)
{
	GError *e = NULL;

	if (!s->sel)
		return true;
	ff_set_word(s->f->selector, s->sel, &e);
	if (e) {
		g_error_free(e);
		return false;
	}
	return true;
}

static void snap_free(struct snap *s)
{
	g_free(s->v);
	g_free(s->valid);
	memset(s, 0, sizeof(*s));
}

static void snap_take(struct snap *s)
{
	snap_free(s);
	s->v = g_new0(struct ff_value, n_slots ? n_slots : 1);
	s->valid = g_new0(bool, n_slots ? n_slots : 1);
	for (size_t i = 0; i < n_slots; i++) {
		GError *e = NULL;
		if (!select_slot(&slots[i]) || ff_locked(slots[i].f->name))
			continue;
		s->valid[i] = ff_read(slots[i].f->name, &s->v[i], &e);
		g_clear_error(&e);
	}
	s->taken = true;
}

static unsigned snap_count(const struct snap *s)
{
	unsigned n = 0;

	for (size_t i = 0; i < n_slots; i++)
		n += s->valid[i];
	return n;
}

static unsigned snap_differences(const struct snap *a, const struct snap *b)
{
	unsigned n = 0;

	for (size_t i = 0; i < n_slots; i++)
		n += a->valid[i] != b->valid[i] || (a->valid[i] && !ff_equal(&a->v[i], &b->v[i]));
	return n;
}

/* Every value of `want` reads back the same in `got`; one failure per mismatch. */
static unsigned snap_check(const struct snap *want, const struct snap *got, const char *what)
{
	unsigned bad = 0;
	char name[160], b1[64], b2[64];

	for (size_t i = 0; i < n_slots; i++) {
		if (!want->valid[i])
			continue;
		bool ok = got->valid[i] && ff_equal(&want->v[i], &got->v[i]);
		CHECK_MSG(ok, "%s: %s should be %s, reads %s", what, slot_name(&slots[i], name, sizeof(name)),
			  ff_str(&want->v[i], b1, sizeof(b1)),
			  got->valid[i] ? ff_str(&got->v[i], b2, sizeof(b2)) : "(locked or unreadable)");
		bad += !ok;
	}
	return bad;
}

/* Gives each of the k slots idx[] (in manual order, so sizes come before
 * offsets and formats before frame rates) a new random valid value, different
 * from its current one. Returns how many writes the device took; refusals of
 * values inside the current range are only logged (features can limit each
 * other, e.g. the auto limits). */
static unsigned apply_values(const size_t *idx, size_t k, const char *tag)
{
	unsigned taken = 0;
	char name[160], b1[64], b2[64], err[512];

	for (size_t i = 0; i < k; i++) {
		const struct slot *s = &slots[idx[i]];
		struct ff_value cur, v;
		GError *e = NULL;
		double frac = g_rand_double(rnd);

		slot_name(s, name, sizeof(name));
		if (!select_slot(s) || !ff_unlock(s->f->name, err, sizeof(err))) {
			if (session->verbose)
				printf("\n    %s: %s skipped: %s", tag, name, err);
			continue;
		}
		if (!ff_read(s->f->name, &cur, &e) || !ff_pick_other(&fx, s->f->name, &cur, frac, &v)) {
			g_clear_error(&e);
			continue;
		}
		if (ff_write(s->f->name, &v, &e)) {
			taken++;
			if (session->verbose)
				printf("\n    %s: %s = %s", tag, name, ff_str(&v, b1, sizeof(b1)));
		} else if (session->verbose) {
			printf("\n    %s: %s = %s refused (was %s): %s", tag, name, ff_str(&v, b1, sizeof(b1)),
			       ff_str(&cur, b2, sizeof(b2)), e->message);
		}
		g_clear_error(&e);
	}
	return taken;
}

/* CHANGES slots chosen at random (seeded by --seed) get a new random value. */
static unsigned apply_random(const char *tag)
{
	size_t *idx = g_new(size_t, n_slots ? n_slots : 1);
	size_t k = n_slots < CHANGES ? n_slots : CHANGES;

	for (size_t i = 0; i < n_slots; i++)
		idx[i] = i;
	for (size_t i = 0; i < k; i++) {
		size_t j = i + (size_t)g_rand_int_range(rnd, 0, (gint32)(n_slots - i));
		size_t t = idx[i];
		idx[i] = idx[j];
		idx[j] = t;
	}
	for (size_t i = 0; i < k; i++)
		for (size_t j = i + 1; j < k; j++)
			if (idx[j] < idx[i]) {
				size_t t = idx[i];
				idx[i] = idx[j];
				idx[j] = t;
			}
	unsigned taken = apply_values(idx, k, tag);
	g_free(idx);
	return taken;
}

/* Every slot gets a new random value. */
static unsigned apply_all(const char *tag)
{
	size_t *idx = g_new(size_t, n_slots ? n_slots : 1);

	for (size_t i = 0; i < n_slots; i++)
		idx[i] = i;
	unsigned taken = apply_values(idx, n_slots, tag);
	g_free(idx);
	return taken;
}

static bool select_set(const char *set, char *err, size_t errlen)
{
	GError *e = NULL;

	if (ff_set_word("UserSetSelector", set, &e))
		return true;
	snprintf(err, errlen, "UserSetSelector=%s: %s", set, e->message);
	g_error_free(e);
	return false;
}

static bool load_set(const char *set, char *err, size_t errlen)
{
	return select_set(set, err, errlen) && gc_execute("UserSetLoad", err, errlen);
}

static bool save_set(const char *set, char *err, size_t errlen)
{
	return select_set(set, err, errlen) && gc_execute("UserSetSave", err, errlen);
}

static bool begin(char *err, size_t errlen)
{
	if (!ff_begin(fx_err, err, errlen))
		return false;
	if (!slots) {
		build_slots();
		if (session->verbose) {
			char name[160];
			printf("\n    %zu configuration values:", n_slots);
			for (size_t i = 0; i < n_slots; i++)
				printf(" %s", slot_name(&slots[i], name, sizeof(name)));
		}
	}
	if (n_slots == 0) {
		snprintf(err, errlen, "no RW features of sections 5.1 - 5.11 in the device's XML");
		return false;
	}
	if (!ff_factory_reset(err, errlen))
		return false;
	if (!factory.taken)
		snap_take(&factory);
	return true;
}

/* A new random configuration, different from the factory one, saved to `set`. */
static bool make_saved(const char *set, struct snap *out, char *err, size_t errlen)
{
	char tag[32];

	if (!ff_factory_reset(err, errlen))
		return false;
	snprintf(tag, sizeof(tag), "%s", set);
	unsigned taken = apply_random(tag);
	snap_take(out);
	unsigned diff = snap_differences(out, &factory);
	if (session->verbose)
		printf("\n    %s: %u writes taken, %u of %u values differ from the factory configuration", set, taken,
		       diff, snap_count(out));
	if (diff < CHANGES / 2) {
		snprintf(err, errlen, "only %u values differ from the factory configuration (%u random writes taken)",
			 diff, taken);
		return false;
	}
	return save_set(set, err, errlen);
}

/* ------------------------------------------------------------ tests */

/* 5.12.2/5.12.3: UserSetSave keeps the configuration, UserSetLoad restores it. */
static void test_save_and_load(void)
{
	struct snap now = { 0 };
	char err[512] = "";

	REQUIRE_MSG(begin(err, sizeof(err)), "%s", err);
	REQUIRE_MSG(make_saved("UserSet1", &saved1, err, sizeof(err)), "saving UserSet1: %s", err);
	unsigned from_factory = snap_differences(&saved1, &factory);
	/* change them all again */
	unsigned taken = apply_all("changed");
	snap_take(&now);
	unsigned changed = snap_differences(&now, &saved1);
	REQUIRE_MSG(changed > 0, "changing every value again left the saved configuration (%u writes taken)", taken);
	REQUIRE_MSG(load_set("UserSet1", err, sizeof(err)), "loading UserSet1: %s", err);
	snap_take(&now);
	unsigned bad = snap_check(&saved1, &now, "after UserSetLoad of UserSet1");
	printf("\n    %u values saved to UserSet1 (%u differ from factory), %u differ after changing all of them "
	       "again, %u restored by UserSetLoad\n",
	       snap_count(&saved1), from_factory, changed, snap_count(&saved1) - bad);
	snap_free(&now);
}

/* 5.12: two slots, independent of each other. */
static void test_two_slots_independent(void)
{
	struct snap now = { 0 };
	char err[512] = "";

	REQUIRE_MSG(begin(err, sizeof(err)), "%s", err);
	if (!saved1.taken)
		REQUIRE_MSG(make_saved("UserSet1", &saved1, err, sizeof(err)), "saving UserSet1: %s", err);
	REQUIRE_MSG(make_saved("UserSet2", &saved2, err, sizeof(err)), "saving UserSet2: %s", err);
	unsigned differ = snap_differences(&saved1, &saved2);
	REQUIRE_MSG(differ > 0, "the random configurations of UserSet1 and UserSet2 are equal: nothing to tell apart");
	REQUIRE_MSG(load_set("UserSet1", err, sizeof(err)), "loading UserSet1: %s", err);
	snap_take(&now);
	unsigned bad1 = snap_check(&saved1, &now, "UserSet1 after saving UserSet2");
	REQUIRE_MSG(load_set("UserSet2", err, sizeof(err)), "loading UserSet2: %s", err);
	snap_take(&now);
	unsigned bad2 = snap_check(&saved2, &now, "UserSet2");
	printf("\n    UserSet1 and UserSet2 differ in %u values: UserSet1 %u of %u intact, UserSet2 %u of %u\n", differ,
	       snap_count(&saved1) - bad1, snap_count(&saved1), snap_count(&saved2) - bad2, snap_count(&saved2));
	snap_free(&now);
}

/* 5.12.1: UserSetLoad and UserSetSave act on the slot UserSetSelector selects. */
static void test_selector_selects_slot(void)
{
	struct snap now = { 0 }, third = { 0 };
	char err[512] = "";

	REQUIRE_MSG(begin(err, sizeof(err)), "%s", err);
	if (!saved1.taken)
		REQUIRE_MSG(make_saved("UserSet1", &saved1, err, sizeof(err)), "saving UserSet1: %s", err);
	if (!saved2.taken)
		REQUIRE_MSG(make_saved("UserSet2", &saved2, err, sizeof(err)), "saving UserSet2: %s", err);
	REQUIRE_MSG(ff_factory_reset(err, sizeof(err)), "%s", err);
	/* load: each selection loads its own slot */
	REQUIRE_MSG(load_set("UserSet2", err, sizeof(err)), "loading UserSet2: %s", err);
	snap_take(&now);
	snap_check(&saved2, &now, "UserSetSelector=UserSet2, UserSetLoad");
	REQUIRE_MSG(load_set("UserSet1", err, sizeof(err)), "loading UserSet1: %s", err);
	snap_take(&now);
	snap_check(&saved1, &now, "UserSetSelector=UserSet1, UserSetLoad");
	/* save: a third configuration saved with UserSet2 selected lands in UserSet2 only */
	REQUIRE_MSG(make_saved("UserSet2", &third, err, sizeof(err)), "saving UserSet2: %s", err);
	REQUIRE_MSG(load_set("UserSet1", err, sizeof(err)), "loading UserSet1: %s", err);
	snap_take(&now);
	unsigned bad1 = snap_check(&saved1, &now, "UserSet1 after UserSetSave with UserSet2 selected");
	REQUIRE_MSG(load_set("UserSet2", err, sizeof(err)), "loading UserSet2: %s", err);
	snap_take(&now);
	unsigned bad2 = snap_check(&third, &now, "UserSet2 after UserSetSave with UserSet2 selected");
	snap_free(&saved2);
	saved2 = third;
	printf("\n    load and save follow UserSetSelector: UserSet1 %u and UserSet2 %u values off\n", bad1, bad2);
	snap_free(&now);
}

/* 5.12.1: the Default slot always holds the factory configuration. */
static void test_default_slot_read_only(void)
{
	struct snap now = { 0 };
	char err[512] = "", b[64];
	GError *e = NULL;

	REQUIRE_MSG(begin(err, sizeof(err)), "%s", err);
	if (!saved1.taken)
		REQUIRE_MSG(make_saved("UserSet1", &saved1, err, sizeof(err)), "saving UserSet1: %s", err);
	/* a non-factory configuration is active */
	REQUIRE_MSG(load_set("UserSet1", err, sizeof(err)), "loading UserSet1: %s", err);
	REQUIRE_MSG(select_set("Default", err, sizeof(err)), "%s", err);
	ArvGcNode *save = arv_gc_get_node(session->genicam, "UserSetSave");
	REQUIRE_MSG(save && ARV_IS_GC_COMMAND(save), "UserSetSave missing");
	arv_gc_command_execute(ARV_GC_COMMAND(save), &e);
	CHECK_MSG(e != NULL, "UserSetSave with UserSetSelector=Default was accepted; manual 5.12.1: the Default slot "
			     "\"cannot be overwritten\"");
	CHECK_MSG(!e || ff_is_gencp_error(e), "UserSetSave with UserSetSelector=Default refused, but not by the device: %s",
		  e->message);
	g_clear_error(&e);
	REQUIRE_MSG(gc_execute("UserSetLoad", err, sizeof(err)), "UserSetLoad of Default: %s", err);
	snap_take(&now);
	unsigned bad = snap_check(&factory, &now, "UserSetLoad of Default after UserSetSave to Default");
	/* the factory reference itself against the manual's printed defaults */
	unsigned with = 0, match = 0;
	for (size_t i = 0; i < n_slots; i++) {
		const struct ff_feature *f = slots[i].f;
		if (!f->dflt || !now.valid[i])
			continue;
		with++;
		const struct ff_value *v = &now.v[i];
		bool ok = v->k == FF_ENUM   ? strcmp(v->s, f->dflt) == 0
			  : v->k == FF_BOOL ? (g_ascii_strcasecmp(f->dflt, "True") == 0) == (v->i != 0)
			  : v->k == FF_INT  ? fabs((double)v->i - g_ascii_strtod(f->dflt, NULL)) < 1e-9
					    : fabs(v->f - g_ascii_strtod(f->dflt, NULL)) <= 1e-9 * fmax(1, fabs(v->f));
		CHECK_MSG(ok, "UserSetLoad of Default: %s reads %s, the manual's default is %s", f->name,
			  ff_str(v, b, sizeof(b)), f->dflt);
		match += ok;
	}
	printf("\n    Default slot: %u of %u factory values after an attempt to overwrite it (%u of %u printed defaults)\n",
	       snap_count(&factory) - bad, snap_count(&factory), match, with);
	snap_free(&now);
}

static bool power_cycle(char *err, size_t errlen)
{
	if (!arv_gc_get_node(session->genicam, "DeviceReset")) {
		snprintf(err, errlen, "DeviceReset missing: cannot power-cycle");
		return false;
	}
	if (!gc_execute("DeviceReset", err, errlen))
		return false;
	int rc = conform_reconnect(20000);
	if (rc) {
		snprintf(err, errlen, "device did not come back after DeviceReset: %d", rc);
		return false;
	}
	ff_device_policies();
	return true;
}

/* UserSetDefault := `set`, power cycle, then `expect` must be the active configuration. */
static void check_power_up(const char *set, const struct snap *expect, const char *what)
{
	struct snap now = { 0 };
	char err[512] = "", s[64] = "", label[96];
	GError *e = NULL;

	REQUIRE_MSG(ff_set_word("UserSetDefault", set, &e), "UserSetDefault=%s: %s", set, e->message);
	REQUIRE_MSG(power_cycle(err, sizeof(err)), "%s", err);
	CHECK_MSG(gc_get_string("UserSetDefault", s, sizeof(s), err, sizeof(err)) && strcmp(s, set) == 0,
		  "UserSetDefault after the power cycle: '%s' %s, set to %s", s, err, set);
	snprintf(label, sizeof(label), "power-up with UserSetDefault=%s", set);
	snap_take(&now);
	unsigned bad = snap_check(expect, &now, label);
	printf("\n    %s: %u of %u %s values active\n", label, snap_count(expect) - bad, snap_count(expect), what);
	snap_free(&now);
}

/* 5.12.4: UserSetDefault=UserSet1: the UserSet1 configuration is active after power-up. */
static void test_power_up_user_set1(void)
{
	char err[512] = "";

	REQUIRE_MSG(begin(err, sizeof(err)), "%s", err);
	if (!saved1.taken)
		REQUIRE_MSG(make_saved("UserSet1", &saved1, err, sizeof(err)), "saving UserSet1: %s", err);
	REQUIRE_MSG(ff_factory_reset(err, sizeof(err)), "%s", err);
	check_power_up("UserSet1", &saved1, "UserSet1");
}

/* 5.12.4: UserSetDefault=Default: the factory configuration is active after power-up. */
static void test_power_up_factory(void)
{
	char err[512] = "";

	REQUIRE_MSG(begin(err, sizeof(err)), "%s", err);
	if (!saved1.taken)
		REQUIRE_MSG(make_saved("UserSet1", &saved1, err, sizeof(err)), "saving UserSet1: %s", err);
	/* leave a non-factory configuration active: power-up must replace it */
	REQUIRE_MSG(load_set("UserSet1", err, sizeof(err)), "loading UserSet1: %s", err);
	check_power_up("Default", &factory, "factory");
}

static int usersets_init(void)
{
	if (ff_load(&fx, fx_err, sizeof(fx_err)) == 0)
		fx_err[0] = '\0';   /* loaded: ff_begin lets the tests run */
	rnd = g_rand_new_with_seed(session->seed);
	return 0;
}

/* Always leave UserSetDefault=Default and the factory configuration loaded. */
static int usersets_cleanup(void)
{
	char err[256];

	if (!session->genicam)
		conform_reconnect(20000);
	if (session->genicam) {
		ff_device_policies();
		gc_execute("AcquisitionStop", NULL, 0);
		ff_set_word("UserSetDefault", "Default", NULL);
		ff_factory_reset(err, sizeof(err));
	}
	snap_free(&factory);
	snap_free(&saved1);
	snap_free(&saved2);
	g_free(slots);
	slots = NULL;
	n_slots = 0;
	g_strfreev(sel_strings);
	sel_strings = NULL;
	if (rnd)
		g_rand_free(rnd);
	rnd = NULL;
	ff_free(&fx);
	return 0;
}

void suite_usersets_register(const char *name)
{
	CU_pSuite s = CU_add_suite(name, usersets_init, usersets_cleanup);

	CU_add_test(s, "save_and_load_user_set1", test_save_and_load);
	CU_add_test(s, "two_slots_independent", test_two_slots_independent);
	CU_add_test(s, "selector_selects_slot", test_selector_selects_slot);
	CU_add_test(s, "default_slot_read_only", test_default_slot_read_only);
	CU_add_test(s, "power_up_user_set1", test_power_up_user_set1);
	CU_add_test(s, "power_up_factory", test_power_up_factory);
}
