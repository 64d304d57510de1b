/* SPDX-License-Identifier: MIT */
/* genicam suite: the device's GenICam XML, evaluated by libaravis over our
 * transport: it parses without warnings, every node evaluates, every register
 * node is readable over GenCP, and the user-defined name survives a power cycle. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conform.h"

/* Run fn with stderr captured; returns what Aravis printed. */
static char *capture_stderr(void (*fn)(void *), void *arg)
{
	char path[] = "/tmp/dfk-conform-XXXXXX";
	int fd = mkstemp(path), saved;
	char *text = NULL;

	if (fd < 0)
		return NULL;
	fflush(stderr);
	saved = dup(2);
	dup2(fd, 2);
	fn(arg);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	gsize len = 0;
	g_file_get_contents(path, &text, &len, NULL);
	close(fd);
	unlink(path);
	return text;
}

static void build_genicam(void *arg)
{
	GError **err = arg;

	/* warning level for the XML-related categories */
	arv_debug_enable("genicam:1,dom:1,evaluator:1,policies:0");
	session->arv = conform_device_new(&session->gc, err);
	if (session->arv)
		session->genicam = arv_device_get_genicam(ARV_DEVICE(session->arv));
}

static void test_xml_parses(void)
{
	GError *err = NULL;
	char *warnings;

	if (session->arv) {
		g_object_unref(session->arv);
		session->arv = NULL;
		session->genicam = NULL;
	}
	warnings = capture_stderr(build_genicam, &err);
	REQUIRE_MSG(session->genicam, "libaravis: %s", err ? err->message : "no document");
	size_t len;
	const char *xml = conform_device_xml(session->arv, &len);
	CHECK_MSG(len > 100 && strstr(xml, "<RegisterDescription"), "no RegisterDescription element");
	CHECK_MSG(!warnings || !*warnings, "libaravis warned while loading the XML:\n%.400s", warnings ? warnings : "");
	g_free(warnings);
}

struct walk {
	unsigned features, read_ok;
	unsigned errors;
	char first_error[256];
	GHashTable *seen;
};

static void walk_node(struct walk *w, const char *name, int depth)
{
	ArvGcNode *n = arv_gc_get_node(session->genicam, name);
	GError *e = NULL;

	if (!n || depth > 16 || g_hash_table_contains(w->seen, name))
		return;
	g_hash_table_add(w->seen, g_strdup(name));
	if (ARV_IS_GC_CATEGORY(n)) {
		for (const GSList *l = arv_gc_category_get_features(ARV_GC_CATEGORY(n)); l; l = l->next)
			walk_node(w, l->data, depth + 1);
		return;
	}
	if (!ARV_IS_GC_FEATURE_NODE(n))
		return;
	w->features++;
	ArvGcFeatureNode *f = ARV_GC_FEATURE_NODE(n);
	if (!arv_gc_feature_node_is_implemented(f, &e) || e || !arv_gc_feature_node_is_available(f, &e) || e) {
		if (e) {
			w->errors++;
			snprintf(w->first_error, sizeof(w->first_error), "%s: %s", name, e->message);
			g_clear_error(&e);
		}
		return;
	}
	if (ARV_IS_GC_COMMAND(n) || arv_gc_feature_node_get_actual_access_mode(f) == ARV_GC_ACCESS_MODE_WO)
		return;
	if (ARV_IS_GC_REGISTER(n) && !ARV_IS_GC_STRING(n)) {
		/* raw register features: read their bytes */
		guint64 len = arv_gc_register_get_length(ARV_GC_REGISTER(n), &e);
		if (!e && len) {
			void *buf = g_malloc(len);
			arv_gc_register_get(ARV_GC_REGISTER(n), buf, len, &e);
			g_free(buf);
		}
	} else {
		arv_gc_feature_node_get_value_as_string(f, &e);
	}
	if (e) {
		if (!w->errors)
			snprintf(w->first_error, sizeof(w->first_error), "%s: %s", name, e->message);
		w->errors++;
		g_clear_error(&e);
	} else {
		w->read_ok++;
	}
}

/* Every feature reachable from Root evaluates. */
static void test_every_feature_evaluates(void)
{
	struct walk w = { 0 };

	REQUIRE_MSG(session->genicam, "no GenICam document");
	w.seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	walk_node(&w, "Root", 0);
	g_hash_table_destroy(w.seen);
	printf("\n    %u features, %u read\n", w.features, w.read_ok);
	CHECK_MSG(w.features > 0, "Root has no features");
	CHECK_MSG(w.errors == 0, "%u features failed; first: %s", w.errors, w.first_error);
}

