/* SPDX-License-Identifier: MIT */
/* One camera's behaviour: feature values and the rules that tie them
 * together, the device clock, power-up, non-volatile memory and user sets.
 * It knows nothing of USB; the device layer (emulator/device.c) connects it
 * to the USB3 Vision function, and reaches the clock, the I/O lines and the
 * event log through camera_io.h.
 *
 * The camera owns the timing engines (acquisition, trigger, strobe, auto
 * functions) and wires them: each gets the device scheduler, the event log,
 * the sensor's timing, typed settings built from the feature values, and an
 * ops table for what it asks of the rest. Its code is split by concern:
 *   camera.c           start-up, power-up, shutdown, and the engines' ops
 *   camera_settings.c  the features the behaviour uses, by name (the only
 *                      place): resolved at start-up, turned into the engines' settings
 *   camera_rules.c     feature rules: geometry, locks, commands, computed values
 *   camera_usersets.c  user sets and non-volatile memory
 *   camera_io.c        camera_io.h */
#ifndef DFK_CAMERA_H
#define DFK_CAMERA_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "../../models/model.h"
#include "../common/blob.h"
#include "../common/evloop.h"
#include "../sensor/sensor.h"
#include "acquisition.h"
#include "autofunc.h"
#include "clock.h"
#include "render_queue.h"
#include "eventlog.h"
#include "features.h"
#include "framerate.h"
#include "sched.h"
#include "strobe.h"
#include "trigger.h"

struct camera;

/* What the camera asks of the device around it. All optional. */
struct camera_ops {
	void (*acquisition_changed)(void *ctx, bool running);   /* AcquisitionStart/Stop executed */
	void (*device_reset)(void *ctx);                        /* DeviceReset executed */
	void (*user_id_changed)(void *ctx, const char *id);
	/* A frame is ready: queue it for the host. Returns 0, DFK_ERR_BUSY (buffer
	 * full: dropped) or DFK_ERR_DENIED (stream not enabled: discarded). */
	int (*frame_out)(void *ctx, const struct frame_meta *m, struct blob *payload);
	/* Would a frame of `len` bytes be taken now? (time scale 0 waits for the host) */
	bool (*frame_room)(void *ctx, size_t len);
	/* AcquisitionStop: frames not yet being sent are discarded. */
	void (*frame_flush)(void *ctx);
};

struct camera_options {
	double time_scale;
	enum sensor_source source;
	uint32_t seed;
};

/* Index of every feature the behaviour uses; resolved at start-up, a model lacking one is refused. */
struct camera_feature_index {
	/* readout and geometry (5.1) */
	int width, height, offset_x, offset_y, offset_auto_center, pixel_format;
	int binning_h, binning_v, decimation_h, decimation_v, width_max, height_max, reverse_x, reverse_y;
	/* acquisition and transport layer */
	int acquisition_mode, acquisition_start, acquisition_stop, acquisition_frame_count;
	int frame_rate, frame_rate_max, payload_size, tl_params_locked, device_reset;
	/* image sensor and processing (5.2, 5.9, 5.10) */
	int exposure_time, gain, black_level, gamma, lut_enable, lut_value, lut_value_all, hue, saturation;
	/* auto exposure and gain (5.3) */
	int exposure_auto, gain_auto, exposure_auto_reference, highlight_reduction;
	int exposure_auto_lower, exposure_auto_upper, exposure_auto_upper_auto, gain_auto_lower, gain_auto_upper;
	/* trigger (5.4, 5.5) */
	int trigger_mode, trigger_activation, trigger_software, trigger_selector, burst_frame_count, trigger_source;
	int trigger_overlap, low_latency, trigger_delay, trigger_debouncer, trigger_mask, trigger_denoise;
	/* digital I/O and strobe (5.6, 5.7) */
	int gpi_in, gp_out, strobe_enable, strobe_polarity, strobe_operation, strobe_duration, strobe_delay;
	/* white balance (5.8); with hue and saturation -1 on a monochrome camera */
	int balance_auto, balance_mode, balance_auto_preset, balance_ratio_selector, balance_ratio;
	int balance_temperature, balance_temperature_preset;
	/* auto functions ROI (5.11) */
	int aroi_enable, aroi_preset, aroi_left, aroi_top, aroi_width, aroi_height;
	/* user sets (5.12) */
	int userset_selector, userset_load, userset_save, userset_default;
};

