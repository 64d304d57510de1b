/* SPDX-License-Identifier: MIT */
/* rule_table: every rule of fixtures/dfk38ux267/rules.ini (manual section 5),
 * in the file's order, with the tests whose assertions check it.
 *
 * A test is listed only where its code asserts what the rule's check= line
 * expects (read, not guessed from its name). Where that holds only under a
 * condition the note says so; the conditions are:
 *  - "--expect-pattern": byte-for-byte frame comparison, possible only with a
 *    device showing dfk-emu's test pattern (stream suite); without it the
 *    stream tests check sizes, leader/trailer fields and timing only;
 *  - the trigger, strobe and imaging suites need the I/O rig (--io) and skip
 *    without one; imaging also drives the emulator's scene through it.
 * Suites that check the protocols or docs/faults.md rather than the manual
 * (usbip, descriptors, gencp, bootstrap, genicam, faults) name no rule. */
#include "rules.h"

#include <string.h>

#define PATTERN_PIXELS "pixels compared with the manual-derived pattern only with --expect-pattern"

const struct rule_cover rule_table[] = {
	/* ---------------------------------------------------------------- 5.1.1 Pixel Format */
	{ "pixel-format-bandwidth", "5.1.1", RULE_CHECKED,
	  { "framerate/bits_per_pixel_order", "framerate/manual_table" }, NULL },
	{ "pixel-format-feature", "5.1.1", RULE_CHECKED,
	  { "features/present_and_typed", "features/enum_entries", "stream/BayerRG8", "stream/BayerRG12p",
	    "stream/BayerRG16", "stream/YCbCr422_8", "stream/YCbCr411_8", "stream/YCbCr411_8_CbYYCrYY", "stream/BGR8",
	    "stream/Mono8" },
	  "the feature is PixelFormat (SFNC), the manual's prose says PixelFormatGenICam (docs/manual-quirks.md 5)" },
	{ "pixel-format-list", "5.1.1", RULE_CHECKED, { "features/enum_entries" }, NULL },
	{ "bayer8-one-byte", "5.1.1.1", RULE_CHECKED, { "stream/BayerRG8" }, NULL },
	{ "bayer12p-packing", "5.1.1.2", RULE_CHECKED, { "stream/BayerRG12p" },
	  "payload size always; the packing of pixel pairs only with --expect-pattern" },
	{ "bayer16-two-bytes", "5.1.1.3", RULE_CHECKED, { "stream/BayerRG16" }, NULL },
	{ "bayer16-msb-aligned", "5.1.1.3", RULE_CHECKED, { "stream/BayerRG16" }, NULL },
	{ "yuv422-layout", "5.1.1.4", RULE_CHECKED, { "stream/YCbCr422_8" },
	  "payload size always; the Y/Cb/Cr layout only with --expect-pattern" },
	{ "yuv422-bandwidth", "5.1.1.4", RULE_CHECKED, { "stream/YCbCr422_8", "framerate/bits_per_pixel_order" }, NULL },
	{ "yuv411-layout", "5.1.1.5", RULE_CHECKED, { "stream/YCbCr411_8", "stream/YCbCr411_8_CbYYCrYY" },
	  "payload size always; the Y/Cb/Cr layout only with --expect-pattern" },
	{ "yuv411-byte-order-only", "5.1.1.5", RULE_CHECKED,
	  { "stream/YCbCr411_8", "stream/YCbCr411_8_CbYYCrYY", "framerate/bits_per_pixel_order" },
	  "equal payload sizes and maximum frame rates always; the same bytes in the other order only with "
	  "--expect-pattern" },
	{ "yuv411-bandwidth", "5.1.1.5", RULE_CHECKED,
	  { "stream/YCbCr411_8", "stream/YCbCr411_8_CbYYCrYY", "framerate/bits_per_pixel_order" }, NULL },
	{ "rgb24-bandwidth", "5.1.1.6", RULE_CHECKED, { "stream/BGR8", "framerate/bits_per_pixel_order" }, NULL },
	{ "mono8-luminance", "5.1.1.7", RULE_CHECKED, { "stream/Mono8" },
	  "payload size always; luminance rather than a Bayer mosaic only with --expect-pattern" },

	/* ---------------------------------------------------------------- 5.1.2 Resolution */
	{ "resolution-size-bandwidth", "5.1.2", RULE_CHECKED,
	  { "stream/BayerRG8", "stream/BayerRG12p", "stream/BayerRG16", "stream/YCbCr422_8", "stream/YCbCr411_8",
	    "stream/YCbCr411_8_CbYYCrYY", "stream/BGR8", "stream/Mono8", "stream/full_resolution" },
	  NULL },
	{ "resolution-lower-faster", "5.1.2", RULE_CHECKED, { "framerate/monotonic_grid" }, NULL },
	{ "resolution-vertical-dominates", "5.1.2", RULE_CHECKED, { "framerate/vertical_dominates" }, NULL },
	{ "resolution-features", "5.1.2", RULE_CHECKED,
	  { "stream/BayerRG8", "stream/full_resolution", "features/ranges", "features/out_of_range_refused" }, NULL },

	/* ---------------------------------------------------------------- 5.1.3 Readout Modes */
	{ "readout-default-all-pixels", "5.1.3", RULE_CHECKED, { "dependencies/readout_modes_list" }, NULL },
	{ "readout-skipping-fov", "5.1.3", RULE_CHECKED, { "stream/readout_modes", "dependencies/readout_modes_list" },
	  "the halved maximum always; the full field of view (which sensor pixels are read) only with "
	  "--expect-pattern" },
	{ "readout-binning-merge", "5.1.3", RULE_CHECKED, { "stream/readout_modes" },
	  "the halved maxima always; the 2x2 average only with --expect-pattern" },
	{ "readout-skipping-faster", "5.1.3", RULE_CHECKED, { "framerate/skipping_not_slower" }, NULL },
	{ "readout-features", "5.1.3", RULE_CHECKED, { "features/present_and_typed" }, NULL },
	{ "readout-modes-list", "5.1.3", RULE_CHECKED, { "dependencies/readout_modes_list", "stream/readout_modes" },
	  NULL },

	/* ---------------------------------------------------------------- 5.1.4 Frame Rate */
	{ "framerate-feature", "5.1.4", RULE_CHECKED, { "stream/BayerRG8", "framerate/timestamps_at_max" },
	  "the rate is measured on leader timestamps (device time), to the nanosecond with --expect-pattern, else "
	  "to 1 %" },
	{ "framerate-depends", "5.1.4", RULE_CHECKED,
	  { "dependencies/framerate_follows_limits", "framerate/skipping_not_slower", "framerate/monotonic_grid" },
	  "the maximum's dependence is checked; the manual gives no minimum frame rate to check" },
	{ "framerate-tables", "5.1.4", RULE_CHECKED, { "framerate/manual_table" }, NULL },

	/* ---------------------------------------------------------------- 5.1.5 Partial Scan Offset */
	{ "offset-when-smaller", "5.1.5", RULE_CHECKED, { "stream/roi_offsets_flips", "dependencies/offset_clamp" },
	  "the offsets in the leader always; the shifted image content only with --expect-pattern" },
	{ "offset-default-centre", "5.1.5", RULE_CHECKED, { "dependencies/offset_auto_center", "features/factory_defaults" },
	  NULL },
	{ "offset-clamp", "5.1.5", RULE_CHECKED, { "dependencies/offset_clamp", "features/out_of_range_refused" }, NULL },
	{ "offset-autocenter-on", "5.1.5", RULE_CHECKED, { "dependencies/offset_auto_center" }, NULL },
	{ "offset-autocenter-off", "5.1.5", RULE_CHECKED, { "dependencies/offset_clamp", "stream/roi_offsets_flips" },
	  NULL },

	/* ---------------------------------------------------------------- 5.1.6 Image Flipping */
	{ "flip-both", "5.1.6", RULE_CHECKED, { "stream/roi_offsets_flips" }, PATTERN_PIXELS },
	{ "flip-horizontal", "5.1.6", RULE_CHECKED, { "stream/roi_offsets_flips" }, PATTERN_PIXELS },
	{ "flip-vertical", "5.1.6", RULE_CHECKED, { "stream/roi_offsets_flips" }, PATTERN_PIXELS },

	/* ---------------------------------------------------------------- 5.2 Image Sensor Control */
	{ "exposure-time-shutter", "5.2.1", RULE_CHECKED,
	  { "imaging/exposure_scales_signal", "strobe/active_high_follows_exposure" }, NULL },
	{ "gain-amplification", "5.2.2", RULE_CHECKED, { "imaging/gain_amplifies" }, NULL },
	{ "black-level", "5.2.3", RULE_CHECKED, { "imaging/black_level", "features/factory_defaults" }, NULL },

	/* ---------------------------------------------------------------- 5.3 Automatic Exposure and Gain */
	{ "auto-exposure-gain-default-on", "5.3", RULE_CHECKED,
	  { "features/factory_defaults", "usersets/default_slot_read_only" }, NULL },
	{ "auto-roi-available", "5.3", RULE_CHECKED, { "imaging/auto_roi" }, NULL },
	{ "auto-limits-respected", "5.3", RULE_CHECKED, { "imaging/auto_limits", "imaging/auto_prefers_low_gain" }, NULL },
	{ "auto-both-prefer-low-gain", "5.3", RULE_CHECKED, { "imaging/auto_prefers_low_gain" }, NULL },
	{ "auto-exposure-values", "5.3.1", RULE_CHECKED, { "imaging/auto_values_follow_scene" }, NULL },
	{ "auto-gain-values", "5.3.2", RULE_CHECKED, { "imaging/auto_gain_follows_scene" }, NULL },
	{ "auto-reference", "5.3.3", RULE_CHECKED, { "imaging/auto_reference" }, NULL },
	{ "highlight-reduction", "5.3.4", RULE_CHECKED, { "imaging/highlight_reduction" }, NULL },
	{ "highlight-reduction-off", "5.3.4", RULE_CHECKED, { "imaging/highlight_reduction" }, NULL },
	{ "auto-exposure-lower-limit", "5.3.5", RULE_CHECKED, { "imaging/auto_limits" }, NULL },
	{ "auto-exposure-upper-limit", "5.3.5", RULE_CHECKED, { "imaging/auto_limits" }, NULL },
	{ "auto-exposure-upper-limit-auto", "5.3.5", RULE_CHECKED, { "dependencies/exposure_upper_limit_auto" }, NULL },
	{ "auto-exposure-upper-limit-auto-off", "5.3.5", RULE_CHECKED, { "dependencies/exposure_upper_limit_auto" },
	  NULL },
	{ "auto-gain-lower-limit", "5.3.6", RULE_CHECKED, { "imaging/auto_limits" }, NULL },
	{ "auto-gain-upper-limit", "5.3.6", RULE_CHECKED, { "imaging/auto_limits" }, NULL },

	/* ---------------------------------------------------------------- 5.4 Trigger */
	{ "trigger-mode", "5.4.1", RULE_CHECKED, { "trigger/trigger_mode_off", "trigger/burst_frame_count" }, NULL },
	{ "trigger-activation", "5.4.2", RULE_CHECKED, { "trigger/trigger_activation_edges" }, NULL },
	{ "software-trigger-one-image", "5.4.3", RULE_CHECKED,
	  { "trigger/software_trigger_not_delayed", "trigger/trigger_source" },
	  "one exposure per TriggerSoftware in the device's event log; delivery of triggered frames is checked for "
	  "line triggers (trigger/triggered_frames_delivered)" },
	{ "trigger-exposure-mode-default", "5.4.4", RULE_CHECKED,
	  { "features/factory_defaults", "strobe/active_high_follows_exposure" }, NULL },
	{ "trigger-exposure-active", "5.4.4", RULE_CHECKED, { "trigger/exposure_active_pulse_width" }, NULL },
	{ "trigger-burst", "5.4.5", RULE_CHECKED, { "trigger/burst_frame_count" }, NULL },
	{ "trigger-burst-default", "5.4.5", RULE_CHECKED,
	  { "features/factory_defaults", "trigger/software_trigger_not_delayed" }, NULL },
	{ "trigger-burst-rate", "5.4.5", RULE_CHECKED, { "trigger/burst_frame_count" }, NULL },
	{ "trigger-source", "5.4.6", RULE_CHECKED, { "trigger/trigger_source" }, NULL },
	{ "trigger-overlap-info", "5.4.7", RULE_CHECKED, { "features/present_and_typed", "features/enum_entries" }, NULL },
	{ "trigger-overlap-off", "5.4.7", RULE_CHECKED, { "trigger/trigger_overlap_off" }, NULL },
	{ "trigger-overlap-readout", "5.4.7", RULE_CHECKED, { "trigger/trigger_overlap_readout" }, NULL },
	{ "imx-low-latency-true", "5.4.8", RULE_CHECKED,
	  { "trigger/low_latency_on_exact_delay", "trigger/trigger_delay", "trigger/trigger_activation_edges" }, NULL },
	{ "imx-low-latency-false", "5.4.8", RULE_CHECKED, { "trigger/low_latency_off_adds_delay" }, NULL },
	{ "imx-low-latency-forces-overlap-off", "5.4.8", RULE_CHECKED, { "trigger/low_latency_forces_overlap_off" },
	  NULL },

	/* ---------------------------------------------------------------- 5.5 Trigger Timing Parameters */
	{ "trigger-filters-ignore-pulses", "5.5", RULE_CHECKED,
	  { "trigger/triggered_frames_delivered", "trigger/trigger_debouncer", "trigger/trigger_mask",
	    "trigger/trigger_denoise" },
	  NULL },
	{ "trigger-timing-defaults-zero", "5.5", RULE_CHECKED, { "features/factory_defaults" }, NULL },
	{ "trigger-delay", "5.5.1", RULE_CHECKED, { "trigger/trigger_delay", "trigger/low_latency_on_exact_delay" },
	  NULL },
	{ "software-trigger-not-delayed", "5.5.1", RULE_CHECKED, { "trigger/software_trigger_not_delayed" }, NULL },
	{ "trigger-debounce", "5.5.2", RULE_CHECKED, { "trigger/trigger_debouncer" }, NULL },
	{ "trigger-mask", "5.5.3", RULE_CHECKED, { "trigger/trigger_mask" }, NULL },
	{ "trigger-denoise", "5.5.4", RULE_CHECKED, { "trigger/trigger_denoise" }, NULL },

	/* ---------------------------------------------------------------- 5.6 Digital I/O */
	{ "gpi-shares-trigger-in", "5.6", RULE_CHECKED,
	  { "strobe/gpi_reads_trigger_in", "trigger/trigger_activation_edges" }, NULL },
	{ "gpo-is-strobe-pin", "5.6", RULE_CHECKED,
	  { "strobe/gpout_drives_strobe_out", "strobe/active_high_follows_exposure" }, NULL },
	{ "gpi-reads-trigger-in", "5.6.1", RULE_CHECKED, { "strobe/gpi_reads_trigger_in", "features/read_only_refused" },
	  NULL },
	{ "gpi-true-is-low", "5.6.1", RULE_CHECKED, { "strobe/gpi_reads_trigger_in" }, NULL },
	{ "gpo-drives-strobe-out", "5.6.2", RULE_CHECKED, { "strobe/gpout_drives_strobe_out" }, NULL },

	/* ---------------------------------------------------------------- 5.7 Strobe */
	{ "strobe-synced-to-exposure", "5.7", RULE_CHECKED,
	  { "strobe/active_high_follows_exposure", "strobe/fixed_duration_and_delay" }, NULL },
	{ "strobe-enable", "5.7.1", RULE_CHECKED, { "strobe/strobe_disabled", "strobe/active_high_follows_exposure" },
	  NULL },
	{ "strobe-polarity-invert", "5.7.2", RULE_CHECKED,
	  { "strobe/active_high_follows_exposure", "strobe/active_low_inverts" }, NULL },
	{ "strobe-active-high", "5.7.2", RULE_CHECKED, { "strobe/active_high_follows_exposure" }, NULL },
	{ "strobe-active-low", "5.7.2", RULE_CHECKED, { "strobe/active_low_inverts" }, NULL },
	{ "strobe-operation-exposure", "5.7.3", RULE_CHECKED,
	  { "strobe/active_high_follows_exposure", "strobe/exposure_pulse_follows_auto_exposure" }, NULL },
	{ "strobe-operation-fixed", "5.7.3", RULE_CHECKED, { "strobe/fixed_duration_and_delay" }, NULL },
	{ "strobe-duration", "5.7.4", RULE_CHECKED,
	  { "strobe/fixed_duration_and_delay", "strobe/active_high_follows_exposure" }, NULL },
	{ "strobe-delay", "5.7.5", RULE_CHECKED, { "strobe/fixed_duration_and_delay" },
	  "with StrobeOperation FixedDuration" },

	/* ---------------------------------------------------------------- 5.8 White Balance */
	{ "wb-digital-multiplication", "5.8", RULE_CHECKED, { "imaging/wb_multiplies_raw" }, NULL },
	{ "wb-continuous", "5.8.1", RULE_CHECKED, { "imaging/wb_grayworld" }, NULL },
	{ "wb-once-procedure", "5.8.1", RULE_CHECKED, { "features/enum_entries", "imaging/wb_once" }, NULL },
	{ "wb-once-holds", "5.8.1", RULE_CHECKED, { "imaging/wb_once" }, NULL },
	{ "wb-once-until-balanced", "5.8.1", RULE_CHECKED, { "imaging/wb_once" }, NULL },
	{ "wb-off", "5.8.1", RULE_CHECKED, { "imaging/wb_once" }, NULL },
	{ "wb-mode-default-grayworld", "5.8.2", RULE_CHECKED, { "features/factory_defaults" }, NULL },
	{ "wb-grayworld", "5.8.2", RULE_CHECKED, { "imaging/wb_grayworld", "imaging/wb_grayworld_factory_black_level" },
	  NULL },
	{ "wb-temperature-mode", "5.8.2", RULE_CHECKED, { "imaging/wb_temperature_auto" }, NULL },
	{ "wb-auto-preset-limits", "5.8.2", RULE_CHECKED, { "imaging/wb_temperature_auto" }, NULL },
	{ "wb-auto-preset-any", "5.8.2", RULE_CHECKED, { "imaging/wb_temperature_auto" }, NULL },
	{ "wb-auto-preset-warm-white", "5.8.2", RULE_CHECKED, { "imaging/wb_temperature_auto" }, NULL },
	{ "wb-auto-preset-cool-white", "5.8.2", RULE_CHECKED, { "imaging/wb_temperature_auto" }, NULL },
	{ "wb-auto-preset-daylight", "5.8.2", RULE_CHECKED, { "imaging/wb_temperature_auto" }, NULL },
	{ "wb-auto-preset-deep-shade", "5.8.2", RULE_CHECKED, { "imaging/wb_temperature_auto" }, NULL },
	{ "wb-manual-only-when-auto-off", "5.8.3", RULE_CHECKED,
	  { "dependencies/wb_manual_only_when_auto_off", "imaging/wb_multiplies_raw" }, NULL },
	{ "wb-temperature-direct", "5.8.3", RULE_CHECKED, { "dependencies/wb_temperature_presets" },
	  "the effect is seen on the BalanceRatio values the temperature implies, not on pictures" },
	{ "wb-temperature-presets", "5.8.3", RULE_CHECKED,
	  { "dependencies/wb_temperature_presets", "features/enum_entries" }, NULL },
	{ "wb-preset-sodium-vapor", "5.8.3", RULE_CHECKED,
	  { "dependencies/wb_temperature_presets", "features/enum_entries" }, NULL },
	{ "wb-preset-warm-light", "5.8.3", RULE_CHECKED, { "dependencies/wb_temperature_presets", "features/enum_entries" },
	  NULL },
	{ "wb-preset-halogen", "5.8.3", RULE_CHECKED, { "dependencies/wb_temperature_presets", "features/enum_entries" },
	  NULL },
	{ "wb-preset-neutral-white", "5.8.3", RULE_CHECKED,
	  { "dependencies/wb_temperature_presets", "features/enum_entries" }, NULL },
	{ "wb-preset-cool-white-fluorescent", "5.8.3", RULE_CHECKED,
	  { "dependencies/wb_temperature_presets", "features/enum_entries" }, NULL },
	{ "wb-preset-cool-white-daylight-cfl", "5.8.3", RULE_CHECKED,
	  { "dependencies/wb_temperature_presets", "features/enum_entries" }, NULL },
	{ "wb-preset-daylight", "5.8.3", RULE_CHECKED, { "dependencies/wb_temperature_presets", "features/enum_entries" },
	  NULL },
	{ "wb-preset-cool-white-led", "5.8.3", RULE_CHECKED,
	  { "dependencies/wb_temperature_presets", "features/enum_entries" }, NULL },
	{ "wb-preset-blue-sky", "5.8.3", RULE_CHECKED, { "dependencies/wb_temperature_presets", "features/enum_entries" },
	  NULL },

	/* ---------------------------------------------------------------- 5.9 Image Processing */
	{ "gamma-yuv-y-only", "5.9.1", RULE_CHECKED, { "imaging/gamma_y_only" },
	  "YCbCr422_8 only; the 4:1:1 formats are not measured" },
	{ "gamma-raw-rgb-all-channels", "5.9.1", RULE_CHECKED, { "imaging/gamma_all_channels" },
	  "every channel is corrected in BGR8 and BayerRG8; that the curve is the same for all three is not measured" },
	{ "lut-yuv-y-only", "5.9.2", RULE_CHECKED, { "imaging/lut_applies" }, "YCbCr422_8 only" },
	{ "lut-raw-rgb-all-channels", "5.9.2", RULE_CHECKED, { "imaging/lut_applies" },
	  "BayerRG8 and BGR8; the 12- and 16-bit Bayer formats are not measured" },
	{ "lut-size", "5.9.2", RULE_CHECKED, { "dependencies/lut_registers", "features/ranges" }, NULL },
	{ "lut-interpolation", "5.9.2", RULE_CHECKED, { "imaging/lut_interpolation", "imaging/lut_disables_gamma" }, NULL },
	{ "lut-enable", "5.9.2", RULE_CHECKED, { "imaging/lut_applies" }, NULL },
	{ "lut-index-value", "5.9.2", RULE_CHECKED, { "dependencies/lut_registers" }, NULL },
	{ "lut-value-all", "5.9.2", RULE_CHECKED, { "dependencies/lut_registers" }, NULL },
	{ "lut-value-all-layout", "5.9.2", RULE_CHECKED, { "dependencies/lut_registers" }, NULL },
	{ "lut-disables-gamma", "5.9.2", RULE_CHECKED, { "imaging/lut_disables_gamma", "dependencies/lut_locks_gamma" },
	  NULL },

	/* ---------------------------------------------------------------- 5.10 Color Processing */
	{ "hue-saturation-all-formats", "5.10", RULE_CHECKED, { "imaging/hue_saturation_all_formats" },
	  "the seven colour formats; Mono8 has no colour and the manual does not say what hue and saturation do "
	  "to it (docs/manual-quirks.md 14)" },
	{ "hue-saturation-bayer", "5.10", RULE_CHECKED, { "imaging/saturation", "imaging/hue_saturation_all_formats" },
	  NULL },
	{ "hue-saturation-bayer-blur", "5.10", RULE_NOT_YET_CHECKED, { NULL },
	  "needs a sharpness measure that separates the blur from the colour change (a fine neutral line target "
	  "at Hue/Saturation just off their defaults), and bit-exact processed frames for 'untouched at defaults' "
	  "(the test pattern bypasses processing)" },
	{ "hue", "5.10.1", RULE_CHECKED, { "imaging/hue", "imaging/hue_saturation_all_formats" }, NULL },
	{ "saturation", "5.10.2", RULE_CHECKED, { "imaging/saturation" }, NULL },

	/* ---------------------------------------------------------------- 5.11 Auto Functions ROI */
	{ "auto-roi-used-by", "5.11", RULE_CHECKED, { "imaging/auto_roi" }, NULL },
	{ "auto-roi-enable-true", "5.11.1", RULE_CHECKED, { "imaging/auto_roi" }, NULL },
	{ "auto-roi-enable-false", "5.11.1", RULE_CHECKED, { "imaging/auto_roi" }, NULL },
	{ "auto-roi-preset", "5.11.2", RULE_CHECKED, { "dependencies/auto_roi_presets" },
	  "the rectangles each preset selects, read from the ROI features (their effect: imaging/auto_roi)" },
	{ "auto-roi-custom", "5.11.3", RULE_CHECKED,
	  { "dependencies/auto_roi_presets", "imaging/auto_roi_relative_to_offset" }, NULL },
	{ "auto-roi-relative-to-offset", "5.11.3", RULE_CHECKED, { "imaging/auto_roi_relative_to_offset" }, NULL },

	/* ---------------------------------------------------------------- 5.12 User Sets */
	{ "userset-nonvolatile", "5.12", RULE_CHECKED, { "usersets/power_up_user_set1" },
	  "the power cycle is DeviceReset: the suite cannot cut a camera's power (harness/test_userset_crash.py "
	  "restarts and kills dfk-emu on its state directory)" },
	{ "userset-two-slots", "5.12", RULE_CHECKED, { "usersets/two_slots_independent" }, NULL },
	{ "userset-startup", "5.12", RULE_CHECKED, { "usersets/power_up_user_set1", "usersets/power_up_factory" }, NULL },
	{ "userset-selector", "5.12.1", RULE_CHECKED, { "usersets/selector_selects_slot" }, NULL },
	{ "userset-default-read-only", "5.12.1", RULE_CHECKED, { "usersets/default_slot_read_only" }, NULL },
	{ "userset-load", "5.12.2", RULE_CHECKED, { "usersets/save_and_load_user_set1", "usersets/selector_selects_slot" },
	  NULL },
	{ "userset-save", "5.12.3", RULE_CHECKED,
	  { "usersets/save_and_load_user_set1", "usersets/two_slots_independent", "usersets/selector_selects_slot" },
	  NULL },
	{ "userset-default-at-power-up", "5.12.4", RULE_CHECKED,
	  { "usersets/power_up_user_set1", "usersets/power_up_factory" },
	  "the power cycle is DeviceReset (see userset-nonvolatile)" },
};

