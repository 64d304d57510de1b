/* SPDX-License-Identifier: MIT */
/* What the 38U cameras on the Sony IMX267 share, written once: the DFK 38UX267
 * (colour, models/dfk38ux267/) and the DMK 38UX267 (monochrome, models/dmk38ux267/)
 * are one camera but for the colour filter. Their feature rows come from the
 * DFK's technical reference manual, section 5 (5.1 to 5.12), plus the
 * GenICam/SFNC housekeeping a driver needs where the manual is silent (marked
 * section = NULL). Decisions where the manual is silent or odd are listed in
 * docs/manual-quirks.md.
 *
 * Register layout: ABRM-backed features use their bootstrap addresses; every
 * other feature has its own register in 0x20000..0x2FFFF, grouped by manual
 * section. Integers, enumerations, booleans and commands are 4-byte
 * little-endian registers; floats are 8-byte IEEE doubles.
 *
 * A model's feature table is three stretches of shared rows in manual order
 * (IMX267_38U_FEATURES_DEVICE_TO_STROBE, _PROCESSING, _AROI_TO_TRANSPORT, at the
 * end), with its own rows in between: the colour camera's white balance (5.8)
 * after the strobe, its hue and saturation (5.10) after image processing. What
 * differs between the two cameras within the shared rows (pixel formats, a few
 * tooltips that speak of colour) is a macro argument. Its categories likewise:
 * IMX267_38U_CATEGORIES_DEVICE_TO_STROBE, IMX267_38U_CATEGORY_PROCESSING and
 * IMX267_38U_CATEGORIES_AROI_TO_TRANSPORT with the colour categories in between.
 *
 * For a model's .c file only: it defines static data and short names (A_*, N).
 */
#ifndef DFK_MODELS_IMX267_38U_H
#define DFK_MODELS_IMX267_38U_H

#include "model.h"

/* Register blocks; a monochrome camera leaves the colour blocks (A_WB, A_COLOR) empty. */
#define A_DEVICE   0x00020000u
#define A_FORMAT   0x00021000u
#define A_ACQ      0x00022000u
#define A_ANALOG   0x00023000u
#define A_AUTO     0x00023100u
#define A_TRIGGER  0x00024000u
#define A_DIO      0x00025000u
#define A_STROBE   0x00025100u
#define A_WB       0x00026000u
#define A_PROC     0x00027000u
#define A_LUTALL   0x00027400u
#define A_COLOR    0x00028000u
#define A_AROI     0x00029000u
#define A_USERSET  0x0002A000u

#define USERSET (FEAT_F_USERSET)
#define LOCKED_WHILE_STREAMING (FEAT_F_STREAM_LOCKED)
/* OffsetAutoCenter=On owns the offsets, but a write to them is acknowledged and kept for
 * OffsetAutoCenter=Off instead of refused: tiscamera and Aravis's arv_camera_set_region
 * write OffsetX/OffsetY whatever the lock (docs/manual-quirks.md L) */
#define OFFSET_LOCK (FEAT_F_LOCK_KEEPS)

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const struct enum_entry off_on[] = {
	{ "Off", 0, "Off", 0, 0 },
	{ "On", 1, "On", 0, 0 },
};

static const struct enum_entry auto_off_continuous[] = {
	{ "Off", 0, "Off", 0, 0 },
	{ "Continuous", 2, "Continuous", 0, 0 },
};

static const struct enum_entry acquisition_mode_entries[] = {
	{ "Continuous", 0, "Continuous", 0, 0 },
	{ "SingleFrame", 1, "Single Frame", 0, 0 },
	{ "MultiFrame", 2, "Multi Frame", 0, 0 },
};

static const struct enum_entry trigger_activation_entries[] = {
	{ "RisingEdge", 0, "Rising Edge", 0, 0 },
	{ "FallingEdge", 1, "Falling Edge", 0, 0 },
};

static const struct enum_entry trigger_selector_entries[] = {
	{ "FrameStart", 0, "Frame Start (timed exposure)", 0, 0 },
	{ "ExposureActive", 1, "Exposure Active (trigger width)", 0, 0 },
};

static const struct enum_entry trigger_source_entries[] = {
	{ "Any", 0, "Any", 0, 0 },
	{ "Line1", 1, "Line 1 (TRIGGER_IN)", 0, 0 },
	{ "Software", 2, "Software", 0, 0 },
};

static const struct enum_entry trigger_overlap_entries[] = {
	{ "Off", 0, "Off", 0, 0 },
	{ "Readout", 1, "Readout", 0, 0 },
};

static const struct enum_entry strobe_polarity_entries[] = {
	{ "ActiveHigh", 0, "Active High", 0, 0 },
	{ "ActiveLow", 1, "Active Low", 0, 0 },
};

static const struct enum_entry strobe_operation_entries[] = {
	{ "Exposure", 0, "Exposure", 0, 0 },
	{ "FixedDuration", 1, "Fixed Duration", 0, 0 },
};

/* numeric = percentage of the output image the preset covers (0 = not a centred preset) */
static const struct enum_entry aroi_preset_entries[] = {
	{ "FullSensor", 0, "Full Sensor", 100, 0 },
	{ "Center50", 1, "Center 50%", 50, 0 },
	{ "Center25", 2, "Center 25%", 25, 0 },
	{ "BottomHalf", 3, "Bottom Half", 0, 0 },
	{ "TopHalf", 4, "Top Half", 0, 0 },
	{ "CustomRectangle", 5, "Custom Rectangle", 0, 0 },
};

static const struct enum_entry userset_entries[] = {
	{ "Default", 0, "Default", 0, 0 },
	{ "UserSet1", 1, "User Set 1", 0, 0 },
	{ "UserSet2", 2, "User Set 2", 0, 0 },
};

/* ---- Identity, sensor and electronics: the 38U housing and firmware family ---- */

/* camera_identity fields both cameras report alike */
#define IMX267_38U_IDENTITY \
	.vendor_id = 0x199E,            /* The Imaging Source Europe GmbH */ \
	.bcd_device = 0x0923,           /* firmware 923, the manual's latest (revision history); BCD 09.23 */ \
	.manufacturer = "The Imaging Source Europe GmbH", \
	.family_name = "38U", \
	.device_version = "923 (dfk-emu 0.1)", \
	.xml_vendor_name = "TheImagingSource", \
	.xml_version = (1u << 24) | (0u << 16) | 0u

/* sensor_timing without the colour filter and the per-format link rows.
 * Fitted to the manual's frame-rate tables (5.1.4): the sensor limits the
 * 8-bit formats and the small resolutions, the USB link the wide formats. */
