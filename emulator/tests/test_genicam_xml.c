/* SPDX-License-Identifier: MIT */
/* u3v/genicam_xml: the GenICam XML generated from models/dfk38ux267 is
 * reproducible byte for byte, is well-formed, declares GenApi schema 1.1,
 * defines every feature of the model as a node, and every p<Something>
 * reference points at a node that exists. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../models/model.h"
#include "../u3v/genicam_xml.h"
#include "tests.h"

static char *xml;
static size_t xml_len;

static int suite_init(void)
{
	xml = genicam_xml_generate(&dfk38ux267_model, &xml_len);
	return xml ? 0 : 1;
}

static int suite_clean(void)
{
	free(xml);
	xml = NULL;
	return 0;
}

/* ---- a small XML scanner: enough for the generator's output ---- */

#define MAX_NODES 2048
#define MAX_REFS 4096
#define MAX_DEPTH 32

struct node {
	char tag[32];
	char name[96];
	const char *start;   /* the '<' of its start tag */
};

struct ref {
	char tag[32];
	char target[96];
};

static struct {
	struct node nodes[MAX_NODES];
	unsigned n_nodes;
	struct ref refs[MAX_REFS];
	unsigned n_refs;
	int errors;
	char first_error[200];
} X;

static void xml_error(const char *what, const char *at)
{
	if (!X.errors++)
		snprintf(X.first_error, sizeof(X.first_error), "%s at offset %td", what, at - xml);
}

static size_t name_len(const char *p)
{
	size_t n = 0;

	while (p[n] && (p[n] == '_' || p[n] == ':' || p[n] == '-' || (p[n] >= 'a' && p[n] <= 'z') ||
			(p[n] >= 'A' && p[n] <= 'Z') || (p[n] >= '0' && p[n] <= '9')))
		n++;
	return n;
}

static void scan(void)
{
	char stack[MAX_DEPTH][32];
	int depth = 0;
	const char *p = xml;

	memset(&X, 0, sizeof(X));
	while ((p = strchr(p, '<')) != NULL) {
		if (strncmp(p, "<?", 2) == 0) {
			const char *e = strstr(p, "?>");
			if (!e) {
				xml_error("unterminated <?", p);
				return;
			}
			p = e + 2;
			continue;
		}
		if (strncmp(p, "<!--", 4) == 0) {
			const char *e = strstr(p + 4, "-->");
			if (!e) {
				xml_error("unterminated comment", p);
				return;
			}
			p = e + 3;
			continue;
		}
		if (p[1] == '/') {
			size_t n = name_len(p + 2);
			if (depth == 0 || n == 0 || n >= 32 || strncmp(stack[depth - 1], p + 2, n) != 0 ||
			    stack[depth - 1][n] != '\0' || p[2 + n] != '>')
				xml_error("mismatched end tag", p);
			else
				depth--;
			p += 2 + n;
			continue;
		}
		size_t n = name_len(p + 1);
		const char *gt = strchr(p, '>');
		if (n == 0 || n >= 32 || !gt) {
			xml_error("bad start tag", p);
			return;
		}
		char tag[32];
		memcpy(tag, p + 1, n);
		tag[n] = '\0';
		/* a Name="..." attribute inside the start tag */
		const char *na = strstr(p, " Name=\"");
		if (na && na < gt) {
			const char *v = na + 7, *q = strchr(v, '"');
			if (!q || q > gt || (size_t)(q - v) >= 96) {
				xml_error("bad Name attribute", p);
			} else if (X.n_nodes < MAX_NODES) {
				struct node *nd = &X.nodes[X.n_nodes++];
				snprintf(nd->tag, sizeof(nd->tag), "%s", tag);
				memcpy(nd->name, v, (size_t)(q - v));
				nd->name[q - v] = '\0';
				nd->start = p;
			}
		}
		/* p<Upper...> elements carry a node name as text */
		if (tag[0] == 'p' && tag[1] >= 'A' && tag[1] <= 'Z' && gt[-1] != '/') {
			const char *lt = strchr(gt + 1, '<');
			if (lt && (size_t)(lt - gt - 1) < 96 && X.n_refs < MAX_REFS) {
				struct ref *r = &X.refs[X.n_refs++];
				snprintf(r->tag, sizeof(r->tag), "%s", tag);
				memcpy(r->target, gt + 1, (size_t)(lt - gt - 1));
				r->target[lt - gt - 1] = '\0';
			}
		}
		if (gt[-1] != '/') {
			if (depth == MAX_DEPTH) {
				xml_error("too deep", p);
				return;
			}
			snprintf(stack[depth++], 32, "%s", tag);
		}
		p = gt + 1;
	}
	if (depth != 0)
		xml_error("unclosed elements at the end", xml + xml_len);
}

