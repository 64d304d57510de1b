/* SPDX-License-Identifier: MIT */
/* framerate suite: manual 5.1.4. The maximum AcquisitionFrameRate for every
 * row of the manual's tables (fixtures/<model>/framerate.tsv, transcribed from
 * the manual: 4 sizes per pixel format of pixelformats.tsv), its monotonicity
 * over a grid of regions, and leader timestamps at the maximum rate. The
 * formats are the model's (pixelformats.tsv); where a test needs one, it takes
 * the narrowest. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conform.h"
#include "fmtfix.h"
#include "stream.h"

/* The manual's tables give 4 sizes per format. */
#define SIZES_PER_FORMAT 4

struct fr_row {
	char format[32];
	int width, height, fps;
};

static struct fr_row rows[64];
static int n_rows;
static struct fmtfix formats;

/* The model's formats; false (and a failed check) when its fixtures cannot be read. */
static bool load_formats(void)
{
	char err[256];

	if (fmtfix_load(session->fixtures_dir, &formats, err, sizeof(err)) == 0)
		return true;
	CHECK_MSG(false, "%s", err);
	return false;
}

static int load_rows(void)
{
	char path[1024], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/framerate.tsv", session->fixtures_dir);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	n_rows = 0;
	while (fgets(line, sizeof(line), f) && n_rows < 64) {
		struct fr_row r;
		if (sscanf(line, "%31s %d %d %d", r.format, &r.width, &r.height, &r.fps) == 4)
			rows[n_rows++] = r;
	}
	fclose(f);
	return n_rows;
}

static bool max_fps(const char *format, int w, int h, double *out, char *err, size_t errlen)
{
	ArvGcNode *n;
	GError *e = NULL;

	gc_stop_acquisition();
	if (!gc_set_string("PixelFormat", format, err, errlen))
		return false;
	gc_set_string("OffsetAutoCenter", "On", NULL, 0);
	if (!gc_set_int("Width", w, err, errlen) || !gc_set_int("Height", h, err, errlen))
		return false;
	n = arv_gc_get_node(session->genicam, "AcquisitionFrameRate");
	if (!n || !ARV_IS_GC_FLOAT(n)) {
		snprintf(err, errlen, "AcquisitionFrameRate is not a Float");
		return false;
	}
	*out = arv_gc_float_get_max(ARV_GC_FLOAT(n), &e);
	if (e) {
		snprintf(err, errlen, "AcquisitionFrameRate max: %s", e->message);
		g_error_free(e);
		return false;
	}
	return true;
}

static void reset_readout(void)
{
	gc_set_int("BinningHorizontal", 1, NULL, 0);
	gc_set_int("DecimationHorizontal", 1, NULL, 0);
	gc_set_int("DecimationVertical", 1, NULL, 0);
}

/* Every row of the manual's tables: the maximum, to the table's integer rounding. */
static void test_manual_table(void)
{
	char err[256] = "";
	unsigned bad = 0;
	char first[256] = "";

	if (!load_formats())
		return;
	REQUIRE_MSG(load_rows() == (int)(SIZES_PER_FORMAT * formats.n),
		    "fixtures framerate.tsv: %d rows (expected %d sizes for each of the %zu formats)", n_rows,
		    SIZES_PER_FORMAT, formats.n);
	reset_readout();
	for (int i = 0; i < n_rows; i++) {
		double m = 0;
		if (!max_fps(rows[i].format, rows[i].width, rows[i].height, &m, err, sizeof(err))) {
			CHECK_MSG(0, "%.31s %dx%d: %.200s", rows[i].format, rows[i].width, rows[i].height, err);
			continue;
		}
		printf("%s%-20s %4dx%-4d manual %3d  device %8.3f\n", i ? "    " : "\n    ", rows[i].format,
		       rows[i].width, rows[i].height, rows[i].fps, m);
		testrec_framerate(rows[i].format, rows[i].width, rows[i].height, rows[i].fps, m);
		/* the tables print whole frames per second, rounded down */
		if ((int)floor(m) != rows[i].fps) {
			if (!bad)
				snprintf(first, sizeof(first), "%.31s %dx%d: maximum %.3f fps, manual %d", rows[i].format,
					 rows[i].width, rows[i].height, m, rows[i].fps);
			bad++;
		}
	}
	CHECK_MSG(bad == 0, "%u of %d rows differ from the manual; first: %s", bad, n_rows, first);
}

