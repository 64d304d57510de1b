/* SPDX-License-Identifier: MIT */
/* camera/camera with the DFK 38UX267 model: the behaviour rules that tie
 * features together (geometry, binning, offsets, payload, locks), user sets
 * in non-volatile memory, and the LUTValueAll register. Every test gets a
 * fresh camera on its own state directory under /tmp. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../models/model.h"
#include "../camera/camera.h"
#include "../common/atomicfile.h"
#include "../common/errors.h"
#include "../common/evloop.h"
#include "../regmap/regmap.h"
#include "tests.h"

/* device time moves only when the test moves it; the bit-exact test pattern */
static const struct camera_options opts = { .time_scale = 0.0, .source = SENSOR_SOURCE_PATTERN, .seed = 1 };

static struct {
	struct evloop *loop;
	struct camera *cam;
	char dir[64];
	bool up;
} T;

/* A failed assertion does not stop a CUnit setup: every step checks, and tests start by
 * requiring T.up. */
static void setup(void)
{
	memset(&T, 0, sizeof(T));
	if (t_mkdtemp(T.dir, sizeof(T.dir)) != 0) {
		T.dir[0] = '\0';
		return;
	}
	T.loop = evloop_new();
	T.cam = calloc(1, sizeof(*T.cam));
	if (!T.loop || !T.cam)
		return;
	ASSERT_INT(camera_init(T.cam, &dfk38ux267_model, T.loop, "38267001", T.dir, &opts), DFK_OK);
	T.up = T.cam->model != NULL;
}

static void teardown(void)
{
	if (T.up)
		camera_free(T.cam);
	free(T.cam);
	if (T.loop)
		evloop_free(T.loop);
	if (T.dir[0])
		t_rmtree(T.dir);
	memset(&T, 0, sizeof(T));
}

static struct feature_store *FS(void) { return &T.cam->fs; }
static int64_t geti(const char *name) { return feature_get_int(FS(), name); }
static double getf(const char *name) { return feature_get_float(FS(), name); }
static int seti(const char *name, int64_t v) { return feature_set_int(FS(), name, v); }
static int setf(const char *name, double v) { return feature_set_float(FS(), name, v); }

static void test_camera_defaults(void)
{
	CU_ASSERT_FATAL(T.up);   /* fixture up */
	const struct camera_model *m = &dfk38ux267_model;
	char msg[200];

	/* every stored feature reads its model default after power-up */
	for (unsigned i = 0; i < m->n_features; i++) {
		const struct feature_def *d = &m->features[i];
		struct feat_value v;

		if (d->type == FEAT_STRING || d->type == FEAT_REGISTER || d->type == FEAT_COMMAND ||
		    (d->flags & FEAT_F_COMPUTED) || d->selector)
			continue;
		if (strcmp(d->name, "ExposureAutoUpperLimit") == 0)
			continue;   /* follows the frame rate while ExposureAutoUpperLimitAuto is On: below */
		ASSERT_INT(feature_get(FS(), (int)i, &v), DFK_OK);
		snprintf(msg, sizeof(msg), "%s after power-up: %lld / %.17g, model default %lld / %.17g", d->name,
			 (long long)v.i, v.f, (long long)d->def, d->fdef);
		CU_assertImplementation(d->type == FEAT_FLOAT ? v.f == d->fdef : v.i == d->def, __LINE__, msg,
					__FILE__, "", CU_FALSE);
	}
	/* 5.3.5: the upper limit is the longest exposure 30 fps allows: the period less the
	 * 20 us gap before the next exposure (manual-quirks 77) */
	ASSERT_INT(geti("ExposureAutoUpperLimitAuto"), 1);
	CU_ASSERT(getf("AcquisitionFrameRate") == 30.0);
	CU_ASSERT(fabs(getf("ExposureAutoUpperLimit") - (1e6 / 30.0 - 20.0)) < 1e-6);
	/* computed ones */
	ASSERT_INT(geti("WidthMax"), 4096);
	ASSERT_INT(geti("HeightMax"), 2160);
	ASSERT_INT(geti("PayloadSize"), 4096 * 2160);
	ASSERT_INT(geti("TLParamsLocked"), 0);
	ASSERT_INT(geti("UserSetDefault"), 0);
	CU_ASSERT(getf("AcquisitionFrameRateMax") >= 35.0 && getf("AcquisitionFrameRateMax") < 36.0);
	ASSERT_INT(T.cam->power_ups, 1);
}

