/* SPDX-License-Identifier: MIT */
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
	double grey_error;   /* mean |R - G| + |B - G| per pixel (BGR8, or any format decoded to RGB) */
	double off_grid;     /* BayerRG16: fraction of 12-bit values that are not a multiple of 8 */
};

typedef void stats_fn(const struct stream_frame *f, uint32_t pfnc, struct img_stats *s);

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

	if (session->io)
		arv_gc_set_range_check_policy(session->genicam, ARV_RANGE_CHECK_POLICY_DISABLE);
	return rc;
}

static int suite_clean(void)
{
	if (!session->io)
		return 0;
	gc_execute("AcquisitionStop", NULL, 0);
	io_request(session->io, err, sizeof(err), "source pattern");
	io_request(session->io, err, sizeof(err), "scene motion on");
	io_request(session->io, err, sizeof(err), "clock scale 1");
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
		  rig_do("scene kelvin 5500") && rig_do("scene motion off") && rig_do("clock run") && rig_do("clock scale 0") &&
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

/* Any of the 8 formats decoded to 8-bit RGB by framecheck.h (the debayer and colour conversion of
 * docs/image-pipeline.md): means of R G B, clipped fraction and grey error of the decoded picture. */
static void rgb_stats_of(const struct stream_frame *f, uint32_t pfnc, struct img_stats *s)
{
	struct frame_geometry g = { .width = W, .height = H, .pfnc = pfnc };
	uint8_t *rgb = malloc((size_t)W * H * 3);
	double sum[3] = { 0 }, sat = 0, grey = 0;

	memset(s, 0, sizeof(*s));
	if (!rgb || frame_to_rgb(&g, f->payload, f->received, rgb) != 0) {
		free(rgb);
		return;
	}
	for (uint32_t i = 0; i < W * H; i++) {
		const uint8_t *q = rgb + 3 * i;
		for (int c = 0; c < 3; c++) {
			sum[c] += q[c];
			sat += q[c] == 255;
		}
		grey += abs(q[0] - q[1]) + abs(q[2] - q[1]);
	}
	free(rgb);
	for (int c = 0; c < 3; c++)
		s->mean[c] = sum[c] / ((double)W * H);
	s->luma = (s->mean[0] + 2 * s->mean[1] + s->mean[2]) / 4;
	s->saturated = sat / (3.0 * W * H);
	s->grey_error = grey / ((double)W * H);
}

/* BayerRG16 with all 12 bits: luma is the mean value (8-bit scale), off_grid the fraction of
 * values (sample >> 4) that are not a multiple of 8. */
static void bayer16_stats_of(const struct stream_frame *f, uint32_t pfnc, struct img_stats *s)
{
	double sum = 0, off = 0;
	size_t n = f->received / 2;

	memset(s, 0, sizeof(*s));
	if (pfnc != PFNC_BAYER_RG16 || n == 0)
		return;
	for (size_t i = 0; i < n; i++) {
		unsigned v = rd_le16(f->payload + 2 * i) >> 4;
		sum += v;
		off += (v & 7) != 0;
	}
	s->luma = sum / (double)n / 16;
	s->off_grid = off / (double)n;
}

/* Runs n frames (auto functions settle meanwhile); `fn` measures the last `avg`, averaged. */
static bool grab_with(unsigned n, unsigned avg, struct img_stats *out, stats_fn *fn)
{
	struct stream_reader sr;
	struct stream_frame *f;
	gint64 pf = 0;
	unsigned got = 0;

	memset(out, 0, sizeof(*out));
	gc_get_int("PixelFormat", &pf, NULL, 0);
	if (stream_open(&sr, session->x, &session->gc, session->sirm, session->dev.u3v.ep_stream, 8)) {
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
			fn(f, (uint32_t)pf, &s);
			for (int c = 0; c < 3; c++)
				out->mean[c] += s.mean[c] / avg;
			out->luma += s.luma / avg;
			out->saturated += s.saturated / avg;
			out->grey_error += s.grey_error / avg;
			out->off_grid += s.off_grid / avg;
			got++;
		}
	}
	gc_execute("AcquisitionStop", NULL, 0);
	stream_close(&sr);
	CHECK_MSG(got == avg, "only %u of %u frames arrived", got, n);
	return got == avg;
}

static bool grab(unsigned n, unsigned avg, struct img_stats *out) { return grab_with(n, avg, out, stats_of); }

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

