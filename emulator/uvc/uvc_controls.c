/* SPDX-License-Identifier: MIT */
#include "uvc_controls.h"

#include <math.h>
#include <string.h>

#include "../common/errors.h"
#include "../common/log.h"
#include "uvc_defs.h"
#include "uvc_desc.h"

#define N_OF(a) ((uint8_t)(sizeof(a) / sizeof((a)[0])))

/* ---- the table ---- */

static const struct uvc_value_name off_on[] = { { 0, "Off" }, { 1, "On" } };
static const struct uvc_value_name off_continuous[] = { { 0, "Off" }, { 1, "Continuous" } };
/* CT_AE_MODE: no iris, so the camera's auto exposure is "aperture priority" (auto time) */
static const struct uvc_value_name ae_modes[] = { { UVC_AE_MODE_MANUAL, "Off" },
						  { UVC_AE_MODE_APERTURE_PRIORITY, "Continuous" } };
static const struct uvc_value_name trigger_activation[] = { { 0, "RisingEdge" }, { 1, "FallingEdge" } };
static const struct uvc_value_name trigger_selector[] = { { 0, "FrameStart" }, { 1, "ExposureActive" } };
/* the manual: ActiveHigh = True, Exposure = True */
static const struct uvc_value_name strobe_polarity[] = { { 0, "ActiveLow" }, { 1, "ActiveHigh" } };
static const struct uvc_value_name strobe_operation[] = { { 0, "FixedDuration" }, { 1, "Exposure" } };
static const struct uvc_value_name wb_auto[] = { { 0, "Off" }, { 1, "Once" }, { 2, "Continuous" } };
static const struct uvc_value_name wb_mode[] = { { 0, "GrayWorld" }, { 1, "Temperature" } };
static const struct uvc_value_name wb_auto_preset[] = {
	{ 0, "Any" }, { 1, "AutoWarmWhite" }, { 2, "AutoCoolWhite" }, { 3, "AutoDaylight" }, { 4, "AutoDeepShade" },
};
/* The Imaging Source's selector 0x50 carries kelvin: the preset's colour temperature */
static const struct uvc_value_name wb_temperature_preset[] = {
	{ 2500, "SodiumVaporLamp" }, { 2700, "WarmLight" }, { 3000, "HalogenLight" },
	{ 3500, "NeutralWhite" }, { 4000, "CoolWhiteFluorescentLight" }, { 5000, "CoolWhiteDaylightCFL" },
	{ 6000, "Daylight" }, { 7500, "CoolWhiteLED" }, { 10000, "BlueSky" },
};
static const struct uvc_value_name aroi_preset[] = {
	{ 0, "FullSensor" }, { 1, "Center50" }, { 2, "Center25" }, { 3, "BottomHalf" }, { 4, "TopHalf" },
	{ 5, "CustomRectangle" },
};

#define NUM(n, f, off, b, sgn, sc) \
	{ .name = n, .feature = f, .selected = -1, .offset = off, .bits = b, .is_signed = sgn, .scale = sc }
#define SEL(n, f, pos, off, b, sc) \
	{ .name = n, .feature = f, .selected = pos, .offset = off, .bits = b, .scale = sc }
#define MAP(n, f, off, b, map) \
	{ .name = n, .feature = f, .selected = -1, .offset = off, .bits = b, .scale = 1, .values = map, \
	  .n_values = N_OF(map) }
#define CTL(ent, sel, bit, len, ...) \
	{ .entity = ent, .selector = sel, .bm_bit = bit, .length = len, \
	  .fields = (const struct uvc_field[]){ __VA_ARGS__ }, \
	  .n_fields = (uint8_t)(sizeof((const struct uvc_field[]){ __VA_ARGS__ }) / sizeof(struct uvc_field)) }
/* extension unit: bmControls bit k is selector k + 1 */
#define XU(sel, len, ...) CTL(UVC_ENTITY_XU, sel, (uint8_t)((sel) - 1), len, __VA_ARGS__)