#define IMX267_38U_SENSOR_TIMING \
	.width = 4096, \
	.height = 2160, \
	.pixel_size_nm = 3450, \
	.adc_bits = 12, \
	.frame_overhead_ns = 582000, \
	.row_ns = 12390, \
	.row_per_col_ps = 100, \
	.exposure_gap_ns = 20000, \
	.link_bytes_per_s = 375.0e6

/* The 12-bit packed format goes through a packer slightly slower than the link (the
 * manual gives BayerRG12p 29 fps at 3840x2160 where the 12-bit YUV 4:1:1 gets 30). */
#define IMX267_38U_PACKED12_BYTES_PER_S 372.0e6

/* Extra GenICam names clients look for on a The Imaging Source camera. Aravis's ArvCamera
 * (arv_camera_set/get_frame_rate[_bounds], arv_camera_is_frame_rate_available) uses a
 * feature "FPS" instead of AcquisitionFrameRate for the vendor "The Imaging Source Europe
 * GmbH"; AcquisitionFrameRate stays the documented feature (docs/manual-quirks.md L). */
static const struct feature_alias imx267_38u_aliases[] = {
	{ "FPS", "AcquisitionFrameRate",
	  "Another name of AcquisitionFrameRate, for Aravis's The Imaging Source code path." },
};

/* camera_model fields of the camera electronics */
#define IMX267_38U_ELECTRONICS \
	.aliases = imx267_38u_aliases, \
	.n_aliases = N(imx267_38u_aliases), \
	.flash_write_ms = 50, \
	.max_response_ms = 500, \
	/* not in the manual: 256 MiB, 9 full BGR8 or 29 full BayerRG8 frames (manual-quirks K) */ \
	.frame_memory_bytes = 256u * 1024 * 1024, \
	.frame_memory_frames = 16

/* ---- Categories: a colour camera adds WhiteBalanceControl before and
 * ColorProcessingControl after IMX267_38U_CATEGORY_PROCESSING ---- */
#define IMX267_38U_CATEGORIES_DEVICE_TO_STROBE \
	{ "DeviceControl", "Device Control", "Identity of the camera, time stamps and reset.", NULL }, \
	{ "ImageFormatControl", "Sensor Readout Control", "Pixel format, resolution, readout modes, partial scan offset and flipping (manual 5.1).", NULL }, \
	{ "AcquisitionControl", "Acquisition Control", "Starting and stopping acquisition and the frame rate (manual 5.1.4).", NULL }, \
	{ "AnalogControl", "Image Sensor Control", "Exposure time, gain and black level (manual 5.2).", NULL }, \
	{ "AutoExposureGainControl", "Auto Exposure and Gain", "Automatic exposure and gain control and their limits (manual 5.3).", NULL }, \
	{ "TriggerControl", "Trigger", "Trigger mode, polarity, source, overlap, burst and the timing filters of TRIGGER_IN (manual 5.4, 5.5).", NULL }, \
	{ "DigitalIOControl", "Digital I/O", "Direct access to TRIGGER_IN and STROBE_OUT (manual 5.6).", NULL }, \
	{ "StrobeControl", "Strobe", "Strobe pulses on STROBE_OUT synchronised to the exposure (manual 5.7).", NULL },

#define IMX267_38U_CATEGORY_PROCESSING \
	{ "ImageProcessingControl", "Image Processing", "Gamma and the lookup table (manual 5.9).", NULL },

#define IMX267_38U_CATEGORIES_AROI_TO_TRANSPORT \
	{ "AutoFunctionsROIControl", "Auto Functions ROI", "Region of the image the auto functions look at (manual 5.11).", NULL }, \
	{ "UserSetControl", "User Sets", "Saving and restoring the configuration (manual 5.12).", NULL }, \
	{ "TransportLayerControl", "Transport Layer Control", "Payload size and the transport-layer parameter lock.", NULL },

/* ---- Features, in manual order ---- */

/* ---- DeviceControl: USB3 Vision bootstrap (ABRM) ---- */
#define IMX267_38U_FEATURES_DEVICE \
	{ .name = "DeviceVendorName", .category = "DeviceControl", .display_name = "Vendor Name", \
	  .tooltip = "Name of the camera's manufacturer.", .type = FEAT_STRING, .access = FEAT_RO, \
	  .backing = BACK_BOOTSTRAP, .address = 0x0004, .length = 64 }, \
	{ .name = "DeviceModelName", .category = "DeviceControl", .display_name = "Model Name", \
	  .tooltip = "Model of the camera.", .type = FEAT_STRING, .access = FEAT_RO, \
	  .backing = BACK_BOOTSTRAP, .address = 0x0044, .length = 64 }, \
	{ .name = "DeviceFamilyName", .category = "DeviceControl", .display_name = "Family Name", \
	  .tooltip = "Camera series.", .type = FEAT_STRING, .access = FEAT_RO, \
	  .backing = BACK_BOOTSTRAP, .address = 0x0084, .length = 64 }, \
	{ .name = "DeviceVersion", .category = "DeviceControl", .display_name = "Device Version", \
	  .tooltip = "Version of the device (firmware).", .type = FEAT_STRING, .access = FEAT_RO, \
	  .backing = BACK_BOOTSTRAP, .address = 0x00C4, .length = 64 }, \
	{ .name = "DeviceManufacturerInfo", .category = "DeviceControl", .display_name = "Manufacturer Info", \
	  .tooltip = "Additional information from the manufacturer.", .type = FEAT_STRING, .access = FEAT_RO, \
	  .backing = BACK_BOOTSTRAP, .address = 0x0104, .length = 64 }, \
	{ .name = "DeviceSerialNumber", .category = "DeviceControl", .display_name = "Serial Number", \
	  .tooltip = "Serial number of the camera (8 digits).", .type = FEAT_STRING, .access = FEAT_RO, \
	  .backing = BACK_BOOTSTRAP, .address = 0x0144, .length = 64 }, \
	{ .name = "DeviceUserID", .category = "DeviceControl", .display_name = "User Defined Name", \
	  .tooltip = "A name the user gives the camera; kept in the camera's flash across power cycles.", \
	  .type = FEAT_STRING, .access = FEAT_RW, .backing = BACK_BOOTSTRAP, .address = 0x0184, .length = 64, \
	  .flags = FEAT_F_NONVOLATILE | FEAT_F_SLOW }, \
	{ .name = "TimestampLatch", .category = "DeviceControl", .display_name = "Timestamp Latch", \
	  .tooltip = "Copies the current device time into TimestampLatchValue.", .type = FEAT_COMMAND, \
	  .access = FEAT_WO, .backing = BACK_BOOTSTRAP, .address = 0x01F8, .length = 4, .def = 1 }, \
	{ .name = "TimestampLatchValue", .category = "DeviceControl", .display_name = "Timestamp Latch Value", \
	  .tooltip = "Device time captured by TimestampLatch, in nanoseconds since power-on.", .type = FEAT_INTEGER, \
	  .access = FEAT_RO, .backing = BACK_BOOTSTRAP, .address = 0x01F0, .length = 8, .min = 0, .max = INT64_MAX, \
	  .inc = 1, .unit = "ns", .flags = FEAT_F_VOLATILE }, \
	{ .name = "TimestampIncrement", .category = "DeviceControl", .display_name = "Timestamp Increment", \
	  .tooltip = "Nanoseconds per timestamp tick.", .type = FEAT_INTEGER, .access = FEAT_RO, \
	  .backing = BACK_BOOTSTRAP, .address = 0x01FC, .length = 8, .min = 1, .max = 1000000000, .inc = 1, \
	  .unit = "ns" }, \
	{ .name = "DeviceSFNCVersionMajor", .category = "DeviceControl", .display_name = "SFNC Version Major", \
	  .tooltip = "Major version of the Standard Features Naming Convention the XML follows.", \
	  .type = FEAT_INTEGER, .access = FEAT_RO, .address = A_DEVICE + 0x04, .length = 4, .min = 0, .max = 255, \
	  .inc = 1, .def = 2 }, \
	{ .name = "DeviceSFNCVersionMinor", .category = "DeviceControl", .display_name = "SFNC Version Minor", \
	  .tooltip = "Minor version of the Standard Features Naming Convention.", .type = FEAT_INTEGER, \
	  .access = FEAT_RO, .address = A_DEVICE + 0x08, .length = 4, .min = 0, .max = 255, .inc = 1, .def = 4 }, \
	{ .name = "DeviceSFNCVersionSubMinor", .category = "DeviceControl", .display_name = "SFNC Version Sub Minor", \
	  .tooltip = "Sub-minor version of the Standard Features Naming Convention.", .type = FEAT_INTEGER, \
	  .access = FEAT_RO, .address = A_DEVICE + 0x0C, .length = 4, .min = 0, .max = 255, .inc = 1, .def = 0 }, \
	{ .name = "DeviceReset", .category = "DeviceControl", .display_name = "Device Reset", \
	  .tooltip = "Restarts the camera: it leaves the bus and comes back with its power-up configuration.", \
	  .type = FEAT_COMMAND, .access = FEAT_RW, .address = A_DEVICE + 0x00, .length = 4, .def = 1 },