/* 5.3.2 Continuous "Enable Auto Gain": with the exposure fixed, the gain follows the scene (a quarter of
 * the light: about +12 dB) and reads back the value in use; Off "Disable Auto Gain": it stays, and is writable */
static void test_auto_gain_follows_scene(void)
{
	struct img_stats s;

	REQUIRE_MSG(setup("BayerRG8") && auto_on(false, true) && gc_set_float("ExposureTime", 400, err, sizeof(err)), "%s",
		    err);
	REQUIRE_MSG(rig_do("scene light 4"), "light");
	REQUIRE_MSG(grab(30, 1, &s), "frames");
	double g1 = getf("Gain");
	REQUIRE_MSG(rig_do("scene light 1"), "light");
	REQUIRE_MSG(grab(30, 1, &s), "frames");
	double g2 = getf("Gain");
	CHECK_MSG(fabs(g2 - g1 - 20 * log10(4.0)) < 1.5, "a quarter of the light: gain %.2f -> %.2f dB (expected +12 dB)",
		  g1, g2);
	CHECK_MSG(near(s.luma, 128, 0.15), "auto gain: brightness %.1f, reference 128", s.luma);
	REQUIRE_MSG(gc_set_string("GainAuto", "Off", err, sizeof(err)), "%s", err);
	REQUIRE_MSG(rig_do("scene light 4"), "light");
	REQUIRE_MSG(grab(10, 1, &s), "frames");
	CHECK_MSG(getf("Gain") == g2, "GainAuto Off: gain moved %.2f -> %.2f dB", g2, getf("Gain"));
	CHECK_MSG(gc_set_float("Gain", 3.0, err, sizeof(err)) && fabs(getf("Gain") - 3.0) < 0.01,
		  "GainAuto Off: Gain 3 dB %s, reads %.2f", err, getf("Gain"));
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

/* 5.3.5 / 5.3.6 limits bound what the auto functions choose: "the minimum/maximum possible value that can be set by
 * the auto exposure (gain) algorithm" */
static void test_auto_limits(void)
{
	struct img_stats s;

	REQUIRE_MSG(setup("BayerRG8") && auto_on(true, true), "%s", err);
	REQUIRE_MSG(gc_set_string("ExposureAutoUpperLimitAuto", "Off", err, sizeof(err)) &&
			    gc_set_float("ExposureAutoLowerLimit", 500, err, sizeof(err)) &&
			    gc_set_float("ExposureAutoUpperLimit", 8000, err, sizeof(err)) &&
			    gc_set_float("GainAutoUpperLimit", 12, err, sizeof(err)) &&
			    gc_set_float("GainAutoLowerLimit", 6, err, sizeof(err)),
		    "%s", err);
	REQUIRE_MSG(rig_do("scene light 1000"), "bright");
	REQUIRE_MSG(grab(30, 1, &s), "frames");
	CHECK_MSG(getf("ExposureTime") >= 500 - 1e-6 && fabs(getf("ExposureTime") - 500) < 1,
		  "very bright: exposure %.1f us, lower limit 500", getf("ExposureTime"));
	CHECK_MSG(getf("Gain") >= 6 - 1e-6 && fabs(getf("Gain") - 6) < 0.01, "very bright: gain %.2f dB, lower limit 6 dB",
		  getf("Gain"));
	REQUIRE_MSG(rig_do("scene light 0.0005"), "dark");
	REQUIRE_MSG(grab(30, 1, &s), "frames");
	CHECK_MSG(fabs(getf("ExposureTime") - 8000) < 1 && fabs(getf("Gain") - 12) < 0.01,
		  "very dark: exposure %.1f us (upper 8000), gain %.2f dB (upper 12)", getf("ExposureTime"), getf("Gain"));
}

/* 5.3.4 True: "lets the auto exposure and auto gain functions reduce overexposed areas" */
static void test_highlight_reduction(void)
{
	struct img_stats off, on;

	/* light enough that the reference is reached below the exposure limit of 30 fps */
	REQUIRE_MSG(setup("BayerRG8") && auto_on(true, false) && rig_do("scene light 4"), "%s", err);
	REQUIRE_MSG(gc_set_int("ExposureAutoReference", 200, err, sizeof(err)) &&
			    gc_set_int("ExposureAutoHighlightReduction", 0, err, sizeof(err)),
		    "%s", err);
	REQUIRE_MSG(grab(30, 3, &off), "frames");
	/* False: "Ignore overexposed areas and focus on matching the image brightness to the selected Auto
	 * Reference Value" -- the clipped areas below do not pull the brightness off the reference */
	CHECK_MSG(near(off.luma, 200, 0.12),
		  "without highlight reduction: brightness %.1f, reference 200 (exposure %.1f us, upper limit %.1f us)",
		  off.luma, getf("ExposureTime"), getf("ExposureAutoUpperLimit"));
	REQUIRE_MSG(gc_set_int("ExposureAutoHighlightReduction", 1, err, sizeof(err)), "%s", err);
	REQUIRE_MSG(grab(30, 3, &on), "frames");
	CHECK_MSG(off.saturated > 0.002, "the scene did not clip without highlight reduction (%.4f)", off.saturated);
	CHECK_MSG(on.saturated < off.saturated * 0.8, "clipped fraction %.4f with reduction, %.4f without", on.saturated,
		  off.saturated);
}

/* What one auto function settles on: `value` (a feature, under BalanceRatioSelector=`ratio` if given) after 30
 * frames with ROI `preset`, the ROI enabled or not. */
static double settled(const char *value, const char *ratio, const char *preset, bool roi)
{
	struct img_stats s;

	gc_set_int("AutoFunctionsROIEnable", roi, NULL, 0);
	if (!gc_set_string("AutoFunctionsROI_Preset", preset, err, sizeof(err)) || !grab(30, 1, &s)) {
		CHECK_MSG(0, "%s, ROI %s: %s", value, preset, err);
		return NAN;
	}
	if (ratio)
		gc_set_string("BalanceRatioSelector", ratio, NULL, 0);
	return getf(value);
}

/* 5.11 "a region of interest that is used while controlling the Auto Exposure, Auto Gain and Auto White
 * Balance functions"; 5.11.1 True: "Auto functions only take a specified part of the image into account";
 * False: "Auto functions look at the whole image". Each function settles differently on the top and the
 * bottom half of a region whose halves differ, and the same on both presets with the ROI disabled. */
static void test_auto_roi(void)
{
	static const struct {
		const char *function, *value, *ratio;
		bool exposure, gain, wb;
		double exposure_us;   /* while the function under test runs (auto exposure sets its own) */
	} fns[] = {
		{ "auto exposure", "ExposureTime", NULL, true, false, false, 400 },
		{ "auto gain", "Gain", NULL, false, true, false, 400 },
		/* a bright picture without black level: a clear signal to balance (the factory black level on a
		 * dim picture is wb_grayworld_factory_black_level's case) */
		{ "auto white balance", "BalanceRatio", "Blue", false, false, true, 6000 },
	};

	for (size_t i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
		REQUIRE_MSG(setup("BayerRG8") && rig_do("scene light 4") && manual_exposure(fns[i].exposure_us, 0) &&
				    auto_on(fns[i].exposure, fns[i].gain) &&
				    (!fns[i].wb || gc_set_int("BlackLevel", 0, err, sizeof(err))),
			    "%s", err);
		if (fns[i].wb)
			REQUIRE_MSG(gc_set_string("BalanceWhiteMode", "GrayWorld", err, sizeof(err)) &&
					    gc_set_string("BalanceWhiteAuto", "Continuous", err, sizeof(err)),
				    "%s", err);
		/* a region of the sensor whose top and bottom differ */
		gc_set_string("OffsetAutoCenter", "Off", NULL, 0);
		gc_set_int("OffsetX", 0, NULL, 0);
		gc_set_int("OffsetY", 0, NULL, 0);
		double top = settled(fns[i].value, fns[i].ratio, "TopHalf", true);
		double bottom = settled(fns[i].value, fns[i].ratio, "BottomHalf", true);
		CHECK_MSG(!near(top, bottom, 0.05), "%s: %s %.3f with TopHalf, %.3f with BottomHalf: the region makes no "
						    "difference", fns[i].function, fns[i].value, top, bottom);
		double off_bottom = settled(fns[i].value, fns[i].ratio, "BottomHalf", false);
		double off_top = settled(fns[i].value, fns[i].ratio, "TopHalf", false);
		CHECK_MSG(near(off_top, off_bottom, 0.05), "%s: ROI disabled, yet the preset changed %s: %.3f vs %.3f",
			  fns[i].function, fns[i].value, off_top, off_bottom);
	}
}

/* 5.11.3 "The coordinates are relative to the origin of the current video format as specified by Partial Scan
 * Offset." A custom rectangle 64 rows high on sensor rows 1000..1063, reached once as the image's top rows
 * (OffsetY 1000, Top 0) and once 192 rows down the image (OffsetY 808, Top 192): auto exposure settles the
 * same; Top 0 at OffsetY 808 (sensor rows 808..871) shows that the sensor content there differs. */
static void test_auto_roi_relative_to_offset(void)
{
	static const struct { int offset_y, top; } cases[] = { { 1000, 0 }, { 808, 192 }, { 808, 0 } };
	double e[3];

	for (int i = 0; i < 3; i++) {
		struct img_stats s;
		REQUIRE_MSG(setup("BayerRG8") && auto_on(true, false) && rig_do("scene light 4"), "%s", err);
		REQUIRE_MSG(gc_set_string("OffsetAutoCenter", "Off", err, sizeof(err)) &&
				    gc_set_int("OffsetX", 0, err, sizeof(err)) &&
				    gc_set_int("OffsetY", cases[i].offset_y, err, sizeof(err)) &&
				    gc_set_int("AutoFunctionsROIEnable", 1, err, sizeof(err)) &&
				    gc_set_string("AutoFunctionsROI_Preset", "CustomRectangle", err, sizeof(err)) &&
				    gc_set_int("AutoFunctionsROILeft", 0, err, sizeof(err)) &&
				    gc_set_int("AutoFunctionsROITop", cases[i].top, err, sizeof(err)) &&
				    gc_set_int("AutoFunctionsROIWidth", W, err, sizeof(err)) &&
				    gc_set_int("AutoFunctionsROIHeight", 64, err, sizeof(err)),
			    "%s", err);
		REQUIRE_MSG(grab(30, 1, &s), "frames");
		e[i] = getf("ExposureTime");
	}
	CHECK_MSG(near(e[1], e[0], 0.03), "sensor rows 1000..1063 as ROI: exposure %.1f us at OffsetY 1000 Top 0, %.1f us at "
					  "OffsetY 808 Top 192", e[0], e[1]);
	CHECK_MSG(!near(e[2], e[0], 0.1), "sensor rows 808..871 as ROI: exposure %.1f us, rows 1000..1063 %.1f us: the "
					  "scene does not tell the regions apart", e[2], e[0]);
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

/* 5.8.2 Gray World "adjusts the white balance coefficients so the average color of the resulting image is gray as
 * well" -- also with the factory black level (5.2.3: 240 of 4095) on a dim picture, where the black level is most
 * of every value. Three pictures after settling, each balanced: a balance that swings from frame to frame fails. */
static void test_wb_grayworld_factory_black_level(void)
{
	struct img_stats s;

	REQUIRE_MSG(setup("BayerRG8") && rig_do("scene light 1"), "setup");
	REQUIRE_MSG(manual_exposure(400, 0) && gc_set_int("BlackLevel", 240, err, sizeof(err)), "%s", err);
	REQUIRE_MSG(gc_set_string("BalanceWhiteMode", "GrayWorld", err, sizeof(err)) &&
			    gc_set_string("BalanceWhiteAuto", "Continuous", err, sizeof(err)),
		    "%s", err);
	for (int i = 0; i < 3; i++) {
		REQUIRE_MSG(grab(i ? 3 : 40, 1, &s), "frames");
		double ratio[3];
		for (int c = 0; c < 3; c++) {
			static const char *const ch[] = { "Red", "Green", "Blue" };
			gc_set_string("BalanceRatioSelector", ch[c], NULL, 0);
			ratio[c] = getf("BalanceRatio");
		}
		CHECK_MSG(near(s.mean[0], s.mean[1], 0.05) && near(s.mean[2], s.mean[1], 0.05),
			  "BlackLevel 240, dim light, gray world, picture %d: R %.1f G %.1f B %.1f (BalanceRatio %.3f %.3f %.3f)",
			  i, s.mean[0], s.mean[1], s.mean[2], ratio[0], ratio[1], ratio[2]);
	}
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

/* 5.8.2 White Balance Auto Preset: the ranges the manual prints, and a light outside each. */
static const struct {
	const char *preset;
	int lo, hi;   /* "Limit color temperature to approximately lo-hi K" */
	int light;    /* scene light outside the range, so that only the limit keeps the estimate inside */
} wb_auto_presets[] = {
	{ "AutoWarmWhite", 2500, 4000, 8000 },
	{ "AutoCoolWhite", 4000, 5800, 3000 },
	{ "AutoDaylight", 5700, 7500, 4000 },
	{ "AutoDeepShade", 7500, 10000, 4000 },
};

static gint64 estimate_kelvin(const char *preset, int light)
{
	struct img_stats s;
	gint64 k = 0;

	if (!gc_set_string("BalanceWhiteAutoPreset", preset, err, sizeof(err)) || !rig_do("scene kelvin %d", light) ||
	    !grab(30, 1, &s)) {
		CHECK_MSG(0, "%s under %d K light: %s", preset, light, err);
		return 0;
	}
	gc_get_int("BalanceWhiteTemperature", &k, NULL, 0);
	return k;
}

/* 5.8.2 Temperature: "determine the color temperature of the light source"; "White Balance Auto Preset can be used
 * to limit the range of valid color temperatures": each preset keeps the estimate of a light outside its range
 * inside it, while Any ("Allow any color temperature") lets the same light's estimate fall outside. */
static void test_wb_temperature_auto(void)
{
	REQUIRE_MSG(setup("BayerRG8"), "setup");
	REQUIRE_MSG(manual_exposure(1500, 0) && gc_set_int("BlackLevel", 0, NULL, 0), "%s", err);
	REQUIRE_MSG(gc_set_string("BalanceWhiteMode", "Temperature", err, sizeof(err)) &&
			    gc_set_string("BalanceWhiteAuto", "Continuous", err, sizeof(err)),
		    "%s", err);
	gint64 k = estimate_kelvin("Any", 4000);
	/* the manual promises an estimate, not its accuracy: within 15 % on this colourful scene */
	CHECK_MSG(k > 3400 && k < 4600, "4000 K light estimated at %lld K", (long long)k);
	for (size_t i = 0; i < sizeof(wb_auto_presets) / sizeof(wb_auto_presets[0]); i++) {
		int lo = wb_auto_presets[i].lo, hi = wb_auto_presets[i].hi, light = wb_auto_presets[i].light;
		gint64 any = estimate_kelvin("Any", light), limited = estimate_kelvin(wb_auto_presets[i].preset, light);
		CHECK_MSG(any < lo || any > hi, "Any under %d K light chose %lld K, inside %s (%d-%d K): nothing to limit",
			  light, (long long)any, wb_auto_presets[i].preset, lo, hi);
		CHECK_MSG(limited >= lo && limited <= hi, "%s (%d-%d K) under %d K light chose %lld K",
			  wb_auto_presets[i].preset, lo, hi, light, (long long)limited);
	}
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

/* 5.9.1 "In bayer raw and RGB24 modes, all color channels are subject to the same gamma correction."
 * Every channel brightens with Gamma 2, in RGB24 and in Bayer raw (whether the curve is the same for
 * all three is not measured: the channel means of a nonlinear curve do not show it). */
static void test_gamma_all_channels(void)
{
	static const char *const formats[] = { "BGR8", "BayerRG8" };
	struct img_stats a, b;

	for (int f = 0; f < 2; f++) {
		REQUIRE_MSG(setup(formats[f]) && manual_exposure(800, 0), "%s", err);
		REQUIRE_MSG(grab(3, 2, &a), "frames");
		REQUIRE_MSG(gc_set_float("Gamma", 2.0, err, sizeof(err)), "%s", err);
		REQUIRE_MSG(grab(3, 2, &b), "frames");
		for (int c = 0; c < 3; c++)
			CHECK_MSG(b.mean[c] > a.mean[c] * 1.1, "%s gamma 2: channel %d %.1f -> %.1f", formats[f], c,
				  a.mean[c], b.mean[c]);
	}
}

static bool load_lut_inverse(void)
{
	ArvGcNode *all = arv_gc_get_node(session->genicam, "LUTValueAll");
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
	static const char *const raw_rgb[] = { "BayerRG8", "BGR8" };
	struct img_stats a, b;

	for (int f = 0; f < 2; f++) {
		REQUIRE_MSG(setup(raw_rgb[f]) && manual_exposure(800, 0), "%s", err);
		REQUIRE_MSG(grab(3, 2, &a), "frames");
		/* 5.9.2 "The LUT Enable feature enables the lookup table": loaded but not enabled, it does nothing */
		REQUIRE_MSG(load_lut_inverse(), "LUT");
		REQUIRE_MSG(grab(3, 2, &b), "frames");
		CHECK_MSG(fabs(b.luma - a.luma) < 1.5, "%s, inverting LUT loaded, LUTEnable False: brightness %.1f -> %.1f",
			  raw_rgb[f], a.luma, b.luma);
		REQUIRE_MSG(gc_set_int("LUTEnable", 1, err, sizeof(err)), "LUT");
		REQUIRE_MSG(grab(3, 2, &b), "frames");
		for (int c = 0; c < 3; c++)
			CHECK_MSG(fabs(b.mean[c] - (255.0 - a.mean[c])) < 3, "%s, inverting LUT: channel %d %.1f -> %.1f",
				  raw_rgb[f], c, a.mean[c], b.mean[c]);
	}
	REQUIRE_MSG(setup("YCbCr422_8") && manual_exposure(800, 0), "%s", err);
	REQUIRE_MSG(grab(3, 2, &a), "frames");
	REQUIRE_MSG(load_lut_inverse() && gc_set_int("LUTEnable", 1, err, sizeof(err)), "LUT");
	REQUIRE_MSG(grab(3, 2, &b), "frames");
	CHECK_MSG(fabs(b.mean[0] - (255.0 - a.mean[0])) < 3, "inverting LUT: Y %.1f -> %.1f", a.mean[0], b.mean[0]);
	CHECK_MSG(fabs(b.mean[1] - a.mean[1]) < 1.5 && fabs(b.mean[2] - a.mean[2]) < 1.5, "LUT moved Cb/Cr");
}

/* 5.9.2 "The upper 8 bits of the image data are used to select the appropriate entry in the lookup table, while
 * the remaining bits are used to interpolate between the selected entry and one of its neighbors." A table of half
 * slope (entry i = 128 i): interpolated, 12-bit data v come out as v / 2; the selected entry alone would give
 * 128 (v >> 4) >> 4, only multiples of 8. BayerRG16 carries all 12 bits. */
static void test_lut_interpolation(void)
{
	ArvGcNode *all = arv_gc_get_node(session->genicam, "LUTValueAll");
	struct img_stats a, b;
	uint8_t buf[1028];
	GError *e = NULL;

	REQUIRE_MSG(all && ARV_IS_GC_REGISTER(all), "LUTValueAll is not a register");
	REQUIRE_MSG(setup("BayerRG16") && manual_exposure(800, 0), "%s", err);
	REQUIRE_MSG(grab_with(3, 2, &a, bayer16_stats_of), "frames");
	for (int i = 0; i < 257; i++)
		wr_le32(buf + 4 * i, (uint32_t)(128 * i));
	arv_gc_register_set(ARV_GC_REGISTER(all), buf, sizeof(buf), &e);
	REQUIRE_MSG(!e, "LUTValueAll write: %s", e ? e->message : "");
	REQUIRE_MSG(gc_set_int("LUTEnable", 1, err, sizeof(err)), "%s", err);
	REQUIRE_MSG(grab_with(3, 2, &b, bayer16_stats_of), "frames");
	CHECK_MSG(a.off_grid > 0.5, "without the LUT only %.3f of the 12-bit values are off multiples of 8: the scene "
				    "does not show interpolation", a.off_grid);
	CHECK_MSG(near(b.luma, a.luma / 2, 0.03), "half-slope LUT: mean %.2f -> %.2f (expected half)", a.luma, b.luma);
	CHECK_MSG(b.off_grid > 0.5, "half-slope LUT: %.3f of the 12-bit values off multiples of 8 (not interpolated: 0)",
		  b.off_grid);
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

/* 5.10.2 Saturation 0 gives grey, more than 64 more colour; 5.10 "When a bayer raw pixel format is selected,
 * Hue and Saturation still work." */
static void test_saturation(void)
{
	struct img_stats a, b;

	REQUIRE_MSG(setup("BGR8") && rig_do("scene kelvin 3000") && manual_exposure(800, 0), "%s", err);
	REQUIRE_MSG(grab(3, 2, &a), "frames");
	REQUIRE_MSG(gc_set_int("Saturation", 0, err, sizeof(err)), "%s", err);
	REQUIRE_MSG(grab(3, 2, &b), "frames");
	CHECK_MSG(a.grey_error > 5 && b.grey_error < 1.5, "colour error per pixel %.2f at 64, %.2f at saturation 0",
		  a.grey_error, b.grey_error);
	/* "controls the color saturation": more than the default 64 gives more colour */
	REQUIRE_MSG(gc_set_int("Saturation", 128, err, sizeof(err)), "%s", err);
	REQUIRE_MSG(grab(3, 2, &b), "frames");
	CHECK_MSG(b.grey_error > a.grey_error * 1.3, "colour error per pixel %.2f at 64, %.2f at saturation 128",
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

/* 5.10 "These adjustments work with all output pixel formats." Each colour format decoded to RGB under warm
 * light: Saturation 0 takes most of the colour out, Hue 180 turns the reddish cast bluish. Mono8 carries no
 * colour to adjust (what hue and saturation do to it is not stated: docs/manual-quirks.md item 14). */
static void test_hue_saturation_all_formats(void)
{
	static const char *const formats[] = { "BayerRG8",   "BayerRG12p", "BayerRG16", "YCbCr422_8",
					       "YCbCr411_8", "YCbCr411_8_CbYYCrYY", "BGR8" };
	struct img_stats a, b, c;

	for (size_t f = 0; f < sizeof(formats) / sizeof(formats[0]); f++) {
		REQUIRE_MSG(setup(formats[f]) && rig_do("scene kelvin 3000") && manual_exposure(800, 0), "%s", err);
		REQUIRE_MSG(grab_with(3, 2, &a, rgb_stats_of), "frames");
		REQUIRE_MSG(gc_set_int("Saturation", 0, err, sizeof(err)), "%s", err);
		REQUIRE_MSG(grab_with(3, 2, &b, rgb_stats_of), "frames");
		REQUIRE_MSG(gc_set_int("Saturation", 64, err, sizeof(err)) && gc_set_int("Hue", 180, err, sizeof(err)),
			    "%s", err);
		REQUIRE_MSG(grab_with(3, 2, &c, rgb_stats_of), "frames");
		CHECK_MSG(a.grey_error > 5 && b.grey_error < a.grey_error * 0.5,
			  "%s: colour error per pixel %.2f at saturation 64, %.2f at 0", formats[f], a.grey_error,
			  b.grey_error);
		CHECK_MSG(a.mean[0] > a.mean[2] && c.mean[2] > c.mean[0],
			  "%s, warm light: R %.1f B %.1f at hue 0; R %.1f B %.1f at hue 180", formats[f], a.mean[0],
			  a.mean[2], c.mean[0], c.mean[2]);
	}
}

void suite_imaging_register(const char *name)
{
	CU_pSuite s = CU_add_suite(name, suite_init, suite_clean);

	CU_add_test(s, "exposure_scales_signal", test_exposure_scales_signal);
	CU_add_test(s, "gain_amplifies", test_gain_amplifies);
	CU_add_test(s, "black_level", test_black_level);
	CU_add_test(s, "wb_multiplies_raw", test_wb_multiplies_raw);
	CU_add_test(s, "auto_reference", test_auto_reference);
	CU_add_test(s, "auto_values_follow_scene", test_auto_values_follow_scene);
	CU_add_test(s, "auto_gain_follows_scene", test_auto_gain_follows_scene);
	CU_add_test(s, "auto_prefers_low_gain", test_auto_prefers_low_gain);
	CU_add_test(s, "auto_limits", test_auto_limits);
	CU_add_test(s, "highlight_reduction", test_highlight_reduction);
	CU_add_test(s, "auto_roi", test_auto_roi);
	CU_add_test(s, "auto_roi_relative_to_offset", test_auto_roi_relative_to_offset);
	CU_add_test(s, "wb_grayworld", test_wb_grayworld);
	CU_add_test(s, "wb_grayworld_factory_black_level", test_wb_grayworld_factory_black_level);
	CU_add_test(s, "wb_once", test_wb_once);
	CU_add_test(s, "wb_temperature_auto", test_wb_temperature_auto);
	CU_add_test(s, "gamma_y_only", test_gamma_y_only);
	CU_add_test(s, "gamma_all_channels", test_gamma_all_channels);
	CU_add_test(s, "lut_applies", test_lut_applies);
	CU_add_test(s, "lut_interpolation", test_lut_interpolation);
	CU_add_test(s, "lut_disables_gamma", test_lut_disables_gamma);
	CU_add_test(s, "saturation", test_saturation);
	CU_add_test(s, "hue", test_hue);
	CU_add_test(s, "hue_saturation_all_formats", test_hue_saturation_all_formats);
}
