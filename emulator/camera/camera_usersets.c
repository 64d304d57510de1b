/* SPDX-License-Identifier: MIT */
/* User sets (5.12) and the rest of the non-volatile memory (DeviceUserID,
 * UserSetDefault), as files in the camera's state directory. A set is applied
 * whole or not at all; the flash is written before a write is acknowledged. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/errors.h"
#include "../common/kvfile.h"
#include "../common/log.h"
#include "camera_internal.h"

#define FLASH_FILE "flash.conf"

/* ---- DeviceUserID and UserSetDefault ---- */

static int flash_save(struct camera *cam)
{
	struct kvfile f;
	char path[PATH_MAX + 32], num[32];
	int rc;

	kvfile_init(&f);
	snprintf(num, sizeof(num), "%lld", (long long)cam->userset_default);
	rc = kvfile_set(&f, "DeviceUserID", cam->user_id);
	if (rc == 0)
		rc = kvfile_set(&f, "UserSetDefault", num);
	snprintf(path, sizeof(path), "%s/" FLASH_FILE, cam->state_dir);
	if (rc == 0)
		rc = kvfile_save(&f, path, "dfk-emu non-volatile memory");
	kvfile_free(&f);
	return rc;
}

void camera_flash_load(struct camera *cam)
{
	struct kvfile f;
	char path[PATH_MAX + 32];
	const char *v;

	cam->user_id[0] = '\0';
	cam->userset_default = 0;
	snprintf(path, sizeof(path), "%s/" FLASH_FILE, cam->state_dir);
	if (kvfile_load(&f, path) < 0)
		return;
	v = kvfile_get(&f, "DeviceUserID");
	if (v)
		snprintf(cam->user_id, sizeof(cam->user_id), "%s", v);
	v = kvfile_get(&f, "UserSetDefault");
	if (v)
		cam->userset_default = strtoll(v, NULL, 10);
	if (cam->userset_default < 0 || cam->userset_default > 2)
		cam->userset_default = 0;
	kvfile_free(&f);
}

int camera_set_user_id(struct camera *cam, const char *id)
{
	char old[sizeof(cam->user_id)];
	int rc;

	memcpy(old, cam->user_id, sizeof(old));
	snprintf(cam->user_id, sizeof(cam->user_id), "%s", id);
	rc = flash_save(cam);
	if (rc < 0) {
		memcpy(cam->user_id, old, sizeof(old));
		return rc;
	}
	if (cam->ops && cam->ops->user_id_changed)
		cam->ops->user_id_changed(cam->ops_ctx, cam->user_id);
	return DFK_OK;
}

/* ---- user sets ---- */

static void userset_path(struct camera *cam, int64_t slot, char *buf, size_t len)
{
	snprintf(buf, len, "%s/userset%lld.conf", cam->state_dir, (long long)slot);
}

int camera_userset_save(struct camera *cam, int64_t slot)
{
	struct kvfile f;
	char path[PATH_MAX + 32], key[160], val[64];
	int rc = DFK_OK;

	if (slot <= 0)
		return DFK_ERR_DENIED;   /* 5.12.1: Default cannot be overwritten */
	kvfile_init(&f);
	for (unsigned i = 0; i < cam->model->n_features && rc == DFK_OK; i++) {
		const struct feature_def *d = &cam->model->features[i];
		if (!(d->flags & FEAT_F_USERSET))
			continue;
		if (d->selector) {
			for (unsigned k = 0; k < d->n_selected && rc == DFK_OK; k++) {
				feature_format(&cam->fs, (int)i, feature_raw_selected(&cam->fs, (int)i, k), val, sizeof(val));
				snprintf(key, sizeof(key), "%s[%u]", d->name, k);
				rc = kvfile_set(&f, key, val);
			}
		} else {
			struct feat_value v;
			feature_get(&cam->fs, (int)i, &v);
			feature_format(&cam->fs, (int)i, v, val, sizeof(val));
			rc = kvfile_set(&f, d->name, val);
		}
	}
	userset_path(cam, slot, path, sizeof(path));
	if (rc == DFK_OK)
		rc = kvfile_save(&f, path, "dfk-emu user set");
	kvfile_free(&f);
	if (rc == DFK_OK)
		log_info("camera %s: configuration saved to UserSet%lld", cam->serial, (long long)slot);
	return rc;
}

/* The factory configuration, as in the Default slot and on a new camera. */
static void load_factory(struct camera *cam)
{
	camera_factory_defaults(cam);
	camera_fixup_geometry(cam);
	camera_settings_refresh(cam);
}

/* Parses and checks every stored feature of a set into vals[] (static limits only: the set is
 * checked whole before anything changes). Returns 0 or the first error (logged). */