/* ---- 5.1 Sensor readout control ----
 * PIXEL_FORMATS: the model's enum_entry array of pixel formats (5.1.1), PIXEL_FORMAT_DEFAULT
 * the PFNC code of its power-up format, BINNING_H_TOOLTIP its words for Binning 2X. */
#define IMX267_38U_FEATURES_FORMAT(PIXEL_FORMATS, PIXEL_FORMAT_DEFAULT, BINNING_H_TOOLTIP) \
	{ .name = "SensorWidth", .category = "ImageFormatControl", .display_name = "Sensor Width", \
	  .tooltip = "Active pixels per sensor line.", .section = "5.1.2", .type = FEAT_INTEGER, .access = FEAT_RO, \
	  .address = A_FORMAT + 0x00, .length = 4, .min = 4096, .max = 4096, .inc = 1, .def = 4096 }, \
	{ .name = "SensorHeight", .category = "ImageFormatControl", .display_name = "Sensor Height", \
	  .tooltip = "Active sensor lines.", .section = "5.1.2", .type = FEAT_INTEGER, .access = FEAT_RO, \
	  .address = A_FORMAT + 0x04, .length = 4, .min = 2160, .max = 2160, .inc = 1, .def = 2160 }, \
	{ .name = "WidthMax", .category = "ImageFormatControl", .display_name = "Width Max", \
	  .tooltip = "Largest Width in the current readout mode.", .section = "5.1.3", .type = FEAT_INTEGER, \
	  .access = FEAT_RO, .address = A_FORMAT + 0x08, .length = 4, .min = 256, .max = 4096, .inc = 1, \
	  .def = 4096, .value_expr = "SensorWidth / (DecimationHorizontal * BinningHorizontal)", \
	  .flags = FEAT_F_COMPUTED | FEAT_F_VOLATILE }, \
	{ .name = "HeightMax", .category = "ImageFormatControl", .display_name = "Height Max", \
	  .tooltip = "Largest Height in the current readout mode.", .section = "5.1.3", .type = FEAT_INTEGER, \
	  .access = FEAT_RO, .address = A_FORMAT + 0x0C, .length = 4, .min = 4, .max = 2160, .inc = 1, \
	  .def = 2160, .value_expr = "SensorHeight / (DecimationVertical * BinningVertical)", \
	  .flags = FEAT_F_COMPUTED | FEAT_F_VOLATILE }, \
	{ .name = "PixelFormat", .category = "ImageFormatControl", .display_name = "Pixel Format", \
	  .tooltip = "Data type of the pixels sent to the host; bits per pixel set the bandwidth needed.", \
	  .section = "5.1.1", .type = FEAT_ENUM, .access = FEAT_RW, .address = A_FORMAT + 0x10, .length = 4, \
	  .def = PIXEL_FORMAT_DEFAULT, .entries = PIXEL_FORMATS, .n_entries = N(PIXEL_FORMATS), \
	  .flags = USERSET | LOCKED_WHILE_STREAMING }, \
	{ .name = "Width", .category = "ImageFormatControl", .display_name = "Width", \
	  .tooltip = "Width of the region of the sensor that is read out.", .section = "5.1.2", \
	  .type = FEAT_INTEGER, .access = FEAT_RW, .address = A_FORMAT + 0x14, .length = 4, .min = 256, \
	  .max = 4096, .inc = 16, .def = 4096, .unit = "px", .max_expr = "WidthMax", \
	  .flags = USERSET | LOCKED_WHILE_STREAMING }, \
	{ .name = "Height", .category = "ImageFormatControl", .display_name = "Height", \
	  .tooltip = "Height of the region of the sensor that is read out.", .section = "5.1.2", \
	  .type = FEAT_INTEGER, .access = FEAT_RW, .address = A_FORMAT + 0x18, .length = 4, .min = 4, \
	  .max = 2160, .inc = 4, .def = 2160, .unit = "px", .max_expr = "HeightMax", \
	  .flags = USERSET | LOCKED_WHILE_STREAMING }, \
	{ .name = "OffsetX", .category = "ImageFormatControl", .display_name = "Partial Scan Offset X", \
	  .tooltip = "Left edge of the region read out. A value too large for the current Width is replaced by the largest valid one.", \
	  .section = "5.1.5", .type = FEAT_INTEGER, .access = FEAT_RW, .address = A_FORMAT + 0x1C, .length = 4, \
	  .min = 0, .max = 3840, .inc = 16, .def = 0, .unit = "px", .locked_expr = "OffsetAutoCenter", \
	  .flags = USERSET | FEAT_F_CLAMP | FEAT_F_VOLATILE | OFFSET_LOCK }, \
	{ .name = "OffsetY", .category = "ImageFormatControl", .display_name = "Partial Scan Offset Y", \
	  .tooltip = "Top edge of the region read out. A value too large for the current Height is replaced by the largest valid one.", \
	  .section = "5.1.5", .type = FEAT_INTEGER, .access = FEAT_RW, .address = A_FORMAT + 0x20, .length = 4, \
	  .min = 0, .max = 2156, .inc = 4, .def = 0, .unit = "px", .locked_expr = "OffsetAutoCenter", \
	  .flags = USERSET | FEAT_F_CLAMP | FEAT_F_VOLATILE | OFFSET_LOCK }, \
	{ .name = "OffsetAutoCenter", .category = "ImageFormatControl", .display_name = "Partial Scan Auto Center", \
	  .tooltip = "On: the offsets are set so that the centre of the sensor is read out. Off: offsets are set by hand.", \
	  .section = "5.1.5", .type = FEAT_ENUM, .access = FEAT_RW, .address = A_FORMAT + 0x24, .length = 4, \
	  .def = 1, .entries = off_on, .n_entries = N(off_on), .flags = USERSET }, \
	{ .name = "ReverseX", .category = "ImageFormatControl", .display_name = "Flip Horizontal", \
	  .tooltip = "Mirror the image left to right.", .section = "5.1.6", .type = FEAT_BOOLEAN, \
	  .access = FEAT_RW, .address = A_FORMAT + 0x28, .length = 4, .min = 0, .max = 1, .def = 0, \
	  .flags = USERSET }, \
	{ .name = "ReverseY", .category = "ImageFormatControl", .display_name = "Flip Vertical", \
	  .tooltip = "Mirror the image top to bottom.", .section = "5.1.6", .type = FEAT_BOOLEAN, \
	  .access = FEAT_RW, .address = A_FORMAT + 0x2C, .length = 4, .min = 0, .max = 1, .def = 0, \
	  .flags = USERSET }, \
	{ .name = "DecimationHorizontal", .category = "ImageFormatControl", .display_name = "Decimation Horizontal", \
	  .tooltip = "2 = the sensor skips every other column pair (Skipping 2X / Skipping 2X horizontal).", \
	  .section = "5.1.3", .type = FEAT_INTEGER, .access = FEAT_RW, .address = A_FORMAT + 0x30, .length = 4, \
	  .min = 1, .max = 2, .inc = 1, .def = 1, .locked_expr = "BinningHorizontal > 1", \
	  .flags = USERSET | LOCKED_WHILE_STREAMING }, \
	{ .name = "DecimationVertical", .category = "ImageFormatControl", .display_name = "Decimation Vertical", \
	  .tooltip = "2 = the sensor skips every other row pair (Skipping 2X / Skipping 2X vertical).", \
	  .section = "5.1.3", .type = FEAT_INTEGER, .access = FEAT_RW, .address = A_FORMAT + 0x34, .length = 4, \
	  .min = 1, .max = 2, .inc = 1, .def = 1, .locked_expr = "BinningVertical > 1", \
	  .flags = USERSET | LOCKED_WHILE_STREAMING }, \
	{ .name = "BinningHorizontal", .category = "ImageFormatControl", .display_name = "Binning Horizontal", \
	  .tooltip = BINNING_H_TOOLTIP, \
	  .section = "5.1.3", .type = FEAT_INTEGER, .access = FEAT_RW, .address = A_FORMAT + 0x38, .length = 4, \
	  .min = 1, .max = 2, .inc = 1, .def = 1, \
	  .locked_expr = "DecimationHorizontal > 1 || DecimationVertical > 1", \
	  .flags = USERSET | LOCKED_WHILE_STREAMING }, \
	{ .name = "BinningVertical", .category = "ImageFormatControl", .display_name = "Binning Vertical", \
	  .tooltip = "2 = Binning 2X (the sensor bins in both directions only). Sets BinningHorizontal too.", \
	  .section = "5.1.3", .type = FEAT_INTEGER, .access = FEAT_RW, .address = A_FORMAT + 0x3C, .length = 4, \
	  .min = 1, .max = 2, .inc = 1, .def = 1, \
	  .locked_expr = "DecimationHorizontal > 1 || DecimationVertical > 1", \
	  .flags = USERSET | LOCKED_WHILE_STREAMING },

