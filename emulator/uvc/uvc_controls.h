/* SPDX-License-Identifier: MIT */
/* The camera terminal, processing unit and extension unit controls as data,
 * and their GET_CUR/MIN/MAX/RES/DEF/INFO/LEN and SET_CUR semantics over the
 * camera's feature store: a SET_CUR writes the very feature a USB3 Vision
 * host writes, through the same checks and side effects.
 *
 * A control (entity, selector) holds a little-endian value of `length` bytes
 * made of fields; each field is one V4L2 control of the manual mapped to one
 * GenICam feature: wire value = feature value x scale, or, for enumerations,
 * a table of wire value <-> entry name. uvcmap/dfk38ux267.ini describes the
 * same extension-unit fields for the host (test_uvc.c checks they agree). */
#ifndef DFK_UVC_CONTROLS_H
#define DFK_UVC_CONTROLS_H

#include <stdbool.h>
#include <stdint.h>

#include "../camera/features.h"

struct uvc_value_name {
	int64_t wire;
	const char *entry;          /* GenICam entry name of the field's feature */
};

struct uvc_field {
	const char *name;           /* the manual's V4L2 name (or the standard control's) */
	const char *feature;        /* GenICam feature */
	int8_t selected;            /* position for a selected feature (BalanceRatio: 0 Red ..), else -1 */
	uint8_t offset, bits;       /* bit position and width inside the control's value */
	bool is_signed;
	bool mode_mask;             /* GET_RES is the OR of the supported wire values (CT AE mode) */
	double scale;               /* wire = feature value x scale */
	const struct uvc_value_name *values;   /* enumeration map, NULL for numbers */
	uint8_t n_values;
};

struct uvc_control_def {
	uint8_t entity;             /* UVC_ENTITY_CT / _PU / _XU */
	uint8_t selector;
	uint8_t bm_bit;             /* bit in the entity's bmControls */
	uint8_t length;             /* bytes (GET_LEN) */
	const struct uvc_field *fields;
	uint8_t n_fields;
};

extern const struct uvc_control_def uvc_control_defs[];
extern const unsigned uvc_n_control_defs;

#define UVC_MAX_CONTROLS 64
#define UVC_MAX_FIELDS   4

struct uvc_controls {
	struct feature_store *fs;
	int idx[UVC_MAX_CONTROLS][UVC_MAX_FIELDS];   /* feature index per field, -1 when the model lacks it */
	int selector_idx[UVC_MAX_CONTROLS][UVC_MAX_FIELDS];
	bool present[UVC_MAX_CONTROLS];               /* every field's feature exists */
};

/* Resolve the table against the model behind `fs`. */
void uvc_controls_init(struct uvc_controls *c, struct feature_store *fs);
/* The index of (entity, selector) in uvc_control_defs, or -1 when absent. */
int uvc_controls_find(const struct uvc_controls *c, uint8_t entity, uint8_t selector);
/* bmControls of `entity` (len bytes) and the number of its controls. */
void uvc_controls_bitmap(const struct uvc_controls *c, uint8_t entity, uint8_t *bm, unsigned len, uint8_t *count);
/* Answer GET_CUR/MIN/MAX/RES/DEF (def->length bytes) or GET_INFO (1 byte) or
 * GET_LEN (2 bytes) into `out`. Returns 0 or a UVC_ERR_* code. */
int uvc_controls_get(struct uvc_controls *c, int i, uint8_t request, uint8_t *out);
/* SET_CUR with def->length bytes. Returns 0 or a UVC_ERR_* code. */
int uvc_controls_set(struct uvc_controls *c, int i, const uint8_t *data);

#endif
