/* SPDX-License-Identifier: MIT */
#include "features.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/bytes.h"
#include "../common/errors.h"
#include "../common/log.h"
#include "expr.h"

#define MAX_EVAL_DEPTH 16

static bool is_int_like(enum feat_type t) { return t != FEAT_FLOAT && t != FEAT_STRING && t != FEAT_REGISTER; }

int feature_store_init(struct feature_store *fs, const struct camera_model *model, void *hook_ctx)
{
	unsigned n = model->n_features;

	memset(fs, 0, sizeof(*fs));
	fs->model = model;
	fs->hook_ctx = hook_ctx;
	fs->val = calloc(n, sizeof(*fs->val));
	fs->selected = calloc(n, sizeof(*fs->selected));
	fs->selector_idx = calloc(n, sizeof(*fs->selector_idx));
	fs->hooks = calloc(n, sizeof(*fs->hooks));
	if (!fs->val || !fs->selected || !fs->selector_idx || !fs->hooks) {
		feature_store_free(fs);
		return DFK_ERR_NOMEM;
	}
	for (unsigned i = 0; i < n; i++) {
		const struct feature_def *d = &model->features[i];
		fs->selector_idx[i] = -1;
		if (!d->selector)
			continue;
		fs->selector_idx[i] = model_feature_index(model, d->selector);
		if (fs->selector_idx[i] < 0 || d->n_selected == 0) {
			log_err("model %s: feature %s names unknown selector %s", model->id, d->name, d->selector);
			feature_store_free(fs);
			return DFK_ERR_INVAL;
		}
		fs->selected[i] = calloc(d->n_selected, sizeof(struct feat_value));
		if (!fs->selected[i]) {
			feature_store_free(fs);
			return DFK_ERR_NOMEM;
		}
	}
	feature_store_defaults(fs);
	return DFK_OK;
}

void feature_store_free(struct feature_store *fs)
{
	if (fs->selected && fs->model)
		for (unsigned i = 0; i < fs->model->n_features; i++)
			free(fs->selected[i]);
	free(fs->selected);
	free(fs->val);
	free(fs->selector_idx);
	free(fs->hooks);
	memset(fs, 0, sizeof(*fs));
}

void feature_store_defaults(struct feature_store *fs)
{
	for (unsigned i = 0; i < fs->model->n_features; i++) {
		const struct feature_def *d = &fs->model->features[i];
		struct feat_value v = { .i = d->def, .f = d->fdef };
		fs->val[i] = v;
		if (fs->selected[i])
			for (unsigned k = 0; k < d->n_selected; k++)
				fs->selected[i][k] = v;
	}
}

int feature_index(const struct feature_store *fs, const char *name)
{
	return model_feature_index(fs->model, name);
}

const struct feature_def *feature_def(const struct feature_store *fs, int idx)
{
	return idx >= 0 && (unsigned)idx < fs->model->n_features ? &fs->model->features[idx] : NULL;
}

int feature_bind(struct feature_store *fs, const char *name, const struct feature_hooks *hooks)
{
	return feature_bind_index(fs, feature_index(fs, name), hooks);
}

int feature_bind_index(struct feature_store *fs, int idx, const struct feature_hooks *hooks)
{
	if (!feature_def(fs, idx))
		return DFK_ERR_NOTFOUND;
	fs->hooks[idx] = *hooks;
	return DFK_OK;
}

/* ---- formula evaluation ---- */

static int lookup_feature(void *ctx, const char *name, size_t len, double *out)
{
	struct feature_store *fs = ctx;
	char buf[128];
	struct feat_value v;
	int idx, rc;

	if (len >= sizeof(buf))
		return DFK_ERR_NOTFOUND;
	memcpy(buf, name, len);
	buf[len] = '\0';
	idx = feature_index(fs, buf);
	if (idx < 0) {
		log_err("formula names unknown feature '%s'", buf);
		return DFK_ERR_NOTFOUND;
	}
	rc = feature_get(fs, idx, &v);
	if (rc < 0)
		return rc;
	*out = fs->model->features[idx].type == FEAT_FLOAT ? v.f : (double)v.i;
	return DFK_OK;
}

int feature_eval(struct feature_store *fs, const char *expr, bool integer, double *out)
{
	int rc;

	if (fs->eval_depth >= MAX_EVAL_DEPTH) {
		log_err("formula nesting too deep at '%s'", expr);
		return DFK_ERR_INVAL;
	}
	fs->eval_depth++;
	rc = expr_eval(expr, integer, lookup_feature, fs, out);
	fs->eval_depth--;
	return rc;
}

static bool eval_true(struct feature_store *fs, const char *expr)
{
	double v = 0;

	return expr && feature_eval(fs, expr, true, &v) == DFK_OK && v != 0.0;
}