const struct uvc_control_def uvc_control_defs[] = {
	/* camera terminal: for generic applications (docs/uvc.md) */
	CTL(UVC_ENTITY_CT, UVC_CT_AE_MODE_CONTROL, 1, 1,
	    { .name = "Auto Exposure", .feature = "ExposureAuto", .selected = -1, .offset = 0, .bits = 8,
	      .mode_mask = true, .scale = 1, .values = ae_modes, .n_values = N_OF(ae_modes) }),
	CTL(UVC_ENTITY_CT, UVC_CT_EXPOSURE_TIME_ABSOLUTE_CONTROL, 3, 4,
	    NUM("Exposure Time, Absolute", "ExposureTime", 0, 32, false, 0.01)),   /* 100 us units */
	/* processing unit: the manual's five standard names, and gain */
	CTL(UVC_ENTITY_PU, UVC_PU_BRIGHTNESS_CONTROL, 0, 2, NUM("Brightness", "BlackLevel", 0, 16, true, 1)),
	CTL(UVC_ENTITY_PU, UVC_PU_HUE_CONTROL, 2, 2, NUM("Hue", "Hue", 0, 16, true, 1)),
	CTL(UVC_ENTITY_PU, UVC_PU_SATURATION_CONTROL, 3, 2, NUM("Saturation", "Saturation", 0, 16, false, 1)),
	CTL(UVC_ENTITY_PU, UVC_PU_GAMMA_CONTROL, 5, 2, NUM("Gamma", "Gamma", 0, 16, false, 100)),
	CTL(UVC_ENTITY_PU, UVC_PU_WHITE_BALANCE_TEMPERATURE_CONTROL, 6, 2,
	    NUM("White Balance Temperature", "BalanceWhiteTemperature", 0, 16, false, 1)),
	CTL(UVC_ENTITY_PU, UVC_PU_GAIN_CONTROL, 9, 2, NUM("Gain", "Gain", 0, 16, false, 10)),   /* 0.1 dB */

	/* extension unit: the manual's other V4L2 names (uvcmap/dfk38ux267.ini) */
	XU(0x01, 1, MAP("Auto Shutter", "ExposureAuto", 0, 1, off_continuous)),
	XU(0x02, 1, MAP("Auto Gain", "GainAuto", 0, 1, off_continuous)),
	XU(0x04, 4, NUM("ExposureAutoReference", "ExposureAutoReference", 0, 32, true, 1)),
	XU(0x05, 1, MAP("Trigger Mode", "TriggerMode", 0, 1, off_on)),
	XU(0x06, 1, MAP("Strobe Enable", "StrobeEnable", 0, 1, off_on),
	   MAP("Strobe Polarity", "StrobePolarity", 1, 1, strobe_polarity),
	   MAP("Strobe Exposure", "StrobeOperation", 2, 1, strobe_operation)),
	XU(0x07, 4, NUM("Strobe Duration", "StrobeDuration", 0, 16, false, 1),
	   NUM("Strobe Delay", "StrobeDelay", 16, 16, true, 1)),
	XU(0x08, 1, NUM("GPOUT", "GPOut", 0, 1, false, 1), NUM("GPIN", "GPIIn", 1, 1, false, 1)),
	XU(0x0f, 1, NUM("Software Trigger", "TriggerSoftware", 0, 1, false, 1)),
	XU(0x15, 4, NUM("ROI Offset X", "OffsetX", 0, 32, false, 1)),
	XU(0x16, 4, NUM("ROI Offset Y", "OffsetY", 0, 32, false, 1)),
	XU(0x17, 1, MAP("ROI Auto Center", "OffsetAutoCenter", 0, 1, off_on)),
	XU(0x18, 4, NUM("Gain (db/100)", "Gain", 0, 32, false, 100)),
	XU(0x1a, 4, NUM("Trigger Delay", "TriggerDelay", 0, 32, false, 1)),
	XU(0x1b, 4, NUM("Exposure Time (us)", "ExposureTime", 0, 32, false, 1)),
	XU(0x2e, 1, NUM("Flip Horizontal", "ReverseX", 0, 1, false, 1)),
	XU(0x2f, 1, NUM("Flip Vertical", "ReverseY", 0, 1, false, 1)),
	XU(0x3b, 1, NUM("Highlight Reduction", "ExposureAutoHighlightReduction", 0, 1, false, 1)),
	XU(0x3c, 4, NUM("Exposure Auto Lower Limit", "ExposureAutoLowerLimit", 0, 32, false, 1)),
	XU(0x3d, 4, NUM("Exposure Auto Upper Limit", "ExposureAutoUpperLimit", 0, 32, false, 1)),
	XU(0x3f, 4, NUM("Gain Auto Lower Limit", "GainAutoLowerLimit", 0, 32, false, 100)),
	XU(0x40, 4, NUM("Gain Auto Upper Limit", "GainAutoUpperLimit", 0, 32, false, 100)),
	XU(0x41, 1, MAP("Trigger Polarity", "TriggerActivation", 0, 8, trigger_activation)),
	XU(0x43, 1, MAP("Trigger Exposure Mode", "TriggerSelector", 0, 8, trigger_selector)),
	XU(0x44, 2, NUM("Trigger Burst Count", "AcquisitionBurstFrameCount", 0, 16, false, 1)),
	XU(0x45, 4, NUM("Trigger Debounce Time (us)", "TriggerDebouncer", 0, 32, false, 1)),
	XU(0x46, 4, NUM("Trigger Mask Time (us)", "TriggerMask", 0, 32, false, 1)),
	XU(0x47, 4, NUM("Trigger Noise Suppression Time", "TriggerDenoise", 0, 32, false, 1)),
	XU(0x48, 2, NUM("Auto Functions ROI Enable", "AutoFunctionsROIEnable", 0, 8, false, 1),
	   MAP("Auto Functions ROI Preset", "AutoFunctionsROI_Preset", 8, 8, aroi_preset)),
	XU(0x49, 2, NUM("Auto Functions ROI Left", "AutoFunctionsROILeft", 0, 16, false, 1)),
	XU(0x4a, 2, NUM("Auto Functions ROI Top", "AutoFunctionsROITop", 0, 16, false, 1)),
	XU(0x4b, 2, NUM("Auto Functions ROI Width", "AutoFunctionsROIWidth", 0, 16, false, 1)),
	XU(0x4c, 2, NUM("Auto Functions ROI Height", "AutoFunctionsROIHeight", 0, 16, false, 1)),
	XU(0x4d, 1, MAP("Whitebalance Mode", "BalanceWhiteMode", 0, 8, wb_mode)),
	XU(0x4e, 1, MAP("Whitebalance Auto Preset", "BalanceWhiteAutoPreset", 0, 8, wb_auto_preset)),
	XU(0x4f, 1, SEL("White Balance Green Component", "BalanceRatio", 1, 0, 8, 64)),
	XU(0x50, 2, MAP("Whitebalance Temperature Preset", "BalanceWhiteTemperaturePreset", 0, 16,
			wb_temperature_preset)),
	/* ours: not in The Imaging Source's mapping (docs/uvc.md) */
	XU(0x62, 1, MAP("Exposure Auto Upper Limit Auto", "ExposureAutoUpperLimitAuto", 0, 1, off_on)),
	XU(0x63, 1, MAP("White Balance Component, Auto", "BalanceWhiteAuto", 0, 8, wb_auto)),
	XU(0x64, 1, SEL("White Balance Red Component", "BalanceRatio", 0, 0, 8, 64)),
	XU(0x65, 1, SEL("White Balance Blue Component", "BalanceRatio", 2, 0, 8, 64)),
};
const unsigned uvc_n_control_defs = sizeof(uvc_control_defs) / sizeof(uvc_control_defs[0]);

