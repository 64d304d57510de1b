/* Auto exposure, auto gain and auto white balance (manual 5.3, 5.8, 5.11).
 *
 * They run once per frame, at exposure start, on statistics of the image the
 * current settings produce (sensor_measure) inside the auto-functions region,
 * and write what they choose into ExposureTime, Gain, BalanceRatio and
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

#include <stdint.h>

#include "../sensor/sensor.h"

struct camera;

/* Run the auto functions that are on, for a frame about to start exposing. */
void autofunc_frame(struct camera *cam);
/* The region the auto functions look at, in output-image pixels: the preset's
 * (or the custom rectangle, clamped to the image) when AutoFunctionsROIEnable
 * is True, else the whole image (5.11). */
void autofunc_roi(struct camera *cam, struct sensor_roi *roi);
/* The preset's rectangle, whether or not it is enabled. */
void autofunc_preset_roi(struct camera *cam, struct sensor_roi *roi);
/* White balance ratios in effect (R, G, B): the BalanceRatio values, or the ones the
 * BalanceWhiteTemperature implies in Temperature mode. */
void autofunc_ratios(struct camera *cam, double ratio[3]);
/* The ratios that neutralise light of this colour temperature. */
void autofunc_ratios_for_kelvin(double kelvin, double ratio[3]);

#endif