/* ---- Acquisition (5.1.4 frame rate; the rest is GenICam housekeeping) ---- */
#define IMX267_38U_FEATURES_ACQUISITION \
	{ .name = "AcquisitionMode", .category = "AcquisitionControl", .display_name = "Acquisition Mode", \
	  .tooltip = "Continuous, a single frame, or AcquisitionFrameCount frames per AcquisitionStart.", \
	  .type = FEAT_ENUM, .access = FEAT_RW, .address = A_ACQ + 0x00, .length = 4, .def = 0, \
	  .entries = acquisition_mode_entries, .n_entries = N(acquisition_mode_entries), \
	  .flags = USERSET | LOCKED_WHILE_STREAMING }, \
	{ .name = "AcquisitionStart", .category = "AcquisitionControl", .display_name = "Acquisition Start", \
	  .tooltip = "Starts acquiring frames.", .type = FEAT_COMMAND, .access = FEAT_RW, \
	  .address = A_ACQ + 0x04, .length = 4, .def = 1 }, \
	{ .name = "AcquisitionStop", .category = "AcquisitionControl", .display_name = "Acquisition Stop", \
	  .tooltip = "Stops acquiring frames.", .type = FEAT_COMMAND, .access = FEAT_RW, \
	  .address = A_ACQ + 0x08, .length = 4, .def = 1 }, \
	{ .name = "AcquisitionFrameCount", .category = "AcquisitionControl", .display_name = "Acquisition Frame Count", \
	  .tooltip = "Frames per AcquisitionStart in MultiFrame mode.", .type = FEAT_INTEGER, .access = FEAT_RW, \
	  .address = A_ACQ + 0x0C, .length = 4, .min = 1, .max = 65535, .inc = 1, .def = 1, \
	  .flags = USERSET | LOCKED_WHILE_STREAMING }, \
	{ .name = "AcquisitionFrameRate", .category = "AcquisitionControl", .display_name = "Frame Rate", \
	  .tooltip = "Frames per second in free-running mode. The maximum depends on pixel format, resolution and readout mode.", \
	  .section = "5.1.4", .type = FEAT_FLOAT, .access = FEAT_RW, .address = A_ACQ + 0x10, .length = 8, \
	  .fmin = 0.25, .fmax = 1000.0, .fdef = 30.0, .unit = "Hz", .max_expr = "AcquisitionFrameRateMax", \
	  .flags = USERSET }, \
	{ .name = "AcquisitionFrameRateMax", .category = "AcquisitionControl", \
	  .display_name = "Frame Rate Max", .tooltip = "Highest frame rate the current settings allow.", \
	  .section = "5.1.4", .type = FEAT_FLOAT, .access = FEAT_RO, .address = A_ACQ + 0x18, .length = 8, \
	  .fmin = 0.25, .fmax = 1000.0, .unit = "Hz", .flags = FEAT_F_COMPUTED | FEAT_F_VOLATILE | FEAT_F_HIDDEN },

