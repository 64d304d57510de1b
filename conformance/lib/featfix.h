/* SPDX-License-Identifier: MIT */
/* Feature fixtures (fixtures/<model>/features.ini, rules.ini: the manual's
 * section 5 transcribed) and generic typed access to the features they name,
 * shared by the "features" and "usersets" suites. */
#ifndef CONFORM_FEATFIX_H
#define CONFORM_FEATFIX_H

#include <arv.h>
#include <stdbool.h>
#include <stddef.h>

/* One group of features.ini. */
struct ff_feature {
	char *name;
	char *section, *title, *type, *access, *selector, *dflt;
	bool has_min, has_max;
	double min, max;
	char **entries;
	gsize n_entries;
};

struct ff_fixture {
	GKeyFile *features, *rules;
	struct ff_feature *f;
	size_t n;
};

/* 0, or -1 with `err` saying why. */
int ff_load(struct ff_fixture *fx, char *err, size_t errlen);
void ff_free(struct ff_fixture *fx);
const struct ff_feature *ff_find(const struct ff_fixture *fx, const char *name);
/* entry.<entry> of a feature, or NULL (g_free the result). */
char *ff_entry_meaning(const struct ff_fixture *fx, const char *feature, const char *entry);
/* Features of rules.ini's rule.offset-clamp whose manual title the sentence names:
 * an invalid value is replaced by the largest valid one instead of being refused. */
bool ff_is_clamp_feature(const struct ff_fixture *fx, const char *name);
/* Section "5.<minor>[.x]" with lo <= minor <= hi. */
bool ff_in_sections(const struct ff_feature *f, int lo, int hi);

/* A feature value of any of the kinds the fixtures use. */
enum ff_kind { FF_NONE, FF_INT, FF_FLOAT, FF_ENUM, FF_BOOL, FF_CMD, FF_STRING, FF_REG };

struct ff_value {
	enum ff_kind k;
	gint64 i;       /* FF_INT, FF_BOOL */
	double f;       /* FF_FLOAT */
	char s[96];     /* FF_ENUM entry name */
};

enum ff_kind ff_kind_of(ArvGcNode *n);
enum ff_kind ff_kind(const char *name);
const char *ff_kind_name(enum ff_kind k);
bool ff_read(const char *name, struct ff_value *v, GError **e);
bool ff_write(const char *name, const struct ff_value *v, GError **e);
bool ff_equal(const struct ff_value *a, const struct ff_value *b);
const char *ff_str(const struct ff_value *v, char *buf, size_t len);
/* Numeric range as the XML gives it now (inc 0 for floats without one). */
bool ff_range(const char *name, double *min, double *max, double *inc, GError **e);
/* Entries available now; g_free the array (not the strings). */
const char **ff_available_entries(const char *name, guint *n);

/* The device refused the access with a GenCP status. */
bool ff_is_gencp_error(const GError *e);
/* Sets a controlling feature from a fixture word: On/Off/True/False also fit Booleans. */
bool ff_set_word(const char *name, const char *value, GError **e);
bool ff_locked(const char *name);
/* Sets the controlling features of the prerequisite table so `name` becomes
 * writable; FALSE (with the lock and what was tried in err) when still locked. */
bool ff_unlock(const char *name, char *err, size_t errlen);
/* Stop acquisition, UserSetSelector=Default, UserSetLoad. */
bool ff_factory_reset(char *err, size_t errlen);
/* Client-side range and access checks off: the device is what gets tested. */
void ff_device_policies(void);
/* What every features/usersets test needs first: the fixtures loaded (`load_err`, ff_load's
 * message, empty when they were) and the device's GenICam document; then the device policies. */
bool ff_begin(const char *load_err, char *err, size_t errlen);

/* A valid value of `name`, different from `avoid`, chosen by frac in [0, 1):
 * numbers inside the current range (and below the largest valid offset for the
 * offset-clamp features) on the increment, rounded to a short decimal for floats;
 * another available entry (never a one-shot "Once"); the other boolean. */
bool ff_pick_other(const struct ff_fixture *fx, const char *name, const struct ff_value *avoid, double frac,
		   struct ff_value *out);

/* Offset features whose largest valid value follows a size feature:
 * largest = size_max - size (on the offset's increment). */
struct ff_clamp {
	const char *feature, *size, *size_max;
};
const struct ff_clamp *ff_clamp_of(const char *name);
bool ff_clamp_largest(const struct ff_clamp *c, gint64 *largest, char *err, size_t errlen);

#endif
