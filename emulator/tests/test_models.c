/* SPDX-License-Identifier: MIT */
/* models: every built-in model is one the emulator can run (its pixel formats
 * are ones its sensor delivers, its camera starts, its XML generates), and the
 * DMK 38UX267 is what its file says: the DFK 38UX267 without the colour
 * features, with the monochrome formats, on a sensor without a colour filter
 * whose Mono frames carry the raw values of docs/image-pipeline.md. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../models/model.h"
#include "../../models/pfnc.h"
#include "../camera/camera.h"
#include "../camera/camera_io.h"
#include "../common/errors.h"
#include "../common/evloop.h"
#include "../sensor/pixfmt.h"
#include "../u3v/genicam_xml.h"
#include "tests.h"

/* the colour camera's features that a monochrome one does not have (manual 5.8, 5.10) */
static const char *const colour_features[] = {
	"BalanceWhiteAuto", "BalanceWhiteMode", "BalanceWhiteAutoPreset", "BalanceRatioSelector", "BalanceRatio",
	"BalanceWhiteTemperature", "BalanceWhiteTemperaturePreset", "Hue", "Saturation",
};
#define N_COLOUR (sizeof(colour_features) / sizeof(colour_features[0]))

static enum sensor_cfa sensor_cfa_of(const struct camera_model *m)
{
	return m->sensor.cfa == MODEL_CFA_NONE ? SENSOR_CFA_NONE : SENSOR_CFA_BAYER_RG;
}

static bool is_colour_feature(const char *name)
{
	for (size_t i = 0; i < N_COLOUR; i++)
		if (strcmp(colour_features[i], name) == 0)
			return true;
	return false;
}

static bool same_str(const char *a, const char *b) { return (!a && !b) || (a && b && strcmp(a, b) == 0); }

static void test_models_builtin_table(void)
{
	unsigned n = 0;

	for (; builtin_models[n]; n++) {
		const struct camera_model *m = builtin_models[n];
		CU_ASSERT_PTR_EQUAL(model_find(m->id), m);
		for (unsigned k = 0; k < n; k++) {
			CU_ASSERT(strcmp(builtin_models[k]->id, m->id) != 0);
			CU_ASSERT(builtin_models[k]->identity.product_id != m->identity.product_id);
			CU_ASSERT(strcmp(builtin_models[k]->identity.default_serial, m->identity.default_serial) != 0);
		}
	}
	ASSERT_INT(n, 2);
	CU_ASSERT_PTR_EQUAL(builtin_models[0], &dfk38ux267_model);   /* the default stays the DFK */
	CU_ASSERT_PTR_EQUAL(model_find("dmk38ux267"), &dmk38ux267_model);
	CU_ASSERT_PTR_NULL(model_find("dfk38ux264"));
}

/* Every PixelFormat entry is a format the model's sensor delivers, with the bits per pixel the
 * entry, the PFNC code and the sensor's table agree on; the default is one of them. */
static void test_models_pixel_formats_rendered(void)
{
	for (unsigned i = 0; builtin_models[i]; i++) {
		const struct camera_model *m = builtin_models[i];
		int idx = model_feature_index(m, "PixelFormat");
		CU_ASSERT_FATAL(idx >= 0);
		const struct feature_def *d = &m->features[idx];

		CU_ASSERT_PTR_NOT_NULL(model_enum_entry_by_value(d, d->def));
		for (unsigned k = 0; k < d->n_entries; k++) {
			const struct enum_entry *e = &d->entries[k];
			const struct pixfmt *f = pixfmt_find((uint32_t)e->value, sensor_cfa_of(m));
			char what[96];

			snprintf(what, sizeof(what), "%s %s", m->id, e->name);
			CU_ASSERT_PTR_NOT_NULL_FATAL(f);
			CU_ASSERT_STRING_EQUAL(f->name, e->name);
			test_assert_int((long long)e->numeric, f->bits, __LINE__, __FILE__, what);
			test_assert_int(PFNC_BITS((uint32_t)e->value), f->bits, __LINE__, __FILE__, what);
		}
		for (unsigned k = 0; k < m->sensor.n_format_link; k++)
			CU_ASSERT_PTR_NOT_NULL(model_enum_entry_by_value(d, m->sensor.format_link[k].pfnc));
	}
}

