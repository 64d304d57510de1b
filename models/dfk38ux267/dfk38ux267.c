/* SPDX-License-Identifier: MIT */
/* DFK 38UX267 as a model: identity, pixel formats and what only the colour camera
 * has -- white balance (5.8), hue and saturation (5.10) -- written from the camera's
 * technical reference manual, section 5. Everything it shares with its monochrome
 * sibling, the DMK 38UX267 (register layout, the rest of the feature table, the
 * sensor timing), is in ../imx267_38u.h, from the same manual.
 * Decisions where the manual is silent or odd are listed in docs/manual-quirks.md.
 */
#include "../model.h"
#include "../pfnc.h"
#include "../imx267_38u.h"

/* Manual 5.1.1: the 8 pixel formats. value = PFNC code, numeric = bits per pixel on the wire. */
static const struct enum_entry pixel_format_entries[] = {
	{ "BayerRG8", PFNC_BAYER_RG8, "Bayer RG 8-bit", 8, 0 },
	{ "BayerRG12p", PFNC_BAYER_RG12P, "Bayer RG 12-bit packed", 12, 0 },
	{ "BayerRG16", PFNC_BAYER_RG16, "Bayer RG 16-bit", 16, 0 },
	{ "YCbCr422_8", PFNC_YCBCR422_8, "YUV 4:2:2", 16, 0 },
	{ "YCbCr411_8", PFNC_YCBCR411_8, "YUV 4:1:1 (Y Y Cb Y Y Cr)", 12, 0 },
	{ "YCbCr411_8_CbYYCrYY", PFNC_YCBCR411_8_CBYYCRYY, "YUV 4:1:1 (Cb Y Y Cr Y Y)", 12, 0 },
	{ "BGR8", PFNC_BGR8, "RGB24 (B G R)", 24, 0 },
	{ "Mono8", PFNC_MONO8, "8-bit monochrome", 8, 0 },
};

static const struct enum_entry wb_auto_entries[] = {
	{ "Off", 0, "Off", 0, 0 },
	{ "Once", 1, "Once", 0, 0 },
	{ "Continuous", 2, "Continuous", 0, 0 },
};

static const struct enum_entry wb_mode_entries[] = {
	{ "GrayWorld", 0, "Gray World", 0, 0 },
	{ "Temperature", 1, "Temperature", 0, 0 },
};

/* numeric .. numeric_max = the colour temperatures the auto algorithm may choose (5.8.2) */
static const struct enum_entry wb_auto_preset_entries[] = {
	{ "Any", 0, "Any", 2500, 10000 },
	{ "AutoWarmWhite", 1, "Auto Warm White (2500-4000 K)", 2500, 4000 },
	{ "AutoCoolWhite", 2, "Auto Cool White (4000-5800 K)", 4000, 5800 },
	{ "AutoDaylight", 3, "Auto Daylight (5700-7500 K)", 5700, 7500 },
	{ "AutoDeepShade", 4, "Auto Deep Shade (7500-10000 K)", 7500, 10000 },
};

static const struct enum_entry wb_temperature_preset_entries[] = {
	{ "SodiumVaporLamp", 0, "Sodium-Vapor Lamp", 2500, 0 },
	{ "WarmLight", 1, "Warm Light", 2700, 0 },
	{ "HalogenLight", 2, "Halogen Light", 3000, 0 },
	{ "NeutralWhite", 3, "Neutral White", 3500, 0 },
	{ "CoolWhiteFluorescentLight", 4, "Cool White Fluorescent Light", 4000, 0 },
	{ "CoolWhiteDaylightCFL", 5, "Cool White/Daylight (CFL)", 5000, 0 },
	{ "Daylight", 6, "Daylight", 6000, 0 },
	{ "CoolWhiteLED", 7, "Cool White LED", 7500, 0 },
	{ "BlueSky", 8, "Blue Sky", 10000, 0 },
};