static void test_camera_width_checks(void)
{
	CU_ASSERT_FATAL(T.up);   /* fixture up */
	ASSERT_INT(seti("Width", 1000), DFK_ERR_RANGE);   /* not a multiple of 16 from 256 */
	ASSERT_INT(seti("Width", 5000), DFK_ERR_RANGE);
	ASSERT_INT(geti("Width"), 4096);
	ASSERT_INT(seti("Width", 1920), DFK_OK);
	ASSERT_INT(geti("Width"), 1920);
}

static void test_camera_enum_unknown_value(void)
{
	CU_ASSERT_FATAL(T.up);   /* fixture up */
	ASSERT_INT(seti("PixelFormat", 0x01100001), DFK_ERR_RANGE);   /* Mono16: not offered */
	ASSERT_INT(seti("ExposureAuto", 1), DFK_ERR_RANGE);
	ASSERT_INT(seti("UserSetSelector", 3), DFK_ERR_RANGE);
	ASSERT_INT(geti("PixelFormat"), 0x01080009);
}

static void test_camera_locked_feature(void)
{
	CU_ASSERT_FATAL(T.up);   /* fixture up */
	ASSERT_INT(geti("ExposureAuto"), 2);
	ASSERT_INT(setf("ExposureTime", 5000.0), DFK_ERR_DENIED);
	ASSERT_INT(seti("ExposureAuto", 0), DFK_OK);
	ASSERT_INT(setf("ExposureTime", 5000.0), DFK_OK);
	CU_ASSERT(getf("ExposureTime") == 5000.0);
}

static void test_camera_offset_clamped(void)
{
	CU_ASSERT_FATAL(T.up);   /* fixture up */
	ASSERT_INT(seti("OffsetAutoCenter", 0), DFK_OK);
	ASSERT_INT(seti("Width", 4096), DFK_OK);
	ASSERT_INT(seti("OffsetX", 3840), DFK_OK);
	ASSERT_INT(geti("OffsetX"), 0);        /* no room at full width: the largest valid value */
	ASSERT_INT(seti("Width", 256), DFK_OK);
	ASSERT_INT(seti("OffsetX", 3840), DFK_OK);
	ASSERT_INT(geti("OffsetX"), 3840);
	/* growing the width again pulls the offset back */
	ASSERT_INT(seti("Width", 1024), DFK_OK);
	ASSERT_INT(geti("OffsetX"), 4096 - 1024);
	/* Y likewise: Height 2160 leaves no room */
	ASSERT_INT(seti("OffsetY", 1000), DFK_OK);
	ASSERT_INT(geti("OffsetY"), 0);
	ASSERT_INT(seti("Height", 1080), DFK_OK);
	ASSERT_INT(seti("OffsetY", 2000), DFK_OK);
	ASSERT_INT(geti("OffsetY"), 1080);
}

static void test_camera_offset_auto_center(void)
{
	CU_ASSERT_FATAL(T.up);   /* fixture up */
	/* 5.1.5: by default the offsets centre the region on the sensor */
	ASSERT_INT(seti("Width", 1920), DFK_OK);
	ASSERT_INT(seti("Height", 1080), DFK_OK);
	ASSERT_INT(geti("OffsetX"), (4096 - 1920) / 2);   /* 1088 */
	ASSERT_INT(geti("OffsetY"), (2160 - 1080) / 2);   /* 540 */
	/* a write while centring is acknowledged (Aravis's set_region writes the offsets whatever the
	 * lock) but does not move the window; it is kept for OffsetAutoCenter=Off (manual-quirks L) */
	ASSERT_INT(seti("OffsetX", 0), DFK_OK);
	ASSERT_INT(seti("OffsetY", 96), DFK_OK);
	ASSERT_INT(geti("OffsetX"), (4096 - 1920) / 2);
	ASSERT_INT(geti("OffsetY"), (2160 - 1080) / 2);
	ASSERT_INT(seti("OffsetX", 100), DFK_ERR_RANGE);   /* still checked: off the increment of 16 */
	ASSERT_INT(seti("OffsetAutoCenter", 0), DFK_OK);
	ASSERT_INT(geti("OffsetX"), 0);
	ASSERT_INT(geti("OffsetY"), 96);
	ASSERT_INT(seti("OffsetAutoCenter", 1), DFK_OK);
	ASSERT_INT(geti("OffsetY"), (2160 - 1080) / 2);
}

