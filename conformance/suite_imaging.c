/* imaging suite: what the settings of manual 5.2, 5.3, 5.8 - 5.11 do to the
 * picture, on the emulator's natural scene controlled through the I/O rig
 * (light level and colour temperature): exposure, gain and black level; auto
 * exposure and gain with their reference, limits, region and highlight
 * reduction; white balance; gamma, lookup table, hue and saturation.
 * Measured on received frames, with tolerances for the scene's noise. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conform.h"
#include "framecheck.h"
#include "rig.h"
#include "stream.h"

#define W 512
#define H 256

struct img_stats {
	double mean[3];      /* R G B (Bayer sites or decoded), or Y Cb Cr for YCbCr, 8-bit scale */
	double luma;         /* (R + 2G + B) / 4 for Bayer, Y for the others */
	double saturated;    /* fraction of samples at 255 */
	double grey_error;   /* mean |R - G| + |B - G| per pixel (BGR8) */
};

static char err[512];

static double getf(const char *name)
{
	double v = NAN;

	gc_get_float(name, &v, NULL, 0);
	return v;
}

static int suite_init(void)
{
	int rc = rig_suite_init();

	if (C->io)
		arv_gc_set_range_check_policy(C->genicam, ARV_RANGE_CHECK_POLICY_DISABLE);
	return rc;
}

static int suite_clean(void)
{
	if (!C->io)
		return 0;
	gc_execute("AcquisitionStop", NULL, 0);
	io_request(C->io, err, sizeof(err), "source pattern");
	io_request(C->io, err, sizeof(err), "clock scale 1");
	gc_set_string("UserSetSelector", "Default", NULL, 0);
	gc_execute("UserSetLoad", NULL, 0);
	return 0;
}

/* Factory configuration, the natural scene in nominal neutral light, a small region, frames as fast as read. */
static bool setup(const char *format)
{
	gc_execute("AcquisitionStop", NULL, 0);
	gc_set_string("UserSetSelector", "Default", NULL, 0);
	bool ok = gc_execute("UserSetLoad", err, sizeof(err)) && rig_do("source scene") && rig_do("scene light 1") &&
		  rig_do("scene kelvin 5500") && rig_do("clock run") && rig_do("clock scale 0") &&
		  gc_set_string("PixelFormat", format, err, sizeof(err)) && gc_set_int("Width", W, err, sizeof(err)) &&
		  gc_set_int("Height", H, err, sizeof(err)) && gc_set_float("AcquisitionFrameRate", 30.0, err, sizeof(err));
	if (!ok)
		CHECK_MSG(0, "setup %s: %s", format, err);
	return ok;
}

static bool manual_exposure(double us, double gain_db)
{
	return gc_set_string("ExposureAuto", "Off", err, sizeof(err)) && gc_set_string("GainAuto", "Off", err, sizeof(err)) &&
	       gc_set_string("BalanceWhiteAuto", "Off", err, sizeof(err)) &&
	       gc_set_float("ExposureTime", us, err, sizeof(err)) && gc_set_float("Gain", gain_db, err, sizeof(err));
}

