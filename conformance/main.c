/* SPDX-License-Identifier: MIT */
/* dfk-conform: checks a USB3 Vision camera (the dfk-emu emulator over USB/IP,
 * or a real DFK/DMK 38UX267 through libusb) against the camera's manual and the
 * USB3 Vision / GenCP rules. The expectations are the fixtures of the model
 * under test (fixtures/<model>/), found from the device's model name. */
#include <CUnit/CUnit.h>
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "conform.h"
#include "junit.h"
#include "report_html.h"
#include "rules.h"
#include "runner.h"
#include "testrec.h"

#define EXIT_SKIP 77
#define FIXTURES_ROOT "fixtures"

/* The suites of conform.h's list, by name. */
struct suite_entry {
	const char *name;
	void (*reg)(const char *name);
};

#define SUITE_ENTRY(id) { #id, suite_##id##_register },
static const struct suite_entry all_suites[] = { CONFORM_SUITES(SUITE_ENTRY) };
#undef SUITE_ENTRY
#define N_SUITES (sizeof(all_suites) / sizeof(all_suites[0]))

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
		"  --report DIR        write DIR/index.html: one self-contained page with the summary, every test\n"
		"                      with the manual sentence it checks, timing diagrams of the camera's event\n"
		"                      log (with --io), received/expected/difference images of a wrong frame\n"
		"                      (with --expect-pattern) and the frame-rate table, manual against device\n"
		"  --inject-fault SUITE/TEST=FAULT\n"
		"                      arm FAULT (a line of dfk-emu's fault language) through the I/O rig just\n"
		"                      before that test, and clear it after: to see how the test reports a broken\n"
		"                      device (it should fail). Needs --io; up to 8\n"
		"  --fixtures DIR      expectations from the manual (default: fixtures/<model> in the current\n"
		"                      directory, <model> from the device's model name: \"DFK 38UX267\" -> dfk38ux267;\n"
		"                      without a device, as for --list-tests, the model of the rule table)\n"
		"  --model ID          the same as --fixtures fixtures/ID\n"
		"  --save-frames DIR   write received frames as PNG (decoded to RGB)\n"
		"  --expect-pattern N  the device is dfk-emu with --source pattern --seed N: check every\n"
		"                      frame byte for byte and timestamps to the nanosecond\n"
		"  --seed N            seed of the randomised checks (default 1)\n"
		"  --io PATH           I/O rig: dfk-emu's side channel (dfk-emu --io PATH or tcp:HOST:PORT); the\n"
		"                      trigger, strobe, imaging and faults suites skip without one\n"
		"  --uvc-map FILE      a UVC device's extension-unit mapping (default uvcmap/<model>.ini in the\n"
		"                      current directory, as for --fixtures)\n"
		"  -v, --verbose       every test's name and result (a terminal on stderr gets a progress line\n"
		"                      per test anyway: suite n/N, the test, its time, the time elapsed)\n"
		"A USB Video Class device (the camera's UVC face) gets the uvc suite, a USB3 Vision one every\n"
		"other suite.\n"
		"Exit status: 0 all passed, 1 failures, 2 usage, %d no such device (skipped).\n",
		EXIT_SKIP);
}

/* Whether the comma-separated `list` names `name` (len bytes); a NULL list names every suite. */
static bool listed(const char *list, const char *name, size_t n)
{
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

static bool is_suite(const char *name, size_t len)
{
	for (size_t i = 0; i < N_SUITES; i++)
		if (strlen(all_suites[i].name) == len && strncmp(all_suites[i].name, name, len) == 0)
			return true;
	return false;
}

/* The first name of `list` that is no suite, its length in *len; NULL when all are suites. */
static const char *unknown_suite(const char *list, size_t *len)
{
	for (const char *p = list; p && *p;) {
		const char *comma = strchr(p, ',');
		*len = comma ? (size_t)(comma - p) : strlen(p);
		if (!is_suite(p, *len))
			return p;
		p += *len + (comma ? 1 : 0);
	}
	return NULL;
}

/* The suites of the device's kind that `list` names (NULL: all of them), as a new list in
 * buf; NULL with the first suite of the other kind in *bad (its length in *bad_len). Only
 * the uvc suite applies to a UVC device, every other suite only to a USB3 Vision one. */
static const char *suites_for_device(const char *list, bool uvc, char *buf, size_t len, const char **bad,
				     size_t *bad_len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < N_SUITES; i++) {
		const char *name = all_suites[i].name;
		size_t nl = strlen(name);
		if (!listed(list, name, nl))
			continue;
		if ((strcmp(name, "uvc") == 0) != uvc) {
			if (list) {
				*bad = name;
				*bad_len = nl;
				return NULL;
			}
			continue;
		}
		n += (size_t)snprintf(buf + n, n < len ? len - n : 0, "%s%s", n ? "," : "", name);
	}
	return buf;
}