static void test_camera_binning(void)
{
	CU_ASSERT_FATAL(T.up);   /* fixture up */
	ASSERT_INT(seti("BinningHorizontal", 2), DFK_OK);
	ASSERT_INT(geti("BinningHorizontal"), 2);
	ASSERT_INT(geti("BinningVertical"), 2);
	ASSERT_INT(geti("WidthMax"), 2048);
	ASSERT_INT(geti("HeightMax"), 1080);
	ASSERT_INT(geti("Width"), 2048);       /* shrunk to the new maximum */
	ASSERT_INT(geti("Height"), 1080);
	ASSERT_INT(geti("PayloadSize"), 2048 * 1080);
	ASSERT_INT(seti("Width", 2064), DFK_ERR_RANGE);
	ASSERT_INT(seti("DecimationVertical", 2), DFK_ERR_DENIED);   /* binning excludes skipping */
	/* and back: the other direction follows again */
	ASSERT_INT(seti("BinningVertical", 1), DFK_OK);
	ASSERT_INT(geti("BinningHorizontal"), 1);
	ASSERT_INT(geti("WidthMax"), 4096);
}

static void test_camera_payload_size(void)
{
	CU_ASSERT_FATAL(T.up);   /* fixture up */
	ASSERT_INT(geti("PayloadSize"), 4096 * 2160 * 8 / 8);
	ASSERT_INT(seti("PixelFormat", 0x010C0059), DFK_OK);   /* BayerRG12p */
	ASSERT_INT(geti("PayloadSize"), 4096 * 2160 * 12 / 8);
	ASSERT_INT(seti("PixelFormat", 0x02180015), DFK_OK);   /* BGR8 */
	ASSERT_INT(geti("PayloadSize"), 4096 * 2160 * 24 / 8);
	ASSERT_INT(seti("Width", 1920), DFK_OK);
	ASSERT_INT(seti("Height", 1080), DFK_OK);
	ASSERT_INT(geti("PayloadSize"), 1920 * 1080 * 3);
	ASSERT_INT(seti("PixelFormat", 0x010C0059), DFK_OK);
	ASSERT_INT(geti("PayloadSize"), 1920 * 1080 * 12 / 8);
	ASSERT_INT(camera_payload_size(T.cam), 1920 * 1080 * 12 / 8);
	{
		struct camera_geometry g;
		camera_geometry(T.cam, &g);
		ASSERT_INT(g.width, 1920);
		ASSERT_INT(g.height, 1080);
		ASSERT_INT(g.pfnc, 0x010C0059);
		ASSERT_INT(g.bits_per_pixel, 12);
		ASSERT_INT(g.binning_h, 1);
	}
}

static void test_camera_frame_rate_follows_format(void)
{
	CU_ASSERT_FATAL(T.up);   /* fixture up */
	/* RGB24 at 4096x2160: 14 fps at most (manual 5.1.4); the 30 fps default comes down */
	ASSERT_INT(seti("PixelFormat", 0x02180015), DFK_OK);
	CU_ASSERT(getf("AcquisitionFrameRateMax") >= 14.0 && getf("AcquisitionFrameRateMax") < 15.0);
	CU_ASSERT(getf("AcquisitionFrameRate") <= getf("AcquisitionFrameRateMax"));
	ASSERT_INT(setf("AcquisitionFrameRate", 20.0), DFK_ERR_RANGE);
	ASSERT_INT(setf("AcquisitionFrameRate", 10.0), DFK_OK);
}

/* Regression (audit): at the smallest region the sensor and link would allow thousands of
 * frames a second, and AcquisitionFrameRate took values past its own maximum (1000 fps). */