_Static_assert(sizeof(uvc_control_defs) / sizeof(uvc_control_defs[0]) <= UVC_MAX_CONTROLS, "UVC_MAX_CONTROLS");

/* ---- resolution against the model ---- */

void uvc_controls_init(struct uvc_controls *c, struct feature_store *fs)
{
	memset(c, 0, sizeof(*c));
	c->fs = fs;
	for (unsigned i = 0; i < uvc_n_control_defs; i++) {
		const struct uvc_control_def *d = &uvc_control_defs[i];
		c->present[i] = d->n_fields <= UVC_MAX_FIELDS;
		for (unsigned k = 0; k < d->n_fields && k < UVC_MAX_FIELDS; k++) {
			const struct uvc_field *f = &d->fields[k];
			c->idx[i][k] = feature_index(fs, f->feature);
			c->selector_idx[i][k] = -1;
			if (c->idx[i][k] < 0) {
				c->present[i] = false;
				continue;
			}
			if (f->selected >= 0) {
				const struct feature_def *fd = feature_def(fs, c->idx[i][k]);
				c->selector_idx[i][k] = fd->selector ? feature_index(fs, fd->selector) : -1;
				if (c->selector_idx[i][k] < 0 || (unsigned)f->selected >= fd->n_selected)
					c->present[i] = false;
			}
		}
	}
}

