/* SPDX-License-Identifier: MIT */
/* state_files: the camera's non-volatile state as it is read back from disk:
 * kvfile (common/kvfile.c), user sets and the flash file (camera/camera.c),
 * with round-trip checks that abort() when they fail:
 *   - kvfile: load(F) = load(save(load(F))), and save is a fixed point;
 *   - user set: the configuration loaded from F equals the one loaded from
 *     what it saves, and saving that again gives the same bytes;
 *   - flash: user name and UserSetDefault survive a save and a power-up.
 *
 * Input: byte 0 is the mode, the rest the file's text.
 *   bit 0     append a correct "crc32=" trailer (else the text is taken as is)
 *   bits 1-2  what the text is: 0 any kvfile, 1 user set 1, 2 flash file, 3 both */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "../emulator/common/atomicfile.h"
#include "../emulator/common/errors.h"
#include "../emulator/common/kvfile.h"
#include "fuzz.h"

#define FILE_MAX (1u << 20)

static struct {
	struct evloop *loop;
	struct camera cam;
	char kv[512], kv2[512], kv3[512], set1[512], set2[512], flash[512];
} F;

static void setup_once(void)
{
	const struct camera_model *model = builtin_models[0];
	struct camera_options opt = { .time_scale = 0.0, .source = SENSOR_SOURCE_PATTERN };
	char dir[400];

	fuzz_init();
	snprintf(dir, sizeof(dir), "%s/state", fuzz_tmpdir());
	F.loop = evloop_new();
	if (!F.loop || camera_init(&F.cam, model, F.loop, model->identity.default_serial, dir, &opt) < 0)
		abort();
	snprintf(F.kv, sizeof(F.kv), "%s/any.conf", fuzz_tmpdir());
	snprintf(F.kv2, sizeof(F.kv2), "%s/any2.conf", fuzz_tmpdir());
	snprintf(F.kv3, sizeof(F.kv3), "%s/any3.conf", fuzz_tmpdir());
	/* the names camera.c gives user sets 1 and 2 and the flash contents */
	snprintf(F.set1, sizeof(F.set1), "%s/userset1.conf", dir);
	snprintf(F.set2, sizeof(F.set2), "%s/userset2.conf", dir);
	snprintf(F.flash, sizeof(F.flash), "%s/flash.conf", dir);
}

static void fail(const char *what)
{
	fprintf(stderr, "state_files: round trip failed: %s\n", what);
	abort();
}

static void put_file(const char *path, const uint8_t *p, size_t n)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(p, 1, n, f) != n || fclose(f) != 0)
		abort();
}

static char *get_file(const char *path, size_t *len)
{
	char *text = NULL;

	if (read_file(path, FILE_MAX, &text, len) < 0)
		return NULL;
	return text;
}

static bool same_files(const char *a, const char *b)
{
	size_t la, lb;
	char *ta = get_file(a, &la), *tb = get_file(b, &lb);
	bool same = ta && tb && la == lb && memcmp(ta, tb, la) == 0;

	free(ta);
	free(tb);
	return same;
}

static void check_kvfile(void)
{
	struct kvfile a, b;

	if (kvfile_load(&a, F.kv) < 0)
		return;
	if (kvfile_save(&a, F.kv2, "fuzz") < 0)
		fail("kvfile save");
	if (kvfile_load(&b, F.kv2) < 0)
		fail("kvfile load of a saved file");
	if (a.n != b.n)
		fail("kvfile item count");
	for (size_t i = 0; i < a.n; i++)
		if (strcmp(a.items[i].key, b.items[i].key) || strcmp(a.items[i].value, b.items[i].value))
			fail("kvfile item");
	if (kvfile_save(&b, F.kv3, "fuzz") < 0 || !same_files(F.kv2, F.kv3))
		fail("kvfile save is not a fixed point");
	kvfile_free(&a);
	kvfile_free(&b);
}

/* One value of the configuration as a user set stores it. */
struct setting {
	const struct feature_def *d;
	struct feat_value v;
};