static void test_camera_frame_rate_never_past_its_maximum(void)
{
	CU_ASSERT_FATAL(T.up);   /* fixture up */
	ASSERT_INT(seti("PixelFormat", 0x01080001), DFK_OK);   /* Mono8 */
	ASSERT_INT(seti("Width", 256), DFK_OK);
	ASSERT_INT(seti("Height", 4), DFK_OK);
	CU_ASSERT(getf("AcquisitionFrameRateMax") == 1000.0);
	ASSERT_INT(setf("AcquisitionFrameRate", 1000.0), DFK_OK);
	ASSERT_INT(setf("AcquisitionFrameRate", 1500.0), DFK_ERR_RANGE);
	CU_ASSERT(getf("AcquisitionFrameRate") == 1000.0);
}

static void test_camera_tl_params_locked(void)
{
	CU_ASSERT_FATAL(T.up);   /* fixture up */
	ASSERT_INT(seti("TLParamsLocked", 1), DFK_OK);
	ASSERT_INT(geti("TLParamsLocked"), 1);
	ASSERT_INT(seti("Width", 1920), DFK_ERR_DENIED);
	ASSERT_INT(seti("PixelFormat", 0x01080001), DFK_ERR_DENIED);
	ASSERT_INT(seti("BinningHorizontal", 2), DFK_ERR_DENIED);
	ASSERT_INT(seti("Saturation", 80), DFK_OK);            /* not locked by the transport layer */
	ASSERT_INT(seti("TLParamsLocked", 0), DFK_OK);
	ASSERT_INT(seti("Width", 1920), DFK_OK);
	/* acquiring locks them too, and TLParamsLocked reads 1 meanwhile */
	ASSERT_INT(seti("AcquisitionStart", 1), DFK_OK);
	CU_ASSERT(T.cam->acquiring);
	ASSERT_INT(geti("TLParamsLocked"), 1);
	ASSERT_INT(seti("Width", 2048), DFK_ERR_DENIED);
	ASSERT_INT(seti("AcquisitionStop", 1), DFK_OK);
	ASSERT_INT(geti("TLParamsLocked"), 0);
	ASSERT_INT(seti("Width", 2048), DFK_OK);
}

static void test_camera_userset_save_default_refused(void)
{
	CU_ASSERT_FATAL(T.up);   /* fixture up */
	ASSERT_INT(camera_userset_save(T.cam, 0), DFK_ERR_DENIED);
	ASSERT_INT(geti("UserSetSelector"), 0);
	ASSERT_INT(seti("UserSetSave", 1), DFK_ERR_DENIED);   /* 5.12.3: Default cannot be overwritten */
	ASSERT_INT(t_list_dir(T.dir, NULL, 0), 0);            /* nothing written */
}

/* Changes a set of features away from their defaults. */
static void change_config(void)
{
	ASSERT_INT(seti("ExposureAuto", 0), DFK_OK);
	ASSERT_INT(setf("ExposureTime", 5000.0), DFK_OK);
	ASSERT_INT(seti("GainAuto", 0), DFK_OK);
	ASSERT_INT(setf("Gain", 6.5), DFK_OK);
	ASSERT_INT(seti("PixelFormat", 0x010C0059), DFK_OK);
	ASSERT_INT(seti("Width", 1920), DFK_OK);
	ASSERT_INT(seti("Height", 1080), DFK_OK);
	ASSERT_INT(seti("OffsetAutoCenter", 0), DFK_OK);
	ASSERT_INT(seti("OffsetX", 64), DFK_OK);
	ASSERT_INT(seti("BalanceWhiteAuto", 0), DFK_OK);
	ASSERT_INT(seti("BalanceRatioSelector", 2), DFK_OK);
	ASSERT_INT(setf("BalanceRatio", 2.25), DFK_OK);
	ASSERT_INT(seti("LUTIndex", 10), DFK_OK);
	ASSERT_INT(seti("LUTValue", 1234), DFK_OK);
	ASSERT_INT(seti("Hue", -30), DFK_OK);
}

