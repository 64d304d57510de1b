/* dfk-conform: checks a USB3 Vision camera (the dfk-emu emulator over USB/IP,
 * or a real DFK 38UX267 through libusb) against the camera's manual and the
 * USB3 Vision / GenCP rules. */
#include <CUnit/Basic.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conform.h"
#include "junit.h"
#include "rules.h"

#define EXIT_SKIP 77


struct suite_entry {
	const char *name;
	void (*reg)(void);
};

static const struct suite_entry all_suites[] = {
	{ "usbip", suite_usbip_register },
	{ "descriptors", suite_descriptors_register },
	{ "gencp", suite_gencp_register },
	{ "bootstrap", suite_bootstrap_register },
	{ "genicam", suite_genicam_register },
	{ "features", suite_features_register },
	{ "usersets", suite_usersets_register },
	{ "stream", suite_stream_register },
	{ "framerate", suite_framerate_register },
	{ "trigger", suite_trigger_register },
	{ "strobe", suite_strobe_register },
	{ "dependencies", suite_dependencies_register },
	{ "imaging", suite_imaging_register },
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: dfk-conform --device URL [options]\n"
		"       dfk-conform --list | --list-tests | --list-rules\n"
		"  --device URL        usbip://HOST:PORT/BUSID (our userspace USB/IP client) or\n"
		"                      usb://VID:PID[/SERIAL] (libusb: a real camera or a vhci-attached one)\n"
		"  --suite A,B,...     suites to run (default: all); --list shows them\n"
		"  --list              print the suites and exit\n"
		"  --list-tests        print every test as suite/test and exit\n"
		"  --list-rules        print the manual's behavioural rules (fixtures rules.ini) with the\n"
		"                      tests that check each, or why none does, and the counts; then exit\n"
		"  --junit FILE        write a JUnit XML report\n"
		"  --fixtures DIR      expectations from the manual (default: fixtures/dfk38ux267 next to the binary's tree)\n"
		"  --save-frames DIR   write received frames as PNG (decoded to RGB)\n"
		"  --expect-pattern N  the device is dfk-emu with --source pattern --seed N: check every\n"
		"                      frame byte for byte and timestamps to the nanosecond\n"
		"  --seed N            seed of the randomised checks (default 1)\n"
		"  --io PATH           I/O rig: dfk-emu's side channel (dfk-emu --io PATH or tcp:HOST:PORT); the\n"
		"                      trigger, strobe and imaging suites skip without one\n"
		"  -v, --verbose\n"
		"Exit status: 0 all passed, 1 failures, 2 usage, %d no such device (skipped).\n",
		EXIT_SKIP);
}

/* Registers every suite (registration needs no device: suites open it when they run). */
static bool register_all(void)
{
	if (CU_initialize_registry() != CUE_SUCCESS) {
		fprintf(stderr, "dfk-conform: CUnit: %s\n", CU_get_error_msg());
		return false;
	}
	for (size_t i = 0; i < sizeof(all_suites) / sizeof(all_suites[0]); i++)
		all_suites[i].reg();
	if (CU_get_error() != CUE_SUCCESS) {
		fprintf(stderr, "dfk-conform: CUnit: %s\n", CU_get_error_msg());
		CU_cleanup_registry();
		return false;
	}
	return true;
}

/* "suite/test" names a registered test. */
static bool test_registered(const char *suite_test)
{
	const char *slash = strchr(suite_test, '/');
	CU_pTestRegistry reg = CU_get_registry();

	if (!slash || !reg)
		return false;
	for (CU_pSuite s = reg->pSuite; s; s = s->pNext) {
		if (strlen(s->pName) != (size_t)(slash - suite_test) || strncmp(s->pName, suite_test, (size_t)(slash - suite_test)))
			continue;
		for (CU_pTest t = s->pTest; t; t = t->pNext)
			if (strcmp(t->pName, slash + 1) == 0)
				return true;
	}
	return false;
}

static int list_tests(void)
{
	if (!register_all())
		return 1;
	for (CU_pSuite s = CU_get_registry()->pSuite; s; s = s->pNext)
		for (CU_pTest t = s->pTest; t; t = t->pNext)
			printf("%s/%s\n", s->pName, t->pName);
	CU_cleanup_registry();
	return 0;
}

/* One line per rule: id, section, status, then the tests (and a note) or the reason; then the counts.
 * A table that names an unknown test or lacks a reason is a bug of this program: exit 1. */
static int list_rules(void)
{
	unsigned count[RULE_STATUSES] = { 0 };

	if (!register_all())
		return 1;
	int problems = rules_validate(test_registered, stderr);
	CU_cleanup_registry();
	if (problems)
		return 1;
	for (size_t i = 0; i < rule_table_len; i++) {
		const struct rule_cover *r = &rule_table[i];
		printf("%s\t%s\t%s\t", r->id, r->section, rule_status_name(r->status));
		if (r->status == RULE_CHECKED) {
			for (size_t j = 0; j < RULE_MAX_TESTS && r->tests[j]; j++)
				printf("%s%s", j ? " " : "", r->tests[j]);
			if (r->note)
				printf("\t%s", r->note);
		} else {
			printf("%s", r->note);
		}
		printf("\n");
		count[r->status]++;
	}
	printf("%zu rules: %u %s, %u %s, %u %s\n", rule_table_len, count[RULE_CHECKED], rule_status_name(RULE_CHECKED),
	       count[RULE_NOT_CHECKABLE], rule_status_name(RULE_NOT_CHECKABLE), count[RULE_NOT_YET_CHECKED],
	       rule_status_name(RULE_NOT_YET_CHECKED));
	return 0;
}

