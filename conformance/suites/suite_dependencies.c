/* SPDX-License-Identifier: MIT */
/* dependencies suite: the rules of manual section 5 that tie features to each
 * other, checked through the camera's registers (no pictures, no rig): offsets
 * and auto centring, readout modes, frame-rate limits, the auto exposure upper
 * limit, white balance modes and presets, the lookup table, the auto-functions
 * region. Each test quotes the sentence it checks. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conform.h"

static char err[512];

static gint64 geti(const char *name)
{
	gint64 v = -1;

	gc_get_int(name, &v, NULL, 0);
	return v;
}

static double getf(const char *name)
{
	double v = NAN;

	gc_get_float(name, &v, NULL, 0);
	return v;
}

static bool is(const char *name, const char *entry)
{
	char s[64] = "";

	gc_get_string(name, s, sizeof(s), NULL, 0);
	return strcmp(s, entry) == 0;
}

static int suite_init(void)
{
	if (!session->genicam)
		return 1;
	arv_gc_set_range_check_policy(session->genicam, ARV_RANGE_CHECK_POLICY_DISABLE);
	gc_execute("AcquisitionStop", NULL, 0);
	gc_set_string("UserSetSelector", "Default", NULL, 0);
	gc_execute("UserSetLoad", NULL, 0);
	return 0;
}

static int suite_clean(void)
{
	gc_execute("AcquisitionStop", NULL, 0);
	gc_set_string("UserSetSelector", "Default", NULL, 0);
	gc_execute("UserSetLoad", NULL, 0);
	return 0;
}

/* 5.1.5 "By default, the camera automatically positions the offsets so that the center of the sensor is used."
 * OffsetAutoCenter On: "Automatically configure Partial Scan Offset X/Y so that the center area of the sensor is read out" */
static void test_offset_auto_center(void)
{
	REQUIRE_MSG(is("OffsetAutoCenter", "On"), "OffsetAutoCenter is not On in the factory configuration");
	REQUIRE_MSG(gc_set_int("Width", 1920, err, sizeof(err)) && gc_set_int("Height", 1080, err, sizeof(err)), "%s", err);
	CHECK_MSG(geti("OffsetX") == (4096 - 1920) / 2 && geti("OffsetY") == (2160 - 1080) / 2,
		  "1920x1080 centred: OffsetX %lld OffsetY %lld, expected %d %d", (long long)geti("OffsetX"),
		  (long long)geti("OffsetY"), (4096 - 1920) / 2, (2160 - 1080) / 2);
	/* it follows later size changes */
	REQUIRE_MSG(gc_set_int("Width", 1024, err, sizeof(err)) && gc_set_int("Height", 512, err, sizeof(err)), "%s", err);
	CHECK_MSG(geti("OffsetX") == (4096 - 1024) / 2 && geti("OffsetY") == (2160 - 512) / 2,
		  "1024x512 centred: OffsetX %lld OffsetY %lld", (long long)geti("OffsetX"), (long long)geti("OffsetY"));
	/* "manual writes to them do not move the window": the camera acknowledges them (Aravis's
	 * arv_camera_set_region and tiscamera write OffsetX/OffsetY whatever the lock) and keeps
	 * centring (docs/manual-quirks.md L) */
	CHECK_MSG(gc_set_int("OffsetX", 0, err, sizeof(err)) && gc_set_int("OffsetY", 0, err, sizeof(err)),
		  "OffsetX/OffsetY write refused while OffsetAutoCenter is On: %s", err);
	CHECK_MSG(geti("OffsetX") == (4096 - 1024) / 2 && geti("OffsetY") == (2160 - 512) / 2,
		  "a write moved the centred window: OffsetX %lld OffsetY %lld", (long long)geti("OffsetX"),
		  (long long)geti("OffsetY"));
}

/* 5.1.5 "If Partial Scan Offset X or Partial Scan Offset Y is configured to a value that would be invalid with the
 * current setting of Resolution setting, the camera uses the maximum possible value." OffsetAutoCenter Off: manual. */
