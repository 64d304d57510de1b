/* SPDX-License-Identifier: MIT */
/* Performance figures of the sensor module (emulator/sensor): prints, never judges speed.
 *
 *   build/bench-sensor [runs]      runs per figure (default 15, at most 64)
 *
 * The median and best time per full-resolution frame (4096x2160) for every
 * format of the pixel format table on its sensor and both sources, a few
 * processing cases, and sensor_measure. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "../sensor/pixfmt.h"
#include "../sensor/sensor.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void report(const char *what, double *t, int runs)
{
	qsort(t, (size_t)runs, sizeof(*t), cmp_double);
	printf("%-34s median %7.2f ms  best %7.2f ms\n", what, t[runs / 2], t[0]);
}

static int bench_render(struct sensor *s, struct sensor_settings *st, uint8_t *buf, size_t len, int runs,
			const char *what)
{
	double t[64];

	for (int i = 0; i < runs; i++) {
		double t0 = now_ms();

		st->block_id++;
		st->exposure_start_ns += 33333333;
		if (sensor_render(s, st, buf, len) != 0)
			return -1;
		t[i] = now_ms() - t0;
	}
	report(what, t, runs);
	return 0;
}

int main(int argc, char **argv)
{
	static const char *const cfa_name[] = { [SENSOR_CFA_BAYER_RG] = "Bayer", [SENSOR_CFA_NONE] = "mono" };
	int runs = argc > 1 ? atoi(argv[1]) : 15;
	struct sensor *s = sensor_new();
	struct sensor_settings st;
	size_t len = (size_t)SENSOR_WIDTH * SENSOR_HEIGHT * 3, n_fmts;
	const struct pixfmt *fmts = pixfmt_table(&n_fmts);
	uint8_t *buf = malloc(len);
	char what[64];
	double t[64];

	if (runs < 1 || runs > 64)
		runs = 15;
	if (!s || !buf)
		return 1;
	/* every format of the table, on the sensor it is for; the scene's background is built
	 * again when the colour filter changes, so the first frame of each is timed on its own */
	for (int src = 0; src < 2; src++) {
		enum sensor_cfa built = SENSOR_CFA_BAYER_RG;
		bool first = true;

		for (size_t f = 0; f < n_fmts; f++) {
			sensor_settings_default(&st);
			st.source = src ? SENSOR_SOURCE_SCENE : SENSOR_SOURCE_PATTERN;
			st.cfa = fmts[f].cfa;
			st.pfnc = fmts[f].pfnc;
			if (src && (first || st.cfa != built)) {
				double t0 = now_ms();

				sensor_render(s, &st, buf, len);
				snprintf(what, sizeof(what), "scene: first %s frame", cfa_name[st.cfa]);
				printf("%-34s %7.2f ms (once)\n", what, now_ms() - t0);
				built = st.cfa;
				first = false;
			}
			snprintf(what, sizeof(what), "%s %s %s", src ? "scene" : "pattern", cfa_name[st.cfa], fmts[f].name);
			if (bench_render(s, &st, buf, len, runs, what))
				return 1;
		}
	}
	sensor_settings_default(&st);
	st.source = SENSOR_SOURCE_SCENE;
	st.pfnc = PFNC_BGR8;
	st.gamma = 0.45;
	st.hue_deg = 20;
	st.saturation = 90;
	sensor_render(s, &st, buf, len);   /* the Bayer background again, untimed (the mono one was last) */
	if (bench_render(s, &st, buf, len, runs, "scene BGR8 gamma+hue+sat"))
		return 1;
	st.pfnc = PFNC_BAYER_RG8;
	if (bench_render(s, &st, buf, len, runs, "scene BayerRG8 gamma+hue+sat"))
		return 1;
	st.hue_deg = 0;
	st.saturation = 64;
	st.binning_h = st.binning_v = 2;
	st.width = SENSOR_WIDTH / 2;
	st.height = SENSOR_HEIGHT / 2;
	if (bench_render(s, &st, buf, len, runs, "scene BayerRG8 binning 2x"))
		return 1;
	for (int src = 0; src < 2; src++) {
		struct sensor_stats stats;

		sensor_settings_default(&st);
		st.source = src ? SENSOR_SOURCE_SCENE : SENSOR_SOURCE_PATTERN;
		for (int i = 0; i < runs; i++) {
			double t0 = now_ms();

			st.block_id++;
			if (sensor_measure(s, &st, NULL, &stats) != 0)
				return 1;
			t[i] = now_ms() - t0;
		}
		snprintf(what, sizeof(what), "measure %s (%u samples)", src ? "scene" : "pattern", stats.samples);
		report(what, t, runs);
	}
	sensor_free(s);
	free(buf);
	return 0;
}