/* ---- 5.2 Image sensor control ---- */
#define IMX267_38U_FEATURES_ANALOG \
	{ .name = "ExposureTime", .category = "AnalogControl", .display_name = "Exposure Time", \
	  .tooltip = "Time the electronic shutter is open. Read-only while ExposureAuto is on; it then reads what the auto function chose.", \
	  .section = "5.2.1", .type = FEAT_FLOAT, .access = FEAT_RW, .address = A_ANALOG + 0x00, .length = 8, \
	  .fmin = 2.0, .fmax = 4000000.0, .fdef = 10000.0, .unit = "us", .locked_expr = "ExposureAuto", \
	  .flags = USERSET | FEAT_F_VOLATILE }, \
	{ .name = "Gain", .category = "AnalogControl", .display_name = "Gain", \
	  .tooltip = "Amplification at the sensor. Read-only while GainAuto is on; it then reads what the auto function chose.", \
	  .section = "5.2.2", .type = FEAT_FLOAT, .access = FEAT_RW, .address = A_ANALOG + 0x08, .length = 8, \
	  .fmin = 0.0, .fmax = 48.0, .fdef = 0.0, .unit = "dB", .locked_expr = "GainAuto", \
	  .flags = USERSET | FEAT_F_VOLATILE }, \
	{ .name = "BlackLevel", .category = "AnalogControl", .display_name = "Black Level", \
	  .tooltip = "Lowest intensity value the sensor outputs, in 12-bit ADC counts.", .section = "5.2.3", \
	  .type = FEAT_INTEGER, .access = FEAT_RW, .address = A_ANALOG + 0x10, .length = 4, .min = 0, \
	  .max = 4095, .inc = 1, .def = 240, .flags = USERSET },

/* ---- 5.3 Automatic exposure and gain ---- */
#define IMX267_38U_FEATURES_AUTO \
	{ .name = "ExposureAuto", .category = "AutoExposureGainControl", .display_name = "Auto Exposure", \
	  .tooltip = "Continuous: the camera sets the exposure time to reach ExposureAutoReference.", \
	  .section = "5.3.1", .type = FEAT_ENUM, .access = FEAT_RW, .address = A_AUTO + 0x00, .length = 4, \
	  .def = 2, .entries = auto_off_continuous, .n_entries = N(auto_off_continuous), .flags = USERSET }, \
	{ .name = "GainAuto", .category = "AutoExposureGainControl", .display_name = "Auto Gain", \
	  .tooltip = "Continuous: the camera sets the gain to reach ExposureAutoReference, as low as the exposure allows.", \
	  .section = "5.3.2", .type = FEAT_ENUM, .access = FEAT_RW, .address = A_AUTO + 0x04, .length = 4, \
	  .def = 2, .entries = auto_off_continuous, .n_entries = N(auto_off_continuous), .flags = USERSET }, \
	{ .name = "ExposureAutoReference", .category = "AutoExposureGainControl", \
	  .display_name = "Auto Reference Value", .tooltip = "Target brightness of auto exposure and auto gain (8-bit scale).", \
	  .section = "5.3.3", .type = FEAT_INTEGER, .access = FEAT_RW, .address = A_AUTO + 0x08, .length = 4, \
	  .min = 0, .max = 255, .inc = 1, .def = 128, .flags = USERSET }, \
	{ .name = "ExposureAutoHighlightReduction", .category = "AutoExposureGainControl", \
	  .display_name = "Highlight Reduction", \
	  .tooltip = "Let auto exposure and auto gain also reduce over-exposed areas.", .section = "5.3.4", \
	  .type = FEAT_BOOLEAN, .access = FEAT_RW, .address = A_AUTO + 0x0C, .length = 4, .min = 0, .max = 1, \
	  .def = 0, .flags = USERSET }, \
	{ .name = "ExposureAutoLowerLimit", .category = "AutoExposureGainControl", \
	  .display_name = "Auto Exposure Lower Limit", .tooltip = "Shortest exposure time auto exposure may choose.", \
	  .section = "5.3.5", .type = FEAT_FLOAT, .access = FEAT_RW, .address = A_AUTO + 0x10, .length = 8, \
	  .fmin = 2.0, .fmax = 1000000.0, .fdef = 2.0, .unit = "us", .flags = USERSET }, \
	{ .name = "ExposureAutoUpperLimit", .category = "AutoExposureGainControl", \
	  .display_name = "Auto Exposure Upper Limit", \
	  .tooltip = "Longest exposure time auto exposure may choose. Follows the frame rate while ExposureAutoUpperLimitAuto is On.", \
	  .section = "5.3.5", .type = FEAT_FLOAT, .access = FEAT_RW, .address = A_AUTO + 0x18, .length = 8, \
	  .fmin = 2.0, .fmax = 1000000.0, .fdef = 33333.0, .unit = "us", .locked_expr = "ExposureAutoUpperLimitAuto", \
	  .flags = USERSET | FEAT_F_VOLATILE }, \
	{ .name = "ExposureAutoUpperLimitAuto", .category = "AutoExposureGainControl", \
	  .display_name = "Auto Exposure Upper Limit Auto", \
	  .tooltip = "On: ExposureAutoUpperLimit is kept at the longest exposure the current frame rate allows.", \
	  .section = "5.3.5", .type = FEAT_ENUM, .access = FEAT_RW, .address = A_AUTO + 0x20, .length = 4, \
	  .def = 1, .entries = off_on, .n_entries = N(off_on), .flags = USERSET }, \
	{ .name = "GainAutoLowerLimit", .category = "AutoExposureGainControl", .display_name = "Auto Gain Lower Limit", \
	  .tooltip = "Lowest gain auto gain may choose.", .section = "5.3.6", .type = FEAT_FLOAT, \
	  .access = FEAT_RW, .address = A_AUTO + 0x28, .length = 8, .fmin = 0.0, .fmax = 48.0, .fdef = 0.0, \
	  .unit = "dB", .flags = USERSET }, \
	{ .name = "GainAutoUpperLimit", .category = "AutoExposureGainControl", .display_name = "Auto Gain Upper Limit", \
	  .tooltip = "Highest gain auto gain may choose.", .section = "5.3.6", .type = FEAT_FLOAT, \
	  .access = FEAT_RW, .address = A_AUTO + 0x30, .length = 8, .fmin = 0.0, .fmax = 48.0, .fdef = 48.0, \
	  .unit = "dB", .flags = USERSET },