static void test_models_xml_generates(void)
{
	for (unsigned i = 0; builtin_models[i]; i++) {
		size_t len = 0;
		char *xml = genicam_xml_generate(builtin_models[i], &len);
		char model_name[96];

		CU_ASSERT_PTR_NOT_NULL_FATAL(xml);
		snprintf(model_name, sizeof(model_name), "ModelName=\"%s\"", builtin_models[i]->identity.xml_model_name);
		CU_ASSERT(strstr(xml, model_name) != NULL);
		/* no colour feature in a monochrome camera's document */
		if (builtin_models[i]->sensor.cfa == MODEL_CFA_NONE)
			CU_ASSERT(strstr(xml, "\"BalanceRatio\"") == NULL && strstr(xml, "\"Hue\"") == NULL);
		free(xml);
	}
}

/* The DMK's table is the DFK's without the colour features: every other feature is the DFK's
 * (register, type, range, default, formulas, flags; only tooltips may say less), PixelFormat
 * offers the monochrome formats, and the sensor differs in its colour filter only. */
static void test_models_dmk_is_the_dfk_without_colour(void)
{
	const struct camera_model *c = &dfk38ux267_model, *m = &dmk38ux267_model;
	unsigned shared = 0;

	for (unsigned i = 0; i < m->n_features; i++) {
		const struct feature_def *a = &m->features[i];
		int k = model_feature_index(c, a->name);
		char msg[160];

		snprintf(msg, sizeof(msg), "DMK feature %s", a->name);
		CU_ASSERT_FATAL(k >= 0);
		CU_ASSERT(!is_colour_feature(a->name));
		const struct feature_def *b = &c->features[k];
		/* everything but the default, the entries and the tooltip */
		bool same = same_str(a->category, b->category) && same_str(a->section, b->section) && a->type == b->type &&
			    a->access == b->access && a->backing == b->backing && a->address == b->address &&
			    a->length == b->length && a->min == b->min && a->max == b->max && a->inc == b->inc &&
			    a->fmin == b->fmin && a->fmax == b->fmax && a->fdef == b->fdef && same_str(a->unit, b->unit) &&
			    same_str(a->min_expr, b->min_expr) && same_str(a->max_expr, b->max_expr) &&
			    same_str(a->locked_expr, b->locked_expr) && same_str(a->value_expr, b->value_expr) &&
			    same_str(a->override_expr, b->override_expr) && a->override_value == b->override_value &&
			    same_str(a->selector, b->selector) && a->n_selected == b->n_selected && a->flags == b->flags;
		if (strcmp(a->name, "PixelFormat") == 0) {
			CU_assertImplementation(same, __LINE__, msg, __FILE__, "", CU_FALSE);
			ASSERT_INT(a->n_entries, 3);
			CU_ASSERT(a->entries[0].value == PFNC_MONO8 && a->entries[1].value == PFNC_MONO12P &&
				  a->entries[2].value == PFNC_MONO16);
			CU_ASSERT(a->def == PFNC_MONO8);
			continue;
		}
		same = same && a->def == b->def && a->n_entries == b->n_entries;
		for (unsigned e = 0; same && e < a->n_entries; e++)
			same = strcmp(a->entries[e].name, b->entries[e].name) == 0 && a->entries[e].value == b->entries[e].value;
		CU_assertImplementation(same, __LINE__, msg, __FILE__, "", CU_FALSE);
		shared++;
	}
	ASSERT_INT(shared + 1 + N_COLOUR, c->n_features);
	for (size_t i = 0; i < N_COLOUR; i++)
		CU_ASSERT(model_feature_index(m, colour_features[i]) < 0);

	const struct sensor_timing *tc = &c->sensor, *tm = &m->sensor;
	CU_ASSERT(tc->cfa == MODEL_CFA_BAYER_RG && tm->cfa == MODEL_CFA_NONE);
	CU_ASSERT(tc->width == tm->width && tc->height == tm->height && tc->pixel_size_nm == tm->pixel_size_nm &&
		  tc->adc_bits == tm->adc_bits && tc->frame_overhead_ns == tm->frame_overhead_ns &&
		  tc->row_ns == tm->row_ns && tc->row_per_col_ps == tm->row_per_col_ps &&
		  tc->exposure_gap_ns == tm->exposure_gap_ns && tc->link_bytes_per_s == tm->link_bytes_per_s);
	CU_ASSERT(c->frame_memory_bytes == m->frame_memory_bytes && c->frame_memory_frames == m->frame_memory_frames);
	CU_ASSERT(c->flash_write_ms == m->flash_write_ms && c->max_response_ms == m->max_response_ms);
	/* the 12-bit packer's throughput, for the 12-bit packed format each has */
	ASSERT_INT(m->sensor.n_format_link, 1);
	CU_ASSERT(m->sensor.format_link[0].pfnc == PFNC_MONO12P && c->sensor.format_link[0].pfnc == PFNC_BAYER_RG12P &&
		  m->sensor.format_link[0].bytes_per_s == c->sensor.format_link[0].bytes_per_s);
	/* The Imaging Source's product id: the colour option bit is the only difference */
	ASSERT_INT(c->identity.product_id ^ m->identity.product_id, 0x0080);
	ASSERT_INT(m->identity.product_id, 0x980E);
}

