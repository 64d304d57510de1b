/* SPDX-License-Identifier: MIT */
/* camera/features on the DFK 38UX267 model, without the camera's behaviour
 * hooks: defaults, the generic checks every write passes (lock, range,
 * increment, enumeration entry), register encoding and value text. */
#include <math.h>
#include <string.h>

#include "../../models/model.h"
#include "../camera/features.h"
#include "../common/errors.h"
#include "../regmap/regmap.h"
#include "tests.h"

static struct feature_store fs;

static void setup(void) { ASSERT_INT(feature_store_init(&fs, &dfk38ux267_model, NULL), DFK_OK); }
static void teardown(void) { feature_store_free(&fs); }

static int idx(const char *name)
{
	int i = feature_index(&fs, name);

	CU_ASSERT(i >= 0);
	return i;
}

static void test_features_defaults_match_model(void)
{
	const struct camera_model *m = &dfk38ux267_model;
	char msg[160];

	for (unsigned i = 0; i < m->n_features; i++) {
		const struct feature_def *d = &m->features[i];
		struct feat_value v;

		if (d->type == FEAT_STRING || d->type == FEAT_REGISTER || d->type == FEAT_COMMAND ||
		    (d->flags & FEAT_F_COMPUTED))
			continue;
		if (d->selector) {
			for (unsigned k = 0; k < d->n_selected; k++) {
				v = feature_raw_selected(&fs, (int)i, k);
				snprintf(msg, sizeof(msg), "%s[%u] default", d->name, k);
				CU_assertImplementation(d->type == FEAT_FLOAT ? v.f == d->fdef : v.i == d->def, __LINE__,
							msg, __FILE__, "", CU_FALSE);
			}
			continue;
		}
		ASSERT_INT(feature_get(&fs, (int)i, &v), DFK_OK);
		snprintf(msg, sizeof(msg), "%s default: %lld / %g, model %lld / %g", d->name, (long long)v.i, v.f,
			 (long long)d->def, d->fdef);
		CU_assertImplementation(d->type == FEAT_FLOAT ? v.f == d->fdef : v.i == d->def, __LINE__, msg,
					__FILE__, "", CU_FALSE);
	}
}

static void test_features_defaults_from_manual(void)
{
	/* values the manual prints (5.1, 5.2, 5.3, 5.8, 5.9, 5.10) */
	ASSERT_INT(feature_get_int(&fs, "Width"), 4096);
	ASSERT_INT(feature_get_int(&fs, "Height"), 2160);
	ASSERT_INT(feature_get_int(&fs, "PixelFormat"), 0x01080009);   /* BayerRG8 */
	ASSERT_INT(feature_get_int(&fs, "OffsetAutoCenter"), 1);       /* "By default ... the center of the sensor" */
	ASSERT_INT(feature_get_int(&fs, "ExposureAuto"), 2);           /* Continuous ("auto") */
	ASSERT_INT(feature_get_int(&fs, "GainAuto"), 2);
	ASSERT_INT(feature_get_int(&fs, "BlackLevel"), 240);
	ASSERT_INT(feature_get_int(&fs, "ExposureAutoReference"), 128);
	ASSERT_INT(feature_get_int(&fs, "AcquisitionBurstFrameCount"), 1);
	CU_ASSERT(feature_get_float(&fs, "TriggerDelay") == 0.0);
	CU_ASSERT(feature_get_float(&fs, "TriggerDebouncer") == 0.0);
	CU_ASSERT(feature_get_float(&fs, "TriggerMask") == 0.0);
	CU_ASSERT(feature_get_float(&fs, "TriggerDenoise") == 0.0);
	ASSERT_INT(feature_get_int(&fs, "BalanceWhiteAuto"), 2);
	CU_ASSERT(feature_get_float(&fs, "Gamma") == 1.0);
	ASSERT_INT(feature_get_int(&fs, "Hue"), 0);
	ASSERT_INT(feature_get_int(&fs, "Saturation"), 64);
	ASSERT_INT(feature_get_int(&fs, "WidthMax"), 4096);            /* computed */
	ASSERT_INT(feature_get_int(&fs, "HeightMax"), 2160);
}