static void check_config(unsigned line)
{
	struct feat_value v;

	test_assert_int(geti("ExposureAuto"), 0, line, __FILE__, "ExposureAuto");
	CU_assertImplementation(getf("ExposureTime") == 5000.0, line, "ExposureTime 5000", __FILE__, "", CU_FALSE);
	CU_assertImplementation(getf("Gain") == 6.5, line, "Gain 6.5", __FILE__, "", CU_FALSE);
	test_assert_int(geti("PixelFormat"), 0x010C0059, line, __FILE__, "PixelFormat");
	test_assert_int(geti("Width"), 1920, line, __FILE__, "Width");
	test_assert_int(geti("Height"), 1080, line, __FILE__, "Height");
	test_assert_int(geti("OffsetAutoCenter"), 0, line, __FILE__, "OffsetAutoCenter");
	test_assert_int(geti("OffsetX"), 64, line, __FILE__, "OffsetX");
	test_assert_int(geti("Hue"), -30, line, __FILE__, "Hue");
	v = feature_raw_selected(FS(), feature_index(FS(), "BalanceRatio"), 2);
	CU_assertImplementation(v.f == 2.25, line, "BalanceRatio[Blue] 2.25", __FILE__, "", CU_FALSE);
	v = feature_raw_selected(FS(), feature_index(FS(), "LUTValue"), 10);
	test_assert_int(v.i, 1234, line, __FILE__, "LUTValue[10]");
}

static void test_camera_userset_save_load(void)
{
	CU_ASSERT_FATAL(T.up);   /* fixture up */
	change_config();
	ASSERT_INT(seti("UserSetSelector", 1), DFK_OK);
	ASSERT_INT(seti("UserSetSave", 1), DFK_OK);
	/* change everything again */
	ASSERT_INT(setf("ExposureTime", 100.0), DFK_OK);
	ASSERT_INT(setf("Gain", 0.0), DFK_OK);
	ASSERT_INT(seti("PixelFormat", 0x01080001), DFK_OK);
	ASSERT_INT(seti("Width", 4096), DFK_OK);
	ASSERT_INT(seti("Height", 2160), DFK_OK);
	ASSERT_INT(seti("OffsetX", 0), DFK_OK);
	ASSERT_INT(setf("BalanceRatio", 1.0), DFK_OK);
	ASSERT_INT(seti("LUTValue", 2560), DFK_OK);
	ASSERT_INT(seti("Hue", 0), DFK_OK);
	ASSERT_INT(seti("ExposureAuto", 2), DFK_OK);
	/* load slot 1 */
	ASSERT_INT(seti("UserSetLoad", 1), DFK_OK);
	check_config(__LINE__);
	/* the file is a kvfile in the state directory, and nothing else was left there */
	{
		char *names[8] = { 0 };
		int n = t_list_dir(T.dir, names, 8);
		ASSERT_INT(n, 1);
		if (names[0])
			CU_ASSERT_STRING_EQUAL(names[0], "userset1.conf");
		for (int i = 0; i < 8; i++)
			free(names[i]);
	}
	/* Default restores the factory configuration */
	ASSERT_INT(seti("UserSetSelector", 0), DFK_OK);
	ASSERT_INT(seti("UserSetLoad", 1), DFK_OK);
	ASSERT_INT(geti("Width"), 4096);
	ASSERT_INT(geti("PixelFormat"), 0x01080009);
	ASSERT_INT(geti("ExposureAuto"), 2);
}

static void test_camera_userset_default_at_power_up(void)
{
	CU_ASSERT_FATAL(T.up);   /* fixture up */
	change_config();
	ASSERT_INT(camera_userset_save(T.cam, 2), DFK_OK);
	ASSERT_INT(seti("UserSetDefault", 2), DFK_OK);
	ASSERT_INT(geti("UserSetDefault"), 2);
	ASSERT_INT(seti("Width", 4096), DFK_OK);
	camera_power_on(T.cam);
	ASSERT_INT(T.cam->power_ups, 2);
	check_config(__LINE__);
	/* a new camera on the same non-volatile memory */
	camera_free(T.cam);
	T.up = false;
	ASSERT_INT(camera_init(T.cam, &dfk38ux267_model, T.loop, "38267001", T.dir, &opts), DFK_OK);
	T.up = true;
	ASSERT_INT(geti("UserSetDefault"), 2);
	check_config(__LINE__);
}