static void stats_of(const struct stream_frame *f, uint32_t pfnc, struct img_stats *s)
{
	const uint8_t *p = f->payload;
	double sum[3] = { 0 }, n[3] = { 0 }, sat = 0, grey = 0, total = 0;

	memset(s, 0, sizeof(*s));
	switch (pfnc) {
	case PFNC_BAYER_RG8:
		for (uint32_t y = 0; y < H; y++)
			for (uint32_t x = 0; x < W; x++) {
				int c = (y & 1) ? ((x & 1) ? 2 : 1) : ((x & 1) ? 1 : 0);
				uint8_t v = p[y * W + x];
				sum[c] += v;
				n[c]++;
				sat += v == 255;
			}
		total = (double)W * H;
		break;
	case PFNC_BGR8:
		for (uint32_t i = 0; i < W * H; i++) {
			const uint8_t *q = p + 3 * i;
			sum[2] += q[0];
			sum[1] += q[1];
			sum[0] += q[2];
			sat += (q[0] == 255) + (q[1] == 255) + (q[2] == 255);
			grey += abs(q[2] - q[1]) + abs(q[0] - q[1]);
		}
		n[0] = n[1] = n[2] = total = (double)W * H;
		total *= 3;
		break;
	case PFNC_YCBCR422_8:
		for (uint32_t i = 0; i < W * H / 2; i++) {
			const uint8_t *q = p + 4 * i;
			sum[0] += q[0] + q[2];
			sum[1] += q[1];
			sum[2] += q[3];
			sat += (q[0] == 255) + (q[2] == 255);
		}
		n[0] = (double)W * H;
		n[1] = n[2] = (double)W * H / 2;
		total = (double)W * H;
		break;
	default:
		return;
	}
	for (int c = 0; c < 3; c++)
		s->mean[c] = n[c] ? sum[c] / n[c] : 0;
	s->luma = pfnc == PFNC_YCBCR422_8 ? s->mean[0] : (s->mean[0] + 2 * s->mean[1] + s->mean[2]) / 4;
	s->saturated = total ? sat / total : 0;
	s->grey_error = pfnc == PFNC_BGR8 ? grey / ((double)W * H) : 0;
}

/* Runs n frames (auto functions settle meanwhile); the statistics average the last `avg`. */
static bool grab(unsigned n, unsigned avg, struct img_stats *out)
{
	struct stream_reader sr;
	struct stream_frame *f;
	gint64 pf = 0;
	unsigned got = 0;

	memset(out, 0, sizeof(*out));
	gc_get_int("PixelFormat", &pf, NULL, 0);
	if (stream_open(&sr, C->x, &C->gc, C->sirm, C->dev.u3v.ep_stream, 8)) {
		CHECK_MSG(0, "stream setup");
		return false;
	}
	if (!gc_execute("AcquisitionStart", err, sizeof(err))) {
		stream_close(&sr);
		CHECK_MSG(0, "%s", err);
		return false;
	}
	for (unsigned i = 0; i < n; i++) {
		if (stream_next(&sr, &f, 5000) || !f->complete)
			break;
		if (i + avg >= n) {
			struct img_stats s;
			stats_of(f, (uint32_t)pf, &s);
			for (int c = 0; c < 3; c++)
				out->mean[c] += s.mean[c] / avg;
			out->luma += s.luma / avg;
			out->saturated += s.saturated / avg;
			out->grey_error += s.grey_error / avg;
			got++;
		}
	}
	gc_execute("AcquisitionStop", NULL, 0);
	stream_close(&sr);
	CHECK_MSG(got == avg, "only %u of %u frames arrived", got, n);
	return got == avg;
}

static bool near(double got, double want, double rel) { return fabs(got - want) <= rel * fabs(want); }

/* 5.2.1 "The Exposure Time parameter defines the time the camera opens its (electronic) shutter" */
static void test_exposure_scales_signal(void)
{
	struct img_stats a, b;

	REQUIRE_MSG(setup("BayerRG8") && gc_set_int("BlackLevel", 0, NULL, 0), "setup");
	REQUIRE_MSG(manual_exposure(2000, 0), "%s", err);
	REQUIRE_MSG(grab(3, 2, &a), "frames");
	REQUIRE_MSG(gc_set_float("ExposureTime", 4000, err, sizeof(err)), "%s", err);
	REQUIRE_MSG(grab(3, 2, &b), "frames");
	CHECK_MSG(near(b.mean[1] / a.mean[1], 2.0, 0.08), "doubling the exposure: green %.2f -> %.2f", a.mean[1], b.mean[1]);
}

