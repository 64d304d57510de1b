/* SPDX-License-Identifier: MIT */
#include "genicam_xml.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../camera/expr.h"
#include "../common/log.h"
#include "../common/strbuf.h"

#define STREAM_LOCK_FEATURE "TLParamsLocked"

static void elem(struct strbuf *b, const char *tag, const char *text)
{
	strbuf_printf(b, "    <%s>", tag);
	strbuf_xml(b, text);
	strbuf_printf(b, "</%s>\n", tag);
}

static bool is_identifier(const char *s)
{
	if (!s || !*s)
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
			return false;
	return true;
}

struct var_ctx {
	struct strbuf *b;
};

static void emit_variable(void *ctx, const char *name, size_t len)
{
	struct var_ctx *v = ctx;

	strbuf_puts(v->b, "    <pVariable Name=\"");
	strbuf_add(v->b, name, len);
	strbuf_puts(v->b, "\">");
	strbuf_add(v->b, name, len);
	strbuf_puts(v->b, "</pVariable>\n");
}

/* A formula node: IntSwissKnife or SwissKnife named `node`. */
static void swiss_knife(struct strbuf *b, const char *node, const char *formula, bool integer)
{
	struct var_ctx v = { b };
	const char *tag = integer ? "IntSwissKnife" : "SwissKnife";

	strbuf_printf(b, "  <%s Name=\"%s\">\n", tag, node);
	strbuf_puts(b, "    <Visibility>Invisible</Visibility>\n");
	expr_names(formula, emit_variable, &v);
	elem(b, "Formula", formula);
	strbuf_printf(b, "  </%s>\n\n", tag);
}

/* The node a p<Something> element points at: the feature itself for a bare
 * name, else a SwissKnife emitted after the feature. */
static const char *formula_ref(const char *formula, const char *feature, const char *suffix, char *buf, size_t len)
{
	if (is_identifier(formula))
		return formula;
	snprintf(buf, len, "%s_%s", feature, suffix);
	return buf;
}

static const char *locked_formula(const struct feature_def *f, char *buf, size_t len)
{
	bool stream = f->flags & FEAT_F_STREAM_LOCKED;

	if (f->locked_expr && stream)
		snprintf(buf, len, "(%s) || %s", f->locked_expr, STREAM_LOCK_FEATURE);
	else if (f->locked_expr)
		snprintf(buf, len, "%s", f->locked_expr);
	else if (stream)
		snprintf(buf, len, "%s", STREAM_LOCK_FEATURE);
	else
		return NULL;
	return buf;
}

static const char *access_mode(enum feat_access a)
{
	return a == FEAT_RO ? "RO" : a == FEAT_WO ? "WO" : "RW";
}

static void common_head(struct strbuf *b, const struct feature_def *f)
{
	if (f->tooltip)
		elem(b, "ToolTip", f->tooltip);
	if (f->section) {
		char d[160];
		snprintf(d, sizeof(d), "DFK 38UX267 technical reference, section %s.", f->section);
		elem(b, "Description", d);
	}
	if (f->display_name)
		elem(b, "DisplayName", f->display_name);
	if (f->flags & FEAT_F_HIDDEN)
		elem(b, "Visibility", "Invisible");
}

static void emit_register(struct strbuf *b, const struct feature_def *f, const char *node)
{
	const char *tag = f->type == FEAT_FLOAT ? "FloatReg" : "IntReg";

	strbuf_printf(b, "  <%s Name=\"%s\">\n", tag, node);
	strbuf_puts(b, "    <Visibility>Invisible</Visibility>\n");
	strbuf_printf(b, "    <Address>0x%" PRIx64 "</Address>\n", f->address);
	strbuf_printf(b, "    <Length>%u</Length>\n", f->length);
	/* Command registers read back 0 once done, so GenApi can poll IsDone. */
	strbuf_printf(b, "    <AccessMode>%s</AccessMode>\n", access_mode(f->access));
	strbuf_puts(b, "    <pPort>Device</pPort>\n");
	/* Values change as side effects of other writes and of the camera's own
	 * auto functions: never let a host cache them. */
	strbuf_puts(b, "    <Cachable>NoCache</Cachable>\n");
	if (f->type != FEAT_FLOAT)
		strbuf_printf(b, "    <Sign>%s</Sign>\n", f->flags & FEAT_F_SIGNED ? "Signed" : "Unsigned");
	strbuf_puts(b, "    <Endianess>LittleEndian</Endianess>\n");
	strbuf_printf(b, "  </%s>\n\n", tag);
}

