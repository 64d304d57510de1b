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
#include "../common/blob.h"
#include "../common/evloop.h"
#include "../sensor/sensor.h"
#include "acquisition.h"
#include "clock.h"
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
	struct sensor *sensor;
	struct blob_pool *pool;
	double light_level;           /* the scene's light (I/O side channel can change it) */
	double light_kelvin;
	bool scene_still;             /* I/O side channel: `scene motion off` */

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

/* Feature values by name for the behaviour (0 / false when the model lacks the feature). */
int64_t camera_int(struct camera *cam, const char *name);
double camera_float(struct camera *cam, const char *name);
bool camera_enum_is(struct camera *cam, const char *name, const char *entry);

/* For the acquisition and trigger engines. */
uint64_t camera_exposure_ns(struct camera *cam);
void camera_exposure_started(struct camera *cam, uint64_t block_id, uint64_t t, uint64_t exposure_ns);
void camera_exposure_ended(struct camera *cam, uint64_t block_id, uint64_t t);
void camera_readout(struct camera *cam, struct readout *r);
void camera_sensor_settings(struct camera *cam, struct sensor_settings *st);
uint64_t camera_frame_period_ns(struct camera *cam);
uint64_t camera_frames_per_start(struct camera *cam);
bool camera_stream_has_room(struct camera *cam);
int camera_deliver_frame(struct camera *cam, struct acq_frame *f);
void camera_acquisition_ended(struct camera *cam);

/* User sets (5.12). slot: 0 Default, 1 UserSet1, 2 UserSet2. */
int camera_userset_save(struct camera *cam, int64_t slot);
int camera_userset_load(struct camera *cam, int64_t slot);

#endif