/* ---- a running DMK ---- */

static const struct camera_options opts = { .time_scale = 0.0, .source = SENSOR_SOURCE_PATTERN, .seed = 1 };

static struct {
	uint8_t payload[256 * 4 * 2];
	size_t len;
	uint64_t block_id;
	uint32_t pfnc;
	unsigned frames;
} got;

static int keep_frame(void *ctx, const struct frame_meta *m, struct blob *payload)
{
	(void)ctx;
	if (got.frames++ == 0 && m->payload_size <= sizeof(got.payload)) {
		const uint8_t *data = m->data ? m->data : payload->data;
		/* a frame is rendered as it is sent: all of it, now */
		CU_ASSERT_EQUAL_FATAL(blob_ensure(payload, (size_t)(data - payload->data) + (size_t)m->payload_size), 0);
		memcpy(got.payload, data, (size_t)m->payload_size);
		got.len = (size_t)m->payload_size;
		got.block_id = m->block_id;
		got.pfnc = m->pfnc;
	}
	return DFK_OK;
}

static bool always_room(void *ctx, size_t len)
{
	(void)ctx;
	(void)len;
	return true;
}

static const struct camera_ops capture_ops = { .frame_out = keep_frame, .frame_room = always_room };

/* The first frame of an acquisition in `pfnc`, 256x4 (centred on the sensor). */
static bool first_frame(struct camera *cam, uint32_t pfnc)
{
	memset(&got, 0, sizeof(got));
	if (feature_set_int(&cam->fs, "PixelFormat", pfnc) != DFK_OK ||
	    feature_set_int(&cam->fs, "Width", 256) != DFK_OK || feature_set_int(&cam->fs, "Height", 4) != DFK_OK ||
	    feature_set_int(&cam->fs, "AcquisitionStart", 1) != DFK_OK)
		return false;
	camera_io_run_until(cam, camera_io_now(cam) + 200000000ull);
	feature_set_int(&cam->fs, "AcquisitionStop", 1);
	return got.frames > 0 && got.len > 0;
}

/* The DMK starts without colour features and streams the raw values: Mono8 is P >> 4 (on the DFK
 * it is the Y of the debayered image), Mono12p and Mono16 P packed and MSB-aligned (a camera
 * that handed its sensor the Bayer filter would get no Mono12p or Mono16 frame at all). */