static void emit_feature(struct strbuf *b, const struct camera_model *m, const struct feature_def *f)
{
	char reg[96], lockbuf[256], lockref[96], minref[96], maxref[96];
	const char *lock = locked_formula(f, lockbuf, sizeof(lockbuf));
	const char *lock_node = lock ? formula_ref(lock, f->name, "Locked", lockref, sizeof(lockref)) : NULL;
	bool numeric = f->type == FEAT_INTEGER || f->type == FEAT_FLOAT;
	bool integer = f->type != FEAT_FLOAT;

	snprintf(reg, sizeof(reg), "%s_Reg", f->name);

	if (f->type == FEAT_STRING || f->type == FEAT_REGISTER) {
		const char *tag = f->type == FEAT_STRING ? "StringReg" : "Register";
		strbuf_printf(b, "  <%s Name=\"%s\">\n", tag, f->name);
		common_head(b, f);
		if (lock_node)
			strbuf_printf(b, "    <pIsLocked>%s</pIsLocked>\n", lock_node);
		strbuf_printf(b, "    <Address>0x%" PRIx64 "</Address>\n", f->address);
		strbuf_printf(b, "    <Length>%u</Length>\n", f->length);
		strbuf_printf(b, "    <AccessMode>%s</AccessMode>\n", access_mode(f->access));
		strbuf_puts(b, "    <pPort>Device</pPort>\n");
		strbuf_puts(b, "    <Cachable>NoCache</Cachable>\n");
		strbuf_printf(b, "  </%s>\n\n", tag);
		if (lock && lock_node != lock)
			swiss_knife(b, lockref, lock, true);
		return;
	}

	static const char *const tags[] = {
		[FEAT_INTEGER] = "Integer", [FEAT_FLOAT] = "Float", [FEAT_ENUM] = "Enumeration",
		[FEAT_BOOLEAN] = "Boolean", [FEAT_COMMAND] = "Command",
	};
	strbuf_printf(b, "  <%s Name=\"%s\">\n", tags[f->type], f->name);
	common_head(b, f);
	if (lock_node)
		strbuf_printf(b, "    <pIsLocked>%s</pIsLocked>\n", lock_node);
	if (f->type == FEAT_ENUM) {
		for (unsigned i = 0; i < f->n_entries; i++) {
			const struct enum_entry *e = &f->entries[i];
			strbuf_printf(b, "    <EnumEntry Name=\"%s\">\n", e->name);
			if (e->display_name) {
				strbuf_puts(b, "      <DisplayName>");
				strbuf_xml(b, e->display_name);
				strbuf_puts(b, "</DisplayName>\n");
			}
			strbuf_printf(b, "      <Value>%" PRId64 "</Value>\n", e->value);
			strbuf_puts(b, "    </EnumEntry>\n");
		}
	}
	strbuf_printf(b, "    <pValue>%s</pValue>\n", reg);
	if (numeric) {
		const char *minn = f->min_expr ? formula_ref(f->min_expr, f->name, "Min", minref, sizeof(minref)) : NULL;
		const char *maxn = f->max_expr ? formula_ref(f->max_expr, f->name, "Max", maxref, sizeof(maxref)) : NULL;
		if (minn)
			strbuf_printf(b, "    <pMin>%s</pMin>\n", minn);
		else if (integer)
			strbuf_printf(b, "    <Min>%" PRId64 "</Min>\n", f->min);
		else
			strbuf_printf(b, "    <Min>%.17g</Min>\n", f->fmin);
		if (maxn)
			strbuf_printf(b, "    <pMax>%s</pMax>\n", maxn);
		else if (integer)
			strbuf_printf(b, "    <Max>%" PRId64 "</Max>\n", f->max);
		else
			strbuf_printf(b, "    <Max>%.17g</Max>\n", f->fmax);
		if (integer)
			strbuf_printf(b, "    <Inc>%" PRId64 "</Inc>\n", f->inc > 0 ? f->inc : 1);
		if (f->unit)
			elem(b, "Unit", f->unit);
		if (integer)
			strbuf_puts(b, "    <Representation>Linear</Representation>\n");
	}
	if (f->type == FEAT_BOOLEAN) {
		strbuf_puts(b, "    <OnValue>1</OnValue>\n");
		strbuf_puts(b, "    <OffValue>0</OffValue>\n");
	}
	if (f->type == FEAT_COMMAND)
		strbuf_printf(b, "    <CommandValue>%" PRId64 "</CommandValue>\n", f->def);
	/* selectors name the features they select */
	for (unsigned i = 0; i < m->n_features; i++)
		if (m->features[i].selector && strcmp(m->features[i].selector, f->name) == 0)
			strbuf_printf(b, "    <pSelected>%s</pSelected>\n", m->features[i].name);
	strbuf_printf(b, "  </%s>\n\n", tags[f->type]);

	emit_register(b, f, reg);
	if (numeric && f->min_expr && !is_identifier(f->min_expr))
		swiss_knife(b, minref, f->min_expr, integer);
	if (numeric && f->max_expr && !is_identifier(f->max_expr))
		swiss_knife(b, maxref, f->max_expr, integer);
	if (lock && lock_node != lock)
		swiss_knife(b, lockref, lock, true);
}

