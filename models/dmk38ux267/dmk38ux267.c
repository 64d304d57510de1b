/* SPDX-License-Identifier: MIT */
/* DMK 38UX267 as a model: the monochrome sibling of the DFK 38UX267 (same Sony
 * IMX267 sensor without the colour filter, same housing, firmware family and
 * timing). There is no DMK manual here: this table is the DFK's of manual
 * section 5 (models/dfk38ux267/) without what only a colour camera has --
 * white balance (5.8), hue and saturation (5.10), the Bayer, YUV and RGB
 * formats (5.1.1) -- and with the monochrome formats Mono8, Mono12p and Mono16
 * of the PFNC in their place. Everything else (register layout, ranges,
 * defaults, locks, sensor timing) is the DFK's, written once for both in
 * ../imx267_38u.h, so both cameras answer the same way where they share a
 * feature; emulator/tests/test_models.c holds the two tables to that.
 * Frames: docs/image-pipeline.md (a sensor without a colour filter).
 */
#include "../model.h"
#include "../pfnc.h"
#include "../imx267_38u.h"

/* The DFK's 5.1.1 table reduced to its one monochrome format, plus the PFNC's 12- and
 * 16-bit monochrome formats (the 12-bit ADC's values, packed like BayerRG12p and MSB-aligned
 * like BayerRG16). value = PFNC code, numeric = bits per pixel on the wire. */
static const struct enum_entry pixel_format_entries[] = {
	{ "Mono8", PFNC_MONO8, "8-bit monochrome", 8, 0 },
	{ "Mono12p", PFNC_MONO12P, "12-bit monochrome packed", 12, 0 },
	{ "Mono16", PFNC_MONO16, "16-bit monochrome", 16, 0 },
};

/* The DFK's categories without WhiteBalanceControl and ColorProcessingControl. */
static const struct category_def dmk38ux267_categories[] = {
	IMX267_38U_CATEGORIES_DEVICE_TO_STROBE
	IMX267_38U_CATEGORY_PROCESSING
	IMX267_38U_CATEGORIES_AROI_TO_TRANSPORT
};

/* The DFK's features without white balance (5.8) and colour processing (5.10); where the
 * DFK's tooltips speak of colour, the macro arguments give this camera's own words. */
static const struct feature_def dmk38ux267_features[] = {
	IMX267_38U_FEATURES_DEVICE_TO_STROBE(pixel_format_entries, PFNC_MONO8,
		"2 = Binning 2X: 2x2 pixels merge into one, paired as the colour sensor pairs them. Sets BinningVertical too.")
	IMX267_38U_FEATURES_PROCESSING("Gamma correction. Has no effect, and is locked, while LUTEnable is on.")
	IMX267_38U_FEATURES_AROI_TO_TRANSPORT("True: auto exposure and auto gain look only at the region below.")
};

static const struct format_throughput dmk38ux267_format_link[] = {
	{ PFNC_MONO12P, IMX267_38U_PACKED12_BYTES_PER_S },   /* the DFK's 12-bit packer */
};

const struct camera_model dmk38ux267_model = {
	.id = "dmk38ux267",
	.identity = {
		IMX267_38U_IDENTITY,
		/* tiscamera's sensor_id_33u.h: 38U base 0x9800 | mono option 0x0000 | IMX267 0x000E */
		.product_id = 0x980E,
		.model_name = "DMK 38UX267",
		.manufacturer_info = "dfk-emu software twin of the DMK 38UX267, not a real camera",
		/* not the DFK's: two emulators sharing a --state-dir keep their own memories */
		.default_serial = "38267101",
		.xml_model_name = "DMK38UX267",
		.product_guid = "7C1E3A52-9B0D-4F1A-8E62-38A267D0E001",
		.version_guid = "7C1E3A52-9B0D-4F1A-8E62-38A267D0E100",
	},
	/* The DFK's sensor and link (its manual's 5.1.4 tables): the same chip read out the
	 * same way; a Mono format moves as many bits per pixel as the Bayer format of its
	 * size, so the DFK's rows for BayerRG8/12p/16 are this camera's for Mono8/12p/16. */
	.sensor = {
		IMX267_38U_SENSOR_TIMING,
		.cfa = MODEL_CFA_NONE,
		.format_link = dmk38ux267_format_link,
		.n_format_link = N(dmk38ux267_format_link),
	},
	.categories = dmk38ux267_categories,
	.n_categories = N(dmk38ux267_categories),
	.features = dmk38ux267_features,
	.n_features = N(dmk38ux267_features),
	/* the DFK's frame memory (manual-quirks K): the same camera electronics */
	IMX267_38U_ELECTRONICS,
};
