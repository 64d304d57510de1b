/* SPDX-License-Identifier: MIT */
/* The synthetic sensor and image pipeline: renders the payload of one frame
 * for a pixel format, region, readout mode and processing settings, as
 * docs/image-pipeline.md specifies (the conformance suite recomputes test
 * pattern frames from that document, independently of this code).
 *
 * Rendering works row by row on 12-bit values and must be fast: a 4096x2160
 * BayerRG8 test-pattern frame in a few milliseconds on one core. */
#ifndef DFK_SENSOR_H
#define DFK_SENSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SENSOR_WIDTH  4096
#define SENSOR_HEIGHT 2160

/* The sensor's colour filter array. */
enum sensor_cfa {
	SENSOR_CFA_BAYER_RG = 0,     /* colour: R at (even, even), B at (odd, odd), G elsewhere */
	SENSOR_CFA_NONE = 1,         /* monochrome: every pixel sees all visible light */
};

enum sensor_source {
	SENSOR_SOURCE_PATTERN = 0,   /* "ramp" test pattern, bit-exact, bypasses processing */
	SENSOR_SOURCE_SCENE = 1,     /* natural scene through the whole pipeline */
};

/* Everything one frame depends on. */
struct sensor_settings {
	/* geometry, in the readout mode's pixel grid */
	uint32_t width, height, offset_x, offset_y;
	bool reverse_x, reverse_y;
	uint32_t decimation_h, decimation_v;   /* 1 or 2 */
	uint32_t binning_h, binning_v;         /* 1 or 2 (both together) */
	enum sensor_cfa cfa;
	uint32_t pfnc;                         /* a format of docs/image-pipeline.md section 5 this sensor has */
	/* source */
	enum sensor_source source;
	uint32_t seed;
	uint64_t block_id;
	uint64_t exposure_start_ns;            /* device time: moves the scene's shapes */
	/* sensor and processing (scene only); a sensor without a colour filter has no white
	 * balance, hue or saturation: those must stay neutral (1, 0, 64) */
	double exposure_us;
	double gain_db;
	uint32_t black_level;                  /* 12-bit ADC counts */
	double balance_ratio[3];               /* R, G, B; 0 .. 3.984375 */
	double gamma;                          /* 0.01 .. 5 */
	bool lut_enable;
	uint16_t lut[257];
	int hue_deg;                           /* -180 .. 180 */
	uint32_t saturation;                   /* 0 .. 255, 64 = unchanged */
	/* the light falling on the scene */
	double light_level;                    /* 1.0 = nominal office light */
	double color_temperature_k;            /* 2500 .. 10000 */
	bool scene_still;                      /* moving shapes held where they are at time 0 */
};

/* Measurements auto exposure, auto gain and auto white balance act on, taken
 * on a sparse grid of the output image region (after gain, black level and
 * white balance, before gamma/LUT), 12-bit scale. */
struct sensor_stats {
	double mean[3];                        /* R, G, B */
	double luma;                           /* (R + 2G + B) / 4 */
	double saturated_fraction;             /* pixels at full scale */
	uint32_t samples;
};

struct sensor_roi {
	uint32_t left, top, width, height;     /* in output image pixels */
};

struct sensor;

struct sensor *sensor_new(void);
void sensor_free(struct sensor *s);
/* Payload bytes of a frame with these settings (W * H * bits / 8). 0 for an unknown format. */
size_t sensor_payload_size(const struct sensor_settings *st);
/* Renders the payload into out[0..out_len). Returns 0, or DFK_ERR_INVAL (bad settings) /
 * DFK_ERR_RANGE (out_len too small). */
int sensor_render(struct sensor *s, const struct sensor_settings *st, uint8_t *out, size_t out_len);
/* Bytes of one row of the payload (0 for an unknown format). */
size_t sensor_row_bytes(const struct sensor_settings *st);
/* Renders output rows [y0, y1) into out (row y0 first, out_len at least (y1 - y0) rows), for a
 * frame rendered in strips: the same bytes as sensor_render. Successive calls for the same
 * settings continue cheaply; another frame or a measurement in between costs a new set-up.
 * `st` must stay as it is between the calls of one frame. */
int sensor_render_rows(struct sensor *s, const struct sensor_settings *st, uint32_t y0, uint32_t y1, uint8_t *out,
		       size_t out_len);
/* sensor_render_rows for a test-pattern frame whose complete predecessor `prev` (rendered for
 * `prev_st`, the same geometry) is at hand: rows that are its rows shifted (every row but the
 * first, the last and the new ones at the bottom, when the readout steps evenly) are copied
 * from it, *copied saying how many bytes; anything else is rendered. Same bytes as sensor_render. */
int sensor_render_rows_from(struct sensor *s, const struct sensor_settings *st, uint32_t y0, uint32_t y1,
			    uint8_t *out, size_t out_len, const struct sensor_settings *prev_st, const uint8_t *prev,
			    size_t *copied);
/* A test-pattern frame in a raw format as a slice of a strip shared with the other frames of
 * the same geometry (the pattern's rows repeat, shifted, from frame to frame): its bytes are
 * (*strip)->data[*offset ..][0 .. sensor_payload_size(st)), the same as sensor_render's.
 * Returns DFK_OK with a new reference in *strip and the bytes it had to render in *rendered;
 * DFK_ERR_NOTSUP when the frame is no such slice (another source or format, uneven rows):
 * render it then; DFK_ERR_NOMEM. */
struct blob;
int sensor_pattern_slice(struct sensor *s, const struct sensor_settings *st, struct blob **strip, size_t *offset,
			 size_t *rendered);
/* Statistics of the frame these settings would produce, in `roi` (NULL = whole image). */
int sensor_measure(struct sensor *s, const struct sensor_settings *st, const struct sensor_roi *roi,
		   struct sensor_stats *out);
/* Relative R, G, B signal of a grey target under a black body of `kelvin`
 * (G = 1; all 1 at the sensor's neutral temperature). The camera's white
 * balance uses the same physics as the scene. */
void sensor_light_colour(double kelvin, double rgb[3]);
/* Defaults: Bayer sensor, neutral processing, full frame BayerRG8, pattern source. */
void sensor_settings_default(struct sensor_settings *st);

#endif