/* A model id from a model name: its letters and digits, lower case ("DFK 38UX267" -> "dfk38ux267"). */
static void model_id_of(const char *model_name, char *id, size_t len)
{
	size_t n = 0;

	for (const char *p = model_name; *p && n + 1 < len; p++)
		if (isalnum((unsigned char)*p))
			id[n++] = (char)tolower((unsigned char)*p);
	id[n] = '\0';
}

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Registers the suites `list` names (NULL: all). Registration needs no device: suites
 * open it when they run. */
static bool register_suites(const char *list)
{
	if (CU_initialize_registry() != CUE_SUCCESS) {
		fprintf(stderr, "dfk-conform: CUnit: %s\n", CU_get_error_msg());
		return false;
	}
	for (size_t i = 0; i < N_SUITES; i++)
		if (listed(list, all_suites[i].name, strlen(all_suites[i].name)))
			all_suites[i].reg(all_suites[i].name);
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
	if (!register_suites(NULL))
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

	if (!register_suites(NULL))
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
		OPT_IO,
		OPT_MODEL,
		OPT_REPORT,
		OPT_INJECT,
		OPT_UVC_MAP
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
		{ "model", required_argument, NULL, OPT_MODEL },
		{ "report", required_argument, NULL, OPT_REPORT },
		{ "inject-fault", required_argument, NULL, OPT_INJECT },
		{ "uvc-map", required_argument, NULL, OPT_UVC_MAP },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *suites = NULL, *junit = NULL, *model = NULL, *report = NULL;
	struct runner_opts ropt = { .progress = isatty(STDERR_FILENO) };
	struct timespec t_start, t_end;
	static char fixtures[1024];
	enum { RUN, LIST_TESTS, LIST_RULES } what = RUN;
	int c, failures;

	session->seed = 1;
	while ((c = getopt_long(argc, argv, "vh", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_DEVICE: session->url = optarg; break;
		case OPT_SUITE: suites = optarg; break;
		case OPT_JUNIT: junit = optarg; break;
		case OPT_FIXTURES: session->fixtures_dir = optarg; break;
		case OPT_SAVE: session->save_frames_dir = optarg; break;
		case OPT_SEED: session->seed = (unsigned)strtoul(optarg, NULL, 0); break;
		case OPT_IO: session->io_path = optarg; break;
		case OPT_MODEL: model = optarg; break;
		case OPT_REPORT: report = optarg; break;
		case OPT_INJECT:
			if (!runner_add_inject(&ropt, optarg))
				return 2;
			break;
		case OPT_UVC_MAP: session->uvc_map = optarg; break;
		case OPT_PATTERN:
			session->pattern = true;
			session->pattern_seed = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case OPT_LIST:
			for (size_t i = 0; i < N_SUITES; i++)
				printf("%s\n", all_suites[i].name);
			return 0;
		case OPT_LIST_TESTS: what = LIST_TESTS; break;
		case OPT_LIST_RULES: what = LIST_RULES; break;
		case 'v': session->verbose = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (model && session->fixtures_dir) {
		fprintf(stderr, "dfk-conform: --model and --fixtures both name the fixtures; give one\n");
		return 2;
	}
	if (model) {
		snprintf(fixtures, sizeof(fixtures), "%s/%s", FIXTURES_ROOT, model);
		session->fixtures_dir = fixtures;
	}
	if (what != RUN) {
		/* no device: the tests the fixtures of the rule table's model make */
		if (!session->fixtures_dir) {
			snprintf(fixtures, sizeof(fixtures), "%s/%s", FIXTURES_ROOT, rule_table_model);
			session->fixtures_dir = fixtures;
		}
		return what == LIST_TESTS ? list_tests() : list_rules();
	}
	if (!session->url) {
		usage(stderr);
		return 2;
	}
	if (ropt.n_inject && !session->io_path) {
		fprintf(stderr, "dfk-conform: --inject-fault needs the I/O rig (--io PATH)\n");
		return 2;
	}
	size_t len;
	const char *unknown = unknown_suite(suites, &len);
	if (unknown) {
		fprintf(stderr, "dfk-conform: unknown suite '%.*s' (see --list)\n", (int)len, unknown);
		return 2;
	}

	int rc = conform_open();
	if (rc < 0) {
		if (rc == -ENODEV) {
			printf("dfk-conform: SKIPPED: %s\n", session->open_error);
			return EXIT_SKIP;
		}
		fprintf(stderr, "dfk-conform: cannot open %s: %s\n", session->url, session->open_error);
		return 1;
	}
	printf("dfk-conform: %s: %s %s, serial %s%s\n", session->url, session->dev.manufacturer, session->dev.product,
	       session->dev.serial, session->uvc ? " (USB Video Class)" : "");
	char id[64];
	model_id_of(session->dev.product, id, sizeof(id));
	if (!session->fixtures_dir) {
		snprintf(fixtures, sizeof(fixtures), "%s/%s", FIXTURES_ROOT, id);
		session->fixtures_dir = fixtures;
	}
	static char uvc_map[1024], device_suites[512];
	if (!session->uvc_map) {
		snprintf(uvc_map, sizeof(uvc_map), "uvcmap/%s.ini", id);
		session->uvc_map = uvc_map;
	}
	const char *bad = NULL;
	size_t bad_len = 0;
	suites = suites_for_device(suites, session->uvc, device_suites, sizeof(device_suites), &bad, &bad_len);
	if (!suites) {
		fprintf(stderr, "dfk-conform: suite '%.*s' does not apply to %s: %s\n", (int)bad_len, bad, session->url,
			session->uvc ? "a USB Video Class device gets the uvc suite only"
				     : "the uvc suite needs a USB Video Class device (dfk-emu --interface uvc)");
		conform_close();
		return 2;
	}
	if (!is_dir(session->fixtures_dir)) {
		fprintf(stderr, "dfk-conform: no fixtures for %s in %s: give --fixtures DIR or --model ID\n",
			session->dev.product, session->fixtures_dir);
		conform_close();
		return 2;
	}
	printf("dfk-conform: expectations from %s\n", session->fixtures_dir);
	if (session->io_path) {
		char err[256];
		session->io = io_connect(session->io_path, err, sizeof(err));
		if (!session->io) {
			fprintf(stderr, "dfk-conform: cannot reach the I/O rig: %s\n", err);
			return 1;
		}
		/* the rig addresses the camera by its bus id */
		if (strncmp(session->url, "usbip://", 8) == 0) {
			char out[256];
			io_request(session->io, out, sizeof(out), "camera %s", strrchr(session->url, '/') + 1);
		}
	}

	if (!register_suites(suites))
		return 1;
	for (size_t i = 0; i < ropt.n_inject; i++)
		if (!test_registered(ropt.inject[i].test)) {
			fprintf(stderr, "dfk-conform: --inject-fault: no test %s in this run (see --list-tests, --suite)\n",
				ropt.inject[i].test);
			CU_cleanup_registry();
			io_close(session->io);
			conform_close();
			return 2;
		}
	if (report)
		testrec_enable();
	ropt.verbose = session->verbose;
	clock_gettime(CLOCK_MONOTONIC, &t_start);
	failures = runner_run(&ropt);
	clock_gettime(CLOCK_MONOTONIC, &t_end);
	if (failures < 0)
		failures = 1;
	if (junit && junit_write(junit, "dfk-conform") < 0)
		fprintf(stderr, "dfk-conform: cannot write %s\n", junit);
	if (report) {
		struct conform_report_info info = {
			.url = session->url, .product = session->dev.product, .serial = session->dev.serial,
			.fixtures = session->fixtures_dir, .pattern = session->pattern, .pattern_seed = session->pattern_seed,
			.seconds = (double)(t_end.tv_sec - t_start.tv_sec) + (double)(t_end.tv_nsec - t_start.tv_nsec) / 1e9,
		};
		if (conform_report_html(report, &info) < 0) {
			fprintf(stderr, "dfk-conform: cannot write %s/index.html: %s\n", report, strerror(errno));
			failures = failures ? failures : 1;
		} else {
			printf("dfk-conform: report in %s/index.html\n", report);
		}
	}
	testrec_free();
	CU_cleanup_registry();
	io_close(session->io);
	conform_close();
	return failures ? 1 : 0;
}