/* ---- reading ---- */

static unsigned selector_pos(struct feature_store *fs, int idx)
{
	const struct feature_def *d = &fs->model->features[idx];
	struct feat_value s;
	int64_t pos;

	if (feature_get(fs, fs->selector_idx[idx], &s) < 0)
		return 0;
	pos = s.i;
	if (pos < 0)
		pos = 0;
	if (pos >= (int64_t)d->n_selected)
		pos = d->n_selected - 1;
	return (unsigned)pos;
}

int feature_get(struct feature_store *fs, int idx, struct feat_value *out)
{
	const struct feature_def *d = feature_def(fs, idx);

	if (!d)
		return DFK_ERR_NOTFOUND;
	if (d->override_expr && eval_true(fs, d->override_expr)) {
		out->i = d->override_value;
		out->f = (double)d->override_value;
		return DFK_OK;
	}
	if (fs->hooks[idx].read)
		return fs->hooks[idx].read(fs->hook_ctx, idx, out);
	if (d->value_expr) {
		double v;
		int rc = feature_eval(fs, d->value_expr, d->type != FEAT_FLOAT, &v);
		if (rc < 0)
			return rc;
		out->f = v;
		out->i = (int64_t)v;
		return DFK_OK;
	}
	if (fs->selected[idx])
		*out = fs->selected[idx][selector_pos(fs, idx)];
	else
		*out = fs->val[idx];
	return DFK_OK;
}

int64_t feature_get_int(struct feature_store *fs, const char *name)
{
	struct feat_value v = { 0, 0 };

	feature_get(fs, feature_index(fs, name), &v);
	return v.i;
}

double feature_get_float(struct feature_store *fs, const char *name)
{
	struct feat_value v = { 0, 0 };

	feature_get(fs, feature_index(fs, name), &v);
	return v.f;
}

/* ---- limits and locks ---- */

int feature_limits(struct feature_store *fs, int idx, struct feat_value *min, struct feat_value *max)
{
	const struct feature_def *d = feature_def(fs, idx);
	double v;
	int rc;

	if (!d)
		return DFK_ERR_NOTFOUND;
	min->i = d->min;
	min->f = d->fmin;
	max->i = d->max;
	max->f = d->fmax;
	if (d->min_expr) {
		rc = feature_eval(fs, d->min_expr, d->type != FEAT_FLOAT, &v);
		if (rc < 0)
			return rc;
		min->i = (int64_t)v;
		min->f = v;
	}
	if (d->max_expr) {
		rc = feature_eval(fs, d->max_expr, d->type != FEAT_FLOAT, &v);
		if (rc < 0)
			return rc;
		max->i = (int64_t)v;
		max->f = v;
	}
	return DFK_OK;
}

bool feature_locked(struct feature_store *fs, int idx)
{
	const struct feature_def *d = feature_def(fs, idx);

	if (!d || fs->bypass_locks)
		return false;
	if ((d->flags & FEAT_F_STREAM_LOCKED) && fs->stream_locked)
		return true;
	return eval_true(fs, d->locked_expr);
}

/* ---- writing ---- */

void feature_store_raw(struct feature_store *fs, int idx, struct feat_value v)
{
	if (fs->selected[idx])
		fs->selected[idx][selector_pos(fs, idx)] = v;
	else
		fs->val[idx] = v;
}

void feature_store_raw_selected(struct feature_store *fs, int idx, unsigned pos, struct feat_value v)
{
	if (fs->selected[idx] && pos < fs->model->features[idx].n_selected)
		fs->selected[idx][pos] = v;
}

struct feat_value feature_raw_selected(const struct feature_store *fs, int idx, unsigned pos)
{
	struct feat_value zero = { 0, 0 };

	if (!fs->selected[idx] || pos >= fs->model->features[idx].n_selected)
		return zero;
	return fs->selected[idx][pos];
}