/* Every register node of the XML is readable over GenCP at its address. */
static void test_register_nodes_readable(void)
{
	ArvDomDocument *doc = ARV_DOM_DOCUMENT(session->genicam);
	ArvDomElement *root = doc ? arv_dom_document_get_document_element(doc) : NULL;
	unsigned regs = 0, bad = 0;
	char first[256] = "";

	REQUIRE_MSG(root, "no document element");
	for (ArvDomNode *c = arv_dom_node_get_first_child(ARV_DOM_NODE(root)); c; c = arv_dom_node_get_next_sibling(c)) {
		if (!ARV_IS_GC_REGISTER_NODE(c))
			continue;
		ArvGcFeatureNode *f = ARV_GC_FEATURE_NODE(c);
		GError *e = NULL;
		if (arv_gc_feature_node_get_actual_access_mode(f) == ARV_GC_ACCESS_MODE_WO)
			continue;
		guint64 addr = arv_gc_register_get_address(ARV_GC_REGISTER(c), &e);
		guint64 len = e ? 0 : arv_gc_register_get_length(ARV_GC_REGISTER(c), &e);
		if (e || len == 0 || len > 1u << 20) {
			g_clear_error(&e);
			continue;
		}
		regs++;
		void *buf = g_malloc(len);
		int rc = gencp_read(&session->gc, addr, buf, (uint32_t)len);
		g_free(buf);
		if (rc) {
			if (!bad)
				snprintf(first, sizeof(first), "%s at 0x%llx+%llu: %d", arv_gc_feature_node_get_name(f),
					 (unsigned long long)addr, (unsigned long long)len, rc);
			bad++;
		}
	}
	printf("\n    %u register nodes read over GenCP\n", regs);
	CHECK_MSG(regs > 0, "no register nodes");
	CHECK_MSG(bad == 0, "%u register nodes unreadable; first: %s", bad, first);
}

/* What host software (Aravis's camera layer, arv-camera-test) needs. */
static void test_required_features(void)
{
	static const char *const names[] = { "DeviceVendorName", "DeviceModelName", "DeviceSerialNumber", "Width",
					     "Height", "PayloadSize", "AcquisitionMode", "AcquisitionStart",
					     "AcquisitionStop" };
	char s[128], err[256];

	REQUIRE_MSG(session->genicam, "no GenICam document");
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		CHECK_MSG(arv_gc_get_node(session->genicam, names[i]), "feature %s missing", names[i]);
	CHECK_MSG(gc_get_string("DeviceVendorName", s, sizeof(s), err, sizeof(err)) &&
			  strcmp(s, session->dev.manufacturer) == 0,
		  "DeviceVendorName '%s' vs USB manufacturer '%s' %s", s, session->dev.manufacturer, err);
	CHECK_MSG(gc_get_string("DeviceModelName", s, sizeof(s), err, sizeof(err)) && strcmp(s, session->dev.product) == 0,
		  "DeviceModelName '%s' vs USB product '%s'", s, session->dev.product);
	CHECK_MSG(gc_get_string("DeviceSerialNumber", s, sizeof(s), err, sizeof(err)) && strcmp(s, session->dev.serial) == 0,
		  "DeviceSerialNumber '%s' vs USB serial '%s'", s, session->dev.serial);
}

/* PayloadSize equals SIRM Required Payload Size (hosts size buffers by one, check by the other). */
static void test_payload_size_matches_sirm(void)
{
	gint64 payload = 0;
	uint64_t req = 0;
	char err[256] = "";

	REQUIRE_MSG(gc_get_int("PayloadSize", &payload, err, sizeof(err)), "%s", err);
	REQUIRE_MSG(gencp_read_u64(&session->gc, session->sirm + SIRM_REQ_PAYLOAD, &req) == 0, "SIRM required payload");
	CHECK_MSG((uint64_t)payload == req, "PayloadSize %lld vs SIRM required payload %llu", (long long)payload,
		  (unsigned long long)req);
}

/* DeviceUserID is non-volatile: it survives DeviceReset (a power cycle). */
static void test_user_id_survives_reset(void)
{
	char old[128] = "", now[128] = "", err[256] = "";
	char name[64];

	REQUIRE_MSG(session->genicam && arv_gc_get_node(session->genicam, "DeviceUserID"), "DeviceUserID missing");
	REQUIRE_MSG(arv_gc_get_node(session->genicam, "DeviceReset"), "DeviceReset missing: cannot power-cycle");
	gc_get_string("DeviceUserID", old, sizeof(old), NULL, 0);
	snprintf(name, sizeof(name), "conform-%u", session->seed * 7919u % 100000u);
	REQUIRE_MSG(gc_set_string("DeviceUserID", name, err, sizeof(err)), "%s", err);
	REQUIRE_MSG(gc_execute("DeviceReset", err, sizeof(err)), "%s", err);
	int rc = conform_reconnect(20000);
	REQUIRE_MSG(rc == 0, "device did not come back after DeviceReset: %d", rc);
	REQUIRE_MSG(gc_get_string("DeviceUserID", now, sizeof(now), err, sizeof(err)), "%s", err);
	CHECK_MSG(strcmp(now, name) == 0, "DeviceUserID after reset '%s', written '%s'", now, name);
	gc_set_string("DeviceUserID", old, NULL, 0);
}

void suite_genicam_register(const char *name)
{
	CU_pSuite s = CU_add_suite(name, NULL, NULL);

	CU_add_test(s, "xml_parses_without_warnings", test_xml_parses);
	CU_add_test(s, "every_feature_evaluates", test_every_feature_evaluates);
	CU_add_test(s, "register_nodes_readable", test_register_nodes_readable);
	CU_add_test(s, "required_features", test_required_features);
	CU_add_test(s, "payload_size_matches_sirm", test_payload_size_matches_sirm);
	CU_add_test(s, "user_id_survives_device_reset", test_user_id_survives_reset);
}