/* An alias: a node of the target's type whose pValue is the target, with the target's
 * limits (the same Min/Max values or the same formula nodes) and unit; in no category. */
static void emit_alias(struct strbuf *b, const struct camera_model *m, const struct feature_alias *a)
{
	char minref[96], maxref[96];
	int idx = model_feature_index(m, a->target);
	const struct feature_def *f = idx >= 0 ? &m->features[idx] : NULL;
	bool integer;

	if (!f || (f->type != FEAT_INTEGER && f->type != FEAT_FLOAT)) {
		log_err("alias %s: %s is not a numeric feature of the model", a->name, a->target);
		return;
	}
	integer = f->type == FEAT_INTEGER;
	strbuf_printf(b, "  <%s Name=\"%s\">\n", integer ? "Integer" : "Float", a->name);
	if (a->tooltip)
		elem(b, "ToolTip", a->tooltip);
	if (f->display_name)
		elem(b, "DisplayName", f->display_name);
	elem(b, "Visibility", "Invisible");
	strbuf_printf(b, "    <pValue>%s</pValue>\n", f->name);
	if (f->min_expr)
		strbuf_printf(b, "    <pMin>%s</pMin>\n", formula_ref(f->min_expr, f->name, "Min", minref, sizeof(minref)));
	else if (integer)
		strbuf_printf(b, "    <Min>%" PRId64 "</Min>\n", f->min);
	else
		strbuf_printf(b, "    <Min>%.17g</Min>\n", f->fmin);
	if (f->max_expr)
		strbuf_printf(b, "    <pMax>%s</pMax>\n", formula_ref(f->max_expr, f->name, "Max", maxref, sizeof(maxref)));
	else if (integer)
		strbuf_printf(b, "    <Max>%" PRId64 "</Max>\n", f->max);
	else
		strbuf_printf(b, "    <Max>%.17g</Max>\n", f->fmax);
	if (integer)
		strbuf_printf(b, "    <Inc>%" PRId64 "</Inc>\n", f->inc > 0 ? f->inc : 1);
	if (f->unit)
		elem(b, "Unit", f->unit);
	strbuf_printf(b, "  </%s>\n\n", integer ? "Integer" : "Float");
}

