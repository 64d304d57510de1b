/* SPDX-License-Identifier: MIT */
#include "model.h"

#include <string.h>

const struct camera_model *const builtin_models[] = {
	&dfk38ux267_model,
	&dmk38ux267_model,
	NULL,
};

const struct camera_model *model_find(const char *id)
{
	for (unsigned i = 0; builtin_models[i]; i++)
		if (strcmp(builtin_models[i]->id, id) == 0)
			return builtin_models[i];
	return NULL;
}

int model_feature_index(const struct camera_model *m, const char *name)
{
	for (unsigned i = 0; i < m->n_features; i++)
		if (strcmp(m->features[i].name, name) == 0)
			return (int)i;
	return -1;
}

const struct enum_entry *model_enum_entry(const struct feature_def *f, const char *name)
{
	for (unsigned i = 0; i < f->n_entries; i++)
		if (strcmp(f->entries[i].name, name) == 0)
			return &f->entries[i];
	return NULL;
}

const struct enum_entry *model_enum_entry_by_value(const struct feature_def *f, int64_t value)
{
	for (unsigned i = 0; i < f->n_entries; i++)
		if (f->entries[i].value == value)
			return &f->entries[i];
	return NULL;
}