static int check_value(struct feature_store *fs, int idx, struct feat_value *v)
{
	const struct feature_def *d = &fs->model->features[idx];
	struct feat_value lo, hi;
	int rc;

	switch (d->type) {
	case FEAT_INTEGER:
		rc = feature_limits(fs, idx, &lo, &hi);
		if (rc < 0)
			return rc;
		if (v->i < lo.i || v->i > hi.i) {
			if (!(d->flags & FEAT_F_CLAMP))
				return DFK_ERR_RANGE;
			v->i = v->i < lo.i ? lo.i : hi.i;
			if (d->inc > 1)
				v->i -= (v->i - lo.i) % d->inc;
			return DFK_OK;
		}
		/* within the limits but off the increment is refused even where out-of-range values
		 * are clamped: the clamp (5.1.5) replaces values the limits make invalid */
		if (d->inc > 1 && (v->i - lo.i) % d->inc)
			return DFK_ERR_RANGE;
		return DFK_OK;
	case FEAT_FLOAT:
		if (isnan(v->f) || isinf(v->f))
			return DFK_ERR_RANGE;
		rc = feature_limits(fs, idx, &lo, &hi);
		if (rc < 0)
			return rc;
		if (v->f < lo.f || v->f > hi.f) {
			if (!(d->flags & FEAT_F_CLAMP))
				return DFK_ERR_RANGE;
			v->f = v->f < lo.f ? lo.f : hi.f;
		}
		return DFK_OK;
	case FEAT_ENUM:
		return model_enum_entry_by_value(d, v->i) ? DFK_OK : DFK_ERR_RANGE;
	case FEAT_BOOLEAN:
		return (v->i == 0 || v->i == 1) ? DFK_OK : DFK_ERR_RANGE;
	case FEAT_COMMAND:
		return v->i == d->def ? DFK_OK : DFK_ERR_RANGE;
	default:
		return DFK_ERR_NOTSUP;
	}
}

int feature_set(struct feature_store *fs, int idx, struct feat_value v)
{
	const struct feature_def *d = feature_def(fs, idx);
	int rc;

	if (!d)
		return DFK_ERR_NOTFOUND;
	if (!(d->access & FEAT_WO))
		return DFK_ERR_READONLY;
	/* a FEAT_F_LOCK_KEEPS feature locked by its rule (not by the stream lock) takes the write */
	if (feature_locked(fs, idx) &&
	    (!(d->flags & FEAT_F_LOCK_KEEPS) || ((d->flags & FEAT_F_STREAM_LOCKED) && fs->stream_locked))) {
		fs->refusals++;
		return DFK_ERR_DENIED;
	}
	if (d->type == FEAT_FLOAT)
		v.i = isfinite(v.f) && fabs(v.f) < 9.2e18 ? (int64_t)v.f : 0;   /* NaN bits from the wire stay defined */
	else
		v.f = (double)v.i;
	rc = check_value(fs, idx, &v);
	if (rc == DFK_OK && fs->hooks[idx].validate)
		rc = fs->hooks[idx].validate(fs->hook_ctx, idx, &v);
	if (rc < 0) {
		fs->refusals++;
		return rc;
	}
	fs->writes++;
	if (d->type == FEAT_COMMAND)
		return fs->hooks[idx].execute ? fs->hooks[idx].execute(fs->hook_ctx, idx) : DFK_OK;
	feature_store_raw(fs, idx, v);
	if (fs->hooks[idx].changed)
		fs->hooks[idx].changed(fs->hook_ctx, idx);
	if (fs->written)
		fs->written(fs->hook_ctx, idx);
	return DFK_OK;
}

int feature_set_int(struct feature_store *fs, const char *name, int64_t v)
{
	struct feat_value fv = { .i = v, .f = (double)v };
	int idx = feature_index(fs, name);
	const struct feature_def *d = feature_def(fs, idx);

	if (!d)
		return DFK_ERR_NOTFOUND;
	if (d->type == FEAT_FLOAT)
		fv.f = (double)v;
	return feature_set(fs, idx, fv);
}

int feature_set_float(struct feature_store *fs, const char *name, double v)
{
	struct feat_value fv = { .i = isfinite(v) && fabs(v) < 9.2e18 ? (int64_t)v : 0, .f = v };
	int idx = feature_index(fs, name);
	const struct feature_def *d = feature_def(fs, idx);

	if (!d)
		return DFK_ERR_NOTFOUND;
	if (d->type != FEAT_FLOAT)
		fv.i = isfinite(v) && fabs(v) < 9.2e18 ? (int64_t)llround(v) : 0;
	return feature_set(fs, idx, fv);
}

int feature_validate(struct feature_store *fs, int idx, struct feat_value *v)
{
	if (!feature_def(fs, idx))
		return DFK_ERR_NOTFOUND;
	return check_value(fs, idx, v);
}

/* ---- registers ---- */