/* 5.2.2 "The Gain parameter defines the amplification that is applied to the image at sensor level." (dB) */
static void test_gain_amplifies(void)
{
	struct img_stats a, b;

	REQUIRE_MSG(setup("BayerRG8") && gc_set_int("BlackLevel", 0, NULL, 0), "setup");
	REQUIRE_MSG(manual_exposure(1500, 0), "%s", err);
	REQUIRE_MSG(grab(3, 2, &a), "frames");
	REQUIRE_MSG(gc_set_float("Gain", 6.0206, err, sizeof(err)), "%s", err);
	REQUIRE_MSG(grab(3, 2, &b), "frames");
	CHECK_MSG(near(b.mean[1] / a.mean[1], 2.0, 0.08), "+6 dB: green %.2f -> %.2f", a.mean[1], b.mean[1]);
}

/* 5.2.3 "The Black Level parameter defines the lowest possibly intensity value of the image sensor." */
static void test_black_level(void)
{
	struct img_stats a, b;

	REQUIRE_MSG(setup("BayerRG8") && rig_do("scene light 0"), "setup");
	REQUIRE_MSG(manual_exposure(1000, 0), "%s", err);
	REQUIRE_MSG(gc_set_int("BlackLevel", 240, err, sizeof(err)), "%s", err);
	REQUIRE_MSG(grab(2, 1, &a), "frames");
	REQUIRE_MSG(gc_set_int("BlackLevel", 1600, err, sizeof(err)), "%s", err);
	REQUIRE_MSG(grab(2, 1, &b), "frames");
	CHECK_MSG(near(a.luma, 240.0 / 16, 0.1) && near(b.luma, 1600.0 / 16, 0.05),
		  "dark frame: %.2f at BlackLevel 240 (expected 15), %.2f at 1600 (expected 100)", a.luma, b.luma);
}

/* 5.8 "can perform white balance by digital multiplication of the appropriate raw pixel values" */
static void test_wb_multiplies_raw(void)
{
	struct img_stats a, b;

	REQUIRE_MSG(setup("BayerRG8") && gc_set_int("BlackLevel", 0, NULL, 0), "setup");
	REQUIRE_MSG(manual_exposure(1500, 0), "%s", err);
	for (int c = 0; c < 3; c++) {
		static const char *const ch[] = { "Red", "Green", "Blue" };
		gc_set_string("BalanceRatioSelector", ch[c], NULL, 0);
		gc_set_float("BalanceRatio", 1.0, NULL, 0);
	}
	REQUIRE_MSG(grab(3, 2, &a), "frames");
	gc_set_string("BalanceRatioSelector", "Red", NULL, 0);
	REQUIRE_MSG(gc_set_float("BalanceRatio", 2.0, err, sizeof(err)), "%s", err);
	REQUIRE_MSG(grab(3, 2, &b), "frames");
	CHECK_MSG(near(b.mean[0] / a.mean[0], 2.0, 0.06), "red x2: %.2f -> %.2f", a.mean[0], b.mean[0]);
	CHECK_MSG(near(b.mean[1], a.mean[1], 0.03) && near(b.mean[2], a.mean[2], 0.03), "green/blue moved: %.2f/%.2f -> %.2f/%.2f",
		  a.mean[1], a.mean[2], b.mean[1], b.mean[2]);
}

static bool auto_on(bool exposure, bool gain)
{
	return gc_set_string("BalanceWhiteAuto", "Off", err, sizeof(err)) &&
	       gc_set_string("ExposureAuto", exposure ? "Continuous" : "Off", err, sizeof(err)) &&
	       gc_set_string("GainAuto", gain ? "Continuous" : "Off", err, sizeof(err));
}

/* 5.3.3 "specifies the target brightness for both auto exposure and auto gain"; 5.3.1 the value in use reads back */
static void test_auto_reference(void)
{
	struct img_stats s;

	REQUIRE_MSG(setup("BayerRG8") && auto_on(true, false) && gc_set_float("Gain", 0, NULL, 0), "%s", err);
	static const int refs[] = { 60, 150 };
	for (int i = 0; i < 2; i++) {
		REQUIRE_MSG(gc_set_int("ExposureAutoReference", refs[i], err, sizeof(err)), "%s", err);
		REQUIRE_MSG(grab(30, 3, &s), "frames");
		CHECK_MSG(near(s.luma, refs[i], 0.12), "ExposureAutoReference %d: brightness %.1f", refs[i], s.luma);
	}
}