static void test_models_dmk_camera_streams_raw_values(void)
{
	struct evloop *loop = evloop_new();
	struct camera *cam = calloc(1, sizeof(*cam));
	char dir[64];

	CU_ASSERT_FATAL(loop && cam && t_mkdtemp(dir, sizeof(dir)) == 0);
	ASSERT_INT(camera_init(cam, &dmk38ux267_model, loop, "38267101", dir, &opts), DFK_OK);
	CU_ASSERT(cam->idx.balance_ratio < 0 && cam->idx.hue < 0 && cam->idx.saturation < 0);
	camera_set_ops(cam, &capture_ops, NULL);
	static const uint32_t formats[] = { PFNC_MONO8, PFNC_MONO12P, PFNC_MONO16 };
	for (size_t f = 0; f < 3; f++) {
		CU_ASSERT_FATAL(first_frame(cam, formats[f]));
		/* OffsetAutoCenter On: the region the camera centred */
		uint64_t ox = (uint64_t)feature_get_int(&cam->fs, "OffsetX"), oy = (uint64_t)feature_get_int(&cam->fs, "OffsetY");
		CU_ASSERT(ox > 0 && oy > 0);
		ASSERT_INT(got.pfnc, formats[f]);
		ASSERT_INT(got.len, 256 * 4 * PFNC_BITS(formats[f]) / 8);
		for (uint32_t y = 0; y < 4; y++)
			for (uint32_t x = 0; x < 256; x += 2) {
				uint32_t p0 = (uint32_t)((ox + x + 2 * (oy + y) + 16 * got.block_id + opts.seed) % 4096);
				uint32_t p1 = (uint32_t)((ox + x + 1 + 2 * (oy + y) + 16 * got.block_id + opts.seed) % 4096);
				const uint8_t *b = got.payload + (size_t)y * 256 * PFNC_BITS(formats[f]) / 8;
				bool ok;
				if (formats[f] == PFNC_MONO8)
					ok = b[x] == p0 >> 4 && b[x + 1] == p1 >> 4;
				else if (formats[f] == PFNC_MONO12P)
					ok = b[3 * x / 2] == (p0 & 0xFF) && b[3 * x / 2 + 1] == ((p0 >> 8) | ((p1 & 0xF) << 4)) &&
					     b[3 * x / 2 + 2] == p1 >> 4;
				else
					ok = (uint32_t)(b[2 * x] | b[2 * x + 1] << 8) == p0 << 4 &&
					     (uint32_t)(b[2 * x + 2] | b[2 * x + 3] << 8) == p1 << 4;
				if (!ok) {
					char msg[96];
					snprintf(msg, sizeof(msg), "format 0x%08x pixel (%u, %u)", formats[f], x, y);
					CU_assertImplementation(CU_FALSE, __LINE__, msg, __FILE__, "", CU_FALSE);
					y = 4;
					break;
				}
			}
	}
	camera_free(cam);
	free(cam);
	evloop_free(loop);
	t_rmtree(dir);
}

/* A monochrome model with a colour feature, and a colour one without it, are refused. */
static void test_models_colour_features_follow_the_sensor(void)
{
	struct evloop *loop = evloop_new();
	struct camera *cam = calloc(1, sizeof(*cam));
	struct camera_model mono_with_hue = dfk38ux267_model, colour_without_wb = dmk38ux267_model;
	char dir[64];

	CU_ASSERT_FATAL(loop && cam && t_mkdtemp(dir, sizeof(dir)) == 0);
	mono_with_hue.sensor.cfa = MODEL_CFA_NONE;
	colour_without_wb.sensor.cfa = MODEL_CFA_BAYER_RG;
	ASSERT_INT(camera_init(cam, &mono_with_hue, loop, "38267001", dir, &opts), DFK_ERR_INVAL);
	ASSERT_INT(camera_init(cam, &colour_without_wb, loop, "38267001", dir, &opts), DFK_ERR_INVAL);
	ASSERT_INT(camera_init(cam, &dmk38ux267_model, loop, "38267101", dir, &opts), DFK_OK);
	camera_free(cam);
	free(cam);
	evloop_free(loop);
	t_rmtree(dir);
}

static const struct test_case cases[] = {
	{ "test_models_builtin_table", test_models_builtin_table },
	{ "test_models_pixel_formats_rendered", test_models_pixel_formats_rendered },
	{ "test_models_xml_generates", test_models_xml_generates },
	{ "test_models_dmk_is_the_dfk_without_colour", test_models_dmk_is_the_dfk_without_colour },
	{ "test_models_dmk_camera_streams_raw_values", test_models_dmk_camera_streams_raw_values },
	{ "test_models_colour_features_follow_the_sensor", test_models_colour_features_follow_the_sensor },
	{ NULL, NULL },
};

int test_models_add_suite(void) { return test_add_suite("models", NULL, NULL, cases); }
