/* SPDX-License-Identifier: MIT */
/* camera/framerate with the DFK 38UX267 sensor model: the maximum frame rate
 * against the manual's tables (technical reference section 5.1.4), and its
 * monotonicity over a grid of regions. */
#include <math.h>
#include <stdio.h>

#include "../../models/model.h"
#include "../camera/framerate.h"
#include "tests.h"

struct fmt {
	const char *name;
	uint32_t pfnc;
	uint32_t bpp;
};

/* PFNC codes and bits per pixel of the 8 formats (manual 5.1.1). */
static const struct fmt formats[] = {
	{ "BayerRG8", 0x01080009, 8 },
	{ "BayerRG12p", 0x010C0059, 12 },
	{ "BayerRG16", 0x0110002F, 16 },
	{ "YCbCr422_8", 0x0210003B, 16 },
	{ "YCbCr411_8", 0x020C005A, 12 },
	{ "YCbCr411_8_CbYYCrYY", 0x020C003C, 12 },
	{ "BGR8", 0x02180015, 24 },
	{ "Mono8", 0x01080001, 8 },
};

/* Manual 5.1.4, "Maximum Frame Rate" for each pixel format and resolution. */
static const struct {
	unsigned fmt;   /* index in formats[] */
	uint32_t width, height;
	unsigned fps;
} manual[] = {
	/* 8-Bit Bayer Raw */
	{ 0, 4096, 2160, 35 }, { 0, 3840, 2160, 35 }, { 0, 1920, 1080, 70 }, { 0, 640, 480, 152 },
	/* 12-Bit Packed Bayer Raw */
	{ 1, 4096, 2160, 28 }, { 1, 3840, 2160, 29 }, { 1, 1920, 1080, 70 }, { 1, 640, 480, 152 },
	/* 16-Bit Bayer Raw */
	{ 2, 4096, 2160, 21 }, { 2, 3840, 2160, 22 }, { 2, 1920, 1080, 70 }, { 2, 640, 480, 152 },
	/* YUV 4:2:2 */
	{ 3, 4096, 2160, 21 }, { 3, 3840, 2160, 22 }, { 3, 1920, 1080, 70 }, { 3, 640, 480, 152 },
	/* YUV 4:1:1 (a) */
	{ 4, 4096, 2160, 28 }, { 4, 3840, 2160, 30 }, { 4, 1920, 1080, 70 }, { 4, 640, 480, 152 },
	/* YUV 4:1:1 (b) */
	{ 5, 4096, 2160, 28 }, { 5, 3840, 2160, 30 }, { 5, 1920, 1080, 70 }, { 5, 640, 480, 152 },
	/* RGB24 */
	{ 6, 4096, 2160, 14 }, { 6, 3840, 2160, 15 }, { 6, 1920, 1080, 60 }, { 6, 640, 480, 152 },
	/* 8-Bit Monochrome */
	{ 7, 4096, 2160, 35 }, { 7, 3840, 2160, 35 }, { 7, 1920, 1080, 70 }, { 7, 640, 480, 152 },
};

static struct readout readout(const struct fmt *f, uint32_t w, uint32_t h)
{
	struct readout r = { .width = w, .height = h, .binning_h = 1, .binning_v = 1, .decimation_h = 1,
			     .decimation_v = 1, .pfnc = f->pfnc, .bits_per_pixel = f->bpp };
	return r;
}

static void test_framerate_manual_table(void)
{
	const struct sensor_timing *t = &dfk38ux267_model.sensor;
	char msg[200];

	ASSERT_INT(sizeof(manual) / sizeof(manual[0]), 32);
	for (size_t i = 0; i < sizeof(manual) / sizeof(manual[0]); i++) {
		const struct fmt *f = &formats[manual[i].fmt];
		struct readout r = readout(f, manual[i].width, manual[i].height);
		double fps = framerate_max_fps(t, &r);
		snprintf(msg, sizeof(msg), "%s %ux%u: max %.3f fps, manual %u", f->name, manual[i].width,
			 manual[i].height, fps, manual[i].fps);
		CU_assertImplementation(floor(fps) == manual[i].fps, __LINE__, msg, __FILE__, "", CU_FALSE);
	}
}