/* Smaller regions never lower the maximum (5.1.2: lowering the resolution often raises it),
 * in every format of the model. */
static void test_monotonic_grid(void)
{
	static const int ws[] = { 256, 640, 1024, 1920, 2560, 3200, 3840, 4096 };
	static const int hs[] = { 4, 120, 480, 1080, 1500, 2000, 2160 };
	char err[256] = "";

	if (!load_formats())
		return;
	reset_readout();
	for (size_t f = 0; f < formats.n; f++) {
		const char *format = formats.f[f].name;
		double grid[8][7];
		for (size_t i = 0; i < 8; i++)
			for (size_t j = 0; j < 7; j++)
				REQUIRE_MSG(max_fps(format, ws[i], hs[j], &grid[i][j], err, sizeof(err)), "%s", err);
		for (size_t i = 0; i < 8; i++) {
			for (size_t j = 0; j < 7; j++) {
				if (i + 1 < 8)
					CHECK_MSG(grid[i + 1][j] <= grid[i][j], "%s: %dx%d %.3f fps > %dx%d %.3f fps",
						  format, ws[i + 1], hs[j], grid[i + 1][j], ws[i], hs[j], grid[i][j]);
				if (j + 1 < 7)
					CHECK_MSG(grid[i][j + 1] <= grid[i][j], "%s: %dx%d %.3f fps > %dx%d %.3f fps",
						  format, ws[i], hs[j + 1], grid[i][j + 1], ws[i], hs[j], grid[i][j]);
			}
		}
		/* vertical resolution matters more than horizontal (5.1.2) */
		CHECK_MSG(grid[0][6] - grid[7][6] <= grid[7][0] - grid[7][6] || grid[7][6] < 1,
			  "%s: width changes the maximum more than height", format);
	}
}

/* Skipping reads fewer lines: its maximum is at least that of the full readout of the same output size.
 * 5.1.3 "However, skipping modes usually provide a higher maximum frame rate" (than binning): Skipping 2X
 * against Binning 2X at the same output size and format. */
static void test_readout_modes_faster(void)
{
	char err[256] = "";
	double full = 0, skip = 0, skip2 = 0, bin2 = 0;

	if (!load_formats())
		return;
	const char *format = fmtfix_narrowest(&formats);
	reset_readout();
	REQUIRE_MSG(max_fps(format, 1920, 1080, &full, err, sizeof(err)), "%s", err);
	REQUIRE_MSG(gc_set_int("DecimationVertical", 2, err, sizeof(err)), "%s", err);
	REQUIRE_MSG(max_fps(format, 1920, 1080, &skip, err, sizeof(err)), "%s", err);
	REQUIRE_MSG(gc_set_int("DecimationHorizontal", 2, err, sizeof(err)), "Skipping 2X: %s", err);
	REQUIRE_MSG(max_fps(format, 1920, 1080, &skip2, err, sizeof(err)), "%s", err);
	reset_readout();
	REQUIRE_MSG(gc_set_int("BinningHorizontal", 2, err, sizeof(err)), "Binning 2X: %s", err);
	REQUIRE_MSG(max_fps(format, 1920, 1080, &bin2, err, sizeof(err)), "%s", err);
	reset_readout();
	CHECK_MSG(skip >= full, "Skipping 2X vertical %.3f fps < default %.3f fps at 1920x1080", skip, full);
	CHECK_MSG(skip2 >= bin2, "Skipping 2X %.3f fps < Binning 2X %.3f fps at 1920x1080 %s", skip2, bin2, format);
}

