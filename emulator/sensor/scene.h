/* SPDX-License-Identifier: MIT */
/* The natural scene (docs/image-pipeline.md section 4): a static background
 * (gradients, a 24-patch colour checker, a grey wedge, line targets and a
 * Siemens star) computed once per sensor object, plus moving shapes placed by
 * the device time of exposure start, lit by a light of a chosen colour
 * temperature and level, turned into electrons with photon and read noise,
 * amplified and digitised to 12 bits. Not bit-exact, but deterministic for a
 * given (seed, block_id) and settings.
 *
 * Radiance is kept as 12-bit levels per sensor pixel for the pixel's own Bayer
 * colour, or on a sensor without a colour filter for all visible light
 * (R + 2G + B) / 4 (RADIANCE_ONE = reflectance 1 in nominal light, up to
 * reflectance 2 for highlights). Per frame, a table per colour maps a level to the mean and
 * the noise sigma in ADC counts; the noise itself comes from a table of
 * standard normal values read at a per-row offset hashed from seed, block id
 * and sensor row, so it costs one load per pixel and no random generator. */
#ifndef DFK_SENSOR_SCENE_H
#define DFK_SENSOR_SCENE_H

#include <stdbool.h>
#include <stdint.h>

#include "readout.h"
#include "sensor.h"

#define SCENE_RADIANCE_ONE 2047.5f
#define SCENE_NOISE_LEN    65536            /* power of two: row offsets are masked */
#define SCENE_SHAPES       3

struct scene {
	enum sensor_cfa cfa;  /* the colour filter the radiance was built for */
	uint16_t *radiance;   /* [SENSOR_HEIGHT][SENSOR_WIDTH], NULL until first needed */
	float *noise;         /* SCENE_NOISE_LEN + SENSOR_WIDTH standard normal values */
};

/* A moving shape: a disc or a rectangle, with a radiance level per colour. */
struct scene_shape {
	bool disc;
	double cx, cy, r;          /* disc, sensor pixels */
	int32_t x0, y0, x1, y1;    /* rectangle [x0, x1) x [y0, y1) */
	uint16_t level[3];
};

/* What one frame needs beyond the static background. */
struct scene_frame {
	struct scene_level {
		float mean, sigma;     /* ADC counts */
	} level[3][4096];          /* per colour R, G, B (all three the same without a colour filter) and level */
	float full;                /* ADC saturation: 4095, or the full well if that is lower */
	uint64_t noise_key;        /* from seed and block id */
	struct scene_shape shape[SCENE_SHAPES];
};

/* Scratch rows of scene_adc_row. */
struct scene_scratch {
	uint16_t rad[ROW_ALLOC];
};

/* DFK_OK, or DFK_ERR_INVAL for exposure, gain or light settings that are not numbers in range. */
int scene_check(const struct sensor_settings *st);
/* Builds the background (for a sensor with colour filter `cfa`) and the noise table the
 * first time, and the background again when `cfa` changes. DFK_OK or DFK_ERR_NOMEM. */
int scene_ensure(struct scene *sc, enum sensor_cfa cfa);
void scene_free(struct scene *sc);
/* Fills `fr` for a frame with these settings. */
void scene_prepare(struct scene_frame *fr, const struct sensor_settings *st);
/* ADC values (12-bit, before black level) of one output row: row_blocks(rs->n) entries,
 * binned rows averaged as section 2 says. */
void scene_adc_row(const struct scene *sc, const struct scene_frame *fr, const struct row_src *rs,
		   struct scene_scratch *tmp, uint16_t *out);

#endif