int uvc_controls_find(const struct uvc_controls *c, uint8_t entity, uint8_t selector)
{
	for (unsigned i = 0; i < uvc_n_control_defs; i++)
		if (uvc_control_defs[i].entity == entity && uvc_control_defs[i].selector == selector)
			return c->present[i] ? (int)i : -1;
	return -1;
}

void uvc_controls_bitmap(const struct uvc_controls *c, uint8_t entity, uint8_t *bm, unsigned len, uint8_t *count)
{
	memset(bm, 0, len);
	*count = 0;
	for (unsigned i = 0; i < uvc_n_control_defs; i++) {
		const struct uvc_control_def *d = &uvc_control_defs[i];
		if (d->entity != entity || !c->present[i] || d->bm_bit / 8u >= len)
			continue;
		bm[d->bm_bit / 8] |= (uint8_t)(1u << (d->bm_bit % 8));
		(*count)++;
	}
}

/* ---- one field's value ---- */

/* A selected feature (BalanceRatio[Red]) is read and written with its selector
 * pointed at the field's position, then put back: the host's own selector value
 * is not disturbed. */
struct sel_guard {
	struct feature_store *fs;
	int sel;
	struct feat_value saved;
};

static void select_pos(struct sel_guard *g, struct feature_store *fs, int sel, int pos)
{
	g->fs = fs;
	g->sel = sel;
	if (sel < 0)
		return;
	g->saved = fs->val[sel];
	feature_store_raw(fs, sel, (struct feat_value){ .i = pos, .f = pos });
}

static void select_restore(struct sel_guard *g)
{
	if (g->sel >= 0)
		feature_store_raw(g->fs, g->sel, g->saved);
}

static int64_t bits_min(const struct uvc_field *f) { return f->is_signed ? -(INT64_C(1) << (f->bits - 1)) : 0; }
static int64_t bits_max(const struct uvc_field *f)
{
	return f->is_signed ? (INT64_C(1) << (f->bits - 1)) - 1 : (INT64_C(1) << f->bits) - 1;
}

static int64_t clamp_bits(const struct uvc_field *f, int64_t v)
{
	return v < bits_min(f) ? bits_min(f) : v > bits_max(f) ? bits_max(f) : v;
}

static bool map_to_wire(const struct uvc_field *f, const struct feature_def *fd, int64_t model, int64_t *wire)
{
	const struct enum_entry *e = model_enum_entry_by_value(fd, model);

	for (unsigned k = 0; e && k < f->n_values; k++)
		if (!strcmp(f->values[k].entry, e->name)) {
			*wire = f->values[k].wire;
			return true;
		}
	return false;
}

static bool map_from_wire(const struct uvc_field *f, const struct feature_def *fd, int64_t wire, int64_t *model)
{
	for (unsigned k = 0; k < f->n_values; k++)
		if (f->values[k].wire == wire) {
			const struct enum_entry *e = model_enum_entry(fd, f->values[k].entry);
			if (!e)
				return false;
			*model = e->value;
			return true;
		}
	return false;
}

static double number(const struct feature_def *fd, struct feat_value v)
{
	return fd->type == FEAT_FLOAT ? v.f : (double)v.i;
}