/* 5.1.1 "The bits per pixel needed for a particular pixel format influence the required bandwidth";
 * 5.1.1.4 - 5.1.1.6: YUV 4:2:2, YUV 4:1:1 and RGB24 need more bandwidth than 8-bit raw, "thus reducing
 * the maximum possible frame rate", RGB24 the most; the two 4:1:1 formats "only differ in their byte
 * order". At every size of a grid: more bits per pixel (the model's 5.1.1 table) never give a higher
 * maximum, and the two 4:1:1 formats, where the model has them, have the same maximum. */
static void test_bits_per_pixel_order(void)
{
	static const int sizes[][2] = { { 4096, 2160 }, { 3840, 2160 }, { 2560, 1500 }, { 1920, 1080 }, { 640, 480 },
					{ 4096, 120 } };
	char err[256] = "";
	unsigned pairs = 0;

	if (!load_formats())
		return;
	const struct fmtfix_format *fmts = formats.f;
	size_t nf = formats.n, y411 = nf, cbyy = nf;
	for (size_t i = 0; i < nf; i++) {
		if (strcmp(fmts[i].name, "YCbCr411_8") == 0)
			y411 = i;
		if (strcmp(fmts[i].name, "YCbCr411_8_CbYYCrYY") == 0)
			cbyy = i;
	}
	reset_readout();
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		double m[FMTFIX_MAX];
		for (size_t i = 0; i < nf; i++)
			REQUIRE_MSG(max_fps(fmts[i].name, sizes[s][0], sizes[s][1], &m[i], err, sizeof(err)), "%s", err);
		for (size_t i = 0; i < nf; i++)
			for (size_t j = 0; j < nf; j++) {
				if (fmts[j].bits <= fmts[i].bits)
					continue;
				pairs++;
				CHECK_MSG(m[j] <= m[i] + 1e-6, "%dx%d: %s (%d bits) %.3f fps above %s (%d bits) %.3f fps",
					  sizes[s][0], sizes[s][1], fmts[j].name, fmts[j].bits, m[j], fmts[i].name,
					  fmts[i].bits, m[i]);
			}
		if (y411 < nf && cbyy < nf)
			CHECK_MSG(fabs(m[y411] - m[cbyy]) < 1e-6, "%dx%d: YCbCr411_8 %.3f fps, YCbCr411_8_CbYYCrYY %.3f fps",
				  sizes[s][0], sizes[s][1], m[y411], m[cbyy]);
	}
	gc_set_string("PixelFormat", fmtfix_narrowest(&formats), NULL, 0);
	printf("\n    %u format pairs over %zu sizes ordered by bits per pixel\n", pairs,
	       sizeof(sizes) / sizeof(sizes[0]));
}

/* 5.1.2 "Changes in the vertical resolution have more effect on the maximum frame rate than changes in
 * the horizontal direction": halving Height never gains less than halving Width, and gains more
 * somewhere (the manual's own tables: BayerRG8 4096x2160 and 3840x2160 both 35 fps). */
static void test_vertical_dominates(void)
{
	static const int sizes[][2] = { { 4096, 2160 }, { 3840, 2160 }, { 1920, 1080 }, { 1024, 480 } };
	char err[256] = "";
	unsigned strictly = 0, cases = 0;

	if (!load_formats())
		return;
	reset_readout();
	for (size_t f = 0; f < formats.n; f++)
		for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
			const char *format = formats.f[f].name;
			int w = sizes[s][0], h = sizes[s][1];
			double base = 0, half_w = 0, half_h = 0;
			REQUIRE_MSG(max_fps(format, w, h, &base, err, sizeof(err)) &&
					    max_fps(format, w / 2, h, &half_w, err, sizeof(err)) &&
					    max_fps(format, w, h / 2, &half_h, err, sizeof(err)),
				    "%s", err);
			cases++;
			CHECK_MSG(half_h - base >= half_w - base - 1e-6,
				  "%s %dx%d (%.3f fps): halving Height gives %.3f fps, halving Width %.3f fps", format, w,
				  h, base, half_h, half_w);
			strictly += half_h - base > half_w - base + 1e-3;
		}
	gc_set_string("PixelFormat", fmtfix_narrowest(&formats), NULL, 0);
	CHECK_MSG(strictly > 0, "halving Height never gained more than halving Width in %u cases", cases);
	printf("\n    %u cases: halving Height gains more than halving Width in %u, as much in the rest\n", cases,
	       strictly);
}