/* ---- 5.4 Trigger, 5.5 trigger timing ---- */
#define IMX267_38U_FEATURES_TRIGGER \
	{ .name = "TriggerMode", .category = "TriggerControl", .display_name = "Trigger Mode", \
	  .tooltip = "On: a frame is exposed only when a trigger arrives (TRIGGER_IN or software).", \
	  .section = "5.4.1", .type = FEAT_ENUM, .access = FEAT_RW, .address = A_TRIGGER + 0x00, .length = 4, \
	  .def = 0, .entries = off_on, .n_entries = N(off_on), .flags = USERSET }, \
	{ .name = "TriggerActivation", .category = "TriggerControl", .display_name = "Trigger Polarity", \
	  .tooltip = "Which edge of TRIGGER_IN is a trigger.", .section = "5.4.2", .type = FEAT_ENUM, \
	  .access = FEAT_RW, .address = A_TRIGGER + 0x04, .length = 4, .def = 0, \
	  .entries = trigger_activation_entries, .n_entries = N(trigger_activation_entries), .flags = USERSET }, \
	{ .name = "TriggerSoftware", .category = "TriggerControl", .display_name = "Software Trigger", \
	  .tooltip = "Simulates one trigger pulse (not delayed by TriggerDelay).", .section = "5.4.3", \
	  .type = FEAT_COMMAND, .access = FEAT_RW, .address = A_TRIGGER + 0x08, .length = 4, .def = 1 }, \
	{ .name = "TriggerSelector", .category = "TriggerControl", .display_name = "Trigger Exposure Mode", \
	  .tooltip = "FrameStart: ExposureTime sets the exposure. ExposureActive: the exposure lasts as long as TRIGGER_IN stays active.", \
	  .section = "5.4.4", .type = FEAT_ENUM, .access = FEAT_RW, .address = A_TRIGGER + 0x0C, .length = 4, \
	  .def = 0, .entries = trigger_selector_entries, .n_entries = N(trigger_selector_entries), \
	  .flags = USERSET }, \
	{ .name = "AcquisitionBurstFrameCount", .category = "TriggerControl", .display_name = "Trigger Burst Count", \
	  .tooltip = "Frames taken per trigger, as fast as exposure time and frame rate allow.", .section = "5.4.5", \
	  .type = FEAT_INTEGER, .access = FEAT_RW, .address = A_TRIGGER + 0x10, .length = 4, .min = 1, \
	  .max = 1000, .inc = 1, .def = 1, .flags = USERSET }, \
	{ .name = "TriggerSource", .category = "TriggerControl", .display_name = "Trigger Source", \
	  .tooltip = "Which triggers are accepted: any, only TRIGGER_IN (Line1), or only software.", \
	  .section = "5.4.6", .type = FEAT_ENUM, .access = FEAT_RW, .address = A_TRIGGER + 0x14, .length = 4, \
	  .def = 0, .entries = trigger_source_entries, .n_entries = N(trigger_source_entries), .flags = USERSET }, \
	{ .name = "TriggerOverlap", .category = "TriggerControl", .display_name = "Trigger Overlap", \
	  .tooltip = "Off: a trigger is accepted only after the previous frame is read out. Readout: also during readout, while the remaining readout time is shorter than the exposure time. Forced Off by IMXLowLatencyMode.", \
	  .section = "5.4.7", .type = FEAT_ENUM, .access = FEAT_RW, .address = A_TRIGGER + 0x18, .length = 4, \
	  .def = 0, .entries = trigger_overlap_entries, .n_entries = N(trigger_overlap_entries), \
	  .locked_expr = "IMXLowLatencyMode", .override_expr = "IMXLowLatencyMode", .override_value = 0, \
	  .flags = USERSET }, \
	{ .name = "IMXLowLatencyMode", .category = "TriggerControl", .display_name = "IMX Low-Latency Mode", \
	  .tooltip = "True: exposure starts exactly TriggerDelay after the trigger. False: a delay that depends on the sensor's state is added.", \
	  .section = "5.4.8", .type = FEAT_BOOLEAN, .access = FEAT_RW, .address = A_TRIGGER + 0x1C, .length = 4, \
	  .min = 0, .max = 1, .def = 0, .flags = USERSET }, \
	{ .name = "TriggerDelay", .category = "TriggerControl", .display_name = "Trigger Delay", \
	  .tooltip = "Time between a TRIGGER_IN trigger and the start of exposure.", .section = "5.5.1", \
	  .type = FEAT_FLOAT, .access = FEAT_RW, .address = A_TRIGGER + 0x20, .length = 8, .fmin = 0.0, \
	  .fmax = 1000000.0, .fdef = 0.0, .unit = "us", .flags = USERSET }, \
	{ .name = "TriggerDebouncer", .category = "TriggerControl", .display_name = "Trigger Debounce Time", \
	  .tooltip = "TRIGGER_IN must have been low this long before the next trigger is accepted.", \
	  .section = "5.5.2", .type = FEAT_FLOAT, .access = FEAT_RW, .address = A_TRIGGER + 0x28, .length = 8, \
	  .fmin = 0.0, .fmax = 1000000.0, .fdef = 0.0, .unit = "us", .flags = USERSET }, \
	{ .name = "TriggerMask", .category = "TriggerControl", .display_name = "Trigger Mask Time", \
	  .tooltip = "Triggers are ignored for this long after a trigger is accepted.", .section = "5.5.3", \
	  .type = FEAT_FLOAT, .access = FEAT_RW, .address = A_TRIGGER + 0x30, .length = 8, .fmin = 0.0, \
	  .fmax = 1000000.0, .fdef = 0.0, .unit = "us", .flags = USERSET }, \
	{ .name = "TriggerDenoise", .category = "TriggerControl", .display_name = "Trigger Noise Suppression Time", \
	  .tooltip = "TRIGGER_IN must stay active this long to count as a trigger.", .section = "5.5.4", \
	  .type = FEAT_FLOAT, .access = FEAT_RW, .address = A_TRIGGER + 0x38, .length = 8, .fmin = 0.0, \
	  .fmax = 1000000.0, .fdef = 0.0, .unit = "us", .flags = USERSET },

