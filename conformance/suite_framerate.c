/* framerate suite: manual 5.1.4. The maximum AcquisitionFrameRate for the 32
 * rows of the manual's tables (fixtures/framerate.tsv, transcribed from the
 * manual), its monotonicity over a grid of regions, and leader timestamps at
 * the maximum rate. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conform.h"
#include "stream.h"

struct fr_row {
	char format[32];
	int width, height, fps;
};

static struct fr_row rows[64];
static int n_rows;

static int load_rows(void)
{
	char path[1024], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/framerate.tsv", C->fixtures_dir);
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

	gc_execute("AcquisitionStop", NULL, 0);
	gc_set_int("TLParamsLocked", 0, NULL, 0);
	if (!gc_set_string("PixelFormat", format, err, errlen))
		return false;
	gc_set_string("OffsetAutoCenter", "On", NULL, 0);
	if (!gc_set_int("Width", w, err, errlen) || !gc_set_int("Height", h, err, errlen))
		return false;
	n = arv_gc_get_node(C->genicam, "AcquisitionFrameRate");
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

	REQUIRE_MSG(load_rows() == 32, "fixtures framerate.tsv: %d rows (expected 32)", n_rows);
	reset_readout();
	for (int i = 0; i < n_rows; i++) {
		double m = 0;
		if (!max_fps(rows[i].format, rows[i].width, rows[i].height, &m, err, sizeof(err))) {
			CHECK_MSG(0, "%.31s %dx%d: %.200s", rows[i].format, rows[i].width, rows[i].height, err);
			continue;
		}
		printf("%s%-20s %4dx%-4d manual %3d  device %8.3f\n", i ? "    " : "\n    ", rows[i].format,
		       rows[i].width, rows[i].height, rows[i].fps, m);
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

/* Smaller regions never lower the maximum (5.1.2: lowering the resolution often raises it). */
static void test_monotonic_grid(void)
{
	static const char *const formats[] = { "BayerRG8", "BayerRG12p", "BGR8", "YCbCr411_8" };
	static const int ws[] = { 256, 640, 1024, 1920, 2560, 3200, 3840, 4096 };
	static const int hs[] = { 4, 120, 480, 1080, 1500, 2000, 2160 };
	char err[256] = "";

	reset_readout();
	for (size_t f = 0; f < sizeof(formats) / sizeof(formats[0]); f++) {
		double grid[8][7];
		for (size_t i = 0; i < 8; i++)
			for (size_t j = 0; j < 7; j++)
				REQUIRE_MSG(max_fps(formats[f], ws[i], hs[j], &grid[i][j], err, sizeof(err)), "%s", err);
		for (size_t i = 0; i < 8; i++) {
			for (size_t j = 0; j < 7; j++) {
				if (i + 1 < 8)
					CHECK_MSG(grid[i + 1][j] <= grid[i][j], "%s: %dx%d %.3f fps > %dx%d %.3f fps",
						  formats[f], ws[i + 1], hs[j], grid[i + 1][j], ws[i], hs[j], grid[i][j]);
				if (j + 1 < 7)
					CHECK_MSG(grid[i][j + 1] <= grid[i][j], "%s: %dx%d %.3f fps > %dx%d %.3f fps",
						  formats[f], ws[i], hs[j + 1], grid[i][j + 1], ws[i], hs[j], grid[i][j]);
			}
		}
		/* vertical resolution matters more than horizontal (5.1.2) */
		CHECK_MSG(grid[0][6] - grid[7][6] <= grid[7][0] - grid[7][6] || grid[7][6] < 1,
			  "%s: width changes the maximum more than height", formats[f]);
	}
}

/* Skipping reads fewer lines: its maximum is at least that of the full readout of the same output size. */
static void test_readout_modes_faster(void)
{
	char err[256] = "";
	double full = 0, skip = 0;

	reset_readout();
	REQUIRE_MSG(max_fps("BayerRG8", 1920, 1080, &full, err, sizeof(err)), "%s", err);
	REQUIRE_MSG(gc_set_int("DecimationVertical", 2, err, sizeof(err)), "%s", err);
	REQUIRE_MSG(max_fps("BayerRG8", 1920, 1080, &skip, err, sizeof(err)), "%s", err);
	reset_readout();
	CHECK_MSG(skip >= full, "Skipping 2X vertical %.3f fps < default %.3f fps at 1920x1080", skip, full);
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

	reset_readout();
	REQUIRE_MSG(max_fps("BayerRG8", 1920, 1080, &m, err, sizeof(err)), "%s", err);
	REQUIRE_MSG(gc_set_string("ExposureAuto", "Off", err, sizeof(err)), "%s", err);
	REQUIRE_MSG(gc_set_float("ExposureTime", 100.0, err, sizeof(err)), "%s", err);
	REQUIRE_MSG(gc_set_float("AcquisitionFrameRate", m, err, sizeof(err)), "%s", err);
	double set = 0;
	gc_get_float("AcquisitionFrameRate", &set, NULL, 0);
	uint64_t period = (uint64_t)llround(1e9 / set);
	REQUIRE_MSG(stream_open(&sr, C->x, &C->gc, C->sirm, C->dev.u3v.ep_stream, 8) == 0, "stream");
	REQUIRE_MSG(gc_execute("AcquisitionStart", err, sizeof(err)), "%s", err);
	while (n < 10 && stream_next(&sr, &f, 3000) == 0) {
		if (n && f->leader.block_id == prev_id + 1) {
			uint64_t dt = f->leader.timestamp - prev;
			bool ok = C->pattern ? dt == period : llabs((long long)(dt - period)) <= (long long)period / 200;
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

void suite_framerate_register(void)
{
	CU_pSuite s = CU_add_suite("framerate", NULL, NULL);

	CU_add_test(s, "manual_table", test_manual_table);
	CU_add_test(s, "monotonic_grid", test_monotonic_grid);
	CU_add_test(s, "skipping_not_slower", test_readout_modes_faster);
	CU_add_test(s, "timestamps_at_max", test_timestamps_at_max);
}