static const struct enum_entry balance_ratio_selector_entries[] = {
	{ "Red", 0, "Red", 0, 0 },
	{ "Green", 1, "Green", 0, 0 },
	{ "Blue", 2, "Blue", 0, 0 },
};

static const struct category_def dfk38ux267_categories[] = {
	IMX267_38U_CATEGORIES_DEVICE_TO_STROBE
	{ "WhiteBalanceControl", "White Balance", "Automatic and manual white balance (manual 5.8).", NULL },
	IMX267_38U_CATEGORY_PROCESSING
	{ "ColorProcessingControl", "Color Processing", "Hue and saturation (manual 5.10).", NULL },
	IMX267_38U_CATEGORIES_AROI_TO_TRANSPORT
};

static const struct feature_def dfk38ux267_features[] = {
	IMX267_38U_FEATURES_DEVICE_TO_STROBE(pixel_format_entries, PFNC_BAYER_RG8,
		"2 = Binning 2X: 2x2 neighbouring pixels of one colour merge into one. Sets BinningVertical too.")

	/* ---- 5.8 White balance ---- */
	{ .name = "BalanceWhiteAuto", .category = "WhiteBalanceControl", .display_name = "Auto White Balance",
	  .tooltip = "Continuous: keep balancing. Once: balance once, then return to Off and keep the result.",
	  .section = "5.8.1", .type = FEAT_ENUM, .access = FEAT_RW, .address = A_WB + 0x00, .length = 4,
	  .def = 2, .entries = wb_auto_entries, .n_entries = N(wb_auto_entries),
	  .flags = USERSET | FEAT_F_VOLATILE },
	{ .name = "BalanceWhiteMode", .category = "WhiteBalanceControl", .display_name = "White Balance Mode",
	  .tooltip = "Algorithm of auto white balance: GrayWorld assumes a grey scene; Temperature estimates the light's colour temperature.",
	  .section = "5.8.2", .type = FEAT_ENUM, .access = FEAT_RW, .address = A_WB + 0x04, .length = 4,
	  .def = 0, .entries = wb_mode_entries, .n_entries = N(wb_mode_entries), .flags = USERSET },
	{ .name = "BalanceWhiteAutoPreset", .category = "WhiteBalanceControl",
	  .display_name = "White Balance Auto Preset",
	  .tooltip = "Range of colour temperatures the Temperature algorithm may choose from.", .section = "5.8.2",
	  .type = FEAT_ENUM, .access = FEAT_RW, .address = A_WB + 0x08, .length = 4, .def = 0,
	  .entries = wb_auto_preset_entries, .n_entries = N(wb_auto_preset_entries), .flags = USERSET },
	{ .name = "BalanceRatioSelector", .category = "WhiteBalanceControl", .display_name = "Balance Ratio Selector",
	  .tooltip = "Colour channel that BalanceRatio reads and writes.", .section = "5.8.3", .type = FEAT_ENUM,
	  .access = FEAT_RW, .address = A_WB + 0x0C, .length = 4, .def = 0,
	  .entries = balance_ratio_selector_entries, .n_entries = N(balance_ratio_selector_entries) },
	{ .name = "BalanceRatio", .category = "WhiteBalanceControl", .display_name = "White Balance Ratio",
	  .tooltip = "Digital gain of the selected colour channel. Set by the camera while auto white balance is on or the Temperature mode is used.",
	  .section = "5.8.3", .type = FEAT_FLOAT, .access = FEAT_RW, .address = A_WB + 0x10, .length = 8,
	  .fmin = 0.0, .fmax = 3.984375, .fdef = 1.0, .selector = "BalanceRatioSelector", .n_selected = 3,
	  .locked_expr = "BalanceWhiteAuto <> 0 || BalanceWhiteMode = 1", .flags = USERSET | FEAT_F_VOLATILE },
	{ .name = "BalanceWhiteTemperature", .category = "WhiteBalanceControl",
	  .display_name = "White Balance Temperature",
	  .tooltip = "Colour temperature of the light in Temperature mode; the channel ratios follow from it.",
	  .section = "5.8.3", .type = FEAT_INTEGER, .access = FEAT_RW, .address = A_WB + 0x18, .length = 4,
	  .min = 2500, .max = 10000, .inc = 1, .def = 6000, .unit = "K",   /* = the default preset, Daylight */
	  .locked_expr = "BalanceWhiteMode <> 1 || BalanceWhiteAuto <> 0", .flags = USERSET | FEAT_F_VOLATILE },
	{ .name = "BalanceWhiteTemperaturePreset", .category = "WhiteBalanceControl",
	  .display_name = "White Balance Temperature Preset",
	  .tooltip = "Light source presets; choosing one sets BalanceWhiteTemperature to its kelvin.",
	  .section = "5.8.3", .type = FEAT_ENUM, .access = FEAT_RW, .address = A_WB + 0x1C, .length = 4,
	  .def = 6, .entries = wb_temperature_preset_entries, .n_entries = N(wb_temperature_preset_entries),
	  .locked_expr = "BalanceWhiteMode <> 1 || BalanceWhiteAuto <> 0", .flags = USERSET },

	IMX267_38U_FEATURES_PROCESSING(
		"Gamma correction (Y channel only in YUV formats). Has no effect, and is locked, while LUTEnable is on.")

	/* ---- 5.10 Color processing ---- */
	{ .name = "Hue", .category = "ColorProcessingControl", .display_name = "Hue",
	  .tooltip = "Rotation of the colour angle, in degrees.", .section = "5.10.1", .type = FEAT_INTEGER,
	  .access = FEAT_RW, .address = A_COLOR + 0x00, .length = 4, .min = -180, .max = 180, .inc = 1, .def = 0,
	  .unit = "deg", .flags = USERSET | FEAT_F_SIGNED },
	{ .name = "Saturation", .category = "ColorProcessingControl", .display_name = "Saturation",
	  .tooltip = "Colour saturation; 64 leaves colours unchanged.", .section = "5.10.2", .type = FEAT_INTEGER,
	  .access = FEAT_RW, .address = A_COLOR + 0x04, .length = 4, .min = 0, .max = 255, .inc = 1, .def = 64,
	  .flags = USERSET },

	IMX267_38U_FEATURES_AROI_TO_TRANSPORT("True: auto exposure, gain and white balance look only at the region below.")
};