/* 5.3.1 / 5.3.2 auto values follow the scene and read back; Off keeps them */
static void test_auto_values_follow_scene(void)
{
	struct img_stats s;

	REQUIRE_MSG(setup("BayerRG8") && auto_on(true, false), "%s", err);
	REQUIRE_MSG(rig_do("scene light 4"), "light");
	REQUIRE_MSG(grab(30, 1, &s), "frames");
	double e1 = getf("ExposureTime");
	REQUIRE_MSG(rig_do("scene light 16"), "light");
	REQUIRE_MSG(grab(30, 1, &s), "frames");
	double e2 = getf("ExposureTime");
	CHECK_MSG(near(e1 / e2, 4.0, 0.2), "four times the light: exposure %.1f -> %.1f us", e1, e2);
	REQUIRE_MSG(gc_set_string("ExposureAuto", "Off", err, sizeof(err)), "%s", err);
	REQUIRE_MSG(rig_do("scene light 1"), "light");
	REQUIRE_MSG(grab(10, 1, &s), "frames");
	CHECK_MSG(getf("ExposureTime") == e2, "ExposureAuto Off: exposure moved %.1f -> %.1f", e2, getf("ExposureTime"));
}

/* 5.3 "If both auto exposure and auto gain are active, the camera tries to lower the gain value" */
static void test_auto_prefers_low_gain(void)
{
	struct img_stats s;

	REQUIRE_MSG(setup("BayerRG8") && auto_on(true, true), "%s", err);
	REQUIRE_MSG(gc_set_float("Gain", 12.0, NULL, 0) || true, "gain");
	REQUIRE_MSG(grab(40, 1, &s), "frames");
	CHECK_MSG(fabs(getf("Gain") - getf("GainAutoLowerLimit")) < 0.05, "gain %.2f dB, lower limit %.2f dB",
		  getf("Gain"), getf("GainAutoLowerLimit"));
}

/* 5.3.5 / 5.3.6 limits bound what the auto functions choose */
static void test_auto_limits(void)
{
	struct img_stats s;

	REQUIRE_MSG(setup("BayerRG8") && auto_on(true, true), "%s", err);
	REQUIRE_MSG(gc_set_string("ExposureAutoUpperLimitAuto", "Off", err, sizeof(err)) &&
			    gc_set_float("ExposureAutoLowerLimit", 500, err, sizeof(err)) &&
			    gc_set_float("ExposureAutoUpperLimit", 8000, err, sizeof(err)) &&
			    gc_set_float("GainAutoUpperLimit", 12, err, sizeof(err)),
		    "%s", err);
	REQUIRE_MSG(rig_do("scene light 1000"), "bright");
	REQUIRE_MSG(grab(30, 1, &s), "frames");
	CHECK_MSG(getf("ExposureTime") >= 500 - 1e-6 && fabs(getf("ExposureTime") - 500) < 1,
		  "very bright: exposure %.1f us, lower limit 500", getf("ExposureTime"));
	REQUIRE_MSG(rig_do("scene light 0.0005"), "dark");
	REQUIRE_MSG(grab(30, 1, &s), "frames");
	CHECK_MSG(fabs(getf("ExposureTime") - 8000) < 1 && fabs(getf("Gain") - 12) < 0.01,
		  "very dark: exposure %.1f us (upper 8000), gain %.2f dB (upper 12)", getf("ExposureTime"), getf("Gain"));
}

/* 5.3.4 "lets the auto exposure and auto gain functions reduce overexposed areas" */
static void test_highlight_reduction(void)
{
	struct img_stats off, on;

	REQUIRE_MSG(setup("BayerRG8") && auto_on(true, false), "%s", err);
	REQUIRE_MSG(gc_set_int("ExposureAutoReference", 200, err, sizeof(err)), "%s", err);
	REQUIRE_MSG(grab(30, 3, &off), "frames");
	REQUIRE_MSG(gc_set_int("ExposureAutoHighlightReduction", 1, err, sizeof(err)), "%s", err);
	REQUIRE_MSG(grab(30, 3, &on), "frames");
	CHECK_MSG(off.saturated > 0.002, "the scene did not clip without highlight reduction (%.4f)", off.saturated);
	CHECK_MSG(on.saturated < off.saturated * 0.8, "clipped fraction %.4f with reduction, %.4f without", on.saturated,
		  off.saturated);
}