/* A node (not an enumeration entry, not a pVariable) of that name. */
static const struct node *find_node(const char *name)
{
	for (unsigned i = 0; i < X.n_nodes; i++)
		if (strcmp(X.nodes[i].name, name) == 0 && strcmp(X.nodes[i].tag, "EnumEntry") != 0 &&
		    strcmp(X.nodes[i].tag, "pVariable") != 0)
			return &X.nodes[i];
	return NULL;
}

/* ---- tests ---- */

static void test_genicam_xml_reproducible(void)
{
	size_t len2 = 0;
	char *again = genicam_xml_generate(&dfk38ux267_model, &len2);

	CU_ASSERT_PTR_NOT_NULL_FATAL(again);
	CU_ASSERT_PTR_NOT_NULL_FATAL(xml);
	ASSERT_INT(len2, xml_len);
	if (len2 == xml_len)
		ASSERT_BYTES(again, xml, xml_len);
	free(again);
	ASSERT_INT(strlen(xml), xml_len);   /* NUL-terminated, no NUL inside */
	CU_ASSERT(xml_len > 10000);
}

static void test_genicam_xml_declaration_and_schema(void)
{
	const char *rd, *gt;
	char head[2048];

	CU_ASSERT_PTR_NOT_NULL_FATAL(xml);
	CU_ASSERT(strncmp(xml, "<?xml version=\"1.0\"", 19) == 0);
	rd = strstr(xml, "<RegisterDescription");
	CU_ASSERT_PTR_NOT_NULL_FATAL(rd);
	gt = strchr(rd, '>');
	CU_ASSERT_PTR_NOT_NULL_FATAL(gt);
	CU_ASSERT_FATAL((size_t)(gt - rd) < sizeof(head));
	memcpy(head, rd, (size_t)(gt - rd));
	head[gt - rd] = '\0';
	CU_ASSERT(strstr(head, "SchemaMajorVersion=\"1\"") != NULL);
	CU_ASSERT(strstr(head, "SchemaMinorVersion=\"1\"") != NULL);
	CU_ASSERT(strstr(head, "xmlns=\"http://www.genicam.org/GenApi/Version_1_1\"") != NULL);
	CU_ASSERT(strstr(head, "ModelName=\"DFK38UX267\"") != NULL);
	CU_ASSERT(strstr(head, "VendorName=\"TheImagingSource\"") != NULL);
	CU_ASSERT(strstr(head, "MajorVersion=\"1\"") != NULL);
	/* the document ends with the root element */
	{
		static const char tail[] = "</RegisterDescription>\n";
		CU_ASSERT(xml_len > sizeof(tail) && strcmp(xml + xml_len - (sizeof(tail) - 1), tail) == 0);
	}
}

static void test_genicam_xml_well_formed(void)
{
	CU_ASSERT_PTR_NOT_NULL_FATAL(xml);
	scan();
	if (X.errors)
		FAIL_MSG(X.first_error);
	ASSERT_INT(X.errors, 0);
	CU_ASSERT(X.n_nodes > 100);
	CU_ASSERT(X.n_nodes < MAX_NODES);
	CU_ASSERT(X.n_refs < MAX_REFS);
}

static void test_genicam_xml_every_feature_is_a_node(void)
{
	const struct camera_model *m = &dfk38ux267_model;
	char msg[160];

	CU_ASSERT_PTR_NOT_NULL_FATAL(xml);
	scan();
	for (unsigned i = 0; i < m->n_features; i++) {
		const struct node *nd = find_node(m->features[i].name);
		snprintf(msg, sizeof(msg), "feature %s has a node", m->features[i].name);
		CU_assertImplementation(nd != NULL, __LINE__, msg, __FILE__, "", CU_FALSE);
	}
	CU_ASSERT_PTR_NOT_NULL(find_node("Root"));
	CU_ASSERT_PTR_NOT_NULL(find_node("Device"));
	for (unsigned i = 0; i < m->n_categories; i++)
		CU_ASSERT_PTR_NOT_NULL(find_node(m->categories[i].name));
}

/* Aliases (manual-quirks L): FPS is an invisible Float whose value is AcquisitionFrameRate,
 * with its limits, and no register or category of its own. */
static void test_genicam_xml_aliases(void)
{
	const struct camera_model *m = &dfk38ux267_model;
	const struct node *nd;
	const char *end;
	char body[1024];

	CU_ASSERT_PTR_NOT_NULL_FATAL(xml);
	scan();
	ASSERT_INT(m->n_aliases, 1);
	CU_ASSERT_STRING_EQUAL(m->aliases[0].name, "FPS");
	nd = find_node("FPS");
	CU_ASSERT_PTR_NOT_NULL_FATAL(nd);
	CU_ASSERT_STRING_EQUAL(nd->tag, "Float");
	end = strstr(nd->start, "</Float>");
	CU_ASSERT_PTR_NOT_NULL_FATAL(end);
	CU_ASSERT_FATAL((size_t)(end - nd->start) < sizeof(body));
	memcpy(body, nd->start, (size_t)(end - nd->start));
	body[end - nd->start] = 0;
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "<pValue>AcquisitionFrameRate</pValue>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "<Min>0.25</Min>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "<pMax>AcquisitionFrameRateMax</pMax>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "<Visibility>Invisible</Visibility>"));
	CU_ASSERT_PTR_NULL(find_node("FPS_Reg"));
	CU_ASSERT_PTR_NULL(strstr(xml, "<pFeature>FPS</pFeature>"));
}

