/* SPDX-License-Identifier: MIT */
/* Frame-rate model: the shortest frame period the sensor and the USB link
 * allow for a pixel format, region and readout mode (see struct sensor_timing). */
#ifndef DFK_FRAMERATE_H
#define DFK_FRAMERATE_H

#include <stdint.h>

#include "../../models/model.h"

struct readout {
	uint32_t width, height;            /* output image */
	uint32_t binning_h, binning_v;     /* 1 or 2 */
	uint32_t decimation_h, decimation_v;
	uint32_t pfnc;
	uint32_t bits_per_pixel;
};

/* Sensor readout time of one frame, ns. */
uint64_t framerate_sensor_ns(const struct sensor_timing *t, const struct readout *r);
/* Link time of one frame's payload, ns. */
uint64_t framerate_link_ns(const struct sensor_timing *t, const struct readout *r);
/* Shortest free-running period, ns (max of the two). */
uint64_t framerate_min_period_ns(const struct sensor_timing *t, const struct readout *r);
/* AcquisitionFrameRate maximum, Hz. */
double framerate_max_fps(const struct sensor_timing *t, const struct readout *r);
/* Period actually used: the configured rate, stretched by a long exposure. */
uint64_t framerate_period_ns(const struct sensor_timing *t, const struct readout *r, double fps, uint64_t exposure_ns);

#endif