static const struct format_throughput dfk38ux267_format_link[] = {
	{ PFNC_BAYER_RG12P, IMX267_38U_PACKED12_BYTES_PER_S },
};

const struct camera_model dfk38ux267_model = {
	.id = "dfk38ux267",
	.identity = {
		IMX267_38U_IDENTITY,
		/* tiscamera's sensor_id_33u.h: 38U base 0x9800 | colour 0x0080 | IMX267 0x000E */
		.product_id = 0x988E,
		/* the same scheme for the UVC firmware (unverified: docs/uvc.md) */
		.uvc_product_id = 0x988E,
		.model_name = "DFK 38UX267",
		.manufacturer_info = "dfk-emu software twin of the DFK 38UX267, not a real camera",
		.default_serial = "38267001",
		.xml_model_name = "DFK38UX267",
		.product_guid = "7C1E3A52-9B0D-4F1A-8E62-38A267D0F001",
		.version_guid = "7C1E3A52-9B0D-4F1A-8E62-38A267D0F100",
	},
	.sensor = {
		IMX267_38U_SENSOR_TIMING,
		.cfa = MODEL_CFA_BAYER_RG,
		.format_link = dfk38ux267_format_link,
		.n_format_link = N(dfk38ux267_format_link),
	},
	.categories = dfk38ux267_categories,
	.n_categories = N(dfk38ux267_categories),
	.features = dfk38ux267_features,
	.n_features = N(dfk38ux267_features),
	IMX267_38U_ELECTRONICS,
};
