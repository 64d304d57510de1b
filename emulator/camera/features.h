/* SPDX-License-Identifier: MIT */
/* Feature store: the current value of every feature of the model, the checks
 * every write passes (lock, range, increment, enumeration entry) and the
 * register encoding of each feature. Behaviour (what a change does to the rest
 * of the camera) is plugged in through hooks bound by feature name.
 */
#ifndef DFK_FEATURES_H
#define DFK_FEATURES_H

#include <stdbool.h>
#include <stdint.h>

#include "../../models/model.h"
#include "../regmap/regmap.h"

struct feat_value {
	int64_t i;     /* Integer, Enumeration, Boolean, Command */
	double f;      /* Float */
};

struct feature_store;

struct feature_hooks {
	/* Computed value (FEAT_F_COMPUTED without value_expr, or anything the
	 * behaviour overrides). Return 0, or a negative dfk_err. */
	int (*read)(void *ctx, int idx, struct feat_value *out);
	/* Extra validation after the generic checks; may adjust *v. */
	int (*validate)(void *ctx, int idx, struct feat_value *v);
	/* After a successful write: side effects. */
	void (*changed)(void *ctx, int idx);
	/* Command executed (value written == CommandValue). */
	int (*execute)(void *ctx, int idx);
	/* FEAT_REGISTER / FEAT_STRING backed by the behaviour. */
	int (*read_bytes)(void *ctx, int idx, uint64_t off, uint8_t *buf, uint32_t len);
	int (*write_bytes)(void *ctx, int idx, uint64_t off, const uint8_t *buf, uint32_t len);
};

struct feature_store {
	const struct camera_model *model;
	struct feat_value *val;            /* [n_features] */
	struct feat_value **selected;      /* [n_features]: per-selector-position values, or NULL */
	int *selector_idx;                 /* [n_features]: index of the selector feature, or -1 */
	struct feature_hooks *hooks;       /* [n_features] */
	void *hook_ctx;
	/* After every successful value write, once the feature's own `changed` hook ran:
	 * the behaviour re-derives what it computes from the values (NULL: nothing). */
	void (*written)(void *ctx, int idx);
	bool stream_locked;                /* TLParamsLocked or acquisition running */
	bool bypass_locks;                 /* user-set load and power-up writes */
	unsigned eval_depth;               /* formulas being evaluated, nested (a formula reads computed features) */
	uint64_t writes, refusals;         /* counters for logs and tests */
};

int feature_store_init(struct feature_store *fs, const struct camera_model *model, void *hook_ctx);
void feature_store_free(struct feature_store *fs);
/* Every feature back to the model's default (factory configuration). */
void feature_store_defaults(struct feature_store *fs);

int feature_index(const struct feature_store *fs, const char *name);   /* -1 when absent */
const struct feature_def *feature_def(const struct feature_store *fs, int idx);
int feature_bind(struct feature_store *fs, const char *name, const struct feature_hooks *hooks);
/* The same for a feature already looked up. Returns 0 or DFK_ERR_NOTFOUND. */
int feature_bind_index(struct feature_store *fs, int idx, const struct feature_hooks *hooks);

/* Effective value (overrides, computed values, selected element). */
int feature_get(struct feature_store *fs, int idx, struct feat_value *out);
int64_t feature_get_int(struct feature_store *fs, const char *name);    /* 0 when absent */
double feature_get_float(struct feature_store *fs, const char *name);   /* 0 when absent */
/* Write through every check. Returns 0 or DFK_ERR_DENIED (locked), DFK_ERR_RANGE, ... */
int feature_set(struct feature_store *fs, int idx, struct feat_value v);
int feature_set_int(struct feature_store *fs, const char *name, int64_t v);
int feature_set_float(struct feature_store *fs, const char *name, double v);
/* The checks of a write (range, increment, entry; clamping where the model says so) without
 * locks or side effects: for values that come from a file. Returns 0 or DFK_ERR_RANGE. */
int feature_validate(struct feature_store *fs, int idx, struct feat_value *v);
/* Store without checks or hooks (behaviour-internal: auto functions, clamps). */
void feature_store_raw(struct feature_store *fs, int idx, struct feat_value v);
void feature_store_raw_selected(struct feature_store *fs, int idx, unsigned pos, struct feat_value v);
struct feat_value feature_raw_selected(const struct feature_store *fs, int idx, unsigned pos);

/* Current limits, after dependencies (min_expr/max_expr) are applied. */
int feature_limits(struct feature_store *fs, int idx, struct feat_value *min, struct feat_value *max);
bool feature_locked(struct feature_store *fs, int idx);
/* Evaluate a model formula against the current values. */
int feature_eval(struct feature_store *fs, const char *expr, bool integer, double *out);

/* Adds one region per BACK_FEATURE feature to `m`. */
int feature_store_add_regions(struct feature_store *fs, struct regmap *m);

/* Value <-> text, for user sets and logs ("BayerRG8", "1920", "2.5"). */
int feature_format(const struct feature_store *fs, int idx, struct feat_value v, char *buf, size_t len);
int feature_parse(const struct feature_store *fs, int idx, const char *text, struct feat_value *out);

#endif