static void test_offset_clamp(void)
{
	REQUIRE_MSG(gc_set_string("OffsetAutoCenter", "Off", err, sizeof(err)), "%s", err);
	REQUIRE_MSG(gc_set_int("Width", 1920, err, sizeof(err)) && gc_set_int("Height", 1080, err, sizeof(err)), "%s", err);
	CHECK_MSG(gc_set_int("OffsetX", 3840, err, sizeof(err)), "OffsetX 3840 refused: %s", err);
	CHECK_MSG(geti("OffsetX") == 4096 - 1920, "OffsetX 3840 at Width 1920 reads %lld, expected %d",
		  (long long)geti("OffsetX"), 4096 - 1920);
	CHECK_MSG(gc_set_int("OffsetY", 2156, err, sizeof(err)), "OffsetY 2156 refused: %s", err);
	CHECK_MSG(geti("OffsetY") == 2160 - 1080, "OffsetY 2156 at Height 1080 reads %lld", (long long)geti("OffsetY"));
	/* kept when valid */
	CHECK_MSG(gc_set_int("OffsetX", 1024, NULL, 0) && geti("OffsetX") == 1024, "OffsetX 1024 not kept");
	/* and clamped again when the region grows */
	REQUIRE_MSG(gc_set_int("Width", 3584, err, sizeof(err)), "%s", err);
	CHECK_MSG(geti("OffsetX") == 4096 - 3584, "OffsetX after Width 3584 reads %lld", (long long)geti("OffsetX"));
	gc_set_string("OffsetAutoCenter", "On", NULL, 0);
	gc_set_int("Width", 4096, NULL, 0);
	gc_set_int("Height", 2160, NULL, 0);
}

/* 5.1.3 "The following readout modes are supported: Default, Skipping 2X, Skipping 2X vertical, Skipping 2X
 * horizontal, Binning 2X" -- and "By default, the camera outputs all pixels of the image sensor." */
static void test_readout_modes_list(void)
{
	CHECK_MSG(geti("DecimationHorizontal") == 1 && geti("DecimationVertical") == 1 && geti("BinningHorizontal") == 1 &&
			  geti("BinningVertical") == 1,
		  "factory readout is not Default (all factors 1)");
	/* Binning 2X bins both directions */
	REQUIRE_MSG(gc_set_int("BinningHorizontal", 2, err, sizeof(err)), "%s", err);
	CHECK_MSG(geti("BinningVertical") == 2, "BinningHorizontal 2 left BinningVertical at %lld",
		  (long long)geti("BinningVertical"));
	/* binning and skipping do not combine */
	CHECK_MSG(!gc_set_int("DecimationVertical", 2, NULL, 0), "Binning 2X combined with skipping");
	REQUIRE_MSG(gc_set_int("BinningVertical", 1, err, sizeof(err)), "%s", err);
	CHECK_MSG(geti("BinningHorizontal") == 1, "binning not undone in both directions");
	/* the three skipping modes */
	REQUIRE_MSG(gc_set_int("DecimationVertical", 2, err, sizeof(err)), "Skipping 2X vertical: %s", err);
	REQUIRE_MSG(gc_set_int("DecimationHorizontal", 2, err, sizeof(err)), "Skipping 2X: %s", err);
	CHECK_MSG(!gc_set_int("BinningHorizontal", 2, NULL, 0), "skipping combined with binning");
	REQUIRE_MSG(gc_set_int("DecimationVertical", 1, err, sizeof(err)), "Skipping 2X horizontal: %s", err);
	CHECK_MSG(geti("WidthMax") == 2048 && geti("HeightMax") == 2160, "Skipping 2X horizontal: %lldx%lld",
		  (long long)geti("WidthMax"), (long long)geti("HeightMax"));
	CHECK_MSG(!gc_set_int("DecimationHorizontal", 4, NULL, 0), "decimation 4 accepted");
	gc_set_int("DecimationHorizontal", 1, NULL, 0);
	gc_set_int("Width", 4096, NULL, 0);
}

/* 5.1.4 "The range of available frame rates depends upon other camera settings such as well, pixel format,
 * resolution and readout modes." A value above a new maximum cannot stay. */