/* ---- 5.6 Digital I/O ---- */
#define IMX267_38U_FEATURES_DIO \
	{ .name = "GPIIn", .category = "DigitalIOControl", .display_name = "General Purpose Input", \
	  .tooltip = "Current state of TRIGGER_IN: True when the line is low.", .section = "5.6.1", \
	  .type = FEAT_BOOLEAN, .access = FEAT_RO, .address = A_DIO + 0x00, .length = 4, .min = 0, .max = 1, \
	  .def = 0, .flags = FEAT_F_COMPUTED | FEAT_F_VOLATILE }, \
	{ .name = "GPOut", .category = "DigitalIOControl", .display_name = "General Purpose Output", \
	  .tooltip = "Drives STROBE_OUT high (True) or low (False) while the strobe is disabled.", .section = "5.6.2", \
	  .type = FEAT_BOOLEAN, .access = FEAT_RW, .address = A_DIO + 0x04, .length = 4, .min = 0, .max = 1, \
	  .def = 0, .flags = USERSET },

/* ---- 5.7 Strobe ---- */
#define IMX267_38U_FEATURES_STROBE \
	{ .name = "StrobeEnable", .category = "StrobeControl", .display_name = "Strobe Enable", \
	  .tooltip = "On: STROBE_OUT pulses with each exposure.", .section = "5.7.1", .type = FEAT_ENUM, \
	  .access = FEAT_RW, .address = A_STROBE + 0x00, .length = 4, .def = 0, .entries = off_on, \
	  .n_entries = N(off_on), .flags = USERSET }, \
	{ .name = "StrobePolarity", .category = "StrobeControl", .display_name = "Strobe Polarity", \
	  .tooltip = "ActiveHigh: STROBE_OUT is high during the pulse. ActiveLow: it is low.", .section = "5.7.2", \
	  .type = FEAT_ENUM, .access = FEAT_RW, .address = A_STROBE + 0x04, .length = 4, .def = 0, \
	  .entries = strobe_polarity_entries, .n_entries = N(strobe_polarity_entries), .flags = USERSET }, \
	{ .name = "StrobeOperation", .category = "StrobeControl", .display_name = "Strobe Operation", \
	  .tooltip = "Exposure: the pulse lasts the exposure time. FixedDuration: it lasts StrobeDuration.", \
	  .section = "5.7.3", .type = FEAT_ENUM, .access = FEAT_RW, .address = A_STROBE + 0x08, .length = 4, \
	  .def = 0, .entries = strobe_operation_entries, .n_entries = N(strobe_operation_entries), \
	  .flags = USERSET }, \
	{ .name = "StrobeDuration", .category = "StrobeControl", .display_name = "Strobe Duration", \
	  .tooltip = "Pulse length in FixedDuration operation.", .section = "5.7.4", .type = FEAT_INTEGER, \
	  .access = FEAT_RW, .address = A_STROBE + 0x0C, .length = 4, .min = 0, .max = 32767, .inc = 1, \
	  .def = 1000, .unit = "us", .flags = USERSET }, \
	{ .name = "StrobeDelay", .category = "StrobeControl", .display_name = "Strobe Delay", \
	  .tooltip = "Delay from the start of exposure to the start of the strobe pulse.", .section = "5.7.5", \
	  .type = FEAT_INTEGER, .access = FEAT_RW, .address = A_STROBE + 0x10, .length = 4, .min = 0, \
	  .max = 32767, .inc = 1, .def = 0, .unit = "us", .flags = USERSET },

/* ---- 5.9 Image processing ----
 * GAMMA_TOOLTIP: the model's words for Gamma (which channels it acts on). */
#define IMX267_38U_FEATURES_PROCESSING(GAMMA_TOOLTIP) \
	{ .name = "Gamma", .category = "ImageProcessingControl", .display_name = "Gamma", \
	  .tooltip = GAMMA_TOOLTIP, \
	  .section = "5.9.1", .type = FEAT_FLOAT, .access = FEAT_RW, .address = A_PROC + 0x00, .length = 8, \
	  .fmin = 0.01, .fmax = 5.0, .fdef = 1.0, .locked_expr = "LUTEnable", .flags = USERSET }, \
	{ .name = "LUTEnable", .category = "ImageProcessingControl", .display_name = "LUT Enable", \
	  .tooltip = "Apply the lookup table to the pixel values (disables gamma).", .section = "5.9.2", \
	  .type = FEAT_BOOLEAN, .access = FEAT_RW, .address = A_PROC + 0x08, .length = 4, .min = 0, .max = 1, \
	  .def = 0, .flags = USERSET }, \
	{ .name = "LUTIndex", .category = "ImageProcessingControl", .display_name = "LUT Index", \
	  .tooltip = "Entry of the lookup table that LUTValue reads and writes.", .section = "5.9.2", \
	  .type = FEAT_INTEGER, .access = FEAT_RW, .address = A_PROC + 0x0C, .length = 4, .min = 0, .max = 256, \
	  .inc = 1, .def = 0 }, \
	{ .name = "LUTValue", .category = "ImageProcessingControl", .display_name = "LUT Value", \
	  .tooltip = "Value of the lookup table entry selected by LUTIndex (16-bit output scale).", \
	  .section = "5.9.2", .type = FEAT_INTEGER, .access = FEAT_RW, .address = A_PROC + 0x10, .length = 4, \
	  .min = 0, .max = 65535, .inc = 1, .def = 0, .selector = "LUTIndex", .n_selected = 257, \
	  .flags = USERSET }, \
	{ .name = "LUTValueAll", .category = "ImageProcessingControl", .display_name = "LUT Value All", \
	  .tooltip = "The whole lookup table: 257 entries of 16 bits, each in its own little-endian 32-bit word (1028 bytes).", \
	  .section = "5.9.2", .type = FEAT_REGISTER, .access = FEAT_RW, .address = A_LUTALL, .length = 1028 },

/* ---- 5.11 Auto functions ROI ----
 * ENABLE_TOOLTIP: the model's words for AutoFunctionsROIEnable (which auto functions there are). */
