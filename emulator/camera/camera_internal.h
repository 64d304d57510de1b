/* SPDX-License-Identifier: MIT */
/* Shared by the camera's own files (camera*.c); nothing else includes it. */
#ifndef DFK_CAMERA_INTERNAL_H
#define DFK_CAMERA_INTERNAL_H

#include "camera.h"

/* ---- camera_settings.c: the features by name, and what the engines get ---- */

/* Looks up every feature and enumeration entry the behaviour uses. Returns 0, or
 * DFK_ERR_INVAL after one error naming everything the model lacks. */
int camera_features_resolve(struct camera *cam);
/* A Bayer sensor: the camera has white balance, hue and saturation (their indices are valid). */
bool camera_has_colour(const struct camera *cam);
/* Rebuilds the engines' settings from the feature values and hands them over:
 * after anything that changes a value (a write, a user set, the auto functions). */
void camera_settings_refresh(struct camera *cam);
/* Effective value (computed values and overrides included). */
int64_t camera_get_int(struct camera *cam, int idx);
double camera_get_float(struct camera *cam, int idx);
/* Stored as is, without checks or hooks (clamps, the auto functions). */
void camera_store_int(struct camera *cam, int idx, int64_t v);
void camera_store_float(struct camera *cam, int idx, double v);
/* The readout the geometry implies (frame timing), and everything one frame is rendered with. */
void camera_readout(struct camera *cam, struct readout *r);
void camera_frame_settings(struct camera *cam, struct sensor_settings *st);

/* ---- camera_rules.c ---- */

void camera_bind_rules(struct camera *cam);
/* Keep size, offsets and frame rate valid after anything that changes the geometry. */
void camera_fixup_geometry(struct camera *cam);
/* Factory configuration: the model's defaults and the identity lookup table. */
void camera_factory_defaults(struct camera *cam);
/* AcquisitionStart/Stop executed, or the acquisition ended by itself. */
void camera_set_acquiring(struct camera *cam, bool on);

/* ---- camera_usersets.c ---- */

void camera_bind_userset_rules(struct camera *cam);
/* DeviceUserID and UserSetDefault from the flash (cleared when there is none). */
void camera_flash_load(struct camera *cam);

#endif