static void test_framerate_follows_limits(void)
{
	ArvGcNode *n = arv_gc_get_node(session->genicam, "AcquisitionFrameRate");
	GError *e = NULL;

	REQUIRE_MSG(n && ARV_IS_GC_FLOAT(n), "AcquisitionFrameRate");
	REQUIRE_MSG(gc_set_string("PixelFormat", "BayerRG8", err, sizeof(err)) && gc_set_int("Width", 640, err, sizeof(err)) &&
			    gc_set_int("Height", 480, err, sizeof(err)),
		    "%s", err);
	double small_max = arv_gc_float_get_max(ARV_GC_FLOAT(n), &e);
	g_clear_error(&e);
	REQUIRE_MSG(gc_set_float("AcquisitionFrameRate", small_max, err, sizeof(err)), "%s", err);
	REQUIRE_MSG(gc_set_int("Width", 4096, err, sizeof(err)) && gc_set_int("Height", 2160, err, sizeof(err)) &&
			    gc_set_string("PixelFormat", "BGR8", err, sizeof(err)),
		    "%s", err);
	double big_max = arv_gc_float_get_max(ARV_GC_FLOAT(n), &e);
	g_clear_error(&e);
	CHECK_MSG(big_max < small_max, "maximum %.3f at 4096x2160 BGR8 not below %.3f at 640x480 BayerRG8", big_max, small_max);
	CHECK_MSG(getf("AcquisitionFrameRate") <= big_max + 1e-9, "AcquisitionFrameRate %.3f above the new maximum %.3f",
		  getf("AcquisitionFrameRate"), big_max);
	CHECK_MSG(!gc_set_float("AcquisitionFrameRate", big_max * 1.05, NULL, 0), "a rate above the maximum accepted");
	gc_set_string("PixelFormat", "BayerRG8", NULL, 0);
}

/* 5.3.5 "If the Auto Exposure Upper Limit parameter is enabled, the value of Auto Exposure Upper Limit is
 * automatically kept at the maximum possible value for the current frame rate." */
static void test_exposure_upper_limit_auto(void)
{
	REQUIRE_MSG(gc_set_string("ExposureAutoUpperLimitAuto", "On", err, sizeof(err)), "%s", err);
	/* "the maximum possible value for the current frame rate": the frame period less the
	 * sensor's own gap between exposures, which the manual does not give (at most 100 us) */
	REQUIRE_MSG(gc_set_float("AcquisitionFrameRate", 20.0, err, sizeof(err)), "%s", err);
	double at20 = getf("ExposureAutoUpperLimit");
	CHECK_MSG(at20 <= 50000.0 && at20 > 50000.0 - 100.0, "at 20 fps the upper limit reads %.1f us", at20);
	REQUIRE_MSG(gc_set_float("AcquisitionFrameRate", 10.0, err, sizeof(err)), "%s", err);
	double at10 = getf("ExposureAutoUpperLimit");
	CHECK_MSG(at10 <= 100000.0 && at10 > 100000.0 - 100.0, "at 10 fps the upper limit reads %.1f us", at10);
	CHECK_MSG(fabs((50000.0 - at20) - (100000.0 - at10)) < 1e-3, "the gap differs: %.3f at 20 fps, %.3f at 10 fps",
		  50000.0 - at20, 100000.0 - at10);
	CHECK_MSG(!gc_set_float("ExposureAutoUpperLimit", 3000.0, NULL, 0), "upper limit writable while automatic");
	/* Off: "Let the user control Auto Exposure Upper Limit" */
	REQUIRE_MSG(gc_set_string("ExposureAutoUpperLimitAuto", "Off", err, sizeof(err)), "%s", err);
	REQUIRE_MSG(gc_set_float("ExposureAutoUpperLimit", 3000.0, err, sizeof(err)), "%s", err);
	gc_set_float("AcquisitionFrameRate", 25.0, NULL, 0);
	CHECK_MSG(fabs(getf("ExposureAutoUpperLimit") - 3000.0) < 1e-6, "manual upper limit became %.1f",
		  getf("ExposureAutoUpperLimit"));
	gc_set_string("ExposureAutoUpperLimitAuto", "On", NULL, 0);
}

/* 5.8.3 "If Auto White Balance is not enabled, the amplifiers for the red, green and blue channels can be
 * controlled manually." */
static void test_wb_manual_only_when_auto_off(void)
{
	REQUIRE_MSG(gc_set_string("BalanceWhiteMode", "GrayWorld", err, sizeof(err)), "%s", err);
	REQUIRE_MSG(gc_set_string("BalanceWhiteAuto", "Continuous", err, sizeof(err)), "%s", err);
	gc_set_string("BalanceRatioSelector", "Red", NULL, 0);
	CHECK_MSG(!gc_set_float("BalanceRatio", 2.0, NULL, 0), "BalanceRatio writable while auto white balance runs");
	REQUIRE_MSG(gc_set_string("BalanceWhiteAuto", "Off", err, sizeof(err)), "%s", err);
	static const char *const ch[] = { "Red", "Green", "Blue" };
	static const double v[] = { 1.5, 0.75, 3.984375 };
	for (int c = 0; c < 3; c++) {
		gc_set_string("BalanceRatioSelector", ch[c], NULL, 0);
		CHECK_MSG(gc_set_float("BalanceRatio", v[c], err, sizeof(err)), "%s: %s", ch[c], err);
	}
	for (int c = 0; c < 3; c++) {
		gc_set_string("BalanceRatioSelector", ch[c], NULL, 0);
		CHECK_MSG(fabs(getf("BalanceRatio") - v[c]) < 1e-9, "BalanceRatio[%s] reads %.6f, wrote %.6f", ch[c],
			  getf("BalanceRatio"), v[c]);
	}
	CHECK_MSG(!gc_set_float("BalanceRatio", 4.0, NULL, 0), "BalanceRatio 4.0 above 3.984375 accepted");
}