/* Effective values, selected elements raw: what camera_userset_save() writes. */
static struct setting *snapshot(size_t *n)
{
	struct feature_store *fs = &F.cam.fs;
	const struct camera_model *m = F.cam.model;
	size_t total = 0, k = 0;
	struct setting *v;

	for (unsigned i = 0; i < m->n_features; i++)
		if (m->features[i].flags & FEAT_F_USERSET)
			total += m->features[i].selector ? m->features[i].n_selected : 1;
	v = calloc(total ? total : 1, sizeof(*v));
	if (!v)
		abort();
	for (unsigned i = 0; i < m->n_features; i++) {
		const struct feature_def *d = &m->features[i];
		if (!(d->flags & FEAT_F_USERSET))
			continue;
		if (d->selector) {
			for (unsigned s = 0; s < d->n_selected; s++) {
				v[k].d = d;
				v[k++].v = feature_raw_selected(fs, (int)i, s);
			}
		} else {
			v[k].d = d;
			feature_get(fs, (int)i, &v[k++].v);
		}
	}
	*n = total;
	return v;
}

/* A float is its double (bit for bit), anything else its integer: the other
 * member is a shadow the store does not keep consistent (defaults have f = 0). */
static bool same_setting(const struct setting *a, const struct setting *b)
{
	if (a->d->type == FEAT_FLOAT)
		return memcmp(&a->v.f, &b->v.f, sizeof(a->v.f)) == 0;
	return a->v.i == b->v.i;
}

static void check_userset(void)
{
	struct setting *a, *b;
	size_t na, nb;

	if (camera_userset_load(&F.cam, 1) < 0)
		return;
	a = snapshot(&na);
	if (camera_userset_save(&F.cam, 2) < 0)
		fail("user set save");
	if (camera_userset_load(&F.cam, 2) < 0)
		fail("user set load of a saved set");
	b = snapshot(&nb);
	for (size_t i = 0; i < na && i < nb; i++) {
		if (!same_setting(&a[i], &b[i])) {
			fprintf(stderr, "state_files: %s: loaded %lld / %.17g, after save and load %lld / %.17g\n",
				a[i].d->name, (long long)a[i].v.i, a[i].v.f, (long long)b[i].v.i, b[i].v.f);
			fail("user set value");
		}
	}
	free(a);
	free(b);
	/* and the saved text is a fixed point */
	if (rename(F.set2, F.kv2) < 0 || camera_userset_save(&F.cam, 2) < 0 || !same_files(F.set2, F.kv2))
		fail("user set save is not a fixed point");
}

static void check_flash(void)
{
	char uid[sizeof(F.cam.user_id)];
	int64_t usd;

	camera_power_on(&F.cam);
	memcpy(uid, F.cam.user_id, sizeof(uid));
	usd = F.cam.userset_default;
	if (camera_set_user_id(&F.cam, uid) < 0)
		fail("flash save");
	camera_power_on(&F.cam);
	if (strcmp(uid, F.cam.user_id) || usd != F.cam.userset_default)
		fail("flash contents");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *text;
	size_t n;
	unsigned what;

	if (!F.loop)
		setup_once();
	if (size == 0)
		return 0;
	what = (data[0] >> 1) & 3;
	/* room for a newline and the trailer */
	text = malloc(size + 32);
	if (!text)
		return 0;
	n = size - 1;
	memcpy(text, data + 1, n);
	if (data[0] & 1) {
		if (n && text[n - 1] != '\n')
			text[n++] = '\n';
		n += (size_t)snprintf((char *)text + n, 32, "crc32=%08lx\n", crc32(0L, text, (uInt)n));
	}
	remove(F.set1);
	remove(F.set2);
	remove(F.flash);
	put_file(F.kv, text, n);
	if (what & 1)
		put_file(F.set1, text, n);
	if (what & 2)
		put_file(F.flash, text, n);
	free(text);

	check_kvfile();
	if (what & 1)
		check_userset();
	if (what & 2)
		check_flash();
	return 0;
}