/* Rewrites the crc32 line of `path` to a wrong value. */
static void spoil_crc(const char *path)
{
	char *text = NULL, *crc;
	size_t len;
	FILE *f;

	ASSERT_INT(read_file(path, 1 << 20, &text, &len), DFK_OK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	crc = strstr(text, "\ncrc32=");
	CU_ASSERT_PTR_NOT_NULL_FATAL(crc);
	crc[7] = crc[7] == 'f' ? 'e' : 'f';
	f = fopen(path, "wb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fwrite(text, 1, len, f);
	fclose(f);
	free(text);
}

static void test_camera_userset_corrupt_refused(void)
{
	CU_ASSERT_FATAL(T.up);   /* fixture up */
	char path[128];
	struct feat_value *before;
	size_t n = dfk38ux267_model.n_features;

	change_config();
	ASSERT_INT(camera_userset_save(T.cam, 1), DFK_OK);
	snprintf(path, sizeof(path), "%s/userset1.conf", T.dir);
	spoil_crc(path);
	ASSERT_INT(seti("Width", 2048), DFK_OK);
	ASSERT_INT(setf("Gain", 1.0), DFK_OK);
	before = malloc(n * sizeof(*before));
	CU_ASSERT_PTR_NOT_NULL_FATAL(before);
	memcpy(before, FS()->val, n * sizeof(*before));

	ASSERT_INT(camera_userset_load(T.cam, 1), DFK_ERR_CORRUPT);
	ASSERT_INT(seti("UserSetSelector", 1), DFK_OK);
	before[feature_index(FS(), "UserSetSelector")].i = 1;
	before[feature_index(FS(), "UserSetSelector")].f = 1;
	ASSERT_INT(seti("UserSetLoad", 1), DFK_ERR_CORRUPT);
	ASSERT_INT(geti("Width"), 2048);
	CU_ASSERT(getf("Gain") == 1.0);
	CU_ASSERT(memcmp(before, FS()->val, n * sizeof(*before)) == 0);
	free(before);
}

/* Replaces the line "key=..." of a kvfile with "key=value" and writes a correct CRC-32 trailer. */
static void rewrite_userset(const char *path, const char *key, const char *value)
{
	char *text = NULL, *out, *line, *save = NULL;
	size_t len, n = 0, klen = strlen(key);
	FILE *f;

	ASSERT_INT(read_file(path, 1 << 20, &text, &len), DFK_OK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	out = malloc(len + 256);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "crc32=", 6) == 0)
			continue;
		if (strncmp(line, key, klen) == 0 && line[klen] == '=')
			n += (size_t)sprintf(out + n, "%s=%s\n", key, value);
		else
			n += (size_t)sprintf(out + n, "%s\n", line);
	}
	n += (size_t)sprintf(out + n, "crc32=%08x\n", t_crc32(out, n));
	f = fopen(path, "wb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fwrite(out, 1, n, f);
	fclose(f);
	free(out);
	free(text);
}

static void test_camera_userset_invalid_value_not_applied(void)
{
	/* A user set whose checksum is right but whose values the features' own checks refuse
	 * (hand-edited, or written for other limits) must not put them into the camera:
	 * either the load is refused, or what is loaded passes the checks. */
	static const struct {
		const char *key, *value;
	} bad[] = {
		{ "Width", "1000" },            /* not on the 16-pixel step from 256 */
		{ "Width", "8192" },            /* above WidthMax */
		{ "PixelFormat", "305419896" }, /* 0x12345678: no such entry */
		{ "Saturation", "999" },        /* above 255 */
	};
	char path[128];

	snprintf(path, sizeof(path), "%s/userset1.conf", T.dir);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct feat_value v, lo, hi;
		int idx = feature_index(FS(), bad[i].key), rc;
		const struct feature_def *d = feature_def(FS(), idx);
		char msg[160];

		CU_ASSERT_PTR_NOT_NULL_FATAL(d);
		ASSERT_INT(camera_userset_load(T.cam, 0), DFK_OK);
		ASSERT_INT(camera_userset_save(T.cam, 1), DFK_OK);
		rewrite_userset(path, bad[i].key, bad[i].value);
		rc = camera_userset_load(T.cam, 1);
		ASSERT_INT(feature_get(FS(), idx, &v), DFK_OK);
		ASSERT_INT(feature_limits(FS(), idx, &lo, &hi), DFK_OK);
		snprintf(msg, sizeof(msg), "UserSet1 with %s=%s: load rc %d, %s now %lld", bad[i].key, bad[i].value, rc,
			 bad[i].key, (long long)v.i);
		if (d->type == FEAT_ENUM)
			CU_assertImplementation(model_enum_entry_by_value(d, v.i) != NULL, __LINE__, msg, __FILE__, "",
						CU_FALSE);
		else
			CU_assertImplementation(v.i >= lo.i && v.i <= hi.i && (d->inc <= 1 || (v.i - lo.i) % d->inc == 0),
						__LINE__, msg, __FILE__, "", CU_FALSE);
	}
}