/* 5.8.3 "If White Balance Mode is set to Temperature, the color temperature can be set directly. Additionally, a
 * light source can be selected from a list of presets." (with the kelvins of the preset table) */
static void test_wb_temperature_presets(void)
{
	static const struct { const char *entry; int k; } presets[] = {
		{ "SodiumVaporLamp", 2500 }, { "WarmLight", 2700 }, { "HalogenLight", 3000 }, { "NeutralWhite", 3500 },
		{ "CoolWhiteFluorescentLight", 4000 }, { "CoolWhiteDaylightCFL", 5000 }, { "Daylight", 6000 },
		{ "CoolWhiteLED", 7500 }, { "BlueSky", 10000 },
	};

	REQUIRE_MSG(gc_set_string("BalanceWhiteAuto", "Off", err, sizeof(err)), "%s", err);
	REQUIRE_MSG(gc_set_string("BalanceWhiteMode", "GrayWorld", err, sizeof(err)), "%s", err);
	CHECK_MSG(!gc_set_int("BalanceWhiteTemperature", 4000, NULL, 0), "temperature writable in GrayWorld mode");
	REQUIRE_MSG(gc_set_string("BalanceWhiteMode", "Temperature", err, sizeof(err)), "%s", err);
	for (size_t i = 0; i < sizeof(presets) / sizeof(presets[0]); i++) {
		CHECK_MSG(gc_set_string("BalanceWhiteTemperaturePreset", presets[i].entry, err, sizeof(err)), "%s", err);
		CHECK_MSG(geti("BalanceWhiteTemperature") == presets[i].k, "%s: BalanceWhiteTemperature %lld, manual %d K",
			  presets[i].entry, (long long)geti("BalanceWhiteTemperature"), presets[i].k);
	}
	/* direct setting: the ratios follow the temperature (warmer light: more blue gain) */
	REQUIRE_MSG(gc_set_int("BalanceWhiteTemperature", 3000, err, sizeof(err)), "%s", err);
	gc_set_string("BalanceRatioSelector", "Blue", NULL, 0);
	double blue_warm = getf("BalanceRatio");
	REQUIRE_MSG(gc_set_int("BalanceWhiteTemperature", 9000, err, sizeof(err)), "%s", err);
	double blue_cold = getf("BalanceRatio");
	CHECK_MSG(blue_warm > blue_cold, "blue ratio %.3f at 3000 K not above %.3f at 9000 K", blue_warm, blue_cold);
	CHECK_MSG(!gc_set_int("BalanceWhiteTemperature", 2499, NULL, 0) && !gc_set_int("BalanceWhiteTemperature", 10001, NULL, 0),
		  "temperature outside 2500..10000 K accepted");
	gc_set_string("BalanceWhiteMode", "GrayWorld", NULL, 0);
}

/* 5.9.2 "The lookup table has 257 16-bit entries." LUTIndex 0..256, LUTValue 0..65535; LUTValueAll: "1028 bytes of
 * memory containing 257 LUT entries. Each 16-bit LUT entry is aligned on a 32-bit boundary" */