static void emit_category(struct strbuf *b, const struct camera_model *m, const struct category_def *c)
{
	strbuf_printf(b, "  <Category Name=\"%s\">\n", c->name);
	if (c->tooltip)
		elem(b, "ToolTip", c->tooltip);
	if (c->display_name)
		elem(b, "DisplayName", c->display_name);
	for (unsigned i = 0; i < m->n_categories; i++)
		if (m->categories[i].parent && strcmp(m->categories[i].parent, c->name) == 0)
			strbuf_printf(b, "    <pFeature>%s</pFeature>\n", m->categories[i].name);
	for (unsigned i = 0; i < m->n_features; i++)
		if (!(m->features[i].flags & FEAT_F_HIDDEN) && strcmp(m->features[i].category, c->name) == 0)
			strbuf_printf(b, "    <pFeature>%s</pFeature>\n", m->features[i].name);
	strbuf_puts(b, "  </Category>\n\n");
}

char *genicam_xml_generate(const struct camera_model *m, size_t *len)
{
	const struct camera_identity *id = &m->identity;
	struct strbuf b;
	char *out;

	strbuf_init(&b);
	strbuf_puts(&b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
	strbuf_puts(&b, "<!-- GenICam description of the ");
	strbuf_xml(&b, id->model_name);
	strbuf_puts(&b, " as emulated by dfk-emu. Generated from the camera model; do not edit. -->\n");
	strbuf_printf(&b, "<RegisterDescription\n"
			  "  ModelName=\"%s\"\n"
			  "  VendorName=\"%s\"\n"
			  "  ToolTip=\"",
		      id->xml_model_name, id->xml_vendor_name);
	strbuf_xml(&b, id->model_name);
	strbuf_printf(&b, " (dfk-emu)\"\n"
			  "  StandardNameSpace=\"None\"\n"
			  "  SchemaMajorVersion=\"1\"\n"
			  "  SchemaMinorVersion=\"1\"\n"
			  "  SchemaSubMinorVersion=\"0\"\n"
			  "  MajorVersion=\"%u\"\n"
			  "  MinorVersion=\"%u\"\n"
			  "  SubMinorVersion=\"%u\"\n"
			  "  ProductGuid=\"%s\"\n"
			  "  VersionGuid=\"%s\"\n"
			  "  xmlns=\"http://www.genicam.org/GenApi/Version_1_1\"\n"
			  "  xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"\n"
			  "  xsi:schemaLocation=\"http://www.genicam.org/GenApi/Version_1_1 "
			  "http://www.genicam.org/GenApi/GenApiSchema_Version_1_1.xsd\">\n\n",
		      id->xml_version >> 24, (id->xml_version >> 16) & 0xFF, id->xml_version & 0xFFFF,
		      id->product_guid, id->version_guid);

	strbuf_puts(&b, "  <Category Name=\"Root\" NameSpace=\"Standard\">\n");
	for (unsigned i = 0; i < m->n_categories; i++)
		if (!m->categories[i].parent)
			strbuf_printf(&b, "    <pFeature>%s</pFeature>\n", m->categories[i].name);
	strbuf_puts(&b, "  </Category>\n\n");
	for (unsigned i = 0; i < m->n_categories; i++)
		emit_category(&b, m, &m->categories[i]);
	for (unsigned i = 0; i < m->n_features; i++)
		emit_feature(&b, m, &m->features[i]);
	for (unsigned i = 0; i < m->n_aliases; i++)
		emit_alias(&b, m, &m->aliases[i]);
	strbuf_puts(&b, "  <Port Name=\"Device\" NameSpace=\"Standard\">\n"
			"    <ToolTip>The camera's register space, reached through GenCP.</ToolTip>\n"
			"  </Port>\n\n");
	strbuf_puts(&b, "</RegisterDescription>\n");
	out = strbuf_take(&b, len);
	if (!out)
		log_err("out of memory generating the GenICam XML");
	return out;
}