static void test_camera_lut_value_all(void)
{
	CU_ASSERT_FATAL(T.up);   /* fixture up */
	const struct feature_def *all = feature_def(FS(), feature_index(FS(), "LUTValueAll"));
	struct regmap m;
	uint8_t buf[1028], back[1028];

	CU_ASSERT_PTR_NOT_NULL_FATAL(all);
	ASSERT_INT(all->length, 1028);
	regmap_init(&m);
	ASSERT_INT(feature_store_add_regions(FS(), &m), DFK_OK);
	ASSERT_INT(regmap_seal(&m), DFK_OK);

	/* factory table: the identity, entry k = k * 256 on the 16-bit scale, the last one full scale */
	ASSERT_INT(regmap_read(&m, all->address, buf, 1028), DFK_OK);
	ASSERT_INT(t_get_le32(buf + 0), 0);
	ASSERT_INT(t_get_le32(buf + 4), 256);
	ASSERT_INT(t_get_le32(buf + 4 * 128), 32768);
	ASSERT_INT(t_get_le32(buf + 4 * 255), 65280);
	ASSERT_INT(t_get_le32(buf + 4 * 256), 65535);
	/* every entry agrees with LUTValue at that LUTIndex */
	for (int k = 0; k <= 256; k += 37) {
		ASSERT_INT(seti("LUTIndex", k), DFK_OK);
		ASSERT_INT(geti("LUTValue"), t_get_le32(buf + 4 * k));
	}

	/* write a whole table: 16-bit values, each in its own little-endian 32-bit word */
	for (int k = 0; k < 257; k++)
		t_le32(buf + 4 * k, (uint32_t)(65535 - k * 255));
	ASSERT_INT(regmap_write(&m, all->address, buf, 1028), DFK_OK);
	ASSERT_INT(seti("LUTIndex", 5), DFK_OK);
	ASSERT_INT(geti("LUTValue"), 65535 - 5 * 255);
	ASSERT_INT(regmap_read(&m, all->address, back, 1028), DFK_OK);
	ASSERT_BYTES(back, buf, 1028);

	/* part of it: entries 2 and 3 */
	ASSERT_INT(regmap_write(&m, all->address + 8, (const uint8_t *)"\x34\x12\x00\x00\x78\x56\x00\x00", 8),
		   DFK_OK);
	ASSERT_INT(seti("LUTIndex", 3), DFK_OK);
	ASSERT_INT(geti("LUTValue"), 0x5678);
	ASSERT_INT(regmap_read(&m, all->address + 4, back, 12), DFK_OK);
	ASSERT_BYTES(back, "\x00\xFF\x00\x00\x34\x12\x00\x00\x78\x56\x00\x00", 12);   /* entry 1: 65535 - 255 */

	/* a value above 16 bits anywhere refuses the whole write */
	memcpy(back, buf, 1028);
	t_le32(back + 4 * 200, 0x10000);
	ASSERT_INT(regmap_write(&m, all->address, back, 1028), DFK_ERR_RANGE);
	ASSERT_INT(seti("LUTIndex", 0), DFK_OK);
	ASSERT_INT(geti("LUTValue"), 65535);
	/* entries are whole words */
	ASSERT_INT(regmap_write(&m, all->address + 2, back, 4), DFK_ERR_ALIGN);
	ASSERT_INT(regmap_read(&m, all->address, back, 6), DFK_ERR_ALIGN);
	regmap_free(&m);
}