static void test_genicam_xml_node_names_unique(void)
{
	char msg[160];

	CU_ASSERT_PTR_NOT_NULL_FATAL(xml);
	scan();
	for (unsigned i = 0; i < X.n_nodes; i++) {
		if (strcmp(X.nodes[i].tag, "EnumEntry") == 0 || strcmp(X.nodes[i].tag, "pVariable") == 0)
			continue;
		for (unsigned k = i + 1; k < X.n_nodes; k++) {
			if (strcmp(X.nodes[k].tag, "EnumEntry") == 0 || strcmp(X.nodes[k].tag, "pVariable") == 0)
				continue;
			if (strcmp(X.nodes[i].name, X.nodes[k].name) == 0) {
				snprintf(msg, sizeof(msg), "node name %s defined twice", X.nodes[i].name);
				FAIL_MSG(msg);
			}
		}
	}
}

static void test_genicam_xml_references_resolve(void)
{
	char msg[200];
	unsigned bad = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(xml);
	scan();
	CU_ASSERT(X.n_refs > 100);
	for (unsigned i = 0; i < X.n_refs; i++) {
		if (!find_node(X.refs[i].target)) {
			snprintf(msg, sizeof(msg), "<%s>%s</%s> names no node", X.refs[i].tag, X.refs[i].target,
				 X.refs[i].tag);
			if (bad++ < 10)
				FAIL_MSG(msg);
		}
	}
	ASSERT_INT(bad, 0);
}

/* The register of every feature sits at the model's address with the model's length. */
static void test_genicam_xml_addresses_match_model(void)
{
	const struct camera_model *m = &dfk38ux267_model;
	char name[128], want[64], msg[200];

	CU_ASSERT_PTR_NOT_NULL_FATAL(xml);
	scan();
	for (unsigned i = 0; i < m->n_features; i++) {
		const struct feature_def *f = &m->features[i];
		const struct node *nd;
		const char *end, *a;

		if (f->type == FEAT_STRING || f->type == FEAT_REGISTER)
			snprintf(name, sizeof(name), "%s", f->name);
		else
			snprintf(name, sizeof(name), "%s_Reg", f->name);
		nd = find_node(name);
		snprintf(msg, sizeof(msg), "register node %s exists", name);
		CU_assertImplementation(nd != NULL, __LINE__, msg, __FILE__, "", CU_FALSE);
		if (!nd)
			continue;
		snprintf(want, sizeof(want), "</%s>", nd->tag);
		end = strstr(nd->start, want);
		CU_ASSERT_PTR_NOT_NULL_FATAL(end);
		a = strstr(nd->start, "<Address>0x");
		snprintf(msg, sizeof(msg), "%s: <Address>0x%" PRIx64 "</Address>", name, f->address);
		CU_assertImplementation(a && a < end && strtoull(a + 9, NULL, 16) == f->address, __LINE__, msg,
					__FILE__, "", CU_FALSE);
		a = strstr(nd->start, "<Length>");
		snprintf(msg, sizeof(msg), "%s: <Length>%u</Length>", name, f->length);
		CU_assertImplementation(a && a < end && strtoul(a + 8, NULL, 10) == f->length, __LINE__, msg,
					__FILE__, "", CU_FALSE);
	}
}

static const struct test_case cases[] = {
	{ "test_genicam_xml_reproducible", test_genicam_xml_reproducible },
	{ "test_genicam_xml_declaration_and_schema", test_genicam_xml_declaration_and_schema },
	{ "test_genicam_xml_well_formed", test_genicam_xml_well_formed },
	{ "test_genicam_xml_every_feature_is_a_node", test_genicam_xml_every_feature_is_a_node },
	{ "test_genicam_xml_aliases", test_genicam_xml_aliases },
	{ "test_genicam_xml_node_names_unique", test_genicam_xml_node_names_unique },
	{ "test_genicam_xml_references_resolve", test_genicam_xml_references_resolve },
	{ "test_genicam_xml_addresses_match_model", test_genicam_xml_addresses_match_model },
	{ NULL, NULL },
};

int test_genicam_xml_add_suite(void)
{
	return test_add_suite_with_init("genicam_xml", suite_init, suite_clean, NULL, NULL, cases);
}