static void test_features_lookup(void)
{
	ASSERT_INT(feature_index(&fs, "NoSuchFeature"), -1);
	CU_ASSERT_PTR_NULL(feature_def(&fs, -1));
	CU_ASSERT_PTR_NULL(feature_def(&fs, (int)dfk38ux267_model.n_features));
	ASSERT_INT(feature_get_int(&fs, "NoSuchFeature"), 0);
	ASSERT_INT(feature_set_int(&fs, "NoSuchFeature", 1), DFK_ERR_NOTFOUND);
	CU_ASSERT_STRING_EQUAL(feature_def(&fs, idx("Width"))->name, "Width");
}

static void test_features_integer_range_and_increment(void)
{
	ASSERT_INT(feature_set_int(&fs, "Width", 1000), DFK_ERR_RANGE);   /* (1000 - 256) % 16 = 8 */
	ASSERT_INT(feature_set_int(&fs, "Width", 5000), DFK_ERR_RANGE);
	ASSERT_INT(feature_set_int(&fs, "Width", 255), DFK_ERR_RANGE);
	ASSERT_INT(feature_set_int(&fs, "Width", 4112), DFK_ERR_RANGE);   /* right step, above WidthMax */
	ASSERT_INT(feature_get_int(&fs, "Width"), 4096);
	ASSERT_INT(feature_set_int(&fs, "Width", 256), DFK_OK);
	ASSERT_INT(feature_set_int(&fs, "Width", 1920), DFK_OK);
	ASSERT_INT(feature_get_int(&fs, "Width"), 1920);
	ASSERT_INT(feature_set_int(&fs, "Height", 1082), DFK_ERR_RANGE);  /* Height steps by 4 from 4 */
	ASSERT_INT(feature_set_int(&fs, "Height", 1080), DFK_OK);
	ASSERT_INT(feature_set_int(&fs, "Height", 0), DFK_ERR_RANGE);
	ASSERT_INT(feature_set_int(&fs, "Hue", -181), DFK_ERR_RANGE);
	ASSERT_INT(feature_set_int(&fs, "Hue", -180), DFK_OK);
	ASSERT_INT(feature_get_int(&fs, "Hue"), -180);
	CU_ASSERT(fs.refusals >= 7);
}

static void test_features_enum_and_boolean(void)
{
	ASSERT_INT(feature_set_int(&fs, "PixelFormat", 0x12345678), DFK_ERR_RANGE);
	ASSERT_INT(feature_set_int(&fs, "PixelFormat", 0), DFK_ERR_RANGE);
	ASSERT_INT(feature_set_int(&fs, "ExposureAuto", 1), DFK_ERR_RANGE);   /* no "Once" for exposure */
	ASSERT_INT(feature_get_int(&fs, "PixelFormat"), 0x01080009);
	ASSERT_INT(feature_set_int(&fs, "PixelFormat", 0x01080001), DFK_OK);  /* Mono8 */
	ASSERT_INT(feature_get_int(&fs, "PixelFormat"), 0x01080001);
	ASSERT_INT(feature_set_int(&fs, "ReverseX", 2), DFK_ERR_RANGE);
	ASSERT_INT(feature_set_int(&fs, "ReverseX", 1), DFK_OK);
}

static void test_features_float_range(void)
{
	ASSERT_INT(feature_set_int(&fs, "GainAuto", 0), DFK_OK);
	ASSERT_INT(feature_set_float(&fs, "Gain", 48.5), DFK_ERR_RANGE);
	ASSERT_INT(feature_set_float(&fs, "Gain", -0.1), DFK_ERR_RANGE);
	ASSERT_INT(feature_set_float(&fs, "Gain", NAN), DFK_ERR_RANGE);
	ASSERT_INT(feature_set_float(&fs, "Gain", INFINITY), DFK_ERR_RANGE);
	ASSERT_INT(feature_set_float(&fs, "Gain", 12.25), DFK_OK);
	CU_ASSERT(feature_get_float(&fs, "Gain") == 12.25);
}