/* 5.11.1 True: "Auto functions only take a specified part of the image into account"; False: the whole image */
static void test_auto_roi(void)
{
	struct img_stats s;
	double e_top, e_bottom, e_off_top, e_off_bottom;

	REQUIRE_MSG(setup("BayerRG8") && auto_on(true, false) && rig_do("scene light 4"), "%s", err);
	/* a region of the sensor whose top and bottom differ */
	gc_set_string("OffsetAutoCenter", "Off", NULL, 0);
	gc_set_int("OffsetX", 0, NULL, 0);
	gc_set_int("OffsetY", 0, NULL, 0);
	gc_set_int("AutoFunctionsROIEnable", 1, NULL, 0);
	REQUIRE_MSG(gc_set_string("AutoFunctionsROI_Preset", "TopHalf", err, sizeof(err)), "%s", err);
	REQUIRE_MSG(grab(30, 1, &s), "frames");
	e_top = getf("ExposureTime");
	REQUIRE_MSG(gc_set_string("AutoFunctionsROI_Preset", "BottomHalf", err, sizeof(err)), "%s", err);
	REQUIRE_MSG(grab(30, 1, &s), "frames");
	e_bottom = getf("ExposureTime");
	CHECK_MSG(!near(e_top, e_bottom, 0.05), "TopHalf %.1f us vs BottomHalf %.1f us: the region makes no difference",
		  e_top, e_bottom);
	gc_set_int("AutoFunctionsROIEnable", 0, NULL, 0);
	REQUIRE_MSG(grab(30, 1, &s), "frames");
	e_off_bottom = getf("ExposureTime");
	gc_set_string("AutoFunctionsROI_Preset", "TopHalf", NULL, 0);
	REQUIRE_MSG(grab(30, 1, &s), "frames");
	e_off_top = getf("ExposureTime");
	CHECK_MSG(near(e_off_top, e_off_bottom, 0.05), "ROI disabled, yet the preset changed the exposure: %.1f vs %.1f us",
		  e_off_top, e_off_bottom);
}

/* 5.8.2 Gray World "adjusts the white balance coefficients so the average color of the resulting image is gray" */
static void test_wb_grayworld(void)
{
	struct img_stats s;

	REQUIRE_MSG(setup("BayerRG8") && rig_do("scene kelvin 3000"), "setup");
	REQUIRE_MSG(manual_exposure(1500, 0) && gc_set_int("BlackLevel", 0, NULL, 0), "%s", err);
	REQUIRE_MSG(gc_set_string("BalanceWhiteMode", "GrayWorld", err, sizeof(err)) &&
			    gc_set_string("BalanceWhiteAuto", "Continuous", err, sizeof(err)),
		    "%s", err);
	REQUIRE_MSG(grab(30, 3, &s), "frames");
	CHECK_MSG(near(s.mean[0], s.mean[1], 0.05) && near(s.mean[2], s.mean[1], 0.05),
		  "3000 K light after gray world: R %.1f G %.1f B %.1f", s.mean[0], s.mean[1], s.mean[2]);
	/* Continuous: follows the light */
	REQUIRE_MSG(rig_do("scene kelvin 8000"), "kelvin");
	REQUIRE_MSG(grab(30, 3, &s), "frames");
	CHECK_MSG(near(s.mean[0], s.mean[1], 0.05) && near(s.mean[2], s.mean[1], 0.05),
		  "8000 K light after gray world: R %.1f G %.1f B %.1f", s.mean[0], s.mean[1], s.mean[2]);
}