static void test_framerate_monotonic(void)
{
	static const uint32_t widths[] = { 256, 320, 640, 1024, 1280, 1920, 2048, 2560, 3072, 3840, 4096 };
	static const uint32_t heights[] = { 4, 8, 16, 100, 240, 480, 720, 1080, 1440, 2000, 2160 };
	const struct sensor_timing *t = &dfk38ux267_model.sensor;
	const size_t nw = sizeof(widths) / sizeof(widths[0]), nh = sizeof(heights) / sizeof(heights[0]);
	char msg[200];
	unsigned bad = 0;

	for (size_t f = 0; f < sizeof(formats) / sizeof(formats[0]); f++) {
		for (size_t i = 0; i < nw; i++) {
			for (size_t k = 0; k < nh; k++) {
				struct readout r = readout(&formats[f], widths[i], heights[k]);
				double fps = framerate_max_fps(t, &r);
				CU_ASSERT(fps > 0 && isfinite(fps));
				if (i + 1 < nw) {
					struct readout rw = readout(&formats[f], widths[i + 1], heights[k]);
					if (framerate_max_fps(t, &rw) > fps && bad++ < 10) {
						snprintf(msg, sizeof(msg), "%s: %ux%u faster than %ux%u", formats[f].name,
							 widths[i + 1], heights[k], widths[i], heights[k]);
						FAIL_MSG(msg);
					}
				}
				if (k + 1 < nh) {
					struct readout rh = readout(&formats[f], widths[i], heights[k + 1]);
					if (framerate_max_fps(t, &rh) > fps && bad++ < 10) {
						snprintf(msg, sizeof(msg), "%s: %ux%u faster than %ux%u", formats[f].name,
							 widths[i], heights[k + 1], widths[i], heights[k]);
						FAIL_MSG(msg);
					}
				}
			}
		}
	}
	ASSERT_INT(bad, 0);
}

static void test_framerate_more_bits_never_faster(void)
{
	/* at the same region, a format with more bits per pixel is never faster */
	const struct sensor_timing *t = &dfk38ux267_model.sensor;
	struct readout r8 = readout(&formats[0], 4096, 2160), r16 = readout(&formats[2], 4096, 2160);
	struct readout r24 = readout(&formats[6], 4096, 2160);

	CU_ASSERT(framerate_max_fps(t, &r8) >= framerate_max_fps(t, &r16));
	CU_ASSERT(framerate_max_fps(t, &r16) >= framerate_max_fps(t, &r24));
}

static void test_framerate_period(void)
{
	const struct sensor_timing *t = &dfk38ux267_model.sensor;
	struct readout r = readout(&formats[0], 640, 480);
	uint64_t min = framerate_min_period_ns(t, &r);

	ASSERT_INT(min, framerate_sensor_ns(t, &r) > framerate_link_ns(t, &r) ? framerate_sensor_ns(t, &r)
									 : framerate_link_ns(t, &r));
	CU_ASSERT(fabs(framerate_max_fps(t, &r) - 1e9 / (double)min) < 1e-9);
	/* 10 fps asked: 100 ms period */
	ASSERT_INT(framerate_period_ns(t, &r, 10.0, 1000), 100000000);
	/* faster than possible: the minimum period */
	ASSERT_INT(framerate_period_ns(t, &r, 1000.0, 1000), min);
	/* an exposure longer than the period stretches it */
	ASSERT_INT(framerate_period_ns(t, &r, 10.0, 200000000), 200000000 + t->exposure_gap_ns);
}

static void test_framerate_binning_not_faster_than_reading_the_rows(void)
{
	/* binning reads 2x2 sensor pixels per output pixel: the sensor time of 2048x1080
	 * binned equals that of reading 4096x2160 */
	const struct sensor_timing *t = &dfk38ux267_model.sensor;
	struct readout full = readout(&formats[0], 4096, 2160), bin = readout(&formats[0], 2048, 1080);

	bin.binning_h = bin.binning_v = 2;
	ASSERT_INT(framerate_sensor_ns(t, &bin), framerate_sensor_ns(t, &full));
	CU_ASSERT(framerate_link_ns(t, &bin) < framerate_link_ns(t, &full));
}

static const struct test_case cases[] = {
	{ "test_framerate_manual_table", test_framerate_manual_table },
	{ "test_framerate_monotonic", test_framerate_monotonic },
	{ "test_framerate_more_bits_never_faster", test_framerate_more_bits_never_faster },
	{ "test_framerate_period", test_framerate_period },
	{ "test_framerate_binning_not_faster_than_reading_the_rows", test_framerate_binning_not_faster_than_reading_the_rows },
	{ NULL, NULL },
};

int test_framerate_add_suite(void) { return test_add_suite("framerate", NULL, NULL, cases); }