static void test_lut_registers(void)
{
	ArvGcNode *all = arv_gc_get_node(session->genicam, "LUTValueAll");
	GError *e = NULL;
	uint8_t buf[1028];

	REQUIRE_MSG(all && ARV_IS_GC_REGISTER(all), "LUTValueAll is not a register");
	CHECK_MSG(arv_gc_register_get_length(ARV_GC_REGISTER(all), &e) == 1028, "LUTValueAll length");
	g_clear_error(&e);
	CHECK_MSG(!gc_set_int("LUTIndex", 257, NULL, 0), "LUTIndex 257 accepted");
	REQUIRE_MSG(gc_set_int("LUTIndex", 200, err, sizeof(err)) && gc_set_int("LUTValue", 12345, err, sizeof(err)), "%s",
		    err);
	arv_gc_register_get(ARV_GC_REGISTER(all), buf, sizeof(buf), &e);
	REQUIRE_MSG(!e, "LUTValueAll read: %s", e ? e->message : "");
	uint32_t word = rd_le32(buf + 4 * 200);
	CHECK_MSG((word & 0xFFFF) == 12345 || (word >> 16) == 12345, "entry 200 in LUTValueAll: 0x%08x", word);
	/* write the whole table: entry i = 65535 - 255 i (a falling ramp) */
	for (int i = 0; i < 257; i++)
		wr_le32(buf + 4 * i, (uint32_t)(65535 - 255 * i) & 0xFFFF);
	arv_gc_register_set(ARV_GC_REGISTER(all), buf, sizeof(buf), &e);
	REQUIRE_MSG(!e, "LUTValueAll write: %s", e ? e->message : "");
	for (int i = 0; i < 257; i += 64) {
		gc_set_int("LUTIndex", i, NULL, 0);
		CHECK_MSG(geti("LUTValue") == ((65535 - 255 * i) & 0xFFFF), "entry %d reads %lld after LUTValueAll", i,
			  (long long)geti("LUTValue"));
	}
}

/* 5.9.2 "gamma correction is disabled when the lookup table is enabled." */
static void test_lut_locks_gamma(void)
{
	REQUIRE_MSG(gc_set_int("LUTEnable", 1, err, sizeof(err)), "%s", err);
	CHECK_MSG(!gc_set_float("Gamma", 2.0, NULL, 0), "Gamma writable while the LUT is enabled");
	REQUIRE_MSG(gc_set_int("LUTEnable", 0, err, sizeof(err)), "%s", err);
	CHECK_MSG(gc_set_float("Gamma", 2.0, err, sizeof(err)), "Gamma after LUTEnable False: %s", err);
	gc_set_float("Gamma", 1.0, NULL, 0);
}

/* 5.11.2 the presets select parts of the output image (here 1024x512, so every preset fits the printed
 * ROI maxima); 5.11.3 "When Auto Functions ROI Preset is set to Custom Rectangle, the user can manually set the position
 * and size of the region of interest. The coordinates are relative to the origin of the current video format" */
static void test_auto_roi_presets(void)
{
	REQUIRE_MSG(gc_set_int("Width", 1024, err, sizeof(err)) && gc_set_int("Height", 512, err, sizeof(err)), "%s", err);
	REQUIRE_MSG(gc_set_int("AutoFunctionsROIEnable", 1, err, sizeof(err)), "%s", err);
	REQUIRE_MSG(gc_set_string("AutoFunctionsROI_Preset", "BottomHalf", err, sizeof(err)), "%s", err);
	CHECK_MSG(geti("AutoFunctionsROITop") == 256 && geti("AutoFunctionsROIHeight") == 256 &&
			  geti("AutoFunctionsROILeft") == 0 && geti("AutoFunctionsROIWidth") == 1024,
		  "BottomHalf of 1024x512: %lld,%lld %lldx%lld", (long long)geti("AutoFunctionsROILeft"),
		  (long long)geti("AutoFunctionsROITop"), (long long)geti("AutoFunctionsROIWidth"),
		  (long long)geti("AutoFunctionsROIHeight"));
	REQUIRE_MSG(gc_set_string("AutoFunctionsROI_Preset", "TopHalf", err, sizeof(err)), "%s", err);
	CHECK_MSG(geti("AutoFunctionsROITop") == 0 && geti("AutoFunctionsROIHeight") == 256, "TopHalf");
	REQUIRE_MSG(gc_set_string("AutoFunctionsROI_Preset", "Center50", err, sizeof(err)), "%s", err);
	CHECK_MSG(geti("AutoFunctionsROILeft") + geti("AutoFunctionsROIWidth") / 2 == 512 &&
			  geti("AutoFunctionsROITop") + geti("AutoFunctionsROIHeight") / 2 == 256,
		  "Center50 is not centred");
	gint64 w50 = geti("AutoFunctionsROIWidth"), h50 = geti("AutoFunctionsROIHeight");
	/* "Select a small rectangular area in the center of the output image" */
	REQUIRE_MSG(gc_set_string("AutoFunctionsROI_Preset", "Center25", err, sizeof(err)), "%s", err);
	CHECK_MSG(geti("AutoFunctionsROILeft") + geti("AutoFunctionsROIWidth") / 2 == 512 &&
			  geti("AutoFunctionsROITop") + geti("AutoFunctionsROIHeight") / 2 == 256 &&
			  geti("AutoFunctionsROIWidth") * geti("AutoFunctionsROIHeight") < w50 * h50,
		  "Center25 of 1024x512: %lld,%lld %lldx%lld, not a centred area smaller than Center50 (%lldx%lld)",
		  (long long)geti("AutoFunctionsROILeft"), (long long)geti("AutoFunctionsROITop"),
		  (long long)geti("AutoFunctionsROIWidth"), (long long)geti("AutoFunctionsROIHeight"), (long long)w50,
		  (long long)h50);
	/* "Select the full output image" */
	REQUIRE_MSG(gc_set_string("AutoFunctionsROI_Preset", "FullSensor", err, sizeof(err)), "%s", err);
	CHECK_MSG(geti("AutoFunctionsROILeft") == 0 && geti("AutoFunctionsROITop") == 0 &&
			  geti("AutoFunctionsROIWidth") == 1024 && geti("AutoFunctionsROIHeight") == 512,
		  "FullSensor of 1024x512: %lld,%lld %lldx%lld", (long long)geti("AutoFunctionsROILeft"),
		  (long long)geti("AutoFunctionsROITop"), (long long)geti("AutoFunctionsROIWidth"),
		  (long long)geti("AutoFunctionsROIHeight"));
	CHECK_MSG(!gc_set_int("AutoFunctionsROILeft", 10, NULL, 0), "ROI writable with a preset");
	REQUIRE_MSG(gc_set_string("AutoFunctionsROI_Preset", "CustomRectangle", err, sizeof(err)), "%s", err);
	CHECK_MSG(gc_set_int("AutoFunctionsROILeft", 100, err, sizeof(err)) && gc_set_int("AutoFunctionsROIWidth", 200, err, sizeof(err)),
		  "custom rectangle: %s", err);
	CHECK_MSG(geti("AutoFunctionsROILeft") == 100 && geti("AutoFunctionsROIWidth") == 200, "custom rectangle not kept");
	gc_set_string("AutoFunctionsROI_Preset", "FullSensor", NULL, 0);
	gc_set_int("AutoFunctionsROIEnable", 0, NULL, 0);
	gc_set_int("Width", 4096, NULL, 0);
	gc_set_int("Height", 2160, NULL, 0);
}