static void test_camera_user_id_non_volatile(void)
{
	CU_ASSERT_FATAL(T.up);   /* fixture up */
	ASSERT_INT(camera_set_user_id(T.cam, "bench-left"), DFK_OK);
	CU_ASSERT_STRING_EQUAL(T.cam->user_id, "bench-left");
	camera_power_on(T.cam);
	CU_ASSERT_STRING_EQUAL(T.cam->user_id, "bench-left");
}

/* Every feature and enumeration entry the behaviour uses is looked up at start-up: a model that
 * lacks one is refused (one error naming it), not run with the behaviour silently missing. */
static void test_camera_model_lacking_features(void)
{
	const struct camera_model *m = &dfk38ux267_model;
	struct feature_def *defs = calloc(m->n_features, sizeof(*defs));
	struct enum_entry only_any = { 0 };
	struct camera_model lacking = *m;
	struct camera *cam = calloc(1, sizeof(*cam));
	unsigned n = 0;

	CU_ASSERT_FATAL(T.up);   /* fixture up: its directory is reused below, one camera at a time */
	CU_ASSERT_PTR_NOT_NULL_FATAL(defs);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cam);
	camera_free(T.cam);
	T.up = false;
	/* without TriggerMask */
	for (unsigned i = 0; i < m->n_features; i++)
		if (strcmp(m->features[i].name, "TriggerMask") != 0)
			defs[n++] = m->features[i];
	ASSERT_INT(n, m->n_features - 1);
	lacking.features = defs;
	lacking.n_features = n;
	ASSERT_INT(camera_init(cam, &lacking, T.loop, "38267001", T.dir, &opts), DFK_ERR_INVAL);
	/* TriggerSource without its Line1 and Software entries */
	memcpy(defs, m->features, m->n_features * sizeof(*defs));
	for (unsigned i = 0; i < m->n_features; i++) {
		if (strcmp(defs[i].name, "TriggerSource") == 0) {
			only_any = defs[i].entries[0];
			defs[i].entries = &only_any;
			defs[i].n_entries = 1;
		}
	}
	ASSERT_INT(strcmp(only_any.name, "Any"), 0);
	lacking.n_features = m->n_features;
	ASSERT_INT(camera_init(cam, &lacking, T.loop, "38267001", T.dir, &opts), DFK_ERR_INVAL);
	/* the directory was released each time: the full model starts on it */
	ASSERT_INT(camera_init(T.cam, m, T.loop, "38267001", T.dir, &opts), DFK_OK);
	T.up = true;
	free(cam);
	free(defs);
}

static const struct test_case cases[] = {
	{ "test_camera_defaults", test_camera_defaults },
	{ "test_camera_width_checks", test_camera_width_checks },
	{ "test_camera_enum_unknown_value", test_camera_enum_unknown_value },
	{ "test_camera_locked_feature", test_camera_locked_feature },
	{ "test_camera_offset_clamped", test_camera_offset_clamped },
	{ "test_camera_offset_auto_center", test_camera_offset_auto_center },
	{ "test_camera_binning", test_camera_binning },
	{ "test_camera_payload_size", test_camera_payload_size },
	{ "test_camera_frame_rate_follows_format", test_camera_frame_rate_follows_format },
	{ "test_camera_frame_rate_never_past_its_maximum", test_camera_frame_rate_never_past_its_maximum },
	{ "test_camera_tl_params_locked", test_camera_tl_params_locked },
	{ "test_camera_userset_save_default_refused", test_camera_userset_save_default_refused },
	{ "test_camera_userset_save_load", test_camera_userset_save_load },
	{ "test_camera_userset_default_at_power_up", test_camera_userset_default_at_power_up },
	{ "test_camera_userset_corrupt_refused", test_camera_userset_corrupt_refused },
	{ "test_camera_userset_invalid_value_not_applied", test_camera_userset_invalid_value_not_applied },
	{ "test_camera_lut_value_all", test_camera_lut_value_all },
	{ "test_camera_user_id_non_volatile", test_camera_user_id_non_volatile },
	{ "test_camera_model_lacking_features", test_camera_model_lacking_features },
	{ NULL, NULL },
};

int test_camera_add_suite(void) { return test_add_suite("camera", setup, teardown, cases); }
