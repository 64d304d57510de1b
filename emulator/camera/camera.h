/* One camera's behaviour: feature values and the rules that tie them
 * together, the device clock, power-up, non-volatile memory and user sets.
 * It knows nothing of USB; the device layer (emulator/device.c) connects it
 * to the USB3 Vision function. */
#ifndef DFK_CAMERA_H
#define DFK_CAMERA_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "../../models/model.h"
#include "../common/evloop.h"
#include "clock.h"
#include "features.h"
#include "sched.h"

struct camera;

/* What the camera asks of the device around it. All optional. */
struct camera_ops {
	void (*acquisition_changed)(void *ctx, bool running);   /* AcquisitionStart/Stop executed */
	void (*device_reset)(void *ctx);                        /* DeviceReset executed */
	void (*user_id_changed)(void *ctx, const char *id);
};

struct camera {
	const struct camera_model *model;
	struct evloop *loop;
	struct dev_clock clock;
	struct dev_sched sched;
	struct feature_store fs;
	char serial[16];
	char state_dir[PATH_MAX];     /* this camera's non-volatile memory */
	char user_id[64];
	int64_t userset_default;      /* non-volatile: slot loaded at power-up */
	bool acquiring;
	bool tl_locked;               /* TLParamsLocked as written by the host */
	uint64_t power_ups;

	const struct camera_ops *ops;
	void *ops_ctx;

	/* feature indices the behaviour uses often (-1 when the model lacks one) */
	struct {
		int width, height, offset_x, offset_y, auto_center, pixel_format;
		int binning_h, binning_v, decimation_h, decimation_v, width_max, height_max;
		int frame_rate, frame_rate_max, payload_size, tl_params_locked;
		int userset_selector, userset_default, lut_value;
	} idx;
};

/* `state_dir` is created if needed. Returns 0 or a negative dfk_err (logged). */
int camera_init(struct camera *cam, const struct camera_model *model, struct evloop *loop, const char *serial,
		const char *state_dir, double time_scale);
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