static int region_read(void *ctx, const struct regmap_region *r, uint64_t off, uint8_t *buf, uint32_t len)
{
	struct feature_store *fs = ctx;
	int idx = (int)r->tag;
	const struct feature_def *d = &fs->model->features[idx];
	struct feat_value v;
	uint8_t raw[8];
	int rc;

	if (d->type == FEAT_STRING || d->type == FEAT_REGISTER) {
		if (!fs->hooks[idx].read_bytes)
			return DFK_ERR_NOTSUP;
		return fs->hooks[idx].read_bytes(fs->hook_ctx, idx, off, buf, len);
	}
	if (d->type == FEAT_COMMAND) {
		memset(buf, 0, len);   /* reads 0: the command has completed */
		return DFK_OK;
	}
	rc = feature_get(fs, idx, &v);
	if (rc < 0)
		return rc;
	if (d->type == FEAT_FLOAT) {
		uint64_t bits;
		memcpy(&bits, &v.f, sizeof(bits));
		put_le64(raw, bits);
	} else if (d->length == 8) {
		put_le64(raw, (uint64_t)v.i);
	} else {
		put_le32(raw, (uint32_t)v.i);
	}
	memcpy(buf, raw + off, len);
	return DFK_OK;
}

static int region_write(void *ctx, const struct regmap_region *r, uint64_t off, const uint8_t *buf, uint32_t len)
{
	struct feature_store *fs = ctx;
	int idx = (int)r->tag;
	const struct feature_def *d = &fs->model->features[idx];
	struct feat_value v = { 0, 0 };

	if (d->type == FEAT_STRING || d->type == FEAT_REGISTER) {
		if (!fs->hooks[idx].write_bytes)
			return DFK_ERR_READONLY;
		if (feature_locked(fs, idx))
			return DFK_ERR_DENIED;
		return fs->hooks[idx].write_bytes(fs->hook_ctx, idx, off, buf, len);
	}
	if (off != 0 || len != d->length)
		return DFK_ERR_ALIGN;
	if (d->type == FEAT_FLOAT) {
		uint64_t bits = get_le64(buf);
		memcpy(&v.f, &bits, sizeof(bits));
	} else if (d->length == 8) {
		v.i = (int64_t)get_le64(buf);
	} else if (d->flags & FEAT_F_SIGNED) {
		v.i = (int32_t)get_le32(buf);
	} else {
		v.i = get_le32(buf);
	}
	return feature_set(fs, idx, v);
}

int feature_store_add_regions(struct feature_store *fs, struct regmap *m)
{
	for (unsigned i = 0; i < fs->model->n_features; i++) {
		const struct feature_def *d = &fs->model->features[i];
		struct regmap_region r;
		int rc;

		if (d->backing != BACK_FEATURE)
			continue;
		memset(&r, 0, sizeof(r));
		r.base = d->address;
		r.size = d->length;
		r.access = (d->access & FEAT_RO ? REG_R : 0) | (d->access & FEAT_WO ? REG_W : 0);
		if (d->type == FEAT_COMMAND)
			r.access = REG_RW;
		r.align = d->type == FEAT_STRING ? 1 : d->type == FEAT_REGISTER ? 4 : d->length;
		r.read = region_read;
		r.write = region_write;
		r.ctx = fs;
		r.tag = i;
		r.flags = d->flags & FEAT_F_SLOW ? REG_F_SLOW : 0;
		r.name = d->name;
		rc = regmap_add(m, &r);
		if (rc < 0)
			return rc;
	}
	return DFK_OK;
}

/* ---- text ---- */

int feature_format(const struct feature_store *fs, int idx, struct feat_value v, char *buf, size_t len)
{
	const struct feature_def *d = feature_def(fs, idx);
	const struct enum_entry *e;

	if (!d)
		return DFK_ERR_NOTFOUND;
	switch (d->type) {
	case FEAT_FLOAT:
		return snprintf(buf, len, "%.17g", v.f);
	case FEAT_ENUM:
		e = model_enum_entry_by_value(d, v.i);
		if (e)
			return snprintf(buf, len, "%s", e->name);
		return snprintf(buf, len, "%" PRId64, v.i);
	default:
		return snprintf(buf, len, "%" PRId64, v.i);
	}
}

int feature_parse(const struct feature_store *fs, int idx, const char *text, struct feat_value *out)
{
	const struct feature_def *d = feature_def(fs, idx);
	char *end;

	if (!d)
		return DFK_ERR_NOTFOUND;
	if (d->type == FEAT_FLOAT) {
		out->f = strtod(text, &end);
		if (end == text || *end || !isfinite(out->f))
			return DFK_ERR_INVAL;
		out->i = fabs(out->f) < 9.2e18 ? (int64_t)out->f : 0;
		return DFK_OK;
	}
	if (d->type == FEAT_ENUM) {
		const struct enum_entry *e = model_enum_entry(d, text);
		if (e) {
			out->i = e->value;
			out->f = (double)e->value;
			return DFK_OK;
		}
	}
	if (!is_int_like(d->type))
		return DFK_ERR_NOTSUP;
	out->i = strtoll(text, &end, 0);
	out->f = (double)out->i;
	return (end == text || *end) ? DFK_ERR_INVAL : DFK_OK;
}