/* 5.8.1 Once: "Enable automatic white balance until the color channels have been balanced once" */
static void test_wb_once(void)
{
	struct img_stats s;
	char v[32] = "";

	REQUIRE_MSG(setup("BayerRG8") && rig_do("scene kelvin 3000"), "setup");
	REQUIRE_MSG(manual_exposure(1500, 0) && gc_set_int("BlackLevel", 0, NULL, 0), "%s", err);
	REQUIRE_MSG(gc_set_string("BalanceWhiteAuto", "Once", err, sizeof(err)), "%s", err);
	REQUIRE_MSG(grab(40, 1, &s), "frames");
	gc_get_string("BalanceWhiteAuto", v, sizeof(v), NULL, 0);
	CHECK_MSG(!strcmp(v, "Off"), "BalanceWhiteAuto reads %s after balancing once", v);
	CHECK_MSG(near(s.mean[0], s.mean[1], 0.05) && near(s.mean[2], s.mean[1], 0.05), "not balanced: R %.1f G %.1f B %.1f",
		  s.mean[0], s.mean[1], s.mean[2]);
	gc_set_string("BalanceRatioSelector", "Blue", NULL, 0);
	double blue = getf("BalanceRatio");
	REQUIRE_MSG(rig_do("scene kelvin 8000"), "kelvin");
	REQUIRE_MSG(grab(10, 1, &s), "frames");
	CHECK_MSG(getf("BalanceRatio") == blue, "the ratios moved after Once had finished: %.4f -> %.4f", blue,
		  getf("BalanceRatio"));
}

/* 5.8.2 Temperature: "determine the color temperature of the light source"; the auto preset limits its range */
static void test_wb_temperature_auto(void)
{
	struct img_stats s;
	gint64 k = 0;

	REQUIRE_MSG(setup("BayerRG8") && rig_do("scene kelvin 4000"), "setup");
	REQUIRE_MSG(manual_exposure(1500, 0) && gc_set_int("BlackLevel", 0, NULL, 0), "%s", err);
	REQUIRE_MSG(gc_set_string("BalanceWhiteMode", "Temperature", err, sizeof(err)) &&
			    gc_set_string("BalanceWhiteAutoPreset", "Any", err, sizeof(err)) &&
			    gc_set_string("BalanceWhiteAuto", "Continuous", err, sizeof(err)),
		    "%s", err);
	REQUIRE_MSG(grab(30, 1, &s), "frames");
	gc_get_int("BalanceWhiteTemperature", &k, NULL, 0);
	/* the manual promises an estimate, not its accuracy: within 15 % on this colourful scene */
	CHECK_MSG(k > 3400 && k < 4600, "4000 K light estimated at %lld K", (long long)k);
	REQUIRE_MSG(gc_set_string("BalanceWhiteAutoPreset", "AutoDaylight", err, sizeof(err)), "%s", err);
	REQUIRE_MSG(grab(30, 1, &s), "frames");
	gc_get_int("BalanceWhiteTemperature", &k, NULL, 0);
	CHECK_MSG(k >= 5700 && k <= 7500, "AutoDaylight (5700-7500 K) under 4000 K light chose %lld K", (long long)k);
}

/* 5.9.1 "If the pixel format of a color camera is set a YUV mode, gamma correction is applied to the Y channel." */
static void test_gamma_y_only(void)
{
	struct img_stats a, b;

	REQUIRE_MSG(setup("YCbCr422_8") && manual_exposure(800, 0), "%s", err);
	REQUIRE_MSG(grab(3, 2, &a), "frames");
	REQUIRE_MSG(gc_set_float("Gamma", 2.0, err, sizeof(err)), "%s", err);
	REQUIRE_MSG(grab(3, 2, &b), "frames");
	CHECK_MSG(b.mean[0] > a.mean[0] * 1.15, "gamma 2: Y %.1f -> %.1f", a.mean[0], b.mean[0]);
	CHECK_MSG(fabs(b.mean[1] - a.mean[1]) < 1.5 && fabs(b.mean[2] - a.mean[2]) < 1.5, "gamma 2 moved Cb/Cr: %.1f/%.1f -> %.1f/%.1f",
		  a.mean[1], a.mean[2], b.mean[1], b.mean[2]);
}