/* The field's wire value for GET_CUR/MIN/MAX/RES/DEF. */
static int64_t field_get(struct uvc_controls *c, int i, unsigned k, uint8_t request)
{
	const struct uvc_field *f = &uvc_control_defs[i].fields[k];
	int idx = c->idx[i][k];
	const struct feature_def *fd = feature_def(c->fs, idx);
	struct feat_value v = { 0 }, lo = { 0 }, hi = { 0 };
	struct sel_guard g;
	int64_t w = 0;

	if (f->values) {
		int64_t wmin = f->values[0].wire, wmax = wmin, mask = 0;
		for (unsigned j = 0; j < f->n_values; j++) {
			wmin = f->values[j].wire < wmin ? f->values[j].wire : wmin;
			wmax = f->values[j].wire > wmax ? f->values[j].wire : wmax;
			mask |= f->values[j].wire;
		}
		switch (request) {
		case UVC_GET_MIN: return wmin;
		case UVC_GET_MAX: return wmax;
		case UVC_GET_RES: return f->mode_mask ? mask : 1;
		case UVC_GET_DEF: return map_to_wire(f, fd, fd->def, &w) ? w : wmin;
		default:
			if (feature_get(c->fs, idx, &v) < 0 || !map_to_wire(f, fd, v.i, &w))
				return wmin;
			return w;
		}
	}
	if (fd->type == FEAT_COMMAND)
		return request == UVC_GET_MAX || request == UVC_GET_RES ? 1 : 0;
	switch (request) {
	case UVC_GET_MIN:
	case UVC_GET_MAX:
		select_pos(&g, c->fs, c->selector_idx[i][k], f->selected);
		feature_limits(c->fs, idx, &lo, &hi);
		select_restore(&g);
		/* the wire range lies inside the feature's: rounded inwards */
		if (request == UVC_GET_MIN)
			return clamp_bits(f, (int64_t)ceil(number(fd, lo) * f->scale - 1e-9));
		return clamp_bits(f, (int64_t)floor(number(fd, hi) * f->scale + 1e-9));
	case UVC_GET_RES:
		if (fd->type == FEAT_INTEGER && fd->inc > 1)
			return (int64_t)llround((double)fd->inc * f->scale);
		return 1;
	case UVC_GET_DEF:
		return clamp_bits(f, llround((fd->type == FEAT_FLOAT ? fd->fdef : (double)fd->def) * f->scale));
	default:
		select_pos(&g, c->fs, c->selector_idx[i][k], f->selected);
		if (feature_get(c->fs, idx, &v) < 0)
			v = (struct feat_value){ 0 };
		select_restore(&g);
		return clamp_bits(f, llround(number(fd, v) * f->scale));
	}
}

static void put_field(uint64_t *acc, const struct uvc_field *f, int64_t v)
{
	uint64_t mask = f->bits >= 64 ? UINT64_MAX : (UINT64_C(1) << f->bits) - 1;

	*acc |= ((uint64_t)v & mask) << f->offset;
}

static int64_t take_field(uint64_t acc, const struct uvc_field *f)
{
	uint64_t mask = (UINT64_C(1) << f->bits) - 1, u = (acc >> f->offset) & mask;

	if (f->is_signed && (u >> (f->bits - 1)))
		return (int64_t)(u | ~mask);
	return (int64_t)u;
}

static bool field_writable(const struct feature_def *fd) { return fd->access & FEAT_WO; }

static uint8_t control_info(struct uvc_controls *c, int i)
{
	const struct uvc_control_def *d = &uvc_control_defs[i];
	uint8_t info = UVC_INFO_GET;

	for (unsigned k = 0; k < d->n_fields; k++) {
		const struct feature_def *fd = feature_def(c->fs, c->idx[i][k]);
		if (field_writable(fd)) {
			info |= UVC_INFO_SET;
			if (feature_locked(c->fs, c->idx[i][k]))
				info |= UVC_INFO_DISABLED;
		}
		if (fd->flags & FEAT_F_VOLATILE)
			info |= UVC_INFO_AUTOUPDATE;
	}
	return info;
}

int uvc_controls_get(struct uvc_controls *c, int i, uint8_t request, uint8_t *out)
{
	const struct uvc_control_def *d;
	uint64_t acc = 0;

	if (i < 0 || (unsigned)i >= uvc_n_control_defs || !c->present[i])
		return UVC_ERR_INVALID_CONTROL;
	d = &uvc_control_defs[i];
	switch (request) {
	case UVC_GET_INFO:
		out[0] = control_info(c, i);
		return UVC_ERR_NONE;
	case UVC_GET_LEN:
		out[0] = d->length;
		out[1] = 0;
		return UVC_ERR_NONE;
	case UVC_GET_CUR:
	case UVC_GET_MIN:
	case UVC_GET_MAX:
	case UVC_GET_RES:
	case UVC_GET_DEF:
		break;
	default:
		return UVC_ERR_INVALID_REQUEST;
	}
	for (unsigned k = 0; k < d->n_fields; k++)
		put_field(&acc, &d->fields[k], field_get(c, i, k, request));
	for (unsigned b = 0; b < d->length; b++)
		out[b] = (uint8_t)(acc >> (8 * b));
	return UVC_ERR_NONE;
}