static bool selected(const char *list, const char *name)
{
	size_t n = strlen(name);

	if (!list)
		return true;
	for (const char *p = list; *p;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		if (len == n && strncmp(p, name, n) == 0)
			return true;
		p += len + (comma ? 1 : 0);
	}
	return false;
}

int main(int argc, char **argv)
{
	enum {
		OPT_DEVICE = 256,
		OPT_SUITE,
		OPT_JUNIT,
		OPT_FIXTURES,
		OPT_SAVE,
		OPT_SEED,
		OPT_LIST,
		OPT_LIST_TESTS,
		OPT_LIST_RULES,
		OPT_PATTERN,
		OPT_IO
	};
	static const struct option longopts[] = {
		{ "device", required_argument, NULL, OPT_DEVICE },
		{ "suite", required_argument, NULL, OPT_SUITE },
		{ "junit", required_argument, NULL, OPT_JUNIT },
		{ "fixtures", required_argument, NULL, OPT_FIXTURES },
		{ "save-frames", required_argument, NULL, OPT_SAVE },
		{ "seed", required_argument, NULL, OPT_SEED },
		{ "list", no_argument, NULL, OPT_LIST },
		{ "list-tests", no_argument, NULL, OPT_LIST_TESTS },
		{ "list-rules", no_argument, NULL, OPT_LIST_RULES },
		{ "expect-pattern", required_argument, NULL, OPT_PATTERN },
		{ "io", required_argument, NULL, OPT_IO },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *suites = NULL, *junit = NULL;
	int c, failures;

	C->seed = 1;
	C->fixtures_dir = "fixtures/dfk38ux267";
	while ((c = getopt_long(argc, argv, "vh", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_DEVICE: C->url = optarg; break;
		case OPT_SUITE: suites = optarg; break;
		case OPT_JUNIT: junit = optarg; break;
		case OPT_FIXTURES: C->fixtures_dir = optarg; break;
		case OPT_SAVE: C->save_frames_dir = optarg; break;
		case OPT_SEED: C->seed = (unsigned)strtoul(optarg, NULL, 0); break;
		case OPT_IO: C->io_path = optarg; break;
		case OPT_PATTERN:
			C->pattern = true;
			C->pattern_seed = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case OPT_LIST:
			for (size_t i = 0; i < sizeof(all_suites) / sizeof(all_suites[0]); i++)
				printf("%s\n", all_suites[i].name);
			return 0;
		case OPT_LIST_TESTS: return list_tests();
		case OPT_LIST_RULES: return list_rules();
		case 'v': C->verbose = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!C->url) {
		usage(stderr);
		return 2;
	}
	for (const char *p = suites; p && *p;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		bool known = false;
		for (size_t i = 0; i < sizeof(all_suites) / sizeof(all_suites[0]); i++)
			if (strlen(all_suites[i].name) == len && strncmp(all_suites[i].name, p, len) == 0)
				known = true;
		if (!known) {
			fprintf(stderr, "dfk-conform: unknown suite '%.*s' (see --list)\n", (int)len, p);
			return 2;
		}
		p += len + (comma ? 1 : 0);
	}

	int rc = conform_open();
	if (rc < 0) {
		if (rc == -ENODEV) {
			printf("dfk-conform: SKIPPED: %s\n", C->open_error);
			return EXIT_SKIP;
		}
		fprintf(stderr, "dfk-conform: cannot open %s: %s\n", C->url, C->open_error);
		return 1;
	}
	printf("dfk-conform: %s: %s %s, serial %s\n", C->url, C->dev.manufacturer, C->dev.product, C->dev.serial);
	if (C->io_path) {
		char err[256];
		C->io = io_connect(C->io_path, err, sizeof(err));
		if (!C->io) {
			fprintf(stderr, "dfk-conform: cannot reach the I/O rig: %s\n", err);
			return 1;
		}
		/* the rig addresses the camera by its bus id */
		if (strncmp(C->url, "usbip://", 8) == 0) {
			char out[256];
			io_request(C->io, out, sizeof(out), "camera %s", strrchr(C->url, '/') + 1);
		}
	}

	if (CU_initialize_registry() != CUE_SUCCESS) {
		fprintf(stderr, "dfk-conform: CUnit: %s\n", CU_get_error_msg());
		return 1;
	}
	for (size_t i = 0; i < sizeof(all_suites) / sizeof(all_suites[0]); i++)
		if (selected(suites, all_suites[i].name))
			all_suites[i].reg();
	if (CU_get_error() != CUE_SUCCESS) {
		fprintf(stderr, "dfk-conform: CUnit: %s\n", CU_get_error_msg());
		CU_cleanup_registry();
		return 1;
	}
	CU_basic_set_mode(C->verbose ? CU_BRM_VERBOSE : CU_BRM_NORMAL);
	CU_basic_run_tests();
	failures = (int)CU_get_number_of_tests_failed();
	if (junit && junit_write(junit, "dfk-conform") < 0)
		fprintf(stderr, "dfk-conform: cannot write %s\n", junit);
	CU_cleanup_registry();
	io_close(C->io);
	conform_close();
	return failures ? 1 : 0;
}
