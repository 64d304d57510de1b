/* SPDX-License-Identifier: MIT */
/* Processing of the natural scene (docs/image-pipeline.md section 3): black
 * level, white balance, gamma or LUT, hue and saturation. The per-pixel steps
 * up to the tone curve are folded into one 4096-entry table per colour,
 * rebuilt per frame, so a row costs one table lookup per pixel and no pow(). */
#ifndef DFK_SENSOR_ISP_H
#define DFK_SENSOR_ISP_H

#include <stdbool.h>
#include <stdint.h>

#include "sensor.h"

enum { ISP_R = 0, ISP_G = 1, ISP_B = 2 };

struct isp_frame {
	uint16_t lut[3][4096];    /* ADC value -> processed 12-bit raw value, per colour R, G, B */
	uint8_t ytone[256];       /* YUV formats: gamma/LUT on Y (scaled to 12 bits and back) */
	bool ytone_on;
	bool color;               /* hue or saturation away from their defaults (0, 64) */
	int32_t rgb[3][3];        /* Q12 RGB -> RGB: the chroma rotation and scaling in RGB terms */
	int32_t chroma[2][2];     /* Q12 (Cb-128, Cr-128) -> the same */
};

/* DFK_OK, or DFK_ERR_INVAL for processing settings out of their ranges (NaN, gamma <= 0, ...). */
int isp_check(const struct sensor_settings *st);
/* Builds the tables of one frame. tone_on_raw: gamma/LUT in the raw tables (Bayer and BGR8);
 * tone_on_y: in ytone instead (Mono8, YCbCr); neither: statistics (before gamma/LUT). */
void isp_prepare(struct isp_frame *f, const struct sensor_settings *st, bool tone_on_raw, bool tone_on_y);

/* ADC values -> processed raw values of one output row (row_blocks(n) entries). */
void isp_lut_row(const struct isp_frame *f, const uint16_t *adc, uint32_t n, unsigned odd_row, uint16_t *out);
/* Hue and saturation on 12-bit debayered RGB, in place. */
void isp_color_rgb_row(const struct isp_frame *f, uint16_t *r, uint16_t *g, uint16_t *b, uint32_t n);
/* Hue and saturation on debayered RGB, keeping of each pixel only its own Bayer colour (re-mosaic). */
void isp_remosaic_row(const struct isp_frame *f, const uint16_t *r, const uint16_t *g, const uint16_t *b,
		      uint32_t n, unsigned odd_row, uint16_t *out);
/* Hue and saturation on 8-bit Cb, Cr, in place. */
void isp_color_ycc_row(const struct isp_frame *f, uint8_t *cb, uint8_t *cr, uint32_t n);
/* Gamma/LUT on 8-bit Y, in place. */
void isp_ytone_row(const struct isp_frame *f, uint8_t *y, uint32_t n);

#endif