static int from_dfk(int rc)
{
	switch (rc) {
	case DFK_OK: return UVC_ERR_NONE;
	case DFK_ERR_DENIED: return UVC_ERR_WRONG_STATE;
	case DFK_ERR_RANGE: return UVC_ERR_OUT_OF_RANGE;
	case DFK_ERR_READONLY: return UVC_ERR_INVALID_REQUEST;
	default: return UVC_ERR_INVALID_VALUE;
	}
}

/* Check one field's new wire value; *model gets the feature value to write. */
static int field_check(struct uvc_controls *c, int i, unsigned k, int64_t wire, struct feat_value *model)
{
	const struct uvc_field *f = &uvc_control_defs[i].fields[k];
	const struct feature_def *fd = feature_def(c->fs, c->idx[i][k]);
	int64_t lo = field_get(c, i, k, UVC_GET_MIN), hi = field_get(c, i, k, UVC_GET_MAX);

	if (wire < lo || wire > hi)
		return UVC_ERR_OUT_OF_RANGE;
	if (f->values) {
		if (!map_from_wire(f, fd, wire, &model->i))
			return UVC_ERR_INVALID_VALUE;
		model->f = (double)model->i;
		return UVC_ERR_NONE;
	}
	if (fd->type == FEAT_COMMAND) {
		model->i = fd->def;
		return UVC_ERR_NONE;
	}
	int64_t res = field_get(c, i, k, UVC_GET_RES);
	if (res > 1 && (wire - lo) % res)
		return UVC_ERR_INVALID_VALUE;
	model->f = (double)wire / f->scale;
	model->i = llround(model->f);
	return UVC_ERR_NONE;
}

int uvc_controls_set(struct uvc_controls *c, int i, const uint8_t *data)
{
	const struct uvc_control_def *d;
	struct feat_value model[UVC_MAX_FIELDS];
	bool write[UVC_MAX_FIELDS] = { false };
	uint64_t acc = 0;
	int err;

	if (i < 0 || (unsigned)i >= uvc_n_control_defs || !c->present[i])
		return UVC_ERR_INVALID_CONTROL;
	d = &uvc_control_defs[i];
	if (!(control_info(c, i) & UVC_INFO_SET))
		return UVC_ERR_INVALID_REQUEST;
	for (unsigned b = 0; b < d->length; b++)
		acc |= (uint64_t)data[b] << (8 * b);
	/* every field is checked before any is written */
	for (unsigned k = 0; k < d->n_fields; k++) {
		const struct feature_def *fd = feature_def(c->fs, c->idx[i][k]);
		int64_t wire = take_field(acc, &d->fields[k]);
		if (!field_writable(fd))
			continue;   /* a read-only field sharing the selector (GPIN) */
		if (fd->type == FEAT_COMMAND) {
			write[k] = wire != 0;
		} else {
			/* an unchanged field is not written: a host's read-modify-write of a shared
			 * selector must not trip over a neighbour's lock */
			write[k] = wire != field_get(c, i, k, UVC_GET_CUR);
		}
		if (write[k] && (err = field_check(c, i, k, wire, &model[k])))
			return err;
	}
	for (unsigned k = 0; k < d->n_fields; k++) {
		struct sel_guard g;
		int rc;
		if (!write[k])
			continue;
		select_pos(&g, c->fs, c->selector_idx[i][k], d->fields[k].selected);
		rc = feature_set(c->fs, c->idx[i][k], model[k]);
		select_restore(&g);
		if (rc < 0) {
			log_dbg("uvc: SET_CUR %s: %s", d->fields[k].name, dfk_strerror(rc));
			return from_dfk(rc);
		}
	}
	return UVC_ERR_NONE;
}
