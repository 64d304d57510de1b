/* SPDX-License-Identifier: MIT */
/* The camera as data: identity, sensor facts and the feature table.
 *
 * The register map, the GenICam XML and the emulator's range checks are all
 * derived from one `struct camera_model`. A second camera of the family is a
 * second instance of this struct, not new code.
 *
 * Dependencies between features are written as GenICam SwissKnife formulas over
 * feature names (e.g. "WidthMax - Width"). The XML generator emits them as
 * (Int)SwissKnife nodes; the emulator evaluates the very same text.
 */
#ifndef DFK_MODEL_H
#define DFK_MODEL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum feat_type {
	FEAT_INTEGER,
	FEAT_FLOAT,
	FEAT_ENUM,
	FEAT_BOOLEAN,
	FEAT_COMMAND,
	FEAT_STRING,
	FEAT_REGISTER,
};

enum feat_access { FEAT_RO = 1, FEAT_WO = 2, FEAT_RW = 3 };

/* Where a feature's register lives. */
enum feat_backing {
	BACK_FEATURE = 0,   /* the camera's feature store serves the register */
	BACK_BOOTSTRAP,     /* a USB3 Vision bootstrap register (ABRM); `address` is its ABRM address */
};

/* Feature flags */
#define FEAT_F_STREAM_LOCKED  0x0001u  /* read-only while TLParamsLocked (GenCP ACCESS_DENIED) */
#define FEAT_F_USERSET        0x0002u  /* part of the configuration saved in user sets */
#define FEAT_F_VOLATILE       0x0004u  /* changes on its own (auto functions, I/O, clock): NoCache */
#define FEAT_F_CLAMP          0x0008u  /* out-of-range writes are clamped, not refused (manual says so) */
#define FEAT_F_SIGNED         0x0010u  /* integer register is two's complement */
#define FEAT_F_HIDDEN         0x0020u  /* helper node: in the XML but in no category */
#define FEAT_F_SLOW           0x0040u  /* takes flash time: GenCP answers PENDING_ACK first */
#define FEAT_F_NONVOLATILE    0x0080u  /* kept in the device's flash across power cycles */
#define FEAT_F_COMPUTED       0x0100u  /* value comes from the camera's behaviour, not storage */
#define FEAT_F_LOCK_KEEPS     0x0200u  /* while locked_expr holds, a write is acknowledged and kept for
                                          * later but has no effect (reads give the locking rule's value) */

struct enum_entry {
	const char *name;          /* GenICam entry name */
	int64_t value;             /* register value */
	const char *display_name;
	double numeric;            /* a quantity the entry stands for (kelvin of a preset, ...), 0 if none */
	double numeric_max;        /* upper end when the entry stands for a range, else 0 */
};

struct feature_def {
	const char *name;          /* GenICam name, exactly as the manual gives it */
	const char *category;      /* parent category name */
	const char *display_name;
	const char *tooltip;       /* our own words, after the manual */
	const char *section;       /* manual section ("5.1.2"), NULL for housekeeping the manual does not cover */
	enum feat_type type;
	enum feat_access access;
	enum feat_backing backing;
	uint64_t address;
	uint32_t length;           /* register bytes: 4 or 8 for numbers, N for strings/registers */
	/* Integer, Enumeration, Boolean, Command (value written to execute) */
	int64_t min, max, inc, def;
	/* Float */
	double fmin, fmax, fdef;
	const char *unit;
	const struct enum_entry *entries;
	unsigned n_entries;
	/* Dependencies: SwissKnife formulas over feature names; NULL when static. */
	const char *min_expr;
	const char *max_expr;
	const char *locked_expr;   /* read-only while this evaluates non-zero */
	/* Computed features: the register reads this formula's value. */
	const char *value_expr;
	/* While `override_expr` is non-zero the feature reads `override_value` (e.g. forced Off). */
	const char *override_expr;
	int64_t override_value;
	/* This feature holds one value per entry of that selector (e.g. BalanceRatio by BalanceRatioSelector). */
	const char *selector;
	unsigned n_selected;       /* number of selector positions (values 0..n-1) */
	uint32_t flags;
};

/* A second GenICam name for a feature: an XML node whose pValue is the feature itself (no
 * register, no storage of its own), for clients that look for a vendor-specific name. */
struct feature_alias {
	const char *name;          /* the other name */
	const char *target;        /* the feature it stands for (same type, limits and unit) */
	const char *tooltip;       /* why it exists */
};

struct category_def {
	const char *name;
	const char *display_name;
	const char *tooltip;
	const char *parent;        /* NULL = Root */
};

struct camera_identity {
	uint16_t vendor_id;
	uint16_t product_id;
	uint16_t uvc_product_id;         /* USB Video Class firmware (dfk-emu --interface uvc); 0: none */
	uint16_t bcd_device;
	const char *manufacturer;        /* USB iManufacturer and ABRM Manufacturer Name */
	const char *model_name;          /* USB iProduct and ABRM Model Name */
	const char *family_name;
	const char *device_version;
	const char *manufacturer_info;
	const char *default_serial;      /* 8 digits */
	const char *xml_model_name;      /* RegisterDescription ModelName (no spaces) */
	const char *xml_vendor_name;
	uint32_t xml_version;            /* major << 24 | minor << 16 | subminor */
	const char *product_guid;        /* RegisterDescription ProductGuid */
	const char *version_guid;
};

/* A pixel format whose path to the USB link is slower than the link itself. */
struct format_throughput {
	uint32_t pfnc;
	double bytes_per_s;
};

/* The sensor's colour filter array. A colour camera's behaviour includes white balance,
 * hue and saturation (manual 5.8, 5.10); a monochrome one has none of them. */
enum model_cfa {
	MODEL_CFA_BAYER_RG = 0,   /* R at (even, even), B at (odd, odd), G elsewhere */
	MODEL_CFA_NONE,           /* monochrome */
};

/* Readout timing of the sensor and the link, used by the frame-rate model
 * (emulator/camera/framerate.c):
 *   sensor frame time = frame_overhead + rows_read * (row + cols_read * row_per_col)
 *   link frame time   = payload bytes / link throughput (per format if listed)
 *   minimum period    = max(sensor, link); exposure longer than that stretches it. */
struct sensor_timing {
	uint32_t width, height;          /* active pixels */
	enum model_cfa cfa;
	uint32_t pixel_size_nm;
	uint32_t adc_bits;
	uint32_t frame_overhead_ns;
	uint32_t row_ns;
	uint32_t row_per_col_ps;
	uint32_t exposure_gap_ns;        /* free running: period >= exposure + this */
	double link_bytes_per_s;
	const struct format_throughput *format_link;
	unsigned n_format_link;
};

struct camera_model {
	const char *id;                  /* short name for --model */
	struct camera_identity identity;
	struct sensor_timing sensor;
	const struct category_def *categories;
	unsigned n_categories;
	const struct feature_def *features;
	unsigned n_features;
	const struct feature_alias *aliases;   /* invisible extra names (docs/manual-quirks.md L) */
	unsigned n_aliases;
	uint32_t flash_write_ms;         /* time a non-volatile write takes (PENDING_ACK) */
	uint32_t max_response_ms;        /* ABRM Maximum Device Response Time */
	/* The camera's frame memory: frames wait here for the link; a frame that does
	 * not fit is lost (docs/manual-quirks.md K, "Frame memory"). */
	uint64_t frame_memory_bytes;
	uint32_t frame_memory_frames;
};

extern const struct camera_model dfk38ux267_model;
extern const struct camera_model dmk38ux267_model;

/* All built-in models, NULL-terminated; the first one is the default. */
extern const struct camera_model *const builtin_models[];

const struct camera_model *model_find(const char *id);
int model_feature_index(const struct camera_model *m, const char *name);   /* -1 if absent */
const struct enum_entry *model_enum_entry(const struct feature_def *f, const char *name);
const struct enum_entry *model_enum_entry_by_value(const struct feature_def *f, int64_t value);

/* The model's identity and sensor (group [@model]) and its feature table, in the key
 * vocabulary of fixtures/README.md. */
void model_dump_features(const struct camera_model *m, FILE *out);

#endif