/* At the maximum rate, frames come one frame period apart in device time. */
static void test_timestamps_at_max(void)
{
	char err[256] = "";
	double m = 0;
	struct stream_reader sr;
	struct stream_frame *f;
	uint64_t prev = 0, prev_id = 0;
	unsigned n = 0, bad = 0;
	char first[200] = "";

	if (!load_formats())
		return;
	reset_readout();
	REQUIRE_MSG(max_fps(fmtfix_narrowest(&formats), 1920, 1080, &m, err, sizeof(err)), "%s", err);
	REQUIRE_MSG(gc_set_string("ExposureAuto", "Off", err, sizeof(err)), "%s", err);
	REQUIRE_MSG(gc_set_float("ExposureTime", 100.0, err, sizeof(err)), "%s", err);
	REQUIRE_MSG(gc_set_float("AcquisitionFrameRate", m, err, sizeof(err)), "%s", err);
	double set = 0;
	gc_get_float("AcquisitionFrameRate", &set, NULL, 0);
	uint64_t period = (uint64_t)llround(1e9 / set);
	REQUIRE_MSG(stream_open(&sr, session->x, &session->gc, session->sirm, session->dev.u3v.ep_stream, 8) == 0, "stream");
	REQUIRE_MSG(gc_execute("AcquisitionStart", err, sizeof(err)), "%s", err);
	while (n < 10 && stream_next(&sr, &f, 3000) == 0) {
		if (n && f->leader.block_id == prev_id + 1) {
			uint64_t dt = f->leader.timestamp - prev;
			bool ok = session->pattern ? dt == period : llabs((long long)(dt - period)) <= (long long)period / 200;
			char what[160];
			snprintf(what, sizeof(what), "block %llu: leader timestamp %llu ns, one frame period (%llu ns) after "
				 "the last: %llu ns", (unsigned long long)f->leader.block_id,
				 (unsigned long long)f->leader.timestamp, (unsigned long long)period,
				 (unsigned long long)(prev + period));
			testrec_mark(prev + period, !ok, what);   /* the report's timing diagram */
			if (!ok && !bad++)
				snprintf(first, sizeof(first), "delta %llu ns, period %llu ns", (unsigned long long)dt,
					 (unsigned long long)period);
		}
		prev = f->leader.timestamp;
		prev_id = f->leader.block_id;
		n++;
	}
	gc_execute("AcquisitionStop", NULL, 0);
	stream_close(&sr);
	CHECK_MSG(n == 10, "%u frames", n);
	CHECK_MSG(bad == 0, "%u timestamp deltas off at %.3f fps; first: %s", bad, set, first);
}

void suite_framerate_register(const char *name)
{
	CU_pSuite s = CU_add_suite(name, NULL, NULL);

	CU_add_test(s, "manual_table", test_manual_table);
	CU_add_test(s, "monotonic_grid", test_monotonic_grid);
	CU_add_test(s, "skipping_not_slower", test_readout_modes_faster);
	CU_add_test(s, "timestamps_at_max", test_timestamps_at_max);
	CU_add_test(s, "bits_per_pixel_order", test_bits_per_pixel_order);
	CU_add_test(s, "vertical_dominates", test_vertical_dominates);
}