static int userset_parse(struct camera *cam, int64_t slot, const struct kvfile *f, struct feat_value *vals)
{
	int rc = DFK_OK;

	for (unsigned i = 0; i < cam->model->n_features && rc == DFK_OK; i++) {
		const struct feature_def *d = &cam->model->features[i];
		if (!(d->flags & FEAT_F_USERSET) || d->selector)
			continue;
		const char *text = kvfile_get(f, d->name);
		if (!text) {
			vals[i].i = d->def;   /* an older set without this feature: factory value */
			vals[i].f = d->fdef;
			continue;
		}
		rc = feature_parse(&cam->fs, (int)i, text, &vals[i]);
		if (rc == DFK_OK && d->type != FEAT_FLOAT && d->type != FEAT_ENUM && d->type != FEAT_BOOLEAN &&
		    (vals[i].i < d->min || vals[i].i > d->max || (d->inc > 1 && (vals[i].i - d->min) % d->inc)))
			rc = DFK_ERR_RANGE;
		if (rc == DFK_OK && d->type == FEAT_FLOAT && (vals[i].f < d->fmin || vals[i].f > d->fmax))
			rc = DFK_ERR_RANGE;
		if (rc == DFK_OK && d->type == FEAT_ENUM && !model_enum_entry_by_value(d, vals[i].i))
			rc = DFK_ERR_RANGE;
		if (rc == DFK_OK && d->type == FEAT_BOOLEAN && vals[i].i != 0 && vals[i].i != 1)
			rc = DFK_ERR_RANGE;
		if (rc < 0)
			log_err("camera %s: UserSet%lld has a bad value for %s: '%s'", cam->serial, (long long)slot,
				d->name, text);
	}
	return rc;
}

/* Factory configuration, then the checked values and the per-selector values of the set. */
static void userset_apply(struct camera *cam, const struct kvfile *f, const struct feat_value *vals)
{
	char key[160];

	camera_factory_defaults(cam);
	for (unsigned i = 0; i < cam->model->n_features; i++) {
		const struct feature_def *d = &cam->model->features[i];
		if (!(d->flags & FEAT_F_USERSET))
			continue;
		if (!d->selector) {
			cam->fs.val[i] = vals[i];
			continue;
		}
		for (unsigned k = 0; k < d->n_selected; k++) {
			struct feat_value v;
			snprintf(key, sizeof(key), "%s[%u]", d->name, k);
			const char *text = kvfile_get(f, key);
			if (text && feature_parse(&cam->fs, (int)i, text, &v) == DFK_OK)
				feature_store_raw_selected(&cam->fs, (int)i, k, v);
		}
	}
	camera_fixup_geometry(cam);
	camera_settings_refresh(cam);
}

int camera_userset_load(struct camera *cam, int64_t slot)
{
	struct feat_value *vals = NULL;
	struct kvfile f;
	char path[PATH_MAX + 32];
	int rc;

	if (slot <= 0) {
		load_factory(cam);   /* Default */
		return DFK_OK;
	}
	userset_path(cam, slot, path, sizeof(path));
	rc = kvfile_load(&f, path);
	if (rc == DFK_ERR_NOTFOUND) {
		load_factory(cam);   /* a slot never saved holds the factory configuration, as on a new camera */
		return DFK_OK;
	}
	if (rc < 0) {
		log_err("camera %s: UserSet%lld cannot be loaded: %s", cam->serial, (long long)slot, dfk_strerror(rc));
		return rc;
	}
	vals = calloc(cam->model->n_features, sizeof(*vals));
	if (!vals) {
		rc = DFK_ERR_NOMEM;
		goto out;
	}
	rc = userset_parse(cam, slot, &f, vals);
	if (rc < 0)
		goto out;
	userset_apply(cam, &f, vals);
	log_info("camera %s: configuration loaded from UserSet%lld", cam->serial, (long long)slot);
out:
	free(vals);
	kvfile_free(&f);
	return rc;
}

/* ---- rules of the user-set features ---- */

static int exec_userset_save(void *ctx, int idx)
{
	struct camera *cam = ctx;

	(void)idx;
	return camera_userset_save(cam, camera_get_int(cam, cam->idx.userset_selector));
}

static int exec_userset_load(void *ctx, int idx)
{
	struct camera *cam = ctx;

	(void)idx;
	return camera_userset_load(cam, camera_get_int(cam, cam->idx.userset_selector));
}

static int validate_userset_default(void *ctx, int idx, struct feat_value *v)
{
	struct camera *cam = ctx;
	int64_t old = cam->userset_default;
	int rc;

	(void)idx;
	cam->userset_default = v->i;
	rc = flash_save(cam);     /* written to flash before it is acknowledged */
	if (rc < 0)
		cam->userset_default = old;
	return rc;
}

static int read_userset_default(void *ctx, int idx, struct feat_value *out)
{
	struct camera *cam = ctx;

	(void)idx;
	out->i = cam->userset_default;
	out->f = (double)out->i;
	return DFK_OK;
}

void camera_bind_userset_rules(struct camera *cam)
{
	static const struct feature_hooks save = { .execute = exec_userset_save };
	static const struct feature_hooks load = { .execute = exec_userset_load };
	static const struct feature_hooks slot_at_power_up = { .validate = validate_userset_default,
							       .read = read_userset_default };

	feature_bind_index(&cam->fs, cam->idx.userset_save, &save);
	feature_bind_index(&cam->fs, cam->idx.userset_load, &load);
	feature_bind_index(&cam->fs, cam->idx.userset_default, &slot_at_power_up);
}