static void test_features_locked(void)
{
	/* ExposureTime is read-only while ExposureAuto is Continuous (5.2.1) */
	ASSERT_INT(feature_set_float(&fs, "ExposureTime", 5000.0), DFK_ERR_DENIED);
	CU_ASSERT(feature_locked(&fs, idx("ExposureTime")));
	ASSERT_INT(feature_set_int(&fs, "ExposureAuto", 0), DFK_OK);
	CU_ASSERT(!feature_locked(&fs, idx("ExposureTime")));
	ASSERT_INT(feature_set_float(&fs, "ExposureTime", 5000.0), DFK_OK);
	CU_ASSERT(feature_get_float(&fs, "ExposureTime") == 5000.0);
	/* Gamma is locked while the LUT is enabled (5.9.1) */
	ASSERT_INT(feature_set_int(&fs, "LUTEnable", 1), DFK_OK);
	ASSERT_INT(feature_set_float(&fs, "Gamma", 2.0), DFK_ERR_DENIED);
	/* decimation and binning exclude each other (5.1.3) */
	ASSERT_INT(feature_set_int(&fs, "DecimationHorizontal", 2), DFK_OK);
	ASSERT_INT(feature_set_int(&fs, "BinningHorizontal", 2), DFK_ERR_DENIED);
}

static void test_features_read_only(void)
{
	ASSERT_INT(feature_set_int(&fs, "SensorWidth", 4096), DFK_ERR_READONLY);
	ASSERT_INT(feature_set_int(&fs, "WidthMax", 1024), DFK_ERR_READONLY);
	ASSERT_INT(feature_set_int(&fs, "PayloadSize", 0), DFK_ERR_READONLY);
}

static void test_features_stream_lock(void)
{
	fs.stream_locked = true;
	ASSERT_INT(feature_set_int(&fs, "Width", 1920), DFK_ERR_DENIED);
	ASSERT_INT(feature_set_int(&fs, "PixelFormat", 0x01080001), DFK_ERR_DENIED);
	ASSERT_INT(feature_set_int(&fs, "BinningHorizontal", 2), DFK_ERR_DENIED);
	ASSERT_INT(feature_set_int(&fs, "Saturation", 100), DFK_OK);    /* not a stream parameter */
	fs.bypass_locks = true;                                          /* user-set load, power-up */
	ASSERT_INT(feature_set_int(&fs, "Width", 1920), DFK_OK);
	fs.bypass_locks = false;
	fs.stream_locked = false;
	ASSERT_INT(feature_set_int(&fs, "Width", 2048), DFK_OK);
}

static void test_features_clamp(void)
{
	/* OffsetX: out-of-range writes are clamped (5.1.5); within the range, off the increment is refused */
	ASSERT_INT(feature_set_int(&fs, "OffsetAutoCenter", 0), DFK_OK);
	ASSERT_INT(feature_set_int(&fs, "OffsetX", 5000), DFK_OK);
	ASSERT_INT(feature_get_int(&fs, "OffsetX"), 3840);
	ASSERT_INT(feature_set_int(&fs, "OffsetX", 100), DFK_ERR_RANGE);
	ASSERT_INT(feature_get_int(&fs, "OffsetX"), 3840);
	ASSERT_INT(feature_set_int(&fs, "OffsetX", 96), DFK_OK);
	ASSERT_INT(feature_get_int(&fs, "OffsetX"), 96);
	ASSERT_INT(feature_set_int(&fs, "OffsetX", -16), DFK_OK);
	ASSERT_INT(feature_get_int(&fs, "OffsetX"), 0);
}

static void test_features_commands(void)
{
	ASSERT_INT(feature_set_int(&fs, "AcquisitionStart", 0), DFK_ERR_RANGE);   /* CommandValue is 1 */
	ASSERT_INT(feature_set_int(&fs, "AcquisitionStart", 1), DFK_OK);
}