const size_t rule_table_len = sizeof(rule_table) / sizeof(rule_table[0]);
const char *const rule_table_model = "dfk38ux267";

const char *rule_status_name(enum rule_status s)
{
	switch (s) {
	case RULE_CHECKED: return "checked";
	case RULE_NOT_CHECKABLE: return "not checkable";
	case RULE_NOT_YET_CHECKED: return "not yet checked";
	default: return "?";
	}
}

bool rule_names_test(const struct rule_cover *r, const char *suite, const char *test)
{
	size_t n = strlen(suite);

	for (size_t i = 0; i < RULE_MAX_TESTS && r->tests[i]; i++)
		if (strncmp(r->tests[i], suite, n) == 0 && r->tests[i][n] == '/' && strcmp(r->tests[i] + n + 1, test) == 0)
			return true;
	return false;
}

int rules_validate(bool (*test_exists)(const char *suite_test), FILE *out)
{
	int problems = 0;

	for (size_t i = 0; i < rule_table_len; i++) {
		const struct rule_cover *r = &rule_table[i];
		const char *id = r->id && *r->id ? r->id : "(no id)";
		size_t ntests = 0;

		if (!r->id || !*r->id) {
			fprintf(out, "rule table row %zu: no id\n", i);
			problems++;
		}
		for (size_t j = 0; j < i && r->id; j++)
			if (rule_table[j].id && strcmp(rule_table[j].id, r->id) == 0) {
				fprintf(out, "rule %s: listed twice\n", id);
				problems++;
			}
		if (!r->section || !*r->section) {
			fprintf(out, "rule %s: no section\n", id);
			problems++;
		}
		while (ntests < RULE_MAX_TESTS && r->tests[ntests])
			ntests++;
		for (size_t j = 0; j < ntests; j++)
			if (!test_exists(r->tests[j])) {
				fprintf(out, "rule %s: no test %s\n", id, r->tests[j]);
				problems++;
			}
		if (r->status == RULE_CHECKED && ntests == 0) {
			fprintf(out, "rule %s: checked, but by no test\n", id);
			problems++;
		}
		if (r->status != RULE_CHECKED && ntests > 0) {
			fprintf(out, "rule %s: %s, yet tests are named\n", id, rule_status_name(r->status));
			problems++;
		}
		if (r->status != RULE_CHECKED && (!r->note || !*r->note)) {
			fprintf(out, "rule %s: %s without a reason\n", id, rule_status_name(r->status));
			problems++;
		}
		if (r->status >= RULE_STATUSES) {
			fprintf(out, "rule %s: unknown status %d\n", id, (int)r->status);
			problems++;
		}
	}
	return problems;
}