/* Manual 5.1.1 / 5.1.2: format, size and readout are fixed while the camera acquires (TLParamsLocked). */
static void test_locked_while_acquiring(void)
{
	REQUIRE_MSG(gc_execute("AcquisitionStart", err, sizeof(err)), "%s", err);
	CHECK_MSG(geti("TLParamsLocked") == 1, "TLParamsLocked %lld while acquiring", (long long)geti("TLParamsLocked"));
	CHECK_MSG(!gc_set_string("PixelFormat", "Mono8", NULL, 0), "PixelFormat writable while acquiring");
	CHECK_MSG(!gc_set_int("Height", 1080, NULL, 0), "Height writable while acquiring");
	CHECK_MSG(!gc_set_int("DecimationVertical", 2, NULL, 0), "DecimationVertical writable while acquiring");
	gc_execute("AcquisitionStop", NULL, 0);
	CHECK_MSG(geti("TLParamsLocked") == 0, "TLParamsLocked %lld after stop", (long long)geti("TLParamsLocked"));
	CHECK_MSG(gc_set_int("Height", 1080, err, sizeof(err)), "Height after stop: %s", err);
	gc_set_int("Height", 2160, NULL, 0);
}

void suite_dependencies_register(const char *name)
{
	CU_pSuite s = CU_add_suite(name, suite_init, suite_clean);

	CU_add_test(s, "offset_auto_center", test_offset_auto_center);
	CU_add_test(s, "offset_clamp", test_offset_clamp);
	CU_add_test(s, "readout_modes_list", test_readout_modes_list);
	CU_add_test(s, "framerate_follows_limits", test_framerate_follows_limits);
	CU_add_test(s, "exposure_upper_limit_auto", test_exposure_upper_limit_auto);
	CU_add_test(s, "wb_manual_only_when_auto_off", test_wb_manual_only_when_auto_off);
	CU_add_test(s, "wb_temperature_presets", test_wb_temperature_presets);
	CU_add_test(s, "lut_registers", test_lut_registers);
	CU_add_test(s, "lut_locks_gamma", test_lut_locks_gamma);
	CU_add_test(s, "auto_roi_presets", test_auto_roi_presets);
	CU_add_test(s, "locked_while_acquiring", test_locked_while_acquiring);
}