/* 5.9.1 "In bayer raw and RGB24 modes, all color channels are subject to the same gamma correction." */
static void test_gamma_all_channels(void)
{
	struct img_stats a, b;

	REQUIRE_MSG(setup("BGR8") && manual_exposure(800, 0), "%s", err);
	REQUIRE_MSG(grab(3, 2, &a), "frames");
	REQUIRE_MSG(gc_set_float("Gamma", 2.0, err, sizeof(err)), "%s", err);
	REQUIRE_MSG(grab(3, 2, &b), "frames");
	for (int c = 0; c < 3; c++)
		CHECK_MSG(b.mean[c] > a.mean[c] * 1.1, "gamma 2: channel %d %.1f -> %.1f", c, a.mean[c], b.mean[c]);
}

static bool load_lut_inverse(void)
{
	ArvGcNode *all = arv_gc_get_node(C->genicam, "LUTValueAll");
	uint8_t buf[1028];
	GError *e = NULL;

	if (!all || !ARV_IS_GC_REGISTER(all))
		return false;
	for (int i = 0; i < 257; i++)
		wr_le32(buf + 4 * i, (uint32_t)(i >= 256 ? 0 : 65535 - 256 * i));
	arv_gc_register_set(ARV_GC_REGISTER(all), buf, sizeof(buf), &e);
	if (e) {
		g_error_free(e);
		return false;
	}
	return true;
}

/* 5.9.2 "If the pixel format of a color camera is set to one of the YUV modes, the lookup table is applied only to
 * the Y channel. In bayer raw and RGB24 modes, all color channels are subject to the same lookup operation." */
static void test_lut_applies(void)
{
	struct img_stats a, b;

	REQUIRE_MSG(setup("BayerRG8") && manual_exposure(800, 0), "%s", err);
	REQUIRE_MSG(grab(3, 2, &a), "frames");
	REQUIRE_MSG(load_lut_inverse() && gc_set_int("LUTEnable", 1, err, sizeof(err)), "LUT");
	REQUIRE_MSG(grab(3, 2, &b), "frames");
	for (int c = 0; c < 3; c++)
		CHECK_MSG(fabs(b.mean[c] - (255.0 - a.mean[c])) < 3, "inverting LUT: channel %d %.1f -> %.1f", c, a.mean[c],
			  b.mean[c]);
	REQUIRE_MSG(setup("YCbCr422_8") && manual_exposure(800, 0), "%s", err);
	REQUIRE_MSG(grab(3, 2, &a), "frames");
	REQUIRE_MSG(load_lut_inverse() && gc_set_int("LUTEnable", 1, err, sizeof(err)), "LUT");
	REQUIRE_MSG(grab(3, 2, &b), "frames");
	CHECK_MSG(fabs(b.mean[0] - (255.0 - a.mean[0])) < 3, "inverting LUT: Y %.1f -> %.1f", a.mean[0], b.mean[0]);
	CHECK_MSG(fabs(b.mean[1] - a.mean[1]) < 1.5 && fabs(b.mean[2] - a.mean[2]) < 1.5, "LUT moved Cb/Cr");
}

/* 5.9.2 "gamma correction is disabled when the lookup table is enabled." */
static void test_lut_disables_gamma(void)
{
	struct img_stats lin, gam, lut;

	REQUIRE_MSG(setup("BayerRG8") && manual_exposure(800, 0), "%s", err);
	REQUIRE_MSG(grab(3, 2, &lin), "frames");
	REQUIRE_MSG(gc_set_float("Gamma", 2.0, err, sizeof(err)), "%s", err);
	REQUIRE_MSG(grab(3, 2, &gam), "frames");
	REQUIRE_MSG(gc_set_int("LUTEnable", 1, err, sizeof(err)), "%s", err);   /* factory LUT: identity */
	REQUIRE_MSG(grab(3, 2, &lut), "frames");
	CHECK_MSG(gam.luma > lin.luma * 1.1 && fabs(lut.luma - lin.luma) < 1.5,
		  "linear %.1f, gamma 2 %.1f, gamma 2 with the identity LUT on %.1f", lin.luma, gam.luma, lut.luma);
}