/* Register values of the enumeration entries the behaviour tells apart; resolved at start-up. */
struct camera_entry_values {
	int64_t trigger_mode_on, trigger_source_line1, trigger_source_software, trigger_activation_falling;
	int64_t trigger_selector_exposure_active, trigger_overlap_readout;
	int64_t strobe_enable_on, strobe_polarity_active_low, strobe_operation_fixed;
	int64_t exposure_auto_continuous, gain_auto_continuous;
	int64_t balance_auto_off, balance_auto_once, balance_mode_temperature;
	int64_t aroi_center50, aroi_center25, aroi_bottom_half, aroi_top_half, aroi_custom;
	int64_t acquisition_single_frame, acquisition_multi_frame;
};

/* What the engines were last given: rebuilt whenever a feature value changes. */
struct camera_settings {
	struct acquisition_settings acquisition;
	struct trigger_settings trigger;
	struct strobe_settings strobe;
	struct autofunc_settings autofunc;
};

struct camera {
	const struct camera_model *model;
	struct evloop *loop;
	struct dev_clock clock;
	struct dev_sched sched;
	struct feature_store fs;
	char serial[16];
	char state_dir[PATH_MAX];     /* this camera's non-volatile memory */
	int state_lock_fd;            /* flock on state_dir/lock: one process per directory */
	char user_id[64];
	int64_t userset_default;      /* non-volatile: slot loaded at power-up */
	bool acquiring;
	bool tl_locked;               /* TLParamsLocked as written by the host */
	uint64_t power_ups;

	const struct camera_ops *ops;
	void *ops_ctx;

	struct camera_options opt;
	struct eventlog log;
	struct acquisition acq;
	struct trigger trig;
	struct strobe strobe;
	struct autofunc af;
	struct sensor *sensor;
	struct blob_pool *pool;
	struct render_queue render;   /* frames rendered in strips (render_queue.h) */
	uint64_t payload_reused;     /* payload bytes handed out again from memory already rendered */
	double light_level;           /* the scene's light (I/O side channel can change it) */
	double light_kelvin;
	bool scene_still;             /* I/O side channel: `scene motion off` */

	struct camera_feature_index idx;
	struct camera_entry_values entry;
	struct camera_settings settings;
};

/* `state_dir` is created if needed. Returns 0 or a negative dfk_err (logged). */
int camera_init(struct camera *cam, const struct camera_model *model, struct evloop *loop, const char *serial,
		const char *state_dir, const struct camera_options *opt);
void camera_free(struct camera *cam);
void camera_set_ops(struct camera *cam, const struct camera_ops *ops, void *ctx);
/* Power-up: clock to 0, factory defaults, then the UserSetDefault slot. */
void camera_power_on(struct camera *cam);

/* Persist the user-defined name (ABRM) in non-volatile memory. */
int camera_set_user_id(struct camera *cam, const char *id);

/* Image geometry and format in effect, for the stream and the sensor model. */
struct camera_geometry {
	uint32_t width, height, offset_x, offset_y;
	uint32_t binning_h, binning_v, decimation_h, decimation_v;
	uint32_t pfnc;
	uint32_t bits_per_pixel;
};
void camera_geometry(struct camera *cam, struct camera_geometry *g);
uint64_t camera_payload_size(struct camera *cam);

/* User sets (5.12). slot: 0 Default, 1 UserSet1, 2 UserSet2. */
int camera_userset_save(struct camera *cam, int64_t slot);
int camera_userset_load(struct camera *cam, int64_t slot);

#endif
