/* SPDX-License-Identifier: MIT */
#include "framerate.h"

#include <math.h>

uint64_t framerate_sensor_ns(const struct sensor_timing *t, const struct readout *r)
{
	/* Binning merges rows and columns after reading them; skipping does not read them. */
	uint64_t rows = (uint64_t)r->height * r->binning_v;
	uint64_t cols = (uint64_t)r->width * r->binning_h;
	uint64_t row_ps = (uint64_t)t->row_ns * 1000 + cols * t->row_per_col_ps;

	return t->frame_overhead_ns + (rows * row_ps + 500) / 1000;
}

uint64_t framerate_link_ns(const struct sensor_timing *t, const struct readout *r)
{
	double rate = t->link_bytes_per_s;
	double bytes = (double)r->width * r->height * r->bits_per_pixel / 8.0;

	for (unsigned i = 0; i < t->n_format_link; i++)
		if (t->format_link[i].pfnc == r->pfnc)
			rate = t->format_link[i].bytes_per_s;
	return (uint64_t)ceil(bytes / rate * 1e9);
}

uint64_t framerate_min_period_ns(const struct sensor_timing *t, const struct readout *r)
{
	uint64_t s = framerate_sensor_ns(t, r), l = framerate_link_ns(t, r);

	return s > l ? s : l;
}

double framerate_max_fps(const struct sensor_timing *t, const struct readout *r)
{
	return 1e9 / (double)framerate_min_period_ns(t, r);
}

uint64_t framerate_period_ns(const struct sensor_timing *t, const struct readout *r, double fps, uint64_t exposure_ns)
{
	uint64_t p = (uint64_t)llround(1e9 / fps), min = framerate_min_period_ns(t, r);

	if (p < min)
		p = min;
	if (exposure_ns + t->exposure_gap_ns > p)
		p = exposure_ns + t->exposure_gap_ns;
	return p;
}