#define IMX267_38U_FEATURES_AROI(ENABLE_TOOLTIP) \
	{ .name = "AutoFunctionsROIEnable", .category = "AutoFunctionsROIControl", \
	  .display_name = "Auto Functions ROI Enable", \
	  .tooltip = ENABLE_TOOLTIP, \
	  .section = "5.11.1", .type = FEAT_BOOLEAN, .access = FEAT_RW, .address = A_AROI + 0x00, .length = 4, \
	  .min = 0, .max = 1, .def = 0, .flags = USERSET }, \
	{ .name = "AutoFunctionsROI_Preset", .category = "AutoFunctionsROIControl", \
	  .display_name = "Auto Functions ROI Preset", .tooltip = "Predefined regions, or CustomRectangle.", \
	  .section = "5.11.2", .type = FEAT_ENUM, .access = FEAT_RW, .address = A_AROI + 0x04, .length = 4, \
	  .def = 0, .entries = aroi_preset_entries, .n_entries = N(aroi_preset_entries), .flags = USERSET }, \
	{ .name = "AutoFunctionsROILeft", .category = "AutoFunctionsROIControl", \
	  .display_name = "Auto Functions ROI Left", \
	  .tooltip = "Left edge, relative to the output image. Writable with the CustomRectangle preset.", \
	  .section = "5.11.3", .type = FEAT_INTEGER, .access = FEAT_RW, .address = A_AROI + 0x08, .length = 4, \
	  .min = 0, .max = 2576, .inc = 1, .def = 0, .unit = "px", .locked_expr = "AutoFunctionsROI_Preset <> 5", \
	  .flags = USERSET | FEAT_F_VOLATILE }, \
	{ .name = "AutoFunctionsROITop", .category = "AutoFunctionsROIControl", \
	  .display_name = "Auto Functions ROI Top", \
	  .tooltip = "Top edge, relative to the output image. Writable with the CustomRectangle preset.", \
	  .section = "5.11.3", .type = FEAT_INTEGER, .access = FEAT_RW, .address = A_AROI + 0x0C, .length = 4, \
	  .min = 0, .max = 2032, .inc = 1, .def = 0, .unit = "px", .locked_expr = "AutoFunctionsROI_Preset <> 5", \
	  .flags = USERSET | FEAT_F_VOLATILE }, \
	{ .name = "AutoFunctionsROIWidth", .category = "AutoFunctionsROIControl", \
	  .display_name = "Auto Functions ROI Width", \
	  .tooltip = "Width of the region. Writable with the CustomRectangle preset.", .section = "5.11.3", \
	  .type = FEAT_INTEGER, .access = FEAT_RW, .address = A_AROI + 0x10, .length = 4, .min = 16, \
	  .max = 2592, .inc = 1, .def = 2592, .unit = "px", .locked_expr = "AutoFunctionsROI_Preset <> 5", \
	  .flags = USERSET | FEAT_F_VOLATILE }, \
	{ .name = "AutoFunctionsROIHeight", .category = "AutoFunctionsROIControl", \
	  .display_name = "Auto Functions ROI Height", \
	  .tooltip = "Height of the region. Writable with the CustomRectangle preset.", .section = "5.11.3", \
	  .type = FEAT_INTEGER, .access = FEAT_RW, .address = A_AROI + 0x14, .length = 4, .min = 16, \
	  .max = 2048, .inc = 1, .def = 2048, .unit = "px", .locked_expr = "AutoFunctionsROI_Preset <> 5", \
	  .flags = USERSET | FEAT_F_VOLATILE },

/* ---- 5.12 User sets ---- */
#define IMX267_38U_FEATURES_USERSET \
	{ .name = "UserSetSelector", .category = "UserSetControl", .display_name = "User Set Selector", \
	  .tooltip = "Memory slot that UserSetLoad and UserSetSave act on. Default holds the factory configuration.", \
	  .section = "5.12.1", .type = FEAT_ENUM, .access = FEAT_RW, .address = A_USERSET + 0x00, .length = 4, \
	  .def = 0, .entries = userset_entries, .n_entries = N(userset_entries) }, \
	{ .name = "UserSetLoad", .category = "UserSetControl", .display_name = "Load User Set", \
	  .tooltip = "Restores the configuration from the selected slot.", .section = "5.12.2", .type = FEAT_COMMAND, \
	  .access = FEAT_RW, .address = A_USERSET + 0x04, .length = 4, .def = 1, \
	  .flags = LOCKED_WHILE_STREAMING }, \
	{ .name = "UserSetSave", .category = "UserSetControl", .display_name = "Save User Set", \
	  .tooltip = "Saves the configuration into the selected slot (not into Default, which cannot be overwritten).", \
	  .section = "5.12.3", .type = FEAT_COMMAND, .access = FEAT_RW, .address = A_USERSET + 0x08, .length = 4, \
	  .def = 1, .locked_expr = "UserSetSelector = 0", .flags = FEAT_F_SLOW }, \
	{ .name = "UserSetDefault", .category = "UserSetControl", .display_name = "Default User Set", \
	  .tooltip = "Slot loaded at power-up.", .section = "5.12.4", .type = FEAT_ENUM, .access = FEAT_RW, \
	  .address = A_USERSET + 0x0C, .length = 4, .def = 0, .entries = userset_entries, \
	  .n_entries = N(userset_entries), .flags = FEAT_F_NONVOLATILE | FEAT_F_SLOW },

/* ---- Transport layer ---- */
#define IMX267_38U_FEATURES_TRANSPORT \
	{ .name = "PayloadSize", .category = "TransportLayerControl", .display_name = "Payload Size", \
	  .tooltip = "Bytes of image data per frame for the current pixel format and region.", .type = FEAT_INTEGER, \
	  .access = FEAT_RO, .address = A_DEVICE + 0x14, .length = 4, .min = 0, .max = 0x7FFFFFFF, .inc = 1, \
	  .unit = "B", .flags = FEAT_F_COMPUTED | FEAT_F_VOLATILE }, \
	{ .name = "TLParamsLocked", .category = "TransportLayerControl", .display_name = "TL Params Locked", \
	  .tooltip = "1 while format, size and readout mode are locked; the camera also reads 1 while it acquires.", \
	  .type = FEAT_INTEGER, .access = FEAT_RW, .address = A_DEVICE + 0x10, .length = 4, .min = 0, .max = 1, \
	  .inc = 1, .def = 0, .flags = FEAT_F_VOLATILE },

/* ---- The three stretches of a model's feature table; a colour camera puts its white
 * balance rows (5.8) after the first, its colour processing rows (5.10) after the second. */
#define IMX267_38U_FEATURES_DEVICE_TO_STROBE(PIXEL_FORMATS, PIXEL_FORMAT_DEFAULT, BINNING_H_TOOLTIP) \
	IMX267_38U_FEATURES_DEVICE \
	IMX267_38U_FEATURES_FORMAT(PIXEL_FORMATS, PIXEL_FORMAT_DEFAULT, BINNING_H_TOOLTIP) \
	IMX267_38U_FEATURES_ACQUISITION \
	IMX267_38U_FEATURES_ANALOG \
	IMX267_38U_FEATURES_AUTO \
	IMX267_38U_FEATURES_TRIGGER \
	IMX267_38U_FEATURES_DIO \
	IMX267_38U_FEATURES_STROBE

/* IMX267_38U_FEATURES_PROCESSING(GAMMA_TOOLTIP), above, is the second. */

#define IMX267_38U_FEATURES_AROI_TO_TRANSPORT(ENABLE_TOOLTIP) \
	IMX267_38U_FEATURES_AROI(ENABLE_TOOLTIP) \
	IMX267_38U_FEATURES_USERSET \
	IMX267_38U_FEATURES_TRANSPORT

#endif