static void test_features_selected_values(void)
{
	ASSERT_INT(feature_set_int(&fs, "BalanceWhiteAuto", 0), DFK_OK);
	ASSERT_INT(feature_set_int(&fs, "BalanceRatioSelector", 0), DFK_OK);
	ASSERT_INT(feature_set_float(&fs, "BalanceRatio", 1.5), DFK_OK);
	ASSERT_INT(feature_set_int(&fs, "BalanceRatioSelector", 2), DFK_OK);
	ASSERT_INT(feature_set_float(&fs, "BalanceRatio", 2.25), DFK_OK);
	CU_ASSERT(feature_get_float(&fs, "BalanceRatio") == 2.25);
	ASSERT_INT(feature_set_int(&fs, "BalanceRatioSelector", 1), DFK_OK);
	CU_ASSERT(feature_get_float(&fs, "BalanceRatio") == 1.0);
	ASSERT_INT(feature_set_int(&fs, "BalanceRatioSelector", 0), DFK_OK);
	CU_ASSERT(feature_get_float(&fs, "BalanceRatio") == 1.5);
	CU_ASSERT(feature_raw_selected(&fs, idx("BalanceRatio"), 2).f == 2.25);
}

static void test_features_override(void)
{
	/* IMXLowLatencyMode forces TriggerOverlap Off and locks it (5.4.7, 5.4.8) */
	ASSERT_INT(feature_set_int(&fs, "TriggerOverlap", 1), DFK_OK);
	ASSERT_INT(feature_get_int(&fs, "TriggerOverlap"), 1);
	ASSERT_INT(feature_set_int(&fs, "IMXLowLatencyMode", 1), DFK_OK);
	ASSERT_INT(feature_get_int(&fs, "TriggerOverlap"), 0);
	ASSERT_INT(feature_set_int(&fs, "TriggerOverlap", 1), DFK_ERR_DENIED);
	ASSERT_INT(feature_set_int(&fs, "IMXLowLatencyMode", 0), DFK_OK);
	ASSERT_INT(feature_get_int(&fs, "TriggerOverlap"), 1);
}

static void test_features_computed_dependencies(void)
{
	ASSERT_INT(feature_set_int(&fs, "DecimationHorizontal", 2), DFK_OK);
	ASSERT_INT(feature_get_int(&fs, "WidthMax"), 2048);
	ASSERT_INT(feature_get_int(&fs, "HeightMax"), 2160);
	ASSERT_INT(feature_set_int(&fs, "Width", 2064), DFK_ERR_RANGE);   /* above the new WidthMax */
	{
		struct feat_value lo, hi;
		ASSERT_INT(feature_limits(&fs, idx("Width"), &lo, &hi), DFK_OK);
		ASSERT_INT(lo.i, 256);
		ASSERT_INT(hi.i, 2048);
	}
}

