/* SPDX-License-Identifier: MIT */
/* Auto exposure, auto gain and auto white balance (manual 5.3, 5.8, 5.11).
 *
 * They run once per frame, at exposure start, on statistics of the image the
 * current settings produce (measured through struct autofunc_ops) inside the
 * auto-functions region, and hand what they choose back through the ops: the
 * camera stores it in ExposureTime, Gain, BalanceRatio and
 * BalanceWhiteTemperature, which therefore read back the values in use.
 *   - exposure and gain: reach ExposureAutoReference (8-bit output scale);
 *     brighter: exposure first, then gain; darker: gain first (5.3: the camera
 *     keeps the gain low); each within its auto limits; halfway per frame;
 *   - highlight reduction: aim 15 % lower while more than 0.2 % of pixels clip;
 *   - white balance GrayWorld: channel ratios that make the region's mean grey;
 *     Temperature: estimate the light's colour temperature from the red/blue
 *     balance, within BalanceWhiteAutoPreset's range, and derive the ratios;
 *     Once: back to Off when balanced within 1 %. */
#ifndef DFK_AUTOFUNC_H
#define DFK_AUTOFUNC_H

#include <stdbool.h>
#include <stdint.h>

#include "../sensor/sensor.h"

enum autofunc_balance { AUTOFUNC_BALANCE_OFF, AUTOFUNC_BALANCE_ONCE, AUTOFUNC_BALANCE_CONTINUOUS };

/* AutoFunctionsROI_Preset (5.11.2); FULL for any entry that is not one of the others. */
enum autofunc_roi_preset {
	AUTOFUNC_ROI_FULL,
	AUTOFUNC_ROI_CENTER50,
	AUTOFUNC_ROI_CENTER25,
	AUTOFUNC_ROI_BOTTOM_HALF,
	AUTOFUNC_ROI_TOP_HALF,
	AUTOFUNC_ROI_CUSTOM,
};

/* The auto-function features, as the engine uses them. */
struct autofunc_settings {
	bool exposure_auto;                 /* ExposureAuto Continuous */
	bool gain_auto;                     /* GainAuto Continuous */
	enum autofunc_balance balance_auto; /* BalanceWhiteAuto */
	bool temperature_mode;              /* BalanceWhiteMode Temperature (else GrayWorld) */
	int64_t reference;                  /* ExposureAutoReference, 8-bit output scale */
	bool highlight_reduction;           /* ExposureAutoHighlightReduction */
	double exposure_min_us, exposure_max_us;   /* ExposureAutoLowerLimit, ExposureAutoUpperLimit */
	double gain_min_db, gain_max_db;           /* GainAutoLowerLimit, GainAutoUpperLimit */
	double kelvin_min, kelvin_max;      /* BalanceWhiteAutoPreset: temperatures the estimate may take */
	int64_t kelvin;                     /* BalanceWhiteTemperature */
	double ratio[3];                    /* BalanceRatio R, G, B as stored */
	double ratio_min, ratio_max;        /* BalanceRatio's range */
	bool roi_enable;                    /* AutoFunctionsROIEnable */
	enum autofunc_roi_preset roi_preset;
	struct sensor_roi roi_custom;       /* AutoFunctionsROILeft/Top/Width/Height */
	uint32_t width, height;             /* the output image */
};

/* What the auto functions ask of the camera around them. */
struct autofunc_ops {
	/* Statistics of the image `st` produces, inside `roi`. Returns 0 or a negative dfk_err. */
	int (*measure)(void *ctx, const struct sensor_settings *st, const struct sensor_roi *roi,
		       struct sensor_stats *out);
	/* Values chosen for the frame about to expose. */
	void (*set_exposure)(void *ctx, double us);
	void (*set_gain)(void *ctx, double db);
	void (*set_ratios)(void *ctx, const double ratio[3]);
	void (*set_kelvin)(void *ctx, int64_t kelvin);
	/* BalanceWhiteAuto Once has balanced: it is Off from now on. */
	void (*balance_done)(void *ctx);
};

struct autofunc {
	const struct autofunc_ops *ops;
	void *ops_ctx;
	struct autofunc_settings set;
};

void autofunc_init(struct autofunc *af, const struct autofunc_ops *ops, void *ops_ctx);
void autofunc_configure(struct autofunc *af, const struct autofunc_settings *set);
/* Any of auto exposure, auto gain, auto white balance on. */
bool autofunc_active(const struct autofunc *af);
/* Run the auto functions that are on, for a frame about to expose with `frame`. */
void autofunc_frame(struct autofunc *af, const struct sensor_settings *frame);
/* The region the auto functions look at, in output-image pixels: the preset's
 * (or the custom rectangle, clamped to the image) when AutoFunctionsROIEnable
 * is True, else the whole image (5.11). */
void autofunc_roi(const struct autofunc_settings *s, struct sensor_roi *roi);
/* The preset's rectangle, whether or not it is enabled. */
void autofunc_preset_roi(const struct autofunc_settings *s, struct sensor_roi *roi);
/* White balance ratios in effect (R, G, B): the BalanceRatio values, or the ones the
 * BalanceWhiteTemperature implies in Temperature mode. */
void autofunc_ratios(const struct autofunc_settings *s, double ratio[3]);

#endif