/* 5.10.2 Saturation 0 gives grey; 5.10 "These adjustments work with all output pixel formats." */
static void test_saturation(void)
{
	struct img_stats a, b;

	REQUIRE_MSG(setup("BGR8") && rig_do("scene kelvin 3000") && manual_exposure(800, 0), "%s", err);
	REQUIRE_MSG(grab(3, 2, &a), "frames");
	REQUIRE_MSG(gc_set_int("Saturation", 0, err, sizeof(err)), "%s", err);
	REQUIRE_MSG(grab(3, 2, &b), "frames");
	CHECK_MSG(a.grey_error > 5 && b.grey_error < 1.5, "colour error per pixel %.2f at 64, %.2f at saturation 0",
		  a.grey_error, b.grey_error);
	/* Bayer raw output changes too */
	REQUIRE_MSG(setup("BayerRG8") && rig_do("scene kelvin 3000") && manual_exposure(800, 0), "%s", err);
	REQUIRE_MSG(grab(3, 2, &a), "frames");
	REQUIRE_MSG(gc_set_int("Saturation", 0, err, sizeof(err)), "%s", err);
	REQUIRE_MSG(grab(3, 2, &b), "frames");
	CHECK_MSG(fabs(b.mean[0] - b.mean[2]) < fabs(a.mean[0] - a.mean[2]) * 0.5,
		  "Bayer: red/blue gap %.1f at 64, %.1f at saturation 0", fabs(a.mean[0] - a.mean[2]),
		  fabs(b.mean[0] - b.mean[2]));
}

/* 5.10.1 "The Hue parameter controls the color angle of the output image." */
static void test_hue(void)
{
	struct img_stats a, b;

	REQUIRE_MSG(setup("BGR8") && rig_do("scene kelvin 3000") && manual_exposure(800, 0), "%s", err);
	REQUIRE_MSG(grab(3, 2, &a), "frames");
	REQUIRE_MSG(gc_set_int("Hue", 180, err, sizeof(err)), "%s", err);
	REQUIRE_MSG(grab(3, 2, &b), "frames");
	CHECK_MSG(a.mean[0] > a.mean[2] && b.mean[2] > b.mean[0],
		  "warm light: R %.1f B %.1f at hue 0; R %.1f B %.1f at hue 180 (expected the opposite colour)", a.mean[0],
		  a.mean[2], b.mean[0], b.mean[2]);
}

void suite_imaging_register(void)
{
	CU_pSuite s = CU_add_suite("imaging", suite_init, suite_clean);

	CU_add_test(s, "exposure_scales_signal", test_exposure_scales_signal);
	CU_add_test(s, "gain_amplifies", test_gain_amplifies);
	CU_add_test(s, "black_level", test_black_level);
	CU_add_test(s, "wb_multiplies_raw", test_wb_multiplies_raw);
	CU_add_test(s, "auto_reference", test_auto_reference);
	CU_add_test(s, "auto_values_follow_scene", test_auto_values_follow_scene);
	CU_add_test(s, "auto_prefers_low_gain", test_auto_prefers_low_gain);
	CU_add_test(s, "auto_limits", test_auto_limits);
	CU_add_test(s, "highlight_reduction", test_highlight_reduction);
	CU_add_test(s, "auto_roi", test_auto_roi);
	CU_add_test(s, "wb_grayworld", test_wb_grayworld);
	CU_add_test(s, "wb_once", test_wb_once);
	CU_add_test(s, "wb_temperature_auto", test_wb_temperature_auto);
	CU_add_test(s, "gamma_y_only", test_gamma_y_only);
	CU_add_test(s, "gamma_all_channels", test_gamma_all_channels);
	CU_add_test(s, "lut_applies", test_lut_applies);
	CU_add_test(s, "lut_disables_gamma", test_lut_disables_gamma);
	CU_add_test(s, "saturation", test_saturation);
	CU_add_test(s, "hue", test_hue);
}