static void test_features_registers(void)
{
	struct regmap m;
	uint8_t b[8];
	const struct feature_def *w = feature_def(&fs, idx("Width"));
	const struct feature_def *g = feature_def(&fs, idx("Gain"));
	const struct feature_def *h = feature_def(&fs, idx("Hue"));
	double d = 3.5;
	uint64_t bits;

	regmap_init(&m);
	ASSERT_INT(feature_store_add_regions(&fs, &m), DFK_OK);
	ASSERT_INT(regmap_seal(&m), DFK_OK);   /* no two features share an address */

	/* Width: 4-byte little-endian */
	ASSERT_INT(regmap_read(&m, w->address, b, 4), DFK_OK);
	ASSERT_BYTES(b, "\x00\x10\x00\x00", 4);
	ASSERT_INT(regmap_write(&m, w->address, (const uint8_t *)"\x80\x07\x00\x00", 4), DFK_OK);
	ASSERT_INT(feature_get_int(&fs, "Width"), 1920);
	ASSERT_INT(regmap_write(&m, w->address, (const uint8_t *)"\xE8\x03\x00\x00", 4), DFK_ERR_RANGE);
	ASSERT_INT(regmap_write(&m, w->address, (const uint8_t *)"\x00\x10", 2), DFK_ERR_ALIGN);
	ASSERT_INT(feature_get_int(&fs, "Width"), 1920);

	/* Gain: 8-byte IEEE double, little-endian */
	ASSERT_INT(feature_set_int(&fs, "GainAuto", 0), DFK_OK);
	memcpy(&bits, &d, 8);
	t_le64(b, bits);
	ASSERT_INT(regmap_write(&m, g->address, b, 8), DFK_OK);
	CU_ASSERT(feature_get_float(&fs, "Gain") == 3.5);
	memset(b, 0, 8);
	ASSERT_INT(regmap_read(&m, g->address, b, 8), DFK_OK);
	ASSERT_BYTES(b, "\x00\x00\x00\x00\x00\x00\x0C\x40", 8);   /* 3.5 */

	/* Hue: signed */
	ASSERT_INT(regmap_write(&m, h->address, (const uint8_t *)"\xD3\xFF\xFF\xFF", 4), DFK_OK);
	ASSERT_INT(feature_get_int(&fs, "Hue"), -45);
	ASSERT_INT(regmap_read(&m, h->address, b, 4), DFK_OK);
	ASSERT_BYTES(b, "\xD3\xFF\xFF\xFF", 4);

	/* read-only feature register */
	ASSERT_INT(regmap_write(&m, feature_def(&fs, idx("SensorWidth"))->address, b, 4), DFK_ERR_READONLY);
	regmap_free(&m);
}

static void test_features_text(void)
{
	int pf = idx("PixelFormat"), wi = idx("Width"), ga = idx("Gain");
	struct feat_value v;
	char buf[64];

	ASSERT_INT(feature_parse(&fs, pf, "BayerRG12p", &v), DFK_OK);
	ASSERT_INT(v.i, 0x010C0059);
	CU_ASSERT(feature_format(&fs, pf, v, buf, sizeof(buf)) > 0);
	CU_ASSERT_STRING_EQUAL(buf, "BayerRG12p");
	CU_ASSERT(feature_parse(&fs, pf, "MONO8", &v) < 0);   /* names are case-sensitive */
	ASSERT_INT(feature_parse(&fs, wi, "1920", &v), DFK_OK);
	ASSERT_INT(v.i, 1920);
	CU_ASSERT(feature_parse(&fs, wi, "19x", &v) < 0);
	CU_ASSERT(feature_parse(&fs, wi, "", &v) < 0);
	v.f = 0.1;
	feature_format(&fs, ga, v, buf, sizeof(buf));
	ASSERT_INT(feature_parse(&fs, ga, buf, &v), DFK_OK);
	CU_ASSERT(v.f == 0.1);   /* exact round trip */
}

static const struct test_case cases[] = {
	{ "test_features_defaults_match_model", test_features_defaults_match_model },
	{ "test_features_defaults_from_manual", test_features_defaults_from_manual },
	{ "test_features_lookup", test_features_lookup },
	{ "test_features_integer_range_and_increment", test_features_integer_range_and_increment },
	{ "test_features_enum_and_boolean", test_features_enum_and_boolean },
	{ "test_features_float_range", test_features_float_range },
	{ "test_features_locked", test_features_locked },
	{ "test_features_read_only", test_features_read_only },
	{ "test_features_stream_lock", test_features_stream_lock },
	{ "test_features_clamp", test_features_clamp },
	{ "test_features_commands", test_features_commands },
	{ "test_features_selected_values", test_features_selected_values },
	{ "test_features_override", test_features_override },
	{ "test_features_computed_dependencies", test_features_computed_dependencies },
	{ "test_features_registers", test_features_registers },
	{ "test_features_text", test_features_text },
	{ NULL, NULL },
};

int test_features_add_suite(void) { return test_add_suite("features", setup, teardown, cases); }
